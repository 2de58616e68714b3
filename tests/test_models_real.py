"""Models fitted once on the real panel, stored, and only read afterwards."""

import json

import pytest

from analysis.errors import AnalysisError
from analysis.models.store import fit_all, load_models, models_up_to_date


@pytest.fixture(scope="session")
def fitted(built):
    return fit_all(built.out_dir)


def test_every_pip_indicator_has_a_cross_section_model(fitted):
    for outcome in ("life_expectancy", "immunization_complete", "stunting", "facility_delivery"):
        model = fitted.get(outcome)
        assert model is not None and model.n >= 300
        assert 0 < model.r2 < 1
        assert set(model.drivers) <= set(model.coefficients["term"])
        assert fitted.get(outcome, variant="province_fe").n == model.n


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
