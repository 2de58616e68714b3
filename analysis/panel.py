"""Build the processed data: the validated long panel, its wide view, quarantine, consistency flags
and a data version that later steps read. A re-run with unchanged inputs does no work.

Outputs (data/processed/):
    panel.parquet          long: district_code, year, indicator, value, unit, source, file, row,
                           column, flag, flag_detail
    panel_wide.parquet     one row per district-year, one column per indicator (preferred source:
                           highest authority, unflagged values only)
    districts.parquet      the district registry (codes, names, province)
    quarantine.csv         every rejected value: source, file, row, column, raw value, reason
    consistency.csv        cross-source disagreements beyond tolerance, with why one was flagged
    value_choices.csv      every district-indicator-year with more than one value: the value used,
                           the other beside it, and why (analysis.precedence)
    source_counts.csv      per source: rows, values read / accepted / quarantined
    data_version.json      the data version (hash of raw files and of the project's code and
                           params, analysis.fingerprint), the imports' provenance, and the sha256
                           of every file above (a damaged file is detected and rebuilt by
                           `python -m analysis data`)
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.catalogue import Catalogue, load_catalogue
from analysis.consistency import apply_flags, compare_sources
from analysis.errors import DamagedOutputError, SourceFileError
from analysis.fingerprint import fingerprint
from analysis.imports import IMPORTS_DIR, import_signature, provenance, registered, to_source
from analysis.paths import PROCESSED_DIR, RAW_DIR
from analysis.precedence import DERIVED_SOURCE, Precedence, value_choices
from analysis.readers.shapes import read_source_file
from analysis.readers.tabular import QUARANTINE_COLUMNS
from analysis.regions import Registry, load_registry
from analysis.rules import source_rules
from analysis.sources import Source, load_manifest, sha256_of
from analysis.validate import LINEAGE_COLUMNS, PANEL_COLUMNS, validate

COUNT_COLUMNS = [
    "source",
    "files",
    "rows",
    "blank_rows",
    "out_of_scope_rows",
    "values_read",
    "accepted",
    "quarantined",
    "missing",
]


def data_version(
    raw_dir: Path = RAW_DIR,
    sources: dict[str, Source] | None = None,
    imports_dir: Path = IMPORTS_DIR,
) -> str:
    """Hash of every raw file the manifest lists, the imports, and the fingerprint of the code
    and parameters (analysis/fingerprint.py)."""
    sources = sources if sources is not None else load_manifest()
    digest = hashlib.sha256()
    for source in sources.values():
        for f in source.files:
            path = f.raw_path(raw_dir)
            if not path.exists():
                raise SourceFileError(f"{path} is missing: run `python -m analysis fetch` first")
            digest.update(f"{f.relpath}={sha256_of(path)}\n".encode())
    digest.update(import_signature(imports_dir).encode())
    digest.update(fingerprint().encode())
    return digest.hexdigest()[:16]


@dataclass
class BuildResult:
    version: str
    counts: pd.DataFrame
    quarantine_rows: int
    consistency: pd.DataFrame
    compared_pairs: int
    districts: int
    seconds: float
    skipped: bool
    out_dir: Path

    @property
    def flagged_districts(self) -> int:
        return int(self.consistency["district_code"].nunique()) if len(self.consistency) else 0


def read_sources(
    sources: dict[str, Source],
    registry: Registry,
    catalogue: Catalogue,
    raw_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read, stage and validate every source. Returns (accepted, quarantine, counts)."""
    accepted_parts, quarantine_parts, counts = [], [], []
    for source in sources.values():
        files = source.readable_files
        if not files:
            continue
        if progress:
            progress(source.id)
        staged_parts, rejected, tables = [], [], []
        for f in files:
            result = read_source_file(source, f, raw_dir)
            staged_parts.append(result.staged)
            rejected.extend(result.table.rejected)
            tables.append(result.table)
        staged = pd.concat(staged_parts, ignore_index=True)
        checked = validate(staged, registry, catalogue, rules=source_rules(source.spec, registry))
        pre = pd.DataFrame(rejected, columns=QUARANTINE_COLUMNS)
        quarantine = pd.concat([pre, checked.quarantine], ignore_index=True)
        accepted_parts.append(checked.accepted)
        quarantine_parts.append(quarantine)
        counts.append(
            {
                "source": source.id,
                "files": len(files),
                "rows": sum(t.data_rows for t in tables),
                "blank_rows": sum(t.blank_rows for t in tables),
                "out_of_scope_rows": sum(t.out_of_scope_rows for t in tables),
                "values_read": len(staged) + len(pre),
                "accepted": len(checked.accepted),
                "quarantined": len(quarantine),
                "missing": int((quarantine["reason_code"] == "missing").sum()),
            }
        )
    return (
        pd.concat(accepted_parts, ignore_index=True),
        pd.concat(quarantine_parts, ignore_index=True),
        pd.DataFrame(counts, columns=COUNT_COLUMNS),
    )


