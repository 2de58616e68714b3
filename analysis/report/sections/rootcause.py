"""Root causes (*akar masalah*), the follow-up plan and the methods. Their numbers all come from
`analysis.report.frames.explained`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.catalogue import PIP_INDICATORS
from analysis.report.charts.district import decomposition_chart
from analysis.report.frames import explained
from analysis.report.model import Column, Heading, Section, Text
from analysis.sources import all_sources, source_table

if TYPE_CHECKING:
    from analysis.report.district import DistrictReport

VARIANTS = ("hc3", "province_fe", "panel_fe")


def root_causes(r: DistrictReport) -> Section:
    w = r.words
    reference = w.t(f"reference_{r.reference}")
    blocks: list = [Text.of(w.t("root_intro", district=r.district.name, reference=reference))]
    gaps = explained.gap_frame(r.explanations).set_index("indicator")
    for ind, ex in r.explanations.items():
        blocks.append(Heading(w.label(ind)))
        g = gaps.loc[ind]
        if ex.decomposition is None:
            blocks.append(Text.of(w.t("not_in_sample", reason=g["error"]), "note"))
            continue
        gap_unit = w.gap_unit(ind)
        blocks.append(
            Text.of(
                f"{w.t('district_value')}: {w.num(g['district_value'], 2)} {w.unit(ind)}"
                f" ({int(g['year'])}) · {w.t('reference_value', n=int(g['reference_n']))}: "
                f"{w.num(g['reference_value'], 2)} · {w.t('gap')}: "
                f"{w.num(g['gap'], 2, signed=True)} {gap_unit} = "
                f"{w.t('explained_by')} {w.num(g['explained'], 2, signed=True)} + "
                f"{w.t('unexplained')} {w.num(g['unexplained'], 2, signed=True)}"
            )
        )
        frame = explained.decomposition_frame(ex)
        figure = decomposition_chart(
            frame,
            w.indicator_labels(),
            float(g["unexplained"]),
            w.t("unexplained"),
            f"{w.t('col_contribution')} ({gap_unit})",
            f"{w.t('gap')}: {w.num(g['gap'], 2, signed=True)} {gap_unit}",
            w.number,
        )
        columns = _decomposition_columns(r, ind)
        caption = w.t("root_chart_caption", gap_unit=gap_unit)
        blocks.append(r.chart(f"root_causes_{ind}", figure, w.label(ind), caption, frame, columns))
        blocks.append(r.table(f"root_causes_{ind}", frame, columns))
        blocks.append(
            Text.of(
                w.t(
                    "model_line",
                    year=int(g["model_year"]),
                    n=int(g["model_n"]),
                    r2=w.num(g["model_r2"], 2),
                ),
                "note",
            )
        )
        for warning in explained.model_warnings(ex):
            values = {k: v for k, v in warning.items() if k != "code"}
            blocks.append(Text.of(w.t(f"warning_{warning['code']}", **values), "warning"))
    return Section("root_causes", w.t("sec_root"), blocks, r.lang)


def _decomposition_columns(r: DistrictReport, indicator: str) -> list[Column]:
    w = r.words
    effects = {}
    for code in ("worsens", "improves"):
        effects[code] = w.t(code)
        effects[f"{code}_uncertain"] = f"{w.t(code)} ({w.t('uncertain')})"
    gap_unit = w.gap_unit(indicator)
    return [
        Column("driver", w.t("col_driver"), "text", labels=w.indicator_labels()),
        Column("contribution", w.t("col_contribution"), unit=gap_unit, digits=2, signed=True),
        Column("ci_low", w.t("col_interval"), "interval", unit=gap_unit, digits=2, high="ci_high"),
        Column("district_value", w.t("col_district"), digits=2),
        Column("reference_value", w.t("col_reference"), digits=2),
        Column("effect", w.t("col_effect"), "status", labels=effects),
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
    ]


def follow_up(r: DistrictReport) -> Section:
    w = r.words
    rows = explained.root_cause_rows(r.explanations)
    for empty in ("action", "person_in_charge", "deadline"):
        rows[empty] = ""
    columns = [
        Column("driver", w.t("col_root_cause"), "text", labels=w.indicator_labels()),
        Column("indicator", w.t("col_for_indicator"), "text", labels=w.indicator_labels()),
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column("district_value", w.t("col_current"), year="year"),
        Column("reference_value", w.t("col_reference")),
        Column("contribution", w.t("col_contribution"), digits=2, signed=True, export_only=True),
        Column("action", w.t("col_action"), "text"),
        Column("person_in_charge", w.t("col_pic"), "text"),
        Column("deadline", w.t("col_deadline"), "text"),
    ]
    blocks: list = [Text.of(w.t("followup_intro"))]
    if rows.empty:
        blocks.append(Text.of(w.t("msg_root_none")))
    blocks.append(r.table("rencana_tindak_lanjut", rows, columns, sheet=w.t("followup_sheet")))
    return Section("follow_up", w.t("sec_followup"), blocks, r.lang)


def methods(r: DistrictReport) -> Section:
    w = r.words
    shown = {k: s for k, s in all_sources().items() if s.readable_files or s.id == "boundaries"}
    src = source_table(shown).rename(columns={"id": "source"})
    src["sha256"] = src["sha256"].where(src["kind"] == "own", None)
    source_columns = [
        Column("source", w.t("col_source_id"), "text", export_only=True),
        Column("title", w.t("col_source"), "text", lang="id"),
        Column("publisher", w.t("col_publisher"), "text", lang="en"),
        Column("license", w.t("col_license"), "text", lang="en"),
        Column("address", w.t("col_address"), "text", lang="id"),
        Column("sha256", "sha256", "text", missing=""),
    ]
    models = explained.models_frame(r.ctx.models)
    models["years"] = [
        str(a) if a == b else f"{a}–{b}"
        for a, b in zip(models["year_from"], models["year_to"], strict=True)
    ]
    variants = {v: w.t(f"model_variant_{v}") for v in VARIANTS}
    model_columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("variant", w.t("col_model"), "text", labels=variants),
        Column("years", w.t("col_year"), "text"),
        Column("year_from", w.t("col_year_from"), "year", export_only=True),
        Column("year_to", w.t("col_year_to"), "year", export_only=True),
        Column("n", w.t("col_n"), "integer"),
        Column("r2", w.t("col_r2"), digits=2),
        Column("warnings", w.t("col_warnings"), "integer"),
    ]
    blocks: list = [
        Text.of(w.t("methods_caveat"), "caveat"),
        Heading(w.t("methods_sources")),
        r.table("sources", src, source_columns, css="sources"),
        Heading(w.t("methods_models")),
        r.table("models", models, model_columns),
    ]
    for ind in PIP_INDICATORS:
        coefficients = explained.coefficients_frame(r.ctx.models, ind, r.ctx.catalogue)
        if coefficients.empty:
            continue
        blocks.append(Heading(w.label(ind)))
        blocks.append(
            r.table(
                f"coefficients_{ind}",
                coefficients,
                [
                    Column("term", w.t("col_driver"), "text", labels=w.indicator_labels()),
                    Column("estimate", w.t("col_coef"), digits=2, signed=True),
                    Column("ci_low", w.t("col_interval"), "interval", digits=2, high="ci_high"),
                    Column("p_value", w.t("col_p"), digits=3),
                    Column("vif", w.t("col_vif")),
                    Column("opd", w.t("col_opd"), "text", labels=w.opd_labels()),
                ],
            )
        )
    return Section("methods", w.t("sec_methods"), blocks, r.lang)
