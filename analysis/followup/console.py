"""What `python -m analysis followup import|list|show` prints (the commands live in cli.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from analysis.catalogue import load_catalogue
from analysis.errors import AnalysisError
from analysis.followup.filled import read_filled_plan
from analysis.followup.plan import STATUSES
from analysis.followup.progress import overdue, previous_meeting
from analysis.followup.store import (
    FOLLOWUP_DIR,
    known_ids,
    load_meeting,
    meetings,
    parse_meeting,
    store_meeting,
)
from analysis.i18n import LANGS, fmt_number
from analysis.paths import PROCESSED_DIR


def _district(name: str):
    from analysis.regions import load_registry

    return load_registry().resolve(name)


def import_plan(
    file: Path, district_name: str, meeting: str, store: Path | None, out: Console
) -> None:
    store_dir = store or FOLLOWUP_DIR
    day = parse_meeting(meeting)
    d = _district(district_name)
    filled = read_filled_plan(
        file,
        district_code=d.code,
        catalogue=load_catalogue(),
        known_ids=known_ids(d.code, store_dir, besides=day),
    )
    stored = store_meeting(filled, district_code=d.code, meeting=day, store_dir=store_dir)
    out.print(
        f"follow-up plan of {d.name} ({d.province}), meeting {day.isoformat()}, from {file.name}: "
        f"{filled.read} rows read = {len(filled.accepted)} accepted + "
        f"{filled.quarantined} quarantined",
        highlight=False,
    )
    if filled.quarantined:
        out.print("rows set aside (kept in quarantine; fix them in the file and import it again):")
        for r in filled.quarantine.itertuples(index=False):
            out.print(f"  row {r.row}, column {r.column!r} ({r.cell}): {r.reason}", highlight=False)
    if filled.ignored_columns:
        names = ", ".join(repr(c) for c in filled.ignored_columns)
        out.print(f"columns that are not part of the plan (not stored): {names}", highlight=False)
    again = " (replaces the earlier import of this meeting)" if stored.replaced else ""
    out.print(f"stored in {stored.folder}{again}", highlight=False)


def list_meetings(district_name: str, store: Path | None, out: Console) -> None:
    store_dir = store or FOLLOWUP_DIR
    d = _district(district_name)
    stored = [load_meeting(d.code, day, store_dir) for day in meetings(d.code, store_dir)]
    if not stored:
        out.print(
            f"no follow-up plan stored for {d.name} ({d.province}) in {store_dir}; import one "
            "with `python -m analysis followup import FILE --district … --meeting YYYY-MM-DD`",
            highlight=False,
        )
        return
    today = date.today()
    table = Table(title=f"Follow-up plans of {d.name} ({d.province})", title_justify="left")
    for col in ("meeting", "file", "imported (UTC)"):
        table.add_column(col)
    for col in ("read", "accepted", "quarantined", *STATUSES, f"overdue on {today}"):
        table.add_column(col.replace("_", " "), justify="right")
    for m in stored:
        status = m.plan["status"]
        table.add_row(
            m.meeting.isoformat(),
            m.info["file"],
            m.info["imported_at"][:16].replace("T", " "),
            *(str(m.info[k]) for k in ("read", "accepted", "quarantined")),
            *(str(int((status == s).sum())) for s in STATUSES),
            str(int(overdue(m.plan, today).sum())),
        )
    out.print(table)


def show_meeting(
    district_name: str,
    meeting: str | None,
    lang: str,
    store: Path | None,
    out: Console,
    processed_dir: Path = PROCESSED_DIR,
) -> None:
    if lang not in LANGS:
        raise AnalysisError(f"--lang {lang!r}: use one of {', '.join(LANGS)}")
    store_dir = store or FOLLOWUP_DIR
    today = date.today()
    d = _district(district_name)
    day = parse_meeting(meeting) if meeting else None
    fu = previous_meeting(
        d.code, today, meeting=day, store_dir=store_dir, processed_dir=processed_dir, lang=lang
    )
    if fu.meeting is None:
        out.print(f"no follow-up plan stored for {d.name} ({d.province}) in {store_dir}")
        return
    table = Table(
        title=f"{d.name} ({d.province}), meeting {fu.meeting.isoformat()}: {fu.read} rows read "
        f"= {fu.accepted} accepted + {fu.quarantined} quarantined",
        title_justify="left",
    )
    for col in ("no", "indicator", "OPD", "action", "person in charge", "deadline", "status"):
        table.add_column(col)
    for col in ("overdue", "baseline", "latest", "change"):
        table.add_column(col, justify="right")
    for a in fu.actions.itertuples(index=False):
        table.add_row(
            str(a.action_id),
            a.indicator_label,
            a.opd_label,
            a.action,
            a.person_in_charge,
            "" if pd.isna(a.deadline) else str(a.deadline)[:10],
            a.status_label,
            "yes" if a.overdue else "",
            _value(a.baseline, a.baseline_year, lang),
            _value(a.latest_value, a.latest_year, lang),
            _change(a, lang),
        )
    out.print(table)
    out.print(
        f"overdue: deadline before {today} and not done. change: only where the latest value is "
        "from the baseline's source and a later year (✓ better, ✗ not better).",
        highlight=False,
    )
    for r in fu.quarantine.itertuples(index=False):
        out.print(
            f"  set aside: row {r.row}, column {r.column!r} ({r.cell}): {r.reason}",
            highlight=False,
        )


def _value(value, year, lang: str) -> str:
    return "" if pd.isna(value) else f"{fmt_number(value, lang)} ({year})"


def _change(action, lang: str) -> str:
    if not action.comparable:
        return ""
    mark = "" if pd.isna(action.improved) else (" ✓" if action.improved else " ✗")
    return fmt_number(action.change, lang, signed=True) + mark
