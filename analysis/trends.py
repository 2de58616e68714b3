"""A district's trend in one indicator and a verdict on whether it reaches a target.

The trend is an ordinary least-squares line of value on calendar year (statsmodels OLS, classical
standard errors). With the few yearly points a district has (2 to 14), the line is a description
of the pace so far, not a forecast model: its intervals are wide on purpose, and the verdict uses
them to separate "needs to speed up" from "cannot plausibly get there at any pace seen so far".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

ALPHA = 0.05  # 95 % intervals everywhere
# A target is out of reach when the yearly change it needs is more than this many times the best
# plausible pace (the favourable end of the slope's 95 % interval). See `target_verdict`.
OUT_OF_REACH_FACTOR = 3.0
STATUSES = (
    "achieved",
    "on_track",
    "needs_acceleration",
    "out_of_reach",
    "insufficient_data",
    "no_target",
)
_SIGN = {"higher": 1.0, "lower": -1.0}


@dataclass(frozen=True)
class Trend:
    """The OLS line of value on year through one district's yearly values.

    slope is in indicator units per year. Interval fields and r2 are None below 3 years (no
    residual degrees of freedom); slope and intercept are None with a single year. r2 is also
    None for a flat series (R² is 0/0 there, and JSON has no NaN).
    """

    n_years: int
    first_year: int
    last_year: int
    last_value: float
    slope: float | None
    slope_ci_low: float | None
    slope_ci_high: float | None
    intercept: float | None
    r2: float | None
    years: tuple[int, ...] = field(repr=False)
    values: tuple[float, ...] = field(repr=False)

    def _ols(self):
        exog = sm.add_constant(np.asarray(self.years, dtype=float), has_constant="add")
        return sm.OLS(np.asarray(self.values, dtype=float), exog).fit()

    def fitted(self, year: float) -> float:
        """The value the line gives at `year` (needs at least 2 years)."""
        if self.slope is None or self.intercept is None:
            raise ValueError("a trend needs at least 2 years of values to give a fitted value")
        return self.intercept + self.slope * float(year)

    def project(self, year: float) -> tuple[float, float | None, float | None]:
        """(estimate, low, high) at `year`: the fitted value with a 95 % prediction interval.

        The interval is for a new observation (statsmodels `obs_ci`), not for the line, because a
        district's next survey value scatters around the line as much as past ones did. With two
        years there is no residual variance, so low and high are None.
        """
        if self.n_years < 2:
            raise ValueError(
                f"cannot project from {self.n_years} year(s) of values: at least 2 are needed"
            )
        if self.n_years == 2:
            return self.fitted(year), None, None
        frame = self._ols().get_prediction(np.array([[1.0, float(year)]])).summary_frame(ALPHA)
        row = frame.iloc[0]
        return float(row["mean"]), float(row["obs_ci_lower"]), float(row["obs_ci_upper"])

    def to_dict(self) -> dict:
        out = asdict(self)
        out["years"] = list(self.years)
        out["values"] = list(self.values)
        return out


def _clean_points(years: Sequence, values: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Pairs sorted by year, missing values dropped; a repeated year is an error, not averaged,
    because it means the caller passed more than one source for the same year."""
    y = np.asarray(years, dtype=float)
    v = np.asarray(values, dtype=float)
    if y.shape != v.shape or y.ndim != 1:
        raise ValueError("years and values must be two sequences of the same length")
    keep = np.isfinite(v) & np.isfinite(y)
    y, v = y[keep], v[keep]
    if np.any(y != np.round(y)):
        raise ValueError("years must be whole numbers")
    if len(np.unique(y)) != len(y):
        dupes = sorted({int(x) for x in y if (y == x).sum() > 1})
        raise ValueError(f"years {dupes} occur more than once: give one value per year")
    order = np.argsort(y)
    return y[order], v[order]


def fit_trend(years: Sequence, values: Sequence) -> Trend:
    """Fit value = intercept + slope * year by OLS (classical standard errors).

    Raises ValueError when no (finite) value is given. One year gives a Trend without a slope;
    two years give the exact line through them but no interval or R².
    """
    y, v = _clean_points(years, values)
    n = len(y)
    if n == 0:
        raise ValueError("no values to fit a trend to")
    base = {
        "n_years": n,
        "first_year": int(y[0]),
        "last_year": int(y[-1]),
        "last_value": float(v[-1]),
        "years": tuple(int(x) for x in y),
        "values": tuple(float(x) for x in v),
    }
    if n == 1:
        return Trend(
            **base, slope=None, slope_ci_low=None, slope_ci_high=None, intercept=None, r2=None
        )
    if n == 2:
        slope = float((v[1] - v[0]) / (y[1] - y[0]))
        intercept = float(v[0] - slope * y[0])
        return Trend(
            **base, slope=slope, slope_ci_low=None, slope_ci_high=None, intercept=intercept, r2=None
        )
    res = sm.OLS(v, sm.add_constant(y, has_constant="add")).fit()
    ci = res.conf_int(alpha=ALPHA)
    return Trend(
        **base,
        slope=float(res.params[1]),
        slope_ci_low=float(ci[1, 0]),
        slope_ci_high=float(ci[1, 1]),
        intercept=float(res.params[0]),
        r2=float(res.rsquared) if res.centered_tss > 0 else None,
    )


