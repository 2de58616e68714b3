"""Own data you can trust (issue 11): every bad input to `python -m analysis import` either
becomes quarantine rows with a clear reason (the import goes on) or stops the import with one
message naming file, row, column and what to do, and then the project (data/imports and the
processed data) is byte-identical to what it was."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.errors import AnalysisError
from analysis.import_run import check_alone, prepare, run_import
from tests.conftest import OWN_MAPPING, OWN_TABLE

BASE = OWN_MAPPING  # the good mapping every case changes one thing of
HEADER, GOOD = OWN_TABLE.split("\n", 1)
HEADER += "\n"
MIDWIVES = {
    "midwives_own": {
        "label_id": "Jumlah bidan",
        "label_en": "Midwives",
        "unit": "count",
        "bounds": [0, 100000],
        "direction": "higher",
        "domain": "driver",
        "opd": "dinkes",
    }
}


def snapshot(root: Path) -> dict[str, str]:
    """Every file (and folder) under the project's data/: path -> sha256."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture(scope="module")
def project(own_project):
    return own_project


def write(folder: Path, content: str | bytes, name: str = "table.csv", **mapping) -> tuple:
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / name
    if isinstance(content, bytes):
        table.write_bytes(content)
    else:
        table.write_text(content, encoding="utf-8")
    doc = {**BASE, **mapping}
    path = folder / "mapping.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return table, path


def read(tmp_path: Path, content, **mapping):
    """Stage and read an import on its own (as the import does before rebuilding)."""
    table, path = write(tmp_path / "in", content, **mapping)
    staging = Path(tempfile.mkdtemp(dir=tmp_path))
    imp = prepare(table, path, tmp_path / "imports", staging)
    counts, accepted, quarantine = check_alone(imp)
    assert counts["values_read"] == counts["accepted"] + counts["quarantined"]
    assert counts["values_read"] == len(accepted) + len(quarantine)
    return accepted, quarantine


# --- inputs that quarantine rows and let the import go on ------------------------------------

QUARANTINED = {
    # name: (table, mapping changes, row, column, reason_code, words in the reason)
    "malformed_quotes": (
        HEADER + 'Kabupaten Lebak,2024,"70\n' + GOOD,
        {},
        2,
        "",
        "malformed_quotes",
        "unbalanced or misplaced quote",
    ),
    "ragged_row": (
        HEADER + "Kabupaten Lebak,2024,70,9\n" + GOOD,
        {},
        2,
        "",
        "malformed_row",
        "4 fields where the header has 3",
    ),
    "unknown_name": (
        HEADER + "Kabupaten Atlantis,2024,70\n" + GOOD,
        {},
        2,
        "IDL (%)",
        "unknown_district",
        "Unknown district 'Kabupaten Atlantis'",
    ),
    "ambiguous_name": (
        HEADER.replace("Kabupaten/Kota", "Kab") + "Serang,2024,70\nKabupaten Lebak,2024,71\n",
        {"district": {"column": "Kab"}},
        2,
        "IDL (%)",
        "ambiguous_district",
        "District name 'Serang' is ambiguous",
    ),
    "out_of_bounds": (
        HEADER + "Kabupaten Lebak,2024,140\n" + GOOD,
        {},
        2,
        "IDL (%)",
        "out_of_bounds",
        "value 140 is outside the valid range [0, 120]",
    ),
    "duplicates": (
        HEADER + GOOD + "Kabupaten Serang,2024,79\n",
        {},
        2,
        "IDL (%)",
        "duplicate",
        "more than one value for district 3604, year 2024",
    ),
    "missing_marker_undeclared": (
        HEADER + "Kabupaten Lebak,2024,-\n" + GOOD,
        {},
        2,
        "IDL (%)",
        "unparseable",
        "list it under `missing:`",
    ),
    "missing_marker_declared": (
        HEADER + "Kabupaten Lebak,2024,-\n" + GOOD,
        {"file": {"missing": ["", "-"]}},
        2,
        "IDL (%)",
        "missing",
        "missing-value marker",
    ),
    "count_1.033_under_a_decimal_point": (
        "Kabupaten/Kota,Tahun,Bidan\nKabupaten Lebak,2024,1.033\nKabupaten Serang,2024,512\n",
        {
            "values": {"Bidan": {"indicator": "midwives_own", "number": "en"}},
            "indicators": MIDWIVES,
        },
        2,
        "Bidan",
        "ambiguous_number",
        "probably separates thousands (1033)",
    ),
    "dot_thousands_undeclared": (
        HEADER + "Kabupaten Lebak,2024,1.033\n" + GOOD,
        {},
        2,
        "IDL (%)",
        "ambiguous_number",
        "'1.033' is ambiguous",
    ),
    "dot_thousands_under_decimal_comma": (
        HEADER + 'Kabupaten Lebak,2024,1.300\nKabupaten Serang,2024,"80,5"\n',
        {"file": {"number": "decimal_comma"}},
        2,
        "IDL (%)",
        "ambiguous_number",
        "'1.300' is ambiguous",
    ),
    "english_number_in_an_indonesian_column": (
        HEADER + 'Kabupaten Lebak,2024,"1,234.5"\nKabupaten Serang,2024,"80,5"\n',
        {"file": {"number": "id"}},
        2,
        "IDL (%)",
        "unparseable",
        "declare `number: en`",
    ),
    "indonesian_number_in_an_english_column": (
        HEADER + 'Kabupaten Lebak,2024,"80,5"\nKabupaten Serang,2024,80.5\n',
        {"file": {"number": "en"}},
        2,
        "IDL (%)",
        "unparseable",
        "decimal comma",
    ),
}


