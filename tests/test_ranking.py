"""Ranks: checked against scipy's rankdata, by hypothesis properties, and on the real panel."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from analysis.panel import load_panel, preferred_values
from analysis.ranking import RANK_COLUMNS, default_year, district_ranks, rank_values
from analysis.sources import load_manifest

finite = st.floats(-1e6, 1e6, allow_nan=False)
# few distinct values, so ties are common
values_lists = st.lists(
    st.one_of(finite, st.sampled_from([0.0, 1.0, 2.5])), min_size=1, max_size=40
)


# -- rank_values ----------------------------------------------------------------------------------
def test_higher_and_lower_with_ties_and_nan():
    s = pd.Series([3.0, 1.0, 3.0, np.nan, 2.0], index=list("abcde"))
    assert rank_values(s, "higher").tolist()[:3] == [1.0, 4.0, 1.0]
    assert rank_values(s, "lower").tolist()[:3] == [3.0, 1.0, 3.0]
    assert np.isnan(rank_values(s, "higher")["d"])
    assert rank_values(s, "higher")["e"] == 3.0
    assert list(rank_values(s, "higher").index) == list("abcde")


def test_neutral_and_unknown_directions_are_refused():
    with pytest.raises(ValueError, match="neutral"):
        rank_values(pd.Series([1.0, 2.0]), "neutral")
    with pytest.raises(ValueError, match="direction"):
        rank_values(pd.Series([1.0, 2.0]), "up")


@given(values=values_lists)
def test_matches_scipy_min_rank(values):
    x = np.array(values)
    assert rank_values(pd.Series(x), "lower").tolist() == rankdata(x, method="min").tolist()
    assert rank_values(pd.Series(x), "higher").tolist() == rankdata(-x, method="min").tolist()


@given(values=values_lists, data=st.data())
def test_ranks_do_not_depend_on_order(values, data):
    s = pd.Series(values, index=[f"d{i}" for i in range(len(values))])
    shuffled = s.loc[data.draw(st.permutations(list(s.index)))]
    for direction in ("higher", "lower"):
        assert rank_values(shuffled, direction).loc[s.index].equals(rank_values(s, direction))


@given(values=values_lists, direction=st.sampled_from(["higher", "lower"]))
def test_best_value_gets_rank_one_and_ranks_stay_in_range(values, direction):
    s = pd.Series(values)
    r = rank_values(s, direction)
    best = s.max() if direction == "higher" else s.min()
    assert set(r[s == best]) == {1.0}
    assert (r[s != best] > 1).all()
    assert r.min() == 1 and r.max() <= len(s)


@given(values=values_lists)
def test_reversing_direction_reverses_order(values):
    s = pd.Series(values)
    up, down = rank_values(s, "higher"), rank_values(s, "lower")
    for i in range(len(s)):
        for j in range(len(s)):
            if s[i] > s[j]:
                assert up[i] < up[j] and down[i] > down[j]
            elif s[i] == s[j]:
                assert up[i] == up[j] and down[i] == down[j]


@given(values=st.lists(st.one_of(finite, st.just(float("nan"))), min_size=1, max_size=30))
def test_nan_stays_nan_and_others_rank_among_themselves(values):
    s = pd.Series(values)
    r = rank_values(s, "lower")
    assert r.isna().equals(s.isna())
    if s.notna().any():
        assert r.max() <= s.notna().sum()


# -- district_ranks --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FakeDistrict:
    code: str
    province_code: str


REGISTRY = [FakeDistrict(f"{p}{i:02d}", p) for p in ("11", "12", "36") for i in range(1, 5)]


def frame(rows):
    return pd.DataFrame(rows, columns=["district_code", "year", "indicator", "value"])


def test_default_year_is_latest_with_half_the_best_coverage():
    assert default_year(pd.Series({2020: 190, 2021: 315, 2022: 465})) == 2022
    assert default_year(pd.Series({2021: 500, 2022: 260, 2023: 249})) == 2022
    assert default_year(pd.Series({2021: 10, 2022: 5})) == 2022  # exactly half counts
    with pytest.raises(ValueError):
        default_year(pd.Series(dtype=int))


def test_district_ranks_skip_a_thin_latest_year():
    rows = [(d.code, 2021, "stunting", 10.0 + k) for k, d in enumerate(REGISTRY)]
    rows += [(d.code, 2022, "stunting", 5.0) for d in REGISTRY[:5]]  # 5 of 12: below half
    out = district_ranks(frame(rows), REGISTRY, "stunting")
    assert list(out.columns) == RANK_COLUMNS
    assert set(out["year"]) == {2021} and len(out) == 12
    explicit = district_ranks(frame(rows), REGISTRY, "stunting", year=2022)
    assert len(explicit) == 5 and (explicit["rank_national"] == 1).all()


def test_district_ranks_respect_direction_and_province():
    rows = [
        ("1101", 2022, "stunting", 30.0),
        ("1102", 2022, "stunting", 20.0),
        ("1201", 2022, "stunting", 10.0),
        ("3601", 2022, "stunting", 25.0),
        ("3602", 2022, "stunting", 25.0),
        ("1101", 2022, "life_expectancy", 70.0),
        ("1201", 2022, "life_expectancy", 72.0),
    ]
    out = district_ranks(frame(rows), REGISTRY, "stunting").set_index("district_code")
    assert out.loc["1201", "rank_national"] == 1  # lowest stunting is best
    assert out.loc["1101", ["rank_national", "rank_province", "n_province"]].tolist() == [5, 2, 2]
    assert out.loc["3601", "rank_national"] == out.loc["3602", "rank_national"] == 3  # tie
    assert (out["n_national"] == 5).all()
    le = district_ranks(frame(rows), REGISTRY, "life_expectancy").set_index("district_code")
    assert le.loc["1201", "rank_national"] == 1  # highest life expectancy is best


def test_district_ranks_refuse_neutral_unknown_codes_and_duplicates():
    with pytest.raises(ValueError, match="neutral"):
        district_ranks(frame([("1101", 2024, "population", 1e5)]), REGISTRY, "population")
    with pytest.raises(ValueError, match="9999"):
        district_ranks(frame([("9999", 2022, "stunting", 20.0)]), REGISTRY, "stunting")
    dup = frame([("1101", 2022, "stunting", 20.0), ("1101", 2022, "stunting", 21.0)])
    with pytest.raises(ValueError, match="more than one value"):
        district_ranks(dup, REGISTRY, "stunting")


def test_district_ranks_empty_when_no_values():
    out = district_ranks(frame([("1101", 2022, "stunting", 20.0)]), REGISTRY, "hdi")
    assert out.empty and list(out.columns) == RANK_COLUMNS
    assert district_ranks(
        frame([("1101", 2022, "stunting", 2.0)]), REGISTRY, "stunting", 2019
    ).empty


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.sampled_from([5.0, 10.0, 12.5, 20.0, 33.3]), min_size=12, max_size=12),
    present=st.lists(st.booleans(), min_size=12, max_size=12),
    indicator=st.sampled_from(["stunting", "immunization_complete"]),
)
def test_district_rank_invariants(values, present, indicator):
    rows = [
        (d.code, 2022, indicator, v)
        for d, v, keep in zip(REGISTRY, values, present, strict=True)
        if keep
    ]
    out = district_ranks(frame(rows), REGISTRY, indicator)
    assert len(out) == len(rows)
    if out.empty:
        return
    assert (out["rank_province"] <= out["n_province"]).all()
    assert (out["rank_national"] <= out["n_national"]).all()
    # the districts ahead of you in your province are also ahead of you in the nation
    assert (out["rank_province"] <= out["rank_national"]).all()
    sizes = out.groupby("province_code")["n_province"].first()
    assert sizes.sum() == out["n_national"].iloc[0] == len(out)
    assert out["rank_national"].is_monotonic_increasing


def test_real_ranks_cover_the_nation(built, registry):
    preferred = preferred_values(load_panel(built.out_dir), load_manifest())
    le = district_ranks(preferred, registry, "life_expectancy")
    assert len(le) == 514 and le["year"].nunique() == 1
    serang = le.set_index("district_code").loc["3604"]
    banten = [d.code for d in registry if d.province_code == "36"]
    assert serang["n_province"] == len(banten)
    same_year = preferred[
        (preferred.indicator == "life_expectancy") & (preferred.year == serang["year"])
    ]
    assert serang["rank_national"] == 1 + (same_year["value"] > serang["value"]).sum()
    stunting = district_ranks(preferred, registry, "stunting")
    best = stunting.iloc[0]
    assert best["value"] == stunting["value"].min() and best["rank_national"] == 1
