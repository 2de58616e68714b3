"""Flags for estimates a reader should not take at face value (thin or implausible).

The panel holds no standard errors or sample sizes, so thinness cannot be measured directly; the
rules below flag what an estimate's neighbours make implausible. Each flag is a code with the
numbers behind it, one row per (district, indicator, year, flag):

- `outlier_in_province`: the value is far from the other kab/kota of its province that year. The
  modified z-score 0.6745 × (value − median) / MAD (Iglewicz & Hoaglin 1993, "How to Detect and
  Handle Outliers") exceeds 3.5 in absolute value; needs at least MIN_FOR_OUTLIER values and a
  MAD above 0. Example: Mahakam Ulu IDL 2022 = 21,0 against a Kalimantan Timur median of 79,7
  (modified z ≈ −3,8).
- `boundary_value`: the value sits exactly on the indicator's bound in params/indicators.yaml
  (0 or 100 % for a percentage): a survey estimate of exactly 0 or 100 % means every sampled case
  (or none) counted, which a small sample produces far more often than the population does.
- `jump`: the change from the year before is larger than the indicator's measurement noise, taken
  as its cross-source tolerance in params/indicators.yaml (`tolerance.abs`, or `tolerance.rel` ×
  the mean of the two values): two sources of the same quantity disagree by that much, so a
  one-year change beyond it is more than noise. Only consecutive years are compared.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.catalogue import Catalogue

MIN_FOR_OUTLIER = 5
OUTLIER_Z = 3.5
FLAG_COLUMNS = [
    "district_code",
    "indicator",
    "year",
    "flag",
    "value",
    "reference",  # province median (outlier) | the bound (boundary) | previous value (jump)
    "statistic",  # modified z | 0 | change from the previous year
    "threshold",  # 3.5 | the bound | the noise (tolerance)
]


def _flag(code, indicator, year, flag, value, reference, statistic, threshold) -> dict:
    values = (code, indicator, int(year), flag, float(value), float(reference), float(statistic))
    return dict(zip(FLAG_COLUMNS, (*values, float(threshold)), strict=True))


def _outliers(part: pd.DataFrame) -> list[dict]:
    rows = []
    for (ind, year), grp in part.groupby(["indicator", "year"]):
        values = grp["value"].astype(float)
        median = float(values.median())
        mad = float((values - median).abs().median())
        if len(values) < MIN_FOR_OUTLIER or mad == 0:
            continue
        z = 0.6745 * (values - median) / mad
        for code, value, zi in zip(grp["district_code"], values, z, strict=True):
            if abs(zi) > OUTLIER_Z:
                rows.append(
                    _flag(code, ind, year, "outlier_in_province", value, median, zi, OUTLIER_Z)
                )
    return rows


def _boundaries(part: pd.DataFrame, catalogue: Catalogue) -> list[dict]:
    rows = []
    for r in part.itertuples(index=False):
        ind = catalogue[r.indicator]
        for bound in (ind.lower, ind.upper):
            if float(r.value) == bound:
                rows.append(
                    _flag(
                        r.district_code,
                        r.indicator,
                        r.year,
                        "boundary_value",
                        r.value,
                        bound,
                        0.0,
                        bound,
                    )
                )
    return rows


def noise(indicator, a: float, b: float) -> float | None:
    """The indicator's measurement noise for a change between values a and b (None: unknown)."""
    if indicator.tolerance_abs is not None:
        return float(indicator.tolerance_abs)
    if indicator.tolerance_rel is not None:
        return float(indicator.tolerance_rel) * (abs(a) + abs(b)) / 2
    return None


def _jumps(part: pd.DataFrame, catalogue: Catalogue) -> list[dict]:
    rows = []
    ordered = part.sort_values(["district_code", "indicator", "year"])
    for (code, ind), grp in ordered.groupby(["district_code", "indicator"]):
        years, values = grp["year"].to_numpy(), grp["value"].to_numpy(float)
        for i in range(1, len(grp)):
            if years[i] - years[i - 1] != 1:
                continue
            limit = noise(catalogue[ind], values[i - 1], values[i])
            change = values[i] - values[i - 1]
            if limit is not None and abs(change) > limit:
                rows.append(
                    _flag(code, ind, years[i], "jump", values[i], values[i - 1], change, limit)
                )
    return rows


def quality_flags(
    preferred: pd.DataFrame, codes: Iterable[str], indicators: Iterable[str], catalogue: Catalogue
) -> pd.DataFrame:
    """Every flag raised on the districts `codes` (one province: the outlier rule compares them
    with each other) for `indicators`, in FLAG_COLUMNS."""
    part = preferred[
        preferred["district_code"].isin(list(codes))
        & preferred["indicator"].isin(list(indicators))
        & preferred["value"].notna()
    ]
    rows = _outliers(part) + _boundaries(part, catalogue) + _jumps(part, catalogue)
    frame = pd.DataFrame(rows, columns=FLAG_COLUMNS)
    return frame.sort_values(["district_code", "indicator", "year", "flag"]).reset_index(drop=True)


def flags_by_value(flags: pd.DataFrame) -> dict[tuple[str, str, int], tuple[str, ...]]:
    """(district, indicator, year) -> its flag codes, sorted."""
    out: dict[tuple[str, str, int], tuple[str, ...]] = {}
    for (code, ind, year), grp in flags.groupby(["district_code", "indicator", "year"]):
        out[(code, ind, int(year))] = tuple(sorted(grp["flag"]))
    return out
