"""Reading a district's own table (an import) as text, honouring the mapping's `file:` options.

Stricter than the public readers, because nobody has reviewed the file before:
- the declared encoding is required for the whole file (a byte that is not in it stops the
  import with the line, the column and the encoding to declare; nothing is half-read);
- every physical line is one record: an unbalanced quote sets that line aside (`malformed_quotes`)
  instead of swallowing the lines after it;
- the header is the `header_row`-th line (title rows above it are skipped), and a header with
  empty or repeated names (merged header rows) is said to be one;
- Excel: the sheet by name or index; numbers typed as numbers in a cell are taken as they are,
  whatever the text format declared for the column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from analysis.errors import SourceFileError
from analysis.readers.tabular import ROW, RawTable, reject

EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_own_table(path: Path, relpath: str, options: dict) -> RawTable:
    if not path.exists():
        raise SourceFileError(f"{relpath}: file not found at {path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SourceFileError(
            f"{relpath}: old Excel format (.xls) cannot be read; save it as .xlsx or CSV"
        )
    if suffix in EXCEL_SUFFIXES:
        return read_own_excel(
            path, relpath, options.get("sheet", 0), int(options.get("header_row", 1))
        )
    return read_own_delimited(
        path,
        relpath,
        sep=options.get("sep", ","),
        quotechar=options.get("quotechar", '"'),
        encoding=options.get("encoding", "utf-8"),
        header_row=int(options.get("header_row", 1)),
    )


def decode(data: bytes, relpath: str, encoding: str, sep: str) -> str:
    """The file's text in its declared encoding, or an error naming line, column and fix."""
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data[: exc.start].count(b"\n") + 1
        field = data[line_start : exc.start].count(sep.encode("ascii", "replace"))
        header = data.split(b"\n", 1)[0].decode(codec, "replace").rstrip("\r").split(sep)
        column = header[field].strip() if field < len(header) else f"field {field + 1}"
        raise SourceFileError(
            f"{relpath}, row {line}, column {column!r}: byte 0x{data[exc.start]:02x} is not "
            f"valid {encoding}. The file is probably saved as latin-1 / Windows-1252 (accented "
            "letters such as 'é'): add `encoding: latin-1` (or cp1252) under `file:` in the "
            "mapping, or save the table as UTF-8. Nothing was imported."
        ) from None


def _records(lines: list[str], sep: str, quotechar: str):
    """(record or None, csv error) per physical line; a quote never spans lines."""
    for line in lines:
        try:
            yield next(csv.reader([line], delimiter=sep, quotechar=quotechar, strict=True)), None
        except StopIteration:
            yield [], None
        except csv.Error as exc:
            yield None, str(exc)


def read_own_delimited(
    path: Path,
    relpath: str,
    *,
    sep: str = ",",
    quotechar: str = '"',
    encoding: str = "utf-8",
    header_row: int = 1,
) -> RawTable:
    data = path.read_bytes()
    text = decode(data, relpath, encoding, sep)
    lines = io.StringIO(text, newline=None).readlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise SourceFileError(
            f"{relpath}: the file is empty; export the table again (a header row, then one row "
            "per district)"
        )
    if header_row > len(lines):
        raise SourceFileError(
            f"{relpath}: `header_row: {header_row}` but the file has only {len(lines)} line(s)"
        )
    records = _records(lines[header_row - 1 :], sep, quotechar)
    header, error = next(records)
    if header is None:
        raise SourceFileError(
            f"{relpath}, row {header_row}: cannot read the header ({error}); fix the quotes"
        )
    header = [h.strip() for h in header]
    trailing_empty = len(header) > 1 and header[-1] == ""
    if trailing_empty:  # some exports end every line with the separator
        header = header[:-1]
    table = RawTable(relpath, pd.DataFrame())
    kept, rows = [], []
    for number, (record, error) in enumerate(records, start=header_row + 1):
        raw_line = lines[number - 1].rstrip("\n")
        if record is None:
            table.rejected.append(
                reject(
                    relpath,
                    number,
                    "malformed_quotes",
                    f"unbalanced or misplaced quote ({error}); this line alone is set aside, "
                    "the lines after it are read; fix the quotes on this line",
                    raw=raw_line,
                )
            )
            continue
        if trailing_empty and len(record) == len(header) + 1 and record[-1].strip() == "":
            record = record[:-1]
        if not any(cell.strip() for cell in record):
            table.blank_rows += 1
            continue
        if len(record) != len(header):
            table.rejected.append(
                reject(
                    relpath,
                    number,
                    "malformed_row",
                    f"{len(record)} fields where the header has {len(header)} "
                    f"(separator {sep!r}); check quoting and separators on this line",
                    raw=raw_line,
                )
            )
            continue
        kept.append(record)
        rows.append(number)
    table.frame = _frame(kept, header, rows, relpath, header_row)
    return table


