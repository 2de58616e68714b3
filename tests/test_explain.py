"""`python -m analysis explain` on the real panel and the stored models."""

import json

import pytest
from typer.testing import CliRunner

from analysis.catalogue import PIP_INDICATORS
from analysis.cli import app
from analysis.explain import Context, explain

STATUSES = {"consistent", "not_established", "strength"}
CHECKED = ("Kabupaten Serang", "Kabupaten Sarolangun", "Kota Tangerang")


@pytest.fixture(scope="module")
def ctx(processed):
    return Context.load(processed)


@pytest.fixture(scope="module")
def serang_json(processed, built):
    import analysis.cli

    original = analysis.cli.PROCESSED_DIR
    analysis.cli.PROCESSED_DIR = built.out_dir
    try:
        runner = CliRunner()
        docs = {}
        for indicator in PIP_INDICATORS:
            args = ["explain", "--district", "Kabupaten Serang", "--indicator", indicator, "--json"]
            result = runner.invoke(app, args)
            assert result.exit_code == 0, result.output
            docs[indicator] = json.loads(result.output)
        return docs
    finally:
        analysis.cli.PROCESSED_DIR = original


def test_serang_parts_sum_to_the_gap_for_every_indicator(serang_json):
    for indicator, doc in serang_json.items():
        parts = sum(c["value"] for c in doc["contributions"])
        assert parts == pytest.approx(doc["explained"]["value"], abs=1e-9), indicator
        total = parts + doc["unexplained"]["value"]
        assert total == pytest.approx(doc["gap"], abs=1e-6), indicator


def test_context_has_no_opd_and_levers_have_the_catalogue_owner(serang_json, ctx):
    for indicator, doc in serang_json.items():
        roles = {c["driver"]: c["role"] for c in doc["contributions"]}
        assert roles["population_density"] == roles["grdp_per_capita"] == "context"
        assert roles["province"] == "context", indicator
        for c in doc["contributions"]:
            if c["role"] == "context":
                assert c["opd"] is None and c["status"] is None and not c["root_cause"]
            else:
                assert c["role"] == "lever" and c["status"] in STATUSES
                assert c["opd"] == ctx.catalogue[c["driver"]].opd.key
        assert not {"population_density", "grdp_per_capita", "kota", "province"} & set(
            doc["root_causes"] + doc["to_verify"]
        )


def test_json_carries_values_years_sources_intervals_variants_and_fit(serang_json):
    doc = serang_json["facility_delivery"]
    lever = next(c for c in doc["contributions"] if c["driver"] == "jkn_coverage")
    assert {"value", "year", "source"} <= set(lever["district"])
    assert {"value", "n", "year_min", "year_max", "sources"} <= set(lever["reference"])
    assert lever["interval"]["low"] <= lever["value"] <= lever["interval"]["high"]
    assert set(lever["variants"]) == {"province_fe", "hc3", "spatial_error"}
    assert {"estimate", "interval", "p_holm", "interval_holm"} <= set(lever["variants"]["hc3"])
    for key in ("explained", "unexplained"):
        assert doc[key]["low"] <= doc[key]["value"] <= doc[key]["high"]
    assert doc["unexplained"]["kind"] == "prediction_interval"
    model = doc["model"]
    assert model["main_variant"] == "province_fe" and model["n"] >= 300
    assert 0 < model["r2_within"] < 1 and model["r2_cv"] is not None
    assert {"value", "p_value"} <= set(doc["residual_moran_i"])
    for variant in model["variants"].values():
        assert {"n", "r2_within", "r2_cv", "residual_moran_i"} <= set(variant)
    assert doc["verdict"] is None or {"status", "reason"} <= set(doc["verdict"])


def test_a_ratio_says_which_year_its_population_is_from(serang_json):
    doc = serang_json["facility_delivery"]
    midwives = next(c for c in doc["contributions"] if c["driver"] == "midwives_per_100k")
    district = midwives["district"]
    assert (district["year"], district["denominator_year"]) == (2019, 2024)
    assert district["year_mismatch"] is True and district["denominator_source"] == "wilayah"


