"""The province overview's follow-up count: per kab/kota that imported a follow-up plan
(`python -m analysis followup import`), its latest meeting and its actions by status, overdue
ones included (analysis.followup.province_followup)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.followup import STATUSES, province_followup
from analysis.report.model import Column, Section, Text

if TYPE_CHECKING:
    from analysis.report.province import ProvinceReport


def followup(r: ProvinceReport) -> Section:
    w = r.words
    title = w.t("prov_sec_followup")
    frame = province_followup(
        r.province_code, r.as_of, store_dir=r.followup_dir, registry=r.ctx.registry
    )
    with_plan = frame[frame["meeting"].notna()].reset_index(drop=True)
    if with_plan.empty:
        return Section("followup", title, [Text.of(w.t("prov_followup_none"), "note")], r.lang)
    data = with_plan.assign(meeting_text=with_plan["meeting"].dt.strftime("%Y-%m-%d"))
    columns = [
        Column("district_code", w.t("prov_col_code"), "text", export_only=True),
        Column("district", w.t("col_district"), "text"),
        Column("meeting_text", w.t("prov_col_meeting"), "text"),
        Column("actions", w.t("prov_col_actions"), "integer"),
        *(Column(s, w.t(f"fu_status_{s}"), "integer") for s in STATUSES),
        Column("overdue", w.t("prov_col_overdue"), "integer"),
        Column("quarantined", w.t("prov_col_fu_quarantined"), "integer"),
    ]
    n_without = len(frame) - len(with_plan)
    blocks = [
        Text.of(
            w.t(
                "prov_followup_intro",
                n=len(with_plan),
                total=len(frame),
                as_of=r.as_of.isoformat(),
            )
        ),
        r.table("tindak_lanjut", data, columns),
    ]
    if n_without:
        blocks.append(Text.of(w.t("prov_followup_without", n=n_without), "note"))
    return Section("followup", title, blocks, r.lang)
