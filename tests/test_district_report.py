"""The rendered district report: sections, numbers against `analysis`, self-containment, size,
honesty about missing data, and a look in headless Chromium."""

import re

import pytest
from bs4 import BeautifulSoup

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context, explain
from analysis.i18n import fmt_number, t
from analysis.report.browser import screenshot
from analysis.report.model import Column, Table
from analysis.report.render import external_references
from analysis.report.run import render_district
from analysis.report.styled import table_html

SECTIONS = [
    "sec_summary",
    "sec_quality",
    "sec_cards",
    "sec_trends",
    "sec_maps",
    "sec_root",
    "sec_peers",
    "sec_targets",
    "sec_spm",
    "sec_units",
    "sec_previous",
    "sec_followup",
    "sec_methods",
]
MAX_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def ctx(processed):
    return Context.load(processed)


@pytest.fixture(scope="module")
def rendered(processed, ctx, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    no_idl = next(
        d
        for d in ctx.registry
        if ctx.preferred[
            (ctx.preferred.district_code == d.code)
            & (ctx.preferred.indicator == "immunization_complete")
        ].empty
    )
    cases = {
        "serang": (ctx.registry.resolve("Kabupaten Serang"), "id"),
        "serang_en": (ctx.registry.resolve("Kabupaten Serang"), "en"),
        "kota_serang_en": (ctx.registry.resolve("Kota Serang"), "en"),
        "no_idl": (no_idl, "id"),
    }
    return {
        name: (
            district,
            lang,
            render_district(
                district, lang=lang, out_dir=out, processed_dir=processed, engine="nbconvert"
            ),
        )
        for name, (district, lang) in cases.items()
    }


def soup_of(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def word_set(text: str) -> set[str]:
    return set(text.split())


# Words that show a text is in the other language. Each list holds common words of one language
# that the other does not use; names a reader needs (places, agencies, Indonesian programme
# names) are allowed explicitly below and removed before the scan.
INDONESIAN_WORDS = word_set(
    """dan yang di ke dari untuk dengan pada tidak tahun nilai tersedia provinsi nasional
    peringkat selisih rumah tangga penduduk kesehatan anak balita bulan imunisasi dasar lengkap
    harapan hidup prevalensi persalinan fasilitas sumber tabel dibanding terhadap menurut
    rata lama sekolah pengeluaran kepadatan miskin persentase pemakaian kontrasepsi sanitasi
    layak akses air minum faktor pendorong kontribusi memperburuk memperbaiki terjelaskan
    pembanding akar masalah rencana tindak lanjut unduh grafik laporan ringkasan kab poin
    tanpa sesuai jalur luar jangkauan tercapai percepatan sudah belum perlu lebih kurang
    sebagai atau bila ini itu oleh"""
)
# "per", "data", "target", "status", "model" are Indonesian words too: not listed
ENGLISH_WORDS = word_set(
    """the and of with for from is are not by this that which district districts province
    national year years value values rank gap driver drivers root cause causes health office
    households population available download table chart unexplained improves worsens
    uncertain reference summary licence publisher confirmed compiled scraped parsed stated
    served rate below above poverty indicator unit units type template improvement"""
)
# names an English reader needs (and Indonesian programmes and places)
ALLOWED_IN_ENGLISH = {"kabupaten", "kota", "kecamatan", "puskesmas", "jamkesda", "susenas"}
PROPER_NAMES = [
    "Badan Pusat Statistik", "Badan Pangan Nasional", "Kementerian Kesehatan",
    "Kementerian Dalam Negeri", "Dinas Kesehatan Provinsi Jawa Barat",
    "Dinas Kesehatan Provinsi Jawa Timur", "Open Data Jabar", "Performance Improvement Plan",
    "Positive deviant", "positive deviant",
]  # fmt: skip
QUOTED_TABLES = {"T_sources", "T_targets"}  # where text quoted in another language may stand


def visible_words(path, registry) -> set[str]:
    """The words a reader sees: no styles, no machine text (<code>, identifiers, URLs), no text
    marked as quoted in another language, no place names."""
    soup = soup_of(path)
    page = soup.html["lang"]
    for tag in soup(["style", "script", "code"]):
        tag.decompose()
    for tag in soup.find_all(attrs={"lang": True}):
        if tag.name != "html" and tag["lang"] != page:
            table = tag.find_parent("table")
            assert table is not None and table.get("id") in QUOTED_TABLES, tag
            tag.decompose()
    text = " ".join(soup.get_text(" ").split())
    text = re.sub(r"https?://\S+|\S+\.(csv|xlsx|png)\b|\w+_\w+", " ", text)
    names = [*PROPER_NAMES, *(d.name for d in registry), *registry.province_names.values()]
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def test_english_report_has_no_indonesian_words_and_vice_versa(rendered, ctx):
    _d, _lang, english = rendered["serang_en"]
    _d, _lang, indonesian = rendered["serang"]
    leaks = visible_words(english, ctx.registry) & (INDONESIAN_WORDS - ALLOWED_IN_ENGLISH)
    assert leaks == set(), f"Indonesian words in the English report: {sorted(leaks)}"
    leaks = visible_words(indonesian, ctx.registry) & ENGLISH_WORDS
    assert leaks == set(), f"English words in the Indonesian report: {sorted(leaks)}"


def test_report_path_and_every_section_in_each_language(rendered):
    for district, lang, path in rendered.values():
        assert path.parent.name == district.province.lower().replace(" ", "-")
        soup = soup_of(path)
        headings = [h.get_text(strip=True) for h in soup.find_all("h2")]
        assert headings == [t(key, lang) for key in SECTIONS]
        assert soup.html["lang"] == lang
        assert district.name in soup.find("h1").get_text()


def test_report_is_self_contained_and_small(rendered):
    for _district, _lang, path in rendered.values():
        html = path.read_text(encoding="utf-8")
        assert external_references(html) == []
        assert "<script" not in html
        assert path.stat().st_size < MAX_BYTES
        assert html.count("data:image/png;base64,") >= 3  # trends, maps, targets at least


def test_card_and_root_cause_numbers_equal_analysis(rendered, ctx):
    district, lang, path = rendered["serang"]
    text = " ".join(soup_of(path).get_text(" ").split())
    for indicator in PIP_INDICATORS:
        ex = explain(ctx, district.code, indicator)
        assert fmt_number(ex.latest["value"], lang, 1) in text
        if ex.decomposition is not None:
            d = ex.decomposition
            assert f"{t('gap', lang).lower()} {fmt_number(d.gap, lang, 2, signed=True)}" in text
            for c in d.parts:  # levers, context, kota and the province's part
                assert fmt_number(c.value, lang, 2, signed=True) in text
            assert fmt_number(d.unexplained, lang, 2, signed=True) in text
    assert "bukan bukti sebab-akibat" in text
    # no district targets given: the national default is used, and the report says so
    assert "target nasional" in text


def test_english_report_uses_english_numbers(rendered, ctx):
    district, lang, path = rendered["kota_serang_en"]
    text = " ".join(soup_of(path).get_text(" ").split())
    ex = explain(ctx, district.code, "life_expectancy")
    assert fmt_number(ex.latest["value"], "en", 1) in text
    assert "not proof of cause" in text and "Root causes" in text


def test_missing_indicator_is_said_plainly_not_invented(rendered, ctx):
    district, lang, path = rendered["no_idl"]
    soup = soup_of(path)
    cards = soup.find_all("div", class_="card")
    idl = next(c for c in cards if ctx.catalogue["immunization_complete"].label_id in c.get_text())
    assert "missing" in idl["class"]
    assert t("no_data", lang) in idl.get_text()
    assert idl.find("div", class_="value").get_text(strip=True) == t("no_data", lang)


def test_follow_up_table_is_downloadable(rendered):
    _district, _lang, path = rendered["serang"]
    soup = soup_of(path)
    links = [a["download"] for a in soup.find_all("a", class_="download")]
    assert any(x.endswith("rencana_tindak_lanjut.xlsx") for x in links)
    assert any(x.endswith("rencana_tindak_lanjut.csv") for x in links)
    assert all(a["href"].startswith("data:") for a in soup.find_all("a", class_="download"))


def test_text_from_data_is_escaped():
    import pandas as pd

    frame = pd.DataFrame({"name": ["<script>alert(1)</script> & Co"]})
    html = str(table_html(Table("t", frame, [Column("name", "<b>name</b>", "text")], "id")))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; Co" in html
    assert "<b>" not in html and "&lt;b&gt;name" in html


def test_report_opens_in_headless_chromium_without_console_errors(rendered, tmp_path):
    for name, (_district, _lang, path) in rendered.items():
        result = screenshot(path, tmp_path / f"{name}.png")
        assert result.console == [] and result.network_errors == []
        assert result.png.stat().st_size > 50_000
