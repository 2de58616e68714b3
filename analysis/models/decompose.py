"""Gap decomposition ("akar masalah") with the main model (province fixed effects).

With predictions yhat_i = alpha_p(i) + x_i' beta and residuals e_i = y_i - yhat_i, and the
reference a mean over districts R (all of the model sample, the province's, or the peers'):

    gap = y_d - mean_R y
        = [yhat_d - mean_R yhat]                                   explained
        + [e_d - mean_R e]                                         unexplained
    explained = sum_k beta_k (x_dk - mean_R x_k)                  one part per term
              + (alpha_p(d) - mean_R alpha_p(i))                  the province part (context)

The parts sum to the gap up to rounding. For the national and province references mean_R e is
exactly zero (least squares with province effects), so the unexplained part is the district's own
residual. Intervals:

- a term's part: its coefficient's interval (95 %, and Holm-adjusted for levers) times the
  driver difference, which is taken as known;
- the explained total: from the full covariance V of the slopes. alpha_p = ybar_p - xbar_p'beta,
  so explained = (mean outcome difference of the provinces) + g'beta with g = the driver
  differences minus the provinces' mean driver differences; Var = g'Vg + sigma^2 sum_p c_p^2/n_p
  (c_p: province p's weight in the district minus its weight in the reference);
- the unexplained part: a prediction interval, residual +/- q sqrt(sigma^2 + Var(yhat_d)
  [+ sigma^2/|R| for the peers]): it excludes zero when the district is unusual given its
  context and levers.

These are associations across districts, not causal effects.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.errors import AnalysisError
from analysis.models.design import CONST, transform_values
from analysis.models.outcome import OutcomeFit
from analysis.models.results import (
    Contribution,
    Decomposition,
    DistrictValue,
    Interval,
    PeerCheck,
    ReferenceValue,
    VariantEstimate,
)
from analysis.models.robustness import critical_value
from analysis.models.spec import PROVINCE_TERM

REFERENCES = ("national", "province", "peers")
MIN_REFERENCE = 3
CLEARLY_WORSE_SD = 0.5  # "clearly worse than the peers": by half an SD of the driver


def harm(value: float, direction: str) -> float:
    """How much a contribution pulls the outcome the wrong way (positive = harmful)."""
    return -value if direction == "higher" else value if direction == "lower" else abs(value)


def _sign(direction: str) -> float:
    return {"higher": 1.0, "lower": -1.0}.get(direction, 0.0)


class _Frame:
    """The model sample on the main model's scale: standardized terms, provinces, residuals."""

    def __init__(self, fit: OutcomeFit):
        main = fit.main
        self.main = main
        self.sample = main.sample.set_index("district_code")
        self.terms = main.terms
        self.x = pd.DataFrame(
            {t: main.standardize(t, self.sample[t].astype(float)) for t in self.terms}
        )
        self.province = self.sample["province_code"].astype(str)
        self.alpha = self.province.map(main.province_effects).astype(float)
        self.beta = main.beta.reindex(self.terms).to_numpy(dtype=float)
        self.cov = main.cov.loc[self.terms, self.terms].to_numpy(dtype=float)
        self.q = critical_value(fit.alpha, main.df)
        self.level = 1 - fit.alpha
        self.sigma2 = float(main.sigma2)
        self.x_province_mean = self.x.groupby(self.province).transform("mean")
        self.n_province = self.province.map(self.province.value_counts())
        self.tables = {v: m.table.set_index("term") for v, m in fit.variants.items()}
        self.transforms = main.table.set_index("term")["transform"].fillna("").to_dict()
        self.provenance = {
            var: rows.set_index("district_code")
            for var, rows in fit.provenance.groupby("variable", sort=False)
        }

    @classmethod
    def of(cls, fit: OutcomeFit) -> _Frame:
        """One frame per fitted model (a batch explains many districts with the same fit)."""
        frame = fit.cache.get("decompose_frame")
        if frame is None:
            frame = fit.cache["decompose_frame"] = cls(fit)
        return frame


def _reference_group(frame: _Frame, district_code: str, codes: list[str], reference: str):
    if district_code not in frame.sample.index:
        dropped = frame.main.dropped.set_index("district_code")["reason"]
        reason = dropped.get(district_code, f"no {frame.main.outcome} value for {frame.main.year}")
        raise AnalysisError(
            f"district {district_code} is not in the {frame.main.model_id} sample: {reason}"
        )
    group = [c for c in dict.fromkeys(codes) if c in frame.sample.index]
    if reference == "peers":
        group = [c for c in group if c != district_code]
    if len([c for c in group if c != district_code]) < MIN_REFERENCE:
        raise AnalysisError(
            f"only {len(group)} {reference} reference districts in the model "
            f"sample (need {MIN_REFERENCE})"
        )
    return group


