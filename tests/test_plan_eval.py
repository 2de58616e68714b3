"""A province evaluates every kab/kota against its own plan: a synthetic Kalimantan Timur target
table (every kab/kota, several years, an RPJMD and an RPD) on the real panel, each number checked
against a direct computation; quality flags and welfare inequality with known answers."""

import numpy as np
import pandas as pd
import pytest

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context
from analysis.plan_eval import behind_frame, evaluation_frame, progress_frame
from analysis.plan_targets import COLUMNS
from analysis.quality import quality_flags
from analysis.targets import NATIONAL_PATH, load_targets
from analysis.welfare_inequality import welfare_inequality_frame

RPJMD = "RPJMD 2019–2023 (synthetic test targets)"
RPD = "RPD 2024–2026 (synthetic test targets)"
# synthetic yearly targets (same for every kab/kota): indicator -> {year: target}
OLD_PLAN = {
    "life_expectancy": {2021: 73.0, 2022: 73.5, 2023: 74.0},
    "immunization_complete": {2021: 80.0, 2022: 85.0},
    "stunting": {2022: 22.0, 2023: 20.0},
}
NEW_PLAN = {"stunting": {2023: 19.0, 2024: 18.0, 2025: 16.0, 2026: 14.0}}
MAHAKAM_ULU, SAMARINDA, KUKAR = "6411", "6472", "6403"


@pytest.fixture(scope="module")
def ctx(processed):
    return Context.load(processed)


@pytest.fixture(scope="module")
def kaltim(ctx):
    return sorted(d.code for d in ctx.registry.in_province("Kalimantan Timur"))


@pytest.fixture(scope="module")
def province_file(kaltim, ctx, tmp_path_factory):
    rows = []
    for code in kaltim:
        name = ctx.registry.get(code).name
        for doc, ref, plan in (("RPJMD", RPJMD, OLD_PLAN), ("RPD", RPD, NEW_PLAN)):
            for ind, years in plan.items():
                for year, target in years.items():
                    rows.append([name, ind, year, target, "", "", doc, ref])
    path = tmp_path_factory.mktemp("targets") / "kaltim.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def evaluation(ctx, kaltim, province_file):
    targets = load_targets(NATIONAL_PATH, [province_file], registry=ctx.registry)
    n = len(kaltim) * sum(len(y) for plan in (OLD_PLAN, NEW_PLAN) for y in plan.values())
    assert targets.table.summary() == f"{n} rows read = {n} accepted + 0 quarantined"
    return evaluation_frame(targets, ctx.preferred, kaltim, ctx.catalogue)


def realisation(ctx, code, indicator, year):
    rows = ctx.preferred[
        (ctx.preferred["district_code"] == code)
        & (ctx.preferred["indicator"] == indicator)
        & (ctx.preferred["year"] == year)
    ]
    return float(rows["value"].iloc[0]) if len(rows) else None


def direct_capaian(r, t, indicator):
    return (2 * t - r) / t * 100 if indicator == "stunting" else r / t * 100


def test_every_kab_kota_against_its_own_target_per_year(ctx, kaltim, evaluation):
    own = evaluation[evaluation["target_basis"] == "district"]
    assert sorted(own["district_code"].unique()) == kaltim
    checked = 0
    for code in kaltim:
        for doc, plan in (("RPJMD", OLD_PLAN), ("RPD", NEW_PLAN)):
            for ind, years in plan.items():
                for year, target in years.items():
                    row = own[
                        (own["district_code"] == code)
                        & (own["indicator"] == ind)
                        & (own["year"] == year)
                        & (own["document"] == doc)
                    ]
                    assert len(row) == 1 and row["target"].iloc[0] == target
                    r = realisation(ctx, code, ind, year)
                    if r is None:  # a target year without data: said so, no number
                        assert row["status"].iloc[0] == "no_realisation"
                        assert np.isnan(row["capaian"].iloc[0])
                        continue
                    expected = direct_capaian(r, target, ind)
                    assert row["capaian"].iloc[0] == pytest.approx(expected)
                    assert row["realisation"].iloc[0] == r
                    checked += 1
    assert checked > 50


