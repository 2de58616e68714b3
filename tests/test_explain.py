"""`python -m analysis explain` on the real panel and the stored models."""

import json
import math

import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.explain import Context, explain


@pytest.fixture(scope="module")
def ctx(processed):
    return Context.load(processed)


def test_serang_life_expectancy_gap_is_split_exactly_and_owned(ctx):
    ex = explain(ctx, "Kabupaten Serang", "life_expectancy")
    d = ex.decomposition
    assert ex.district.code == "3604" and d.reference == "national"
    assert math.isclose(d.explained + d.unexplained, d.gap, abs_tol=1e-9)
    # the district value is the panel's value in the model year
    assert d.district_value == ctx.values("life_expectancy", d.year)["3604"]
    assert {c.driver for c in d.contributions} == set(ex.model.drivers)
    assert all(c.opd == ctx.catalogue[c.driver].opd.key for c in d.contributions)
    assert set(ex.gaps) == {"national", "province", "peers"}
    assert len(ex.peers) == 10 and "3604" not in set(ex.peers["district_code"])
    assert ex.trend.n_years >= 10 and ex.ranks["n_province"] == 8


def test_kota_serang_is_explained_as_itself(ctx):
    ex = explain(ctx, "Kota Serang", "facility_delivery", reference="province")
    assert ex.district.code == "3673"
    sample = set(ex.model.sample["district_code"])
    banten = {d.code for d in ctx.registry.in_province("Banten")} - {"3673"}
    assert ex.decomposition.reference_n == len(banten & sample)
    assert ex.decomposition.district_value == ctx.values("facility_delivery", 2022)["3673"]


def test_a_district_without_data_is_explained_honestly(ctx):
    # Kabupaten Pandeglang's 2022 IKPS values were carried forward from 2021 and quarantined
    ex = explain(ctx, "Kabupaten Pandeglang", "immunization_complete")
    assert ex.decomposition is None
    assert "not in the" in ex.decomposition_error
    assert ex.latest["year"] == 2021  # its last real value, not an invented one


def test_json_output_has_the_documented_keys(ctx, built, monkeypatch):
    monkeypatch.setattr("analysis.cli.PROCESSED_DIR", built.out_dir)
    result = CliRunner().invoke(
        app,
        ["explain", "--district", "Kabupaten Serang", "--indicator", "life_expectancy", "--json"],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {
        "gap",
        "contributions",
        "unexplained",
        "peers",
        "positive_deviants",
        "trend",
        "verdict",
        "ranks",
        "model",
        "caveat",
    } <= set(doc)
    for c in doc["contributions"]:
        assert {"driver", "value", "opd", "ci_low", "ci_high"} <= set(c)
    total = sum(c["value"] for c in doc["contributions"]) + doc["unexplained"]
    assert total == pytest.approx(doc["gap"], abs=1e-9)


def test_text_output_in_both_languages(ctx, built, monkeypatch):
    monkeypatch.setattr("analysis.cli.PROCESSED_DIR", built.out_dir)
    runner = CliRunner()
    id_text = " ".join(runner.invoke(app, ["explain", "--district", "KAB. SERANG"]).output.split())
    en_text = " ".join(
        runner.invoke(app, ["explain", "--district", "3604", "--lang", "en"]).output.split()
    )
    assert "Akar masalah" in id_text and "bukan bukti sebab-akibat" in id_text
    assert "Root causes" in en_text and "not proof of cause" in en_text
    bad = runner.invoke(app, ["explain", "--district", "Serang"])
    assert bad.exit_code == 2 and "ambiguous" in bad.output
