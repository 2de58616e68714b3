"""Which value wins when two sources give one indicator for a district: ONE rule, used both by the
preferred value (`analysis.panel.preferred_values`) and by the cross-source check
(`analysis.consistency`).

    1. a district's own table (an import) that its mapping declares `authoritative` for this
       indicator and year;
    2. official sources (params/sources.yaml), by `authority` (1 before 2 before 3); values the
       project derives from them (`derived`) first;
    3. a district's own table otherwise.

At equal precedence the cross-source check sets both disagreeing values aside; the preferred
value then takes the manifest order. The rank is stored per panel row (column `precedence`, lower
wins) so every reader of the panel applies the same rule, and `value_choices` lists, for every
district-indicator-year with more than one value, which was used, why, and the other beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.sources import Source

DERIVED_SOURCE = "derived"
OWN_AUTHORITATIVE, OFFICIAL, OWN = 0, 1, 2
CHOICE_COLUMNS = [
    "district_code",
    "indicator",
    "year",
    "used_source",
    "used_kind",
    "used_value",
    "other_source",
    "other_value",
    "other_flag",
    "other_flag_detail",
    "involves_own",
    "rule",
    "reason",
    "declared_reason",
]


def encode(tier: int, authority: int = 0) -> int:
    return tier * 10 + authority


@dataclass(frozen=True)
class Precedence:
    """The rule for one set of sources (manifest + registered imports)."""

    sources: dict[str, Source]

    def is_own(self, source_id: str) -> bool:
        source = self.sources.get(source_id)
        # a source the caller did not pass is treated as the weakest kind: an own table
        return (
            source is None
            and source_id != DERIVED_SOURCE
            or (source is not None and source.kind == "own")
        )

    def declaration(self, source_id: str, indicator: str, year: int) -> dict | None:
        source = self.sources.get(source_id)
        if source is None or source.kind != "own":
            return None
        for entry in source.spec.get("authoritative") or ():
            if indicator in entry["indicators"] and int(year) in entry["years"]:
                return entry
        return None

    def base_rank(self, source_id: str) -> int:
        if source_id == DERIVED_SOURCE:
            return encode(OFFICIAL, 0)
        if self.is_own(source_id):
            return encode(OWN)
        return encode(OFFICIAL, self.sources[source_id].authority)

    def ranks(self, frame: pd.DataFrame) -> pd.Series:
        """The precedence of each row (columns source, indicator, year); lower wins."""
        rank = frame["source"].map({s: self.base_rank(s) for s in frame["source"].unique()})
        for sid, source in self.sources.items():
            declarations = source.spec.get("authoritative") or () if source.kind == "own" else ()
            for entry in declarations:
                declared = (
                    (frame["source"] == sid)
                    & frame["indicator"].isin(entry["indicators"])
                    & frame["year"].astype(int).isin([int(y) for y in entry["years"]])
                )
                rank = rank.mask(declared, encode(OWN_AUTHORITATIVE))
        return rank.astype(int)

    def order(self) -> dict[str, int]:
        """Tie-break among equal precedence: derived, then manifest order, then imports."""
        return {DERIVED_SOURCE: -1, **{sid: i for i, sid in enumerate(self.sources)}}

    def reason(self, winner: str, loser: str, indicator: str, year: int, loser_year=None) -> str:
        """Why `winner`'s value is used rather than `loser`'s (English, for data files)."""
        declared = self.declaration(winner, indicator, year)
        if declared is not None:
            return (
                f"the district's own table {winner} is declared authoritative for {indicator} "
                f"{year} in its mapping ({declared['reason']})"
            )
        other_year = year if loser_year is None else loser_year
        if self.is_own(loser) and not self.is_own(winner):
            return (
                f"official source {winner} is preferred over the district's own table {loser} "
                f"(its mapping does not declare it authoritative for {indicator} {other_year})"
            )
        if winner == DERIVED_SOURCE:
            return "computed by the project from the preferred values"
        a, b = self.base_rank(winner), self.base_rank(loser)
        if a < b and not self.is_own(winner):
            return f"{winner} has the higher authority ({a % 10} before {b % 10})"
        return "same precedence: the first source in params/sources.yaml"

    def rule(self, winner: str, loser: str, indicator: str, year: int) -> str:
        if self.declaration(winner, indicator, year) is not None:
            return "own_authoritative"
        if self.is_own(loser) and not self.is_own(winner):
            return "official_over_own"
        if self.is_own(winner) and not self.is_own(loser):
            return "other_set_aside"  # an own table wins only when the official value is flagged
        if self.base_rank(winner) < self.base_rank(loser):
            return "higher_authority"
        return "same_precedence"


def value_choices(panel: pd.DataFrame, rule: Precedence) -> pd.DataFrame:
    """For every district-indicator-year given by more than one source (flagged values too):
    the value used, and each other value beside it with the reason it was not used."""
    key = ["district_code", "indicator", "year"]
    many = panel[panel.duplicated(key, keep=False)]
    if many.empty:
        return pd.DataFrame(columns=CHOICE_COLUMNS)
    usable = many[many["flag"] == ""]
    used = _best(usable, rule)[[*key, "source", "value"]].rename(
        columns={"source": "used_source", "value": "used_value"}
    )
    others = many.merge(used, on=key, how="left")
    others = others[others["source"] != others["used_source"]]
    rows = []
    for r in others.itertuples(index=False):
        if isinstance(r.used_source, str):
            why = rule.reason(r.used_source, r.source, r.indicator, int(r.year))
            code = rule.rule(r.used_source, r.source, r.indicator, int(r.year))
        else:
            why, code = "every value was set aside by the cross-source check", "all_set_aside"
        used = r.used_source if isinstance(r.used_source, str) else ""
        declared = rule.declaration(used, r.indicator, int(r.year)) if used else None
        rows.append(
            {
                "district_code": r.district_code,
                "indicator": r.indicator,
                "year": int(r.year),
                "used_source": used,
                "used_kind": ("own" if rule.is_own(used) else "official") if used else "",
                "used_value": r.used_value,
                "other_source": r.source,
                "other_value": r.value,
                "other_flag": r.flag,
                "other_flag_detail": r.flag_detail,
                "involves_own": rule.is_own(r.source)
                or (isinstance(r.used_source, str) and rule.is_own(r.used_source)),
                "rule": code,
                "reason": why,
                "declared_reason": declared["reason"] if declared else "",
            }
        )
    return pd.DataFrame(rows, columns=CHOICE_COLUMNS)


def _best(rows: pd.DataFrame, rule: Precedence) -> pd.DataFrame:
    rank = rows["precedence"] if "precedence" in rows else rule.ranks(rows)
    order = rule.order()
    tie = rows["source"].map(lambda s: order.get(s, len(order)))
    return (
        rows.assign(_rank=rank, _tie=tie)
        .sort_values(["_rank", "_tie", "source"], kind="stable")
        .drop_duplicates(["district_code", "year", "indicator"])
        .drop(columns=["_rank", "_tie"])
    )


def preferred(panel: pd.DataFrame, rule: Precedence) -> pd.DataFrame:
    """One value per district-year-indicator: unflagged, the best by precedence."""
    usable = panel[panel["flag"] == ""] if "flag" in panel else panel
    return (
        _best(usable, rule)
        .sort_values(["district_code", "indicator", "year"])
        .reset_index(drop=True)
    )
