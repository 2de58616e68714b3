"""The words both plan sections share: how capaian is computed (formula and regulation, for the
formulas actually used) and what the evaluation categories mean, and the labels of the codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from analysis.capaian import CATEGORIES
from analysis.report.model import Bullets, Column, Text

if TYPE_CHECKING:
    from analysis.report.words import Words

FORMULA_TEXT = {
    "realisation_over_target": "capaian_formula_higher",
    "two_target_minus_realisation": "capaian_formula_two_target_minus_realisation",
    "target_over_realisation": "capaian_formula_target_over_realisation",
}


def short_labels(w: Words, with_unit: bool = True) -> dict[str, str]:
    """indicator -> a short label ('Stunting (%)') for tables that repeat it on every row; the
    full label for indicators without a short one."""
    from analysis.catalogue import PIP_INDICATORS

    out = {}
    for ind in w.catalogue.indicators:
        label = w.t(f"plan_short_{ind}") if ind in PIP_INDICATORS else w.label(ind)
        out[ind] = f"{label} ({w.unit(ind)})" if with_unit else label
    return out


def category_labels(w: Words) -> dict[str, str]:
    return {c: w.t(f"capaian_cat_{c}") for c in CATEGORIES}


def achievement_columns(w: Words, digits: int, missing: str) -> list[Column]:
    """Realisation, its source, capaian and category: the columns both plan tables show."""
    return [
        Column("realisation", w.t("plan_col_realisation"), digits=digits, missing=missing),
        Column("realisation_source", w.t("col_source"), "text"),
        Column("capaian", w.t("plan_col_capaian"), "percent"),
        Column("category", w.t("plan_col_category"), "status", labels=category_labels(w)),
    ]


def method_notes(w: Words, rows: pd.DataFrame) -> list:
    """A note on each formula used in `rows` (columns formula, indicator) with the indicators it
    was used for, and the category scale with its source."""
    used = rows.dropna(subset=["formula"])
    items = []
    for code, key in FORMULA_TEXT.items():
        indicators = list(dict.fromkeys(used.loc[used["formula"] == code, "indicator"]))
        if indicators:
            items.append(Text.of(w.t(key, labels=", ".join(map(w.label, indicators)))))
    if not items:
        return []
    items.append(Text.of(w.t("capaian_categories")))
    return [Text.of(w.t("capaian_method_intro"), "note"), Bullets(tuple(items))]


def yes_no(w: Words) -> dict[str, str]:
    return {"yes": w.t("prov_yes"), "no": w.t("prov_no")}


def problem_columns(w: Words) -> list[Column]:
    """The quarantine of a target table: file, row, column, value and the reason (the checks
    write it in English)."""
    return [
        Column("file", w.t("col_file"), "text"),
        Column("row", w.t("col_row"), "integer"),
        Column("column", w.t("col_column"), "text"),
        Column("value", w.t("col_value"), "text"),
        Column("reason", w.t("col_reason"), "text", lang="en"),
    ]


def file_counts(table, path) -> tuple[int, int, pd.DataFrame]:
    """(accepted, quarantined, problems) of one file of a TargetTable: read = the two summed."""
    name = str(path)
    accepted = int((table.rows["file"] == name).sum())
    problems = table.problems[table.problems["file"] == name]
    return accepted, int(problems["row"].nunique()), problems
