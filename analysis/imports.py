"""Bring-your-own data: a district's own table, described by a mapping file, goes through the same
pipeline as the public sources (registry, validation, quarantine, panel, reports).

    python -m analysis import TABLE.csv --mapping MAPPING.yaml

The mapping says which column is the district (name or code), which the year, and which indicator
each other column is; indicators the catalogue does not know are declared in it with label, unit,
bounds, direction and OPD. The import is registered under data/imports/<id>/ (git-ignored: the
table, the mapping with the table's sha256, and the import's quarantine) and every later
`python -m analysis data` includes it as a source of its own, with its provenance line.

Mapping (YAML):

    id: dinkes_serang_idl            # the new source id
    title: Cakupan IDL per kecamatan …
    publisher: Dinas Kesehatan Kabupaten Serang
    address: where the table came from (URL, letter number, file share)
    license: terms of use
    authority: 1                     # 1 publisher's own table, 2 compilation, 3 index inputs
    file: {sep: ";", number: decimal_comma, missing: ["", "-"], sheet: 0}
    district: {column: Kabupaten/Kota, province_value: Banten}   # or {column: kode, code: bps}
    year: {column: Tahun}            # or {value: 2024}
    values: {IDL (%): immunization_complete_routine, Kolom baru: new_indicator_id}
    indicators:                      # new indicators, fields as in params/indicators.yaml
      new_indicator_id: {label_id: …, label_en: …, unit: percent, bounds: [0, 100],
                         direction: higher, domain: SPM, opd: dinkes}
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from analysis.errors import ManifestError
from analysis.paths import PROJECT_ROOT
from analysis.sources import Source, parse_manifest, sha256_of

IMPORTS_DIR = PROJECT_ROOT / "data" / "imports"
MAPPING_FILE = "mapping.yaml"
REQUIRED = ("id", "title", "publisher", "address", "license", "district", "values")
ID_PATTERN = re.compile(r"[a-z][a-z0-9_]{2,40}")


@dataclass(frozen=True)
class Import:
    id: str
    folder: Path
    table: Path
    mapping: dict

    @property
    def indicators(self) -> dict:
        return self.mapping.get("indicators") or {}


def read_mapping(path: Path) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ManifestError(f"{path}: cannot read the mapping: {exc}") from exc
    missing = [k for k in REQUIRED if k not in doc]
    if missing:
        raise ManifestError(
            f"{path}: the mapping needs {', '.join(missing)} (see "
            "`python -m analysis import --help` and README)"
        )
    if not ID_PATTERN.fullmatch(str(doc["id"])):
        raise ManifestError(f"{path}: id {doc['id']!r} must be lower case letters, digits and _")
    if "column" not in doc["district"]:
        raise ManifestError(f"{path}: district needs `column` (the column naming the district)")
    if "year" not in doc or not ({"column", "value"} & set(doc["year"] or {})):
        raise ManifestError(f"{path}: year needs `column` or `value`")
    return doc


def to_source(imp: Import) -> Source:
    """The import as a manifest source (reader `table`), read from data/imports/<id>/."""
    m = imp.mapping
    file_options = dict(m.get("file") or {})
    spec = {
        "title": m["title"],
        "publisher": m["publisher"],
        "address": m["address"],
        "license": m["license"],
        "folder": imp.id,
        "reader": "table",
        "authority": m.get("authority", 1),
        "files": [{"path": imp.table.name, "sha256": sha256_of(imp.table), **file_options}],
        "district": m["district"],
        "year": m["year"],
        "values": m["values"],
        "number": file_options.get("number", "point"),
        "missing": file_options.get("missing", [""]),
    }
    return parse_manifest({"sources": {imp.id: spec}}, where=str(imp.folder / MAPPING_FILE))[imp.id]


def registered(imports_dir: Path = IMPORTS_DIR) -> list[Import]:
    """Every import registered under imports_dir, in id order."""
    found = []
    for mapping_path in sorted(Path(imports_dir).glob(f"*/{MAPPING_FILE}")):
        mapping = read_mapping(mapping_path)
        table = mapping_path.parent / mapping["table_file"]
        found.append(Import(mapping["id"], mapping_path.parent, table, mapping))
    return found


def register(
    table: Path,
    mapping_path: Path,
    imports_dir: Path = IMPORTS_DIR,
    known_sources: set[str] = frozenset(),
) -> Import:
    """Copy the table and its mapping into imports_dir/<id>/ (replacing an earlier import with
    the same id) after checking the mapping; returns the registered import."""
    table = Path(table)
    if not table.exists():
        raise ManifestError(f"{table}: file not found")
    mapping = read_mapping(mapping_path)
    if mapping["id"] in known_sources:
        raise ManifestError(
            f"{mapping_path}: id {mapping['id']!r} is already a public source "
            "in params/sources.yaml; choose another id"
        )
    from analysis.catalogue import load_catalogue

    declared = mapping.get("indicators") or {}
    known = set(load_catalogue(imports_dir=imports_dir).indicators) | set(declared)
    unknown = {col: ind for col, ind in mapping["values"].items() if ind not in known}
    if unknown:
        col, ind = next(iter(unknown.items()))
        raise ManifestError(
            f"{mapping_path}: column {col!r} maps to indicator {ind!r}, which is "
            "neither in params/indicators.yaml nor declared under `indicators:`"
        )
    folder = Path(imports_dir) / mapping["id"]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    target = folder / table.name
    shutil.copyfile(table, target)
    mapping = {
        **mapping,
        "table_file": table.name,
        "table_sha256": sha256_of(target),
        "imported_from": str(table.resolve()),
    }
    (folder / MAPPING_FILE).write_text(
        yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return Import(mapping["id"], folder, target, mapping)


def import_signature(imports_dir: Path = IMPORTS_DIR) -> str:
    """Text that changes whenever an import's table or mapping changes (for the data version)."""
    parts = []
    for imp in registered(imports_dir):
        parts.append(f"{imp.id}:{sha256_of(imp.table)}:{sha256_of(imp.folder / MAPPING_FILE)}")
    return "\n".join(parts)


def quarantine_for(quarantine: pd.DataFrame, source_id: str) -> pd.DataFrame:
    return quarantine[quarantine["source"] == source_id]
