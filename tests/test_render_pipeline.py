"""The rendering pipeline's shortcuts change nothing a reader sees: the page body written
directly has the same elements, attributes and text as nbconvert's (compared after both go
through the parser nbconvert itself uses); the warm kernel and the in-process shell (no kernel)
give the same page as a fresh kernel;
the in-process floor of `make bench` runs the same notebook code and shows the same sections."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analysis.inprocess import run_notebook
from analysis.report.nbbody import basic_body
from analysis.report.render import (
    REMOVE_TAGS,
    execute,
    execute_inprocess,
    execute_warm,
    nbconvert_body,
    shutdown_warm_kernel,
    to_html_nbconvert,
)
from analysis.report.run import NOTEBOOKS

NOTEBOOK = NOTEBOOKS / "district_report.py"
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n not really a picture").decode()
PICTURES = re.compile(r"base64,[A-Za-z0-9+/=]+")


def same_content(fast: str, reference: str) -> bool:
    return str(BeautifulSoup(fast, features="html.parser")) == reference


@pytest.fixture(scope="module")
def parameters(processed):
    return {"district": "3604", "lang": "id", "processed_dir": str(processed)}


@pytest.fixture(scope="module")
def fresh(parameters, tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh") / "serang.ipynb"
    return execute(NOTEBOOK, parameters, out, skip_tags=REMOVE_TAGS)  # as a report render does


@pytest.fixture(scope="module")
def warm(parameters, tmp_path_factory):
    out = tmp_path_factory.mktemp("warm")
    try:
        other = {**parameters, "district": "3673"}
        execute_warm(NOTEBOOK, other, out / "other.ipynb", REMOVE_TAGS)
        yield execute_warm(NOTEBOOK, parameters, out / "serang.ipynb", REMOVE_TAGS)  # after reset
    finally:
        shutdown_warm_kernel()


@pytest.fixture(scope="module")
def inprocess(parameters, tmp_path_factory):
    out = tmp_path_factory.mktemp("inprocess")
    other = {**parameters, "district": "3673"}
    execute_inprocess(NOTEBOOK, other, out / "other.ipynb", REMOVE_TAGS)
    return execute_inprocess(NOTEBOOK, parameters, out / "serang.ipynb", REMOVE_TAGS)


def test_the_report_body_is_nbconverts_without_nbconvert(fresh):
    body = basic_body(fresh)
    assert body is not None and "<h1>" in body
    assert same_content(body, nbconvert_body(fresh))


def test_papermill_records_the_run_in_the_executed_notebook(fresh, parameters, tmp_path):
    assert fresh.metadata["papermill"]["parameters"] == parameters
    tags = [cell.metadata.get("tags", []) for cell in fresh.cells]
    assert ["injected-parameters"] in tags
    assert all("duration" in cell.metadata["papermill"] for cell in fresh.cells)


def test_the_warm_kernel_gives_the_page_a_fresh_kernel_gives(fresh, warm):
    a = to_html_nbconvert(fresh, title="t", lang="id")
    b = to_html_nbconvert(warm, title="t", lang="id")
    assert "Kabupaten Serang" in b and "Kota Serang" not in b.split("<h2>")[0]
    assert PICTURES.sub("", a) == PICTURES.sub("", b)


def test_the_in_process_shell_gives_the_page_a_fresh_kernel_gives(fresh, inprocess):
    a = to_html_nbconvert(fresh, title="t", lang="id")
    b = to_html_nbconvert(inprocess, title="t", lang="id")
    assert "Kabupaten Serang" in b and "Kota Serang" not in b.split("<h2>")[0]
    assert PICTURES.sub("", a) == PICTURES.sub("", b)
    # the same pictures too (the charts are drawn by the same code in both)
    assert PICTURES.findall(a) == PICTURES.findall(b)


def test_papermill_records_the_in_process_run(inprocess, parameters):
    assert inprocess.metadata["papermill"]["parameters"] == parameters
    assert inprocess.metadata["papermill"]["exception"] is None
    code = [cell for cell in inprocess.cells if cell.cell_type == "code"]
    assert all(cell.metadata["papermill"]["duration"] is not None for cell in code)
    # a section is the kernel's execute_result: HTML (and its chart as a PNG), counted in order
    counts = [cell.execution_count for cell in code]
    assert counts == sorted(counts) and len(set(counts)) == len(counts)
    kinds = {output.output_type for cell in code for output in cell.outputs}
    assert kinds == {"execute_result"}


def synthetic(*extra) -> nbformat.NotebookNode:
    cells = [
        new_code_cell("p = 1", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "section",
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": "<p>a<br>b &amp; <img alt='x' src='data:,'></p>"},
                    execution_count=1,
                )
            ],
        ),
        new_code_cell(
            "display",
            outputs=[
                new_output("display_data", data={"text/html": "<b>d</b>", "image/png": PNG}),
                new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}),
            ],
            metadata={"tags": ["a", "b"]},
        ),
        new_code_cell(
            "figure",
            outputs=[
                new_output(
                    "display_data",
                    data={"image/png": PNG},
                    metadata={"image/png": {"width": 300, "alt": "a <chart>"}, "height": 20},
                )
            ],
            metadata={"alt": "the cell's alt"},
        ),
        *extra,
    ]
    return new_notebook(cells=cells)


def test_html_and_png_outputs_are_written_as_nbconvert_writes_them():
    nb = synthetic()
    body = basic_body(nb)
    assert body is not None
    assert same_content(body, nbconvert_body(nb))


@pytest.mark.parametrize(
    "extra",
    [
        new_markdown_cell("# a heading"),
        new_code_cell("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]),
        new_code_cell("x", outputs=[new_output("display_data", data={"text/plain": "1"})]),
        new_code_cell("x", outputs=[new_output("display_data", data={"text/html": "<img>"})]),
    ],
    ids=["markdown", "stream", "plain text", "image without alt"],
)
def test_other_outputs_go_through_nbconvert(extra):
    nb = synthetic(extra)
    assert basic_body(nb) is None
    page = to_html_nbconvert(nb, title="t", lang="id")
    assert nbconvert_body(nb) in page


def test_the_in_process_floor_shows_the_sections_the_kernel_shows(fresh, parameters):
    shown = run_notebook(Path(NOTEBOOK), parameters)
    kernel = [
        output["data"]["text/html"]
        for cell in fresh.cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]
    assert len(shown) == len(kernel) > 10
    assert [PICTURES.sub("", s) for s in shown] == [PICTURES.sub("", k) for k in kernel]


@pytest.mark.parametrize(
    "cell",
    [
        "class Broken:\n    def _repr_html_(self):\n"
        "        raise ValueError('no pace')\n\nBroken()\n",
        "import traceback\ntry:\n    raise ValueError('no pace')\nexcept ValueError:\n"
        "    traceback.print_exc()\n",
    ],
    ids=["display error", "traceback printed"],
)
def test_an_error_in_a_cell_fails_the_render(tmp_path, cell):
    """A display method that raises, or a traceback a library prints and swallows: the report
    fails instead of showing the error to its reader (the batch counts it as failed)."""
    from analysis.errors import AnalysisError
    from analysis.report.render import render

    notebook = tmp_path / "broken.py"
    notebook.write_text(
        "# %% tags=['parameters']\nx = 1\n\n# %%\n" + cell,
        encoding="utf-8",
    )
    with pytest.raises(AnalysisError, match=r"broken.py.* cell .*ValueError: no pace"):
        render(
            notebook,
            {},
            tmp_path / "out.html",
            tmp_path / "x.ipynb",
            title="t",
            lang="id",
            engine="nbconvert",
        )
    assert not (tmp_path / "out.html").exists()
