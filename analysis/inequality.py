"""Inequality among a set of districts (the districts of one province) on one indicator.

Next to `analysis.ranking`: both read one value per district and respect the indicator's
direction. The slope index of inequality (SII) regresses the values on the districts' fractional
rank of GRDP per capita; it is an association across districts, not a cause.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

MIN_FOR_INEQUALITY = 5  # fewer districts: inequality measures are only indicative
MIN_FOR_SII = 3  # an OLS line with a 95 % interval needs at least one residual degree of freedom


def fractional_rank(values: pd.Series) -> pd.Series:
    """Ridit of each value among `values`: (rank - 0.5) / n with average ranks for ties, so the
    lowest value is near 0 and the highest near 1 (the x of the slope index of inequality)."""
    return (values.rank(method="average") - 0.5) / len(values)


def slope_index(values: pd.Series, grdp: pd.Series) -> dict[str, Any]:
    """Slope index of inequality: OLS of `values` on the fractional rank of `grdp` (both indexed
    by district code; districts lacking either are left out), unweighted, districts as units.

    Returns n, slope, its 95 % interval (ci_low, ci_high), the intercept and the data used
    (`frame`, columns value, grdp, x). With fewer than MIN_FOR_SII districts the slope, interval
    and intercept are None.
    """
    frame = pd.DataFrame({"value": values, "grdp": grdp}).dropna()
    out: dict[str, Any] = {
        "n": len(frame),
        "slope": None,
        "ci_low": None,
        "ci_high": None,
        "intercept": None,
    }
    frame["x"] = fractional_rank(frame["grdp"]) if len(frame) else []
    out["frame"] = frame
    if len(frame) < MIN_FOR_SII or frame["x"].nunique() < 2:
        return out
    fit = OLS(frame["value"].to_numpy(float), add_constant(frame["x"].to_numpy(float))).fit()
    low, high = fit.conf_int(0.05)[1]
    out.update(
        slope=float(fit.params[1]),
        ci_low=float(low),
        ci_high=float(high),
        intercept=float(fit.params[0]),
    )
    return out


def spread(values: pd.Series, direction: str) -> dict[str, Any]:
    """n, min, max, range, the best and worst value and district code (direction respected), how
    many other districts share the best / worst value, the ratio best / worst and the coefficient
    of variation (sample SD / mean). `values` is indexed by district code, without NaN."""
    out: dict[str, Any] = {"n": len(values)}
    if not len(values):
        return out
    lower = direction == "lower"
    best_code = values.idxmin() if lower else values.idxmax()
    worst_code = values.idxmax() if lower else values.idxmin()
    best, worst = float(values[best_code]), float(values[worst_code])
    mean = float(values.mean())
    out.update(
        min=float(values.min()),
        max=float(values.max()),
        range=float(values.max() - values.min()),
        best=best,
        best_code=best_code,
        best_ties=int((values == best).sum()) - 1,
        worst=worst,
        worst_code=worst_code,
        worst_ties=int((values == worst).sum()) - 1,
        ratio=best / worst if worst != 0 else None,
        cv=float(values.std(ddof=1) / mean) if len(values) > 1 and mean != 0 else None,
    )
    return out
