"""A `Table` as HTML: numbers formatted only here, in the table's language ('1.234,5' in id),
missing values said plainly, every text escaped, numeric columns right-aligned, a spanner over
each group of columns.

The markup is the layout pandas' Styler gives a table (the page's CSS and its tests select on
its classes: `col_heading level1 col3`, `data row0 col2 num`); Python builds plain rows here and
templates/table.html.j2 writes them, without a DataFrame per table (Styler's copies cost ten
times more). tests/test_report_layer.py renders tables through Styler too and compares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from analysis.report.cells import cell_columns, cell_text, is_missing, shown_columns
from analysis.report.model import Column, Table
from analysis.report.templating import environment, macros

GROUP_BORDER = "border-left: 2px solid #d9e0e5;"  # where a group of columns starts
RIGHT = "text-align: right;"
CENTER = "text-align: center;"


@dataclass(frozen=True)
class HeaderCell:
    label: Markup
    level: int
    col: int  # the first column it spans
    span: int = 1


@dataclass(frozen=True)
class Cell:
    html: Markup
    css: str  # "data row0 col2 num missing"


def formatter(col: Column, lang: str) -> Callable[[Any], Markup]:
    """value (or (low, high), or (value, year)) -> the cell's HTML: the plain text of
    `analysis.report.cells`, escaped; a status as a badge; quoted text marked with its lang."""
    text = cell_text(col, lang)
    foreign = col.lang is not None and col.lang != lang

    def show(value: Any) -> Markup:
        if col.kind == "status" and not is_missing(value):
            html = macros().status(str(value), text(value))
        else:
            html = escape(text(value))
        if foreign and not is_missing(value):
            html = macros().foreign(html, col.lang)
        return Markup(html)

    return show


def _cell_class(col: Column) -> Callable[[Any, Any], str]:
    """(value, tone) -> the cell's classes: the column's kind ("num" for numbers), the row's
    tone where the column has one, "missing" where the value is."""
    base = "num" if col.numeric else f"kind-{col.kind}"
    paired = col.year is not None

    def classes(value: Any, tone: Any) -> str:
        toned = base + (" " + ("" if is_missing(tone) else str(tone)) if col.tone else "")
        missing = is_missing(value[0] if paired else value)
        return (toned + (" missing" if missing else "")).strip()

    return classes


def _body(table: Table, shown: list[Column]) -> list[list[Cell]]:
    n_rows = len(table.data)
    columns = []
    for i, (col, values) in enumerate(zip(shown, cell_columns(table, shown), strict=True)):
        show, classes = formatter(col, table.lang), _cell_class(col)
        tones = table.data[col.tone].tolist() if col.tone else [None] * n_rows
        columns.append(
            [
                Cell(show(v), f"data row{r} col{i} {classes(v, tone)}".rstrip())
                for r, (v, tone) in enumerate(zip(values, tones, strict=True))
            ]
        )
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[]] * n_rows


def _head(table: Table, shown: list[Column]) -> list[list[HeaderCell]]:
    """One header row of labels, or two where columns have groups: the group labels (a note
    in small print), one cell spanning each run of adjacent columns of a group."""
    labels = [HeaderCell(escape(c.label), 0, i) for i, c in enumerate(shown)]
    if not any(c.group for c in shown):
        return [labels] if shown else []
    tops: list[HeaderCell] = []
    for i, col in enumerate(shown):
        top = col.group or ""
        note = table.group_notes.get(top)
        label = Markup(macros().group_label(top, note)) if note else escape(top)
        if tops and tops[-1].label == label:  # Styler spans adjacent equal labels
            tops[-1] = HeaderCell(label, 0, tops[-1].col, tops[-1].span + 1)
        else:
            tops.append(HeaderCell(label, 0, i))
    return [tops, [HeaderCell(h.label, 1, h.col) for h in labels]]


def _styles(shown: list[Column], grouped: bool) -> list[tuple[str, str]]:
    last = "level1" if grouped else "level0"
    styles = [(f"th.col_heading.{last}.col{i}", RIGHT) for i, c in enumerate(shown) if c.numeric]
    if grouped:
        styles.append(("th.col_heading.level0", CENTER))
        for i, col in enumerate(shown):
            if col.group and (i == 0 or shown[i - 1].group != col.group):
                # two selectors, written one after the other as Styler splits them
                styles += [
                    (f"td.col{i}", GROUP_BORDER),
                    (f" th.col_heading.level1.col{i}", GROUP_BORDER),
                ]
    return styles


def table_html(table: Table) -> Markup:
    """The table's <table> (with its own small <style> for alignment)."""
    shown = shown_columns(table)
    head = _head(table, shown)
    html = (
        environment()
        .get_template("table.html.j2")
        .render(
            uuid=table.key,
            css=" ".join(x for x in ("data", table.css) if x),
            styles=_styles(shown, len(head) > 1),
            head=head,
            body=_body(table, shown),
        )
    )
    return Markup(html + "\n")  # Styler ends its table with a newline
