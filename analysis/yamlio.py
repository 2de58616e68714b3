"""The project's own YAML files (strings, catalogue, manifest, registry, specifications) read
with libyaml's C parser when PyYAML was built with it: the same documents, ten times faster
(the string catalogue, which every process that writes a report reads, 10 ms instead of
104 ms). Files a user writes through the import commands (mappings, target tables) keep the
pure-Python parser, whose error messages the import checks quote. A file that is not valid
YAML is said plainly, with its line and column (`invalid_yaml`), never as a parser traceback:
the manifest and the catalogue are edited by hand when a source or an indicator is added."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ManifestError

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_file(path: Path | str) -> Any:
    """The document in the project file `path` (C parser where there is one). Invalid YAML is
    a ManifestError naming the file, the line and the column."""
    with open(path, encoding="utf-8") as fh:
        try:
            return yaml.load(fh, Loader=Loader)  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            raise ManifestError(invalid_yaml(path, exc)) from None


def invalid_yaml(path: Path | str, exc: yaml.YAMLError) -> str:
    """What to tell a user whose YAML file does not parse: where, what, and how to fix it."""
    mark = getattr(exc, "problem_mark", None)
    at = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return (
        f"{path}{at}: invalid YAML ({problem}); fix the syntax (indent with spaces, quote "
        "values holding ':' or '#')"
    )
