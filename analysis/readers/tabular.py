"""Reading raw tables into string frames, keeping each record's line number and losing nothing.

Records that cannot be read as data (wrong field count, bytes that are not UTF-8) do not stop the
run: they come back as quarantine records naming the file, the line and what was wrong.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import SourceFileError

ROW = "_row"  # physical line (CSV) or sheet row (Excel) of a record; the header is row 1
QUARANTINE_COLUMNS = [
    "source",
    "district_code",
    "file",
    "row",
    "column",
    "district_raw",
    "year",
    "indicator",
    "raw_value",
    "reason_code",
    "reason",
]


@dataclass
class RawTable:
    """A file's records as text, plus what could not be read and what was skipped by design."""

    relpath: str
    frame: pd.DataFrame
    rejected: list[dict] = field(default_factory=list)
    blank_rows: int = 0
    out_of_scope_rows: int = 0
    # column -> float per record where the file typed the cell as a number (Excel), else NaN
    numeric: dict[str, pd.Series] = field(default_factory=dict)

    @property
    def data_rows(self) -> int:
        return len(self.frame) + len(self.rejected) + self.out_of_scope_rows

    def require(self, columns: list[str]) -> None:
        missing = [c for c in columns if c not in self.frame.columns]
        if missing:
            names = [c for c in self.frame.columns if c != ROW]
            have = ", ".join(repr(c) for c in names)
            hint = self._header_hint(missing, names)
            raise SourceFileError(
                f"{self.relpath}: missing column(s) {', '.join(repr(c) for c in missing)}. "
                f"The file has: {have}. Fix the header or the column mapping.{hint}"
            )

    def _header_hint(self, missing: list[str], names: list[str]) -> str:
        """Where the header is probably wrong: column names found on a later row (a title row
        or merged header cells above them), or empty names in the header."""
        wanted = {c.strip() for c in missing}
        rows = [
            (r[ROW], {str(v).strip() for k, v in r.items() if k != ROW})
            for _, r in self.frame.head(5).iterrows()
        ]
        rows += [(r["row"], r["raw_value"]) for r in self.rejected[:5]]  # ragged lines: text
        for row, cells in sorted(rows, key=lambda x: x[0]):
            if all(w in cells for w in wanted):
                return (
                    f" The column names are on row {row}: the header spans several rows "
                    f"(merged cells or a title); set `header_row: {row}` under `file:`."
                )
        if any(not c or c.startswith("Unnamed") for c in names):
            return (
                " The header has empty names: if it spans two rows (merged cells), set "
                "`header_row:` to the row that holds the column names."
            )
        return ""

    def drop_out_of_scope(self, mask: pd.Series) -> None:
        """Drop records that are not district data by design (province totals, hospitals…)."""
        self.out_of_scope_rows += int(mask.sum())
        self.frame = self.frame.loc[~mask].reset_index(drop=True)


def reject(relpath: str, row: int, reason_code: str, reason: str, raw: str = "", **extra) -> dict:
    record = dict.fromkeys(QUARANTINE_COLUMNS, "")
    record.update(file=relpath, row=row, raw_value=raw, reason_code=reason_code, reason=reason)
    record.update(extra)
    return record


def _decode(data: bytes, relpath: str) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        note = (
            f"{relpath}: not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); "
            "lines with undecodable bytes are quarantined. Save the file as UTF-8."
        )
        return data.decode("utf-8-sig", errors="surrogateescape"), note


def read_delimited(path: Path, relpath: str, sep: str = ",") -> RawTable:
    """Read a CSV/semicolon file as text. Blank records are counted, ragged ones quarantined."""
    if not path.exists():
        raise SourceFileError(f"{relpath}: file not found at {path}")
    text, _note = _decode(path.read_bytes(), relpath)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceFileError(f"{relpath}: the file is empty (no header row)") from None
    except csv.Error as exc:
        raise SourceFileError(f"{relpath}, row 1: cannot read the header ({exc})") from None
    header = [h.strip() for h in header]
    # Some exports end every line with the separator: an unnamed empty last column.
    trailing_empty = len(header) > 1 and header[-1] == ""
    if trailing_empty:
        header = header[:-1]
    table = RawTable(relpath, pd.DataFrame())
    records, rows = [], []
    line_after = reader.line_num
    while True:
        start = line_after + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            line_after = reader.line_num
            table.rejected.append(
                reject(relpath, start, "malformed_row", f"unreadable CSV record: {exc}")
            )
            continue
        line_after = reader.line_num
        if trailing_empty and len(record) == len(header) + 1 and record[-1].strip() == "":
            record = record[:-1]
        if not any(cell.strip() for cell in record):
            table.blank_rows += 1
            continue
        raw_line = sep.join(record)
        if any("\udc80" <= ch <= "\udcff" for ch in raw_line):
            shown = raw_line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            table.rejected.append(
                reject(
                    relpath,
                    start,
                    "not_utf8",
                    "line holds bytes that are not UTF-8; save the file as UTF-8",
                    raw=shown,
                )
            )
            continue
        if len(record) != len(header):
            table.rejected.append(
                reject(
                    relpath,
                    start,
                    "malformed_row",
                    f"{len(record)} fields where the header has {len(header)} "
                    f"(separator {sep!r}); check quoting and separators on this line",
                    raw=raw_line,
                )
            )
            continue
        records.append(record)
        rows.append(start)
    frame = pd.DataFrame(records, columns=header, dtype=str)
    frame[ROW] = rows
    table.frame = frame
    return table


def read_excel_sheet(path: Path, relpath: str, sheet: str | int = 0) -> RawTable:
    """Read one sheet as text; ROW is the spreadsheet row number (header = 1)."""
    if not path.exists():
        raise SourceFileError(f"{relpath}: file not found at {path}")
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SourceFileError(f"{relpath}: cannot read sheet {sheet!r}: {exc}") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("")
    blank = frame.apply(lambda col: col.str.strip() == "").all(axis=1)
    frame[ROW] = range(2, len(frame) + 2)
    table = RawTable(relpath, frame.loc[~blank].reset_index(drop=True), blank_rows=int(blank.sum()))
    return table


def read_json_records(path: Path, relpath: str) -> RawTable:
    """A JSON array of flat objects; ROW is the 1-based position in the array."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceFileError(f"{relpath}: cannot read JSON: {exc}") from exc
    frame = pd.DataFrame(records).astype(str)
    frame[ROW] = range(1, len(frame) + 1)
    return RawTable(relpath, frame)


def problems_of(table: RawTable, file: str) -> list[dict]:
    """The records a reader could not read, as problem rows (file, row, column, value, reason)
    for the small user tables (SPM, kecamatan) that report problems instead of quarantining."""
    return [
        {
            "file": file,
            "row": r["row"],
            "column": "",
            "value": r["raw_value"],
            "reason": r["reason"],
        }
        for r in table.rejected
    ]


def read_any(path: Path, relpath: str, sep: str = ",", sheet: str | int = 0) -> RawTable:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return read_excel_sheet(path, relpath, sheet)
    if suffix == ".json":
        return read_json_records(path, relpath)
    return read_delimited(path, relpath, sep)
