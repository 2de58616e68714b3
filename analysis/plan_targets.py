"""Plan target tables: the targets a district's plans set, one row per district, indicator, year
and document (RPJMD, RPD, Renstra, SPM, RPJMN), with the plan's baseline.

Columns (the header is row 1; CSV with `,` or `;`, or an Excel sheet):

    district            name in any spelling the registry knows, or a BPS / Kemendagri code
    indicator           indicator id from params/indicators.yaml whose direction is higher or lower
    year                the year the target is set for (a plan sets one per year)
    target              value in the indicator's unit, within its bounds (decimal comma accepted)
    baseline_year       the plan's baseline year (kondisi awal); may be blank, together with
    baseline            the plan's baseline value
    document            RPJMD | RPD | Renstra | SPM | RPJMN
    document_reference  which document: title, period and regulation (Perda / Perkada / Perpres)

Optional columns of a *plan table* (the Renstra view's logframe): goal, objective, opd.
A province-wide file (every kab/kota of a province) is one such table.

The older one-value file (district, indicator, year, target, source_document) is still read: the
document type is taken from the word RPJMD / RPD / Renstra / SPM / RPJMN in source_document, which
becomes document_reference. `python -m analysis targets OLD.csv --convert NEW.csv` writes it in the
new format.

Every row is checked; a row that fails any check is quarantined (file, row, column, value,
reason) and the others are used: read = accepted + quarantined, always.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import AmbiguousDistrictError, AnalysisError, DistrictNotFoundError
from analysis.numbers import parse_numbers
from analysis.readers.tabular import ROW, read_any

COLUMNS = [
    "district",
    "indicator",
    "year",
    "target",
    "baseline_year",
    "baseline",
    "document",
    "document_reference",
]
LEGACY_COLUMNS = ["district", "indicator", "year", "target", "source_document"]
PLAN_COLUMNS = ["goal", "objective", "opd"]  # optional: the logframe of a plan table
DOCUMENTS = ("RPJMD", "RPD", "Renstra", "SPM", "RPJMN")
YEAR_RANGE = (2000, 2050)
ROW_COLUMNS = ["district_code", *COLUMNS[1:], *PLAN_COLUMNS, "file", "row"]
PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]
PLAN_KEY = ["district_code", "indicator", "document", "document_reference"]
_DOCUMENT_WORD = re.compile(r"\b(" + "|".join(DOCUMENTS) + r")\b", re.IGNORECASE)


class TargetFileError(AnalysisError, ValueError):
    """A target file cannot be read at all; the message names the file, row and column."""

    def __init__(self, path: Path | str, row: int | str, column: str, problem: str):
        self.path, self.row, self.column = str(path), row, column
        super().__init__(f"{path}, row {row}, column {column!r}: {problem}")


@dataclass
class TargetTable:
    """Accepted target rows (ROW_COLUMNS) and quarantined ones (PROBLEM_COLUMNS, one line per
    problem; a row can have several). `read` counts the data rows of the files."""

    rows: pd.DataFrame
    problems: pd.DataFrame
    read: int
    notes: list[str] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return int(self.problems["row"].astype(str).add("@" + self.problems["file"]).nunique())

    def summary(self) -> str:
        return f"{self.read} rows read = {len(self.rows)} accepted + {self.quarantined} quarantined"


def empty_table() -> TargetTable:
    return TargetTable(
        pd.DataFrame(columns=ROW_COLUMNS), pd.DataFrame(columns=PROBLEM_COLUMNS), read=0
    )


# -- one file ---------------------------------------------------------------------------------
def _separator(path: Path) -> str:
    """`;` when the header has semicolons and no commas (Excel in an Indonesian locale)."""
    if path.suffix.lower() not in (".csv", ".txt", ""):
        return ","
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        header = fh.readline()
    return ";" if ";" in header and "," not in header else ","


def _header_kind(path: Path, columns: list[str]) -> str:
    if all(c in columns for c in COLUMNS):
        return "new"
    if all(c in columns for c in LEGACY_COLUMNS):
        return "legacy"
    missing = [c for c in COLUMNS if c not in columns]
    raise TargetFileError(
        path,
        1,
        missing[0],
        f"column missing; the header must be {','.join(COLUMNS)} "
        f"(optional: {','.join(PLAN_COLUMNS)}), or the older {','.join(LEGACY_COLUMNS)}",
    )


def _legacy_document(text: str) -> tuple[str | None, str | None]:
    """(document, problem) from an old-format source_document text."""
    found = {m.lower() for m in _DOCUMENT_WORD.findall(text)}
    canonical = {d.lower(): d for d in DOCUMENTS}
    if len(found) == 1:
        return canonical[found.pop()], None
    what = "names none of" if not found else "names more than one of"
    return None, (
        f"old-format file: source_document {what} {', '.join(DOCUMENTS)}, so the document type "
        "is unknown; convert the file (python -m analysis targets FILE --convert NEW.csv) "
        "and fill the column `document`"
    )


def _frame_of(path: Path) -> tuple[pd.DataFrame, int, list[dict], str]:
    """The file's records as text in the new columns, the number of data rows, the records that
    could not be read, and the header kind ("new" or "legacy")."""
    table = read_any(path, str(path), sep=_separator(path))
    columns = [c.strip() for c in table.frame.columns]
    table.frame.columns = columns
    kind = _header_kind(path, columns)
    frame = table.frame.fillna("").astype(str)
    frame[ROW] = table.frame[ROW]
    if kind == "legacy":
        frame["document_reference"] = frame["source_document"]
        frame["document"] = ""
        frame["baseline_year"] = frame["baseline"] = ""
    for col in PLAN_COLUMNS:
        if col not in frame:
            frame[col] = ""
    unreadable = [
        {
            "file": str(path),
            "row": r["row"],
            "column": "",
            "value": r["raw_value"],
            "reason": r["reason"],
        }
        for r in table.rejected
    ]
    return frame, len(table.frame) + len(table.rejected), unreadable, kind


class _RowChecker:
    """Checks one record's cells; problems are (column, value, reason)."""

    def __init__(self, registry, catalogue: Catalogue, legacy: bool):
        self.registry, self.catalogue, self.legacy = registry, catalogue, legacy
        self._codes: dict[str, str | Exception] = {}

    def district(self, text: str) -> tuple[str | None, str | None]:
        if not text.strip():
            return None, "is empty: give the district's name or BPS code"
        if text not in self._codes:
            try:
                self._codes[text] = self.registry.resolve(text).code
            except (DistrictNotFoundError, AmbiguousDistrictError) as exc:
                self._codes[text] = exc
        code = self._codes[text]
        return (None, str(code)) if isinstance(code, Exception) else (code, None)

    def indicator(self, text: str) -> str | None:
        if text not in self.catalogue:
            known = ", ".join(sorted(self.catalogue.indicators))
            return f"unknown indicator {text!r} (known: {known})"
        if self.catalogue[text].direction not in ("higher", "lower"):
            return f"{text} has no better or worse direction, so no capaian can be computed"
        return None

    def document(self, rec: dict) -> tuple[str | None, str | None]:
        if self.legacy:
            return _legacy_document(rec["document_reference"])
        canonical = {d.lower(): d for d in DOCUMENTS}
        doc = canonical.get(rec["document"].strip().lower())
        if doc is None:
            return None, f"document must be one of {', '.join(DOCUMENTS)}"
        return doc, None

    def opd(self, text: str) -> tuple[str | None, str | None]:
        if not text.strip():
            return None, None
        key = text.strip().lower()
        for opd in self.catalogue.opds.values():
            if key in (opd.key, opd.label_id.lower(), opd.label_en.lower()):
                return opd.key, None
        known = ", ".join(sorted(self.catalogue.opds))
        return None, f"unknown OPD {text!r}: give a key from params/indicators.yaml ({known})"


