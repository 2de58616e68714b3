"""Frames of the province's evaluation against plan targets (analysis.plan_eval): which rows the
page shows, in which order, and the numbers behind each flagged estimate. Pure pandas: codes and
numbers; labels come in the section."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.plan_eval import behind_frame, evaluation_frame

TONE = {"better": "improves", "worse": "worsens"}


def province_evaluation(ctx, codes: Sequence[str]) -> pd.DataFrame:
    """Every kab/kota × PIP indicator × year against the target that applies (EVALUATION_COLUMNS
    of analysis.plan_eval): own plan targets of `ctx.targets`, else the national default."""
    return evaluation_frame(ctx.targets, ctx.preferred, codes, ctx.catalogue, PIP_INDICATORS)


def shown_rows(evaluation: pd.DataFrame, behind: pd.DataFrame) -> pd.DataFrame:
    """The rows the page shows: the target that applies for each year (rows of other documents
    for the same year are left out), none without any target; districts in the order of
    `behind` (most behind first), then indicator and year as evaluated. Adds `district_rank`
    (that order), `tone` of the change since the previous year (improves / worsens / "") and
    `flagged` (any quality flag)."""
    rows = evaluation[evaluation["applies"].astype(bool) & (evaluation["target_basis"] != "none")]
    order = {code: k for k, code in enumerate(behind["district_code"])}
    rows = rows.assign(
        district_rank=rows["district_code"].map(order).fillna(len(order)).astype(int),
        tone=rows["change_direction"].map(TONE).fillna(""),
        flagged=rows["quality_flags"].map(bool),
    )
    return rows.sort_values(["district_rank"], kind="stable").reset_index(drop=True)


def other_documents(evaluation: pd.DataFrame) -> int:
    """How many target rows are not shown because another document's target applies that year."""
    return int((~evaluation["applies"].astype(bool)).sum())


def no_target_indicators(evaluation: pd.DataFrame) -> list[str]:
    """Indicators for which no district of the province has any target (own or national)."""
    has = evaluation.groupby("indicator")["target_basis"].apply(lambda s: (s != "none").any())
    return [i for i in PIP_INDICATORS if i in has.index and not has[i]]


def behind(evaluation: pd.DataFrame) -> pd.DataFrame:
    """analysis.plan_eval.behind_frame: districts behind on two or more indicators first."""
    return behind_frame(evaluation)


def flag_details(flags: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """The flags (analysis.quality.FLAG_COLUMNS: value, reference, statistic, threshold) raised
    on the realisations the page shows, in the page's order, with the series of the value and
    of the one before."""
    key = ["district_code", "indicator", "year"]
    seen = shown.loc[
        shown["flagged"],
        [*key, "district_rank", "series", "previous_series", "change_across_series"],
    ].drop_duplicates(key)
    out = flags.merge(seen, on=key, how="inner")
    return out.sort_values(["district_rank", "indicator", "year", "flag"]).reset_index(drop=True)


def own_target_districts(evaluation: pd.DataFrame) -> list[str]:
    """Districts with at least one own plan target among the PIP indicators."""
    own = evaluation.loc[evaluation["target_basis"] == "district", "district_code"]
    return sorted(own.unique())


def with_display_codes(shown: pd.DataFrame) -> pd.DataFrame:
    """`basis_document`: the document type of an own target, "national_default" for the RPJMN
    default (labelled as a national target on the page)."""
    national = shown["target_basis"] == "national_default"
    return shown.assign(basis_document=shown["document"].where(~national, "national_default"))


def national_defaults_used(evaluation: pd.DataFrame) -> list[str]:
    """Indicators judged against the national default for at least one district."""
    used = evaluation.loc[evaluation["target_basis"] == "national_default", "indicator"]
    return [i for i in PIP_INDICATORS if i in set(used)]


def latest_evaluated(evaluation: pd.DataFrame) -> pd.DataFrame:
    """The latest evaluated year of the target that applies, per (district_code, indicator):
    what behind_frame counts."""
    rows = evaluation[evaluation["applies"].astype(bool) & (evaluation["status"] == "evaluated")]
    latest = rows.sort_values("year").drop_duplicates(["district_code", "indicator"], keep="last")
    return latest.set_index(["district_code", "indicator"])
