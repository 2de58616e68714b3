"""The province overview (analysis.report.province and notebooks/province_overview.py): one row per
district, ranks and inequality numbers equal to direct computations, missing values said plainly,
and one rendered, self-contained page for Banten. Reads the project's data/processed."""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from bs4 import BeautifulSoup
from markupsafe import escape

from analysis.catalogue import PIP_INDICATORS
from analysis.i18n import fmt_number, t
from analysis.inequality import fractional_rank, slope_index
from analysis.paths import PROCESSED_DIR
from analysis.ranking import district_ranks
from analysis.report.province import ProvinceReport
from analysis.report.render import external_references, render

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "province_overview.py"
MAX_BYTES = 3 * 1024 * 1024
SMALL = "Papua Selatan"  # 4 districts; no IDL or facility-delivery data at all

pytestmark = pytest.mark.skipif(
    not (PROCESSED_DIR / "data_version.json").exists(),
    reason="data/processed is not built (run `python -m analysis data`)",
)


@pytest.fixture(scope="module")
def banten() -> ProvinceReport:
    return ProvinceReport.load("Banten")


@pytest.fixture(scope="module")
def small() -> ProvinceReport:
    return ProvinceReport.load(SMALL, lang="en")


def province_codes(report: ProvinceReport) -> list[str]:
    return sorted(d.code for d in report.ctx.registry if d.province_code == report.province_code)


def soup(section) -> BeautifulSoup:
    return BeautifulSoup(str(section), "html.parser")


# -- the ranked table ----------------------------------------------------------------------------
def test_ranked_table_has_one_row_per_district(banten, small):
    for report, n in ((banten, 8), (small, 4)):
        frame = report.ranked_frame()
        assert len(frame) == n
        assert frame["district_code"].tolist() == province_codes(report)
        rows = soup(report.ranked_table()).find("table").find("tbody").find_all("tr")
        assert [r.find("td").get_text() for r in rows] == frame["district"].tolist()


def test_ranks_agree_with_analysis_ranking(banten, small):
    for report in (banten, small):
        frame = report.ranked_frame().set_index("district_code")
        for ind in PIP_INDICATORS:
            direct = district_ranks(report.ctx.preferred, report.ctx.registry, ind)
            direct = direct[direct["district_code"].isin(frame.index)].set_index("district_code")
            for code in frame.index:
                if code in direct.index:
                    assert frame.at[code, f"{ind}_value"] == direct.at[code, "value"]
                    assert frame.at[code, f"{ind}_year"] == direct.at[code, "year"]
                    for col in ("rank_province", "n_province", "rank_national", "n_national"):
                        assert frame.at[code, f"{ind}_{col}"] == direct.at[code, col], (ind, col)
                else:
                    assert math.isnan(frame.at[code, f"{ind}_value"])
                    assert pd.isna(frame.at[code, f"{ind}_rank_province"])


def test_rank_one_is_the_best_value_in_the_province(banten):
    frame = banten.ranked_frame()
    for ind in PIP_INDICATORS:
        best = frame.loc[frame[f"{ind}_rank_province"] == 1, f"{ind}_value"].iloc[0]
        values = frame[f"{ind}_value"].dropna()
        lower = banten.ctx.catalogue[ind].direction == "lower"
        assert best == (values.min() if lower else values.max())


def test_gap_to_target_is_value_minus_the_target_that_applies(banten):
    frame = banten.ranked_frame().set_index("district_code")
    for code in frame.index:
        for ind in PIP_INDICATORS:
            target = banten.ctx.targets.for_district(code, ind)
            gap = frame.at[code, f"{ind}_gap_to_target"]
            value = frame.at[code, f"{ind}_value"]
            if target is None or math.isnan(value):
                assert gap is None or pd.isna(gap)
            else:
                assert gap == pytest.approx(value - target.value)


def test_missing_value_shows_the_missing_text_not_a_number(banten):
    # Kabupaten Pandeglang has no IDL value in the ranking year (2022); it has one for 2021
    frame = banten.ranked_frame().set_index("district_code")
    code = banten.ctx.registry.resolve("Kabupaten Pandeglang").code
    assert math.isnan(frame.at[code, "immunization_complete_value"])
    html = soup(banten.ranked_table())
    row = next(
        r
        for r in html.find("tbody").find_all("tr")
        if r.find("td").get_text() == "Kabupaten Pandeglang"
    )
    cells = [c.get_text() for c in row.find_all("td")]
    # district, then life expectancy (value, prov, nat, gap), then IDL
    assert cells[5] == t("no_data", "id")
    assert cells[6:9] == ["–", "–", "–"]
    # the 2021 value is mentioned as such, not ranked
    old = fmt_number(banten.older_value(code, "immunization_complete")[0], "id", 1)
    assert f"{old} (2021)" in html.get_text()


