"""reports/index.html: every rendered report, searchable and sortable, itself self-contained."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from analysis.catalogue import PIP_INDICATORS
from analysis.i18n import fmt_number, t
from analysis.report.outputs import output_path
from analysis.report.render import TEMPLATES, write_atomic


def build_index(out_dir: Path, failures: list | None = None, lang: str = "id") -> Path:
    """Scan out_dir for rendered reports (their .key.json) and write out_dir/index.html."""
    rows = []
    for key_file in sorted(out_dir.glob("*/*.html.key.json")):
        doc = _key_doc(key_file)
        html = key_file.with_name(key_file.name.removesuffix(".key.json"))
        if doc is None:  # truncated or edited: listed as such; the next run renders it again
            if html.exists() and html.name != "index.html":
                href = os.path.relpath(html, out_dir)
                rows.append(_row(html.stem, key_file.parent.name, "", "damaged", href, {}, lang))
            continue
        if doc.get("kind") == "province":
            continue
        if not html.exists():
            continue
        rows.append(
            _row(
                doc["district"],
                doc["province"],
                doc["lang"],
                "ok",
                os.path.relpath(html, out_dir),
                doc.get("headline", {}),
                lang,
                _other_formats(html, out_dir, lang),
            )
        )
    for f in failures or []:
        if getattr(f, "kind", "district") == "province":
            continue
        rows.append(_row(f.district_name, f.province, f.lang, "failed", None, {}, lang))
    provinces = []
    for key_file in sorted(out_dir.glob("*/index.html.key.json")):
        doc = _key_doc(key_file)
        html = key_file.with_name("index.html")
        if doc is not None and html.exists():
            provinces.append(
                {
                    "name": doc["province"],
                    "href": os.path.relpath(html, out_dir),
                    "others": _other_formats(html, out_dir, lang),
                }
            )
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape())
    headers = [
        {"label": t("col_district", lang)},
        {"label": t("col_province", lang)},
        {"label": t("col_language", lang)},
        {"label": t("col_status", lang)},
    ]
    headers += [{"label": t(f"short_{i}", lang), "num": True} for i in PIP_INDICATORS]
    html = env.get_template("index.html.j2").render(
        lang=lang,
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        title=t("index_title", lang),
        subtitle=t("index_subtitle", lang, n=len(rows), date=date.today().isoformat()),
        provinces=provinces,
        provinces_title=t("index_provinces", lang),
        reports_title=t("index_reports", lang),
        search_placeholder=t("index_search", lang),
        headers=headers,
        rows=rows,
        footer=t("methods_caveat", lang),
    )
    path = out_dir / "index.html"
    write_atomic(path, html)
    return path


def _key_doc(path: Path) -> dict | None:
    """A report's key file, or None when it cannot be read as the JSON object a render writes."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


OTHER_FORMATS = ("pdf", "docx", "pptx")  # the workshop pack, written by `report --format`


def _other_formats(html: Path, out_dir: Path, lang: str) -> list[dict[str, str]]:
    """The PDF, Word and slide files written next to a report, as links for the index."""
    found = []
    for fmt in OTHER_FORMATS:
        path = output_path(html, fmt)
        if path.exists():
            found.append(
                {"label": t(f"index_format_{fmt}", lang), "href": os.path.relpath(path, out_dir)}
            )
    return found


def _row(district, province, report_lang, status, href, headline, lang, others=()):
    values = []
    for ind in PIP_INDICATORS:
        h = headline.get(ind)
        values.append(
            {
                "raw": "" if h is None else h["value"],
                "text": t("no_data", lang)
                if h is None
                else f"{fmt_number(h['value'], lang, 1)} ({h['year']})",
            }
        )
    return {
        "district": district,
        "province": province,
        "lang": report_lang,
        "status": status,
        "status_label": t(f"index_status_{status}", lang),
        "href": href,
        "others": list(others),
        "cells": values,
    }
