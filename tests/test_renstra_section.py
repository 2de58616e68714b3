"""Kota Tangerang's district report with a synthetic plan table, the Renstra template: the
capaian kinerja table and the candidate strategic issues of the rendered section equal a direct
computation; the template places the section; an English and an Indonesian section keep to
their language; without a plan table the section says how to give one."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis.explain import explain
from analysis.i18n import fmt_number, t
from analysis.plan_targets import COLUMNS, PLAN_COLUMNS
from analysis.report.district import SECTIONS, DistrictReport
from tests.test_district_report import ENGLISH_WORDS, INDONESIAN_WORDS

TANGERANG = "3671"
OLD = "Renstra Dinkes Kota Tangerang 2019–2023 (synthetic test targets)"
NEW = "Renstra Dinkes Kota Tangerang 2025–2029 (synthetic test targets)"
HEAD = "RPJMD Kota Tangerang 2025–2029 (synthetic test targets)"
PLAN = [  # indicator, year, target, baseline_year, baseline, document, reference
    ("immunization_complete", 2021, 90.0, 2018, 80.0, "Renstra", OLD),
    ("immunization_complete", 2022, 92.0, 2018, 80.0, "Renstra", OLD),
    ("stunting", 2021, 16.0, 2018, 20.0, "Renstra", OLD),
    ("stunting", 2022, 14.0, 2018, 20.0, "Renstra", OLD),
    ("stunting", 2023, 12.0, 2018, 20.0, "Renstra", OLD),
    ("immunization_complete", 2029, 97.0, 2022, 91.9, "Renstra", NEW),
    ("stunting", 2025, 16.0, 2023, 17.6, "Renstra", NEW),
    ("stunting", 2029, 11.0, 2023, 17.6, "Renstra", NEW),
    ("life_expectancy", 2029, 74.0, 2023, 72.24, "Renstra", NEW),
    ("stunting", 2029, 12.0, 2023, 17.6, "RPJMD", HEAD),
]


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory):
    rows = [
        ["Kota Tangerang", ind, y, tg, by, b, doc, ref, "Derajat kesehatan naik", "", ""]
        for ind, y, tg, by, b, doc, ref in PLAN
    ]
    path = tmp_path_factory.mktemp("plan") / "tangerang_plan.csv"
    pd.DataFrame(rows, columns=COLUMNS + PLAN_COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def reports(processed, plan_file):
    return {
        lang: DistrictReport.load(
            "Kota Tangerang",
            lang=lang,
            processed_dir=str(processed),
            template="renstra",
            plan_file=str(plan_file),
        )
        for lang in ("id", "en")
    }


@pytest.fixture(scope="module")
def section(reports):
    return reports["id"].renstra()


def realised(ctx, indicator, year):
    p = ctx.preferred
    rows = p[(p["district_code"] == TANGERANG) & (p["indicator"] == indicator)]
    rows = rows[rows["year"] == year]
    return float(rows["value"].iloc[0]) if len(rows) else None


def direct_capaian(r, target, indicator):
    return (2 * target - r) / target * 100 if indicator == "stunting" else r / target * 100


def direct_category(value):
    for name, low in (("sangat_tinggi", 91), ("tinggi", 76), ("sedang", 66), ("rendah", 51)):
        if value >= low:
            return name
    return "sangat_rendah"


def test_capaian_kinerja_table_equals_a_direct_computation(reports, section):
    ctx = reports["id"].ctx
    history = section.data["renstra_capaian"]
    old = [p for p in PLAN if p[6] == OLD]
    assert len(history) == len(old)
    html = BeautifulSoup(str(section), "html.parser")
    table = html.find("table", id="T_renstra_capaian") or html.find_all("table")[0]
    text = " ".join(table.get_text(" ").split())
    for ind, year, target, *_ in old:
        row = history[(history["indicator"] == ind) & (history["year"] == year)].iloc[0]
        r = realised(ctx, ind, year)
        assert row["target"] == target and row["realisation"] == r
        expected = direct_capaian(r, target, ind)
        assert row["capaian"] == pytest.approx(expected)
        assert row["category"] == direct_category(expected)
        assert f"{fmt_number(expected, 'id', 1)} %" in text
        assert t(f"capaian_cat_{direct_category(expected)}", "id") in text
    # the formula and its regulation are stated
    words = " ".join(section.texts)
    assert "PermenPANRB Nomor 6 Tahun 2022" in words and "Permendagri Nomor 86 Tahun 2017" in words


def test_candidate_strategic_issues_equal_a_direct_computation(reports, section):
    ctx = reports["id"].ctx
    ends = {"immunization_complete": (2029, 97.0), "stunting": (2029, 11.0)}
    ends["life_expectancy"] = (2029, 74.0)
    scores = {}
    for ind, (end_year, end) in ends.items():
        p = ctx.preferred
        mine = p[(p["district_code"] == TANGERANG) & (p["indicator"] == ind)]
        last = mine[mine["year"] <= end_year].sort_values("year").iloc[-1]
        scores[ind] = direct_capaian(float(last["value"]), end, ind)
    expected = [i for _, i in sorted((s, i) for i, s in scores.items() if s < 100)]
    issues = section.data["renstra_issues"]
    assert issues["indicator"].tolist() == expected
    assert issues["capaian_latest_vs_end"].tolist() == pytest.approx([scores[i] for i in expected])
    factors = section.data["renstra_factors"]
    html = BeautifulSoup(str(section), "html.parser")
    text = " ".join(html.get_text(" ").split())
    expected_status = []
    for ind in expected:
        dec = explain(ctx, TANGERANG, ind, "national").decomposition
        levers = sorted(
            (
                c
                for c in dec.contributions
                if c.worsens and c.role == "lever" and c.status != "strength"
            ),
            key=lambda c: abs(c.value),
            reverse=True,
        )[:3]
        mine = factors[factors["indicator"] == ind]
        assert mine["driver"].tolist() == [c.driver for c in levers]
        for c in levers:
            expected_status.append(
                "root_cause" if c.root_cause else "to_verify" if c.to_verify else "not_established"
            )
            assert fmt_number(c.value, "id", 2, signed=True) in text
    assert factors["factor_status"].tolist() == expected_status
    # each factor is named as strongly as the engine allows: only a root cause is
    # "dugaan akar masalah" in the table's status cells
    badges = [
        b.get_text()
        for b in html.find_all(class_="status")
        if b.get("class")[-1] in ("root_cause", "to_verify", "not_established")
    ]
    assert badges == [t(f"factor_status_{s}", "id") for s in expected_status]


def test_the_renstra_template_puts_the_view_after_the_summary(reports, processed):
    report = reports["id"]
    names = report.section_names
    assert names[names.index("summary") + 1] == "renstra"
    assert set(names) == {*SECTIONS, "renstra"}
    assert report.renstra_after("summary") is not None
    assert report.renstra_after("targets") is None
    standard = DistrictReport.load("Kabupaten Serang", processed_dir=str(processed))
    assert standard.section_names == SECTIONS
    assert standard.renstra_after("summary") is None and standard.renstra_after("targets") is None


def test_logframe_and_alignment_come_from_the_plan_table(section):
    logframe = section.data["renstra_logframe"]
    assert set(logframe["indicator"]) == {"immunization_complete", "stunting", "life_expectancy"}
    assert (logframe["goal"] == "Derajat kesehatan naik").all()
    alignment = section.data["renstra_alignment"]
    assert alignment[["year", "target", "head_target"]].values.tolist() == [[2029, 11.0, 12.0]]


def words_of(section) -> set[str]:
    import re

    soup = BeautifulSoup(section.to_html(), "html.parser")
    for tag in soup(["style", "code"]):
        tag.decompose()
    for tag in soup.find_all(attrs={"lang": True}):
        tag.decompose()  # quoted document titles
    text = " ".join(soup.get_text(" ").split())
    text = re.sub(r"https?://\S+|\S+\.(csv|xlsx|png)\b|\w+_\w+", " ", text)
    for name in ("Kota Tangerang", "Derajat kesehatan naik", "Renstra Dinkes"):
        text = text.replace(name, " ")
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


def test_each_language_keeps_to_itself(reports):
    allowed = {"kabupaten", "kota", "kecamatan", "puskesmas"}
    english = words_of(reports["en"].renstra())
    assert english & (INDONESIAN_WORDS - allowed) == set()
    indonesian = words_of(reports["id"].renstra())
    assert indonesian & ENGLISH_WORDS == set()


def test_without_a_plan_table_the_section_says_how_to_give_one(processed):
    report = DistrictReport.load("Kota Tangerang", processed_dir=str(processed), template="renstra")
    section = report.renstra()
    assert section.tables == []
    assert "--plan" in " ".join(section.texts)


def test_the_rendered_renstra_report_with_the_example_plan_table(processed, tmp_path):
    """`report --district "Kota Tangerang" --template renstra --plan <example>` end to end through
    the batch: the Renstra view right after the summary, every table in place, no error
    output in the page."""
    from pathlib import Path

    from analysis.batch import plan, run_job
    from analysis.regions import load_registry
    from analysis.targets import TARGETS_DIR

    example = TARGETS_DIR / "examples" / "renstra_plan_example.csv"
    jobs = plan(
        [load_registry().resolve("Kota Tangerang")],
        ["id"],
        out_dir=tmp_path,
        processed_dir=processed,
        plan_file=example,
        template="renstra",
    )
    assert jobs[0].parameters["template"] == "renstra"
    result = run_job(jobs[0])
    assert result.status == "ok", result.reason
    html = Path(result.out_html).read_text(encoding="utf-8")
    assert "Traceback" not in html and "Error" not in html
    page = BeautifulSoup(html, "html.parser")
    headings = [h.get_text(strip=True) for h in page.find_all("h2")]
    assert headings[headings.index(t("sec_summary", "id")) + 1] == t("sec_renstra", "id")
    files = {a["download"] for a in page.find_all("a", class_="download")}
    for key in ("renstra_capaian", "renstra_gaps", "renstra_issues", "renstra_logframe"):
        assert f"{TANGERANG}_{key}.csv" in files


def test_an_issue_names_the_opd_the_plan_gives(reports):
    """The example plan gives STBM sanitation to the Dinkes (the catalogue: housing); the issue
    table follows the plan, as the logframe does."""
    from analysis.renstra import renstra_view
    from analysis.targets import NATIONAL_PATH, TARGETS_DIR, load_targets

    ctx = reports["id"].ctx
    example = TARGETS_DIR / "examples" / "renstra_plan_example.csv"
    targets = load_targets(NATIONAL_PATH, [example], registry=ctx.registry)
    view = renstra_view(ctx, "Kota Tangerang", targets)
    issues = view.issues.set_index("indicator")
    assert ctx.catalogue["sanitation_access"].opd.key == "perkim"
    assert issues.loc["sanitation_access", "owner_opd"] == "dinkes"
    assert len(view.history) == 8 and len(view.alignment) == 2  # the example's old plan, RPJMD
