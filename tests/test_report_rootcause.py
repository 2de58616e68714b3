"""The report tells what the root-cause engine computes: Kabupaten Serang's akar masalah, summary,
follow-up plan (and its downloads), the previous meeting's section after a `followup import`,
trends and verdicts, and the methods with every model variant side by side."""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

from analysis.catalogue import PIP_INDICATORS
from analysis.cli import app
from analysis.followup import read_filled_plan
from analysis.followup.plan import header
from analysis.i18n import t
from analysis.report.exports import table_files
from analysis.report.frames import explained

CONTEXT = {"population_density", "grdp_per_capita", "kota", "province"}
MEETING = date(2026, 3, 10)
AS_OF = date(2026, 7, 1)


@pytest.fixture(scope="module")
def serang(processed):
    from analysis.report.district import DistrictReport

    return DistrictReport.load("Kabupaten Serang", processed_dir=str(processed))


@pytest.fixture(scope="module")
def plan_section(serang):
    return serang.follow_up()


@pytest.fixture(scope="module")
def plan_files(plan_section):
    return table_files(plan_section.tables[0])


def contribution(serang, indicator: str, driver: str):
    return next(c for c in serang.explanations[indicator].decomposition.parts if c.driver == driver)


def test_every_part_of_every_gap_is_in_the_chart_and_they_add_up(serang):
    for indicator in PIP_INDICATORS:
        frame = serang.decomposition_frame(indicator)
        dec = serang.explanations[indicator].decomposition
        assert {"kota", "province", explained.UNEXPLAINED} <= set(frame["driver"])
        assert frame["contribution"].sum() == pytest.approx(dec.gap, abs=1e-6), indicator
        chart = next(c for c in serang.root_causes().charts if c.key.endswith(indicator))
        assert chart.data["contribution"].sum() == pytest.approx(dec.gap, abs=1e-6)


def test_context_has_no_opd_and_is_never_a_cause_in_summary_or_plan(serang, plan_section):
    words = serang.words
    for indicator in PIP_INDICATORS:
        frame = serang.decomposition_frame(indicator)
        context = frame[frame["role"] == "context"]
        assert set(context["driver"]) >= {"population_density", "grdp_per_capita", "province"}
        assert context["opd"].isna().all() and (context["status"] == "context").all()
        levers = frame[frame["role"] == "lever"]
        assert levers["opd"].notna().all()
    summary = " ".join(serang.summary().texts)
    for driver in ("population_density", "grdp_per_capita"):
        assert words.label(driver) not in summary
    assert t("term_province", "id") not in summary and t("term_kota", "id") not in summary
    assert not CONTEXT & set(plan_section.tables[0].data["driver"])


def test_summary_names_only_root_causes_and_says_first_what_is_unexplained(serang):
    summary = serang.summary().texts
    # Serang's life expectancy: the measured factors explain less than the rest, said first
    assert "tidak terjelaskan oleh faktor yang diukur" in summary[0]
    assert serang.words.label("life_expectancy") in summary[0]
    roots = [x for x in summary if x.startswith("Dugaan akar masalah")]
    assert len(roots) == 1
    # the one root cause: JKN for facility deliveries; never a strength (poverty) nor
    # puskesmas per 100k, consistent but of the unexpected sign
    assert "Kepemilikan JKN/Jamkesda untuk Persalinan" in roots[0]
    for driver in ("poverty_rate", "puskesmas_per_100k", "women_schooling"):
        assert serang.words.label(driver) not in roots[0]


def test_a_consistent_lever_with_the_unexpected_sign_is_never_a_root_cause(serang):
    c = contribution(serang, "facility_delivery", "puskesmas_per_100k")
    assert c.robust and c.sign_as_expected is False and not c.root_cause
    frame = serang.decomposition_frame("facility_delivery").set_index("driver")
    assert frame.at["puskesmas_per_100k", "status"] == "unexpected_sign"
    texts = " ".join(serang.root_causes().texts)
    assert "arahnya berlawanan dengan yang diharapkan" in texts and "bukan akar masalah" in texts


