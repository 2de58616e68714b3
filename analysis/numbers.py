"""Parsing numbers as Indonesian and international tables write them.

A number format (locale) says which character is the decimal separator and which, if any,
separates thousands:

    id               Indonesian   1.234,5   ('.' thousands, ',' decimal)
    en               English      1,234.5   (',' thousands, '.' decimal)
    point            12.5 or 1e3  (no thousands separator)
    decimal_comma    12,5 and 1.234,5; a plain 11.34 is read too (mixed files exist)
    thousands_comma  8,200 (same grammar as `en`)

A cell is accepted only if it is a number in the declared grammar. Patterns that two readings
could give different numbers for are refused with the reason `ambiguous_number` instead of being
guessed: `1.300` in a `decimal_comma` column (1300 or 1.3?), and `1.033` in a column whose format
was not declared at all (`guard=True`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class NumberFormat:
    decimal: str
    thousands: str | None
    example: str
    exponent: bool = False
    lenient_point: bool = False  # decimal_comma: "11.34" is a decimal point when unambiguous


FORMATS: dict[str, NumberFormat] = {
    "point": NumberFormat(".", None, "1234.5", exponent=True),
    "decimal_comma": NumberFormat(",", ".", "1234,5 or 1.234,5", lenient_point=True),
    "thousands_comma": NumberFormat(".", ",", "1,234.5"),
    "id": NumberFormat(",", ".", "1.234,5"),
    "en": NumberFormat(".", ",", "1,234.5"),
}
NUMBER_FORMATS = frozenset(FORMATS)

# One to three digits, then groups of exactly three after a dot / a comma: readable as a
# thousands-separated integer, and (with one group) as a decimal too.
DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")


def grammar(fmt: NumberFormat) -> str:
    d = re.escape(fmt.decimal)
    whole = r"\d+"
    if fmt.thousands:
        whole = rf"(?:\d{{1,3}}(?:{re.escape(fmt.thousands)}\d{{3}})+|\d+)"
    number = rf"[+-]?(?:{whole}(?:{d}\d+)?|{d}\d+)"
    if fmt.exponent:
        number += r"(?:[eE][+-]?\d+)?"
    return number


def _to_float(text: pd.Series, fmt: NumberFormat) -> pd.Series:
    if fmt.thousands:
        text = text.str.replace(fmt.thousands, "", regex=False)
    if fmt.decimal != ".":
        text = text.str.replace(fmt.decimal, ".", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def parse_numbers(raw: pd.Series, fmt: str = "point") -> tuple[pd.Series, pd.Series]:
    """Parse text cells to floats. Returns (values, problems): problems holds, for each cell that
    is not a number in the declared format, a sentence saying why (else NA)."""
    values, problems, _codes = parse_numbers_coded(raw, fmt)
    return values, problems


def parse_numbers_coded(
    raw: pd.Series, fmt: str = "point", *, guard: bool = False
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Like `parse_numbers`, plus a reason code per problem (`unparseable`, `ambiguous_number`).

    guard: the format was not declared (the default was assumed), so a cell like `1.033` that
    reads as 1033 in Indonesian is refused as ambiguous rather than read as 1.033.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown number format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    spec = FORMATS[fmt]
    text = raw.astype("string").str.strip().str.strip('"').str.strip()
    strict = text.str.fullmatch(grammar(spec)).fillna(False).astype(bool)
    dot_groups = text.str.fullmatch(DOT_GROUPS.pattern).fillna(False).astype(bool)
    values = _to_float(text.where(strict), spec)
    ambiguous = pd.Series(False, index=raw.index)
    if spec.lenient_point:
        point = FORMATS["point"]
        lenient = ~strict & text.str.fullmatch(grammar(point)).fillna(False).astype(bool)
        # "1.300" could be 1300 (thousands) or 1.3; "1.234.567" is thousands, not decimal
        ambiguous = (strict | lenient) & dot_groups & ~text.str.contains(",", regex=False)
        values = values.where(~lenient, _to_float(text.where(lenient), point))
        strict = (strict | lenient) & ~ambiguous
    elif guard and spec.decimal == ".":
        ambiguous = strict & dot_groups
        strict = strict & ~ambiguous
    problems = pd.Series(pd.NA, index=raw.index, dtype="string")
    codes = pd.Series(pd.NA, index=raw.index, dtype="string")
    bad = ~strict
    if bad.any():
        shown = raw[bad].astype(str).str.strip()
        reasons = [_reason(s, fmt, bool(a)) for s, a in zip(shown, ambiguous[bad], strict=True)]
        problems[bad] = reasons
        codes[bad] = ["ambiguous_number" if a else "unparseable" for a in ambiguous[bad]]
    return values.where(~bad, np.nan), problems, codes


def _reason(shown: str, fmt: str, ambiguous: bool) -> str:
    spec = FORMATS[fmt]
    bare = shown.strip('"').strip()
    if ambiguous:
        if bare.count(".") > 1:
            return (
                f"'{shown}' uses '.' to separate thousands, which the declared format "
                f"`number: {fmt}` does not; declare `number: id` for this column"
            )
        return (
            f"'{shown}' is ambiguous: {bare.replace('.', '')} if '.' separates thousands "
            f"(Indonesian), {bare} if it is a decimal point; declare the column's format "
            "(`number: id` for 1.234,5, `number: en` or `point` for 1,234.5 / 1234.5)"
        )
    reason = f"'{shown}' is not a number: expected {spec.example} (`number: {fmt}`)"
    if spec.decimal == "." and re.fullmatch(r"[+-]?\d+,\d+", bare):
        if COMMA_GROUPS.fullmatch(bare) and spec.thousands != ",":
            return reason + "; if ',' separates thousands declare `number: en`"
        return (
            f"'{shown}' has a decimal comma but the column is declared `number: {fmt}`; "
            "declare `number: decimal_comma` (or `id`) for this column"
        )
    if spec.decimal == "," and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+\.\d+", bare):
        return reason + "; it is written the English way: declare `number: en`"
    if spec.thousands is None and DOT_GROUPS.fullmatch(bare):
        return reason + "; if '.' separates thousands declare `number: id`"
    if bare and not re.search(r"\d", bare):
        return reason + "; if it marks a missing value, list it under `missing:`"
    return reason
