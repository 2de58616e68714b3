"""A report as an editable Word document (python-docx): the starting point of the document the
expert team writes and sends back to the district.

    docx_bytes(report.all_sections(), info) -> bytes

Walks the sections generically, block by block (no section is special but the title section,
`level == 1`, which becomes the title page):

- Section title -> Word style "Heading 1"; Heading block -> "Heading 2" (a table of contents,
  which follows the title page, lists both);
- Text -> a paragraph (bold runs kept); kind note/footer small and grey, caveat/callout in a box
  with a coloured rule, warning in orange, subtitle as "Subtitle"; Bullets -> "List Bullet";
- Table -> a Word table of the cells as the page shows them (`cells.table_text`: Indonesian
  number format in id, English in en), header rows repeated on each page, numbers right-aligned,
  rows never split; a table too wide for portrait A4 gets a landscape section of its own;
- Chart -> the PNG with "Gambar n." and its caption; Cards -> a two-column grid of cards.

A4, margins 2.5/2 cm, a running header (district, data version) and "Halaman x dari y" from
page 2. Same sections and info -> same bytes: the document properties carry the data version's
date, every zip entry too (analysis.ooxml).
"""

from __future__ import annotations

import io
import struct
from datetime import datetime

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from analysis.i18n import t
from analysis.ooxml import fixed_zip
from analysis.report import wordxml
from analysis.report.cells import (
    cell_values,
    column_widths,
    is_missing,
    print_width,
    shown_columns,
    table_text,
)
from analysis.report.model import (
    Bullets,
    Card,
    Cards,
    Chart,
    Heading,
    ReportInfo,
    Section,
    Table,
    Text,
)

FONT = "Arial"  # on every Windows Office; LibreOffice uses the metric-compatible Liberation Sans
INK, MUTED, LINE, ACCENT = "1D2A33", "5B6B76", "D9E0E5", "0B6E4F"
TINT, CAVEAT_FILL, WARN = "F3F6F8", "FFF7E6", "A15C00"
TONES = {  # status and effect codes -> text colour, as on the page
    "achieved": "1B7F3B",
    "on_track": "1B7F3B",
    "improves": "1B7F3B",
    "improves_uncertain": "1B7F3B",
    "needs_acceleration": WARN,
    "out_of_reach": "B3261E",
    "worsens": "B3261E",
    "worsens_uncertain": "B3261E",
}
PAGE_W, PAGE_H = Cm(21.0), Cm(29.7)
MARGIN_LEFT, MARGIN = Cm(2.5), Cm(2.0)
WORD_WIDE_TABLE = 14.0  # print width (cells.print_width) above which a table goes landscape
MAX_FIGURE_HEIGHT = Cm(17.0)  # a figure and its caption fit under a heading
TABLE_PT, TABLE_PT_WIDE = 8.0, 7.5


