"""What every chart shares: colours, figures without pyplot (laid out once: `layout`),
locale-aware ticks, PNG output drawn once on a renderer kept per size."""

from __future__ import annotations

import io
import math
import pickle
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager as _fontManager
from matplotlib.ticker import Formatter, MaxNLocator
from PIL import Image

from analysis.i18n import fmt_number
from analysis.report.charts.axes import ReportAxes

COLORS = {
    "district": "#0b6e4f",
    "province": "#d08c00",
    "national": "#5b6b76",
    "worsens": "#b3261e",
    "improves": "#1b7f3b",
    "unexplained": "#9aa5ad",
    "ink": "#1d2a33",
    "muted": "#5b6b76",
    "warn": "#a15c00",
    "missing": "#d9d9d9",
}


@dataclass(frozen=True)
class NumberFormat:
    """Numbers as the report's language writes them: '1.234,5' (id), '1,234.5' (en)."""

    lang: str

    def __call__(self, value: float | None, digits: int = 1, signed: bool = False) -> str:
        return fmt_number(value, self.lang, digits, signed)

    def ticks(self) -> Formatter:
        return LocaleTicks(self.lang)


class LocaleTicks(Formatter):
    """Tick labels in the report's number format, with as few decimals as the ticks need."""

    def __init__(self, lang: str):
        self.lang = lang
        self.digits = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self.digits = _decimals_needed(list(locs))

    def __call__(self, x: float, pos: int | None = None) -> str:
        return fmt_number(float(x), self.lang, self.digits)


def _decimals_needed(values: list[float]) -> int:
    finite = [v for v in values if math.isfinite(v)]
    for digits in range(0, 5):
        if all(abs(round(v, digits) - v) < 1e-9 * max(1.0, abs(v)) for v in finite):
            return digits
    return 4


class YearTicks(Formatter):
    """Whole years, no thousands separator (2.022 would read as a number)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return str(int(round(x))) if abs(x - round(x)) < 1e-6 else ""


def new_figure(
    width: float,
    height: float,
    nrows: int = 1,
    ncols: int = 1,
    margins: dict[str, float] | None = None,
):
    """A figure outside pyplot and its axes (one Axes, or an array for a grid), laid out once
    and for all, not at draw time: `margins` (subplots_adjust arguments) for grids whose labels
    are short and known; a chart of one axes calls `layout.fit_axes` when its texts are set, which
    fits labels of any length from their measured size.
    """
    fig = Figure(figsize=(width, height), layout=None)
    if margins:
        fig.subplots_adjust(**margins)
    axes = fig.subplots(
        nrows, ncols, squeeze=nrows * ncols == 1, subplot_kw={"axes_class": ReportAxes}
    )
    return fig, axes


# Ticks made in advance on each axis of a prepared figure: about what a panel draws (counted
# over the district charts of Banten and Jawa Timur: 2 to 9 year ticks, 4 to 9 value ticks,
# 5 or 6 most often). Copying a tick costs about 0.2 ms, making one 0.5 ms.
PANEL_TICKS = 7


def grid_figure(width: float, height: float, margins: dict[str, float]):
    """A 2 x 2 grid of panels as `new_figure` makes it, grid lines on, 8-point tick labels, and
    PANEL_TICKS ticks already made on each axis: a copy of one built once per process
    (matplotlib makes a tick of two marks, a grid line and two labels one by one, the largest
    part of a panel's cost). A panel that draws more ticks makes the others."""
    fig = pickle.loads(_grid_template(width, height, tuple(sorted(margins.items()))))
    return fig, np.array(fig.axes).reshape(2, 2)


@lru_cache(maxsize=8)
def _grid_template(width: float, height: float, margins: tuple) -> bytes:
    fig, axes = new_figure(width, height, 2, 2, dict(margins))
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.xaxis.get_major_ticks(PANEL_TICKS)
        ax.yaxis.get_major_ticks(PANEL_TICKS)
    return pickle.dumps(fig)


def axes_figure(width: float, height: float):
    """A figure of one axes as `new_figure` makes it, with PANEL_TICKS ticks already made on
    its x axis (its y axis has none: a bar chart labels its rows with `layout.label_rows`): a
    copy of one built once per process and size (a bar chart of a dozen labelled rows spent two
    thirds of its building time making ticks)."""
    fig = pickle.loads(_axes_template(width, height))
    return fig, fig.axes[0]


@lru_cache(maxsize=32)
def _axes_template(width: float, height: float) -> bytes:
    fig, ax = new_figure(width, height)
    ax.xaxis.get_major_ticks(PANEL_TICKS)
    return pickle.dumps(fig)


GRID_MARGINS = {
    "left": 0.075,
    "right": 0.985,
    "bottom": 0.075,
    "top": 0.95,
    "hspace": 0.32,
    "wspace": 0.2,
}


class InViewLocator(MaxNLocator):
    """MaxNLocator's ticks, only those inside the view: matplotlib makes a tick (two marks, a
    grid line, two labels) for every location a locator gives, drawn or not, and MaxNLocator
    gives one beyond each end."""

    def __call__(self):
        locs = np.asarray(super().__call__())
        low, high = sorted(self.axis.get_view_interval())
        slack = (high - low) * 1e-10  # what matplotlib counts as inside the view
        return locs[(locs >= low - slack) & (locs <= high + slack)]


def number_axis(axis: Axis, number: NumberFormat) -> None:
    """Ticks where matplotlib's default locator puts them, in the report's number format."""
    axis.set_major_locator(InViewLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10]))
    axis.set_major_formatter(number.ticks())


