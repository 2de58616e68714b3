"""A filled plan's cells as written, from XLSX or CSV, with the row numbers a spreadsheet shows."""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from analysis.errors import AnalysisError
from analysis.i18n import t

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


class FollowupFileError(AnalysisError, ValueError):
    """A filled plan cannot be read at all; the message names the file and what to do."""

    def __init__(self, path: Path | str, problem: str):
        self.path = str(path)
        super().__init__(f"{path}: {problem}")


@dataclass(frozen=True)
class RawTable:
    """headers: row 1 as written. rows: (spreadsheet row number, cells) for every row with
    something in it. properties: the workbook's custom document properties."""

    headers: list[Any]
    rows: list[tuple[int, list[Any]]]
    properties: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def letter(position: int) -> str:
        return get_column_letter(position + 1)


def read_table(path: Path) -> RawTable:
    if not path.is_file():
        raise FollowupFileError(path, "no such file: check the path")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_xlsx(path)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path)
    raise FollowupFileError(
        path, f"cannot read {suffix or 'a file without extension'}: save the plan as .xlsx or .csv"
    )


def _read_xlsx(path: Path) -> RawTable:
    try:
        book = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FollowupFileError(
            path, f"cannot be read as an Excel workbook ({exc}): open it in Excel and save as .xlsx"
        ) from None
    sheet = _plan_sheet(book)
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    props = {p.name: str(p.value) for p in book.custom_doc_props.props}
    if not lines:
        raise FollowupFileError(path, f"sheet {sheet.title!r} is empty: fill in the plan's sheet")
    return RawTable(_trim(lines[0]), _non_empty(lines[1:]), props)


def _plan_sheet(book):
    """The plan's sheet by name (either language), else the first visible sheet."""
    names = {t("fu_sheet_plan", lang).casefold() for lang in ("id", "en")}
    for ws in book.worksheets:
        if ws.title.casefold() in names:
            return ws
    return next(ws for ws in book.worksheets if ws.sheet_state == "visible")


def _read_csv(path: Path) -> RawTable:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise FollowupFileError(
            path, f"cannot be read as UTF-8 text ({exc}): save it as CSV UTF-8"
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    lines = []
    for cells in reader:
        lines.append((reader.line_num, [c if c.strip() else None for c in cells]))
    if not lines:
        raise FollowupFileError(path, "is empty: it needs the plan's header row and rows")
    rows = [(n, cells) for n, cells in lines[1:] if any(c is not None for c in cells)]
    return RawTable(_trim(lines[0][1]), rows)


def _non_empty(lines: list[list[Any]]) -> list[tuple[int, list[Any]]]:
    out = []
    for number, cells in enumerate(lines, start=2):
        if any(not (c is None or (isinstance(c, str) and not c.strip())) for c in cells):
            out.append((number, cells))
    return out


def _trim(headers: list[Any]) -> list[Any]:
    while headers and (headers[-1] is None or not str(headers[-1]).strip()):
        headers = headers[:-1]
    return headers
