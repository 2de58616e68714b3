"""The district against others: trends against medians, the province maps, peers and positive
deviants, targets and projection."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.explain_text import verdict_text
from analysis.report.charts import district as charts
from analysis.report.charts.maps import map_grid
from analysis.report.frames import district as frames
from analysis.report.frames import explained, explained_fit, explained_trends
from analysis.report.model import Column, Heading, Section, Text

if TYPE_CHECKING:
    from analysis.report.district import DistrictReport


def trends(r: DistrictReport) -> Section:
    w = r.words
    data = frames.trend_table(r.ctx, r.district_code)
    legend = {k: w.t(f"legend_{k}") for k in ("district", "province", "national")}
    series_ids = sorted(set(data["series"].dropna()))
    figure = charts.trends_chart(
        data,
        {i: w.label(i) for i in PIP_INDICATORS},
        {i: w.unit(i) for i in PIP_INDICATORS},
        legend,
        w.t("no_data"),
        w.number,
        {s: w.series_short(s) for s in series_ids},
    )
    data["low_precision_text"] = data["low_precision"].map({True: "yes", False: None})
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("year", w.t("col_year"), "year"),
        Column("district", w.t("legend_district")),
        Column("series", w.t("col_series"), "text", labels={s: w.series(s) for s in series_ids}),
        Column(
            "low_precision_text",
            w.t("col_low_precision"),
            "status",
            labels={"yes": w.t("low_precision")},
            missing="",
        ),
        Column("province_median", w.t("legend_province")),
        Column("national_median", w.t("legend_national")),
    ]
    caption = f"{w.t('trend_caption', district=r.district.name)} {w.t('trend_series_caption')}"
    chart = r.chart("trends", figure, w.t("sec_trends"), caption, data, columns)
    shown = data[data["indicator"] == "stunting"].dropna(subset=["district"])
    blocks: list = [chart]
    if shown["series"].nunique() > 1:
        table = r.table("trends_stunting", shown.reset_index(drop=True), columns[1:])
        blocks += [Heading(w.label("stunting")), table]
    return Section("trends", w.t("sec_trends"), blocks, r.lang)


def maps(r: DistrictReport) -> Section:
    w = r.words
    data = frames.province_latest(r.ctx, r.district_code)
    years = data.groupby("indicator", sort=False)["year"].first()
    titles = {
        i: f"{w.label(i)} ({w.t('no_data') if pd.isna(years[i]) else int(years[i])})"
        for i in PIP_INDICATORS
    }
    figure = map_grid(
        frames.province_codes(r.ctx, r.district_code),
        data,
        titles,
        {i: w.unit(i) for i in PIP_INDICATORS},
        {i: r.ctx.catalogue[i].direction == "lower" for i in PIP_INDICATORS},
        w.t("no_data"),
        w.number,
        highlight=r.district_code,
    )
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("year", w.t("col_year"), "year"),
        Column("district_code", w.t("prov_col_code"), "text"),
        Column("district", w.t("col_district"), "text"),
        Column("value", w.t("col_value")),
    ]
    caption = w.t("map_caption", province=r.district.province, district=r.district.name)
    chart = r.chart("maps", figure, w.t("sec_maps"), caption, data, columns)
    return Section("maps", w.t("sec_maps"), [chart], r.lang)


def peers(r: DistrictReport) -> Section:
    w = r.words
    data = frames.peer_values(r.ctx, r.district_code, explained.peer_codes(r.explanations))
    columns = [
        Column("district_code", w.t("prov_col_code"), "text", export_only=True),
        Column("district", w.t("col_district"), "text"),
        Column("province", w.t("col_province"), "text"),
    ]
    columns += [
        Column(f"{i}_value", w.label(i), unit=w.unit(i), year=f"{i}_year") for i in PIP_INDICATORS
    ]
    blocks: list = [
        Text.of(w.t("peers_intro")),
        r.table("peers", data, columns),
        Text.of(w.t("deviants_intro")),
    ]
    for ind, ex in r.explanations.items():
        deviants = explained_fit.deviants_frame(ex)
        if deviants.empty:
            blocks.append(Text.of(w.t("deviants_none_for", indicator=w.label(ind)), "note"))
            continue
        levers = explained_fit.deviant_levers(ex)
        text = {
            code: "; ".join(
                f"{w.label(x.driver)}: {w.value(x.driver, x.deviant_value)} vs "
                f"{w.value(x.driver, x.district_value)}"
                for x in part.itertuples()
            )
            for code, part in levers.groupby("district_code", sort=False)
        }
        deviants["differs"] = deviants["district_code"].map(text)
        blocks.append(Heading(w.t("deviants_for", indicator=w.label(ind))))
        blocks.append(
            r.table(
                f"deviants_{ind}",
                deviants,
                [
                    Column("district_code", w.t("prov_col_code"), "text", export_only=True),
                    Column("name", w.t("col_district"), "text"),
                    Column("value", w.t("col_value"), unit=w.unit(ind), year="year"),
                    Column("predicted", w.t("col_predicted"), unit=w.unit(ind)),
                    Column(
                        "advantage",
                        w.t("col_better_than_predicted"),
                        unit=w.gap_unit(ind),
                        signed=True,
                    ),
                    Column("differs", w.t("col_differs"), "text", missing=""),
                ],
            )
        )
    return Section("peers", w.t("sec_peers"), blocks, r.lang)


def targets(r: DistrictReport) -> Section:
    w = r.words
    projection = explained_trends.projection_frame(r.explanations, r.ctx.catalogue)
    figure = charts.projection_chart(
        projection,
        {i: w.label(i) for i in r.explanations},
        {i: w.unit(i) for i in r.explanations},
        w.t("no_data"),
        w.number,
    )
    chart_columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("year", w.t("col_year"), "year"),
        Column("observed", w.t("col_observed")),
        Column("series", w.t("col_series"), "text", export_only=True),
        Column("trend", w.t("col_trend_line")),
        Column("low", w.t("col_low")),
        Column("high", w.t("col_high")),
        Column("target", w.t("card_target")),
    ]
    chart = r.chart(
        "projection",
        figure,
        w.t("sec_targets"),
        w.t("target_caption_series"),
        projection,
        chart_columns,
    )
    data = explained_trends.targets_frame(r.explanations)
    data["note"] = data[f"note_{r.lang}"]
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("series", w.t("col_series"), "text", labels=_series_labels(w, data)),
        Column(
            "trend",
            w.t("card_trend"),
            unit=w.t("per_year"),
            digits=2,
            signed=True,
            missing=w.t("status_insufficient_data"),
        ),
        Column("target", w.t("card_target"), year="target_year", missing=w.t("status_no_target")),
        Column("target_document", w.t("col_target_source"), "text", lang="id"),
        Column("status", w.t("col_status"), "status", labels=w.status_labels()),
        Column("note", w.t("col_target_note"), "text"),
    ]
    table = r.table("targets", data, columns)
    sentences = [
        Text.of(f"{w.label(ind)} — {verdict_text(v, r.lang)}")
        for ind, v in explained_trends.verdicts(r.explanations).items()
    ]
    return Section("targets", w.t("sec_targets"), [chart, table, *sentences], r.lang)


def _series_labels(w, data) -> dict[str, str]:
    return {s: w.series(s) for s in data.get("series", pd.Series(dtype=object)).dropna().unique()}