def test_which_target_applies_is_explicit(evaluation):
    both = evaluation[(evaluation["indicator"] == "stunting") & (evaluation["year"] == 2023)]
    # one RPJMD and one RPD target for 2023 per district: the RPJMD applies
    assert (both.groupby("district_code")["applies"].sum() == 1).all()
    assert set(both.loc[both["applies"], "document"]) == {"RPJMD"}
    # facility delivery: no own target and no national default -> no target, no capaian
    pf = evaluation[evaluation["indicator"] == "facility_delivery"]
    assert set(pf["target_basis"]) == {"none"} and pf["capaian"].isna().all()
    assert set(pf["status"]) == {"no_target"}


def test_category_and_change_since_previous_year(evaluation):
    stunting = evaluation[
        (evaluation["indicator"] == "stunting")
        & (evaluation["year"] == 2023)
        & (evaluation["document"] == "RPJMD")
    ]
    for row in stunting.itertuples(index=False):
        bands = [(91, "sangat_tinggi"), (76, "tinggi"), (66, "sedang"), (51, "rendah")]
        expected = next((name for low, name in bands if row.capaian >= low), "sangat_rendah")
        assert row.category == expected
        assert row.previous_year == 2022
        assert row.change == pytest.approx(row.realisation - row.previous_realisation)
        assert row.change_direction == ("better" if row.change < 0 else "worse")
        # SKI 2023 against SSGI 2022: a change between two surveys, marked as such
        assert (row.series, row.previous_series, row.change_across_series) == ("ski", "ssgi", True)
    same = evaluation[(evaluation["indicator"] == "stunting") & (evaluation["year"] == 2022)]
    assert not same["change_across_series"].any()


def test_districts_behind_on_two_or_more_are_named_first(evaluation):
    behind = behind_frame(evaluation)
    applied = evaluation[evaluation["applies"] & (evaluation["status"] == "evaluated")]
    latest = applied.sort_values("year").groupby(["district_code", "indicator"]).tail(1)
    counts = latest[latest["capaian"] < 100].groupby("district_code").size()
    expected = {c for c, n in counts.items() if n >= 2}
    flagged = behind.loc[behind["behind_on_two_or_more"], "district_code"]
    assert set(flagged) == expected and len(expected) > 0
    first = behind["district_code"].iloc[: len(expected)]
    assert set(first) == expected  # named first
    for row in behind.itertuples(index=False):
        assert row.n_behind == counts.get(row.district_code, 0)


def test_without_a_file_national_defaults_are_used_and_said(ctx, kaltim):
    targets = load_targets(NATIONAL_PATH)
    frame = evaluation_frame(targets, ctx.preferred, kaltim, ctx.catalogue)
    assert set(frame["target_basis"]) == {"national_default", "none"}
    stunting = frame[frame["indicator"] == "stunting"]
    assert (stunting["target"] == 14.2).all() and (stunting["target_year"] == 2029).all()
    assert not stunting["target_is_annual"].any()
    uhh = frame[frame["indicator"] == "life_expectancy"]
    assert uhh["target_has_note"].all()  # the comparability caveat travels with the row
    behind = behind_frame(frame).set_index("district_code")
    # UHH and IDL defaults carry caveats: only stunting counts, and nobody is behind on two
    assert not behind["behind_on_two_or_more"].any()
    assert all("life_expectancy" in c for c in behind["behind_with_caveat"])
    assert set(behind["behind_indicators"].map(tuple)) <= {("stunting",), ()}


def test_progress_gives_the_change_still_needed(ctx, kaltim, province_file):
    targets = load_targets(NATIONAL_PATH, [province_file], registry=ctx.registry)
    progress = progress_frame(targets, ctx.preferred, kaltim, ctx.catalogue, ["stunting"])
    rpd = progress[(progress["document"] == "RPD") & (progress["district_code"] == KUKAR)]
    latest = realisation(ctx, KUKAR, "stunting", 2023)
    row = rpd.iloc[0]
    assert (row["latest_year"], row["latest_realisation"]) == (2023, latest)
    assert row["required_annual_change"] == pytest.approx((14.0 - latest) / (2026 - 2023))
    assert row["applies"] == False  # noqa: E712 - the RPJMD 2019–2023 ranks first
    assert row["status"] in {"in_progress", "reached"}


