"""A papermill engine that runs a notebook in this process, on an IPython shell, without a kernel.

A batch worker renders hundreds of reports. On a kernel, every cell is a round trip over ZMQ and
every display (a section's HTML with its charts) is serialised, sent and parsed again; the
kernel is a second process holding a second copy of the panel and models. Here papermill still
injects the parameters, records each cell's timing and the run in the notebook's metadata, and
writes the executed notebook; the cells run on an `InteractiveShell` in this process, and what
they display is captured as the same nbformat outputs a kernel would send: `execute_result` for
a cell's last value (formatted by IPython's display formatter, the one the kernel uses), one
`display_data` per `display()` call, `stream` for printed text, `error` with the traceback.

The batch (analysis/batch.py) loads the report modules and the data context once, in the batch
process, before it forks its workers: each worker starts warm, and what they read stays shared.
Before each report the shell's namespace and output cache are cleared and every figure is
closed, so nothing of one district reaches the next.

Analysts keep the kernel: this engine is for batch rendering only (`PIP_KERNEL=inprocess`, the
batch default; `warm` and `fresh` run on a kernel, see analysis/report/render.py).
"""

from __future__ import annotations

import gc
import io
import platform
import sys
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from nbformat import NotebookNode, from_dict
from papermill.engines import Engine
from traitlets import Type
from traitlets.config import Config

ENGINE = "pip-inprocess"


def new_output(output_type: str, **fields: Any) -> NotebookNode:
    """An nbformat output, as `nbformat.v4.new_output` makes it without validating each one
    against the schema (papermill validates the whole notebook when it writes it)."""
    if output_type in ("execute_result", "display_data"):
        fields.setdefault("metadata", {})
    return from_dict({"output_type": output_type, **fields})


class _Hook(DisplayHook):
    """A cell's last value as an `execute_result` output (no prompt, nothing printed)."""

    def write_output_prompt(self) -> None:
        pass

    def write_format_data(self, format_dict, md_dict=None) -> None:
        self.shell.outputs.append(
            new_output(
                "execute_result",
                data=format_dict,
                metadata=md_dict or {},
                execution_count=self.shell.execution_count,
            )
        )

    def finish_displayhook(self) -> None:
        pass

    def flush(self) -> None:
        """The output cache emptied as IPython's `flush` does it, without its full collection:
        `ReportShell.forget` collects once, after the namespace is cleared too."""
        for n in range(1, self.prompt_count + 1):
            self.shell.user_ns_hidden.pop(f"_{n}", None)
            self.shell.user_ns.pop(f"_{n}", None)
        if (oh := self.shell.user_ns.get("_oh")) is not None:
            oh.clear()
        self._, self.__, self.___ = "", "", ""


class _Publisher(DisplayPublisher):
    """Each `display()` call as a `display_data` output."""

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        self.shell.outputs.append(new_output("display_data", data=data, metadata=metadata or {}))

    def clear_output(self, wait: bool = False) -> None:
        self.shell.outputs.clear()


class ReportShell(InteractiveShell):
    """The shell report cells run on: outputs collected per cell, no history file, no prompt."""

    displayhook_class = Type(_Hook)
    display_pub_class = Type(_Publisher)

    def __init__(self, **kwargs: Any) -> None:
        self.outputs: list = []
        super().__init__(**kwargs)

    def _showtraceback(self, etype, evalue, stb) -> None:
        self.outputs.append(
            new_output("error", ename=str(etype.__name__), evalue=str(evalue), traceback=stb)
        )

    def run(self, source: str) -> list:
        """Run one cell's source; its outputs in the order a kernel sends them."""
        self.outputs = []
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            self.run_cell(source, store_history=True)
        streams = [
            new_output("stream", name=name, text=text)
            for name, text in (("stdout", out.getvalue()), ("stderr", err.getvalue()))
            if text
        ]
        return streams + self.outputs

    def forget(self) -> None:
        """Clear what the last report left: its variables, the output cache, its figures; free
        them (one full collection, after the namespace is cleared: the report's cycles, figures
        above all, are garbage only then); then move what survives (modules, the cached
        context, drawn base maps) out of the collector's sight, so collections during the next
        report do not walk it again. Freezing before that collection would keep every report's
        figures for good (11 MB per report, measured)."""
        self.reset(new_session=True)  # cells counted from 1, as on a fresh kernel
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        gc.collect()
        gc.freeze()


def shell() -> ReportShell:
    """This process's report shell (one per process: IPython's `get_ipython()` returns it, so
    pandas and IPython's formatters behave as in a kernel)."""
    if not ReportShell.initialized():
        config = Config()
        config.HistoryManager.enabled = False
        host = sys.modules.get("__main__")
        ReportShell.instance(config=config, colors="nocolor")
        # IPython puts the shell's namespace in sys.modules as __main__ (for a kernel's pickling);
        # this process keeps its own: a batch pickles its jobs' functions by their module name
        if host is not None:
            sys.modules["__main__"] = host
    return ReportShell.instance()


class InProcessEngine(Engine):
    """papermill's engine interface over `ReportShell`: cells run in order, each timed by
    papermill's execution manager; the first failing cell stops the run (papermill then raises
    its PapermillExecutionError naming the cell, as with a kernel)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs) -> None:
        ip = shell()
        ip.forget()
        nb_man.nb.metadata["language_info"] = {
            "name": "python",
            "version": platform.python_version(),
            "mimetype": "text/x-python",
            "file_extension": ".py",
        }
        for index, cell in enumerate(nb_man.nb.cells):
            if cell.cell_type != "code":
                continue
            nb_man.cell_start(cell, index)
            cell.execution_count = ip.execution_count
            cell.outputs = ip.run(cell.source)
            if any(output.output_type == "error" for output in cell.outputs):
                nb_man.cell_exception(cell, index)
                nb_man.cell_complete(cell, index)
                break
            nb_man.cell_complete(cell, index)


def register() -> None:
    from papermill.engines import papermill_engines

    papermill_engines.register(ENGINE, InProcessEngine)
