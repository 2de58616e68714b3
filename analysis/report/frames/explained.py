"""Frames from `analysis.explain` results: the one module of the report layer that reads an
`Explanation`, its `Decomposition`, trend, target and verdict, and the stored `DriverModel`s.
Root causes (*akar masalah*), the summary's rules, the follow-up plan, cards, targets, positive
deviants and the methods tables all get their numbers here, so a change to the engine's objects
is met in this file alone."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.catalogue import PIP_INDICATORS, Catalogue
from analysis.explain import Explanation
from analysis.models.store import ModelSet

Explanations = Mapping[str, Explanation]
ROOT_CAUSE_SHARE = 0.05  # the summary names a root cause only if it is >= 5 % of its gap
MODEL_VARIANTS = (("cross_section", "hc3"), ("cross_section", "province_fe"), ("panel", "panel_fe"))


def decomposition_frame(ex: Explanation) -> pd.DataFrame:
    """One row per driver: contribution to the gap (outcome units) with its 95 % interval, the
    district's and the reference's driver values, the OPD, and the effect: worsens / improves,
    with `_uncertain` when the interval includes zero."""
    dec = ex.decomposition
    frame = dec.to_frame().rename(columns={"value": "contribution"})
    frame.insert(0, "indicator", ex.indicator)
    effect = frame["worsens"].map({True: "worsens", False: "improves"})
    frame["effect"] = effect.where(frame["certain"], effect + "_uncertain")
    return frame


def gap_frame(explanations: Explanations) -> pd.DataFrame:
    """Per indicator: the gap to the reference and its split (explained + unexplained), the
    model's year, n and R²; `error` says why there is no decomposition."""
    rows = []
    for ind, ex in explanations.items():
        dec, model = ex.decomposition, ex.model
        row = {"indicator": ind, "reference": ex.reference, "error": ex.decomposition_error}
        if dec is not None:
            row.update(
                year=dec.year,
                district_value=dec.district_value,
                reference_value=dec.reference_value,
                reference_n=dec.reference_n,
                gap=dec.gap,
                explained=dec.explained,
                unexplained=dec.unexplained,
            )
        if model is not None:
            row.update(model_year=model.year, model_n=model.n, model_r2=model.r2)
        rows.append(row)
    return pd.DataFrame(rows)


def model_warnings(ex: Explanation) -> list[dict]:
    """The model's warnings: each a dict with `code` and the values its message needs."""
    return list(ex.model.warnings) if ex.model is not None else []


def root_cause_rows(
    explanations: Explanations, certain_only: bool = False, per_indicator: int = 2
) -> pd.DataFrame:
    """The drivers that worsen each indicator's gap, at most `per_indicator` per indicator
    (certain ones first, then the largest), all sorted certain first, largest first."""
    rows = []
    for ind, ex in explanations.items():
        dec = ex.decomposition
        if dec is None:
            continue
        worse = [c for c in dec.contributions if c.worsens and (c.certain or not certain_only)]
        worse.sort(key=lambda c: (not c.certain, -abs(c.value)))
        rows += [
            {
                "indicator": ind,
                "driver": c.driver,
                "opd": c.opd,
                "contribution": c.value,
                "certain": c.certain,
                "district_value": c.district_value,
                "reference_value": c.reference_value,
                "year": dec.year,
                "gap": dec.gap,
            }
            for c in worse[:per_indicator]
        ]
    rows.sort(key=lambda r: (not r["certain"], -abs(r["contribution"])))
    columns = ["indicator", "driver", "opd", "contribution", "certain", "district_value"]
    return pd.DataFrame(rows, columns=[*columns, "reference_value", "year", "gap"])


def summary_root_causes(explanations: Explanations, top: int = 3) -> pd.DataFrame:
    """The root causes the summary names: certain, and at least ROOT_CAUSE_SHARE of the gap
    they belong to."""
    rows = root_cause_rows(explanations, certain_only=True)
    keep = rows["contribution"].abs() >= ROOT_CAUSE_SHARE * rows["gap"].abs()
    return rows[keep].head(top).reset_index(drop=True)


def weakest_rank(explanations: Explanations) -> dict | None:
    """The indicator with the worst national rank (as a share of the districts ranked)."""
    ranked = [
        (ex.ranks["rank_national"] / ex.ranks["n_national"], ind, ex.ranks)
        for ind, ex in explanations.items()
        if ex.ranks
    ]
    if not ranked:
        return None
    _, ind, r = max(ranked)
    return {"indicator": ind, "rank": r["rank_national"], "n": r["n_national"], "year": r["year"]}


def mostly_unexplained(explanations: Explanations) -> list[str]:
    """Indicators whose unexplained part is larger than the part the drivers explain."""
    return [
        ind
        for ind, ex in explanations.items()
        if ex.decomposition and abs(ex.decomposition.unexplained) > abs(ex.decomposition.explained)
    ]


def missing_indicators(explanations: Explanations) -> list[str]:
    return [ind for ind, ex in explanations.items() if ex.latest is None]


def cards_frame(explanations: Explanations) -> pd.DataFrame:
    """One row per PIP indicator: latest value, year, source, trend per year, ranks, the target
    that applies (scope national / district), the gap to it and the verdict's status."""
    rows = []
    for ind, ex in explanations.items():
        row: dict = {"indicator": ind}
        if ex.latest is not None:
            row.update(value=ex.latest["value"], year=ex.latest["year"], source=ex.latest["source"])
        tr = ex.trend
        if tr is not None and tr.slope is not None:
            row.update(trend=tr.slope, trend_from=tr.first_year, trend_to=tr.last_year)
        if ex.ranks:
            r = ex.ranks
            row.update(
                rank_year=r["year"],
                rank_province=r["rank_province"],
                n_province=r["n_province"],
                rank_national=r["rank_national"],
                n_national=r["n_national"],
            )
        if ex.target is not None:
            row.update(
                target=ex.target.value, target_year=ex.target.year, target_scope=ex.target.scope
            )
            if ex.latest is not None:
                row["gap_to_target"] = ex.latest["value"] - ex.target.value
        row["status"] = ex.verdict.status if ex.verdict is not None else None
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=CARD_COLUMNS)


