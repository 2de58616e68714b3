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

Excel shows the separators of the reader's own locale: the format "#,##0.0" displays 1.234,5 in
an Indonesian Excel and 1,234.5 in an English one, so one file serves both languages.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Literal

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from analysis.ooxml import as_utc, fixed_zip

Kind = Literal["text", "number", "integer", "date", "bool"]

DEFAULT_FORMATS = {"integer": "0", "number": "General", "date": "yyyy-mm-dd"}
HEADER_FILL = PatternFill("solid", fgColor="DDE3E8")
LISTS_SHEET = "_lists"  # hidden sheet holding drop-down lists too long to write inline
INLINE_LIST_MAX = 255  # Excel's limit for a list written in the validation itself
EARLIEST_DATE = date(2000, 1, 1)
MAX_WIDTH = 60.0
FORBIDDEN_IN_SHEET_NAME = set("[]:*?/\\")


@dataclass(frozen=True)
class Column:
    """How one DataFrame column appears in the sheet.

    key: the DataFrame column. header: the label in row 1 (default: key). kind: text, number,
    integer, date or bool (default: inferred from the dtype). number_format: an Excel format
    ("0.0", "#,##0", "0.0%", "dd/mm/yyyy"; default by kind). width: in characters (default: fit
    the header and values, at most 60). choices: a drop-down list; the cell accepts only these.
    error: the message Excel shows when a typed value is not in `choices` or not a date.
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
    book = Workbook()
    book.remove(book.active)
    lists: list[tuple[str, ...]] = []
    for sheet in sheets:
        _write_sheet(book, sheet, lists)
    if lists:
        _write_lists(book, lists)
    book.properties.creator = creator
    book.properties.lastModifiedBy = creator
    book.properties.title = title
    book.properties.created = when
    book.properties.modified = when
    for name, value in (properties or {}).items():
        book.custom_doc_props.append(StringProperty(name=str(name), value=str(value)))
    buffer = io.BytesIO()
    # ExcelWriter directly: Workbook.save() would stamp `modified` with the current time
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return fixed_zip(buffer.getvalue(), when)


def columns_for(frame: pd.DataFrame, columns: Sequence[Column] = ()) -> list[Column]:
    """The columns as they will be written: the given specs with kind and width filled in, or
    one inferred spec per frame column when none are given."""
    specs = list(columns) or [Column(str(c)) for c in frame.columns]
    missing = [c.key for c in specs if c.key not in frame.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame (it has {list(frame.columns)})")
    out = []
    for spec in specs:
        kind = spec.kind or _infer_kind(frame[spec.key])
        fmt = spec.number_format or DEFAULT_FORMATS.get(kind)
        width = spec.width or _fit_width(spec.label, frame[spec.key])
        out.append(
            Column(spec.key, spec.label, kind, fmt, width, spec.choices, spec.error),
        )
    return out


# -- one sheet ---------------------------------------------------------------------------------
def _write_sheet(book: Workbook, sheet: Sheet, lists: list[tuple[str, ...]]) -> None:
    ws = book.create_sheet(sheet.name)
    specs = columns_for(sheet.frame, sheet.columns)
    for j, spec in enumerate(specs, start=1):
        cell = ws.cell(row=1, column=j, value=spec.label)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = spec.width
    for j, spec in enumerate(specs, start=1):
        values = sheet.frame[spec.key].tolist()
        for i, raw in enumerate(values, start=2):
            _put(ws, i, j, _cell_value(raw, spec.kind), spec)
        for i in range(len(values) + 2, len(values) + 2 + sheet.blank_rows):
            if spec.number_format:
                ws.cell(row=i, column=j).number_format = spec.number_format
    last_row = len(sheet.frame) + 1 + sheet.blank_rows
    for j, spec in enumerate(specs, start=1):
        _validate(ws, j, spec, last_row, lists)
    if sheet.freeze_header:
        ws.freeze_panes = "A2"
    _print_setup(ws, sheet, len(specs))
    if sheet.hidden:
        ws.sheet_state = "hidden"


def _print_setup(ws: Worksheet, sheet: Sheet, n_columns: int) -> None:
    """Printed on A4: every column on the page width (never cut), header row on each page."""
    landscape = sheet.landscape if sheet.landscape is not None else n_columns > 6
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _put(ws: Worksheet, row: int, col: int, value: Any, spec: Column) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a note like "=> ask Dinkes" is text, not a formula
    if spec.number_format and value is not None:
        cell.number_format = spec.number_format
    if spec.kind == "text":
        cell.alignment = Alignment(wrap_text=False, vertical="top")


def _validate(
    ws: Worksheet, col: int, spec: Column, last_row: int, lists: list[tuple[str, ...]]
) -> None:
    if last_row < 2 or not (spec.choices or spec.kind == "date"):
        return
    letter = get_column_letter(col)
    if spec.choices:
        check = DataValidation(type="list", formula1=_list_formula(spec.choices, lists))
    else:
        check = DataValidation(
            type="date", operator="greaterThanOrEqual", formula1=str(_excel_serial(EARLIEST_DATE))
        )
    check.allow_blank = True
    check.showErrorMessage = True
    check.error = spec.error
    check.errorTitle = spec.label[:32] if spec.error else None
    check.add(f"{letter}2:{letter}{last_row}")
    ws.add_data_validation(check)


def _list_formula(choices: Sequence[str], lists: list[tuple[str, ...]]) -> str:
    items = tuple(str(c) for c in choices)
    inline = ",".join(items)
    if len(inline) <= INLINE_LIST_MAX and not any("," in c or '"' in c for c in items):
        return f'"{inline}"'
    if items not in lists:
        lists.append(items)
    letter = get_column_letter(lists.index(items) + 1)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(items)}"


def _write_lists(book: Workbook, lists: list[tuple[str, ...]]) -> None:
    ws = book.create_sheet(LISTS_SHEET)
    for j, items in enumerate(lists, start=1):
        for i, item in enumerate(items, start=1):
            ws.cell(row=i, column=j).value = item
            ws.cell(row=i, column=j).data_type = "s"
    ws.sheet_state = "hidden"


# -- values ------------------------------------------------------------------------------------
def _infer_kind(series: pd.Series) -> Kind:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
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


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


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
