"""The report layer's object model and outputs: tables shown in the report's number format with
missing values said and text escaped; downloads labelled, rounded and byte-identical run to run;
sections that show themselves in a notebook; charts built without pyplot."""

from __future__ import annotations

import base64
import io
import subprocess
import sys

import numpy as np
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from matplotlib.figure import Figure

from analysis.report.cells import table_text
from analysis.report.charts.style import LocaleTicks, YearTicks, new_figure
from analysis.report.exports import (
    csv_bytes,
    document_timestamp,
    export_frame,
    table_files,
    xlsx_bytes,
)
from analysis.report.model import Bullets, Chart, Column, Section, Table, Text
from analysis.report.styled import table_html

OPDS = {"dinsos": "Dinas Sosial", "dinkes": "Dinas Kesehatan"}


def plan_table(lang: str = "id") -> Table:
    data = pd.DataFrame(
        {
            "driver": ["Kepemilikan <JKN>", "Bidan & co"],
            "opd": ["dinsos", "dinkes"],
            "value": [1234.56789, np.nan],
            "year": [2022, 2021],
            "low": [-0.123456, 0.5],
            "high": [0.3, 0.75],
            "status": ["on_track", "out_of_reach"],
        }
    )
    columns = [
        Column("driver", "Faktor", "text"),
        Column("opd", "OPD", "text", labels=OPDS),
        Column("value", "Nilai", unit="%", year="year", missing="data tidak tersedia"),
        Column("low", "Interval 95%", "interval", high="high", digits=2),
        Column("status", "Status", "status", labels={"on_track": "sesuai jalur"}),
    ]
    return Table("plan", data, columns, lang, file="3604_plan", version="d155505afd00102b")


def test_table_html_formats_numbers_says_missing_and_escapes():
    soup = BeautifulSoup(str(table_html(plan_table())), "html.parser")
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in soup.find("tbody")("tr")]
    assert rows[0] == [
        "Kepemilikan <JKN>",
        "Dinas Sosial",
        "1.234,6 (2022)",
        "−0,12 … 0,30",
        "sesuai jalur",
    ]
    assert rows[1][2] == "data tidak tersedia" and "missing" in soup("tr")[2]("td")[2]["class"]
    assert soup.find("span", class_="status")["class"] == ["status", "on_track"]
    assert "<JKN>" not in str(table_html(plan_table()))  # escaped, not markup
    english = BeautifulSoup(str(table_html(plan_table("en"))), "html.parser")
    assert "1,234.6 (2022)" in english.get_text()


def test_cells_as_text_for_other_writers():
    text = table_text(plan_table())
    assert list(text.columns) == ["Faktor", "OPD", "Nilai", "Interval 95%", "Status"]
    assert text.iloc[0].tolist() == [
        "Kepemilikan <JKN>",
        "Dinas Sosial",
        "1.234,6 (2022)",
        "−0,12 … 0,30",
        "sesuai jalur",
    ]
    assert text.iloc[1, 2] == "data tidak tersedia" and text.iloc[1, 4] == "out_of_reach"


def test_export_has_labels_units_codes_as_labels_and_rounded_numbers():
    frame = export_frame(plan_table())
    assert list(frame.columns) == [
        "Faktor",
        "OPD",
        "Nilai (%)",
        "Nilai (%) — Tahun",
        "Interval 95% — batas bawah",
        "Interval 95% — batas atas",
        "Status",
    ]
    assert frame["OPD"].tolist() == ["Dinas Sosial", "Dinas Kesehatan"]
    assert frame["Nilai (%)"].iloc[0] == 1234.568 and np.isnan(frame["Nilai (%)"].iloc[1])
    assert frame["Interval 95% — batas bawah"].iloc[0] == -0.1235
    assert frame["Nilai (%) — Tahun"].tolist() == [2022, 2021]
    assert frame["Status"].tolist() == ["sesuai jalur", "out_of_reach"]  # unlabelled code kept


def test_a_year_given_as_text_stays_text_in_the_downloads_a_plain_year_a_number():
    when = ["2019, dibagi penduduk 2024", "2021", None]
    data = pd.DataFrame({"value": [30.5, 2.0, 1.0], "when": when})
    table = Table("t", data, [Column("value", "Nilai", year="when")], "id", file="t")
    frame = export_frame(table)
    assert frame["Nilai — Tahun"].tolist()[:2] == ["2019, dibagi penduduk 2024", 2021]
    files = table_files(table)
    csv = files["t.csv"].decode("utf-8-sig").splitlines()
    assert csv[1:] == ['30.5,"2019, dibagi penduduk 2024"', "2.0,2021", "1.0,"]
    sheet = openpyxl.load_workbook(io.BytesIO(files["t.xlsx"])).active
    assert [sheet["B2"].value, sheet["B3"].value, sheet["B4"].value] == [when[0], 2021, None]