@pytest.mark.parametrize("case", list(QUARANTINED))
def test_bad_rows_are_quarantined_with_row_column_and_reason(tmp_path, case):
    content, mapping, row, column, code, words = QUARANTINED[case]
    accepted, quarantine = read(tmp_path, content, **mapping)
    bad = quarantine[quarantine["reason_code"] == code]
    assert len(bad) >= 1, quarantine[["row", "reason"]].to_string()
    first = bad.iloc[0]
    assert int(first["row"]) == row and first["column"] == column
    assert first["file"] == "dinkes_test/table.csv"
    assert words in first["reason"]
    assert len(accepted) >= 1  # the good rows are not lost


def test_an_unbalanced_quote_does_not_swallow_the_next_rows(tmp_path):
    content = HEADER + 'Kabupaten Lebak,2024,"70\nKabupaten Pandeglang,2024,60\n' + GOOD
    accepted, quarantine = read(tmp_path, content)
    assert quarantine["row"].astype(int).tolist() == [2]
    assert sorted(accepted["row"]) == [3, 4, 5]
    assert sorted(accepted["district_code"]) == ["3601", "3604", "3673"]


@pytest.mark.parametrize(
    ("fmt", "cell", "expected"),
    [
        ("id", '"1.234,5"', 1234.5),
        ("id", "1.033", 1033.0),
        ("en", '"1,234.5"', 1234.5),
        ("en", '"1,033"', 1033.0),
        ("decimal_comma", '"80,5"', 80.5),
        ("point", "80.25", 80.25),
    ],
)
def test_separators_are_read_as_the_column_declares(tmp_path, fmt, cell, expected):
    content = f"Kabupaten/Kota,Tahun,Bidan\nKabupaten Lebak,2024,{cell}\n"
    values = {"Bidan": {"indicator": "midwives_own", "number": fmt}}
    indicators = {"midwives_own": {**MIDWIVES["midwives_own"], "unit": "percent"}}
    accepted, quarantine = read(tmp_path, content, values=values, indicators=indicators)
    assert quarantine.empty and accepted["value"].tolist() == [expected]


