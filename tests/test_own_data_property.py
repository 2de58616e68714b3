"""Property: whatever locale, separator, quoting and encoding a district's table is written in,
reading it with the mapping that declares them gives read = accepted + quarantined, and no
accepted value differs from the number written in the file."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.import_run import prepare
from analysis.imports import to_source
from analysis.panel import read_sources

DISTRICTS = {  # name as written -> BPS code
    "Kabupaten Serang": "3604",
    "Kota Serang": "3673",
    "Kabupaten Lebak": "3602",
    "Kabupaten Pandeglang": "3601",
    "Kota Cilegon": "3672",
    "Kabupaten Tangerang": "3603",
}
SEPARATORS = [",", ";", "\t", "|"]
QUOTING = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252"]
JUNK = ["n/a", "1..2", "12%", "abc", "--3", "1,2,3"]


def write_number(value: Decimal, locale: str, grouped: bool) -> str:
    """The number as a table in `locale` writes it (grouping is optional in id/en)."""
    text = f"{value:,f}" if grouped and locale in ("id", "en") else f"{value:f}"
    if locale in ("id", "decimal_comma"):
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


numbers = st.decimals(min_value=0, max_value=99_999, allow_nan=False, allow_infinity=False)
places = st.integers(min_value=0, max_value=3)


@st.composite
def tables(draw):
    locale = draw(st.sampled_from(["id", "en", "point", "decimal_comma"]))
    rows = []
    for name in draw(
        st.lists(st.sampled_from(list(DISTRICTS)), min_size=1, max_size=6, unique=True)
    ):
        if draw(st.integers(0, 5)) == 0:
            rows.append((name, draw(st.sampled_from(JUNK)), None))
            continue
        value = draw(numbers).quantize(Decimal(1).scaleb(-draw(places)))
        rows.append((name, write_number(value, locale, draw(st.booleans())), value))
    return {
        "locale": locale,
        "sep": draw(st.sampled_from(SEPARATORS)),
        "quoting": draw(st.sampled_from(QUOTING)),
        "encoding": draw(st.sampled_from(ENCODINGS)),
        "note": draw(st.sampled_from(["", "catatan", "Pérdana; ñ", 'kutip "dua"'])),
        "rows": rows,
    }


def render(table: dict) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=table["sep"], quoting=table["quoting"], lineterminator="\n")
    writer.writerow(["Kabupaten/Kota", "Tahun", "Nilai", "Catatan"])
    for name, text, _value in table["rows"]:
        writer.writerow([name, "2024", text, table["note"]])
    return out.getvalue().encode(table["encoding"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=tables())
def test_accepted_values_are_exactly_the_numbers_written(table, registry):
    codec = "utf-8" if table["encoding"] == "utf-8-sig" else table["encoding"]
    mapping = {
        "id": "prop_test",
        "title": "t",
        "publisher": "p",
        "address": "a",
        "license": "l",
        "file": {"sep": table["sep"], "encoding": codec, "number": table["locale"]},
        "district": {"column": "Kabupaten/Kota"},
        "year": {"column": "Tahun"},
        "values": {"Nilai": "own_value"},
        "indicators": {
            "own_value": {
                "label_id": "x",
                "label_en": "x",
                "unit": "index",
                "bounds": [0, 1_000_000],
                "direction": "higher",
                "domain": "driver",
                "opd": "dinkes",
            }
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "t.csv").write_bytes(render(table))
        (root / "m.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
        (root / "staging").mkdir()
        imp = prepare(root / "t.csv", root / "m.yaml", root / "imports", root / "staging")
        from analysis.catalogue import load_catalogue

        catalogue = load_catalogue(imports_dir=imp.folder.parent)
        accepted, quarantine, counts = read_sources(
            {imp.id: to_source(imp)}, registry, catalogue, imp.folder.parent
        )
    assert counts.iloc[0]["values_read"] == len(table["rows"])
    assert counts.iloc[0]["values_read"] == len(accepted) + len(quarantine)
    written = {DISTRICTS[name]: value for name, _text, value in table["rows"]}
    for code, value in zip(accepted["district_code"], accepted["value"], strict=True):
        assert written[code] is not None, f"junk accepted for {code}"
        assert value == float(written[code])
    # every rejected cell says why; every format is declared, so no number written is rejected
    assert quarantine["reason"].str.len().gt(0).all()
    was_number = [written.get(code) is not None for code in quarantine["district_code"]]
    rejected_numbers = quarantine.loc[[bool(x) for x in was_number]]
    assert rejected_numbers.empty, rejected_numbers[["raw_value", "reason"]].to_string()
