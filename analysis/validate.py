"""Validation of staged rows against the tidy contract, with a quarantine for every rejected row.

The contract: district_code, year, indicator, value, unit, source (+ lineage: file, row, column).
The checks are a pandera schema, run lazily so every failure is collected at once:
known district code, integer year, catalogued indicator, a parsed value within the indicator's
bounds, and one value per (district_code, year, indicator, source). Before the schema, districts
are resolved through the registry, and cells the sources mark as missing (or placeholders the
source rules detect) are set aside with their reason. Nothing is dropped silently: every staged row
ends in exactly one of `accepted` or `quarantine`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from analysis.catalogue import Catalogue
from analysis.errors import AmbiguousDistrictError, DistrictNotFoundError
from analysis.numbers import DOT_GROUPS
from analysis.readers.tabular import QUARANTINE_COLUMNS
from analysis.regions import Registry

PANEL_COLUMNS = ["district_code", "year", "indicator", "value", "unit", "source"]
LINEAGE_COLUMNS = ["file", "row", "column"]
KEY = ["district_code", "year", "indicator", "source"]
YEAR_RANGE = (1990, 2035)


def panel_schema(codes: list[str], catalogue: Catalogue) -> pa.DataFrameSchema:
    lower = {k: i.lower for k, i in catalogue.indicators.items()}
    upper = {k: i.upper for k, i in catalogue.indicators.items()}

    def within_bounds(df: pd.DataFrame) -> pd.Series:
        lo = df["indicator"].map(lower)
        hi = df["indicator"].map(upper)
        return df["value"].isna() | lo.isna() | df["value"].between(lo, hi)

    return pa.DataFrameSchema(
        {
            "district_code": pa.Column(
                str, pa.Check.isin(codes, name="known_district"), nullable=False
            ),
            "year": pa.Column(
                "Int64", pa.Check.in_range(*YEAR_RANGE, name="year_range"), nullable=False
            ),
            "indicator": pa.Column(
                str, pa.Check.isin(list(catalogue.indicators), name="known_indicator")
            ),
            "value": pa.Column(float, nullable=False),
            "unit": pa.Column(str, nullable=True),
            "source": pa.Column(str),
        },
        checks=[pa.Check(within_bounds, name="within_bounds")],
        unique=KEY,
        report_duplicates="all",
        strict=False,
    )


@dataclass
class Validated:
    accepted: pd.DataFrame
    quarantine: pd.DataFrame


def resolve_districts(staged: pd.DataFrame, registry: Registry) -> tuple[pd.Series, pd.Series]:
    """District codes for staged rows, and for rows that do not resolve, the reason."""
    keys = staged[["district_raw", "province_raw", "district_mode"]].drop_duplicates()
    found: dict[tuple, tuple[str | None, str | None]] = {}
    for raw, province, mode in keys.itertuples(index=False):
        try:
            if mode == "code":
                code = registry.code_for(raw)
                if code is None:
                    raise DistrictNotFoundError(raw, [])
                found[(raw, province, mode)] = (code, None)
                continue
            district = registry.resolve(
                raw, province or None, bare_is_kabupaten=(mode == "name_bare_kab")
            )
            found[(raw, province, mode)] = (district.code, None)
        except (DistrictNotFoundError, AmbiguousDistrictError) as exc:
            kind = (
                "ambiguous_district"
                if isinstance(exc, AmbiguousDistrictError)
                else "unknown_district"
            )
            found[(raw, province, mode)] = (None, f"{kind}|{exc}")
    pairs = [
        found[k]
        for k in zip(
            staged["district_raw"], staged["province_raw"], staged["district_mode"], strict=True
        )
    ]
    codes = pd.Series([p[0] for p in pairs], index=staged.index, dtype="string")
    errors = pd.Series([p[1] for p in pairs], index=staged.index, dtype="string")
    return codes, errors


_CHECK_REASON = {
    "known_district": "unknown_district",
    "year_range": "bad_year",
    "known_indicator": "unknown_indicator",
    "within_bounds": "out_of_bounds",
    "multiple_fields_uniqueness": "duplicate",
    "field_uniqueness": "duplicate",
}


def _explain(row: pd.Series, code: str, catalogue: Catalogue) -> str:
    if code == "unknown_district":
        return row["district_error"] or f"district {row['district_raw']!r} is not in the registry"
    if code == "unparseable":
        return row["problem"]
    if code == "bad_year":
        return f"year {row['year_raw']!r} is not a year between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}"
    if code == "unknown_indicator":
        return f"indicator {row['indicator']!r} is not in params/indicators.yaml"
    if code == "out_of_bounds":
        ind = catalogue[row["indicator"]]
        unit = catalogue.units[ind.unit]["label_en"]
        return (
            f"value {row['raw_value'].strip()} is outside the valid range "
            f"[{ind.lower:g}, {ind.upper:g}] {unit} for {ind.id}"
        )
    if code == "duplicate":
        return (
            f"more than one value for district {row['district_code']}, year {row['year']}, "
            f"{row['indicator']} in this source (all copies quarantined; which is right is "
            "not knowable here)"
        )
    return code


def _not_whole(frame: pd.DataFrame, catalogue: Catalogue) -> pd.Index:
    """Rows of a count unit (params/indicators.yaml `integer: true`) whose value has a fraction."""
    counts = frame["unit"].isin(catalogue.integer_units) & frame["value"].notna()
    return frame.index[counts & (frame["value"] % 1 != 0)]


def _whole_number_reason(row: pd.Series) -> tuple[str, str]:
    raw = str(row["raw_value"]).strip().strip('"').strip()
    if DOT_GROUPS.fullmatch(raw):
        return (
            "ambiguous_number",
            f"'{raw}' in a count column ({row['indicator']}) is ambiguous: a count is whole, so "
            f"'.' probably separates thousands ({raw.replace('.', '')}); declare "
            "`number: id` for this column, or write the count without separators",
        )
    return (
        "not_whole",
        f"'{raw}' is not a whole number but {row['indicator']} is a count; check the column "
        "and its number format",
    )


def validate(
    staged: pd.DataFrame, registry: Registry, catalogue: Catalogue, rules=None
) -> Validated:
    """Split staged rows into accepted contract rows and quarantine records.

    `rules` (optional) is called with the resolved frame and returns (index, code, reason)
    triples for rows a source-specific rule rejects (placeholders, carried-forward values).
    """
    frame = staged.copy()
    codes, errors = resolve_districts(frame, registry)
    frame["district_code"] = codes
    frame["district_error"] = errors.str.split("|", n=1).str[1]
    frame["district_error_code"] = errors.str.split("|", n=1).str[0]
    frame["year"] = pd.to_numeric(frame["year_raw"], errors="coerce")
    whole = frame["year"].notna() & (frame["year"] % 1 == 0)
    frame["year"] = frame["year"].where(whole).astype("Int64")
    frame["unit"] = (
        frame["indicator"]
        .map({k: i.unit for k, i in catalogue.indicators.items()})
        .astype("string")
    )

    reasons: dict[int, list[tuple[str, str]]] = {}

    def add(index, code: str, reason: str) -> None:
        reasons.setdefault(index, []).append((code, reason))

    # 1. set aside what the source marks missing, and what cannot be parsed or resolved
    for idx, reason in frame["pre_reason"].dropna().items():
        add(idx, frame.at[idx, "pre_code"], reason)
    zero_missing = {k for k, i in catalogue.indicators.items() if i.zero_is_missing}
    is_zero_missing = frame["indicator"].isin(zero_missing) & (frame["value"] == 0)
    for idx in frame.index[is_zero_missing & frame["pre_reason"].isna()]:
        add(
            idx,
            "missing",
            f"0 means 'no data' for {frame.at[idx, 'indicator']} (zero is not a plausible value)",
        )
    problem_codes = frame.get("problem_code", pd.Series(pd.NA, index=frame.index))
    for idx, problem in frame["problem"].dropna().items():
        if idx not in reasons:
            code = problem_codes[idx]
            add(idx, "unparseable" if pd.isna(code) else str(code), problem)
    for idx in _not_whole(frame, catalogue):
        if idx not in reasons:
            add(idx, *_whole_number_reason(frame.loc[idx]))
    for idx, err in frame["district_error"].dropna().items():
        add(idx, frame.at[idx, "district_error_code"], err)
    if rules is not None:
        candidates = frame.drop(index=list(reasons))
        for idx, code, reason in rules(candidates):
            add(idx, code, reason)

    # 2. the schema, lazily, on everything not already set aside
    checkable = frame.drop(index=list(reasons))
    schema = panel_schema(registry.codes, catalogue)
    try:
        schema.validate(checkable, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index"])
        for case in cases.itertuples(index=False):
            check = str(case.check)
            code = next((v for k, v in _CHECK_REASON.items() if check.startswith(k)), None)
            if code is None:  # dtype or not-null failures: say what the column is for
                code = {
                    "year": "bad_year",
                    "value": "unparseable",
                    "district_code": "unknown_district",
                }.get(case.column, f"invalid_{case.column}")
            idx = int(case.index)
            if any(c == code for c, _ in reasons.get(idx, [])):
                continue
            add(idx, code, _explain(frame.loc[idx], code, catalogue))

    rejected_index = list(reasons)
    accepted = frame.drop(index=rejected_index)
    accepted = accepted[PANEL_COLUMNS + LINEAGE_COLUMNS].reset_index(drop=True)
    accepted["district_code"] = accepted["district_code"].astype(str)
    accepted["unit"] = accepted["unit"].astype(str)
    accepted["year"] = accepted["year"].astype(int)
    accepted["row"] = accepted["row"].astype(int)

    rejected = frame.loc[rejected_index]
    quarantine = pd.DataFrame(
        {
            "source": rejected["source"],
            "district_code": rejected["district_code"].fillna(""),
            "file": rejected["file"],
            "row": rejected["row"],
            "column": rejected["column"],
            "district_raw": rejected["district_raw"],
            "year": rejected["year_raw"],
            "indicator": rejected["indicator"],
            "raw_value": rejected["raw_value"],
            "reason_code": [reasons[i][0][0] for i in rejected_index],
            "reason": ["; ".join(r for _c, r in reasons[i]) for i in rejected_index],
        }
    )[QUARANTINE_COLUMNS]
    return Validated(accepted=accepted, quarantine=quarantine.reset_index(drop=True))