def test_statuses_are_worded_root_cause_not_established_strength_to_verify(serang):
    section = serang.root_causes()
    texts = " ".join(section.texts)
    assert "Dugaan akar masalah: Kepemilikan JKN/Jamkesda (41,8 % (2022) vs 70,2 %" in texts
    # to verify: a descriptive gap to the structural peers, never an effect
    assert "Perlu dicek di lokakarya: Kepemilikan JKN/Jamkesda 41,8 % (2022) vs 71,4 %" in texts
    assert "ASI eksklusif bayi <6 bulan 65,9 % (2022) vs 95,5 % di 10 kab/kota sebanding" in texts
    assert "Ini selisih deskriptif, bukan efek yang terbukti" in texts
    assert "Kekuatan (kab/kota lebih baik dari pembanding; bukan akar masalah)" in texts
    # a ratio's district value says the year of its population
    table = next(x for x in section.tables if x.key == "root_causes_facility_delivery")
    row = table.data.set_index("driver").loc["midwives_per_100k"]
    assert row["district_when"] == "2019, dibagi penduduk 2024"
    html = BeautifulSoup(str(section.to_html()), "html.parser").get_text(" ")
    assert "30,53 (2019, dibagi penduduk 2024)" in " ".join(html.split())


def test_log_scale_references_are_geometric_means_on_the_model_scale(serang):
    """Density enters the models as log(1 + x): its reference is the back-transformed mean, so
    Serang (1.217,6 per km²) lies above it, as its positive contribution says."""
    ctx = serang.ctx
    for indicator in PIP_INDICATORS:
        fit = ctx.models.fit(indicator)
        sample = fit.main.sample.set_index("district_code")
        for c in serang.explanations[indicator].decomposition.parts:
            if c.kind != "indicator" or c.reference.mean_kind != "geometric":
                continue
            raw = sample[c.driver].astype(float)
            assert c.reference.value == pytest.approx(np.expm1(np.log1p(raw).mean()), rel=1e-9)
            beta = float(fit.main.beta[c.driver])
            side = np.sign(c.district.value - c.reference.value)
            assert np.sign(c.value) == np.sign(beta) * side, (indicator, c.driver)
    density = contribution(serang, "facility_delivery", "population_density")
    assert density.value > 0 and density.district.value > density.reference.value
    frame = serang.decomposition_frame("facility_delivery").set_index("driver")
    assert frame.at["population_density", "reference_mean"] == "geometric"


def test_plan_rows_are_root_causes_and_levers_to_verify_only(serang, plan_section):
    data = plan_section.tables[0].data
    rows = list(zip(data["indicator"], data["driver"], data["basis"], strict=True))
    assert rows == [
        ("facility_delivery", "jkn_coverage", "root_cause"),
        ("immunization_complete", "jkn_coverage", "to_verify"),
        ("stunting", "exclusive_breastfeeding", "to_verify"),
    ]
    for indicator, driver, basis in rows:
        c = contribution(serang, indicator, driver)
        assert c.side == "worse" and c.opd is not None
        assert c.root_cause if basis == "root_cause" else c.to_verify
    # a lever to verify is compared with the structural peers, not with the national mean
    verify = data.set_index("driver").loc["exclusive_breastfeeding"]
    c = contribution(serang, "stunting", "exclusive_breastfeeding")
    assert verify["compared_value"] == pytest.approx(c.peer_check.peer_value)
    assert verify["compared_value"] != pytest.approx(c.reference.value)


