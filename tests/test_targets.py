"""Target files: the shipped national targets, district overrides, and every validation error."""

import pytest
import yaml

from analysis.catalogue import PIP_INDICATORS
from analysis.errors import AnalysisError
from analysis.plan_targets import COLUMNS
from analysis.targets import (
    DISTRICT_COLUMNS,
    NATIONAL_PATH,
    TARGETS_DIR,
    Target,
    TargetFileError,
    load_targets,
)
from analysis.trends import fit_trend, target_verdict

HEADER = ",".join(DISTRICT_COLUMNS)


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def national_yaml(**entries) -> str:
    return yaml.safe_dump({"targets": entries}, allow_unicode=True)


GOOD = {
    "target": 14.2,
    "target_year": 2029,
    "unit": "percent",
    "source_document": "RPJMN 2025–2029 (Perpres 12/2025)",
    "source_url": "https://example.org/rpjmn",
}


# -- the shipped files ------------------------------------------------------------------------
def test_shipped_national_targets_load_and_cite_their_sources():
    targets = load_targets(NATIONAL_PATH)
    assert set(targets.national) <= set(PIP_INDICATORS)
    for t in targets.national.values():
        assert t.scope == "national"
        assert "Peraturan Presiden" in t.source_document
        assert t.source_url.startswith("https://")
    assert targets.national["stunting"].value == 14.2
    assert targets.national["stunting"].year == 2029


def test_an_unconfirmed_indicator_has_no_target():
    targets = load_targets(NATIONAL_PATH)
    assert "facility_delivery" not in targets.national  # not confirmed: see README
    assert targets.for_district("3604", "facility_delivery") is None
    trend = fit_trend([2021, 2022], [76.1, 72.0])
    assert target_verdict(trend, None, None, "higher").status == "no_target"
    assert "facility_delivery" in (TARGETS_DIR / "README.md").read_text(encoding="utf-8")


def test_template_is_a_header_without_rows(registry):
    path = TARGETS_DIR / "districts_template.csv"
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(COLUMNS)]
    targets = load_targets(NATIONAL_PATH, [path], registry=registry)
    assert targets.district == {} and targets.table.read == 0


# -- district overrides (the older one-value layout is still read) ------------------------------
def test_district_target_overrides_the_national_one(write, registry):
    csv = write(
        "serang.csv",
        f"{HEADER}\n"
        "Kabupaten Serang,stunting,2027,16.0,RPJMD Kab. Serang\n"
        'KAB. SERANG,stunting,2029,"12,5",RPJMD Kab. Serang\n'
        "\n"
        "36.73,life_expectancy,2029,72.0,Renstra Dinkes Kota Serang\n",
    )
    targets = load_targets(NATIONAL_PATH, [csv], registry=registry)
    own = targets.for_district("3604", "stunting")
    expected = Target(
        "stunting",
        12.5,
        2029,
        "RPJMD Kab. Serang",
        "district",
        origin=f"{csv} row 3",
        document="RPJMD",
        document_reference="RPJMD Kab. Serang",
    )
    assert own == expected
    assert [t.year for t in targets.milestones("3604", "stunting")] == [2027, 2029]
    assert targets.for_district("3673", "life_expectancy").document == "Renstra"
    national = targets.for_district("3673", "stunting")  # Kota Serang filed no stunting target
    assert national.scope == "national" and national.value == 14.2
    assert national.document == "RPJMN"
    assert targets.table.summary() == "3 rows read = 3 accepted + 0 quarantined"
    assert "older format" in targets.table.notes[0]


def test_two_targets_for_the_same_year_are_both_quarantined(write, registry):
    a = write("a.csv", f"{HEADER}\n3604,stunting,2029,12,RPJMD Serang\n")
    b = write("b.csv", f"{HEADER}\nKabupaten Serang,stunting,2029,13,RPJMD Serang\n")
    targets = load_targets(NATIONAL_PATH, [a, b], registry=registry)
    assert targets.for_district("3604", "stunting").scope == "national"  # neither is guessed
    problems = targets.problems
    assert problems[["file", "row", "column"]].values.tolist() == [
        [str(a), 2, "year"],
        [str(b), 2, "year"],
    ]
    assert problems["reason"].str.contains(f"{a} row 2, {b} row 2").all()


