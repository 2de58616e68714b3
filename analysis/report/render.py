"""Execute a jupytext notebook with parameters and render it to one self-contained HTML file.

Engine `nbconvert` (default, always available): papermill executes the notebook, its outputs
(code hidden) become the HTML fragment nbconvert's `basic` template gives (written directly by
`nbbody` when it can, by nbconvert otherwise), and the fragment goes into our own page template
with inline CSS: no script, font, stylesheet or tile is fetched when the page opens. Engine
`quarto` (when `quarto` is on PATH): Quarto renders the executed notebook with
`embed-resources`, without executing it again, so the content is the same.
"""

from __future__ import annotations

import ast
import copy
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import jupytext
import nbformat
import papermill as pm
from jinja2 import Environment, FileSystemLoader, select_autoescape
from jupyter_client import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from analysis.children import die_with_parent
from analysis.errors import AnalysisError
from analysis.fingerprint import fingerprint
from analysis.report.html import strip_standalone_css
from analysis.report.nbbody import basic_body

TEMPLATES = Path(__file__).with_name("templates")
PAGE_CSS = ("report.css", "section.css", "print.css")
# cells tagged so are in the notebook, not in the rendered report (also honoured by Quarto and
# Jupyter Book: "remove-cell")
REMOVE_TAGS = ("remove-cell",)
KERNEL = "python3"
WARM_ENGINE = "pip-warm"
CELL_TIMEOUT = 1800  # seconds: a cell that runs longer on the warm kernel is a failure
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