def docx_bytes(sections: list[Section], info: ReportInfo, timestamp: datetime) -> bytes:
    """The Word document of `sections` (reading order); `timestamp` dates its properties."""
    doc = Document()
    _styles(doc)
    first = doc.sections[0]
    _page(first, landscape=False)
    _header_footer(first, info)
    first.different_first_page_header_footer = True
    writer = _Writer(doc, info)
    for section in sections:
        writer.section(section, sections)
    _properties(doc, info, timestamp)
    wordxml.update_fields_on_open(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return fixed_zip(buffer.getvalue(), timestamp)


# -- the document's frame -----------------------------------------------------------------------
def _set_font(style_or_run, name: str) -> None:
    """Font `name` for every script, without the theme fonts that would override it."""
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for script in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{script}"), name)


def _styles(doc) -> None:
    styles = doc.styles
    looks = {  # style: (size pt, bold, colour, space before, space after)
        "Normal": (10, False, INK, 0, 6),
        "Title": (24, True, ACCENT, 0, 6),
        "Subtitle": (11, False, MUTED, 0, 12),
        "Heading 1": (15, True, ACCENT, 18, 6),
        "Heading 2": (11.5, True, INK, 12, 4),
        "List Bullet": (10, False, INK, 0, 3),
        "Caption": (8.5, False, MUTED, 2, 10),
    }
    for name, (size, bold, colour, before, after) in looks.items():
        style = styles[name]
        _set_font(style, FONT)
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.italic = False
        style.font.color.rgb = RGBColor.from_string(colour)
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(after)
    for name in ("Heading 1", "Heading 2"):
        styles[name].paragraph_format.keep_with_next = True
    styles["Header"].paragraph_format.tab_stops.clear_all()  # the template's centre tab
    for border in styles["Title"].element.findall(f".//{qn('w:pBdr')}"):
        border.getparent().remove(border)  # the template's blue rule under the title
    for name in ("Title", "Subtitle"):  # the template's letter spacing
        for spacing in styles[name].element.findall(f".//{qn('w:rPr')}/{qn('w:spacing')}"):
            spacing.getparent().remove(spacing)


def _page(section, *, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    section.left_margin = MARGIN_LEFT
    section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(1.0)


def _text_width(section) -> int:
    return section.page_width - section.left_margin - section.right_margin


def _header_footer(section, info: ReportInfo) -> None:
    header = section.header.paragraphs[0]
    header.paragraph_format.tab_stops.add_tab_stop(_text_width(section), WD_TAB_ALIGNMENT.RIGHT)
    right = t("print_data_version", info.lang, version=info.data_version)
    _small(header.add_run(f"{info.place}\t{right}"))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, rest = t("doc_page", info.lang, page="\0", pages="\0").split("\0", 1)
    middle, after = rest.split("\0", 1)
    _small(footer.add_run(before))
    wordxml.simple_field(footer, "PAGE")
    _small(footer.add_run(middle))
    wordxml.simple_field(footer, "NUMPAGES")
    _small(footer.add_run(after))
    for field in footer._p.findall(qn("w:fldSimple")):
        for run in field.findall(qn("w:r")):
            size = run.makeelement(qn("w:rPr"), {})
            size.append(size.makeelement(qn("w:sz"), {qn("w:val"): "16"}))
            run.insert(0, size)


def _small(run, size: float = 8, colour: str = MUTED):
    run.font.size = Pt(size)
    run.font.color.rgb = RGBColor.from_string(colour)
    return run


def _properties(doc, info: ReportInfo, timestamp: datetime) -> None:
    props = doc.core_properties
    props.title = info.title
    props.subject = "Performance Improvement Plan (PIP)"
    props.author = props.last_modified_by = "analysis (PIP reports)"
    props.keywords = f"{info.place}; {info.province}; data {info.data_version}"
    props.comments = t("print_data_version", info.lang, version=info.data_version)
    props.language = info.lang
    props.created = props.modified = props.last_printed = timestamp
    props.revision = 1


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


# -- the walk -------------------------------------------------------------------------------------
class _Writer:
    def __init__(self, doc, info: ReportInfo) -> None:
        self.doc, self.info = doc, info
        self.figures = 0

    @property
    def width(self) -> int:
        return _text_width(self.doc.sections[-1])

    def section(self, section: Section, everything: list[Section]) -> None:
        if section.level == 1:
            self.title_page(section, everything)
            return
        # a section with a table too wide for portrait A4 is printed landscape, heading and all
        wide = any(print_width(b) > WORD_WIDE_TABLE for b in section.tables)
        if wide:
            self._new_section(landscape=True)
        if section.title:
            self.doc.add_paragraph(section.title, style="Heading 1")
        for block in section.blocks:
            self.block(block)
        if wide:
            self._new_section(landscape=False)

    def block(self, block) -> None:
        if isinstance(block, Text):
            self.text(block)
        elif isinstance(block, Heading):
            self.doc.add_paragraph(block.text, style="Heading 2")
        elif isinstance(block, Bullets):
            for item in block.items:
                self.text(item, style="List Bullet")
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Chart):
            self.chart(block)
        elif isinstance(block, Cards):
            self.cards(block)

    # -- title page and contents ------------------------------------------------------------
    def title_page(self, section: Section, everything: list[Section]) -> None:
        info = self.info
        for _ in range(3):
            self.doc.add_paragraph()
        kicker = self.doc.add_paragraph()
        kicker.paragraph_format.space_after = Pt(14)
        wordxml.top_rule(kicker, ACCENT)
        _small(kicker.add_run("Performance Improvement Plan (PIP)"), 10, ACCENT).bold = True
        self.doc.add_paragraph(section.title or info.title, style="Title")
        blocks = list(section.blocks)
        subtitles = [b for b in blocks if isinstance(b, Text) and b.kind == "subtitle"]
        for block in subtitles:
            self.doc.add_paragraph(block.plain, style="Subtitle")
        facts = info.facts()
        grid = self.doc.add_table(rows=len(facts), cols=2)
        _column_widths(grid, [Cm(4), Cm(10)])
        for row, (term, value) in zip(grid.rows, facts, strict=True):
            _small(row.cells[0].paragraphs[0].add_run(term), 10)
            row.cells[1].paragraphs[0].add_run(value).bold = True
        self.doc.add_paragraph()
        for block in blocks:
            if block not in subtitles:
                self.block(block)
        self.doc.add_page_break()
        self.contents(everything)

    def contents(self, everything: list[Section]) -> None:
        title = self.doc.add_paragraph()  # not a heading: the contents do not list themselves
        run = title.add_run(t("doc_contents", self.info.lang))
        run.bold, run.font.size = True, Pt(15)
        run.font.color.rgb = RGBColor.from_string(ACCENT)
        title.paragraph_format.space_after = Pt(10)
        entries = []
        for section in everything:
            if section.level != 2 or not section.title:
                continue
            entries.append(self.doc.add_paragraph(section.title))
            entries[-1].paragraph_format.space_after = Pt(3)
        if entries:
            wordxml.table_of_contents(entries)
        hint = self.doc.add_paragraph()
        _small(hint.add_run(t("doc_contents_hint", self.info.lang)))
        self.doc.add_page_break()

    # -- blocks -----------------------------------------------------------------------------------
    def text(self, block: Text, style: str | None = None) -> None:
        paragraph = self.doc.add_paragraph(
            style=style or ("Subtitle" if block.kind == "subtitle" else None)
        )
        for run in block.runs:
            added = paragraph.add_run(run.text)
            added.bold = run.bold or block.kind == "strong" or None
        kind = block.kind
        if kind in ("note", "footer"):
            for run in paragraph.runs:
                _small(run, 8.5 if kind == "note" else 7.5)
        elif kind == "warning":
            for run in paragraph.runs:
                run.font.color.rgb = RGBColor.from_string(WARN)
        elif kind in ("caveat", "callout"):
            rule, fill = (WARN, CAVEAT_FILL) if kind == "caveat" else (ACCENT, TINT)
            wordxml.left_rule(paragraph, rule, fill)
            paragraph.paragraph_format.space_before = Pt(4)
            paragraph.paragraph_format.space_after = Pt(8)
        if block.lang:
            for run in paragraph.runs:
                run.element.get_or_add_rPr().append(_lang(run, block.lang))

    def _keep_with_previous(self) -> None:
        """The paragraph just written (a heading, the text introducing a table or figure)
        stays on the page of what follows."""
        if self.doc.paragraphs:
            self.doc.paragraphs[-1].paragraph_format.keep_with_next = True

    def chart(self, chart: Chart) -> None:
        self._keep_with_previous()
        png = chart.png
        width_px, height_px = _png_size(png)
        width = self.width
        height = int(width * height_px / width_px)
        if height > MAX_FIGURE_HEIGHT:
            width = int(width * MAX_FIGURE_HEIGHT / height)
        self.doc.add_picture(io.BytesIO(png), width=width)
        picture = self.doc.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        self.figures += 1
        caption = self.doc.add_paragraph(style="Caption")
        caption.add_run(t("doc_figure", self.info.lang, n=self.figures) + " ").bold = True
        caption.add_run(chart.caption or chart.alt)

    def cards(self, block: Cards) -> None:
        cards = list(block.cards)
        grid = self.doc.add_table(rows=(len(cards) + 1) // 2, cols=2)
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        wordxml.table_borders(grid, "FFFFFF", vertical=True)
        _column_widths(grid, [int(self.width / 2)] * 2)
        for i, card in enumerate(cards):
            cell = grid.rows[i // 2].cells[i % 2]
            wordxml.shade_cell(cell, TINT)
            _card(cell, card)
        for row in grid.rows:
            wordxml.keep_row_together(row)
        self.doc.add_paragraph()

    def table(self, table: Table) -> None:
        self._keep_with_previous()
        wide = print_width(table) > WORD_WIDE_TABLE
        _table(self.doc, table, self.width, TABLE_PT_WIDE if wide else TABLE_PT)
        if table.caption:
            self.doc.add_paragraph(table.caption, style="Caption")
        else:
            self.doc.paragraphs[-1].paragraph_format.space_after = Pt(0)
            spacer = self.doc.add_paragraph()
            spacer.paragraph_format.space_after = Pt(4)

    def _new_section(self, *, landscape: bool) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape=landscape)
        section.different_first_page_header_footer = False
        for part in (section.header, section.footer):  # its own: the right tab moves
            part.is_linked_to_previous = False
        _header_footer(section, self.info)


def _lang(run, lang: str):
    element = run.element.makeelement(qn("w:lang"), {})
    element.set(qn("w:val"), {"id": "id-ID", "en": "en-GB"}.get(lang, lang))
    return element


def _card(cell, card: Card) -> None:
    title = cell.paragraphs[0]
    title.paragraph_format.space_before = Pt(4)
    title.add_run(card.title).bold = True
    title.paragraph_format.keep_with_next = True
    value = cell.add_paragraph()
    value.paragraph_format.space_after = Pt(2)
    shown = value.add_run(card.value)
    shown.bold = card.available
    shown.font.size = Pt(20 if card.available else 12)
    shown.font.color.rgb = RGBColor.from_string(ACCENT if card.available else MUTED)
    if card.available:
        _small(value.add_run(f"  {card.unit}"), 10)
    if card.status:
        code, label = card.status
        status = cell.add_paragraph()
        run = status.add_run(label)
        run.bold = True
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor.from_string(TONES.get(code, MUTED))
    for term, text in card.facts:
        fact = cell.add_paragraph()
        fact.paragraph_format.space_after = Pt(0)
        _small(fact.add_run(f"{term}: "), 8)
        _small(fact.add_run(text), 8, INK)
    if card.note:
        note = cell.add_paragraph()
        _small(note.add_run(card.note), 8)


# -- tables -------------------------------------------------------------------------------------
def _widths(table: Table, text, width: int, size: float) -> list[int]:
    char = Cm(0.165) * size / 8  # an average character of Arial at `size`
    return [int(w) for w in column_widths(table, text, width, char=char, pad=Cm(0.3))]


def _table(doc, table: Table, width: int, size: float) -> None:
    shown = shown_columns(table)
    text = table_text(table)
    raw = cell_values(table, shown)
    grouped = any(c.group for c in shown)
    heads = 2 if grouped else 1
    grid = doc.add_table(rows=heads + len(text), cols=len(shown))
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    wordxml.table_borders(grid, LINE)
    wordxml.cell_margins(grid)
    widths = _widths(table, text, width, size)
    if grouped:
        _group_row(grid.rows[0], shown, size)
    for j, col in enumerate(shown):
        cell = grid.rows[heads - 1].cells[j]
        _cell_text(cell, col.label, size, bold=True, right=col.numeric)
    for row in grid.rows[:heads]:
        wordxml.header_row(row)
        for cell in row.cells:
            wordxml.shade_cell(cell, TINT)
    data = table.data.reset_index(drop=True)
    for i in range(len(text)):
        row = grid.rows[heads + i]
        wordxml.keep_row_together(row)
        for j, col in enumerate(shown):
            value = raw.iloc[i, j]
            tone = None
            if col.kind == "status" and not is_missing(value):
                tone = TONES.get(str(value))
            elif col.tone:
                tone = TONES.get(str(data.loc[i, col.tone]))
            _cell_text(row.cells[j], text.iloc[i, j], size, right=col.numeric, colour=tone)
    _column_widths(grid, widths)


def _column_widths(grid, widths: list[int]) -> None:
    """Each column's width, in the table grid (LibreOffice reads it) and in every cell (Word)."""
    for gridcol, width in zip(grid._tbl.tblGrid.gridCol_lst, widths, strict=True):
        gridcol.w = width
    for row in grid.rows:
        for j, cell in enumerate(row.cells):
            cell.width = widths[j]


def _group_row(row, shown, size: float) -> None:
    """The group labels over their columns (cells merged across each group)."""
    start = 0
    for j in range(1, len(shown) + 1):
        if j == len(shown) or shown[j].group != shown[start].group:
            cell = row.cells[start]
            if j - 1 > start:
                cell = cell.merge(row.cells[j - 1])
            _cell_text(cell, shown[start].group or "", size, bold=True, centre=True)
            start = j


def _cell_text(
    cell,
    text: str,
    size: float,
    *,
    bold: bool = False,
    right: bool = False,
    centre: bool = False,
    colour: str | None = None,
) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
