"""Downloads: a table's data as CSV and XLSX, analysis-ready and deterministic.

Headers are in the report's language with units, codes become labels ("dinsos" -> "Dinas
Sosial"), numbers stay numbers rounded a little beyond what the page shows. The same inputs give
the same bytes: the XLSX carries a fixed document timestamp derived from the data version and
fixed zip entry dates. `xlsx_bytes` is the one place a workbook is written.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime, timedelta

import pandas as pd

from analysis.i18n import t
from analysis.report.model import Chart, Column, Table

EPOCH = datetime(2000, 1, 1)
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
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


def _rounded(series: pd.Series, col: Column) -> pd.Series:
    values = pd.to_numeric(series, errors="coerce").astype(float) * col.scale
    if col.kind in ("integer", "year"):
        return values.round().astype("Int64")
    return values.round(col.digits + EXTRA_DIGITS)


def export_frame(table: Table) -> pd.DataFrame:
    """The table as its downloads carry it: one column per value (an interval gives two, a value
    with its year gives two), headers in the table's language."""
    data = table.data
    out: dict[str, pd.Series] = {}
    for col in table.columns:
        name = header(col)
        if col.kind == "interval":
            out[f"{name} — {t('col_low', table.lang)}"] = _rounded(data[col.name], col)
            out[f"{name} — {t('col_high', table.lang)}"] = _rounded(data[col.high], col)
        elif col.numeric:
            out[name] = _rounded(data[col.name], col)
        elif col.labels is not None:
            out[name] = data[col.name].map(lambda v, m=col.labels: m.get(v, v) if v else v)
        elif col.kind == "check":
            out[name] = data[col.name].astype(bool)
        else:
            out[name] = data[col.name]
        if col.year is not None:
            years = data[col.year]  # years, or text such as "2019, dibagi penduduk 2024"
            out[f"{name} — {t('col_year', table.lang)}"] = (
                years if years.dtype == object else _rounded(years, Column(col.year, "", "year"))
            )
    frame = pd.DataFrame(out)
    frame.index = range(len(frame))
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (Excel opens it with the right characters)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def number_formats(table: Table) -> list[str | None]:
    """An Excel number format per exported column ("0.0" for one decimal)."""
    formats: list[str | None] = []
    for col in table.columns:
        fmt = None
        if col.kind in ("number", "percent", "interval"):
            fmt = "0" if col.digits == 0 else "0." + "0" * col.digits
        elif col.kind == "integer":
            fmt = "0"
        formats += [fmt, fmt] if col.kind == "interval" else [fmt]
        if col.year is not None:
            formats.append("0")
    return formats


def xlsx_bytes(
    frame: pd.DataFrame,
    *,
    sheet: str,
    timestamp: datetime,
    formats: list[str | None] | None = None,
) -> bytes:
    """One worksheet holding `frame` (header row, then one row per record; NaN -> empty cell),
    with fixed document properties and zip dates so the same frame gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    ws.append([str(c) for c in frame.columns])
    for record in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else _plain(v) for v in record])
    for i, fmt in enumerate(formats or []):
        if fmt:
            for cell in ws.iter_cols(min_col=i + 1, max_col=i + 1, min_row=2):
                for c in cell:
                    c.number_format = fmt
    for i, name in enumerate(frame.columns):
        ws.column_dimensions[ws.cell(1, i + 1).column_letter].width = min(max(len(name), 8), 40)
    ws.freeze_panes = "A2"
    wb.properties.creator = "analysis (PIP reports)"
    wb.properties.created = wb.properties.modified = timestamp
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(wb, archive).save()  # not openpyxl's save_workbook: it stamps "now"
    return _fixed_zip_dates(buffer.getvalue())


def _plain(value):
    """numpy / pandas scalars as the Python values openpyxl writes."""
    return value.item() if hasattr(value, "item") else value


def _fixed_zip_dates(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def table_files(table: Table) -> dict[str, bytes]:
    """{"name.csv": bytes, "name.xlsx": bytes} for a table with a download name."""
    if table.file is None:
        return {}
    frame = export_frame(table)
    sheet = table.sheet or table.key
    files = {
        f"{table.file}.csv": csv_bytes(frame),
        f"{table.file}.xlsx": xlsx_bytes(
            frame,
            sheet=sheet,
            timestamp=document_timestamp(table.version),
            formats=number_formats(table),
        ),
    }
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
