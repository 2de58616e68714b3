"""The follow-up loop on small synthetic plans: the plan frame, checking a filled plan, the store
and the frames for the next report."""

from __future__ import annotations

import csv
import io
import os
from datetime import date

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from analysis.cli import app
from analysis.followup import (
    PLAN_COLUMNS,
    FollowupFileError,
    PlanCandidate,
    import_log,
    load_meeting,
    meetings,
    plan_frame,
    plan_workbook,
    previous_meeting,
    progress,
    province_followup,
    read_filled_plan,
    store_meeting,
    store_version,
)
from analysis.followup.cells import as_date, status_key
from analysis.followup.plan import header
from analysis.targets import load_targets

SERANG = "3604"
EN = {key: header(key, "en") for key in PLAN_COLUMNS}


def panel_rows(rows: list[tuple]) -> pd.DataFrame:
    """(district_code, year, indicator, value, source) -> a panel slice."""
    frame = pd.DataFrame(rows, columns=["district_code", "year", "indicator", "value", "source"])
    return frame.assign(flag="")


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return panel_rows(
        [
            (SERANG, 2022, "stunting", 25.0, "bapanas_ikp"),
            (SERANG, 2023, "stunting", 23.9, "bapanas_ikp"),
            (SERANG, 2024, "stunting", 20.1, "jabar_stunting"),  # another series, later year
            (SERANG, 2021, "immunization_complete", 60.0, "bps_ikps"),
            (SERANG, 2022, "immunization_complete", 62.2, "bps_ikps"),
            ("3601", 2023, "stunting", 30.0, "bapanas_ikp"),
        ]
    )


def write_plan_csv(path, rows: list[dict], lang_headers: dict = EN) -> None:
    keys = list(PLAN_COLUMNS)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([lang_headers[k] for k in keys])
        for row in rows:
            out.writerow([row.get(k, "") for k in keys])


def ok_row(**values) -> dict:
    base = {
        "action_id": "1",
        "indicator": "stunting",
        "opd": "dinkes",
        "baseline": "23,9",
        "baseline_year": "2023",
        "baseline_source": "bapanas_ikp",
        "action": "Kelas ibu hamil",
        "person_in_charge": "Kabid Kesmas",
        "deadline": "31/03/2026",
        "status": "berjalan",
    }
    return {**base, **values}


# -- cells ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("31/03/2026", date(2026, 3, 31)),
        ("2026-03-31", date(2026, 3, 31)),
        ("31 Maret 2026", date(2026, 3, 31)),
        ("5 Agustus 2026", date(2026, 8, 5)),
        ("31-03-2026", date(2026, 3, 31)),
    ],
)
def test_dates_are_read_as_a_district_writes_them(text, expected):
    problems = []
    assert as_date(text, "deadline", problems) == pd.Timestamp(expected)
    assert problems == []


@pytest.mark.parametrize("text", ["31/02/2026", "besok", "2026/31/03", 46000.0])
def test_a_bad_date_is_a_problem_not_a_guess(text):
    problems = []
    assert pd.isna(as_date(text, "deadline", problems))
    assert len(problems) == 1 and problems[0][0] == "deadline"


@pytest.mark.parametrize(
    "text, key",
    [
        ("Selesai", "done"),
        ("  BELUM   mulai ", "not_started"),
        ("in progress", "in_progress"),
        ("Blocked", "blocked"),
        ("terhambat (blocked)", "blocked"),
        ("sudah", None),
        ("", None),
    ],
)
def test_status_accepts_indonesian_and_english_labels_in_any_case(text, key):
    assert status_key(text) == key


