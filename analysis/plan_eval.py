"""Performance against the plan: every district × indicator × year with its target, realisation,
capaian and category, for a province overview (and, one district at a time, the Renstra view).

Frames hold numbers and codes only (labels come from analysis/strings.yaml in the report layer).

Which target a row is judged against is data, never implicit:
- `target_basis` "district": a target of the district's own plan for that year; when several of
  its documents set one for the same year, `applies` marks the one `DOCUMENT_PRECEDENCE` picks.
- `target_basis` "national_default": the district filed no target for the indicator at all, so
  the RPJMN default of params/targets/national.yaml is used for the newest realisation years.
  That target is the end-of-plan value (`target_year`), not a yearly milestone:
  `target_is_annual` says so.
- `target_basis` "none": no target anywhere; no capaian.
A target year without a realisation in the panel has status "no_realisation" and no number.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from analysis.capaian import capaian, category, formula_of, required_annual_change
from analysis.catalogue import PIP_INDICATORS, Catalogue
from analysis.plan_targets import PLAN_KEY, plan_baselines
from analysis.quality import flags_by_value, quality_flags
from analysis.targets import DOCUMENT_PRECEDENCE, Targets

NATIONAL_YEARS = 2  # newest realisation years judged against a national default
EVALUATION_COLUMNS = [
    "district_code",
    "indicator",
    "direction",
    "year",
    "target_basis",
    "applies",
    "document",
    "document_reference",
    "plan_start",
    "plan_end",
    "baseline_year",
    "baseline",
    "target",
    "target_year",
    "target_is_annual",
    "target_has_note",
    "realisation",
    "realisation_source",
    "series",
    "status",
    "capaian",
    "category",
    "formula",
    "previous_year",
    "previous_realisation",
    "change",
    "change_direction",
    "previous_series",
    "change_across_series",
    "quality_flags",
]


def _own_rows(targets: Targets, codes: list[str], indicators: Iterable[str]) -> pd.DataFrame:
    """The districts' own target rows with their plan's period and baseline, and `applies`."""
    rows = targets.table.rows
    rows = rows[rows["district_code"].isin(codes) & rows["indicator"].isin(list(indicators))]
    if rows.empty:
        return pd.DataFrame(columns=[*EVALUATION_COLUMNS[:16]])
    plans = plan_baselines(rows).drop(columns=["end_target"])
    out = rows.drop(columns=["baseline_year", "baseline"]).merge(plans, on=PLAN_KEY, how="left")
    # the rule of Targets.applicable_plan: document precedence, then the plan ending last
    rank = out["document"].map({d: i for i, d in enumerate(DOCUMENT_PRECEDENCE)})
    order = out.assign(_rank=rank, _end=-out["end_year"]).sort_values(
        ["district_code", "indicator", "year", "_rank", "_end", "document_reference"]
    )
    first = ~order.duplicated(["district_code", "indicator", "year"])
    out["applies"] = first.reindex(out.index)
    out = out.drop(columns="end_year")
    return out.assign(target_basis="district", target_year=out["year"], target_has_note=False)


def _default_rows(
    targets: Targets,
    codes: list[str],
    indicators: Iterable[str],
    realised: pd.DataFrame,
    has_own: set[tuple[str, str]],
    n_years: int,
) -> pd.DataFrame:
    """Rows for (district, indicator) pairs without an own target: the national default (or
    none) in the newest `n_years` years with any realisation among `codes`."""
    rows = []
    for ind in indicators:
        years = sorted(realised.loc[realised["indicator"] == ind, "year"].unique())[-n_years:]
        national = targets.national.get(ind)
        for code in codes:
            if (code, ind) in has_own:
                continue
            for year in years:
                rows.append(
                    {
                        "district_code": code,
                        "indicator": ind,
                        "year": int(year),
                        "target_basis": "national_default" if national else "none",
                        "applies": True,
                        "document": national.document if national else None,
                        "document_reference": national.document_reference if national else None,
                        "target": national.value if national else np.nan,
                        "target_year": national.year if national else np.nan,
                        "plan_end": national.year if national else np.nan,
                        "target_has_note": bool(national and national.note),
                    }
                )
    return pd.DataFrame(rows)


def _realised(preferred: pd.DataFrame, codes: list[str], indicators) -> pd.DataFrame:
    """The districts' values with their measurement series (params/series.yaml)."""
    from analysis.series import load_series, with_series

    part = preferred[
        preferred["district_code"].isin(codes)
        & preferred["indicator"].isin(list(indicators))
        & preferred["value"].notna()
    ]
    part = part[["district_code", "indicator", "year", "value", "source"]].astype(
        {"year": "int64", "value": "float64"}
    )
    return with_series(part, load_series())


