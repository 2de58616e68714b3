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
from collections.abc import Mapping

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
    """The model sample on the main model's scale, as arrays by district position: standardized
    terms, provinces, residuals, each driver's raw values and provenance, and the coefficient
    rows. Built once per fit; what depends only on the reference group (its means, the
    reference values of each driver) is kept per group, so the national and province references
    are computed once for every district a batch worker explains."""

    def __init__(self, fit: OutcomeFit):
        main = self.main = fit.main
        sample = main.sample.set_index("district_code")
        self.pos = {code: i for i, code in enumerate(sample.index)}
        self.terms = main.terms
        x = pd.DataFrame({t: main.standardize(t, sample[t].astype(float)) for t in self.terms})
        province = sample["province_code"].astype(str)
        within = x - x.groupby(province).transform("mean")
        self.x = {t: x[t].to_numpy(dtype=float) for t in self.terms}
        self.within = {t: within[t].to_numpy(dtype=float) for t in self.terms}
        self.raw = {t: sample[t].to_numpy(dtype=float) for t in (*self.terms, fit.outcome)}
        self.residual = sample["residual"].to_numpy(dtype=float)
        self.province = province
        self.province_of = province.to_numpy(dtype=object)
        self.province_counts = province.value_counts()
        self.alpha = province.map(main.province_effects).to_numpy(dtype=float)
        self.n_province = province.map(self.province_counts).to_numpy(dtype=float)
        self.beta = main.beta.reindex(self.terms).to_numpy(dtype=float)
        self.cov = main.cov.loc[self.terms, self.terms].to_numpy(dtype=float)
        self.q = critical_value(fit.alpha, main.df)
        self.level = 1 - fit.alpha
        self.sigma2 = float(main.sigma2)
        self.tables = {
            v: {r["term"]: r for r in m.table.to_dict("records")} for v, m in fit.variants.items()
        }
        self.transforms = main.table.set_index("term")["transform"].fillna("").to_dict()
        self.provenance = {
            var: _Provenance(rows, self.pos)
            for var, rows in fit.provenance.groupby("variable", sort=False)
        }
        self.consistent = {t: fit.consistent(t) for t in self.terms}
        self.holm_levels: dict[tuple[str, str], float] = {}
        self.scaled_sd: dict[str, float] = {}
        self.groups: dict[tuple[str, ...], _Group] = {}

    @classmethod
    def of(cls, fit: OutcomeFit) -> _Frame:
        """One frame per fitted model (a batch explains many districts with the same fit)."""
        frame = fit.cache.get("decompose_frame")
        if frame is None:
            frame = fit.cache["decompose_frame"] = cls(fit)
        return frame

    def positions(self, codes: list[str]) -> np.ndarray:
        return np.fromiter((self.pos[c] for c in codes), dtype=np.intp, count=len(codes))

    def group(self, codes: list[str]) -> _Group:
        """What depends only on the reference group, computed once per group."""
        key = tuple(codes)
        found = self.groups.get(key)
        if found is None:
            if len(self.groups) >= MAX_GROUPS:  # peers groups are one per district: bounded
                self.groups.clear()
            found = self.groups[key] = _Group(self, codes)
        return found

    def holm_level(self, variant: str, term: str, df: float | None) -> float:
        key = (variant, term)
        if key not in self.holm_levels:
            self.holm_levels[key] = _holm_level(self.tables[variant][term], df)
        return self.holm_levels[key]


MAX_GROUPS = 4096


class _Provenance:
    """One driver's year and source (and a ratio's denominator year and source) by district
    position; NaN / None where the district has no row."""

    def __init__(self, rows: pd.DataFrame, pos: dict[str, int]):
        n = len(pos)
        self.has = np.zeros(n, dtype=bool)
        self.year = np.full(n, np.nan)
        self.source = np.full(n, None, dtype=object)
        self.denominator_year = np.full(n, np.nan)
        self.denominator_source = np.full(n, None, dtype=object)
        for r in rows.to_dict("records"):
            i = pos.get(r["district_code"])
            if i is None:
                continue
            self.has[i] = True
            self.year[i] = r["year"] if pd.notna(r["year"]) else np.nan
            self.source[i] = r["source"] if pd.notna(r["source"]) else None
            den = r["denominator_year"]
            self.denominator_year[i] = den if pd.notna(den) else np.nan
            den_source = r["denominator_source"]
            self.denominator_source[i] = den_source if pd.notna(den_source) else None


