"""The district report's sections. The notebook (notebooks/district_report.py) only calls these.

Every number comes from the processed panel or the stored models through `analysis.explain`;
nothing is fitted here, and a missing indicator is said to be missing, never estimated.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402

from analysis.catalogue import PIP_INDICATORS  # noqa: E402
from analysis.explain import Context, Explanation, explain  # noqa: E402
from analysis.i18n import fmt_number, t  # noqa: E402
from analysis.maps import province_map  # noqa: E402
from analysis.panel import read_version_file, software_versions  # noqa: E402
from analysis.paths import PROCESSED_DIR  # noqa: E402
from analysis.report.html import (  # noqa: E402
    Section,
    download_csv,
    download_xlsx,
    figure,
    table,
    tag,
)

table_html = table  # `table` is shadowed by locals of that name in some sections
from analysis.sources import all_sources, source_table  # noqa: E402

COLORS = {
    "district": "#0b6e4f",
    "province": "#d08c00",
    "national": "#5b6b76",
    "worsens": "#b3261e",
    "improves": "#1b7f3b",
    "unexplained": "#9aa5ad",
}
QUALITY_INDICATORS = (
    *PIP_INDICATORS,
    "stunting_routine",
    "poverty_rate",
    "water_access",
    "sanitation_access",
    "mean_schooling",
    "grdp_per_capita",
    "jkn_coverage",
)


@dataclass
class DistrictReport:
    ctx: Context
    district_code: str
    lang: str
    reference: str
    parameters: dict[str, Any]
    explanations: dict[str, Explanation] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        district: str,
        *,
        lang: str = "id",
        reference: str = "national",
        targets_file: str | None = None,
        processed_dir: str | None = None,
        spm_file: str | None = None,
        units_file: str | None = None,
    ) -> DistrictReport:
        folder = Path(processed_dir) if processed_dir else PROCESSED_DIR
        targets = (Path(targets_file),) if targets_file else ()
        ctx = Context.load(folder, targets)
        code = ctx.registry.resolve(district).code
        report = cls(
            ctx,
            code,
            lang,
            reference,
            {
                "district": district,
                "lang": lang,
                "reference": reference,
                "targets_file": targets_file,
                "processed_dir": processed_dir,
                "spm_file": spm_file,
                "units_file": units_file,
            },
        )
        report.explanations = {ind: explain(ctx, code, ind, reference) for ind in PIP_INDICATORS}
        return report

    # -- helpers ---------------------------------------------------------------------------
    @property
    def district(self):
        return self.ctx.registry.get(self.district_code)

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def num(self, value, digits: int = 1, signed: bool = False) -> str:
        return fmt_number(value, self.lang, digits, signed)

    def label(self, indicator: str) -> str:
        return self.ctx.catalogue[indicator].label(self.lang)

    def unit(self, indicator: str) -> str:
        return self.ctx.catalogue.units[self.ctx.catalogue[indicator].unit][f"label_{self.lang}"]

    def gap_unit(self, indicator: str) -> str:
        unit = self.ctx.catalogue[indicator].unit
        return self.t("points") if unit == "percent" else self.unit(indicator)

    def opd(self, key: str | None) -> str:
        if key is None:  # context (density, GRDP, kota, province): no OPD owns it
            return self.t("context_no_opd")
        opd = self.ctx.catalogue.opds[key]
        return opd.label_id if self.lang == "id" else opd.label_en

    def series(self, indicator: str, codes: list[str] | None = None) -> pd.DataFrame:
        rows = self.ctx.preferred[self.ctx.preferred["indicator"] == indicator]
        return rows if codes is None else rows[rows["district_code"].isin(codes)]

    def province_codes(self) -> list[str]:
        return [d.code for d in self.ctx.registry if d.province_code == self.district.province_code]

    # -- sections --------------------------------------------------------------------------
    def header(self) -> Section:
        d = self.district
        html = (
            tag("h1", escape(self.t("report_title", district=d.name)))
            + tag(
                "p",
                escape(
                    self.t("report_subtitle", province=d.province, date=date.today().isoformat())
                ),
                class_="subtitle",
            )
            + tag("p", escape(self.t("methods_caveat")), class_="caveat")
        )
        return Section(html)

    def summary(self) -> Section:
        messages = []
        ranked = []
        for ind, ex in self.explanations.items():
            if ex.ranks:
                ranked.append((ex.ranks["rank_national"] / ex.ranks["n_national"], ind, ex.ranks))
        if ranked:
            _, ind, r = max(ranked)
            messages.append(
                self.t(
                    "msg_weakest",
                    label=escape(self.label(ind)),
                    rank=r["rank_national"],
                    n=r["n_national"],
                    year=r["year"],
                )
            )
        for ind, ex in self.explanations.items():
            dec = ex.decomposition
            if dec is not None:
                messages.append(
                    str(
                        escape(
                            self.t(
                                "msg_gap",
                                label=self.label(ind),
                                value=self.num(dec.district_value, 1),
                                unit=self.unit(ind),
                                year=dec.year,
                                gap=self.num(dec.gap, 1, signed=True),
                                gap_unit=self.gap_unit(ind),
                                reference=self.t(f"reference_{dec.reference}"),
                            )
                        )
                    )
                )
        # only causes that matter: at least 5 % of the gap they belong to
        roots = [
            r
            for r in self.root_cause_rows(certain_only=True)
            if abs(r["contribution"])
            >= 0.05 * abs(self.explanations[r["indicator"]].decomposition.gap)
        ]
        if roots:
            items = "; ".join(
                self.t(
                    "msg_root_item",
                    driver=r["driver_label"],
                    indicator=r["indicator_label"],
                    contribution=self.num(r["contribution"], 2, signed=True),
                    gap_unit=r["gap_unit"],
                    opd=r["opd_label"],
                )
                for r in roots[:3]
            )
            messages.append(str(escape(self.t("msg_root", items=items))))
        else:
            messages.append(str(escape(self.t("msg_root_none"))))
        mostly = [
            self.label(i)
            for i, ex in self.explanations.items()
            if ex.decomposition
            and abs(ex.decomposition.unexplained) > abs(ex.decomposition.explained)
        ]
        if mostly:
            messages.append(str(escape(self.t("msg_unexplained", labels=", ".join(mostly)))))
        verdicts = [
            f"{self.label(i)}: {self.t('status_' + ex.verdict.status)}"
            for i, ex in self.explanations.items()
            if ex.verdict is not None
        ]
        if verdicts:
            messages.append(str(escape(self.t("msg_targets", items="; ".join(verdicts)))))
        missing = [self.label(i) for i, ex in self.explanations.items() if ex.latest is None]
        if missing:
            messages.append(str(escape(self.t("msg_missing", labels=", ".join(missing)))))
        items = "".join(f"<li>{m}</li>" for m in messages[:6])
        return Section(
            tag("h2", escape(self.t("sec_summary"))) + Markup(f'<ul class="messages">{items}</ul>')
        )

    def coverage(self) -> pd.DataFrame:
        """Years and every source (not only the preferred one) with usable values, for the PIP
        indicators, the main drivers and anything the district imported itself."""
        from analysis.imports import registered

        panel = self.own_rows[self.own_rows["flag"] == ""]
        own = {imp.id for imp in registered()}
        extra = sorted(
            set(panel.loc[panel["source"].isin(own), "indicator"]) - set(QUALITY_INDICATORS)
        )
        rows = []
        for ind in (*QUALITY_INDICATORS, *extra):
            mine = panel[panel["indicator"] == ind]
            rows.append(
                {
                    "indicator": ind,
                    "label": self.label(ind),
                    "years": sorted(set(mine["year"].astype(int).tolist())),
                    "sources": sorted(mine["source"].unique().tolist()),
                }
            )
        return pd.DataFrame(rows)

    def data_quality(self) -> Section:
        cov = self.coverage()
        years = sorted({y for ys in cov["years"] for y in ys})
        years = [y for y in years if y >= 2015] or years
        grid = pd.DataFrame(
            {
                self.t("col_indicator"): cov["label"],
                **{str(y): ["✓" if y in ys else "–" for ys in cov["years"]] for y in years},
                self.t("col_source"): [", ".join(s) or self.t("no_data") for s in cov["sources"]],
                self.t("col_latest"): [
                    str(max(ys)) if ys else self.t("no_data") for ys in cov["years"]
                ],
            }
        )
        quarantine = pd.read_csv(
            self.ctx_processed / "quarantine.csv", dtype=str, keep_default_na=False
        )
        mine_q = quarantine[quarantine["district_code"] == self.district_code]
        flagged = self.flagged_values()
        notes = []
        if len(mine_q):
            notes.append(self.t("quality_quarantine", n=len(mine_q)))
        if len(flagged):
            notes.append(self.t("quality_flagged", n=len(flagged)))
        if not notes:
            notes.append(self.t("quality_none_rejected"))
        notes.extend(self.own_table_choices())
        routine = self.series("stunting_routine", [self.district_code]).sort_values("year")
        routine_text = ", ".join(
            f"{int(r.year)}: {self.num(r.value, 1)} % ({r.source})" for r in routine.itertuples()
        ) or self.t("none")
        rejected = pd.concat(
            [
                mine_q.assign(kind=mine_q["reason_code"])[
                    ["indicator", "year", "source", "reason"]
                ],
                flagged[["indicator", "year", "source", "flag_detail"]]
                .rename(columns={"flag_detail": "reason"})
                .astype(str),
            ],
            ignore_index=True,
        )
        rejected_table = rejected.rename(
            columns={
                "indicator": self.t("col_indicator"),
                "year": self.t("col_year"),
                "source": self.t("col_source"),
                "reason": self.t("col_reason"),
            }
        )
        html = (
            tag("h2", escape(self.t("sec_quality")))
            + tag("p", escape(self.t("quality_intro", district=self.district.name)))
            + table(grid, css="data coverage")
            + download_csv(grid, f"{self.district_code}_coverage.csv", self.t("download_csv"))
            + Markup("".join(str(tag("p", escape(n))) for n in notes))
            + (table(rejected_table.head(30)) if len(rejected_table) else "")
            + tag("p", escape(self.t("quality_stunting", routine=routine_text)), class_="note")
        )
        return Section(html)

    @property
    def ctx_processed(self) -> Path:
        return Path(self.parameters.get("processed_dir") or PROCESSED_DIR)

    @cached_property
    def own_rows(self) -> pd.DataFrame:
        """Every panel row of this district, flagged ones included (read once per report)."""
        from analysis.panel import load_panel

        panel = load_panel(self.ctx_processed, include_flagged=True)
        return panel[panel["district_code"] == self.district_code]

    def own_table_choices(self) -> list[str]:
        """Where a district's own table and another source both gave a value: which one the
        report uses and why, with the other beside it (data/processed/value_choices.csv)."""
        path = self.ctx_processed / "value_choices.csv"
        if not path.exists():
            return []
        choices = pd.read_csv(path, dtype={"district_code": str}, keep_default_na=False)
        mine = choices[(choices["district_code"] == self.district_code) & choices["involves_own"]]
        lines = []
        for r in mine.itertuples(index=False):
            key = {
                "own_authoritative": "choice_own_authoritative",
                "other_set_aside": "choice_own_other_set_aside",
            }.get(r.rule, "choice_official" if r.used_kind == "official" else "choice_none")
            lines.append(
                self.t(
                    key,
                    indicator=self.label(r.indicator),
                    year=r.year,
                    used=r.used_source,
                    used_value=self.num(float(r.used_value or "nan"), 1),
                    other=r.other_source,
                    other_value=self.num(float(r.other_value), 1),
                    why=r.declared_reason,
                )
            )
        return lines

    def flagged_values(self) -> pd.DataFrame:
        return self.own_rows[self.own_rows["flag"] != ""]

    def cards(self) -> Section:
        cards = []
        for ind, ex in self.explanations.items():
            title = tag("h3", escape(self.label(ind)))
            if ex.latest is None:
                last = self.series(ind)["year"].max()
                body = tag("div", escape(self.t("no_data")), class_="value") + tag(
                    "p", escape(self.t(f"fill_hint_{ind}", last=last)), class_="note"
                )
                cards.append(tag("div", title + body, class_="card missing"))
                continue
            rows = [
                (self.t("card_year"), str(ex.latest["year"])),
                (self.t("card_source"), ex.latest["source"]),
            ]
            if ex.trend is not None and ex.trend.slope is not None:
                rows.append(
                    (
                        self.t("card_trend"),
                        f"{self.num(ex.trend.slope, 2, signed=True)} "
                        f"{self.t('per_year')} ({ex.trend.first_year}–{ex.trend.last_year})",
                    )
                )
            if ex.ranks:
                r = ex.ranks
                rows.append(
                    (
                        self.t("card_rank_province"),
                        f"{r['rank_province']} {self.t('of')} {r['n_province']} ({r['year']})",
                    )
                )
                rows.append(
                    (
                        self.t("card_rank_national"),
                        f"{r['rank_national']} {self.t('of')} {r['n_national']}",
                    )
                )
            status = ""
            if ex.target is not None:
                rows.append(
                    (
                        self.t("card_target"),
                        f"{self.num(ex.target.value, 1)} ({ex.target.year}, "
                        f"{self.t('target_scope_' + ex.target.scope).split(',')[0]})",
                    )
                )
                rows.append(
                    (
                        self.t("card_gap_target"),
                        self.num(ex.latest["value"] - ex.target.value, 1, signed=True)
                        + " "
                        + self.gap_unit(ind),
                    )
                )
            if ex.verdict is not None:
                status = tag(
                    "span",
                    escape(self.t("status_" + ex.verdict.status)),
                    class_=f"status {ex.verdict.status}",
                )
            dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
            value = tag(
                "div",
                escape(self.num(ex.latest["value"], 1))
                + " "
                + tag("span", escape(self.unit(ind)), class_="unit"),
                class_="value",
            )
            cards.append(
                tag("div", title + value + status + Markup(f"<dl>{dl}</dl>"), class_="card")
            )
        return Section(
            tag("h2", escape(self.t("sec_cards")))
            + Markup('<div class="cards">' + "".join(map(str, cards)) + "</div>")
        )

    def trend_table(self) -> pd.DataFrame:
        rows = []
        prov = set(self.province_codes())
        for ind in PIP_INDICATORS:
            data = self.series(ind)
            if data.empty:
                continue
            nat = data.groupby("year")["value"].median()
            pro = data[data["district_code"].isin(prov)].groupby("year")["value"].median()
            mine = data[data["district_code"] == self.district_code].set_index("year")["value"]
            for year in sorted(nat.index):
                rows.append(
                    {
                        "indicator": ind,
                        "year": int(year),
                        "district": mine.get(year),
                        "province_median": pro.get(year),
                        "national_median": nat.get(year),
                    }
                )
        return pd.DataFrame(rows)

    def trends(self) -> Section:
        data = self.trend_table()
        fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
        for ax, ind in zip(axes.flat, PIP_INDICATORS, strict=True):
            part = data[data["indicator"] == ind]
            ax.set_title(self.label(ind), fontsize=10)
            if part.empty:
                empty_panel(ax, self.t("no_data"))
                continue
            ax.plot(
                part["year"],
                part["national_median"],
                ls="--",
                color=COLORS["national"],
                label=self.t("legend_national"),
                marker=".",
            )
            ax.plot(
                part["year"],
                part["province_median"],
                ls="--",
                color=COLORS["province"],
                label=self.t("legend_province"),
                marker=".",
            )
            mine = part.dropna(subset=["district"])
            ax.plot(
                mine["year"],
                mine["district"],
                lw=2.6,
                color=COLORS["district"],
                label=self.t("legend_district"),
                marker="o",
            )
            ax.set_ylabel(self.unit(ind), fontsize=9)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
        axes.flat[0].legend(fontsize=8, loc="best")
        fig.tight_layout()
        html = (
            tag("h2", escape(self.t("sec_trends")))
            + figure(
                fig, self.t("sec_trends"), self.t("trend_caption", district=self.district.name)
            )
            + download_csv(data, f"{self.district_code}_trends.csv", self.t("download_csv"))
        )
        plt.close(fig)
        return Section(html)

    def maps(self) -> Section:
        codes = self.province_codes()
        fig, axes = plt.subplots(2, 2, figsize=(11, 8.2))
        rows = []
        for ax, ind in zip(axes.flat, PIP_INDICATORS, strict=True):
            data = self.series(ind, codes)
            year = int(data["year"].max()) if not data.empty else None
            values = (
                data[data["year"] == year].set_index("district_code")["value"]
                if year
                else pd.Series(dtype=float)
            )
            province_map(
                codes,
                values,
                highlight=self.district_code,
                reverse=self.ctx.catalogue[ind].direction == "lower",
                legend_label=self.unit(ind),
                missing_label=self.t("no_data"),
                ax=ax,
            )
            ax.set_title(f"{self.label(ind)} ({year or self.t('no_data')})", fontsize=10)
            rows += [
                {
                    "indicator": ind,
                    "year": year,
                    "district_code": c,
                    "district": self.ctx.registry.get(c).name,
                    "value": values.get(c),
                }
                for c in codes
            ]
        fig.tight_layout()
        html = (
            tag("h2", escape(self.t("sec_maps")))
            + figure(
                fig,
                self.t("sec_maps"),
                self.t("map_caption", province=self.district.province, district=self.district.name),
            )
            + download_csv(
                pd.DataFrame(rows), f"{self.district_code}_maps.csv", self.t("download_csv")
            )
        )
        plt.close(fig)
        return Section(html)

    def root_causes(self) -> Section:
        parts = [
            str(tag("h2", escape(self.t("sec_root")))),
            str(
                tag(
                    "p",
                    escape(
                        self.t(
                            "root_intro",
                            district=self.district.name,
                            reference=self.t(f"reference_{self.reference}"),
                        )
                    ),
                )
            ),
        ]
        for ind, ex in self.explanations.items():
            parts.append(str(tag("h3", escape(self.label(ind)))))
            dec = ex.decomposition
            if dec is None:
                parts.append(
                    str(
                        tag(
                            "p",
                            escape(self.t("not_in_sample", reason=ex.decomposition_error)),
                            class_="note",
                        )
                    )
                )
                continue
            parts.append(
                str(
                    tag(
                        "p",
                        escape(
                            f"{self.t('district_value')}: {self.num(dec.district_value, 2)} "
                            f"{self.unit(ind)}"
                            f" ({dec.year}) · {self.t('reference_value', n=dec.reference_n)}: "
                            f"{self.num(dec.reference_value, 2)} · {self.t('gap')}: "
                            f"{self.num(dec.gap, 2, signed=True)} {self.gap_unit(ind)} = "
                            f"{self.t('explained_by')} {self.num(dec.explained, 2, signed=True)} + "
                            f"{self.t('unexplained')} {self.num(dec.unexplained, 2, signed=True)}"
                        ),
                    )
                )
            )
            frame = self.decomposition_frame(ind)
            parts.append(str(self.decomposition_chart(ind, frame)))
            shown = pd.DataFrame(
                {
                    self.t("col_driver"): frame["driver_label"],
                    self.t("col_contribution"): [
                        self.num(v, 2, signed=True) for v in frame["contribution"]
                    ],
                    self.t("col_interval"): [
                        f"{self.num(lo, 2)} … {self.num(hi, 2)}"
                        for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
                    ],
                    self.t("col_district"): [self.num(v, 2) for v in frame["district_value"]],
                    self.t("col_reference"): [self.num(v, 2) for v in frame["reference_value"]],
                    self.t("col_effect"): [
                        f'<span class="{"worsens" if w else "improves"}">'
                        f"{escape(self.t('worsens' if w else 'improves'))}</span>"
                        + (
                            ""
                            if c
                            else f' <span class="muted">({escape(self.t("uncertain"))})</span>'
                        )
                        for w, c in zip(frame["worsens"], frame["certain"], strict=True)
                    ],
                    self.t("col_opd"): frame["opd_label"],
                }
            )
            parts.append(
                str(
                    table(
                        shown,
                        numeric=[
                            self.t("col_contribution"),
                            self.t("col_district"),
                            self.t("col_reference"),
                        ],
                        raw_html=[self.t("col_effect")],
                    )
                )
            )
            parts.append(
                str(
                    download_csv(
                        frame, f"{self.district_code}_{ind}_root_causes.csv", self.t("download_csv")
                    )
                )
            )
            model = ex.model
            parts.append(
                str(
                    tag(
                        "p",
                        escape(
                            self.t(
                                "model_line", year=model.year, n=model.n, r2=self.num(model.r2, 2)
                            )
                        ),
                        class_="note",
                    )
                )
            )
            for w in model.warnings:
                parts.append(
                    str(
                        tag(
                            "p",
                            escape(
                                self.t(
                                    f"warning_{w['code']}",
                                    **{k: v for k, v in w.items() if k != "code"},
                                )
                            ),
                            class_="warning",
                        )
                    )
                )
        return Section("".join(parts))

    def decomposition_frame(self, indicator: str) -> pd.DataFrame:
        dec = self.explanations[indicator].decomposition
        frame = dec.to_frame().rename(columns={"value": "contribution"})
        frame["driver_label"] = [self.label(d) for d in frame["driver"]]
        frame["opd_label"] = [self.opd(o) for o in frame["opd"]]
        frame.insert(0, "indicator", indicator)
        return frame

    def decomposition_chart(self, indicator: str, frame: pd.DataFrame) -> Markup:
        dec = self.explanations[indicator].decomposition
        labels = [*frame["driver_label"], self.t("unexplained")]
        values = [*frame["contribution"], dec.unexplained]
        colors = [COLORS["worsens"] if w else COLORS["improves"] for w in frame["worsens"]]
        colors.append(COLORS["unexplained"])
        fig, ax = plt.subplots(figsize=(9, 0.42 * len(labels) + 1.2))
        y = list(range(len(labels)))[::-1]
        ax.barh(y, values, color=colors)
        low = [*frame["contribution"] - frame["ci_low"], 0]
        high = [*frame["ci_high"] - frame["contribution"], 0]
        ax.errorbar(
            values[:-1],
            y[:-1],
            xerr=[low[:-1], high[:-1]],
            fmt="none",
            ecolor="#1d2a33",
            elinewidth=1,
            capsize=3,
        )
        ax.axvline(0, color="#1d2a33", lw=0.8)
        ax.set_yticks(y, labels, fontsize=8.5)
        ax.set_xlabel(f"{self.t('col_contribution')} ({self.gap_unit(indicator)})", fontsize=9)
        ax.set_title(
            f"{self.t('gap')}: {self.num(dec.gap, 2, signed=True)} {self.gap_unit(indicator)}",
            fontsize=10,
        )
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        html = figure(
            fig,
            self.label(indicator),
            self.t("root_chart_caption", gap_unit=self.gap_unit(indicator)),
        )
        plt.close(fig)
        return html

    def peers(self) -> Section:
        first = next(iter(self.explanations.values()))
        codes = first.peers["district_code"].tolist()
        latest = {}
        for ind in PIP_INDICATORS:
            data = self.series(ind, [self.district_code, *codes]).sort_values("year")
            latest[ind] = data.drop_duplicates("district_code", keep="last").set_index(
                "district_code"
            )
        rows = []
        for code in [self.district_code, *codes]:
            d = self.ctx.registry.get(code)
            row = {self.t("col_district"): f"{d.name} ({d.province})"}
            for ind in PIP_INDICATORS:
                v = latest[ind]["value"].get(code)
                y = latest[ind]["year"].get(code)
                row[self.label(ind)] = f"{self.num(v, 1)} ({int(y)})" if v is not None else "–"
            rows.append(row)
        frame = pd.DataFrame(rows)
        parts = [
            str(tag("h2", escape(self.t("sec_peers")))),
            str(tag("p", escape(self.t("peers_intro")))),
            str(table(frame, numeric=[self.label(i) for i in PIP_INDICATORS])),
            str(download_csv(frame, f"{self.district_code}_peers.csv", self.t("download_csv"))),
        ]
        for ind, ex in self.explanations.items():
            if ex.deviants.empty:
                continue
            parts.append(str(tag("h3", escape(self.t("deviants_for", indicator=self.label(ind))))))
            dev = pd.DataFrame(
                {
                    self.t("col_district"): ex.deviants["name"],
                    self.t("col_value"): [self.num(v, 1) for v in ex.deviants["value"]],
                    self.t("col_advantage"): [
                        self.num(v, 1, signed=True) for v in ex.deviants["advantage"]
                    ],
                    self.t("col_differs"): [
                        "; ".join(
                            f"{self.label(x['driver'])}: {self.num(x['deviant_value'], 1)} vs "
                            f"{self.num(x['district_value'], 1)}"
                            for x in (diffs or [])
                        )
                        for diffs in ex.deviants.get("differs", [None] * len(ex.deviants))
                    ],
                }
            )
            parts.append(str(table(dev, numeric=[self.t("col_value"), self.t("col_advantage")])))
        return Section("".join(parts))

    def targets(self) -> Section:
        parts = [str(tag("h2", escape(self.t("sec_targets"))))]
        fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
        rows = []
        for ax, (ind, ex) in zip(axes.flat, self.explanations.items(), strict=True):
            ax.set_title(self.label(ind), fontsize=10)
            tr = ex.trend
            if tr is None:
                empty_panel(ax, self.t("no_data"))
                continue
            ax.plot(tr.years, tr.values, "o", color=COLORS["district"])
            end = ex.target.year if ex.target else tr.last_year + 3
            end = max(end, tr.last_year)
            if tr.n_years >= 2:
                xs = list(range(tr.first_year, end + 1))
                # a straight line leaves the indicator's range (a % above 100): cut it there
                lo, hi = self.ctx.catalogue[ind].lower, self.ctx.catalogue[ind].upper

                def clip(v, lo=lo, hi=hi):
                    return None if v is None else min(max(v, lo), hi)

                proj = [tuple(clip(v) for v in tr.project(x)) for x in xs]
                ax.plot(xs, [p[0] for p in proj], color=COLORS["district"], lw=1.4)
                if tr.n_years >= 3:
                    ax.fill_between(
                        xs,
                        [p[1] for p in proj],
                        [p[2] for p in proj],
                        color=COLORS["district"],
                        alpha=0.12,
                    )
            if ex.target is not None:
                ax.plot(
                    [ex.target.year], [ex.target.value], marker="*", ms=14, color=COLORS["province"]
                )
            ax.set_ylabel(self.unit(ind), fontsize=9)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            verdict = ex.verdict
            rows.append(
                {
                    self.t("col_indicator"): self.label(ind),
                    self.t("card_trend"): (
                        f"{self.num(tr.slope, 2, signed=True)} {self.t('per_year')}"
                        if tr.slope is not None
                        else "–"
                    ),
                    self.t("card_target"): (
                        f"{self.num(ex.target.value, 1)} ({ex.target.year}) — "
                        f"{ex.target.source_document}"
                        if ex.target
                        else self.t("status_no_target")
                    ),
                    "Status": self.t("status_" + verdict.status) if verdict else "–",
                    self.t("target_note", note="").rstrip(": "): (
                        ex.target.note[self.lang] if ex.target and ex.target.note else ""
                    ),
                }
            )
        fig.tight_layout()
        parts.append(str(figure(fig, self.t("sec_targets"), self.t("target_caption"))))
        plt.close(fig)
        parts.append(str(table(pd.DataFrame(rows))))
        for ex in self.explanations.values():
            if ex.verdict is not None:
                from analysis.explain_text import verdict_text

                parts.append(
                    str(
                        tag(
                            "p",
                            escape(
                                f"{self.label(ex.indicator)} — "
                                + verdict_text(ex.verdict, self.lang)
                            ),
                        )
                    )
                )
        return Section("".join(parts))

    def spm(self) -> Section:
        """SPM kesehatan achievement, when the district's table was given (--spm)."""
        from analysis.spm import load_services, read_spm

        parts = [str(tag("h2", escape(self.t("sec_spm"))))]
        spm_file = self.parameters.get("spm_file")
        if not spm_file:
            parts.append(str(tag("p", escape(self.t("spm_none")), class_="note")))
            return Section("".join(parts))
        table = read_spm(Path(spm_file), self.ctx.registry)
        mine = table.for_district(self.district_code)
        if mine.empty:
            parts.append(str(tag("p", escape(self.t("spm_none")), class_="note")))
        else:
            services = load_services()
            label = "label_id" if self.lang == "id" else "label_en"
            mine = mine.assign(name=[services[s][label] for s in mine["service"]])
            lagging = mine[mine["percent"] < 100]
            parts.append(
                str(
                    tag(
                        "p",
                        escape(
                            self.t(
                                "spm_intro",
                                year=int(mine["year"].iloc[0]),
                                file=Path(spm_file).name,
                                n_lag=len(lagging),
                                n=len(mine),
                            )
                        ),
                    )
                )
            )
            if len(lagging):
                parts.append(
                    str(
                        tag(
                            "p",
                            escape(
                                self.t(
                                    "spm_lagging",
                                    items="; ".join(
                                        f"{r.name} ({self.num(r.percent, 1)} %)"
                                        for r in lagging.head(3).itertuples()
                                    ),
                                )
                            ),
                        )
                    )
                )
            fig, ax = plt.subplots(figsize=(9, 0.38 * len(mine) + 1.0))
            ordered = mine.sort_values("percent", ascending=False)
            colors = [
                COLORS["improves"] if p >= 100 else COLORS["worsens"] for p in ordered["percent"]
            ]
            ax.barh(ordered["name"], ordered["percent"], color=colors)
            ax.axvline(100, color="#1d2a33", lw=1, ls="--")
            ax.set_xlabel(self.t("col_achievement") + " (%)", fontsize=9)
            ax.tick_params(labelsize=8.5)
            ax.grid(axis="x", alpha=0.3)
            fig.tight_layout()
            parts.append(str(figure(fig, self.t("sec_spm"))))
            plt.close(fig)
            shown = pd.DataFrame(
                {
                    self.t("col_service"): mine["name"],
                    self.t("col_target_population"): [
                        self.num(v, 0) for v in mine["target_population"]
                    ],
                    self.t("col_served"): [self.num(v, 0) for v in mine["served"]],
                    self.t("col_achievement"): [self.num(v, 1) + " %" for v in mine["percent"]],
                }
            )
            parts.append(str(table_html(shown, numeric=list(shown.columns[1:]))))
            parts.append(
                str(download_csv(mine, f"{self.district_code}_spm.csv", self.t("download_csv")))
            )
        if len(table.problems):
            parts.append(str(tag("p", escape(self.t("spm_problems", n=len(table.problems))))))
            parts.append(
                str(
                    table_html(
                        table.problems.rename(
                            columns={
                                "row": self.t("col_row"),
                                "column": self.t("col_column"),
                                "reason": self.t("col_reason"),
                            }
                        )
                    )
                )
            )
        return Section("".join(parts))

    def within_district(self) -> Section:
        """Kecamatan / puskesmas ranking and spread, when the district's table was given."""
        from analysis.subdistrict import read_units, unit_summary

        parts = [str(tag("h2", escape(self.t("sec_units"))))]
        units_file = self.parameters.get("units_file")
        if not units_file:
            parts.append(str(tag("p", escape(self.t("units_none")), class_="note")))
            return Section("".join(parts))
        units = read_units(Path(units_file), self.ctx.registry, self.ctx.catalogue)
        mine = units.rows[units.rows["district_code"] == self.district_code]
        if mine.empty:
            parts.append(str(tag("p", escape(self.t("units_none")), class_="note")))
        for indicator in sorted(mine["indicator"].unique()):
            ind = self.ctx.catalogue[indicator]
            ranked, spread = unit_summary(mine, indicator, ind.direction)
            low = ", ".join(ranked.loc[ranked["pulls_down"], "unit"])
            parts.append(str(tag("h3", escape(self.label(indicator)))))
            parts.append(
                str(
                    tag(
                        "p",
                        escape(
                            self.t(
                                "units_spread",
                                indicator=self.label(indicator),
                                year=spread["year"],
                                n=spread["n"],
                                min=self.num(spread["min"], 1),
                                max=self.num(spread["max"], 1),
                                median=self.num(spread["median"], 1),
                                range=self.num(spread["range"], 1),
                                low=low,
                            )
                        ),
                    )
                )
            )
            fig, ax = plt.subplots(figsize=(9, 0.3 * len(ranked) + 1.0))
            colors = [COLORS["worsens"] if p else COLORS["district"] for p in ranked["pulls_down"]]
            ax.barh(ranked["unit"][::-1], ranked["value"][::-1], color=colors[::-1])
            ax.axvline(spread["median"], color="#1d2a33", lw=1, ls="--")
            ax.set_xlabel(self.unit(indicator), fontsize=9)
            ax.tick_params(labelsize=8)
            fig.tight_layout()
            parts.append(str(figure(fig, self.label(indicator))))
            plt.close(fig)
            shown = pd.DataFrame(
                {
                    self.t("col_rank"): ranked["rank"],
                    self.t("col_unit"): ranked["unit"],
                    self.t("col_value"): [self.num(v, 1) for v in ranked["value"]],
                }
            )
            parts.append(str(table_html(shown, numeric=[self.t("col_value")])))
            parts.append(
                str(
                    download_csv(
                        ranked,
                        f"{self.district_code}_{indicator}_units.csv",
                        self.t("download_csv"),
                    )
                )
            )
        if len(units.problems):
            parts.append(str(tag("p", escape(self.t("units_problems", n=len(units.problems))))))
            parts.append(str(table_html(units.problems)))
        return Section("".join(parts))

    def root_cause_rows(
        self, certain_only: bool = False, per_indicator: int = 2
    ) -> list[dict[str, Any]]:
        rows = []
        for ind, ex in self.explanations.items():
            dec = ex.decomposition
            if dec is None:
                continue
            # only levers: consistent root causes, and (plan only) those to verify in the workshop
            worse = [c for c in dec.levers if c.root_cause or (c.to_verify and not certain_only)]
            worse.sort(key=lambda c: (not c.certain, -abs(c.value)))
            for c in worse[:per_indicator]:
                rows.append(
                    {
                        "indicator": ind,
                        "indicator_label": self.label(ind),
                        "driver": c.driver,
                        "driver_label": self.label(c.driver),
                        "opd": c.opd,
                        "opd_label": self.opd(c.opd),
                        "contribution": c.value,
                        "certain": c.certain,
                        "gap_unit": self.gap_unit(ind),
                        "district_value": c.district_value,
                        "reference_value": c.reference_value,
                        "year": c.district.year if c.district else dec.year,
                    }
                )
        rows.sort(key=lambda r: (not r["certain"], -abs(r["contribution"])))
        return rows

    def follow_up(self) -> Section:
        rows = self.root_cause_rows()
        frame = pd.DataFrame(
            [
                {
                    self.t("col_root_cause"): r["driver_label"],
                    self.t("col_for_indicator"): r["indicator_label"],
                    self.t("col_opd"): r["opd_label"],
                    self.t("col_monitor"): r["driver_label"],
                    self.t("col_current"): f"{self.num(r['district_value'], 1)} ({r['year']})",
                    self.t("col_reference"): self.num(r["reference_value"], 1),
                    self.t("col_action"): "",
                    self.t("col_pic"): "",
                    self.t("col_deadline"): "",
                }
                for r in rows
            ]
        )
        html = (
            tag("h2", escape(self.t("sec_followup")))
            + tag("p", escape(self.t("followup_intro")))
            + (table(frame) if len(frame) else tag("p", escape(self.t("msg_root_none"))))
            + download_csv(
                frame, f"{self.district_code}_rencana_tindak_lanjut.csv", self.t("download_csv")
            )
            + download_xlsx(
                frame,
                f"{self.district_code}_rencana_tindak_lanjut.xlsx",
                self.t("download_xlsx"),
                sheet="rencana tindak lanjut",
            )
        )
        return Section(html)

    def methods(self) -> Section:
        shown = {k: s for k, s in all_sources().items() if s.readable_files or s.id == "boundaries"}
        frame = source_table(shown)
        src = pd.DataFrame(
            {
                self.t("col_source"): frame["title"],
                self.t("col_publisher"): frame["publisher"],
                self.t("col_license"): frame["license"],
                self.t("col_address"): frame["address"],
                "sha256": frame["sha256"].where(frame["kind"] == "own", ""),
            }
        )
        models = []
        for ind in PIP_INDICATORS:
            for variant in ("hc3", "province_fe"):
                m = self.ctx.models.get(ind, variant=variant)
                if m is not None:
                    models.append(
                        {
                            self.t("col_model"): f"{self.label(ind)} — {m.cov_type}"
                            + (", FE provinsi" if m.fixed_effects == "province" else ""),
                            self.t("col_year"): m.year,
                            self.t("col_n"): m.n,
                            self.t("col_r2"): self.num(m.r2, 2),
                            self.t("col_warnings"): len(m.warnings),
                        }
                    )
            panel = self.ctx.models.get(ind, "panel", "panel_fe")
            if panel is not None:
                models.append(
                    {
                        self.t("col_model"): f"{self.label(ind)} — PanelOLS FE ({panel.cov_type})",
                        self.t("col_year"): f"{panel.years[0]}–{panel.years[1]}",
                        self.t("col_n"): panel.n,
                        self.t("col_r2"): self.num(panel.r2, 2),
                        self.t("col_warnings"): len(panel.warnings),
                    }
                )
        coef_parts = []
        for ind in PIP_INDICATORS:
            m = self.ctx.models.get(ind)
            if m is None:
                continue
            c = m.coefficients[m.coefficients["term"] != "const"]
            coef_parts.append(str(tag("h3", escape(self.label(ind)))))
            coef_parts.append(
                str(
                    table(
                        pd.DataFrame(
                            {
                                self.t("col_driver"): [self.label(x) for x in c["term"]],
                                self.t("col_coef"): [
                                    self.num(v, 2, signed=True) for v in c["estimate"]
                                ],
                                self.t("col_interval"): [
                                    f"{self.num(lo, 2)} … {self.num(hi, 2)}"
                                    for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)
                                ],
                                self.t("col_p"): [self.num(v, 3) for v in c["p_value"]],
                                self.t("col_vif"): [self.num(v, 1) for v in c["vif"]],
                                self.t("col_opd"): [
                                    self.opd(self.ctx.catalogue[x].opd.key) for x in c["term"]
                                ],
                            }
                        ),
                        numeric=[self.t("col_coef"), self.t("col_p"), self.t("col_vif")],
                    )
                )
            )
        html = (
            tag("h2", escape(self.t("sec_methods")))
            + tag("p", escape(self.t("methods_caveat")), class_="caveat")
            + tag("h3", escape(self.t("methods_sources")))
            + table(src)
            + tag("h3", escape(self.t("methods_models")))
            + table(pd.DataFrame(models), numeric=[self.t("col_n"), self.t("col_r2")])
            + Markup("".join(coef_parts))
        )
        return Section(html)

    def footer(self) -> Section:
        return footer_section(self.ctx, self.parameters, self.lang)

    def all_sections(self) -> list[Section]:
        return [
            self.header(),
            self.summary(),
            self.data_quality(),
            self.cards(),
            self.trends(),
            self.maps(),
            self.root_causes(),
            self.peers(),
            self.targets(),
            self.spm(),
            self.within_district(),
            self.follow_up(),
            self.methods(),
            self.footer(),
        ]


def empty_panel(ax, text: str) -> None:
    """A chart panel that says there is no data, instead of an empty frame."""
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#5b6b76")
    ax.set_axis_off()


def footer_section(ctx: Context, parameters: dict[str, Any], lang: str) -> Section:
    """Data version, model version, parameters and software versions of a report."""
    software = ", ".join(f"{k} {v}" for k, v in software_versions().items())
    info = read_version_file(Path(parameters.get("processed_dir") or PROCESSED_DIR)) or {}
    own = "".join(f" + {i['id']} (sha256 {i['sha256'][:12]})" for i in info.get("imports", []))
    params = json.dumps({k: v for k, v in parameters.items() if v is not None}, ensure_ascii=False)
    line = t(
        "footer_line",
        lang,
        data_version=f"{ctx.data_version}{own}",
        model_version=ctx.models.model_version,
        params=params,
        software=software,
        date=date.today().isoformat(),
    )
    return Section(tag("div", escape(line), class_="report-footer"))


def is_finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
