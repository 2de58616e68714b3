"""Peer districts (structurally similar) and positive deviants (peers doing clearly better).

Similarity uses what a district cannot change quickly: economic level (GRDP per capita),
population density, population size (log), kabupaten/kota and island group. Continuous variables
are standardized across all districts; a different kind (kabupaten vs kota) or island group adds
one standard deviation each to the distance.
"""

from __future__ import annotations

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
