"""Frames of the fitted models behind an `Explanation` (with `explained` and `explained_trends`,
the only modules of the report layer that read explanations): every variant of a model side by
side for the methods section, and the positive deviants by residual for the peers section."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.catalogue import PIP_INDICATORS, Catalogue
from analysis.explain import Explanation
from analysis.models.store import ModelSet

Explanations = Mapping[str, Explanation]


# -- positive deviants by residual -------------------------------------------------------------
def deviants_frame(ex: Explanation) -> pd.DataFrame:
    """Peers doing better than the main model predicts for them: code, name, value, the model's
    prediction, the favourable residual (`advantage`, outcome units) and the model year."""
    cols = ["district_code", "name", "value", "predicted", "advantage", "year"]
    if ex.deviants.empty:
        return pd.DataFrame(columns=cols)
    return ex.deviants[cols].reset_index(drop=True)


def deviant_levers(ex: Explanation) -> pd.DataFrame:
    """Long: for each deviant, the levers on which it is better than the district, largest
    difference first: values and years of both, and whether the lever is consistent."""
    columns = [
        "district_code",
        "driver",
        "district_value",
        "district_year",
        "deviant_value",
        "deviant_year",
        "difference_sd",
        "consistent",
    ]
    rows = []
    for code, levers in zip(ex.deviants["district_code"], ex.deviants["levers"], strict=True):
        rows += [{"district_code": code, **{k: x.get(k) for k in columns[1:]}} for x in levers]
    return pd.DataFrame(rows, columns=columns)


# -- methods: every variant side by side -------------------------------------------------------
FIT_COLUMNS = ["indicator", "variant", "kind", "year", "n", "r2", "r2_within", "r2_cv"]


def fit_frame(explanations: Explanations, models: ModelSet) -> pd.DataFrame:
    """One row per indicator and variant (the main model first), then the panel check where
    there is one: n, R², within-province R², cross-validated R², Moran's I of the residuals and
    its permutation p-value, the covariance type, the years."""
    rows = []
    for ind in PIP_INDICATORS:
        ex = explanations.get(ind)
        fit = ex.fit if ex is not None else None
        if fit is not None:
            main = fit.main.variant
            for variant in sorted(fit.variants, key=lambda v: v != main):
                m = fit.variants[variant]
                rows.append(_fit_row(ind, variant, m, m.year, m.year))
        panel = models.get(ind, "panel", "panel_fe")
        if panel is not None:
            rows.append(_fit_row(ind, "panel_fe", panel, *(panel.years or (None, None))))
    frame = pd.DataFrame(rows)
    for col in ("year_from", "year_to", "n"):
        if col in frame:
            frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def _fit_row(indicator, variant, m, year_from, year_to) -> dict:
    moran = m.moran or {}
    return {
        "indicator": indicator,
        "variant": variant,
        "kind": m.kind,
        "year_from": year_from,
        "year_to": year_to,
        "n": m.n,
        "r2": m.r2,
        "r2_within": m.r2_within,
        "r2_cv": m.r2_cv,
        "moran_i": moran.get("i"),
        "moran_p": moran.get("p_value"),
        "cov_type": m.cov_type,
        "warnings": len(m.warnings),
    }


def variants_frame(ex: Explanation, catalogue: Catalogue) -> pd.DataFrame:
    """The main model's terms (levers first, then context) with, per variant, the coefficient
    (per SD of the driver), its 95 % interval and p (Holm-adjusted for levers, plain for
    context): columns estimate_<v>, ci_low_<v>, ci_high_<v>, p_<v>; `status` consistent,
    not_established or context; the OPD of a lever."""
    fit = ex.fit
    if fit is None:
        return pd.DataFrame()
    found = fit.cache.get("variants_frame")  # the model's, the same in every report
    if found is None:
        found = fit.cache["variants_frame"] = _variants_frame(fit, catalogue)
    return found.copy()


def _variants_frame(fit, catalogue: Catalogue) -> pd.DataFrame:
    long = fit.comparison()
    long = long.assign(p=long["p_holm"].where(long["role"] == "lever", long["p_value"]))
    wide = long.pivot(
        index="term", columns="variant", values=["estimate", "ci_low", "ci_high", "p"]
    )
    wide.columns = [f"{stat}_{variant}" for stat, variant in wide.columns]
    terms = [t for t in fit.main.terms if fit.roles.get(t) == "lever"]
    terms += [t for t in fit.main.terms if fit.roles.get(t) != "lever"]
    wide = wide.reindex(terms).reset_index().rename(columns={"index": "term"})
    role = wide["term"].map(lambda t: fit.roles.get(t, "context"))
    status = wide["term"].map(lambda t: "consistent" if fit.consistent(t) else "not_established")
    wide.insert(1, "role", role)
    wide.insert(2, "status", status.where(role == "lever", "context"))
    opd = [
        catalogue[t].opd.key if r == "lever" else None
        for t, r in zip(wide["term"], role, strict=True)
    ]
    wide.insert(3, "opd", pd.Series(opd, dtype=object))
    return wide


def variant_order(ex: Explanation) -> list[str]:
    """The variants of an explanation's fit, the main one first."""
    if ex.fit is None:
        return []
    main = ex.fit.main.variant
    return sorted(ex.fit.variants, key=lambda v: v != main)
