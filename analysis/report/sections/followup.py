"""The follow-up loop in the district report: what became of the previous meeting's plan
(*Tindak lanjut pertemuan sebelumnya*) and the new plan (*rencana tindak lanjut*).

The new plan proposes one row per suspected root cause and per lever to verify in the workshop
(`frames.explained.plan_basis`), built by `analysis.followup.plan_frame`; its downloads are the
plan's own workbook (`plan_workbook`: numeric baseline and target, status drop-down, deadline
date, OPD) and the same plan as CSV, both of which `python -m analysis followup import` reads
back. The previous meeting comes from the follow-up store (`analysis.followup.previous_meeting`).

The previous meeting's section stands right before the new plan: the workshop goes through what
was done, then carries over, drops or revises each action in the new plan; the summary gives
the count of actions by status so it is not missed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.followup import STATUSES, PlanCandidate, plan_csv, plan_frame, plan_workbook
from analysis.report.frames import explained
from analysis.report.model import Column, Section, Text
from analysis.report.sections.rootcause import driver_labels

if TYPE_CHECKING:
    from analysis.followup import MeetingFollowup
    from analysis.report.district import DistrictReport
    from analysis.report.words import Words


def plan_table_frame(r: DistrictReport) -> pd.DataFrame:
    """The proposed plan (analysis.followup.PLAN_COLUMNS) with, beside each row, its basis
    (root_cause | to_verify), the lever's value and year, and what it is compared with."""
    w = r.words
    basis = explained.plan_basis(r.explanations)
    targets = explained.plan_targets(r.explanations)
    candidates = [
        _candidate(b.indicator, b.driver, targets.get(b.indicator)) for b in basis.itertuples()
    ]
    plan = plan_frame(
        r.district_code, candidates, lang=r.lang, catalogue=r.ctx.catalogue, panel=r.usable_rows
    )
    reference = w.t(f"reference_{r.reference}")
    compared = [
        "; ".join(
            x
            for x in (
                reference
                if b.compared == "reference"
                else w.t("compared_peers", n=int(b.compared_n)),
                w.t("mean_geometric") if b.compared_mean == "geometric" else "",
            )
            if x
        )
        for b in basis.itertuples()
    ]
    return plan.assign(
        basis=basis["basis"].to_numpy(),
        driver_value=basis["district_value"].to_numpy(dtype=float),
        driver_year=basis["district_year"].to_numpy(),
        driver_when=[
            w.year_note(y, d) or None
            for y, d in zip(basis["district_year"], basis["denominator_year"], strict=True)
        ],
        compared_value=basis["compared_value"].to_numpy(dtype=float),
        compared_note=pd.Series(compared, dtype=object).to_numpy(),
        contribution=basis["contribution"].to_numpy(dtype=float),
    )


def _candidate(indicator: str, driver: str, target: tuple | None) -> PlanCandidate:
    if target is None:
        return PlanCandidate(indicator, driver)
    value, year, document = target
    return PlanCandidate(indicator, driver, target=value, target_year=year, target_source=document)


def follow_up(r: DistrictReport) -> Section:
    w = r.words
    table = plan_table_frame(r)
    blocks: list = [Text.of(w.t("followup_intro_plan"))]
    if table.empty:
        blocks.append(Text.of(w.t("followup_none"), "callout"))
    workbook = plan_workbook(
        table,
        district_code=r.district_code,
        district_name=r.district.name,
        lang=r.lang,
        timestamp=r.plan_timestamp,
        data_version=r.ctx.data_version,
        catalogue=r.ctx.catalogue,
    )
    blocks.append(
        r.table(
            "rencana_tindak_lanjut",
            table,
            _plan_columns(w),
            sheet=w.t("followup_sheet"),
            css="compact wrap",
            downloads={"xlsx": workbook, "csv": plan_csv(table, r.lang)},
        )
    )
    shown = set(table["indicator"]) & set(explained.not_comparable_targets(r.explanations))
    if shown:
        labels = ", ".join(w.label(i) for i in table["indicator"].drop_duplicates() if i in shown)
        blocks.append(Text.of(w.t("plan_target_not_comparable", labels=labels), "note"))
    blocks.append(Text.of(w.t("followup_how", district=r.district.name), "note"))
    return Section("follow_up", w.t("sec_followup"), blocks, r.lang)


