"""The analyst's Python API (analysis.api, re-exported by `analysis`): each function returns what
the processed panel and the stored models hold, checked against direct reads of them."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import analysis
from analysis import api
from analysis.errors import AmbiguousDistrictError, AnalysisError
from analysis.explain import Context
from analysis.explain import explain as explain_direct
from analysis.models.store import load_models
from analysis.panel import load_panel

SERANG = "3604"


@pytest.fixture(scope="module")
def ctx(processed) -> Context:
    return Context.load(processed)


def test_import_analysis_stays_cheap_and_needs_no_project(tmp_path):
    code = (
        "import sys, analysis; "
        "heavy = [m for m in ('pandas', 'matplotlib', 'analysis.paths') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("order", ["analysis first", "pandas first"])
def test_text_columns_are_python_strings_in_every_process_using_the_package(tmp_path, order):
    imports = (
        "import analysis; import pandas"
        if order == "analysis first"
        else ("import pandas; import analysis")
    )
    code = (
        f"{imports}; s = pandas.Series(['a', None]); "
        "print(pandas.get_option('mode.string_storage'), s.dtype, type(s.array).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["python", "str", "StringArray"]


def test_package_exports_the_api_functions():
    for name in api.__all__:
        assert getattr(analysis, name) is getattr(api, name), name
    with pytest.raises(AttributeError):
        analysis.no_such_function  # noqa: B018


def test_district_panel_is_the_districts_rows_with_the_preferred_value_marked(processed, ctx):
    rows = api.district_panel(
        "KAB. SERANG", ["stunting", "life_expectancy"], processed_dir=processed
    )
    panel = load_panel(processed)
    direct = panel[
        (panel["district_code"] == SERANG)
        & panel["indicator"].isin(["stunting", "life_expectancy"])
    ]
    assert len(rows) == len(direct) > 0
    assert set(rows["district_code"]) == {SERANG}
    assert set(rows["district"]) == {"Kabupaten Serang"}
    assert rows["value"].dtype == float
    # exactly one preferred value per indicator-year, and it is the one the reports use
    preferred = rows[rows["preferred"]].set_index(["indicator", "year"])["value"]
    assert not preferred.index.duplicated().any()
    assert set(preferred.index) == set(zip(direct["indicator"], direct["year"], strict=True))
    mine = ctx.preferred[ctx.preferred["district_code"] == SERANG].set_index(["indicator", "year"])[
        "value"
    ]
    pd.testing.assert_series_equal(
        preferred.sort_index(), mine.loc[preferred.index].sort_index(), check_names=False
    )
    labels = api.district_panel(SERANG, ["stunting"], lang="en", processed_dir=processed)
    assert labels["label"].str.contains("stunting", case=False).all()


def test_wide_table_for_a_year_holds_only_that_years_preferred_values(processed, ctx):
    wide = api.wide_table(2023, ["stunting", "poverty_rate"], processed_dir=processed)
    assert list(wide.columns.get_level_values("field").unique()) == ["value", "year", "source"]
    assert wide.index.names == ["district_code", "district", "province"]
    assert len(wide) == len(ctx.registry)
    years = wide["year"].stack().dropna().unique()
    assert list(years) == [2023]
    expected = ctx.values("stunting", 2023)
    got = wide["value"]["stunting"].droplevel(["district", "province"]).dropna()
    pd.testing.assert_series_equal(
        got.sort_index(), expected.loc[got.index].sort_index(), check_names=False
    )
    assert len(got) == len(expected)
    # a cell without a 2023 value stays empty: no other year is filled in
    assert wide["value"]["stunting"].isna().sum() == len(ctx.registry) - len(expected)


def test_wide_table_latest_keeps_each_cells_own_year(processed, ctx):
    wide = api.wide_table(None, ["stunting"], province="Banten", processed_dir=processed)
    assert set(wide.index.get_level_values("province")) == {"Banten"}
    assert len(wide) == len(ctx.registry.in_province("Banten"))
    serang = wide.xs(SERANG, level="district_code")
    mine = ctx.preferred[
        (ctx.preferred["district_code"] == SERANG) & (ctx.preferred["indicator"] == "stunting")
    ]
    last = mine.sort_values("year").iloc[-1]
    assert serang[("year", "stunting")].item() == last["year"]
    assert serang[("value", "stunting")].item() == last["value"]
    assert serang[("source", "stunting")].item() == last["source"]


def test_explain_district_is_the_explanation_the_cli_gives(processed, ctx):
    mine = api.explain_district("Kabupaten Serang", "stunting", processed_dir=processed)
    direct = explain_direct(ctx, "Kabupaten Serang", "stunting")
    assert mine.decomposition is not None
    assert mine.decomposition.gap == direct.decomposition.gap
    pd.testing.assert_frame_equal(mine.decomposition.to_frame(), direct.decomposition.to_frame())


def test_models_and_model_summary_read_the_stored_models(processed):
    stored = load_models(processed)
    table = api.fitted_models(processed_dir=processed)
    assert sorted(table["model_id"]) == sorted(stored.models)
    summary = api.model_summary("stunting", processed_dir=processed)
    model = stored.get("stunting")
    pd.testing.assert_frame_equal(summary, model.summary())
    assert summary.attrs["n"] == model.n and summary.attrs["r2"] == model.r2


def test_api_errors_say_what_to_do(processed):
    with pytest.raises(AmbiguousDistrictError):
        api.district("Serang", processed_dir=processed)
    with pytest.raises(AnalysisError, match="analysis.indicators"):
        api.wide_table(2023, ["stuntng"], processed_dir=processed)
    with pytest.raises(TypeError, match="list of ids"):
        api.district_panel(SERANG, "stunting", processed_dir=processed)
    with pytest.raises(AnalysisError, match="Fitted models"):
        api.model("stunting", "panel", "panel_fe", processed_dir=processed)


def test_api_refuses_a_folder_without_built_data(tmp_path):
    with pytest.raises(AnalysisError, match="make data"):
        api.districts(processed_dir=tmp_path)
