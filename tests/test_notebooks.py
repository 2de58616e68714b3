"""The notebooks as papermill and an analyst in JupyterLab use them: the district report, executed
in a real kernel, gives PNG images and DataFrames with typed numeric columns; its analyst and
narrative cells stay out of the rendered page; the explore notebook runs; importing the report
package leaves pyplot's inline display working."""

from __future__ import annotations

import base64
import os

import pytest

from analysis.report.render import execute, to_html_nbconvert
from analysis.report.run import NOTEBOOKS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCHEMA = "application/vnd.dataresource+json"


@pytest.fixture(scope="module")
def executed(processed, tmp_path_factory):
    out = tmp_path_factory.mktemp("notebooks") / "district_report.ipynb"
    parameters = {"district": "Kota Serang", "lang": "en", "processed_dir": str(processed)}
    return execute(NOTEBOOKS / "district_report.py", parameters, out)


def outputs(nb) -> list[dict]:
    return [o for cell in nb.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]


def test_district_notebook_gives_images_and_frames_with_numeric_columns(executed):
    images = [o["data"]["image/png"] for o in outputs(executed) if "image/png" in o.get("data", {})]
    assert len(images) >= 4  # trends, maps, root causes, targets
    assert all(base64.b64decode(png).startswith(PNG_SIGNATURE) for png in images)
    tables = [o["data"][SCHEMA] for o in outputs(executed) if SCHEMA in o.get("data", {})]
    numeric = {
        field["name"]
        for table in tables
        for field in table["schema"]["fields"]
        if field["type"] in ("number", "integer") and field["name"] != "index"
    }
    # the frames behind the sections, with their numbers as numbers
    assert {"contribution", "ci_low", "ci_high", "national_median", "gap", "value"} <= numeric
    trends = next(
        t for t in tables if "national_median" in {f["name"] for f in t["schema"]["fields"]}
    )
    assert all(isinstance(row["year"], int) for row in trends["data"])


def test_rendered_page_leaves_out_analyst_and_narrative_cells(executed):
    html = to_html_nbconvert(executed, title="Kota Serang", lang="en")
    assert 'class="dataframe"' not in html  # analyst cells (section.data) removed
    assert "This notebook *is*" not in html and "is* the district report" not in html
    assert html.count("<h2") == 13  # the 13 sections of the district report (no analyst ones)
    assert "data-pip-section" not in html  # the page carries the stylesheet once


def test_explore_notebook_runs(processed, tmp_path):
    nb = execute(NOTEBOOKS / "explore.py", {"processed_dir": str(processed)}, tmp_path / "x.ipynb")
    tables = [o["data"] for o in outputs(nb) if SCHEMA in o.get("data", {})]
    columns = [{f["name"] for f in t[SCHEMA]["schema"]["fields"]} for t in tables]
    assert any({"estimate", "p_value"} <= c for c in columns)  # the model summary
    assert sum({"driver", "value", "ci_low"} <= c for c in columns) >= 2  # decompositions


def test_pyplot_displays_inline_after_importing_the_report_package():
    from jupyter_client.manager import start_new_kernel

    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    try:
        code = (
            "import analysis.report.district, analysis.report.province\n"
            "import matplotlib.pyplot as plt\n"
            "plt.plot([1, 2, 3])\n"
            "plt.show()\n"
        )
        shown = []
        reply = kc.execute_interactive(
            code, timeout=120, output_hook=lambda msg: shown.append(msg["content"])
        )
        assert reply["content"]["status"] == "ok"
        assert any("image/png" in content.get("data", {}) for content in shown)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
