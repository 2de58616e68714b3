"""A report as a workshop deck (python-pptx), 16:9, type no smaller than 11 pt.

    pptx_bytes(report.all_sections(), info, timestamp) -> bytes

The deck picks sections and blocks by key (DECK below); a report without the district keys
(the province overview) gets the generic deck: its title, then every section's bullets, charts
and tables, one slide each (tables split over slides).

District deck, in order:
1. title       section `header` (level 1): title, subtitle, district, province, data version;
2. summary     section `summary`: its Bullets (the executive summary);
3. indicators  section `cards`, Cards block: one slide per card (value, target status, ranks,
               trend, target), with the indicator's own trend chart drawn from the data of
               section `trends`' Chart `trends` (columns indicator, year, district,
               province_median, national_median);
4. root causes section `root_causes`: every Chart, one slide each (the gap decomposition);
5. follow-up   section `follow_up`: its Tables, split evenly over slides of at most
               FOLLOW_UP_ROWS rows.

Same sections and info -> same bytes (document properties and zip dates from `timestamp`).
"""

from __future__ import annotations

import io
import pickle
import struct
from datetime import datetime

from matplotlib.text import Text as TextArtist
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from analysis.i18n import t
from analysis.ooxml import fixed_zip
from analysis.report.cells import column_widths, shown_columns, table_text
from analysis.report.charts.district import indicator_trend_chart
from analysis.report.charts.layout import wrap_titles_to_fit, wrap_words
from analysis.report.charts.style import NumberFormat, png_bytes
from analysis.report.model import (
    Bullets,
    Card,
    Cards,
    Chart,
    ReportInfo,
    Section,
    Table,
    Text,
)

DECK = {
    "title": "header",
    "summary": "summary",
    "indicators": "cards",
    "trends": "trends",
    "root_causes": "root_causes",
    "follow_up": "follow_up",
}
FOLLOW_UP_ROWS = 7  # table rows per slide (the follow-up plan, any table)
SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 13.33 x 7.5 in, 16:9
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.35)
FOOTER_TOP = Inches(7.0)
FONT = "Arial"
INK, MUTED, ACCENT, TINT, LINE = "1D2A33", "5B6B76", "0B6E4F", "F3F6F8", "D9E0E5"
TONES = {
    "achieved": "1B7F3B",
    "on_track": "1B7F3B",
    "needs_acceleration": "A15C00",
    "out_of_reach": "B3261E",
}
CHART_DPI = 150
PROJECTION_SCALE = 1.45  # report charts' type (8-10 pt at 9-10 in) enlarged for a slide
BLANK, TITLE_ONLY, TITLE_SLIDE = 6, 5, 0


def pptx_bytes(sections: list[Section], info: ReportInfo, timestamp: datetime) -> bytes:
    """The deck of a report's `sections`; `timestamp` dates its properties."""
    deck = _Deck(info)
    by_key = {s.key: s for s in sections}
    if DECK["title"] in by_key:
        deck.title_slide(by_key[DECK["title"]])
    if DECK["indicators"] in by_key:
        _district_deck(deck, by_key)
    else:
        for section in sections:
            if section.level == 2 and section.key != "footer":
                deck.section(section)
    return deck.save(timestamp)


def _district_deck(deck: _Deck, by_key: dict[str, Section]) -> None:
    if (summary := by_key.get(DECK["summary"])) is not None:
        deck.section(summary, kinds=(Bullets,), caveat=True)
    cards = next((b for b in by_key[DECK["indicators"]].blocks if isinstance(b, Cards)), None)
    trends = by_key.get(DECK["trends"])
    trend_data = next((c.data for c in trends.charts), None) if trends else None
    if cards is not None:
        for card, indicator in zip(cards.cards, cards.data["indicator"], strict=True):
            deck.indicator_slide(card, indicator, trend_data)
    if (roots := by_key.get(DECK["root_causes"])) is not None:
        deck.section(roots, kinds=(Chart,), caveat=True)
    if (plan := by_key.get(DECK["follow_up"])) is not None:
        deck.section(plan, kinds=(Table,))


