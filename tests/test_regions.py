import pytest

from analysis.errors import AmbiguousDistrictError, DistrictNotFoundError
from analysis.regions import parse_name


@pytest.mark.parametrize(
    "query",
    ["Kabupaten Serang", "KAB. SERANG", "Kab Serang", "kabupaten  serang", "3604", "36.04"],
)
def test_every_spelling_of_kabupaten_serang_resolves_to_it(registry, query):
    d = registry.resolve(query)
    assert (d.code, d.name, d.province, d.is_kota) == ("3604", "Kabupaten Serang", "Banten", False)


@pytest.mark.parametrize("query", ["Kota Serang", "KOTA SERANG", "3673", "36.73"])
def test_kota_serang_is_never_confused_with_the_kabupaten(registry, query):
    assert registry.resolve(query).code == "3673"


def test_bare_serang_is_ambiguous_and_names_both(registry):
    with pytest.raises(AmbiguousDistrictError) as exc:
        registry.resolve("Serang", province="Banten")
    assert "Kabupaten Serang (Banten)" in str(exc.value)
    assert "Kota Serang (Banten)" in str(exc.value)


def test_bare_name_is_the_kabupaten_for_sources_with_that_convention(registry):
    assert registry.resolve("Serang", bare_is_kabupaten=True).code == "3604"
    assert registry.resolve("Kota Serang", bare_is_kabupaten=True).code == "3673"
    # a city without a kabupaten namesake is found from its bare name too
    assert registry.resolve("jakarta selatan", bare_is_kabupaten=True).is_kota


def test_unknown_name_lists_the_closest_matches(registry):
    with pytest.raises(DistrictNotFoundError) as exc:
        registry.resolve("Kabupaten Serrang")
    assert exc.value.suggestions[0] == "Kabupaten Serang (Banten)"
    assert "Kabupaten Serang (Banten)" in str(exc.value)


def test_province_narrows_a_name_shared_across_kinds(registry):
    with pytest.raises(AmbiguousDistrictError):
        registry.resolve("Bandung")
    assert registry.resolve("Kota Bandung", province="Jawa Barat").code == "3273"


@pytest.mark.parametrize(
    ("query", "province", "code"),
    [
        ("Kota Baru", None, "6302"),  # Kabupaten Kotabaru, although it reads 'Kota'
        ("Kotabaru", None, "6302"),
        ("toba samosir", "sumatera utara", "1206"),  # old name of Toba
        ("kota pare pare", "sulawesi selatan", "7372"),
        ("Kota Makasar", None, "7371"),
        ("Kep. Seribu", "DKI Jakarta", "3101"),
        ("Nduga *", "Papua", "9701"),
        ("Merauke", "Papua", "9501"),  # 2010 province name still finds it (now Papua Selatan)
        ("9401", None, "9501"),  # BPS 2010 code of Merauke
        ("11.1", None, "1102"),  # Kemendagri code that lost its trailing zero
    ],
)
def test_variants_old_names_and_other_code_systems(registry, query, province, code):
    assert registry.resolve(query, province).code == code


def test_registry_has_514_districts_with_unique_codes(registry):
    frame = registry.to_frame()
    assert len(registry) == 514
    assert frame["district_code"].is_unique
    assert frame["bps_code_2010"].is_unique
    assert frame["kemendagri_code"].is_unique
    assert frame["is_kota"].sum() == 98
    assert frame["province_code"].nunique() == 38


def test_every_official_and_source_name_resolves_to_its_own_district(registry):
    for d in registry:
        assert registry.resolve(d.name).code == d.code
        written = ("Kota " if d.is_kota else "") + d.short_name
        assert registry.resolve(written, d.province, bare_is_kabupaten=True).code == d.code


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("KAB. KEP. SIAU TAGULANDANG BIARO", "kabupaten", "kepulauansiautagulandangbiaro"),
        ("Kota Administrasi Jakarta Selatan", "kota", "jakartaselatan"),
        ("Tojo Una-Una", None, "tojounauna"),
        ("Kota Pare Pare", "kota", "parepare"),
    ],
)
def test_parse_name(text, kind, key):
    assert parse_name(text) == (kind, key)
