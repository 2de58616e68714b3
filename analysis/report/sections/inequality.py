"""The province overview's inequality section, by welfare: districts ranked by the poverty rate
(analysis.welfare_inequality), best and worst with their difference and a ratio worded for the
indicator's direction, the poorest third against the least-poor third, and the slope index of
inequality on the poverty rank."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.inequality import MIN_FOR_INEQUALITY
from analysis.report.charts.province import sii_chart
from analysis.report.frames import province as frames
from analysis.report.model import Bullets, Column, Section, Text
from analysis.welfare_inequality import MIN_FOR_SII

if TYPE_CHECKING:
    from analysis.report.province import ProvinceReport


def _year(r: ProvinceReport, ind: str):
    return r.years[ind] or r.words.t("no_data")


def inequality(r: ProvinceReport) -> Section:
    w = r.words
    frame = r.inequality_frame()
    welfare_years = sorted({int(y) for y in frame["welfare_year"].dropna()})
    intro = w.t(
        "prov_ineq_intro",
        welfare=w.label("poverty_rate"),
        years=", ".join(map(str, welfare_years)) or w.t("no_data"),
    )
    blocks: list = [Text.of(intro), r.table("ketimpangan", _table_data(r, frame), _columns(r))]
    blocks.append(Bullets(tuple(Text.of(_sentence(r, x)) for x in frame.to_dict("records"))))
    if frame["sii"].notna().any():
        blocks.append(_chart(r, frame))
    return Section("inequality", w.t("prov_sec_inequality"), blocks, r.lang)


def _table_data(r: ProvinceReport, frame: pd.DataFrame) -> pd.DataFrame:
    w = r.words
    rows = frame.to_dict("records")
    return frame.assign(
        label=[
            f"{w.label(x['indicator'])} ({w.unit(x['indicator'])}), {_year(r, x['indicator'])}"
            for x in rows
        ],
        best_text=[_extreme(r, x, "best") for x in rows],
        worst_text=[_extreme(r, x, "worst") for x in rows],
        difference_text=[
            None
            if pd.isna(x.get("difference"))
            else f"{w.num(x['difference'], 1)} {w.gap_unit(x['indicator'])}"
            for x in rows
        ],
        ratio_text=[_ratio(r, x) for x in rows],
        best_district=[_name(r, x.get("best_district_code")) for x in rows],
        worst_district=[_name(r, x.get("worst_district_code")) for x in rows],
    )


def _columns(r: ProvinceReport) -> list[Column]:
    w = r.words
    return [
        Column("label", w.t("col_indicator"), "text"),
        Column("n", "n", "integer"),
        Column("best_text", w.t("prov_col_best"), "text"),
        Column("worst_text", w.t("prov_col_worst"), "text"),
        Column("difference_text", w.t("prov_col_difference"), "text"),
        Column("ratio_text", w.t("prov_col_times"), "text"),
        Column("poorest_mean", w.t("prov_col_poorest_third"), digits=1),
        Column("least_poor_mean", w.t("prov_col_least_poor_third"), digits=1),
        Column("sii", w.t("prov_col_sii_short"), signed=True),
        Column("sii_low", w.t("col_interval"), "interval", high="sii_high"),
        Column("best_value", w.t("prov_col_best"), export_only=True),
        Column("best_district", w.t("prov_col_best_district"), "text", export_only=True),
        Column("worst_value", w.t("prov_col_worst"), export_only=True),
        Column("worst_district", w.t("prov_col_worst_district"), "text", export_only=True),
        Column("difference", w.t("prov_col_difference"), export_only=True),
        Column("ratio", w.t("prov_col_times"), digits=2, export_only=True),
        Column("group_size", w.t("prov_col_group_size"), "integer", export_only=True),
        Column("welfare_year", w.t("prov_col_welfare_year"), "year", export_only=True),
        Column("sii_n", w.t("prov_col_sii_n"), "integer", export_only=True),
    ]


def _name(r: ProvinceReport, code) -> str | None:
    return None if code is None or pd.isna(code) else r.name(code)


def _extreme(r: ProvinceReport, x: dict, side: str) -> str | None:
    """'17,6 (Kabupaten Kutai Kartanegara)', or with districts sharing the value
    '100,0 (Kota Samarinda dan 1 lainnya …)'."""
    value = x.get(f"{side}_value")
    if value is None or pd.isna(value):
        return None
    name = r.name(x[f"{side}_district_code"])
    ties = int(x[f"n_tied_{side}"]) - 1
    who = r.words.t("prov_and_others", name=name, n=ties) if ties > 0 else name
    return f"{r.words.num(value, 1)} ({who})"


def _ratio(r: ProvinceReport, x: dict) -> str | None:
    """'the worst value is 1,6 times the best' (lower is better) or 'the best value is 4,4 times
    the worst' (higher is better): always a number ≥ 1, said the way round it reads."""
    if pd.isna(x.get("ratio")) or x.get("ratio_kind") is None:
        return None
    digits = 2 if x["ratio"] < 1.1 else 1  # 1,04, not a misleading 1,0
    return r.words.t(f"prov_ratio_{x['ratio_kind']}", ratio=r.words.num(x["ratio"], digits))


