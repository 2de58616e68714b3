"""The Renstra view of one district: what a health office (or Bappeda) writing its new Renstra
needs from the data, as frames of numbers and codes.

- `history`: capaian kinerja over the previous plan period (every target year of the district's
  plans that ended before the new plan starts: target, realisation, capaian, category);
- `gaps`: for each indicator of the new plan, the latest realisation, the gap to the end-of-plan
  target, the yearly change that target needs and the yearly change seen so far;
- `issues`: candidate strategic issues, the new plan's indicators furthest behind their
  end-of-plan target (lowest capaian of the latest realisation against it), each with the owning
  OPD (the plan table's, else the catalogue's: the logframe's OPD); `factors`: the associated
  factors the root-cause engine (`analysis.explain`) measures for each of them (associations
  across districts, not causes), each with the engine's verdict (`factor_status`: only
  `root_cause` may be called a *dugaan akar masalah*);
- `logframe`: goal → objective → indicator → OPD with baseline and end target, from the plan
  table's optional columns goal, objective, opd (the indicator's OPD in the catalogue when opd is
  blank, `opd_source` says which);
- `alignment`: the new plan's yearly targets beside the RPJMD / RPD targets for the same
  indicator and year, and whether each is at least as ambitious.

The *new plan* is the district's plan of the `document` type (default Renstra) that ends last; if
it has none of that type, its plan of any type that ends last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis.plan_eval import evaluation_frame, progress_frame
from analysis.plan_targets import plan_baselines
from analysis.targets import Targets

MAX_FACTORS = 3
HEAD_DOCUMENTS = ("RPJMD", "RPD")  # the head of region's plans a Renstra must align with


@dataclass
class RenstraView:
    district_code: str
    new_plan: dict[str, Any] | None  # document, document_reference, plan_start, plan_end
    history: pd.DataFrame
    gaps: pd.DataFrame
    issues: pd.DataFrame
    factors: pd.DataFrame
    logframe: pd.DataFrame
    alignment: pd.DataFrame
    notes: list[str] = field(default_factory=list)  # codes: no_plan, no_previous_plan


def own_rows(targets: Targets, district_code: str) -> pd.DataFrame:
    rows = targets.table.rows
    return rows[rows["district_code"] == district_code]


def new_plan_of(rows: pd.DataFrame, document: str = "Renstra") -> dict[str, Any] | None:
    """The plan (document, reference, start, end) the Renstra view looks forward to."""
    if rows.empty:
        return None
    plans = rows.groupby(["document", "document_reference"])["year"].agg(["min", "max"])
    plans = plans.reset_index().rename(columns={"min": "plan_start", "max": "plan_end"})
    preferred = plans[plans["document"] == document]
    pick = (preferred if len(preferred) else plans).sort_values(
        ["plan_end", "plan_start", "document_reference"]
    )
    return {k: (int(v) if k.startswith("plan_") else v) for k, v in pick.iloc[-1].items()}


def _in_plan(frame: pd.DataFrame, plan: dict[str, Any]) -> pd.Series:
    return (frame["document"] == plan["document"]) & (
        frame["document_reference"] == plan["document_reference"]
    )


def history_frame(evaluation: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """Evaluation rows of the district's own plans that ended before the new plan starts."""
    own = evaluation[evaluation["target_basis"] == "district"]
    return own[own["plan_end"] < plan["plan_start"]].reset_index(drop=True)


def gaps_frame(progress: pd.DataFrame, rows: pd.DataFrame, plan: dict[str, Any]) -> pd.DataFrame:
    """progress_frame rows of the new plan, with its first-year target and whether the pace seen
    so far would be enough (`pace_sufficient`, direction respected; NA without a pace)."""
    mine = progress[_in_plan(progress, plan)].copy()
    first = (
        rows[_in_plan(rows, plan)]
        .sort_values("year")
        .drop_duplicates("indicator")[["indicator", "year", "target"]]
        .rename(columns={"year": "first_target_year", "target": "first_target"})
    )
    mine = mine.merge(first, on="indicator", how="left")
    sign = np.where(mine["direction"] == "lower", -1.0, 1.0)
    observed, required = (
        sign * mine["observed_annual_change"],
        sign * mine["required_annual_change"],
    )
    sufficient = pd.Series(observed >= required, index=mine.index, dtype="boolean")
    mine["pace_sufficient"] = sufficient.mask(observed.isna() | required.isna())
    return mine.reset_index(drop=True)


