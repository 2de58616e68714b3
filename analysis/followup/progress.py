"""Frames for the next report: what became of the previous meeting's actions.

`previous_meeting` gives each action of the district's latest meeting (on or before `as_of`) with
its status, an overdue flag, its history across meetings and its indicator's latest value against
the baseline; `province_followup` counts actions by status per district. Pure data: codes, numbers,
dates, booleans and catalogue labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue, load_catalogue
from analysis.followup.plan import DONE, STATUSES, with_labels
from analysis.followup.store import FOLLOWUP_DIR, StoredMeeting, load_meeting, meetings
from analysis.i18n import t
from analysis.paths import PROCESSED_DIR

KEY = ["action_id", "indicator", "driver"]  # one action across meetings
PROGRESS_COLUMNS = (
    "latest_value",
    "latest_year",
    "latest_source",
    "same_series",
    "change",
    "comparable",
    "improved",
)
HISTORY_COLUMNS = (
    *KEY,
    "opd",
    "meeting",
    "status",
    "status_label",
    "deadline",
    "action",
    "person_in_charge",
)
PROVINCE_COLUMNS = (
    "district_code",
    "district",
    "meeting",
    "actions",
    *STATUSES,
    "overdue",
    "quarantined",
)


@dataclass(frozen=True)
class MeetingFollowup:
    """The follow-up of one meeting as seen on `as_of`.

    actions: one row per action (the plan's columns with labels, then status_label, overdue,
    meetings, first_meeting, previous_status, and the indicator's latest_value, latest_year,
    latest_source, same_series, change, comparable, improved). history: the same actions at every
    stored meeting up to this one. quarantine: the rows of the import that were set aside (row,
    column, cell, value, reason, cells). meeting is None when nothing was stored yet.
    """

    district_code: str
    meeting: date | None
    as_of: date
    actions: pd.DataFrame
    history: pd.DataFrame
    quarantine: pd.DataFrame
    read: int
    accepted: int
    quarantined: int


def previous_meeting(
    district_code: str,
    as_of: date,
    *,
    meeting: date | None = None,
    store_dir: Path = FOLLOWUP_DIR,
    panel: pd.DataFrame | None = None,
    processed_dir: Path = PROCESSED_DIR,
    catalogue: Catalogue | None = None,
    lang: str = "id",
) -> MeetingFollowup:
    """The latest meeting on or before `as_of` (or the given `meeting`), its actions with overdue
    flags (deadline before `as_of`, not done) and progress from `panel` (default: the processed
    panel)."""
    catalogue = catalogue or load_catalogue()
    day = meeting or _latest(district_code, as_of, store_dir)
    if day is None:
        return _nothing(district_code, as_of, catalogue, lang)
    stored = load_meeting(district_code, day, store_dir)
    history = _history(district_code, day, store_dir, lang)
    actions = _actions(stored, history, as_of, catalogue, lang)
    if panel is None:
        from analysis.panel import load_panel

        panel = load_panel(processed_dir)
    actions = pd.concat([actions, progress(actions, panel, district_code, catalogue)], axis=1)
    return MeetingFollowup(
        district_code,
        day,
        as_of,
        actions,
        history,
        stored.quarantine,
        int(stored.info["read"]),
        int(stored.info["accepted"]),
        int(stored.info["quarantined"]),
    )


def province_followup(
    province: str, as_of: date, *, store_dir: Path = FOLLOWUP_DIR, registry=None
) -> pd.DataFrame:
    """One row per district of the province (registry order): its latest meeting on or before
    `as_of` (NaT when none), the number of actions, actions per status, overdue actions and
    quarantined rows of that import."""
    if registry is None:
        from analysis.regions import load_registry

        registry = load_registry()
    rows = []
    for d in registry.in_province(province):
        day = _latest(d.code, as_of, store_dir)
        row = {"district_code": d.code, "district": d.name, "meeting": pd.NaT}
        row.update({k: 0 for k in ("actions", *STATUSES, "overdue", "quarantined")})
        if day is not None:
            stored = load_meeting(d.code, day, store_dir)
            status = stored.plan["status"]
            row.update(
                meeting=pd.Timestamp(day),
                actions=len(stored.plan),
                overdue=int(overdue(stored.plan, as_of).sum()),
                quarantined=int(stored.info["quarantined"]),
                **{s: int((status == s).sum()) for s in STATUSES},
            )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(PROVINCE_COLUMNS))
    frame["meeting"] = pd.to_datetime(frame["meeting"]).astype("datetime64[s]")
    return frame


def overdue(plan: pd.DataFrame, as_of: date) -> pd.Series:
    """Deadline passed (strictly before `as_of`) and not done."""
    deadline = pd.to_datetime(plan["deadline"])
    return (deadline.notna() & (deadline < pd.Timestamp(as_of)) & (plan["status"] != DONE)).astype(
        bool
    )


# -- pieces ------------------------------------------------------------------------------------
def _latest(district_code: str, as_of: date, store_dir: Path) -> date | None:
    days = [d for d in meetings(district_code, store_dir) if d <= as_of]
    return days[-1] if days else None


def _actions(stored: StoredMeeting, history, as_of, catalogue, lang) -> pd.DataFrame:
    plan = stored.plan.drop(columns=["meeting"], errors="ignore")
    out = with_labels(plan, lang, catalogue)
    out.insert(out.columns.get_loc("status") + 1, "status_label", _status_labels(out, lang))
    out.insert(out.columns.get_loc("status_label") + 1, "overdue", overdue(out, as_of))
    seen = history.groupby(KEY, sort=False).agg(
        meetings=("meeting", "nunique"), first_meeting=("meeting", "min")
    )
    earlier = history[history["meeting"] < pd.Timestamp(stored.meeting)]
    previous = earlier.sort_values("meeting").groupby(KEY, sort=False)["status"].last()
    out = out.join(seen, on=KEY).join(previous.rename("previous_status"), on=KEY)
    out["meetings"] = out["meetings"].fillna(1).astype("int64")
    out["previous_status"] = out["previous_status"].fillna("").astype(str)
    return out.reset_index(drop=True)


def _history(district_code: str, upto: date, store_dir: Path, lang: str) -> pd.DataFrame:
    """The latest meeting's actions at every stored meeting up to it."""
    parts = []
    for day in meetings(district_code, store_dir):
        if day <= upto:
            plan = load_meeting(district_code, day, store_dir).plan
            parts.append(plan.assign(meeting=pd.Timestamp(day)))
    every = pd.concat(parts, ignore_index=True)
    latest = every.loc[every["meeting"] == pd.Timestamp(upto), KEY].drop_duplicates()
    kept = every.merge(latest, on=KEY)
    kept["status_label"] = _status_labels(kept, lang)
    kept["meeting"] = kept["meeting"].astype("datetime64[s]")
    return kept[list(HISTORY_COLUMNS)].sort_values(["action_id", "meeting"]).reset_index(drop=True)


