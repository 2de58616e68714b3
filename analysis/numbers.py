"""Parsing numbers as Indonesian and international tables write them."""

from __future__ import annotations

import numpy as np
import pandas as pd

_PARSE_HINT = {
    "point": "expected a number with a decimal point (12.5)",
    "decimal_comma": "expected a number with a decimal comma (12,5)",
    "thousands_comma": "expected a number with comma thousands separators (8,200)",
}


def parse_numbers(raw: pd.Series, fmt: str = "point") -> tuple[pd.Series, pd.Series]:
    """Parse text cells to floats. Returns (values, problems): problems holds, for each cell that
    is not a number in the declared format, a sentence saying why (else NA)."""
    text = raw.astype("string").str.strip().str.strip('"').str.strip()
    if fmt == "decimal_comma":
        # "1.234,5" -> 1234.5 ; "12,5" -> 12.5 ; a plain "11.34" stays 11.34 (mixed files exist)
        both = text.str.contains(",", regex=False) & text.str.contains(".", regex=False)
        text = text.where(~both, text.str.replace(".", "", regex=False))
        text = text.str.replace(",", ".", regex=False)
    elif fmt == "thousands_comma":
        text = text.str.replace(",", "", regex=False)
    elif fmt != "point":
        raise ValueError(f"unknown number format {fmt!r}")
    # pandas would accept 'nan', 'inf': not numbers any table means
    plain = text.str.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?").fillna(False)
    values = pd.to_numeric(text.where(plain), errors="coerce").astype(float)
    problems = pd.Series(pd.NA, index=raw.index, dtype="string")
    bad = ~plain.astype(bool)
    if bad.any():
        shown = raw[bad].astype(str)
        reason = "'" + shown + "' is not a number: " + _PARSE_HINT[fmt]
        if fmt == "point":
            comma = shown.str.strip().str.fullmatch(r"[+-]?\d+,\d+").fillna(False).astype(bool)
            reason = reason.where(
                ~comma,
                "'" + shown + "' has a decimal comma but the file is declared `number: point`; "
                "declare `number: decimal_comma` for this file",
            )
        problems[bad] = reason
    return values.where(~bad, np.nan), problems
