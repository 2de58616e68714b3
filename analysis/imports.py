"""Bring-your-own data: the registered imports (a district's own tables) under data/imports/<id>/.

Each import folder holds a copy of the table, its mapping (`analysis.mapping`, with a `stored:`
block recording the file name, its sha256, where it came from and when) and the import's
quarantine. Every `python -m analysis data` reads them as sources of kind "own"; a table whose
bytes no longer match the recorded sha256 is refused. Importing and removing are transactional
(`analysis.import_run`); this module only reads, checks and describes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError, ImportRefused, MappingError, SourceFileError
from analysis.mapping import Mapping, read_mapping
from analysis.paths import PROJECT_ROOT
from analysis.sources import Source, load_manifest, parse_manifest, sha256_of

IMPORTS_DIR = PROJECT_ROOT / "data" / "imports"
MAPPING_FILE = "mapping.yaml"
QUARANTINE_FILE = "quarantine.csv"
# Ids an import may not take: they name the project's own things (every manifest id too).
RESERVED_IDS = frozenset({"derived", "official", "own", "imports", "panel", "all", "none"})


@dataclass(frozen=True)
class Import:
    id: str
    folder: Path
    table: Path
    mapping: Mapping

    @property
    def indicators(self) -> dict:
        """Declared indicators as plain dicts (the fields of params/indicators.yaml)."""
        return {
            k: v.model_dump(mode="json", exclude_none=True)
            for k, v in self.mapping.indicators.items()
        }

    @property
    def sha256(self) -> str:
        return self.mapping.stored.table_sha256


def reserved_ids() -> set[str]:
    return set(RESERVED_IDS) | set(load_manifest())


def check_id(import_id: str, where: str) -> None:
    if import_id in reserved_ids():
        kind = (
            "a public source in params/sources.yaml"
            if import_id in load_manifest()
            else ("reserved by the project")
        )
        raise MappingError(
            f"{where}: id {import_id!r} is {kind}; choose another id for your table "
            f"(reserved: {', '.join(sorted(RESERVED_IDS))} and every id in params/sources.yaml)"
        )


def load_import(folder: Path, verify: bool = True) -> Import:
    """One registered import; refuses a damaged mapping or a table changed since the import."""
    where = folder / MAPPING_FILE
    mapping = read_mapping(where)
    remedy = (
        f"re-import it (`python -m analysis import TABLE --mapping MAPPING.yaml`) or remove it "
        f"(`python -m analysis imports remove {folder.name}`)"
    )
    stored = mapping.stored
    if stored is None or mapping.id != folder.name:
        raise MappingError(f"{where}: not a mapping written by the import command; {remedy}")
    if Path(stored.table_file).name != stored.table_file or stored.table_file == MAPPING_FILE:
        raise MappingError(f"{where}: stored table_file must be a file in {folder}; {remedy}")
    table = folder / stored.table_file
    if not table.is_file():
        raise SourceFileError(f"{table}: the imported table is missing; {remedy}")
    if verify:
        actual = sha256_of(table)
        if actual != stored.table_sha256:
            raise SourceFileError(
                f"{table} changed since it was imported (sha256 {actual[:12]}…, recorded "
                f"{stored.table_sha256[:12]}…); a stored import is never read changed: {remedy}"
            )
    return Import(mapping.id, folder, table, mapping)


def import_folders(imports_dir: Path) -> list[Path]:
    folder = Path(imports_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def registered(imports_dir: Path = IMPORTS_DIR, verify: bool = True) -> list[Import]:
    """Every import registered under imports_dir, in id order."""
    return [load_import(f, verify) for f in import_folders(imports_dir)]


def to_source(imp: Import) -> Source:
    """The import as a source of kind "own" (reader `own_table`), read from data/imports/<id>/."""
    m = imp.mapping
    options = m.file.model_dump(exclude={"path", "number", "missing"})
    numbers = {c: m.number_of(c) or "point" for c in m.values}
    spec = {
        "title": m.title,
        "publisher": m.publisher,
        "address": m.address,
        "license": m.license,
        "folder": imp.id,
        "reader": "own_table",
        "authority": 0,
        "files": [{"path": imp.table.name, "sha256": m.stored.table_sha256, **options}],
        "district": m.district.model_dump(exclude_none=True),
        "year": m.year.model_dump(exclude_none=True),
        "values": m.columns,
        "numbers": numbers,
        "guarded": sorted(c for c in m.values if m.number_of(c) is None),
        "missing": list(m.file.missing),
        "authoritative": [a.model_dump() for a in m.authoritative],
    }
    where = str(imp.folder / MAPPING_FILE)
    source = parse_manifest({"sources": {imp.id: spec}}, where=where)[imp.id]
    return replace(source, kind="own")


def import_sources(imports_dir: Path | None = None) -> dict[str, Source]:
    return {imp.id: to_source(imp) for imp in registered(imports_dir or IMPORTS_DIR)}


def import_signature(imports_dir: Path = IMPORTS_DIR) -> str:
    """Text that changes whenever an import's table or mapping changes (for the data version)."""
    return "\n".join(
        f"{imp.id}:{imp.sha256}:{sha256_of(imp.folder / MAPPING_FILE)}"
        for imp in registered(imports_dir)
    )


def provenance(imports_dir: Path = IMPORTS_DIR) -> list[dict]:
    """Per import: id, title, publisher, license, address, file, sha256, imported_at (recorded
    in data_version.json and shown in the report's sources table and footer)."""
    return [
        {
            "id": imp.id,
            "title": imp.mapping.title,
            "publisher": imp.mapping.publisher,
            "license": imp.mapping.license,
            "address": imp.mapping.address,
            "file": imp.table.name,
            "sha256": imp.sha256,
            "imported_at": imp.mapping.stored.imported_at,
        }
        for imp in registered(imports_dir)
    ]


def listing(imports_dir: Path = IMPORTS_DIR) -> pd.DataFrame:
    """Every import folder with its state (`ok` or what is wrong), never raising for one."""
    rows = []
    for folder in import_folders(imports_dir):
        try:
            imp = load_import(folder)
            m = imp.mapping
            rows.append(
                {
                    "id": imp.id,
                    "state": "ok",
                    "file": imp.table.name,
                    "sha256": imp.sha256[:12],
                    "imported_at": m.stored.imported_at,
                    "indicators": ", ".join(sorted(set(m.columns.values()))),
                    "authoritative": "; ".join(
                        f"{', '.join(a.indicators)} {', '.join(map(str, a.years))}"
                        for a in m.authoritative
                    ),
                }
            )
        except AnalysisError as exc:
            rows.append({"id": folder.name, "state": f"damaged: {exc}"})
    columns = ["id", "state", "file", "sha256", "imported_at", "indicators"]
    # object: a column with no value at all (every import damaged) is not read as numbers
    return pd.DataFrame(rows, columns=[*columns, "authoritative"], dtype=object).fillna("")


def get_import(import_id: str, imports_dir: Path = IMPORTS_DIR) -> Import:
    folder = Path(imports_dir) / import_id
    if not folder.is_dir() or import_id.startswith("."):
        known = ", ".join(f.name for f in import_folders(imports_dir)) or "none"
        raise ImportRefused(
            f"no import named {import_id!r} (registered: {known}); "
            "`python -m analysis imports list` shows them"
        )
    return load_import(folder)


def quarantine_for(quarantine: pd.DataFrame, source_id: str) -> pd.DataFrame:
    return quarantine[quarantine["source"] == source_id]
