"""SPM kesehatan tables: validation with reasons, and the report section."""

import pytest

from analysis.report.district import DistrictReport
from analysis.spm import load_services, read_spm

HEADER = "district,year,service,target_population,served,percent\n"


@pytest.fixture
def spm_file(tmp_path):
    rows = [
        "Kabupaten Serang,2024,ibu_hamil,31000,29450,95",
        "Kabupaten Serang,2024,ibu_bersalin,29600,29600,",
        "Kabupaten Serang,2024,balita,150000,97500,65",
        "Kabupaten Serang,2024,hipertensi,120000,130000,",  # served > target
        "Kabupaten Serang,2024,diabetes_melitus,30000,21000,80",  # percent should be 70
        "Kabupaten Serang,2024,flu_biasa,1000,10,1",  # unknown service
        "Kabupaten Atlantis,2024,balita,100,50,50",  # unknown district
        "Kabupaten Serang,2024,usia_lanjut,200000,abc,",  # not a number
    ]
    path = tmp_path / "spm.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_twelve_services_are_listed():
    services = load_services()
    assert len(services) == 12 and "ibu_hamil" in services and "risiko_hiv" in services


def test_valid_rows_are_kept_and_every_bad_row_has_a_reason(spm_file, registry):
    table = read_spm(spm_file, registry)
    assert sorted(table.rows["service"]) == ["balita", "ibu_bersalin", "ibu_hamil"]
    assert table.rows.set_index("service").loc["balita", "percent"] == pytest.approx(65.0)
    reasons = dict(zip(table.problems["row"], table.problems["reason"], strict=True))
    assert "more people served than the target population" in reasons[5]
    assert "percent differs" in reasons[6]
    assert "unknown service" in reasons[7]
    assert "Unknown district 'Kabupaten Atlantis'" in reasons[8]
    assert "'abc' is not a number" in reasons[9]
    assert len(table.rows) + table.problems["row"].nunique() == 8


def test_report_section_shows_achievement_and_lagging_services(spm_file, processed):
    report = DistrictReport.load(
        "Kabupaten Serang", processed_dir=str(processed), spm_file=str(spm_file)
    )
    html = str(report.spm())
    assert "Capaian SPM kesehatan" in html and "Pelayanan kesehatan balita (65,0 %)" in html
    assert "5 baris tabel SPM tidak dipakai" in html
    without = DistrictReport.load("Kabupaten Serang", processed_dir=str(processed))
    assert "tidak diberikan" in str(without.spm())
