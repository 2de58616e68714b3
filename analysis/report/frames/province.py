"""Frames of the province overview: every district of one province on the four PIP indicators,
each indicator in the year `analysis.ranking.district_ranks` ranks by, so that values, ranks,
heatmap, maps and inequality measures agree. Pure pandas: codes and numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context
from analysis.welfare_inequality import poverty_rank, welfare_inequality_frame, welfare_values

BOTTOM_QUARTER = 0.75  # bottom quarter: province rank > 3/4 of the districts ranked
MIN_FOR_QUARTER = 4  # fewer districts with a value: no "quarter" to speak of
MIN_ATTENTION_INDICATORS = 2  # bottom quarter on at least this many PIP indicators
RANK_PARTS = ("rank_province", "n_province", "rank_national", "n_national")


@dataclass(frozen=True)
class Province:
    """What the province frames read: the context, the province's districts (BPS code order)
    and, per PIP indicator, the national rank table and the year it ranks."""

    ctx: Context
    code: str
    codes: tuple[str, ...]
    ranks: Mapping[str, pd.DataFrame]
    years: Mapping[str, int | None]

    def direction(self, indicator: str) -> str:
        return self.ctx.catalogue[indicator].direction

    def province_ranks(self, indicator: str) -> pd.DataFrame:
        return self._province_ranks[indicator]

    @cached_property
    def _province_ranks(self) -> dict[str, pd.DataFrame]:
        # every frame reads them several times per district: slice once
        return {
            ind: ranked[ranked["province_code"] == self.code].set_index("district_code")
            for ind, ranked in self.ranks.items()
        }

    def values(self, indicator: str) -> pd.Series:
        """Each district's value in the indicator's year (NaN: none)."""
        return self.province_ranks(indicator)["value"].reindex(list(self.codes)).astype(float)


def ranked_frame(prov: Province, names: Mapping[str, str]) -> pd.DataFrame:
    """One row per district: for each PIP indicator its year, value (NaN where the district has
    none that year), province and national rank with the number of districts ranked, the target
    that applies, its year and the gap value − target, and the gap's tone (worsens: target not
    reached, improves: reached)."""
    rows = []
    for code in prov.codes:
        row: dict[str, Any] = {"district_code": code, "district": names[code]}
        for ind in PIP_INDICATORS:
            ranks = prov.province_ranks(ind)
            target = prov.ctx.targets.for_district(code, ind)
            has = code in ranks.index
            value = float(ranks.at[code, "value"]) if has else math.nan
            gap = value - float(target.value) if target and not math.isnan(value) else None
            row[f"{ind}_year"] = prov.years[ind]
            row[f"{ind}_value"] = value
            for part in RANK_PARTS:
                row[f"{ind}_{part}"] = int(ranks.at[code, part]) if has else None
            row[f"{ind}_target"] = target.value if target else None
            row[f"{ind}_target_year"] = target.year if target else None
            row[f"{ind}_gap_to_target"] = gap
            row[f"{ind}_tone"] = _tone(prov.direction(ind), gap)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for ind in PIP_INDICATORS:
        for part in (*RANK_PARTS, "year", "target_year"):
            frame[f"{ind}_{part}"] = frame[f"{ind}_{part}"].astype("Int64")
        for part in ("target", "gap_to_target"):
            frame[f"{ind}_{part}"] = frame[f"{ind}_{part}"].astype(float)
    return frame


def _tone(direction: str, gap: float | None) -> str:
    if gap is None:
        return ""
    short = gap < 0 if direction == "higher" else gap > 0
    return "worsens" if short else "improves"


def has_target(prov: Province, indicator: str) -> bool:
    return any(prov.ctx.targets.for_district(c, indicator) is not None for c in prov.codes)


def older_values(prov: Province) -> pd.DataFrame:
    """For districts without a value in an indicator's year: their newest earlier value."""
    p = prov.ctx.preferred
    rows = []
    for ind in PIP_INDICATORS:
        year = prov.years[ind]
        missing = prov.values(ind)
        for code in missing[missing.isna()].index:
            mine = p[(p["district_code"] == code) & (p["indicator"] == ind) & p["value"].notna()]
            if year is not None:
                mine = mine[mine["year"] < year]
            if not mine.empty:
                last = mine.sort_values("year").iloc[-1]
                rows.append(
                    {
                        "district_code": code,
                        "indicator": ind,
                        "value": float(last["value"]),
                        "year": int(last["year"]),
                    }
                )
    return pd.DataFrame(rows, columns=["district_code", "indicator", "value", "year"])