class _Group:
    """Means over one reference group (in the group's order, as pandas takes them) and the
    reference value of each driver."""

    def __init__(self, frame: _Frame, codes: list[str]):
        self.codes = codes
        idx = frame.positions(codes)
        self.n = len(codes)
        self.x_mean = {t: float(frame.x[t][idx].mean()) for t in frame.terms}
        self.within_mean = np.array([frame.within[t][idx].mean() for t in frame.terms])
        self.y_mean = float(frame.raw[frame.main.outcome][idx].mean())
        self.residual_mean = float(frame.residual[idx].mean())
        self.alpha_mean = float(frame.alpha[idx].mean())
        weights = pd.Series(1.0 / len(codes), index=codes).groupby(frame.province.iloc[idx].values)
        self.province_weights = weights.sum()
        self.reference = {t: _reference_value(frame, t, idx) for t in frame.terms}


def _reference_group(frame: _Frame, district_code: str, codes: list[str], reference: str):
    if district_code not in frame.pos:
        dropped = frame.main.dropped.set_index("district_code")["reason"]
        reason = dropped.get(district_code, f"no {frame.main.outcome} value for {frame.main.year}")
        raise AnalysisError(
            f"district {district_code} is not in the {frame.main.model_id} sample: {reason}"
        )
    group = [c for c in dict.fromkeys(codes) if c in frame.pos]
    if reference == "peers":
        group = [c for c in group if c != district_code]
    if len([c for c in group if c != district_code]) < MIN_REFERENCE:
        raise AnalysisError(
            f"only {len(group)} {reference} reference districts in the model "
            f"sample (need {MIN_REFERENCE})"
        )
    return group


def _explained_interval(frame: _Frame, i: int, group: _Group, explained: float) -> Interval:
    g = np.array([frame.within[t][i] for t in frame.terms]) - group.within_mean
    c = -group.province_weights
    mine = frame.province_of[i]
    c[mine] = c.get(mine, 0.0) + 1.0
    counts = frame.province_counts
    noise = frame.sigma2 * float(sum(v**2 / counts[p] for p, v in c.items()))
    se = math.sqrt(max(float(g @ frame.cov @ g) + noise, 0.0))
    return Interval(explained - frame.q * se, explained + frame.q * se, frame.level)


def _holm_level(row: Mapping, df: float | None) -> float:
    """The confidence level of a lever's Holm interval (its Holm step's)."""
    from scipy import stats

    q = (float(row["ci_high_holm"]) - float(row["estimate"])) / float(row["std_error"])
    tail = stats.norm.sf(q) if df is None else stats.t.sf(q, df)
    return float(1 - 2 * tail)


def _unexplained_interval(frame: _Frame, i: int, unexplained: float, peers: int) -> Interval:
    within = np.array([frame.within[t][i] for t in frame.terms])
    var_fit = float(within @ frame.cov @ within) + frame.sigma2 / float(frame.n_province[i])
    var = frame.sigma2 + var_fit + (frame.sigma2 / peers if peers else 0.0)
    h = frame.q * math.sqrt(var)
    return Interval(unexplained - h, unexplained + h, frame.level)


def _district_value(frame: _Frame, term: str, i: int) -> DistrictValue:
    if term == "kota":
        return DistrictValue(float(frame.raw["kota"][i]), None, "registry")
    prov = frame.provenance.get(term)
    year = source = den_year = den_source = None
    if prov is not None and prov.has[i]:
        year, source = int(prov.year[i]), prov.source[i]
        if not np.isnan(prov.denominator_year[i]):
            den_year, den_source = int(prov.denominator_year[i]), prov.denominator_source[i]
    return DistrictValue(float(frame.raw[term][i]), year, source, den_year, den_source)


def model_scale_mean(values: pd.Series | np.ndarray, transform: str | None) -> tuple[float, str]:
    """The mean of raw driver values on the scale the model uses, back in driver units, and its
    kind: for log1p drivers expm1(mean(log1p(x))) ("geometric"), else the arithmetic mean. The
    contribution is beta times the difference of the transformed values, so only this mean says
    on which side of the reference the district is in the model's eyes."""
    values = np.asarray(values, dtype=float)
    if transform == "log1p":
        return float(np.expm1(np.log1p(values).mean())), "geometric"
    return float(values.mean()), "arithmetic"


