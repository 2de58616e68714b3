"""The follow-up plan (*rencana tindak lanjut*) as data, and its workbook for the district.

A plan has one row per action. The report proposes rows (one per lever to act on or item to
verify in the workshop) as `PlanCandidate`s; `plan_frame` turns them into the plan with baselines
from the panel and targets from the targets that apply, never invented (empty when there are
none). `plan_workbook` writes the XLSX the district fills in: numeric baseline and target, a
date column for the deadline, drop-downs for the status and the OPD.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import ManifestError
from analysis.i18n import t
from analysis.workbook import Column, Sheet, write_xlsx

STATUSES = ("not_started", "in_progress", "done", "blocked")
DONE = "done"

# The plan's columns, in the workbook's order. Codes (indicator, driver, opd) and labels both
# appear: codes are what the import trusts, labels what a reader sees.
PLAN_COLUMNS = (
    "action_id",
    "indicator",
    "indicator_label",
    "driver",
    "driver_label",
    "opd",
    "opd_label",
    "unit",
    "baseline",
    "baseline_year",
    "baseline_source",
    "target",
    "target_year",
    "target_source",
    "action",
    "person_in_charge",
    "deadline",
    "status",
    "notes",
)
# What is stored for each action (labels and unit come back from the catalogue when shown).
DERIVED_COLUMNS = ("indicator_label", "driver_label", "opd_label", "unit")
STORED_COLUMNS = tuple(c for c in PLAN_COLUMNS if c not in DERIVED_COLUMNS)
NUMBER_COLUMNS = ("baseline", "target")
YEAR_COLUMNS = ("action_id", "baseline_year", "target_year")
TEXT_COLUMNS = (
    "indicator",
    "driver",
    "opd",
    "baseline_source",
    "target_source",
    "action",
    "person_in_charge",
    "status",
    "notes",
)
WIDTHS = {
    "action_id": 5,
    "indicator": 22,
    "indicator_label": 34,
    "driver": 22,
    "driver_label": 30,
    "opd": 10,
    "opd_label": 34,
    "unit": 10,
    "baseline": 11,
    "baseline_year": 10,
    "baseline_source": 24,
    "target": 11,
    "target_year": 10,
    "target_source": 24,
    "action": 40,
    "person_in_charge": 22,
    "deadline": 12,
    "status": 14,
    "notes": 30,
}
NUMBER_FORMAT = "#,##0.0#"
DATE_FORMAT = {"id": "dd/mm/yyyy", "en": "yyyy-mm-dd"}
BLANK_ROWS = 30  # empty rows below the plan that keep the drop-downs, for actions the district adds


@dataclass(frozen=True)
class PlanCandidate:
    """A proposed row: the indicator the action is monitored by, the lever it addresses (None for
    an item without a lever, e.g. to verify in the workshop), and optionally the OPD (default: the
    lever's OPD, else the indicator's) and known baseline/target (default: from the panel and the
    targets passed to `plan_frame`)."""

    indicator: str
    driver: str | None = None
    opd: str | None = None
    baseline: float | None = None
    baseline_year: int | None = None
    baseline_source: str | None = None
    target: float | None = None
    target_year: int | None = None
    target_source: str | None = None


def status_label(status: str, lang: str = "id") -> str:
    """The status as the workbook's drop-down shows it: Indonesian; in the English version the
    English label beside it ("belum mulai (not started)")."""
    own = t(f"fu_status_{status}", "id")
    return own if lang == "id" else f"{own} ({t(f'fu_status_{status}', 'en')})"


def source_titles() -> dict[str, str]:
    """Source id -> its title (params/sources.yaml): the workbook shows titles, not ids."""
    from analysis.sources import load_manifest

    return {sid: s.title for sid, s in load_manifest().items()}


def header(column: str, lang: str = "id") -> str:
    return t(f"fu_col_{column}", lang)


def plan_frame(
    district_code: str,
    candidates: Iterable[PlanCandidate],
    *,
    lang: str = "id",
    catalogue: Catalogue | None = None,
    panel: pd.DataFrame | None = None,
    targets=None,
) -> pd.DataFrame:
    """The plan, one row per candidate, columns PLAN_COLUMNS (labels in `lang`).

    A baseline not given comes from `panel` (the district's latest value of the indicator from its
    highest-authority source, with year and source); a target not given from
    `targets.for_district(district_code, indicator)` (analysis.targets). Without them, or without a
    value, the cells stay empty. Action, person in charge, deadline and notes are left empty for
    the district; every status starts as not_started.
    """
    catalogue = catalogue or load_catalogue()
    latest = _latest_values(panel, district_code) if panel is not None else {}
    rows = [
        _row(number, cand, catalogue, latest, targets, district_code)
        for number, cand in enumerate(candidates, start=1)
    ]
    frame = pd.DataFrame(rows, columns=list(STORED_COLUMNS))
    return with_labels(_typed(frame), lang, catalogue)


def with_labels(frame: pd.DataFrame, lang: str, catalogue: Catalogue) -> pd.DataFrame:
    """The stored columns plus indicator, driver and OPD labels and the unit, in PLAN_COLUMNS
    order (other columns, e.g. `row`, follow)."""
    out = frame.copy()

    def label(code) -> str:
        return catalogue[code].label(lang) if isinstance(code, str) and code in catalogue else ""

    out["indicator_label"] = out["indicator"].map(label)
    out["driver_label"] = out["driver"].map(label)
    out["opd_label"] = out["opd"].map(
        lambda k: getattr(catalogue.opds[k], f"label_{lang}") if k in catalogue.opds else ""
    )
    out["unit"] = out["indicator"].map(
        lambda i: catalogue.units[catalogue[i].unit][f"label_{lang}"] if i in catalogue else ""
    )
    rest = [c for c in out.columns if c not in PLAN_COLUMNS]
    return out[[*PLAN_COLUMNS, *rest]]


def _row(number, cand: PlanCandidate, catalogue, latest, targets, district_code) -> dict:
    for code in (cand.indicator, cand.driver):
        if code:
            catalogue[code]  # an unknown indicator or driver raises ManifestError naming it
    opd = cand.opd or catalogue[cand.driver or cand.indicator].opd.key
    if opd not in catalogue.opds:
        raise ManifestError(f"OPD {opd!r} is not under `opds` in params/indicators.yaml")
    base = latest.get(cand.indicator) if cand.baseline is None else None
    target = None
    if cand.target is None and targets is not None:
        target = targets.for_district(district_code, cand.indicator)
    return {
        "action_id": number,
        "indicator": cand.indicator,
        "driver": cand.driver or "",
        "opd": opd,
        "baseline": base[0] if base else cand.baseline,
        "baseline_year": base[1] if base else cand.baseline_year,
        "baseline_source": base[2] if base else (cand.baseline_source or ""),
        "target": target.value if target else cand.target,
        "target_year": target.year if target else cand.target_year,
        "target_source": target.source_document if target else (cand.target_source or ""),
        "action": "",
        "person_in_charge": "",
        "deadline": pd.NaT,
        "status": "not_started",
        "notes": "",
    }


def _latest_values(panel: pd.DataFrame, district_code: str) -> dict[str, tuple]:
    """indicator -> (value, year, source) of the district's latest preferred value."""
    from analysis.followup.progress import preferred_latest

    latest = preferred_latest(panel, district_code)
    return {
        r.indicator: (float(r.value), int(r.year), r.source) for r in latest.itertuples(index=False)
    }


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The plan's dtypes: numbers float, years and ids nullable integers, deadline a date."""
    out = frame.copy()
    for col in NUMBER_COLUMNS:
        out[col] = pd.to_numeric(out[col], errors="raise").astype("float64")
    for col in YEAR_COLUMNS:
        out[col] = pd.array(out[col].tolist(), dtype="Int64")
    for col in TEXT_COLUMNS:
        out[col] = out[col].fillna("").astype(str)
    out["deadline"] = pd.to_datetime(out["deadline"]).astype("datetime64[s]")
    return out


