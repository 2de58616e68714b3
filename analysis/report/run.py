"""Render reports to reports/<province>/<district>.html (the `report` command)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from analysis.i18n import t
from analysis.paths import PROCESSED_DIR, PROJECT_ROOT, REPORTS_DIR
from analysis.regions import District
from analysis.report.render import render

NOTEBOOKS = PROJECT_ROOT / "notebooks"
BUILD_DIR = PROJECT_ROOT / "build" / "executed"


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def report_path(out_dir: Path, district: District, lang: str) -> Path:
    suffix = "" if lang == "id" else f".{lang}"
    return out_dir / slug(district.province) / f"{slug(district.name)}{suffix}.html"


def province_path(out_dir: Path, province: str, lang: str) -> Path:
    suffix = "" if lang == "id" else f".{lang}"
    return out_dir / slug(province) / f"index{suffix}.html"


def render_district(
    district: District,
    *,
    lang: str = "id",
    reference: str = "national",
    targets_file: Path | None = None,
    out_dir: Path = REPORTS_DIR,
    processed_dir: Path = PROCESSED_DIR,
    engine: str = "auto",
) -> Path:
    out = report_path(out_dir, district, lang)
    executed = BUILD_DIR / slug(district.province) / f"{slug(district.name)}.{lang}.ipynb"
    parameters = {
        "district": district.code,
        "lang": lang,
        "reference": reference,
        "targets_file": str(targets_file) if targets_file else None,
        "processed_dir": str(processed_dir),
    }
    return render(
        NOTEBOOKS / "district_report.py",
        parameters,
        out,
        executed,
        title=t("report_title", lang, district=district.name),
        lang=lang,
        engine=engine,
    )
