"""A table's cells as the reader sees them, in plain text: numbers in the table's language
('1.234,5' in id, '1,234.5' in en), a value with its year ('73,3 (2023)'), an interval
('0,09 … 0,30'), codes as labels, a missing value as the column says. The HTML page
(analysis.report.styled) and any other writer (Word, slides, PDF) format cells here, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analysis.i18n import fmt_number
from analysis.report.model import Column, Table

MISSING = "–"
CHECK = "✓"
# how wide a column prints, in units of a number column; a table wider than WIDE_TABLE units
# goes on a landscape page (PDF, Word)
COLUMN_WIDTH = {"text": 2.2, "status": 1.6, "interval": 1.7, "check": 0.5, "year": 0.7}
WIDE_TABLE = 16.0
WRITING_ROOM = 22  # characters of room in a column left empty to be filled in (a plan)


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, tuple):
        return all(is_missing(v) for v in value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def number_text(value: Any, col: Column, lang: str) -> str:
    if col.kind == "year":
        return str(int(value))
    digits = 0 if col.kind == "integer" else col.digits
    text = fmt_number(float(value) * col.scale, lang, digits, col.signed)
    return f"{text} %" if col.kind == "percent" else text


def cell_text(col: Column, lang: str) -> Callable[[Any], str]:
    """value -> text; the value of an interval column is (low, high), of a column with a year
    (value, year) (see `cell_values`)."""
    missing = col.missing or MISSING

    def show(value: Any) -> str:
        if is_missing(value[0] if col.year is not None else value):
            return missing
        if col.kind == "interval":
            low, high = value
            return f"{number_text(low, col, lang)} … {number_text(high, col, lang)}"
        if col.year is not None:
            value, year = value
            shown = number_text(value, col, lang)
            if is_missing(year):
                return shown
            return f"{shown} ({year if isinstance(year, str) else int(year)})"
        if col.kind == "check":
            return CHECK if value else MISSING
        if col.numeric:
            return number_text(value, col, lang)
        if col.labels is not None:
            return str(col.labels.get(value, value))
        return str(value)

    return show


def shown_columns(table: Table) -> list[Column]:
    """The columns a page shows (not those only in the downloads)."""
    return [c for c in table.columns if not c.export_only]


def cell_columns(table: Table, shown: list[Column]) -> list[list[Any]]:
    """One list per shown Column: its values, or tuples where a cell shows two values
    (interval: (low, high), value with year: (value, year))."""
    data = table.data
    out = []
    for col in shown:
        values = data[col.name].tolist()
        if col.kind == "interval":
            values = list(zip(values, data[col.high].tolist(), strict=True))
        elif col.year is not None:
            values = list(zip(values, data[col.year].tolist(), strict=True))
        out.append(values)
    return out


def cell_values(table: Table, shown: list[Column]) -> pd.DataFrame:
    """`cell_columns` as a DataFrame, one column per shown Column (by position)."""
    values = cell_columns(table, shown)
    index = pd.RangeIndex(len(table.data))
    return pd.DataFrame(
        {i: pd.Series(v, index=index, dtype=object) for i, v in enumerate(values)}, index=index
    )


def table_text(table: Table) -> pd.DataFrame:
    """The table as the page shows it, every cell as text, headers as labels (group — label):
    what a Word, slide or PDF writer puts in its cells."""
    shown = shown_columns(table)
    values = cell_values(table, shown)
    frame = pd.DataFrame(
        {i: values[i].map(cell_text(col, table.lang)) for i, col in enumerate(shown)}
    )
    frame.columns = [f"{c.group} — {c.label}" if c.group else c.label for c in shown]
    return frame


def print_width(table: Table) -> float:
    """The table's printed width in units of a number column (a text column counts 2.2, a
    year or check column less); the writers compare it with WIDE_TABLE."""
    return sum(COLUMN_WIDTH.get(c.kind, 1.0) for c in shown_columns(table))


def is_wide(table: Table) -> bool:
    """Too wide for a portrait A4 page even in small type: printed landscape."""
    return print_width(table) > WIDE_TABLE


def column_widths(
    table: Table, text: pd.DataFrame, total: float, *, char: float, pad: float
) -> list[float]:
    """Widths of the shown columns summing to `total` (any unit; `char` is an average
    character's width and `pad` a cell's padding in that unit), from `text` (`table_text`):
    every column at least as wide as the longest word of its header and cells (the longest
    whole cell in a numeric column), so no word or number is cut; the room left shared out by
    how much text each column holds (an empty column to be filled in counts as WRITING_ROOM
    characters)."""
    least, wanted = [], []
    for i, col in enumerate(shown_columns(table)):
        cells = text.iloc[:, i].astype(str)
        pieces = [*col.label.split(), *(cells if col.numeric else " ".join(cells).split())]
        words = [len(w) for w in pieces] or [1]  # a number (an interval) is never broken
        typical = float(cells.str.len().quantile(0.8)) if len(cells) else 0.0
        empty = not col.numeric and len(cells) and not cells.str.strip().any()
        if empty:  # a column left empty to be filled in: room to write
            typical, words = WRITING_ROOM, [*words, WRITING_ROOM // 2]
        least.append(min(max(words), 18) * char + pad)
        wanted.append(max(least[-1], min(typical, 45) * char + pad))
    if sum(wanted) <= total:  # everything fits on one line: widen in proportion
        return [w * total / sum(wanted) for w in wanted]
    if sum(least) >= total:  # even the words do not fit: shrink in proportion
        return [w * total / sum(least) for w in least]
    extra = [w - m for w, m in zip(wanted, least, strict=True)]
    room = total - sum(least)
    return [m + room * e / sum(extra) for m, e in zip(least, extra, strict=True)]
