"""The Renstra view of a district report (analysis.renstra): capaian kinerja over the previous
plan period, the gap to each new target with the change it needs, candidate strategic issues with
their associated factors and OPD, the logframe and the alignment with the RPJMD / RPD."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.model import Column, Heading, Section, Text
from analysis.report.sections.capaian_notes import (
    achievement_columns,
    file_counts,
    method_notes,
    problem_columns,
    short_labels,
)
from analysis.report.sections.renstra_issues import issue_blocks

if TYPE_CHECKING:
    from analysis.renstra import RenstraView
    from analysis.report.district import DistrictReport
    from analysis.report.words import Words

PACE = {True: "sufficient", False: "insufficient"}
AMBITION = {True: "aligned", False: "less_ambitious"}


def indicator_units(r: DistrictReport) -> dict[str, str]:
    """indicator -> 'Stunting (%)': short labels (the report's opening names them in full)
    with the unit, since the rows of one table mix units."""
    return short_labels(r.words)


def renstra(r: DistrictReport) -> Section:
    w = r.words
    view = r.renstra_view
    blocks: list = []
    plan_file = r.parameters.get("plan_file")
    if plan_file:
        blocks += _plan_file_blocks(r, Path(plan_file))
    if view.new_plan is None:
        blocks.insert(0, Text.of(w.t("renstra_no_plan", district=r.district.name), "callout"))
        return Section("renstra", w.t("sec_renstra"), blocks, r.lang)
    plan = view.new_plan
    intro = w.t(
        "renstra_intro",
        district=r.district.name,
        document=plan["document"],
        start=plan["plan_start"],
        end=plan["plan_end"],
    )
    blocks[:0] = [Text.of(intro), Text.of(plan["document_reference"], "note", lang="id")]
    blocks += _history_blocks(r, view)
    blocks += _gap_blocks(r, view)
    blocks += issue_blocks(r, view, indicator_units(r))
    blocks += _logframe_blocks(r, view)
    blocks += _alignment_blocks(r, view)
    return Section("renstra", w.t("sec_renstra"), blocks, r.lang)


def _plan_file_blocks(r: DistrictReport, path: Path) -> list:
    """What was read from the plan table: read = accepted + quarantined, and the problems."""
    w = r.words
    accepted, quarantined, problems = file_counts(r.ctx.targets.table, path.resolve())
    text = w.t(
        "renstra_plan_file",
        file=path.name,
        read=accepted + quarantined,
        accepted=accepted,
        quarantined=quarantined,
    )
    blocks: list = [Text.of(text, "note")]
    if len(problems):
        shown = problems.assign(file=path.name)
        blocks.append(r.table("renstra_plan_problems", shown, problem_columns(w)))
    return blocks


def _history_blocks(r: DistrictReport, view: RenstraView) -> list:
    w = r.words
    blocks: list = [Heading(w.t("renstra_history_title"))]
    history = view.history
    if history.empty:
        blocks.append(Text.of(w.t("renstra_no_history", start=view.new_plan["plan_start"])))
        return blocks
    history = history.sort_values(["document_reference", "indicator", "year"]).reset_index(
        drop=True
    )
    periods = history.groupby("document_reference", sort=False)[["plan_start", "plan_end"]].first()
    blocks.append(Text.of(w.t("renstra_history_intro", n=len(periods))))
    blocks += [Text.of(ref, "note", lang="id") for ref in periods.index]
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=indicator_units(r)),
        Column("document_reference", w.t("col_target_source"), "text", lang="id", export_only=True),
        Column("year", w.t("col_year"), "year"),
        Column("baseline", w.t("plan_col_baseline"), year="baseline_year", digits=2),
        Column("target", w.t("prov_col_target"), digits=2),
        *achievement_columns(w, 2, w.t("status_no_realisation")),
        Column("formula", w.t("plan_col_formula"), "text", export_only=True, labels=_formulas(w)),
    ]
    blocks.append(r.table("renstra_capaian", history, columns))
    blocks += method_notes(w, history)
    return blocks


def _formulas(w: Words) -> dict[str, str]:
    codes = ("realisation_over_target", "two_target_minus_realisation", "target_over_realisation")
    return {c: w.t(f"formula_{c}") for c in codes}


def _gap_blocks(r: DistrictReport, view: RenstraView) -> list:
    w = r.words
    gaps = view.gaps.copy()
    blocks: list = [Heading(w.t("renstra_gaps_title"))]
    if gaps.empty:
        return blocks + [Text.of(w.t("renstra_no_gaps"))]
    gaps["pace"] = pd.Series(
        [None if pd.isna(v) else PACE[bool(v)] for v in gaps["pace_sufficient"]],
        index=gaps.index,
        dtype=object,
    )
    pace = {code: w.t(f"renstra_pace_{code}") for code in PACE.values()}
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=indicator_units(r)),
        Column("baseline", w.t("plan_col_baseline"), year="baseline_year", digits=2),
        Column(
            "latest_realisation",
            w.t("plan_col_latest_realisation"),
            year="latest_year",
            digits=2,
            missing=w.t("no_data"),
        ),
        Column("latest_source", w.t("col_source"), "text"),
        Column("end_target", w.t("plan_col_end_target"), year="end_year", digits=2),
        Column("gap_to_end_target", w.t("plan_col_gap_to_end"), digits=2, signed=True),
        Column("capaian_latest_vs_end", w.t("plan_col_capaian"), "percent"),
        Column("required_annual_change", w.t("plan_col_required_change"), digits=2, signed=True),
        Column(
            "observed_annual_change",
            w.t("plan_col_observed_change"),
            digits=2,
            signed=True,
            year="observed_first_year",
        ),
        Column("pace", w.t("plan_col_pace"), "status", labels=pace),
    ]
    blocks += [
        Text.of(w.t("renstra_gaps_intro")),
        r.table("renstra_gaps", gaps, columns),
        Text.of(w.t("renstra_gaps_note"), "note"),
    ]
    return blocks


def _logframe_blocks(r: DistrictReport, view: RenstraView) -> list:
    w = r.words
    frame = view.logframe.copy()
    blocks: list = [Heading(w.t("renstra_logframe_title"))]
    if frame.empty:
        return blocks + [Text.of(w.t("renstra_no_gaps"))]
    missing = w.t("renstra_not_in_plan")
    columns = [
        Column("goal", w.t("plan_col_goal"), "text", lang="id", missing=missing),
        Column("objective", w.t("plan_col_objective"), "text", lang="id", missing=missing),
        Column("indicator", w.t("col_indicator"), "text", labels=indicator_units(r)),
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column("opd_source", w.t("plan_col_opd_source"), "text", labels=_opd_sources(w)),
        Column("baseline", w.t("plan_col_baseline"), year="baseline_year", digits=2),
        Column("end_target", w.t("plan_col_end_target"), year="end_year", digits=2),
    ]
    frame[["goal", "objective"]] = frame[["goal", "objective"]].replace("", None)
    blocks.append(r.table("renstra_logframe", frame, columns))
    if frame["goal"].isna().any() or frame["objective"].isna().any():
        blocks.append(Text.of(w.t("renstra_logframe_fill"), "note"))
    return blocks


def _opd_sources(w: Words) -> dict[str, str]:
    return {"plan": w.t("renstra_opd_plan"), "catalogue": w.t("renstra_opd_catalogue")}


def _alignment_blocks(r: DistrictReport, view: RenstraView) -> list:
    w = r.words
    frame = view.alignment.copy()
    blocks: list = [Heading(w.t("renstra_alignment_title"))]
    if frame.empty:
        return blocks + [Text.of(w.t("renstra_no_alignment"))]
    frame["ambition"] = frame["at_least_as_ambitious"].map(lambda v: AMBITION[bool(v)])
    ambition = {code: w.t(f"renstra_ambition_{code}") for code in AMBITION.values()}
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=indicator_units(r)),
        Column("year", w.t("col_year"), "year"),
        Column("target", w.t("plan_col_plan_target"), digits=2),
        Column("head_document", w.t("plan_col_head_document"), "text"),
        Column("head_target", w.t("plan_col_head_target"), digits=2),
        Column("difference", w.t("plan_col_difference"), digits=2, signed=True),
        Column("ambition", w.t("plan_col_ambition"), "status", labels=ambition),
        Column(
            "head_document_reference",
            w.t("col_target_source"),
            "text",
            lang="id",
            export_only=True,
        ),
    ]
    blocks += [
        Text.of(w.t("renstra_alignment_intro")),
        r.table("renstra_alignment", frame, columns),
    ]
    return blocks
