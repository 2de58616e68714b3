"""Frames of the district report read from the panel (`Context.preferred` and the district's own
rows): trends against medians, the province's latest values, what data the report had, peers'
values. Pure pandas: codes and numbers."""

from __future__ import annotations

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context

QUALITY_INDICATORS = (
    *PIP_INDICATORS,
    "stunting_routine",
    "poverty_rate",
    "water_access",
    "sanitation_access",
    "mean_schooling",
    "grdp_per_capita",
    "jkn_coverage",
)
COVERAGE_SINCE = 2015  # the availability grid starts here (older years: a long empty strip)


def province_codes(ctx: Context, district_code: str) -> list[str]:
    province = ctx.registry.get(district_code).province_code
    return [d.code for d in ctx.registry if d.province_code == province]


def series(ctx: Context, indicator: str, codes: list[str] | None = None) -> pd.DataFrame:
    """The preferred values of `indicator` (of the districts `codes`): a new frame each call, cut
    from the indicator's rows, which are found once per context."""
    rows = ctx.indicator_values(indicator)
    return rows.copy() if codes is None else rows[rows["district_code"].isin(codes)]


def _national_trend(ctx: Context, ind: str) -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
    """(every district's values with their series, national median per year, the series most
    districts' values belong to per year), once per context: the same for every report."""

    def compute() -> tuple[pd.DataFrame, pd.Series, pd.Series] | None:
        data = series(ctx, ind)
        if data.empty:
            return None
        data = data.assign(
            series=[
                ctx.series.series_of(ind, s, y)
                for s, y in zip(data["source"], data["year"], strict=True)
            ]
        )
        nat = data.groupby("year")["value"].median()
        common = data.groupby("year")["series"].agg(lambda s: s.value_counts().index[0])
        return data, nat, common

    return ctx.once(("trend_national", ind), compute)


def _province_medians(ctx: Context, ind: str, district_code: str, data: pd.DataFrame) -> pd.Series:
    """The median per year of the district's province (every kab/kota with a value), once per
    context and province."""

    def compute() -> pd.Series:
        codes = province_codes(ctx, district_code)
        return data[data["district_code"].isin(codes)].groupby("year")["value"].median()

    return ctx.once(("trend_province", ind, ctx.registry.get(district_code).province_code), compute)


def trend_table(ctx: Context, district_code: str) -> pd.DataFrame:
    """Per PIP indicator and year: the district's value, the series it belongs to (or, in a year
    without a district value, the series most districts' values belong to) and whether it is of
    low precision; the province and national medians (of every district with a value that
    year)."""
    rows = []
    for ind in PIP_INDICATORS:
        national = _national_trend(ctx, ind)
        if national is None:
            continue
        data, nat, common = national
        pro = _province_medians(ctx, ind, district_code, data)
        mine = data[data["district_code"] == district_code].set_index("year")
        flags = ctx.low_precision(ind)
        flagged = set(flags.loc[flags["district_code"] == district_code, "year"].astype(int))
        for year in sorted(nat.index):
            has = year in mine.index
            rows.append(
                {
                    "indicator": ind,
                    "year": int(year),
                    "district": mine.at[year, "value"] if has else None,
                    "series": mine.at[year, "series"] if has else common[year],
                    "low_precision": bool(has and int(year) in flagged),
                    "province_median": pro.get(year),
                    "national_median": nat.get(year),
                }
            )
    columns = [
        "indicator",
        "year",
        "district",
        "series",
        "low_precision",
        "province_median",
        "national_median",
    ]
    return pd.DataFrame(rows, columns=columns).astype(
        {"district": float, "province_median": float, "national_median": float}
    )


def province_latest(ctx: Context, district_code: str) -> pd.DataFrame:
    """Per PIP indicator, every district of the province with its value in the newest year the
    province has (NaN: none that year; year NaN: the province has no value at all)."""
    codes = province_codes(ctx, district_code)
    rows = []
    for ind in PIP_INDICATORS:
        data = series(ctx, ind, codes)
        year = int(data["year"].max()) if not data.empty else None
        values = data[data["year"] == year].set_index("district_code")["value"] if year else {}
        rows += [
            {
                "indicator": ind,
                "year": year,
                "district_code": c,
                "district": ctx.registry.get(c).name,
                "value": values.get(c),
            }
            for c in codes
        ]
    frame = pd.DataFrame(rows)
    return frame.astype({"value": float, "year": "Int64"})


