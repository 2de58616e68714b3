"""SPM kesehatan achievement tables (params/spm/spm_template.csv): read, validate, summarise.

Validation goes through a pandera schema like the panel's; a row that fails any check is left out
and returned with file, row, column and reason, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis import yamlio
from analysis.errors import AnalysisError, DistrictNotFoundError, SourceFileError
from analysis.numbers import parse_numbers
from analysis.paths import PARAMS_DIR
from analysis.readers.tabular import ROW, problems_of, read_any
from analysis.regions import Registry

SERVICES_YAML = PARAMS_DIR / "spm" / "services.yaml"
COLUMNS = ["district", "year", "service", "target_population", "served"]
PERCENT_TOLERANCE = 0.1
LAG_BELOW = 100.0  # the SPM target: every person in the target population served


@cache
def load_services(path: Path = SERVICES_YAML) -> dict[str, dict[str, str]]:
    return yamlio.load_file(path)["services"]


@dataclass
class SpmTable:
    rows: pd.DataFrame  # district_code, year, service, target_population, served, percent
    problems: pd.DataFrame  # file, row, column, value, reason

    def for_district(self, district_code: str) -> pd.DataFrame:
        mine = self.rows[self.rows["district_code"] == district_code]
        if mine.empty:
            return mine
        return mine[mine["year"] == mine["year"].max()].sort_values("percent")


def _schema(services: list[str]) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "district_code": pa.Column(str, nullable=False),
            "year": pa.Column(float, pa.Check.in_range(2000, 2050, name="year_range")),
            "service": pa.Column(str, pa.Check.isin(services, name="known_service")),
            "target_population": pa.Column(float, pa.Check.gt(0, name="positive_target")),
            "served": pa.Column(float, pa.Check.ge(0, name="non_negative_served")),
        },
        checks=[
            pa.Check(lambda df: df["served"] <= df["target_population"], name="served_le_target"),
            pa.Check(
                lambda df: (
                    df["percent_given"].isna()
                    | (
                        (df["percent_given"] - 100 * df["served"] / df["target_population"]).abs()
                        <= PERCENT_TOLERANCE
                    )
                ),
                name="percent_consistent",
            ),
        ],
    )


_REASONS = {
    "year_range": ("year", "year must be between 2000 and 2050"),
    "known_service": ("service", "unknown service (see params/spm/services.yaml)"),
    "positive_target": ("target_population", "target population must be above 0"),
    "non_negative_served": ("served", "served cannot be negative"),
    "served_le_target": ("served", "more people served than the target population"),
    "percent_consistent": ("percent", "percent differs from served / target population × 100"),
    "not_nullable": ("", "missing value"),
}
_BY_COLUMN = {  # column checks report their built-in names (isin, in_range…)
    "year": _REASONS["year_range"],
    "service": _REASONS["known_service"],
    "target_population": _REASONS["positive_target"],
    "served": _REASONS["non_negative_served"],
}


def read_spm(path: Path, registry: Registry, sep: str = ",") -> SpmTable:
    path = Path(path)
    table = read_any(path, path.name, sep=sep)
    table.require(COLUMNS)
    frame = table.frame
    problems = problems_of(table, path.name)
    data = pd.DataFrame({"row": frame[ROW], "service": frame["service"].str.strip()})
    for col in ("year", "target_population", "served"):
        data[col], bad = parse_numbers(frame[col], "decimal_comma")
        for idx, reason in bad.dropna().items():
            problems.append(
                {
                    "file": path.name,
                    "row": int(frame.at[idx, ROW]),
                    "column": col,
                    "value": frame.at[idx, col],
                    "reason": reason,
                }
            )
    percent = frame["percent"] if "percent" in frame else pd.Series("", index=frame.index)
    data["percent_given"] = parse_numbers(percent.replace("", "nan"), "decimal_comma")[0]
    codes = []
    for idx, name in frame["district"].items():
        try:
            codes.append(registry.resolve(name).code)
        except (DistrictNotFoundError, AnalysisError) as exc:
            codes.append(None)
            problems.append(
                {
                    "file": path.name,
                    "row": int(frame.at[idx, ROW]),
                    "column": "district",
                    "value": name,
                    "reason": str(exc),
                }
            )
    data["district_code"] = pd.Series(codes, index=frame.index, dtype="object")
    bad_rows = {p["row"] for p in problems}
    checkable = data[~data["row"].isin(bad_rows)]
    try:
        _schema(list(load_services())).validate(
            checkable.dropna(subset=["district_code"]), lazy=True
        )
    except SchemaErrors as exc:
        for case in exc.failure_cases.dropna(subset=["index"]).itertuples(index=False):
            check = str(case.check).split("(")[0]
            column, reason = _REASONS.get(check) or _BY_COLUMN.get(
                case.column, (case.column, case.check)
            )
            idx = int(case.index)
            problems.append(
                {
                    "file": path.name,
                    "row": int(data.at[idx, "row"]),
                    "column": column or case.column,
                    "value": "" if case.failure_case is None else str(case.failure_case),
                    "reason": reason,
                }
            )
    bad_rows = {p["row"] for p in problems}
    rows = data[~data["row"].isin(bad_rows)].copy()
    dupes = rows.duplicated(["district_code", "year", "service"], keep=False)
    for r in rows[dupes].itertuples():
        problems.append(
            {
                "file": path.name,
                "row": int(r.row),
                "column": "service",
                "value": r.service,
                "reason": "the same service and year twice",
            }
        )
    rows = rows[~dupes]
    rows["percent"] = 100 * rows["served"] / rows["target_population"]
    rows["year"] = rows["year"].astype(int)
    problems_frame = pd.DataFrame(problems, columns=["file", "row", "column", "value", "reason"])
    # a row-level check reports once per column: one line per row and reason is enough
    problems_frame = problems_frame.drop_duplicates(["row", "reason"])
    if len(rows) + len(problems_frame.drop_duplicates("row")) < len(frame) + len(table.rejected):
        raise SourceFileError(f"{path}: rows were lost while reading the SPM table")  # guard
    return SpmTable(
        rows[
            ["district_code", "year", "service", "target_population", "served", "percent"]
        ].reset_index(drop=True),
        problems_frame.sort_values("row").reset_index(drop=True),
    )
