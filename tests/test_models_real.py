"""Models fitted once on the real panel, stored, and only read afterwards."""

import json

import pytest

from analysis.errors import AnalysisError
from analysis.models.store import fit_all, load_models, models_up_to_date


@pytest.fixture(scope="session")
def fitted(built):
    return fit_all(built.out_dir)


def test_every_pip_indicator_has_all_three_variants_on_the_same_districts(fitted):
    for outcome in ("life_expectancy", "immunization_complete", "stunting", "facility_delivery"):
        fit = fitted.fit(outcome)
        assert set(fit.variants) == {"province_fe", "hc3", "spatial_error"}
        main = fitted.get(outcome)
        assert main is fit.main and main.variant == "province_fe" and main.n >= 300
        for model in fit.variants.values():
            assert model.n == main.n and 0 < model.r2 < 1
            assert 0 < model.r2_within < 1 and model.r2_cv < model.r2
            assert 0 <= model.moran["p_value"] <= 1 and model.moran["n"] == main.n
        # the province effects leave less spatial dependence in the residuals than pooling
        assert main.moran["i"] < fit.variants["hc3"].moran["i"]
        assert set(fit.robustness["term"]) == set(main.levers)
        assert fit.fit_seconds > 0


def test_no_lever_is_measured_after_its_outcome_and_ratios_keep_both_years(fitted):
    for outcome, fit in fitted.outcomes.items():
        prov = fit.provenance
        levers = prov[prov["variable"].isin(fit.main.levers)]
        assert (levers["year"] <= fit.year).all(), outcome
        ratios = prov[prov["variable"].str.endswith("_per_100k")]
        assert (ratios["year"] == 2019).all() and (ratios["denominator_year"] == 2024).all()


def test_co_outcomes_are_not_drivers(fitted):
    hdi = {"mean_schooling", "expected_schooling", "expenditure_per_capita"}
    assert not hdi & set(fitted.get("life_expectancy").terms)
    assert "immunization_complete" not in fitted.get("stunting").terms
    for outcome in ("immunization_complete", "facility_delivery"):
        assert "modern_contraception" not in fitted.get(outcome).terms


def test_islands_get_their_nearest_district_as_neighbour(raw_dir):
    from analysis.models.spatial import sample_weights
    from analysis.regions import load_registry

    codes = [d.code for d in load_registry()]
    w, linked = sample_weights(codes)
    assert w.n == 514 and not w.islands
    assert 20 <= linked <= 40  # Simeulue, Mentawai, Sabang, ... (33 without a land border)
    assert min(w.cardinalities.values()) >= 1


def test_stored_models_load_without_refitting_and_match(fitted, built):
    assert models_up_to_date(built.out_dir)
    loaded = load_models(built.out_dir)
    assert loaded.model_version == fitted.model_version
    for model_id, model in fitted.models.items():
        again = loaded.models[model_id]
        assert again.coefficients["estimate"].tolist() == pytest.approx(
            model.coefficients["estimate"].tolist()
        )
        assert again.n == model.n and again.dropped.shape == model.dropped.shape


def test_models_of_other_data_are_refused(fitted, built, tmp_path):
    path = built.out_dir / "models" / "models.json"
    doc = json.loads(path.read_text())
    original = doc["model_version"]
    try:
        doc["model_version"] = "0" * 16
        path.write_text(json.dumps(doc))
        assert not models_up_to_date(built.out_dir)
        with pytest.raises(AnalysisError, match="refit"):
            load_models(built.out_dir)
    finally:
        doc["model_version"] = original
        path.write_text(json.dumps(doc))


def test_dropped_districts_are_listed_with_reasons(fitted):
    model = fitted.get("stunting")
    assert len(model.dropped) > 0
    assert model.dropped["reason"].str.len().min() > 10
    sample = set(model.sample["district_code"])
    assert not sample & set(model.dropped["district_code"])
    assert len(sample) == model.n
