"""Where things live.

Project files (params/, data/, notebooks/, reports/, build/) belong to the project folder the
analyst works in, not to the installed package: after `pip install .` the code sits in
site-packages while the data stays in the clone. The project root is therefore found from
$PIP_PROJECT_ROOT or, failing that, by searching upwards from the working directory for
`params/sources.yaml`; never from the package's own location. Only the package's code and its
data files (strings.yaml, report templates) are found next to the code (`PACKAGE_DIR`).
"""

from __future__ import annotations

import os
from pathlib import Path

from analysis.errors import ProjectNotFoundError

PROJECT_ROOT_ENV = "PIP_PROJECT_ROOT"
PROJECT_MARKER = Path("params") / "sources.yaml"
PACKAGE_DIR = Path(__file__).resolve().parent


def find_project_root(start: str | os.PathLike | None = None) -> Path:
    """The project folder: $PIP_PROJECT_ROOT if set, else the nearest folder at or above `start`
    (default: the working directory) that holds params/sources.yaml."""
    env = os.environ.get(PROJECT_ROOT_ENV)
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / PROJECT_MARKER).is_file():
            raise ProjectNotFoundError(
                f"${PROJECT_ROOT_ENV} is {env!r}, but {root / PROJECT_MARKER} does not exist. "
                f"Point ${PROJECT_ROOT_ENV} at the project folder (the clone that holds "
                "params/, data/ and notebooks/), or unset it and run from inside that folder."
            )
        return root
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    raise ProjectNotFoundError(
        f"No project found: neither {here} nor any folder above it holds {PROJECT_MARKER}. "
        f"Run from inside the project folder (the clone that holds params/, data/ and "
        f"notebooks/), or set ${PROJECT_ROOT_ENV} to it."
    )


PROJECT_ROOT = find_project_root()
# Processes started from here (notebook kernels running in another folder, batch workers) work
# on the same project.
os.environ.setdefault(PROJECT_ROOT_ENV, str(PROJECT_ROOT))
PARAMS_DIR = PROJECT_ROOT / "params"
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
REPORTS_DIR = PROJECT_ROOT / "reports"

SOURCE_ROOT_ENV = "PIP_SOURCE_ROOT"
DEFAULT_SOURCE_ROOT = PROJECT_ROOT.parent / "shared" / "data"


def source_root(override: str | os.PathLike | None = None) -> Path:
    """The folder raw tables are copied from: flag, then $PIP_SOURCE_ROOT, then ../shared/data."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(SOURCE_ROOT_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return DEFAULT_SOURCE_ROOT
