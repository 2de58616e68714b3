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
