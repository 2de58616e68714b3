"""The Jinja environment of the report layer (one per process): templates and macros in
analysis/report/templates, autoescaped."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # what the macros call back into Python for: tables (styled.py) and embedded files
    env.globals.update(
        kind=lambda block: type(block).__name__,
        table_html=_later("analysis.report.styled", "table_html"),
        table_downloads=_later("analysis.report.html", "table_downloads"),
        chart_downloads=_later("analysis.report.html", "chart_downloads"),
        png_base64=_later("analysis.report.html", "png_base64"),
        is_wide=_later("analysis.report.cells", "is_wide"),
    )
    return env


def _later(module: str, name: str):
    """`module.name`, imported when first called (those modules import this one)."""

    def call(*args):
        return getattr(import_module(module), name)(*args)

    return call


@cache
def macros():
    """The macros of macros.html.j2, callable from Python (each returns escaped Markup)."""
    return environment().get_template("macros.html.j2").module


@cache
def stylesheet(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")
