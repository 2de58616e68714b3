"""Sections as HTML: the Jinja macros in templates/macros.html.j2 lay out each block, the
tables come from analysis.report.styled (Styler's markup, templates/table.html.j2), figures
and downloads are embedded as data URIs. Nothing links to another host; every text goes
through Jinja's autoescape."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from markupsafe import Markup

from analysis.i18n import t
from analysis.report.exports import chart_files, table_files
from analysis.report.model import Chart, Section, Table
from analysis.report.templating import environment, stylesheet

MIME = {
    "csv": "text/csv;charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
}
SECTION_CSS = "section.css"
# the per-output stylesheet a section carries in a notebook; the report page has its own
STANDALONE_STYLE = re.compile(r"<style data-pip-section[^>]*>.*?</style>\s*", re.DOTALL)


@dataclass(frozen=True)
class Download:
    name: str
    mime: str
    data: str  # base64
    label: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _download(name: str, data: bytes, label: str) -> Download:
    return Download(name, MIME[name.rsplit(".", 1)[1]], _b64(data), label)


def table_downloads(table: Table) -> list[Download]:
    keys = {"csv": "download_csv", "xlsx": "download_xlsx"}
    return [
        _download(name, data, t(keys[name.rsplit(".", 1)[1]], table.lang))
        for name, data in table_files(table).items()
    ]


def chart_downloads(chart: Chart) -> list[Download]:
    keys = {"png": "download_png", "csv": "download_chart_data"}
    return [
        _download(name, data, t(keys[name.rsplit(".", 1)[1]], chart.lang))
        for name, data in chart_files(chart).items()
    ]


def png_base64(chart: Chart) -> str:
    return _b64(chart.png)


def render_section(section: Section) -> Markup:
    """The section's HTML for the report page (styled by the page's stylesheet)."""
    return Markup(environment().get_template("section.html.j2").render(section=section, css=""))


def render_section_standalone(section: Section) -> str:
    """The section's HTML with its own minimal stylesheet: status badges, tables and cards look
    right in JupyterLab or any page without the report's CSS."""
    return (
        environment()
        .get_template("section.html.j2")
        .render(section=section, css=stylesheet(SECTION_CSS))
    )


def strip_standalone_css(html: str) -> str:
    """Drop the per-section stylesheets from a page that carries the full one."""
    return STANDALONE_STYLE.sub("", html)
