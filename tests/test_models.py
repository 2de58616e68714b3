"""Driver models against known truth (synthetic data with known coefficients) and against the
reference implementations (statsmodels, linearmodels) called directly on the same data."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from linearmodels.panel import PanelOLS

from analysis.models.assemble import CrossSection, cross_section, nearest_values, panel_data
from analysis.models.fit import fit_cross_section, fit_panel, thin_model_warnings
from analysis.models.spec import ModelSettings

SETTINGS = ModelSettings()
TRUE = {"poverty_rate": -0.30, "water_access": 0.05, "grdp_per_capita": 1.2}  # raw-unit slopes


def synthetic_cross_section(n=400, seed=1, noise=1.0):
    rng = np.random.default_rng(seed)
    raw = pd.DataFrame(
        {
            "poverty_rate": rng.uniform(2, 35, n),
            "water_access": rng.uniform(40, 100, n),
            "grdp_per_capita": np.exp(rng.normal(3.3, 0.6, n)) - 1,  # log1p is normal
        },
        index=[f"D{i:03d}" for i in range(n)],
    )
    y = (
        68
        + TRUE["poverty_rate"] * raw["poverty_rate"]
        + TRUE["water_access"] * raw["water_access"]
        + TRUE["grdp_per_capita"] * np.log1p(raw["grdp_per_capita"])
        + rng.normal(0, noise, n)
    )
    data = raw.assign(life_expectancy=y)[["life_expectancy", *TRUE]]
    data.index.name = "district_code"
    province = pd.Series([f"P{i % 20:02d}" for i in range(n)], index=data.index)
    cs = CrossSection(
        "life_expectancy",
        2021,
        data,
        data * 0 + 2021,
        pd.DataFrame(columns=["district_code", "reason"]),
    )
    return cs, province


def true_standardized(data):
    """The true coefficients per one SD of the transformed driver."""
    sd = {
        "poverty_rate": data["poverty_rate"].std(),
        "water_access": data["water_access"].std(),
        "grdp_per_capita": np.log1p(data["grdp_per_capita"]).std(),
    }
    return {k: TRUE[k] * sd[k] for k in TRUE}


def test_ols_recovers_known_coefficients_within_their_intervals(catalogue):
    cs, province = synthetic_cross_section()
    model = fit_cross_section(cs, tuple(TRUE), catalogue, SETTINGS, province)
    table = model.summary()
    for driver, truth in true_standardized(cs.data).items():
        assert table.at[driver, "ci_low"] <= truth <= table.at[driver, "ci_high"], driver
    assert model.n == 400 and model.r2 > 0.85 and model.warnings == []


def test_ols_equals_statsmodels_hc3_on_the_same_data(catalogue):
    cs, province = synthetic_cross_section(n=120, seed=7, noise=3)
    model = fit_cross_section(cs, tuple(TRUE), catalogue, SETTINGS, province)
    z = pd.DataFrame({d: model.standardize(d, cs.data[d]) for d in TRUE})
    reference = sm.OLS(cs.data["life_expectancy"], sm.add_constant(z)).fit(cov_type="HC3")
    table = model.summary()
    np.testing.assert_allclose(table["estimate"], reference.params, rtol=1e-10)
    np.testing.assert_allclose(table["std_error"], reference.bse, rtol=1e-10)
    np.testing.assert_allclose(table[["ci_low", "ci_high"]], reference.conf_int(), rtol=1e-10)
    assert model.r2 == pytest.approx(reference.rsquared, rel=1e-12)


def test_province_fixed_effects_equal_statsmodels_formula_with_clustered_errors(catalogue):
    cs, province = synthetic_cross_section(n=200, seed=3, noise=2)
    model = fit_cross_section(cs, tuple(TRUE), catalogue, SETTINGS, province, "province_fe")
    z = pd.DataFrame({d: model.standardize(d, cs.data[d]) for d in TRUE})
    frame = z.assign(y=cs.data["life_expectancy"], prov=province)
    reference = smf.ols("y ~ poverty_rate + water_access + grdp_per_capita + C(prov)", frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["prov"])[0]}
    )
    table = model.summary()
    for driver in TRUE:
        assert table.at[driver, "estimate"] == pytest.approx(reference.params[driver], rel=1e-9)
        assert table.at[driver, "std_error"] == pytest.approx(reference.bse[driver], rel=1e-9)
    assert model.fixed_effects == "province" and model.n_groups == 20


def synthetic_panel(entities=150, years=(2015, 2020), seed=5):
    rng = np.random.default_rng(seed)
    rows = []
    effect = rng.normal(0, 3, entities)
    for e in range(entities):
        for year in range(years[0], years[1] + 1):
            x1 = rng.normal(8, 2) + 0.3 * effect[e]
            x2 = rng.normal(10, 1.5)
            y = 60 + effect[e] + 0.2 * (year - years[0]) + 0.8 * x1 - 0.5 * x2 + rng.normal(0, 0.5)
            rows.append((f"D{e:03d}", year, y, x1, x2))
    data = pd.DataFrame(
        rows,
        columns=[
            "district_code",
            "year",
            "life_expectancy",
            "mean_schooling",
            "expected_schooling",
        ],
    )
    return data.set_index(["district_code", "year"])


def test_panel_fe_recovers_known_coefficients_and_equals_linearmodels(catalogue):
    data = synthetic_panel()
    drivers = ("mean_schooling", "expected_schooling")
    model = fit_panel(data, "life_expectancy", drivers, catalogue, SETTINGS, (2015, 2020))
    table = model.summary()
    sd = data[list(drivers)].std()
    for driver, truth in {"mean_schooling": 0.8, "expected_schooling": -0.5}.items():
        assert table.at[driver, "ci_low"] <= truth * sd[driver] <= table.at[driver, "ci_high"]
    z = (data[list(drivers)] - data[list(drivers)].mean()) / sd
    reference = PanelOLS(data["life_expectancy"], z, entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    np.testing.assert_allclose(table["estimate"], reference.params, rtol=1e-10)
    np.testing.assert_allclose(table["std_error"], reference.std_errors, rtol=1e-10)
    assert model.n == 900 and model.n_groups == 150


@pytest.mark.parametrize(
    ("n", "k", "vif", "codes"),
    [
        (25, 2, {"a": 1.0}, ["few_districts"]),
        (50, 8, {"a": 1.0}, ["many_drivers"]),
        (200, 3, {"a": 12.5, "b": 2.0}, ["collinear"]),
        (200, 3, {"a": 2.0}, []),
    ],
)
def test_thin_models_are_warned_about(n, k, vif, codes):
    assert [w["code"] for w in thin_model_warnings(n, k, vif, SETTINGS)] == codes


def test_collinear_drivers_raise_a_vif_warning(catalogue):
    cs, province = synthetic_cross_section(n=200)
    rng = np.random.default_rng(0)
    cs.data["water_access"] = cs.data["poverty_rate"] * -2 + 100 + rng.normal(0, 0.3, 200)
    model = fit_cross_section(cs, tuple(TRUE), catalogue, SETTINGS, province)
    assert {w["driver"] for w in model.warnings if w["code"] == "collinear"} == {
        "poverty_rate",
        "water_access",
    }


def _preferred(rows):
    return pd.DataFrame(rows, columns=["district_code", "year", "indicator", "value"])


def test_drivers_come_from_the_nearest_year_and_dropped_districts_say_why():
    preferred = _preferred(
        [
            ("A", 2021, "life_expectancy", 70.0),
            ("B", 2021, "life_expectancy", 68.0),
            ("C", 2021, "life_expectancy", 66.0),
            ("A", 2020, "poverty_rate", 5.0),
            ("A", 2022, "poverty_rate", 6.0),
            ("B", 2024, "poverty_rate", 9.0),  # 3 years away: allowed
            ("C", 2016, "poverty_rate", 12.0),  # 5 years away: not allowed
        ]
    )
    cs = cross_section(preferred, "life_expectancy", ("poverty_rate",), 2021, 3)
    assert cs.data["poverty_rate"].to_dict() == {"A": 5.0, "B": 9.0}  # tie -> earlier year
    assert cs.years_used["poverty_rate"].to_dict() == {"A": 2020, "B": 2024}
    assert cs.dropped.values.tolist() == [
        ["C", "no value within 3 years of 2021 for: poverty_rate"]
    ]
    assert nearest_values(preferred, "poverty_rate", 2021, 0).empty


def test_panel_data_keeps_only_years_where_everything_is_observed():
    preferred = _preferred(
        [
            ("A", 2020, "y", 1.0),
            ("A", 2020, "x", 2.0),
            ("A", 2021, "y", 1.5),
            ("B", 2020, "y", 3.0),
            ("B", 2020, "x", 4.0),
            ("B", 2021, "y", 3.5),
            ("B", 2021, "x", 4.5),
            ("B", 2025, "y", 9.0),
            ("B", 2025, "x", 9.0),
        ]
    )
    data = panel_data(preferred, "y", ("x",), (2020, 2022))
    assert list(data.index) == [("A", 2020), ("B", 2020), ("B", 2021)]