def _explained_interval(frame: _Frame, d: str, group: list[str], explained: float) -> Interval:
    g = (frame.x.loc[d] - frame.x_province_mean.loc[d]) - (
        frame.x.loc[group] - frame.x_province_mean.loc[group]
    ).mean()
    g = g.to_numpy(dtype=float)
    weights = pd.Series(1.0 / len(group), index=group).groupby(frame.province.loc[group]).sum()
    c = -weights
    c[frame.province.at[d]] = c.get(frame.province.at[d], 0.0) + 1.0
    counts = frame.province.value_counts()
    noise = frame.sigma2 * float(sum(v**2 / counts[p] for p, v in c.items()))
    se = math.sqrt(max(float(g @ frame.cov @ g) + noise, 0.0))
    return Interval(explained - frame.q * se, explained + frame.q * se, frame.level)


def _holm_level(row: pd.Series, df: float | None) -> float:
    """The confidence level of a lever's Holm interval (its Holm step's)."""
    from scipy import stats

    q = (float(row["ci_high_holm"]) - float(row["estimate"])) / float(row["std_error"])
    tail = stats.norm.sf(q) if df is None else stats.t.sf(q, df)
    return float(1 - 2 * tail)


def _unexplained_interval(frame: _Frame, d: str, unexplained: float, peers: int) -> Interval:
    within = (frame.x.loc[d] - frame.x_province_mean.loc[d]).to_numpy(dtype=float)
    var_fit = float(within @ frame.cov @ within) + frame.sigma2 / float(frame.n_province.at[d])
    var = frame.sigma2 + var_fit + (frame.sigma2 / peers if peers else 0.0)
    h = frame.q * math.sqrt(var)
    return Interval(unexplained - h, unexplained + h, frame.level)


def _district_value(frame: _Frame, term: str, d: str) -> DistrictValue:
    if term == "kota":
        return DistrictValue(float(frame.sample.at[d, "kota"]), None, "registry")
    prov = frame.provenance.get(term)
    year = source = den_year = den_source = None
    if prov is not None and d in prov.index:
        r = prov.loc[d]
        year, source = int(r["year"]), r["source"]
        if pd.notna(r["denominator_year"]):
            den_year, den_source = int(r["denominator_year"]), r["denominator_source"]
    return DistrictValue(float(frame.sample.at[d, term]), year, source, den_year, den_source)


def model_scale_mean(values: pd.Series, transform: str | None) -> tuple[float, str]:
    """The mean of raw driver values on the scale the model uses, back in driver units, and its
    kind: for log1p drivers expm1(mean(log1p(x))) ("geometric"), else the arithmetic mean. The
    contribution is beta times the difference of the transformed values, so only this mean says
    on which side of the reference the district is in the model's eyes."""
    values = values.astype(float)
    if transform == "log1p":
        return float(np.expm1(np.log1p(values).mean())), "geometric"
    return float(values.mean()), "arithmetic"


def _reference_value(frame: _Frame, term: str, group: list[str]) -> ReferenceValue:
    value, kind = model_scale_mean(frame.sample.loc[group, term], frame.transforms.get(term))
    prov = frame.provenance.get(term)
    rows = prov.reindex(group).dropna(subset=["year"]) if prov is not None else None
    if rows is None:
        rows = pd.DataFrame(columns=["year", "source", "denominator_year"])
    years = rows["year"].dropna().astype(int)
    return ReferenceValue(
        value=value,
        n=len(group),
        year_min=int(years.min()) if len(years) else None,
        year_max=int(years.max()) if len(years) else None,
        sources=tuple(sorted(rows["source"].dropna().unique())),
        denominator_years=tuple(sorted(rows["denominator_year"].dropna().astype(int).unique())),
        mean_kind=kind,
    )


def _variant_estimates(
    fit: OutcomeFit, frame: _Frame, term: str, delta: float
) -> tuple[VariantEstimate, ...]:
    out = []
    for variant, model in fit.variants.items():
        table = frame.tables[variant]
        if term not in table.index:
            continue
        r = table.loc[term]
        holm = None
        if pd.notna(r["ci_low_holm"]):
            level = _holm_level(r, model.df)
            holm = Interval(float(r["ci_low_holm"]), float(r["ci_high_holm"]), level)
        out.append(
            VariantEstimate(
                variant=variant,
                estimate=float(r["estimate"]),
                std_error=float(r["std_error"]),
                interval=Interval(float(r["ci_low"]), float(r["ci_high"]), 1 - fit.alpha),
                p_value=float(r["p_value"]),
                p_holm=float(r["p_holm"]) if pd.notna(r["p_holm"]) else None,
                interval_holm=holm,
                contribution=float(r["estimate"]) * delta,
            )
        )
    return tuple(out)


def _scaled(low: float, high: float, delta: float, level: float) -> Interval:
    a, b = sorted((low * delta, high * delta))
    return Interval(a, b, level)


def _side(district: float, reference: float, direction: str, tolerance: float) -> str:
    diff = _sign(direction) * (district - reference)
    if abs(district - reference) <= tolerance:
        return "same"
    return "better" if diff > 0 else "worse"


