"""`python -m analysis …` and the `pip-analysis` script."""

from __future__ import annotations

import sys

# Imported by libraries a command uses, for features no command uses; each library goes
# without the module when its import fails (it catches the ImportError).
UNUSED_IMPORTS = (
    # jsonschema (under nbformat and papermill) imports rfc3987-syntax when it is installed
    # (JupyterLab's event schemas pull it in), which compiles 38 grammars for the "iri" string
    # formats: 0.85 s at every command's start
    "rfc3987_syntax",
    # ... and isoduration (with the arrow date library) for the "duration" format: 23 ms
    "isoduration",
    # jupytext's contents managers for the Jupyter server (jupyter_server, tornado): 130 ms;
    # a command only reads and writes notebooks
    "jupytext.sync_contentsmanager",
    "jupytext.async_contentsmanager",
)


def skip_unused_imports() -> None:
    """Keep the modules of UNUSED_IMPORTS from loading: no schema a command checks uses those
    formats, no command serves notebooks. For command processes only (JupyterLab is not one)."""
    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


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
