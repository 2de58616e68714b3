"""Importing and removing a district's own table as a transaction.

    python -m analysis import TABLE --mapping MAPPING.yaml
    python -m analysis imports list | show ID | remove ID

Everything is staged in a temporary folder beside data/imports (same file system): the mapping is
validated (`analysis.mapping`), the table confined and copied with its sha256, read and validated
on its own (every problem named with file, row, column), then the whole processed data and the
driver models are rebuilt into the staging folder. Only when all of that succeeded are the import
folder and the processed files moved into place (data_version.json last). A failure at any step
leaves data/imports and data/processed exactly as they were, so an earlier good import under the
same id survives a failed re-import.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.catalogue import load_catalogue
from analysis.errors import ImportRefused, MappingError
from analysis.imports import (
    IMPORTS_DIR,
    MAPPING_FILE,
    QUARANTINE_FILE,
    Import,
    check_id,
    get_import,
    import_folders,
    to_source,
)
from analysis.mapping import Mapping, Stored, dump_mapping, read_mapping
from analysis.paths import PROCESSED_DIR, PROJECT_ROOT, RAW_DIR
from analysis.sources import sha256_of

STAGING_PREFIX = ".import-"


@dataclass
class ImportResult:
    imp: Import
    counts: pd.Series  # values_read, accepted, quarantined, missing … of this import
    quarantine: pd.DataFrame
    replaced: bool
    build: object  # analysis.panel.BuildResult of the staged rebuild
    models: object | None  # analysis.models.store.ModelSet


def resolve_table(
    table: Path | None, mapping: Mapping, mapping_path: Path, imports_dir: Path
) -> Path:
    """The one file this import may read: the table named on the command line, or a `file.path`
    inside the project's data/imports/ area. Anything else is refused."""
    area = Path(imports_dir).resolve()
    named = mapping.file.path
    if named is not None:
        path = Path(named).expanduser()
        path = (path if path.is_absolute() else Path(mapping_path).parent / path).resolve()
        if table is not None and path != Path(table).resolve():
            raise ImportRefused(
                f"{mapping_path}: `file.path` names {named!r} ({path}), but the command line "
                f"names {table}; a mapping reads only the file given on the command line. "
                "Remove `path:` from the mapping."
            )
        if table is None and not path.is_relative_to(area):
            raise ImportRefused(
                f"{mapping_path}: `file.path` {named!r} resolves to {path}, outside the "
                f"project's import area {area}; a mapping may only name files inside it. "
                "Give the table on the command line instead: "
                "`python -m analysis import TABLE --mapping MAPPING.yaml`."
            )
        table = path
    if table is None:
        raise ImportRefused(
            f"{mapping_path}: no table given; name it on the command line "
            "(`python -m analysis import TABLE --mapping MAPPING.yaml`)"
        )
    table = Path(table)
    if not table.is_file():
        raise ImportRefused(f"{table}: file not found (the table to import)")
    return table.resolve()