def coverage(own_rows: pd.DataFrame, own_sources: set[str]) -> pd.DataFrame:
    """What data the report had, for the PIP indicators, the main drivers and anything the
    district imported itself: one row per indicator, a True/False column per year (from
    COVERAGE_SINCE, or every year if none is that recent), every source with a usable value, and
    the latest year (NA: none)."""
    usable = own_rows[own_rows["flag"] == ""]
    extra = sorted(
        set(usable.loc[usable["source"].isin(own_sources), "indicator"]) - set(QUALITY_INDICATORS)
    )
    years_of = {}
    sources_of = {}
    for ind in (*QUALITY_INDICATORS, *extra):
        mine = usable[usable["indicator"] == ind]
        years_of[ind] = set(mine["year"].astype(int))
        sources_of[ind] = ", ".join(sorted(mine["source"].unique()))
    all_years = sorted(set().union(*years_of.values()))
    shown = [y for y in all_years if y >= COVERAGE_SINCE] or all_years
    frame = pd.DataFrame({"indicator": list(years_of)})
    for year in shown:
        frame[str(year)] = [year in years_of[i] for i in frame["indicator"]]
    frame["sources"] = [sources_of[i] for i in frame["indicator"]]
    frame["latest_year"] = pd.array(
        [max(years_of[i]) if years_of[i] else None for i in frame["indicator"]], dtype="Int64"
    )
    return frame


def rejected_values(quarantine: pd.DataFrame, own_rows: pd.DataFrame, code: str) -> pd.DataFrame:
    """Values of the district left out: quarantined at validation, or flagged by the cross-source
    check, each with its reason."""
    mine = quarantine[quarantine["district_code"] == code]
    flagged = own_rows[own_rows["flag"] != ""]
    frame = pd.concat(
        [
            mine[["indicator", "year", "source", "reason"]],
            flagged[["indicator", "year", "source", "flag_detail"]].rename(
                columns={"flag_detail": "reason"}
            ),
        ],
        ignore_index=True,
    )
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce").astype("Int64")
    return frame.assign(stage=["quarantine"] * len(mine) + ["flagged"] * len(flagged))


def routine_stunting(ctx: Context, code: str) -> pd.DataFrame:
    """e-PPGBM routine stunting of the district (not comparable with the survey series)."""
    rows = series(ctx, "stunting_routine", [code]).sort_values("year")
    return rows[["year", "value", "source"]].reset_index(drop=True)


def peer_values(ctx: Context, code: str, peers: list[str]) -> pd.DataFrame:
    """The district and its peers, each with its latest value and year of every PIP indicator."""
    codes = [code, *peers]
    frame = pd.DataFrame(
        {
            "district_code": codes,
            "district": [ctx.registry.get(c).name for c in codes],
            "province": [ctx.registry.get(c).province for c in codes],
        }
    )
    for ind in PIP_INDICATORS:
        data = series(ctx, ind, codes).sort_values("year")
        latest = data.drop_duplicates("district_code", keep="last").set_index("district_code")
        frame[f"{ind}_value"] = frame["district_code"].map(latest["value"]).astype(float)
        frame[f"{ind}_year"] = frame["district_code"].map(latest["year"]).astype("Int64")
    return frame


def own_table_choices(ctx: Context, district_code: str) -> pd.DataFrame:
    """Where a district's own table and another source both gave a value: which one the report
    uses, by which rule, and the other beside it (data/processed/value_choices.csv)."""
    choices = ctx.value_choices(district_code)
    if choices is None:
        return pd.DataFrame(columns=["indicator", "year", "rule", "used_kind"])
    own = choices["involves_own"].astype(str).str.lower() == "true"
    return choices[own].reset_index(drop=True)
