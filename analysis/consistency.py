"""Cross-source consistency: the same indicator from two sources for one district and nearby years.

Public compiled tables contain misaligned rows (a neighbouring district's values, swapped pairs).
Comparing sources is how they are found. For each disagreement the value that loses under the
precedence rule (`analysis.precedence`: an own table declared authoritative, then official sources
by authority, then own tables) is flagged; at equal precedence both are. A flagged value stays in
the panel with its flag and is excluded by `load_panel()` unless asked for.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.precedence import Precedence
from analysis.sources import Source

MAX_YEAR_GAP = 1
CONSISTENCY_COLUMNS = [
    "district_code",
    "indicator",
    "source_a",
    "year_a",
    "value_a",
    "source_b",
    "year_b",
    "value_b",
    "difference",
    "tolerance",
    "flagged_source",
    "reason",
]


def _tolerance(ind, a: pd.Series, b: pd.Series) -> pd.Series:
    if ind.tolerance_rel is not None:
        return ind.tolerance_rel * (a.abs() + b.abs()) / 2
    return pd.Series(float(ind.tolerance_abs), index=a.index)


def _editions_of_one_table(a: Source | None, b: Source | None) -> bool:
    """Two editions of one publication (manifest `edition_of`) measure different years of the
    same series: a change between them is data, not a disagreement."""
    if a is None or b is None:
        return False
    return a.spec.get("edition_of") == b.id or b.spec.get("edition_of") == a.id


def compare_sources(
    panel: pd.DataFrame, catalogue: Catalogue, sources: dict[str, Source]
) -> tuple[pd.DataFrame, int]:
    """All disagreements beyond tolerance, and how many source pairs were compared."""
    found = []
    compared = 0
    rule = Precedence(sources)
    checked = [
        i
        for i in catalogue.indicators.values()
        if i.tolerance_abs is not None or i.tolerance_rel is not None
    ]
    for ind in checked:
        rows = panel[panel["indicator"] == ind.id]
        names = sorted(rows["source"].unique())
        for a, b in combinations(names, 2):
            if _editions_of_one_table(sources.get(a), sources.get(b)):
                continue
            left = rows[rows["source"] == a][["district_code", "year", "value"]]
            right = rows[rows["source"] == b][["district_code", "year", "value"]]
            pairs = left.merge(right, on="district_code", suffixes=("_a", "_b"))
            pairs = pairs[(pairs["year_a"] - pairs["year_b"]).abs() <= MAX_YEAR_GAP]
            if pairs.empty:
                continue
            # per district, the closest years only (same year before adjacent)
            pairs = pairs.assign(gap=(pairs["year_a"] - pairs["year_b"]).abs())
            pairs = pairs[pairs["gap"] == pairs.groupby("district_code")["gap"].transform("min")]
            compared += len(pairs)
            diff = pairs["value_a"] - pairs["value_b"]
            tol = _tolerance(ind, pairs["value_a"], pairs["value_b"])
            pairs = pairs.assign(difference=diff, tolerance=tol)
            bad = pairs[pairs["difference"].abs() > pairs["tolerance"]]
            if bad.empty:
                continue
            found.append(_flag(bad.assign(indicator=ind.id, source_a=a, source_b=b), rule))
    if not found:
        return pd.DataFrame(columns=CONSISTENCY_COLUMNS), compared
    result = pd.concat(found, ignore_index=True)[CONSISTENCY_COLUMNS]
    return result.sort_values(["indicator", "district_code"]).reset_index(drop=True), compared


def _flag(bad: pd.DataFrame, rule: Precedence) -> pd.DataFrame:
    """Which side of each disagreement is set aside, and why (one rule: analysis.precedence)."""

    def ranks(side: str) -> pd.Series:
        rows = pd.DataFrame(
            {
                "source": bad[f"source_{side}"],
                "indicator": bad["indicator"],
                "year": bad[f"year_{side}"],
            }
        )
        return rule.ranks(rows)

    rank_a, rank_b = ranks("a"), ranks("b")
    flagged, reasons = [], []
    for r, ra, rb in zip(bad.itertuples(index=False), rank_a, rank_b, strict=True):
        if ra == rb:
            flagged.append(f"{r.source_a}+{r.source_b}")
            reasons.append("same precedence: which value is right is not knowable here")
            continue
        win, lose = ("a", "b") if ra < rb else ("b", "a")
        flagged.append(getattr(r, f"source_{lose}"))
        reasons.append(
            rule.reason(
                getattr(r, f"source_{win}"),
                getattr(r, f"source_{lose}"),
                r.indicator,
                int(getattr(r, f"year_{win}")),
                int(getattr(r, f"year_{lose}")),
            )
        )
    return bad.assign(flagged_source=flagged, reason=reasons)


def apply_flags(
    panel: pd.DataFrame, disagreements: pd.DataFrame, sources: dict[str, Source]
) -> pd.DataFrame:
    """Add `flag` / `flag_detail` to the panel for the values a disagreement puts in doubt."""
    panel = panel.copy()
    panel["flag"] = ""
    panel["flag_detail"] = ""
    key = ["district_code", "year", "indicator", "source"]
    index = {k: i for i, k in enumerate(zip(*(panel[c] for c in key), strict=True))}
    suspect_rows: set[tuple[str, int]] = set()
    for d in disagreements.itertuples(index=False):
        for side in ("a", "b"):
            src, year = getattr(d, f"source_{side}"), getattr(d, f"year_{side}")
            if src not in d.flagged_source.split("+"):
                continue
            other = d.source_b if side == "a" else d.source_a
            other_year = d.year_b if side == "a" else d.year_a
            other_value = d.value_b if side == "a" else d.value_a
            i = index[(d.district_code, year, d.indicator, src)]
            panel.iat[i, panel.columns.get_loc("flag")] = "inconsistent"
            panel.iat[i, panel.columns.get_loc("flag_detail")] = (
                f"differs from {other} {other_year} ({other_value:g}) by "
                f"{abs(d.difference):.2f} (tolerance {d.tolerance:.2f}); {d.reason}"
            )
            # an own table declared authoritative overrides a value; that says nothing about the
            # official row being misaligned, so the rest of that row is not put in doubt
            overridden = other in sources and sources[other].kind == "own"
            if sources[src].spec.get("propagate_row_flags") and not overridden:
                suspect_rows.add((panel.at[i, "file"], int(panel.at[i, "row"])))
    if suspect_rows:
        on_row = pd.Series(
            list(zip(panel["file"], panel["row"], strict=True)), index=panel.index
        ).isin(suspect_rows)
        fresh = on_row & (panel["flag"] == "")
        panel.loc[fresh, "flag"] = "row_suspect"
        panel.loc[fresh, "flag_detail"] = (
            "another value on the same source row disagrees with a second source; the row may "
            "belong to another district"
        )
    return panel
