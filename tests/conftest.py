"""Shared fixtures. Tests that need the real tables read them from data/raw, filled the same way
the project fills it (`analysis.sources.fetch` from the source root)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.catalogue import load_catalogue
from analysis.paths import RAW_DIR
from analysis.regions import load_registry
from analysis.sources import fetch, parse_manifest, sha256_of


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """data/raw, set up from the source root if it is not there yet (checksums verified)."""
    fetch()
    return RAW_DIR


@pytest.fixture(scope="session")
def registry(raw_dir):
    return load_registry(raw_dir)


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def built(raw_dir, tmp_path_factory):
    """The real panel, built once into a temporary folder."""
    from analysis.panel import build

    out = tmp_path_factory.mktemp("processed")
    result = build(raw_dir, out, force=True)
    return result


@pytest.fixture
def make_source(tmp_path):
    """Write a small raw file and a one-source manifest for it; returns (sources, raw_dir)."""

    def _make(content: str | bytes, spec: dict, filename: str = "table.csv"):
        folder = tmp_path / "raw" / "test_source"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / filename
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        full = {
            "title": "test table",
            "publisher": "tests",
            "address": "tests/conftest.py",
            "license": "none",
            "folder": "test_source",
            "reader": "table",
            "files": [{"path": filename, "sha256": sha256_of(path)}],
            "number": "point",
            "missing": [""],
        }
        full.update(spec)
        return parse_manifest({"sources": {"test_source": full}}), tmp_path / "raw"

    return _make


def read_one(sources, raw_dir, registry, catalogue):
    from analysis.panel import read_sources

    return read_sources(sources, registry, catalogue, raw_dir)


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def frame(records: list[dict]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records)


@pytest.fixture(scope="session")
def processed(built):
    """The built real panel with its driver models fitted (what reports read)."""
    from analysis.models.store import fit_all

    fit_all(built.out_dir)
    return built.out_dir


def register(table: Path, mapping_path: Path, imports_dir: Path):
    """Stage an import exactly as `python -m analysis import` does and put it in place, without
    the rebuild (tests that need the panel build it themselves)."""
    import shutil
    import tempfile

    from analysis.import_run import prepare
    from analysis.imports import load_import

    imports_dir = Path(imports_dir)
    imports_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=imports_dir.parent))
    try:
        imp = prepare(table, mapping_path, imports_dir, staging)
        target = imports_dir / imp.id
        if target.exists():
            shutil.rmtree(target)
        shutil.move(imp.folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_import(target)


OWN_MAPPING = {
    "id": "dinkes_test",
    "title": "IDL per kabupaten (uji)",
    "publisher": "Dinkes Banten",
    "address": "surat 1/2026",
    "license": "internal",
    "district": {"column": "Kabupaten/Kota", "province_value": "Banten"},
    "year": {"column": "Tahun"},
    "values": {"IDL (%)": "immunization_complete_routine"},
}
OWN_TABLE = "Kabupaten/Kota,Tahun,IDL (%)\nKabupaten Serang,2024,80\nKota Serang,2024,81.5\n"


@pytest.fixture(scope="session")
def own_project(built, raw_dir, tmp_path_factory):
    """A project's data/ folder: the processed data of the real build plus one good import
    (`dinkes_test`) made through the transactional path the CLI uses. Tests that change it work
    on a copy."""
    import shutil

    from analysis.import_run import run_import

    data = tmp_path_factory.mktemp("project") / "data"
    processed, imports = data / "processed", data / "imports"
    shutil.copytree(built.out_dir, processed)
    folder = data.parent / "in"
    folder.mkdir()
    (folder / "earlier.csv").write_text(OWN_TABLE, encoding="utf-8")
    (folder / "earlier.yaml").write_text(yaml.safe_dump(OWN_MAPPING), encoding="utf-8")
    run_import(
        folder / "earlier.csv",
        folder / "earlier.yaml",
        imports_dir=imports,
        raw_dir=raw_dir,
        processed_dir=processed,
        fit_models=False,
    )
    return data


# -- figures a test measures and the summary prints (e.g. the simulation's coverage) -------------
FIGURES: dict[str, str] = {}


@pytest.fixture(scope="session")
def report_figure():
    """Record a figure for the terminal summary: report_figure(name, text)."""

    def record(name: str, text: str) -> None:
        FIGURES[name] = text

    return record


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("figures measured by the tests")
        for name, text in FIGURES.items():
            terminalreporter.write_line(f"{name}: {text}")
