"""Fitting one variant of a driver model into a `DriverModel`. Results are associations across
districts, not causal effects: the object carries n, R², within-province R², cross-validated R²,
Moran's I of the residuals, 95 % and Holm-adjusted intervals, VIFs and warnings for thin models,
and the report says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from statsmodels.tools.tools import add_constant

from analysis.catalogue import Catalogue
from analysis.models.design import (
    CONST,
    Design,
    standardize_frame,
    transform_values,
)
from analysis.models.estimators import (
    Estimate,
    fit_pooled_hc3,
    fit_province_fe,
    fit_spatial_error,
)
from analysis.models.robustness import critical_value, holm_columns, p_values
from analysis.models.spatial import residual_moran
from analysis.models.spec import ModelSettings
from analysis.models.validation import (
    cross_validated_r2,
    fixed_effects_predictor,
    least_squares_predictor,
    within_r2,
)

__all__ = ["DriverModel", "fit_variant", "fit_panel", "thin_model_warnings", "transform_values"]

COEF_COLUMNS = [
    "term",
    "role",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "p_holm",
    "ci_low_holm",
    "ci_high_holm",
    "vif",
    "mean",
    "sd",
    "transform",
]
COV_TYPES = {
    "province_fe": "cluster(province)",
    "hc3": "HC3",
    "spatial_error": "GM_Error_Het",
}


@dataclass
class DriverModel:
    """One fitted variant. Coefficients of panel drivers are per one standard deviation of the
    (transformed) driver, in the outcome's unit; `kota` and island terms are 0/1 dummies."""

    model_id: str
    outcome: str
    kind: str  # "cross_section" | "panel"
    variant: str  # "province_fe" | "hc3" | "spatial_error" | "panel_fe"
    drivers: tuple[str, ...]  # panel drivers (levers and context indicators)
    n: int
    r2: float
    r2_adj: float | None
    table: pd.DataFrame  # every term: COEF_COLUMNS
    cov: pd.DataFrame
    sample: pd.DataFrame  # district_code, province_code, outcome, raw drivers, kota, island,
    # fitted, residual
    dropped: pd.DataFrame  # district_code, reason
    warnings: list[dict[str, Any]] = field(default_factory=list)
    year: int | None = None
    years: tuple[int, int] | None = None
    n_groups: int | None = None
    fixed_effects: str = "none"
    cov_type: str = "HC3"
    roles: dict[str, str] = field(default_factory=dict)  # term -> lever | context
    r2_within: float | None = None
    r2_cv: float | None = None
    moran: dict[str, Any] | None = None  # MoranResult.to_dict()
    sigma2: float | None = None
    df: float | None = None  # t degrees of freedom of the intervals (None = normal)
    province_effects: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def coefficients(self) -> pd.DataFrame:
        """The constant and the panel drivers (what a table of drivers shows)."""
        keep = self.table["term"].isin([CONST, *self.drivers])
        return self.table[keep].reset_index(drop=True)

    @property
    def terms(self) -> list[str]:
        """Every slope term (no constant): panel drivers, kota, island dummies."""
        return [t for t in self.table["term"] if t != CONST]

    @property
    def levers(self) -> list[str]:
        return [t for t in self.terms if self.roles.get(t) == "lever"]

    def summary(self) -> pd.DataFrame:
        """Coefficient table: estimate, SE, 95 % and Holm intervals, p-values, VIF."""
        return self.table.set_index("term")

    def to_frame(self) -> pd.DataFrame:
        return self.table.assign(model_id=self.model_id, n=self.n, r2=self.r2)

    @cached_property
    def by_term(self) -> pd.DataFrame:
        """The coefficient table indexed by term (built once: the table is not changed after
        the fit)."""
        return self.table.set_index("term")

    @cached_property
    def _scales(self) -> dict[str, tuple]:
        """(sd, transform, mean) by term, as `standardize` has looked them up."""
        return {}

    def standardize(self, term: str, values):
        """A raw driver value on the model's scale; dummies are used as they are."""
        scale = self._scales.get(term)
        if scale is None:
            row = self.by_term.loc[term]
            scale = self._scales[term] = (row["sd"], row["transform"] or None, row["mean"])
        sd, transform, mean = scale
        if not np.isfinite(sd) or sd == 0:
            return values
        return (transform_values(values, transform) - mean) / sd

    @property
    def beta(self) -> pd.Series:
        return self.by_term["estimate"]

    @property
    def is_thin(self) -> bool:
        return bool(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "outcome": self.outcome,
            "kind": self.kind,
            "variant": self.variant,
            "drivers": list(self.drivers),
            "n": self.n,
            "r2": self.r2,
            "r2_adj": self.r2_adj,
            "year": self.year,
            "years": list(self.years) if self.years else None,
            "n_groups": self.n_groups,
            "fixed_effects": self.fixed_effects,
            "cov_type": self.cov_type,
            "warnings": self.warnings,
            "roles": self.roles,
            "r2_within": self.r2_within,
            "r2_cv": self.r2_cv,
            "moran": self.moran,
            "sigma2": self.sigma2,
            "df": self.df,
            "province_effects": self.province_effects,
            "extra": self.extra,
            "table": self.table.replace({np.nan: None}).to_dict("list"),
            "cov": {"terms": list(self.cov.index), "values": self.cov.to_numpy().tolist()},
            "sample": self.sample.replace({np.nan: None}).to_dict("list"),
            "dropped": self.dropped.to_dict("list"),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DriverModel:
        table = pd.DataFrame(d["table"], columns=COEF_COLUMNS)
        for col in COEF_COLUMNS[2:-1]:
            table[col] = table[col].astype(float)
        table["transform"] = table["transform"].fillna("")
        cov = pd.DataFrame(d["cov"]["values"], index=d["cov"]["terms"], columns=d["cov"]["terms"])
        sample = pd.DataFrame(d["sample"])
        if "district_code" in sample:
            sample["district_code"] = sample["district_code"].astype(str)
        if "province_code" in sample:
            sample["province_code"] = sample["province_code"].astype(str)
        return cls(
            model_id=d["model_id"],
            outcome=d["outcome"],
            kind=d["kind"],
            variant=d["variant"],
            drivers=tuple(d["drivers"]),
            n=d["n"],
            r2=d["r2"],
            r2_adj=d["r2_adj"],
            table=table,
            cov=cov,
            sample=sample,
            dropped=pd.DataFrame(d["dropped"], columns=["district_code", "reason"]),
            warnings=d["warnings"],
            year=d["year"],
            years=tuple(d["years"]) if d["years"] else None,
            n_groups=d["n_groups"],
            fixed_effects=d["fixed_effects"],
            cov_type=d["cov_type"],
            roles=d.get("roles") or {},
            r2_within=d.get("r2_within"),
            r2_cv=d.get("r2_cv"),
            moran=d.get("moran"),
            sigma2=d.get("sigma2"),
            df=d.get("df"),
            province_effects=d.get("province_effects") or {},
            extra=d.get("extra") or {},
        )


def vifs(z: pd.DataFrame) -> dict[str, float]:
    if z.shape[1] < 2:
        return dict.fromkeys(z.columns, 1.0)
    from statsmodels.stats.outliers_influence import variance_inflation_factor  # fitting only

    x = add_constant(z.to_numpy(), has_constant="add")
    return {d: float(variance_inflation_factor(x, i + 1)) for i, d in enumerate(z.columns)}


def thin_model_warnings(
    n: int, k: int, vif: dict[str, float], settings: ModelSettings
) -> list[dict[str, Any]]:
    found = []
    if n < settings.min_districts:
        found.append({"code": "few_districts", "n": n, "min": settings.min_districts})
    if k > n * settings.drivers_per_district:
        found.append({"code": "many_drivers", "k": k, "n": n})
    for driver, value in vif.items():
        if value > settings.max_vif:
            found.append(
                {
                    "code": "collinear",
                    "driver": driver,
                    "vif": round(value, 1),
                    "max": settings.max_vif,
                }
            )
    return found


def coefficient_table(
    est: Estimate,
    scale: pd.DataFrame,
    vif: dict[str, float],
    roles: dict[str, str],
    alpha: float,
) -> pd.DataFrame:
    """Estimates with SE, p and intervals from the estimate's covariance and critical values,
    Holm columns for the levers, and the standardization of each panel driver."""
    se = np.sqrt(np.diag(est.cov.loc[est.params.index, est.params.index].to_numpy()))
    q = critical_value(alpha, est.df)
    estimate = est.params.to_numpy(dtype=float)
    table = pd.DataFrame(
        {
            "term": list(est.params.index),
            "role": [roles.get(t, "context") if t != CONST else "" for t in est.params.index],
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - q * se,
            "ci_high": estimate + q * se,
            "p_value": p_values(estimate, se, est.df),
        }
    )
    levers = [t for t in table["term"] if roles.get(t) == "lever"]
    table = holm_columns(table, levers, alpha, est.df)
    table["vif"] = table["term"].map(vif)
    table = table.merge(scale, on="term", how="left")
    table["transform"] = table["transform"].fillna("")
    return table[COEF_COLUMNS]


def _estimate(design: Design, variant: str, w) -> Estimate:
    x = design.matrix(variant)
    if variant == "province_fe":
        return fit_province_fe(design.y, x, design.province)
    if variant == "hc3":
        return fit_pooled_hc3(design.y, x)
    if variant == "spatial_error":
        return fit_spatial_error(design.y, x, w)
    raise ValueError(f"unknown variant {variant!r}")


def _cv_predictor(design: Design, variant: str, weights_for):
    x = design.matrix(variant).to_numpy(dtype=float)
    y = design.y.to_numpy(dtype=float)
    if variant == "province_fe":
        return fixed_effects_predictor(x, y, design.province.to_numpy())
    if variant == "hc3":
        return least_squares_predictor(x, y)

    codes = list(design.y.index)

    def predict(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        part = design.subset([codes[i] for i in train])
        w, _ = weights_for([codes[i] for i in train])
        est = fit_spatial_error(part.y, part.matrix(variant), w)
        return x[test] @ est.params.to_numpy()

    return predict


def fit_variant(
    design: Design,
    variant: str,
    *,
    outcome: str,
    year: int,
    drivers: tuple[str, ...],
    roles: dict[str, str],
    settings: ModelSettings,
    sample: pd.DataFrame,
    dropped: pd.DataFrame,
    weights_for=None,
    diagnostics: bool = True,
) -> DriverModel:
    """One variant on the shared design. `weights_for(codes) -> (W, linked)` gives spatial
    weights (needed by the spatial variant and for Moran's I; without it neither is computed).
    Without `diagnostics`, no Moran's I and no cross-validation (the simulation's speed)."""
    w, linked = weights_for(list(design.y.index)) if weights_for else (None, 0)
    est = _estimate(design, variant, w)
    vif = vifs(pd.concat([design.z, design.kota], axis=1) if design.kota is not None else design.z)
    table = coefficient_table(est, design.scale, vif, roles, settings.alpha)
    r2 = 1 - float((est.residuals**2).sum()) / float(((design.y - design.y.mean()) ** 2).sum())
    k = len(table) - (1 if CONST in set(table["term"]) else 0) + (est.n_groups or 1)
    moran = None
    if w is not None and diagnostics:
        resid = est.moran_residuals if est.moran_residuals is not None else est.residuals
        moran = residual_moran(resid, w, settings.moran_permutations, settings.seed, linked)
    cv = None
    if diagnostics and settings.cv_folds >= 2:
        predictor = _cv_predictor(design, variant, weights_for)
        cv = cross_validated_r2(design.y, predictor, settings.cv_folds, settings.seed)
    warnings = thin_model_warnings(len(design.y), len(drivers), vif, settings)
    return DriverModel(
        model_id=f"{outcome}/cross_section/{variant}",
        outcome=outcome,
        kind="cross_section",
        variant=variant,
        drivers=drivers,
        n=len(design.y),
        r2=r2,
        r2_adj=1 - (1 - r2) * (len(design.y) - 1) / max(len(design.y) - k, 1),
        table=table,
        cov=est.cov,
        sample=sample.assign(
            fitted=est.fitted.reindex(sample["district_code"]).to_numpy(),
            residual=est.residuals.reindex(sample["district_code"]).to_numpy(),
        ),
        dropped=dropped,
        warnings=warnings,
        year=year,
        n_groups=est.n_groups,
        fixed_effects="province" if variant == "province_fe" else "none",
        cov_type=COV_TYPES[variant],
        roles=roles,
        r2_within=within_r2(design.y, est.residuals, design.province),
        r2_cv=cv,
        moran=moran.to_dict() if moran else None,
        sigma2=est.sigma2,
        df=est.df,
        province_effects=est.province_effects,
        extra=est.extra,
    )


def fit_panel(
    data: pd.DataFrame,
    outcome: str,
    drivers: tuple[str, ...],
    catalogue: Catalogue,
    settings: ModelSettings,
    years: tuple[int, int],
) -> DriverModel:
    """PanelOLS with district and year effects, errors clustered by district."""
    from linearmodels.panel import PanelOLS  # here: reports read fitted models, never fit

    z, scale = standardize_frame(data, drivers, catalogue)
    result = PanelOLS(data[outcome].astype(float), z, entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    vif = vifs(z)
    ci = result.conf_int(level=1 - settings.alpha)
    table = pd.DataFrame(
        {
            "term": list(result.params.index),
            "role": "",
            "estimate": result.params.to_numpy(dtype=float),
            "std_error": result.std_errors.to_numpy(dtype=float),
            "ci_low": ci.iloc[:, 0].to_numpy(dtype=float),
            "ci_high": ci.iloc[:, 1].to_numpy(dtype=float),
            "p_value": result.pvalues.to_numpy(dtype=float),
            "p_holm": np.nan,
            "ci_low_holm": np.nan,
            "ci_high_holm": np.nan,
        }
    )
    table["vif"] = table["term"].map(vif)
    table = table.merge(scale, on="term", how="left")[COEF_COLUMNS]
    n_entities = int(data.index.get_level_values(0).nunique())
    return DriverModel(
        model_id=f"{outcome}/panel/panel_fe",
        outcome=outcome,
        kind="panel",
        variant="panel_fe",
        drivers=drivers,
        n=int(result.nobs),
        r2=float(result.rsquared),
        r2_adj=None,
        table=table,
        cov=pd.DataFrame(result.cov),
        sample=data.reset_index(),
        dropped=pd.DataFrame(columns=["district_code", "reason"]),
        warnings=thin_model_warnings(n_entities, len(drivers), vif, settings),
        years=years,
        n_groups=n_entities,
        fixed_effects="district+year",
        cov_type="clustered(district)",
    )