def test_serang_verdicts_say_what_the_data_can_tell(serang_json):
    stunting = serang_json["stunting"]["verdict"]
    assert (stunting["status"], stunting["reason"]) == (
        "insufficient_data",
        "fewer_than_three_points",
    )
    assert stunting["series"] == "ski"
    assert serang_json["stunting"]["trend"]["series"] == ["ssgi", "ssgi", "ski"]
    life = serang_json["life_expectancy"]["verdict"]
    assert (life["status"], life["target_series"]) == ("not_comparable", "uhh_long_form")
    idl = serang_json["immunization_complete"]["verdict"]
    assert (idl["status"], idl["last_year"]) == ("no_data_since", 2022)


def test_root_causes_are_consistent_levers_on_which_the_district_is_worse(ctx):
    for name in CHECKED:
        for indicator in PIP_INDICATORS:
            d = explain(ctx, name, indicator).decomposition
            if d is None:
                continue
            for c in d.root_causes:
                assert (c.role, c.status, c.side, c.harmful) == (
                    "lever",
                    "consistent",
                    "worse",
                    True,
                )
            for c in d.strengths:
                assert c.side == "better" and not c.root_cause
            for c in d.to_verify:
                assert c.status == "not_established" and c.peer_check.clearly_worse


def test_sarolangun_stunting_jump_is_low_precision_not_achieved(ctx):
    ex = explain(ctx, "Kabupaten Sarolangun", "stunting")
    assert ex.latest["value"] == 4.8 and ex.latest["low_precision"] == ["jump"]
    # the decomposition rests on that value, and says so
    assert ex.decomposition.year == 2023 and ex.decomposition.low_precision == ("jump",)
    assert (ex.verdict.status, ex.verdict.reason) == (
        "insufficient_data",
        "latest_value_low_precision",
    )


def test_positive_deviants_do_better_than_the_model_predicts(ctx):
    ex = explain(ctx, "Kabupaten Serang", "life_expectancy")
    peers = set(ex.peers["district_code"])
    assert set(ex.deviants["district_code"]) <= peers
    assert len(ex.deviants) < len(peers)  # a residual rule discriminates
    assert (ex.deviants["advantage"] > 0).all()


def test_kota_serang_is_explained_as_itself(ctx):
    ex = explain(ctx, "Kota Serang", "facility_delivery", reference="province")
    assert ex.district.code == "3673"
    sample = set(ex.model.sample["district_code"])
    banten = {d.code for d in ctx.registry.in_province("Banten")}
    assert ex.decomposition.reference_n == len(banten & sample)  # the mean includes itself
    assert ex.decomposition.district_value == ctx.values("facility_delivery", 2022)["3673"]


def test_a_district_without_data_is_explained_honestly(ctx):
    # Kabupaten Pandeglang's 2022 IKPS values were carried forward from 2021 and quarantined
    ex = explain(ctx, "Kabupaten Pandeglang", "immunization_complete")
    assert ex.decomposition is None
    assert "not in the" in ex.decomposition_error
    assert ex.latest["year"] == 2021  # its last real value, not an invented one


def test_text_output_words_the_uncertain_as_uncertain(ctx, built, monkeypatch):
    monkeypatch.setattr("analysis.cli.PROCESSED_DIR", built.out_dir)
    monkeypatch.setattr("analysis.cli.console.width", 250)  # table cells on one line each
    runner = CliRunner()

    def text(*args):
        result = runner.invoke(app, ["explain", *args], terminal_width=200)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    id_text = text("--district", "KAB. SERANG")
    en_text = text("--district", "3604", "--lang", "en")
    assert "Akar masalah" in id_text and "bukan bukti sebab-akibat" in id_text
    assert "Root causes" in en_text and "not proof of cause" in en_text
    # Serang's life expectancy: the unexplained part is the larger one, and it is said first
    assert "Faktor yang diukur tidak menjelaskan selisih ini" in id_text
    assert "The measured factors do not explain this gap" in en_text
    assert "Belum terbukti:" in id_text and "Not established:" in en_text
    assert "konteks" in id_text and "2019, dibagi penduduk 2024" in id_text
    assert "seri tidak sebanding" in id_text or "belum sebanding" in id_text
    bad = runner.invoke(app, ["explain", "--district", "Serang"])
    assert bad.exit_code == 2 and "ambiguous" in bad.output


def test_a_district_better_than_its_reference_is_told_so(ctx):
    d = explain(ctx, "Kota Tangerang", "immunization_complete").decomposition
    assert d.gap > 0 and d.gap_favourable and d.direction == "higher"
    assert not explain(ctx, "Kabupaten Serang", "facility_delivery").decomposition.gap_favourable
