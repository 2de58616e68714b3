"""What every chart shares: colours, figures without pyplot, one layout pass, locale-aware ticks,
PNG output."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
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
    """A figure outside pyplot and its axes (one Axes, or an array for a grid).

    With `margins` (subplots_adjust arguments) the layout is fixed: one draw, no measuring, for
    grids whose labels are short and known. Without, constrained layout fits labels of any
    length (measured once, in the draw before the real one).
    """
    fig = Figure(figsize=(width, height), layout=None if margins else "constrained")
    if margins:
        fig.subplots_adjust(**margins)
    axes = fig.subplots(nrows, ncols, squeeze=nrows * ncols == 1)
    return fig, axes


def label_margins(labels: list[str], fontsize: float, width: float, height: float) -> dict:
    """Fixed margins for a bar chart with text labels on the y axis: the left margin fits the
    longest label (DejaVu Sans averages about 0.56 em per character; 0.6 leaves room for labels
    rich in digits and capitals, which were cut), the rest is room for a title above and a tick
    row and axis label below."""
    longest = max((len(x) for x in labels), default=0)
    left = (0.25 + 0.6 * fontsize / 72 * longest) / width
    return {"left": min(left, 0.6), "right": 0.98, "top": 1 - 0.4 / height, "bottom": 0.62 / height}


GRID_MARGINS = {
    "left": 0.075,
    "right": 0.985,
    "bottom": 0.075,
    "top": 0.95,
    "hspace": 0.32,
    "wspace": 0.2,
}


def number_axis(axis: Axis, number: NumberFormat) -> None:
    axis.set_major_formatter(number.ticks())


def year_axis(axis: Axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(YearTicks())


def empty_panel(ax: Axes, text: str) -> None:
    """A chart panel that says there is no data, instead of an empty frame."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color=COLORS["muted"])
    ax.set_axis_off()


def png_bytes(fig: Figure, dpi: int) -> bytes:
    """The figure as a palette PNG: one draw (layout included) on an Agg canvas at the
    figure's own size, no tight-bounding-box re-draw, quantized to 256 colours (charts have
    few colours: a quarter of the bytes, the same picture)."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
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
