"""Kota Tangerang writing its Renstra 2025–2029 with a synthetic plan table: capaian over the
previous Renstra, gaps to the new targets, candidate strategic issues with their associated
factors, logframe and RPJMD alignment, each equal to a direct computation."""

import pandas as pd
import pytest

from analysis.explain import Context, explain
from analysis.plan_targets import COLUMNS, PLAN_COLUMNS
from analysis.renstra import renstra_view
from analysis.targets import NATIONAL_PATH, load_targets

TANGERANG = "3671"
OLD = "Renstra Dinkes Kota Tangerang 2019–2023 (synthetic test targets)"
NEW = "Renstra Dinkes Kota Tangerang 2025–2029 (synthetic test targets)"
HEAD = "RPJMD Kota Tangerang 2025–2029 (synthetic test targets)"
GOAL = "Meningkatnya derajat kesehatan masyarakat"
PLAN = [  # indicator, year, target, baseline_year, baseline, document, reference, objective, opd
    ("life_expectancy", 2020, 72.0, 2018, 71.45, "Renstra", OLD, "", ""),
    ("life_expectancy", 2021, 72.2, 2018, 71.45, "Renstra", OLD, "", ""),
    ("immunization_complete", 2021, 90.0, 2018, 80.0, "Renstra", OLD, "", ""),
    ("immunization_complete", 2022, 92.0, 2018, 80.0, "Renstra", OLD, "", ""),
    ("stunting", 2022, 14.0, 2018, 20.0, "Renstra", OLD, "", ""),
    ("stunting", 2023, 12.0, 2018, 20.0, "Renstra", OLD, "", ""),
    ("life_expectancy", 2029, 74.0, 2023, 72.24, "Renstra", NEW, "UHH naik", ""),
    ("immunization_complete", 2025, 93.0, 2022, 91.9, "Renstra", NEW, "IDL naik", "dinkes"),
    ("immunization_complete", 2029, 97.0, 2022, 91.9, "Renstra", NEW, "IDL naik", "dinkes"),
    ("stunting", 2025, 16.0, 2023, 17.6, "Renstra", NEW, "Stunting turun", "dinkes"),
    ("stunting", 2029, 11.0, 2023, 17.6, "Renstra", NEW, "Stunting turun", "dinkes"),
    ("facility_delivery", 2029, 99.0, 2022, 97.9, "Renstra", NEW, "PF naik", ""),
    ("stunting", 2029, 12.0, 2023, 17.6, "RPJMD", HEAD, "", ""),
    ("stunting", 2025, 15.0, 2023, 17.6, "RPJMD", HEAD, "", ""),
]


@pytest.fixture(scope="module")
def ctx(processed):
    return Context.load(processed)


@pytest.fixture(scope="module")
def view(ctx, tmp_path_factory):
    rows = [
        ["Kota Tangerang", ind, y, t, by, b, doc, ref, GOAL if ref == NEW else "", obj, opd]
        for ind, y, t, by, b, doc, ref, obj, opd in PLAN
    ]
    path = tmp_path_factory.mktemp("plan") / "tangerang.csv"
    pd.DataFrame(rows, columns=COLUMNS + PLAN_COLUMNS).to_csv(path, index=False)
    targets = load_targets(NATIONAL_PATH, [path], registry=ctx.registry)
    assert len(targets.problems) == 0
    return renstra_view(ctx, "Kota Tangerang", targets)


def value(ctx, indicator, year):
    p = ctx.preferred
    rows = p[
        (p["district_code"] == TANGERANG) & (p["indicator"] == indicator) & (p["year"] == year)
    ]
    return float(rows["value"].iloc[0]) if len(rows) else None


def latest(ctx, indicator, upto):
    p = ctx.preferred
    rows = p[
        (p["district_code"] == TANGERANG) & (p["indicator"] == indicator) & (p["year"] <= upto)
    ]
    last = rows.sort_values("year").iloc[-1]
    return int(last["year"]), float(last["value"])


def capaian(r, t, indicator):
    return (2 * t - r) / t * 100 if indicator == "stunting" else r / t * 100


def test_new_plan_and_capaian_over_the_previous_one(ctx, view):
    assert view.new_plan == {
        "document": "Renstra",
        "document_reference": NEW,
        "plan_start": 2025,
        "plan_end": 2029,
    }
    old = [p for p in PLAN if p[6] == OLD]
    assert len(view.history) == len(old)
    for ind, year, target, *_ in old:
        row = view.history[(view.history["indicator"] == ind) & (view.history["year"] == year)]
        r = value(ctx, ind, year)
        assert row["realisation"].iloc[0] == r
        assert row["capaian"].iloc[0] == pytest.approx(capaian(r, target, ind))
        baseline = {"life_expectancy": 71.45, "immunization_complete": 80.0, "stunting": 20.0}
        assert (row["baseline_year"].iloc[0], row["baseline"].iloc[0]) == (2018, baseline[ind])
    assert view.notes == []