# -- the plan -----------------------------------------------------------------------------------
def test_plan_takes_baselines_from_the_panel_and_targets_that_apply(panel):
    plan = plan_frame(
        SERANG,
        [
            PlanCandidate("stunting", "sanitation_access"),
            PlanCandidate("facility_delivery"),
            PlanCandidate("immunization_complete", baseline=55.0, baseline_year=2020),
        ],
        panel=panel,
        targets=load_targets(),
    )
    assert list(plan.columns) == list(PLAN_COLUMNS)
    stunting, delivery, idl = (plan.iloc[i] for i in range(3))
    assert stunting["opd"] == "perkim"  # the lever's OPD, not the indicator's
    # latest year of the preferred series: 2024 (jabar_stunting, authority 1)
    assert (stunting["baseline"], stunting["baseline_year"]) == (20.1, 2024)
    assert stunting["baseline_source"] == "jabar_stunting"
    assert (stunting["target"], stunting["target_year"]) == (14.2, 2029)  # RPJMN 2025–2029
    assert pd.isna(delivery["baseline"]) and pd.isna(delivery["target"])  # none: left empty
    assert pd.isna(delivery["target_year"]) and delivery["target_source"] == ""
    assert (idl["baseline"], idl["baseline_year"]) == (55.0, 2020)  # given values are kept
    assert plan["baseline"].dtype == "float64" and str(plan["baseline_year"].dtype) == "Int64"
    assert list(plan["action_id"]) == [1, 2, 3] and set(plan["status"]) == {"not_started"}


def test_plan_workbook_has_numbers_dropdowns_and_is_reproducible(panel):
    plan = plan_frame(SERANG, [PlanCandidate("stunting")], panel=panel, targets=load_targets())
    args = dict(district_code=SERANG, district_name="Kabupaten Serang", timestamp="2026-11-20")
    first = plan_workbook(plan, lang="en", **args)
    assert plan_workbook(plan, lang="en", **args) == first
    book = openpyxl.load_workbook(io.BytesIO(first))
    ws = book["follow-up plan"]
    heads = [c.value for c in ws[1]]
    row = dict(zip(heads, [c.value for c in ws[2]], strict=True))
    assert row["Baseline"] == 20.1 and row["Baseline year"] == 2024 and row["Target"] == 14.2
    assert row["Status"] == "belum mulai (not started)"
    status = next(v for v in ws.data_validations.dataValidation if v.formula1.startswith('"belum'))
    assert "selesai (done)" in status.formula1
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props["district_code"] == SERANG


# -- reading a filled plan ----------------------------------------------------------------------
@pytest.fixture
def filled_csv(tmp_path):
    path = tmp_path / "filled.csv"
    write_plan_csv(
        path,
        [
            ok_row(status="Done", deadline="2026-03-31"),  # 2 fine
            ok_row(action_id="2", indicator="stuntng"),  # 3 unknown code
            ok_row(action_id="3", opd="dinkes", opd_label="Dinas Sosial"),  # 4 disagree
            ok_row(action_id="4", baseline="250", deadline="32/01/2026"),  # 5 two problems
            ok_row(action_id="5", baseline_year=""),  # 6 baseline without year
            ok_row(action_id="7"),  # 7 and 8: one number twice
            ok_row(action_id="7", indicator="immunization_complete"),
            ok_row(action_id="8", status=""),  # 9 no status
            {},  # 10 blank: not a row
            ok_row(  # 11 a new action the district added, by labels only
                action_id="",
                indicator="",
                indicator_label="stunting prevalence among under-fives (ssgi/ski survey)",
                opd="",
                opd_label="Health Office",
                status="not started",
            ),
        ],
    )
    return path


def test_every_problem_is_named_by_row_and_column(filled_csv, catalogue):
    filled = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    assert filled.read == 9  # the blank line is not a row
    assert filled.read == len(filled.accepted) + filled.quarantined
    found = set(zip(filled.quarantine["row"], filled.quarantine["column"], strict=True))
    assert found == {
        (3, EN["indicator"]),
        (4, EN["opd_label"]),
        (5, EN["baseline"]),
        (5, EN["deadline"]),
        (6, EN["baseline_year"]),
        (7, EN["action_id"]),
        (8, EN["action_id"]),
        (9, EN["status"]),
    }
    reasons = dict(zip(filled.quarantine["cell"], filled.quarantine["reason"], strict=True))
    assert "unknown code 'stuntng'" in reasons["B3"]
    assert "outside the range of stunting" in reasons["I5"]
    assert "'32/01/2026' is not a date" in reasons["Q5"]
    assert "also used on row(s) 8" in reasons["A7"]
    assert reasons["R9"].startswith("is empty: choose one of belum mulai")


