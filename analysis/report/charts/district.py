"""Charts of the district report. Each takes frames from `analysis.report.frames`, labels in the
report's language and a `NumberFormat`, and returns a Figure (no pyplot)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from analysis.report.charts.style import (
    COLORS,
    GRID_MARGINS,
    NumberFormat,
    empty_panel,
    label_margins,
    new_figure,
    number_axis,
    year_axis,
)


def _panel_axes(ax, unit: str, number: NumberFormat) -> None:
    ax.set_ylabel(unit, fontsize=9)
    year_axis(ax.xaxis)
    number_axis(ax.yaxis, number)
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)


def trends_chart(
    trends: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    legend: Mapping[str, str],
    no_data: str,
    number: NumberFormat,
) -> Figure:
    """A 2 x 2 grid, one panel per indicator of `titles`: the district's line over the province
    and national medians (frame of `frames.district.trend_table`). legend: district, province,
    national."""
    fig, axes = new_figure(10, 6.4, 2, 2, GRID_MARGINS)
    for ax, ind in zip(axes.flat, titles, strict=True):
        _trend_panel(
            ax, trends[trends["indicator"] == ind], titles[ind], units[ind], legend, no_data, number
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
) -> Figure:
    """One indicator's panel of `trends_chart` on its own, with its legend (a slide's chart)."""
    fig, ax = new_figure(*size)
    part = trends[trends["indicator"] == indicator]
    _trend_panel(ax, part, title, unit, legend, no_data, number)
    if not part.empty:
        ax.legend(fontsize=8, loc="best")
    return fig


def _trend_panel(ax, part, title, unit, legend, no_data, number) -> None:
    ax.set_title(title, fontsize=10)
    if part.empty:
        empty_panel(ax, no_data)
        return
    for column, key, style in (
        ("national_median", "national", {"ls": "--", "marker": "."}),
        ("province_median", "province", {"ls": "--", "marker": "."}),
        ("district", "district", {"lw": 2.6, "marker": "o"}),
    ):
        shown = part.dropna(subset=[column]) if key == "district" else part
        ax.plot(shown["year"], shown[column], color=COLORS[key], label=legend[key], **style)
    _panel_axes(ax, unit, number)


def decomposition_chart(
    frame: pd.DataFrame,
    driver_labels: Mapping[str, str],
    unexplained: float,
    unexplained_label: str,
    axis_label: str,
    title: str,
    number: NumberFormat,
) -> Figure:
    """Horizontal bars: each driver's contribution to the gap with its 95 % interval (red
    worsens, green improves), and the unexplained rest in grey (`frames.explained`
    decomposition_frame)."""
    labels = [driver_labels[d] for d in frame["driver"]] + [unexplained_label]
    values = [*frame["contribution"], unexplained]
    colors = [COLORS["worsens"] if w else COLORS["improves"] for w in frame["worsens"]]
    colors.append(COLORS["unexplained"])
    height = 0.42 * len(labels) + 1.2
    fig, ax = new_figure(9, height, margins=label_margins(labels, 8.5, 9, height))
    y = list(range(len(labels)))[::-1]
    ax.barh(y, values, color=colors)
    ax.errorbar(
        frame["contribution"],
        y[:-1],
        xerr=[frame["contribution"] - frame["ci_low"], frame["ci_high"] - frame["contribution"]],
        fmt="none",
        ecolor=COLORS["ink"],
        elinewidth=1,
        capsize=3,
    )
    ax.axvline(0, color=COLORS["ink"], lw=0.8)
    ax.set_yticks(y, labels, fontsize=8.5)
    ax.set_xlabel(axis_label, fontsize=9)
    ax.set_title(title, fontsize=10)
    number_axis(ax.xaxis, number)
    ax.grid(axis="x", alpha=0.3)
    return fig


def projection_chart(
    projection: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    no_data: str,
    number: NumberFormat,
) -> Figure:
    """A 2 x 2 grid: observed values (dots), the linear trend with its 95 % prediction band to
    the target year, and the target (star) (`frames.explained.projection_frame`)."""
    fig, axes = new_figure(10, 6.4, 2, 2, GRID_MARGINS)
    for ax, ind in zip(axes.flat, titles, strict=True):
        ax.set_title(titles[ind], fontsize=10)
        part = projection[projection["indicator"] == ind]
        if part.empty:
            empty_panel(ax, no_data)
            continue
        seen = part.dropna(subset=["observed"])
        ax.plot(seen["year"], seen["observed"], "o", color=COLORS["district"])
        line = part.dropna(subset=["trend"])
        ax.plot(line["year"], line["trend"], color=COLORS["district"], lw=1.4)
        band = part.dropna(subset=["low", "high"])
        if len(band):
            ax.fill_between(
                band["year"], band["low"], band["high"], color=COLORS["district"], alpha=0.12
            )
        target = part.dropna(subset=["target"])
        ax.plot(
            target["year"], target["target"], marker="*", ms=14, ls="", color=COLORS["province"]
        )
        _panel_axes(ax, units[ind], number)
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
    return fig