def projected_png(chart: Chart, scale: float = PROJECTION_SCALE) -> bytes:
    """The chart with its type `scale` times larger, laid out again, for a projected slide: a
    copy of the figure (the section's figure is left as it is). Only single-panel charts (bars,
    lines): a grid is already drawn for the width of a page and would not fit larger type."""
    if chart.figure is None or len(chart.figure.axes) != 1:
        return chart.png  # grids, maps and colour bars keep the layout they were drawn with
    figure = pickle.loads(pickle.dumps(chart.figure))
    ticks = []
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            major = axis.get_major_ticks()
            if major:
                ticks.append((axis, major[0].label1.get_fontsize()))
    for text in figure.findobj(TextArtist):
        text.set_fontsize(text.get_fontsize() * scale)
    for axis, size in ticks:
        axis.set_tick_params(labelsize=size * scale)
    figure.set_layout_engine("constrained")
    wrap_titles_to_fit(figure)  # larger type: a title may no longer fit on one line
    return png_bytes(figure, CHART_DPI)


def _png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


def _colour(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour)


def _lines(text: str, width: int, size: float) -> int:
    """How many lines `text` takes in a box `width` EMU wide at `size` pt (an average glyph is
    about half the font size wide): the card's rows are spaced by it, so wrapped text never
    runs into the next row."""
    per_line = max(1, int(width / 12700 / (size * 0.56)))
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


# (type size in pt, distance between fact rows in inches), largest first: 11 pt is the smallest
# a room reads from a projector; tighter rows come before smaller type
FACT_LAYOUTS = ((13, 0.42), (12, 0.39), (11, 0.34), (11, 0.30), (11, 0.27))


def _fitting_layout(card: Card, width: int, room: int) -> tuple[int, int, int]:
    """(size, row pitch, extra line height) of the largest layout in which the card's facts
    fit in `room` (the tightest one when none does)."""
    for size, pitch in FACT_LAYOUTS:
        line = Inches(0.21 * size / 11)
        rows = sum(
            Inches(pitch) + line * (_lines(t, width - Inches(1.9), size) - 1) for _, t in card.facts
        )
        if rows <= room:
            break
    return size, Inches(pitch), line


def caption_height(text: str, size: float, width: int) -> int:
    """The height (EMU) a text box of `width` (EMU) needs for `text` wrapped in `size`-point
    type: its lines measured in the charts' font (DejaVu Sans, a little wider than the slides'
    Arial, so the estimate errs long), 1.2 lines of spacing, the box's own top and bottom
    insets (0.05 inch each)."""
    room = (width - Inches(0.2)) / Inches(1)  # the box's left and right insets: 0.1 inch each
    lines = sum(len(wrap_words(paragraph, room, size)) for paragraph in text.split("\n"))
    return int(Pt(size * 1.2) * lines + Inches(0.1))


