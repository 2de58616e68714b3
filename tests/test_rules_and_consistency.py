"""Placeholder / carried-forward rules and the cross-source check on small frames of known truth."""

import pandas as pd
import pytest

from analysis.consistency import apply_flags, compare_sources
from analysis.rules import carried_forward, placeholder_values
from analysis.sources import parse_manifest


def _sources(**authority):
    return parse_manifest(
        {
            "sources": {
                sid: {
                    "title": sid,
                    "publisher": "p",
                    "address": "a",
                    "license": "l",
                    "folder": sid,
                    "reader": "table",
                    "files": [],
                    "authority": auth,
                    **({"propagate_row_flags": True} if sid == "index_table" else {}),
                }
                for sid, auth in authority.items()
            }
        }
    )


def test_province_wide_identical_values_are_placeholders(registry):
    ntt = [d.code for d in registry.in_province("NTT")][:6]
    bali = [d.code for d in registry.in_province("Bali")][:6]
    frame = pd.DataFrame(
        {
            "district_code": ntt + bali,
            "indicator": "stunting",
            "value": [35.3] * 6 + [20.1, 21.0, 22.2, 19.0, 18.5, 17.0],
            "file": "f.csv",
        }
    )
    found = list(placeholder_values(frame, ["stunting"], registry))
    assert sorted(i for i, _c, _r in found) == list(range(6))
    assert all(c == "placeholder" for _i, c, _r in found)


def test_identical_year_on_year_values_are_carried_forward():
    rows = []
    for year, values in [(2021, [1.0, 2.0]), (2022, [1.0, 2.0]), (2023, [1.5, 2.0])]:
        for ind, v in zip(["a", "b"], values, strict=True):
            rows.append({"district_code": "3604", "year": year, "indicator": ind, "value": v})
    frame = pd.DataFrame(rows)
    found = list(carried_forward(frame, ["a", "b"]))
    assert sorted(frame.loc[[i for i, _c, _r in found], "year"]) == [2022, 2022]


def _panel(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "district_code",
            "year",
            "indicator",
            "value",
            "unit",
            "source",
            "file",
            "row",
            "column",
        ],
    )


def test_disagreement_flags_the_lower_authority_value_and_its_row(catalogue):
    panel = _panel(
        [
            ("3604", 2021, "life_expectancy", 64.8, "years", "official", "o.csv", 2, "uhh"),
            ("3604", 2022, "life_expectancy", 70.0, "years", "index_table", "i.csv", 7, "uhh"),
            ("3604", 2022, "stunting", 26.4, "percent", "index_table", "i.csv", 7, "st"),
            ("3673", 2021, "life_expectancy", 68.5, "years", "official", "o.csv", 3, "uhh"),
            ("3673", 2022, "life_expectancy", 68.9, "years", "index_table", "i.csv", 8, "uhh"),
        ]
    )
    sources = _sources(official=1, index_table=3)
    found, compared = compare_sources(panel, catalogue, sources)
    assert compared == 2
    assert found[["district_code", "flagged_source"]].values.tolist() == [["3604", "index_table"]]
    # sources are compared in name order: a = index_table (70.0), b = official (64.8)
    assert found["difference"].iloc[0] == pytest.approx(5.2)
    flagged = apply_flags(panel, found, sources)
    assert flagged["flag"].tolist() == ["", "inconsistent", "row_suspect", "", ""]


def test_sources_years_apart_are_not_compared(catalogue):
    panel = _panel(
        [
            ("3604", 2015, "life_expectancy", 60.0, "years", "official", "o.csv", 2, "uhh"),
            ("3604", 2022, "life_expectancy", 66.0, "years", "index_table", "i.csv", 7, "uhh"),
        ]
    )
    found, compared = compare_sources(panel, catalogue, _sources(official=1, index_table=3))
    assert compared == 0 and found.empty
