"""Plan target tables (district, indicator, year, target, baseline, document): several documents
and years per district, province-wide files, quarantine of bad rows, the shipped examples."""

import pandas as pd
import pytest

from analysis.plan_targets import (
    COLUMNS,
    TargetFileError,
    convert_legacy,
    plan_baselines,
    read_target_files,
)
from analysis.targets import NATIONAL_PATH, TARGETS_DIR, load_targets

HEADER = ",".join(COLUMNS)
RPJMD = "RPJMD Kabupaten Serang 2025–2029 (synthetic for tests)"
OLD_RPJMD = "RPJMD Kabupaten Serang 2021–2026 (synthetic for tests)"
RENSTRA = "Renstra Dinkes Kabupaten Serang 2025–2029 (synthetic for tests)"


@pytest.fixture
def write(tmp_path):
    def _write(name: str, text: str, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path

    return _write


def read(paths, registry, catalogue):
    return read_target_files(paths, registry, catalogue)


def test_several_documents_and_years_and_which_target_applies(write, registry, catalogue):
    path = write(
        "serang.csv",
        f"{HEADER}\n"
        f"Kabupaten Serang,stunting,2025,22,2023,23.9,Renstra,{RENSTRA}\n"
        f"Kabupaten Serang,stunting,2029,15,2023,23.9,Renstra,{RENSTRA}\n"
        f"Kabupaten Serang,stunting,2025,21,2023,23.9,RPJMD,{RPJMD}\n"
        f"Kabupaten Serang,stunting,2029,14,2023,23.9,rpjmd,{RPJMD}\n"
        f"Kabupaten Serang,stunting,2026,19,2020,27,RPJMD,{OLD_RPJMD}\n",
    )
    targets = load_targets(NATIONAL_PATH, [path], registry=registry, catalogue=catalogue)
    assert targets.table.summary() == "5 rows read = 5 accepted + 0 quarantined"
    plan = targets.applicable_plan("3604", "stunting")
    # RPJMD before Renstra; of the two RPJMDs, the one ending last (2029, not 2026)
    assert [(t.year, t.value, t.document_reference) for t in plan] == [
        (2025, 21.0, RPJMD),
        (2029, 14.0, RPJMD),
    ]
    end = targets.for_district("3604", "stunting")
    assert (end.document, end.baseline_year, end.baseline) == ("RPJMD", 2023, 23.9)
    renstra_only = targets.applicable_plan("3604", "stunting", documents=("Renstra",))
    assert [t.value for t in renstra_only] == [22.0, 15.0]
    plans = plan_baselines(targets.table.rows).set_index("document_reference")
    assert plans.loc[OLD_RPJMD, ["plan_start", "plan_end", "end_target"]].tolist() == [
        2026,
        2026,
        19.0,
    ]
    assert plans.loc[RPJMD, "baseline"] == 23.9


@pytest.mark.parametrize(
    ("cells", "column", "message"),
    [
        ("stunting,2029,14,2023,23.9,RKPD,X", "document", "document must be one of"),
        ("stunting,2029,14,2023,23.9,RPJMD,", "document_reference", "is empty"),
        ("stunting,2029,14,2023,,RPJMD,X", "baseline", "together"),
        ("stunting,2029,14,,23.9,RPJMD,X", "baseline_year", "together"),
        ("stunting,2029,14,2030,23.9,RPJMD,X", "baseline_year", "after the target year"),
        ("stunting,2029,14,2023,123.9,RPJMD,X", "baseline", "outside the bounds"),
        ("stunting,2029,14,2023,abc,RPJMD,X", "baseline", "not a number"),
        ("stunting,2029,14,20x3,23.9,RPJMD,X", "baseline_year", "not a number"),
    ],
)
def test_bad_cell_quarantines_its_row(write, registry, catalogue, cells, column, message):
    path = write("t.csv", f"{HEADER}\n3604,stunting,2025,21,2023,23.9,RPJMD,X\n3604,{cells}\n")
    table = read([path], registry, catalogue)
    assert table.read == 2 and len(table.rows) == 1 and table.quarantined == 1
    hit = table.problems[table.problems["column"] == column]
    assert hit["row"].tolist() == [3] and hit["reason"].str.contains(message).all()


def test_unknown_opd_in_a_plan_table(write, registry, catalogue):
    path = write(
        "plan.csv",
        f"{HEADER},goal,objective,opd\n"
        "3604,stunting,2029,14,2023,23.9,Renstra,X,G,O,Dinas Kesehatan\n"
        "3604,immunization_complete,2029,90,,,Renstra,X,G,O,dinas ajaib\n",
    )
    table = read([path], registry, catalogue)
    assert table.rows["opd"].tolist() == ["dinkes"]  # a label is accepted and stored as its key
    assert table.problems[["row", "column"]].values.tolist() == [[3, "opd"]]


def test_one_plan_with_two_baselines_is_quarantined_whole(write, registry, catalogue):
    path = write(
        "t.csv",
        f"{HEADER}\n"
        f"3604,stunting,2025,21,2023,23.9,RPJMD,{RPJMD}\n"
        f"3604,stunting,2029,14,2023,24.9,RPJMD,{RPJMD}\n"
        f"3604,stunting,2029,15,2023,24.9,Renstra,{RENSTRA}\n",
    )
    table = read([path], registry, catalogue)
    assert table.rows["document"].tolist() == ["Renstra"]
    assert sorted(table.problems["row"]) == [2, 3]
    assert table.problems["reason"].str.contains("different baselines").all()


def test_province_file_in_excel_and_semicolon_csv(tmp_path, registry, catalogue):
    kaltim = sorted(d.code for d in registry.in_province("Kalimantan Timur"))
    frame = pd.DataFrame(
        [
            {
                "district": registry.get(code).name,
                "indicator": "stunting",
                "year": year,
                "target": 20.0 - (year - 2024),
                "baseline_year": 2023,
                "baseline": 22.0,
                "document": "RPD",
                "document_reference": "RPD 2024–2026 (synthetic for tests)",
            }
            for code in kaltim
            for year in (2024, 2025, 2026)
        ]
    )
    xlsx = tmp_path / "kaltim.xlsx"
    frame.to_excel(xlsx, index=False)
    semicolon = tmp_path / "kaltim.csv"
    text = frame.astype(str).apply(lambda col: col.str.replace(".", ",", regex=False))
    text.to_csv(semicolon, sep=";", index=False)
    for path in (xlsx, semicolon):
        table = read([path], registry, catalogue)
        assert table.summary() == f"{len(frame)} rows read = {len(frame)} accepted + 0 quarantined"
        assert sorted(table.rows["district_code"].unique()) == kaltim
        assert table.rows["target"].tolist() == frame["target"].tolist()


def test_unreadable_and_duplicate_rows_keep_read_equal_accepted_plus_quarantined(
    write, registry, catalogue
):
    path = write(
        "t.csv",
        f"{HEADER}\n"
        "3604,stunting,2025,21,2023,23.9,RPJMD,X\n"
        "3604,stunting,2025,21,2023,23.9,RPJMD,X,extra\n"  # ragged
        "3604,stunting,2026,20,2023,23.9,RPJMD,X\n"
        "36.04,stunting,2026,19,2023,23.9,RPJMD,X\n",  # same district, year and document
    )
    table = read([path], registry, catalogue)
    assert table.read == 4 and len(table.rows) == 1 and table.quarantined == 3
    assert table.rows["year"].tolist() == [2025]


def test_missing_file_and_missing_column_are_errors(tmp_path, write, registry, catalogue):
    with pytest.raises(TargetFileError, match="file not found"):
        read([tmp_path / "nope.csv"], registry, catalogue)
    bad = write("bad.csv", "district,indicator,year,target,document\n3604,stunting,2029,14,X\n")
    with pytest.raises(TargetFileError, match="row 1, column 'baseline_year'"):
        read([bad], registry, catalogue)


def test_convert_legacy_keeps_every_row_and_names_the_document(write):
    path = write(
        "old.csv",
        "district,indicator,year,target,source_document\n"
        "3604,stunting,2029,12.5,RPJMD Kab. Serang\n"
        "3673,stunting,2029,12,Perda 5/2021\n",
    )
    out = convert_legacy(path)
    assert out.columns.tolist() == COLUMNS
    assert out["document"].tolist() == ["RPJMD", ""]
    assert out["document_reference"].tolist() == ["RPJMD Kab. Serang", "Perda 5/2021"]
    with pytest.raises(TargetFileError, match="already in the current format"):
        convert_legacy(TARGETS_DIR / "districts_template.csv")


EXAMPLES = sorted((TARGETS_DIR / "examples").glob("*.csv"))


def test_one_example_per_document_type_none_invented_for_a_real_district(registry, catalogue):
    targets = load_targets(NATIONAL_PATH, EXAMPLES, registry=registry, catalogue=catalogue)
    table = targets.table
    assert len(table.problems) == 0 and table.read == len(table.rows) > 0
    assert set(table.rows["document"]) == {"RPJMD", "RPD", "Renstra", "SPM", "RPJMN"}
    for row in table.rows.itertuples(index=False):
        if row.document == "RPJMN":  # the national default restated, value and year as shipped
            national = targets.national[row.indicator]
            assert (row.target, row.year) == (national.value, national.year)
        else:
            assert "CONTOH / EXAMPLE" in row.document_reference
    # the RPJMN example file alone (with the Renstra example, Kota Tangerang's own plans apply)
    rpjmn = load_targets(
        NATIONAL_PATH, [TARGETS_DIR / "examples" / "rpjmn_example.csv"], registry=registry
    )
    restated = rpjmn.for_district("3671", "life_expectancy")
    assert (restated.document, restated.scope) == ("RPJMN", "national")
    renstra = table.rows[table.rows["document"] == "Renstra"]
    assert (renstra[["goal", "objective", "opd"]] != "").all().all()
    readme = (TARGETS_DIR / "README.md").read_text(encoding="utf-8")
    assert all(f"examples/{p.name}" in readme for p in EXAMPLES)
