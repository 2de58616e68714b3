"""The opening of the district report: title, executive summary, the data it had, the four
indicator cards; and the footer both report kinds end with."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.report.frames import district as frames
from analysis.report.frames import explained, explained_trends
from analysis.report.model import Bullets, Card, Cards, Column, Run, Section, Text

if TYPE_CHECKING:
    from analysis.explain import Context
    from analysis.report.district import DistrictReport

MAX_MESSAGES = 9
# verdicts that judge nothing: the card says why (the same sentence as the targets section)
VERDICTS_WITH_REASON = ("insufficient_data", "no_data_since", "not_comparable")


def header(r: DistrictReport) -> Section:
    w, d = r.words, r.district
    return Section(
        "header",
        w.t("report_title", district=d.name),
        [
            Text.of(
                w.t("report_subtitle", province=d.province, date=date.today().isoformat()),
                "subtitle",
            ),
            Text.of(w.t("methods_caveat"), "caveat"),
        ],
        r.lang,
        level=1,
    )


def summary(r: DistrictReport) -> Section:
    """At most MAX_MESSAGES bullets, in the order a reader needs them: where the measured factors
    do not explain the gap (first, plainly), the suspected root causes (or that there is none and
    what that means), the levers to verify in the workshop, the previous meeting's actions, the
    weakest rank, the gaps, the target verdicts, the indicators without data. Context and
    strengths are never named as causes."""
    w, exs = r.words, r.explanations
    messages = _unexplained_messages(w, exs)
    roots = explained.root_cause_rows(exs)
    if len(roots):
        items = "; ".join(
            w.t(
                "msg_root_item",
                driver=w.label(x.driver),
                indicator=w.label(x.indicator),
                contribution=w.num(x.contribution, 2, signed=True),
                gap_unit=w.gap_unit(x.indicator),
                opd=w.opd(x.opd),
            )
            for x in roots.itertuples()
        )
        messages.append(w.t("msg_root", items=items))
    elif behind := explained.behind(exs):
        messages.append(w.t("msg_root_none_meaning", labels=", ".join(map(w.label, behind))))
    else:
        messages.append(w.t("msg_root_none_all_better", reference=w.t(f"reference_{r.reference}")))
    check = explained.to_verify_rows(exs, behind_only=True)
    if len(check):
        items = "; ".join(
            w.t(
                "msg_to_verify_item",
                driver=w.label(x.driver),
                district=w.value(x.driver, x.district_value),
                peers=w.value(x.driver, x.peer_value),
                indicator=w.label(x.indicator),
                opd=w.opd(x.opd),
            )
            for x in check.itertuples()
        )
        messages.append(w.t("msg_to_verify", items=items))
    from analysis.report.sections.followup import summary_line

    previous = summary_line(w, r.followup)
    if previous:
        messages.append(previous)
    weakest = explained.weakest_rank(exs)
    if weakest:
        messages.append(
            w.t(
                "msg_weakest",
                label=w.label(weakest["indicator"]),
                rank=weakest["rank"],
                n=weakest["n"],
                year=weakest["year"],
            )
        )
    gaps = explained.gap_frame(exs)
    if "gap" in gaps:
        gaps = gaps.dropna(subset=["gap"])
        items = "; ".join(
            w.t(
                "msg_gap_item",
                label=w.label(g.indicator),
                value=w.num(g.district_value, 1),
                unit=w.unit(g.indicator),
                year=int(g.year),
                gap=w.num(g.gap, 1, signed=True),
                gap_unit=w.gap_unit(g.indicator),
            )
            for g in gaps.itertuples()
        )
        if items:
            messages.append(w.t("msg_gaps", reference=w.t(f"reference_{r.reference}"), items=items))
    verdicts = explained_trends.verdicts(exs)
    if verdicts:
        items = "; ".join(f"{w.label(i)}: {w.t('status_' + v.status)}" for i, v in verdicts.items())
        messages.append(w.t("msg_targets", items=items))
    missing = explained.missing_indicators(exs)
    if missing:
        messages.append(w.t("msg_missing", labels=", ".join(map(w.label, missing))))
    bullets = Bullets(tuple(Text.of(m) for m in messages[:MAX_MESSAGES]))
    return Section("summary", w.t("sec_summary"), [bullets], r.lang)


def _unexplained_messages(w, exs) -> list[str]:
    """Where the unexplained part is larger than the explained one: said first, in bold; where
    the outcome value itself is of low precision, that comes first of all."""
    dominant = explained.unexplained_dominant(exs)
    doubtful = dominant["low_precision"].map(bool).astype(bool)
    out = []
    for flags, part in dominant[doubtful].groupby(dominant.loc[doubtful, "low_precision"]):
        why = ", ".join(w.t(f"low_precision_{f}") for f in flags)
        labels = ", ".join(map(w.label, part["indicator"]))
        out.append(f"<b>{w.t('msg_low_precision', labels=labels, why=why)}</b>")
    dominant = dominant[~doubtful]
    for favourable, key in ((False, "msg_unexplained"), (True, "msg_unexplained_favourable")):
        mine = dominant[dominant["gap_favourable"].astype(bool) == favourable]
        if len(mine):
            out.append(f"<b>{w.t(key, labels=', '.join(map(w.label, mine['indicator'])))}</b>")
    return out


def data_quality(r: DistrictReport) -> Section:
    w = r.words
    grid = frames.coverage(r.own_rows, r.own_sources)
    years = [c for c in grid.columns if c.isdigit()]
    columns = [Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels())]
    columns += [Column(y, y, "check") for y in years]
    columns += [
        Column("sources", w.t("col_source"), "text", missing=w.t("no_data")),
        Column("latest_year", w.t("col_latest"), "year", missing=w.t("no_data")),
    ]
    grid["sources"] = grid["sources"].replace("", None)
    rejected = frames.rejected_values(r.quarantine, r.own_rows, r.district_code)
    notes = []
    n_quarantined = int((rejected["stage"] == "quarantine").sum())
    n_flagged = int((rejected["stage"] == "flagged").sum())
    if n_quarantined:
        notes.append(w.t("quality_quarantine", n=n_quarantined))
    if n_flagged:
        notes.append(w.t("quality_flagged", n=n_flagged))
    notes += [
        _choice_text(w, c) for c in frames.own_table_choices(r.ctx, r.district_code).itertuples()
    ]
    blocks: list = [
        Text.of(w.t("quality_intro", district=r.district.name)),
        r.table("coverage", grid, columns, css="coverage"),
        *(Text.of(n) for n in notes or [w.t("quality_none_rejected")]),
    ]
    if len(rejected):
        blocks.append(
            r.table(
                "rejected_values",
                rejected,
                [
                    Column("indicator", w.t("col_indicator"), "text", labels=w.indicator_labels()),
                    Column("year", w.t("col_year"), "year"),
                    Column("source", w.t("col_source"), "text"),
                    Column("reason", w.t("col_reason"), "text"),
                ],
            )
        )
    routine = frames.routine_stunting(r.ctx, r.district_code)
    routine_text = ", ".join(
        f"{int(x.year)}: {w.num(x.value, 1)} % ({x.source})" for x in routine.itertuples()
    ) or w.t("none")
    blocks.append(Text.of(w.t("quality_stunting", routine=routine_text), "note"))
    return Section("data_quality", w.t("sec_quality"), blocks, r.lang)


CHOICE_TEXT = {
    "own_authoritative": "choice_own_authoritative",
    "other_set_aside": "choice_own_other_set_aside",
}


def _choice_text(w, c) -> str:
    """Which value the report uses for an indicator-year where the own table is involved."""
    default = "choice_official" if c.used_kind == "official" else "choice_none"
    return w.t(
        CHOICE_TEXT.get(c.rule, default),
        indicator=w.label(c.indicator),
        year=c.year,
        used=c.used_source,
        used_value=w.num(float(c.used_value or "nan"), 1),
        other=c.other_source,
        other_value=w.num(float(c.other_value or "nan"), 1),
        why=c.declared_reason,
    )


def cards(r: DistrictReport) -> Section:
    w = r.words
    frame = explained_trends.cards_frame(r.explanations)
    shown = [_card(r, row) for row in frame.to_dict("records")]
    return Section("cards", w.t("sec_cards"), [Cards("cards", tuple(shown), frame)], r.lang)


def _card(r: DistrictReport, row: dict[str, Any]) -> Card:
    w, ind = r.words, row["indicator"]
    if pd.isna(row["value"]):
        last = frames.series(r.ctx, ind)["year"].max()
        return Card(
            w.label(ind),
            w.t("no_data"),
            w.unit(ind),
            available=False,
            note=w.t(f"fill_hint_{ind}", last=last),
        )
    facts = [(w.t("card_year"), str(int(row["year"]))), (w.t("card_source"), row["source"])]
    series = w.series(row["series"]) if isinstance(row["series"], str) else None
    if series:
        facts.append((w.t("card_series"), series))
    if pd.notna(row["trend"]):
        facts.append(
            (
                w.t("card_trend"),
                f"{w.num(row['trend'], 2, signed=True)} "
                f"{w.t('per_year')} ({int(row['trend_from'])}–{int(row['trend_to'])})",
            )
        )
    elif pd.notna(row["trend_points"]):
        short = w.t("card_trend_short", n=int(row["trend_points"]))
        facts.append((w.t("card_trend"), short))
    if pd.notna(row["rank_province"]):
        facts.append(
            (
                w.t("card_rank_province"),
                f"{int(row['rank_province'])} {w.t('of')} "
                f"{int(row['n_province'])} ({int(row['rank_year'])})",
            )
        )
        facts.append(
            (
                w.t("card_rank_national"),
                f"{int(row['rank_national'])} {w.t('of')} {int(row['n_national'])}",
            )
        )
    if pd.notna(row["target"]):
        scope = w.t(f"target_scope_short_{row['target_scope']}")
        facts.append(
            (w.t("card_target"), f"{w.num(row['target'], 1)} ({int(row['target_year'])}, {scope})")
        )
        gap = (
            f"{w.num(row['gap_to_target'], 1, signed=True)} {w.gap_unit(ind)}"
            if pd.notna(row["gap_to_target"])
            else w.t("status_not_comparable")  # a target on another series: no gap
        )
        facts.append((w.t("card_gap_target"), gap))
    status = None
    if isinstance(row["status"], str):
        status = (row["status"], w.t(f"status_{row['status']}"))
    notes = []
    verdict = explained_trends.verdicts(r.explanations).get(ind)
    if verdict is not None and verdict.status in VERDICTS_WITH_REASON:
        from analysis.explain_text import verdict_text

        notes.append(verdict_text(verdict, r.lang))
    if isinstance(row["low_precision"], tuple) and row["low_precision"]:
        why = ", ".join(w.t(f"low_precision_{f}") for f in row["low_precision"])
        notes.append(w.t("card_low_precision", why=why))
    note = " ".join(notes) or None
    return Card(
        w.label(ind),
        w.num(row["value"], 1),
        w.unit(ind),
        status=status,
        facts=tuple(facts),
        note=note,
    )


def footer(ctx: Context, parameters: dict[str, Any], lang: str) -> Section:
    """Data version, model version, parameters and software versions of a report."""
    from analysis.i18n import t
    from analysis.panel import read_version_file, software_versions
    from analysis.paths import PROCESSED_DIR

    software = ", ".join(f"{k} {v}" for k, v in software_versions().items())
    info = read_version_file(Path(parameters.get("processed_dir") or PROCESSED_DIR)) or {}
    own = "".join(f" + {i['id']} (sha256 {i['sha256'][:12]})" for i in info.get("imports", []))
    params = json.dumps({k: v for k, v in parameters.items() if v is not None}, ensure_ascii=False)
    line = t(
        "footer_line",
        lang,
        data_version=f"{ctx.data_version}{own}",
        model_version=ctx.models.model_version,
        params=PARAMS_MARK,
        software=software,
        date=date.today().isoformat(),
    )
    before, after = line.split(PARAMS_MARK)
    runs = (Run(before), Run(params, code=True), Run(after))
    return Section("footer", None, [Text(runs, "footer")], lang)


PARAMS_MARK = "\0params\0"  # where the parameters (machine text) go in the footer line
