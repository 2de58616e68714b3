"""The follow-up store: every imported plan, per district and meeting, with its history.

    data/followup/<district_code>/
        history.csv                  one line per import: meeting, imported_at, file, sha256,
                                     read, accepted, quarantined, replaced
        <YYYY-MM-DD>/plan.parquet    the accepted actions (typed: numbers, years, dates)
        <YYYY-MM-DD>/quarantine.csv  rejected rows: row, column, cell, value, reason + cells
        <YYYY-MM-DD>/import.json     what was imported, when, counts, software version
        <YYYY-MM-DD>/filled.xlsx     the file exactly as the district sent it (or filled.csv)

Importing a meeting again replaces that meeting's folder. The new folder is written beside the
old one and swapped in by renames, and history.csv is replaced in the same step, so a failed
import leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.errors import AnalysisError
from analysis.followup.filled import FilledPlan
from analysis.paths import PROJECT_ROOT

FOLLOWUP_DIR = PROJECT_ROOT / "data" / "followup"
HISTORY_FILE = "history.csv"
HISTORY_COLUMNS = (
    "meeting",
    "imported_at",
    "file",
    "sha256",
    "read",
    "accepted",
    "quarantined",
    "replaced",
)
MEETING_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class FollowupStoreError(AnalysisError):
    """A meeting date is malformed or a meeting is not in the store."""


@dataclass(frozen=True)
class StoredImport:
    folder: Path
    meeting: date
    replaced: bool


def parse_meeting(text: str | date) -> date:
    """A meeting date from YYYY-MM-DD."""
    if isinstance(text, date):
        return text
    try:
        if not MEETING_PATTERN.fullmatch(str(text).strip()):
            raise ValueError
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise FollowupStoreError(
            f"meeting date {text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-10"
        ) from None


def district_dir(district_code: str, store_dir: Path = FOLLOWUP_DIR) -> Path:
    return Path(store_dir) / district_code


def meetings(district_code: str, store_dir: Path = FOLLOWUP_DIR) -> list[date]:
    """The district's stored meetings, oldest first."""
    folder = district_dir(district_code, store_dir)
    if not folder.is_dir():
        return []
    found = [p.name for p in folder.iterdir() if p.is_dir() and MEETING_PATTERN.fullmatch(p.name)]
    return sorted(date.fromisoformat(n) for n in found)


def import_log(district_code: str, store_dir: Path = FOLLOWUP_DIR) -> pd.DataFrame:
    """history.csv: one line per import (a replaced import keeps its line)."""
    path = district_dir(district_code, store_dir) / HISTORY_FILE
    if not path.exists():
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    log = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("read", "accepted", "quarantined"):
        log[col] = log[col].astype("int64")
    log["replaced"] = log["replaced"] == "True"
    return log


def store_version(district_code: str, store_dir: Path = FOLLOWUP_DIR) -> str:
    """A short hash of the district's import history ("" when nothing is stored): it changes with
    every import, so a report cache key that includes it re-renders after a new plan arrives."""
    path = district_dir(district_code, store_dir) / HISTORY_FILE
    if not path.exists():
        return ""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class StoredMeeting:
    meeting: date
    plan: pd.DataFrame
    quarantine: pd.DataFrame
    info: dict


def load_meeting(
    district_code: str, meeting: date | str, store_dir: Path = FOLLOWUP_DIR
) -> StoredMeeting:
    day = parse_meeting(meeting)
    folder = district_dir(district_code, store_dir) / day.isoformat()
    if not folder.is_dir():
        known = ", ".join(d.isoformat() for d in meetings(district_code, store_dir)) or "none"
        raise FollowupStoreError(
            f"no follow-up plan stored for meeting {day.isoformat()} of BPS {district_code} "
            f"(stored meetings: {known}); import it with `python -m analysis followup import`"
        )
    plan = pd.read_parquet(folder / "plan.parquet")
    quarantine = pd.read_csv(folder / "quarantine.csv", dtype=str, keep_default_na=False)
    quarantine["row"] = quarantine["row"].astype("int64")
    info = json.loads((folder / "import.json").read_text(encoding="utf-8"))
    return StoredMeeting(day, plan, quarantine, info)


def known_ids(
    district_code: str, store_dir: Path = FOLLOWUP_DIR, *, besides: date | None = None
) -> set[int]:
    """Every action number the district's stored meetings use, except meeting `besides` (the one
    being imported again): a new action gets a number none of them uses."""
    ids: set[int] = set()
    for day in meetings(district_code, store_dir):
        if day == besides:
            continue
        path = district_dir(district_code, store_dir) / day.isoformat() / "plan.parquet"
        ids.update(int(i) for i in pd.read_parquet(path, columns=["action_id"])["action_id"])
    return ids


def store_meeting(
    filled: FilledPlan,
    *,
    district_code: str,
    meeting: date | str,
    store_dir: Path = FOLLOWUP_DIR,
    imported_at: datetime | None = None,
) -> StoredImport:
    """Store a checked plan as the meeting's plan (replacing an earlier import of the meeting),
    all or nothing."""
    day = parse_meeting(meeting)
    home = district_dir(district_code, store_dir)
    home.mkdir(parents=True, exist_ok=True)
    final = home / day.isoformat()
    replaced = final.exists()
    when = (imported_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    staged = Path(tempfile.mkdtemp(prefix=f".{day.isoformat()}.new-", dir=home))
    old = home / f".{day.isoformat()}.old-{os.getpid()}"
    try:
        info = _write_meeting(staged, filled, district_code, day, when)
        log = import_log(district_code, store_dir)
        line = {**{k: info[k] for k in HISTORY_COLUMNS if k in info}, "replaced": replaced}
        log = pd.concat([log, pd.DataFrame([line])], ignore_index=True)
        log[list(HISTORY_COLUMNS)].to_csv(staged / HISTORY_FILE, index=False)
        _swap(staged, final, old, home / HISTORY_FILE)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return StoredImport(final, day, replaced)


def _write_meeting(folder: Path, filled: FilledPlan, code: str, day: date, when) -> dict:
    plan = filled.accepted.assign(meeting=pd.Timestamp(day)).reset_index(drop=True)
    plan.to_parquet(folder / "plan.parquet", index=False)
    filled.quarantine.to_csv(folder / "quarantine.csv", index=False)
    data = filled.file.read_bytes()
    (folder / f"filled{filled.file.suffix.lower()}").write_bytes(data)
    info = {
        "district_code": code,
        "meeting": day.isoformat(),
        "imported_at": when.isoformat(),
        "file": filled.file.name,
        "source_path": str(filled.file.resolve()),
        "sha256": hashlib.sha256(data).hexdigest(),
        "read": filled.read,
        "accepted": len(filled.accepted),
        "quarantined": filled.quarantined,
        "ignored_columns": list(filled.ignored_columns),
        "analysis_version": __version__,
    }
    (folder / "import.json").write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n")
    return info


def _swap(staged: Path, final: Path, old: Path, history: Path) -> None:
    """Put `staged` in place of `final` and its history file in place of `history`; on any
    failure put everything back."""
    had_old = final.exists()
    if had_old:
        os.replace(final, old)
    try:
        os.replace(staged, final)
        try:
            os.replace(final / HISTORY_FILE, history)
        except BaseException:
            os.replace(final, staged)
            raise
    except BaseException:
        if had_old:
            os.replace(old, final)
        raise