def check_indicators(mapping: Mapping, where: str, other_imports: Path) -> None:
    """Every mapped indicator is catalogued or declared here; declarations are well formed.
    `other_imports` holds the other registered imports (not an earlier import of this id)."""
    catalogue = load_catalogue(imports_dir=other_imports)
    problems = []
    for column, indicator in mapping.columns.items():
        if indicator not in catalogue and indicator not in mapping.indicators:
            problems.append(
                f"column {column!r} maps to indicator {indicator!r}, which is neither in "
                "params/indicators.yaml nor declared under `indicators:` in this mapping"
            )
    units = set(catalogue.units) | set(mapping.units)
    for key, spec in mapping.indicators.items():
        if key in catalogue:
            problems.append(
                f"indicators.{key}: already exists (params/indicators.yaml or another import); "
                "map the column to it instead of declaring it"
            )
        if spec.unit not in units:
            problems.append(
                f"indicators.{key}.unit: {spec.unit!r} is not a unit (known: "
                f"{', '.join(sorted(units))}); declare it under `units:` in this mapping"
            )
        if spec.opd not in catalogue.opds:
            problems.append(
                f"indicators.{key}.opd: {spec.opd!r} is not an OPD (known: "
                f"{', '.join(sorted(catalogue.opds))})"
            )
    for key in sorted(set(mapping.units) & set(catalogue.units)):
        problems.append(f"units.{key}: already exists in params/indicators.yaml; use it")
    mapped = set(mapping.columns.values())
    for i, entry in enumerate(mapping.authoritative):
        for ind in entry.indicators:
            if ind not in mapped:
                problems.append(
                    f"authoritative[{i}].indicators: {ind!r} is not a value column's indicator "
                    "in this mapping"
                )
    if problems:
        raise MappingError(f"{where}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))


def prepare(table: Path | None, mapping_path: Path, imports_dir: Path, staging: Path) -> Import:
    """Validate the mapping, confine and copy the table, and stage the import in
    staging/imports/<id>/ beside copies of the other registered imports."""
    mapping = read_mapping(mapping_path)
    where = str(mapping_path)
    check_id(mapping.id, where)
    source_file = resolve_table(table, mapping, mapping_path, imports_dir)
    staged_imports = staging / "imports"
    staged_imports.mkdir()
    for folder in import_folders(imports_dir):
        if folder.name != mapping.id:
            shutil.copytree(folder, staged_imports / folder.name)
    check_indicators(mapping, where, staged_imports)
    return _stage_import(source_file, mapping, staged_imports / mapping.id)


def run_import(
    table: Path | None,
    mapping_path: Path,
    *,
    imports_dir: Path = IMPORTS_DIR,
    raw_dir: Path = RAW_DIR,
    processed_dir: Path = PROCESSED_DIR,
    fit_models: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import one table; on any failure nothing in imports_dir or processed_dir changes."""
    check_id(read_mapping(mapping_path).id, str(mapping_path))  # before touching the disk
    imports_dir = Path(imports_dir)
    imports_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=imports_dir.parent))
    try:
        imp = prepare(table, mapping_path, imports_dir, staging)
        staged_imports = imp.folder.parent
        _say(progress, f"reading {imp.table.name}")
        counts, _accepted, quarantine = check_alone(imp, raw_dir)
        quarantine.to_csv(imp.folder / QUARANTINE_FILE, index=False)
        _say(progress, "rebuilding the panel with the import")
        from analysis.panel import build

        staged_processed = staging / "processed"
        result = build(raw_dir, staged_processed, force=True, imports_dir=staged_imports)
        models = None
        if fit_models:
            from analysis.models.store import fit_all

            _say(progress, "fitting the driver models")
            models = fit_all(staged_processed, imports_dir=staged_imports)
        replaced = (imports_dir / imp.id).exists()
        _commit_import(imp.folder, imports_dir / imp.id, staging)
        commit_processed(staged_processed, Path(processed_dir))
        result.out_dir = Path(processed_dir)
        final = get_import(imp.id, imports_dir)
        return ImportResult(final, counts, quarantine, replaced, result, models)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _say(progress, text: str) -> None:
    if progress:
        progress(text)


def _stage_import(source_file: Path, mapping: Mapping, folder: Path) -> Import:
    folder.mkdir()
    name = source_file.name if source_file.name != MAPPING_FILE else f"table_{MAPPING_FILE}"
    if name in (MAPPING_FILE, QUARANTINE_FILE):
        name = f"table_{name}"
    target = folder / name
    shutil.copyfile(source_file, target)
    stored = Stored(
        table_file=name,
        table_sha256=sha256_of(target),
        imported_from=str(source_file),
        imported_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )
    mapping = mapping.model_copy(update={"stored": stored})
    (folder / MAPPING_FILE).write_text(dump_mapping(mapping), encoding="utf-8")
    return Import(mapping.id, folder, target, read_mapping(folder / MAPPING_FILE))


def check_alone(
    imp: Import, raw_dir: Path = RAW_DIR
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """Read and validate the staged import on its own (fast): (counts, accepted, quarantine).
    Refuses an import of which nothing is usable."""
    imports_dir = imp.folder.parent
    from analysis.panel import read_sources
    from analysis.regions import load_registry

    catalogue = load_catalogue(imports_dir=imports_dir)
    registry = load_registry(raw_dir)
    accepted, quarantine, counts = read_sources(
        {imp.id: to_source(imp)}, registry, catalogue, imports_dir
    )
    row = counts.iloc[0]
    if row["rows"] == 0:
        raise ImportRefused(
            f"{imp.table.name}: the table has a header but no data rows; nothing to import"
        )
    if len(accepted) == 0:
        reasons = quarantine.groupby("reason_code").size().sort_values(ascending=False)
        first = quarantine.iloc[0]
        raise ImportRefused(
            f"{imp.table.name}: no value could be accepted ({row['values_read']} read, all "
            f"quarantined: {', '.join(f'{k} {v}' for k, v in reasons.items())}). First: row "
            f"{first['row']}, column {first['column']!r}: {first['reason']}. Fix the table or "
            "the mapping and import again; nothing was changed."
        )
    return row, accepted, quarantine


def _commit_import(staged: Path, target: Path, staging: Path) -> None:
    """Put the staged import folder in place; an earlier import of the id is swapped out."""
    old = staging / "replaced"
    if target.exists():
        os.replace(target, old)
    try:
        os.replace(staged, target)
    except OSError:
        if old.exists():
            os.replace(old, target)
        raise


def commit_processed(staged: Path, processed_dir: Path) -> None:
    """Move every staged processed file into processed_dir, data_version.json last (a reader
    that sees the new version sees the new files)."""
    processed_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in staged.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == "data_version.json")
    for path in files:
        target = processed_dir / path.relative_to(staged)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)


def remove_import(
    import_id: str,
    *,
    imports_dir: Path = IMPORTS_DIR,
    raw_dir: Path = RAW_DIR,
    processed_dir: Path = PROCESSED_DIR,
    fit_models: bool = True,
) -> str | None:
    """Remove an import and rebuild the processed data without it. The import is removed even if
    the rebuild fails (a broken import must always be removable); the note says what to run."""
    folder = Path(imports_dir) / import_id
    if not folder.is_dir() or import_id.startswith("."):
        get_import(import_id, imports_dir)  # raises with the list of imports
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=Path(imports_dir).parent))
    try:
        os.replace(folder, staging / "removed")
        if not (Path(processed_dir) / "data_version.json").exists():
            return None
        from analysis.errors import AnalysisError
        from analysis.panel import build

        try:
            build(raw_dir, staging / "processed", force=True, imports_dir=imports_dir)
            if fit_models:
                from analysis.models.store import fit_all

                fit_all(staging / "processed", imports_dir=imports_dir)
        except AnalysisError as exc:
            return (
                f"the processed data was not rebuilt ({exc}); run `python -m analysis data` "
                "after fixing that"
            )
        commit_processed(staging / "processed", Path(processed_dir))
        return None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def relative(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
