"""What every chart shares: colours, figures without pyplot, one layout pass, locale-aware ticks,
PNG output."""

from __future__ import annotations

import io
import math
import threading
from dataclasses import astuple, dataclass
from functools import lru_cache

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import Formatter, MaxNLocator
from PIL import Image

from analysis.i18n import fmt_number

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
    are short and known; a chart of one axes calls `fit_axes` when its texts are set, which
    fits labels of any length from their measured size.
    """
    fig = Figure(figsize=(width, height), layout=None)
    if margins:
        fig.subplots_adjust(**margins)
    axes = fig.subplots(nrows, ncols, squeeze=nrows * ncols == 1)
    return fig, axes


# -- fixed layout from measured text -------------------------------------------------------------
# matplotlib's spacing, in inches: what constrained layout would leave around an axes' texts
EDGE_PAD = 6 / 72  # free at the figure's edges
LABEL_PAD = 4 / 72  # axes.labelpad: tick labels to axis label
TITLE_PAD = 6 / 72  # axes.titlepad
MEASURE_DPI = 100  # the report's PNG dpi: hinting rounds glyph widths at it
MEASURE_SLACK = 1.03  # a slide's other dpi rounds glyphs a little differently
_MEASURE_FIGURE = Figure(dpi=MEASURE_DPI)
_MEASURE_RENDERER = FigureCanvasAgg(_MEASURE_FIGURE).get_renderer()


@lru_cache(maxsize=8192)
def text_size(
    text: str, fontsize: float, weight: str | int = "normal", style: str = "normal"
) -> tuple[float, float]:
    """Width and height in inches of `text` (lines split at newlines) set in the charts' font,
    as matplotlib lays it out, measured on a figure of its own: no chart is drawn for it.
    Cached: a report's labels repeat in every report."""
    probe = Text(0, 0, text, fontsize=fontsize, fontweight=weight, fontstyle=style)
    probe.set_figure(_MEASURE_FIGURE)
    box = probe.get_window_extent(_MEASURE_RENDERER)
    return float(box.width) / MEASURE_DPI * MEASURE_SLACK, float(box.height) / MEASURE_DPI


def drawn_tick_labels(axis: Axis) -> list[tuple[Text, float, int, float]]:
    """The tick labels `axis` will draw (text set as at draw time: the ticks are made and
    formatted now and reused by the draw), each with its distance from the spine in inches
    (tick length and pad), its side (0: left or bottom, 1: right or top) and where it sits
    along the axis (0 to 1 from the left or bottom end)."""
    axis.get_majorticklabels()
    start, end = axis.get_view_interval()
    low, high = min(start, end), max(start, end)
    slack = (high - low) * 1e-9
    out = []
    for tick in axis.get_major_ticks():
        loc = tick.get_loc()
        if not low - slack <= loc <= high + slack:
            continue
        gap = (tick.get_tick_padding() + tick.get_pad()) / 72
        along = (loc - start) / (end - start) if end != start else 0.5
        for side, text in enumerate((tick.label1, tick.label2)):
            if text.get_visible() and text.get_text():
                out.append((text, gap, side, along))
    return out


def _size(text: Text) -> tuple[float, float]:
    """Width and height (inches) of a Text as drawn (a quarter turn swaps them)."""
    w, h = text_size(
        text.get_text(), text.get_fontsize(), text.get_fontweight(), text.get_fontstyle()
    )
    return (h, w) if abs(text.get_rotation() % 180 - 90) < 1 else (w, h)


