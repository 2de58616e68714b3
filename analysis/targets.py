"""Targets for the PIP indicators: national defaults, and the targets of a district's own plans.

params/targets/national.yaml holds one national target per indicator (RPJMN), each with the
regulation it comes from and where it was confirmed: the *national default*, used only where a
district has no target of its own. A district's (or a whole province's) plan targets come in a
target table (`analysis.plan_targets`: one row per district, indicator, year and document, with
the plan's baseline); its bad rows are quarantined with the reason, never used.

Which of a district's targets applies is a fixed, stated rule (`DOCUMENT_PRECEDENCE`): the head
of region's plan (RPJMD, or the RPD of a transition period) first, then the health office's
Renstra, then SPM, then an RPJMN target the district restated; within one document type the plan
that ends last. `analysis.plan_eval` records the choice in each row it evaluates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from analysis.catalogue import Catalogue, load_catalogue
from analysis.numbers import parse_numbers
from analysis.paths import PARAMS_DIR
from analysis.plan_targets import (
    DOCUMENTS,
    LEGACY_COLUMNS,
    TargetFileError,
    TargetTable,
    empty_table,
    read_target_files,
)

TARGETS_DIR = PARAMS_DIR / "targets"
NATIONAL_PATH = TARGETS_DIR / "national.yaml"
DISTRICT_COLUMNS = tuple(LEGACY_COLUMNS)  # the older one-value-per-indicator layout
NATIONAL_KEYS = ("target", "target_year", "unit", "source_document", "source_url")
YEAR_RANGE = (2000, 2050)
DOCUMENT_PRECEDENCE = ("RPJMD", "RPD", "Renstra", "SPM", "RPJMN")
assert set(DOCUMENT_PRECEDENCE) == set(DOCUMENTS)

__all__ = ["DOCUMENT_PRECEDENCE", "Target", "TargetFileError", "Targets", "load_targets"]


@dataclass(frozen=True)
class Target:
    """One target: reach `value` by `year`. scope is "district" (the district's own plan) or
    "national" (the RPJMN default of params/targets/national.yaml, or an RPJMN row of a target
    table restating it for the district)."""

    indicator: str
    value: float
    year: int
    source_document: str
    scope: str
    source_url: str | None = None
    note: dict[str, str] | None = None  # {"id": …, "en": …}: caveats a reader must see
    origin: str = ""  # file and row it was read from, for the report's footnote
    document: str = "RPJMN"  # RPJMD | RPD | Renstra | SPM | RPJMN
    document_reference: str = ""
    baseline_year: int | None = None
    baseline: float | None = None
    # the measurement series the target is set on (params/series.yaml id), when the source says;
    # a verdict against data of another series is not given
    series: str | None = None


@dataclass(frozen=True)
class Targets:
    """National defaults and the districts' own plan targets (`table`: accepted rows and the
    quarantined ones). `district` maps (district_code, indicator) to every own target, ordered by
    year and document precedence."""

    national: dict[str, Target] = field(default_factory=dict)
    district: dict[tuple[str, str], tuple[Target, ...]] = field(default_factory=dict)
    table: TargetTable = field(default_factory=empty_table)

    @property
    def problems(self) -> pd.DataFrame:
        return self.table.problems

    def applicable_plan(
        self, district_code: str, indicator: str, documents: tuple[str, ...] = DOCUMENT_PRECEDENCE
    ) -> tuple[Target, ...]:
        """The yearly targets of the district's plan that applies (first document type in
        `documents` it has a plan of; among those, the plan ending last). Empty if none."""
        own = [
            t for t in self.district.get((district_code, indicator), ()) if t.document in documents
        ]
        if not own:
            return ()
        plans: dict[tuple[str, str], list[Target]] = {}
        for t in own:
            plans.setdefault((t.document, t.document_reference), []).append(t)
        chosen = min(
            plans.items(),
            key=lambda kv: (documents.index(kv[0][0]), -max(t.year for t in kv[1]), kv[0][1]),
        )
        return tuple(sorted(chosen[1], key=lambda t: t.year))

    def for_district(self, district_code: str, indicator: str) -> Target | None:
        """The end-of-plan target of the district's applicable plan if it filed one, else the
        national default, else None ("no target")."""
        plan = self.applicable_plan(district_code, indicator)
        if plan:
            return plan[-1]
        return self.national.get(indicator)

    def milestones(self, district_code: str, indicator: str) -> tuple[Target, ...]:
        """Every year's target of the district's applicable plan (empty if none)."""
        return self.applicable_plan(district_code, indicator)


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
        document="RPJMN",
        document_reference=str(spec["source_document"]).strip(),
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
def _district_target(row) -> Target:
    return Target(
        indicator=row.indicator,
        value=float(row.target),
        year=int(row.year),
        source_document=row.document_reference,
        # an RPJMN row restates the national target for the district: not the district's own
        scope="national" if row.document == "RPJMN" else "district",
        origin=f"{row.file} row {row.row}",
        document=row.document,
        document_reference=row.document_reference,
        baseline_year=None if pd.isna(row.baseline_year) else int(row.baseline_year),
        baseline=None if pd.isna(row.baseline) else float(row.baseline),
    )


def _collect(rows: pd.DataFrame) -> dict[tuple[str, str], tuple[Target, ...]]:
    """(district, indicator) -> its targets, ordered by year then document precedence."""
    rank = {d: i for i, d in enumerate(DOCUMENT_PRECEDENCE)}
    ordered = rows.assign(_rank=rows["document"].map(rank)).sort_values(
        ["district_code", "indicator", "year", "_rank", "document_reference"]
    )
    grouped: dict[tuple[str, str], list[Target]] = {}
    for row in ordered.itertuples(index=False):
        grouped.setdefault((row.district_code, row.indicator), []).append(_district_target(row))
    return {k: tuple(v) for k, v in grouped.items()}


def load_targets(
    national_path: Path | str = NATIONAL_PATH,
    district_paths: Iterable[Path | str] = (),
    *,
    registry=None,
    catalogue: Catalogue | None = None,
) -> Targets:
    """Read and validate the national targets and any district / province target files.

    District names (or codes) are resolved through `registry` (default: `load_registry()`, only
    loaded when there are district files). A bad row of a target file is quarantined
    (`Targets.table.problems`) and the others are used; a bad national entry raises
    TargetFileError naming the file, entry and key.
    """
    catalogue = catalogue or load_catalogue()
    national = read_national(Path(national_path), catalogue)
    paths = [Path(p) for p in district_paths]
    if paths and registry is None:
        from analysis.regions import load_registry

        registry = load_registry()
    table = read_target_files(paths, registry, catalogue)
    return Targets(national=national, district=_collect(table.rows), table=table)


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