def year_axis(axis: Axis) -> None:
    axis.set_major_locator(InViewLocator(integer=True))
    axis.set_major_formatter(YearTicks())


def set_title(ax: Axes, text: str, **kwargs) -> None:
    """The axes' title at its top edge. Given the height, matplotlib places it there instead
    of measuring every axis of the figure at each draw to keep the title clear of tick labels
    on top, which these charts never put above a titled axes."""
    ax.set_title(text, y=1.0, **kwargs)


def empty_panel(ax: Axes, text: str) -> None:
    """A chart panel that says there is no data, instead of an empty frame."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=COLORS["muted"])
    ax.set_axis_off()


class _SharedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas drawing on this thread's renderer of its size and dpi (the renderer Agg
    itself makes for it, kept): matplotlib caches text metrics per renderer, so the labels
    measured for one chart are known to the next."""

    def get_renderer(self):
        key = (*self.get_width_height(physical=True), self.figure.dpi, threading.get_ident())
        renderer = _RENDERERS.pop(key, None)
        if renderer is None:
            renderer = TextImageRenderer(*self.figure.bbox.size, self.figure.dpi)
        _RENDERERS[key] = renderer  # the most recently used last
        while len(_RENDERERS) > MAX_RENDERERS:  # ~3 MB each: the least recently used go
            _RENDERERS.pop(next(iter(_RENDERERS)))
        return renderer


MAX_RENDERERS = 12  # a report draws charts of a few sizes (bar charts' heights vary)
_RENDERERS: dict[tuple, RendererAgg] = {}


class TextImageRenderer(RendererAgg):
    """Agg's renderer, keeping each text's rendered glyphs: a text is laid out and rasterised
    by FreeType once per process, font, size and dpi, then copied onto every chart that draws
    it (tick values, row labels and headings repeat across a report's charts and every report).
    What is drawn is what Agg draws: the same glyph image at the same place."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        key = (
            s,
            tuple(_fontManager._find_fonts_by_props(prop)),
            prop.get_size_in_points(),
            self.dpi,
            bool(gc.get_antialiased()),
            get_hinting_flag(),
            rcParams["text.hinting_factor"],
            rcParams["text.kerning_factor"],
        )
        glyphs = _TEXT_IMAGES.get(key)
        if glyphs is None:
            font = self._prepare_font(prop)
            # angle 0: Agg turns the image when it draws it (RendererAgg.draw_text)
            font.set_text(s, 0, flags=get_hinting_flag())
            font.draw_glyphs_to_bitmap(antialiased=gc.get_antialiased())
            xo, yo = font.get_bitmap_offset()
            glyphs = (np.array(font.get_image()), xo / 64.0, yo / 64.0, font.get_descent() / 64.0)
            if len(_TEXT_IMAGES) >= MAX_TEXT_IMAGES:
                _TEXT_IMAGES.pop(next(iter(_TEXT_IMAGES)))
            _TEXT_IMAGES[key] = glyphs
        image, xo, yo, descent = glyphs
        # RendererAgg.draw_text from here: the descent turned with the text
        x = round(x + xo + descent * math.sin(math.radians(angle)))
        y = round(y + yo + descent * math.cos(math.radians(angle)))
        self._renderer.draw_text_image(image, x, y + 1, angle, gc)


# measured: the 65 reports of Jawa Timur and Jawa Barat drew 1,370 distinct texts (1.9 MB), the
# last 25 reports about 13 new ones each; a worker's half of all 514 keeps a few thousand
MAX_TEXT_IMAGES = 20_000
_TEXT_IMAGES: dict[tuple, tuple] = {}


def png_bytes(fig: Figure, dpi: int) -> bytes:
    """The figure as a palette PNG: one draw (layout included) on an Agg canvas at the
    figure's own size, no tight-bounding-box re-draw, quantized to 256 colours (charts have
    few colours: a quarter of the bytes, the same picture)."""
    fig.set_dpi(dpi)
    canvas = _SharedRendererCanvas(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    palette = image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
    colours = palette.getpalette()
    # the octree averages white to 254: put the page's white back
    palette.putpalette(
        [
            255 if min(colours[i : i + 3]) >= 250 else c
            for i in range(0, len(colours), 3)
            for c in colours[i : i + 3]
        ]
    )
    buffer = io.BytesIO()
    palette.save(buffer, format="PNG")
    return buffer.getvalue()
