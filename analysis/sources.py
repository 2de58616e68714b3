"""The source manifest (params/sources.yaml) and the set-up step that fills data/raw from it.

Raw tables are never committed: `fetch` copies each file from a source root (default ../shared/data)
into the git-ignored data/raw/, verifying its sha256 against the manifest, so a user elsewhere can
fetch the same tables from the addresses the manifest records.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import yamlio
from analysis.errors import ManifestError, SourceFileError
from analysis.numbers import NUMBER_FORMATS
from analysis.paths import PARAMS_DIR, RAW_DIR, source_root


@dataclass(frozen=True)
class SourceFile:
    source_id: str
    folder: str
    path: str
    sha256: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def relpath(self) -> str:
        return f"{self.folder}/{self.path}"

    def raw_path(self, raw_dir: Path = RAW_DIR) -> Path:
        return raw_dir / self.folder / self.path


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    address: str
    license: str
    folder: str
    authority: int
    reader: str
    files: tuple[SourceFile, ...]
    spec: dict[str, Any]
    kind: str = "official"  # "official" (params/sources.yaml) | "own" (a district's import)

    def option(self, file: SourceFile, key: str, default: Any = None) -> Any:
        """A reading option: the file's own value first, then the source's."""
        if key in file.options:
            return file.options[key]
        return self.spec.get(key, default)

    def file_reader(self, file: SourceFile) -> str:
        return self.option(file, "reader", self.reader)

    @property
    def readable_files(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if self.file_reader(f) != "none")


def parse_manifest(doc: dict, where: str = "params/sources.yaml") -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for sid, spec in (doc.get("sources") or {}).items():
        for key in ("title", "publisher", "address", "license", "folder", "reader", "files"):
            if key not in spec:
                raise ManifestError(f"{where}, source {sid!r}: missing key {key!r}")
        number = spec.get("number", "point")
        if number not in NUMBER_FORMATS:
            raise ManifestError(
                f"{where}, source {sid!r}: number must be one of {sorted(NUMBER_FORMATS)}"
            )
        files = []
        for entry in spec["files"]:
            if "path" not in entry or "sha256" not in entry:
                raise ManifestError(f"{where}, source {sid!r}: each file needs path and sha256")
            options = {k: v for k, v in entry.items() if k not in ("path", "sha256")}
            files.append(SourceFile(sid, spec["folder"], entry["path"], entry["sha256"], options))
        sources[sid] = Source(
            id=sid,
            title=spec["title"],
            publisher=spec["publisher"],
            address=spec["address"],
            license=spec["license"],
            folder=spec["folder"],
            authority=int(spec.get("authority", 2)),
            reader=spec["reader"],
            files=tuple(files),
            spec=spec,
        )
    return sources


def all_sources(imports_dir: Path | None = None) -> dict[str, Source]:
    """The manifest's sources, then every registered import (a district's own table) as a source
    of kind "own", with its provenance and the sha256 of the imported file."""
    from analysis.imports import import_sources

    return {**load_manifest(), **import_sources(imports_dir)}


def source_table(sources: dict[str, Source]) -> pd.DataFrame:
    """Provenance of each source, for a report's sources table: id, kind, title, publisher,
    license, address, sha256 (of each file, `path: hash`, one per line)."""
    return pd.DataFrame(
        [
            {
                "id": s.id,
                "kind": s.kind,
                "title": s.title,
                "publisher": s.publisher,
                "license": s.license,
                "address": s.address,
                "sha256": "\n".join(
                    f"{f.path}: {f.sha256}" if len(s.files) > 1 else f.sha256 for f in s.files
                ),
            }
            for s in sources.values()
        ],
        columns=["id", "kind", "title", "publisher", "license", "address", "sha256"],
    )


@cache
def load_manifest(path: Path = PARAMS_DIR / "sources.yaml") -> dict[str, Source]:
    return parse_manifest(yamlio.load_file(path), where=str(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class FetchResult:
    relpath: str
    action: str  # "copied" | "up to date"
    sha256: str


def fetch(
    root: str | Path | None = None,
    raw_dir: Path = RAW_DIR,
    sources: dict[str, Source] | None = None,
) -> list[FetchResult]:
    """Copy every manifest file from the source root into raw_dir and verify its checksum.

    Files already in raw_dir with the right checksum are left alone. Every problem (missing file,
    changed file) is collected first and reported together, naming the file and where to get it.
    """
    sources = sources if sources is not None else load_manifest()
    src_root = source_root(root)
    results: list[FetchResult] = []
    problems: list[str] = []
    for source in sources.values():
        for f in source.files:
            target = f.raw_path(raw_dir)
            if target.exists() and sha256_of(target) == f.sha256:
                results.append(FetchResult(f.relpath, "up to date", f.sha256))
                continue
            origin = src_root / f.folder / f.path
            if not origin.exists():
                problems.append(
                    f"missing: {origin} (source {source.id!r}: {source.publisher}). "
                    f"Get it from {source.address} (see PROVENANCE.md in the source folder) "
                    f"and put it there, or point --source-root / $PIP_SOURCE_ROOT at a folder "
                    f"that has {f.relpath}."
                )
                continue
            actual = sha256_of(origin)
            if actual != f.sha256:
                problems.append(
                    f"checksum mismatch: {origin} has sha256 {actual}, the manifest expects "
                    f"{f.sha256}. The file differs from the one the project was built on; "
                    f"re-download it from {source.address} or update params/sources.yaml "
                    "after reviewing the new file."
                )
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".part")
            shutil.copyfile(origin, tmp)
            tmp.replace(target)
            results.append(FetchResult(f.relpath, "copied", f.sha256))
    if problems:
        raise SourceFileError(
            f"{len(problems)} raw file(s) could not be set up from {src_root}:\n  - "
            + "\n  - ".join(problems)
        )
    return results