def _peer_check(frame: _Frame, term: str, d: str, peers: list[str], direction: str):
    peers = [p for p in peers if p in frame.sample.index and p != d]
    if not peers:
        return None
    transform = frame.transforms.get(term)
    scaled = transform_values(frame.sample[term].astype(float), transform or None)
    sd = float(scaled.std(ddof=1))
    mine = float(frame.sample.at[d, term])
    theirs, kind = model_scale_mean(frame.sample.loc[peers, term], transform)
    gap = float(scaled.at[d] - scaled.loc[peers].mean())  # model scale, as the contribution
    diff_sd = _sign(direction) * gap / sd if sd > 0 else 0.0
    return PeerCheck(
        peer_value=theirs,
        peer_n=len(peers),
        difference=mine - theirs,
        difference_sd=diff_sd,
        clearly_worse=diff_sd <= -CLEARLY_WORSE_SD,
        threshold_sd=CLEARLY_WORSE_SD,
        mean_kind=kind,
    )


def _term_part(fit, frame, term, d, group, catalogue, outcome_direction, peers) -> Contribution:
    role = fit.roles.get(term, "context")
    delta = float(frame.x.at[d, term] - frame.x.loc[group, term].mean())
    row = frame.tables[fit.main.variant].loc[term]
    beta = float(row["estimate"])
    value = beta * delta
    level = 1 - fit.alpha
    kind = "registry" if term == "kota" else "indicator"
    district = _district_value(frame, term, d)
    reference = _reference_value(frame, term, group)
    part = dict(
        driver=term,
        kind=kind,
        role=role,
        value=value,
        interval=_scaled(float(row["ci_low"]), float(row["ci_high"]), delta, level),
        district=district,
        reference=reference,
        harmful=harm(value, outcome_direction) > 0,
        variants=_variant_estimates(fit, frame, term, delta),
    )
    if role != "lever":
        return Contribution(**part, opd=None)
    direction = catalogue[term].direction
    side = _side(district.value, reference.value, direction, 1e-9)
    robust = fit.consistent(term)
    expected = _sign(direction) * _sign(outcome_direction)
    status = "strength" if side == "better" else "consistent" if robust else "not_established"
    # the descriptive comparison with the peers, for every lever on which the district is worse
    check = _peer_check(frame, term, d, peers, direction) if side == "worse" else None
    return Contribution(
        **part,
        opd=catalogue[term].opd.key,
        interval_holm=_scaled(
            float(row["ci_low_holm"]),
            float(row["ci_high_holm"]),
            delta,
            _holm_level(row, fit.main.df),
        ),
        side=side,
        status=status,
        robust=robust,
        sign_as_expected=bool(np.sign(beta) == expected) if beta != 0 else None,
        root_cause=status == "consistent" and side == "worse" and part["harmful"],
        to_verify=status == "not_established" and bool(check and check.clearly_worse),
        peer_check=check,
    )


def _province_part(frame: _Frame, d: str, group: list[str], outcome_direction: str):
    value = float(frame.alpha.at[d] - frame.alpha.loc[group].mean())
    return Contribution(
        driver=PROVINCE_TERM,
        kind="fixed_effect",
        role="context",
        opd=None,
        value=value,
        interval=Interval(float("nan"), float("nan"), float("nan")),
        harmful=harm(value, outcome_direction) > 0,
    )


def decompose(
    fit: OutcomeFit,
    district_code: str,
    reference_codes: list[str],
    reference: str,
    catalogue: Catalogue,
    peer_codes: list[str] | None = None,
) -> Decomposition:
    """Decompose `district_code`'s gap to the mean of `reference_codes` (within the sample; the
    district itself counts in a national or province mean, not among its peers)."""
    frame = _Frame.of(fit)
    group = _reference_group(frame, district_code, reference_codes, reference)
    direction = catalogue[fit.outcome].direction
    d = district_code
    peers = list(peer_codes or [])
    parts = [
        _term_part(fit, frame, t, d, group, catalogue, direction, peers)
        for t in frame.terms
        if t != CONST
    ]
    parts.sort(key=lambda c: harm(c.value, direction), reverse=True)
    parts.append(_province_part(frame, d, group, direction))
    y = frame.sample[fit.outcome].astype(float)
    gap = float(y.at[d] - y.loc[group].mean())
    residual = frame.sample["residual"].astype(float)
    unexplained = float(residual.at[d] - residual.loc[group].mean())
    explained = math.fsum(c.value for c in parts)
    source = _district_value(frame, fit.outcome, d).source
    n_peers = len(group) if reference == "peers" else 0
    return Decomposition(
        district_code=d,
        outcome=fit.outcome,
        year=int(fit.year),
        reference=reference,
        reference_n=len(group),
        district_value=float(y.at[d]),
        reference_value=float(y.loc[group].mean()),
        gap=gap,
        parts=parts,
        explained_interval=_explained_interval(frame, d, group, explained),
        unexplained=unexplained,
        unexplained_interval=_unexplained_interval(frame, d, unexplained, n_peers),
        district_residual=float(residual.at[d]),
        reference_residual=float(residual.loc[group].mean()),
        model_id=fit.main.model_id,
        direction=direction,
        outcome_source=source,
        would_help=fit.would_help,
    )