def test_gap_to_each_new_target_with_the_change_needed(ctx, view):
    gaps = view.gaps.set_index("indicator")
    ends = {p[0]: (p[1], p[2]) for p in PLAN if p[6] == NEW}  # the last row per indicator wins
    assert set(gaps.index) == set(ends)
    for ind, (end_year, end_target) in ends.items():
        year, r = latest(ctx, ind, end_year)
        row = gaps.loc[ind]
        assert (row["latest_year"], row["latest_realisation"]) == (year, r)
        assert row["gap_to_end_target"] == pytest.approx(end_target - r)
        assert row["required_annual_change"] == pytest.approx((end_target - r) / (end_year - year))
        assert row["capaian_latest_vs_end"] == pytest.approx(capaian(r, end_target, ind))
    assert gaps.loc["stunting", "first_target_year"] == 2025
    assert gaps.loc["stunting", "first_target"] == 16.0


def test_strategic_issues_are_the_indicators_furthest_behind(ctx, view):
    ends = {p[0]: (p[1], p[2]) for p in PLAN if p[6] == NEW}
    scores = {}
    for ind, (end_year, end_target) in ends.items():
        _, r = latest(ctx, ind, end_year)
        scores[ind] = capaian(r, end_target, ind)
    expected = sorted((s, i) for i, s in scores.items() if s < 100)
    assert view.issues["indicator"].tolist() == [i for _, i in expected]
    assert view.issues["rank"].tolist() == list(range(1, len(expected) + 1))
    assert (view.issues["owner_opd"] == "dinkes").all()
    for issue in view.issues.itertuples(index=False):
        dec = explain(ctx, TANGERANG, issue.indicator, "national").decomposition
        worsening = sorted(
            (
                c
                for c in dec.contributions
                if c.worsens and c.role == "lever" and c.status != "strength"
            ),
            key=lambda c: abs(c.value),
            reverse=True,
        )[:3]
        mine = view.factors[view.factors["indicator"] == issue.indicator]
        assert mine["driver"].tolist() == [c.driver for c in worsening]
        assert mine["driver_opd"].tolist() == [c.opd for c in worsening]
        # only the engine's root causes are called so; the others are to verify or not established
        expected = [
            "root_cause" if c.root_cause else "to_verify" if c.to_verify else "not_established"
            for c in worsening
        ]
        assert mine["factor_status"].tolist() == expected
        assert mine["contribution"].tolist() == pytest.approx([c.value for c in worsening])
        assert (mine["model_year"] == dec.year).all()
        assert issue.n_factors == len(worsening) and issue.factors_status == "ok"


def test_logframe_and_alignment_with_the_rpjmd(view):
    logframe = view.logframe.set_index("indicator")
    assert (logframe["goal"] == GOAL).all()
    assert logframe.loc["stunting", "objective"] == "Stunting turun"
    assert logframe.loc["stunting", ["opd", "opd_source"]].tolist() == ["dinkes", "plan"]
    assert logframe.loc["life_expectancy", ["opd", "opd_source"]].tolist() == [
        "dinkes",
        "catalogue",
    ]
    assert logframe.loc["stunting", ["baseline_year", "baseline", "end_target"]].tolist() == [
        2023,
        17.6,
        11.0,
    ]
    align = view.alignment.set_index("year")
    assert align["head_target"].to_dict() == {2025: 15.0, 2029: 12.0}
    assert align["difference"].to_dict() == pytest.approx({2025: 1.0, 2029: -1.0})
    # stunting: lower is better, so 16 against 15 is less ambitious, 11 against 12 more
    assert align["at_least_as_ambitious"].to_dict() == {2025: False, 2029: True}


def test_a_district_without_a_plan_table_says_so(ctx):
    view = renstra_view(ctx, "Kota Tangerang", load_targets(NATIONAL_PATH))
    assert view.new_plan is None and view.notes == ["no_plan"] and view.issues.empty


def test_factors_carry_the_engines_verdict_and_leave_strengths_out():
    """Known truth on stand-in contributions: only the engine's root cause is `root_cause`; a
    lever on which the district is better (a strength) or a context driver is not a factor."""
    from types import SimpleNamespace

    from analysis.renstra import associated_factors

    def part(driver, value, **kw):
        base = dict(
            driver=driver, opd="dinkes", value=value, ci_low=value - 1, ci_high=value + 1,
            certain=False, district_value=1.0, reference_value=2.0, worsens=True, role="lever",
            status="not_established", root_cause=False, to_verify=False, sign_as_expected=True,
        )  # fmt: skip
        return SimpleNamespace(**{**base, **kw})

    parts = [
        part("a", -0.5, status="consistent", root_cause=True, certain=True),
        part("b", -2.0, to_verify=True),
        part("c", -1.0),
        part("d", -3.0, status="strength", sign_as_expected=False),  # better, yet "harmful"
        part("e", -4.0, role="context", opd=None, status=None),
        part("f", +1.0, worsens=False),
    ]
    dec = SimpleNamespace(contributions=parts, year=2022, reference="national")
    status, factors = associated_factors(SimpleNamespace(decomposition=dec), top=5)
    assert status == "ok"
    assert [(f["driver"], f["factor_status"]) for f in factors] == [
        ("b", "to_verify"),
        ("c", "not_established"),
        ("a", "root_cause"),
    ]
    assert associated_factors(SimpleNamespace(decomposition=None, model=None)) == ("no_model", [])
