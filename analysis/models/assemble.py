"""Model data from the preferred-value panel: which value of each variable a district enters with
(its year and source, and for a ratio the year of its denominator), and which districts are left
out and why (never silently)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue
from analysis.panel import pair_with_denominator

PROVENANCE_COLUMNS = [
    "district_code",
    "variable",
    "year",
    "source",
    "denominator_year",
    "denominator_source",
]


@dataclass
class CrossSection:
    outcome: str
    year: int
    data: pd.DataFrame  # index district_code; columns: outcome, drivers (raw values)
    years_used: pd.DataFrame  # index district_code; the year each value comes from
    dropped: pd.DataFrame  # district_code, reason
    provenance: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=PROVENANCE_COLUMNS)
    )  # one row per district and variable: year, source (+ denominator year/source of a ratio)


def nearest_values(
    preferred: pd.DataFrame, indicator: str, year: int, max_gap: int, earlier_only: bool = False
) -> pd.DataFrame:
    """Per district, the value of `indicator` in `year` or the nearest year within `max_gap`
    (the earlier year on a tie; with `earlier_only`, never a later year).
    Columns: district_code, value, year, source."""
    rows = preferred[preferred["indicator"] == indicator]
    rows = rows.assign(gap=(rows["year"] - year).abs(), later=rows["year"] > year)
    rows = rows[rows["gap"] <= max_gap]
    if earlier_only:
        rows = rows[~rows["later"]]
    rows = rows.sort_values(["district_code", "gap", "later"])
    return rows.drop_duplicates("district_code")[["district_code", "value", "year", "source"]]


def _flagged_near(flagged: pd.DataFrame | None, indicator: str, year: int, gap: int) -> set[str]:
    if flagged is None or flagged.empty:
        return set()
    rows = flagged[(flagged["indicator"] == indicator) & ((flagged["year"] - year).abs() <= gap)]
    return set(rows["district_code"])


def _drop_reasons(missing, drivers, flagged, year, max_gap, outcome, present) -> pd.DataFrame:
    reasons = []
    flagged_by = {d: _flagged_near(flagged, d, year, max_gap) for d in drivers}
    for code, row in missing.iterrows():
        gone = [d for d in drivers if row[d]]
        if gone:
            notes = [
                f"{d} (value flagged by the cross-source check)" if code in flagged_by[d] else d
                for d in gone
            ]
            reasons.append(
                (code, f"no value within {max_gap} years of {year} for: " + ", ".join(notes))
            )
    for code in sorted(_flagged_near(flagged, outcome, year, 0) - present):
        reasons.append((code, f"{outcome} {year} flagged by the cross-source check"))
    return pd.DataFrame(reasons, columns=["district_code", "reason"])


def cross_section(
    preferred: pd.DataFrame,
    outcome: str,
    drivers: tuple[str, ...],
    year: int,
    max_gap: int,
    flagged: pd.DataFrame | None = None,
    earlier_only: frozenset[str] | set[str] = frozenset(),
    catalogue: Catalogue | None = None,
) -> CrossSection:
    """Outcome in `year` exactly; each driver from the nearest year within `max_gap` (drivers in
    `earlier_only`, the levers, never from a later year). With `catalogue`, the provenance of a
    ratio also names its denominator's year and source."""
    y = nearest_values(preferred, outcome, year, 0).set_index("district_code")
    data = pd.DataFrame({outcome: y["value"]})
    years = pd.DataFrame({outcome: y["year"]})
    found = {outcome: y}
    for driver in drivers:
        x = nearest_values(preferred, driver, year, max_gap, driver in earlier_only)
        x = x.set_index("district_code")
        found[driver] = x
        data[driver] = x["value"].reindex(data.index)
        years[driver] = x["year"].reindex(data.index)
    missing = data[list(drivers)].isna()
    dropped = _drop_reasons(missing, drivers, flagged, year, max_gap, outcome, set(data.index))
    complete = ~missing.any(axis=1)
    kept = data.index[complete]
    provenance = _provenance(found, kept, preferred, catalogue)
    return CrossSection(outcome, year, data[complete], years[complete], dropped, provenance)


def _provenance(found, kept, preferred, catalogue) -> pd.DataFrame:
    parts = []
    for variable, rows in found.items():
        rows = rows.reindex(kept)
        part = pd.DataFrame(
            {
                "district_code": kept,
                "variable": variable,
                "year": rows["year"].astype(int).to_numpy(),
                "source": rows["source"].to_numpy(),
                "denominator_year": np.nan,
                "denominator_source": None,
            }
        )
        ind = catalogue[variable] if catalogue is not None and variable in catalogue else None
        if ind is not None and ind.derived:
            part = _with_denominator(part, preferred, ind.derived)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=PROVENANCE_COLUMNS)
    return pd.concat(parts, ignore_index=True)[PROVENANCE_COLUMNS]


def _with_denominator(part: pd.DataFrame, preferred: pd.DataFrame, derived: dict) -> pd.DataFrame:
    """A ratio's source is its numerator's; its denominator's year and source are kept beside
    (the same pairing the panel build used to compute the value)."""
    pairs = pair_with_denominator(preferred, derived).set_index(["district_code", "year"])
    key = pd.MultiIndex.from_arrays([part["district_code"], part["year"]])
    matched = pairs.reindex(key)
    return part.assign(
        source=matched["source"].to_numpy(),
        denominator_year=matched["year_den"].to_numpy(dtype=float),
        denominator_source=matched["source_den"].to_numpy(),
    )


def choose_year(
    preferred: pd.DataFrame,
    outcome: str,
    drivers: tuple[str, ...],
    max_gap: int,
    earlier_only: frozenset[str] | set[str] = frozenset(),
) -> int:
    """The outcome year with the most complete districts (the later year on a tie)."""
    years = sorted(preferred.loc[preferred["indicator"] == outcome, "year"].unique())
    if not years:
        raise ValueError(f"no values of {outcome} in the panel")
    best = max(
        years,
        key=lambda yr: (
            len(
                cross_section(
                    preferred, outcome, drivers, int(yr), max_gap, earlier_only=earlier_only
                ).data
            ),
            yr,
        ),
    )
    return int(best)


def panel_data(
    preferred: pd.DataFrame, outcome: str, drivers: tuple[str, ...], years: tuple[int, int]
) -> pd.DataFrame:
    """District-year rows (MultiIndex district_code, year) where outcome and all drivers are
    observed in the same year, within `years` (inclusive)."""
    names = [outcome, *drivers]
    rows = preferred[
        preferred["indicator"].isin(names) & preferred["year"].between(years[0], years[1])
    ]
    wide = rows.pivot_table(
        index=["district_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    for name in names:
        if name not in wide:
            wide[name] = np.nan
    return wide[names].dropna()
