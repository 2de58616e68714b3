"""The report's axes: matplotlib's, with axes whose ticks draw in groups.

Matplotlib draws an axis tick by tick, five artists each (grid line, two marks, two labels), and
works out the ticks three times per draw (for the ticks, for the spine's extent, for the axis
label's place), each time running the locator twice (major ticks, then minor ticks to drop the
ones on major ticks). A 2 x 2 grid of panels spent three quarters of its drawing time on its
axes. `ReportAxes` draws the same pixels (a test compares them) with the ticks worked out once
per draw, every grid line of an axis as one line, every mark as one line of markers, and the
labels one by one as before. An axis without a label does not measure its tick labels to
place the empty one.
"""

from __future__ import annotations

import numpy as np
from matplotlib import axis as maxis
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

# what two lines must share to be drawn as one (the rest of a tick line is its position)
_LINE_LOOK = (
    "get_color", "get_linewidth", "get_linestyle", "get_alpha", "get_marker", "get_markersize",
    "get_markeredgewidth", "get_markeredgecolor", "get_markerfacecolor", "get_zorder",
    "get_clip_on", "get_clip_box", "get_transform", "get_dash_capstyle", "get_solid_capstyle",
    "get_antialiased", "get_snap", "get_path_effects", "get_sketch_params", "get_rasterized",
)  # fmt: skip


def _look(line: Line2D) -> tuple:
    clip_path = line.get_clip_path()
    return (*(getattr(line, name)() for name in _LINE_LOOK), id(clip_path))


def _together(lines: list[Line2D]) -> list[Line2D]:
    """One line drawing what `lines` (one tick's grid line or mark each) draw one by one, or the
    lines themselves if they do not all look the same."""
    if len(lines) < 2:
        return lines
    first = lines[0]
    look = _look(first)
    if any(_look(line) != look for line in lines[1:]):
        return lines
    joined = first.get_linestyle() not in ("None", "none", "", " ")
    xs: list[float] = []
    ys: list[float] = []
    for line in lines:
        x, y = np.broadcast_arrays(
            np.asarray(line.get_xdata(orig=True), float).ravel(),
            np.asarray(line.get_ydata(orig=True), float).ravel(),
        )
        xs.extend(x)
        ys.extend(y)
        if joined:  # a gap between grid lines: the path moves to the next one
            xs.append(np.nan)
            ys.append(np.nan)
    together = Line2D(xs, ys)
    together.update_from(first)
    together.set_figure(first.get_figure(root=False))
    together.axes = first.axes
    return [together]


class _GroupedTicks:
    """Drawing of an XAxis or YAxis (mixed in before it)."""

    _drawing: tuple | None = None  # (ticks, label boxes) while the axis draws

    def _update_ticks(self):
        if self._drawing is not None:
            return self._drawing[0]
        return super()._update_ticks()

    def get_minorticklocs(self):
        if isinstance(self.minor.locator, NullLocator):  # what matplotlib returns, sooner
            return np.asarray([], dtype=float)
        return super().get_minorticklocs()

    def _get_tick_boxes_siblings(self, renderer):
        name = self._get_axis_name()
        groups = self.get_figure(root=False)._align_label_groups
        if (
            self._drawing is not None
            and name in groups
            and groups[name].get_siblings(self.axes) == [self.axes]
        ):
            return self._drawing[1]
        return super()._get_tick_boxes_siblings(renderer)

    def _update_label_position(self, renderer):
        if not self.label.get_text():  # nothing to place; matplotlib would measure every label
            return
        super()._update_label_position(renderer)

    def draw(self, renderer):
        """`Axis.draw`, its ticks drawn in groups (grid lines, marks, labels)."""
        if not self.get_visible():
            return
        renderer.open_group(maxis.__name__, gid=self.get_gid())
        ticks = super()._update_ticks()
        boxes = self._get_ticklabel_bboxes(ticks, renderer)
        self._drawing = (ticks, boxes)
        ticks = [tick for tick in ticks if tick.get_visible()]
        try:
            for part in ("gridline", "tick1line", "tick2line"):
                lines = [getattr(t, part) for t in ticks if getattr(t, part).get_visible()]
                for line in _together(lines):
                    line.draw(renderer)
            for tick in ticks:
                tick.label1.draw(renderer)
                tick.label2.draw(renderer)
                tick.stale = False
            self._update_label_position(renderer)
        finally:
            self._drawing = None
        self.label.draw(renderer)
        self._update_offset_text_position(*boxes)
        self.offsetText.set_text(self.major.formatter.get_offset())
        self.offsetText.draw(renderer)
        renderer.close_group(maxis.__name__)
        self.stale = False


class GroupedXAxis(_GroupedTicks, maxis.XAxis):
    pass


class GroupedYAxis(_GroupedTicks, maxis.YAxis):
    pass


class ReportAxes(Axes):
    """Axes whose x and y axes draw their ticks in groups (`_GroupedTicks`)."""

    def _init_axis(self):
        # Axes._init_axis with the grouped axes
        self.xaxis = GroupedXAxis(self, clear=False)
        self.spines.bottom.register_axis(self.xaxis)
        self.spines.top.register_axis(self.xaxis)
        self.yaxis = GroupedYAxis(self, clear=False)
        self.spines.left.register_axis(self.yaxis)
        self.spines.right.register_axis(self.yaxis)
