"""Driver models on synthetic data with known coefficients: specification (roles), assembly
(years, sources, ratio denominators), the three variants, Holm and lever status, thin models."""

import numpy as np
import pandas as pd
import pytest
from linearmodels.panel import PanelOLS

from analysis.errors import ManifestError
from analysis.models.assemble import CrossSection, cross_section, nearest_values, panel_data
from analysis.models.fit import fit_panel, thin_model_warnings
from analysis.models.outcome import fit_outcome
from analysis.models.robustness import holm, lever_status
from analysis.models.spatial import weights_for
from analysis.models.spec import ModelSettings, OutcomeSpec, parse_specs

SETTINGS = ModelSettings(cv_folds=5, moran_permutations=99)
TRUE = {"poverty_rate": -0.30, "water_access": 0.05, "grdp_per_capita": 1.2}  # raw-unit slopes
ROLES = {"poverty_rate": "lever", "water_access": "lever", "grdp_per_capita": "context"}
SPEC = OutcomeSpec(
    "life_expectancy",
    tuple(TRUE),
    roles=(*ROLES.items(), ("kota", "context"), ("island", "context")),
)


def synthetic_cross_section(n=400, seed=1, noise=1.0, provinces=20):
    """Districts on a line of provinces (every 20th district shares a province), with province
    effects, a kota dummy and two island groups."""
    rng = np.random.default_rng(seed)
    codes = [f"D{i:03d}" for i in range(n)]
    province = pd.Series([f"P{i % provinces:02d}" for i in range(n)], index=codes)
    effect = province.map({f"P{p:02d}": rng.normal(0, 1) for p in range(provinces)})
    is_kota = pd.Series(rng.uniform(size=n) < 0.2, index=codes)
    island = province.map(lambda p: "Jawa" if int(p[1:]) < provinces // 2 else "Sumatera")
    raw = pd.DataFrame(
        {
            "poverty_rate": rng.uniform(2, 35, n),
            "water_access": rng.uniform(40, 100, n),
            "grdp_per_capita": np.exp(rng.normal(3.3, 0.6, n)) - 1,  # log1p is normal
        },
        index=pd.Index(codes, name="district_code"),
    )
    y = (
        68
        + effect.to_numpy()
        + 0.5 * is_kota.to_numpy()
        + TRUE["poverty_rate"] * raw["poverty_rate"]
        + TRUE["water_access"] * raw["water_access"]
        + TRUE["grdp_per_capita"] * np.log1p(raw["grdp_per_capita"])
        + rng.normal(0, noise, n)
    )
    data = raw.assign(life_expectancy=y)[["life_expectancy", *TRUE]]
    cs = CrossSection(
        "life_expectancy",
        2021,
        data,
        data * 0 + 2021,
        pd.DataFrame(columns=["district_code", "reason"]),
    )
    return cs, province, is_kota, island


def line_weights(codes):
    """Neighbours along the line of districts (a stand-in for contiguity)."""
    neighbours = {
        c: [x for x in (codes[i - 1 : i] + codes[i + 1 : i + 2])] for i, c in enumerate(codes)
    }
    points = pd.DataFrame({"x": np.arange(len(codes)), "y": 0.0}, index=codes)
    return lambda subset: weights_for(list(subset), neighbours, points)


def fit_synthetic(catalogue, **kwargs):
    cs, province, is_kota, island = synthetic_cross_section(**kwargs)
    codes = list(cs.data.index)
    fit = fit_outcome(
        cs, SPEC, tuple(TRUE), catalogue, SETTINGS, province, is_kota, island, line_weights(codes)
    )
    return fit, cs


def true_standardized(data):
    """The true coefficients per one SD of the transformed driver."""
    sd = {
        "poverty_rate": data["poverty_rate"].std(),
        "water_access": data["water_access"].std(),
        "grdp_per_capita": np.log1p(data["grdp_per_capita"]).std(),
    }
    return {k: TRUE[k] * sd[k] for k in TRUE}


@pytest.fixture(scope="module")
def synthetic_fit(catalogue):
    return fit_synthetic(catalogue)


def test_every_variant_recovers_known_coefficients_within_their_intervals(synthetic_fit):
    fit, cs = synthetic_fit
    assert set(fit.variants) == {"province_fe", "hc3", "spatial_error"}
    for variant, model in fit.variants.items():
        table = model.summary()
        for driver, truth in true_standardized(cs.data).items():
            low, high = table.at[driver, "ci_low"], table.at[driver, "ci_high"]
            assert low <= truth <= high, (variant, driver)
        assert model.n == 400 and model.r2_cv is not None and model.moran is not None


def test_roles_and_registry_terms_enter_the_design(synthetic_fit):
    fit, _ = synthetic_fit
    main, pooled = fit.main, fit.variants["hc3"]
    assert main.roles == {**ROLES, "kota": "context", "island_jawa": "context"}
    assert "island_jawa" not in main.terms and "const" not in set(main.table["term"])
    assert {"const", "kota", "island_jawa"} <= set(pooled.table["term"])
    assert main.fixed_effects == "province" and main.n_groups == 20
    assert set(main.province_effects) == {f"P{p:02d}" for p in range(20)}
    # the panel drivers only, for tables of drivers
    assert list(main.coefficients["term"]) == list(TRUE)


def test_holm_columns_only_for_levers_and_status_needs_every_variant(synthetic_fit):
    fit, _ = synthetic_fit
    table = fit.main.summary()
    assert table.loc[["poverty_rate", "water_access"], "p_holm"].notna().all()
    assert table.loc[["grdp_per_capita", "kota"], "p_holm"].isna().all()
    assert (table["p_holm"].dropna() >= table["p_value"][table["p_holm"].notna()]).all()
    status = fit.robustness.set_index("term")
    assert list(status.index) == ["poverty_rate", "water_access"]
    assert status.at["poverty_rate", "consistent"]  # -0.30/unit over a 33-point range
    holds = [c for c in status.columns if c.startswith("holds_")]
    assert (status["consistent"] == status[holds].all(axis=1)).all()


def test_lever_status_requires_sign_agreement_and_holm_in_every_variant():
    def table(est, p_holm):
        return pd.DataFrame({"term": ["a"], "estimate": [est], "p_holm": [p_holm]})

    ok = {"province_fe": table(1.0, 0.01), "hc3": table(2.0, 0.001), "spatial": table(1.5, 0.02)}
    assert lever_status(ok, ["a"], 0.05)["consistent"].item()
    flipped = {**ok, "hc3": table(-2.0, 0.001)}
    assert not lever_status(flipped, ["a"], 0.05)["consistent"].item()
    weak = {**ok, "spatial": table(1.5, 0.06)}
    assert not lever_status(weak, ["a"], 0.05)["consistent"].item()


@pytest.mark.parametrize(
    ("p", "adjusted", "rejected"),
    [
        ([0.01, 0.04, 0.03], [0.03, 0.06, 0.06], [True, False, False]),
        ([0.001, 0.02, 0.2, 0.012], [0.004, 0.04, 0.2, 0.036], [True, True, False, True]),
        ([0.5], [0.5], [False]),
    ],
)
def test_holm_adjustment_and_interval_levels(p, adjusted, rejected):
    adj, step_alpha = holm(pd.Series(p), 0.05)
    assert adj.tolist() == pytest.approx(adjusted)
    # an interval excludes zero (p < its alpha) exactly when Holm rejects
    assert [pi < a for pi, a in zip(p, step_alpha, strict=True)] == rejected


def test_thin_models_are_warned_about():
    cases = [
        (25, 2, {"a": 1.0}, ["few_districts"]),
        (50, 8, {"a": 1.0}, ["many_drivers"]),
        (200, 3, {"a": 12.5, "b": 2.0}, ["collinear"]),
        (200, 3, {"a": 2.0}, []),
    ]
    for n, k, vif, codes in cases:
        assert [w["code"] for w in thin_model_warnings(n, k, vif, SETTINGS)] == codes


def test_collinear_drivers_raise_a_vif_warning(catalogue):
    cs, province, is_kota, island = synthetic_cross_section(n=200)
    rng = np.random.default_rng(0)
    cs.data["water_access"] = cs.data["poverty_rate"] * -2 + 100 + rng.normal(0, 0.3, 200)
    fit = fit_outcome(cs, SPEC, tuple(TRUE), catalogue, SETTINGS, province, is_kota, island)
    assert {w["driver"] for w in fit.main.warnings if w["code"] == "collinear"} == {
        "poverty_rate",
        "water_access",
    }
    assert "spatial_error" not in fit.variants  # no weights given: no spatial variant


# -- specification ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("drivers", "message"),
    [
        ({"poverty_rate": "driver"}, "role must be one of"),
        ({"population_density": "lever"}, "direction 'neutral'"),
        ({"kota": "lever"}, "can only be context"),
        ({"no_such_indicator": "lever"}, "unknown indicator"),
    ],
)
def test_bad_roles_are_refused_with_the_reason(catalogue, drivers, message):
    with pytest.raises(ManifestError, match=message):
        parse_specs({"models": {"stunting": {"drivers": drivers}}}, catalogue)