def _plan_columns(w: Words) -> list[Column]:
    basis = {s: w.t(f"part_status_{s}") for s in ("root_cause", "to_verify")}
    return [
        Column("action_id", w.t("col_number"), "integer"),
        Column("driver", w.t("col_root_cause"), "text", labels=driver_labels(w)),
        Column("basis", w.t("col_basis"), "status", labels=basis),
        Column("driver_value", w.t("col_driver_value"), year="driver_when"),
        Column("compared_value", w.t("col_compared_with"), year="compared_note"),
        Column("indicator", w.t("col_for_indicator"), "text", labels=w.indicator_labels()),
        Column("baseline", w.t("col_baseline"), year="baseline_year"),
        Column("target", w.t("card_target"), year="target_year", missing=w.t("status_no_target")),
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column("action", w.t("col_action"), "text", missing=""),
        Column("person_in_charge", w.t("col_pic"), "text", missing=""),
        Column("deadline", w.t("col_deadline"), "text", missing=""),
    ]


# -- the previous meeting ------------------------------------------------------------------------
def status_counts(w: Words, actions: pd.DataFrame) -> str:
    """ "2 berjalan, 1 selesai" in the order of the statuses."""
    counts = actions["status"].value_counts()
    return ", ".join(
        f"{int(counts[s])} {w.t(f'fu_status_{s}')}" for s in STATUSES if counts.get(s, 0)
    )


def previous_followup(r: DistrictReport) -> Section:
    w, fu = r.words, r.followup
    title = w.t("sec_previous")
    if fu.meeting is None:
        text = Text.of(w.t("previous_none", district=r.district.name))
        return Section("previous_followup", title, [text], r.lang)
    actions = fu.actions
    intro = w.t(
        "previous_intro",
        meeting=fu.meeting.isoformat(),
        as_of=fu.as_of.isoformat(),
        n=len(actions),
        counts=status_counts(w, actions) or w.t("none"),
        overdue=int(actions["overdue"].sum()),
        read=fu.read,
        accepted=fu.accepted,
        quarantined=fu.quarantined,
    )
    blocks: list = [
        Text.of(intro),
        r.table(
            "tindak_lanjut_sebelumnya",
            _actions_frame(actions),
            _action_columns(w),
            css="compact wrap",
        ),
        Text.of(w.t("previous_progress_note"), "note"),
    ]
    if len(fu.quarantine):
        blocks.append(Text.of(w.t("previous_quarantine"), "warning"))
        blocks.append(r.table("tindak_lanjut_ditolak", fu.quarantine, _quarantine_columns(w)))
    return Section("previous_followup", title, blocks, r.lang)


def _actions_frame(actions: pd.DataFrame) -> pd.DataFrame:
    out = actions.copy()
    deadline = pd.to_datetime(out["deadline"])
    out["deadline_text"] = deadline.dt.strftime("%Y-%m-%d").where(deadline.notna(), None)
    out["progress"] = [
        "not_judged" if pd.isna(x) else ("improved" if x else "worsened") for x in out["improved"]
    ]
    out["overdue_text"] = out["overdue"].map({True: "yes", False: "no"})
    return out


def _action_columns(w: Words) -> list[Column]:
    statuses = {s: w.t(f"fu_status_{s}") for s in STATUSES}
    progress = {k: w.t(f"progress_{k}") for k in ("improved", "worsened", "not_judged")}
    return [
        Column("action_id", w.t("col_number"), "integer"),
        Column("indicator", w.t("col_for_indicator"), "text", labels=w.indicator_labels()),
        Column("driver", w.t("col_root_cause"), "text", labels=driver_labels(w), missing=""),
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column("action", w.t("col_action"), "text", missing=""),
        Column("person_in_charge", w.t("col_pic"), "text", missing=""),
        Column("deadline_text", w.t("col_deadline"), "text", missing=""),
        Column("status", w.t("col_status"), "status", labels=statuses),
        Column(
            "overdue_text",
            w.t("col_overdue"),
            "status",
            labels={"yes": w.t("answer_yes"), "no": w.t("answer_no")},
        ),
        Column("baseline", w.t("col_baseline"), year="baseline_year"),
        Column("latest_value", w.t("col_latest_indicator"), year="latest_year"),
        Column("change", w.t("col_change"), digits=1, signed=True, export_only=True),
        Column("progress", w.t("col_progress"), "status", labels=progress),
    ]


def _quarantine_columns(w: Words) -> list[Column]:
    return [
        Column("row", w.t("col_row"), "integer"),
        Column("column", w.t("col_column"), "text"),
        Column("cell", w.t("col_cell"), "text"),
        Column("value", w.t("col_written"), "text", missing=""),
        Column("reason", w.t("col_reason"), "text", lang="en"),
    ]


def summary_line(w: Words, fu: MeetingFollowup) -> str | None:
    """The summary's line on the previous meeting (None when nothing is stored)."""
    if fu.meeting is None:
        return None
    return w.t(
        "msg_previous",
        meeting=fu.meeting.isoformat(),
        n=len(fu.actions),
        counts=status_counts(w, fu.actions) or w.t("none"),
        overdue=int(fu.actions["overdue"].sum()),
    )