def test_accepted_rows_are_typed_and_new_actions_numbered(filled_csv, catalogue):
    filled = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue, known_ids={12})
    first, added = filled.accepted.iloc[0], filled.accepted.iloc[1]
    assert first["status"] == "done" and first["deadline"] == pd.Timestamp("2026-03-31")
    assert first["baseline"] == 23.9 and first["baseline_year"] == 2023
    assert (added["indicator"], added["opd"], added["row"]) == ("stunting", "dinkes", 11)
    assert added["action_id"] == 13  # after every number in use (12 in an earlier meeting)


def test_quarantine_keeps_the_cells_as_written(filled_csv, catalogue):
    filled = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    row5 = filled.quarantine[filled.quarantine["row"] == 5].iloc[0]
    assert (row5["baseline"], row5["deadline"], row5["action"]) == (
        "250",
        "32/01/2026",
        "Kelas ibu hamil",
    )


def test_a_file_without_the_plan_columns_is_refused(tmp_path, catalogue):
    path = tmp_path / "plan.csv"
    path.write_text("Indicator,OPD code,Action,Person in charge,Deadline\nstunting,dinkes,x,y,\n")
    with pytest.raises(FollowupFileError, match="'Status' are missing"):
        read_filled_plan(path, district_code=SERANG, catalogue=catalogue)


def test_a_plan_without_rows_is_refused(tmp_path, catalogue):
    path = tmp_path / "plan.csv"
    write_plan_csv(path, [{}])
    with pytest.raises(FollowupFileError, match="no rows"):
        read_filled_plan(path, district_code=SERANG, catalogue=catalogue)


def test_another_districts_plan_is_refused(panel, tmp_path, catalogue):
    plan = plan_frame("3601", [PlanCandidate("stunting")], panel=panel)
    path = tmp_path / "pandeglang.xlsx"
    path.write_bytes(
        plan_workbook(
            plan, district_code="3601", district_name="Kabupaten Pandeglang", timestamp="2026-01-01"
        )
    )
    with pytest.raises(FollowupFileError, match="made for Kabupaten Pandeglang"):
        read_filled_plan(path, district_code=SERANG, catalogue=catalogue)


def test_the_cli_says_what_is_wrong_without_a_traceback(tmp_path):
    bad = tmp_path / "plan.pdf"
    bad.write_text("not a plan")
    runner = CliRunner()
    args = ["--district", "Kabupaten Serang", "--store", str(tmp_path / "store")]
    result = runner.invoke(app, ["followup", "import", str(bad), "--meeting", "2026-03-10", *args])
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "save the plan as .xlsx or .csv" in output
    assert "Traceback" not in output and isinstance(result.exception, SystemExit)
    result = runner.invoke(app, ["followup", "import", str(bad), "--meeting", "10/03/2026", *args])
    assert result.exit_code == 2 and "write it as YYYY-MM-DD" in " ".join(result.output.split())
    assert not (tmp_path / "store").exists()  # nothing stored


