"""The formats of a report besides its HTML (`report --format pdf --format docx --format pptx`),
written next to the HTML after it is rendered: the one post-render step of a batch job.

    write_formats("district", parameters, Path("reports/banten/kabupaten-serang.html"),
                  ("pdf", "docx", "pptx"), key=job_key)
    -> [.../kabupaten-serang.pdf, .../kabupaten-serang.docx, .../kabupaten-serang.pptx]

- pdf: the HTML printed to A4 by headless Chromium (analysis.report.printing);
- docx: the sections as an editable Word document (analysis.report.word);
- pptx: the workshop deck (analysis.report.slides).

Cached like the HTML: `<name>.html.formats.json` records, per format, the cache key of the job
that wrote it; a format whose key matches is not written again. The Word document and the deck
are built from the same section objects as the notebook shows (`DistrictReport.all_sections()`
or `ProvinceReport.all_sections()`, loaded with the job's parameters in the worker).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from analysis.errors import AnalysisError
from analysis.i18n import t
from analysis.report.model import ReportInfo, Section

FORMATS = ("html", "pdf", "docx", "pptx")  # html is always written: it is what the PDF prints


def check_formats(formats: Iterable[str] | None) -> tuple[str, ...]:
    """The requested formats in a fixed order, html first (default: html alone)."""
    asked = {f.strip().lower() for f in formats or ()} | {"html"}
    unknown = sorted(asked - set(FORMATS))
    if unknown:
        raise AnalysisError(
            f"--format {', '.join(unknown)}: not a report format; use any of "
            f"{', '.join(FORMATS)} (repeat --format for several)"
        )
    return tuple(f for f in FORMATS if f in asked)


def output_path(out_html: Path, fmt: str) -> Path:
    """kabupaten-serang.html -> kabupaten-serang.pdf (.en.html -> .en.pdf)."""
    return Path(out_html).with_suffix(f".{fmt}")


def formats_path(out_html: Path) -> Path:
    return Path(out_html).with_name(Path(out_html).name + ".formats.json")


def stored_formats(out_html: Path) -> dict[str, str]:
    """format -> the cache key it was written with (only formats whose file exists)."""
    try:
        doc = json.loads(formats_path(out_html).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {f: k for f, k in doc.items() if output_path(out_html, f).exists()}


def formats_current(out_html: Path, formats: Iterable[str], key: str) -> bool:
    stored = stored_formats(out_html)
    return all(stored.get(f) == key for f in formats if f != "html")


def write_formats(
    kind: str,
    parameters: dict[str, Any],
    out_html: Path,
    formats: Iterable[str],
    *,
    key: str = "",
    force: bool = False,
) -> list[Path]:
    """Write the requested formats (except html) next to `out_html`; returns the files
    written (formats already written with the same `key` are skipped unless `force`)."""
    out_html = Path(out_html)
    stored = stored_formats(out_html)
    todo = [f for f in formats if f != "html" and (force or not key or stored.get(f) != key)]
    if not todo:
        return []
    sections = None
    if {"docx", "pptx"} & set(todo):  # the sections themselves: load the report
        report = load_report(kind, parameters)
        sections = report.all_sections()
        info = report_info(report, kind, sections)
    else:  # the PDF prints the HTML: it needs the names and the data version only
        info = light_info(kind, parameters)
    written = []
    for fmt in todo:
        path = output_path(out_html, fmt)
        _write(fmt, path, out_html, sections, info)
        stored[fmt] = key
        _store(out_html, stored)
        written.append(path)
    return written


def _write(fmt: str, path: Path, out_html: Path, sections, info: ReportInfo) -> None:
    from analysis.report.exports import document_timestamp

    timestamp = document_timestamp(info.data_version)
    if fmt == "pdf":
        from analysis.report.printing import print_pdf

        version = t("print_data_version", info.lang, version=info.data_version)
        print_pdf(out_html, path, running_header=(info.place, version), timestamp=timestamp)
        return
    if fmt == "docx":
        from analysis.report.word import docx_bytes

        data = docx_bytes(sections, info, timestamp)
    else:
        from analysis.report.slides import pptx_bytes

        data = pptx_bytes(sections, info, timestamp)
    part = path.with_name(f".{path.name}.part")
    part.write_bytes(data)
    part.replace(path)


def _store(out_html: Path, stored: dict[str, str]) -> None:
    path = formats_path(out_html)
    part = path.with_name(f".{path.name}.part")
    part.write_text(json.dumps(stored, sort_keys=True), encoding="utf-8")
    part.replace(path)


def load_report(kind: str, parameters: dict[str, Any]):
    """The report object the notebook builds from these parameters (a DistrictReport or a
    ProvinceReport); parameters its `load` does not take (template, plan_file) are left out."""
    if kind == "province":
        from analysis.report.province import ProvinceReport as Report

        subject = parameters["province"]
    else:
        from analysis.report.district import DistrictReport as Report

        subject = parameters["district"]
    accepted = inspect.signature(Report.load).parameters
    options = {
        k: v for k, v in parameters.items() if k in accepted and k not in ("district", "province")
    }
    return Report.load(subject, **options)


def report_info(report, kind: str, sections: list[Section] | None = None) -> ReportInfo:
    """Title, place, province, language, data version and date of a loaded report."""
    header = next((s for s in sections or () if s.level == 1), None)
    if kind == "province":
        place = province = report.province
        title = t("prov_title", report.lang, province=province)
    else:
        place, province = report.district.name, report.district.province
        title = t("report_title", report.lang, district=place)
    return ReportInfo(
        title=header.title if header is not None and header.title else title,
        place=place,
        province=province,
        lang=report.lang,
        data_version=report.ctx.data_version,
        date=date.today().isoformat(),
        kind="province" if kind == "province" else "district",
    )


def light_info(kind: str, parameters: dict[str, Any]) -> ReportInfo:
    """The report's info from the registry and the data version file, without loading it."""
    from analysis.panel import read_version_file
    from analysis.paths import PROCESSED_DIR
    from analysis.regions import load_registry

    registry = load_registry()
    lang = parameters.get("lang", "id")
    processed = Path(parameters.get("processed_dir") or PROCESSED_DIR)
    version = (read_version_file(processed) or {}).get("data_version", "")
    if kind == "province":
        place = province = registry.province_names[registry.province_code(parameters["province"])]
        title = t("prov_title", lang, province=province)
    else:
        district = registry.resolve(parameters["district"])
        place, province = district.name, district.province
        title = t("report_title", lang, district=place)
    return ReportInfo(title, place, province, lang, version, date.today().isoformat(), kind)