def _year(value: float, reason_if_bad: str | None) -> str | None:
    if reason_if_bad is not None:
        return reason_if_bad
    if value != int(value):
        return f"year {value:g} is not a whole number"
    if not YEAR_RANGE[0] <= value <= YEAR_RANGE[1]:
        return f"year {int(value)} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}"
    return None


def _in_bounds(value: float, indicator: str, catalogue: Catalogue, what: str) -> str | None:
    if indicator not in catalogue:
        return None
    ind = catalogue[indicator]
    if not ind.lower <= value <= ind.upper:
        return (
            f"{what} {value:g} is outside the bounds of {indicator} "
            f"[{ind.lower:g}, {ind.upper:g}] ({ind.unit})"
        )
    return None


def _numbers(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Parsed numeric columns with their parse problems; blank baseline cells are not problems."""
    out = {
        "year": parse_numbers(frame["year"], "point"),
        "target": parse_numbers(frame["target"], "decimal_comma"),
    }
    for col, fmt in (("baseline_year", "point"), ("baseline", "decimal_comma")):
        values, problems = parse_numbers(frame[col], fmt)
        out[col] = (values, problems.where(frame[col].str.strip() != "", pd.NA))
    return out


def _check_record(rec: dict, nums: dict, idx, checker: _RowChecker) -> tuple[dict, list]:
    """The accepted values of one record and its problems [(column, value, reason)]."""
    problems = []
    code, why = checker.district(rec["district"])
    if why:
        problems.append(("district", rec["district"], why))
    indicator = rec["indicator"].strip()
    if why := checker.indicator(indicator):
        problems.append(("indicator", rec["indicator"], why))
    year, year_bad = nums["year"][0][idx], nums["year"][1][idx]
    if why := _year(year, None if pd.isna(year_bad) else str(year_bad)):
        problems.append(("year", rec["year"], why))
    target, target_bad = nums["target"][0][idx], nums["target"][1][idx]
    if why := (
        str(target_bad)
        if pd.notna(target_bad)
        else _in_bounds(target, indicator, checker.catalogue, "target")
    ):
        problems.append(("target", rec["target"], why))
    problems += _baseline_problems(rec, nums, idx, indicator, year, checker.catalogue)
    document, why = checker.document(rec)
    if why:
        column = "source_document" if checker.legacy else "document"
        problems.append((column, rec[column], why))
    reference = rec["document_reference"].strip()
    if not reference:
        column = "source_document" if checker.legacy else "document_reference"
        problems.append((column, "", "is empty: say which document sets the target"))
    opd, why = checker.opd(rec["opd"])
    if why:
        problems.append(("opd", rec["opd"], why))
    accepted = {
        "district_code": code,
        "indicator": indicator,
        "year": year,
        "target": target,
        "baseline_year": nums["baseline_year"][0][idx],
        "baseline": nums["baseline"][0][idx],
        "document": document,
        "document_reference": reference,
        "goal": rec["goal"].strip(),
        "objective": rec["objective"].strip(),
        "opd": opd or "",
    }
    return accepted, problems


def _baseline_problems(rec, nums, idx, indicator, year, catalogue) -> list:
    problems = []
    b_year, b_year_bad = nums["baseline_year"][0][idx], nums["baseline_year"][1][idx]
    base, base_bad = nums["baseline"][0][idx], nums["baseline"][1][idx]
    given_year, given_value = rec["baseline_year"].strip() != "", rec["baseline"].strip() != ""
    if given_year != given_value:
        column = "baseline" if given_year else "baseline_year"
        problems.append((column, "", "give baseline_year and baseline together, or neither"))
    if given_year and (why := _year(b_year, None if pd.isna(b_year_bad) else str(b_year_bad))):
        problems.append(("baseline_year", rec["baseline_year"], why))
    elif given_year and pd.notna(year) and b_year > year:
        problems.append(
            (
                "baseline_year",
                rec["baseline_year"],
                f"baseline year is after the target year {year:g}",
            )
        )
    if given_value and (
        why := str(base_bad)
        if pd.notna(base_bad)
        else _in_bounds(base, indicator, catalogue, "baseline")
    ):
        problems.append(("baseline", rec["baseline"], why))
    return problems


def read_target_file(path: Path | str, registry, catalogue: Catalogue) -> TargetTable:
    """Read and check one target file (new or old format). Raises TargetFileError only when the
    file cannot be used at all (no such file, a required column missing)."""
    path = Path(path)
    if not path.is_file():
        raise TargetFileError(path, "-", "", "file not found; check the path")
    try:
        frame, read, unreadable, kind = _frame_of(path)
    except AnalysisError as exc:
        if isinstance(exc, TargetFileError):
            raise
        raise TargetFileError(path, 1, "", str(exc)) from None
    checker = _RowChecker(registry, catalogue, legacy=kind == "legacy")
    nums = _numbers(frame)
    rows, problems = [], list(unreadable)
    for idx, rec in zip(frame.index, frame.to_dict("records"), strict=True):
        accepted, found = _check_record(rec, nums, idx, checker)
        line = int(rec[ROW])
        if found:
            problems += [
                {"file": str(path), "row": line, "column": c, "value": v, "reason": r}
                for c, v, r in found
            ]
        else:
            rows.append({**accepted, "file": str(path), "row": line})
    notes = []
    if kind == "legacy":
        notes.append(
            f"{path} is in the older format (source_document): the document type was read from "
            "that text and there is no baseline; convert it with "
            f"`python -m analysis targets {path} --convert NEW.csv`"
        )
    table = TargetTable(
        _typed(pd.DataFrame(rows, columns=ROW_COLUMNS)),
        pd.DataFrame(problems, columns=PROBLEM_COLUMNS),
        read=read,
        notes=notes,
    )
    return table


def _typed(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.astype(
        {
            "year": "int64",
            "target": "float64",
            "baseline_year": "Int64",
            "baseline": "float64",
            "row": "int64",
        }
    )


def read_target_files(paths, registry, catalogue: Catalogue) -> TargetTable:
    """Read several target files as one table; the checks across rows (one target per district,
    indicator, year and document; one baseline per plan) run over all of them together."""
    tables = [read_target_file(p, registry, catalogue) for p in paths]
    if not tables:
        return empty_table()
    rows = pd.concat([t.rows for t in tables], ignore_index=True)
    problems = [t.problems for t in tables]
    rows, across = _check_across_rows(rows)
    return TargetTable(
        _typed(rows),
        pd.concat([*problems, across], ignore_index=True),
        read=sum(t.read for t in tables),
        notes=[n for t in tables for n in t.notes],
    )


def _where(rows: pd.DataFrame) -> str:
    return ", ".join(f"{f} row {r}" for f, r in zip(rows["file"], rows["row"], strict=True))


def _check_across_rows(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Quarantine every copy of a repeated (district, indicator, year, document, reference) and
    every row of a plan that states two different baselines: which one is meant is not ours to
    guess."""
    problems = []
    key = [*PLAN_KEY, "year"]
    repeated = rows[rows.duplicated(key, keep=False)]
    for _, group in repeated.groupby(key, sort=False):
        for r in group.itertuples(index=False):
            problems.append(
                {
                    "file": r.file,
                    "row": r.row,
                    "column": "year",
                    "value": str(r.year),
                    "reason": f"the same district, indicator, year and document twice "
                    f"({_where(group)}): keep one",
                }
            )
    given = rows.dropna(subset=["baseline_year"])
    baselines = given.drop_duplicates([*PLAN_KEY, "baseline_year", "baseline"])
    clashing = baselines[baselines.duplicated(PLAN_KEY, keep=False)]
    for _, plan in clashing.groupby(PLAN_KEY, sort=False):
        members = given.merge(plan[PLAN_KEY].drop_duplicates(), on=PLAN_KEY)
        for r in members.itertuples(index=False):
            problems.append(
                {
                    "file": r.file,
                    "row": r.row,
                    "column": "baseline",
                    "value": f"{r.baseline_year}: {r.baseline:g}",
                    "reason": f"one plan ({r.document}, {r.document_reference}) gives different "
                    f"baselines ({_where(members)}): one baseline per plan",
                }
            )
    bad = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    hit = set(zip(bad["file"], bad["row"], strict=True))
    keep = pd.Series(
        [(f, r) not in hit for f, r in zip(rows["file"], rows["row"], strict=True)],
        index=rows.index,
        dtype=bool,
    )
    return rows[keep].reset_index(drop=True), bad


def plan_baselines(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per plan and indicator (PLAN_KEY): the plan's period (first and last target year
    over all its indicators for that district), the indicator's last target year and target
    (`end_year`, `end_target`) and its baseline (NaN when none was given)."""
    ordered = rows.sort_values("year")
    plans = ordered.groupby(PLAN_KEY, sort=True).agg(
        end_year=("year", "max"),
        end_target=("target", "last"),
        baseline_year=("baseline_year", "first"),
        baseline=("baseline", "first"),
    )
    document = ["district_code", "document", "document_reference"]
    period = ordered.groupby(document)["year"].agg(plan_start="min", plan_end="max")
    return plans.reset_index().merge(period.reset_index(), on=document, how="left")


def convert_legacy(path: Path | str) -> pd.DataFrame:
    """Every record of an older one-value file in the current columns: document_reference is the
    old source_document, document the type named in it (blank where none or several are named:
    fill it in), baseline blank. Records that cannot be read at all are left out (the check of the
    old file lists them)."""
    frame, _read, _unreadable, kind = _frame_of(Path(path))
    if kind != "legacy":
        raise TargetFileError(path, 1, "document", "the file is already in the current format")
    frame["document"] = [_legacy_document(text)[0] or "" for text in frame["document_reference"]]
    return frame[COLUMNS]