def _with_realisation(rows: pd.DataFrame, realised: pd.DataFrame) -> pd.DataFrame:
    """Join the realisation of each row's year and the district's latest realisation before it,
    with both series: a change between two series (SSGI 2022 -> SKI 2023) is marked."""
    key = ["district_code", "indicator", "year"]
    real = realised.rename(columns={"value": "realisation", "source": "realisation_source"})
    out = rows.merge(real, on=key, how="left")
    series = {
        k: (g["year"].to_numpy(), g["value"].to_numpy(float), g["series"].to_numpy(object))
        for k, g in realised.sort_values("year").groupby(["district_code", "indicator"])
    }
    empty = (np.array([]), np.array([]), np.array([], dtype=object))
    prev_year, prev_value, prev_series = [], [], []
    for code, ind, year in zip(out["district_code"], out["indicator"], out["year"], strict=True):
        years, values, names = series.get((code, ind), empty)
        i = int(np.searchsorted(years, year)) - 1  # last index with years[i] < year
        prev_year.append(years[i] if i >= 0 else np.nan)
        prev_value.append(values[i] if i >= 0 else np.nan)
        prev_series.append(names[i] if i >= 0 else None)
    out = out.assign(
        previous_year=prev_year, previous_realisation=prev_value, previous_series=prev_series
    )
    known = out["series"].notna() & out["previous_series"].notna()
    return out.assign(change_across_series=known & (out["series"] != out["previous_series"]))


def _judge(out: pd.DataFrame, catalogue: Catalogue, inverse: str) -> pd.DataFrame:
    """capaian, category, formula, status and the change since the previous realisation."""
    out["direction"] = [catalogue[i].direction for i in out["indicator"]]
    out["capaian"] = np.nan
    out["formula"] = None
    for direction, idx in out.groupby("direction").groups.items():
        part = out.loc[idx]
        out.loc[idx, "capaian"] = capaian(
            part["realisation"], part["target"], direction, inverse=inverse
        )
        out.loc[idx, "formula"] = formula_of(direction, inverse)
    out["category"] = category(out["capaian"]).to_numpy()
    has_target, has_real = out["target"].notna(), out["realisation"].notna()
    out["status"] = np.select(
        [~has_target, ~has_real, out["capaian"].isna()],
        ["no_target", "no_realisation", "capaian_undefined"],
        "evaluated",
    )
    out.loc[~has_target, "formula"] = None
    out["change"] = out["realisation"] - out["previous_realisation"]
    sign = np.where(out["direction"] == "lower", -1.0, 1.0) * out["change"]
    out["change_direction"] = np.select(
        [sign > 0, sign < 0, sign == 0], ["better", "worse", "unchanged"], None
    )
    out["target_is_annual"] = out["target_year"] == out["year"]
    return out


