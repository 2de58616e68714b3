"""Downloads: a table's data as CSV and XLSX, analysis-ready and deterministic.

Headers are in the report's language with units, codes become labels ("dinsos" -> "Dinas
Sosial"), numbers stay numbers rounded a little beyond what the page shows. The same inputs give
the same bytes: the XLSX carries a fixed document timestamp derived from the data version and
fixed zip entry dates, written by `analysis.workbook` (the project's one XLSX writer).
"""

from __future__ import annotations

import hashlib
import pickle
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype

from analysis.i18n import t
from analysis.report.model import Chart, Column, Table

EPOCH = datetime(2000, 1, 1)
CREATOR = "analysis (PIP reports)"
EXTRA_DIGITS = 2  # downloads keep two more decimals than the page shows


def document_timestamp(data_version: str) -> datetime:
    """A stable document date for a data version: the same version always gives the same date
    (a hash of the version mapped into 2000–2024; not the date the data was built)."""
    seconds = int(hashlib.sha256(data_version.encode()).hexdigest()[:8], 16) % (25 * 365 * 86400)
    return EPOCH + timedelta(seconds=seconds)


def header(col: Column) -> str:
    label = col.export_label or col.label
    label = f"{col.group} — {label}" if col.group else label
    if col.unit and col.kind != "year":
        label = f"{label} ({col.unit})"
    return label


def _rounded(series: pd.Series, col: Column) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The column's numbers times its scale, rounded EXTRA_DIGITS past the page (whole numbers
    for integers and years, missing as <NA>); anything not a number is missing."""
    if not is_numeric_dtype(series.dtype):
        series = pd.to_numeric(series, errors="coerce")
    values = series.to_numpy(dtype=float, na_value=np.nan) * col.scale
    if col.kind in ("integer", "year"):
        return pd.array(np.round(values), dtype="Int64")
    return np.round(values, col.digits + EXTRA_DIGITS)


def _years(years: pd.Series) -> Any:
    """Years as whole numbers; in a column of text ("2019, dibagi penduduk 2024", "2020–2021")
    a plain year ("2021") becomes a number and any other text stays as it is."""
    if years.dtype != object and not isinstance(years.dtype, pd.StringDtype):
        return _rounded(years, Column(years.name, "", "year"))
    values = years.tolist()
    return pd.array(
        [int(v) if isinstance(v, str) and v.isdecimal() else v for v in values], dtype=object
    )


def export_frame(table: Table) -> pd.DataFrame:
    """The table as its downloads carry it: one column per value (an interval gives two, a value
    with its year gives two), headers in the table's language."""
    data = table.data
    out: dict[str, Any] = {}  # by header: a download-only column may replace a shown one
    for col in table.columns:
        name = header(col)
        values = data[col.name]
        if col.kind == "interval":
            out[f"{name} — {t('col_low', table.lang)}"] = _rounded(values, col)
            out[f"{name} — {t('col_high', table.lang)}"] = _rounded(data[col.high], col)
        elif col.numeric:
            out[name] = _rounded(values, col)
        elif col.labels is not None:
            labels = col.labels
            out[name] = [labels.get(v, v) if v else v for v in values.tolist()]
        elif col.kind == "check":
            out[name] = values.astype(bool).to_numpy()
        else:
            out[name] = values.array
        if col.year is not None:
            out[f"{name} — {t('col_year', table.lang)}"] = _years(data[col.year])
    return pd.DataFrame(out, index=pd.RangeIndex(len(data)))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it with the right characters)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def number_formats(table: Table) -> list[str | None]:
    """An Excel number format per column of `export_frame(table)` ("0.0" for one decimal).
    Columns are matched by header, as in `export_frame`: a download-only column with the
    header of a shown one (the number behind a text) takes its place, with its format."""
    formats: dict[str, str | None] = {}
    for col in table.columns:
        fmt = None
        if col.kind in ("number", "percent", "interval"):
            fmt = "0" if col.digits == 0 else "0." + "0" * col.digits
        elif col.kind == "integer":
            fmt = "0"
        name = header(col)
        if col.kind == "interval":
            formats[f"{name} — {t('col_low', table.lang)}"] = fmt
            formats[f"{name} — {t('col_high', table.lang)}"] = fmt
        else:
            formats[name] = fmt
        if col.year is not None:
            formats[f"{name} — {t('col_year', table.lang)}"] = "0"
    return list(formats.values())


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    sheet: str,
    timestamp: datetime,
    formats: list[str | None] | None = None,
    properties: dict[str, str] | None = None,
) -> bytes:
    """One worksheet holding `frame` (header row, then one row per record; missing -> empty
    cell), written by `analysis.workbook` (the project's one XLSX writer): fixed document date
    and zip dates, so the same frame gives the same bytes. `formats`: an Excel number format per
    column ("0.0"), None keeps the default."""
    from analysis.workbook import Column as SheetColumn
    from analysis.workbook import Sheet, write_xlsx

    formats = list(formats or [])
    formats += [None] * (len(frame.columns) - len(formats))
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    columns = [
        SheetColumn(name, number_format=fmt, width=min(max(len(name), 8), 40))
        for name, fmt in zip(frame.columns, formats, strict=True)
    ]
    return write_xlsx(
        Sheet(sheet_name(sheet), frame, columns),
        timestamp=timestamp,
        creator=CREATOR,
        properties=properties,
    )


_WRITTEN: OrderedDict[bytes, tuple[bytes, bytes]] = OrderedDict()  # this process's last files
KEEP_WRITTEN = 256  # ~10 KB each


def _same_files(frame: pd.DataFrame, **kwargs: Any) -> tuple[bytes, bytes]:
    """(`csv_bytes`, `xlsx_bytes`) of a table's download frame, written once per process for the
    same frame and arguments: the tables that do not depend on the district (the models and
    sources of the methods section, five in each report) are the same in every report a worker
    writes. Inputs are matched by their pickle, which holds every value with its type, so only
    identical inputs share files."""
    key = hashlib.sha256(pickle.dumps((frame, sorted(kwargs.items())), protocol=5)).digest()
    files = _WRITTEN.get(key)
    if files is None:
        files = _WRITTEN[key] = (csv_bytes(frame), xlsx_bytes(frame, **kwargs))
        while len(_WRITTEN) > KEEP_WRITTEN:
            _WRITTEN.popitem(last=False)
    _WRITTEN.move_to_end(key)
    return files


def sheet_name(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in name).strip() or "data"
    return cleaned[:31]


def table_files(table: Table) -> dict[str, bytes]:
    """{"name.csv": bytes, "name.xlsx": bytes} for a table with a download name."""
    if table.file is None:
        return {}
    frame = export_frame(table)
    sheet = table.sheet or table.key
    csv, xlsx = _same_files(
        frame,
        sheet=sheet,
        timestamp=document_timestamp(table.version),
        formats=number_formats(table),
        properties={"data_version": table.version} if table.version else None,
    )
    files = {f"{table.file}.csv": csv, f"{table.file}.xlsx": xlsx}
    return {**files, **{f"{table.file}.{ext}": data for ext, data in table.downloads.items()}}


def chart_files(chart: Chart) -> dict[str, bytes]:
    """{"name.png": the image, "name.csv": the data behind it} for a chart with a file name."""
    if chart.file is None:
        return {}
    files = {f"{chart.file}.png": chart.png}
    if chart.data is not None:
        frame = chart.data
        if chart.columns:
            frame = export_frame(Table(chart.key, chart.data, chart.columns, chart.lang))
        files[f"{chart.file}.csv"] = csv_bytes(frame)
    return files