def test_a_province_without_any_value_of_an_indicator_says_so(small):
    html = soup(small.ranked_table())
    for row in html.find("tbody").find_all("tr"):
        texts = [c.get_text() for c in row.find_all("td")]
        assert texts.count(t("no_data", "en")) >= 2  # IDL and facility delivery
    assert "nan" not in html.get_text().lower()


def test_downloads_carry_the_table_as_numbers(banten):
    html = soup(banten.ranked_table())
    links = {a["download"]: a["href"] for a in html.find_all("a", class_="download")}
    csv = next(href for name, href in links.items() if name.endswith(".csv"))
    assert any(name.endswith(".xlsx") for name in links)
    data = base64.b64decode(csv.split(",", 1)[1]).decode("utf-8-sig")
    table = pd.read_csv(io.StringIO(data), dtype={t("prov_col_code", "id"): str})
    frame = banten.ranked_frame()
    assert len(table) == 8
    assert table[t("prov_col_code", "id")].tolist() == frame["district_code"].tolist()
    values = table.filter(like=t("prov_col_value", "id")).to_numpy(float)
    expected = frame[[f"{i}_value" for i in PIP_INDICATORS]].to_numpy(float)
    np.testing.assert_array_equal(values, expected)


def test_values_use_indonesian_decimal_commas(banten):
    text = soup(banten.ranked_table()).get_text()
    value = banten.ranked_frame()["life_expectancy_value"].iloc[0]
    assert fmt_number(value, "id", 1) in text and "," in fmt_number(value, "id", 1)


def test_names_from_data_are_escaped(banten, monkeypatch):
    monkeypatch.setattr(banten, "name", lambda code: "<script>x</script> & Co")
    monkeypatch.delitem(banten.__dict__, "_ranked_frame", raising=False)  # built once per report
    for section in (banten.ranked_table(), banten.attention()):
        assert "<script>" not in str(section)
        assert "&lt;script&gt;x&lt;/script&gt; &amp; Co" in str(section)


# -- attention -------------------------------------------------------------------------------
def test_attention_follows_the_stated_rule(banten):
    frame = banten.attention_frame().set_index("district_code")
    counts = pd.Series(0, index=frame.index)
    for ind in PIP_INDICATORS:
        direct = district_ranks(banten.ctx.preferred, banten.ctx.registry, ind)
        direct = direct[direct["province_code"] == banten.province_code]
        if len(direct) < 4:
            continue
        bottom = direct.loc[direct["rank_province"] > 0.75 * direct["n_province"], "district_code"]
        counts[bottom] += 1
        for code in frame.index:
            assert (ind in frame.at[code, "bottom_quarter"]) == (code in set(bottom))
    assert frame["n_bottom_quarter"].tolist() == counts.tolist()
    assert frame["needs_attention"].tolist() == (counts >= 2).tolist()
    text = soup(banten.attention()).get_text()
    for name in frame.loc[frame["needs_attention"], "district"]:
        assert name in text


def test_furthest_from_target_is_the_largest_shortfall(banten):
    frame = banten.ranked_frame().set_index("district_code")
    attention = banten.attention_frame().set_index("district_code")
    gaps = frame["stunting_gap_to_target"].astype(float)  # lower is better: shortfall = gap
    worst = gaps.idxmax()
    assert "stunting" in attention.at[worst, "furthest_from_target"]
    assert sum("stunting" in x for x in attention["furthest_from_target"]) == 1