def factor_status(contribution) -> str:
    """How a lever may be named (analysis.models.results.Contribution): `root_cause` only when
    the engine marks it so (consistent across every model variant, the district worse than its
    reference: *dugaan akar masalah*); `to_verify` when it is not established but the district is
    clearly worse than its structural peers (*perlu dicek di lokakarya*); otherwise
    `not_established` (*belum terbukti*)."""
    if getattr(contribution, "root_cause", False):
        return "root_cause"
    if getattr(contribution, "to_verify", False):
        return "to_verify"
    return "not_established"


def associated_factors(explanation, top: int = MAX_FACTORS) -> tuple[str, list[dict[str, Any]]]:
    """(status, factors) read from an `analysis.explain.Explanation`: the levers whose gap to the
    reference pulls the district's indicator the unfavourable way, largest first, each with the
    engine's verdict on it (`factor_status`). Context drivers are nobody's lever, and a lever on
    which the district is better than its reference (a strength) is not a factor to fix, even
    where its association runs the unexpected way. The only place this module reads the
    root-cause engine's result."""
    dec = getattr(explanation, "decomposition", None)
    if dec is None:
        return ("no_model" if getattr(explanation, "model", None) is None else "not_decomposed"), []
    worsening = [
        c
        for c in dec.contributions
        if c.worsens
        and getattr(c, "role", "lever") == "lever"
        and getattr(c, "status", None) != "strength"
    ]
    worsening.sort(key=lambda c: abs(c.value), reverse=True)
    factors = [
        {
            "driver": c.driver,
            "driver_opd": c.opd,
            "factor_status": factor_status(c),
            "sign_as_expected": getattr(c, "sign_as_expected", None),
            "contribution": c.value,
            "ci_low": c.ci_low,
            "ci_high": c.ci_high,
            "certain": c.certain,
            "district_value": c.district_value,
            "reference_value": c.reference_value,
            "model_year": dec.year,
            "reference": dec.reference,
        }
        for c in worsening[:top]
    ]
    return "ok", factors


