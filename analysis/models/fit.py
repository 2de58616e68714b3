"""Fitting driver models. Results are associations across districts, not causal effects: the
result object carries n, R², 95 % intervals, VIFs and warnings for thin models, and the report
says so."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from linearmodels.panel import PanelOLS
from statsmodels.stats.outliers_influence import variance_inflation_factor

from analysis.catalogue import Catalogue
from analysis.models.assemble import CrossSection
from analysis.models.spec import ModelSettings

CONST = "const"
COEF_COLUMNS = [
    "term",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "vif",
    "mean",
    "sd",
    "transform",
]


def transform_values(values: pd.Series | np.ndarray | float, transform: str | None):
    if transform == "log1p":
        return np.log1p(values)
    return values


@dataclass
class DriverModel:
    """One fitted model. Coefficients are per one standard deviation of the (transformed) driver,
    in the outcome's unit."""

    model_id: str
    outcome: str
    kind: str  # "cross_section" | "panel"
    variant: str  # "hc3" | "province_fe" | "panel_fe"
    drivers: tuple[str, ...]
    n: int
    r2: float
    r2_adj: float | None
    coefficients: pd.DataFrame
    cov: pd.DataFrame
    sample: pd.DataFrame  # district_code (+ year), province_code, outcome, raw drivers
    dropped: pd.DataFrame  # district_code, reason
    warnings: list[dict[str, Any]] = field(default_factory=list)
    year: int | None = None
    years: tuple[int, int] | None = None
    n_groups: int | None = None
    fixed_effects: str = "none"
    cov_type: str = "HC3"

    def summary(self) -> pd.DataFrame:
        """Coefficient table: estimate, robust SE, 95 % interval, p-value, VIF."""
        return self.coefficients.set_index("term")

    def to_frame(self) -> pd.DataFrame:
        return self.coefficients.assign(model_id=self.model_id, n=self.n, r2=self.r2)

    def standardize(self, driver: str, values):
        row = self.coefficients.set_index("term").loc[driver]
        return (transform_values(values, row["transform"] or None) - row["mean"]) / row["sd"]

    @property
    def beta(self) -> pd.Series:
        return self.coefficients.set_index("term")["estimate"]

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
            "coefficients": self.coefficients.replace({np.nan: None}).to_dict("list"),
            "cov": {"terms": list(self.cov.index), "values": self.cov.to_numpy().tolist()},
            "sample": self.sample.replace({np.nan: None}).to_dict("list"),
            "dropped": self.dropped.to_dict("list"),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DriverModel:
        coefs = pd.DataFrame(d["coefficients"], columns=COEF_COLUMNS)
        coefs["transform"] = coefs["transform"].fillna("")
        cov = pd.DataFrame(d["cov"]["values"], index=d["cov"]["terms"], columns=d["cov"]["terms"])
        sample = pd.DataFrame(d["sample"])
        if "district_code" in sample:
            sample["district_code"] = sample["district_code"].astype(str)
        return cls(
            model_id=d["model_id"],
            outcome=d["outcome"],
            kind=d["kind"],
            variant=d["variant"],
            drivers=tuple(d["drivers"]),
            n=d["n"],
            r2=d["r2"],
            r2_adj=d["r2_adj"],
            coefficients=coefs,
            cov=cov,
            sample=sample,
            dropped=pd.DataFrame(d["dropped"], columns=["district_code", "reason"]),
            warnings=d["warnings"],
            year=d["year"],
            years=tuple(d["years"]) if d["years"] else None,
            n_groups=d["n_groups"],
            fixed_effects=d["fixed_effects"],
            cov_type=d["cov_type"],
        )


