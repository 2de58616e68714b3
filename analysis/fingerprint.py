"""One fingerprint of the code and parameters every output depends on.

The data version, the model version, a report's cache key and the warm kernel's signature all
include `fingerprint()`: a hash of every file of the `analysis` package (code, templates, the
string catalogue), every file under `params/`, the notebooks' jupytext sources and the pinned
dependency set (the pins in pyproject.toml and the versions actually installed). Any edit to any
of them changes every version and key, so no cache can serve an output made by other code.

Cheap enough to call per report: file contents are hashed once per process; later calls only
stat the files and hash again those whose inode, size, mtime or ctime changed (ctime cannot be
set back by hand, so an edit is never missed).
"""

from __future__ import annotations

import hashlib
import os
import platform
import tomllib
from importlib import metadata
from pathlib import Path

from analysis.paths import PACKAGE_DIR, PROJECT_ROOT

# What the fingerprint covers, relative to the project root: (folder, file suffixes or None = all).
COVERED = (("analysis", None), ("params", None), ("notebooks", (".py",)))
PINS_FILE = "pyproject.toml"
_SKIPPED_DIRS = {"__pycache__", ".ipynb_checkpoints"}
_SKIPPED_SUFFIXES = (".pyc", ".part", "~", ".swp", ".tmp")

_HASHED: dict[str, tuple[tuple[int, int, int, int], str]] = {}  # path -> (stat, sha256)
_PINS: dict[tuple, str] = {}  # (pyproject stat) -> the pinned and installed versions


def _base(root: Path, folder: str) -> Path:
    """Where `folder` is: the package's own code is the code that runs (after `pip install .` it
    is in site-packages, not in the project's source tree)."""
    if folder == "analysis" and root.resolve() == PROJECT_ROOT.resolve():
        return PACKAGE_DIR
    return root / folder


def covered_files(root: Path = PROJECT_ROOT) -> list[tuple[str, Path]]:
    """Every file the fingerprint covers, with its name relative to the project, in a stable
    order."""
    files = []
    for folder, suffixes in COVERED:
        base = _base(root, folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(
                d for d in dirnames if d not in _SKIPPED_DIRS and not d.startswith(".")
            )
            for name in sorted(filenames):
                if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES):
                    continue
                if suffixes is None or name.endswith(suffixes):
                    path = Path(dirpath) / name
                    files.append((f"{folder}/{path.relative_to(base).as_posix()}", path))
    return files


def _stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, hashed again only when its stat changed (per process)."""
    st = path.stat()
    key = _stat_key(st)
    known = _HASHED.get(str(path))
    if known and known[0] == key:
        return known[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    _HASHED[str(path)] = (key, digest)
    return digest


def dependency_pins(root: Path = PROJECT_ROOT) -> str:
    """The pins of pyproject.toml's dependencies, each with the version installed, and Python's
    version."""
    path = root / PINS_FILE
    if not path.exists():
        return f"python {platform.python_version()}"
    key = (str(path), *_stat_key(path.stat()))
    if key not in _PINS:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
        pins = project.get("dependencies", [])  # the extras (dev, lab) make no output
        lines = [f"python {platform.python_version()}"]
        for pin in sorted(pins):
            name = pin.split("==")[0].split("[")[0].strip()
            try:
                installed = metadata.version(name)
            except metadata.PackageNotFoundError:
                installed = "not installed"
            lines.append(f"{pin} -> {installed}")
        _PINS[key] = "\n".join(lines)
    return _PINS[key]


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    """16 hex digits that change when any covered file or the dependency set changes.

    Paths enter relative to `root`, so a copy of the project elsewhere has the same fingerprint.
    """
    digest = hashlib.sha256()
    for relative, path in covered_files(root):
        digest.update(f"{relative}={file_digest(path)}\n".encode())
    digest.update(dependency_pins(root).encode())
    return digest.hexdigest()[:16]
