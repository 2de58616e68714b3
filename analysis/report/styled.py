"""A `Table` as HTML through pandas' Styler: numbers formatted only here, in the table's
language ('1.234,5' in id), missing values said plainly, every text escaped, numeric columns
right-aligned, a spanner over each group of columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from markupsafe import Markup, escape
from pandas.io.formats.style import Styler

from analysis.report.cells import cell_text, cell_values, is_missing, shown_columns
from analysis.report.model import Column, Table
from analysis.report.templating import macros

GROUP_BORDER = "border-left: 2px solid #d9e0e5;"  # where a group of columns starts


def formatter(col: Column, lang: str) -> Callable[[Any], str]:
    """value (or (low, high), or (value, year)) -> the cell's HTML: the plain text of
    `analysis.report.cells`, escaped; a status as a badge; quoted text marked with its lang."""
    text = cell_text(col, lang)

    def show(value: Any) -> str:
        if col.kind == "status" and not is_missing(value):
            html = macros().status(str(value), text(value))
        else:
            html = escape(text(value))
        if col.lang and col.lang != lang and not is_missing(value):
            html = macros().foreign(html, col.lang)
        return str(html)

    return show


def _classes(table: Table, shown: list[Column], cells: pd.DataFrame) -> pd.DataFrame:
    data = table.data.reset_index(drop=True)
    classes = pd.DataFrame("", index=cells.index, columns=cells.columns)
    for i, col in enumerate(shown):
        base = "num" if col.numeric else f"kind-{col.kind}"
        tone = data[col.tone].fillna("") if col.tone else ""
        empty = cells[i].map(lambda v, c=col: is_missing(v[0] if c.year is not None else v))
        missing = empty.map({True: " missing", False: ""})
        classes[i] = (base + (" " + tone if col.tone else "") + missing).str.strip()
    return classes


def _header(table: Table, shown: list[Column]) -> tuple[pd.Index, dict]:
    """The display frame's columns (positions, under their group where there are groups) and
    format_index arguments for each header level: labels escaped, group notes in small print."""
    labels = [str(escape(c.label)) for c in shown]
    if not any(c.group for c in shown):
        return pd.Index(range(len(shown))), {0: labels.__getitem__}
    tops = []
    for col in shown:
        top = col.group or ""
        note = table.group_notes.get(top)
        tops.append(str(macros().group_label(top, note)) if note else str(escape(top)))
    columns = pd.MultiIndex.from_arrays([tops, range(len(shown))])
    return columns, {0: str, 1: labels.__getitem__}


def table_html(table: Table) -> Markup:
    """The table's <table> (with its own small <style> for alignment)."""
    shown = shown_columns(table)
    cells = cell_values(table, shown)
    columns, header_format = _header(table, shown)
    classes = _classes(table, shown, cells)
    cells.columns = classes.columns = columns
    styler = Styler(cells, uuid=table.key, cell_ids=False)
    for i, col in enumerate(shown):
        styler = styler.format(formatter(col, table.lang), subset=[columns[i]])
    styler = styler.set_td_classes(classes).hide(axis="index")
    for level, fmt in header_format.items():
        styler = styler.format_index(fmt, axis=1, level=level)
    last = f"level{len(header_format) - 1}"
    styles = [
        {"selector": f"th.col_heading.{last}.col{i}", "props": "text-align: right;"}
        for i, col in enumerate(shown)
        if col.numeric
    ]
    if len(header_format) > 1:
        styles.append({"selector": "th.col_heading.level0", "props": "text-align: center;"})
        starts = [
            i for i, c in enumerate(shown) if c.group and (i == 0 or shown[i - 1].group != c.group)
        ]
        styles += [
            {"selector": f"td.col{i}, th.col_heading.level1.col{i}", "props": GROUP_BORDER}
            for i in starts
        ]
    styler = styler.set_table_styles(styles)
    css = " ".join(x for x in ("data", table.css) if x)
    styler = styler.set_table_attributes(f'class="{css}"')
    return Markup(styler.to_html())
