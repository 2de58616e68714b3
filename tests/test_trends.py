"""Trend fits against statsmodels called directly, and the target verdict on constructed cases."""

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.panel import load_panel, preferred_values
from analysis.sources import load_manifest
from analysis.trends import (
    OUT_OF_REACH_FACTOR,
    STATUSES,
    Trend,
    district_trend,
    fit_trend,
    target_verdict,
)

SERIES = [
    ([2010, 2011, 2012, 2013, 2014], [62.1, 62.5, 62.4, 63.2, 63.5]),
    ([2020, 2021, 2022], [64.7, 72.3, 72.4]),
    ([2014, 2016, 2017, 2020, 2023, 2024], [35.0, 31.2, 30.8, 27.5, 24.0, 22.1]),
    (list(range(2010, 2024)), list(np.linspace(68.5, 70.4, 14) + np.sin(np.arange(14)) / 10)),
]


def direct_ols(years, values):
    x = sm.add_constant(np.asarray(years, dtype=float))
    return sm.OLS(np.asarray(values, dtype=float), x).fit()


# -- the estimator against statsmodels ----------------------------------------------------------
@pytest.mark.parametrize(("years", "values"), SERIES)
def test_fit_matches_statsmodels_ols(years, values):
    t = fit_trend(years, values)
    res = direct_ols(years, values)
    ci = res.conf_int(alpha=0.05)
    assert t.slope == pytest.approx(res.params[1], rel=1e-10)
    assert t.intercept == pytest.approx(res.params[0], rel=1e-10)
    assert (t.slope_ci_low, t.slope_ci_high) == pytest.approx((ci[1, 0], ci[1, 1]), rel=1e-10)
    assert t.r2 == pytest.approx(res.rsquared, rel=1e-10)
    assert (t.n_years, t.first_year, t.last_year) == (len(years), min(years), max(years))
    assert t.last_value == values[-1]


@pytest.mark.parametrize(("years", "values"), SERIES)
@pytest.mark.parametrize("year", [2025, 2029, 2035])
def test_projection_is_statsmodels_prediction_interval(years, values, year):
    frame = direct_ols(years, values).get_prediction(np.array([[1.0, year]])).summary_frame(0.05)
    est, low, high = fit_trend(years, values).project(year)
    assert est == pytest.approx(frame["mean"].iloc[0], rel=1e-10)
    assert low == pytest.approx(frame["obs_ci_lower"].iloc[0], rel=1e-10)
    assert high == pytest.approx(frame["obs_ci_upper"].iloc[0], rel=1e-10)
    assert low < est < high


def test_slope_interval_uses_the_t_distribution():
    years, values = SERIES[0]
    t = fit_trend(years, values)
    res = direct_ols(years, values)
    from scipy import stats

    half = stats.t.ppf(0.975, df=len(years) - 2) * res.bse[1]
    assert t.slope_ci_high - t.slope == pytest.approx(half, rel=1e-10)


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(2000, 2015),
    values=st.lists(st.floats(0, 100, allow_nan=False), min_size=3, max_size=12),
)
def test_any_series_matches_statsmodels(start, values):
    years = list(range(start, start + len(values)))
    if np.ptp(values) < 1e-6:
        return  # flat series: R² undefined, checked separately
    t = fit_trend(years, values)
    res = direct_ols(years, values)
    assert t.slope == pytest.approx(res.params[1], rel=1e-7, abs=1e-9)
    assert t.slope_ci_low <= t.slope <= t.slope_ci_high


