"""Bring-your-own data through a mapping file: the worked example on a real public table, and
every kind of mapping or data error."""

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.catalogue import load_catalogue
from analysis.errors import ManifestError, SourceFileError
from analysis.imports import to_source
from analysis.panel import build, read_sources
from analysis.paths import PARAMS_DIR
from tests.conftest import register

EXAMPLE = PARAMS_DIR / "imports" / "jabar_stunting_example.yaml"
JABAR = (
    "jabar_opendata_stunting/dinkes-od_17148_persentase_balita_stunting__kabupatenkota_v3_data.csv"
)
BASE = {
    "id": "dinkes_test",
    "title": "t",
    "publisher": "Dinkes",
    "address": "letter 1/2026",
    "license": "internal",
    "district": {"column": "Kabupaten/Kota", "province_value": "Banten"},
    "year": {"column": "Tahun"},
    "values": {"IDL (%)": "immunization_complete_routine"},
}


def write_mapping(tmp_path, **changes) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump({**BASE, **changes}), encoding="utf-8")
    return path


def read_import(imp, registry, imports_dir):
    catalogue = load_catalogue(imports_dir=imports_dir)
    return read_sources({imp.id: to_source(imp)}, registry, catalogue, imports_dir)


def test_worked_example_imports_the_jabar_table_into_the_panel(raw_dir, tmp_path):
    imports, out = tmp_path / "imports", tmp_path / "out"
    register(raw_dir / JABAR, EXAMPLE, imports)
    result = build(raw_dir, out, imports_dir=imports)
    row = result.counts.set_index("source").loc["jabar_stunting_import"]
    assert (row["values_read"], row["accepted"], row["quarantined"]) == (297, 295, 2)
    panel = pd.read_parquet(out / "panel.parquet")
    mine = panel[panel["source"] == "jabar_stunting_import"]
    assert mine["district_code"].nunique() == 27 and set(mine["indicator"]) == {"stunting_routine"}
    # the same numbers as the public source read by its own reader
    public = panel[panel["source"] == "jabar_stunting"].set_index(["district_code", "year"])
    joined = mine.set_index(["district_code", "year"])["value"]
    assert (joined - public.loc[joined.index, "value"]).abs().max() < 1e-9


def test_semicolon_decimal_comma_csv(tmp_path, registry):
    table = tmp_path / "idl.csv"
    table.write_text(
        "Kabupaten/Kota;Tahun;IDL (%)\nKAB. SERANG;2024;88,5\nKota Serang;2024;91,2\n",
        encoding="utf-8",
    )
    mapping = write_mapping(tmp_path, file={"sep": ";", "number": "decimal_comma"})
    imp = register(table, mapping, tmp_path / "imports")
    accepted, quarantine, _ = read_import(imp, registry, tmp_path / "imports")
    assert quarantine.empty
    assert accepted.set_index("district_code")["value"].to_dict() == {"3604": 88.5, "3673": 91.2}


def test_excel_sheet_with_a_new_declared_indicator(tmp_path, registry):
    table = tmp_path / "spm.xlsx"
    pd.DataFrame(
        {
            "Kabupaten/Kota": ["Kabupaten Serang", "Kabupaten Lebak"],
            "Tahun": [2024, 2024],
            "IDL (%)": [80.0, 70.0],
            "Posyandu aktif (%)": [65.0, 55.5],
        }
    ).to_excel(table, index=False)
    new = {
        "posyandu_active": {
            "label_id": "Posyandu aktif",
            "label_en": "Active posyandu",
            "unit": "percent",
            "bounds": [0, 100],
            "direction": "higher",
            "domain": "SPM",
            "opd": "dinkes",
        }
    }
    mapping = write_mapping(
        tmp_path,
        values={
            "IDL (%)": "immunization_complete_routine",
            "Posyandu aktif (%)": "posyandu_active",
        },
        indicators=new,
    )
    imports = tmp_path / "imports"
    imp = register(table, mapping, imports)
    assert "posyandu_active" in load_catalogue(imports_dir=imports)
    accepted, quarantine, counts = read_import(imp, registry, imports)
    assert quarantine.empty and len(accepted) == 4
    assert accepted[accepted.indicator == "posyandu_active"]["value"].tolist() == [65.0, 55.5]


@pytest.mark.parametrize(
    ("line", "code", "words"),
    [
        ("Kabupaten Atlantis,2024,80", "unknown_district", "Closest matches"),
        ("Kabupaten Lebak,2024,140", "out_of_bounds", "outside the valid range [0, 120]"),
        ("Kabupaten Serang,2024,81", "duplicate", "more than one value"),
    ],
)
def test_bad_rows_are_quarantined_with_file_row_and_reason(tmp_path, registry, line, code, words):
    table = tmp_path / "idl.csv"
    table.write_text(
        f"Kabupaten/Kota,Tahun,IDL (%)\nKabupaten Serang,2024,80\n{line}\n", encoding="utf-8"
    )
    imp = register(table, write_mapping(tmp_path), tmp_path / "imports")
    accepted, quarantine, counts = read_import(imp, registry, tmp_path / "imports")
    bad = quarantine[quarantine["reason_code"] == code]
    assert len(bad) >= 1 and words in bad["reason"].iloc[0]
    assert bad["file"].iloc[0] == "dinkes_test/idl.csv" and 3 in bad["row"].astype(int).tolist()
    assert counts.iloc[0]["values_read"] == len(accepted) + len(quarantine)


