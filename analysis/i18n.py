"""Texts a user reads (from analysis/strings.yaml) and Indonesian / English number formatting."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

from analysis import yamlio

LANGS = ("id", "en")
STRINGS = Path(__file__).with_name("strings.yaml")


@cache
def _catalogue() -> dict[str, dict[str, str]]:
    return yamlio.load_file(STRINGS)


def t(key: str, lang: str = "id", **values) -> str:
    """The text `key` in `lang`, with placeholders filled."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {LANGS}, not {lang!r}")
    return _catalogue()[key][lang].format(**values)


def fmt_number(value: float | None, lang: str = "id", digits: int = 1, signed: bool = False) -> str:
    """12345.678 -> '12.345,7' (id) or '12,345.7' (en); None/NaN -> '–'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text.replace("-", "−")
