"""One precedence rule for the preferred value and the cross-source check; provenance of imports;
confinement of stored imports; damaged processed files; the imports commands; CLI messages."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from analysis.consistency import apply_flags, compare_sources
from analysis.errors import AnalysisError, DamagedOutputError, SourceFileError
from analysis.import_run import remove_import
from analysis.imports import listing, registered
from analysis.panel import build, damaged_outputs, load_panel, preferred_values, read_version_file
from analysis.precedence import Precedence, value_choices
from analysis.sources import all_sources, parse_manifest, source_table


def _sources(authoritative=()):
    spec = {
        "title": "t",
        "publisher": "p",
        "address": "a",
        "license": "l",
        "folder": "f",
        "reader": "table",
        "files": [],
    }
    sources = parse_manifest(
        {"sources": {"official": {**spec, "authority": 1}, "own": {**spec, "authority": 0}}}
    )
    own = sources["own"]
    own = replace(own, kind="own", spec={**own.spec, "authoritative": list(authoritative)})
    return {"official": sources["official"], "own": own}


def _panel(own_2023: float) -> pd.DataFrame:
    rows = [
        ("3604", 2022, "official", 26.4),
        ("3604", 2023, "official", 23.9),
        ("3604", 2023, "own", own_2023),
    ]
    return pd.DataFrame(
        {
            "district_code": [r[0] for r in rows],
            "year": [r[1] for r in rows],
            "indicator": "stunting",
            "value": [r[3] for r in rows],
            "unit": "percent",
            "source": [r[2] for r in rows],
            "file": "f",
            "row": [2, 3, 2],
            "column": "c",
        }
    )


def _run(panel, sources, catalogue):
    disagreements, _ = compare_sources(panel, catalogue, sources)
    flagged = apply_flags(panel, disagreements, sources)
    used = preferred_values(flagged, sources).set_index("year")
    return disagreements, flagged, used


DECLARED = [{"indicators": ["stunting"], "years": [2023], "reason": "survei ulang 2023"}]


@pytest.mark.parametrize(
    ("authoritative", "own_2023", "used_2023", "flagged"),
    [
        ((), 23.5, "official", None),  # close: official wins, nothing flagged
        ((), 1.5, "official", "own"),  # far: the own table is set aside, not the official figure
        (DECLARED, 23.5, "own", None),  # declared authoritative: the own value is used
        (DECLARED, 1.5, "own", "official"),  # ... and the official one is set aside, kept beside
    ],
)
def test_one_rule_for_the_preferred_value_and_the_cross_source_check(
    catalogue, authoritative, own_2023, used_2023, flagged
):
    sources = _sources(authoritative)
    disagreements, panel, used = _run(_panel(own_2023), sources, catalogue)
    assert used.loc[2023, "source"] == used_2023
    assert used.loc[2022, "source"] == "official"  # the declaration names 2023 only
    if flagged is None:
        assert disagreements.empty
    else:
        assert disagreements["flagged_source"].tolist() == [flagged]
        assert flagged != used_2023
    choices = value_choices(
        panel.assign(precedence=Precedence(sources).ranks(panel)), Precedence(sources)
    )
    row = choices.iloc[0]
    assert (row["used_source"], row["other_source"]) == (
        used_2023,
        {"own", "official"}.difference({used_2023}).pop(),
    )
    assert row["involves_own"]
    if authoritative:
        assert row["rule"] == "own_authoritative" and row["declared_reason"] == "survei ulang 2023"
    else:
        assert (
            row["rule"] == "official_over_own" and "not declare it authoritative" in row["reason"]
        )


def test_an_authoritative_override_does_not_put_the_official_row_in_doubt(catalogue):
    sources = _sources(DECLARED)
    official = sources["official"]
    sources["official"] = replace(official, spec={**official.spec, "propagate_row_flags": True})
    panel = _panel(1.5)
    other = panel.iloc[[1]].assign(indicator="life_expectancy", value=65.6)  # same file row
    panel = pd.concat([panel, other], ignore_index=True)
    _disagreements, flagged, _used = _run(panel, sources, catalogue)
    life = flagged[flagged["indicator"] == "life_expectancy"]
    assert life["flag"].tolist() == [""]


def test_an_unknown_source_ranks_below_every_official_one():
    rule = Precedence(_sources())
    frame = pd.DataFrame({"source": ["official", "someone_else"], "indicator": "x", "year": 2023})
    assert rule.ranks(frame).tolist() == [11, 20]


def test_import_provenance_reaches_sources_and_version_file(own_project):
    imports = own_project / "imports"
    sources = all_sources(imports)
    assert sources["dinkes_test"].kind == "own"
    table = source_table(sources).set_index("id")
    own = table.loc["dinkes_test"]
    assert (own["title"], own["publisher"], own["license"], own["address"]) == (
        "IDL per kabupaten (uji)",
        "Dinkes Banten",
        "internal",
        "surat 1/2026",
    )
    assert own["sha256"] == registered(imports)[0].sha256 and len(own["sha256"]) == 64
    info = read_version_file(own_project / "processed")
    assert [i["id"] for i in info["imports"]] == ["dinkes_test"]
    assert info["imports"][0]["sha256"] == own["sha256"]


def test_a_changed_stored_table_is_refused_and_listed_as_damaged(own_project, tmp_path):
    imports = tmp_path / "imports"
    shutil.copytree(own_project / "imports", imports)
    stored = imports / "dinkes_test" / "earlier.csv"
    stored.write_text(stored.read_text() + "Kabupaten Lebak,2024,1\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="changed since it was imported.*imports remove"):
        registered(imports)
    state = listing(imports).set_index("id").loc["dinkes_test", "state"]
    assert state.startswith("damaged:") and "changed since it was imported" in state


def test_a_stored_mapping_cannot_point_outside_its_folder(own_project, tmp_path):
    imports = tmp_path / "imports"
    shutil.copytree(own_project / "imports", imports)
    path = imports / "dinkes_test" / "mapping.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["stored"]["table_file"] = "../../secret.csv"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    with pytest.raises(AnalysisError, match="must be a file in"):
        registered(imports)


def test_remove_takes_the_import_out_of_the_processed_data(own_project, raw_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(own_project, data)
    before = load_panel(data / "processed")
    assert (before["source"] == "dinkes_test").sum() == 2
    note = remove_import(
        "dinkes_test",
        imports_dir=data / "imports",
        raw_dir=raw_dir,
        processed_dir=data / "processed",
        fit_models=False,
    )
    assert note is None and not (data / "imports" / "dinkes_test").exists()
    after = load_panel(data / "processed")
    assert (after["source"] == "dinkes_test").sum() == 0
    assert not [p for p in data.iterdir() if p.name.startswith(".import-")]
    with pytest.raises(AnalysisError, match="no import named 'dinkes_test'"):
        remove_import("dinkes_test", imports_dir=data / "imports")


def test_a_damaged_processed_file_is_detected_and_rebuilt(built, raw_dir, tmp_path):
    out = tmp_path / "processed"
    shutil.copytree(built.out_dir, out)
    good = (out / "panel.parquet").read_bytes()
    (out / "panel.parquet").write_bytes(good[: len(good) // 2])
    assert damaged_outputs(out) == ["panel.parquet"]
    with pytest.raises(DamagedOutputError, match="python -m analysis data"):
        load_panel(out)
    result = build(raw_dir, out)
    assert not result.skipped and damaged_outputs(out) == []
    assert (out / "panel.parquet").read_bytes() == good  # same inputs, same bytes


def test_a_truncated_models_file_is_detected_not_a_traceback(processed, tmp_path):
    from analysis.models.store import load_models, models_up_to_date

    out = tmp_path / "processed"
    shutil.copytree(processed, out)
    assert models_up_to_date(out)
    path = out / "models" / "models.json"
    path.write_text(path.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    assert not models_up_to_date(out)  # so `python -m analysis data` refits it
    with pytest.raises(AnalysisError, match=r"damaged.*models --force"):
        load_models(out)


def test_cli_messages_keep_brackets_and_hide_the_traceback(tmp_path):
    from analysis.cli import app

    mapping = tmp_path / "m.yaml"
    mapping.write_text(yaml.safe_dump({"id": "x_test", "[b]extra": 1}), encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("a\n1\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(table), "--mapping", str(mapping)])
    output = result.output + (result.stderr if hasattr(result, "stderr") else "")
    assert result.exit_code == 2
    assert "unknown key `[b]extra`" in " ".join(output.split())
    assert "Traceback" not in output
    debug = runner.invoke(app, ["--debug", "import", str(table), "--mapping", str(mapping)])
    assert "Traceback" in debug.output + (debug.stderr if hasattr(debug, "stderr") else "")


def test_version_file_records_every_output_hash(built):
    info = json.loads((built.out_dir / "data_version.json").read_text(encoding="utf-8"))
    assert set(info["files"]) == {
        "panel.parquet",
        "panel_wide.parquet",
        "districts.parquet",
        "quarantine.csv",
        "consistency.csv",
        "value_choices.csv",
        "source_counts.csv",
    }
