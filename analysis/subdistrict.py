"""Sub-district tables (kecamatan / puskesmas) a district provides for its own report.

Columns: district, unit, unit_type (kecamatan | puskesmas), year, indicator, value. Each row is
checked (known district, catalogued indicator, value within the indicator's bounds, one value per
unit-year-indicator); a row that fails is left out with file, row, column and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import AmbiguousDistrictError, DistrictNotFoundError
from analysis.numbers import parse_numbers
from analysis.readers.tabular import ROW, problems_of, read_any
from analysis.regions import Registry

COLUMNS = ["district", "unit", "unit_type", "year", "indicator", "value"]
UNIT_TYPES = {"kecamatan", "puskesmas", "desa", "kelurahan"}


@dataclass
class UnitTable:
    rows: pd.DataFrame  # district_code, unit, unit_type, year, indicator, value
    problems: pd.DataFrame  # file, row, column, value, reason


def read_units(path: Path, registry: Registry, catalogue: Catalogue, sep: str = ",") -> UnitTable:
    path = Path(path)
    table = read_any(path, path.name, sep=sep)
    table.require(COLUMNS)
    frame = table.frame
    problems = problems_of(table, path.name)

    def bad(idx, column, reason):
        problems.append(
            {
                "file": path.name,
                "row": int(frame.at[idx, ROW]),
                "column": column,
                "value": frame.at[idx, column],
                "reason": reason,
            }
        )

    values, value_problems = parse_numbers(frame["value"], "decimal_comma")
    years, year_problems = parse_numbers(frame["year"], "point")
    codes = {}
    for idx in frame.index:
        name = frame.at[idx, "district"]
        if name not in codes:
            try:
                codes[name] = registry.resolve(name).code
            except (DistrictNotFoundError, AmbiguousDistrictError) as exc:
                codes[name] = exc
        if isinstance(codes[name], Exception):
            bad(idx, "district", str(codes[name]))
        indicator = frame.at[idx, "indicator"].strip()
        if indicator not in catalogue:
            bad(idx, "indicator", f"indicator {indicator!r} is not in the catalogue")
        elif pd.notna(values[idx]):
            ind = catalogue[indicator]
            if not ind.lower <= values[idx] <= ind.upper:
                bad(idx, "value", f"outside the valid range [{ind.lower:g}, {ind.upper:g}]")
        if pd.notna(value_problems[idx]):
            bad(idx, "value", value_problems[idx])
        if pd.notna(year_problems[idx]):
            bad(idx, "year", year_problems[idx])
        if frame.at[idx, "unit_type"].strip().lower() not in UNIT_TYPES:
            bad(idx, "unit_type", f"unit_type must be one of {sorted(UNIT_TYPES)}")
    rejected_rows = {p["row"] for p in problems}
    keep = ~frame[ROW].isin(rejected_rows)
    rows = pd.DataFrame(
        {
            "row": frame[ROW],
            "district_code": [
                c if isinstance(c, str) else None for c in frame["district"].map(codes)
            ],
            "unit": frame["unit"].str.strip(),
            "unit_type": frame["unit_type"].str.strip().str.lower(),
            "year": years,
            "indicator": frame["indicator"].str.strip(),
            "value": values,
        }
    )[keep]
    dupes = rows.duplicated(["district_code", "unit", "year", "indicator"], keep=False)
    for r in rows[dupes].itertuples():
        problems.append(
            {
                "file": path.name,
                "row": int(r.row),
                "column": "unit",
                "value": r.unit,
                "reason": "more than one value for this unit, year and indicator",
            }
        )
    rows = rows[~dupes].astype({"year": int}).drop(columns="row").reset_index(drop=True)
    problems_frame = pd.DataFrame(problems, columns=["file", "row", "column", "value", "reason"])
    return UnitTable(rows, problems_frame.sort_values("row").reset_index(drop=True))


def unit_summary(rows: pd.DataFrame, indicator: str, direction: str) -> tuple[pd.DataFrame, dict]:
    """Units of one indicator in its latest year, best first, with the spread and the units
    that pull the district down (the worst quarter, at least one)."""
    part = rows[rows["indicator"] == indicator]
    part = part[part["year"] == part["year"].max()]
    ascending = direction == "lower"
    ranked = part.sort_values("value", ascending=ascending).reset_index(drop=True)
    ranked["rank"] = range(1, len(ranked) + 1)
    n_low = max(1, len(ranked) // 4)
    ranked["pulls_down"] = ranked["rank"] > len(ranked) - n_low
    values = ranked["value"]
    spread = {
        "n": len(ranked),
        "year": int(part["year"].max()) if len(part) else None,
        "min": values.min(),
        "max": values.max(),
        "median": values.median(),
        "range": values.max() - values.min(),
        "iqr": values.quantile(0.75) - values.quantile(0.25),
    }
    return ranked, spread
