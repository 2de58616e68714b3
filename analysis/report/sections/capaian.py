"""The province overview's evaluation against plan targets: every kab/kota × PIP indicator × year
with its target, realisation, capaian and category, the districts behind target on two or more
indicators named first, and thin or implausible estimates flagged by a stated rule. Numbers from
`analysis.report.frames.capaian` (analysis.plan_eval, analysis.quality)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.plan_eval import MIN_BEHIND
from analysis.quality import OUTLIER_Z
from analysis.report.frames import capaian as frames
from analysis.report.model import Bullets, Column, Heading, Section, Text
from analysis.report.sections.capaian_notes import (
    achievement_columns,
    file_counts,
    method_notes,
    problem_columns,
    short_labels,
    yes_no,
)

if TYPE_CHECKING:
    from analysis.report.province import ProvinceReport

DOCUMENT_LABELS = ("RPJMD", "RPD", "Renstra", "SPM", "RPJMN")


def plan_evaluation(r: ProvinceReport) -> Section:
    w = r.words
    evaluation, behind = r.evaluation, r.behind
    blocks: list = _basis_blocks(r, evaluation)
    if evaluation.empty:
        return Section("plan_evaluation", w.t("prov_sec_capaian"), blocks, r.lang)
    shown = frames.with_display_codes(frames.shown_rows(evaluation, behind))
    latest = frames.latest_evaluated(evaluation)
    blocks += [Heading(w.t("prov_behind_title")), *_behind_blocks(r, behind, latest)]
    blocks += [Heading(w.t("prov_capaian_table_title")), Text.of(w.t("prov_capaian_table_intro"))]
    blocks.append(
        r.table("capaian_per_tahun", _table_data(r, shown), _columns(r), css="compact plan")
    )
    if n := frames.other_documents(evaluation):
        blocks.append(Text.of(w.t("prov_capaian_other_docs", n=n), "note"))
    if missing := frames.no_target_indicators(evaluation):
        labels = ", ".join(map(w.label, missing))
        blocks.append(Text.of(w.t("prov_capaian_no_target", labels=labels), "note"))
    blocks += _flag_blocks(r, shown)
    blocks += method_notes(w, shown)
    blocks += _source_notes(r, shown)
    return Section("plan_evaluation", w.t("prov_sec_capaian"), blocks, r.lang)


def _basis_blocks(r: ProvinceReport, evaluation: pd.DataFrame) -> list:
    """Which targets the evaluation uses, said first: the file and what was read from it, or
    plainly that national defaults are used and what that means."""
    w = r.words
    national = [r.ctx.targets.national[i] for i in frames.national_defaults_used(evaluation)]
    items = "; ".join(
        w.t(
            "prov_capaian_national_item",
            label=w.label(tg.indicator),
            value=w.num(tg.value, 1),
            unit=w.unit(tg.indicator),
            year=tg.year,
            document=tg.source_document.split(" (")[0],
        )
        for tg in national
    )
    path = r.parameters.get("targets_file")
    if not path:
        text = w.t("prov_capaian_national", items=items or w.t("none"), province=r.province)
        return [Text.of(text, "callout")]
    path = Path(path)
    accepted, quarantined, problems = file_counts(r.ctx.targets.table, path.resolve())
    own = frames.own_target_districts(evaluation)
    blocks: list = [
        Text.of(
            w.t(
                "prov_capaian_file",
                file=path.name,
                read=accepted + quarantined,
                accepted=accepted,
                quarantined=quarantined,
                n_own=len(own),
                n=len(r.codes),
            ),
            "callout",
        )
    ]
    if len(own) < len(r.codes) and items:
        blocks.append(Text.of(w.t("prov_capaian_rest_national", items=items), "note"))
    if len(problems):
        blocks.append(Text.of(w.t("prov_capaian_problems", n=quarantined), "note"))
        shown = problems.assign(file=path.name)
        blocks.append(r.table("target_karantina", shown, problem_columns(w)))
    return blocks


def _behind_blocks(r: ProvinceReport, behind: pd.DataFrame, latest: pd.DataFrame) -> list:
    w = r.words
    blocks: list = [Text.of(w.t("prov_behind_rule", n=MIN_BEHIND))]
    named = behind[behind["behind_on_two_or_more"]]
    if len(named):
        names = ", ".join(r.name(c) for c in named["district_code"])
        blocks.append(
            Text.of(w.t("prov_behind_result", n=len(named), k=MIN_BEHIND, names=names), "strong")
        )
    else:
        blocks.append(Text.of(w.t("prov_behind_none", k=MIN_BEHIND), "strong"))
    data = behind.assign(
        district=[r.name(c) for c in behind["district_code"]],
        named=behind["behind_on_two_or_more"].map({True: "yes", False: "no"}),
        behind_text=[
            _indicator_list(r, latest, c, inds)
            for c, inds in zip(behind["district_code"], behind["behind_indicators"], strict=True)
        ],
        caveat_text=[
            ", ".join(w.t(f"plan_short_{i}") for i in inds) or None
            for inds in behind["behind_with_caveat"]
        ],
    )
    columns = [
        Column("district_code", w.t("prov_col_code"), "text", export_only=True),
        Column("district", w.t("col_district"), "text"),
        Column("named", w.t("prov_col_behind_two", k=MIN_BEHIND), "status", labels=yes_no(w)),
        Column("n_evaluated", w.t("prov_col_n_evaluated"), "integer"),
        Column("n_behind", w.t("prov_col_n_behind"), "integer"),
        Column("behind_text", w.t("prov_col_behind_on"), "text"),
        Column("caveat_text", w.t("prov_col_behind_caveat"), "text"),
        Column("lowest_capaian", w.t("prov_col_lowest_capaian"), "percent", export_only=True),
    ]
    blocks.append(r.table("di_belakang_target", data, columns))
    return blocks


def _indicator_list(r: ProvinceReport, latest: pd.DataFrame, code: str, indicators) -> str | None:
    """'Stunting 42,3 % (2023); …': each indicator behind with its capaian and year."""
    w = r.words
    parts = []
    for ind in indicators:
        row = latest.loc[(code, ind)]
        parts.append(
            w.t(
                "prov_behind_item",
                label=w.t(f"plan_short_{ind}"),
                capaian=w.num(row["capaian"], 1),
                year=int(row["year"]),
            )
        )
    return "; ".join(parts) or None


def _table_data(r: ProvinceReport, shown: pd.DataFrame) -> pd.DataFrame:
    return shown.assign(
        district=[r.name(c) for c in shown["district_code"]],
        district_short=[r.short_label(c) for c in shown["district_code"]],
        flags_text=[_data_note(r, x) for x in shown.itertuples()],
        # the target's year only where it is not the row's (a national end-of-period target)
        other_target_year=shown["target_year"].where(shown["target_year"] != shown["year"]),
    )


def _data_note(r: ProvinceReport, x) -> str | None:
    """The row's quality flags, and a change measured across two surveys, in words."""
    w = r.words
    notes = [w.t(f"quality_{f}") for f in x.quality_flags]
    if x.change_across_series:
        notes.append(w.t("plan_change_across_series", what=_series_change(r, x)))
    return "; ".join(notes) or None