# -- the store ----------------------------------------------------------------------------------
def snapshot(folder) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_importing_a_meeting_again_replaces_it_and_keeps_the_history(
    filled_csv, catalogue, tmp_path
):
    store = tmp_path / "store"
    filled = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    store_meeting(filled, district_code=SERANG, meeting="2026-03-10", store_dir=store)
    version_before = store_version(SERANG, store)
    write_plan_csv(filled_csv, [ok_row(status="selesai")])
    again = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    result = store_meeting(again, district_code=SERANG, meeting="2026-03-10", store_dir=store)
    assert result.replaced and meetings(SERANG, store) == [date(2026, 3, 10)]
    assert store_version(SERANG, store) not in ("", version_before)
    stored = load_meeting(SERANG, "2026-03-10", store)
    assert list(stored.plan["status"]) == ["done"] and len(stored.quarantine) == 0
    log = import_log(SERANG, store)
    assert list(log["replaced"]) == [False, True]
    assert list(log["quarantined"]) == [filled.quarantined, 0]
    assert (store / SERANG / "2026-03-10" / "filled.csv").read_bytes() == filled_csv.read_bytes()
    assert not [p for p in (store / SERANG).iterdir() if p.name.startswith(".")]  # no leftovers


def test_a_failed_import_leaves_the_store_as_it_was(filled_csv, catalogue, tmp_path, monkeypatch):
    store = tmp_path / "store"
    filled = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    store_meeting(filled, district_code=SERANG, meeting="2026-03-10", store_dir=store)
    before = snapshot(store)
    real_replace = os.replace

    def fail_on_history(src, dst):
        if str(dst).endswith("history.csv"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr("analysis.followup.store.os.replace", fail_on_history)
    write_plan_csv(filled_csv, [ok_row(status="selesai")])
    again = read_filled_plan(filled_csv, district_code=SERANG, catalogue=catalogue)
    with pytest.raises(OSError, match="disk full"):
        store_meeting(again, district_code=SERANG, meeting="2026-03-10", store_dir=store)
    assert snapshot(store) == before
    assert not [p for p in (store / SERANG).iterdir() if p.name.startswith(".")]


# -- frames for the next report -----------------------------------------------------------------
def test_progress_respects_direction_series_and_year(catalogue, panel):
    actions = pd.DataFrame(
        [
            # stunting: lower is better; 2022 -> 2023 in the same series: 25.0 -> 23.9
            {"indicator": "stunting", "baseline": 25.0, "baseline_year": 2022,
             "baseline_source": "bapanas_ikp"},
            # IDL: higher is better; 60.0 (2021) -> 62.2 (2022) in the same series
            {"indicator": "immunization_complete", "baseline": 60.0, "baseline_year": 2021,
             "baseline_source": "bps_ikps"},
            # same year as the latest value: nothing to judge yet
            {"indicator": "immunization_complete", "baseline": 62.2, "baseline_year": 2022,
             "baseline_source": "bps_ikps"},
            # baseline without a source: the latest preferred value, not comparable
            {"indicator": "stunting", "baseline": 30.0, "baseline_year": 2020,
             "baseline_source": ""},
            # an indicator without data for the district
            {"indicator": "facility_delivery", "baseline": float("nan"),
             "baseline_year": pd.NA, "baseline_source": ""},
        ]
    )  # fmt: skip
    out = progress(actions, panel, SERANG, catalogue)
    assert list(out["latest_value"][:4]) == [23.9, 62.2, 62.2, 20.1]
    assert list(out["latest_source"][:4]) == [
        "bapanas_ikp",
        "bps_ikps",
        "bps_ikps",
        "jabar_stunting",
    ]
    assert list(out["comparable"]) == [True, True, False, False, False]
    assert out["improved"].tolist()[:2] == [True, True]
    assert out["change"].iloc[0] == pytest.approx(-1.1)
    assert pd.isna(out["improved"].iloc[2]) and pd.isna(out["improved"].iloc[3])
    assert not out["same_series"].iloc[3] and pd.isna(out["latest_value"].iloc[4])


@pytest.fixture
def two_meetings(tmp_path, catalogue):
    """Serang: meeting 1 (three actions), meeting 2 (action 1 done, 2 still running with a later
    deadline, 3 dropped, a new action, one row set aside that keeps its number 9)."""
    store = tmp_path / "store"
    first = tmp_path / "m1.csv"
    write_plan_csv(
        first,
        [
            ok_row(action_id="1", status="belum mulai", deadline="30/04/2026"),
            ok_row(action_id="2", status="belum mulai", deadline="30/06/2026"),
            ok_row(
                action_id="3",
                indicator="immunization_complete",
                status="berjalan",
                deadline="31/12/2026",
            ),
        ],
    )
    second = tmp_path / "m2.csv"
    write_plan_csv(
        second,
        [
            ok_row(action_id="1", status="selesai", deadline="30/04/2026"),
            ok_row(action_id="2", status="berjalan", deadline="31/08/2026"),
            ok_row(action_id="", status="terhambat", deadline="31/05/2026"),
            ok_row(action_id="9", status="sudah"),
        ],
    )
    for day, path in (("2026-03-10", first), ("2026-07-01", second)):
        from analysis.followup.store import known_ids

        filled = read_filled_plan(
            path,
            district_code=SERANG,
            catalogue=catalogue,
            known_ids=known_ids(SERANG, store, besides=date.fromisoformat(day)),
        )
        store_meeting(filled, district_code=SERANG, meeting=day, store_dir=store)
    return store


def test_previous_meeting_flags_overdue_actions_with_their_history(two_meetings, panel):
    fu = previous_meeting(SERANG, date(2026, 7, 15), store_dir=two_meetings, panel=panel)
    assert fu.meeting == date(2026, 7, 1)
    assert (fu.read, fu.accepted, fu.quarantined) == (4, 3, 1)
    actions = fu.actions.set_index("action_id")
    assert list(actions.index) == [1, 2, 10]  # the new action: after every number in use (9)
    assert actions["status"].to_dict() == {1: "done", 2: "in_progress", 10: "blocked"}
    assert actions["status_label"].to_dict() == {1: "selesai", 2: "berjalan", 10: "terhambat"}
    # on 15 July: action 1's deadline passed but it is done; 2 is not due; 10 is late
    assert actions["overdue"].to_dict() == {1: False, 2: False, 10: True}
    assert actions["previous_status"].to_dict() == {1: "not_started", 2: "not_started", 10: ""}
    assert actions["meetings"].to_dict() == {1: 2, 2: 2, 10: 1}
    assert actions.loc[1, "latest_value"] == 23.9 and not actions.loc[1, "comparable"]
    history = fu.history
    assert list(zip(history["action_id"], history["status"], strict=True)) == [
        (1, "not_started"),
        (1, "done"),
        (2, "not_started"),
        (2, "in_progress"),
        (10, "blocked"),
    ]  # action 3 was dropped at the second meeting: not part of this meeting's history
    assert list(fu.quarantine[["row", "column"]].itertuples(index=False, name=None)) == [
        (5, EN["status"])
    ]


def test_previous_meeting_is_the_latest_on_or_before_the_date(two_meetings, panel):
    fu = previous_meeting(SERANG, date(2026, 5, 1), store_dir=two_meetings, panel=panel)
    assert fu.meeting == date(2026, 3, 10)
    assert fu.actions["overdue"].tolist() == [True, False, False]  # 30 April passed
    nothing = previous_meeting(SERANG, date(2026, 1, 1), store_dir=two_meetings, panel=panel)
    assert nothing.meeting is None and len(nothing.actions) == 0
    assert {"overdue", "latest_value", "improved"} <= set(nothing.actions.columns)


def test_province_overview_counts_actions_by_status(two_meetings, registry):
    counts = province_followup(
        "Banten", date(2026, 7, 15), store_dir=two_meetings, registry=registry
    )
    assert len(counts) == len(registry.in_province("Banten"))
    serang = counts.set_index("district_code").loc[SERANG]
    assert serang[["actions", "not_started", "in_progress", "done", "blocked"]].tolist() == [
        3,
        0,
        1,
        1,
        1,
    ]
    assert (serang["overdue"], serang["quarantined"]) == (1, 1)
    others = counts[counts["district_code"] != SERANG]
    assert others["meeting"].isna().all() and (others["actions"] == 0).all()
