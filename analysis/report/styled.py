"""A `Table` as HTML through pandas' Styler: numbers formatted only here, in the table's
language ('1.234,5' in id), missing values said plainly, every text escaped, numeric columns
right-aligned, a spanner over each group of columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from markupsafe import Markup, escape
from pandas.io.formats.style import Styler

from analysis.i18n import fmt_number
from analysis.report.model import Column, Table
from analysis.report.templating import macros

MISSING = "–"
GROUP_BORDER = "border-left: 2px solid #d9e0e5;"  # where a group of columns starts


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, tuple):
        return all(_missing(v) for v in value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _number(value: Any, col: Column, lang: str) -> str:
    if col.kind == "year":
        return str(int(value))
    digits = 0 if col.kind == "integer" else col.digits
    text = fmt_number(float(value) * col.scale, lang, digits, col.signed)
    return f"{text} %" if col.kind == "percent" else text


def formatter(col: Column, lang: str) -> Callable[[Any], str]:
    """value (or (low, high), or (value, year)) -> the cell's HTML."""
    missing = str(escape(col.missing or MISSING))
    if col.lang and col.lang != lang:  # text quoted in another language says so (lang="…")
        shown = formatter(Column(**{**col.__dict__, "lang": None}), lang)
        return lambda value: (
            missing if _missing(value) else str(macros().foreign(Markup(shown(value)), col.lang))
        )

    def show(value: Any) -> str:
        if _missing(value[0] if col.year is not None else value):
            return missing
        if col.kind == "interval":
            low, high = value
            return f"{_number(low, col, lang)} … {_number(high, col, lang)}"
        if col.year is not None:
            value, year = value
            if _missing(value):
                return missing
            shown = _number(value, col, lang)
            return shown if _missing(year) else f"{shown} ({int(year)})"
        if col.kind == "status":
            return str(macros().status(str(value), (col.labels or {}).get(value, str(value))))
        if col.kind == "check":
            return "✓" if value else MISSING
        if col.numeric:
            return _number(value, col, lang)
        if col.labels is not None:
            value = col.labels.get(value, value)
        return str(escape(value))

    return show


def _cells(table: Table, shown: list[Column]) -> pd.DataFrame:
    """One display column per Column: the value, or a tuple where a cell shows two values."""
    data = table.data.reset_index(drop=True)
    out = {}
    for i, col in enumerate(shown):
        if col.kind == "interval":
            out[i] = list(zip(data[col.name], data[col.high], strict=True))
        elif col.year is not None:
            out[i] = list(zip(data[col.name], data[col.year], strict=True))
        else:
            out[i] = data[col.name].tolist()
        out[i] = pd.Series(out[i], dtype=object)
    return pd.DataFrame(out)


def _classes(table: Table, shown: list[Column], cells: pd.DataFrame) -> pd.DataFrame:
    data = table.data.reset_index(drop=True)
    classes = pd.DataFrame("", index=cells.index, columns=cells.columns)
    for i, col in enumerate(shown):
        base = "num" if col.numeric else f"kind-{col.kind}"
        tone = data[col.tone].fillna("") if col.tone else ""
        empty = cells[i].map(lambda v, c=col: _missing(v[0] if c.year is not None else v))
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
    shown = [c for c in table.columns if not c.export_only]
    cells = _cells(table, shown)
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
