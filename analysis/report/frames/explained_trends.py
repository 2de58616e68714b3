"""Frames of an `Explanation`'s trend, target and verdict (with `explained`, the only modules of
the report layer that read explanations): the cards, the targets table and the projection.

A pace is measured on one series only: the latest value's series (SSGI and SKI 2023 are
different surveys; BPS's old and new life-expectancy series differ), and only from
`MIN_SERIES_POINTS` of its points — the rule the verdict follows. With fewer, there is no trend
line and the reader is told how many points of which series there are."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.explain import Explanation
from analysis.trends import MIN_SERIES_POINTS, Trend

Explanations = Mapping[str, Explanation]
CARD_COLUMNS = [
    "indicator",
    "value",
    "year",
    "source",
    "series",
    "low_precision",
    "trend",
    "trend_from",
    "trend_to",
    "trend_points",
    "rank_year",
    "rank_province",
    "n_province",
    "rank_national",
    "n_national",
    "target",
    "target_year",
    "target_scope",
    "gap_to_target",
    "status",
    "reason",
]


def series_trend(trend: Trend | None) -> Trend | None:
    """The trend of the latest value's series, when it has at least MIN_SERIES_POINTS points."""
    if trend is None:
        return None
    own = trend.of_series()
    return own if own.n_years >= MIN_SERIES_POINTS and own.slope is not None else None


def cards_frame(explanations: Explanations) -> pd.DataFrame:
    """One row per PIP indicator: latest value, year, source, series and low-precision reasons;
    the pace per year of its series (None below MIN_SERIES_POINTS points; `trend_points` says
    how many there are); ranks; the target that applies, the gap to it; the verdict's status and
    reason."""
    rows = []
    for ind, ex in explanations.items():
        row: dict = {"indicator": ind}
        if ex.latest is not None:
            row.update(
                value=ex.latest["value"],
                year=ex.latest["year"],
                source=ex.latest["source"],
                series=ex.latest.get("series"),
                low_precision=tuple(ex.latest.get("low_precision") or ()),
            )
        if ex.trend is not None:
            row["trend_points"] = ex.trend.series_points()
            own = series_trend(ex.trend)
            if own is not None:
                row.update(trend=own.slope, trend_from=own.first_year, trend_to=own.last_year)
        if ex.ranks:
            r = ex.ranks
            row.update(
                rank_year=r["year"],
                rank_province=r["rank_province"],
                n_province=r["n_province"],
                rank_national=r["rank_national"],
                n_national=r["n_national"],
            )
        if ex.target is not None:
            row.update(
                target=ex.target.value, target_year=ex.target.year, target_scope=ex.target.scope
            )
            comparable = ex.verdict is None or ex.verdict.status != "not_comparable"
            if ex.latest is not None and comparable:  # no gap across two series
                row["gap_to_target"] = ex.latest["value"] - ex.target.value
        if ex.verdict is not None:
            row.update(status=ex.verdict.status, reason=ex.verdict.reason)
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=CARD_COLUMNS)


def targets_frame(explanations: Explanations) -> pd.DataFrame:
    """Per indicator with data: its series, the pace of that series (None below 3 points), the
    target, its year, document and notes, the verdict's status and reason."""
    rows = []
    for ind, ex in explanations.items():
        if ex.trend is None:
            continue
        tg, own = ex.target, series_trend(ex.trend)
        rows.append(
            {
                "indicator": ind,
                "series": ex.trend.last_series,
                "trend": own.slope if own else None,
                "trend_points": ex.trend.series_points(),
                "target": tg.value if tg else None,
                "target_year": tg.year if tg else None,
                "target_document": tg.source_document if tg else None,
                "status": ex.verdict.status if ex.verdict else "no_target",
                "reason": ex.verdict.reason if ex.verdict else "no_target",
                "note_id": (tg.note or {}).get("id") if tg else None,
                "note_en": (tg.note or {}).get("en") if tg else None,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.astype({"trend": float, "target": float, "target_year": "Int64"})


def verdicts(explanations: Explanations) -> dict:
    """indicator -> `analysis.trends.Verdict` (for its sentence), where there is one."""
    return {ind: ex.verdict for ind, ex in explanations.items() if ex.verdict is not None}


def projection_frame(explanations: Explanations, catalogue: Catalogue) -> pd.DataFrame:
    """Per indicator and year: the observed value with its series and low-precision flag, and —
    when the latest series has at least 3 points — that series' linear trend with its 95 %
    prediction interval from its first year to the target year (or 3 years on), cut at the
    indicator's bounds (a straight line leaves them: a % above 100); `target` on the target
    year."""
    rows = []
    for ind, ex in explanations.items():
        tr = ex.trend
        if tr is None:
            continue
        lo, hi = catalogue[ind].lower, catalogue[ind].upper
        observed = dict(zip(tr.years, tr.values, strict=True))
        series = dict(zip(tr.years, tr.series, strict=True)) if tr.series else {}
        flagged = dict(zip(tr.years, tr.low_precision, strict=True)) if tr.low_precision else {}
        own = series_trend(tr)
        end = max(ex.target.year if ex.target else tr.last_year + 3, tr.last_year)
        for year in range(tr.first_year, end + 1):
            row = {
                "indicator": ind,
                "year": year,
                "observed": observed.get(year),
                "series": series.get(year),
                "low_precision": flagged.get(year, False) if year in observed else None,
            }
            if own is not None and year >= own.first_year:
                est, low, high = (min(max(v, lo), hi) for v in own.project(year))
                row.update(trend=est, low=low, high=high)
            if ex.target is not None and year == ex.target.year:
                row["target"] = ex.target.value
            rows.append(row)
    columns = [
        "indicator",
        "year",
        "observed",
        "series",
        "low_precision",
        "trend",
        "low",
        "high",
        "target",
    ]
    frame = pd.DataFrame(rows).reindex(columns=columns)
    return frame.astype({c: float for c in ("observed", "trend", "low", "high", "target")})
