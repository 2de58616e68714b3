"""The province overview's sections: ranks, standing heatmap, maps, districts needing attention
(inequality: sections/inequality.py). Numbers from `analysis.report.frames.province`."""

from __future__ import annotations

import textwrap
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.report.charts.maps import map_grid
from analysis.report.charts.province import standing_heatmap
from analysis.report.frames import province as frames
from analysis.report.model import Bullets, Column, Section, Text

if TYPE_CHECKING:
    from analysis.report.province import ProvinceReport


def _year(r: ProvinceReport, ind: str):
    return r.years[ind] or r.words.t("no_data")


def header(r: ProvinceReport) -> Section:
    w = r.words
    years = ", ".join(
        w.t("prov_year_item", label=w.label(i), year=_year(r, i)) for i in PIP_INDICATORS
    )
    subtitle = w.t(
        "prov_subtitle",
        n=len(r.codes),
        data_version=r.ctx.data_version,
        date=date.today().isoformat(),
    )
    blocks = [
        Text.of(subtitle, "subtitle"),
        Text.of(w.t("prov_intro", province=r.province, years=years)),
    ]
    return Section("header", w.t("prov_title", province=r.province), blocks, r.lang, level=1)


def _ranked_columns(r: ProvinceReport) -> tuple[list[Column], dict[str, str]]:
    w = r.words
    columns = [
        Column("district_code", w.t("prov_col_code"), "text", export_only=True),
        Column("district", w.t("col_district"), "text"),
    ]
    notes = {}
    for ind in PIP_INDICATORS:
        group = w.t("prov_group_header", label=w.label(ind), unit=w.unit(ind), year=_year(r, ind))
        n_prov = len(r.prov.province_ranks(ind))
        hidden = not n_prov  # no district has a value: one column says so
        if n_prov:
            notes[group] = w.t("prov_group_n", n_prov=n_prov, n_nat=len(r.ranks[ind]))
        rank = {"kind": "integer", "group": group, "export_only": hidden}
        with_gap = frames.has_target(r.prov, ind)
        columns += [
            Column(f"{ind}_value", w.t("prov_col_value"), group=group, missing=w.t("no_data")),
            Column(
                f"{ind}_rank_province",
                w.t("prov_col_prov_short"),
                export_label=w.t("prov_col_rank_province"),
                **rank,
            ),
            Column(
                f"{ind}_n_province", w.t("prov_col_n_province"), **{**rank, "export_only": True}
            ),
            Column(
                f"{ind}_rank_national",
                w.t("prov_col_nat_short"),
                export_label=w.t("prov_col_rank_national"),
                **rank,
            ),
            Column(
                f"{ind}_n_national", w.t("prov_col_n_national"), **{**rank, "export_only": True}
            ),
            Column(f"{ind}_target", w.t("prov_col_target"), group=group, export_only=True),
            Column(
                f"{ind}_target_year",
                w.t("prov_col_target_year"),
                "year",
                group=group,
                export_only=True,
            ),
            Column(
                f"{ind}_gap_to_target",
                w.t("prov_col_gap"),
                group=group,
                signed=True,
                tone=f"{ind}_tone",
                export_only=hidden or not with_gap,
            ),
        ]
    return columns, notes


def ranked_table(r: ProvinceReport) -> Section:
    w = r.words
    frame = r.ranked_frame()
    columns, notes = _ranked_columns(r)
    table = r.table(
        "peringkat_pip", frame, columns, css="compact", group_notes=notes, sheet=w.t("prov_sheet")
    )
    blocks: list = [Text.of(w.t("prov_table_intro")), table, Text.of(w.t("prov_rank_note"), "note")]
    older = frames.older_values(r.prov)
    if len(older):
        items = "; ".join(
            w.t(
                "prov_older_item",
                district=r.name(o.district_code),
                label=w.label(o.indicator),
                value=w.num(o.value, 1),
                year=o.year,
            )
            for o in older.itertuples()
        )
        blocks.append(Text.of(w.t("prov_older_note", items=items), "note"))
    targets = {i: r.ctx.targets.national.get(i) for i in PIP_INDICATORS}
    listed = [
        Text.of(
            w.t(
                "prov_target_item",
                label=w.label(i),
                value=w.num(tg.value, 1),
                unit=w.unit(i),
                year=tg.year,
                source=tg.source_document,
            )
            + (f" {tg.note[r.lang]}" if tg.note else ""),
            "note",
        )
        for i, tg in targets.items()
        if tg is not None
    ]
    if listed:
        own = any(r.ctx.targets.applicable_plan(c, i) for c in r.codes for i in PIP_INDICATORS)
        blocks.append(Text.of(w.t("prov_target_note_own" if own else "prov_target_note"), "note"))
        blocks.append(Bullets(tuple(listed)))
    missing = [
        w.label(i) for i, tg in targets.items() if tg is None and not frames.has_target(r.prov, i)
    ]
    if missing:
        blocks.append(Text.of(w.t("prov_no_target", labels=", ".join(missing)), "note"))
    return Section("ranked", w.t("prov_sec_table"), blocks, r.lang)


