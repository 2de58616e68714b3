"""Deterministic XLSX files from DataFrames: every table download and the follow-up plan.

    write_xlsx([Sheet("peringkat", frame, columns=[...])], timestamp=data_date) -> bytes

What it guarantees:
- Same inputs -> same bytes. The document's created/modified dates come from `timestamp` (pass the
  data version's date, never "now"), every zip entry carries that date too, entries are written in
  a fixed order with fixed permissions, and sheets, columns and lists keep the order given.
- Numbers stay numbers (formatted by a number format, never turned into text), dates are Excel
  dates, missing values are empty cells, text that starts with "=" stays text (no formula).
- Each sheet: a bold header row that stays frozen while scrolling, column widths, optional
  drop-down lists (data validation) and date checks that also cover `blank_rows` empty rows below
  the data, for the rows a user adds. Printed on A4, all columns fit the page width and the
  header repeats on every page.

Written by XlsxWriter (in memory, no temporary files; openpyxl, which reads the files back,
took ten times longer to write one). Excel shows the separators of the reader's own locale: the
format "#,##0.0" displays 1.234,5 in an Indonesian Excel and 1,234.5 in an English one, so one
file serves both languages.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from analysis.ooxml import as_utc, restamp_zip

Kind = Literal["text", "number", "integer", "date", "bool"]

DEFAULT_FORMATS = {"integer": "0", "number": "General", "date": "yyyy-mm-dd"}
HEADER_FILL = "#DDE3E8"
LISTS_SHEET = "_lists"  # hidden sheet holding drop-down lists too long to write inline
INLINE_LIST_MAX = 255  # Excel's limit for a list written in the validation itself
EARLIEST_DATE = date(2000, 1, 1)
MAX_WIDTH = 60.0
FORBIDDEN_IN_SHEET_NAME = set("[]:*?/\\")
A4 = 9  # Excel's paper size code
BOOK_OPTIONS = {
    "in_memory": True,  # no temporary files
    "strings_to_formulas": False,  # a note like "=> ask Dinkes" is text, not a formula
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}


@dataclass(frozen=True)
class Column:
    """How one DataFrame column appears in the sheet.

    key: the DataFrame column. header: the label in row 1 (default: key). kind: text, number,
    integer, date or bool (default: inferred from the dtype). number_format: an Excel format
    ("0.0", "#,##0", "0.0%", "dd/mm/yyyy"; default by kind). width: in characters, as Excel
    shows it (default: fit the header and values, at most 60). choices: a drop-down list; the
    cell accepts only these. error: the message Excel shows when a typed value is not in
    `choices` or not a date.
    """

    key: str
    header: str | None = None
    kind: Kind | None = None
    number_format: str | None = None
    width: float | None = None
    choices: Sequence[str] | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        return self.header if self.header is not None else self.key


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a DataFrame, how its columns look (default: every column, inferred),
    and how many empty rows below the data keep the formats, drop-downs and date checks."""

    name: str
    frame: pd.DataFrame
    columns: Sequence[Column] = field(default_factory=tuple)
    blank_rows: int = 0
    freeze_header: bool = True
    hidden: bool = False
    landscape: bool | None = None  # printing; default: landscape when more than 6 columns


def write_xlsx(
    sheets: Sheet | Sequence[Sheet],
    *,
    timestamp: datetime | date | str,
    title: str | None = None,
    creator: str = "analysis",
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """The workbook's bytes, identical for identical inputs.

    timestamp: the document's created and modified date (a datetime, date or ISO text; naive
    means UTC), e.g. the data version's build date. properties: custom document properties
    (data version, district, parameters) kept in the given order; Excel shows them under
    File > Info > Properties, and `openpyxl.load_workbook(...).custom_doc_props` reads them.
    """
    sheets = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    _check_names(sheets)
    when = as_utc(timestamp)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, BOOK_OPTIONS)
    book.set_properties({"author": creator, "created": when} | ({"title": title} if title else {}))
    for name, value in (properties or {}).items():
        book.set_custom_property(str(name), str(value), "text")
    styles = _Styles(book)
    lists: list[tuple[str, ...]] = []
    for sheet in sheets:
        _write_sheet(book, sheet, lists, styles)
    if lists:
        _write_lists(book, lists)
    book.close()
    return restamp_zip(buffer.getvalue(), when)


def columns_for(frame: pd.DataFrame, columns: Sequence[Column] = ()) -> list[Column]:
    """The columns as they will be written: the given specs with kind and width filled in, or
    one inferred spec per frame column when none are given."""
    specs = list(columns) or [Column(str(c)) for c in frame.columns]
    values = _by_key(frame)
    missing = [c.key for c in specs if c.key not in values]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame (it has {list(frame.columns)})")
    out = []
    for spec in specs:
        kind = spec.kind or _infer_kind(values[spec.key])
        fmt = spec.number_format or DEFAULT_FORMATS.get(kind)
        width = spec.width or _fit_width(spec.label, values[spec.key])
        out.append(
            Column(spec.key, spec.label, kind, fmt, width, spec.choices, spec.error),
        )
    return out


def _by_key(frame: pd.DataFrame) -> dict[Any, pd.Series]:
    """The frame's columns by key, looked up once (a lookup by label costs more)."""
    return dict(frame.items())


