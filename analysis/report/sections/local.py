"""Sections from the district's own tables: SPM kesehatan achievement and within-district
(kecamatan / puskesmas) ranking. Without a table they say how to give one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.charts.district import achievement_chart, units_chart
from analysis.report.frames.local import spm_frames, unit_frames
from analysis.report.model import Column, Heading, Section, Text
from analysis.spm import load_services

if TYPE_CHECKING:
    from analysis.report.district import DistrictReport
    from analysis.report.words import Words


def _problem_columns(w: Words) -> list[Column]:
    return [
        Column("file", w.t("col_file"), "text"),
        Column("row", w.t("col_row"), "integer"),
        Column("column", w.t("col_column"), "text"),
        Column("value", w.t("col_value"), "text"),
        Column("reason", w.t("col_reason"), "text"),
    ]


def spm(r: DistrictReport) -> Section:
    """SPM kesehatan achievement, when the district's table was given (--spm)."""
    w = r.words
    title = w.t("sec_spm")
    spm_file = r.parameters.get("spm_file")
    if not spm_file:
        return Section("spm", title, [Text.of(w.t("spm_none"), "note")], r.lang)
    mine, problems = spm_frames(Path(spm_file), r.ctx.registry, r.district_code)
    blocks: list = []
    if mine.empty:
        blocks.append(Text.of(w.t("spm_none"), "note"))
    else:
        services = load_services()
        names = {s: services[s]["label_id" if r.lang == "id" else "label_en"] for s in services}
        lagging = mine[mine["below_target"]]
        blocks.append(
            Text.of(
                w.t(
                    "spm_intro",
                    year=int(mine["year"].iloc[0]),
                    file=Path(spm_file).name,
                    n_lag=len(lagging),
                    n=len(mine),
                )
            )
        )
        if len(lagging):
            items = "; ".join(
                f"{names[x.service]} ({w.num(x.percent, 1)} %)"
                for x in lagging.head(3).itertuples()
            )
            blocks.append(Text.of(w.t("spm_lagging", items=items)))
        figure = achievement_chart(
            mine["service"].map(names), mine["percent"], w.t("col_achievement") + " (%)", w.number
        )
        columns = [
            Column("service", w.t("col_service"), "text", labels=names),
            Column("year", w.t("col_year"), "year", export_only=True),
            Column("target_population", w.t("col_target_population"), "integer"),
            Column("served", w.t("col_served"), "integer"),
            Column("percent", w.t("col_achievement"), "percent"),
        ]
        blocks.append(r.chart("spm", figure, title, "", mine, columns))
        blocks.append(r.table("spm", mine, columns))
    if len(problems):
        blocks.append(Text.of(w.t("spm_problems", n=len(problems))))
        blocks.append(r.table("spm_problems", problems, _problem_columns(w)))
    return Section("spm", title, blocks, r.lang)


def within_district(r: DistrictReport) -> Section:
    """Kecamatan / puskesmas ranking and spread, when the district's table was given."""
    w = r.words
    title = w.t("sec_units")
    units_file = r.parameters.get("units_file")
    if not units_file:
        return Section("units", title, [Text.of(w.t("units_none"), "note")], r.lang)
    summaries, problems = unit_frames(
        Path(units_file), r.ctx.registry, r.ctx.catalogue, r.district_code
    )
    blocks: list = [] if summaries else [Text.of(w.t("units_none"), "note")]
    for indicator, (ranked, spread) in summaries.items():
        low = ", ".join(ranked.loc[ranked["pulls_down"], "unit"])
        blocks.append(Heading(w.label(indicator)))
        blocks.append(
            Text.of(
                w.t(
                    "units_spread",
                    indicator=w.label(indicator),
                    year=spread["year"],
                    n=spread["n"],
                    min=w.num(spread["min"], 1),
                    max=w.num(spread["max"], 1),
                    median=w.num(spread["median"], 1),
                    range=w.num(spread["range"], 1),
                    low=low,
                )
            )
        )
        columns = [
            Column("rank", w.t("col_rank"), "integer"),
            Column("unit", w.t("col_unit"), "text"),
            Column("value", w.t("col_value"), unit=w.unit(indicator)),
            Column("pulls_down", w.t("col_pulls_down"), "check", export_only=True),
        ]
        figure = units_chart(ranked, float(spread["median"]), w.unit(indicator), w.number)
        blocks.append(
            r.chart(f"units_{indicator}", figure, w.label(indicator), "", ranked, columns)
        )
        blocks.append(r.table(f"units_{indicator}", pd.DataFrame(ranked), columns))
    if len(problems):
        blocks.append(Text.of(w.t("units_problems", n=len(problems))))
        blocks.append(r.table("units_problems", problems, _problem_columns(w)))
    return Section("units", title, blocks, r.lang)