def pair_with_denominator(preferred: pd.DataFrame, derived: dict) -> pd.DataFrame:
    """Each numerator value (district, year) with the denominator of the same year if the data
    have it, else of the nearest year (the earlier on a tie). Columns of both, the denominator's
    suffixed `_den`."""
    num = preferred[preferred["indicator"] == derived["numerator"]]
    den = preferred[preferred["indicator"] == derived["denominator"]]
    if num.empty or den.empty:
        return num.iloc[0:0]
    merged = num.merge(den, on="district_code", suffixes=("", "_den"))
    merged = merged.assign(
        gap=(merged["year"] - merged["year_den"]).abs(), later=merged["year_den"] > merged["year"]
    )
    return merged.sort_values(["district_code", "year", "gap", "later"]).drop_duplicates(
        ["district_code", "year"]
    )


def derive_indicators(
    panel: pd.DataFrame, catalogue: Catalogue, sources: dict[str, Source] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratios declared `derived` in the catalogue (density, staff per 100,000 population).

    The numerator's year is kept; the denominator is of the same year where the data have it,
    else of its nearest year (population exists for 2024 only), which the row's `column` field
    records (and `pair_with_denominator` gives as data).
    """
    rows = []
    preferred = preferred_values(panel, sources if sources is not None else load_manifest())
    for ind in catalogue.indicators.values():
        if not ind.derived:
            continue
        merged = pair_with_denominator(preferred, ind.derived)
        if merged.empty:
            continue
        value = merged["value"] / merged["value_den"] * float(ind.derived.get("scale", 1))
        rows.append(
            pd.DataFrame(
                {
                    "district_code": merged["district_code"],
                    "year": merged["year"].astype(int),
                    "indicator": ind.id,
                    "value": value.astype(float),
                    "unit": ind.unit,
                    "source": DERIVED_SOURCE,
                    "file": "",
                    "row": 0,
                    "column": (
                        ind.derived["numerator"]
                        + " ("
                        + merged["source"]
                        + " "
                        + merged["year"].astype(str)
                        + ") / "
                        + ind.derived["denominator"]
                        + " ("
                        + merged["source_den"]
                        + " "
                        + merged["year_den"].astype(str)
                        + ")"
                    ),
                }
            )
        )
    if not rows:
        return panel.iloc[0:0], pd.DataFrame(columns=QUARANTINE_COLUMNS)
    derived = pd.concat(rows, ignore_index=True)
    lo = derived["indicator"].map({k: i.lower for k, i in catalogue.indicators.items()})
    hi = derived["indicator"].map({k: i.upper for k, i in catalogue.indicators.items()})
    out = ~derived["value"].between(lo, hi)
    quarantine = pd.DataFrame(
        {
            "source": DERIVED_SOURCE,
            "district_code": derived.loc[out, "district_code"],
            "file": "",
            "row": 0,
            "column": derived.loc[out, "column"],
            "district_raw": derived.loc[out, "district_code"],
            "year": derived.loc[out, "year"],
            "indicator": derived.loc[out, "indicator"],
            "raw_value": derived.loc[out, "value"].map(lambda v: f"{v:g}"),
            "reason_code": "out_of_bounds",
            "reason": "derived value outside the indicator's bounds",
        }
    )[QUARANTINE_COLUMNS]
    return derived.loc[~out].reset_index(drop=True), quarantine


def preferred_values(panel: pd.DataFrame, sources: dict[str, Source]) -> pd.DataFrame:
    """One value per district-year-indicator: unflagged, the best under the precedence rule
    (`analysis.precedence`; the panel's `precedence` column when it has one, so an import's
    declared authority counts even when `sources` is only the manifest)."""
    from analysis.precedence import preferred

    return preferred(panel, Precedence(sources))


def wide_view(panel: pd.DataFrame, sources: dict[str, Source]) -> pd.DataFrame:
    best = preferred_values(panel, sources)
    wide = best.pivot(index=["district_code", "year"], columns="indicator", values="value")
    wide.columns.name = None
    return wide.reset_index()


def software_versions() -> dict[str, str]:
    names = ["pandas", "numpy", "pandera", "pyarrow", "statsmodels", "linearmodels", "papermill"]
    versions = {"python": platform.python_version(), "analysis": __version__}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def read_version_file(out_dir: Path = PROCESSED_DIR) -> dict | None:
    """The version file, or None when there is none or it is damaged (then `data` rebuilds)."""
    path = out_dir / "data_version.json"
    if not path.exists():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return info if isinstance(info, dict) else None


OUTPUT_FILES = (
    "panel.parquet",
    "panel_wide.parquet",
    "districts.parquet",
    "quarantine.csv",
    "consistency.csv",
    "value_choices.csv",
    "source_counts.csv",
    "data_version.json",
)
HASHED_FILES = OUTPUT_FILES[:-1]  # their sha256 is recorded in data_version.json


def damaged_outputs(out_dir: Path = PROCESSED_DIR, names=HASHED_FILES) -> list[str]:
    """Processed files that are missing or differ from the sha256 recorded when they were
    written (truncated, edited by hand, half-copied). Empty when everything is intact."""
    info = read_version_file(out_dir) or {}
    recorded = info.get("files") or {}
    return [
        name
        for name in names
        if not (out_dir / name).exists()
        or (name in recorded and sha256_of(out_dir / name) != recorded[name])
    ]


def build(
    raw_dir: Path = RAW_DIR,
    out_dir: Path = PROCESSED_DIR,
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
    imports_dir: Path = IMPORTS_DIR,
) -> BuildResult:
    """Build every processed output from data/raw and the registered imports, or do nothing if
    they are up to date."""
    start = time.perf_counter()
    sources = load_manifest()
    version = data_version(raw_dir, sources, imports_dir)
    stored = read_version_file(out_dir)
    if (
        not force
        and stored
        and stored.get("data_version") == version
        and "files" in stored
        and not damaged_outputs(out_dir)
    ):
        return BuildResult(
            version=version,
            counts=pd.read_csv(out_dir / "source_counts.csv"),
            quarantine_rows=stored["quarantine_rows"],
            consistency=pd.read_csv(out_dir / "consistency.csv", dtype={"district_code": str}),
            compared_pairs=stored["compared_pairs"],
            districts=stored["districts"],
            seconds=time.perf_counter() - start,
            skipped=True,
            out_dir=out_dir,
        )
    catalogue = load_catalogue(imports_dir=imports_dir)
    registry = load_registry(raw_dir)
    accepted, quarantine, counts = read_sources(sources, registry, catalogue, raw_dir, progress)
    imported = {imp.id: to_source(imp) for imp in registered(imports_dir)}
    if imported:  # the user's own tables, each a source of its own
        more = read_sources(imported, registry, catalogue, imports_dir, progress)
        accepted, quarantine, counts = (
            pd.concat([a, b], ignore_index=True)
            for a, b in zip((accepted, quarantine, counts), more, strict=True)
        )
    everything = {**sources, **imported}
    rule = Precedence(everything)
    if progress:
        progress("cross-source consistency")
    disagreements, compared = compare_sources(accepted, catalogue, everything)
    panel = apply_flags(accepted, disagreements, everything)
    # derived values are computed from unflagged inputs only
    derived, derived_quarantine = derive_indicators(panel, catalogue, everything)
    panel = pd.concat([panel, derived.assign(flag="", flag_detail="")], ignore_index=True)
    panel["precedence"] = rule.ranks(panel)
    quarantine = pd.concat([quarantine, derived_quarantine], ignore_index=True)
    counts = pd.concat(
        [
            counts,
            pd.DataFrame(
                [
                    {
                        "source": DERIVED_SOURCE,
                        "files": 0,
                        "rows": 0,
                        "blank_rows": 0,
                        "out_of_scope_rows": 0,
                        "values_read": len(derived) + len(derived_quarantine),
                        "accepted": len(derived),
                        "quarantined": len(derived_quarantine),
                        "missing": 0,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    panel = panel[PANEL_COLUMNS + LINEAGE_COLUMNS + ["flag", "flag_detail", "precedence"]]
    panel = panel.sort_values(["district_code", "indicator", "year", "source"]).reset_index(
        drop=True
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    panel.to_parquet(out_dir / "panel.parquet", index=False)
    wide_view(panel, everything).to_parquet(out_dir / "panel_wide.parquet", index=False)
    registry.to_frame().to_parquet(out_dir / "districts.parquet", index=False)
    quarantine.to_csv(out_dir / "quarantine.csv", index=False)
    disagreements.to_csv(out_dir / "consistency.csv", index=False)
    value_choices(panel, rule).to_csv(out_dir / "value_choices.csv", index=False)
    counts.to_csv(out_dir / "source_counts.csv", index=False)
    seconds = time.perf_counter() - start
    info = {
        "data_version": version,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build_seconds": round(seconds, 2),
        "districts": int(panel["district_code"].nunique()),
        "panel_rows": len(panel),
        "quarantine_rows": len(quarantine),
        "compared_pairs": compared,
        "flagged_values": int((panel["flag"] != "").sum()),
        "imports": provenance(imports_dir),
        "software": software_versions(),
        "files": {name: sha256_of(out_dir / name) for name in HASHED_FILES},
    }
    (out_dir / "data_version.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
    return BuildResult(
        version,
        counts,
        len(quarantine),
        disagreements,
        compared,
        info["districts"],
        seconds,
        False,
        out_dir,
    )


def load_panel(out_dir: Path = PROCESSED_DIR, *, include_flagged: bool = False) -> pd.DataFrame:
    """The long panel. Values flagged by the cross-source check are left out unless asked for;
    how many were left out is in `attrs['excluded_flagged']`."""
    path = out_dir / "panel.parquet"
    if not path.exists():
        raise SourceFileError(f"{path} does not exist: run `python -m analysis data` first")
    if read_version_file(out_dir) is None or damaged_outputs(out_dir, ("panel.parquet",)):
        raise DamagedOutputError(
            f"{path} is damaged (its sha256 differs from the one recorded in "
            f"{out_dir / 'data_version.json'}): run `python -m analysis data` to rebuild it"
        )
    panel = pd.read_parquet(path)
    excluded = int((panel["flag"] != "").sum())
    if not include_flagged:
        panel = panel[panel["flag"] == ""].reset_index(drop=True)
    panel.attrs["excluded_flagged"] = 0 if include_flagged else excluded
    panel.attrs["data_version"] = (read_version_file(out_dir) or {}).get("data_version")
    return panel
