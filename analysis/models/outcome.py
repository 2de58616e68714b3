"""All variants of one outcome's cross-section model on the same districts, and the verdict on
each lever across them (`robustness`): the unit a decomposition reads."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.models.assemble import PROVENANCE_COLUMNS, CrossSection
from analysis.models.design import build_design
from analysis.models.estimators import MAIN_VARIANT, VARIANTS
from analysis.models.fit import DriverModel, fit_variant
from analysis.models.robustness import lever_status
from analysis.models.spec import ModelSettings, OutcomeSpec


@dataclass
class OutcomeFit:
    """One outcome's cross-section models. `robustness`: one row per lever with `consistent`
    and, per variant, `holds_<variant>` (sign as the main model's, Holm-adjusted p < alpha)."""

    outcome: str
    year: int
    variants: dict[str, DriverModel]
    robustness: pd.DataFrame
    provenance: pd.DataFrame  # district_code, variable, year, source, denominator_year/source
    would_help: tuple[str, ...] = ()
    fit_seconds: float = 0.0
    alpha: float = 0.05
    # derived structures readers build once per fit (not stored)
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def main(self) -> DriverModel:
        return self.variants[MAIN_VARIANT]

    @property
    def roles(self) -> dict[str, str]:
        return self.main.roles

    def consistent(self, lever: str) -> bool:
        found = self.cache.get("consistent")
        if found is None:
            rows = self.robustness.drop_duplicates("term")
            found = self.cache["consistent"] = dict(
                zip(rows["term"], rows["consistent"].astype(bool), strict=True)
            )
        return bool(found.get(lever, False))

    def comparison(self) -> pd.DataFrame:
        """Every slope term side by side: role, and per variant estimate, 95 % interval, Holm
        interval and p-values (long: one row per term and variant)."""
        rows = []
        for variant, model in self.variants.items():
            table = model.table[model.table["term"] != "const"]
            rows.append(table.assign(variant=variant))
        long = pd.concat(rows, ignore_index=True)
        status = self.robustness.set_index("term")["consistent"]
        return long.assign(consistent=long["term"].map(status))

    def fit_table(self) -> pd.DataFrame:
        """One row per variant: n, R², within R², CV R², Moran's I (p), fit quality data."""
        return pd.DataFrame(
            [
                {
                    "variant": v,
                    "n": m.n,
                    "n_groups": m.n_groups,
                    "r2": m.r2,
                    "r2_within": m.r2_within,
                    "r2_cv": m.r2_cv,
                    "moran_i": (m.moran or {}).get("i"),
                    "moran_p": (m.moran or {}).get("p_value"),
                    "cov_type": m.cov_type,
                    **({"lambda": m.extra["lambda"]} if "lambda" in m.extra else {}),
                }
                for v, m in self.variants.items()
            ]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "year": self.year,
            "variants": {v: m.model_id for v, m in self.variants.items()},
            "robustness": self.robustness.to_dict("list"),
            "provenance": self.provenance.astype(object)
            .where(self.provenance.notna(), None)
            .to_dict("list"),
            "would_help": list(self.would_help),
            "fit_seconds": self.fit_seconds,
            "alpha": self.alpha,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], models: dict[str, DriverModel]) -> OutcomeFit:
        provenance = pd.DataFrame(d["provenance"], columns=PROVENANCE_COLUMNS)
        provenance["district_code"] = provenance["district_code"].astype(str)
        provenance["year"] = provenance["year"].astype(int)
        provenance["denominator_year"] = provenance["denominator_year"].astype(float)
        return cls(
            outcome=d["outcome"],
            year=d["year"],
            variants={v: models[mid] for v, mid in d["variants"].items()},
            robustness=pd.DataFrame(d["robustness"]),
            provenance=provenance,
            would_help=tuple(d.get("would_help") or ()),
            fit_seconds=d.get("fit_seconds", 0.0),
            alpha=d.get("alpha", 0.05),
        )


def fit_outcome(
    cs: CrossSection,
    spec: OutcomeSpec,
    drivers: tuple[str, ...],
    catalogue: Catalogue,
    settings: ModelSettings,
    province: pd.Series,
    is_kota: pd.Series | None,
    island: pd.Series | None,
    weights_for=None,
    variants: tuple[str, ...] = VARIANTS,
    diagnostics: bool = True,
) -> OutcomeFit:
    """Fit every variant of `spec` on the cross-section `cs`. Drivers that do not vary in the
    sample are left out (with a warning)."""
    start = time.perf_counter()
    constant = [d for d in drivers if cs.data[d].nunique() < 2]
    used = tuple(d for d in drivers if d not in constant)
    terms = spec.registry_terms
    design = build_design(
        cs.data,
        cs.outcome,
        used,
        catalogue,
        province,
        is_kota if "kota" in terms else None,
        island if "island" in terms else None,
    )
    roles = {d: spec.role(d) for d in used}
    if design.kota is not None:
        roles["kota"] = "context"
    roles.update(dict.fromkeys(design.islands.columns, "context"))
    sample = cs.data.reset_index().assign(
        province_code=design.province.reindex(cs.data.index).to_numpy(),
        kota=(
            is_kota.reindex(cs.data.index).astype(float).to_numpy() if is_kota is not None else 0.0
        ),
        island=design.island.reindex(cs.data.index).to_numpy(),
    )
    if weights_for is None:
        variants = tuple(v for v in variants if v != "spatial_error")
    fitted = {
        v: fit_variant(
            design,
            v,
            outcome=cs.outcome,
            year=cs.year,
            drivers=used,
            roles=roles,
            settings=settings,
            sample=sample,
            dropped=cs.dropped,
            weights_for=weights_for,
            diagnostics=diagnostics,
        )
        for v in variants
    }
    for model in fitted.values():
        model.warnings += [{"code": "constant_driver", "driver": d} for d in constant]
    levers = [t for t, r in roles.items() if r == "lever"]
    status = lever_status({v: m.table for v, m in fitted.items()}, levers, settings.alpha)
    return OutcomeFit(
        outcome=cs.outcome,
        year=cs.year,
        variants=fitted,
        robustness=status,
        provenance=cs.provenance,
        would_help=spec.would_help,
        fit_seconds=time.perf_counter() - start,
        alpha=settings.alpha,
    )