def _source(notebook: Path, skip_tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """The jupytext notebook as an unexecuted notebook without the cells tagged `skip_tags`,
    with deterministic cell ids (the same inputs give the same HTML). Parsed once per file
    version in a process (a batch worker renders hundreds of reports from it); each caller gets
    its own copy."""
    stat = Path(notebook).stat()
    key = (str(notebook), stat.st_mtime_ns, stat.st_size, tuple(skip_tags))
    if key not in _SOURCES:
        if len(_SOURCES) >= 8:  # a few notebooks (district, province), bounded across edits
            _SOURCES.clear()
        _SOURCES[key] = _parse_source(notebook, skip_tags)
    return copy.deepcopy(_SOURCES[key])


_SOURCES: dict[tuple, nbformat.NotebookNode] = {}


def _parse_source(notebook: Path, skip_tags: tuple[str, ...]) -> nbformat.NotebookNode:
    nb = without_cells(jupytext.read(notebook), skip_tags)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
        cell.metadata.setdefault("tags", [])
    nb.metadata.setdefault(
        "kernelspec", {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    )
    return nb


def _papermill(nb, executed: Path, parameters: dict[str, Any], notebook: Path, **engine):
    """papermill executes `nb` and writes the executed notebook once, at the end (not after
    every cell); a failing cell becomes an AnalysisError naming it."""
    executed.parent.mkdir(parents=True, exist_ok=True)
    try:
        return pm.execute_notebook(
            nb,
            str(executed),
            parameters=parameters,
            kernel_name=KERNEL,
            request_save_on_cell_execute=False,
            progress_bar=False,
            **engine,
        )
    except pm.PapermillExecutionError as exc:
        raise AnalysisError(
            f"{notebook.name} failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
        ) from exc


class MortalKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, whose kernel is killed when the process that started it dies."""

    async def start_kernel(self, **kw: Any) -> None:
        kw.setdefault("preexec_fn", die_with_parent)
        await super().start_kernel(**kw)


def execute(
    notebook: Path,
    parameters: dict[str, Any],
    executed: Path,
    cwd: Path | None = None,
    log_output: bool = False,
    skip_tags: tuple[str, ...] = (),
) -> nbformat.NotebookNode:
    """Run the jupytext notebook `notebook` with papermill on a fresh kernel and save the
    executed .ipynb."""
    env_before = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        return _papermill(
            _source(notebook, skip_tags),
            executed,
            parameters,
            notebook,
            cwd=str(cwd or notebook.parent),
            log_output=log_output,
            kernel_manager_class=MortalKernelManager,
        )
    finally:
        if env_before is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = env_before


class WarmEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel that is already running (`km`, `kc`): papermill
    injects the parameters, runs every cell, records timings and errors as usual, and leaves
    the kernel running for the next report."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        client = PapermillNotebookClient(
            nb_man,
            km=kwargs["km"],
            kernel_name=kernel_name,
            timeout=kwargs.get("execution_timeout") or CELL_TIMEOUT,
            log=logging.getLogger("papermill"),
            log_output=kwargs.get("log_output", False),
        )
        client.kc = kwargs["kc"]
        return client.execute()


papermill_engines.register(WARM_ENGINE, WarmEngine)

_WARM: dict[str, Any] = {}  # this process's reusable kernel: {"km": …, "kc": …, "code": …}
# Between reports: clear the user namespace and output cache, collect (IPython's reset collects
# before it clears the namespace: the last report's figures are only garbage after it), then move
# what survives (imports, the cached context, boundaries) out of the collector's sight, so the
# next reset (and every collection during the next report) does not walk them again.
RESET = (
    "get_ipython().run_line_magic('reset', '-f'); "
    "__import__('gc').collect(); __import__('gc').freeze()"
)


def _warm_kernel(cwd: Path):
    """A kernel kept alive across reports in this (worker) process: imports and loaded data
    stay in memory, so only the notebook's own work is paid per report. It is replaced when the
    code fingerprint changes, so a notebook never runs against stale modules."""
    from jupyter_client import KernelManager

    signature = fingerprint()
    if _WARM.get("code") not in (None, signature):
        shutdown_warm_kernel()
    km = _WARM.get("km")
    if km is None or not km.is_alive():
        km = KernelManager(kernel_name=KERNEL)
        env = {**os.environ, "MPLBACKEND": "Agg"}
        km.start_kernel(cwd=str(cwd), env=env, preexec_fn=die_with_parent)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=60)
        except RuntimeError:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            raise
        _WARM.update(km=km, kc=kc, code=signature)
    return _WARM["km"], _WARM["kc"]


def warm_kernel_pid() -> int | None:
    """The process id of this process's warm kernel, if one is running."""
    km = _WARM.get("km")
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def warm_json(expression: str) -> Any:
    """The value of `expression` (which must give a JSON string) evaluated in this process's
    warm kernel, where the report's modules and cached data already are."""
    kc = _WARM["kc"]
    reply = kc.execute_interactive(
        "", silent=True, store_history=False, user_expressions={"v": expression}, timeout=60
    )
    value = reply["content"]["user_expressions"]["v"]
    if value["status"] != "ok":
        raise AnalysisError(f"{expression} failed in the kernel: {value.get('evalue')}")
    return json.loads(ast.literal_eval(value["data"]["text/plain"]))


def shutdown_warm_kernel() -> None:
    km, kc = _WARM.pop("km", None), _WARM.pop("kc", None)
    _WARM.pop("code", None)
    if kc is not None:
        kc.stop_channels()
    if km is not None:
        km.shutdown_kernel(now=True)


def execute_warm(
    notebook: Path, parameters: dict[str, Any], executed: Path, skip_tags: tuple[str, ...] = ()
) -> nbformat.NotebookNode:
    """Like `execute`, on this process's warm kernel, after a namespace reset so no variable
    carries over from the previous report."""
    km, kc = _warm_kernel(notebook.parent)
    reply = kc.execute_interactive(RESET, timeout=60, store_history=False)
    if reply["content"]["status"] != "ok":
        shutdown_warm_kernel()
        km, kc = _warm_kernel(notebook.parent)
    try:
        return _papermill(
            _source(notebook, skip_tags),
            executed,
            parameters,
            notebook,
            engine_name=WARM_ENGINE,
            km=km,
            kc=kc,
        )
    except AnalysisError:
        raise  # a cell failed; the kernel is fine
    except Exception:
        shutdown_warm_kernel()  # a dead or confused kernel is replaced for the next report
        raise


def execute_inprocess(
    notebook: Path, parameters: dict[str, Any], executed: Path, skip_tags: tuple[str, ...] = ()
) -> nbformat.NotebookNode:
    """Like `execute`, in this process on its report shell (analysis/report/shell.py): no
    kernel, the modules and data this process has loaded are used as they are."""
    from analysis.report import shell

    shell.register()
    return _papermill(
        _source(notebook, skip_tags),
        executed,
        parameters,
        notebook,
        engine_name=shell.ENGINE,
        cwd=str(notebook.parent),
    )


KERNELS = ("inprocess", "warm", "fresh")


PRINTED_ERROR = re.compile(r"Traceback \(most recent call last\)|^\w*(?:Error|Exception): ", re.M)


def check_outputs(nb: nbformat.NotebookNode, notebook: Path) -> None:
    """A cell that ran but printed a traceback (IPython catches an error raised while displaying
    a value and prints it instead of failing the cell) is a failed report, never a page that shows
    a traceback to its reader."""
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            if output.get("name") == "stderr" and PRINTED_ERROR.search(text):
                last = [line for line in text.strip().splitlines() if line.strip()][-1]
                raise AnalysisError(f"{notebook.name}, cell {i}: an error was printed: {last}")


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())


def page(body: str, *, title: str, lang: str, footer: str) -> str:
    css = "\n".join((TEMPLATES / name).read_text(encoding="utf-8") for name in PAGE_CSS)
    return (
        _templates()
        .get_template("page.html.j2")
        .render(body=body, title=title, lang=lang, css=css, footer=footer)
    )


def to_html_nbconvert(nb: nbformat.NotebookNode, *, title: str, lang: str) -> str:
    """One self-contained page: the notebook's outputs (code hidden) in our page template. The
    body is what nbconvert's `basic` template gives; written directly when every output is one
    `nbbody` knows, through nbconvert's HTMLExporter otherwise."""
    shown = nbformat.from_dict(nb)  # analyst and narrative cells never reach the page
    shown.cells = [c for c in shown.cells if not set(REMOVE_TAGS) & set(c.metadata.get("tags", []))]
    body = basic_body(shown)
    if body is None:
        body = nbconvert_body(shown)
    body = strip_standalone_css(body)  # the page carries the full stylesheet
    footer = nb.metadata.get("report_footer", "")
    return page(body, title=title, lang=lang, footer=footer)


def nbconvert_body(nb: nbformat.NotebookNode) -> str:
    """The page body through nbconvert's HTMLExporter (`basic` template, code hidden)."""
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = nbformat.from_dict(nb)
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
    return body


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
    kernel: str = "fresh",
    analyst_cells: bool = False,
) -> Path:
    """Execute and render; returns the HTML path. engine: auto | nbconvert | quarto.
    kernel: "fresh" (a new kernel, as an analyst's run), "warm" (this process's reusable
    kernel) or "inprocess" (no kernel: this process's report shell; batch workers).
    analyst_cells: also run the cells tagged remove-cell (they never reach the page).
    """
    if engine == "auto":
        engine = "quarto" if quarto_available() else "nbconvert"
    if engine == "quarto" and not quarto_available():
        raise AnalysisError("--engine quarto needs the `quarto` command on PATH")
    skip = () if analyst_cells else REMOVE_TAGS  # not on the page: not worth running
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be one of {', '.join(KERNELS)}, not {kernel!r}")
    if kernel == "inprocess":
        nb = execute_inprocess(notebook, parameters, executed, skip)
    elif kernel == "warm":
        nb = execute_warm(notebook, parameters, executed, skip)
    else:
        nb = execute(notebook, parameters, executed, skip_tags=skip)
    check_outputs(nb, notebook)
    if engine == "quarto":
        html = to_html_quarto(executed, out_html)
    else:
        html = to_html_nbconvert(nb, title=title, lang=lang)
    write_atomic(out_html, html)
    return out_html
