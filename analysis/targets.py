"""Targets for the PIP indicators: national defaults, overridden by a district's own targets.

params/targets/national.yaml holds one national target per indicator (RPJMN), each with the
regulation it comes from and where it was confirmed. A district adds its RPJMD/Renstra targets in
a CSV shaped like params/targets/districts_template.csv. Every row is checked before it is used,
and a bad one stops the load with the file, row and column to fix: a wrong target silently used
would turn a verdict upside down.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import AmbiguousDistrictError, AnalysisError, DistrictNotFoundError
from analysis.numbers import parse_numbers
from analysis.paths import PARAMS_DIR

TARGETS_DIR = PARAMS_DIR / "targets"
NATIONAL_PATH = TARGETS_DIR / "national.yaml"
DISTRICT_COLUMNS = ("district", "indicator", "year", "target", "source_document")
NATIONAL_KEYS = ("target", "target_year", "unit", "source_document", "source_url")
YEAR_RANGE = (2000, 2050)


class TargetFileError(AnalysisError, ValueError):
    """A target file is malformed; the message names the file, row and column."""

    def __init__(self, path: Path | str, row: int | str, column: str, problem: str):
        self.path, self.row, self.column = str(path), row, column
        super().__init__(f"{path}, row {row}, column {column!r}: {problem}")


@dataclass(frozen=True)
class Target:
    """One target: reach `value` by `year`. scope is "district" or "national"."""

    indicator: str
    value: float
    year: int
    source_document: str
    scope: str
    source_url: str | None = None
    note: dict[str, str] | None = None  # {"id": …, "en": …}: caveats a reader must see
    origin: str = ""  # file and row it was read from, for the report's footnote
    # the measurement series the target is set on (params/series.yaml id), when the source says;
    # a verdict against data of another series is not given
    series: str | None = None


@dataclass(frozen=True)
class Targets:
    """National defaults and district overrides. A district may list several years for one
    indicator (a plan's yearly milestones); they are kept sorted by year."""

    national: dict[str, Target] = field(default_factory=dict)
    district: dict[tuple[str, str], tuple[Target, ...]] = field(default_factory=dict)

    def for_district(self, district_code: str, indicator: str) -> Target | None:
        """The district's own target (its latest target year, the end of its plan) if it filed
        one, else the national default, else None ("no target")."""
        own = self.district.get((district_code, indicator))
        if own:
            return own[-1]
        return self.national.get(indicator)

    def milestones(self, district_code: str, indicator: str) -> tuple[Target, ...]:
        """Every year's target the district filed for the indicator (empty if none)."""
        return self.district.get((district_code, indicator), ())


# -- validation of single cells ---------------------------------------------------------------
def _check_indicator(text: object, catalogue: Catalogue, where: tuple) -> str:
    indicator = str(text if text is not None else "").strip()
    if indicator not in catalogue:
        known = ", ".join(sorted(catalogue.indicators))
        raise TargetFileError(*where, f"unknown indicator {indicator!r} (known: {known})")
    return indicator


def _check_year(text: object, where: tuple) -> int:
    raw = str(text if text is not None else "").strip()
    if isinstance(text, bool) or not raw.lstrip("+").isdigit():
        raise TargetFileError(*where, f"year {raw!r} is not a whole number")
    year = int(raw)
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise TargetFileError(*where, f"year {year} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    return year


def _check_value(text: object, indicator: str, catalogue: Catalogue, where: tuple) -> float:
    """A number (decimal point, or decimal comma as Indonesian tables write it) within the
    indicator's bounds in params/indicators.yaml."""
    if isinstance(text, bool):
        raise TargetFileError(*where, f"{text!r} is not a number")
    raw = pd.Series([str(text if text is not None else "")])
    values, problems = parse_numbers(raw, "decimal_comma")
    if pd.notna(problems.iloc[0]):
        raise TargetFileError(*where, f"{text!r} is not a number")
    value = float(values.iloc[0])
    ind = catalogue[indicator]
    if not ind.lower <= value <= ind.upper:
        bounds = f"[{ind.lower:g}, {ind.upper:g}] ({ind.unit})"
        raise TargetFileError(
            *where, f"target {value:g} is outside the bounds of {indicator} {bounds}"
        )
    return value


def _check_text(text: object, where: tuple) -> str:
    """A non-empty text: a target without its source cannot be checked by the district."""
    value = str(text if text is not None else "").strip()
    if not value:
        raise TargetFileError(*where, "is empty: say where the target comes from")
    return value


# -- national file ----------------------------------------------------------------------------
def _national_target(path: Path, indicator: str, spec: object, catalogue: Catalogue) -> Target:
    row = f"targets.{indicator}"
    if not isinstance(spec, dict):
        raise TargetFileError(path, row, "target", "expected a mapping of target fields")
    indicator = _check_indicator(indicator, catalogue, (path, row, "indicator"))
    for key in NATIONAL_KEYS:
        if spec.get(key) in (None, ""):
            raise TargetFileError(path, row, key, "is missing")
    unit = str(spec["unit"]).strip()
    if unit != catalogue[indicator].unit:
        raise TargetFileError(
            path,
            row,
            "unit",
            f"{unit!r} differs from the catalogue's {catalogue[indicator].unit!r}",
        )
    return Target(
        indicator=indicator,
        value=_check_value(spec["target"], indicator, catalogue, (path, row, "target")),
        year=_check_year(spec["target_year"], (path, row, "target_year")),
        source_document=_check_text(spec["source_document"], (path, row, "source_document")),
        scope="national",
        source_url=_check_text(spec["source_url"], (path, row, "source_url")),
        note=_note(spec.get("note"), path, indicator),
        origin=f"{path} {row}",
        series=str(spec["series"]).strip() if spec.get("series") else None,
    )


def read_national(path: Path, catalogue: Catalogue) -> dict[str, Target]:
    """indicator -> national Target. A missing `targets` mapping means no national targets."""
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh) or {}
    entries = doc.get("targets") if isinstance(doc, dict) else None
    if entries is None:
        return {}
    if not isinstance(entries, dict):
        raise TargetFileError(path, "targets", "targets", "expected a mapping indicator -> target")
    return {key: _national_target(path, key, spec, catalogue) for key, spec in entries.items()}


# -- district files ---------------------------------------------------------------------------
def _resolve(registry, name: str, where: tuple) -> str:
    if not name.strip():
        raise TargetFileError(*where, "is empty: give the district's name or BPS code")
    try:
        return registry.resolve(name).code
    except (DistrictNotFoundError, AmbiguousDistrictError) as exc:
        raise TargetFileError(*where, str(exc)) from None


def _district_row(path: Path, line: int, row: dict, registry, catalogue: Catalogue) -> tuple:
    code = _resolve(registry, str(row["district"] or ""), (path, line, "district"))
    indicator = _check_indicator(row["indicator"], catalogue, (path, line, "indicator"))
    target = Target(
        indicator=indicator,
        value=_check_value(row["target"], indicator, catalogue, (path, line, "target")),
        year=_check_year(row["year"], (path, line, "year")),
        source_document=_check_text(row["source_document"], (path, line, "source_document")),
        scope="district",
        origin=f"{path} row {line}",
    )
    return code, target


def read_district_file(path: Path, registry, catalogue: Catalogue) -> list[tuple[str, Target]]:
    """(district_code, Target) for each non-blank row. Row numbers count the header as row 1,
    as a spreadsheet shows them."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in DISTRICT_COLUMNS if c not in header]
        if missing:
            expected = ",".join(DISTRICT_COLUMNS)
            raise TargetFileError(
                path, 1, missing[0], f"column missing; the header must be {expected}"
            )
        reader.fieldnames = header
        out = []
        for row in reader:
            if not any(str(v or "").strip() for v in row.values()):
                continue
            out.append(_district_row(path, reader.line_num, row, registry, catalogue))
    return out


def _collect(rows: Iterable[tuple[str, Target]]) -> dict[tuple[str, str], tuple[Target, ...]]:
    """Group by (district, indicator); two targets for the same year is an error naming both."""
    seen: dict[tuple[str, str, int], Target] = {}
    for code, t in rows:
        key = (code, t.indicator, t.year)
        if key in seen:
            path, _, line = t.origin.rpartition(" row ")
            problem = f"a second {t.indicator} target for {code} in {t.year} ({seen[key].origin})"
            raise TargetFileError(path, line, "year", problem)
        seen[key] = t
    grouped: dict[tuple[str, str], list[Target]] = {}
    for (code, indicator, _year), t in sorted(seen.items()):
        grouped.setdefault((code, indicator), []).append(t)
    return {k: tuple(v) for k, v in grouped.items()}


def load_targets(
    national_path: Path | str = NATIONAL_PATH,
    district_paths: Iterable[Path | str] = (),
    *,
    registry=None,
    catalogue: Catalogue | None = None,
) -> Targets:
    """Read and validate the national targets and any district target files.

    District names (or codes) are resolved through `registry` (default: `load_registry()`, only
    loaded when there are district files). Raises TargetFileError naming file, row and column for
    the first bad row.
    """
    catalogue = catalogue or load_catalogue()
    national = read_national(Path(national_path), catalogue)
    paths = [Path(p) for p in district_paths]
    if paths and registry is None:
        from analysis.regions import load_registry

        registry = load_registry()
    rows = [r for p in paths for r in read_district_file(p, registry, catalogue)]
    return Targets(national=national, district=_collect(rows))


def _note(value, path, indicator: str) -> dict[str, str] | None:
    """A note in both languages: {"id": …, "en": …}; a plain string is used for both."""
    if not value:
        return None
    if isinstance(value, str):
        return {"id": value.strip(), "en": value.strip()}
    if not (isinstance(value, dict) and {"id", "en"} <= set(value)):
        raise TargetFileError(
            path, f"targets.{indicator}", "note", "must be text or a mapping with keys id and en"
        )
    return {"id": str(value["id"]).strip(), "en": str(value["en"]).strip()}