def test_xlsx_is_byte_identical_numeric_and_dated_by_the_data_version():
    table = plan_table()
    first, second = table_files(table), table_files(plan_table())
    assert first == second and set(first) == {"3604_plan.csv", "3604_plan.xlsx"}
    book = openpyxl.load_workbook(io.BytesIO(first["3604_plan.xlsx"]))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["Faktor", "OPD", "Nilai (%)"]
    assert sheet["C2"].value == pytest.approx(1234.568) and sheet["C3"].value is None
    assert sheet["D2"].value == 2022 and sheet["C2"].number_format == "0.0"
    assert book.properties.created == document_timestamp("d155505afd00102b")
    assert document_timestamp("d155505afd00102b") != document_timestamp("another version")
    other = xlsx_bytes(export_frame(table), sheet="x", timestamp=document_timestamp("v2"))
    assert other != first["3604_plan.xlsx"]
    text = csv_bytes(export_frame(table)).decode("utf-8-sig")
    assert (
        text.splitlines()[1]
        == "Kepemilikan <JKN>,Dinas Sosial,1234.568,2022,-0.1235,0.3,sesuai jalur"
    )


def chart_section() -> Section:
    fig, ax = new_figure(4, 3)
    ax.plot([2020, 2021, 2022], [1.5, 2.5, 2.0])
    data = pd.DataFrame({"year": [2020, 2021, 2022], "value": [1.5, 2.5, 2.0]})
    chart = Chart("line", fig, "a line", "caption", data, file="line")
    blocks = [Text.of("Posisi <b>terlemah</b>: `--spm FILE`"), Bullets((Text.of("x"),)), chart]
    return Section("demo", "Judul", [*blocks, plan_table()], "id")


def test_section_gives_its_data_figures_and_a_notebook_display():
    section = chart_section()
    assert list(section.data) == ["line", "plan"]
    assert section.data["plan"]["value"].dtype == float
    assert len(section.figures) == 1 and isinstance(section.figures[0], Figure)
    runs = section.blocks[0].runs
    assert [(r.text, r.bold, r.code) for r in runs] == [
        ("Posisi ", False, False),
        ("terlemah", True, False),
        (": ", False, False),
        ("--spm FILE", False, True),
    ]
    bundle = section._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    html = BeautifulSoup(bundle["text/html"], "html.parser")
    assert ".status" in html.find("style").get_text()  # badges keep their look anywhere
    assert html.find("h2").get_text() == "Judul" and html.find("b").get_text() == "terlemah"
    links = {a["download"] for a in html("a", class_="download")}
    assert links == {"line.png", "line.csv", "3604_plan.csv", "3604_plan.xlsx"}
    assert "data-pip-section" not in str(section)  # on the report page its stylesheet styles it


def test_chart_png_is_the_same_bytes_each_time():
    assert chart_section().charts[0].png == chart_section().charts[0].png


def test_ticks_follow_the_report_language():
    for lang, expected in (
        ("id", ["1.000", "1.500", "2.000"]),
        ("en", ["1,000", "1,500", "2,000"]),
    ):
        assert LocaleTicks(lang).format_ticks([1000, 1500, 2000]) == expected
    assert LocaleTicks("id").format_ticks([0.0, 0.5, 1.0]) == ["0,0", "0,5", "1,0"]
    assert YearTicks().format_ticks([2021.0, 2021.5, 2022.0]) == ["2021", "", "2022"]


def test_importing_the_report_layer_leaves_pyplot_alone():
    code = (
        "import sys, matplotlib\n"
        "import analysis.report.district, analysis.report.province, analysis.report.html\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "print(matplotlib.get_backend(), matplotlib.rcParams['backend'])\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def serang_twice(processed, tmp_path_factory):
    """Serang's report from the processed data, and from the same data version built again
    later (a copy whose version file records another build time)."""
    import json
    import shutil

    from analysis.report.district import DistrictReport

    rebuilt = tmp_path_factory.mktemp("rebuilt") / "processed"
    shutil.copytree(processed, rebuilt)
    version_file = rebuilt / "data_version.json"
    version = json.loads(version_file.read_text(encoding="utf-8"))
    version["built_at"] = "2031-01-02T03:04:05+0000"
    version_file.write_text(json.dumps(version), encoding="utf-8")
    return [
        DistrictReport.load("Kabupaten Serang", processed_dir=str(p)) for p in (processed, rebuilt)
    ]


def test_same_inputs_give_byte_identical_downloads(serang_twice):
    files = []
    for report in serang_twice:
        sections = [report.follow_up(), report.methods(), report.trends()]
        tables = {k: v for s in sections for t in s.tables for k, v in table_files(t).items()}
        pngs = {c.key: c.png for s in sections for c in s.charts}
        files.append((tables, pngs))
    assert files[0] == files[1]
    assert any(name.endswith("rencana_tindak_lanjut.xlsx") for name in files[0][0])
