"""Candidate strategic issues of the Renstra view: the new plan's indicators furthest behind their
end-of-plan target, and the factors the root-cause engine associates with each, named only as
strongly as the engine allows (*dugaan akar masalah* only for its root causes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from analysis.report.model import Column, Heading, Text
from analysis.report.sections.capaian_notes import short_labels

if TYPE_CHECKING:
    from analysis.renstra import RenstraView
    from analysis.report.district import DistrictReport

FACTOR_STATUSES = ("root_cause", "to_verify", "not_established")


def issue_blocks(r: DistrictReport, view: RenstraView, units: Mapping[str, str]) -> list:
    w = r.words
    issues = view.issues
    blocks: list = [Heading(w.t("renstra_issues_title"))]
    if issues.empty:
        return blocks + [Text.of(w.t("renstra_no_issues"))]
    blocks.append(Text.of(w.t("renstra_issues_intro")))
    columns = [
        Column("rank", w.t("col_rank"), "integer"),
        Column("indicator", w.t("col_indicator"), "text", labels=units),
        Column("owner_opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column(
            "latest_realisation", w.t("plan_col_latest_realisation"), year="latest_year", digits=2
        ),
        Column("end_target", w.t("plan_col_end_target"), year="end_year", digits=2),
        Column("capaian_latest_vs_end", w.t("plan_col_capaian"), "percent"),
        Column("required_annual_change", w.t("plan_col_required_change"), digits=2, signed=True),
        Column("observed_annual_change", w.t("plan_col_observed_change"), digits=2, signed=True),
        Column("n_factors", w.t("plan_col_n_factors"), "integer", export_only=True),
    ]
    blocks.append(r.table("renstra_issues", issues, columns))
    blocks += _factor_blocks(r, view)
    return blocks


def _factor_blocks(r: DistrictReport, view: RenstraView) -> list:
    w = r.words
    factors = view.factors
    blocks: list = [Heading(w.t("renstra_factors_title"))]
    without = view.issues[view.issues["factors_status"] != "ok"]
    if len(factors):
        first = factors.iloc[0]
        blocks.append(
            Text.of(
                w.t(
                    "renstra_factors_intro",
                    year=int(first["model_year"]),
                    reference=w.t(f"reference_{first['reference']}"),
                )
            )
        )
        blocks.append(r.table("renstra_factors", factors, _factor_columns(r)))
        blocks.append(Text.of(w.t("renstra_factors_statuses"), "note"))
        if (factors["sign_as_expected"] == False).any():  # noqa: E712 - None is "unknown"
            blocks.append(Text.of(w.t("renstra_factors_sign"), "note"))
    none_found = view.issues[
        (view.issues["factors_status"] == "ok") & (view.issues["n_factors"] == 0)
    ]
    if len(none_found):
        labels = ", ".join(w.label(i) for i in none_found["indicator"])
        blocks.append(Text.of(w.t("renstra_factors_none", labels=labels)))
    if len(without):
        labels = ", ".join(w.label(i) for i in without["indicator"])
        blocks.append(Text.of(w.t("renstra_factors_no_model", labels=labels)))
    blocks.append(Text.of(w.t("renstra_factors_caveat"), "caveat"))
    return blocks


def _factor_columns(r: DistrictReport) -> list[Column]:
    w = r.words
    statuses = {s: w.t(f"factor_status_{s}") for s in FACTOR_STATUSES}
    return [
        Column("indicator", w.t("plan_col_issue"), "text", labels=short_labels(w, with_unit=False)),
        Column("driver", w.t("col_driver"), "text", labels=w.indicator_labels()),
        Column("driver_opd", w.t("col_opd"), "text", labels=w.opd_labels()),
        Column("factor_status", w.t("col_status"), "status", labels=statuses),
        Column("contribution", w.t("col_contribution"), digits=2, signed=True),
        Column("ci_low", w.t("col_interval"), "interval", high="ci_high", digits=2),
        Column("district_value", w.t("plan_col_district_value"), digits=1),
        Column("reference_value", w.t("plan_col_reference_value"), digits=1),
        Column("model_year", w.t("col_year"), "year", export_only=True),
    ]
