"""The province overview's inequality section: range, best/worst ratio, coefficient of
variation and the slope index of inequality on GRDP per capita (`analysis.inequality`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.inequality import MIN_FOR_INEQUALITY, MIN_FOR_SII
from analysis.report.charts.province import sii_chart
from analysis.report.frames import province as frames
from analysis.report.model import Bullets, Column, Section, Text

if TYPE_CHECKING:
    from analysis.report.province import ProvinceReport


def _year(r: ProvinceReport, ind: str):
    return r.years[ind] or r.words.t("no_data")


def inequality(r: ProvinceReport) -> Section:
    w = r.words
    frame = r.inequality_frame()
    shown = frame.assign(
        label=[f"{w.label(i)} ({_year(r, i)})" for i in frame["indicator"]],
        range_text=[_range(r, x) for x in frame.itertuples()],
        best_text=[_extreme(r, x.best, x.best_district, x.best_ties) for x in frame.itertuples()],
        worst_text=[
            _extreme(r, x.worst, x.worst_district, x.worst_ties) for x in frame.itertuples()
        ],
    )
    columns = [
        Column("label", w.t("col_indicator"), "text"),
        Column("n", "n", "integer"),
        Column("range_text", w.t("prov_col_range"), "text"),
        Column("best_text", w.t("prov_col_best"), "text"),
        Column("worst_text", w.t("prov_col_worst"), "text"),
        Column("ratio", w.t("prov_col_ratio"), digits=2),
        Column("cv", w.t("prov_col_cv"), "percent", scale=100),
        Column("sii", w.t("prov_col_sii_short"), signed=True),
        Column("sii_low", w.t("col_interval"), "interval", high="sii_high"),
    ]
    columns += [
        Column(name, w.t(key), export_only=True)
        for name, key in (
            ("range", "prov_col_range"),
            ("best", "prov_col_best"),
            ("worst", "prov_col_worst"),
        )
    ]
    columns += [
        Column("best_district", w.t("prov_col_best_district"), "text", export_only=True),
        Column("worst_district", w.t("prov_col_worst_district"), "text", export_only=True),
        Column("sii_n", w.t("prov_col_sii_n"), "integer", export_only=True),
    ]
    notes = [_sii_sentence(r, x) for x in frame.to_dict("records")]
    blocks: list = [
        Text.of(w.t("prov_inequality_intro")),
        r.table("ketimpangan", shown, columns),
        Bullets(tuple(Text.of(n) for n in notes)),
    ]
    if frame["sii"].notna().any():
        points = frames.sii_points(r.prov, frame)
        titles, small = {}, {}
        for x in frame.itertuples():
            small[x.indicator] = 0 < x.n < MIN_FOR_INEQUALITY
            extra = f"; n = {x.n} < {MIN_FOR_INEQUALITY}" if small[x.indicator] else ""
            titles[x.indicator] = f"{w.label(x.indicator)} ({_year(r, x.indicator)}{extra})"
        figure = sii_chart(
            points,
            titles,
            small,
            {c: r.short_label(c) for c in r.codes},
            {i: w.unit(i) for i in PIP_INDICATORS},
            w.t("prov_grdp_rank_axis"),
            w.t("no_data"),
            w.number,
        )
        columns = [
            Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
            Column("district_code", w.t("prov_col_code"), "text"),
            Column("value", w.t("col_value")),
            Column("grdp", w.label("grdp_per_capita")),
            Column("x", w.t("prov_grdp_rank_axis"), digits=3),
        ]
        blocks.append(
            r.chart(
                "sii", figure, w.t("prov_sec_inequality"), w.t("prov_sii_caption"), points, columns
            )
        )
    return Section("inequality", w.t("prov_sec_inequality"), blocks, r.lang)


def _range(r: ProvinceReport, x) -> str:
    if not x.n:
        return r.words.t("no_data")
    return f"{r.words.num(x.range, 1)} {r.words.gap_unit(x.indicator)}"


def _extreme(r: ProvinceReport, value, district, ties) -> str | None:
    """'9,2 (Kota Tangerang Selatan)', or with districts sharing the value
    '100,0 (Kabupaten Pacitan dan 4 lainnya)'."""
    if pd.isna(value):
        return None
    who = r.words.t("prov_and_others", name=district, n=int(ties)) if ties else district
    return f"{r.words.num(value, 1)} ({who})"


def _sii_sentence(r: ProvinceReport, x: dict) -> str:
    w, ind = r.words, x["indicator"]
    if x["n"] == 0:
        return w.t("prov_inequality_none", label=w.label(ind))
    small = ""
    if x["n"] < MIN_FOR_INEQUALITY:
        small = " " + w.t("prov_small_n", n=x["n"], min=MIN_FOR_INEQUALITY)
    if pd.isna(x["sii"]):
        return w.t("prov_sii_none", label=w.label(ind), n=x["sii_n"], min=MIN_FOR_SII) + small
    if x["sii_low"] <= 0 <= x["sii_high"]:
        reading = w.t("prov_sii_uncertain")
    elif x["sii"] > 0:
        reading = w.t("prov_sii_richer_higher")
    else:
        reading = w.t("prov_sii_richer_lower")
    return (
        w.t(
            "prov_sii_text",
            label=w.label(ind),
            slope=w.num(x["sii"], 1, signed=True),
            unit=w.gap_unit(ind),
            low=w.num(x["sii_low"], 1),
            high=w.num(x["sii_high"], 1),
            n=x["sii_n"],
            reading=reading,
        )
        + small
    )
