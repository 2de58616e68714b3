"""One reader per table shape named in params/sources.yaml (`reader:`).

Each reader takes a manifest source and one of its files and returns the file's RawTable (for the
counts and the records that could not be read) and its staged rows. The quirks handled here are
the ones each folder's PROVENANCE.md documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.errors import ManifestError
from analysis.numbers import parse_numbers
from analysis.readers.staging import STAGED_COLUMNS, district_mode, stage
from analysis.readers.tabular import ROW, RawTable, read_any, read_delimited
from analysis.sources import Source, SourceFile


@dataclass
class StagedFile:
    table: RawTable
    staged: pd.DataFrame


Reader = Callable[[Source, SourceFile, Path], StagedFile]
READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    def register(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return register


def _stage_from_spec(source: Source, file: SourceFile, table: RawTable, **override) -> pd.DataFrame:
    """Stage a table using the manifest's district / year / values / number settings."""
    district = dict(source.spec.get("district", {}))
    if source.option(file, "district_column"):
        district["column"] = source.option(file, "district_column")
    year = source.spec.get("year", {})
    kwargs = dict(
        source=source.id,
        values=source.option(file, "values", {}),
        district_column=district["column"],
        mode=district_mode(district),
        year_column=year.get("column"),
        year_value=file.options.get("year", year.get("value")),
        province_column=district.get("province"),
        province_value=district.get("province_value"),
        number=source.option(file, "number", "point"),
        missing=tuple(source.option(file, "missing", [""])),
        scale=float(source.option(file, "scale", 1.0)),
    )
    if file.options.get("year") is not None:
        kwargs["year_column"] = None
    kwargs.update(override)
    return stage(table, **kwargs)


def _read(source: Source, file: SourceFile, raw_dir: Path) -> RawTable:
    return read_any(file.raw_path(raw_dir), file.relpath, sep=source.option(file, "sep", ","))


