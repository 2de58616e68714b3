"""Source-specific plausibility rules the schema cannot express, switched on in the manifest.

Each rule looks at a source's resolved rows and returns (index, reason_code, reason) for rows
that are not district data even though they parse and lie within bounds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from analysis.regions import Registry

MIN_PLACEHOLDER_GROUP = 5


def placeholder_values(
    frame: pd.DataFrame, indicators: list[str], registry: Registry
) -> Iterator[tuple[int, str, str]]:
    """All districts of a province carrying one identical non-zero value: a province figure."""
    rows = frame[frame["indicator"].isin(indicators) & frame["district_code"].notna()]
    if rows.empty:
        return
    province = rows["district_code"].map(lambda c: registry.get(c).province_code_2010)
    for (file, indicator, prov), group in rows.groupby([rows["file"], rows["indicator"], province]):
        if (
            len(group) >= MIN_PLACEHOLDER_GROUP
            and group["value"].nunique() == 1
            and group["value"].iloc[0] != 0
        ):
            value = group["value"].iloc[0]
            for idx in group.index:
                yield (
                    idx,
                    "placeholder",
                    (
                        f"all {len(group)} districts of province {prov} carry the same {indicator} "
                        f"value {value:g} in {file}: a province figure, not district data"
                    ),
                )


def carried_forward(frame: pd.DataFrame, indicators: list[str]) -> Iterator[tuple[int, str, str]]:
    """A district-year whose every listed indicator equals the year before was carried forward."""
    rows = frame[frame["indicator"].isin(indicators) & frame["district_code"].notna()]
    if rows.empty:
        return
    wide = rows.pivot_table(
        index=["district_code", "year"], columns="indicator", values="value", aggfunc="first"
    )
    complete = wide.dropna()
    for (code, year), values in complete.iterrows():
        if (code, year - 1) in complete.index and values.equals(complete.loc[(code, year - 1)]):
            same = rows[(rows["district_code"] == code) & (rows["year"] == year)]
            for idx in same.index:
                yield (
                    idx,
                    "carried_forward",
                    (
                        f"all {len(indicators)} indicators of district {code} in {year} are "
                        f"identical to {year - 1}: values carried forward, treated as missing"
                    ),
                )


def source_rules(spec: dict, registry: Registry):
    """The rule function for a manifest source spec, or None."""
    placeholder = spec.get("placeholder_check") or []
    forward = spec.get("carried_forward_check") or []
    if not placeholder and not forward:
        return None

    def rules(frame: pd.DataFrame) -> Iterator[tuple[int, str, str]]:
        if placeholder:
            yield from placeholder_values(frame, placeholder, registry)
        if forward:
            yield from carried_forward(frame, forward)

    return rules
