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
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

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
    "no_data_since",
    "not_comparable",
    "no_target",
)
MIN_SERIES_POINTS = 3  # a pace needs at least 3 points of one series
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
    # per point, when known: the series it belongs to (params/series.yaml), its source, and
    # whether it is of low precision (analysis/series.py)
    series: tuple[str, ...] = field(default=(), repr=False)
    sources: tuple[str, ...] = field(default=(), repr=False)
    low_precision: tuple[bool, ...] = field(default=(), repr=False)

    @property
    def last_series(self) -> str | None:
        return self.series[-1] if self.series else None

    @property
    def last_low_precision(self) -> bool:
        return bool(self.low_precision and self.low_precision[-1])

    def series_points(self, series_id: str | None = None) -> int:
        """How many points belong to `series_id` (default: the latest point's series)."""
        wanted = series_id or self.last_series
        return sum(s == wanted for s in self.series) if self.series else self.n_years

    def of_series(self, series_id: str | None = None) -> Trend:
        """The trend through the points of one series only (default: the latest point's)."""
        if not self.series:
            return self
        wanted = series_id or self.last_series
        keep = [i for i, s in enumerate(self.series) if s == wanted]
        return fit_trend(
            [self.years[i] for i in keep],
            [self.values[i] for i in keep],
            series=[self.series[i] for i in keep],
            sources=[self.sources[i] for i in keep] if self.sources else (),
            low_precision=[self.low_precision[i] for i in keep] if self.low_precision else (),
        )

    def _ols(self):
        exog = add_constant(np.asarray(self.years, dtype=float), has_constant="add")
        return OLS(np.asarray(self.values, dtype=float), exog).fit()

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
        for key in ("years", "values", "series", "sources", "low_precision"):
            out[key] = list(getattr(self, key))
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


def _point_labels(years, values, labels) -> tuple:
    """Per-point labels in the order `_clean_points` leaves the points (sorted by year)."""
    if not len(labels):
        return ()
    y = np.asarray(years, dtype=float)
    keep = np.isfinite(np.asarray(values, dtype=float)) & np.isfinite(y)
    order = np.argsort(y[keep], kind="stable")
    kept = [lab for lab, k in zip(labels, keep, strict=True) if k]
    return tuple(kept[i] for i in order)


