"""Kecamatan / puskesmas tables: validation and the within-district section (known truth)."""

import pytest

from analysis.report.district import DistrictReport
from analysis.subdistrict import read_units, unit_summary

HEADER = "district,unit,unit_type,year,indicator,value\n"


@pytest.fixture
def units_file(tmp_path):
    rows = [
        f"Kabupaten Serang,Kecamatan {i},kecamatan,2024,immunization_complete_routine,{v}"
        for i, v in enumerate([95.0, 88.5, 72.0, 60.5, 91.0, 84.0, 79.0, 55.0], start=1)
    ]
    rows += [
        "Kabupaten Serang,Kecamatan 1,kecamatan,2024,immunization_complete_routine,96",  # dup
        "Kabupaten Serang,Kecamatan 9,kecamatan,2024,immunization_complete_routine,140",
        "Kabupaten Serang,Kecamatan 10,kecamatan,2024,unknown_thing,50",
        "Kota Serang,Kecamatan Taktakan,kecamatan,2024,immunization_complete_routine,77",
    ]
    path = tmp_path / "units.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_rows_are_checked_and_problems_named(units_file, registry, catalogue):
    table = read_units(units_file, registry, catalogue)
    serang = table.rows[table.rows["district_code"] == "3604"]
    assert len(serang) == 7  # Kecamatan 1 twice: both copies out
    reasons = dict(zip(table.problems["row"], table.problems["reason"], strict=True))
    assert "more than one value" in reasons[2] and "more than one value" in reasons[10]
    assert "outside the valid range" in reasons[11]
    assert "not in the catalogue" in reasons[12]


def test_units_pulling_down_are_the_worst_quarter(units_file, registry, catalogue):
    rows = read_units(units_file, registry, catalogue).rows
    ranked, spread = unit_summary(
        rows[rows["district_code"] == "3604"], "immunization_complete_routine", "higher"
    )
    assert ranked["unit"].tolist()[0] == "Kecamatan 5"  # 91.0 is the best left
    assert ranked.loc[ranked["pulls_down"], "unit"].tolist() == ["Kecamatan 8"]
    assert spread["range"] == pytest.approx(91.0 - 55.0)
    assert spread["median"] == pytest.approx(79.0)


def test_report_section(units_file, processed):
    report = DistrictReport.load(
        "Kabupaten Serang", processed_dir=str(processed), units_file=str(units_file)
    )
    html = str(report.within_district())
    assert "Kecamatan 8" in html and "rentang 36,0" in html
    assert "Kecamatan Taktakan" not in html  # Kota Serang's unit is not Kabupaten Serang's
