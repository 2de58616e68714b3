"""Small multiples of province maps: one choropleth per indicator (`analysis.maps`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from matplotlib.figure import Figure

from analysis.maps import province_map
from analysis.report.charts.style import NumberFormat, new_figure, set_title

MAP_MARGINS = {
    "left": 0.01,
    "right": 0.945,
    "bottom": 0.01,
    "top": 0.95,
    "hspace": 0.12,
    "wspace": 0.08,
}


def map_grid(
    codes: list[str],
    values: pd.DataFrame,
    titles: Mapping[str, str],
    units: Mapping[str, str],
    lower_is_better: Mapping[str, bool],
    missing_label: str,
    number: NumberFormat,
    highlight: str | None = None,
) -> Figure:
    """A 2 x 2 grid of maps of `codes`, one per indicator of `titles` (its panel title, year
    included). `values`: indicator, district_code, value. Darker green is always better. A
    panel without any value has no colour bar."""
    fig, axes = new_figure(11, 8.2, 2, 2, MAP_MARGINS)
    for ax, ind in zip(axes.flat, titles, strict=True):
        mine = values[values["indicator"] == ind].dropna(subset=["value"])
        before = set(fig.axes)
        province_map(
            codes,
            mine.set_index("district_code")["value"],
            highlight=highlight,
            reverse=lower_is_better[ind],
            legend_label=units[ind],
            missing_label=missing_label,
            ax=ax,
        )
        added = set(fig.axes) - before
        for cax in added:
            if mine.empty:  # no scale to show
                cax.remove()
            else:
                cax.yaxis.set_major_formatter(number.ticks())
        set_title(ax, titles[ind], fontsize=10)
    return fig
