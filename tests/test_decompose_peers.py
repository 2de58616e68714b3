"""Gap decomposition invariants (hypothesis), its intervals against a direct computation, lever
statuses, and peers / positive deviants."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError
from analysis.models.decompose import decompose
from analysis.models.peers import peer_districts, positive_deviants, residual_deviants
from tests.test_models import fit_synthetic

N = 160


@pytest.fixture(scope="module")
def fitted(catalogue):
    fit, _ = fit_synthetic(catalogue, n=N, seed=11, noise=2.0, provinces=16)
    return fit


def code(i: int) -> str:
    return f"D{i:03d}"


@settings(max_examples=40, deadline=None)
@given(
    district=st.integers(0, N - 1), group=st.sets(st.integers(0, N - 1), min_size=5, max_size=60)
)
def test_parts_sum_to_the_gap_for_any_reference(fitted, catalogue, district, group):
    refs = [code(i) for i in group]
    if len(set(refs) - {code(district)}) < 3:
        return
    d = decompose(fitted, code(district), refs, "peers", catalogue)
    assert math.isclose(d.explained + d.unexplained, d.gap, abs_tol=1e-9)
    sample = fitted.main.sample.set_index("district_code")
    others = [r for r in refs if r != code(district)]
    assert d.reference_n == len(others)
    assert d.reference_value == pytest.approx(sample.loc[others, "life_expectancy"].mean())
    for c in d.parts:
        if c.kind != "fixed_effect":
            assert c.interval.low <= c.value <= c.interval.high
        assert (c.opd is None) == (c.role == "context")


def test_national_and_province_unexplained_is_the_districts_own_residual(fitted, catalogue):
    sample = fitted.main.sample.set_index("district_code")
    everyone = list(sample.index)
    province = [
        c for c in everyone if sample.at[c, "province_code"] == sample.at["D005", "province_code"]
    ]
    for refs, name in ((everyone, "national"), (province, "province")):
        d = decompose(fitted, "D005", refs, name, catalogue)
        assert d.unexplained == pytest.approx(sample.at["D005", "residual"], abs=1e-9)
        assert d.reference_residual == pytest.approx(0, abs=1e-9)
        assert d.reference_n == len(refs)  # the district counts in its national/province mean
        assert math.isclose(d.explained + d.unexplained, d.gap, abs_tol=1e-9)


def test_parts_are_coefficient_times_driver_difference(fitted, catalogue):
    refs = [code(i) for i in range(N)]
    d = decompose(fitted, "D000", refs, "national", catalogue)
    main = fitted.main
    sample = main.sample.set_index("district_code")
    for c in d.parts:
        if c.kind == "fixed_effect":
            alpha = sample["province_code"].map(main.province_effects)
            assert c.value == pytest.approx(alpha["D000"] - alpha.mean(), rel=1e-9)
            continue
        z = main.standardize(c.driver, sample[c.driver].astype(float))
        assert c.value == pytest.approx(main.beta[c.driver] * (z["D000"] - z.mean()), rel=1e-9)
        raw = sample[c.driver].astype(float)
        if main.summary().at[c.driver, "transform"] == "log1p":
            # the reference on the model's scale: the mean the contribution is measured from
            assert c.reference.mean_kind == "geometric"
            assert c.reference.value == pytest.approx(np.expm1(np.log1p(raw).mean()), rel=1e-9)
        else:
            assert c.reference.mean_kind == "arithmetic"
            assert c.reference.value == pytest.approx(raw.mean(), rel=1e-9)
        assert {v.variant for v in c.variants} <= set(fitted.variants)


def test_log1p_reference_is_on_the_model_scale_and_agrees_with_the_side(fitted, catalogue):
    """A skewed driver (GRDP, density, staff ratios) enters as log(1 + x): the arithmetic mean of
    the raw values can lie on the other side of the district than the mean the contribution is
    measured from. The reference shown is the back-transformed mean, so the district's side,
    the sign of its driver difference and the contribution's sign agree."""
    refs = [code(i) for i in range(N)]
    sample = fitted.main.sample.set_index("district_code")
    raw = sample["grdp_per_capita"].astype(float)
    geometric = float(np.expm1(np.log1p(raw).mean()))
    assert geometric < raw.mean()  # skewed: the two means differ
    # a district between the two means: above the model-scale mean, below the arithmetic one
    between = raw[(raw > geometric) & (raw < raw.mean())].index
    assert len(between), "the synthetic GRDP has a district between the two means"
    d = decompose(fitted, between[0], refs, "national", catalogue)
    part = next(c for c in d.parts if c.driver == "grdp_per_capita")
    assert part.reference.value == pytest.approx(geometric, rel=1e-9)
    assert part.district.value > part.reference.value
    beta = float(fitted.main.beta["grdp_per_capita"])
    assert np.sign(part.value) == np.sign(beta)  # driver above the reference on the model scale