@reader("table")
def read_table(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """A plain table: one row per district (and year), one column per indicator."""
    table = _read(source, file, raw_dir)
    return StagedFile(table, _stage_from_spec(source, file, table))


@reader("own_table")
def read_own(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """A district's own table (an import): `file:` options honoured, number format per column,
    ambiguous cells refused in columns whose format was not declared."""
    from analysis.readers.own_table import read_own_table

    table = read_own_table(file.raw_path(raw_dir), file.relpath, file.options)
    staged = _stage_from_spec(
        source,
        file,
        table,
        numbers=source.spec.get("numbers", {}),
        guarded=frozenset(source.spec.get("guarded", ())),
    )
    return StagedFile(table, staged)


@reader("socec")
def read_socec(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """BPS IPM long file: no province column; each district block follows its UPPER-CASE
    province row, and the national row is INDONESIA. Those rows are not district data."""
    table = _read(source, file, raw_dir)
    table.require(["region"])
    region = table.frame["region"].str.strip()
    is_aggregate = region.str.fullmatch(r"[A-Z .]+") & region.str.contains(r"[A-Z]{3}")
    province = region.where(is_aggregate).ffill().fillna("")
    table.frame["_province"] = province
    table.drop_out_of_scope(is_aggregate.fillna(False))
    staged = _stage_from_spec(source, file, table, province_column="_province")
    return StagedFile(table, staged)


@reader("ikp")
def read_ikp(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """Bapanas IKP: `Wilayah` is '<provinsi> - <kabupaten/kota>' in lower case."""
    table = _read(source, file, raw_dir)
    table.require(["Wilayah"])
    parts = table.frame["Wilayah"].str.split(" - ", n=1, expand=True)
    if parts.shape[1] < 2:
        parts[1] = None
    table.frame["_province"] = parts[0].fillna("").str.strip()
    table.frame["_district"] = parts[1].fillna(table.frame["Wilayah"]).str.strip()
    staged = _stage_from_spec(
        source, file, table, district_column="_district", province_column="_province"
    )
    return StagedFile(table, staged)


@reader("wide_years")
def read_wide_years(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """One column per year (`<prefix><year>`), e.g. grdp_pc_2000 … grdp_pc_2024."""
    table = _read(source, file, raw_dir)
    wide = source.spec["wide"]
    pattern = re.compile(re.escape(wide["prefix"]) + r"(\d{4})$")
    year_columns = {c: int(m.group(1)) for c in table.frame.columns if (m := pattern.match(c))}
    if not year_columns:
        raise ManifestError(f"{file.relpath}: no column named {wide['prefix']}<year>")
    staged = pd.concat(
        [
            _stage_from_spec(
                source,
                file,
                table,
                values={column: wide["indicator"]},
                year_column=None,
                year_value=year,
            )
            for column, year in year_columns.items()
        ],
        ignore_index=True,
    )
    return StagedFile(table, staged)


@reader("kemendagri_table")
def read_kemendagri_table(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """Kemendagri-coded tables with province and national rows mixed in (`11`, `31.0`, `0`)."""
    table = _read(source, file, raw_dir)
    table.require(["kode"])
    code = table.frame["kode"].str.strip()
    regency = code.str.extract(r"^\d{2}\.(\d{1,2})$")[0]
    is_aggregate = regency.isna() | (regency.fillna("0").astype(int) == 0)
    table.drop_out_of_scope(is_aggregate)
    return StagedFile(table, _stage_from_spec(source, file, table))


@reader("puskesmas_staff")
def read_puskesmas_staff(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """Per-facility staff (BPPSDMK 2019): keep puskesmas rows (hospital coverage is partial),
    sum each staff group per district (kode_faskes = 'P' + 4-digit BPS 2010 code + …) and
    count the puskesmas."""
    table = _read(source, file, raw_dir)
    values: dict[str, str] = source.spec["values"]
    table.require(["kode_faskes", "jenis_faskes", *values])
    frame = table.frame
    table.drop_out_of_scope(frame["jenis_faskes"].str.strip().str.upper() != "PUSKESMAS")
    frame = table.frame
    frame["_district"] = frame["kode_faskes"].str.strip().str[1:5]
    parts = []
    for column, indicator in values.items():
        value, problem = parse_numbers(frame[column], "point")
        # a facility row whose count cannot be read is quarantined on its own, not summed
        for idx in problem.dropna().index:
            table.rejected.append(
                {
                    "source": source.id,
                    "district_code": "",
                    "file": file.relpath,
                    "row": int(frame.at[idx, ROW]),
                    "column": column,
                    "district_raw": frame.at[idx, "_district"],
                    "year": "",
                    "indicator": indicator,
                    "raw_value": frame.at[idx, column],
                    "reason_code": "unparseable",
                    "reason": f"{problem[idx]} (facility not counted in the district sum)",
                }
            )
        parts.append(
            pd.DataFrame(
                {
                    "_district": frame["_district"],
                    "indicator": indicator,
                    "value": value,
                    ROW: frame[ROW],
                }
            )
        )
    parts.append(
        pd.DataFrame(
            {
                "_district": frame["_district"],
                "indicator": "puskesmas_count",
                "value": 1.0,
                ROW: frame[ROW],
            }
        )
    )
    long = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    grouped = long.groupby(["_district", "indicator"], as_index=False).agg(
        value=("value", "sum"), row=(ROW, "min"), n=(ROW, "size")
    )
    staged = pd.DataFrame(
        {
            "source": source.id,
            "file": file.relpath,
            "row": grouped["row"].astype(int),
            "column": grouped["indicator"]
            .map({v: k for k, v in values.items()})
            .fillna("kode_faskes (count)"),
            "district_raw": grouped["_district"],
            "province_raw": "",
            "district_mode": "code",
            "year_raw": str(source.spec["year"]["value"]),
            "indicator": grouped["indicator"],
            "raw_value": "sum of " + grouped["n"].astype(str) + " puskesmas rows",
            "value": grouped["value"].astype(float),
            "problem": pd.NA,
            "problem_code": pd.NA,
            "pre_code": pd.NA,
            "pre_reason": pd.NA,
        }
    )[STAGED_COLUMNS]
    return StagedFile(table, staged)


@reader("jatim_profile")
def read_jatim_profile(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    """Dinkes Jatim profile: the long annex file (table_no, kabupaten, metric, value) and the
    wide maternal/child coverage table. The province-total row is not district data."""
    if "metrics" not in file.options:
        table = read_delimited(file.raw_path(raw_dir), file.relpath)
        column = source.option(file, "district_column", "kabupaten")
        table.require([column])
        table.drop_out_of_scope(table.frame[column].str.upper().str.startswith("PROV"))
        return StagedFile(table, _stage_from_spec(source, file, table))
    table = read_delimited(file.raw_path(raw_dir), file.relpath)
    table.require(["table_no", "kabupaten", "metric", "value"])
    key = table.frame["table_no"].str.strip() + "/" + table.frame["metric"].str.strip()
    metrics: dict[str, str] = file.options["metrics"]
    keep = key.isin(list(metrics)) & ~table.frame["kabupaten"].str.upper().str.startswith("PROV")
    table.drop_out_of_scope(~keep)
    key = table.frame["table_no"].str.strip() + "/" + table.frame["metric"].str.strip()
    staged = pd.concat(
        [
            _stage_from_spec(
                source,
                file,
                RawTable(file.relpath, table.frame.loc[key == k]),
                values={"value": indicator},
            ).assign(column=f"value ({k})")
            for k, indicator in metrics.items()
        ],
        ignore_index=True,
    )
    return StagedFile(table, staged)


def read_source_file(source: Source, file: SourceFile, raw_dir: Path) -> StagedFile:
    name = source.file_reader(file)
    if name not in READERS:
        raise ManifestError(
            f"params/sources.yaml, source {source.id!r}: unknown reader {name!r} "
            f"(known: {', '.join(sorted(READERS))}, none)"
        )
    result = READERS[name](source, file, raw_dir)
    for record in result.table.rejected:
        record["source"] = source.id
    return result
