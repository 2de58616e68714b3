"""Small multiples of province maps: one choropleth per indicator (`analysis.maps`).

Every district report of a province shows the same four maps but for its own district's
outline and name. The maps without them (the province's base maps) are drawn once per worker,
inputs and dpi and kept as pixels (`BaseMaps`); a report's figure paints that picture and
draws its district on top, in the data coordinates of each panel.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, BboxTransform

from analysis.maps import boundaries_version, highlight_artists, province_map
from analysis.report.charts.style import NumberFormat, new_figure, set_title

MAP_SIZE = (11, 8.2)
MAP_MARGINS = {
    "left": 0.01,
    "right": 0.945,
    "bottom": 0.01,
    "top": 0.95,
    "hspace": 0.12,
    "wspace": 0.08,
}
BASE_DPI = 100  # the report's PNG dpi: where each panel's district outline goes is taken here


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
    panel without any value has no colour bar. `highlight` (one of `codes`) is outlined and
    named on every panel, over the province's base maps (drawn once, `BaseMaps`)."""
    base = BaseMaps.of(codes, values, titles, units, lower_is_better, missing_label, number)
    fig = Figure(figsize=MAP_SIZE, layout=None)
    fig.add_artist(BaseMapPicture(base))
    if highlight is not None:
        for placed in _panels(base):
            outline, name = highlight_artists(highlight, base.codes)
            for artist in (outline, name):
                artist.set_transform(placed + fig.transFigure)
                fig.add_artist(artist)
    return fig


@dataclass(frozen=True)
class BaseMaps:
    """Everything a province's four maps are drawn from, hashable: the key of the drawn
    pictures, so that they are never stale (the boundary file's version is part of it)."""

    codes: tuple[str, ...]
    values: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]  # per panel: (code, value)
    titles: tuple[str, ...]
    units: tuple[str, ...]
    lower_is_better: tuple[bool, ...]
    missing_label: str
    lang: str
    boundaries: str

    @classmethod
    def of(cls, codes, values, titles, units, lower_is_better, missing_label, number):
        panels = []
        for ind in titles:
            mine = values[values["indicator"] == ind].dropna(subset=["value"])
            pairs = zip(mine["district_code"].astype(str), mine["value"].astype(float), strict=True)
            panels.append((ind, tuple(pairs)))
        return cls(
            tuple(codes),
            tuple(panels),
            tuple(titles.values()),
            tuple(units[i] for i in titles),
            tuple(bool(lower_is_better[i]) for i in titles),
            missing_label,
            number.lang,
            boundaries_version(),
        )

    def figure(self) -> Figure:
        """The four maps without a highlighted district, and their map axes."""
        fig, axes = new_figure(*MAP_SIZE, 2, 2, MAP_MARGINS)
        number = NumberFormat(self.lang)
        for ax, (_ind, pairs), title, unit, lower in zip(
            axes.flat, self.values, self.titles, self.units, self.lower_is_better, strict=True
        ):
            before = set(fig.axes)
            province_map(
                list(self.codes),
                pd.Series(dict(pairs), dtype=float),
                reverse=lower,
                legend_label=unit,
                missing_label=self.missing_label,
                ax=ax,
            )
            for cax in set(fig.axes) - before:
                if not pairs:  # no scale to show
                    cax.remove()
                else:
                    cax.yaxis.set_major_formatter(number.ticks())
            set_title(ax, title, fontsize=10)
        return fig


class BaseMapPicture(Artist):
    """A province's base maps as pixels filling the figure, drawn once per worker and dpi."""

    def __init__(self, base: BaseMaps):
        super().__init__()
        self.base = base
        self.set_zorder(0)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        pixels, _panels = _drawn(self.base, renderer.dpi)
        gc = renderer.new_gc()
        renderer.draw_image(gc, 0, 0, pixels[::-1])  # rows from the bottom up
        gc.restore()
        self.stale = False


def _panels(base: BaseMaps) -> tuple[BboxTransform, ...]:
    """Per panel, lon/lat to figure fraction, as the base maps were drawn."""
    return _drawn(base, BASE_DPI)[1]


@lru_cache(maxsize=12)  # ~3.6 MB each at 100 dpi: a worker's few provinces x languages
def _drawn(base: BaseMaps, dpi: float) -> tuple[np.ndarray, tuple[BboxTransform, ...]]:
    """The base maps drawn at `dpi`: their pixels, and per panel the transform from lon/lat to
    figure fraction (the map axes' position once the aspect is applied, and view limits)."""
    fig = base.figure()
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    pixels.setflags(write=False)
    panels = []
    for ax in fig.axes[:4]:  # the map axes come first, their colour bars after
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        panels.append(BboxTransform(Bbox([[x0, y0], [x1, y1]]), ax.get_position()))
    return pixels, tuple(panels)