def _columns(r: ProvinceReport) -> list[Column]:
    w = r.words
    documents = {d: d for d in DOCUMENT_LABELS}
    documents["national_default"] = w.t("prov_doc_national")
    units = short_labels(w)
    return [
        Column("district_code", w.t("prov_col_code"), "text", export_only=True),
        Column("district", w.t("col_district"), "text", export_only=True),
        Column("district_short", w.t("col_district"), "text"),
        Column("indicator", w.t("col_indicator"), "text", labels=units),
        Column("year", w.t("col_year"), "year"),
        Column("target", w.t("prov_col_target"), year="other_target_year", digits=1),
        Column("target_year", w.t("prov_col_target_year"), "year", export_only=True),
        Column("basis_document", w.t("prov_col_document"), "text", labels=documents),
        Column(
            "document_reference",
            w.t("col_target_source"),
            "text",
            lang="id",
            export_only=True,
        ),
        *achievement_columns(w, 1, w.t("plan_no_realisation_short")),
        Column(
            "change",
            w.t("prov_col_change"),
            digits=1,
            signed=True,
            year="previous_year",
            tone="tone",
        ),
        Column("flags_text", w.t("prov_col_data_note"), "text"),
        Column("formula", w.t("plan_col_formula"), "text", export_only=True),
    ]


def _flag_blocks(r: ProvinceReport, shown: pd.DataFrame) -> list:
    w = r.words
    details = frames.flag_details(r.quality_flags, shown)
    blocks: list = [
        Heading(w.t("prov_flags_title")),
        Text.of(w.t("prov_flags_rule", z=w.num(OUTLIER_Z, 1))),
    ]
    if details.empty:
        return blocks + [Text.of(w.t("prov_flags_none"))]
    items = tuple(Text.of(_flag_text(r, x)) for x in details.itertuples())
    return blocks + [Bullets(items)]


def _flag_text(r: ProvinceReport, x) -> str:
    w = r.words
    common = {
        "district": r.name(x.district_code),
        "label": w.label(x.indicator),
        "year": x.year,
        "value": w.num(x.value, 1),
        "unit": w.unit(x.indicator),
    }
    if x.flag == "outlier_in_province":
        return w.t(
            "prov_flag_outlier",
            **common,
            median=w.num(x.reference, 1),
            z=w.num(x.statistic, 1, signed=True),
            threshold=w.num(x.threshold, 1),
        )
    if x.flag == "boundary_value":
        return w.t("prov_flag_boundary", **common)
    text = w.t(
        "prov_flag_jump",
        **common,
        previous=w.num(x.reference, 1),
        change=w.num(x.statistic, 1, signed=True),
        noise=w.num(x.threshold, 1),
        gap_unit=w.gap_unit(x.indicator),
    )
    if x.change_across_series:  # the "jump" includes the change of survey
        text += " " + w.t("prov_flag_jump_series", what=_series_change(r, x))
    return text


def _series_change(r: ProvinceReport, x) -> str:
    """'SSGI → SKI 2023': the two series a change spans (labels without their explanation)."""
    series = r.ctx.series
    before = r.words.t(series.label_key(x.previous_series)).split(" (")[0]
    after = r.words.t(series.label_key(x.series)).split(" (")[0]
    return f"{before} → {after}"


def _source_notes(r: ProvinceReport, shown: pd.DataFrame) -> list:
    """The realisation sources by id, with their titles (quoted: they are Indonesian)."""
    from analysis.followup.plan import source_titles

    titles = source_titles()
    used = sorted(shown["realisation_source"].dropna().unique())
    if not used:
        return []
    text = "; ".join(f"{s}: {titles.get(s, s)}" for s in used)
    return [Text.of(r.words.t("prov_capaian_sources"), "note"), Text.of(text, "note", lang="id")]
