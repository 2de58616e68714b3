"""The deterministic XLSX writer: same bytes for same inputs, typed cells, drop-downs, frozen
header."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from analysis.workbook import LISTS_SHEET, Column, Sheet, write_xlsx

STATUSES = ["belum mulai", "berjalan", "selesai", "terhambat"]
LONG_LIST = [f"Dinas nomor {i}, bidang {i}" for i in range(20)]  # commas and > 255 characters


@pytest.fixture(scope="module")
def sheets() -> list[Sheet]:
    frame = pd.DataFrame(
        {
            "district": ["Kabupaten Serang", "Kota Serang", "Kabupaten Lebak"],
            "value": [41.84, float("nan"), 1234.5],
            "year": pd.array([2022, None, 2023], dtype="Int64"),
            "deadline": pd.to_datetime(["2026-03-31", None, "2026-06-30"]),
            "status": ["belum mulai", "selesai", None],
            "agency": [LONG_LIST[0], LONG_LIST[3], ""],
            "note": ["=> tanya Dinkes", "", "ok"],
        }
    )
    columns = [
        Column("district", "Kab/kota"),
        Column("value", "Nilai (%)", number_format="#,##0.0"),
        Column("year", "Tahun"),
        Column("deadline", "Tenggat", number_format="dd/mm/yyyy", error="Tulis tanggal"),
        Column("status", "Status", choices=STATUSES, error="Pilih dari daftar"),
        Column("agency", "OPD", choices=LONG_LIST, width=30),
        Column("note", "Catatan"),
    ]
    other = pd.DataFrame({"key": ["data version"], "value": ["abc123"]})
    return [Sheet("rencana", frame, columns, blank_rows=5), Sheet("keterangan", other)]


@pytest.fixture(scope="module")
def book_bytes(sheets) -> bytes:
    return write_xlsx(
        sheets, timestamp="2026-11-20T08:15:00", properties={"data_version": "abc123"}
    )


@pytest.fixture(scope="module")
def book(book_bytes):
    return openpyxl.load_workbook(io.BytesIO(book_bytes))


def test_same_inputs_give_the_same_bytes(sheets, book_bytes):
    again = write_xlsx(
        sheets, timestamp="2026-11-20T08:15:00", properties={"data_version": "abc123"}
    )
    assert again == book_bytes
    later = write_xlsx(
        sheets, timestamp="2026-11-21T08:15:00", properties={"data_version": "abc123"}
    )
    assert later != book_bytes  # the given timestamp, not the clock, dates the file


def test_every_date_in_the_file_comes_from_the_timestamp(book_bytes, book):
    with zipfile.ZipFile(io.BytesIO(book_bytes)) as archive:
        assert archive.testzip() is None  # every entry reads back whole
        entries = archive.infolist()
        core = archive.read("docProps/core.xml").decode()
    stamps = {(e.date_time, e.create_system, e.external_attr >> 16) for e in entries}
    assert stamps == {((2026, 11, 20, 8, 15, 0), 3, 0o644)}
    # each entry's local header carries the date too (8:15 -> DOS time 8 << 11 | 15 << 5)
    local = {struct.unpack_from("<HH", book_bytes, e.header_offset + 10) for e in entries}
    assert local == {(8 << 11 | 15 << 5, (2026 - 1980) << 9 | 11 << 5 | 20)}
    assert re.findall(r"<dcterms:\w+ [^>]*>([^<]+)<", core) == ["2026-11-20T08:15:00Z"] * 2
    assert book.properties.created == datetime(2026, 11, 20, 8, 15)
    assert book.properties.modified == datetime(2026, 11, 20, 8, 15)
    assert {p.name: p.value for p in book.custom_doc_props.props} == {"data_version": "abc123"}


def test_numbers_stay_numbers_and_dates_dates(book):
    ws = book["rencana"]
    assert [c.value for c in ws[1]] == [
        "Kab/kota",
        "Nilai (%)",
        "Tahun",
        "Tenggat",
        "Status",
        "OPD",
        "Catatan",
    ]
    value, year, deadline = ws["B2"], ws["C2"], ws["D2"]
    assert value.data_type == "n" and value.value == pytest.approx(41.84)
    assert value.number_format == "#,##0.0"
    assert ws["B4"].value == pytest.approx(1234.5)
    assert year.data_type == "n" and year.value == 2022 and isinstance(year.value, int)
    assert deadline.is_date and deadline.value.date() == date(2026, 3, 31)
    assert deadline.number_format == "dd/mm/yyyy"
    assert ws["B3"].value is None and ws["C3"].value is None and ws["D3"].value is None
    note = ws["G2"]
    assert note.data_type == "s" and note.value == "=> tanya Dinkes"  # text, not a formula
    assert ws["G3"].value is None  # empty text: an empty cell


def test_status_drop_down_covers_the_rows_and_blank_rows(book):
    ws = book["rencana"]
    checks = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    status = checks["E2:E9"]  # 3 rows + 5 blank rows below
    assert status.type == "list"
    assert status.formula1 == '"belum mulai,berjalan,selesai,terhambat"'
    assert status.showErrorMessage and status.error == "Pilih dari daftar"
    assert checks["D2:D9"].type == "date"


def test_long_lists_live_on_a_hidden_sheet(book):
    ws = book["rencana"]
    agency = next(v for v in ws.data_validations.dataValidation if str(v.sqref) == "F2:F9")
    assert agency.formula1 == f"'{LISTS_SHEET}'!$A$1:$A${len(LONG_LIST)}"
    lists = book[LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert [c.value for c in lists["A"]] == LONG_LIST
    assert book.sheetnames == ["rencana", "keterangan", LISTS_SHEET]


def test_header_row_is_frozen_and_bold_with_widths(book):
    ws = book["rencana"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert shown_width(ws, "F") == pytest.approx(30, abs=0.05)
    assert shown_width(ws, "A") == pytest.approx(len("Kabupaten Serang") + 2, abs=0.05)  # fitted


def shown_width(ws, letter: str) -> float:
    """The width Excel shows for a column, in characters: the stored width holds 5 pixels of
    cell padding too, in units of a 7-pixel digit (Calibri 11)."""
    return (ws.column_dimensions[letter].width * 7 - 5) / 7


def test_printing_fits_every_column_on_the_page_width(book):
    ws = book["rencana"]
    assert ws.page_setup.orientation == "landscape"  # 7 columns
    # fitToWidth left out is the schema's default: one page wide
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == "$1:$1"
    assert book["keterangan"].page_setup.orientation == "portrait"


def test_inferred_columns_when_no_specs_are_given(book):
    ws = book["keterangan"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["key", "value"],
        ["data version", "abc123"],
    ]


@pytest.mark.parametrize("name", ["", "a" * 32, "a/b", LISTS_SHEET])
def test_bad_sheet_names_are_refused(name):
    with pytest.raises(ValueError, match="sheet name"):
        write_xlsx(Sheet(name, pd.DataFrame({"a": [1]})), timestamp="2026-01-01")


def test_two_sheets_with_one_name_are_refused():
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="must differ"):
        write_xlsx([Sheet("Data", frame), Sheet("data", frame)], timestamp="2026-01-01")


def test_a_column_spec_must_name_a_frame_column():
    with pytest.raises(KeyError, match="not in the frame"):
        write_xlsx(Sheet("x", pd.DataFrame({"a": [1]}), [Column("b")]), timestamp=date(2026, 1, 1))
