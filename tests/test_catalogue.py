import pytest

from analysis.catalogue import PIP_INDICATORS, parse_catalogue
from analysis.errors import ManifestError
from analysis.sources import load_manifest


def test_pip_indicators_have_canonical_ids_and_owners(catalogue):
    for ind in PIP_INDICATORS:
        spec = catalogue[ind]
        assert spec.domain == "PIP"
        assert spec.opd.key == "dinkes"
        assert spec.label_id and spec.label_en
    assert catalogue["stunting"].direction == "lower"
    assert catalogue["life_expectancy"].unit == "years"


def test_survey_and_routine_stunting_are_different_indicators(catalogue):
    assert "survei" in catalogue["stunting"].label_id
    assert "rutin" in catalogue["stunting_routine"].label_id


def test_every_manifest_value_column_maps_to_a_catalogued_indicator(catalogue):
    for source in load_manifest().values():
        mappings = [source.spec.get("values", {})]
        mappings += [f.options.get("values", {}) for f in source.files]
        mappings += [f.options.get("metrics", {}) for f in source.files]
        if "wide" in source.spec:
            mappings.append({"wide": source.spec["wide"]["indicator"]})
        for mapping in mappings:
            for indicator in mapping.values():
                assert indicator in catalogue, f"{source.id}: {indicator}"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"unit": "furlongs"}, "unit 'furlongs'"),
        ({"opd": "nobody"}, "opd 'nobody'"),
        ({"bounds": [10, 0]}, "bounds"),
        ({"direction": "up"}, "direction"),
    ],
)
def test_a_bad_catalogue_entry_is_named(change, words):
    doc = {
        "opds": {"dinkes": {"label_id": "Dinkes", "label_en": "Health"}},
        "units": {"percent": {}},
        "indicators": {
            k: {
                "label_id": k,
                "label_en": k,
                "unit": "percent",
                "bounds": [0, 100],
                "direction": "higher",
                "domain": "PIP",
                "opd": "dinkes",
            }
            for k in PIP_INDICATORS
        },
    }
    doc["indicators"]["stunting"].update(change)
    with pytest.raises(ManifestError) as exc:
        parse_catalogue(doc)
    assert "'stunting'" in str(exc.value) and words in str(exc.value)
