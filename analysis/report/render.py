"""Execute a jupytext notebook with parameters and render it to one self-contained HTML file.

Engine `nbconvert` (default, always available): papermill executes the notebook, nbconvert's
`basic` template turns the outputs (code hidden) into an HTML fragment, and the fragment goes into
our own page template with inline CSS: no script, font, stylesheet or tile is fetched when the page
opens. Engine `quarto` (when `quarto` is on PATH): Quarto renders the executed notebook with
`embed-resources`, without executing it again, so the content is the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import papermill as pm
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

from analysis.errors import AnalysisError
from analysis.report.html import strip_standalone_css

TEMPLATES = Path(__file__).with_name("templates")
PAGE_CSS = ("report.css", "section.css", "print.css")
# cells tagged so are in the notebook, not in the rendered report (also honoured by Quarto and
# Jupyter Book: "remove-cell")
REMOVE_TAGS = ("remove-cell",)
KERNEL = "python3"
# anything that makes a browser fetch from another host
EXTERNAL_REF = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import\s+url\(\s*["']?(?:https?:)?//|url\(\s*["']?https?://""",
    re.IGNORECASE,
)


def without_cells(nb: nbformat.NotebookNode, tags: tuple[str, ...]) -> nbformat.NotebookNode:
    """The notebook without the cells tagged with any of `tags` (a report render skips the
    analyst and narrative cells: they show nothing on the page and define nothing later cells
    use)."""
    if tags:
        nb.cells = [c for c in nb.cells if not set(tags) & set(c.metadata.get("tags", []))]
    return nb


def quarto_available() -> bool:
    return shutil.which("quarto") is not None


def external_references(html: str) -> list[str]:
    """Every place in `html` that would load something from another host."""
    return [html[max(m.start() - 40, 0) : m.end() + 60] for m in EXTERNAL_REF.finditer(html)]


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    executed: Path,
    cwd: Path | None = None,
    log_output: bool = False,
    skip_tags: tuple[str, ...] = (),
) -> nbformat.NotebookNode:
    """Run the jupytext notebook `notebook` with papermill and save the executed .ipynb.
    Cells tagged with one of `skip_tags` are left out (not run, not saved)."""
    nb = without_cells(jupytext.read(notebook), skip_tags)
    for i, cell in enumerate(nb.cells):  # deterministic ids: the same inputs give the same HTML
        cell.id = f"cell-{i}"
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    )
    executed.parent.mkdir(parents=True, exist_ok=True)
    source = executed.with_suffix(".source.ipynb")
    nbformat.write(nb, source)
    env_before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        pm.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL,
            cwd=str(cwd or notebook.parent),
            progress_bar=False,
            log_output=log_output,
        )
    except pm.PapermillExecutionError as exc:
        raise AnalysisError(
            f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        ) from exc
    finally:
        source.unlink(missing_ok=True)
        if env_before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_before
    return nbformat.read(executed, as_version=4)


ANSI = re.compile(r"\x1b\[[0-9;]*m")
_WARM: dict[str, Any] = {}  # this process's reusable kernel: {"km": …, "kc": …}


def _code_signature() -> tuple:
    """Changes when any module of the package changes: a warm kernel that imported older code is
    then replaced, so a notebook never runs against stale modules."""
    package = Path(__file__).resolve().parent.parent
    files = sorted([*package.rglob("*.py"), *package.rglob("*.yaml"), *package.rglob("*.j2")])
    return tuple((str(p), p.stat().st_mtime_ns) for p in files)


def _warm_kernel(cwd: Path):
    """A kernel kept alive across reports in this (worker) process: imports and loaded data
    stay in memory, so only the notebook's own work is paid per report."""
    from jupyter_client.manager import start_new_kernel

    signature = _code_signature()
    if _WARM.get("code") not in (None, signature):
        shutdown_warm_kernel()
    km = _WARM.get("km")
    if km is None or not km.is_alive():
        env = {**os.environ, "MPLBACKEND": "Agg"}
        km, kc = start_new_kernel(kernel_name=KERNEL, cwd=str(cwd), env=env)
        _WARM.update(km=km, kc=kc, code=signature)
    return _WARM["km"], _WARM["kc"]