def test_explained_interval_uses_the_full_covariance(fitted, catalogue):
    """Var(explained) = g'Vg + sigma^2 sum_p c_p^2 / n_p, computed here by hand."""
    refs = [code(i) for i in range(N)]
    d = decompose(fitted, "D007", refs, "national", catalogue)
    main = fitted.main
    sample = main.sample.set_index("district_code")
    terms = main.terms
    x = pd.DataFrame({t: main.standardize(t, sample[t].astype(float)) for t in terms})
    within = x - x.groupby(sample["province_code"]).transform("mean")
    g = (within.loc["D007"] - within.mean()).to_numpy()
    v = main.cov.loc[terms, terms].to_numpy()
    share = sample["province_code"].value_counts() / N
    c = -share
    c[sample.at["D007", "province_code"]] += 1
    counts = sample["province_code"].value_counts()
    var = g @ v @ g + main.sigma2 * float((c**2 / counts).sum())
    half = (d.explained_interval.high - d.explained_interval.low) / 2
    from scipy import stats

    assert half == pytest.approx(stats.t.ppf(0.975, main.df) * math.sqrt(var), rel=1e-9)
    # ignoring the covariance would give another width
    naive = float(np.sum(g**2 * np.diag(v))) + main.sigma2 * float((c**2 / counts).sum())
    assert not math.isclose(var, naive, rel_tol=1e-6)


def test_lever_status_follows_side_and_robustness(fitted, catalogue):
    refs = [code(i) for i in range(N)]
    for i in range(0, N, 7):
        d = decompose(fitted, code(i), refs, "national", catalogue, peer_codes=refs[:10])
        for c in d.parts:
            if c.role == "context":
                assert c.status is None and not c.root_cause and not c.to_verify
                continue
            assert c.opd == catalogue[c.driver].opd.key
            if c.side == "better":
                assert c.status == "strength" and not c.root_cause
            elif fitted.consistent(c.driver):
                assert c.status == "consistent"
            else:
                assert c.status == "not_established" and not c.root_cause
            assert c.root_cause == (c.status == "consistent" and c.side == "worse" and c.harmful)
            if c.to_verify:
                assert c.status == "not_established" and c.peer_check.clearly_worse


def test_unexplained_dominates_and_unusual_are_plain_data(fitted, catalogue):
    refs = [code(i) for i in range(N)]
    d = decompose(fitted, "D003", refs, "national", catalogue)
    assert d.unexplained_dominates == (abs(d.unexplained) > abs(d.explained))
    assert d.unusual == (d.unexplained_interval.low > 0 or d.unexplained_interval.high < 0)
    doc = d.to_dict()
    assert doc["unexplained"]["kind"] == "prediction_interval"
    assert sum(c["value"] for c in doc["contributions"]) + doc["unexplained"]["value"] == (
        pytest.approx(doc["gap"], abs=1e-9)
    )


def test_district_outside_the_sample_says_why(fitted, catalogue):
    fitted.main.dropped.loc[0] = ["X999", "no value within 3 years of 2021 for: water_access"]
    with pytest.raises(AnalysisError, match="water_access"):
        decompose(fitted, "X999", ["D001", "D002", "D003"], "national", catalogue)
    with pytest.raises(AnalysisError, match="reference districts"):
        decompose(fitted, "D000", ["D000", "D001"], "province", catalogue)


def test_residual_deviants_do_better_than_predicted_and_name_their_levers(fitted, catalogue):
    sample = fitted.main.sample.set_index("district_code")
    peers = [code(i) for i in range(1, 40)]
    dev = residual_deviants(fitted, "D000", peers, "higher", catalogue)
    threshold = 0.5 * math.sqrt(fitted.main.sigma2)
    assert len(dev) > 0 and (dev["advantage"] >= threshold).all()
    assert dev["advantage"].is_monotonic_decreasing
    others = set(peers) - set(dev["district_code"])
    assert all(sample.at[c, "residual"] < threshold for c in others)
    for levers in dev["levers"]:
        for x in levers:
            sign = 1 if catalogue[x["driver"]].direction == "higher" else -1
            assert sign * (x["deviant_value"] - x["district_value"]) > 0


def _structural():
    return pd.DataFrame(
        {
            "grdp_per_capita": [30, 31, 29, 300, 30, 32],
            "population_density": [1200, 1150, 1300, 50, 1200, 1100],
            "population": [1.8e6, 1.7e6, 1.9e6, 2e5, 1.8e6, 1.6e6],
            "is_kota": [False, False, False, False, True, False],
            "island": ["Jawa", "Jawa", "Jawa", "Papua", "Jawa", "Sumatera"],
        },
        index=["A", "B", "C", "D", "E", "F"],
    )


def test_peers_are_nearest_first_without_the_district_itself():
    peers = peer_districts("A", _structural(), k=4)
    assert "A" not in peers["district_code"].tolist()
    assert len(peers) == 4 and peers["distance"].is_monotonic_increasing
    order = peers["district_code"].tolist()
    assert order.index("B") < order.index("E") and order[-1] in ("E", "F")
    assert "D" not in order


def test_positive_deviants_by_outcome_are_peers_clearly_better_in_the_right_direction():
    values = pd.Series({"A": 60.0, "B": 64.0, "C": 60.5, "E": 70.0})
    dev = positive_deviants("A", ["B", "C", "E"], values, "higher", national_sd=4.0)
    assert dev["district_code"].tolist() == ["E", "B"]
    assert positive_deviants("A", ["B", "C", "E"], values, "lower", national_sd=4.0).empty