def test_latin1_declared_is_read_with_its_accents(tmp_path):
    content = "Kabupaten/Kota;Tahun;IDL (%);Catatan\nKabupaten Serang;2024;80;Pérdana\n"
    accepted, quarantine = read(
        tmp_path, content.encode("latin-1"), file={"sep": ";", "encoding": "latin-1"}
    )
    assert quarantine.empty and accepted["value"].tolist() == [80.0]


def test_merged_header_rows_read_with_header_row(tmp_path):
    content = "Wilayah,Cakupan,\n" + HEADER + GOOD
    accepted, quarantine = read(tmp_path, content, file={"header_row": 2})
    assert quarantine.empty and sorted(accepted["row"]) == [3, 4]


def test_the_named_sheet_is_read_not_the_first(tmp_path):
    table = tmp_path / "in" / "idl.xlsx"
    table.parent.mkdir()
    with pd.ExcelWriter(table) as xl:
        draft = {"Kabupaten/Kota": ["Kabupaten Serang"], "Tahun": [2024], "IDL (%)": [1.0]}
        final = {"Kabupaten/Kota": ["Kabupaten Serang"], "Tahun": [2024], "IDL (%)": [88.5]}
        pd.DataFrame(draft).to_excel(xl, sheet_name="draft", index=False)
        pd.DataFrame(final).to_excel(xl, sheet_name="final", index=False)
    for sheet in ("final", 1):
        mapping = tmp_path / "in" / "m.yaml"
        mapping.write_text(yaml.safe_dump({**BASE, "file": {"sheet": sheet}}), encoding="utf-8")
        staging = Path(tempfile.mkdtemp(dir=tmp_path))
        _counts, accepted, _q = check_alone(prepare(table, mapping, tmp_path / "imports", staging))
        assert accepted["value"].tolist() == [88.5]


def test_200000_rows_are_all_accounted_for(tmp_path, registry):
    codes = [d.code for d in registry]
    n, valid = 200_000, len(codes) * 46
    lines = ["kode,Tahun,IDL (%)\n"]
    for i in range(n):
        code = codes[i % len(codes)] if i < valid else "9999"
        lines.append(f"{code},{1990 + (i // len(codes)) % 46},{(i * 7) % 100}.5\n")
    table, path = write(tmp_path / "in", "".join(lines), district={"column": "kode", "code": "bps"})
    staging = Path(tempfile.mkdtemp(dir=tmp_path))
    counts, accepted, quarantine = check_alone(prepare(table, path, tmp_path / "imports", staging))
    assert counts["values_read"] == n == len(accepted) + len(quarantine)
    assert len(accepted) == valid
    assert quarantine["reason_code"].value_counts().to_dict() == {"unknown_district": n - valid}


# --- inputs that stop the import: one message, the project unchanged -------------------------


def _excel(path: Path) -> bytes:
    pd.DataFrame(
        {"Kabupaten/Kota": ["Kabupaten Serang"], "Tahun": [2024], "IDL (%)": [80]}
    ).to_excel(path, sheet_name="final", index=False)
    return path.read_bytes()


