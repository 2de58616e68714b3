"""A rendered report printed to an A4 PDF by headless Chromium (Debian `chromium`), offline.

    print_pdf(Path("kabupaten-serang.html"), Path("kabupaten-serang.pdf"),
              running_header=("Kabupaten Serang", "versi data 391d02b0"), timestamp=when)

The page's own print stylesheet (templates/print.css) sets the paper, margins, page numbers
("3 / 24"), keeps headings with what follows and never clips a table; this module adds the
running header (a per-report `@page` rule, since CSS cannot read it from the page) and prints
with Chromium's `--print-to-pdf`, which honours CSS paged media (`@page` margin boxes, named
landscape pages). Why Chromium and not WeasyPrint: the PDF is then the same layout engine as the
browser test and the screen (flex, grid, Styler tables), with nothing more to install.

Deterministic as far as the engine allows: the PDF's creation and modification dates are
replaced by `timestamp` (the data version's date) and the structure elements of the tagged PDF,
which Chromium names after its DOM node ids (they shift between browser starts), are renumbered
by rank. The rest depends only on the HTML, Chromium's version and the installed fonts: the same
HTML printed twice by the same Chromium gives the same bytes.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

from analysis.errors import AnalysisError
from analysis.report.browser import CHROMIUM_FLAGS, chromium

PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)")
NODE_ID = re.compile(rb"\(node(\d{8})\)")
HEADER_STYLE = (
    '@page {{ @top-left {{ content: "{left}"; {font} }}'
    ' @top-right {{ content: "{right}"; {font} }} }}'
    " @page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} }}"
)
HEADER_FONT = 'font: 8pt "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #5b6b76;'
TIMEOUT_SECONDS = 240


def css_string(text: str) -> str:
    """`text` inside a CSS double-quoted string (inside an HTML <style>)."""
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return text.replace("<", "\\3c ")  # no "</style>" can close the element early


def with_running_header(html: str, left: str, right: str) -> str:
    """The page with a running header: `left` and `right` at the top of every page but the
    first (the title page)."""
    style = HEADER_STYLE.format(left=css_string(left), right=css_string(right), font=HEADER_FONT)
    tag = f"<style data-print-header>{style}</style>\n"
    head_end = html.find("</head>")
    if head_end < 0:
        return tag + html
    return html[:head_end] + tag + html[head_end:]


def fixed_dates(pdf: bytes, timestamp: datetime) -> bytes:
    """The PDF with its creation and modification dates set to `timestamp` (same length, so the
    cross-reference offsets stay right)."""
    stamp = timestamp.strftime("%Y%m%d%H%M%S").encode()

    def replace(match: re.Match) -> bytes:
        old = match.group(0)
        new = b"/" + match.group(1) + b" (D:" + stamp + b"+00'00')"
        return new if len(new) == len(old) else old

    return PDF_DATE.sub(replace, pdf)


def stable_node_ids(pdf: bytes) -> bytes:
    """Chromium's tagged PDF names each structure element after its DOM node id, which shifts
    from one browser start to the next; renumber them by rank: the same order (the ID tree
    stays sorted) and the same length (the cross-reference offsets stay right)."""
    ids = sorted({int(m.group(1)) for m in NODE_ID.finditer(pdf)})
    rank = {n: i + 1 for i, n in enumerate(ids)}
    if len(ids) >= 10**8:
        return pdf
    return NODE_ID.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], pdf)


def print_pdf(
    html: Path,
    pdf: Path,
    *,
    running_header: tuple[str, str],
    timestamp: datetime,
    timeout: int = TIMEOUT_SECONDS,
) -> Path:
    """Print the report page `html` to `pdf` (written atomically); returns `pdf`.
    running_header: (left, right) texts at the top of each page after the first."""
    page = with_running_header(html.read_text(encoding="utf-8"), *running_header)
    with tempfile.TemporaryDirectory(prefix="pip-print-") as tmp:
        source = Path(tmp) / "report.html"
        source.write_text(page, encoding="utf-8")
        printed = Path(tmp) / "report.pdf"
        command = [
            chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={printed}",
            source.as_uri(),
        ]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise AnalysisError(
                f"Chromium did not finish printing {html} within {timeout} s; try again, or "
                "print the HTML from a browser (A4, the page's own margins)"
            ) from exc
        if not printed.exists() or printed.stat().st_size == 0:
            raise AnalysisError(f"Chromium printed no PDF of {html}: {proc.stderr[-500:]}")
        data = stable_node_ids(fixed_dates(printed.read_bytes(), timestamp))
    pdf.parent.mkdir(parents=True, exist_ok=True)
    part = pdf.with_name(f".{pdf.name}.part")
    part.write_bytes(data)
    part.replace(pdf)
    return pdf
