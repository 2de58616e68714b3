"""An executed notebook's outputs as the body of a report page, without nbconvert's exporter.

nbconvert's `basic` template (inputs and prompts excluded) wraps each code cell's outputs in a
few fixed `div`s; its HTMLExporter then re-serializes the whole page through BeautifulSoup. That
costs about 0.1 s per report for markup we can write directly. `basic_body` writes the same
elements, attributes and text for the outputs our notebooks make (HTML and PNG displays, cells
without output); for anything else (markdown or raw cells, streams, errors, other MIME types,
images without alt text) it returns None and the caller uses nbconvert, so a page never differs
in content from nbconvert's. tests/test_render_pipeline.py checks the two against each other.
"""

from __future__ import annotations

import re
from html import escape

import nbformat

# nbconvert's HTMLExporter display priority: the first type present in a bundle is shown.
DISPLAY_PRIORITY = (
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/vnd.mermaid",
    "text/latex",
    "image/png",
    "image/jpeg",
    "text/plain",
)
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HAS_ALT = re.compile(r"\salt\s*=", re.IGNORECASE)
NO_ALT = "No description has been provided for this image"  # what nbconvert gives such an image


class Unsupported(Exception):
    """An output this module does not write exactly as nbconvert would."""


def _shown_type(data: dict) -> str | None:
    return next((t for t in DISPLAY_PRIORITY if t in data), None)


def _png(data: str, meta: dict, cell_alt: str | None, extra: str) -> str:
    own = meta.get("image/png", {}) if isinstance(meta.get("image/png"), dict) else {}

    def get(key):  # nbconvert's get_metadata: the MIME type's metadata first, then the output's
        return own.get(key, meta.get(key))

    attrs = f'src="data:image/png;base64,{escape(data.strip())}"'
    for key in ("width", "height"):
        if get(key) is not None:
            attrs += f' {key}="{escape(str(get(key)))}"'
    if get("unconfined"):
        attrs += ' class="unconfined"'
    alt = get("alt") or cell_alt or NO_ALT
    attrs += f' alt="{escape(str(alt))}"'
    return f'<div class="output_png output_subarea {extra}">\n<img {attrs}>\n</div>'


def _output(output: nbformat.NotebookNode, cell_alt: str | None = None) -> str:
    kind = output.get("output_type")
    if kind not in ("execute_result", "display_data"):
        raise Unsupported(kind)
    extra = "output_execute_result" if kind == "execute_result" else ""
    data, meta = output.get("data", {}), output.get("metadata", {})
    shown = _shown_type(data)
    if shown == "text/html" and not meta.get("text/html", {}).get("isolated"):
        html = data["text/html"]
        html = "".join(html) if isinstance(html, list) else html
        if any(not HAS_ALT.search(tag) for tag in IMG_TAG.findall(html)):
            raise Unsupported("an image without alt text")  # nbconvert adds a default one
        inner = f'<div class="output_html rendered_html output_subarea {extra}">{html}</div>'
    elif shown == "image/png" and "filenames" not in meta:
        inner = _png(data["image/png"], meta, cell_alt, extra)
    else:
        raise Unsupported(shown or "empty bundle")
    return f'<div class="output_area">\n{inner}\n</div>\n'


def _cell(index: int, cell: nbformat.NotebookNode) -> str:
    if cell.cell_type != "code":
        raise Unsupported(cell.cell_type)
    tags = "".join(f" celltag_{tag}" for tag in cell.metadata.get("tags", []))
    anchor = f' id="{escape(f"cell-id=cell-{index}")}"'
    head = f'<div class="cell border-box-sizing code_cell rendered{escape(tags)}"{anchor}>\n'
    if not cell.get("outputs"):
        return head + "</div>\n"
    outputs = "".join(_output(o, cell.metadata.get("alt")) for o in cell.outputs)
    return (
        head
        + f'<div class="output_wrapper">\n<div class="output">\n{outputs}</div>\n</div>\n</div>\n'
    )


def basic_body(nb: nbformat.NotebookNode) -> str | None:
    """The page body for `nb` (cell ids numbered cell-0, cell-1, … as the HTML export does),
    or None when an output needs nbconvert."""
    if "widgets" in nb.metadata:
        return None
    try:
        return "".join(_cell(i, cell) for i, cell in enumerate(nb.cells))
    except Unsupported:
        return None