def evaluation_frame(
    targets: Targets,
    preferred: pd.DataFrame,
    codes: Iterable[str],
    catalogue: Catalogue,
    indicators: Iterable[str] = PIP_INDICATORS,
    *,
    national_years: int = NATIONAL_YEARS,
    inverse: str = "two_target_minus_realisation",
) -> pd.DataFrame:
    """Every district of `codes` × indicator × year with target, realisation, capaian, category,
    change since the previous realisation and quality flags (EVALUATION_COLUMNS)."""
    codes, indicators = sorted(codes), list(indicators)
    realised = _realised(preferred, codes, indicators)
    own = _own_rows(targets, codes, indicators)
    has_own = set(zip(own["district_code"], own["indicator"], strict=True))
    default = _default_rows(targets, codes, indicators, realised, has_own, national_years)
    rows = pd.concat([own, default], ignore_index=True)
    if rows.empty:
        return pd.DataFrame(columns=EVALUATION_COLUMNS)
    rows = rows.astype({"year": "int64", "target": "float64", "target_year": "float64"})
    out = _judge(_with_realisation(rows, realised), catalogue, inverse)
    flags = quality_flags(preferred, codes, indicators, catalogue)
    by_value = flags_by_value(flags)
    out["quality_flags"] = [
        by_value.get((c, i, y), ()) if pd.notna(r) else ()
        for c, i, y, r in zip(
            out["district_code"], out["indicator"], out["year"], out["realisation"], strict=True
        )
    ]
    order = {ind: k for k, ind in enumerate(indicators)}
    out = out.assign(_ind=out["indicator"].map(order)).sort_values(
        ["district_code", "_ind", "year", "applies", "document", "document_reference"],
        ascending=[True, True, True, False, True, True],
    )
    return out[EVALUATION_COLUMNS].reset_index(drop=True)


MIN_BEHIND = 2  # districts behind target on at least this many indicators are named first


def behind_frame(evaluation: pd.DataFrame) -> pd.DataFrame:
    """Per district: how many indicators are behind target (capaian < 100 in the latest evaluated
    year of the target that applies), which (lowest capaian first), and whether it is behind on
    MIN_BEHIND or more; sorted so those districts come first, the most behind first. A target
    that carries a comparability note (national.yaml: UHH's newer BPS series, IDL's passed 2024
    target) is not counted; the indicators behind such a target are listed in
    `behind_with_caveat`."""
    rows = evaluation[evaluation["applies"].astype(bool) & (evaluation["status"] == "evaluated")]
    latest = rows.sort_values("year").drop_duplicates(["district_code", "indicator"], keep="last")
    out = []
    for code in sorted(evaluation["district_code"].unique()):
        mine = latest[latest["district_code"] == code].sort_values("capaian")
        noted = mine["target_has_note"].astype(bool)
        counted, behind = mine[~noted], mine[~noted & (mine["capaian"] < 100)]
        out.append(
            {
                "district_code": code,
                "n_evaluated": len(counted),
                "n_behind": len(behind),
                "n_behind_own_target": int((behind["target_basis"] == "district").sum()),
                "behind_indicators": tuple(behind["indicator"]),
                "lowest_capaian": float(counted["capaian"].min()) if len(counted) else np.nan,
                "behind_on_two_or_more": len(behind) >= MIN_BEHIND,
                "behind_with_caveat": tuple(mine.loc[noted & (mine["capaian"] < 100), "indicator"]),
            }
        )
    frame = pd.DataFrame(out)
    if frame.empty:
        return frame
    return frame.sort_values(
        ["behind_on_two_or_more", "n_behind", "lowest_capaian", "district_code"],
        ascending=[False, False, True, True],
        na_position="last",
    ).reset_index(drop=True)


PROGRESS_COLUMNS = [
    "district_code",
    "indicator",
    "direction",
    "target_basis",
    "document",
    "document_reference",
    "plan_start",
    "plan_end",
    "end_year",
    "end_target",
    "baseline_year",
    "baseline",
    "latest_year",
    "latest_realisation",
    "latest_source",
    "gap_to_end_target",
    "capaian_latest_vs_end",
    "required_annual_change",
    "observed_annual_change",
    "observed_first_year",
    "observed_sources",
    "status",
]


MIN_PACE_POINTS = 3  # as a trend verdict (analysis.trends): two points are a change, not a pace