def district_trend(preferred: pd.DataFrame, district_code: str, indicator: str) -> Trend | None:
    """The trend of one district in one indicator, from `analysis.panel.preferred_values` (one
    value per district-year-indicator). None when the district has no value for it."""
    rows = preferred[
        (preferred["district_code"] == district_code)
        & (preferred["indicator"] == indicator)
        & preferred["value"].notna()
    ]
    if rows.empty:
        return None
    return fit_trend(rows["year"].to_numpy(), rows["value"].to_numpy())


@dataclass(frozen=True)
class Verdict:
    """Whether a district reaches a target, and the numbers behind the answer.

    required_per_year: change per year (indicator units, signed) needed from the latest value to
    the target by target_year. best_pace: the most favourable yearly change the data support
    (signed like the slope), the yardstick for `out_of_reach`. projected: (estimate, low, high)
    of the trend at target_year.
    """

    status: str
    reason: str
    direction: str
    target: float | None = None
    target_year: int | None = None
    last_value: float | None = None
    last_year: int | None = None
    required_per_year: float | None = None
    current_slope: float | None = None
    best_pace: float | None = None
    projected: tuple[float, float | None, float | None] | None = None

    def to_dict(self) -> dict:
        out = asdict(self)
        out["projected"] = list(self.projected) if self.projected is not None else None
        return out


def _best_pace(trend: Trend, sign: float) -> float:
    """The favourable end of the slope's 95 % interval; with 2 years, the observed slope."""
    if trend.slope_ci_low is None or trend.slope_ci_high is None:
        return float(trend.slope)
    return trend.slope_ci_high if sign > 0 else trend.slope_ci_low


def target_verdict(
    trend: Trend | None,
    target: float | None,
    target_year: int | None,
    direction: str,
    current_year: int | None = None,
) -> Verdict:
    """Classify a district's progress towards `target` by `target_year`.

    `direction` is the indicator's ("higher" or "lower" is better); "meets" means value >= target
    for "higher" and value <= target for "lower". The rules, applied in this order:

    1. no_target          there is no target (target or target_year is None).
    2. achieved           the latest value already meets the target (needs only that value).
    3. insufficient_data  fewer than 2 years of values: no pace can be measured.
    4. out_of_reach       the target year is not after the latest data year, or is before
                          `current_year` when given, and the latest value does not meet it
                          (reason `target_year_passed`).
    5. on_track           the trend's fitted value at target_year meets the target.
    6. out_of_reach       the required yearly improvement R = |target - last_value| /
                          (target_year - last_year) is more than 3 times the best plausible pace B,
                          where B is the improvement per year at the favourable end of the slope's
                          95 % interval (upper end for "higher", lower end for "lower"). With two
                          years there is no interval and B is the observed slope. When B <= 0 the
                          data do not support any improvement, so every R > 0 is out of reach
                          (reason `no_plausible_improvement`).
    7. needs_acceleration otherwise: reachable at a pace the data make plausible, but faster than
                          the current line.

    The factor 3 leaves room for programmes to speed progress up well beyond the historical pace
    while still naming targets that would need a break with everything observed.
    """
    if direction not in _SIGN:
        raise ValueError(f"a target verdict needs direction 'higher' or 'lower', not {direction!r}")
    sign = _SIGN[direction]
    common = {"direction": direction, "target": target, "target_year": target_year}
    if target is None or target_year is None:
        return _with_trend(Verdict("no_target", "no_target", **common), trend)
    if trend is not None and sign * (trend.last_value - target) >= 0:
        return _with_trend(Verdict("achieved", "latest_value_meets_target", **common), trend)
    if trend is None or trend.n_years < 2:
        reason = "no_values" if trend is None else "fewer_than_two_years"
        return _with_trend(Verdict("insufficient_data", reason, **common), trend)
    return _verdict_from_pace(trend, float(target), int(target_year), sign, common, current_year)


def _with_trend(verdict: Verdict, trend: Trend | None) -> Verdict:
    if trend is None:
        return verdict
    return Verdict(
        **{
            **asdict(verdict),
            "last_value": trend.last_value,
            "last_year": trend.last_year,
            "current_slope": trend.slope,
        }
    )


def _verdict_from_pace(
    trend: Trend,
    target: float,
    target_year: int,
    sign: float,
    common: dict,
    current_year: int | None,
) -> Verdict:
    passed = target_year <= trend.last_year or (
        current_year is not None and target_year < current_year
    )
    if passed:
        return _with_trend(Verdict("out_of_reach", "target_year_passed", **common), trend)
    required = (target - trend.last_value) / (target_year - trend.last_year)
    best = _best_pace(trend, sign)
    projected = trend.project(target_year)
    numbers = {"required_per_year": required, "best_pace": best, "projected": projected}
    if sign * (projected[0] - target) >= 0:
        status, reason = "on_track", "projection_meets_target"
    elif sign * best <= 0:
        status, reason = "out_of_reach", "no_plausible_improvement"
    elif sign * required > OUT_OF_REACH_FACTOR * sign * best:
        status = "out_of_reach"
        reason = "required_over_3x_best_pace" if trend.n_years >= 3 else "required_over_3x_slope"
    else:
        status, reason = "needs_acceleration", "required_within_3x_best_pace"
    return _with_trend(Verdict(status, reason, **common, **numbers), trend)