# -- the workbook -------------------------------------------------------------------------------
def plan_columns(lang: str, catalogue: Catalogue) -> list[Column]:
    """The workbook's column specs in `lang`: formats, widths, drop-downs."""
    specs = []
    for key in PLAN_COLUMNS:
        kind = {"baseline": "number", "target": "number", "deadline": "date"}.get(key)
        kind = "integer" if key in YEAR_COLUMNS else (kind or "text")
        fmt = NUMBER_FORMAT if kind == "number" else None
        choices = error = None
        if key == "status":
            choices = [status_label(s, lang) for s in STATUSES]
            error = t("fu_error_status", lang)
        elif key == "opd_label":
            choices = [getattr(o, f"label_{lang}") for o in catalogue.opds.values()]
            error = t("fu_error_opd", lang)
        elif key == "deadline":
            fmt, error = DATE_FORMAT[lang], t("fu_error_date", lang)
        specs.append(Column(key, header(key, lang), kind, fmt, WIDTHS[key], choices, error))
    return specs


def plan_workbook(
    plan: pd.DataFrame,
    *,
    district_code: str,
    district_name: str,
    lang: str = "id",
    timestamp: datetime | date | str,
    data_version: str = "",
    catalogue: Catalogue | None = None,
) -> bytes:
    """The plan's XLSX (byte-identical for the same inputs): the plan sheet and an about sheet
    (district, data version, how to fill it in). `timestamp` dates the document; pass the data
    version's build date."""
    catalogue = catalogue or load_catalogue()
    shown = _as_shown(plan, lang)
    about = _about(district_code, district_name, data_version, timestamp, lang)
    sheets = [
        Sheet(
            t("fu_sheet_plan", lang),
            shown,
            plan_columns(lang, catalogue),
            blank_rows=BLANK_ROWS,
        ),
        Sheet(
            t("fu_sheet_about", lang),
            about,
            [
                Column("key", t("fu_about_key", lang), width=28),
                Column("value", t("fu_about_value", lang), width=100),
            ],
        ),
    ]
    return write_xlsx(
        sheets,
        timestamp=timestamp,
        title=f"{t('fu_sheet_plan', lang)} — {district_name}",
        properties=_properties(district_code, district_name, data_version, lang),
    )


