"""Packaging: the project root comes from $PIP_PROJECT_ROOT or the working directory (never from
where the package is installed); `pip install .` gives a wheel that works from the project
folder; environment.yml and requirements.lock carry the pins of pyproject.toml."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml

from analysis.errors import ProjectNotFoundError
from analysis.paths import PROCESSED_DIR, PROJECT_ROOT_ENV, find_project_root

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# conda-forge splits some packages; these are the parts that match the PyPI package
CONDA_NAMES = {
    "matplotlib": "matplotlib-base",
    "seaborn": "seaborn-base",
    "dask": "dask-core",
    "nbconvert": "nbconvert-core",
    "pandera": "pandera-base",
}
EXPLAIN = ["explain", "--district", "Kabupaten Serang", "--indicator", "stunting"]


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins() -> dict[str, str]:
    """Every dependency of pyproject.toml (extras included): name -> exact version."""
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pins = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement!r} in pyproject.toml is not pinned exactly"
        pins[normalize(name)] = version
    return pins


def project_at(folder: Path) -> Path:
    (folder / "params").mkdir(parents=True)
    (folder / "params" / "sources.yaml").write_text("sources: {}\n", encoding="utf-8")
    return folder


# --- the project root -------------------------------------------------------------------------


def test_project_root_is_found_upwards_from_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(PROJECT_ROOT_ENV, raising=False)
    root = project_at(tmp_path / "clone")
    nested = root / "notebooks" / "deeper"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == root.resolve()
    monkeypatch.chdir(nested)
    assert find_project_root() == root.resolve()


def test_project_root_setting_wins_and_is_checked(tmp_path, monkeypatch):
    root = project_at(tmp_path / "elsewhere")
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(root))
    assert find_project_root(project_at(tmp_path / "other")) == root.resolve()
    monkeypatch.setenv(PROJECT_ROOT_ENV, str(tmp_path / "missing"))
    with pytest.raises(ProjectNotFoundError, match="params/sources.yaml does not exist"):
        find_project_root()


def test_cli_outside_a_project_says_where_to_run_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != PROJECT_ROOT_ENV}
    result = subprocess.run(
        [sys.executable, "-m", "analysis", *EXPLAIN],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert "No project found" in result.stderr and PROJECT_ROOT_ENV in result.stderr
    assert "Traceback" not in result.stderr


# --- pins: environment.yml and requirements.lock ----------------------------------------------


def test_commands_skip_the_unused_imports_and_still_read_and_check_notebooks():
    """A command process keeps the modules of UNUSED_IMPORTS from loading; the notebook reading
    and checking a report needs still works without them."""
    code = (
        "import sys; from analysis.__main__ import UNUSED_IMPORTS, skip_unused_imports; "
        "skip_unused_imports(); import jupytext, nbformat; "
        "nb = jupytext.read('notebooks/district_report.py'); nbformat.validate(nb); "
        "names = (*UNUSED_IMPORTS, 'jupyter_server', 'tornado'); "
        "loaded = [m for m in names if sys.modules.get(m)]; "
        "print(len(nb.cells) > 10, loaded)"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True []"


def test_environment_yml_names_the_conda_forge_packages_with_the_pyproject_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    conda = {}
    for entry in env["dependencies"]:
        if isinstance(entry, str) and "=" in entry:
            name, _, version = entry.partition("=")
            conda[normalize(name)] = version
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict))
    assert pip_section == ["-e ."]  # only the project itself; no dependency through pip
    expected = {CONDA_NAMES.get(n, n): v for n, v in pyproject_pins().items()}
    listed = {n: v for n, v in conda.items() if n != "python"}
    differ = {n: (v, listed.get(n)) for n, v in expected.items() if listed.get(n) != v}
    assert not differ, (
        f"environment.yml lacks or mis-pins (pyproject pin, environment.yml pin): {differ}; "
        "use the conda-forge name (see CONDA_NAMES in this test for the renamed ones)"
    )
    assert set(listed) == set(expected), f"not in pyproject.toml: {set(listed) - set(expected)}"
    python = PYPROJECT["project"]["requires-python"]
    assert f">={conda['python']}" in python


def test_lock_pins_every_pyproject_dependency_with_hashes():
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    entries = re.findall(
        r"^([A-Za-z0-9][\w.-]*)==([^\s;\\]+)[^\n]*\n((?:\s+--hash=\S+.*\n)*)", text, re.M
    )
    assert len(entries) > 100
    locked: dict[str, set[str]] = {}
    for name, version, hashes in entries:
        assert "--hash=sha256:" in hashes, f"{name} has no hash in requirements.lock"
        locked.setdefault(normalize(name), set()).add(version)
    stale = {n: (v, locked.get(n)) for n, v in pyproject_pins().items() if locked.get(n) != {v}}
    assert not stale, f"requirements.lock is out of date (run `make lock`): {stale}"


# --- pip install . ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the project installed by `pip install --no-deps .` (a real wheel build);
    its dependencies come from the project's .venv through a .pth file."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # what an sdist holds: setuptools builds in-tree, not in the clone
    shutil.copytree(ROOT / "analysis", source / "analysis", ignore=shutil.ignore_patterns("__py*"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    venv = tmp / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", source],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "project_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return venv


def run_installed(
    venv: Path, args: list[str], cwd: Path, program: str = "python"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (PROJECT_ROOT_ENV, "PYTHONPATH")}
    return subprocess.run(
        [venv / "bin" / program, *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def test_wheel_holds_every_data_file_of_the_package(installed):
    location = run_installed(
        installed, ["-P", "-c", "import analysis; print(analysis.__file__)"], ROOT
    )
    package = Path(location.stdout.strip()).parent
    assert package.is_relative_to(installed), "the source tree was imported, not the wheel"
    data_files = [
        p.relative_to(ROOT / "analysis")
        for p in (ROOT / "analysis").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    ]
    assert data_files
    assert [f for f in data_files if not (package / f).is_file()] == []


@pytest.mark.skipif(
    not (PROCESSED_DIR / "data_version.json").exists(),
    reason="data/processed is not built (run `make data`)",
)
def test_installed_package_explains_from_the_project_root(installed):
    # -P: without it Python puts the working directory (the clone) first on sys.path and the
    # source tree, not the installed wheel, would run.
    result = run_installed(installed, ["-P", "-m", "analysis", *EXPLAIN], ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Kabupaten Serang" in result.stdout
    # the console script, from a folder inside the project: the project is found upwards
    script = run_installed(
        installed, ["district", "KAB. SERANG"], ROOT / "notebooks", "pip-analysis"
    )
    assert script.returncode == 0, script.stderr[-3000:]
    assert "3604" in script.stdout