def test_roles_are_read_from_the_file(catalogue):
    _, specs = parse_specs(
        {
            "models": {
                "stunting": {
                    "drivers": {"poverty_rate": "lever", "kota": "context"},
                    "would_help": ["health_spending"],
                }
            }
        },
        catalogue,
    )
    spec = specs["stunting"]
    assert spec.drivers == ("poverty_rate",) and spec.levers == ("poverty_rate",)
    assert spec.registry_terms == ("kota",) and spec.would_help == ("health_spending",)


# -- assembly ---------------------------------------------------------------------------------
def _preferred(rows):
    frame = pd.DataFrame(rows, columns=["district_code", "year", "indicator", "value"])
    return frame.assign(source="test")


def test_drivers_come_from_the_nearest_year_and_dropped_districts_say_why():
    preferred = _preferred(
        [
            ("A", 2021, "life_expectancy", 70.0),
            ("B", 2021, "life_expectancy", 68.0),
            ("C", 2021, "life_expectancy", 66.0),
            ("A", 2020, "poverty_rate", 5.0),
            ("A", 2022, "poverty_rate", 6.0),
            ("B", 2024, "poverty_rate", 9.0),  # 3 years away: allowed for context
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
    # a lever is never measured after the outcome
    lever = cross_section(
        preferred, "life_expectancy", ("poverty_rate",), 2021, 3, None, {"poverty_rate"}
    )
    assert lever.data["poverty_rate"].to_dict() == {"A": 5.0}


def test_a_ratio_keeps_the_year_of_its_numerator_and_of_its_population(catalogue):
    rows = [
        ("A", 2022, "facility_delivery", 80.0, "s"),
        ("A", 2019, "midwives_puskesmas", 30.0, "nakes"),
        ("A", 2024, "population", 100000.0, "wilayah"),
        ("A", 2019, "midwives_per_100k", 30.0, "derived"),
    ]
    preferred = pd.DataFrame(
        rows, columns=["district_code", "year", "indicator", "value", "source"]
    )
    cs = cross_section(
        preferred, "facility_delivery", ("midwives_per_100k",), 2022, 3, catalogue=catalogue
    )
    row = cs.provenance.set_index("variable").loc["midwives_per_100k"]
    assert (row["year"], row["source"]) == (2019, "nakes")
    assert (row["denominator_year"], row["denominator_source"]) == (2024, "wilayah")
    outcome = cs.provenance.set_index("variable").loc["facility_delivery"]
    assert (outcome["year"], outcome["source"]) == (2022, "s")


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
