"""Inequality of the PIP indicators across a province's kab/kota, ranked by welfare.

Districts are ranked by the poverty rate (BPS P0, `poverty_rate`): a measure of households'
welfare. GRDP per capita is not used for this ranking, because in mining and plantation districts
(Kalimantan Timur) it follows output that does not reach households.

Measures, with their wording fixed by the indicator's direction:
- best and worst district, their difference |best − worst| (indicator units) and their ratio,
  always ≥ 1: "worst ÷ best" for a lower-is-better indicator (stunting 29,0 ÷ 17,6 = 1,6 times as
  high), "best ÷ worst" for a higher-is-better one (IDL 93,4 ÷ 21,0 = 4,4 times as high);
- the poorest third of the districts against the least-poor third (by poverty rate): both means,
  their difference (poorest − least poor) and which group is better off;
- the slope index of inequality on the poverty rank: OLS of the value on the district's
  fractional poverty rank (0 = least poor, 1 = poorest), unweighted, districts as units, with its
  95 % interval: the modelled difference between the poorest and the least-poor end.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from analysis.catalogue import PIP_INDICATORS, Catalogue

WELFARE_INDICATOR = "poverty_rate"
MIN_FOR_GROUPS = 6  # a third of the districts is at least 2
MIN_FOR_SII = 3  # an OLS line with an interval needs a residual degree of freedom


def _values(preferred: pd.DataFrame, codes: list[str], indicator: str, year) -> pd.Series:
    rows = preferred[
        (preferred["indicator"] == indicator)
        & (preferred["year"] == year)
        & preferred["district_code"].isin(codes)
        & preferred["value"].notna()
    ]
    return rows.set_index("district_code")["value"].astype(float)


def welfare_values(
    preferred: pd.DataFrame, codes: list[str], welfare: str, year: int | None
) -> pd.Series:
    """The welfare measure of `codes` in `year` (empty without a year)."""
    return _values(preferred, codes, welfare, year) if year else pd.Series(dtype=float)


def _welfare_year(preferred: pd.DataFrame, codes: list[str], welfare: str, year: int):
    """The year of the welfare measure to use with `year`: the same year, else the nearest
    earlier one, else the nearest later one (None if there is none)."""
    rows = preferred[(preferred["indicator"] == welfare) & preferred["district_code"].isin(codes)]
    years = sorted(rows.loc[rows["value"].notna(), "year"].unique())
    if not years:
        return None
    earlier = [y for y in years if y <= year]
    return int(earlier[-1]) if earlier else int(years[0])


def poverty_rank(values: pd.Series, poverty: pd.Series) -> pd.DataFrame:
    """The districts with both a value and a poverty rate: value, poverty and the fractional
    poverty rank x = (rank − 0.5) / n (0 = least poor, 1 = poorest; ties share their mean rank)."""
    frame = pd.DataFrame({"value": values, "poverty": poverty}).dropna()
    frame["x"] = (frame["poverty"].rank(method="average") - 0.5) / len(frame)
    return frame


def slope_on_poverty(values: pd.Series, poverty: pd.Series) -> dict[str, Any]:
    """SII: slope of `values` on the fractional rank of `poverty` (0 least poor, 1 poorest),
    with its 95 % interval and the line's intercept (value at the least-poor end)."""
    frame = poverty_rank(values, poverty)
    out = {"sii": np.nan, "sii_low": np.nan, "sii_high": np.nan, "sii_n": len(frame)}
    out["sii_intercept"] = np.nan
    if len(frame) < MIN_FOR_SII or frame["poverty"].nunique() < 2:
        return out
    fit = OLS(frame["value"].to_numpy(float), add_constant(frame["x"].to_numpy(float))).fit()
    low, high = fit.conf_int(0.05)[1]
    return {
        **out,
        "sii": float(fit.params[1]),
        "sii_low": float(low),
        "sii_high": float(high),
        "sii_intercept": float(fit.params[0]),
    }


def _extremes(values: pd.Series, direction: str) -> dict[str, Any]:
    lower = direction == "lower"
    best_code = values.idxmin() if lower else values.idxmax()
    worst_code = values.idxmax() if lower else values.idxmin()
    best, worst = float(values[best_code]), float(values[worst_code])
    small = min(best, worst)
    return {
        "best_district_code": best_code,
        "best_value": best,
        "n_tied_best": int((values == best).sum()),
        "worst_district_code": worst_code,
        "worst_value": worst,
        "n_tied_worst": int((values == worst).sum()),
        "difference": abs(best - worst),
        "ratio": max(best, worst) / small if small > 0 else np.nan,
        "ratio_kind": "worst_over_best" if lower else "best_over_worst",
    }


def _groups(values: pd.Series, poverty: pd.Series, direction: str) -> dict[str, Any]:
    both = pd.DataFrame({"value": values, "poverty": poverty}).dropna()
    out = {"group_size": 0, "least_poor_mean": np.nan, "poorest_mean": np.nan}
    if len(both) < MIN_FOR_GROUPS:
        return {**out, "group_difference": np.nan, "better_off_group": None}
    k = len(both) // 3
    ranked = both.sort_values(["poverty", "value"])  # ties in poverty broken by value: stated
    least, poorest = ranked["value"].iloc[:k].mean(), ranked["value"].iloc[-k:].mean()
    diff = poorest - least
    sign = -diff if direction == "lower" else diff
    better = "poorest" if sign > 0 else "least_poor" if sign < 0 else "neither"
    return {
        "group_size": k,
        "least_poor_mean": float(least),
        "poorest_mean": float(poorest),
        "group_difference": float(diff),
        "better_off_group": better,
    }


def welfare_inequality_frame(
    preferred: pd.DataFrame,
    codes: Iterable[str],
    catalogue: Catalogue,
    indicators: Iterable[str] = PIP_INDICATORS,
    years: dict[str, int | None] | None = None,
    welfare: str = WELFARE_INDICATOR,
) -> pd.DataFrame:
    """One row per indicator: its year (from `years`, default the newest year with a value among
    `codes`), the welfare measure and year used, and the measures in the module docstring."""
    codes = sorted(codes)
    rows = []
    for ind in indicators:
        direction = catalogue[ind].direction
        year = (years or {}).get(ind)
        if year is None:
            have = preferred[
                (preferred["indicator"] == ind) & preferred["district_code"].isin(codes)
            ]
            year = int(have["year"].max()) if have["value"].notna().any() else None
        row: dict[str, Any] = {"indicator": ind, "direction": direction, "year": year}
        values = (
            _values(preferred, codes, ind, year) if year is not None else pd.Series(dtype=float)
        )
        row["n"] = len(values)
        w_year = _welfare_year(preferred, codes, welfare, year) if year is not None else None
        poverty = welfare_values(preferred, codes, welfare, w_year)
        row.update(welfare_indicator=welfare, welfare_year=w_year)
        row["n_with_welfare"] = int(values.index.isin(poverty.index).sum())
        if len(values):
            row.update(_extremes(values, direction))
            row.update(_groups(values, poverty, direction))
            row.update(slope_on_poverty(values, poverty))
        rows.append(row)
    return pd.DataFrame(rows)