class _Styles:
    """The workbook's cell formats, one per combination (XlsxWriter wants each made once)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.book = book
        self.header = book.add_format(
            {"bold": True, "pattern": 1, "bg_color": HEADER_FILL, "text_wrap": True}
        )
        self.header.set_align("top")
        self.made: dict[tuple[str | None, bool], Format | None] = {}

    def cell(self, number_format: str | None, text: bool) -> Format | None:
        key = (number_format, text)
        if key not in self.made:
            spec: dict[str, Any] = {"num_format": number_format} if number_format else {}
            if text:
                spec["valign"] = "top"
            self.made[key] = self.book.add_format(spec) if spec else None
        return self.made[key]


# -- one sheet ---------------------------------------------------------------------------------
def _write_sheet(
    book: xlsxwriter.Workbook, sheet: Sheet, lists: list[tuple[str, ...]], styles: _Styles
) -> None:
    ws = book.add_worksheet(sheet.name)
    specs = columns_for(sheet.frame, sheet.columns)
    values = _by_key(sheet.frame)
    n_rows = len(sheet.frame)
    for j, spec in enumerate(specs):
        ws.write_string(0, j, spec.label, styles.header)
        ws.set_column(j, j, spec.width)
        style = styles.cell(spec.number_format, spec.kind == "text")
        # a date in a column of another kind still shows as a date
        dates = style if spec.kind == "date" else styles.cell(DEFAULT_FORMATS["date"], False)
        for i, raw in enumerate(values[spec.key].tolist(), start=1):
            _put(ws, i, j, _cell_value(raw, spec.kind), style, dates)
        if spec.number_format:
            blank = styles.cell(spec.number_format, False)
            for i in range(n_rows + 1, n_rows + 1 + sheet.blank_rows):
                ws.write_blank(i, j, None, blank)
    last_row = n_rows + sheet.blank_rows  # zero-based: the header is row 0
    for j, spec in enumerate(specs):
        _validate(ws, j, spec, last_row, lists)
    if sheet.freeze_header:
        ws.freeze_panes(1, 0)
    _print_setup(ws, sheet, len(specs))
    if sheet.hidden:
        ws.hide()


def _print_setup(ws: Worksheet, sheet: Sheet, n_columns: int) -> None:
    """Printed on A4: every column on the page width (never cut), header row on each page."""
    landscape = sheet.landscape if sheet.landscape is not None else n_columns > 6
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _put(
    ws: Worksheet, row: int, col: int, value: Any, style: Format | None, dates: Format | None
) -> None:
    """One typed cell (a missing value or empty text stays an empty cell); text is never a
    formula."""
    if value is None or value == "":
        return
    if isinstance(value, str):
        ws.write_string(row, col, value, style)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, style)
    elif isinstance(value, (int, float)):
        ws.write_number(row, col, value, style)
    else:
        ws.write_datetime(row, col, value, dates)


def _validate(
    ws: Worksheet, col: int, spec: Column, last_row: int, lists: list[tuple[str, ...]]
) -> None:
    if last_row < 1 or not (spec.choices or spec.kind == "date"):
        return
    if spec.choices:
        check: dict[str, Any] = {
            "validate": "list",
            "source": _list_source(spec.choices, lists),
        }
    else:
        check = {"validate": "date", "criteria": ">=", "value": EARLIEST_DATE}
    check["ignore_blank"] = True
    check["show_error"] = True
    if spec.error:
        check["error_message"] = spec.error[:255]
        check["error_title"] = spec.label[:32]
    if ws.data_validation(1, col, last_row, col, check) != 0:
        raise ValueError(f"column {spec.label!r}: Excel cannot hold this check ({check})")


def _list_source(choices: Sequence[str], lists: list[tuple[str, ...]]) -> list[str] | str:
    """The items themselves when they fit inline, otherwise a range of the hidden lists sheet."""
    items = tuple(str(c) for c in choices)
    inline = ",".join(items)
    fits = len(inline.encode("utf-16-le")) // 2 <= INLINE_LIST_MAX
    if fits and not any("," in c or '"' in c for c in items):
        return list(items)
    if items not in lists:
        lists.append(items)
    letter = xl_col_to_name(lists.index(items))
    return f"='{LISTS_SHEET}'!${letter}$1:${letter}${len(items)}"


def _write_lists(book: xlsxwriter.Workbook, lists: list[tuple[str, ...]]) -> None:
    ws = book.add_worksheet(LISTS_SHEET)
    for j, items in enumerate(lists):
        for i, item in enumerate(items):
            ws.write_string(i, j, item)
    ws.hide()


# -- values ------------------------------------------------------------------------------------
def _infer_kind(series: pd.Series) -> Kind:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    if isinstance(dtype, pd.StringDtype):  # strings only: no date to look for
        return "text"
    present = series.dropna()
    if len(present) and all(isinstance(v, date) for v in present):
        return "date"
    return "text"


def _cell_value(value: Any, kind: Kind) -> Any:
    """A Python value openpyxl writes natively; None for anything missing."""
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if kind == "date" and isinstance(value, datetime) and value.time() == time(0):
        return value.date()
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float, bool, date, str)):
        return value
    return str(value)


def _fit_width(header: str, series: pd.Series) -> float:
    texts = [header, *(str(v) for v in series.head(200).tolist() if _cell_value(v, "text"))]
    longest = max(len(line) for text in texts for line in str(text).splitlines() or [""])
    return float(min(max(longest + 2, 6), MAX_WIDTH))


def _check_names(sheets: Sequence[Sheet]) -> None:
    names = [s.name for s in sheets]
    for name in names:
        if not name or len(name) > 31 or set(name) & FORBIDDEN_IN_SHEET_NAME:
            raise ValueError(
                f"sheet name {name!r}: Excel needs 1–31 characters without any of []:*?/\\"
            )
        if name == LISTS_SHEET:
            raise ValueError(f"sheet name {LISTS_SHEET!r} is reserved for drop-down lists")
    lowered = [n.lower() for n in names]
    if len(set(lowered)) != len(lowered):
        raise ValueError(f"sheet names must differ (Excel ignores case): {names}")