def shutdown_warm_kernel() -> None:
    km, kc = _WARM.pop("km", None), _WARM.pop("kc", None)
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        km.shutdown_kernel(now=True)


def execute_warm(
    notebook: Path, parameters: dict[str, Any], executed: Path, skip_tags: tuple[str, ...] = ()
) -> nbformat.NotebookNode:
    """Like `execute`, on this process's warm kernel: papermill's parameter injection, nbclient's
    execution, a namespace reset (%reset -f) before each report so no variable carries over."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from papermill.parameterize import parameterize_notebook

    nb = without_cells(jupytext.read(notebook), skip_tags)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    )
    nb.metadata.setdefault("papermill", {})
    nb = parameterize_notebook(nb, parameters)
    km, kc = _warm_kernel(notebook.parent)
    reply = kc.execute_interactive(
        "get_ipython().run_line_magic('reset', '-f')", timeout=60, store_history=False
    )
    if reply["content"]["status"] != "ok":
        shutdown_warm_kernel()
        km, kc = _warm_kernel(notebook.parent)
    client = NotebookClient(nb, km=km, kernel_name=KERNEL, timeout=1800)
    client.kc = kc
    try:
        client.execute()
    except CellExecutionError as exc:
        message = ANSI.sub("", str(exc)).strip().splitlines()[-1]
        raise AnalysisError(f"{notebook.name} failed: {message}") from exc
    except Exception:
        shutdown_warm_kernel()  # a dead or confused kernel is replaced for the next report
        raise
    executed.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, executed)
    return nb


def page(body: str, *, title: str, lang: str, footer: str) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    css = "\n".join((TEMPLATES / name).read_text(encoding="utf-8") for name in PAGE_CSS)
    return env.get_template("page.html.j2").render(
        body=body, title=title, lang=lang, css=css, footer=footer
    )


def to_html_nbconvert(nb: nbformat.NotebookNode, *, title: str, lang: str) -> str:
    for i, cell in enumerate(nb.cells):  # papermill's injected cell gets a random id
        cell.id = f"cell-{i}"
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    # analyst cells (frames as DataFrames) and narrative the sections already say stay out
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVE_TAGS), enabled=True), enabled=True
    )
    body, _resources = exporter.from_notebook_node(nb)
    body = strip_standalone_css(body)  # the page carries the full stylesheet
    footer = nb.metadata.get("report_footer", "")
    return page(body, title=title, lang=lang, footer=footer)


def to_html_quarto(executed: Path, out_html: Path) -> str:
    """Quarto renders the executed notebook (no re-execution) into one embedded HTML file."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "report.ipynb"
        shutil.copyfile(executed, work)
        subprocess.run(
            [
                "quarto",
                "render",
                str(work),
                "--to",
                "html",
                "--no-execute",
                "-M",
                "embed-resources:true",
                "-M",
                "echo:false",
            ],
            check=True,
            capture_output=True,
        )
        return work.with_suffix(".html").read_text(encoding="utf-8")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def render(
    notebook: Path,
    parameters: dict[str, Any],
    out_html: Path,
    executed: Path,
    *,
    title: str,
    lang: str,
    engine: str = "auto",
    warm: bool = False,
    analyst_cells: bool = False,
) -> Path:
    """Execute and render; returns the HTML path. engine: auto | nbconvert | quarto.
    warm: run on this process's reusable kernel (batch workers) instead of a fresh one.
    warm: run on this process's reusable kernel (batch workers) instead of papermill's fresh one.
    analyst_cells: also run the cells tagged remove-cell (they never reach the page).
    """
    if engine == "auto":
        engine = "quarto" if quarto_available() else "nbconvert"
    if engine == "quarto" and not quarto_available():
        raise AnalysisError("--engine quarto needs the `quarto` command on PATH")
    skip = () if analyst_cells else REMOVE_TAGS  # not on the page: not worth running
    if warm:
        nb = execute_warm(notebook, parameters, executed, skip)
    else:
        nb = execute(notebook, parameters, executed, skip_tags=skip)
    if engine == "quarto":
        html = to_html_quarto(executed, out_html)
    else:
        html = to_html_nbconvert(nb, title=title, lang=lang)
    write_atomic(out_html, html)
    return out_html
