"""One cell of a filled plan: text, whole number, number, date or status, each with the problem
it has (appended to `problems` as (column, value, reason)) instead of an exception."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import cache
from typing import Any

import pandas as pd

from analysis.followup.plan import STATUSES, status_label
from analysis.i18n import t
from analysis.numbers import parse_numbers

Problem = tuple  # (column, value, reason) within a row; (row, column, value, reason) outside
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y")
DATE_RANGE = (date(2000, 1, 1), date(2100, 12, 31))
MONTHS = {  # Indonesian and English month names and abbreviations -> month number
    **{
        m: i
        for i, m in enumerate(
            [
                "januari",
                "februari",
                "maret",
                "april",
                "mei",
                "juni",
                "juli",
                "agustus",
                "september",
                "oktober",
                "november",
                "desember",
            ],
            start=1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            start=1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov", "des"],
            start=1,
        )
    },
    **{"may": 5, "aug": 8, "oct": 10, "dec": 12, "agt": 8, "ags": 8, "sept": 9},
}


def raw_text(value: Any) -> str:
    """A cell as a person would read it back (for quarantine and messages)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def as_text(value: Any) -> str:
    return raw_text(value).strip()


def as_whole(value: Any, column: str, low: int, high: int, problems: list) -> Any:
    """A whole number in [low, high] (a year, an action number); pd.NA when empty."""
    text = as_text(value)
    if text == "":
        return pd.NA
    number = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value) if float(value).is_integer() else None
    elif re.fullmatch(r"\+?\d+(\.0+)?", text):
        number = int(float(text))
    what = "a year such as 2024" if "year" in column else "the action's number, or empty"
    if number is None:
        problems.append((column, value, f"{text!r} is not a whole number: write {what}"))
        return pd.NA
    if not low <= number <= high:
        problems.append((column, value, f"{number} is outside {low}–{high}: write {what}"))
        return pd.NA
    return number


def as_number(value: Any, column: str, problems: list) -> float:
    """A number (a number cell, or text with a decimal comma or point); NaN when empty."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = as_text(value)
    if text == "":
        return math.nan
    parsed, bad = parse_numbers(pd.Series([text]), "decimal_comma")
    if isinstance(value, bool | date) or pd.notna(bad.iloc[0]):
        problems.append(
            (column, value, f"{text!r} is not a number: write the value alone, e.g. 41,8")
        )
        return math.nan
    return float(parsed.iloc[0])


def as_date(value: Any, column: str, problems: list) -> pd.Timestamp:
    """A date: a date cell, or text as day/month/year (31/03/2026, 31 Maret 2026) or ISO
    (2026-03-31). NaT when empty."""
    day = None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        problems.append(
            (
                column,
                value,
                f"{raw_text(value)} is a number, not a date: "
                "format the cell as a date or write 31/03/2026",
            )
        )
        return pd.NaT
    else:
        text = as_text(value)
        if text == "":
            return pd.NaT
        day = _parse_date(text)
    if day is None or not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        problems.append(
            (
                column,
                value,
                f"{as_text(value)!r} is not a date: write it as 31/03/2026 "
                "(day/month/year) or 2026-03-31",
            )
        )
        return pd.NaT
    return pd.Timestamp(day)


def _parse_date(text: str) -> date | None:
    words = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", text)
    if words and words.group(2).casefold() in MONTHS:
        text = f"{words.group(1)} {MONTHS[words.group(2).casefold()]} {words.group(3)}"
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@cache
def _status_spellings() -> dict[str, str]:
    out = {}
    for key in STATUSES:
        own, english = t(f"fu_status_{key}", "id"), t(f"fu_status_{key}", "en")
        for text in (
            key,
            key.replace("_", " "),
            own,
            english,
            status_label(key, "en"),
            f"{own} / {english}",
        ):
            out[" ".join(text.split()).casefold()] = key
    return out


def status_key(value: Any) -> str | None:
    """The status key for a label in Indonesian or English (any case), or None."""
    return _status_spellings().get(" ".join(as_text(value).split()).casefold())


def status_choices() -> str:
    """The statuses as a sentence for messages: Indonesian, then English."""
    own = ", ".join(t(f"fu_status_{s}", "id") for s in STATUSES)
    english = ", ".join(t(f"fu_status_{s}", "en") for s in STATUSES)
    return f"{own} (or in English: {english})"