def fit_trend(
    years: Sequence,
    values: Sequence,
    series: Sequence = (),
    sources: Sequence = (),
    low_precision: Sequence = (),
) -> Trend:
    """Fit value = intercept + slope * year by OLS (classical standard errors).

    Raises ValueError when no (finite) value is given. One year gives a Trend without a slope;
    two years give the exact line through them but no interval or R². `series`, `sources` and
    `low_precision` label each point (same order as `years`).
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
        "series": tuple(str(x) for x in _point_labels(years, values, series)),
        "sources": tuple(str(x) for x in _point_labels(years, values, sources)),
        "low_precision": tuple(bool(x) for x in _point_labels(years, values, low_precision)),
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
    res = OLS(v, add_constant(y, has_constant="add")).fit()
    ci = res.conf_int(alpha=ALPHA)
    return Trend(
        **base,
        slope=float(res.params[1]),
        slope_ci_low=float(ci[1, 0]),
        slope_ci_high=float(ci[1, 1]),
        intercept=float(res.params[0]),
        r2=float(res.rsquared) if res.centered_tss > 0 else None,
    )


def district_trend(
    preferred: pd.DataFrame,
    district_code: str,
    indicator: str,
    series=None,
    flags: pd.DataFrame | None = None,
) -> Trend | None:
    """The trend of one district in one indicator, from `analysis.panel.preferred_values` (one
    value per district-year-indicator). None when the district has no value for it.
    `series` (an analysis.series.SeriesCatalogue) labels each point with its series; `flags`
    (analysis.series.low_precision of the indicator) marks low-precision points."""
    rows = preferred[
        (preferred["district_code"] == district_code)
        & (preferred["indicator"] == indicator)
        & preferred["value"].notna()
    ]
    if rows.empty:
        return None
    labels = {}
    if series is not None:
        labels["series"] = [
            series.series_of(indicator, src, yr)
            for src, yr in zip(rows["source"], rows["year"], strict=True)
        ]
        labels["sources"] = list(rows["source"])
    if flags is not None:
        mine = set(flags.loc[flags["district_code"] == district_code, "year"].astype(int))
        labels["low_precision"] = [int(yr) in mine for yr in rows["year"]]
    return fit_trend(rows["year"].to_numpy(), rows["value"].to_numpy(), **labels)


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
    series: str | None = None  # the series judged (the latest point's)
    series_points: int | None = None  # how many points of it there are
    target_series: str | None = None  # the series the target is set on, when known

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
    target_series: str | None = None,
) -> Verdict:
    """Classify a district's progress towards `target` by `target_year`.

    `direction` is the indicator's ("higher" or "lower" is better); "meets" means value >= target
    for "higher" and value <= target for "lower". The series judged is the one of the latest
    point (`trend.series`); the rules, applied in this order:

    1. no_target          there is no target (target or target_year is None).
    2. not_comparable     the target is set on another series than the data's (`target_series`
                          given and different): no verdict until the same series is loaded.
    3. insufficient_data  no values (reason `no_values`).
    4. achieved           the latest value meets the target (needs only that value) — unless the
                          latest value is of low precision: then insufficient_data
                          (reason `latest_value_low_precision`), not celebrated.
    5. no_data_since      the target year has passed (before `current_year`) and the data end
                          before it: whether it was reached cannot be told (`last_year` says
                          since when there is no data).
    6. out_of_reach       the target year is not after the latest data year, or has passed, and
                          the latest value does not meet it (reason `target_year_passed`).
    7. insufficient_data  fewer than 3 points of the latest point's series: no pace can be
                          measured (reason `fewer_than_three_points`).
    8. on_track           the series' trend's fitted value at target_year meets the target.
    9. out_of_reach       the required yearly improvement R = |target - last_value| /
                          (target_year - last_year) is more than 3 times the best plausible pace B,
                          the favourable end of the series' slope's 95 % interval (upper end for
                          "higher", lower end for "lower"). When B <= 0 the data do not support any
                          improvement, so every R > 0 is out of reach
                          (reason `no_plausible_improvement`).
    10. needs_acceleration otherwise: reachable at a pace the data make plausible, but faster than
                          the current line.

    The factor 3 leaves room for programmes to speed progress up well beyond the historical pace
    while still naming targets that would need a break with everything observed.
    """
    if direction not in _SIGN:
        raise ValueError(f"a target verdict needs direction 'higher' or 'lower', not {direction!r}")
    sign = _SIGN[direction]
    common = {
        "direction": direction,
        "target": target,
        "target_year": target_year,
        "target_series": target_series,
    }
    if target is None or target_year is None:
        return _with_trend(Verdict("no_target", "no_target", **common), trend)
    if trend is None:
        return Verdict("insufficient_data", "no_values", **common)
    series = trend.last_series
    if target_series is not None and series is not None and series != target_series:
        return _with_trend(Verdict("not_comparable", "target_on_other_series", **common), trend)
    if sign * (trend.last_value - target) >= 0:
        if trend.last_low_precision:
            verdict = Verdict("insufficient_data", "latest_value_low_precision", **common)
            return _with_trend(verdict, trend)
        return _with_trend(Verdict("achieved", "latest_value_meets_target", **common), trend)
    passed = target_year <= trend.last_year or (
        current_year is not None and target_year < current_year
    )
    if passed and trend.last_year < target_year:
        return _with_trend(Verdict("no_data_since", "no_data_since", **common), trend)
    if passed:
        return _with_trend(Verdict("out_of_reach", "target_year_passed", **common), trend)
    own = trend.of_series()
    if own.n_years < MIN_SERIES_POINTS:
        verdict = Verdict("insufficient_data", "fewer_than_three_points", **common)
        return _with_trend(verdict, trend)
    return _verdict_from_pace(own, float(target), int(target_year), sign, common)


def _with_trend(verdict: Verdict, trend: Trend | None) -> Verdict:
    if trend is None:
        return verdict
    return Verdict(
        **{
            **asdict(verdict),
            "last_value": trend.last_value,
            "last_year": trend.last_year,
            "current_slope": verdict.current_slope
            if verdict.current_slope is not None
            else trend.of_series().slope,
            "series": trend.last_series,
            "series_points": trend.series_points(),
        }
    )


def _verdict_from_pace(
    trend: Trend, target: float, target_year: int, sign: float, common: dict
) -> Verdict:
    """Rules 8-10 on the trend of one series (at least 3 points, so with an interval)."""
    required = (target - trend.last_value) / (target_year - trend.last_year)
    best = _best_pace(trend, sign)
    projected = trend.project(target_year)
    numbers = {
        "required_per_year": required,
        "best_pace": best,
        "projected": projected,
        "current_slope": trend.slope,
    }
    if sign * (projected[0] - target) >= 0:
        status, reason = "on_track", "projection_meets_target"
    elif sign * best <= 0:
        status, reason = "out_of_reach", "no_plausible_improvement"
    elif sign * required > OUT_OF_REACH_FACTOR * sign * best:
        status, reason = "out_of_reach", "required_over_3x_best_pace"
    else:
        status, reason = "needs_acceleration", "required_within_3x_best_pace"
    return _with_trend(Verdict(status, reason, **common, **numbers), trend)
