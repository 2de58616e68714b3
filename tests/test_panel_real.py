"""The processed panel built from the real public tables."""

import csv
import json

import pandas as pd
import pytest

from analysis.panel import build, data_version, load_panel
from analysis.validate import KEY, panel_schema


def test_panel_holds_all_514_districts(built):
    panel = pd.read_parquet(built.out_dir / "panel.parquet")
    assert panel["district_code"].nunique() == 514 == built.districts


def test_serang_life_expectancy_2020_is_the_bps_figure(built, raw_dir):
    with open(raw_dir / "bps_ipm_components_2010_2020" / "socec.csv", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["region"] == "Serang" and r["year"] == "2020"]
    assert len(rows) == 1
    panel = load_panel(built.out_dir)
    mine = panel[
        (panel.district_code == "3604")
        & (panel.year == 2020)
        & (panel.indicator == "life_expectancy")
        & (panel.source == "bps_ipm")
    ]
    assert mine["value"].tolist() == [float(rows[0]["life_exp_birth"])]
    kota = panel[
        (panel.district_code == "3673")
        & (panel.year == 2020)
        & (panel.indicator == "life_expectancy")
        & (panel.source == "bps_ipm")
    ]
    assert kota["value"].iloc[0] != mine["value"].iloc[0]


def test_every_source_read_equals_accepted_plus_quarantined(built):
    counts = built.counts
    assert (counts["values_read"] == counts["accepted"] + counts["quarantined"]).all()
    quarantine = pd.read_csv(built.out_dir / "quarantine.csv", dtype=str, keep_default_na=False)
    per_source = quarantine.groupby("source").size()
    for row in counts.itertuples():
        assert per_source.get(row.source, 0) == row.quarantined
    panel = pd.read_parquet(built.out_dir / "panel.parquet")
    assert len(panel) == counts["accepted"].sum()
    assert (quarantine["reason"] != "").all()


def test_accepted_panel_satisfies_the_contract(built, registry, catalogue):
    panel = pd.read_parquet(built.out_dir / "panel.parquet")
    panel_schema(registry.codes, catalogue).validate(panel.astype({"year": "Int64"}))
    assert not panel.duplicated(KEY).any()


def test_documented_quirks_are_quarantined_not_used(built):
    quarantine = pd.read_csv(built.out_dir / "quarantine.csv", dtype=str, keep_default_na=False)
    # all 22 NTT districts carry the province's SSGI 2022 figure in the IKP 2023 table
    ntt = quarantine[
        (quarantine.reason_code == "placeholder") & (quarantine.indicator == "stunting")
    ]
    assert len(ntt) == 22 and set(ntt["raw_value"]) == {"35.30"}
    # 14 districts have 0.00 for 'missing' stunting in the IKP 2024 table
    zeros = quarantine[(quarantine.source == "bapanas_ikp") & (quarantine.reason_code == "missing")]
    assert len(zeros) == 14
    # four districts' 2022 IKPS values were carried forward from 2021
    carried = quarantine[quarantine.reason_code == "carried_forward"]
    assert carried["district_raw"].nunique() == 4
    # no district name in any source is left unresolved
    assert not quarantine["reason_code"].isin(["unknown_district", "ambiguous_district"]).any()


def test_misaligned_compiled_rows_are_flagged_and_excluded(built):
    flagged = built.consistency
    assert built.flagged_districts > 0
    le = flagged[flagged.indicator == "life_expectancy"]
    # the IKP 2023 edition holds neighbouring kota's values for several Sumatera Utara cities
    assert {"1271", "1272", "1273"} <= set(le["district_code"])
    assert set(le["flagged_source"]) == {"bapanas_ikp"}
    panel = load_panel(built.out_dir)
    assert panel.attrs["excluded_flagged"] > 0
    sibolga = panel[
        (panel.district_code == "1271") & (panel.source == "bapanas_ikp") & (panel.year == 2022)
    ]
    assert sibolga.empty  # the whole suspect row is left out, stunting included
    everything = load_panel(built.out_dir, include_flagged=True)
    assert len(everything) == len(panel) + panel.attrs["excluded_flagged"]


def test_wide_view_has_one_row_per_district_year(built):
    wide = pd.read_parquet(built.out_dir / "panel_wide.parquet")
    assert not wide.duplicated(["district_code", "year"]).any()
    serang = wide[(wide.district_code == "3604") & (wide.year == 2020)]
    assert serang["life_expectancy"].iloc[0] == pytest.approx(64.64)


def test_rebuild_with_unchanged_inputs_does_no_work(built, raw_dir):
    again = build(raw_dir, built.out_dir)
    assert again.skipped and again.version == built.version
    info = json.loads((built.out_dir / "data_version.json").read_text())
    assert info["data_version"] == data_version(raw_dir) == built.version
    assert {"pandas", "pandera", "python"} <= set(info["software"])