CARD_COLUMNS = [
    "indicator",
    "value",
    "year",
    "source",
    "trend",
    "trend_from",
    "trend_to",
    "rank_year",
    "rank_province",
    "n_province",
    "rank_national",
    "n_national",
    "target",
    "target_year",
    "target_scope",
    "gap_to_target",
    "status",
]


def targets_frame(explanations: Explanations) -> pd.DataFrame:
    """Per indicator with data: trend per year, target, its year, document and notes, status."""
    rows = []
    for ind, ex in explanations.items():
        if ex.trend is None:
            continue
        tg = ex.target
        rows.append(
            {
                "indicator": ind,
                "trend": ex.trend.slope,
                "target": tg.value if tg else None,
                "target_year": tg.year if tg else None,
                "target_document": tg.source_document if tg else None,
                "status": ex.verdict.status if ex.verdict else "no_target",
                "note_id": (tg.note or {}).get("id") if tg else None,
                "note_en": (tg.note or {}).get("en") if tg else None,
            }
        )
    frame = pd.DataFrame(rows)
    return frame.astype({"trend": float, "target": float, "target_year": "Int64"})


def verdicts(explanations: Explanations) -> dict:
    """indicator -> `analysis.trends.Verdict` (for its sentence), where there is one."""
    return {ind: ex.verdict for ind, ex in explanations.items() if ex.verdict is not None}


def projection_frame(explanations: Explanations, catalogue: Catalogue) -> pd.DataFrame:
    """Per indicator and year: the observed value, and the linear trend with its 95 % prediction
    interval from the first year to the target year (or 3 years on), cut at the indicator's
    bounds (a straight line leaves them: a % above 100); `target` on the target year."""
    rows = []
    for ind, ex in explanations.items():
        tr = ex.trend
        if tr is None:
            continue
        lo, hi = catalogue[ind].lower, catalogue[ind].upper
        observed = dict(zip(tr.years, tr.values, strict=True))
        end = max(ex.target.year if ex.target else tr.last_year + 3, tr.last_year)
        for year in range(tr.first_year, end + 1):
            row = {"indicator": ind, "year": year, "observed": observed.get(year)}
            if tr.n_years >= 2:
                est, low, high = (
                    None if v is None else min(max(v, lo), hi) for v in tr.project(year)
                )
                row.update(trend=est, low=low if tr.n_years >= 3 else None)
                row["high"] = high if tr.n_years >= 3 else None
            if ex.target is not None and year == ex.target.year:
                row["target"] = ex.target.value
            rows.append(row)
    columns = ["indicator", "year", "observed", "trend", "low", "high", "target"]
    return pd.DataFrame(rows).reindex(columns=columns).astype({c: float for c in columns[2:]})


def peer_codes(explanations: Explanations) -> list[str]:
    """The district's structural peers (the same for every indicator)."""
    first = next(iter(explanations.values()))
    return first.peers["district_code"].tolist()


def deviants_frame(ex: Explanation) -> pd.DataFrame:
    """Positive deviants among the peers: code, name, value, advantage over the district."""
    cols = ["district_code", "name", "value", "advantage"]
    return ex.deviants[cols].reset_index(drop=True) if not ex.deviants.empty else pd.DataFrame()


def deviant_differences(ex: Explanation) -> pd.DataFrame:
    """Long: for each deviant, the drivers whose difference goes with its better outcome."""
    rows = []
    if not ex.deviants.empty and "differs" in ex.deviants:
        for code, diffs in zip(ex.deviants["district_code"], ex.deviants["differs"], strict=True):
            rows += [{"district_code": code, **d} for d in (diffs or [])]
    columns = ["district_code", "driver", "district_value", "deviant_value"]
    return pd.DataFrame(rows).reindex(columns=[*columns, "associated_difference"])


def models_frame(models: ModelSet, indicators=PIP_INDICATORS) -> pd.DataFrame:
    """One row per stored model of the PIP indicators: variant, covariance, fixed effects,
    year (or years), n, R², number of warnings."""
    rows = []
    for ind in indicators:
        for kind, variant in MODEL_VARIANTS:
            m = models.get(ind, kind, variant)
            if m is None:
                continue
            rows.append(
                {
                    "indicator": ind,
                    "kind": kind,
                    "variant": variant,
                    "cov_type": m.cov_type,
                    "fixed_effects": m.fixed_effects,
                    "year_from": m.years[0] if m.years else m.year,
                    "year_to": m.years[1] if m.years else m.year,
                    "n": m.n,
                    "r2": m.r2,
                    "warnings": len(m.warnings),
                }
            )
    return pd.DataFrame(rows)


def coefficients_frame(models: ModelSet, indicator: str, catalogue: Catalogue) -> pd.DataFrame:
    """The main model's coefficients (per 1 SD of the driver), 95 % interval, p, VIF, OPD."""
    m = models.get(indicator)
    if m is None:
        return pd.DataFrame()
    c = m.coefficients[m.coefficients["term"] != "const"]
    frame = c[["term", "estimate", "ci_low", "ci_high", "p_value", "vif"]].reset_index(drop=True)
    return frame.assign(opd=[catalogue[x].opd.key for x in frame["term"]])
