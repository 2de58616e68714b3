"""Turning a RawTable into staged long rows: one row per (record, value column), lineage kept.

Staged rows are not yet the contract: districts are still as written, values may not parse.
`analysis.validate` resolves, checks and splits them into accepted rows and quarantine.
"""

from __future__ import annotations

import pandas as pd

from analysis.numbers import parse_numbers_coded
from analysis.readers.tabular import ROW, RawTable

STAGED_COLUMNS = [
    "source",
    "file",
    "row",
    "column",
    "district_raw",
    "province_raw",
    "district_mode",
    "year_raw",
    "indicator",
    "raw_value",
    "value",
    "problem",
    "problem_code",
    "pre_code",
    "pre_reason",
]


def district_mode(district_spec: dict) -> str:
    """How district cells are read: 'code' (any BPS vintage or Kemendagri), 'name_bare_kab'
    (bare names are kabupaten, cities say 'Kota'), or 'name' (must be unambiguous)."""
    if district_spec.get("code"):
        return "code"
    if district_spec.get("names") == "bare_is_kabupaten":
        return "name_bare_kab"
    return "name"


def stage(
    table: RawTable,
    *,
    source: str,
    values: dict[str, str],
    district_column: str,
    mode: str,
    year_column: str | None = None,
    year_value: int | None = None,
    province_column: str | None = None,
    province_value: str | None = None,
    number: str = "point",
    missing: tuple[str, ...] = ("",),
    scale: float = 1.0,
    numbers: dict[str, str] | None = None,
    guarded: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Melt the value columns of `table` into staged rows. `numbers` gives a column its own
    number format (else `number`); columns in `guarded` had no declared format, so ambiguous
    cells are refused (see `analysis.numbers`)."""
    needed = [district_column, *values]
    if year_column:
        needed.append(year_column)
    if province_column:
        needed.append(province_column)
    table.require(needed)
    frame = table.frame
    parts = []
    for column, indicator in values.items():
        raw = frame[column].astype(str)
        fmt = (numbers or {}).get(column, number)
        value, problem, code = parse_numbers_coded(raw, fmt, guard=column in guarded)
        if column in table.numeric:  # typed as a number in the file: no text format applies
            typed = table.numeric[column].notna().to_numpy()
            value = value.where(~typed, table.numeric[column].to_numpy())
            problem, code = problem.where(~typed, pd.NA), code.where(~typed, pd.NA)
        is_missing = raw.str.strip().isin(list(missing))
        part = pd.DataFrame(
            {
                "source": source,
                "file": table.relpath,
                "row": frame[ROW].astype(int),
                "column": column,
                "district_raw": frame[district_column].astype(str).str.strip(),
                "province_raw": (
                    frame[province_column].astype(str).str.strip()
                    if province_column
                    else (province_value or "")
                ),
                "district_mode": mode,
                "year_raw": frame[year_column].astype(str).str.strip()
                if year_column
                else str(year_value),
                "indicator": indicator,
                "raw_value": raw,
                "value": value * scale,
                "problem": problem.where(~is_missing, pd.NA),
                "problem_code": code.where(~is_missing, pd.NA),
                "pre_code": pd.Series(pd.NA, index=frame.index, dtype="string").where(
                    ~is_missing, "missing"
                ),
                "pre_reason": pd.Series(pd.NA, index=frame.index, dtype="string").where(
                    ~is_missing, "cell is empty or a missing-value marker ('" + raw + "')"
                ),
            }
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=STAGED_COLUMNS)
    return pd.concat(parts, ignore_index=True)[STAGED_COLUMNS]
