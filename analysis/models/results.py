"""What a gap decomposition returns: plain data (numbers, years, sources, codes), never
formatted text, so that the terminal, the report and JSON all read the same objects.

    Decomposition   one district, one outcome, one reference: gap = explained + unexplained
    Contribution    one part of the explained gap: a lever, a context driver, kota, or the
                    province's fixed effect, with its role, OPD, values, intervals, status
    Interval        low/high at a level (0.95, or a Holm step level)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

STATUSES = ("consistent", "not_established", "strength")


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    level: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class DistrictValue:
    """A driver's value for the district, with its year and source. For a ratio (per 100,000
    population) the denominator's year and source: when they differ from the numerator's,
    `year_mismatch` is true and the value must be printed with both years."""

    value: float
    year: int | None
    source: str | None
    denominator_year: int | None = None
    denominator_source: str | None = None

    @property
    def year_mismatch(self) -> bool:
        return self.denominator_year is not None and self.denominator_year != self.year

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "year_mismatch": self.year_mismatch}


@dataclass(frozen=True)
class ReferenceValue:
    """The mean of a driver over the reference districts, and the years and sources it mixes.

    The mean is taken on the scale the model uses, so that it agrees with the contribution and
    with the district's side: for a driver entering as log(1 + x) (`transform: log1p`: density,
    GRDP, staff ratios) it is the back-transformed mean expm1(mean(log1p(x))) — the geometric
    mean of 1 + x, less 1 — and `mean_kind` is "geometric"; otherwise the arithmetic mean."""

    value: float
    n: int
    year_min: int | None
    year_max: int | None
    sources: tuple[str, ...] = ()
    denominator_years: tuple[int, ...] = ()
    mean_kind: str = "arithmetic"  # arithmetic | geometric (see above)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sources"] = list(self.sources)
        out["denominator_years"] = list(self.denominator_years)
        return out


@dataclass(frozen=True)
class VariantEstimate:
    """A term's coefficient in one variant (per SD of the driver, outcome units) and the part of
    the gap it implies with the same driver difference."""

    variant: str
    estimate: float
    std_error: float
    interval: Interval
    p_value: float
    p_holm: float | None
    interval_holm: Interval | None
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["interval"] = self.interval.to_dict()
        out["interval_holm"] = self.interval_holm.to_dict() if self.interval_holm else None
        return out


@dataclass(frozen=True)
class PeerCheck:
    """A descriptive comparison of a lever with the structural peers (for *perlu dicek di
    lokakarya*): no estimated effect, only the values. `clearly_worse`: worse than the peers'
    mean by at least `threshold_sd` standard deviations of the driver across the model sample
    (mean and SD on the model's scale: of log(1 + x) for a log1p driver)."""

    peer_value: float
    peer_n: int
    difference: float  # district - peers, driver units
    difference_sd: float  # the same in SDs of the driver (signed: negative = worse)
    clearly_worse: bool
    threshold_sd: float
    mean_kind: str = "arithmetic"  # the peers' mean on the model's scale (see ReferenceValue)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Contribution:
    """One part of the explained gap.

    kind: indicator (a panel driver) | registry (kota) | fixed_effect (the province)
    role: lever | context. Only a lever has an OPD; only a lever has a status:
      strength         the district is better than the reference on it (never a root cause)
      consistent       sign and Holm-adjusted interval hold in every variant
      not_established  otherwise
    root_cause: a consistent lever on which the district is worse and whose part pulls the
      outcome the wrong way (*dugaan akar masalah*).
    to_verify: a not-established lever on which the district is clearly worse than its
      structural peers (*perlu dicek di lokakarya*; a descriptive gap, not an effect).
    """

    driver: str
    kind: str
    role: str
    opd: str | None
    value: float
    interval: Interval
    interval_holm: Interval | None = None
    district: DistrictValue | None = None
    reference: ReferenceValue | None = None
    side: str | None = None  # worse | better | same (by the driver's direction; levers)
    status: str | None = None
    robust: bool = False  # consistent across variants (whatever the district's side)
    sign_as_expected: bool | None = None  # the lever's association has the expected sign
    harmful: bool = False  # pulls the outcome in the unfavourable direction
    root_cause: bool = False
    to_verify: bool = False
    peer_check: PeerCheck | None = None  # every lever on which the district is worse
    variants: tuple[VariantEstimate, ...] = ()

    # -- the attributes the first report version read --------------------------------------
    @property
    def ci_low(self) -> float:
        return self.interval.low

    @property
    def ci_high(self) -> float:
        return self.interval.high

    @property
    def district_value(self) -> float | None:
        return self.district.value if self.district else None

    @property
    def reference_value(self) -> float | None:
        return self.reference.value if self.reference else None

    @property
    def worsens(self) -> bool:
        return self.harmful

    @property
    def certain(self) -> bool:
        """Robust across variants (after Holm)."""
        return self.robust

    def to_dict(self) -> dict[str, Any]:
        return {
            "driver": self.driver,
            "kind": self.kind,
            "role": self.role,
            "opd": self.opd,
            "value": self.value,
            "interval": self.interval.to_dict(),
            "interval_holm": self.interval_holm.to_dict() if self.interval_holm else None,
            "district": self.district.to_dict() if self.district else None,
            "reference": self.reference.to_dict() if self.reference else None,
            "side": self.side,
            "status": self.status,
            "robust": self.robust,
            "sign_as_expected": self.sign_as_expected,
            "harmful": self.harmful,
            "root_cause": self.root_cause,
            "to_verify": self.to_verify,
            "peer_check": self.peer_check.to_dict() if self.peer_check else None,
            "variants": {v.variant: v.to_dict() for v in self.variants},
        }


@dataclass
class Decomposition:
    """gap = district value - reference mean = explained + unexplained, where explained =
    prediction for the district - mean prediction over the reference (the sum of `parts`) and
    unexplained = the district's residual - the reference's mean residual (for the national and
    province references exactly the district's residual)."""

    district_code: str
    outcome: str
    year: int
    reference: str
    reference_n: int
    district_value: float
    reference_value: float
    gap: float
    parts: list[Contribution]
    explained_interval: Interval
    unexplained: float
    unexplained_interval: Interval  # prediction interval: excludes zero = unusual district
    district_residual: float
    reference_residual: float
    model_id: str
    direction: str
    outcome_source: str | None = None
    # why the district's outcome value is of low precision (analysis.series), if it is
    low_precision: tuple[str, ...] = ()
    would_help: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    @property
    def explained(self) -> float:
        return math.fsum(c.value for c in self.parts)

    @property
    def contributions(self) -> list[Contribution]:
        """The panel drivers' parts (levers and context indicators)."""
        return [c for c in self.parts if c.kind == "indicator"]

    @property
    def levers(self) -> list[Contribution]:
        return [c for c in self.parts if c.role == "lever"]

    @property
    def root_causes(self) -> list[Contribution]:
        return [c for c in self.parts if c.root_cause]

    @property
    def strengths(self) -> list[Contribution]:
        return [c for c in self.parts if c.status == "strength"]

    @property
    def to_verify(self) -> list[Contribution]:
        return [c for c in self.parts if c.to_verify]

    @property
    def unexplained_dominates(self) -> bool:
        """The measured factors do not explain the gap: |unexplained| > |explained|."""
        return abs(self.unexplained) > abs(self.explained)

    @property
    def gap_favourable(self) -> bool:
        """The district is better than its reference (by the outcome's direction)."""
        sign = {"higher": 1.0, "lower": -1.0}.get(self.direction, 0.0)
        return sign * self.gap > 0

    @property
    def unusual(self) -> bool:
        """The district lies outside its prediction interval given its context and levers."""
        return self.unexplained_interval.excludes_zero

    def to_frame(self, all_parts: bool = False) -> pd.DataFrame:
        """One row per panel driver's part (with `all_parts`, also kota and the province), flat:
        the columns the first report version read, and more."""
        rows = []
        for c in self.parts if all_parts else self.contributions:
            rows.append(
                {
                    "driver": c.driver,
                    "kind": c.kind,
                    "role": c.role,
                    "opd": c.opd,
                    "value": c.value,
                    "ci_low": c.ci_low,
                    "ci_high": c.ci_high,
                    "district_value": c.district_value,
                    "district_year": c.district.year if c.district else None,
                    "reference_value": c.reference_value,
                    "side": c.side,
                    "status": c.status,
                    "worsens": c.worsens,
                    "certain": c.certain,
                    "root_cause": c.root_cause,
                    "to_verify": c.to_verify,
                }
            )
        frame = pd.DataFrame(rows)
        if len(frame):  # keep None (no OPD, no status) as None, not as a missing string
            for col in ("opd", "status", "side"):
                frame[col] = pd.Series([r[col] for r in rows], dtype=object, index=frame.index)
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "district_code": self.district_code,
            "outcome": self.outcome,
            "year": self.year,
            "reference": self.reference,
            "reference_n": self.reference_n,
            "district_value": self.district_value,
            "outcome_source": self.outcome_source,
            "low_precision": list(self.low_precision),
            "reference_value": self.reference_value,
            "gap": self.gap,
            "explained": {"value": self.explained, **self.explained_interval.to_dict()},
            "unexplained": {
                "value": self.unexplained,
                **self.unexplained_interval.to_dict(),
                "kind": "prediction_interval",
                "district_residual": self.district_residual,
                "reference_residual": self.reference_residual,
                "unusual": self.unusual,
            },
            "unexplained_dominates": self.unexplained_dominates,
            "gap_favourable": self.gap_favourable,
            "would_help": list(self.would_help) if self.unexplained_dominates else [],
            "model_id": self.model_id,
            "contributions": [c.to_dict() for c in self.parts],
            "notes": self.notes,
        }