def standardize_frame(
    raw: pd.DataFrame, drivers: tuple[str, ...], catalogue: Catalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """z-scores of the transformed drivers, and the (mean, sd, transform) used."""
    z = pd.DataFrame(index=raw.index)
    scale = []
    for d in drivers:
        transform = catalogue[d].transform or ""
        values = transform_values(raw[d].astype(float), transform or None)
        mean, sd = float(values.mean()), float(values.std(ddof=1))
        z[d] = (values - mean) / sd if sd > 0 else np.nan
        scale.append({"term": d, "mean": mean, "sd": sd, "transform": transform})
    return z, pd.DataFrame(scale)


def vifs(z: pd.DataFrame) -> dict[str, float]:
    if z.shape[1] < 2:
        return dict.fromkeys(z.columns, 1.0)
    x = sm.add_constant(z.to_numpy(), has_constant="add")
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


def _coef_table(
    params, bse, ci, pvalues, scale: pd.DataFrame, vif: dict[str, float]
) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            "term": list(params.index),
            "estimate": params.to_numpy(dtype=float),
            "std_error": bse.to_numpy(dtype=float),
            "ci_low": ci.iloc[:, 0].to_numpy(dtype=float),
            "ci_high": ci.iloc[:, 1].to_numpy(dtype=float),
            "p_value": pvalues.to_numpy(dtype=float),
        }
    )
    table["vif"] = table["term"].map(vif)
    table = table.merge(scale, on="term", how="left")
    table["transform"] = table["transform"].fillna("")
    return table[COEF_COLUMNS]


def fit_cross_section(
    cs: CrossSection,
    drivers: tuple[str, ...],
    catalogue: Catalogue,
    settings: ModelSettings,
    province: pd.Series,
    variant: str = "hc3",
) -> DriverModel:
    """OLS of the outcome on standardized drivers. `hc3`: HC3 errors. `province_fe`: province
    dummies, errors clustered by province."""
    constant = [d for d in drivers if cs.data[d].nunique() < 2]
    used = tuple(d for d in drivers if d not in constant)
    z, scale = standardize_frame(cs.data, used, catalogue)
    y = cs.data[cs.outcome].astype(float)
    x = sm.add_constant(z, has_constant="add")
    groups = province.reindex(cs.data.index)
    if variant == "province_fe":
        dummies = pd.get_dummies(groups, prefix="prov", drop_first=True, dtype=float)
        result = sm.OLS(y, pd.concat([x, dummies], axis=1)).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(groups)[0]}
        )
        keep = [CONST, *used]
    else:
        result = sm.OLS(y, x).fit(cov_type="HC3")
        keep = [CONST, *used]
    vif = vifs(z)
    ci = result.conf_int(alpha=0.05).loc[keep]
    coefs = _coef_table(result.params[keep], result.bse[keep], ci, result.pvalues[keep], scale, vif)
    warnings = thin_model_warnings(len(y), len(used), vif, settings)
    warnings += [{"code": "constant_driver", "driver": d} for d in constant]
    sample = cs.data.reset_index().assign(province_code=groups.to_numpy())
    return DriverModel(
        model_id=f"{cs.outcome}/cross_section/{variant}",
        outcome=cs.outcome,
        kind="cross_section",
        variant=variant,
        drivers=used,
        n=int(result.nobs),
        r2=float(result.rsquared),
        r2_adj=float(result.rsquared_adj),
        coefficients=coefs,
        cov=pd.DataFrame(result.cov_params()).loc[keep, keep],
        sample=sample,
        dropped=cs.dropped,
        warnings=warnings,
        year=cs.year,
        n_groups=int(groups.nunique()) if variant == "province_fe" else None,
        fixed_effects="province" if variant == "province_fe" else "none",
        cov_type="cluster(province)" if variant == "province_fe" else "HC3",
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
    z, scale = standardize_frame(data, drivers, catalogue)
    result = PanelOLS(data[outcome].astype(float), z, entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    vif = vifs(z)
    ci = result.conf_int(level=0.95)
    coefs = _coef_table(result.params, result.std_errors, ci, result.pvalues, scale, vif)
    n_entities = int(data.index.get_level_values(0).nunique())
    warnings = thin_model_warnings(n_entities, len(drivers), vif, settings)
    return DriverModel(
        model_id=f"{outcome}/panel/panel_fe",
        outcome=outcome,
        kind="panel",
        variant="panel_fe",
        drivers=drivers,
        n=int(result.nobs),
        r2=float(result.rsquared),
        r2_adj=None,
        coefficients=coefs,
        cov=pd.DataFrame(result.cov),
        sample=data.reset_index(),
        dropped=pd.DataFrame(columns=["district_code", "reason"]),
        warnings=warnings,
        years=years,
        n_groups=n_entities,
        fixed_effects="district+year",
        cov_type="clustered(district)",
    )