def _status_labels(frame: pd.DataFrame, lang: str) -> pd.Series:
    return frame["status"].map(lambda s: t(f"fu_status_{s}", lang) if s in STATUSES else s)


def preferred_latest(
    panel: pd.DataFrame, district_code: str, sources: dict | None = None
) -> pd.DataFrame:
    """The district's latest preferred value per indicator (highest-authority source, unflagged):
    indicator, year, value, source."""
    from analysis.panel import preferred_values
    from analysis.sources import load_manifest

    mine = panel[panel["district_code"] == district_code]
    best = preferred_values(mine, sources if sources is not None else load_manifest())
    latest = best.sort_values(["indicator", "year"]).groupby("indicator").tail(1)
    return latest[["indicator", "year", "value", "source"]].reset_index(drop=True)


def progress(
    actions: pd.DataFrame, panel: pd.DataFrame, district_code: str, catalogue: Catalogue
) -> pd.DataFrame:
    """Per action: the indicator's latest value, year and source — from the baseline's own source
    when it has one (same_series), else the preferred source — the change since the baseline and
    whether it improved, judged only when comparable (same series, a later year) and the
    indicator has a direction."""
    mine = panel[panel["district_code"] == district_code]
    preferred = preferred_latest(panel, district_code).set_index("indicator")
    rows = []
    for a in actions.itertuples(index=False):
        series = mine[(mine["indicator"] == a.indicator) & (mine["source"] == a.baseline_source)]
        if len(series):
            last = series.sort_values("year").iloc[-1]
            value, year, source = float(last["value"]), int(last["year"]), a.baseline_source
        elif a.indicator in preferred.index:
            last = preferred.loc[a.indicator]
            value, year, source = float(last["value"]), int(last["year"]), str(last["source"])
        else:
            value, year, source = float("nan"), None, ""
        rows.append(_judge(a, value, year, source, catalogue))
    frame = pd.DataFrame(rows, columns=list(PROGRESS_COLUMNS), index=actions.index)
    frame["latest_year"] = pd.array(frame["latest_year"].tolist(), dtype="Int64")
    for col in ("comparable", "same_series"):
        frame[col] = frame[col].astype(bool)
    frame["improved"] = pd.array(frame["improved"].tolist(), dtype="boolean")
    return frame


def _judge(action, value: float, year, source: str, catalogue: Catalogue) -> dict:
    baseline = action.baseline
    same = bool(source) and source == action.baseline_source
    change = value - baseline if pd.notna(value) and pd.notna(baseline) else float("nan")
    comparable = (
        same
        and pd.notna(change)
        and pd.notna(action.baseline_year)
        and year is not None
        and year > action.baseline_year
    )
    better = catalogue[action.indicator].higher_is_better if action.indicator in catalogue else None
    improved = pd.NA
    if comparable and better is not None:
        improved = bool(change > 0) if better else bool(change < 0)
    return {
        "latest_value": value,
        "latest_year": year,
        "latest_source": source,
        "same_series": same,
        "change": change,
        "comparable": bool(comparable),
        "improved": improved,
    }


def _nothing(district_code: str, as_of: date, catalogue: Catalogue, lang: str) -> MeetingFollowup:
    from analysis.followup.plan import STORED_COLUMNS

    empty_plan = pd.DataFrame(columns=list(STORED_COLUMNS))
    actions = with_labels(empty_plan, lang, catalogue)
    extra = ["status_label", "overdue", "meetings", "first_meeting", "previous_status"]
    actions = actions.reindex(columns=[*actions.columns, *extra, *PROGRESS_COLUMNS])
    return MeetingFollowup(
        district_code,
        None,
        as_of,
        actions,
        pd.DataFrame(columns=list(HISTORY_COLUMNS)),
        pd.DataFrame(columns=["row", "column", "cell", "value", "reason"]),
        0,
        0,
        0,
    )
