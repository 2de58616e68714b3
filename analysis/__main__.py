"""`python -m analysis …` and the `pip-analysis` script."""

from __future__ import annotations

import sys


def skip_unused_imports() -> None:
    """jsonschema (under nbformat and papermill) imports rfc3987-syntax when it is installed
    (JupyterLab's event schemas pull it in), which compiles 38 grammars for the "iri" string
    formats: 0.85 s at every command's start. No schema a command checks uses those formats;
    jsonschema goes without them when the import fails. For command processes only."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def main() -> None:
    skip_unused_imports()
    from analysis.errors import ProjectNotFoundError

    try:
        from analysis.cli import app
    except ProjectNotFoundError as exc:  # outside a project: say where to run, no traceback
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app(prog_name="python -m analysis")


if __name__ == "__main__":
    main()
