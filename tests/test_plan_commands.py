"""Commands and batch plumbing for plan targets: province jobs carry the targets file (its hash in
the key), district jobs their own rows, --plan / --template reach the notebook, and the
`targets` command checks and converts files without a traceback."""

import shutil

import jupytext
from typer.testing import CliRunner

from analysis.batch import plan, plan_provinces
from analysis.cli import app
from analysis.plan_targets import COLUMNS
from analysis.report.run import NOTEBOOKS
from analysis.targets import TARGETS_DIR

HEADER = ",".join(COLUMNS)
PASER, KUKAR = "6401", "6403"
EXAMPLE = TARGETS_DIR / "examples" / "rpd_province_example.csv"


def parameters_cell(notebook: str) -> dict:
    nb = jupytext.read(NOTEBOOKS / notebook)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names: dict = {}
    exec(cell.source, {}, names)  # noqa: S102 - the project's own notebook source
    return names


def test_notebooks_declare_the_new_parameters():
    assert parameters_cell("province_overview.py")["targets_file"] is None
    district = parameters_cell("district_report.py")
    assert district["template"] == "standard" and district["plan_file"] is None


def test_province_job_carries_the_targets_file_and_its_hash(processed, tmp_path):
    plain = plan_provinces(["Kalimantan Timur"], ["id"], processed_dir=processed)
    copy = tmp_path / "kaltim.csv"
    shutil.copy(EXAMPLE, copy)
    with_file = plan_provinces(
        ["Kalimantan Timur"], ["id"], processed_dir=processed, targets_file=copy
    )
    assert "targets_file" not in plain[0].parameters
    assert with_file[0].parameters["targets_file"] == str(copy.resolve())
    assert with_file[0].key != plain[0].key
    moved = tmp_path / "elsewhere.csv"
    shutil.copy(copy, moved)  # same content elsewhere: same report, same key
    again = plan_provinces(
        ["Kalimantan Timur"], ["id"], processed_dir=processed, targets_file=moved
    )
    assert again[0].key == with_file[0].key
    copy.write_text(copy.read_text(encoding="utf-8").replace("17.0", "16.5"), encoding="utf-8")
    changed = plan_provinces(
        ["Kalimantan Timur"], ["id"], processed_dir=processed, targets_file=copy
    )
    assert changed[0].key != with_file[0].key


def test_each_district_job_is_keyed_by_its_own_rows(processed, registry, tmp_path):
    districts = [registry.get(PASER), registry.get(KUKAR)]
    path = tmp_path / "kaltim.csv"
    rows = [
        "Kabupaten Paser,stunting,2025,19,2023,22.4,RPD,RPD Paser (synthetic)",
        "Kabupaten Kutai Kartanegara,stunting,2025,16,2023,17.6,RPD,RPD Kukar (synthetic)",
    ]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    before = plan(districts, ["id"], processed_dir=processed, targets_file=path)
    rows[1] = rows[1].replace(",16,", ",15,")
    rows.insert(0, "Kabupaten Paser,stunting,2026,18,2023,22.4,RPD,RPD Paser (synthetic)")
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    after = plan(districts, ["id"], processed_dir=processed, targets_file=path)
    moved = {a.district_code for a, b in zip(before, after, strict=True) if a.key != b.key}
    assert moved == {PASER, KUKAR}  # Paser gained a year, Kukar changed a value
    rows[0], rows[1] = rows[1], rows[0]  # the same rows in another order
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    reordered = plan(districts, ["id"], processed_dir=processed, targets_file=path)
    assert [j.key for j in reordered] == [j.key for j in after]


def test_plan_file_and_template_reach_the_notebook(processed, registry):
    district = [registry.get("3671")]
    plain = plan(district, ["id"], processed_dir=processed)
    plan_file = TARGETS_DIR / "examples" / "renstra_plan_example.csv"
    renstra = plan(
        district, ["id"], processed_dir=processed, plan_file=plan_file, template="renstra"
    )
    assert "template" not in plain[0].parameters and "plan_file" not in plain[0].parameters
    assert renstra[0].parameters["template"] == "renstra"
    assert renstra[0].parameters["plan_file"] == str(plan_file.resolve())
    assert renstra[0].key != plain[0].key


def test_targets_command_checks_and_converts(tmp_path):
    bad = tmp_path / "old.csv"
    bad.write_text(
        "district,indicator,year,target,source_document\n"
        "Kabupaten Serang,stunting,2029,12.5,RPJMD Kab. Serang\n"
        "Serang,stunting,2029,12,RPJMD\n",
        encoding="utf-8",
    )
    new = tmp_path / "new.csv"
    result = CliRunner().invoke(app, ["targets", str(bad), "--convert", str(new)])
    assert result.exit_code == 0, result.output
    assert "2 rows read = 1 accepted + 1 quarantined" in result.output
    assert "row 3, column 'district'" in result.output and "ambiguous" in result.output
    assert new.read_text(encoding="utf-8").splitlines()[0] == HEADER
    missing = CliRunner().invoke(app, ["targets", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    assert "Traceback" not in missing.output


def test_report_refuses_an_unknown_template():
    result = CliRunner().invoke(app, ["report", "--district", "Kota Tangerang", "--template", "x"])
    assert result.exit_code == 2 and "standard or renstra" in result.output


def test_report_passes_targets_plan_and_template_to_the_jobs(processed, monkeypatch, tmp_path):
    import analysis.batch

    seen = []
    monkeypatch.setattr("analysis.cli.PROCESSED_DIR", processed)
    monkeypatch.setattr(analysis.batch, "run_batch", lambda jobs, **_: seen.extend(jobs) or [])
    plan_file = TARGETS_DIR / "examples" / "renstra_plan_example.csv"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--district",
            "Kota Tangerang",
            "--template",
            "renstra",
            "--plan",
            str(plan_file),
            "--targets",
            str(EXAMPLE),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    # the console wraps long lines (a long checkout path): compare without whitespace
    said = "".join(result.output.split())
    expected = f"targets {plan_file}: 15 rows read = 15 accepted + 0 quarantined"
    assert "".join(expected.split()) in said
    (job,) = seen
    assert job.parameters["template"] == "renstra"
    assert job.parameters["plan_file"] == str(plan_file.resolve())
    assert job.parameters["targets_file"] == str(EXAMPLE.resolve())
    seen.clear()
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--province",
            "Kalimantan Timur",
            "--targets",
            str(EXAMPLE),
            "--out",
            str(tmp_path),
            "--lang",
            "id",
        ],
    )
    assert result.exit_code == 0, result.output
    (overview,) = [j for j in seen if j.kind == "province"]
    assert overview.parameters["targets_file"] == str(EXAMPLE.resolve())
    districts = [j for j in seen if j.kind == "district"]
    assert len(districts) == 10
    assert all(j.parameters["targets_file"] == str(EXAMPLE.resolve()) for j in districts)
