"""Model data from the preferred-value panel: which value of each variable a district enters with,
and which districts are left out and why (never silently)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class CrossSection:
    outcome: str
    year: int
    data: pd.DataFrame  # index district_code; columns: outcome, drivers (raw values)
    years_used: pd.DataFrame  # index district_code; the year each driver value comes from
    dropped: pd.DataFrame  # district_code, reason


def nearest_values(
    preferred: pd.DataFrame, indicator: str, year: int, max_gap: int
) -> pd.DataFrame:
    """Per district, the value of `indicator` in `year` or the nearest year within `max_gap`
    (the earlier year on a tie). Columns: district_code, value, year."""
    rows = preferred[preferred["indicator"] == indicator]
    rows = rows.assign(gap=(rows["year"] - year).abs(), later=rows["year"] > year)
    rows = rows[rows["gap"] <= max_gap].sort_values(["district_code", "gap", "later"])
    return rows.drop_duplicates("district_code")[["district_code", "value", "year"]]


def _flagged_near(flagged: pd.DataFrame | None, indicator: str, year: int, gap: int) -> set[str]:
    if flagged is None or flagged.empty:
        return set()
    rows = flagged[(flagged["indicator"] == indicator) & ((flagged["year"] - year).abs() <= gap)]
    return set(rows["district_code"])


def cross_section(
    preferred: pd.DataFrame,
    outcome: str,
    drivers: tuple[str, ...],
    year: int,
    max_gap: int,
    flagged: pd.DataFrame | None = None,
) -> CrossSection:
    """Outcome in `year` exactly; each driver from the nearest year within `max_gap`."""
    y = nearest_values(preferred, outcome, year, 0).set_index("district_code")
    data = pd.DataFrame({outcome: y["value"]})
    years = pd.DataFrame({outcome: y["year"]})
    for driver in drivers:
        x = nearest_values(preferred, driver, year, max_gap).set_index("district_code")
        data[driver] = x["value"].reindex(data.index)
        years[driver] = x["year"].reindex(data.index)
    missing = data[list(drivers)].isna()
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
    flagged_outcome = _flagged_near(flagged, outcome, year, 0) - set(data.index)
    for code in sorted(flagged_outcome):
        reasons.append((code, f"{outcome} {year} flagged by the cross-source check"))
    dropped = pd.DataFrame(reasons, columns=["district_code", "reason"])
    complete = ~missing.any(axis=1)
    return CrossSection(outcome, year, data[complete], years[complete], dropped)


def choose_year(
    preferred: pd.DataFrame, outcome: str, drivers: tuple[str, ...], max_gap: int
) -> int:
    """The outcome year with the most complete districts (the later year on a tie)."""
    years = sorted(preferred.loc[preferred["indicator"] == outcome, "year"].unique())
    if not years:
        raise ValueError(f"no values of {outcome} in the panel")
    best = max(
        years,
        key=lambda yr: (len(cross_section(preferred, outcome, drivers, int(yr), max_gap).data), yr),
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
