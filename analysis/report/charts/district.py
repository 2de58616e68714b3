"""Charts of the district report. Each takes frames from `analysis.report.frames`, labels in the
report's language and a `NumberFormat`, and returns a Figure (no pyplot)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from analysis.report.charts.layout import fit_axes, label_rows
from analysis.report.charts.style import (
    COLORS,
    GRID_MARGINS,
    NumberFormat,
    axes_figure,
    empty_panel,
    grid_figure,
    new_figure,
    number_axis,
    set_title,
    year_axis,
)


def _panel_axes(ax, unit: str, number: NumberFormat, styled: bool = False) -> None:
    """Unit label, year and number ticks; grid lines and 8-point tick labels unless `styled`
    (a `grid_figure` panel has them already: setting them again restyles every tick made)."""
    ax.set_ylabel(unit, fontsize=9)
    year_axis(ax.xaxis)
    number_axis(ax.yaxis, number)
    if not styled:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)


def trends_chart(
    trends: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    legend: Mapping[str, str],
    no_data: str,
    number: NumberFormat,
    series_labels: Mapping[str, str] | None = None,
) -> Figure:
    """A 2 x 2 grid, one panel per indicator of `titles`: the district's line over the province
    and national medians (frame of `frames.district.trend_table`). legend: district, province,
    national. Where the series changes (SSGI to SKI 2023) the lines break, a dotted line marks
    the first year of the new series with its label (`series_labels`), and the new series'
    points are squares; a low-precision value carries a red cross."""
    fig, axes = grid_figure(10, 6.4, GRID_MARGINS)
    by_indicator = dict(tuple(trends.groupby("indicator", sort=False)))
    for ax, ind in zip(axes.flat, titles, strict=True):
        _trend_panel(
            ax,
            by_indicator.get(ind, trends.iloc[0:0]),
            titles[ind],
            units[ind],
            legend,
            no_data,
            number,
            series_labels,
            styled=True,
        )
    axes.flat[0].legend(fontsize=8, loc="best")
    return fig


def indicator_trend_chart(
    trends: pd.DataFrame,
    indicator: str,
    title: str,
    unit: str,
    legend: Mapping[str, str],
    no_data: str,
    number: NumberFormat,
    size: tuple[float, float] = (6.4, 4.2),
    series_labels: Mapping[str, str] | None = None,
) -> Figure:
    """One indicator's panel of `trends_chart` on its own, with its legend (a slide's chart)."""
    fig, ax = new_figure(*size)
    part = trends[trends["indicator"] == indicator]
    _trend_panel(ax, part, title, unit, legend, no_data, number, series_labels)
    if not part.empty:
        ax.legend(fontsize=8, loc="best")
    fit_axes(fig, ax)
    return fig


def _trend_panel(
    ax, part, title, unit, legend, no_data, number, series_labels=None, styled=False
) -> None:
    """One indicator: the district over the province and national medians, broken where the
    series changes (a dotted line and the new series' label), low-precision values crossed."""
    set_title(ax, title, fontsize=10)
    if part.empty:
        empty_panel(ax, no_data)
        return
    for i, (series_id, seg) in enumerate(_series_segments(part)):
        labelled = i == 0
        years = seg["year"].to_numpy(dtype=float)
        for column, key, style in (
            ("national_median", "national", {"ls": "--", "marker": "."}),
            ("province_median", "province", {"ls": "--", "marker": "."}),
            ("district", "district", {"lw": 2.6, "marker": "o" if i == 0 else "s"}),
        ):
            values = seg[column].to_numpy(dtype=float, na_value=np.nan)
            shown = ~np.isnan(values) if key == "district" else slice(None)
            ax.plot(
                years[shown],
                values[shown],
                color=COLORS[key],
                label=legend[key] if labelled else None,
                **style,
            )
        if i > 0:
            first = float(years.min()) - 0.5
            ax.axvline(first, color=COLORS["muted"], ls=":", lw=1)
            ax.annotate(
                (series_labels or {}).get(series_id, series_id),
                (first, 0.98),
                xycoords=("data", "axes fraction"),
                xytext=(-3, 0),
                textcoords="offset points",
                fontsize=7.5,
                rotation=90,
                ha="right",
                va="top",
                color=COLORS["muted"],
            )
    low = part["low_precision"].fillna(False).astype(bool).to_numpy()
    ax.plot(
        part["year"].to_numpy(dtype=float)[low],
        part["district"].to_numpy(dtype=float, na_value=np.nan)[low],
        "x",
        ms=10,
        mew=2,
        color=COLORS["worsens"],
    )
    _panel_axes(ax, unit, number, styled)


def _series_segments(part: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The panel's rows cut where the series changes (in year order)."""
    part = part.sort_values("year")
    series = part["series"].fillna("").tolist()
    segments, start = [], 0
    for i in range(1, len(series) + 1):
        if i == len(series) or series[i] != series[start]:
            segments.append((series[start], part.iloc[start:i]))
            start = i
    return segments


def decomposition_chart(
    frame: pd.DataFrame,
    labels: Mapping[str, str],
    groups: Mapping[str, str],
    total_label: str,
    gap: float,
    axis_label: str,
    title: str,
    number: NumberFormat,
) -> Figure:
    """Horizontal bars that add up to the gap (`frames.explained.decomposition_frame`: levers,
    context, the unexplained rest), under group headings (`groups`: levers, context, rest), and
    the gap itself as a dark bar at the bottom. Lever bars are red when they widen the shortfall
    and green when they narrow it, pale when the association is not consistent across the model
    variants; context grey-blue; the unexplained rest grey. Lines: 95 % intervals (the
    unexplained rest's is its prediction interval)."""
    parts: dict[str, list] = {"lever": [], "context": [], "unexplained": []}
    columns = ["role", "driver", "contribution", "ci_low", "ci_high", "harmful", "robust"]
    for r in frame[[*columns, "sign_as_expected"]].itertuples(index=False):
        if r.role in parts:
            parts[r.role].append(r)
    rows: list[tuple[str, float | None, str, float, float, bool]] = []
    for group, role in (("levers", "lever"), ("context", "context"), ("rest", "unexplained")):
        if not parts[role]:
            continue
        rows.append((groups[group], None, "heading", float("nan"), float("nan"), False))
        for r in parts[role]:
            solid = bool(r.robust) and r.sign_as_expected is not False
            rows.append(
                (labels[r.driver], r.contribution, _part_colour(r), r.ci_low, r.ci_high, solid)
            )
    rows.append((total_label, gap, "ink", float("nan"), float("nan"), True))
    names = [r[0] for r in rows]
    height = 0.36 * len(rows) + 1.2
    fig, ax = axes_figure(9, height)
    y = list(range(len(rows)))[::-1]
    bars = [(yy, row) for yy, row in zip(y, rows, strict=True) if row[1] is not None]
    ax.barh(  # one call, one colour and transparency per bar
        [yy for yy, _row in bars],
        [row[1] for _yy, row in bars],
        color=[_bar_colour(row[2], row[5]) for _yy, row in bars],
        height=0.7,
    )
    spans = [(yy, row) for yy, row in bars if pd.notna(row[3]) and pd.notna(row[4])]
    if spans:
        ax.errorbar(
            [row[1] for _yy, row in spans],
            [yy for yy, _row in spans],
            xerr=[[row[1] - row[3] for _yy, row in spans], [row[4] - row[1] for _yy, row in spans]],
            fmt="none",
            ecolor=COLORS["ink"],
            elinewidth=1,
            capsize=3,
        )
    beside = {  # a value 4 points beyond its bar's (or interval's) end
        True: offset_copy(ax.transData, fig=fig, x=4, units="points"),
        False: offset_copy(ax.transData, fig=fig, x=-4, units="points"),
    }
    for yy, (_name, value, _colour, low, high, _solid) in bars:
        end = value
        if pd.notna(low) and pd.notna(high):
            end = high if value >= 0 else low
        ax.text(
            end,
            yy,
            number(value, 2, signed=True),
            transform=beside[value >= 0],
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=7.5,
            color=COLORS["ink"],
        )
    ax.axvline(0, color=COLORS["ink"], lw=0.8)
    row_labels = label_rows(ax, y, names, fontsize=8.5)
    for label, row in zip(row_labels, rows, strict=True):
        if row[2] in ("heading", "ink"):
            label.set_fontweight("bold")
    for yy, row in zip(y, rows, strict=True):
        if row[2] == "heading" and yy != y[0]:
            ax.axhline(yy + 0.5, color=COLORS["missing"], lw=0.8)
    ax.set_xlabel(axis_label, fontsize=9)
    set_title(ax, title, fontsize=10)
    ax.margins(x=0.12)
    number_axis(ax.xaxis, number)
    ax.grid(axis="x", alpha=0.3)
    fit_axes(fig, ax, row_labels=row_labels)  # labels of any length fit
    return fig


def _bar_colour(colour: str, solid: bool) -> tuple[float, float, float, float]:
    """A bar's colour; a lever's is pale when its association is not consistent."""
    alpha = 1.0 if solid or colour in ("national", "unexplained", "ink") else 0.45
    return to_rgba(COLORS[colour], alpha)


def _part_colour(row) -> str:
    if row.role == "context":
        return "national"
    if row.role == "unexplained":
        return "unexplained"
    return "worsens" if row.harmful else "improves"


def projection_chart(
    projection: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    no_data: str,
    number: NumberFormat,
) -> Figure:
    """A 2 x 2 grid: observed values (dots; hollow: another series than the latest value's; a
    red cross: low precision), the latest series' linear trend with its 95 % prediction band to
    the target year where it has 3 points, and the target (star)
    (`frames.explained_trends.projection_frame`)."""
    fig, axes = grid_figure(10, 6.4, GRID_MARGINS)
    by_indicator = dict(tuple(projection.groupby("indicator", sort=False)))
    for ax, ind in zip(axes.flat, titles, strict=True):
        set_title(ax, titles[ind], fontsize=10)
        part = by_indicator.get(ind)
        if part is None or part.empty:
            empty_panel(ax, no_data)
            continue
        col = {  # the panel's columns as arrays (missing: NaN)
            c: part[c].to_numpy(dtype=float, na_value=np.nan)
            for c in ("year", "observed", "trend", "low", "high", "target")
        }
        year = col["year"]
        seen = ~np.isnan(col["observed"])
        latest = part["series"].to_numpy(dtype=object)[seen][-1] if seen.any() else None
        same = (part["series"] == latest).fillna(False).to_numpy(dtype=bool)
        own = seen & same if latest is not None else seen
        other = seen & ~own
        ax.plot(year[own], col["observed"][own], "o", color=COLORS["district"])
        ax.plot(year[other], col["observed"][other], "o", mfc="none", color=COLORS["district"])
        low = seen & part["low_precision"].fillna(False).astype(bool).to_numpy()
        ax.plot(year[low], col["observed"][low], "x", ms=10, mew=2, color=COLORS["worsens"])
        line = ~np.isnan(col["trend"])
        ax.plot(year[line], col["trend"][line], color=COLORS["district"], lw=1.4)
        band = ~np.isnan(col["low"]) & ~np.isnan(col["high"])
        if band.any():
            ax.fill_between(
                year[band],
                col["low"][band],
                col["high"][band],
                color=COLORS["district"],
                alpha=0.12,
            )
        target = ~np.isnan(col["target"])
        ax.plot(
            year[target],
            col["target"][target],
            marker="*",
            ms=14,
            ls="",
            color=COLORS["province"],
        )
        _panel_axes(ax, units[ind], number, styled=True)
    return fig


def achievement_chart(
    names: pd.Series, percent: pd.Series, axis_label: str, number: NumberFormat
) -> Figure:
    """SPM services by achievement, highest first; red below the 100 % line."""
    order = percent.sort_values(ascending=False).index
    fig, ax = new_figure(9, 0.38 * len(order) + 1.0)
    colors = [COLORS["improves"] if p >= 100 else COLORS["worsens"] for p in percent[order]]
    ax.barh(names[order].tolist(), percent[order], color=colors)
    ax.axvline(100, color=COLORS["ink"], lw=1, ls="--")
    ax.set_xlabel(axis_label, fontsize=9)
    number_axis(ax.xaxis, number)
    ax.tick_params(labelsize=8.5)
    ax.grid(axis="x", alpha=0.3)
    fit_axes(fig, ax)
    return fig


def units_chart(ranked: pd.DataFrame, median: float, unit: str, number: NumberFormat) -> Figure:
    """Kecamatan / puskesmas by value, best first (from the top); those pulling the district
    down in red; the dashed line is the median (`analysis.subdistrict.unit_summary`)."""
    fig, ax = new_figure(9, 0.3 * len(ranked) + 1.0)
    colors = [COLORS["worsens"] if p else COLORS["district"] for p in ranked["pulls_down"]]
    ax.barh(ranked["unit"][::-1].tolist(), ranked["value"][::-1], color=colors[::-1])
    ax.axvline(median, color=COLORS["ink"], lw=1, ls="--")
    ax.set_xlabel(unit, fontsize=9)
    number_axis(ax.xaxis, number)
    ax.tick_params(labelsize=8)
    fit_axes(fig, ax)
    return fig