def _observed_pace(realised: pd.DataFrame, code: str, indicator: str, upto: float) -> dict:
    """OLS slope per year of the district's realisations up to `upto` (analysis.trends), within
    the series of the latest one: a pace across two surveys (SSGI, then SKI) is not a pace."""
    from analysis.trends import fit_trend

    mine = realised[
        (realised["district_code"] == code)
        & (realised["indicator"] == indicator)
        & (realised["year"] <= upto)
    ].sort_values("year")
    if len(mine):
        mine = mine[mine["series"] == mine["series"].iloc[-1]]
    if len(mine) < MIN_PACE_POINTS:
        return {
            "observed_annual_change": np.nan,
            "observed_first_year": np.nan,
            "observed_sources": tuple(mine["source"].unique()),
        }
    trend = fit_trend(mine["year"].to_numpy(), mine["value"].to_numpy())
    return {
        "observed_annual_change": trend.slope,
        "observed_first_year": trend.first_year,
        "observed_sources": tuple(sorted(mine["source"].unique())),
    }


def _plans(targets: Targets, codes: list[str], indicators: list[str]) -> pd.DataFrame:
    """Every own plan of the districts (PLAN_KEY with period, end target, baseline), plus the
    national default for each (district, indicator) without one, with `applies`."""
    rows = targets.table.rows
    rows = rows[rows["district_code"].isin(codes) & rows["indicator"].isin(indicators)]
    own = plan_baselines(rows).assign(target_basis="district") if len(rows) else pd.DataFrame()
    chosen = {
        (c, i): (plan[-1].document, plan[-1].document_reference)
        for c in codes
        for i in indicators
        if (plan := targets.applicable_plan(c, i))
    }
    if len(own):
        own["applies"] = [
            chosen.get((c, i)) == (d, r)
            for c, i, d, r in own[PLAN_KEY].itertuples(index=False, name=None)
        ]
    default = []
    for code in codes:
        for ind in indicators:
            national = targets.national.get(ind)
            if (code, ind) in chosen or national is None:
                continue
            default.append(
                {
                    "district_code": code,
                    "indicator": ind,
                    "document": national.document,
                    "document_reference": national.document_reference,
                    "plan_end": national.year,
                    "end_year": national.year,
                    "end_target": national.value,
                    "target_basis": "national_default",
                    "applies": True,
                }
            )
    return pd.concat([own, pd.DataFrame(default)], ignore_index=True)


def progress_frame(
    targets: Targets,
    preferred: pd.DataFrame,
    codes: Iterable[str],
    catalogue: Catalogue,
    indicators: Iterable[str] = PIP_INDICATORS,
    *,
    inverse: str = "two_target_minus_realisation",
) -> pd.DataFrame:
    """Per district × indicator × plan: the latest realisation (up to the plan's end), the gap to
    the end-of-plan target, capaian against it, the yearly change still needed and the pace seen
    so far (PROGRESS_COLUMNS, plus `applies`)."""
    codes, indicators = sorted(codes), list(indicators)
    realised = _realised(preferred, codes, indicators)
    plans = _plans(targets, codes, indicators)
    out = []
    for plan in plans.to_dict("records"):
        direction = catalogue[plan["indicator"]].direction
        mine = realised[
            (realised["district_code"] == plan["district_code"])
            & (realised["indicator"] == plan["indicator"])
            & (realised["year"] <= plan["end_year"])
        ].sort_values("year")
        row = {**plan, "direction": direction}
        if mine.empty:
            out.append({**row, "status": "no_realisation"})
            continue
        last = mine.iloc[-1]
        end = plan["end_target"]
        row.update(
            latest_year=int(last["year"]),
            latest_realisation=float(last["value"]),
            latest_source=last["source"],
            gap_to_end_target=end - float(last["value"]),
            capaian_latest_vs_end=capaian(last["value"], end, direction, inverse=inverse),
            required_annual_change=required_annual_change(
                last["value"], last["year"], end, plan["end_year"]
            ),
            **_observed_pace(realised, plan["district_code"], plan["indicator"], plan["end_year"]),
        )
        row["status"] = _progress_status(row)
        out.append(row)
    frame = pd.DataFrame(out, columns=[*PROGRESS_COLUMNS, "applies"])
    return frame.sort_values(["district_code", "indicator", "end_year"]).reset_index(drop=True)


def _progress_status(row: dict) -> str:
    if row["capaian_latest_vs_end"] >= 100:
        return "reached"
    if row["latest_year"] >= row["end_year"]:
        return "plan_period_over"
    return "in_progress"
