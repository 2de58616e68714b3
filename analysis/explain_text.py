"""An explanation as text in the terminal (Bahasa Indonesia or English, from strings.yaml)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from analysis.explain import Context, Explanation
from analysis.i18n import fmt_number, t


def print_explanation(ex: Explanation, ctx: Context, lang: str, console: Console) -> None:
    cat = ctx.catalogue
    ind = cat[ex.indicator]
    unit = cat.units[ind.unit][f"label_{lang}"]
    label = ind.label(lang)
    console.print(f"[bold]{ex.district.name}[/] ({ex.district.province}) — {label}")
    if ex.latest:
        console.print(
            t(
                "latest_value",
                lang,
                value=fmt_number(ex.latest["value"], lang, 2),
                unit=unit,
                year=ex.latest["year"],
                source=ex.latest["source"],
            )
        )
    else:
        console.print(t("no_data", lang))
    d = ex.decomposition
    if d is None:
        console.print(t("not_in_sample", lang, reason=ex.decomposition_error))
    else:
        ref_label = t(f"reference_{ex.reference}", lang)
        title = t(
            "gap_title",
            lang,
            indicator=label,
            district=ex.district.name,
            year=d.year,
            reference=ref_label,
        )
        console.print(f"\n[bold]{title}[/]")
        console.print(
            f"  {t('district_value', lang)}: {fmt_number(d.district_value, lang, 2)} {unit}"
        )
        console.print(
            f"  {t('reference_value', lang, n=d.reference_n)}: "
            f"{fmt_number(d.reference_value, lang, 2)} {unit}"
        )
        console.print(
            f"  {t('gap', lang)}: {fmt_number(d.gap, lang, 2, signed=True)} {unit}  "
            f"= {t('explained_by', lang)} {fmt_number(d.explained, lang, 2, signed=True)}"
            f" + {t('unexplained', lang)} {fmt_number(d.unexplained, lang, 2, signed=True)}"
        )
        for ref, g in ex.gaps.items():
            if ref != ex.reference and "gap" in g:
                console.print(
                    f"  ({t('gap', lang)} — {t(f'reference_{ref}', lang)}: "
                    f"{fmt_number(g['gap'], lang, 2, signed=True)} {unit}, "
                    f"{t('reference_value', lang, n=g['reference_n'])} "
                    f"{fmt_number(g['reference_value'], lang, 2)})"
                )
        table = Table(title=t("contributions_title", lang), title_justify="left")
        for col in (
            "col_driver",
            "col_contribution",
            "col_interval",
            "col_district",
            "col_reference",
            "col_effect",
            "col_opd",
        ):
            table.add_column(t(col, lang))
        for c in d.contributions:
            driver = cat[c.driver]
            table.add_row(
                driver.label(lang),
                fmt_number(c.value, lang, 2, signed=True),
                f"{fmt_number(c.ci_low, lang, 2)} … {fmt_number(c.ci_high, lang, 2)}",
                fmt_number(c.district_value, lang, 2),
                fmt_number(c.reference_value, lang, 2),
                t("worsens" if c.worsens else "improves", lang)
                + ("" if c.certain else f" ({t('uncertain', lang)})"),
                cat.opds[c.opd].label_id if lang == "id" else cat.opds[c.opd].label_en,
            )
        table.add_row(
            t("unexplained", lang),
            fmt_number(d.unexplained, lang, 2, signed=True),
            "",
            "",
            "",
            "",
            "",
        )
        console.print(table)
    if ex.model is not None:
        console.print(
            t(
                "model_line",
                lang,
                year=ex.model.year,
                n=ex.model.n,
                r2=fmt_number(ex.model.r2, lang, 2),
            )
        )
        for w in ex.model.warnings:
            console.print(
                "  "
                + t(f"warning_{w['code']}", lang, **{k: v for k, v in w.items() if k != "code"})
            )
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
    else:
        dev = Table(title=t("deviants_title", lang), title_justify="left")
        for col in ("col_district", "col_value", "col_advantage", "col_differs"):
            dev.add_column(t(col, lang))
        for r in ex.deviants.itertuples(index=False):
            differs = "; ".join(
                f"{cat[x['driver']].label(lang)}: {fmt_number(x['deviant_value'], lang, 1)} vs "
                f"{fmt_number(x['district_value'], lang, 1)}"
                for x in (r.differs or [])
            )
            dev.add_row(
                r.name,
                fmt_number(r.value, lang, 2),
                fmt_number(r.advantage, lang, 2, signed=True),
                differs,
            )
        console.print(dev)
    console.print(f"\n[bold]{t('trend_title', lang)}[/]")
    print_trend(ex, lang, console)
    if ex.ranks:
        console.print(t("rank_line", lang, **ex.ranks))


def print_trend(ex: Explanation, lang: str, console: Console) -> None:
    tr = ex.trend
    if tr is None or tr.n_years < 2:
        console.print(t("trend_none", lang, n=0 if tr is None else tr.n_years))
        return
    if tr.slope_ci_low is None:
        console.print(
            t(
                "trend_short",
                lang,
                first=tr.first_year,
                last=tr.last_year,
                slope=fmt_number(tr.slope, lang, 2, signed=True),
                n=tr.n_years,
            )
        )
    else:
        console.print(
            t(
                "trend_line",
                lang,
                first=tr.first_year,
                last=tr.last_year,
                slope=fmt_number(tr.slope, lang, 2, signed=True),
                low=fmt_number(tr.slope_ci_low, lang, 2),
                high=fmt_number(tr.slope_ci_high, lang, 2),
                n=tr.n_years,
            )
        )
    print_target(ex, lang, console)


def print_target(ex: Explanation, lang: str, console: Console) -> None:
    tg, v = ex.target, ex.verdict
    if tg is None:
        console.print(t("target_none", lang))
        return
    unit = ex_unit(ex, lang)
    console.print(
        t(
            "target_line",
            lang,
            value=fmt_number(tg.value, lang, 1),
            unit=unit,
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


def verdict_text(v, lang: str) -> str:
    """One sentence for a trends.Verdict."""
    if v.status == "out_of_reach":
        if v.reason.startswith("required_over_3x"):
            why = t(
                "why_required_pace",
                lang,
                required=fmt_number(v.required_per_year, lang, 2, signed=True),
                best=fmt_number(v.best_pace, lang, 2, signed=True),
            )
        else:
            why = t(f"why_{v.reason}", lang)
        return t("verdict_out_of_reach", lang, why=why)
    return t(
        f"verdict_{v.status}",
        lang,
        last=fmt_number(v.last_value, lang, 1),
        last_year=v.last_year,
        projected=fmt_number(v.projected[0], lang, 1) if v.projected else "–",
        year=v.target_year,
        required=fmt_number(v.required_per_year, lang, 2, signed=True),
        slope=fmt_number(v.current_slope, lang, 2, signed=True),
    )
