"""Where things live. Everything is relative to the project root, so a clone works anywhere."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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