def test_quality_flags_name_the_implausible_values(ctx, kaltim):
    flags = quality_flags(ctx.preferred, kaltim, PIP_INDICATORS, ctx.catalogue)
    idl = ctx.preferred[
        ctx.preferred["district_code"].isin(kaltim)
        & (ctx.preferred["indicator"] == "immunization_complete")
        & (ctx.preferred["year"] == 2022)
    ].set_index("district_code")["value"]
    median = idl.median()
    z = 0.6745 * (idl - median) / (idl - median).abs().median()
    outliers = flags[flags["flag"] == "outlier_in_province"]
    mahulu = outliers[outliers["district_code"] == MAHAKAM_ULU].iloc[0]
    assert mahulu["value"] == idl[MAHAKAM_ULU] and mahulu["statistic"] == pytest.approx(
        z[MAHAKAM_ULU]
    )
    assert set(outliers.loc[outliers["indicator"] == "immunization_complete", "district_code"]) == {
        c for c in idl.index if abs(z[c]) > 3.5
    }
    boundary = flags[flags["flag"] == "boundary_value"]
    assert (SAMARINDA, "facility_delivery", 2022) in set(
        zip(boundary["district_code"], boundary["indicator"], boundary["year"], strict=True)
    )
    jumps = flags[(flags["flag"] == "jump") & (flags["indicator"] == "stunting")]
    before, after = (realisation(ctx, KUKAR, "stunting", y) for y in (2022, 2023))
    assert abs(after - before) > 8  # the stunting tolerance in params/indicators.yaml
    assert KUKAR in set(jumps["district_code"])
    assert (jumps["statistic"].abs() > jumps["threshold"]).all()


def test_welfare_inequality_against_known_truth(catalogue):
    codes = [f"99{i:02d}" for i in range(9)]
    poverty = np.arange(1.0, 10.0)  # least poor first
    x = (np.arange(1, 10) - 0.5) / 9  # fractional poverty rank
    stunting = 15.0 + 12.0 * x  # exactly linear: slope 12 from least poor to poorest
    idl = 95.0 - 30.0 * x
    rows = [
        {"district_code": c, "year": 2023, "indicator": ind, "value": v, "source": "synthetic"}
        for ind, values in (
            ("poverty_rate", poverty),
            ("stunting", stunting),
            ("immunization_complete", idl),
        )
        for c, v in zip(codes, values, strict=True)
    ]
    frame = welfare_inequality_frame(
        pd.DataFrame(rows), codes, catalogue, ["stunting", "immunization_complete"]
    ).set_index("indicator")
    s, i = frame.loc["stunting"], frame.loc["immunization_complete"]
    assert s["sii"] == pytest.approx(12.0) and i["sii"] == pytest.approx(-30.0)
    assert s["sii_low"] == pytest.approx(12.0) and s["sii_high"] == pytest.approx(12.0)
    assert s["sii_intercept"] == pytest.approx(15.0)  # the line's least-poor end
    assert s["ratio_kind"] == "worst_over_best" and i["ratio_kind"] == "best_over_worst"
    assert s["ratio"] == pytest.approx(stunting.max() / stunting.min())  # worst ÷ best
    assert i["ratio"] == pytest.approx(idl.max() / idl.min())  # best ÷ worst
    assert s["worst_district_code"] == codes[-1] and s["best_district_code"] == codes[0]
    assert s["poorest_mean"] == pytest.approx(stunting[-3:].mean())
    assert s["least_poor_mean"] == pytest.approx(stunting[:3].mean())
    assert s["better_off_group"] == "least_poor" and i["better_off_group"] == "least_poor"
    assert s["welfare_indicator"] == "poverty_rate" and s["welfare_year"] == 2023
