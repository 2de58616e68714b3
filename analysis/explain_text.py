"""An explanation as text in the terminal (Bahasa Indonesia or English, from strings.yaml).

The wording follows the data: only a consistent lever on which the district is worse is called a
suspected root cause; a lever that is not established is said to be so; context has no OPD; when
the unexplained part is the larger one, that is said first."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from analysis.catalogue import Catalogue
from analysis.explain import Context, Explanation
from analysis.i18n import fmt_number, t
from analysis.models.results import Contribution, Decomposition
from analysis.series import load_series


def term_label(term: str, catalogue: Catalogue, lang: str) -> str:
    """The label of a model term: a catalogue indicator, kota, the province, an island group."""
    if term in catalogue:
        return catalogue[term].label(lang)
    if term.startswith("island_"):
        return f"{t('term_island', lang)}: {term.removeprefix('island_').replace('_', ' ')}"
    return t(f"term_{term}", lang)


def opd_label(key: str | None, catalogue: Catalogue, lang: str) -> str:
    if key is None:
        return t("context_no_opd", lang)
    opd = catalogue.opds[key]
    return opd.label_id if lang == "id" else opd.label_en


def series_label(series_id: str | None, lang: str) -> str:
    if series_id is None:
        return "–"
    return t(load_series().label_key(series_id), lang)


def year_text(c: Contribution, lang: str) -> str:
    """The year(s) of a driver value: a ratio whose population is of another year says both."""
    v = c.district
    if v is None or v.year is None:
        return ""
    if v.year_mismatch:
        return t("year_mismatch", lang, year=v.year, denominator_year=v.denominator_year)
    return str(v.year)


def _reference_years(c: Contribution, lang: str) -> str:
    """The years a reference mean mixes, and "rata-rata geometrik" for a log-scale driver."""
    r = c.reference
    if r is None or r.year_min is None:
        return ""
    if r.year_min == r.year_max:
        years = str(r.year_min)
    else:
        years = t("years_range", lang, first=r.year_min, last=r.year_max)
    return f"{years}; {t('mean_geometric', lang)}" if r.mean_kind == "geometric" else years


def _status(c: Contribution, lang: str) -> str:
    if c.role != "lever":
        return t("lever_status_context", lang)
    text = t(f"lever_status_{c.status}", lang)
    if c.robust and c.sign_as_expected is False:
        text += f" ({t('sign_unexpected', lang)})"
    return text


def _parts_table(d: Decomposition, cat: Catalogue, lang: str) -> Table:
    table = Table(title=t("contributions_title", lang), title_justify="left")
    for col in (
        "col_driver",
        "col_role",
        "col_contribution",
        "col_interval",
        "col_district",
        "col_reference",
        "col_status",
        "col_opd",
    ):
        table.add_column(t(col, lang))
    for c in d.parts:
        interval = (
            ""
            if c.kind == "fixed_effect"
            else f"{fmt_number(c.interval.low, lang, 2)} … {fmt_number(c.interval.high, lang, 2)}"
        )
        district = ""
        if c.district and c.kind == "indicator":
            district = f"{fmt_number(c.district.value, lang, 2)} ({year_text(c, lang)})"
        elif c.district:
            district = fmt_number(c.district.value, lang, 0)
        reference = (
            f"{fmt_number(c.reference.value, lang, 2)} ({_reference_years(c, lang)})"
            if c.reference and c.kind == "indicator"
            else ""
        )
        table.add_row(
            term_label(c.driver, cat, lang),
            t(f"role_{c.role}", lang),
            fmt_number(c.value, lang, 2, signed=True),
            interval,
            district,
            reference,
            _status(c, lang),
            opd_label(c.opd, cat, lang),
        )
    table.add_row(
        t("unexplained", lang), "", fmt_number(d.unexplained, lang, 2, signed=True), *[""] * 5
    )
    return table


def _findings(d: Decomposition, cat: Catalogue, lang: str) -> list[str]:
    """The sentences in the order a reader needs them: the unexplained part first when it is the
    larger one, then suspected root causes, levers to verify, strengths."""
    lines = []
    if d.unexplained_dominates:
        key = "unexplained_dominates_favourable" if d.gap_favourable else "unexplained_dominates"
        lines.append(
            t(
                key,
                lang,
                unexplained=fmt_number(d.unexplained, lang, 2, signed=True),
                explained=fmt_number(d.explained, lang, 2, signed=True),
            )
        )
        if d.would_help:
            items = "; ".join(t(f"data_{k}", lang) for k in d.would_help)
            lines.append(t("would_help", lang, items=items))
    roots = d.root_causes
    for c in roots:
        lines.append(
            t(
                "root_cause_line",
                lang,
                driver=term_label(c.driver, cat, lang),
                district=f"{fmt_number(c.district.value, lang, 1)} ({year_text(c, lang)})",
                reference=fmt_number(c.reference.value, lang, 1),
                value=fmt_number(c.value, lang, 2, signed=True),
                opd=opd_label(c.opd, cat, lang),
            )
        )
    if not roots:
        lines.append(t("root_cause_none", lang))
    unproven = [c for c in d.levers if c.status == "not_established" and not c.to_verify]
    if unproven:
        items = ", ".join(term_label(c.driver, cat, lang) for c in unproven)
        lines.append(t("not_established_line", lang, items=items))
    for c in d.to_verify:
        lines.append(
            t(
                "to_verify_line",
                lang,
                driver=term_label(c.driver, cat, lang),
                district=f"{fmt_number(c.district.value, lang, 1)} ({year_text(c, lang)})",
                peers=fmt_number(c.peer_check.peer_value, lang, 1),
                n=c.peer_check.peer_n,
                opd=opd_label(c.opd, cat, lang),
            )
        )
    for c in d.strengths:
        lines.append(
            t(
                "strength_line",
                lang,
                driver=term_label(c.driver, cat, lang),
                district=fmt_number(c.district.value, lang, 1),
                reference=fmt_number(c.reference.value, lang, 1),
            )
        )
    return lines


def print_decomposition(ex: Explanation, ctx: Context, lang: str, console: Console) -> None:
    cat = ctx.catalogue
    d = ex.decomposition
    unit = cat.units[cat[ex.indicator].unit][f"label_{lang}"]
    title = t(
        "gap_title",
        lang,
        indicator=cat[ex.indicator].label(lang),
        district=ex.district.name,
        year=d.year,
        reference=t(f"reference_{ex.reference}", lang),
    )
    console.print(f"\n[bold]{title}[/]")
    flags = "".join(
        f" — {t('low_precision', lang)}: {t(f'low_precision_{f}', lang)}" for f in d.low_precision
    )
    console.print(
        f"  {t('district_value', lang)}: {fmt_number(d.district_value, lang, 2)} {unit} "
        f"({d.year}, {d.outcome_source}){flags}"
    )
    console.print(
        f"  {t('reference_value', lang, n=d.reference_n)}: "
        f"{fmt_number(d.reference_value, lang, 2)} {unit}"
    )
    gap_unit = t("points", lang) if cat[ex.indicator].unit == "percent" else unit
    console.print(
        f"  {t('gap', lang)}: {fmt_number(d.gap, lang, 2, signed=True)} {gap_unit}  "
        f"= {fmt_number(d.explained, lang, 2, signed=True)}"
        f" + {fmt_number(d.unexplained, lang, 2, signed=True)}"
    )
    e, u = d.explained_interval, d.unexplained_interval
    for key, value, iv in (
        ("explained_line", d.explained, e),
        ("unexplained_line", d.unexplained, u),
    ):
        console.print(
            "  "
            + t(
                key,
                lang,
                value=fmt_number(value, lang, 2, signed=True),
                low=fmt_number(iv.low, lang, 2),
                high=fmt_number(iv.high, lang, 2),
            )
        )
    console.print("  " + t("unexplained_unusual" if d.unusual else "unexplained_usual", lang))
    for line in _findings(d, cat, lang):
        console.print(f"  • {line}")
    console.print(_parts_table(d, cat, lang))


def print_model(ex: Explanation, ctx: Context, lang: str, console: Console) -> None:
    fit = ex.fit
    model = fit.main
    console.print(
        t("model_line", lang, year=model.year, n=model.n, r2=fmt_number(model.r2, lang, 2))
    )
    for variant, m in fit.variants.items():
        moran = m.moran or {}
        console.print(
            "  "
            + t(
                "variant_line",
                lang,
                variant=t(f"variant_{variant}", lang),
                n=m.n,
                r2=fmt_number(m.r2, lang, 2),
                r2_within=fmt_number(m.r2_within, lang, 2),
                r2_cv=fmt_number(m.r2_cv, lang, 2),
                moran=fmt_number(moran.get("i"), lang, 2),
                p=fmt_number(moran.get("p_value"), lang, 3),
            )
        )
    consistent = [
        term_label(r, ctx.catalogue, lang) for r in fit.robustness["term"] if fit.consistent(r)
    ]
    console.print(
        "  " + t("consistent_levers", lang, items=", ".join(consistent) or t("none", lang))
    )
    for w in model.warnings:
        console.print(
            "  " + t(f"warning_{w['code']}", lang, **{k: v for k, v in w.items() if k != "code"})
        )


def print_peers(ex: Explanation, ctx: Context, lang: str, console: Console) -> None:
    cat = ctx.catalogue
    peers = Table(title=t("peers_title", lang), title_justify="left")
    for col in ("col_district", "col_value", "col_distance"):
        peers.add_column(t(col, lang))
    for p in ex.peers.itertuples(index=False):
        peers.add_row(
            f"{p.name} ({p.province})",
            fmt_number(p.value, lang, 2),
            fmt_number(p.distance, lang, 2),
        )
    console.print(peers)
    if ex.deviants.empty:
        console.print(t("deviants_none", lang, sd=fmt_number(0.5, lang, 1)))
        return
    dev = Table(title=t("deviants_title", lang), title_justify="left")
    for col in ("col_district", "col_value", "col_advantage", "col_differs"):
        dev.add_column(t(col, lang))
    for r in ex.deviants.itertuples(index=False):
        differs = "; ".join(
            f"{term_label(x['driver'], cat, lang)}: {fmt_number(x['deviant_value'], lang, 1)} vs "
            f"{fmt_number(x['district_value'], lang, 1)}"
            for x in r.levers[:3]
        )
        dev.add_row(
            r.name,
            fmt_number(r.value, lang, 2),
            fmt_number(r.advantage, lang, 2, signed=True),
            differs,
        )
    console.print(dev)


def print_explanation(ex: Explanation, ctx: Context, lang: str, console: Console) -> None:
    cat = ctx.catalogue
    ind = cat[ex.indicator]
    unit = cat.units[ind.unit][f"label_{lang}"]
    console.print(f"[bold]{ex.district.name}[/] ({ex.district.province}) — {ind.label(lang)}")
    if ex.latest:
        flags = ex.latest.get("low_precision") or []
        note = (
            f" — {t('low_precision', lang)}: "
            + ", ".join(t(f"low_precision_{f}", lang) for f in flags)
            if flags
            else ""
        )
        console.print(
            t(
                "latest_value",
                lang,
                value=fmt_number(ex.latest["value"], lang, 2),
                unit=unit,
                year=ex.latest["year"],
                source=ex.latest["source"],
            )
            + f" [{series_label(ex.latest.get('series'), lang)}]{note}"
        )
    else:
        console.print(t("no_data", lang))
    if ex.decomposition is None:
        console.print(t("not_in_sample", lang, reason=ex.decomposition_error))
    else:
        print_decomposition(ex, ctx, lang, console)
    if ex.fit is not None:
        print_model(ex, ctx, lang, console)
    print_peers(ex, ctx, lang, console)
    console.print(f"\n[bold]{t('trend_title', lang)}[/]")
    print_trend(ex, lang, console)
    if ex.ranks:
        console.print(t("rank_line", lang, **ex.ranks))


def print_trend(ex: Explanation, lang: str, console: Console) -> None:
    tr = ex.trend
    if tr is None or tr.n_years < 2:
        console.print(t("trend_none", lang, n=0 if tr is None else tr.n_years))
        print_target(ex, lang, console)
        return
    if tr.series:
        seen = list(dict.fromkeys(tr.series))
        items = "; ".join(
            f"{series_label(s, lang)}: "
            + ", ".join(str(y) for y, x in zip(tr.years, tr.series, strict=True) if x == s)
            for s in seen
        )
        console.print(t("trend_series", lang, items=items))
    own = tr.of_series()
    key = "trend_short" if own.slope_ci_low is None else "trend_line"
    if own.slope is not None:
        console.print(
            t(
                key,
                lang,
                first=own.first_year,
                last=own.last_year,
                slope=fmt_number(own.slope, lang, 2, signed=True),
                low=fmt_number(own.slope_ci_low, lang, 2),
                high=fmt_number(own.slope_ci_high, lang, 2),
                n=own.n_years,
            )
        )
    print_target(ex, lang, console)


def print_target(ex: Explanation, lang: str, console: Console) -> None:
    tg, v = ex.target, ex.verdict
    if tg is None:
        console.print(t("target_none", lang))
        return
    console.print(
        t(
            "target_line",
            lang,
            value=fmt_number(tg.value, lang, 1),
            unit=ex_unit(ex, lang),
            year=tg.year,
            scope=t(f"target_scope_{tg.scope}", lang),
            source=tg.source_document,
        )
    )
    if tg.note:
        console.print("  " + t("target_note", lang, note=tg.note[lang]))
    if v is not None:
        console.print("  " + verdict_text(v, lang))


def ex_unit(ex: Explanation, lang: str) -> str:
    from analysis.catalogue import load_catalogue

    cat = load_catalogue()
    return cat.units[cat[ex.indicator].unit][f"label_{lang}"]


def _why(v, lang: str) -> str:
    if v.reason.startswith("required_over_3x"):
        return t(
            "why_required_pace",
            lang,
            required=fmt_number(v.required_per_year, lang, 2, signed=True),
            best=fmt_number(v.best_pace, lang, 2, signed=True),
        )
    return t(
        f"why_{v.reason}",
        lang,
        n=v.series_points or 0,
        series=series_label(v.series, lang),
        last=fmt_number(v.last_value, lang, 1),
        last_year=v.last_year,
    )


def verdict_text(v, lang: str) -> str:
    """One sentence for a trends.Verdict."""
    if v.status in ("out_of_reach", "insufficient_data"):
        return t(f"verdict_{v.status}", lang, why=_why(v, lang))
    return t(
        f"verdict_{v.status}",
        lang,
        last=fmt_number(v.last_value, lang, 1),
        last_year=v.last_year,
        projected=fmt_number(v.projected[0], lang, 1) if v.projected else "–",
        year=v.target_year,
        required=fmt_number(v.required_per_year, lang, 2, signed=True),
        slope=fmt_number(v.current_slope, lang, 2, signed=True),
        series=series_label(v.series, lang),
        target_series=series_label(v.target_series, lang),
    )
