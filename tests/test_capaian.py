"""Capaian kinerja: both polarities, the category scale at its boundaries, the yearly change a
target needs; known values worked out by hand."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.capaian import CATEGORIES, capaian, category, formula_of, required_annual_change


@pytest.mark.parametrize(
    ("realisation", "target", "direction", "expected"),
    [
        (80.0, 100.0, "higher", 80.0),  # R / T
        (95.0, 90.0, "higher", 95 / 90 * 100),  # above target: more than 100 %
        (72.0, 75.0, "higher", 96.0),
        (12.0, 10.0, "lower", 80.0),  # (2T − R) / T = (20 − 12) / 10
        (8.0, 10.0, "lower", 120.0),  # below a lower-is-better target: more than 100 %
        (10.0, 10.0, "lower", 100.0),
        (25.0, 10.0, "lower", -50.0),  # far above: the formula goes below zero, kept as is
        (29.0, 14.2, "lower", (28.4 - 29.0) / 14.2 * 100),
    ],
)
def test_capaian_of_known_cases(realisation, target, direction, expected):
    assert capaian(realisation, target, direction) == pytest.approx(expected)


def test_inverse_variant_target_over_realisation():
    assert capaian(12.0, 10.0, "lower", inverse="target_over_realisation") == pytest.approx(
        100 * 10 / 12
    )
    assert formula_of("lower", "target_over_realisation") == "target_over_realisation"
    assert formula_of("higher") == "realisation_over_target"
    assert formula_of("lower") == "two_target_minus_realisation"


def test_missing_or_zero_gives_no_number():
    out = capaian([np.nan, 50.0, 5.0], [10.0, np.nan, 0.0], "higher")
    assert np.isnan(out).all()
    assert math.isnan(capaian(0.0, 10.0, "lower", inverse="target_over_realisation"))


def test_neutral_indicator_has_no_capaian():
    with pytest.raises(ValueError, match="direction"):
        capaian(1.0, 2.0, "neutral")
    with pytest.raises(ValueError, match="inverse"):
        capaian(1.0, 2.0, "lower", inverse="ratio")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (150.0, "sangat_tinggi"),
        (100.0, "sangat_tinggi"),
        (91.0, "sangat_tinggi"),
        (90.99, "tinggi"),  # in the regulation's gap 90–91: the lower category
        (90.0, "tinggi"),
        (76.0, "tinggi"),
        (75.5, "sedang"),
        (75.0, "sedang"),
        (66.0, "sedang"),
        (65.0, "rendah"),
        (51.0, "rendah"),
        (50.5, "sangat_rendah"),
        (50.0, "sangat_rendah"),
        (0.0, "sangat_rendah"),
        (-20.0, "sangat_rendah"),
    ],
)
def test_category_boundaries(value, expected):
    assert category(value) == expected


def test_category_of_a_series_keeps_missing_as_none():
    out = category([91.0, np.nan, 66.0])
    assert out.tolist() == ["sangat_tinggi", None, "sedang"]


@pytest.mark.parametrize(
    ("realisation", "target", "direction", "expected"),
    [
        (91.0, 100.0, "higher", "sangat_tinggi"),
        (90.0, 100.0, "higher", "tinggi"),
        (76.0, 100.0, "higher", "tinggi"),
        (75.0, 100.0, "higher", "sedang"),
        (66.0, 100.0, "higher", "sedang"),
        (65.0, 100.0, "higher", "rendah"),
        (51.0, 100.0, "higher", "rendah"),
        (50.0, 100.0, "higher", "sangat_rendah"),
        # stunting target 20 %: capaian = (40 − R) / 20 × 100; R = 40 − capaian / 5
        (21.8, 20.0, "lower", "sangat_tinggi"),  # 91 %
        (22.0, 20.0, "lower", "tinggi"),  # 90 %
        (24.8, 20.0, "lower", "tinggi"),  # 76 %
        (25.0, 20.0, "lower", "sedang"),  # 75 %
        (26.8, 20.0, "lower", "sedang"),  # 66 %
        (27.0, 20.0, "lower", "rendah"),  # 65 %
        (29.8, 20.0, "lower", "rendah"),  # 51 %
        (30.0, 20.0, "lower", "sangat_rendah"),  # 50 %
    ],
)
def test_category_boundaries_through_both_formulas(realisation, target, direction, expected):
    value = capaian(realisation, target, direction)
    assert category(value) == expected


def test_required_annual_change():
    assert required_annual_change(22.4, 2023, 14.2, 2029) == pytest.approx((14.2 - 22.4) / 6)
    assert required_annual_change(68.3, 2022, 90.0, 2024) == pytest.approx(10.85)
    assert math.isnan(required_annual_change(80.0, 2024, 90.0, 2024))  # no year left
    out = required_annual_change([1.0, 2.0], [2020, 2021], [3.0, 2.0], [2022, 2020])
    assert out[0] == pytest.approx(1.0) and np.isnan(out[1])


@given(
    r=st.floats(0.1, 100, allow_nan=False),
    t=st.floats(0.1, 100, allow_nan=False),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_below_100_exactly_when_the_target_is_not_reached(r, t, direction):
    value = capaian(r, t, direction)
    reached = r >= t if direction == "higher" else r <= t
    assert (value >= 100 - 1e-9) == reached or math.isclose(r, t, rel_tol=1e-12)
    assert category(value) in CATEGORIES


def test_every_code_the_frames_use_has_a_label_in_both_languages():
    from analysis.i18n import t

    codes = [f"capaian_cat_{c}" for c in CATEGORIES]
    codes += [f"target_basis_{b}" for b in ("district", "national_default", "none")]
    codes += [f"quality_{f}" for f in ("outlier_in_province", "boundary_value", "jump")]
    codes += [f"ratio_{k}" for k in ("worst_over_best", "best_over_worst")]
    codes += [
        f"formula_{formula_of(d, i)}"
        for d in ("higher", "lower")
        for i in ("two_target_minus_realisation", "target_over_realisation")
    ]
    for code in codes:
        assert t(code, "id") and t(code, "en")