def heatmap(r: ProvinceReport) -> Section:
    w = r.words
    z = frames.standing(r.prov)
    values = pd.DataFrame({ind: r.prov.values(ind) for ind in PIP_INDICATORS})
    column_labels = [
        textwrap.fill(w.label(i), 22) + f"\n({w.unit(i)}, {r.years[i] or '–'})"
        for i in PIP_INDICATORS
    ]
    figure = standing_heatmap(
        z,
        values,
        [r.name(c) for c in r.codes],
        column_labels,
        w.t("prov_heatmap_cbar") + "\n" + w.t("prov_heatmap_cbar_hint"),
        w.t("no_data"),
        w.number,
    )
    data = (
        values.rename_axis("district_code")
        .reset_index()
        .melt("district_code", var_name="indicator", value_name="value")
        .assign(
            z=z.rename_axis("district_code")
            .reset_index()
            .melt("district_code", var_name="indicator", value_name="z")["z"]
        )
    )
    columns = [
        Column("district_code", w.t("prov_col_code"), "text"),
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("value", w.t("col_value")),
        Column("z", w.t("prov_heatmap_cbar"), digits=2, signed=True),
    ]
    chart = r.chart(
        "heatmap", figure, w.t("prov_sec_heatmap"), w.t("prov_heatmap_caption"), data, columns
    )
    blocks = [Text.of(w.t("prov_heatmap_intro")), chart]
    return Section("heatmap", w.t("prov_sec_heatmap"), blocks, r.lang)


def maps(r: ProvinceReport) -> Section:
    w = r.words
    data = pd.concat(
        [
            r.prov.values(i)
            .rename("value")
            .rename_axis("district_code")
            .reset_index()
            .assign(indicator=i, year=r.years[i])
            for i in PIP_INDICATORS
        ]
    )[["indicator", "year", "district_code", "value"]].astype({"year": "Int64"})
    titles = {}
    for ind in PIP_INDICATORS:
        titles[ind] = f"{w.label(ind)} ({_year(r, ind)})"
        if data.loc[data["indicator"] == ind, "value"].isna().all():
            titles[ind] += f": {w.t('no_data')}"
    figure = map_grid(
        list(r.codes),
        data,
        titles,
        {i: w.unit(i) for i in PIP_INDICATORS},
        {i: r.prov.direction(i) == "lower" for i in PIP_INDICATORS},
        w.t("no_data"),
        w.number,
    )
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("year", w.t("col_year"), "year"),
        Column("district_code", w.t("prov_col_code"), "text"),
        Column("value", w.t("col_value")),
    ]
    caption = w.t("prov_map_caption", province=r.province)
    chart = r.chart("maps", figure, w.t("prov_sec_maps"), caption, data, columns)
    return Section("maps", w.t("prov_sec_maps"), [chart], r.lang)


def attention(r: ProvinceReport) -> Section:
    w = r.words
    frame = r.attention_frame()
    ranked = r.ranked_frame().set_index("district_code")
    flagged = frame[frame["needs_attention"]]
    rule = w.t("prov_attention_rule", n=frames.MIN_ATTENTION_INDICATORS, min=frames.MIN_FOR_QUARTER)
    blocks: list = [Text.of(rule)]
    skipped = frames.quarter_skipped(r.prov)
    if skipped:
        labels = ", ".join(w.label(i) for i in skipped)
        blocks.append(
            Text.of(
                w.t("prov_attention_skipped", labels=labels, min=frames.MIN_FOR_QUARTER), "note"
            )
        )
    if len(flagged):
        result = w.t("prov_attention_result", n=len(flagged), names=", ".join(flagged["district"]))
    else:
        result = w.t("prov_attention_none", n=frames.MIN_ATTENTION_INDICATORS)
    blocks.append(Text.of(result, "strong"))
    shown = frame[(frame["n_bottom_quarter"] > 0) | frame["furthest_from_target"].map(bool)]
    shown = shown.sort_values(
        ["needs_attention", "n_bottom_quarter"], ascending=False, kind="stable"
    ).reset_index(drop=True)
    if len(shown):
        shown["attention"] = shown["needs_attention"].map({True: "yes", False: "no"})
        shown["bottom"] = [
            "; ".join(
                w.t(
                    "prov_rank_item",
                    label=w.label(i),
                    rank=int(ranked.at[c, f"{i}_rank_province"]),
                    n=int(ranked.at[c, f"{i}_n_province"]),
                )
                for i in inds
            )
            or "–"
            for c, inds in zip(shown["district_code"], shown["bottom_quarter"], strict=True)
        ]
        shown["furthest"] = [
            "; ".join(
                w.t(
                    "prov_gap_item",
                    label=w.label(i),
                    unit=w.gap_unit(i),
                    gap=w.num(ranked.at[c, f"{i}_gap_to_target"], 1, signed=True),
                )
                for i in inds
            )
            or "–"
            for c, inds in zip(shown["district_code"], shown["furthest_from_target"], strict=True)
        ]
        yes_no = {"yes": w.t("prov_yes"), "no": w.t("prov_no")}
        columns = [
            Column("district_code", w.t("prov_col_code"), "text", export_only=True),
            Column("district", w.t("col_district"), "text"),
            Column("attention", w.t("prov_col_attention"), "status", labels=yes_no),
            Column("n_bottom_quarter", w.t("prov_col_n_bottom"), "integer", export_only=True),
            Column("bottom", w.t("prov_col_bottom"), "text"),
            Column("furthest", w.t("prov_col_furthest"), "text"),
        ]
        blocks.append(r.table("perlu_perhatian", shown, columns))
    return Section("attention", w.t("prov_sec_attention"), blocks, r.lang)
