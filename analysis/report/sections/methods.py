"""Data and methods: the sources, then per PIP indicator the model's variants side by side (fit:
n, R², within-province R², cross-validated R², Moran's I of the residuals; coefficients with
their 95 % intervals and Holm-adjusted p per variant; which levers are consistent), and the
association-not-causation caveat. Numbers from `analysis.report.frames.explained_fit`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.catalogue import PIP_INDICATORS
from analysis.report.frames import explained_fit
from analysis.report.model import Column, Heading, Section, Text
from analysis.sources import all_sources, source_table

if TYPE_CHECKING:
    from analysis.report.district import DistrictReport
    from analysis.report.words import Words

VARIANTS = ("province_fe", "hc3", "spatial_error", "panel_fe")


def methods(r: DistrictReport) -> Section:
    w = r.words
    blocks: list = [
        Text.of(w.t("methods_caveat"), "caveat"),
        Heading(w.t("methods_sources")),
        _sources_table(r),
        Heading(w.t("methods_models")),
        Text.of(w.t("methods_variants")),
        Heading(w.t("methods_fit_title")),
        _fit_table(r),
        Text.of(w.t("model_panel_note"), "note"),
    ]
    for ind in PIP_INDICATORS:
        ex = r.explanations.get(ind)
        if ex is None or ex.fit is None:
            continue
        frame = explained_fit.variants_frame(ex, r.ctx.catalogue)
        order = explained_fit.variant_order(ex)
        blocks.append(Heading(w.label(ind)))
        columns = _coefficient_columns(w, order, w.term_labels(frame["term"]))
        blocks.append(r.table(f"coefficients_{ind}", frame, columns, css="compact"))
        consistent = [w.term(t) for t in frame.loc[frame["status"] == "consistent", "term"]]
        blocks.append(Text.of(w.t("consistent_levers", items=", ".join(consistent) or w.t("none"))))
    blocks.append(Text.of(w.t("methods_coef_caption"), "note"))
    return Section("methods", w.t("sec_methods"), blocks, r.lang)


def _sources_table(r: DistrictReport):
    w = r.words
    shown = {k: s for k, s in all_sources().items() if s.readable_files or s.id == "boundaries"}
    src = source_table(shown).rename(columns={"id": "source"})
    src["sha256"] = src["sha256"].where(src["kind"] == "own", None)
    columns = [
        Column("source", w.t("col_source_id"), "text", export_only=True),
        Column("title", w.t("col_source"), "text", lang="id"),
        Column("publisher", w.t("col_publisher"), "text", lang="en"),
        Column("license", w.t("col_license"), "text", lang="en"),
        Column("address", w.t("col_address"), "text", lang="id"),
        Column("sha256", "sha256", "text", missing=""),
    ]
    return r.table("sources", src, columns, css="sources")


def _fit_table(r: DistrictReport):
    w = r.words
    fits = explained_fit.fit_frame(r.explanations, r.ctx.models)
    fits["years"] = [
        str(a) if a == b else f"{a}–{b}"
        for a, b in zip(fits["year_from"], fits["year_to"], strict=True)
    ]
    variants = {v: w.t(f"model_variant_{v}") for v in VARIANTS}
    columns = [
        Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
        Column("variant", w.t("col_model"), "text", labels=variants),
        Column("years", w.t("col_year"), "text"),
        Column("year_from", w.t("col_year_from"), "year", export_only=True),
        Column("year_to", w.t("col_year_to"), "year", export_only=True),
        Column("n", w.t("col_n"), "integer"),
        Column("r2", w.t("col_r2"), digits=2),
        Column("r2_within", w.t("col_r2_within"), digits=2),
        Column("r2_cv", w.t("col_r2_cv"), digits=2),
        Column("moran_i", w.t("col_moran"), digits=2),
        Column("moran_p", w.t("col_moran_p"), digits=3),
        Column("warnings", w.t("col_warnings"), "integer"),
    ]
    return r.table("models", fits, columns)


def _coefficient_columns(w: Words, variants: list[str], terms: dict[str, str]) -> list[Column]:
    statuses = {
        "consistent": w.t("lever_status_consistent"),
        "not_established": w.t("lever_status_not_established"),
        "context": w.t("part_status_context"),
    }
    columns = [
        Column("term", w.t("col_driver"), "text", labels=terms),
        Column("status", w.t("col_status"), "status", labels=statuses),
    ]
    for v in variants:
        group = w.t(f"model_variant_short_{v}")
        columns += [
            Column(f"estimate_{v}", w.t("col_coef"), digits=2, signed=True, group=group),
            Column(
                f"ci_low_{v}",
                w.t("col_interval"),
                "interval",
                digits=2,
                high=f"ci_high_{v}",
                group=group,
            ),
            Column(f"p_{v}", w.t("col_p_holm"), digits=3, group=group),
        ]
    columns.append(
        Column("opd", w.t("col_opd"), "text", labels=w.opd_labels(), missing="", export_only=True)
    )
    return columns