def test_unknown_column_is_an_error_naming_it(tmp_path, registry):
    table = tmp_path / "idl.csv"
    table.write_text("Kabupaten/Kota,Tahun,IDL\nKabupaten Serang,2024,80\n", encoding="utf-8")
    imp = register(table, write_mapping(tmp_path), tmp_path / "imports")
    with pytest.raises(SourceFileError, match=r"missing column\(s\) 'IDL \(%\)'.*'IDL'"):
        read_import(imp, registry, tmp_path / "imports")


def test_mapping_errors_are_named(tmp_path):
    table = tmp_path / "idl.csv"
    table.write_text("Kabupaten/Kota,Tahun,IDL (%)\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="neither in params/indicators.yaml nor declared"):
        register(
            table, write_mapping(tmp_path, values={"IDL (%)": "idl_new"}), tmp_path / "imports"
        )
    with pytest.raises(ManifestError, match="is a public source"):
        register(table, write_mapping(tmp_path, id="bps_ipm"), tmp_path / "imports")
    with pytest.raises(ManifestError, match="exactly one of `column`"):
        register(table, write_mapping(tmp_path, year={}), tmp_path / "imports")


def _declared(role: dict, **fields) -> dict:
    base = {
        "label_id": "x",
        "label_en": "x",
        "unit": "percent",
        "bounds": [0, 100],
        "direction": "higher",
        "domain": "driver",
        "opd": "dinkes",
        "model": role,
    }
    return {**base, **fields}


def test_imported_indicators_enter_the_models_when_they_cover_enough(raw_dir, tmp_path):
    import statsmodels.api as sm

    from analysis.models.store import fit_all

    imports, out = tmp_path / "imports", tmp_path / "out"
    first = build(raw_dir, out, imports_dir=imports)
    panel = pd.read_parquet(first.out_dir / "panel.parquet")
    water = panel[(panel.indicator == "water_access") & (panel.source == "bps_poverty")]
    stunting = panel[(panel.indicator == "stunting") & (panel.year == 2023)]
    national = tmp_path / "national.csv"
    pd.DataFrame({"kode": water["district_code"], "air": water["value"]}).merge(
        pd.DataFrame({"kode": stunting["district_code"], "st": stunting["value"]}), how="left"
    ).to_csv(national, index=False)
    mapping = {
        **BASE,
        "id": "national_own",
        "district": {"column": "kode", "code": "bps"},
        "year": {"value": 2023},
        "values": {"air": "own_water", "st": "own_outcome"},
        "indicators": {
            "own_water": _declared({"role": "driver", "outcomes": ["stunting"]}),
            "own_outcome": _declared(
                {"role": "outcome", "drivers": ["poverty_rate", "sanitation_access"]},
                domain="SPM",
                direction="lower",
            ),
        },
    }
    (tmp_path / "m1.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    register(national, tmp_path / "m1.yaml", imports)
    small = tmp_path / "small.csv"
    small.write_text(
        "Kabupaten/Kota,Tahun,Air\nKabupaten Serang,2023,80\nKota Serang,2023,90\n",
        encoding="utf-8",
    )
    mapping2 = {
        **BASE,
        "id": "small_own",
        "year": {"column": "Tahun"},
        "values": {"Air": "own_small"},
        "indicators": {"own_small": _declared({"role": "driver"})},
    }
    (tmp_path / "m2.yaml").write_text(yaml.safe_dump(mapping2), encoding="utf-8")
    register(small, tmp_path / "m2.yaml", imports)

    build(raw_dir, out, imports_dir=imports)
    models = fit_all(out, imports_dir=imports)
    assert "own_water" in models.get("stunting").drivers
    assert "own_small" not in models.get("stunting").drivers
    assert "covers" in models.skipped_outcomes["stunting/own_small"]
    own = models.get("own_outcome")
    assert own is not None and own.drivers == ("poverty_rate", "sanitation_access")
    # the imported outcome's pooled variant equals statsmodels on the same sample
    pooled = models.get("own_outcome", variant="hc3")
    sample = pooled.sample.set_index("district_code")
    z = pd.DataFrame({d: pooled.standardize(d, sample[d]) for d in pooled.drivers})
    ref = sm.OLS(sample["own_outcome"], sm.add_constant(z)).fit(cov_type="HC3")
    assert pooled.summary()["estimate"].tolist() == pytest.approx(ref.params.tolist(), rel=1e-10)