def issues_frames(
    gaps: pd.DataFrame, explain_one, catalogue, max_factors: int = MAX_FACTORS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Candidate strategic issues (gaps rows behind their end target, furthest behind first) and
    their associated factors. `explain_one(indicator)` returns an Explanation (or raises)."""
    behind = gaps[gaps["capaian_latest_vs_end"] < 100].sort_values(
        ["capaian_latest_vs_end", "indicator"]
    )
    issues, factors = [], []
    for rank, row in enumerate(behind.itertuples(index=False), start=1):
        try:
            status, found = associated_factors(explain_one(row.indicator), max_factors)
        except Exception as exc:  # noqa: BLE001 - an issue without factors is still an issue
            status, found = f"error: {type(exc).__name__}", []
        issues.append(
            {
                "rank": rank,
                "indicator": row.indicator,
                "direction": row.direction,
                "owner_opd": catalogue[row.indicator].opd.key,
                "latest_year": row.latest_year,
                "latest_realisation": row.latest_realisation,
                "end_year": row.end_year,
                "end_target": row.end_target,
                "gap_to_end_target": row.gap_to_end_target,
                "capaian_latest_vs_end": row.capaian_latest_vs_end,
                "required_annual_change": row.required_annual_change,
                "observed_annual_change": row.observed_annual_change,
                "factors_status": status,
                "n_factors": len(found),
            }
        )
        factors += [
            {"indicator": row.indicator, "issue_rank": rank, "factor_rank": k, **f}
            for k, f in enumerate(found, start=1)
        ]
    return pd.DataFrame(issues, columns=ISSUE_COLUMNS), pd.DataFrame(
        factors, columns=FACTOR_COLUMNS
    )


ISSUE_COLUMNS = [
    "rank",
    "indicator",
    "direction",
    "owner_opd",
    "latest_year",
    "latest_realisation",
    "end_year",
    "end_target",
    "gap_to_end_target",
    "capaian_latest_vs_end",
    "required_annual_change",
    "observed_annual_change",
    "factors_status",
    "n_factors",
]
FACTOR_COLUMNS = [
    "indicator",
    "issue_rank",
    "factor_rank",
    "driver",
    "driver_opd",
    "factor_status",
    "sign_as_expected",
    "contribution",
    "ci_low",
    "ci_high",
    "certain",
    "district_value",
    "reference_value",
    "model_year",
    "reference",
]
LOGFRAME_COLUMNS = [
    "goal",
    "objective",
    "indicator",
    "opd",
    "opd_source",
    "baseline_year",
    "baseline",
    "end_year",
    "end_target",
    "document",
    "document_reference",
]


def logframe_frame(rows: pd.DataFrame, plan: dict[str, Any], catalogue) -> pd.DataFrame:
    """goal → objective → indicator → OPD of the new plan, one row per indicator."""
    mine = rows[_in_plan(rows, plan)]
    if mine.empty:
        return pd.DataFrame(columns=LOGFRAME_COLUMNS)
    ends = plan_baselines(mine).set_index("indicator")
    out = []
    for ind, grp in mine.sort_values("year").groupby("indicator"):

        def last(col: str, grp=grp) -> str:
            given = grp[col][grp[col] != ""]
            return given.iloc[-1] if len(given) else ""

        opd = last("opd")
        out.append(
            {
                "goal": last("goal"),
                "objective": last("objective"),
                "indicator": ind,
                "opd": opd or catalogue[ind].opd.key,
                "opd_source": "plan" if opd else "catalogue",
                **{
                    c: ends.at[ind, c]
                    for c in ("baseline_year", "baseline", "end_year", "end_target")
                },
                "document": plan["document"],
                "document_reference": plan["document_reference"],
            }
        )
    frame = pd.DataFrame(out, columns=LOGFRAME_COLUMNS)
    return frame.sort_values(["goal", "objective", "indicator"]).reset_index(drop=True)


def alignment_frame(rows: pd.DataFrame, plan: dict[str, Any], catalogue) -> pd.DataFrame:
    """The new plan's targets beside the RPJMD / RPD targets of the same indicator and year."""
    mine = rows[_in_plan(rows, plan)][["indicator", "year", "target"]]
    head = rows[rows["document"].isin(HEAD_DOCUMENTS) & ~_in_plan(rows, plan)]
    head = head[["indicator", "year", "target", "document", "document_reference"]].rename(
        columns={
            "target": "head_target",
            "document": "head_document",
            "document_reference": "head_document_reference",
        }
    )
    out = mine.merge(head, on=["indicator", "year"], how="inner")
    lower = np.array([catalogue[i].direction == "lower" for i in out["indicator"]], dtype=bool)
    out["difference"] = out["target"] - out["head_target"]
    out["at_least_as_ambitious"] = np.where(
        lower, out["target"] <= out["head_target"], out["target"] >= out["head_target"]
    )
    return out.sort_values(["indicator", "year", "head_document"]).reset_index(drop=True)


def renstra_view(
    ctx,
    district_query: str,
    targets: Targets | None = None,
    *,
    document: str = "Renstra",
    reference: str = "national",
    max_factors: int = MAX_FACTORS,
    inverse: str = "two_target_minus_realisation",
    explained: dict | None = None,
) -> RenstraView:
    """The Renstra frames of one district. `ctx` is an `analysis.explain.Context`; `targets`
    (default ctx.targets) holds the district's plan table; `explained` (indicator ->
    Explanation against `reference`, e.g. a report's) is used instead of explaining again."""
    from analysis.explain import explain

    targets = targets or ctx.targets
    code = ctx.registry.resolve(district_query).code
    rows = own_rows(targets, code)
    plan = new_plan_of(rows, document)
    empty = RenstraView(code, None, *(pd.DataFrame() for _ in range(6)), notes=["no_plan"])
    if plan is None:
        return empty
    indicators = sorted(rows["indicator"].unique())
    evaluation = evaluation_frame(
        targets, ctx.preferred, [code], ctx.catalogue, indicators, inverse=inverse
    )
    progress = progress_frame(
        targets, ctx.preferred, [code], ctx.catalogue, indicators, inverse=inverse
    )
    gaps = gaps_frame(progress, rows, plan)
    known = explained or {}

    def explain_one(indicator: str):
        return known.get(indicator) or explain(ctx, code, indicator, reference)

    issues, factors = issues_frames(gaps, explain_one, ctx.catalogue, max_factors)
    history = history_frame(evaluation, plan)
    logframe = logframe_frame(rows, plan, ctx.catalogue)
    if len(issues):  # the plan's own OPD (opd column) where it names one, as in the logframe
        plan_opd = logframe.set_index("indicator")["opd"]
        issues["owner_opd"] = issues["indicator"].map(plan_opd).fillna(issues["owner_opd"])
    return RenstraView(
        district_code=code,
        new_plan=plan,
        history=history,
        gaps=gaps,
        issues=issues,
        factors=factors,
        logframe=logframe,
        alignment=alignment_frame(rows, plan, ctx.catalogue),
        notes=[] if len(history) else ["no_previous_plan"],
    )
