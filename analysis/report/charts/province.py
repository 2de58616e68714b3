"""Charts of the province overview: the standing heatmap and the slope-index scatter plots."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.transforms import offset_copy

from analysis.report.charts.layout import Margins, axes_margins, fit_axes
from analysis.report.charts.style import (
    COLORS,
    GRID_MARGINS,
    NumberFormat,
    empty_panel,
    grid_figure,
    new_figure,
    number_axis,
    set_title,
)

HEATMAP_LIMIT = 2.0  # z-scores beyond +-2 get the darkest colour


def standing_heatmap(
    z: pd.DataFrame,
    values: pd.DataFrame,
    row_labels: list[str],
    column_labels: list[str],
    colorbar_label: str,
    missing_label: str,
    number: NumberFormat,
) -> Figure:
    """Districts (rows) x indicators (columns) coloured by the within-province z-score (green
    better), each cell showing the actual value; grey cells say there is no value."""
    fig, ax = new_figure(9.5, max(0.42 * len(row_labels) + 1.9, 4.2))
    scores = np.ma.masked_invalid(z.to_numpy(float))
    cmap = colormaps["RdYlGn"].with_extremes(bad=COLORS["missing"])
    norm = Normalize(-HEATMAP_LIMIT, HEATMAP_LIMIT)
    mesh = ax.pcolormesh(scores, cmap=cmap, norm=norm, edgecolors="white", linewidth=1)
    for (i, j), value in np.ndenumerate(values.to_numpy(float)):
        if np.isnan(value):
            ax.text(
                j + 0.5,
                i + 0.5,
                missing_label,
                ha="center",
                va="center",
                fontsize=8,
                color=COLORS["muted"],
                style="italic",
            )
            continue
        dark = _luminance(cmap(norm(scores[i, j]))) < 0.408  # seaborn's rule for annotations
        ax.text(
            j + 0.5,
            i + 0.5,
            number(value, 1),
            ha="center",
            va="center",
            fontsize=10,
            color="white" if dark else COLORS["ink"],
        )
    ax.set_xticks(np.arange(len(column_labels)) + 0.5, column_labels, fontsize=9)
    ax.set_yticks(np.arange(len(row_labels)) + 0.5, row_labels, fontsize=9.5)
    ax.set_xlim(0, len(column_labels))
    ax.set_ylim(len(row_labels), 0)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = fig.colorbar(mesh, cax=fig.add_axes((0, 0, 1, 1)), label=colorbar_label)
    bar.ax.yaxis.set_major_formatter(number.ticks())
    bar.outline.set_visible(False)
    _fit_with_bar(fig, ax, bar.ax)
    return fig


BAR_PAD, BAR_WIDTH, BAR_SHRINK = 0.3, 0.2, 0.85  # inches, inches, of the heatmap's height


def _fit_with_bar(fig: Figure, ax, cax) -> None:
    """The heatmap fitted to its labels, its colour bar to the right at 85 % of its height
    (where constrained layout put it)."""
    bar_room = axes_margins(cax).right
    fit_axes(fig, ax, Margins(right=BAR_PAD + BAR_WIDTH + bar_room))
    box = ax.get_position()
    width, height = fig.get_size_inches()
    bar_height = box.height * BAR_SHRINK
    cax.set_position(
        [
            box.x1 + BAR_PAD / width,
            box.y0 + (box.height - bar_height) / 2,
            BAR_WIDTH / width,
            bar_height,
        ]
    )


def _luminance(rgba) -> float:
    """Relative luminance (WCAG) of a colour."""
    rgb = np.asarray(rgba[:3], dtype=float)
    rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(rgb @ [0.2126, 0.7152, 0.0722])


def sii_chart(
    points: pd.DataFrame,
    titles: Mapping[str, str],
    small: Mapping[str, bool],
    point_labels: Mapping[str, str],
    units: Mapping[str, str],
    axis_label: str,
    no_data: str,
    number: NumberFormat,
) -> Figure:
    """A 2 x 2 grid: each district's value against its fractional GRDP-per-capita rank, with the
    OLS line whose slope is the SII (`frames.province.sii_points`); titles of indicators with
    too few districts (`small`) in the warning colour."""
    fig, axes = grid_figure(10, 7, {**GRID_MARGINS, "bottom": 0.08, "hspace": 0.38})
    for ax, ind in zip(axes.flat, titles, strict=True):
        set_title(ax, titles[ind], fontsize=10, color=COLORS["warn"] if small[ind] else "black")
        data = points[points["indicator"] == ind]
        if data.empty:
            empty_panel(ax, no_data)
            continue
        ax.scatter(data["x"], data["value"], color=COLORS["district"], zorder=3)
        slope, intercept = data["slope"].iloc[0], data["intercept"].iloc[0]
        if pd.notna(slope):
            xs = np.array([0.0, 1.0])
            ax.plot(xs, intercept + slope * xs, color=COLORS["province"], lw=1.6)
        if len(data) <= 15:
            beside = offset_copy(ax.transData, fig=fig, x=4, y=3, units="points")
            for row in data.itertuples():
                ax.text(
                    row.x,
                    row.value,
                    point_labels[row.district_code],
                    transform=beside,
                    fontsize=7.5,
                    color=COLORS["ink"],
                )
        ax.set_xlim(-0.05, 1.12)
        ax.set_xlabel(axis_label, fontsize=8.5)
        ax.set_ylabel(units[ind], fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        number_axis(ax.xaxis, number)
        number_axis(ax.yaxis, number)
    return fig