# -- validation problems name file, row and column; the row is quarantined, the rest used -------
@pytest.mark.parametrize(
    ("line", "column", "message"),
    [
        ("Serang,stunting,2029,12,RPJMD", "district", "ambiguous"),
        ("Kabupaten Serrang,stunting,2029,12,RPJMD", "district", "Kabupaten Serang"),
        (",stunting,2029,12,RPJMD", "district", "empty"),
        ("3604,stuntin,2029,12,RPJMD", "indicator", "unknown indicator 'stuntin'"),
        ("3604,population,2029,12,RPJMD", "indicator", "no better or worse direction"),
        ("3604,stunting,2029.5,12,RPJMD", "year", "not a whole number"),
        ("3604,stunting,dua ribu,12,RPJMD", "year", "not a number"),
        ("3604,stunting,2051,12,RPJMD", "year", "outside 2000–2050"),
        ("3604,stunting,1999,12,RPJMD", "year", "outside 2000–2050"),
        ("3604,stunting,2029,140,RPJMD", "target", r"outside the bounds of stunting \[0, 100\]"),
        ("3604,life_expectancy,2029,30,RPJMD", "target", "outside the bounds"),
        ("3604,stunting,2029,n/a,RPJMD", "target", "not a number"),
        ("3604,stunting,2029,,RPJMD", "target", "not a number"),
        ("3604,stunting,2029,12,", "source_document", "names none of"),
        ("3604,stunting,2029,12,Perda 3/2021", "source_document", "names none of"),
        ("3604,stunting,2029,12,Renstra selaras RPJMD", "source_document", "more than one"),
    ],
)
def test_bad_district_row_is_quarantined_with_file_row_and_column(
    write, registry, line, column, message
):
    path = write("district.csv", f"{HEADER}\n3604,stunting,2027,16,RPJMD\n{line}\n")
    targets = load_targets(NATIONAL_PATH, [path], registry=registry)
    problems = targets.problems
    assert (problems["file"] == str(path)).all() and (problems["row"] == 3).all()
    assert column in problems["column"].tolist()
    assert problems["reason"].str.contains(message).any()
    assert targets.table.read == 2 and len(targets.table.rows) == 1  # read = accepted + 1
    assert [t.year for t in targets.milestones("3604", "stunting")] == [2027]


def test_missing_column_is_named(write, registry):
    path = write("district.csv", "district,indicator,year,target\n3604,stunting,2029,12\n")
    with pytest.raises(
        TargetFileError, match="row 1, column 'baseline_year': column missing"
    ) as exc:
        load_targets(NATIONAL_PATH, [path], registry=registry)
    assert isinstance(exc.value, AnalysisError)  # the CLI prints it without a traceback


def test_excel_bom_and_padded_header_are_accepted(tmp_path, registry):
    path = tmp_path / "excel.csv"
    header = ", ".join(DISTRICT_COLUMNS)
    path.write_bytes(("\ufeff" + header + "\n3604,stunting,2029,12,RPJMD\n").encode("utf-8"))
    assert load_targets(NATIONAL_PATH, [path], registry=registry).for_district(
        "3604", "stunting"
    ).value == pytest.approx(12.0)


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        ({"target": 120}, "target", "outside the bounds"),
        ({"target": "empat belas"}, "target", "not a number"),
        ({"target_year": 1990}, "target_year", "outside"),
        ({"target_year": "2029a"}, "target_year", "not a whole number"),
        ({"unit": "years"}, "unit", "differs from the catalogue's 'percent'"),
        ({"source_document": ""}, "source_document", "missing"),
        ({"source_url": None}, "source_url", "missing"),
    ],
)
def test_bad_national_entry_names_file_entry_and_key(write, change, column, message):
    path = write("national.yaml", national_yaml(stunting={**GOOD, **change}))
    with pytest.raises(TargetFileError, match=message) as exc:
        load_targets(path)
    assert (exc.value.row, exc.value.column) == ("targets.stunting", column)
    assert str(path) in str(exc.value)


def test_unknown_national_indicator_is_refused(write):
    path = write("national.yaml", national_yaml(stunted=GOOD))
    with pytest.raises(TargetFileError, match="unknown indicator 'stunted'"):
        load_targets(path)


def test_national_file_without_targets_means_no_targets(write):
    targets = load_targets(write("national.yaml", "targets:\n"))
    assert targets.national == {} and targets.for_district("3604", "stunting") is None