def _sentence(r: ProvinceReport, x: dict) -> str:
    w, ind = r.words, x["indicator"]
    if not x["n"]:
        return w.t("prov_inequality_none", label=w.label(ind))
    small = (
        " " + w.t("prov_small_n", n=x["n"], min=MIN_FOR_INEQUALITY)
        if x["n"] < MIN_FOR_INEQUALITY
        else ""
    )
    parts = [
        w.t(
            "prov_ineq_extremes",
            label=w.label(ind),
            year=_year(r, ind),
            best=_extreme(r, x, "best"),
            worst=_extreme(r, x, "worst"),
            difference=w.num(x["difference"], 1),
            unit=w.gap_unit(ind),
            ratio=_ratio(r, x) or "–",
        )
    ]
    if x.get("group_size"):
        parts.append(
            w.t(
                "prov_ineq_groups",
                k=int(x["group_size"]),
                welfare_year=int(x["welfare_year"]),
                poorest=w.num(x["poorest_mean"], 1),
                least=w.num(x["least_poor_mean"], 1),
                reading=w.t(f"prov_ineq_better_{x['better_off_group']}"),
            )
        )
    parts.append(_sii_text(r, x))
    parts += _flagged_extremes(r, x)
    return " ".join(parts) + small


def _flagged_extremes(r: ProvinceReport, x: dict) -> list[str]:
    """A best or worst value that the overview flags as implausible (analysis.quality): the
    difference and the ratio stand on it, so the reader is told."""
    flags = r.quality_flags
    flags = flags[(flags["indicator"] == x["indicator"]) & (flags["year"] == x["year"])]
    flags = flags[flags["flag"].isin(["outlier_in_province", "boundary_value"])]
    out = []
    for side in ("best", "worst"):
        code = x.get(f"{side}_district_code")
        if code is not None and code in set(flags["district_code"]):
            which = r.words.t(f"prov_ineq_which_{side}")
            out.append(r.words.t("prov_ineq_flagged", which=which, district=r.name(code)))
    return out


def _sii_text(r: ProvinceReport, x: dict) -> str:
    w, ind = r.words, x["indicator"]
    if pd.isna(x["sii"]):
        return w.t("prov_ineq_sii_none", n=x["sii_n"], min=MIN_FOR_SII)
    if x["sii_low"] <= 0 <= x["sii_high"]:
        reading = w.t("prov_ineq_sii_uncertain")
    elif x["sii"] > 0:
        reading = w.t("prov_ineq_sii_poorer_higher")
    else:
        reading = w.t("prov_ineq_sii_poorer_lower")
    return w.t(
        "prov_ineq_sii",
        slope=w.num(x["sii"], 1, signed=True),
        unit=w.gap_unit(ind),
        low=w.num(x["sii_low"], 1),
        high=w.num(x["sii_high"], 1),
        n=x["sii_n"],
        reading=reading,
    )


def _chart(r: ProvinceReport, frame: pd.DataFrame):
    w = r.words
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
        w.t("prov_poverty_rank_axis"),
        w.t("no_data"),
        w.number,
    )
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("district_code", w.t("prov_col_code"), "text"),
        Column("value", w.t("col_value")),
        Column("poverty", w.label("poverty_rate")),
        Column("x", w.t("prov_poverty_rank_axis"), digits=3),
    ]
    caption = w.t("prov_ineq_sii_caption")
    return r.chart("sii", figure, w.t("prov_sec_inequality"), caption, points, columns)