def test_plan_downloads_are_the_plan_workbook_and_csv_without_context_or_strengths(
    serang, plan_files, catalogue
):
    xlsx = next(v for k, v in plan_files.items() if k.endswith("rencana_tindak_lanjut.xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["pip_followup_plan"] == "1" and props["district_code"] == serang.district_code
    ws = book.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    drivers = [ws.cell(row=r, column=col[header("driver")]).value for r in range(2, 5)]
    baselines = [ws.cell(row=r, column=col[header("baseline")]).value for r in range(2, 5)]
    assert all(isinstance(v, int | float) for v in baselines)  # numbers, not text
    assert ws.cell(row=5, column=col[header("driver")]).value is None  # three rows, no more
    csv = next(v for k, v in plan_files.items() if k.endswith("rencana_tindak_lanjut.csv"))
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig")
    assert frame[header("driver")].tolist() == drivers
    for indicator, driver in zip(frame[header("indicator")], drivers, strict=True):
        assert driver not in CONTEXT
        assert contribution(serang, indicator, driver).side != "better"
    assert "population_density" not in csv.decode("utf-8-sig")
    assert "grdp_per_capita" not in csv.decode("utf-8-sig")


def test_plan_csv_reads_back_as_a_plan(serang, plan_files, catalogue, tmp_path):
    path = tmp_path / "rencana.csv"
    path.write_bytes(next(v for k, v in plan_files.items() if k.endswith(".csv")))
    filled = read_filled_plan(path, district_code=serang.district_code, catalogue=catalogue)
    assert filled.read == 3 and filled.quarantined == 0
    assert filled.accepted["driver"].tolist() == [
        "jkn_coverage",
        "jkn_coverage",
        "exclusive_breastfeeding",
    ]


def test_stunting_verdict_and_series_say_what_the_data_can_tell(serang):
    cards = serang.cards()
    stunting = next(c for c in cards.blocks[0].cards if c.title == serang.words.label("stunting"))
    assert stunting.status == ("insufficient_data", "data belum cukup")
    facts = dict(stunting.facts)
    assert "survei yang berbeda dari SSGI" in facts["Seri"]
    assert facts["Tren"].startswith("belum dapat dihitung: 1 titik")
    targets = " ".join(serang.targets().texts)
    assert "Prevalensi balita stunting (survei SSGI/SKI) — Status: data belum cukup" in targets
    assert "sesuai jalur" not in targets
    trend = serang.trends()
    table = next(x for x in trend.tables if x.key == "trends_stunting")
    assert table.data["series"].tolist() == ["ssgi", "ssgi", "ski"]
    assert "survei yang berbeda dari SSGI" in str(trend.to_html())
    projection = serang.targets().charts[0].data
    assert projection.loc[projection["indicator"] == "stunting", "trend"].isna().all()


def test_methods_show_every_variant_side_by_side_with_fit_and_moran(serang):
    section = serang.methods()
    fits = section.data["models"]
    main = fits[fits["variant"].isin(["province_fe", "hc3", "spatial_error"])]
    assert set(main["indicator"]) == set(PIP_INDICATORS)
    assert main.groupby("indicator")["variant"].nunique().eq(3).all()
    assert main[["n", "r2_within", "r2_cv", "moran_i", "moran_p"]].notna().all().all()
    pf = section.data["coefficients_facility_delivery"].set_index("term")
    for variant in ("province_fe", "hc3", "spatial_error"):
        for stat in ("estimate", "ci_low", "ci_high", "p"):
            assert pf[f"{stat}_{variant}"].notna().loc["jkn_coverage"]
    assert pf.at["jkn_coverage", "status"] == "consistent"
    assert pf.at["population_density", "status"] == "context"
    html = " ".join(BeautifulSoup(str(section.to_html()), "html.parser").get_text(" ").split())
    for label in ("R² dalam provinsi", "R² validasi silang", "Moran's I residu", "Galat spasial"):
        assert label in html
    assert "Faktor yang konsisten di semua varian (Holm, 95%): Persentase penduduk miskin" in html
    assert "bukan bukti sebab-akibat" in html
    assert ", FE" not in html


def fill(workbook: bytes, path) -> None:
    """As a district would: statuses and dates, and one row with a status that is not one."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = book.worksheets[0]
    col = {c.value: c.column for c in ws[1]}

    def put(row: int, key: str, value) -> None:
        ws.cell(row=row, column=col[header(key)], value=value)

    put(2, "action", "Pendaftaran PBI JKN ibu hamil")
    put(2, "deadline", datetime(2026, 6, 30))
    put(2, "status", "berjalan")
    put(3, "action", "Verifikasi data JKN balita")
    put(3, "deadline", datetime(2026, 12, 31))
    put(3, "status", "selesai")
    put(4, "status", "hampir selesai")  # not a status: set aside
    book.save(path)


def test_previous_meeting_appears_after_an_import_and_flags_the_invalid_row(
    serang, plan_files, processed, tmp_path, monkeypatch
):
    from analysis import batch
    from analysis.followup import store_version
    from analysis.report.district import DistrictReport

    store = tmp_path / "followup"
    jobs_before = batch.plan([serang.district], ["id"], out_dir=tmp_path, processed_dir=processed)
    provinces_before = batch.plan_provinces(
        ["Banten", "Aceh"], ["id"], out_dir=tmp_path, processed_dir=processed
    )
    filled = tmp_path / "terisi.xlsx"
    fill(next(v for k, v in plan_files.items() if k.endswith(".xlsx")), filled)
    args = [
        "--district",
        "Kabupaten Serang",
        "--meeting",
        MEETING.isoformat(),
        "--store",
        str(store),
    ]
    result = CliRunner().invoke(app, ["followup", "import", str(filled), *args])
    assert result.exit_code == 0, result.output

    report = DistrictReport.load(
        "Kabupaten Serang", processed_dir=str(processed), followup_dir=str(store), as_of=AS_OF
    )
    section = report.previous_followup()
    actions = section.data["tindak_lanjut_sebelumnya"].set_index("action_id")
    assert actions["status"].to_dict() == {1: "in_progress", 2: "done"}
    assert actions["overdue"].to_dict() == {1: True, 2: False}  # 30 June passed, not done
    quarantine = section.data["tindak_lanjut_ditolak"]
    assert quarantine[["row", "column", "value"]].to_dict("records") == [
        {"row": 4, "column": header("status"), "value": "hampir selesai"}
    ]
    text = " ".join(BeautifulSoup(str(section.to_html()), "html.parser").get_text(" ").split())
    assert "Rencana pertemuan 2026-03-10" in text and "1 lewat tenggat" in text
    assert "berjalan" in text and "selesai" in text and "hampir selesai" in text
    assert any(x.startswith("Tindak lanjut pertemuan 2026-03-10") for x in report.summary().texts)
    # the report's cache key follows the store: a new import re-renders the report
    monkeypatch.setattr(batch, "store_version", lambda code: store_version(code, store))
    jobs_after = batch.plan([serang.district], ["id"], out_dir=tmp_path, processed_dir=processed)
    assert jobs_after[0].key != jobs_before[0].key
    # so does Banten's overview (it counts Serang's actions); Aceh's stays up to date
    banten, aceh = batch.plan_provinces(
        ["Banten", "Aceh"], ["id"], out_dir=tmp_path, processed_dir=processed
    )
    assert banten.key != provinces_before[0].key and aceh.key == provinces_before[1].key


def test_without_a_stored_plan_the_section_says_how_to_bring_one(processed, tmp_path):
    from analysis.report.district import DistrictReport

    report = DistrictReport.load(
        "Kota Tangerang", processed_dir=str(processed), followup_dir=str(tmp_path / "none")
    )
    texts = report.previous_followup().texts
    assert len(texts) == 1 and "python -m analysis followup import" in texts[0]
    # Kota Tangerang is not behind on any indicator: no plan rows, and the report says why
    plan = report.follow_up()
    assert plan.tables[0].data.empty
    assert t("followup_none", "id") in plan.texts
