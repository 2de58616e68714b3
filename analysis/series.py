"""Which values of an indicator are one comparable series (params/series.yaml), and which values
are of low precision.

A percentage from a district survey sample is flagged low-precision when
- it is exactly 0 % or 100 %: a boundary value means a tiny or degenerate sample, not
  perfection; or
- it jumps from the district's previous value by more than the series' noise allows. Changes are
  taken on the arcsine-square-root scale, where the sampling noise of a proportion does not depend
  on its level (so 16.8 % -> 4.8 % counts as the large drop it is). For each pair of consecutive
  years (from, to), the changes of all districts with both values give a median change m and a
  robust spread s (1.4826 x median absolute deviation); a change outside m +/- JUMP_SPREADS x s is
  flagged on the later value. The median absorbs a shift every district shares (e.g. a change of
  survey), the spread the noise of district estimates plus ordinary real change.
Other units (life expectancy is a modelled BPS estimate, not a sample proportion) are not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import yamlio
from analysis.errors import ManifestError
from analysis.paths import PARAMS_DIR

SERIES_YAML = PARAMS_DIR / "series.yaml"
JUMP_SPREADS = 2.5
MIN_PAIRS = 30  # fewer districts with both values: no noise estimate, no jump flag
FLAG_COLUMNS = ["district_code", "year", "reason", "change", "median_change", "spread"]


@dataclass(frozen=True)
class Series:
    id: str
    indicator: str
    sources: tuple[str, ...] | None = None
    years: tuple[int, int] | None = None
    held: bool = True

    def matches(self, source: str, year: int) -> bool:
        if not self.held:
            return False
        if self.sources is not None and source not in self.sources:
            return False
        return self.years is None or self.years[0] <= year <= self.years[1]


@dataclass(frozen=True)
class SeriesCatalogue:
    series: dict[str, tuple[Series, ...]]

    def series_of(self, indicator: str, source: str, year: int) -> str:
        for s in self.series.get(indicator, ()):
            if s.matches(source, int(year)):
                return s.id
        return f"source:{source}"

    def known(self, indicator: str) -> set[str]:
        return {s.id for s in self.series.get(indicator, ())}

    def label_key(self, series_id: str) -> str:
        """The strings.yaml key of a series' label (a source's own series: `series_source`)."""
        return "series_source" if series_id.startswith("source:") else f"series_{series_id}"


def parse_series(doc: dict, where: str = "params/series.yaml") -> SeriesCatalogue:
    out: dict[str, tuple[Series, ...]] = {}
    for indicator, entries in (doc.get("series") or {}).items():
        items = []
        for i, e in enumerate(entries or []):
            if not isinstance(e, dict) or "id" not in e:
                raise ManifestError(f"{where}, {indicator} entry {i + 1}: needs an `id`")
            years = e.get("years")
            items.append(
                Series(
                    id=str(e["id"]),
                    indicator=indicator,
                    sources=tuple(e["sources"]) if e.get("sources") else None,
                    years=(int(years[0]), int(years[1])) if years else None,
                    held=bool(e.get("held", True)),
                )
            )
        out[indicator] = tuple(items)
    return SeriesCatalogue(out)


@cache
def load_series(path: Path = SERIES_YAML) -> SeriesCatalogue:
    return parse_series(yamlio.load_file(path) or {}, str(path))


def with_series(rows: pd.DataFrame, catalogue: SeriesCatalogue) -> pd.DataFrame:
    """`rows` (preferred values: indicator, source, year) with a `series` column."""
    series = [
        catalogue.series_of(i, s, y)
        for i, s, y in zip(rows["indicator"], rows["source"], rows["year"], strict=True)
    ]
    return rows.assign(series=series)


def low_precision(rows: pd.DataFrame, percent: bool) -> pd.DataFrame:
    """Low-precision values of ONE indicator (rows: district_code, year, value), see the module
    docstring. Columns: FLAG_COLUMNS; reason `boundary_value` or `jump` (change, median_change
    and spread on the arcsine-square-root scale)."""
    if not percent:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    edge = rows[rows["value"].isin([0.0, 100.0])]
    flags = [
        (c, int(y), "boundary_value", np.nan, np.nan, np.nan)
        for c, y in zip(edge["district_code"], edge["year"], strict=True)
    ]
    ordered = rows.sort_values(["district_code", "year"])
    ordered = ordered.assign(scaled=np.arcsin(np.sqrt(ordered["value"].clip(0, 100) / 100)))
    prev = ordered.groupby("district_code")[["year", "scaled"]].shift(1)
    steps = ordered.assign(from_year=prev["year"], change=ordered["scaled"] - prev["scaled"])
    steps = steps.dropna(subset=["change"])
    for (_from, _to), pair in steps.groupby(["from_year", "year"]):
        if len(pair) < MIN_PAIRS:
            continue
        median = float(pair["change"].median())
        spread = 1.4826 * float((pair["change"] - median).abs().median())
        if spread <= 0:
            continue
        out = pair[(pair["change"] - median).abs() > JUMP_SPREADS * spread]
        flags += [
            (c, int(y), "jump", float(ch), median, spread)
            for c, y, ch in zip(out["district_code"], out["year"], out["change"], strict=True)
        ]
    return pd.DataFrame(flags, columns=FLAG_COLUMNS)
