"""Gap decomposition invariants (hypothesis) and peer selection."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import AnalysisError
from analysis.models.decompose import decompose
from analysis.models.fit import fit_cross_section
from analysis.models.peers import peer_districts, positive_deviants
from analysis.models.spec import ModelSettings
from tests.test_models import TRUE, synthetic_cross_section


@pytest.fixture(scope="module")
def model(catalogue):
    cs, province = synthetic_cross_section(n=120, seed=11, noise=2)
    return fit_cross_section(cs, tuple(TRUE), catalogue, ModelSettings(), province)


@settings(max_examples=60, deadline=None)
@given(district=st.integers(0, 119), group=st.sets(st.integers(0, 119), min_size=4, max_size=60))
def test_parts_sum_exactly_to_the_gap(model, catalogue, district, group):
    code = f"D{district:03d}"
    refs = [f"D{i:03d}" for i in group]
    if len(set(refs) - {code}) < 3:
        return
    d = decompose(model, code, refs, "national", catalogue)
    assert math.isclose(d.explained + d.unexplained, d.gap, abs_tol=1e-9)
    sample = model.sample.set_index("district_code")
    others = [r for r in refs if r != code]
    assert d.reference_n == len(others)
    assert d.reference_value == pytest.approx(sample.loc[others, "life_expectancy"].median())
    assert d.district_value == pytest.approx(sample.at[code, "life_expectancy"])
    for c in d.contributions:
        assert c.ci_low <= c.value <= c.ci_high
        assert c.opd == catalogue[c.driver].opd.key
        assert c.worsens == (c.value < 0)  # life expectancy: higher is better
        assert c.certain == (c.ci_low > 0 or c.ci_high < 0)


def test_contributions_follow_the_coefficients_by_hand(model, catalogue):
    d = decompose(model, "D000", [f"D{i:03d}" for i in range(1, 120)], "national", catalogue)
    sample = model.sample.set_index("district_code")
    others = sample.drop(index="D000")
    for c in d.contributions:
        z_d = model.standardize(c.driver, sample.at["D000", c.driver])
        z_ref = model.standardize(c.driver, others[c.driver]).median()
        assert c.value == pytest.approx(model.beta[c.driver] * (z_d - z_ref), rel=1e-12)
    harms = [-c.value for c in d.contributions]
    assert harms == sorted(harms, reverse=True)  # most harmful first


def test_district_outside_the_sample_says_why(model, catalogue):
    model.dropped.loc[0] = ["X999", "no value within 3 years of 2021 for: water_access"]
    with pytest.raises(AnalysisError, match="water_access"):
        decompose(model, "X999", ["D001", "D002", "D003"], "national", catalogue)
    with pytest.raises(AnalysisError, match="reference districts"):
        decompose(model, "D000", ["D000", "D001"], "province", catalogue)


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
    # E is structurally identical but a kota, F identical-ish but on another island
    order = peers["district_code"].tolist()
    assert order.index("B") < order.index("E") and order[-1] in ("E", "F")
    assert "D" not in order


def test_positive_deviants_are_peers_clearly_better_in_the_right_direction():
    values = pd.Series({"A": 60.0, "B": 64.0, "C": 60.5, "E": 70.0})
    dev = positive_deviants("A", ["B", "C", "E"], values, "higher", national_sd=4.0)
    assert dev["district_code"].tolist() == ["E", "B"]  # C is only 0.5 better (< 0.5 SD = 2)
    lower = positive_deviants("A", ["B", "C", "E"], values, "lower", national_sd=4.0)
    assert lower.empty
    assert np.all(dev["advantage"] >= 2.0)