def standing(prov: Province) -> pd.DataFrame:
    """Within-province z-score of each district's value, sign flipped for lower-is-better
    indicators so that positive is always better; rows = districts, columns = indicators."""
    out = {}
    for ind in PIP_INDICATORS:
        values = prov.values(ind)
        known = values.dropna()
        sd = float(known.std(ddof=1)) if len(known) > 1 else 0.0
        z = (values - known.mean()) / sd if sd > 0 else values * 0.0
        out[ind] = -z if prov.direction(ind) == "lower" else z
    return pd.DataFrame(out, index=list(prov.codes))


def quarter_skipped(prov: Province) -> list[str]:
    """Indicators left out of the bottom-quarter count: fewer than MIN_FOR_QUARTER values."""
    return [ind for ind in PIP_INDICATORS if len(prov.province_ranks(ind)) < MIN_FOR_QUARTER]


def attention_frame(prov: Province, ranked: pd.DataFrame) -> pd.DataFrame:
    """Per district: the indicators on which it is in the province's bottom quarter (province
    rank > 3/4 of the districts ranked, counted only where at least MIN_FOR_QUARTER districts
    have a value), those on which it is furthest from its target, and whether it needs
    attention (bottom quarter on MIN_ATTENTION_INDICATORS or more indicators)."""
    frame = ranked.set_index("district_code")
    bottom: dict[str, list[str]] = {c: [] for c in prov.codes}
    furthest: dict[str, list[str]] = {c: [] for c in prov.codes}
    for ind in PIP_INDICATORS:
        n = frame[f"{ind}_n_province"].dropna()
        if len(n) and n.iloc[0] >= MIN_FOR_QUARTER:
            rank = frame[f"{ind}_rank_province"].astype(float)
            low = rank > BOTTOM_QUARTER * frame[f"{ind}_n_province"].astype(float)
            for code in low[low].index:
                bottom[code].append(ind)
        shortfall = frame[f"{ind}_gap_to_target"].astype(float)
        shortfall = -shortfall if prov.direction(ind) == "higher" else shortfall
        shortfall = shortfall[shortfall > 0]
        if len(shortfall):
            for code in shortfall[shortfall == shortfall.max()].index:
                furthest[code].append(ind)
    codes = list(prov.codes)
    return pd.DataFrame(
        {
            "district_code": codes,
            "district": [frame.at[c, "district"] for c in codes],
            "bottom_quarter": [bottom[c] for c in codes],
            "n_bottom_quarter": [len(bottom[c]) for c in codes],
            "furthest_from_target": [furthest[c] for c in codes],
            "needs_attention": [len(bottom[c]) >= MIN_ATTENTION_INDICATORS for c in codes],
        }
    )


def inequality_frame(prov: Province) -> pd.DataFrame:
    """Per PIP indicator, in the year the overview shows: best and worst district, their
    difference and a ratio worded by the indicator's direction, the poorest third against the
    least-poor third and the slope index of inequality on the poverty rank
    (analysis.welfare_inequality: districts ranked by the poverty rate, a measure of households'
    welfare, not by GRDP, which in mining districts follows output that does not reach them)."""
    return welfare_inequality_frame(
        prov.ctx.preferred, list(prov.codes), prov.ctx.catalogue, PIP_INDICATORS, dict(prov.years)
    )


def sii_points(prov: Province, frame: pd.DataFrame) -> pd.DataFrame:
    """The points behind each SII line: per indicator and district, value, poverty rate and its
    fractional rank x (0 = least poor, 1 = poorest), with the fitted line's intercept and
    slope."""
    parts = []
    for r in frame.to_dict("records"):
        if r["year"] is None or pd.isna(r["year"]):
            continue
        values = prov.values(r["indicator"]).dropna()
        poverty = welfare_values(
            prov.ctx.preferred, list(prov.codes), r["welfare_indicator"], r["welfare_year"]
        )
        data = poverty_rank(values, poverty).rename_axis("district_code").reset_index()
        parts.append(
            data.assign(indicator=r["indicator"], intercept=r["sii_intercept"], slope=r["sii"])
        )
    columns = ["indicator", "district_code", "value", "poverty", "x", "intercept", "slope"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