def _frame(records: list, header: list[str], rows: list[int], relpath: str, header_row: int):
    check_header(header, relpath, header_row)
    frame = pd.DataFrame(records, columns=header, dtype=str)
    frame[ROW] = pd.Series(rows, dtype="int64")
    return frame


def check_header(header: list[str], relpath: str, header_row: int) -> None:
    """A header with repeated names cannot be mapped unambiguously: refuse it, and say that
    merged header cells (two header rows) are the usual cause."""
    seen: dict[str, int] = {}
    for i, name in enumerate(header, start=1):
        if name and name in seen:
            raise SourceFileError(
                f"{relpath}, row {header_row}: column name {name!r} appears twice (columns "
                f"{seen[name]} and {i}); rename one. If the header spans two rows (merged "
                "cells), set `header_row:` under `file:` to the row holding the column names."
            )
        seen[name] = i


def read_own_excel(path: Path, relpath: str, sheet: int | str, header_row: int) -> RawTable:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise SourceFileError(
            f"{relpath}: cannot open the workbook ({type(exc).__name__}: {exc}); open it in a "
            "spreadsheet program and save it again as .xlsx, or export CSV"
        ) from None
    names = book.sheetnames
    listed = ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))
    if isinstance(sheet, int) and sheet >= len(names):
        raise SourceFileError(
            f"{relpath}: there is no sheet {sheet} (counting from 0); the workbook has "
            f"{listed}. Set `sheet:` under `file:` to one of these names or numbers."
        )
    if isinstance(sheet, str) and sheet not in names:
        raise SourceFileError(
            f"{relpath}: there is no sheet named {sheet!r}; the workbook has {listed}. "
            "Set `sheet:` under `file:` to one of these names or numbers."
        )
    ws = book[names[sheet] if isinstance(sheet, int) else sheet]
    cells = list(ws.iter_rows(min_row=1, values_only=True))
    book.close()
    while cells and all(_blank(c) for c in cells[-1]):
        cells.pop()
    if len(cells) < header_row:
        raise SourceFileError(
            f"{relpath}, sheet {ws.title!r}: no header at row {header_row} (the sheet has "
            f"{len(cells)} non-empty row(s))"
        )
    header = ["" if _blank(c) else str(c).strip() for c in cells[header_row - 1]]
    while len(header) > 1 and header[-1] == "":
        header.pop()
    width = len(header)
    table = RawTable(f"{relpath} [{ws.title}]", pd.DataFrame())
    kept, numeric, rows = [], [], []
    for number, row in enumerate(cells[header_row:], start=header_row + 1):
        row = tuple(row[:width]) + (None,) * max(0, width - len(row))
        if all(_blank(c) for c in row):
            table.blank_rows += 1
            continue
        kept.append(["" if _blank(c) else _text(c) for c in row])
        numeric.append([_number(c) for c in row])
        rows.append(number)
    table.frame = _frame(kept, header, rows, relpath, header_row)
    typed = pd.DataFrame(numeric, columns=header, dtype=float)
    table.numeric = {c: typed[c] for c in header if c and typed[c].notna().any()}
    return table


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _text(cell) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def _number(cell) -> float:
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return float("nan")
    return float(cell)
