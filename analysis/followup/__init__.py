"""The follow-up loop: the plan (*rencana tindak lanjut*) a workshop agrees on, filled in by the
district, imported before the next meeting, and shown again in the next report.

    plan_frame(code, candidates, panel=…, targets=…)   -> the plan (one row per action)
    plan_workbook(plan, district_code=…, timestamp=…)  -> the XLSX the district fills in
    plan_csv(plan, lang)                               -> the same plan as CSV
    read_filled_plan(path, district_code=…, catalogue=…) -> checked rows + quarantine
    store_meeting(filled, district_code=…, meeting=…)  -> data/followup/<code>/<meeting>/
    previous_meeting(code, as_of)                      -> actions, history, quarantine
    province_followup(province, as_of)                 -> actions by status per district

Command line: `python -m analysis followup import|list|show` (analysis/cli.py).
"""

from analysis.followup.filled import FilledPlan, read_filled_plan
from analysis.followup.plan import (
    PLAN_COLUMNS,
    STATUSES,
    STORED_COLUMNS,
    PlanCandidate,
    plan_columns,
    plan_csv,
    plan_frame,
    plan_workbook,
    status_label,
    with_labels,
)
from analysis.followup.progress import (
    MeetingFollowup,
    overdue,
    previous_meeting,
    progress,
    province_followup,
)
from analysis.followup.store import (
    FOLLOWUP_DIR,
    FollowupStoreError,
    import_log,
    load_meeting,
    meetings,
    parse_meeting,
    store_meeting,
    store_version,
)
from analysis.followup.table import FollowupFileError

__all__ = [
    "FOLLOWUP_DIR",
    "PLAN_COLUMNS",
    "STATUSES",
    "STORED_COLUMNS",
    "FilledPlan",
    "FollowupFileError",
    "FollowupStoreError",
    "MeetingFollowup",
    "PlanCandidate",
    "import_log",
    "load_meeting",
    "meetings",
    "overdue",
    "parse_meeting",
    "plan_columns",
    "plan_csv",
    "plan_frame",
    "plan_workbook",
    "previous_meeting",
    "progress",
    "province_followup",
    "read_filled_plan",
    "status_label",
    "store_meeting",
    "store_version",
    "with_labels",
]
