"""`python -m analysis …` and the `pip-analysis` script."""

from __future__ import annotations

import sys


def main() -> None:
    from analysis.errors import ProjectNotFoundError

    try:
        from analysis.cli import app
    except ProjectNotFoundError as exc:  # outside a project: say where to run, no traceback
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    app(prog_name="python -m analysis")


if __name__ == "__main__":
    main()