REFUSED = {
    # name: (table, mapping changes or raw mapping text, words the message must contain)
    "missing_column": (
        "Kabupaten/Kota,Tahun,IDL\n" + "Kabupaten Serang,2024,80\n",
        {},
        ["table.csv", "missing column(s) 'IDL (%)'", "'IDL'"],
    ),
    "latin1_undeclared": (
        "Kabupaten/Kota,Tahun,IDL (%),Catatan\nKabupaten Serang,2024,80,Pérdana\n".encode(
            "latin-1"
        ),
        {},
        ["row 2", "column 'Catatan'", "0xe9", "encoding: latin-1"],
    ),
    "empty_file": ("", {}, ["the file is empty"]),
    "header_only": (HEADER, {}, ["header but no data rows"]),
    "merged_header_rows": (
        "Wilayah,Cakupan,\nKabupaten/Kota,Tahun,IDL (%)\nKabupaten Serang,2024,80\n",
        {},
        ["missing column(s) 'Kabupaten/Kota'", "header_row"],
    ),
    "repeated_header_names": (
        "Kabupaten/Kota,Tahun,IDL (%),IDL (%)\nKabupaten Serang,2024,80,81\n",
        {},
        ["'IDL (%)' appears twice", "columns 3 and 4"],
    ),
    "wrong_sheet_name": (
        None,
        {"file": {"sheet": "Sheet9"}},
        ["no sheet named 'Sheet9'", "0: 'final'"],
    ),
    "wrong_sheet_index": (None, {"file": {"sheet": 3}}, ["there is no sheet 3", "0: 'final'"]),
    "invalid_yaml": (HEADER + GOOD, "id: x\nvalues: {a: b\n", ["line 3", "invalid YAML"]),
    "values_as_a_list": (
        HEADER + GOOD,
        {"values": ["IDL (%)"]},
        ["`values`", "valid dictionary", "got list"],
    ),
    "authority_high": (HEADER + GOOD, {"authority": "high"}, ["unknown key `authority`"]),
    "unknown_key": (HEADER + GOOD, {"sheeet": 1}, ["unknown key `sheeet`"]),
    "wrong_type": (
        HEADER + GOOD,
        {"file": {"header_row": "two"}},
        ["`file.header_row`", "valid integer", "'two'"],
    ),
    "unknown_indicator": (
        HEADER + GOOD,
        {"values": {"IDL (%)": "idl_new"}},
        ["'idl_new'", "nor declared under `indicators:`"],
    ),
    "nothing_accepted": (
        HEADER + "Kabupaten Atlantis,2024,80\n",
        {},
        ["no value could be accepted", "unknown_district 1", "row 2"],
    ),
    "reserved_id_derived": (HEADER + GOOD, {"id": "derived"}, ["'derived' is reserved"]),
    "reserved_id_manifest": (HEADER + GOOD, {"id": "bps_ipm"}, ["'bps_ipm' is a public source"]),
    "path_outside": (
        None,
        {"file": {"path": "../../../../secret.csv"}},
        ["outside the project's import area", "on the command line"],
    ),
    "path_differs_from_command_line": (
        HEADER + GOOD,
        {"file": {"path": "other.csv"}},
        ["reads only the file given on the command line"],
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_import_names_the_problem_and_changes_nothing(project, raw_dir, tmp_path, case):
    content, mapping, words = REFUSED[case]
    folder = tmp_path / "in"
    folder.mkdir()
    name = "table.csv"
    if content is None and "sheet" in str(mapping):
        name, content = "idl.xlsx", _excel(tmp_path / "idl.xlsx")
    table = None if content is None else folder / name
    if table is not None:
        table.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    path = folder / "mapping.yaml"
    if isinstance(mapping, str):
        path.write_text(mapping, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump({**BASE, **mapping}), encoding="utf-8")
    before = snapshot(project)
    with pytest.raises(AnalysisError) as exc:
        run_import(
            table,
            path,
            imports_dir=project / "imports",
            raw_dir=raw_dir,
            processed_dir=project / "processed",
            fit_models=False,
        )
    message = str(exc.value)
    for word in words:
        assert word in message, message
    assert "Traceback" not in message
    assert snapshot(project) == before  # no leftover staging folder, no byte changed


def test_a_failed_reimport_keeps_the_earlier_good_import(project, raw_dir, tmp_path):
    table, path = write(tmp_path / "in", HEADER + "Kabupaten Atlantis,2024,80\n")
    earlier = (project / "imports" / "dinkes_test" / "mapping.yaml").read_bytes()
    with pytest.raises(AnalysisError, match="no value could be accepted"):
        run_import(
            table,
            path,
            imports_dir=project / "imports",
            raw_dir=raw_dir,
            processed_dir=project / "processed",
        )
    assert (project / "imports" / "dinkes_test" / "mapping.yaml").read_bytes() == earlier
    panel = pd.read_parquet(project / "processed" / "panel.parquet")
    assert sorted(panel.loc[panel["source"] == "dinkes_test", "value"]) == [80.0, 81.5]
