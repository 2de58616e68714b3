"""Kalimantan Timur's overview with a synthetic province targets file: every kab/kota against its
own target per year with capaian and category (numbers equal a direct computation), the ones
behind on two or more indicators named first, flagged estimates; without a file the overview
says plainly that national defaults are used. Inequality ranked by poverty with readable
measures; follow-up actions counted by status per district; the batch passes the targets file
through to the rendered page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.catalogue import PIP_INDICATORS
from analysis.i18n import fmt_number, t
from analysis.plan_targets import COLUMNS
from analysis.report.province import ProvinceReport

KALTIM = "Kalimantan Timur"
MAHAKAM_ULU, SAMARINDA = "6411", "6472"
REF = "RPJMD {name} 2021–2026 (synthetic test targets)"
PLAN = {  # the same synthetic yearly targets for every kab/kota
    "life_expectancy": {2021: 72.5, 2022: 72.8, 2023: 73.1},
    "immunization_complete": {2021: 80.0, 2022: 85.0},
    "stunting": {2021: 24.0, 2022: 22.0, 2023: 20.0},
    "facility_delivery": {2021: 90.0, 2022: 92.0},
}


@pytest.fixture(scope="module")
def targets_file(processed, tmp_path_factory):
    from analysis.regions import load_registry

    rows = []
    for d in load_registry().in_province(KALTIM):
        for ind, years in PLAN.items():
            for year, target in years.items():
                rows.append([d.name, ind, year, target, "", "", "RPJMD", REF.format(name=d.name)])
    rows.append(["Kota Samarinda", "stunting", 2022, 140, "", "", "RPJMD", "bad row"])
    path = tmp_path_factory.mktemp("targets") / "kaltim_targets.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def with_file(processed, targets_file):
    return ProvinceReport.load(KALTIM, processed_dir=str(processed), targets_file=str(targets_file))


@pytest.fixture(scope="module")
def without_file(processed):
    return ProvinceReport.load(KALTIM, lang="en", processed_dir=str(processed))


def realised(report, code, indicator, year):
    p = report.ctx.preferred
    rows = p[(p["district_code"] == code) & (p["indicator"] == indicator) & (p["year"] == year)]
    return float(rows["value"].iloc[0]) if len(rows) else None


def direct(r, target, indicator):
    return (2 * target - r) / target * 100 if indicator == "stunting" else r / target * 100


def band(value):
    for name, low in (("sangat_tinggi", 91), ("tinggi", 76), ("sedang", 66), ("rendah", 51)):
        if value >= low:
            return name
    return "sangat_rendah"


def text_of(section) -> str:
    return " ".join(BeautifulSoup(str(section), "html.parser").get_text(" ").split())


def test_every_kab_kota_against_its_own_target_per_year(with_file):
    section = with_file.plan_evaluation()
    table = section.data["capaian_per_tahun"]
    assert sorted(table["district_code"].unique()) == with_file.codes
    assert set(table["target_basis"]) == {"district"}
    checked = 0
    for code in with_file.codes:
        for ind, years in PLAN.items():
            for year, target in years.items():
                row = table[
                    (table["district_code"] == code)
                    & (table["indicator"] == ind)
                    & (table["year"] == year)
                ]
                assert len(row) == 1 and row["target"].iloc[0] == target
                r = realised(with_file, code, ind, year)
                if r is None:
                    assert row["status"].iloc[0] == "no_realisation"
                    continue
                assert row["realisation"].iloc[0] == r
                assert row["capaian"].iloc[0] == pytest.approx(direct(r, target, ind))
                assert row["category"].iloc[0] == band(direct(r, target, ind))
                checked += 1
    assert checked > 80
    page = text_of(section)
    mahulu_idl = direct(realised(with_file, MAHAKAM_ULU, "immunization_complete", 2022), 85, "i")
    assert f"{fmt_number(mahulu_idl, 'id', 1)} %" in page
    assert t("capaian_cat_sangat_rendah", "id") in page


def test_the_ones_behind_on_two_or_more_are_named_first(with_file):
    section = with_file.plan_evaluation()
    table = section.data["capaian_per_tahun"]
    evaluated = table[table["status"] == "evaluated"]
    latest = evaluated.sort_values("year").groupby(["district_code", "indicator"]).tail(1)
    counts = latest[latest["capaian"] < 100].groupby("district_code").size()
    expected = {c for c, n in counts.items() if n >= 2}
    assert expected  # the synthetic targets put several districts behind
    behind = section.data["di_belakang_target"]
    assert set(behind["district_code"].iloc[: len(expected)]) == expected
    names = [with_file.name(c) for c in behind["district_code"].iloc[: len(expected)]]
    strong = t("prov_behind_result", "id", n=len(expected), k=2, names=", ".join(names))
    assert strong in text_of(section)
    # the big table lists the districts in the same order
    order = list(dict.fromkeys(table["district_code"]))
    assert order == behind["district_code"].tolist()


def test_bad_rows_of_the_file_are_shown_not_used(with_file):
    section = with_file.plan_evaluation()
    n = len(with_file.codes) * sum(len(y) for y in PLAN.values())
    said = t(
        "prov_capaian_file",
        "id",
        file="kaltim_targets.csv",
        read=n + 1,
        accepted=n,
        quarantined=1,
        n_own=len(with_file.codes),
        n=len(with_file.codes),
    )
    assert said.replace("`", "") in section.texts  # the file name is machine text (code)
    assert section.data["target_karantina"]["column"].tolist() == ["target"]


def test_thin_or_implausible_estimates_are_flagged_with_the_rule(with_file):
    section = with_file.plan_evaluation()
    table = section.data["capaian_per_tahun"]
    idl = table[(table["district_code"] == MAHAKAM_ULU) & (table["year"] == 2022)]
    idl = idl[idl["indicator"] == "immunization_complete"]
    assert "outlier_in_province" in idl["quality_flags"].iloc[0]
    page = text_of(section)
    assert t("quality_outlier_in_province", "id") in page
    assert "Iglewicz" in page and "Kabupaten Mahakam Ulu, Imunisasi" in page
    # a change across two surveys is said to be one
    stunting = table[(table["indicator"] == "stunting") & (table["year"] == 2023)]
    assert stunting["change_across_series"].all()
    assert "SSGI → SKI 2023" in page


def test_without_a_file_national_defaults_are_said_plainly(without_file):
    section = without_file.plan_evaluation()
    page = text_of(section)
    assert "No target table of the districts was given" in page
    assert "not a yearly target of the district" in page
    table = section.data["capaian_per_tahun"]
    assert set(table["target_basis"]) == {"national_default"}
    assert (table.loc[table["indicator"] == "stunting", "target"] == 14.2).all()
    assert t("prov_doc_national", "en") in page


def test_inequality_is_ranked_by_poverty_with_readable_measures(with_file):
    from analysis.welfare_inequality import welfare_inequality_frame

    section = with_file.inequality()
    frame = section.data["ketimpangan"].set_index("indicator")
    direct_frame = welfare_inequality_frame(
        with_file.ctx.preferred, with_file.codes, with_file.ctx.catalogue, years=with_file.years
    ).set_index("indicator")
    for ind in PIP_INDICATORS:
        for col in ("ratio", "difference", "sii", "poorest_mean", "least_poor_mean"):
            assert frame.at[ind, col] == pytest.approx(direct_frame.at[ind, col], nan_ok=True)
        assert frame.at[ind, "ratio"] >= 1
    page = text_of(section)
    ratio = fmt_number(frame.at["stunting", "ratio"], "id", 1)
    assert t("prov_ratio_worst_over_best", "id", ratio=ratio) in page
    assert "terbaik/ terburuk" not in page and "PDRB per kapita tidak dipakai" in page
    # Mahakam Ulu's implausible IDL is the worst value: the reader is told
    assert t("prov_ineq_flagged", "id", which="terburuk", district="Kabupaten Mahakam Ulu") in page


def test_follow_up_actions_counted_by_status_per_district(with_file, tmp_path, catalogue):
    from analysis.followup import read_filled_plan, store_meeting
    from tests.test_followup import ok_row, write_plan_csv

    empty = text_of(with_file.followup())
    assert t("prov_followup_none", "id").split("(")[0].strip() in empty
    plan = tmp_path / "plan.csv"
    rows = [
        ok_row(action_id="1", status="selesai"),
        ok_row(action_id="2", status="terhambat", deadline="30/04/2026"),
        ok_row(action_id="3", status="berjalan", deadline="31/12/2026"),
    ]
    write_plan_csv(plan, rows)
    filled = read_filled_plan(plan, district_code=SAMARINDA, catalogue=catalogue)
    store_meeting(filled, district_code=SAMARINDA, meeting="2026-03-10", store_dir=tmp_path)
    report = ProvinceReport(
        with_file.ctx,
        with_file.province_code,
        "id",
        with_file.parameters,
        with_file.ranks,
        with_file.years,
        as_of=date(2026, 7, 1),
        followup_dir=tmp_path,
    )
    counts = report.followup().data["tindak_lanjut"].set_index("district_code")
    assert list(counts.index) == [SAMARINDA]
    row = counts.loc[SAMARINDA]
    assert row[["actions", "done", "blocked", "in_progress", "not_started"]].tolist() == [
        3,
        1,
        1,
        1,
        0,
    ]
    assert row["overdue"] == 1  # 30 April passed, not done


def test_the_batch_passes_the_targets_file_to_the_rendered_overview(
    processed, targets_file, tmp_path
):
    from analysis.batch import plan, plan_provinces, run_job
    from analysis.regions import load_registry

    jobs = plan_provinces(
        [KALTIM], ["id"], out_dir=tmp_path, processed_dir=processed, targets_file=targets_file
    )
    assert jobs[0].parameters["targets_file"] == str(Path(targets_file).resolve())
    districts = plan(
        load_registry().in_province(KALTIM),
        ["id"],
        out_dir=tmp_path,
        processed_dir=processed,
        targets_file=targets_file,
    )
    assert {j.parameters["targets_file"] for j in districts} == {str(targets_file.resolve())}
    result = run_job(jobs[0])
    assert result.status == "ok", result.reason
    html = Path(result.out_html).read_text(encoding="utf-8")
    assert "Traceback" not in html
    page = BeautifulSoup(html, "html.parser")
    headings = [h.get_text(strip=True) for h in page.find_all("h2")]
    assert t("prov_sec_capaian", "id") in headings
    text = " ".join(page.get_text(" ").split())
    assert "kaltim_targets.csv" in text and t("prov_behind_title", "id") in text
