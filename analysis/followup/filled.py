"""Reading a plan the district filled in (the XLSX from `plan_workbook`, or a CSV of it).

Every problem is found at once, named by row and column with what to do; a row with a problem
goes to quarantine whole (with its cells as written), so read = accepted + quarantined and nothing
is lost. A file that cannot be a plan at all (unreadable, columns missing, another district's
plan) raises FollowupFileError and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.followup.cells import (
    Problem,
    as_date,
    as_number,
    as_text,
    as_whole,
    raw_text,
    status_choices,
    status_key,
)
from analysis.followup.plan import (
    PLAN_COLUMNS,
    STORED_COLUMNS,
    YEAR_COLUMNS,
    header,
    source_titles,
)
from analysis.followup.table import FollowupFileError, RawTable, read_table

YEAR_RANGE = (2000, 2050)
# A plan without these columns cannot be read (either the code or the label column is enough).
REQUIRED = (
    ("indicator", "indicator_label"),
    ("opd", "opd_label"),
    ("action",),
    ("person_in_charge",),
    ("deadline",),
    ("status",),
)
QUARANTINE_COLUMNS = ("row", "column", "cell", "value", "reason")


@dataclass(frozen=True)
class FilledPlan:
    """A filled plan, checked. accepted: STORED_COLUMNS plus `row` (the spreadsheet row).
    quarantine: one line per problem (row, column as headed in the file, cell, value, reason)
    followed by the row's cells as written. read counts the non-empty rows."""

    file: Path
    accepted: pd.DataFrame
    quarantine: pd.DataFrame
    read: int
    ignored_columns: tuple[str, ...] = field(default_factory=tuple)

    @property
    def quarantined(self) -> int:
        return int(self.quarantine["row"].nunique()) if len(self.quarantine) else 0


def read_filled_plan(
    path: Path | str,
    *,
    district_code: str,
    catalogue: Catalogue,
    known_ids: Iterable[int] = (),
) -> FilledPlan:
    """Check a filled plan. Rows without a number get the next free one after `known_ids` (the
    numbers the district's other meetings used) and every number in the file."""
    path = Path(path)
    table = read_table(path)
    _check_district(path, table, district_code)
    if not table.rows:
        raise FollowupFileError(
            path, "has a header but no rows: fill in the plan's rows (nothing was stored)"
        )
    columns, ignored = _map_headers(path, table)
    checker = _RowChecker(catalogue, columns)
    records, problems, numbers = [], [], list(known_ids)
    for row, cells in table.rows:
        record, found = checker.check(row, cells)
        (problems if found else records).extend(found or [record])
        if not pd.isna(record["action_id"]):
            numbers.append(record["action_id"])  # a row set aside keeps its number
    records, duplicates = _unique_ids(records)
    problems.extend(duplicates)
    accepted = _accepted_frame(_number_new(records, numbers))
    quarantine = _quarantine_frame(problems, table, columns)
    return FilledPlan(path, accepted, quarantine, len(table.rows), ignored)


# -- the file as a whole ------------------------------------------------------------------------
def _check_district(path: Path, table: RawTable, district_code: str) -> None:
    made_for = table.properties.get("district_code")
    if made_for and made_for != district_code:
        name = table.properties.get("district", made_for)
        raise FollowupFileError(
            path,
            f"this plan was made for {name} (BPS {made_for}), not for BPS {district_code}: "
            f"import it with --district {made_for!r}, or use the plan of the right district",
        )


def _aliases() -> dict[str, str]:
    """Header as written (case and spacing ignored) -> plan column: the workbook's headers in
    either language, or the column keys. A header wins over a key: "Indicator" is the English
    label column, not the key `indicator` (a code in a label column is read all the same)."""
    out = {_norm(key): key for key in PLAN_COLUMNS}
    for key in PLAN_COLUMNS:
        for lang in ("id", "en"):
            out[_norm(header(key, lang))] = key
    return out


