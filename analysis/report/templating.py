"""The Jinja environment of the report layer (one per process): templates and macros in
analysis/report/templates, autoescaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def macros():
    """The macros of macros.html.j2, callable from Python (each returns escaped Markup)."""
    return environment().get_template("macros.html.j2").module


@cache
def stylesheet(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")
