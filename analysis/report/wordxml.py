"""The WordprocessingML python-docx has no API for: table borders and shading, repeated header
rows, fields (page numbers, table of contents), paragraph borders. Small functions on
python-docx objects, used by analysis.report.word."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table as WordTable
from docx.table import _Cell, _Row
from docx.text.paragraph import Paragraph

# Where a child goes among its siblings: WordprocessingML fixes the order of the children of
# these elements, and Word refuses ("unreadable content") a document that breaks it. Each tag
# lists the siblings that must come after it.
PPR_AFTER_SHD = (
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
TBLPR_AFTER_CELLMAR = ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
SETTINGS_AFTER_UPDATE = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)
SUCCESSORS = {
    "w:pBdr": ("w:shd", *PPR_AFTER_SHD),
    "w:shd@pPr": PPR_AFTER_SHD,
    "w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", *TBLPR_AFTER_CELLMAR),
    "w:tblCellMar": TBLPR_AFTER_CELLMAR,
    "w:shd@tcPr": (
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
        "w:headers",
        "w:cellIns",
        "w:cellDel",
        "w:cellMerge",
        "w:tcPrChange",
    ),
    "w:updateFields": SETTINGS_AFTER_UPDATE,
}


def _child(parent, tag: str, place: str | None = None):
    """The first `tag` child of `parent`, created when missing, in its place among the
    children the schema orders (`place` names the ordering rule when `tag` is ambiguous)."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    found = OxmlElement(tag)
    after = {qn(t) for t in SUCCESSORS.get(place or tag, ()) if ":" in t and _known(t)}
    for sibling in parent:
        if sibling.tag in after:
            sibling.addprevious(found)
            return found
    parent.append(found)
    return found


def _known(tag: str) -> bool:
    try:
        qn(tag)
    except KeyError:  # a prefix python-docx does not map (sl:): nothing of it is written
        return False
    return True


def shade_cell(cell: _Cell, fill: str) -> None:
    """Fill a cell with the hex colour `fill` ("F3F6F8")."""
    shd = _child(cell._tc.get_or_add_tcPr(), "w:shd", "w:shd@tcPr")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def table_borders(table: WordTable, color: str, *, vertical: bool = False) -> None:
    """Thin horizontal rules in `color` (and vertical ones if asked), nothing else."""
    borders = _child(table._tbl.tblPr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = _child(borders, f"w:{edge}")
        shown = edge in ("top", "bottom", "insideH") or vertical
        element.set(qn("w:val"), "single" if shown else "nil")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), color)


def cell_margins(table: WordTable, *, left_right: int = 70, top_bottom: int = 30) -> None:
    """Cell padding in twentieths of a point (70 = 3.5 pt)."""
    margins = _child(table._tbl.tblPr, "w:tblCellMar")
    for edge, size in (("top", top_bottom), ("bottom", top_bottom)):
        _margin(margins, edge, size)
    for edge in ("left", "right"):
        _margin(margins, edge, left_right)


def _margin(margins, edge: str, size: int) -> None:
    element = _child(margins, f"w:{edge}")
    element.set(qn("w:w"), str(size))
    element.set(qn("w:type"), "dxa")


def header_row(row: _Row) -> None:
    """Repeat the row at the top of every page the table runs over."""
    _child(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "true")


def keep_row_together(row: _Row) -> None:
    _child(row._tr.get_or_add_trPr(), "w:cantSplit").set(qn("w:val"), "true")


def left_rule(paragraph: Paragraph, color: str, fill: str) -> None:
    """A box for a caveat or call-out: a coloured rule on the left, a tinted background."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = _child(ppr, "w:pBdr")
    left = _child(borders, "w:left")
    for key, value in (("val", "single"), ("sz", "24"), ("space", "6"), ("color", color)):
        left.set(qn(f"w:{key}"), value)
    shd = _child(ppr, "w:shd", "w:shd@pPr")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)


def top_rule(paragraph: Paragraph, color: str) -> None:
    """A thick rule above the paragraph (the title page's band)."""
    borders = _child(paragraph._p.get_or_add_pPr(), "w:pBdr")
    top = _child(borders, "w:top")
    for key, value in (("val", "single"), ("sz", "36"), ("space", "8"), ("color", color)):
        top.set(qn(f"w:{key}"), value)


def simple_field(paragraph: Paragraph, instruction: str, shown: str = "1") -> None:
    """A field Word computes (PAGE, NUMPAGES), showing `shown` until it does."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _field_char(kind: str):
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def table_of_contents(paragraphs: list[Paragraph], levels: str = "1-2") -> None:
    """Turn `paragraphs` (one per entry, already written: the contents as they will read)
    into one TOC field over headings of `levels`; Word refreshes it, with page numbers, when
    the fields are updated (on opening, see `update_fields_on_open`)."""
    first, last = paragraphs[0]._p, paragraphs[-1]._p
    instruction = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f' TOC \\o "{levels}" \\h \\z \\u '
    instruction.append(text)
    runs = first.findall(qn("w:r"))
    anchor = runs[0] if runs else None
    for element in (_field_char("begin"), instruction, _field_char("separate")):
        if anchor is None:
            first.append(element)
        else:
            anchor.addprevious(element)
    last.append(_field_char("end"))


def update_fields_on_open(document) -> None:
    """Ask Word to update fields (contents, page numbers) when the document is opened."""
    settings = document.settings.element
    _child(settings, "w:updateFields").set(qn("w:val"), "true")