def _as_shown(plan: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan as the district sees it: status labels, source titles."""
    shown = plan.copy()
    shown["status"] = shown["status"].map(lambda s: status_label(s, lang) if s in STATUSES else s)
    titles = source_titles()
    shown["baseline_source"] = shown["baseline_source"].map(lambda s: titles.get(s, s))
    return shown


def plan_csv(plan: pd.DataFrame, lang: str = "id") -> bytes:
    """The plan as CSV (UTF-8 with a byte-order mark, for Excel): the workbook's columns, headers
    and labels, deadlines as YYYY-MM-DD, so that a filled CSV reads back like the workbook."""
    shown = _as_shown(plan, lang)[list(PLAN_COLUMNS)]
    deadline = pd.to_datetime(shown["deadline"])
    shown["deadline"] = deadline.dt.strftime("%Y-%m-%d").where(deadline.notna(), "")
    shown.columns = [header(c, lang) for c in PLAN_COLUMNS]
    return shown.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _about(code, name, data_version, timestamp, lang) -> pd.DataFrame:
    statuses = ", ".join(status_label(s, lang) for s in STATUSES)
    items = [
        ("fu_about_district", name),
        ("fu_about_district_code", code),
        ("fu_about_data_version", data_version),
        ("fu_about_generated", str(timestamp)[:10]),
        ("fu_about_statuses", statuses),
        ("fu_about_how", t("fu_about_how_text", lang)),
    ]
    return pd.DataFrame([{"key": t(k, lang), "value": v} for k, v in items])


def _properties(code, name, data_version, lang) -> Mapping[str, str]:
    """Custom document properties the import checks (a plan for another district is refused)."""
    return {
        "pip_followup_plan": "1",
        "district_code": code,
        "district": name,
        "data_version": data_version,
        "lang": lang,
    }