@dataclass(frozen=True)
class Margins:
    """Room (inches) on each side of an axes."""

    left: float = 0.0
    bottom: float = 0.0
    right: float = 0.0
    top: float = 0.0

    def __add__(self, other: Margins) -> Margins:
        return Margins(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class Decorations:
    """An axes' texts as measured (inches): the room each side needs for tick labels, axis
    labels and title, and the tick labels that may reach past the axes' ends: (axis, half its
    length along the axis, where it sits from 0 to 1)."""

    room: Margins
    ends: tuple[tuple[str, float, float], ...]

    @classmethod
    def of(cls, ax: Axes) -> Decorations:
        room = dict.fromkeys(("left", "bottom", "right", "top"), 0.0)
        ends = []
        for name, axis, sides in (
            ("x", ax.xaxis, ("bottom", "top")),
            ("y", ax.yaxis, ("left", "right")),
        ):
            across = 1 if name == "x" else 0  # which of (width, height) goes away from the spine
            for text, gap, side, along in drawn_tick_labels(axis):
                size = _size(text)
                room[sides[side]] = max(room[sides[side]], size[across] + gap)
                ends.append((name, size[1 - across] / 2, along))
            label = axis.label
            if label.get_visible() and label.get_text():
                room[axis.get_label_position()] += _size(label)[across] + LABEL_PAD
        if ax.title.get_visible() and ax.title.get_text():
            room["top"] += _size(ax.title)[1] + TITLE_PAD
        return cls(Margins(**room), tuple(ends))

    def margins(self, width: float, height: float) -> Margins:
        """The room needed around an axes of this size (inches)."""
        room = {side: getattr(self.room, side) for side in ("left", "bottom", "right", "top")}
        length = {"x": width, "y": height}
        for name, half, along in self.ends:
            start, end = ("left", "right") if name == "x" else ("bottom", "top")
            room[start] = max(room[start], half - along * length[name])
            room[end] = max(room[end], half - (1 - along) * length[name])
        return Margins(**room)


def axes_margins(ax: Axes) -> Margins:
    """What an axes' own texts need around it, for its present size: tick labels on their
    side with the axis label beyond them, the title above everything on top, and the part of
    an outer tick label that reaches past the axes' ends."""
    fig = ax.get_figure(root=True)
    box = ax.get_position()
    return Decorations.of(ax).margins(
        box.width * fig.get_figwidth(), box.height * fig.get_figheight()
    )


def place_axes(fig: Figure, ax: Axes, margins: Margins) -> None:
    """Put `ax` at fixed margins (inches) plus the figure's edge pad."""
    width, height = fig.get_size_inches()
    left, bottom = margins.left + EDGE_PAD, margins.bottom + EDGE_PAD
    right, top = margins.right + EDGE_PAD, margins.top + EDGE_PAD
    ax.set_position(
        [left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height]
    )
    ax.set_in_layout(True)  # a slide lays the figure out again for larger type (constrained)


def fit_axes(fig: Figure, ax: Axes, extra: Margins = Margins()) -> None:
    """Place the figure's one axes so its tick labels, axis labels and title fit, with `extra`
    room beside (a colour bar): what constrained layout does at every draw, done once from the
    texts' measured sizes. Call it last, when the axes' limits and texts are final. Twice:
    how far an outer tick label reaches past the axes depends on the axes' size."""
    _wrap_title(ax, fig.get_figwidth() - 2 * EDGE_PAD)
    measured = Decorations.of(ax)
    width, height = fig.get_size_inches()
    for _ in range(2):
        box = ax.get_position()
        place_axes(fig, ax, measured.margins(box.width * width, box.height * height) + extra)
    _keep_title_inside(fig, ax)


def _wrap_title(ax: Axes, room: float) -> None:
    """Break a title wider than `room` (inches) into lines that fit, at spaces."""
    title = ax.title
    size, weight = title.get_fontsize(), title.get_fontweight()
    if not title.get_text() or text_size(title.get_text(), size, weight)[0] <= room:
        return
    lines: list[str] = []
    for word in title.get_text().split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_size(candidate, size, weight)[0] <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    title.set_text("\n".join(lines))


def _keep_title_inside(fig: Figure, ax: Axes) -> None:
    """Slide a title centred over its axes sideways where it would pass the figure's edge (a
    long title over an axes pushed right by long labels)."""
    title = ax.title
    if not title.get_text():
        return
    width = fig.get_figwidth()
    half = text_size(title.get_text(), title.get_fontsize(), title.get_fontweight())[0] / 2
    box = ax.get_position()
    centre = (box.x0 + box.width / 2) * width
    shifted = min(max(centre, EDGE_PAD + half), width - EDGE_PAD - half)
    if shifted != centre:
        title.set_x((shifted / width - box.x0) / box.width)


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
        renderer = _RENDERERS.pop(key, None) or super().get_renderer()
        _RENDERERS[key] = renderer  # the most recently used last
        while len(_RENDERERS) > MAX_RENDERERS:  # ~3 MB each: the least recently used go
            _RENDERERS.pop(next(iter(_RENDERERS)))
        return renderer


MAX_RENDERERS = 12  # a report draws charts of a few sizes (bar charts' heights vary)
_RENDERERS: dict[tuple, RendererAgg] = {}


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