def test_two_years_give_the_exact_line_without_intervals():
    t = fit_trend([2021, 2022], [33.6, 62.2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = direct_ols([2021, 2022], [33.6, 62.2])
    assert t.slope == pytest.approx(res.params[1])
    assert t.intercept == pytest.approx(res.params[0])
    assert (t.slope_ci_low, t.slope_ci_high, t.r2) == (None, None, None)
    assert t.project(2024) == (pytest.approx(62.2 + 2 * 28.6), None, None)


def test_one_year_has_no_slope_and_cannot_be_projected():
    t = fit_trend([2023], [21.5])
    assert (t.n_years, t.last_year, t.last_value) == (1, 2023, 21.5)
    assert t.slope is None and t.intercept is None and t.r2 is None
    with pytest.raises(ValueError, match="at least 2"):
        t.project(2029)


def test_no_values_is_an_error():
    with pytest.raises(ValueError, match="no values"):
        fit_trend([2020, 2021], [float("nan"), float("nan")])
    with pytest.raises(ValueError, match="no values"):
        fit_trend([], [])


def test_repeated_year_is_an_error_not_averaged():
    with pytest.raises(ValueError, match=r"\[2021\]"):
        fit_trend([2020, 2021, 2021], [1.0, 2.0, 3.0])


def test_input_order_and_missing_values_do_not_matter():
    a = fit_trend([2022, 2020, 2021, 2023], [3.0, 1.0, float("nan"), 4.5])
    b = fit_trend([2020, 2022, 2023], [1.0, 3.0, 4.5])
    assert a == b
    assert a.last_year == 2023 and a.last_value == 4.5


def test_flat_series_has_zero_slope_and_no_r2():
    t = fit_trend([2020, 2021, 2022, 2023], [50.0] * 4)
    assert t.slope == pytest.approx(0, abs=1e-9)
    assert t.r2 is None


def test_trend_is_json_ready():
    d = fit_trend(*SERIES[0]).to_dict()
    assert json.loads(json.dumps(d))["years"] == SERIES[0][0]
    assert set(d) >= {"n_years", "slope", "slope_ci_low", "slope_ci_high", "intercept", "r2"}


# -- district_trend -----------------------------------------------------------------------------
def preferred_frame():
    rows = [
        ("3604", 2021, "stunting", 26.4),
        ("3604", 2022, "stunting", 24.0),
        ("3604", 2023, "stunting", 23.9),
        ("3604", 2022, "life_expectancy", 65.2),
        ("3673", 2022, "stunting", 20.0),
    ]
    return pd.DataFrame(rows, columns=["district_code", "year", "indicator", "value"])


def test_district_trend_uses_only_that_district_and_indicator():
    t = district_trend(preferred_frame(), "3604", "stunting")
    assert t == fit_trend([2021, 2022, 2023], [26.4, 24.0, 23.9])
    assert district_trend(preferred_frame(), "3604", "facility_delivery") is None
    assert district_trend(preferred_frame(), "9999", "stunting") is None


def test_district_trend_on_the_real_panel_matches_statsmodels(built):
    preferred = preferred_values(load_panel(built.out_dir), load_manifest())
    rows = preferred[
        (preferred.district_code == "3604") & (preferred.indicator == "life_expectancy")
    ]
    t = district_trend(preferred, "3604", "life_expectancy")
    res = direct_ols(rows["year"], rows["value"])
    assert t.n_years == len(rows) >= 10
    assert t.slope == pytest.approx(res.params[1], rel=1e-10)
    assert t.slope > 0  # Kabupaten Serang's life expectancy rose over 2010-2023


# -- target verdict: one constructed case per status --------------------------------------------
RISING = fit_trend([2019, 2020, 2021, 2022, 2023], [60.0, 61.1, 61.9, 63.0, 64.0])  # ~1 per year
FALLING = fit_trend([2019, 2020, 2021, 2022, 2023], [30.0, 29.0, 28.1, 26.9, 26.0])  # stunting


def test_no_target():
    v = target_verdict(RISING, None, None, "higher")
    assert (v.status, v.reason) == ("no_target", "no_target")
    assert v.last_value == 64.0  # the district's numbers still travel with the verdict


def test_achieved_higher_and_lower():
    assert target_verdict(RISING, 64.0, 2029, "higher").status == "achieved"
    assert target_verdict(FALLING, 26.0, 2029, "lower").status == "achieved"
    assert target_verdict(FALLING, 30.0, 2029, "lower").reason == "latest_value_meets_target"


def test_achieved_needs_only_the_latest_value():
    one = fit_trend([2023], [12.0])
    assert target_verdict(one, 14.2, 2029, "lower").status == "achieved"


def test_insufficient_data_below_three_points_of_one_series():
    for trend in (fit_trend([2023], [23.9]), fit_trend([2022, 2023], [26.4, 23.9])):
        v = target_verdict(trend, 14.2, 2029, "lower")
        assert (v.status, v.reason) == ("insufficient_data", "fewer_than_three_points")
    assert target_verdict(None, 14.2, 2029, "lower").reason == "no_values"


def test_three_points_of_two_surveys_are_not_a_trend():
    # Kabupaten Serang's stunting: SSGI 2021, SSGI 2022, then SKI 2023 (another survey)
    serang = fit_trend([2021, 2022, 2023], [27.2, 26.4, 23.9], series=["ssgi", "ssgi", "ski"])
    v = target_verdict(serang, 14.2, 2029, "lower")
    assert (v.status, v.reason) == ("insufficient_data", "fewer_than_three_points")
    assert (v.series, v.series_points) == ("ski", 1)
    same = fit_trend([2021, 2022, 2023], [27.2, 26.4, 23.9], series=["ssgi"] * 3)
    assert target_verdict(same, 14.2, 2029, "lower").status != "insufficient_data"


def test_a_target_on_another_series_gets_no_verdict():
    # life expectancy: every value is the old SP2010-based series, the RPJMN target the new one
    old = fit_trend([2021, 2022, 2023], [64.8, 65.2, 65.6], series=["uhh_sp2010"] * 3)
    v = target_verdict(old, 75.4, 2029, "higher", target_series="uhh_long_form")
    assert (v.status, v.reason) == ("not_comparable", "target_on_other_series")
    assert (v.series, v.target_series) == ("uhh_sp2010", "uhh_long_form")
    # the same numbers against a target on their own series are judged
    assert target_verdict(old, 75.4, 2029, "higher", target_series="uhh_sp2010").status not in (
        "not_comparable",
        "insufficient_data",
    )


def test_a_low_precision_latest_value_is_not_celebrated():
    # Sarolangun's stunting 16.8 (2022) -> 4.8 (2023): a jump beyond the survey's noise
    jump = fit_trend([2022, 2023], [16.8, 4.8], low_precision=[False, True])
    v = target_verdict(jump, 14.2, 2029, "lower")
    assert (v.status, v.reason) == ("insufficient_data", "latest_value_low_precision")
    plain = fit_trend([2022, 2023], [16.8, 4.8])
    assert target_verdict(plain, 14.2, 2029, "lower").status == "achieved"


def test_on_track_when_the_projection_meets_the_target():
    v = target_verdict(RISING, 69.0, 2029, "higher")
    assert (v.status, v.reason) == ("on_track", "projection_meets_target")
    assert v.projected == RISING.project(2029)
    assert v.required_per_year == pytest.approx((69.0 - 64.0) / 6)
    w = target_verdict(FALLING, 21.0, 2029, "lower")
    assert w.status == "on_track"


def test_needs_acceleration_when_within_three_times_the_best_pace():
    v = target_verdict(RISING, 75.0, 2029, "higher")
    assert v.status == "needs_acceleration"
    assert v.best_pace == pytest.approx(RISING.slope_ci_high)
    assert v.current_slope == RISING.slope
    assert 0 < v.required_per_year <= OUT_OF_REACH_FACTOR * v.best_pace
    assert v.projected[0] < 75.0


def test_out_of_reach_when_more_than_three_times_the_best_pace():
    v = target_verdict(RISING, 90.0, 2029, "higher")
    assert (v.status, v.reason) == ("out_of_reach", "required_over_3x_best_pace")
    assert v.required_per_year > OUT_OF_REACH_FACTOR * RISING.slope_ci_high
    w = target_verdict(FALLING, 2.0, 2029, "lower")
    assert w.status == "out_of_reach"
    assert w.best_pace == pytest.approx(FALLING.slope_ci_low)  # favourable end for "lower"


def test_out_of_reach_when_the_data_support_no_improvement():
    worsening = fit_trend([2019, 2020, 2021, 2022, 2023], [70.0, 69.0, 68.2, 67.1, 66.0])
    v = target_verdict(worsening, 70.5, 2029, "higher")
    assert (v.status, v.reason) == ("out_of_reach", "no_plausible_improvement")


def test_out_of_reach_when_the_target_year_has_passed():
    v = target_verdict(RISING, 70.0, 2022, "higher")
    assert (v.status, v.reason) == ("out_of_reach", "target_year_passed")
    assert v.required_per_year is None


def test_no_data_since_when_the_data_end_before_a_passed_target_year():
    # IDL 90 % by 2024, data to 2022, judged in 2026: whether 2024 reached 90 % is unknown
    idl = fit_trend([2020, 2021, 2022], [64.7, 72.3, 72.4])
    v = target_verdict(idl, 90, 2024, "higher", current_year=2026)
    assert (v.status, v.reason, v.last_year) == ("no_data_since", "no_data_since", 2022)
    assert target_verdict(idl, 90, 2024, "higher").status not in ("no_data_since", "out_of_reach")


def test_the_three_times_rule_at_its_boundary():
    three = fit_trend([2019, 2020, 2021], [9.0, 10.0, 11.0])  # slope exactly 1, zero-width CI
    at = target_verdict(three, 23.0, 2025, "higher")  # needs exactly 3 per year
    assert at.status == "needs_acceleration" and at.required_per_year == pytest.approx(3.0)
    beyond = target_verdict(three, 23.4, 2025, "higher")
    assert (beyond.status, beyond.reason) == ("out_of_reach", "required_over_3x_best_pace")


def test_neutral_direction_has_no_verdict():
    with pytest.raises(ValueError, match="higher' or 'lower"):
        target_verdict(RISING, 70.0, 2029, "neutral")


def test_verdict_is_json_ready():
    d = target_verdict(RISING, 75.0, 2029, "higher").to_dict()
    assert json.loads(json.dumps(d))["status"] == "needs_acceleration"
    assert len(d["projected"]) == 3


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(st.floats(1, 99, allow_nan=False), min_size=1, max_size=8),
    target=st.floats(1, 99, allow_nan=False),
    target_year=st.integers(2018, 2035),
)
def test_lower_is_the_mirror_of_higher(values, target, target_year):
    years = list(range(2016, 2016 + len(values)))
    up = target_verdict(fit_trend(years, values), target, target_year, "higher")
    down = target_verdict(fit_trend(years, [-x for x in values]), -target, target_year, "lower")
    assert up.status == down.status and up.reason == down.reason
    assert up.status in STATUSES
    if up.required_per_year is not None:
        assert math.isclose(up.required_per_year, -down.required_per_year, abs_tol=1e-9)


def test_trend_is_frozen():
    with pytest.raises(AttributeError):
        RISING.slope = 3.0  # type: ignore[misc]
    assert isinstance(RISING, Trend)
