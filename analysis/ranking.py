"""Ranks of districts in the nation and in their province, with the indicator's direction respected.

Rank 1 is the best district: the highest value when higher is better, the lowest when lower is
better. Ties share the best rank they span ("min" ranking: 1, 2, 2, 4), the way league tables in
the workshop material count them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.catalogue import Catalogue, load_catalogue

RANK_COLUMNS = [
    "district_code",
    "year",
    "value",
    "rank_national",
    "n_national",
    "rank_province",
    "n_province",
    "province_code",
]


def rank_values(values: pd.Series, direction: str) -> pd.Series:
    """Rank `values` so that 1 is best; ties get the same (minimum) rank; NaN stays NaN.

    Only "higher" and "lower" are accepted. A "neutral" indicator (population, area) has no
    better or worse, so calling a rank "best" would mislead: it raises ValueError. To order a
    neutral indicator largest-first, pass direction="higher" explicitly and do not call the
    result a performance rank.
    """
    if direction == "neutral":
        raise ValueError(
            "a neutral indicator has no best value to rank by; pass direction='higher' "
            "explicitly to order it largest-first"
        )
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be 'higher' or 'lower', not {direction!r}")
    return values.astype(float).rank(method="min", ascending=direction == "lower")


def default_year(counts: pd.Series) -> int:
    """The most recent year whose coverage is at least half that of the best-covered year.

    `counts` maps year -> number of districts with a value. The newest year is often a partial
    release (IDL 2020 covers 190 districts, 2022 covers 465); ranking a district among a few
    dozen would not be a national rank, so such a year is passed over for an older, fuller one.
    """
    if counts.empty:
        raise ValueError("no year has values")
    threshold = counts.max() / 2
    return int(max(year for year, n in counts.items() if n >= threshold))


def _province_of(registry: Iterable, codes: pd.Series) -> pd.Series:
    provinces = {d.code: d.province_code for d in registry}
    unknown = sorted(set(codes) - set(provinces))
    if unknown:
        raise ValueError(f"district codes not in the registry: {unknown[:10]}")
    return codes.map(provinces)


def district_ranks(
    preferred: pd.DataFrame,
    registry: Iterable,
    indicator: str,
    year: int | None = None,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """National and province ranks of every district with a value of `indicator` in `year`.

    `preferred` is `analysis.panel.preferred_values(...)` (one value per district-year-indicator);
    `registry` is anything iterating over districts with `.code` and `.province_code` (the
    `Registry`). When `year` is None, the year is the single most recent year in which at least
    half as many districts have a value as in the best-covered year (see `default_year`), so the
    rank is always among a comparable, near-national set. n_national and n_province count the
    districts ranked. Rows are sorted best first; an empty frame means no value that year.
    """
    direction = (catalogue or load_catalogue())[indicator].direction
    rows = preferred[(preferred["indicator"] == indicator) & preferred["value"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    if year is None:
        year = default_year(rows.groupby("year")["district_code"].nunique())
    rows = rows[rows["year"] == year]
    if rows.empty:
        return pd.DataFrame(columns=RANK_COLUMNS)
    if rows["district_code"].duplicated().any():
        raise ValueError(f"{indicator} {year}: more than one value for a district; pass preferred")
    out = rows[["district_code", "year", "value"]].reset_index(drop=True)
    out["province_code"] = _province_of(registry, out["district_code"])
    out["rank_national"] = rank_values(out["value"], direction).astype(int)
    out["n_national"] = len(out)
    by_province = out.groupby("province_code")["value"]
    out["rank_province"] = by_province.transform(lambda s: rank_values(s, direction)).astype(int)
    out["n_province"] = by_province.transform("size").astype(int)
    out = out.sort_values(["rank_national", "district_code"]).reset_index(drop=True)
    return out[RANK_COLUMNS]