def _reference_value(frame: _Frame, term: str, idx: np.ndarray) -> ReferenceValue:
    value, kind = model_scale_mean(frame.raw[term][idx], frame.transforms.get(term))
    prov = frame.provenance.get(term)
    years, sources, den_years = np.array([], dtype=float), (), ()
    if prov is not None:
        dated = idx[~np.isnan(prov.year[idx])]
        years = prov.year[dated]
        sources = tuple(sorted({s for s in prov.source[dated] if s is not None}))
        den = prov.denominator_year[dated]
        den_years = tuple(sorted({int(y) for y in den[~np.isnan(den)]}))
    return ReferenceValue(
        value=value,
        n=len(idx),
        year_min=int(years.min()) if len(years) else None,
        year_max=int(years.max()) if len(years) else None,
        sources=sources,
        denominator_years=den_years,
        mean_kind=kind,
    )


def _variant_estimates(
    fit: OutcomeFit, frame: _Frame, term: str, delta: float
) -> tuple[VariantEstimate, ...]:
    out = []
    for variant, model in fit.variants.items():
        r = frame.tables[variant].get(term)
        if r is None:
            continue
        holm = None
        if pd.notna(r["ci_low_holm"]):
            level = frame.holm_level(variant, term, model.df)
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


def _peer_check(frame: _Frame, term: str, i: int, peers: list[str], direction: str):
    peers = [p for p in peers if p in frame.pos and frame.pos[p] != i]
    if not peers:
        return None
    transform = frame.transforms.get(term)
    raw = frame.raw[term]
    scaled = transform_values(raw, transform or None)
    if term not in frame.scaled_sd:
        frame.scaled_sd[term] = float(pd.Series(scaled).std(ddof=1))
    sd = frame.scaled_sd[term]
    idx = frame.positions(peers)
    mine = float(raw[i])
    theirs, kind = model_scale_mean(raw[idx], transform)
    gap = float(scaled[i] - scaled[idx].mean())  # model scale, as the contribution
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


def _term_part(fit, frame, term, i, group, catalogue, outcome_direction, peers) -> Contribution:
    role = fit.roles.get(term, "context")
    delta = float(frame.x[term][i] - group.x_mean[term])
    row = frame.tables[fit.main.variant][term]
    beta = float(row["estimate"])
    value = beta * delta
    level = 1 - fit.alpha
    kind = "registry" if term == "kota" else "indicator"
    district = _district_value(frame, term, i)
    reference = group.reference[term]
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
    robust = frame.consistent[term]
    expected = _sign(direction) * _sign(outcome_direction)
    status = "strength" if side == "better" else "consistent" if robust else "not_established"
    # the descriptive comparison with the peers, for every lever on which the district is worse
    check = _peer_check(frame, term, i, peers, direction) if side == "worse" else None
    return Contribution(
        **part,
        opd=catalogue[term].opd.key,
        interval_holm=_scaled(
            float(row["ci_low_holm"]),
            float(row["ci_high_holm"]),
            delta,
            frame.holm_level(fit.main.variant, term, fit.main.df),
        ),
        side=side,
        status=status,
        robust=robust,
        sign_as_expected=bool(np.sign(beta) == expected) if beta != 0 else None,
        root_cause=status == "consistent" and side == "worse" and part["harmful"],
        to_verify=status == "not_established" and bool(check and check.clearly_worse),
        peer_check=check,
    )


def _province_part(frame: _Frame, i: int, group: _Group, outcome_direction: str):
    value = float(frame.alpha[i] - group.alpha_mean)
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
    group = frame.group(_reference_group(frame, district_code, reference_codes, reference))
    direction = catalogue[fit.outcome].direction
    d, i = district_code, frame.pos[district_code]
    peers = list(peer_codes or [])
    parts = [
        _term_part(fit, frame, t, i, group, catalogue, direction, peers)
        for t in frame.terms
        if t != CONST
    ]
    parts.sort(key=lambda c: harm(c.value, direction), reverse=True)
    parts.append(_province_part(frame, i, group, direction))
    value = float(frame.raw[fit.outcome][i])
    gap = float(value - group.y_mean)
    unexplained = float(frame.residual[i] - group.residual_mean)
    explained = math.fsum(c.value for c in parts)
    source = _district_value(frame, fit.outcome, i).source
    n_peers = group.n if reference == "peers" else 0
    return Decomposition(
        district_code=d,
        outcome=fit.outcome,
        year=int(fit.year),
        reference=reference,
        reference_n=group.n,
        district_value=value,
        reference_value=group.y_mean,
        gap=gap,
        parts=parts,
        explained_interval=_explained_interval(frame, i, group, explained),
        unexplained=unexplained,
        unexplained_interval=_unexplained_interval(frame, i, unexplained, n_peers),
        district_residual=float(frame.residual[i]),
        reference_residual=group.residual_mean,
        model_id=fit.main.model_id,
        direction=direction,
        outcome_source=source,
        would_help=fit.would_help,
    )
