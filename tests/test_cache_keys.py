"""One fingerprint behind every cache: an edit to any code or parameter file changes it (and so
the data version, the model version and every report key), a file outside it changes nothing,
and a copy of the project elsewhere has the same fingerprint. The end-to-end test runs the real
CLI in a temporary copy of the project, edits the models and trends code, and sees the report
refused from the stale cache, then re-rendered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.fingerprint import covered_files, fingerprint
from analysis.paths import PROJECT_ROOT, PROJECT_ROOT_ENV

PROJECT_PARTS = ("analysis", "params", "notebooks", "pyproject.toml")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


def copy_project(root: Path) -> Path:
    for part in PROJECT_PARTS:
        source = PROJECT_ROOT / part
        if source.is_dir():
            shutil.copytree(source, root / part, ignore=IGNORED)
        else:
            shutil.copy2(source, root / part)
    return root


@pytest.fixture(scope="module")
def code_copy(tmp_path_factory) -> Path:
    return copy_project(tmp_path_factory.mktemp("code"))


def append(path: Path, text: str = "\n# edited by a test\n") -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(text)


def test_a_copy_of_the_project_has_the_same_fingerprint(code_copy):
    assert fingerprint(code_copy) == fingerprint(PROJECT_ROOT)
    covered = {name for name, _ in covered_files(code_copy)}
    for name in (
        "analysis/trends.py",
        "analysis/models/decompose.py",
        "analysis/strings.yaml",
        "analysis/report/templates/page.html.j2",
        "params/models.yaml",
        "notebooks/district_report.py",
    ):
        assert name in covered


@pytest.mark.parametrize(
    "name",
    [
        "analysis/models/decompose.py",
        "analysis/trends.py",
        "analysis/maps.py",
        "analysis/i18n.py",
        "analysis/report/templates/report.css",
        "params/targets/national.yaml",
        "notebooks/province_overview.py",
    ],
)
def test_an_edit_to_any_code_or_parameter_file_changes_the_fingerprint(code_copy, name):
    before = fingerprint(code_copy)
    path = code_copy / name
    original = path.read_bytes()
    append(path)
    try:
        assert fingerprint(code_copy) != before
    finally:
        path.write_bytes(original)
    assert fingerprint(code_copy) == before


def test_files_outside_the_fingerprint_change_nothing(code_copy):
    before = fingerprint(code_copy)
    (code_copy / "NOTES.md").write_text("a note\n")
    (code_copy / "notebooks" / "district_report.ipynb").write_text("{}")  # a build output
    (code_copy / "analysis" / "__pycache__").mkdir(exist_ok=True)
    (code_copy / "analysis" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    assert fingerprint(code_copy) == before


def test_the_pinned_dependencies_enter_the_fingerprint(code_copy):
    before = fingerprint(code_copy)
    pins = code_copy / "pyproject.toml"
    original = pins.read_text(encoding="utf-8")
    pins.write_text(original.replace('"pandas==', '"pandas>='), encoding="utf-8")
    try:
        assert fingerprint(code_copy) != before
    finally:
        pins.write_text(original, encoding="utf-8")


# -- end to end: the real CLI in a copy of the project ----------------------------------------


@pytest.fixture(scope="module")
def project(processed, raw_dir, tmp_path_factory) -> Path:
    """A copy of the project with the session's processed data (valid there: same fingerprint)."""
    root = copy_project(tmp_path_factory.mktemp("project"))
    shutil.copytree(raw_dir, root / "data" / "raw")
    shutil.copytree(processed, root / "data" / "processed")
    return root


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    # the copy is the project: never the one this test process runs in ($PIP_PROJECT_ROOT)
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "PIP_KERNEL": "inprocess",  # the default, set in case the caller's shell sets another
        PROJECT_ROOT_ENV: str(root),
    }
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=900
    )


def report(root: Path) -> subprocess.CompletedProcess | dict[str, str]:
    summary = root / "summary.json"
    summary.unlink(missing_ok=True)
    args = ("--district", "Kabupaten Serang", "--jobs", "1", "--summary", str(summary))
    done = run(root, "-m", "analysis", "report", *args)
    if not summary.exists():
        return done
    return {r["district_name"]: r["status"] for r in json.loads(summary.read_text())}


def test_the_copy_runs_its_own_code(project):
    done = run(project, "-c", "import analysis; print(analysis.__file__)")
    assert done.stdout.strip() == str(project / "analysis" / "__init__.py")


def test_an_edit_to_the_models_and_trends_code_re_renders_the_report(project):
    assert report(project) == {"Kabupaten Serang": "ok"}
    html = project / "reports" / "banten" / "kabupaten-serang.html"
    assert html.stat().st_size > 10_000
    assert report(project) == {"Kabupaten Serang": "skipped"}  # nothing changed

    append(project / "analysis" / "models" / "decompose.py")
    append(project / "analysis" / "trends.py")
    stale = report(project)  # the stored models were fitted by other code: refused, not served
    assert isinstance(stale, subprocess.CompletedProcess) and stale.returncode != 0
    assert "python -m analysis data" in " ".join((stale.stdout + stale.stderr).split())

    rebuilt = run(
        project,
        "-c",
        "from analysis.panel import build; from analysis.models.store import fit_all; "
        "build(); fit_all()",
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    before = html.stat().st_mtime_ns
    assert report(project) == {"Kabupaten Serang": "ok"}
    assert html.stat().st_mtime_ns != before
