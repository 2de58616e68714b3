"""Each kind of bad input gets a clear reason naming file, row and column, lands in quarantine,
and costs nothing else: every other value is accepted and read = accepted + quarantined."""

import pytest

from analysis.errors import SourceFileError
from tests.conftest import read_one

HEADER = "district,year,imm\n"
GOOD = "Kabupaten Serang,2021,33.6\nKota Serang,2021,41.8\n"  # lines 2 and 3
SPEC = {
    "district": {"column": "district"},
    "year": {"column": "year"},
    "values": {"imm": "immunization_complete"},
}
FILE = "test_source/table.csv"

CASES = {
    # name: (line 4 of the file, reason_code, words the reason must contain, column)
    "malformed_row": (
        "Kabupaten Bogor,2021,50,7\n",
        "malformed_row",
        "4 fields where the header has 3",
        "",
    ),
    "unknown_district": (
        "Kabupaten Atlantis,2021,50\n",
        "unknown_district",
        "Unknown district 'Kabupaten Atlantis'",
        "imm",
    ),
    "percentage_of_140": (
        "Kabupaten Bogor,2021,140\n",
        "out_of_bounds",
        "outside the valid range [0, 100]",
        "imm",
    ),
    "decimal_comma_in_point_file": (
        'Kabupaten Bogor,2021,"50,5"\n',
        "unparseable",
        "decimal comma",
        "imm",
    ),
    "not_a_number": ("Kabupaten Bogor,2021,n/a\n", "unparseable", "'n/a' is not a number", "imm"),
    "bad_year": ("Kabupaten Bogor,20x1,50\n", "bad_year", "'20x1' is not a year", "imm"),
    "ambiguous_district": ("Bogor,2021,50\n", "ambiguous_district", "Kota Bogor", "imm"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_row_is_quarantined_with_file_row_column_and_reason(
    case, make_source, registry, catalogue
):
    line, code, words, column = CASES[case]
    sources, raw = make_source(HEADER + GOOD + line, SPEC)
    accepted, quarantine, counts = read_one(sources, raw, registry, catalogue)

    assert len(quarantine) == 1
    bad = quarantine.iloc[0]
    assert (bad["file"], int(bad["row"]), bad["reason_code"]) == (FILE, 4, code)
    assert bad["column"] == column
    assert words in bad["reason"]
    # nothing else lost
    assert sorted(accepted["district_code"]) == ["3604", "3673"]
    assert accepted["row"].tolist() == [2, 3]
    c = counts.iloc[0]
    assert c["values_read"] == c["accepted"] + c["quarantined"] == 3


def test_duplicated_district_year_quarantines_every_copy(make_source, registry, catalogue):
    sources, raw = make_source(HEADER + GOOD + "Kabupaten Serang,2021,35.0\n", SPEC)
    accepted, quarantine, counts = read_one(sources, raw, registry, catalogue)
    assert sorted(quarantine["row"].astype(int)) == [2, 4]
    assert set(quarantine["reason_code"]) == {"duplicate"}
    assert "more than one value for district 3604, year 2021" in quarantine["reason"].iloc[0]
    assert accepted["district_code"].tolist() == ["3673"]
    assert counts.iloc[0]["values_read"] == 3 == len(accepted) + len(quarantine)


def test_decimal_commas_are_read_when_the_file_declares_them(make_source, registry, catalogue):
    content = 'district;year;imm\nKabupaten Serang;2021;33,6\nKota Serang;2021;"41,8"\n'
    spec = dict(SPEC, number="decimal_comma")
    spec["files"] = None  # replaced below: the separator is a per-file option
    sources, raw = make_source(content, {k: v for k, v in spec.items() if k != "files"})
    source = sources["test_source"]
    source.files[0].options["sep"] = ";"
    accepted, quarantine, _ = read_one(sources, raw, registry, catalogue)
    assert quarantine.empty
    assert accepted.set_index("district_code")["value"].to_dict() == {"3604": 33.6, "3673": 41.8}


def test_missing_column_is_an_error_naming_file_and_column(make_source, registry, catalogue):
    spec = dict(SPEC, values={"imm": "immunization_complete", "jkn": "jkn_coverage"})
    sources, raw = make_source(HEADER + GOOD, spec)
    with pytest.raises(SourceFileError) as exc:
        read_one(sources, raw, registry, catalogue)
    message = str(exc.value)
    assert FILE in message and "'jkn'" in message and "'imm'" in message


def test_non_utf8_line_is_quarantined_and_the_rest_is_read(make_source, registry, catalogue):
    content = (HEADER + GOOD).encode() + "Kabupaten Bogor,2021,5\xe9\n".encode("latin-1")
    sources, raw = make_source(content, SPEC)
    accepted, quarantine, counts = read_one(sources, raw, registry, catalogue)
    assert quarantine[["row", "reason_code"]].values.tolist() == [[4, "not_utf8"]]
    assert "not UTF-8" in quarantine["reason"].iloc[0]
    assert sorted(accepted["district_code"]) == ["3604", "3673"]
    assert counts.iloc[0]["values_read"] == len(accepted) + len(quarantine)


def test_missing_markers_and_impossible_zeros_are_quarantined_as_missing(
    make_source, registry, catalogue
):
    content = HEADER + "Kabupaten Serang,2021,NA\nKota Serang,2021,0\nKabupaten Bogor,2021,\n"
    sources, raw = make_source(content, dict(SPEC, missing=["NA", ""]))
    accepted, quarantine, _ = read_one(sources, raw, registry, catalogue)
    assert accepted.empty
    assert quarantine["reason_code"].tolist() == ["missing"] * 3
    assert sorted(quarantine["row"].astype(int)) == [2, 3, 4]


def test_blank_lines_are_counted_not_quarantined(make_source, registry, catalogue):
    sources, raw = make_source(HEADER + GOOD + ",,\n\n", SPEC)
    accepted, quarantine, counts = read_one(sources, raw, registry, catalogue)
    assert len(accepted) == 2 and quarantine.empty
    assert counts.iloc[0]["blank_rows"] == 2


@pytest.mark.parametrize("loader", ["manifest", "series", "specs"])
def test_a_hand_edited_parameter_file_that_is_not_yaml_is_named_with_line_and_column(
    tmp_path, loader
):
    """params/sources.yaml (a new source), series.yaml and models.yaml are edited by hand: a
    slip in the syntax is an error naming the file, line and column and how to fix it, not a
    parser traceback."""
    from analysis.errors import ManifestError
    from analysis.models.spec import load_specs
    from analysis.series import load_series
    from analysis.sources import load_manifest

    bad = tmp_path / "params.yaml"
    bad.write_text("sources:\n  ssgi_2021:\n    authority: [1\n    reader: ssgi\n", "utf-8")
    load = {"manifest": load_manifest, "series": load_series, "specs": load_specs}[loader]
    with pytest.raises(ManifestError) as caught:
        load(bad)
    message = str(caught.value)
    assert message.startswith(f"{bad}, line 4, column 11: invalid YAML (")
    assert "fix the syntax" in message and "Traceback" not in message
