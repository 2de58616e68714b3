"""The follow-up loop end to end on the real panel: the plan workbook of Kabupaten Serang, filled
in as a district would (one row wrong), imported through the command line, and read back as the
next report's "previous meeting" frame."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.catalogue import PIP_INDICATORS
from analysis.cli import app
from analysis.followup import PlanCandidate, plan_frame, plan_workbook, previous_meeting
from analysis.followup.plan import header
from analysis.panel import load_panel, read_version_file
from analysis.targets import load_targets

MEETING = date(2026, 3, 10)
AS_OF = date(2026, 7, 1)


@pytest.fixture(scope="module")
def serang(registry):
    return registry.resolve("Kabupaten Serang")


@pytest.fixture(scope="module")
def panel(built):
    return load_panel(built.out_dir)


@pytest.fixture(scope="module")
def plan(serang, panel):
    candidates = [PlanCandidate("stunting", "sanitation_access")] + [
        PlanCandidate(i) for i in PIP_INDICATORS
    ]
    return plan_frame(serang.code, candidates, panel=panel, targets=load_targets())


@pytest.fixture(scope="module")
def workbook(plan, serang, built):
    version = read_version_file(built.out_dir)
    return plan_workbook(
        plan,
        district_code=serang.code,
        district_name=serang.name,
        timestamp=version["built_at"],
        data_version=version["data_version"],
    )


def fill_as_the_district_would(workbook: bytes, path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    ws = book[book.sheetnames[0]]
    col = {c.value: c.column for c in ws[1]}

    def put(row: int, key: str, value) -> None:
        ws.cell(row=row, column=col[header(key)], value=value)

    put(2, "action", "Bangun 500 jamban sehat di 10 desa lokus")
    put(2, "person_in_charge", "Kabid Perumahan, Dinas Perkim")
    put(2, "deadline", datetime(2026, 6, 30))
    put(2, "status", "berjalan")
    put(3, "action", "Kelas ibu hamil di 31 puskesmas")
    put(3, "deadline", datetime(2026, 5, 31))
    put(3, "status", "Selesai")  # any case
    put(4, "deadline", "31/12/2026")  # typed as text
    put(4, "status", "blocked")  # English label
    put(5, "status", "sudah dilaksanakan")  # not a status: this row is set aside
    put(7, "indicator_label", "Imunisasi dasar lengkap (IDL, Susenas)")  # a new action
    put(7, "opd_label", "Dinas Kesehatan")
    put(7, "action", "Sweeping imunisasi")
    put(7, "deadline", datetime(2026, 4, 30))
    put(7, "status", "belum mulai")
    book.save(path)


def test_plan_workbook_holds_the_plan_as_numbers(workbook, plan):
    ws = openpyxl.load_workbook(io.BytesIO(workbook)).worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    baselines = [ws.cell(row=r, column=col[header("baseline")]).value for r in range(2, 7)]
    # numeric cells (openpyxl reads a whole number such as 72.0 back as int), never text
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in baselines)
    assert baselines == pytest.approx(plan["baseline"].tolist())
    years = [ws.cell(row=r, column=col[header("baseline_year")]).value for r in range(2, 7)]
    assert years == plan["baseline_year"].tolist()


def test_a_filled_plan_comes_back_for_the_next_meeting(
    workbook, plan, serang, panel, tmp_path, monkeypatch
):
    filled = tmp_path / "rencana_tindak_lanjut_terisi.xlsx"
    fill_as_the_district_would(workbook, filled)
    store = tmp_path / "followup"
    args = ["--district", "Kab. Serang", "--meeting", MEETING.isoformat(), "--store", str(store)]
    result = CliRunner().invoke(app, ["followup", "import", str(filled), *args])
    output = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "6 rows read = 5 accepted + 1 quarantined" in output
    assert "row 5, column 'Status' (R5): 'sudah dilaksanakan' is not a status" in output

    fu = previous_meeting(serang.code, AS_OF, store_dir=store, panel=panel)
    assert fu.meeting == MEETING
    actions = fu.actions.set_index("action_id")
    assert actions["status"].to_dict() == {
        1: "in_progress",
        2: "done",
        3: "blocked",
        5: "not_started",
        6: "not_started",
    }
    # 1 July: 1 is late (30 June, running); 2 is done; 3 is due in December; 6 is late; 5 has
    # no deadline
    assert actions["overdue"].to_dict() == {1: True, 2: False, 3: False, 5: False, 6: True}
    assert actions.loc[6, "indicator"] == "immunization_complete"
    assert actions.loc[1, "person_in_charge"] == "Kabid Perumahan, Dinas Perkim"
    kept = plan.set_index("action_id").loc[[1, 2, 3, 5], ["baseline", "baseline_year", "target"]]
    pd.testing.assert_frame_equal(
        actions.loc[[1, 2, 3, 5], ["baseline", "baseline_year", "target"]], kept
    )
    # same data version: the latest value is the baseline itself, so nothing is judged yet
    with_data = actions[actions["baseline"].notna()]
    assert (with_data["latest_value"] == with_data["baseline"]).all()
    assert not with_data["comparable"].any() and with_data["improved"].isna().all()
    flagged = fu.quarantine[["row", "column", "cell", "value"]].to_dict("records")
    assert flagged == [
        {"row": 5, "column": header("status"), "cell": "R5", "value": "sudah dilaksanakan"}
    ]
    assert fu.read == fu.accepted + fu.quarantined == 6
