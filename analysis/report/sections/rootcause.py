"""Root causes (*akar masalah*): per PIP indicator, what the data can and cannot tell, the gap
split into explained (with its interval) and unexplained (the district's residual with its
prediction interval), the findings worded by status, a chart whose bars add up to the gap and
the table of every part. The numbers come from `analysis.report.frames.explained`; the follow-up
plan is in `sections.followup`, the methods in `sections.methods`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.report.charts.district import decomposition_chart
from analysis.report.frames import explained
from analysis.report.frames.explained import UNEXPLAINED
from analysis.report.model import Bullets, Column, Heading, Section, Text
from analysis.report.words import Words

if TYPE_CHECKING:
    from analysis.report.district import DistrictReport

# the findings in the order a reader needs them
FINDING_ORDER = ("root_cause", "unexpected_sign", "to_verify", "not_established", "strength")


def root_causes(r: DistrictReport) -> Section:
    w = r.words
    reference = w.t(f"reference_{r.reference}")
    blocks: list = [
        Text.of(w.t("root_can_cannot")),
        Text.of(w.t("root_intro", district=r.district.name, reference=reference), "note"),
    ]
    gaps = explained.gap_frame(r.explanations).set_index("indicator")
    for ind, ex in r.explanations.items():
        blocks.append(Heading(w.label(ind)))
        g = gaps.loc[ind]
        if ex.decomposition is None:
            blocks.append(Text.of(w.t("not_in_sample", reason=g["error"]), "note"))
            continue
        frame = part_table_frame(w, explained.decomposition_frame(ex))
        blocks += _gap_texts(w, ind, g)
        lines = findings(w, frame, ind, g) + _context_lines(w, ind, frame)
        blocks.append(Bullets(tuple(Text.of(x) for x in lines)))
        blocks.append(_chart(r, ind, g, frame))
        blocks.append(r.table(f"root_causes_{ind}", frame, part_columns(w, ind), css="wrap"))
        blocks.append(Text.of(_model_note(w, g), "note"))
        for warning in explained.model_warnings(ex):
            values = {k: v for k, v in warning.items() if k != "code"}
            blocks.append(Text.of(w.t(f"warning_{warning['code']}", **values), "warning"))
    return Section("root_causes", w.t("sec_root"), blocks, r.lang)


def _gap_texts(w: Words, ind: str, g: pd.Series) -> list[Text]:
    """The unexplained-dominates message first when it applies (with the data that would help),
    then the gap = explained + unexplained with their intervals, then low precision."""
    out = []
    signed = {k: w.num(g[k], 2, signed=True) for k in ("gap", "explained", "unexplained")}
    why = ", ".join(w.t(f"low_precision_{f}") for f in g["low_precision"])
    value = w.value(ind, g["district_value"])
    if g["unexplained_dominates"] and g["low_precision"]:
        text = w.t(
            "unexplained_low_precision",
            unexplained=signed["unexplained"],
            explained=signed["explained"],
            value=value,
            year=int(g["year"]),
            why=why,
        )
        out.append(Text.of(f"<b>{text}</b>", "callout"))
    elif g["unexplained_dominates"]:
        key = "unexplained_dominates_favourable" if g["gap_favourable"] else "unexplained_dominates"
        text = w.t(key, unexplained=signed["unexplained"], explained=signed["explained"])
        if g["would_help"]:
            items = "; ".join(w.t(f"data_{k}") for k in g["would_help"])
            text += " " + w.t("would_help", items=items)
        out.append(Text.of(f"<b>{text}</b>", "callout"))
    out.append(
        Text.of(
            w.t(
                "gap_line",
                value=w.num(g["district_value"], 2),
                unit=w.unit(ind),
                year=int(g["year"]),
                source=g["district_source"],
                n=int(g["reference_n"]),
                reference=w.num(g["reference_value"], 2),
                gap=signed["gap"],
                gap_unit=w.gap_unit(ind),
                explained=signed["explained"],
                unexplained=signed["unexplained"],
            )
        )
    )
    intervals = [
        w.t(
            key,
            value=signed[part],
            low=w.num(g[f"{part}_low"], 2),
            high=w.num(g[f"{part}_high"], 2),
        )
        for key, part in (("explained_line", "explained"), ("unexplained_line", "unexplained"))
    ]
    usual = w.t("unexplained_unusual" if g["unusual"] else "unexplained_usual")
    out.append(Text.of(f"{intervals[0]} · {intervals[1]}. {usual}", "note"))
    if g["low_precision"]:
        out.append(
            Text.of(w.t("low_precision_note", value=value, year=int(g["year"]), why=why), "warning")
        )
    return out


def part_table_frame(w: Words, frame: pd.DataFrame) -> pd.DataFrame:
    """The decomposition frame with the texts its table shows beside the numbers: the year of
    the district value (with the denominator's year for a ratio), the reference's years and kind
    of mean, and the OPD cell ("context" for context rows)."""
    out = frame.copy()
    out["district_when"] = [
        w.year_note(y, d) or None
        for y, d in zip(out["district_year"], out["denominator_year"], strict=True)
    ]
    out["reference_note"] = [
        w.years_note(a, b, m) or None
        for a, b, m in zip(
            out["reference_year_min"], out["reference_year_max"], out["reference_mean"], strict=True
        )
    ]
    out["opd_shown"] = out["opd"].where(out["role"] != "context", "context")
    return out


def part_columns(w: Words, ind: str) -> list[Column]:
    gap_unit = w.gap_unit(ind)
    statuses = {s: w.t(f"part_status_{s}") for s in explained.PART_STATUSES}
    statuses[UNEXPLAINED] = w.t("part_status_unexplained")
    roles = {"lever": w.t("role_lever"), "context": w.t("role_context"), UNEXPLAINED: ""}
    return [
        Column("driver", w.t("col_driver"), "text", labels=driver_labels(w)),
        Column("role", w.t("col_role"), "text", labels=roles),
        Column("district_value", w.t("col_district"), digits=2, year="district_when"),
        Column("reference_value", w.t("col_reference"), digits=2, year="reference_note"),
        Column("contribution", w.t("col_contribution"), unit=gap_unit, digits=2, signed=True),
        Column("ci_low", w.t("col_interval"), "interval", unit=gap_unit, digits=2, high="ci_high"),
        Column("status", w.t("col_part_status"), "status", labels=statuses),
        Column("opd_shown", w.t("col_opd"), "text", labels=_opd_labels(w), missing=""),
        Column("district_source", w.t("col_source"), "text", export_only=True),
        Column("reference_n", w.t("col_reference_n"), "integer", export_only=True),
        Column("robust", w.t("col_consistent"), "check", export_only=True),
        Column("peer_value", w.t("col_peer_value"), digits=2, export_only=True),
    ]


def driver_labels(w: Words) -> dict[str, str]:
    labels = w.indicator_labels()
    labels.update(kota=w.t("term_kota"), province=w.t("term_province"))
    labels[UNEXPLAINED] = w.t("unexplained")
    return labels


def _opd_labels(w: Words) -> dict[str, str]:
    return {**w.opd_labels(), "context": w.t("context_no_opd")}


def _value_pair(w: Words, row, compared: float, mean_kind, note: str | None = None) -> dict:
    """`district` and `reference` texts of a lever: "41,8 % (2022)" and "70,2 %"."""
    when = w.year_note(row.district_year, row.denominator_year)
    district = w.value(row.driver, row.district_value)
    reference = w.value(row.driver, compared)
    if mean_kind == "geometric":
        reference += f" ({w.t('mean_geometric')})"
    return {"district": f"{district} ({when})" if when else district, "reference": reference}


def findings(w: Words, frame: pd.DataFrame, ind: str, g: pd.Series) -> list[str]:
    """The sentences of one indicator by status: suspected root causes with their size against
    the gap and their interval (or that there is none), consistent levers with an unexpected
    sign, levers to verify, not established, strengths."""
    levers = frame[frame["role"] == "lever"]
    rows = list(levers.itertuples())  # once: each itertuples call costs ~1 ms on this frame
    lines = []
    for row in (r for r in rows if r.status == "root_cause"):
        pair = _value_pair(w, row, row.reference_value, row.reference_mean)
        lines.append(
            w.t(
                "root_cause_line_report",
                driver=w.label(row.driver),
                value=w.num(row.contribution, 2, signed=True),
                gap=w.num(g["gap"], 2, signed=True),
                gap_unit=w.gap_unit(ind),
                low=w.num(row.ci_low, 2),
                high=w.num(row.ci_high, 2),
                opd=w.opd(row.opd),
                **pair,
            )
        )
    if not lines:
        lines.append(
            w.t("root_cause_none_favourable" if g["gap_favourable"] else "root_cause_none")
        )
    for row in (r for r in rows if r.status == "unexpected_sign"):
        pair = _value_pair(w, row, row.reference_value, row.reference_mean)
        value = w.num(row.contribution, 2, signed=True)
        lines.append(
            w.t(
                "unexpected_sign_line",
                driver=w.label(row.driver),
                value=value,
                opd=w.opd(row.opd),
                **pair,
            )
        )
    for row in (r for r in rows if r.status == "to_verify"):
        pair = _value_pair(w, row, row.peer_value, row.peer_mean)
        lines.append(
            w.t(
                "to_verify_line",
                driver=w.label(row.driver),
                district=pair["district"],
                peers=pair["reference"],
                n=int(row.peer_n),
                opd=w.opd(row.opd),
            )
        )
    unproven = levers[levers["status"].isin(["not_established", "consistent"])]
    if len(unproven):
        items = ", ".join(w.label(d) for d in unproven["driver"])
        lines.append(w.t("not_established_line", items=items))
    strengths = [r for r in rows if r.status == "strength"]
    if strengths:
        items = "; ".join(
            f"{w.label(row.driver)} "
            + w.t("value_vs", **_value_pair(w, row, row.reference_value, row.reference_mean))
            for row in strengths
        )
        lines.append(w.t("strengths_line", items=items))
    return lines


def _context_lines(w: Words, ind: str, frame: pd.DataFrame) -> list[str]:
    """When the largest explained part is context (often the province's fixed effect), say so:
    it points to no agency."""
    parts = frame[frame["role"] != UNEXPLAINED]
    if parts.empty:
        return []
    largest = parts.loc[parts["contribution"].abs().idxmax()]
    if largest["role"] != "context":
        return []
    line = w.t(
        "context_largest_line",
        driver=driver_labels(w)[largest["driver"]],
        value=w.num(largest["contribution"], 2, signed=True),
        gap_unit=w.gap_unit(ind),
    )
    if largest["driver"] == "province":
        line += " " + w.t("context_province_note")
    return [line]


def _chart(r: DistrictReport, ind: str, g: pd.Series, frame: pd.DataFrame):
    w = r.words
    gap_unit = w.gap_unit(ind)
    groups = {k: w.t(f"chart_group_{k}") for k in ("levers", "context", "rest")}
    figure = decomposition_chart(
        frame,
        driver_labels(w),
        groups,
        w.t("chart_total"),
        float(g["gap"]),
        f"{w.t('col_contribution')} ({gap_unit})",
        f"{w.label(ind)} — {w.t('gap')}: {w.num(g['gap'], 2, signed=True)} {gap_unit}",
        w.number,
    )
    caption = w.t("root_chart_caption_parts", gap_unit=gap_unit)
    columns = part_columns(w, ind)
    return r.chart(f"root_causes_{ind}", figure, w.label(ind), caption, frame, columns)


def _model_note(w: Words, g: pd.Series) -> str:
    return w.t(
        "variant_line",
        variant=w.t(f"variant_{g['model_variant']}"),
        n=int(g["model_n"]),
        r2=w.num(g["model_r2"], 2),
        r2_within=w.num(g["model_r2_within"], 2),
        r2_cv=w.num(g["model_r2_cv"], 2),
        moran=w.num(g["moran_i"], 2),
        p=w.num(g["moran_p"], 3),
    )