def _norm(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _map_headers(path: Path, table: RawTable) -> tuple[dict[str, tuple[int, str]], tuple]:
    """plan column -> (position, header as written); headers it does not know are ignored and
    reported."""
    aliases = _aliases()
    columns: dict[str, tuple[int, str]] = {}
    ignored = []
    for pos, name in enumerate(table.headers):
        if name is None or not str(name).strip():
            continue
        key = aliases.get(_norm(name))
        if key is None:
            ignored.append(str(name))
        elif key in columns:
            raise FollowupFileError(
                path,
                f"columns {columns[key][1]!r} and {name!r} are the same plan column "
                f"({header(key, 'id')}): delete one of them",
            )
        else:
            columns[key] = (pos, str(name))
    missing = [group for group in REQUIRED if not any(k in columns for k in group)]
    if missing:
        names = ", ".join(repr(header(g[-1], "id")) for g in missing)
        raise FollowupFileError(
            path,
            f"the plan's column(s) {names} are missing from the header row: start from the plan "
            "workbook the report gives (python -m analysis followup --help)",
        )
    return columns, tuple(ignored)


# -- one row ------------------------------------------------------------------------------------
class _RowChecker:
    def __init__(self, catalogue: Catalogue, columns: dict[str, tuple[int, str]]):
        self.catalogue = catalogue
        self.columns = columns
        self.indicators = _label_index(
            {i.id: (i.label_id, i.label_en) for i in catalogue.indicators.values()}
        )
        self.opds = _label_index({o.key: (o.label_id, o.label_en) for o in catalogue.opds.values()})
        self.sources = _label_index({sid: (title,) for sid, title in source_titles().items()})

    def check(self, row: int, cells: list[Any]) -> tuple[dict, list[Problem]]:
        get = self._getter(cells)
        problems: list[Problem] = []
        rec: dict[str, Any] = {"row": row}
        rec["indicator"] = self._coded(get, "indicator", self.indicators, problems, required=True)
        rec["driver"] = self._coded(get, "driver", self.indicators, problems, required=False)
        rec["opd"] = self._coded(get, "opd", self.opds, problems, required=True)
        for key in ("action_id", "baseline_year", "target_year"):
            low, high = (1, 10**6) if key == "action_id" else YEAR_RANGE
            rec[key] = as_whole(get(key), key, low, high, problems)
        for key in ("baseline", "target"):
            rec[key] = self._value(get(key), key, rec, problems)
        rec["deadline"] = as_date(get("deadline"), "deadline", problems)
        status = status_key(get("status"))
        if status is None:
            problems.append(("status", get("status"), _status_problem(get("status"))))
        rec["status"] = status or ""
        for key in ("target_source", "action", "person_in_charge", "notes"):
            rec[key] = as_text(get(key))
        source = as_text(get("baseline_source"))  # a title the workbook shows -> its id
        rec["baseline_source"] = self.sources.get(_norm(source), source)
        return rec, [(row, *p) for p in problems]

    def _getter(self, cells: list[Any]):
        def get(key: str) -> Any:
            pos = self.columns.get(key, (None,))[0]
            return cells[pos] if pos is not None and pos < len(cells) else None

        return get

    def _coded(self, get, key: str, index: dict[str, str], problems, *, required: bool) -> str:
        """A code column and its label column: the code if known, else the label's code; both
        given and disagreeing is a problem (which one did the district mean?)."""
        code, label = as_text(get(key)), as_text(get(f"{key}_label"))
        from_label = index.get(_norm(label)) if label else None
        known = set(index.values())
        if code and code not in known:
            problems.append((key, code, f"unknown code {code!r}: {_code_hint(key)}"))
            return ""
        if code and from_label and from_label != code:
            problems.append(
                (
                    f"{key}_label",
                    label,
                    f"the label {label!r} is not the code {code!r} beside it: clear the code "
                    "column if the label is the right one, or put the label back",
                )
            )
            return ""
        if not code and label and not from_label:
            problems.append((f"{key}_label", label, f"unknown {key}: {_code_hint(key)}"))
            return ""
        if not (code or from_label) and required:
            problems.append((f"{key}_label", "", f"is empty: {_code_hint(key)}"))
        return code or from_label or ""

    def _value(self, raw: Any, key: str, rec: dict, problems) -> float:
        value = as_number(raw, key, problems)
        if pd.isna(value):
            return value
        ind = self.catalogue.indicators.get(rec["indicator"])
        if ind is not None and not ind.lower <= value <= ind.upper:
            problems.append(
                (
                    key,
                    raw,
                    f"{value:g} is outside the range of {ind.id} [{ind.lower:g}, {ind.upper:g}] "
                    f"({ind.unit}): check the unit and the decimal separator",
                )
            )
        if pd.isna(rec[f"{key}_year"]):
            problems.append(
                (f"{key}_year", None, f"the {key} {value:g} has no year: give the year it is for")
            )
        return value


def _label_index(labels: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Normalised code or label (id or en) -> code."""
    out = {}
    for code, names in labels.items():
        for name in (code, *names):
            out[_norm(name)] = code
    return out


def _code_hint(key: str) -> str:
    if key == "opd":
        return (
            "choose the agency from the drop-down list of the OPD column (params/indicators.yaml)"
        )
    return "use an indicator code or label from params/indicators.yaml (e.g. stunting)"


def _status_problem(raw: Any) -> str:
    what = "is empty" if as_text(raw) == "" else f"{raw_text(raw)!r} is not a status"
    return f"{what}: choose one of {status_choices()}"


# -- the rows together ------------------------------------------------------------------------
def _unique_ids(records: list[dict]) -> tuple[list[dict], list[Problem]]:
    """Two rows with one number: both are ambiguous for the history, so both go to quarantine."""
    ids = pd.Series([r["action_id"] for r in records], dtype="Int64")
    twice = ids[ids.notna() & ids.duplicated(keep=False)]
    problems = []
    for i in twice.index:
        others = [records[j]["row"] for j in twice[twice == twice[i]].index if j != i]
        problems.append(
            (
                records[i]["row"],
                "action_id",
                records[i]["action_id"],
                f"number {records[i]['action_id']} is also used on row(s) "
                f"{', '.join(map(str, others))}: give each action its own number, or leave it "
                "empty for a new action",
            )
        )
    keep = [r for i, r in enumerate(records) if i not in set(twice.index)]
    return keep, problems


def _number_new(records: list[dict], used: list[int]) -> list[dict]:
    """Rows without a number get the next numbers after every number in use."""
    following = max((int(i) for i in used), default=0) + 1
    out = []
    for rec in records:
        if pd.isna(rec["action_id"]):
            rec = {**rec, "action_id": following}
            following += 1
        out.append(rec)
    return out


def _accepted_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=["row", *STORED_COLUMNS])
    for col in (*YEAR_COLUMNS, "row"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("baseline", "target"):
        frame[col] = pd.to_numeric(frame[col]).astype("float64")
    frame["deadline"] = pd.to_datetime(frame["deadline"]).astype("datetime64[s]")
    text = [c for c in STORED_COLUMNS if c not in (*YEAR_COLUMNS, "baseline", "target", "deadline")]
    for col in text:
        frame[col] = frame[col].fillna("").astype(str)
    return frame[[*STORED_COLUMNS, "row"]].sort_values("action_id", kind="stable")


def _quarantine_frame(problems: list[Problem], table: RawTable, columns) -> pd.DataFrame:
    """One line per problem, then the row's cells as written (under the plan's column names)."""
    cells_by_row = dict(table.rows)
    lines = []
    for row, key, value, reason in sorted(problems, key=lambda p: (p[0], _order(p[1]))):
        pos, name = columns.get(key) or columns.get(_sibling(key)) or (None, header(key, "id"))
        line = {
            "row": row,
            "column": name,
            "cell": f"{table.letter(pos)}{row}" if pos is not None else "",
            "value": raw_text(value),
            "reason": reason,
        }
        cells = cells_by_row[row]
        for k, (p, _) in columns.items():
            line[k] = raw_text(cells[p] if p < len(cells) else None)
        lines.append(line)
    present = [k for k in PLAN_COLUMNS if k in columns]
    frame = pd.DataFrame(lines, columns=[*QUARANTINE_COLUMNS, *present])
    frame["row"] = frame["row"].astype("int64")
    return frame


def _sibling(key: str) -> str:
    """indicator <-> indicator_label: a problem with one is shown on the other when only that
    one is in the file."""
    return key.removesuffix("_label") if key.endswith("_label") else f"{key}_label"


def _order(key: str) -> int:
    return PLAN_COLUMNS.index(key) if key in PLAN_COLUMNS else len(PLAN_COLUMNS)