# -- inequality -----------------------------------------------------------------------------
def test_inequality_numbers_equal_a_direct_computation(banten):
    """Ranked by the poverty rate (welfare), not GRDP: difference, a ratio >= 1 worded by the
    indicator's direction, and the SII on the fractional poverty rank, each computed directly."""
    frame = banten.inequality_frame().set_index("indicator")
    preferred = banten.ctx.preferred
    for ind in PIP_INDICATORS:
        direct = district_ranks(preferred, banten.ctx.registry, ind)
        direct = direct[direct["province_code"] == banten.province_code]
        values = direct.set_index("district_code")["value"].astype(float)
        year = int(direct["year"].iloc[0])
        row = frame.loc[ind]
        assert row["n"] == len(values) and row["year"] == year
        assert row["difference"] == pytest.approx(values.max() - values.min())
        lower = banten.ctx.catalogue[ind].direction == "lower"
        best, worst = (values.min(), values.max()) if lower else (values.max(), values.min())
        assert row["ratio"] == pytest.approx(max(best, worst) / min(best, worst))
        assert row["ratio_kind"] == ("worst_over_best" if lower else "best_over_worst")
        poverty = preferred[
            (preferred["indicator"] == "poverty_rate") & (preferred["year"] == row["welfare_year"])
        ].set_index("district_code")["value"]
        both = pd.DataFrame({"y": values, "p": poverty.reindex(values.index)}).dropna()
        x = (both["p"].rank(method="average") - 0.5) / len(both)  # 0 = least poor
        fit = sm.OLS(both["y"].to_numpy(), sm.add_constant(x.to_numpy())).fit()
        assert row["sii_n"] == len(both)
        assert row["sii"] == pytest.approx(fit.params[1])
        assert row["sii_low"] == pytest.approx(fit.conf_int(0.05)[1][0])
        assert row["sii_high"] == pytest.approx(fit.conf_int(0.05)[1][1])
    text = " ".join(soup(banten.inequality()).get_text(" ").split())
    assert (
        "terbaik/ terburuk" not in text and "peringkat pecahan persentase penduduk miskin" in text
    )


def test_slope_index_on_a_known_line():
    codes = list("abcdef")
    grdp = pd.Series([6.0, 1.0, 5.0, 2.0, 4.0, 3.0], index=codes)
    x = fractional_rank(grdp)
    assert x.tolist() == pytest.approx([11 / 12, 1 / 12, 9 / 12, 3 / 12, 7 / 12, 5 / 12])
    values = 50 + 12 * x  # exactly on a line: slope 12, a zero-width interval
    result = slope_index(values, grdp)
    assert result["n"] == 6 and result["slope"] == pytest.approx(12)
    assert result["ci_low"] == pytest.approx(12) and result["ci_high"] == pytest.approx(12)
    few = slope_index(values.iloc[:2], grdp)
    assert few["n"] == 2 and few["slope"] is None


def test_small_province_says_n_is_too_small(small):
    html = soup(small.inequality()).get_text(" ")
    text = " ".join(html.split())
    assert t("prov_small_n", "en", n=4, min=5) in text
    frame = small.inequality_frame().set_index("indicator")
    assert frame.at["immunization_complete", "n"] == 0
    assert frame.at["immunization_complete", "sii"] is None or pd.isna(
        frame.at["immunization_complete", "sii"]
    )
    assert t("prov_inequality_none", "en", label=small.label("immunization_complete")) in text
    attention = " ".join(soup(small.attention()).get_text(" ").split())
    assert t("prov_attention_skipped", "en", min=4, labels="").rstrip(".") in attention


def test_all_sections_build_for_the_small_province(small):
    sections = small.all_sections()
    assert len(sections) == 9
    assert all(str(s).strip() for s in sections)


# -- rendering (one render) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def rendered_banten(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("province") / "banten.html"
    render(
        NOTEBOOK,
        {"province": "Banten", "lang": "id"},
        out,
        out.with_suffix(".ipynb"),
        title=t("prov_title", "id", province="Banten"),
        lang="id",
        engine="nbconvert",
    )
    assert out.stat().st_size < MAX_BYTES
    return out.read_text(encoding="utf-8")


def test_rendered_page_is_self_contained_and_complete(rendered_banten, banten):
    html = rendered_banten
    assert len(html.encode("utf-8")) < MAX_BYTES
    assert external_references(html) == []
    assert "<script" not in html
    for code in province_codes(banten):
        assert str(escape(banten.name(code))) in html
    page = BeautifulSoup(html, "html.parser")
    assert page.html["lang"] == "id"
    assert "Banten" in page.find("h1").get_text()
    headings = [h.get_text(strip=True) for h in page.find_all("h2")]
    assert headings == [
        t(k, "id")
        for k in (
            "prov_sec_table",
            "prov_sec_capaian",
            "prov_sec_heatmap",
            "prov_sec_maps",
            "prov_sec_attention",
            "prov_sec_inequality",
            "prov_sec_followup",
        )
    ]
    assert html.count("data:image/png;base64,") >= 3  # heatmap, maps, SII chart
    assert banten.ctx.data_version in page.get_text()
