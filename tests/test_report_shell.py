"""The in-process papermill engine (analysis/report/shell.py) gives what a kernel gives: the
parameters papermill injects, a cell's last value as `execute_result`, each `display()` as
`display_data`, printed text as `stream`, a failing cell as papermill's error naming the cell
(and nothing after it run), and no variable of one report in the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.errors import AnalysisError
from analysis.report.render import execute_inprocess

NOTEBOOK = """# %% tags=["parameters"]
district = "none"

# %%
from IPython.display import HTML, display

print("hello", district)
display(HTML("<b>shown</b>"))
{last!s}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def test_outputs_are_the_ones_a_kernel_sends(tmp_path):
    notebook = write(tmp_path, "nb", NOTEBOOK.format(last="district.upper()"))
    nb = execute_inprocess(notebook, {"district": "serang"}, tmp_path / "out.ipynb")
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "serang" in injected[0].source
    outputs = code_cells(nb)[-1].outputs
    assert [o.output_type for o in outputs] == ["stream", "display_data", "execute_result"]
    assert outputs[0].name == "stdout" and outputs[0].text == "hello serang\n"
    assert outputs[1].data["text/html"] == "<b>shown</b>"
    assert outputs[2].data["text/plain"] == "'SERANG'"
    assert (tmp_path / "out.ipynb").exists()  # papermill wrote the executed notebook
    assert nb.metadata["papermill"]["parameters"] == {"district": "serang"}


def test_a_failing_cell_is_named_and_stops_the_run(tmp_path):
    text = NOTEBOOK.format(last="1 / 0") + '\n# %%\nafter = print("never")\n'
    notebook = write(tmp_path, "bad", text)
    with pytest.raises(AnalysisError, match="bad.py failed in cell .*ZeroDivisionError"):
        execute_inprocess(notebook, {"district": "x"}, tmp_path / "bad.ipynb")
    import nbformat

    nb = nbformat.read(tmp_path / "bad.ipynb", as_version=4)
    failed, after = code_cells(nb)[-2:]
    assert failed.outputs[-1].output_type == "error"
    assert failed.outputs[-1].ename == "ZeroDivisionError"
    assert after.outputs == [] and after.execution_count is None


def test_no_variable_of_one_report_reaches_the_next(tmp_path):
    first = write(tmp_path, "first", '# %%\nleft_behind = "from the last district"\n')
    second = write(tmp_path, "second", '# %%\n"left_behind" in dir()\n')
    execute_inprocess(first, {}, tmp_path / "first.ipynb")
    nb = execute_inprocess(second, {}, tmp_path / "second.ipynb")
    assert code_cells(nb)[-1].outputs[-1].data["text/plain"] == "False"


FIGURE = """# %%
import weakref

from matplotlib.figure import Figure

import tests.test_report_shell as here

fig = Figure()
fig.subplots().plot([1, 2], [3, 4])  # a figure is full of reference cycles
here.PROBE.append(weakref.ref(fig))
"""
PROBE: list = []


def test_a_reports_figures_are_freed_before_the_next_report(tmp_path):
    # the collector must run after the namespace is cleared and before what is left is frozen
    # (frozen first, every report's figures stayed in memory for good: 11 MB per report)
    PROBE.clear()
    execute_inprocess(write(tmp_path, "figure", FIGURE), {}, tmp_path / "f.ipynb")
    assert PROBE[0]() is not None  # still there: nothing has cleared the namespace yet
    execute_inprocess(write(tmp_path, "next", "# %%\n1\n"), {}, tmp_path / "n.ipynb")
    assert PROBE[0]() is None


def test_the_process_keeps_its_own_main_module():
    import sys

    from analysis.report.shell import ReportShell, shell

    main = sys.modules["__main__"]
    if ReportShell.initialized():  # made by an earlier test: start over, as a fresh worker
        ReportShell.clear_instance()
    shell()
    assert sys.modules["__main__"] is main  # a pool can still pickle functions defined there
