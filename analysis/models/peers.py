"""Peer districts (structurally similar) and positive deviants: by outcome (peers doing clearly
better) and by residual (peers doing better than the model predicts, `residual_deviants`).

Similarity uses what a district cannot change quickly: economic level (GRDP per capita),
population density, population size (log), kabupaten/kota and island group. Continuous variables
are standardized across all districts; a different kind (kabupaten vs kota) or island group adds
one standard deviation each to the distance.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis.regions import Registry

STRUCTURAL = ("grdp_per_capita", "population_density", "population")
CATEGORY_WEIGHT = 1.0
DEVIANT_SD = 0.5  # "clearly better": by at least half a national standard deviation


def structural_frame(preferred: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Latest value of each structural variable per district, plus kind and island group."""
    rows = preferred[preferred["indicator"].isin(STRUCTURAL)].sort_values("year")
    latest = rows.drop_duplicates(["district_code", "indicator"], keep="last")
    frame = latest.pivot(index="district_code", columns="indicator", values="value")
    frame = frame.reindex(columns=list(STRUCTURAL))
    frame["is_kota"] = [registry.get(c).is_kota for c in frame.index]
    frame["island"] = [registry.get(c).island for c in frame.index]
    return frame


def peer_districts(district_code: str, structural: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """The k districts nearest to `district_code`, with their distance (nearest first)."""
    if district_code not in structural.index:
        raise KeyError(f"no structural data for district {district_code}")
    logged = np.log(structural[list(STRUCTURAL)].astype(float))
    z = (logged - logged.mean()) / logged.std(ddof=1)
    complete = z.dropna()
    me = complete.loc[district_code]
    dist2 = ((complete - me) ** 2).sum(axis=1)
    cats = structural.loc[complete.index]
    dist2 += CATEGORY_WEIGHT * (cats["is_kota"] != cats.at[district_code, "is_kota"])
    dist2 += CATEGORY_WEIGHT * (cats["island"] != cats.at[district_code, "island"])
    distance = np.sqrt(dist2.drop(index=district_code)).sort_values(kind="stable")
    return pd.DataFrame(
        {"district_code": distance.index[:k], "distance": distance.to_numpy()[:k]}
    ).reset_index(drop=True)


def positive_deviants(
    district_code: str,
    peers: list[str],
    outcome_values: pd.Series,
    direction: str,
    national_sd: float,
) -> pd.DataFrame:
    """Peers whose outcome is better than the district's by at least DEVIANT_SD national SDs."""
    if direction not in ("higher", "lower") or district_code not in outcome_values.index:
        return pd.DataFrame(columns=["district_code", "value", "advantage"])
    mine = float(outcome_values[district_code])
    theirs = outcome_values.reindex(peers).dropna()
    advantage = theirs - mine if direction == "higher" else mine - theirs
    better = advantage[advantage >= DEVIANT_SD * national_sd].sort_values(ascending=False)
    return pd.DataFrame(
        {
            "district_code": better.index,
            "value": theirs[better.index].to_numpy(),
            "advantage": better.to_numpy(),
        }
    ).reset_index(drop=True)


DEVIANT_RESIDUAL_SD = 0.5  # doing better than predicted by at least half a residual SD


def lever_differences(fit, district_code: str, other: str, catalogue) -> list[dict]:
    """The levers on which `other` is better than the district (by each lever's direction),
    largest difference (in SDs of the lever across the sample) first: values, years, and the
    outcome difference the main model associates with the lever difference."""
    main = fit.main
    sample, years, sds = _indexed(fit)
    rows = []
    for lever in main.levers:
        sign = {"higher": 1.0, "lower": -1.0}[catalogue[lever].direction]
        mine, theirs = float(sample.at[district_code, lever]), float(sample.at[other, lever])
        sd = sds[lever]
        better_sd = sign * (theirs - mine) / sd if sd > 0 else 0.0
        if better_sd <= 0:
            continue
        dz = float(main.standardize(lever, theirs) - main.standardize(lever, mine))
        rows.append(
            {
                "driver": lever,
                "opd": catalogue[lever].opd.key,
                "district_value": mine,
                "district_year": _year(years, district_code, lever),
                "deviant_value": theirs,
                "deviant_year": _year(years, other, lever),
                "difference_sd": better_sd,
                "associated_difference": float(main.beta[lever]) * dz,
                "consistent": fit.consistent(lever),
            }
        )
    return sorted(rows, key=lambda r: -r["difference_sd"])


def _indexed(fit) -> tuple[pd.DataFrame, dict[tuple[str, str], Any], dict[str, float]]:
    """The main model's sample indexed by district, each (district, variable)'s year in the
    provenance, and each lever's SD: built once per fit (a batch worker compares every
    district's peers with them)."""
    found = fit.cache.get("peers_index")
    if found is None:
        main = fit.main
        sample = main.sample.set_index("district_code")
        prov = fit.provenance
        keys = zip(prov["district_code"], prov["variable"], strict=True)
        years = dict(zip(keys, prov["year"], strict=True))
        sds = {lever: float(sample[lever].astype(float).std(ddof=1)) for lever in main.levers}
        found = fit.cache["peers_index"] = (sample, years, sds)
    return found


def _year(years: dict[tuple[str, str], Any], code: str, variable: str) -> int | None:
    year = years.get((code, variable))
    return None if year is None else int(year)


def residual_deviants(fit, district_code: str, peers: list[str], direction: str, catalogue):
    """Peers doing better than the main model predicts for them (favourable residual of at least
    DEVIANT_RESIDUAL_SD residual SDs), best first, with the levers on which they differ.
    Columns: district_code, value, predicted, residual, advantage (favourable residual, outcome
    units), levers (list of dicts, see `lever_differences`)."""
    columns = ["district_code", "value", "predicted", "residual", "advantage", "levers"]
    sign = {"higher": 1.0, "lower": -1.0}.get(direction)
    main = fit.main
    sample = _indexed(fit)[0]
    if sign is None or district_code not in sample.index or not main.sigma2:
        return pd.DataFrame(columns=columns)
    threshold = DEVIANT_RESIDUAL_SD * float(np.sqrt(main.sigma2))
    rows = []
    for code in peers:
        if code == district_code or code not in sample.index:
            continue
        advantage = sign * float(sample.at[code, "residual"])
        if advantage >= threshold:
            rows.append(
                {
                    "district_code": code,
                    "value": float(sample.at[code, fit.outcome]),
                    "predicted": float(sample.at[code, "fitted"]),
                    "residual": float(sample.at[code, "residual"]),
                    "advantage": advantage,
                    "levers": lever_differences(fit, district_code, code, catalogue),
                }
            )
    rows.sort(key=lambda r: -r["advantage"])
    return pd.DataFrame(rows, columns=columns)
