"""Charts laid out once, when they are built: the room around an axes for its tick labels,
axis labels and title, from the texts' sizes as matplotlib lays them out (measured on a figure
of their own and cached), instead of constrained layout measuring every text at each draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass
from functools import lru_cache

from matplotlib import rcParams
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import TICKLEFT
from matplotlib.text import Text
from matplotlib.ticker import NullLocator

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


ROW_LABEL_PAD = 7.0  # points from the spine: a y tick's mark (3.5) and its label's pad (3.5)


def label_rows(ax: Axes, rows: Sequence[float], names: Sequence[str], **text) -> list[Text]:
    """Rows of a bar chart labelled as y ticks would label them (the same place, alignment and
    marks), drawn as plain texts and one line of marks: a tick is five artists made and drawn
    one by one, the largest part of a many-row bar chart's cost. The y axis gets no ticks and
    its view covers every row, as `set_yticks` leaves it. Returns the labels (`fit_axes` takes
    them as `row_labels`)."""
    ax.yaxis.set_major_locator(NullLocator())
    if len(rows):
        ax.yaxis.set_view_interval(min(rows), max(rows))
    place, va, ha = ax.get_yaxis_text1_transform(ROW_LABEL_PAD)
    marks = ax.get_yaxis_transform(which="tick1")
    size, width = rcParams["ytick.major.size"], rcParams["ytick.major.width"]
    ax.add_line(
        Line2D(
            [0] * len(rows), rows, linestyle="none", marker=TICKLEFT, markersize=size,
            markeredgewidth=width, color=rcParams["ytick.color"], transform=marks,
            clip_on=False, zorder=ax.yaxis.get_zorder(),
        )
    )  # fmt: skip
    return [
        ax.text(
            0, y, name, transform=place, va=va, ha=ha, clip_on=False, zorder=ax.yaxis.get_zorder(),
            **text,
        )
        for y, name in zip(rows, names, strict=True)
    ]  # fmt: skip


def _row_label_places(ax: Axes, labels: Sequence[Text]) -> list[tuple[Text, float, int, float]]:
    """`drawn_tick_labels` of the row labels `label_rows` set."""
    start, end = ax.yaxis.get_view_interval()
    out = []
    for text in labels:
        along = (text.get_position()[1] - start) / (end - start) if end != start else 0.5
        out.append((text, ROW_LABEL_PAD / 72, 0, along))
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
    def of(cls, ax: Axes, row_labels: Sequence[Text] = ()) -> Decorations:
        """`row_labels`: texts set left of the axes as `label_rows` sets them, measured as
        tick labels of the y axis."""
        room = dict.fromkeys(("left", "bottom", "right", "top"), 0.0)
        ends = []
        for name, axis, sides in (
            ("x", ax.xaxis, ("bottom", "top")),
            ("y", ax.yaxis, ("left", "right")),
        ):
            across = 1 if name == "x" else 0  # which of (width, height) goes away from the spine
            labels = drawn_tick_labels(axis)
            if name == "y":
                labels += _row_label_places(ax, row_labels)
            for text, gap, side, along in labels:
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


def fit_axes(
    fig: Figure, ax: Axes, extra: Margins = Margins(), row_labels: Sequence[Text] = ()
) -> None:
    """Place the figure's one axes so its tick labels, axis labels and title fit, with `extra`
    room beside (a colour bar): what constrained layout does at every draw, done once from the
    texts' measured sizes. Call it last, when the axes' limits and texts are final. Twice:
    how far an outer tick label reaches past the axes depends on the axes' size."""
    _wrap_title(ax, fig.get_figwidth() - 2 * EDGE_PAD)
    measured = Decorations.of(ax, row_labels)
    width, height = fig.get_size_inches()
    for _ in range(2):
        box = ax.get_position()
        place_axes(fig, ax, measured.margins(box.width * width, box.height * height) + extra)
    _keep_title_inside(fig, ax)


def wrap_titles_to_fit(fig: Figure) -> None:
    """For a figure laid out at draw time (constrained layout): break each axes' title into
    lines that fit between its centre over the axes and the nearer figure edge, once the layout
    has placed the axes (long row labels push an axes right, and a title centred over it ran
    past the figure's right edge). Lays the figure out once to know where the axes are."""
    fig.draw_without_rendering()
    width = fig.get_figwidth()
    for ax in fig.axes:
        box = ax.get_position()
        centre = (box.x0 + box.width / 2) * width
        _wrap_title(ax, 2 * (min(centre, width - centre) - EDGE_PAD))


def wrap_words(text: str, room: float, fontsize: float, weight: str | int = "normal") -> list[str]:
    """`text` (one paragraph) broken at spaces into lines no wider than `room` inches in the
    charts' font, as many words on each line as fit (a word wider than `room` gets a line of
    its own)."""
    lines: list[str] = []
    for word in text.split(" "):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_size(candidate, fontsize, weight)[0] <= room:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _wrap_title(ax: Axes, room: float) -> None:
    """Break a title wider than `room` (inches) into lines that fit, at spaces."""
    title = ax.title
    size, weight = title.get_fontsize(), title.get_fontweight()
    if not title.get_text() or text_size(title.get_text(), size, weight)[0] <= room:
        return
    title.set_text("\n".join(wrap_words(title.get_text(), room, size, weight)))


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
