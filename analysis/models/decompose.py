"""Gap decomposition ("akar masalah"): a district's gap to a reference, split by driver.

    gap = y_d - y_ref = sum_k beta_k (z_dk - z_ref,k) + unexplained

z are the standardized (transformed) drivers of the model, y_ref and z_ref,k are medians over the
reference group (the other districts of the model sample: all of them, the province's, or the
peers'). The parts sum exactly to the gap: `unexplained` is defined as the rest. Each contribution
has the interval beta_k's 95 % interval gives (the driver gap is taken as known). These are
associations across districts, not causal effects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import AnalysisError
from analysis.models.fit import DriverModel

REFERENCES = ("national", "province", "peers")
MIN_REFERENCE = 3


@dataclass(frozen=True)
class Contribution:
    driver: str
    value: float  # contribution to the gap, outcome units
    ci_low: float
    ci_high: float
    district_value: float  # driver, raw units
    reference_value: float  # driver median of the reference group, raw units
    opd: str
    worsens: bool  # pulls the district's outcome in the unfavourable direction
    certain: bool  # the 95 % interval excludes zero (sign known at that level)


@dataclass
class Decomposition:
    district_code: str
    outcome: str
    year: int
    reference: str
    reference_n: int
    district_value: float
    reference_value: float
    gap: float
    contributions: list[Contribution]
    unexplained: float
    model_id: str
    direction: str
    notes: list[str] = field(default_factory=list)

    @property
    def explained(self) -> float:
        return math.fsum(c.value for c in self.contributions)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.__dict__ for c in self.contributions])

    def to_dict(self) -> dict[str, Any]:
        return {
            "district_code": self.district_code,
            "outcome": self.outcome,
            "year": self.year,
            "reference": self.reference,
            "reference_n": self.reference_n,
            "district_value": self.district_value,
            "reference_value": self.reference_value,
            "gap": self.gap,
            "unexplained": self.unexplained,
            "model_id": self.model_id,
            "contributions": [c.__dict__ for c in self.contributions],
            "notes": self.notes,
        }


def _harm(value: float, direction: str) -> float:
    """How much a contribution pulls the outcome the wrong way (positive = harmful)."""
    return -value if direction == "higher" else value if direction == "lower" else abs(value)


def decompose(
    model: DriverModel,
    district_code: str,
    reference_codes: list[str],
    reference: str,
    catalogue: Catalogue,
) -> Decomposition:
    """Decompose `district_code`'s gap to the median of `reference_codes` (within the sample)."""
    if model.kind != "cross_section":
        raise AnalysisError("gap decompositions use a cross-section model")
    sample = model.sample.set_index("district_code")
    if district_code not in sample.index:
        reason = model.dropped.set_index("district_code")["reason"].get(
            district_code, f"no {model.outcome} value for {model.year}"
        )
        raise AnalysisError(
            f"district {district_code} is not in the {model.model_id} sample: {reason}"
        )
    group = sample.loc[[c for c in reference_codes if c in sample.index and c != district_code]]
    if len(group) < MIN_REFERENCE:
        raise AnalysisError(
            f"only {len(group)} {reference} reference districts in the model "
            f"sample (need {MIN_REFERENCE})"
        )
    direction = catalogue[model.outcome].direction
    y_d = float(sample.at[district_code, model.outcome])
    y_ref = float(group[model.outcome].median())
    coefs = model.coefficients.set_index("term")
    parts = []
    for driver in model.drivers:
        z_d = float(model.standardize(driver, sample.at[district_code, driver]))
        z_ref = float(model.standardize(driver, group[driver]).median())
        delta = z_d - z_ref
        beta = coefs.loc[driver]
        value = float(beta["estimate"]) * delta
        low, high = sorted((float(beta["ci_low"]) * delta, float(beta["ci_high"]) * delta))
        parts.append(
            Contribution(
                driver=driver,
                value=value,
                ci_low=low,
                ci_high=high,
                district_value=float(sample.at[district_code, driver]),
                reference_value=float(group[driver].median()),
                opd=catalogue[driver].opd.key,
                worsens=_harm(value, direction) > 0,
                certain=low > 0 or high < 0,
            )
        )
    parts.sort(key=lambda c: _harm(c.value, direction), reverse=True)
    gap = y_d - y_ref
    unexplained = gap - math.fsum(c.value for c in parts)
    return Decomposition(
        district_code=district_code,
        outcome=model.outcome,
        year=int(model.year),
        reference=reference,
        reference_n=len(group),
        district_value=y_d,
        reference_value=y_ref,
        gap=gap,
        contributions=parts,
        unexplained=unexplained,
        model_id=model.model_id,
        direction=direction,
    )