def _style(run, size: float, colour: str = INK, bold: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _colour(colour)


class _Deck:
    def __init__(self, info: ReportInfo) -> None:
        self.info = info
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H

    # -- frame of every slide ----------------------------------------------------------------
    def slide(self, title: str):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY])
        shape = slide.shapes.title
        shape.left, shape.top = MARGIN, Inches(0.3)
        shape.width, shape.height = SLIDE_W - 2 * MARGIN, Inches(0.85)
        frame = shape.text_frame
        frame.word_wrap = True
        frame.vertical_anchor = MSO_ANCHOR.BOTTOM
        frame.text = title
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.LEFT
        _style(paragraph.runs[0], 26 if len(title) < 60 else 22, ACCENT, bold=True)
        rule = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.18), SLIDE_W - 2 * MARGIN, Emu(22860)
        )
        rule.fill.solid()
        rule.fill.fore_color.rgb = _colour(ACCENT)
        rule.line.fill.background()
        self._footer(slide)
        return slide

    def _footer(self, slide) -> None:
        version = t("print_data_version", self.info.lang, version=self.info.data_version)
        number = len(self.prs.slides)
        self.text_box(
            slide,
            MARGIN,
            FOOTER_TOP,
            SLIDE_W - 2 * MARGIN,
            Inches(0.35),
            [(f"{self.info.place} · {version}", False)],
            size=11,
            colour=MUTED,
        )
        self.text_box(
            slide,
            SLIDE_W - MARGIN - Inches(1),
            FOOTER_TOP,
            Inches(1),
            Inches(0.35),
            [(str(number), False)],
            size=11,
            colour=MUTED,
            align=PP_ALIGN.RIGHT,
        )

    def text_box(
        self,
        slide,
        left,
        top,
        width,
        height,
        runs,
        *,
        size,
        colour=INK,
        align=PP_ALIGN.LEFT,
        bold=False,
    ):
        """A text box of one paragraph made of (text, bold) runs."""
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        paragraph = frame.paragraphs[0]
        paragraph.alignment = align
        for text, strong in runs:
            run = paragraph.add_run()
            run.text = text
            _style(run, size, colour, bold or strong)
        return box

    def picture(self, slide, png: bytes, left, top, width, height) -> None:
        """The image scaled to fit the box, centred in it."""
        w_px, h_px = _png_size(png)
        scale = min(width / w_px, height / h_px)
        w, h = int(w_px * scale), int(h_px * scale)
        slide.shapes.add_picture(
            io.BytesIO(png), left + (width - w) // 2, top + (height - h) // 2, w, h
        )

    # -- slides ----------------------------------------------------------------------------
    def title_slide(self, header: Section) -> None:
        info = self.info
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[BLANK])
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, SLIDE_W, Inches(0.35))
        band.fill.solid()
        band.fill.fore_color.rgb = _colour(ACCENT)
        band.line.fill.background()
        width = SLIDE_W - 2 * Inches(0.9)
        self.text_box(
            slide,
            Inches(0.9),
            Inches(1.7),
            width,
            Inches(1.6),
            [(header.title or info.title, True)],
            size=36,
            colour=ACCENT,
        )
        subtitle = next(
            (b.plain for b in header.blocks if isinstance(b, Text) and b.kind == "subtitle"), ""
        )
        self.text_box(
            slide,
            Inches(0.9),
            Inches(3.4),
            width,
            Inches(0.9),
            [(subtitle, False)],
            size=18,
            colour=MUTED,
        )
        facts = info.facts()
        for i, (term, value) in enumerate(facts):
            top = Inches(4.6 + 0.42 * i)
            self.text_box(
                slide,
                Inches(0.9),
                top,
                Inches(2.6),
                Inches(0.4),
                [(term, False)],
                size=14,
                colour=MUTED,
            )
            self.text_box(slide, Inches(3.5), top, Inches(8), Inches(0.4), [(value, True)], size=14)

    def section(self, section: Section, kinds=(Bullets, Chart, Table), caveat=False) -> None:
        """A slide per block of `kinds` in the section (a table over as many as it needs)."""
        for block in section.blocks:
            if not isinstance(block, kinds):
                continue
            if isinstance(block, Bullets):
                self.bullets_slide(section.title or "", block, caveat)
            elif isinstance(block, Chart):
                title = (
                    block.alt
                    if section.key != DECK["root_causes"]
                    else t("deck_root_causes", self.info.lang, indicator=block.alt)
                )
                self.chart_slide(title, block, caveat)
            elif isinstance(block, Table):
                self.table_slides(section.title or "", block)

    def bullets_slide(self, title: str, bullets: Bullets, caveat: bool = False) -> None:
        slide = self.slide(title)
        box = slide.shapes.add_textbox(
            MARGIN,
            BODY_TOP + Inches(0.1),
            SLIDE_W - 2 * MARGIN,
            FOOTER_TOP - BODY_TOP - Inches(0.6),
        )
        frame = box.text_frame
        frame.word_wrap = True
        length = sum(len(item.plain) for item in bullets.items)
        size = 18 if length < 700 else 16 if length < 950 else 14
        for i, item in enumerate(bullets.items):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(8)
            bullet = paragraph.add_run()
            bullet.text = "•  "
            _style(bullet, size, ACCENT, bold=True)
            for part in item.runs:
                run = paragraph.add_run()
                run.text = part.text
                _style(run, size, INK, part.bold)
        if caveat:
            self.caveat(slide)

    def caveat(self, slide) -> None:
        self.text_box(
            slide,
            MARGIN,
            FOOTER_TOP - Inches(0.45),
            SLIDE_W - 2 * MARGIN,
            Inches(0.4),
            [(t("deck_caveat", self.info.lang), False)],
            size=12,
            colour=MUTED,
        )

    def chart_slide(self, title: str, chart: Chart, caveat: bool = False) -> None:
        slide = self.slide(title)
        # the caption's lines end above the caveat (a three-line caption ran into it)
        caption = caption_height(chart.caption, 12, SLIDE_W - 2 * MARGIN) if chart.caption else 0
        bottom = FOOTER_TOP - Inches(0.45 if caveat else 0.15) - max(caption, Inches(0.45))
        self.picture(
            slide,
            projected_png(chart),
            MARGIN,
            BODY_TOP + Inches(0.1),
            SLIDE_W - 2 * MARGIN,
            bottom - BODY_TOP - Inches(0.1),
        )
        if chart.caption:
            self.text_box(
                slide,
                MARGIN,
                bottom,
                SLIDE_W - 2 * MARGIN,
                max(caption, Inches(0.45)),
                [(chart.caption, False)],
                size=12,
                colour=MUTED,
            )
        if caveat:
            self.caveat(slide)

    def indicator_slide(self, card: Card, indicator: str, trends) -> None:
        slide = self.slide(card.title)
        left_w = Inches(4.6)
        top = BODY_TOP + Inches(0.2)
        if card.available:
            self.text_box(
                slide,
                MARGIN,
                top,
                left_w,
                Inches(1.0),
                [(card.value, True), (f"  {card.unit}", False)],
                size=48,
                colour=ACCENT,
            )
            box = slide.shapes[-1].text_frame.paragraphs[0].runs[1]
            _style(box, 20, MUTED)
        else:
            self.text_box(
                slide, MARGIN, top, left_w, Inches(0.8), [(card.value, True)], size=28, colour=MUTED
            )
        y = top + Inches(1.1)
        if card.status:
            code, label = card.status
            self.text_box(
                slide,
                MARGIN,
                y,
                left_w,
                Inches(0.45),
                [(f"{t('deck_target_status', self.info.lang)}: ", False), (label, True)],
                size=18,
                colour=TONES.get(code, MUTED),
            )
            y += Inches(0.6)
        # the verdict's note spans the slide's width at the bottom; facts and chart sit above it
        full_w = SLIDE_W - 2 * MARGIN
        note_h = Inches(0.25) * _lines(card.note, full_w, 12) + Inches(0.1) if card.note else 0
        bottom = FOOTER_TOP - note_h - Inches(0.1)
        size, row, line = _fitting_layout(card, left_w, bottom - y)
        for term, text in card.facts:
            lines = _lines(text, left_w - Inches(1.9), size)
            self.text_box(
                slide, MARGIN, y, Inches(1.9), row, [(term, False)], size=size, colour=MUTED
            )
            self.text_box(
                slide,
                MARGIN + Inches(1.9),
                y,
                left_w - Inches(1.9),
                row * lines,
                [(text, False)],
                size=size,
            )
            y += row + line * (lines - 1)
        if card.note:
            self.text_box(
                slide, MARGIN, bottom, full_w, note_h, [(card.note, False)], size=12, colour=MUTED
            )
        if trends is not None:
            png = self.trend_png(trends, indicator, card)
            right = MARGIN + left_w + Inches(0.3)
            top = BODY_TOP + Inches(0.1)
            self.picture(slide, png, right, top, SLIDE_W - MARGIN - right, bottom - top)

    def trend_png(self, trends, indicator: str, card: Card) -> bytes:
        lang = self.info.lang
        legend = {k: t(f"legend_{k}", lang) for k in ("district", "province", "national")}
        figure = indicator_trend_chart(
            trends,
            indicator,
            t("deck_trend_chart", lang, indicator=card.title),
            card.unit,
            legend,
            t("no_data", lang),
            NumberFormat(lang),
            series_labels={
                s: t(f"series_short_{'source' if s.startswith('source:') else s}", lang)
                for s in trends.get("series", []).dropna().unique()
            }
            if "series" in trends
            else None,
        )
        return png_bytes(figure, CHART_DPI)

    def table_slides(self, title: str, table: Table) -> None:
        """The table over as many slides as it needs, FOLLOW_UP_ROWS rows each, its header
        (and the group labels over it) on every one."""
        text = table_text(table)
        shown = shown_columns(table)
        heads = 2 if any(c.group for c in shown) else 1
        width = SLIDE_W - 2 * MARGIN
        widths = column_widths(table, text, width, char=Inches(0.1), pad=Inches(0.2))
        parts = max(1, -(-len(text) // FOLLOW_UP_ROWS))
        per = max(1, -(-len(text) // parts))  # the rows shared evenly: no slide of one row
        for part in range(parts):
            rows = text.iloc[part * per : (part + 1) * per]
            suffix = f" {t('deck_part', self.info.lang, part=part + 1, parts=parts)}"
            slide = self.slide(title + (suffix if parts > 1 else ""))
            shape = slide.shapes.add_table(
                len(rows) + heads, len(shown), MARGIN, BODY_TOP + Inches(0.2), width, Inches(0.4)
            )
            grid = shape.table
            for j, w in enumerate(widths):
                grid.columns[j].width = int(w)
            if heads == 2:
                self.group_row(grid, shown)
            for j, col in enumerate(shown):
                self.cell(grid.cell(heads - 1, j), col.label, head=True, right=col.numeric)
            for i in range(len(rows)):
                for j, col in enumerate(shown):
                    fill = TINT if i % 2 else "FFFFFF"
                    cell = grid.cell(i + heads, j)
                    self.cell(cell, rows.iloc[i, j], fill=fill, right=col.numeric)

    def group_row(self, grid, shown) -> None:
        """The group labels (one indicator's columns) in a first header row, merged."""
        start = 0
        for j in range(1, len(shown) + 1):
            if j == len(shown) or shown[j].group != shown[start].group:
                if j - 1 > start:
                    grid.cell(0, start).merge(grid.cell(0, j - 1))
                self.cell(grid.cell(0, start), shown[start].group or "", head=True, centre=True)
                start = j

    def cell(self, cell, text: str, *, head=False, fill="FFFFFF", right=False, centre=False):
        cell.fill.solid()
        cell.fill.fore_color.rgb = _colour(ACCENT if head else fill)
        cell.margin_left = cell.margin_right = Inches(0.06)
        cell.margin_top = cell.margin_bottom = Inches(0.03)
        frame = cell.text_frame
        frame.word_wrap = True
        paragraph = frame.paragraphs[0]
        align = PP_ALIGN.RIGHT if right else PP_ALIGN.CENTER if centre else PP_ALIGN.LEFT
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        _style(run, 12, "FFFFFF" if head else INK, head)

    def save(self, timestamp: datetime) -> bytes:
        props = self.prs.core_properties
        props.title = self.info.title
        props.subject = "Performance Improvement Plan (PIP)"
        props.author = props.last_modified_by = "analysis (PIP reports)"
        props.keywords = f"{self.info.place}; {self.info.province}; data {self.info.data_version}"
        props.language = self.info.lang
        props.created = props.modified = props.last_printed = timestamp
        props.revision = 1
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return fixed_zip(buffer.getvalue(), timestamp)
