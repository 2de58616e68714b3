"""The workshop pack of a report: Serang printed to an A4 PDF without losing a column or
stranding a heading; the Word document and the slide deck carrying the same indicators,
root-cause tables and follow-up plan as the HTML; two renders giving the same bytes.

Serang is rendered twice in this module (HTML, PDF, DOCX, PPTX each time); every test reads
those two renders."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from docx import Document
from pptx import Presentation

from analysis.errors import AnalysisError
from analysis.i18n import t
from analysis.report.cells import WIDE_TABLE, column_widths, print_width, table_text
from analysis.report.exports import (
    chart_files,
    export_frame,
    header,
    number_formats,
    table_files,
)
from analysis.report.model import Column, Table
from analysis.report.outputs import check_formats, output_path, stored_formats, write_formats
from analysis.report.printing import (
    css_string,
    fixed_dates,
    stable_node_ids,
    with_running_header,
)
from analysis.report.run import render_district

FORMATS = ("html", "pdf", "docx", "pptx")
A4 = (595, 842)  # points, rounded


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdftotext(pdf, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", *args, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def renders(processed, tmp_path_factory):
    """Two complete renders of Kabupaten Serang (id) into two folders: {html, pdf, docx, pptx}."""
    from analysis.regions import load_registry

    serang = load_registry().resolve("Kabupaten Serang")
    out = []
    for run in ("first", "second"):
        folder = tmp_path_factory.mktemp(run)
        html = render_district(serang, out_dir=folder, processed_dir=processed, engine="nbconvert")
        parameters = {"district": serang.code, "lang": "id", "processed_dir": str(processed)}
        written = write_formats("district", parameters, html, FORMATS, key="test")
        out.append({"html": html, **{p.suffix[1:]: p for p in written}})
    return out


@pytest.fixture(scope="module")
def page(renders):
    return BeautifulSoup(renders[0]["html"].read_text(encoding="utf-8"), "html.parser")


def html_rows(table) -> list[list[str]]:
    return [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.tbody("tr")]


def html_labels(table) -> list[str]:
    return [th.get_text(strip=True) for th in table.thead("tr")[-1].find_all("th")]


def section_tables(page, key: str):
    return page.find("section", id=key).select("table.data")


# -- PDF ----------------------------------------------------------------------------------------
def test_pdf_is_a4_with_every_column_and_row_of_every_table(renders, page):
    pdf = renders[0]["pdf"]
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", _pdfinfo(pdf))
    assert sizes and all(sorted((round(float(w)), round(float(h)))) == sorted(A4) for w, h in sizes)
    text = squeeze(pdftotext(pdf, "-raw"))  # cells in the order they are drawn
    tables = page.select("table.data")
    assert len(tables) >= 15
    for table in tables:
        assert squeeze("".join(html_labels(table))) in text, table.get("id")
        for row in html_rows(table):
            assert squeeze("".join(row)) in text, (table.get("id"), row)


def test_pdf_has_running_header_page_numbers_and_no_heading_last_on_a_page(renders, page):
    pdf = renders[0]["pdf"]
    pages = int(re.search(r"Pages:\s+(\d+)", _pdfinfo(pdf)).group(1))
    headings = [squeeze(h.get_text()) for h in page.find_all(["h1", "h2", "h3"])]
    assert len(headings) > 15
    for number in range(1, pages + 1):
        lines = [
            line.strip()
            for line in pdftotext(pdf, "-layout", "-f", str(number), "-l", str(number)).splitlines()
            if line.strip()
        ]
        assert lines[-1] == f"{number} / {pages}"  # the page number, at the foot
        if number > 1:  # the running header: district and data version
            assert lines[0].startswith("Kabupaten Serang") and "versi data" in lines[0]
        body = squeeze("".join(lines[1 if number > 1 else 0 : -1]))
        stranded = [h for h in headings if body.endswith(h)]
        assert stranded == [], f"page {number} ends with the heading {stranded}"


def _pdfinfo(pdf) -> str:
    return subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True
    ).stdout


# -- Word ---------------------------------------------------------------------------------------
def docx_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_has_the_indicators_root_causes_and_follow_up_plan_of_the_html(renders, page):
    doc = Document(renders[0]["docx"])
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    cards = page.select("div.card")
    assert len(cards) == 4
    for card in cards:  # the four PIP indicators with their value
        assert card.h3.get_text(strip=True) in cells
        value = card.select_one("div.value").get_text(" ", strip=True).split()[0]
        assert value in cells
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    html_titles = [h.get_text(strip=True) for h in page.find_all("h2")]
    assert headings == html_titles  # every section, as a real heading
    bodies = [docx_rows(t) for t in doc.tables]
    for key in ("root_causes", "follow_up"):
        tables = section_tables(page, key)
        assert tables
        for table in tables:  # the same header and the same cells, numbers as in the HTML
            expected = [html_labels(table), *html_rows(table)]
            assert expected in bodies, key
    assert doc.sections[0].page_width == pytest.approx(7560310, rel=1e-3)  # A4, 21 cm
    assert "Kabupaten Serang" in text and doc.core_properties.title.endswith("Kabupaten Serang")


# the order WordprocessingML fixes for the children of these elements (Word refuses a document
# that breaks it, LibreOffice does not): the ones our writer adds to
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
    "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
    "tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
}


def test_docx_keeps_the_element_order_word_requires(renders):
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(renders[0]["docx"]) as package:
        document = etree.fromstring(package.read("word/document.xml"))
        settings = [c.tag for c in etree.fromstring(package.read("word/settings.xml"))]
    for tag, order in SCHEMA_ORDER.items():
        names = order.split()
        for element in document.iter(w + tag):
            children = [c.tag.removeprefix(w) for c in element]
            assert set(children) <= set(names), (tag, children)
            positions = [names.index(c) for c in children]
            assert positions == sorted(positions), (tag, children)
    assert settings.index(w + "updateFields") < settings.index(w + "compat")


# -- slides -------------------------------------------------------------------------------------
def test_pptx_has_indicator_slides_root_cause_charts_and_the_follow_up_plan(renders, page):
    deck = Presentation(renders[0]["pptx"])
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)  # 16:9
    slides = list(deck.slides)
    titles = [s.shapes.title.text if s.shapes.title else "" for s in slides]
    texts = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in slides]
    for card in page.select("div.card"):
        at = titles.index(card.h3.get_text(strip=True))  # one slide per indicator
        value = card.select_one("div.value").get_text(" ", strip=True).split()[0]
        assert value in texts[at]
        assert any(sh.shape_type == 13 for sh in slides[at].shapes)  # its trend chart
    roots = [i for i, t in enumerate(titles) if t.startswith("Akar masalah:")]
    assert len(roots) == len(page.find("section", id="root_causes").find_all("figure"))
    assert all(any(sh.shape_type == 13 for sh in slides[i].shapes) for i in roots)
    plan = section_tables(page, "follow_up")[0]
    shown = []
    for slide in slides:
        for shape in slide.shapes:
            if shape.has_table and slide.shapes.title.text.startswith("Rencana tindak lanjut"):
                rows = [[c.text for c in row.cells] for row in shape.table.rows]
                assert rows[0] == html_labels(plan)
                shown += rows[1:]
    assert shown == html_rows(plan)
    sizes = [
        run.font.size.pt
        for s in slides
        for sh in s.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for run in p.runs
        if run.font.size
    ]
    assert min(sizes) >= 11


def test_pptx_chart_captions_end_above_the_caveat_and_the_picture_above_the_caption(renders):
    """On a root-cause slide the picture, its caption (three lines of 12-point text) and the
    caveat sit one below the other: none runs into the next."""
    from analysis.report.slides import caption_height

    deck = Presentation(renders[0]["pptx"])
    checked = 0
    for slide in deck.slides:
        if not slide.shapes.title or not slide.shapes.title.text.startswith("Akar masalah:"):
            continue
        picture = next(sh for sh in slide.shapes if sh.shape_type == 13)
        boxes = sorted(
            (sh for sh in slide.shapes if sh.has_text_frame and sh.top > picture.top),
            key=lambda sh: sh.top,
        )
        caption, caveat = boxes[0], boxes[1]
        text = caption.text_frame.text
        assert caption.height >= caption_height(text, 12, caption.width)
        assert picture.top + picture.height <= caption.top
        assert caption.top + caption.height <= caveat.top
        checked += 1
    assert checked >= 4


# -- the same bytes -----------------------------------------------------------------------------
def downloads(html) -> dict[str, bytes]:
    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
    return {
        a["download"]: base64.b64decode(a["href"].split(",", 1)[1])
        for a in soup.find_all("a", class_="download")
    }


def test_two_renders_give_the_same_bytes_and_html_apart_from_the_date(renders):
    first, second = renders
    for fmt in ("docx", "pptx", "pdf"):
        assert first[fmt].read_bytes() == second[fmt].read_bytes(), fmt
    files = downloads(first["html"])
    assert any(n.endswith(".xlsx") for n in files) and any(n.endswith(".csv") for n in files)
    assert files == downloads(second["html"])
    today = date.today().isoformat()
    html = [r["html"].read_text(encoding="utf-8").replace(today, "DATE") for r in renders]
    assert html[0] == html[1]


def test_formats_are_cached_like_the_html(renders, processed):
    html = renders[0]["html"]
    assert set(stored_formats(html)) == {"pdf", "docx", "pptx"}
    parameters = {"district": "3604", "lang": "id", "processed_dir": str(processed)}
    assert write_formats("district", parameters, html, FORMATS, key="test") == []
    assert output_path(html, "pdf") == html.with_suffix(".pdf")


# -- units: formats, downloads, printing helpers ------------------------------------------------
def test_format_names_are_checked_and_html_always_comes():
    assert check_formats(None) == ("html",)
    assert check_formats(["pptx", "PDF", "pdf"]) == ("html", "pdf", "pptx")
    with pytest.raises(AnalysisError, match="--format rtf"):
        check_formats(["rtf"])


def test_every_report_table_downloads_with_numbers_labels_and_units(processed):
    from analysis.report.district import DistrictReport
    from analysis.report.province import ProvinceReport

    sections = [
        *DistrictReport.load("Kabupaten Serang", processed_dir=str(processed)).all_sections(),
        *ProvinceReport.load("Banten", processed_dir=str(processed)).all_sections(),
    ]
    tables = [t for s in sections for t in s.tables]
    assert len(tables) >= 18 and all(t.file for t in tables)
    for chart in (c for s in sections for c in s.charts):  # its PNG and its labelled data
        files = chart_files(chart)
        assert set(files) == {f"{chart.file}.png", f"{chart.file}.csv"} and chart.columns
        data_header = files[f"{chart.file}.csv"].decode("utf-8-sig").splitlines()[0]
        assert "district_code" not in data_header and "indicator" not in data_header
    relabelled = 0
    for table in tables:
        frame = export_frame(table)
        assert len(number_formats(table)) == len(frame.columns), table.key
        for col in table.columns:
            if col.unit and col.kind not in ("year", "interval"):
                assert any(f"({col.unit})" in str(h) for h in frame.columns), (table.key, col)
            if col.labels and col.kind in ("text", "status"):  # codes become labels
                exported = set(frame[header(col)].dropna())
                codes = {v for v in table.data[col.name].dropna() if col.labels.get(v, v) != v}
                assert not codes & exported, (table.key, col.name)
                relabelled += bool(codes)
        files = table_files(table)
        sheet = openpyxl.load_workbook(io.BytesIO(files[f"{table.file}.xlsx"])).active
        heads = [c.value for c in next(sheet.iter_rows(max_row=1))]
        # a workbook made elsewhere (the follow-up plan's) has its own columns: found by header
        numeric = [c for c in frame.columns if frame[c].dtype.kind in "fi"]
        if "xlsx" in table.downloads:
            numeric = [t(f"fu_col_{c}", table.lang) for c in ("baseline", "target")]
        for head in numeric:
            i = heads.index(head)
            values = [r[i] for r in sheet.iter_rows(min_row=2, values_only=True)]
            assert all(v is None or isinstance(v, int | float) for v in values), table.key
    assert relabelled >= 10  # indicator, OPD, status… columns whose codes became labels


def test_a_download_only_column_with_a_shown_header_keeps_formats_aligned():
    data = pd.DataFrame({"range_text": ["7,5 tahun"], "range": [7.53], "n": [8]})
    columns = [
        Column("range_text", "Rentang", "text"),
        Column("range", "Rentang", digits=1, export_only=True),
        Column("n", "n", "integer"),
    ]
    table = Table("ineq", data, columns, "id", file="ineq", version="v1")
    frame = export_frame(table)
    assert list(frame.columns) == ["Rentang", "n"] and frame["Rentang"].iloc[0] == 7.53
    assert number_formats(table) == ["0.0", "0"]
    sheet = openpyxl.load_workbook(io.BytesIO(table_files(table)["ineq.xlsx"])).active
    assert sheet["A2"].value == 7.53 and sheet["A2"].number_format == "0.0"


def test_column_widths_fit_words_and_leave_room_to_write():
    data = pd.DataFrame({"driver": ["Kepemilikan JKN/Jamkesda"], "value": [41.8], "action": [""]})
    columns = [
        Column("driver", "Akar masalah", "text"),
        Column("value", "Nilai"),
        Column("action", "Rencana aksi", "text"),
    ]
    table = Table("plan", data, columns, "id")
    widths = column_widths(table, table_text(table), 100.0, char=1.0, pad=0.0)
    assert sum(widths) == pytest.approx(100.0)
    assert widths[0] >= len("JKN/Jamkesda") and widths[1] >= len("Nilai")  # no word cut
    assert widths[2] > widths[1]  # the empty column to fill in gets room to write
    assert print_width(table) < WIDE_TABLE


def test_running_header_is_quoted_and_pdf_dates_fixed():
    page = with_running_header("<html><head></head><body></body></html>", 'Kab. "X"', "v</style>")
    assert '\\"X\\"' in page and "</style>\\" not in page and page.count("</style>") == 1
    assert css_string("a\\b") == "a\\\\b"
    pdf = b"<</CreationDate (D:20261125110512+00'00')\n/ModDate (D:20261125110512+00'00')>>"
    fixed = fixed_dates(pdf, datetime(2001, 1, 17, 17, 24, 50))
    assert fixed.count(b"D:20010117172450+00'00'") == 2 and len(fixed) == len(pdf)
    tagged = b"/ID (node00000051) /ID (node00000099) /ID (node00000051)"
    assert stable_node_ids(tagged) == b"/ID (node00000001) /ID (node00000002) /ID (node00000001)"


def test_batch_writes_a_format_asked_later_without_rendering_the_html_again(
    renders, processed, tmp_path
):
    import shutil

    from analysis.batch import plan, run_batch, write_key
    from analysis.regions import load_registry

    serang = load_registry().resolve("Kabupaten Serang")
    (job,) = plan(
        [serang], ["id"], out_dir=tmp_path, processed_dir=processed, formats=("html", "pdf")
    )
    html = tmp_path / "banten" / "kabupaten-serang.html"
    html.parent.mkdir(parents=True)
    shutil.copyfile(renders[0]["html"], html)  # an up-to-date HTML: its key matches the job's
    write_key(job, html, 0.0, {})  # its key, size and sha256, as a render records them
    before = html.stat().st_mtime_ns
    (result,) = run_batch([job], workers=1)
    assert result.status == "ok" and html.stat().st_mtime_ns == before
    assert html.with_suffix(".pdf").read_bytes() == renders[0]["pdf"].read_bytes()
    (again,) = run_batch([job], workers=1)
    assert again.status == "skipped"


def test_index_links_the_workshop_files_written_next_to_a_report(tmp_path):
    """The index lists a report's PDF, Word and slide files when `--format` wrote them."""
    import json

    from analysis.report.index import build_index

    folder = tmp_path / "banten"
    folder.mkdir()
    html = folder / "kabupaten-serang.html"
    html.write_text("<html></html>", encoding="utf-8")
    (folder / "kabupaten-serang.pdf").write_bytes(b"%PDF-1.4")
    (folder / "kabupaten-serang.docx").write_bytes(b"PK")
    doc = {"kind": "district", "district": "Kabupaten Serang", "province": "Banten", "lang": "id"}
    (folder / "kabupaten-serang.html.key.json").write_text(json.dumps(doc), encoding="utf-8")
    page = build_index(tmp_path).read_text(encoding="utf-8")
    assert 'href="banten/kabupaten-serang.pdf"' in page
    assert 'href="banten/kabupaten-serang.docx"' in page
    assert "kabupaten-serang.pptx" not in page  # not written: not linked


def test_index_lists_a_report_whose_key_file_is_damaged_without_failing(tmp_path):
    """A truncated key file beside a report (a killed run, a bad copy) is listed as damaged."""
    from analysis.i18n import t
    from analysis.report.index import build_index

    folder = tmp_path / "banten"
    folder.mkdir()
    (folder / "kota-serang.html").write_text("<html></html>", encoding="utf-8")
    (folder / "kota-serang.html.key.json").write_text('{"kind": "dist', encoding="utf-8")
    page = build_index(tmp_path).read_text(encoding="utf-8")
    assert 'href="banten/kota-serang.html"' in page
    assert t("index_status_damaged", "id") in page
