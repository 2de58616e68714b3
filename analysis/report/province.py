"""The province overview ("rakor" view): every kab/kota of one province side by side on the four
PIP indicators. The notebook (notebooks/province_overview.py) only calls these sections.

Every number comes from the processed panel (`analysis.explain.Context`) and `analysis.ranking`;
a district without a value is said to be without one, never estimated. Each indicator is shown
for one year, the year `analysis.ranking.district_ranks` ranks by (the newest year with
near-national coverage), so that values, ranks, heatmap, maps and inequality measures agree.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from markupsafe import Markup, escape  # noqa: E402

from analysis.catalogue import PIP_INDICATORS  # noqa: E402
from analysis.explain import Context  # noqa: E402
from analysis.i18n import fmt_number, t  # noqa: E402
from analysis.maps import province_map  # noqa: E402
from analysis.paths import PROCESSED_DIR  # noqa: E402
from analysis.ranking import district_ranks  # noqa: E402
from analysis.report.html import (  # noqa: E402
    Section,
    download_csv,
    download_xlsx,
    figure,
    table,
    tag,
)

GRDP = "grdp_per_capita"
BOTTOM_QUARTER = 0.75  # bottom quarter: province rank > 3/4 of the districts ranked
MIN_FOR_QUARTER = 4  # fewer districts with a value: no "quarter" to speak of
MIN_ATTENTION_INDICATORS = 2  # bottom quarter on at least this many PIP indicators
MIN_FOR_INEQUALITY = 5  # fewer districts: inequality measures are only indicative
MIN_FOR_SII = 3  # an OLS line with a 95 % interval needs at least one residual degree of freedom
HEATMAP_LIMIT = 2.0  # z-scores beyond +-2 get the darkest colour
MISSING_FILL = "#d9d9d9"
# the ranked table is wide (one row per district, up to 15 number columns): compact and scoped
RANKED_CSS = Markup(
    "<style>"
    ".prov-wide{overflow-x:auto}"
    "table.prov-ranked{font-size:12px}"
    "table.prov-ranked th,table.prov-ranked td{padding:4px 5px}"
    "table.data.prov-ranked th.num{white-space:normal;vertical-align:bottom}"
    "table.prov-ranked th.group{text-align:center;border-left:2px solid #fff}"
    "table.prov-ranked td.name{min-width:9.5em}"
    "table.prov-ranked .first{border-left:2px solid #d9e0e5}"
    "table.data.prov-ranked td.missing{white-space:normal;color:#5b6b76;font-style:italic}"
    "table.prov-ranked td.muted{text-align:center}"
    "table.prov-ranked .ranked-n{font-weight:400;color:#5b6b76}"
    "</style>"
)


def fractional_rank(values: pd.Series) -> pd.Series:
    """Ridit of each value among `values`: (rank - 0.5) / n with average ranks for ties, so the
    lowest value is near 0 and the highest near 1 (the x of the slope index of inequality)."""
    return (values.rank(method="average") - 0.5) / len(values)


def slope_index(values: pd.Series, grdp: pd.Series) -> dict[str, Any]:
    """Slope index of inequality: OLS of `values` on the fractional rank of `grdp` (both indexed
    by district code; districts lacking either are left out), unweighted, districts as units.

    Returns n, slope, its 95 % interval (ci_low, ci_high) and the data used (`frame`, columns
    value, grdp, x). With fewer than MIN_FOR_SII districts the slope and interval are None.
    """
    frame = pd.DataFrame({"value": values, "grdp": grdp}).dropna()
    out: dict[str, Any] = {"n": len(frame), "slope": None, "ci_low": None, "ci_high": None}
    frame["x"] = fractional_rank(frame["grdp"]) if len(frame) else []
    out["frame"] = frame
    if len(frame) < MIN_FOR_SII or frame["x"].nunique() < 2:
        return out
    fit = sm.OLS(frame["value"].to_numpy(float), sm.add_constant(frame["x"].to_numpy(float))).fit()
    low, high = fit.conf_int(0.05)[1]
    out.update(
        slope=float(fit.params[1]),
        ci_low=float(low),
        ci_high=float(high),
        intercept=float(fit.params[0]),
    )
    return out


@dataclass
class ProvinceReport:
    ctx: Context
    province_code: str
    lang: str
    parameters: dict[str, Any]
    ranks: dict[str, pd.DataFrame] = field(default_factory=dict)  # national rank tables
    years: dict[str, int | None] = field(default_factory=dict)

    @classmethod
    def load(
        cls, province: str, lang: str = "id", processed_dir: str | None = None
    ) -> ProvinceReport:
        folder = Path(processed_dir) if processed_dir else PROCESSED_DIR
        ctx = Context.load(folder)
        code = ctx.registry.province_code(str(province))
        report = cls(
            ctx, code, lang, {"province": province, "lang": lang, "processed_dir": processed_dir}
        )
        for ind in PIP_INDICATORS:
            ranked = district_ranks(ctx.preferred, ctx.registry, ind, catalogue=ctx.catalogue)
            report.ranks[ind] = ranked
            report.years[ind] = int(ranked["year"].iloc[0]) if len(ranked) else None
        return report

    # -- helpers ---------------------------------------------------------------------------
    @property
    def province(self) -> str:
        return self.ctx.registry.province_names[self.province_code]

    @property
    def codes(self) -> list[str]:
        """The province's districts (2023 BPS codes) in code order: kabupaten, then kota."""
        return sorted(d.code for d in self.ctx.registry if d.province_code == self.province_code)

    def name(self, code: str) -> str:
        return self.ctx.registry.get(code).name

    def short_label(self, code: str) -> str:
        """'Kab. Serang' / 'Kota Serang': short, yet a kabupaten and its kota stay apart."""
        d = self.ctx.registry.get(code)
        return f"{'Kota' if d.is_kota else 'Kab.'} {d.short_name}"

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

    def direction(self, indicator: str) -> str:
        return self.ctx.catalogue[indicator].direction

    def province_ranks(self, indicator: str) -> pd.DataFrame:
        """analysis.ranking rows of this province's districts, indexed by district code."""
        ranked = self.ranks[indicator]
        return ranked[ranked["province_code"] == self.province_code].set_index("district_code")

    def values(self, indicator: str) -> pd.Series:
        """Value of each district of the province in the indicator's year (NaN: no value)."""
        return self.province_ranks(indicator)["value"].reindex(self.codes).astype(float)

    def grdp(self, year: int | None) -> pd.Series:
        rows = self.ctx.preferred[
            (self.ctx.preferred["indicator"] == GRDP) & (self.ctx.preferred["year"] == year)
        ]
        return rows.set_index("district_code")["value"].reindex(self.codes).astype(float)

    def older_value(self, code: str, indicator: str) -> tuple[float, int] | None:
        """The district's newest value before the indicator's year, if it has none that year."""
        year = self.years[indicator]
        rows = self.ctx.preferred[
            (self.ctx.preferred["district_code"] == code)
            & (self.ctx.preferred["indicator"] == indicator)
            & self.ctx.preferred["value"].notna()
        ]
        if year is not None:
            rows = rows[rows["year"] < year]
        if rows.empty:
            return None
        last = rows.sort_values("year").iloc[-1]
        return float(last["value"]), int(last["year"])

    def target_gap(self, value: float, target) -> float | None:
        if target is None or not _finite(value):
            return None
        return float(value) - float(target.value)

    def short_of_target(self, indicator: str, gap: float | None) -> bool | None:
        """True when the value has not reached the target (direction respected)."""
        if gap is None:
            return None
        return gap < 0 if self.direction(indicator) == "higher" else gap > 0

    # -- data frames -----------------------------------------------------------------------
    def ranked_frame(self) -> pd.DataFrame:
        """One row per district of the province: for each PIP indicator its year, value (NaN
        where the district has none that year), province and national rank with the number of
        districts ranked, the target that applies, its year and the gap value − target."""
        rows = []
        for code in self.codes:
            row: dict[str, Any] = {"district_code": code, "district": self.name(code)}
            for ind in PIP_INDICATORS:
                ranks = self.province_ranks(ind)
                target = self.ctx.targets.for_district(code, ind)
                has = code in ranks.index
                value = float(ranks.at[code, "value"]) if has else math.nan
                row.update(
                    {
                        f"{ind}_year": self.years[ind],
                        f"{ind}_value": value,
                        f"{ind}_rank_province": int(ranks.at[code, "rank_province"])
                        if has
                        else None,
                        f"{ind}_n_province": int(ranks.at[code, "n_province"]) if has else None,
                        f"{ind}_rank_national": int(ranks.at[code, "rank_national"])
                        if has
                        else None,
                        f"{ind}_n_national": int(ranks.at[code, "n_national"]) if has else None,
                        f"{ind}_target": target.value if target else None,
                        f"{ind}_target_year": target.year if target else None,
                        f"{ind}_gap_to_target": self.target_gap(value, target),
                    }
                )
            rows.append(row)
        return pd.DataFrame(rows)

    def download_frame(self) -> pd.DataFrame:
        """ranked_frame with readable column names (the CSV / Excel download); numbers stay
        numbers, a missing value stays an empty cell."""
        frame = self.ranked_frame()
        names = {"district_code": self.t("prov_col_code"), "district": self.t("col_district")}
        parts = {
            "value": "prov_col_value",
            "rank_province": "prov_col_rank_province",
            "n_province": "prov_col_n_province",
            "rank_national": "prov_col_rank_national",
            "n_national": "prov_col_n_national",
            "target": "prov_col_target",
            "target_year": "prov_col_target_year",
            "gap_to_target": "prov_col_gap",
        }
        keep = ["district_code", "district"]
        for ind in PIP_INDICATORS:
            head = f"{self.label(ind)} {self.years[ind] or ''}".strip()
            for part, key in parts.items():
                keep.append(f"{ind}_{part}")
                names[f"{ind}_{part}"] = f"{head} — {self.t(key)}"
        return frame[keep].rename(columns=names)

    def standing(self) -> pd.DataFrame:
        """Within-province z-score of each district's value, sign flipped for lower-is-better
        indicators so that positive is always better; rows = districts, columns = indicators."""
        out = {}
        for ind in PIP_INDICATORS:
            values = self.values(ind)
            known = values.dropna()
            sd = float(known.std(ddof=1)) if len(known) > 1 else 0.0
            z = (values - known.mean()) / sd if sd > 0 else values * 0.0
            out[ind] = -z if self.direction(ind) == "lower" else z
        return pd.DataFrame(out, index=self.codes)

    def attention_frame(self) -> pd.DataFrame:
        """Per district: the indicators on which it is in the province's bottom quarter (province
        rank > 3/4 of the districts ranked, counted only where at least MIN_FOR_QUARTER districts
        have a value), those on which it is furthest from its target, and whether it needs
        attention (bottom quarter on MIN_ATTENTION_INDICATORS or more indicators)."""
        frame = self.ranked_frame().set_index("district_code")
        bottom: dict[str, list[str]] = {c: [] for c in self.codes}
        furthest: dict[str, list[str]] = {c: [] for c in self.codes}
        for ind in PIP_INDICATORS:
            n = frame[f"{ind}_n_province"].dropna()
            if len(n) and n.iloc[0] >= MIN_FOR_QUARTER:
                for code in self.codes:
                    rank = frame.at[code, f"{ind}_rank_province"]
                    if (
                        _finite(rank)
                        and rank > BOTTOM_QUARTER * frame.at[code, f"{ind}_n_province"]
                    ):
                        bottom[code].append(ind)
            shortfall = frame[f"{ind}_gap_to_target"].astype(float)
            shortfall = -shortfall if self.direction(ind) == "higher" else shortfall
            shortfall = shortfall[shortfall > 0]
            if len(shortfall):
                worst = shortfall.max()
                for code in shortfall[shortfall == worst].index:
                    furthest[code].append(ind)
        return pd.DataFrame(
            {
                "district_code": self.codes,
                "district": [self.name(c) for c in self.codes],
                "bottom_quarter": [bottom[c] for c in self.codes],
                "n_bottom_quarter": [len(bottom[c]) for c in self.codes],
                "furthest_from_target": [furthest[c] for c in self.codes],
                "needs_attention": [len(bottom[c]) >= MIN_ATTENTION_INDICATORS for c in self.codes],
            }
        )

    def quarter_skipped(self) -> list[str]:
        """Indicators left out of the bottom-quarter count: fewer than MIN_FOR_QUARTER values."""
        return [ind for ind in PIP_INDICATORS if len(self.province_ranks(ind)) < MIN_FOR_QUARTER]

    def inequality_frame(self) -> pd.DataFrame:
        """Per PIP indicator: n, min, max, range, best and worst value and district (direction
        respected), ratio best / worst, coefficient of variation (sample SD / mean) and the slope
        index of inequality on GRDP per capita of the same year, with its 95 % interval."""
        rows = []
        for ind in PIP_INDICATORS:
            values = self.values(ind).dropna()
            year = self.years[ind]
            row: dict[str, Any] = {"indicator": ind, "year": year, "n": len(values)}
            if len(values):
                lower = self.direction(ind) == "lower"
                best_code = values.idxmin() if lower else values.idxmax()
                worst_code = values.idxmax() if lower else values.idxmin()
                best, worst = float(values[best_code]), float(values[worst_code])
                row.update(
                    min=float(values.min()),
                    max=float(values.max()),
                    range=float(values.max() - values.min()),
                    best=best,
                    best_district=self.name(best_code),
                    best_ties=int((values == best).sum()) - 1,
                    worst=worst,
                    worst_district=self.name(worst_code),
                    worst_ties=int((values == worst).sum()) - 1,
                    ratio=best / worst if worst != 0 else None,
                    cv=float(values.std(ddof=1) / values.mean())
                    if len(values) > 1 and values.mean() != 0
                    else None,
                )
            sii = slope_index(values, self.grdp(year))
            row.update(
                sii=sii["slope"], sii_low=sii["ci_low"], sii_high=sii["ci_high"], sii_n=sii["n"]
            )
            rows.append(row)
        return pd.DataFrame(rows)

    # -- sections --------------------------------------------------------------------------
    def header(self) -> Section:
        years = ", ".join(
            self.t(
                "prov_year_item", label=self.label(ind), year=self.years[ind] or self.t("no_data")
            )
            for ind in PIP_INDICATORS
        )
        html = (
            tag("h1", escape(self.t("prov_title", province=self.province)))
            + tag(
                "p",
                escape(
                    self.t(
                        "prov_subtitle",
                        n=len(self.codes),
                        data_version=self.ctx.data_version,
                        date=date.today().isoformat(),
                    )
                ),
                class_="subtitle",
            )
            + tag("p", escape(self.t("prov_intro", province=self.province, years=years)))
        )
        return Section(html)

    def has_target(self, indicator: str) -> bool:
        return any(self.ctx.targets.for_district(c, indicator) is not None for c in self.codes)

    def ranked_table(self) -> Section:
        frame = self.ranked_frame()
        head1 = [str(tag("th", escape(self.t("col_district")), rowspan="2"))]
        head2 = []
        for ind in PIP_INDICATORS:
            year = self.years[ind]
            title = self.t(
                "prov_group_header",
                label=self.label(ind),
                unit=self.unit(ind),
                year=year if year else self.t("no_data"),
            )
            ranks = self.province_ranks(ind)
            n_prov = int(ranks["n_province"].iloc[0]) if len(ranks) else 0
            n_nat = len(self.ranks[ind])
            columns = [self.t("prov_col_value")]
            if n_prov:  # no district of the province has a value: one column says so
                columns += [self.t("prov_col_prov_short"), self.t("prov_col_nat_short")]
                if self.has_target(ind):
                    columns.append(self.t("prov_col_gap"))
                title = (
                    escape(title)
                    + Markup("<br>")
                    + tag(
                        "span",
                        escape(self.t("prov_group_n", n_prov=n_prov, n_nat=n_nat)),
                        class_="ranked-n",
                    )
                )
            head1.append(str(tag("th", escape(title), colspan=str(len(columns)), class_="group")))
            for i, name in enumerate(columns):
                head2.append(str(tag("th", escape(name), class_="num first" if i == 0 else "num")))
        body = []
        older = []
        for record in frame.to_dict("records"):
            cells = [str(tag("td", escape(record["district"]), class_="name"))]
            for ind in PIP_INDICATORS:
                value = record[f"{ind}_value"]
                with_gap = self.has_target(ind)
                if not _finite(value):
                    cells.append(
                        str(tag("td", escape(self.t("no_data")), class_="num first missing"))
                    )
                    if len(self.province_ranks(ind)):
                        dashes = 3 if with_gap else 2
                        cells += [str(tag("td", "–", class_="num muted"))] * dashes
                    old = self.older_value(record["district_code"], ind)
                    if old is not None:
                        older.append(
                            self.t(
                                "prov_older_item",
                                district=record["district"],
                                label=self.label(ind),
                                value=self.num(old[0], 1),
                                year=old[1],
                            )
                        )
                    continue
                cells += [
                    str(tag("td", escape(self.num(value, 1)), class_="num first")),
                    str(tag("td", escape(str(int(record[f"{ind}_rank_province"]))), class_="num")),
                    str(tag("td", escape(str(int(record[f"{ind}_rank_national"]))), class_="num")),
                ]
                if with_gap:
                    gap = record[f"{ind}_gap_to_target"]
                    short = self.short_of_target(ind, gap)
                    css = "num" + ("" if short is None else " worsens" if short else " improves")
                    cells.append(str(tag("td", escape(self.num(gap, 1, signed=True)), class_=css)))
            body.append("<tr>" + "".join(cells) + "</tr>")
        html_table = RANKED_CSS + Markup(  # every cell was escaped by `tag`
            '<div class="prov-wide"><table class="data prov-ranked"><thead><tr>'
            + "".join(head1)
            + "</tr><tr>"
            + "".join(head2)
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table></div>"
        )
        targets, no_target = [], []
        for ind in PIP_INDICATORS:
            target = self.ctx.targets.national.get(ind)
            if target is None:
                no_target.append(self.label(ind))
                continue
            note = f" {target.note[self.lang]}" if target.note else ""
            targets.append(
                self.t(
                    "prov_target_item",
                    label=self.label(ind),
                    value=self.num(target.value, 1),
                    unit=self.unit(ind),
                    year=target.year,
                    source=target.source_document,
                )
                + note
            )
        notes = [str(tag("p", escape(self.t("prov_rank_note")), class_="note"))]
        if older:
            notes.append(
                str(
                    tag(
                        "p",
                        escape(self.t("prov_older_note", items="; ".join(older))),
                        class_="note",
                    )
                )
            )
        if targets:
            notes.append(str(tag("p", escape(self.t("prov_target_note")), class_="note")))
            notes.append(
                str(
                    tag(
                        "ul",
                        Markup("".join(str(tag("li", escape(x))) for x in targets)),
                        class_="note",
                    )
                )
            )
        if no_target:
            notes.append(
                str(
                    tag(
                        "p",
                        escape(self.t("prov_no_target", labels=", ".join(no_target))),
                        class_="note",
                    )
                )
            )
        download = self.download_frame()
        slug = _slug(self.province)
        html = (
            tag("h2", escape(self.t("prov_sec_table")))
            + tag("p", escape(self.t("prov_table_intro")))
            + html_table
            + download_csv(download, f"{slug}_peringkat_pip.csv", self.t("download_csv"))
            + download_xlsx(
                download,
                f"{slug}_peringkat_pip.xlsx",
                self.t("download_xlsx"),
                sheet=self.t("prov_sheet"),
            )
            + Markup("".join(notes))
        )
        return Section(html)

    def heatmap(self) -> Section:
        z = self.standing()
        values = pd.DataFrame({ind: self.values(ind) for ind in PIP_INDICATORS})
        names = [self.name(c) for c in self.codes]
        columns = [
            textwrap.fill(self.label(ind), 22) + f"\n({self.unit(ind)}, {self.years[ind] or '–'})"
            for ind in PIP_INDICATORS
        ]
        annot = np.array(
            [[self.num(v, 1) if _finite(v) else "" for v in row] for row in values.to_numpy()],
            dtype=object,
        )
        fig, ax = plt.subplots(figsize=(9.5, max(0.42 * len(self.codes) + 1.9, 4.2)))
        ax.set_facecolor(MISSING_FILL)
        sns.heatmap(
            pd.DataFrame(z.to_numpy(float), index=names, columns=columns),
            mask=z.isna().to_numpy(),
            annot=annot,
            fmt="",
            cmap="RdYlGn",
            center=0,
            vmin=-HEATMAP_LIMIT,
            vmax=HEATMAP_LIMIT,
            linewidths=1,
            linecolor="white",
            annot_kws={"fontsize": 10},
            ax=ax,
            cbar_kws={
                "label": self.t("prov_heatmap_cbar") + "\n" + self.t("prov_heatmap_cbar_hint"),
                "shrink": 0.85,
            },
        )
        for i, j in zip(*np.where(z.isna().to_numpy()), strict=True):
            ax.text(
                j + 0.5,
                i + 0.5,
                self.t("no_data"),
                ha="center",
                va="center",
                fontsize=8,
                color="#5b6b76",
                style="italic",
            )
        ax.xaxis.tick_top()
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", labelsize=9, length=0)
        ax.tick_params(axis="y", labelsize=9.5, length=0)
        plt.setp(ax.get_xticklabels(), rotation=0)
        fig.tight_layout()
        html = (
            tag("h2", escape(self.t("prov_sec_heatmap")))
            + tag("p", escape(self.t("prov_heatmap_intro")))
            + figure(fig, self.t("prov_sec_heatmap"), self.t("prov_heatmap_caption"))
        )
        plt.close(fig)
        return Section(html)

    def maps(self) -> Section:
        codes = self.codes
        fig, axes = plt.subplots(2, 2, figsize=(11, 8.2))
        for ax, ind in zip(axes.flat, PIP_INDICATORS, strict=True):
            values = self.values(ind).dropna()
            before = set(fig.axes)
            province_map(
                codes,
                values,
                reverse=self.direction(ind) == "lower",
                legend_label=self.unit(ind),
                missing_label=self.t("no_data"),
                ax=ax,
            )
            title = f"{self.label(ind)} ({self.years[ind] or self.t('no_data')})"
            if values.empty:  # no scale to show: drop the colour bar, say it in the title
                for cax in set(fig.axes) - before:
                    cax.remove()
                title = f"{title}: {self.t('no_data')}"
            ax.set_title(title, fontsize=10)
        fig.tight_layout()
        html = tag("h2", escape(self.t("prov_sec_maps"))) + figure(
            fig, self.t("prov_sec_maps"), self.t("prov_map_caption", province=self.province)
        )
        plt.close(fig)
        return Section(html)

    def attention(self) -> Section:
        frame = self.attention_frame()
        ranked = self.ranked_frame().set_index("district_code")
        flagged = frame[frame["needs_attention"]]
        parts = [
            str(tag("h2", escape(self.t("prov_sec_attention")))),
            str(
                tag(
                    "p",
                    escape(
                        self.t(
                            "prov_attention_rule", n=MIN_ATTENTION_INDICATORS, min=MIN_FOR_QUARTER
                        )
                    ),
                )
            ),
        ]
        skipped = self.quarter_skipped()
        if skipped:
            parts.append(
                str(
                    tag(
                        "p",
                        escape(
                            self.t(
                                "prov_attention_skipped",
                                labels=", ".join(self.label(i) for i in skipped),
                                min=MIN_FOR_QUARTER,
                            )
                        ),
                        class_="note",
                    )
                )
            )
        if len(flagged):
            parts.append(
                str(
                    tag(
                        "p",
                        tag(
                            "strong",
                            escape(
                                self.t(
                                    "prov_attention_result",
                                    n=len(flagged),
                                    names=", ".join(flagged["district"]),
                                )
                            ),
                        ),
                    )
                )
            )
        else:
            parts.append(
                str(
                    tag(
                        "p",
                        tag(
                            "strong",
                            escape(self.t("prov_attention_none", n=MIN_ATTENTION_INDICATORS)),
                        ),
                    )
                )
            )
        shown = frame[
            (frame["n_bottom_quarter"] > 0) | frame["furthest_from_target"].map(bool)
        ].sort_values(["needs_attention", "n_bottom_quarter"], ascending=False, kind="stable")
        if len(shown):

            def bottom_text(code, inds):
                return (
                    "; ".join(
                        self.t(
                            "prov_rank_item",
                            label=self.label(i),
                            rank=int(ranked.at[code, f"{i}_rank_province"]),
                            n=int(ranked.at[code, f"{i}_n_province"]),
                        )
                        for i in inds
                    )
                    or "–"
                )

            def furthest_text(code, inds):
                return (
                    "; ".join(
                        self.t(
                            "prov_gap_item",
                            label=self.label(i),
                            gap=self.num(ranked.at[code, f"{i}_gap_to_target"], 1, signed=True),
                            unit=self.gap_unit(i),
                        )
                        for i in inds
                    )
                    or "–"
                )

            out = pd.DataFrame(
                {
                    self.t("col_district"): shown["district"],
                    self.t("prov_col_attention"): [
                        self.t("prov_yes" if a else "prov_no") for a in shown["needs_attention"]
                    ],
                    self.t("prov_col_bottom"): [
                        bottom_text(c, i)
                        for c, i in zip(
                            shown["district_code"], shown["bottom_quarter"], strict=True
                        )
                    ],
                    self.t("prov_col_furthest"): [
                        furthest_text(c, i)
                        for c, i in zip(
                            shown["district_code"], shown["furthest_from_target"], strict=True
                        )
                    ],
                }
            )
            parts.append(str(table(out, css="data attention")))
        return Section("".join(parts))

    def inequality(self) -> Section:
        frame = self.inequality_frame()
        parts = [
            str(tag("h2", escape(self.t("prov_sec_inequality")))),
            str(tag("p", escape(self.t("prov_inequality_intro")))),
        ]
        rows, notes = [], []
        for r in frame.to_dict("records"):
            ind = r["indicator"]
            label = f"{self.label(ind)} ({r['year'] or self.t('no_data')})"
            if r["n"] == 0:
                rows.append(
                    {
                        self.t("col_indicator"): label,
                        "n": 0,
                        self.t("prov_col_range"): self.t("no_data"),
                    }
                )
                notes.append(self.t("prov_inequality_none", label=self.label(ind)))
                continue
            sii = "–"
            if r["sii"] is not None and _finite(r["sii"]):
                sii = (
                    f"{self.num(r['sii'], 1, signed=True)} "
                    f"({self.num(r['sii_low'], 1)} … {self.num(r['sii_high'], 1)})"
                )
            rows.append(
                {
                    self.t("col_indicator"): label,
                    "n": r["n"],
                    self.t("prov_col_range"): f"{self.num(r['range'], 1)} {self.gap_unit(ind)}",
                    self.t("prov_col_best"): self.extreme(
                        r["best"], r["best_district"], r["best_ties"]
                    ),
                    self.t("prov_col_worst"): self.extreme(
                        r["worst"], r["worst_district"], r["worst_ties"]
                    ),
                    self.t("prov_col_ratio"): self.num(r["ratio"], 2),
                    self.t("prov_col_cv"): self.num(r["cv"] * 100, 1) + " %"
                    if r["cv"] is not None and _finite(r["cv"])
                    else "–",
                    self.t("prov_col_sii"): sii,
                }
            )
            notes.append(self.sii_sentence(r))
        shown = pd.DataFrame(rows).fillna("–")
        parts.append(str(table(shown, numeric=["n"], css="data inequality")))
        parts.append(
            str(
                download_csv(
                    frame, f"{_slug(self.province)}_ketimpangan.csv", self.t("download_csv")
                )
            )
        )
        parts.append(
            Markup(
                '<ul class="messages">'
                + "".join(str(tag("li", escape(n))) for n in notes)
                + "</ul>"
            )
        )
        chart = self.sii_chart(frame)
        if chart is not None:
            parts.append(str(chart))
        return Section("".join(parts))

    def extreme(self, value: float, district: str, ties: int) -> str:
        """'9,2 (Kota Tangerang Selatan)', or with districts sharing the value
        '100,0 (Kabupaten Pacitan dan 4 lainnya)'."""
        who = self.t("prov_and_others", name=district, n=ties) if ties else district
        return f"{self.num(value, 1)} ({who})"

    def sii_sentence(self, r: dict[str, Any]) -> str:
        ind = r["indicator"]
        small = ""
        if r["n"] < MIN_FOR_INEQUALITY:
            small = " " + self.t("prov_small_n", n=r["n"], min=MIN_FOR_INEQUALITY)
        if r["sii"] is None or not _finite(r["sii"]):
            return (
                self.t("prov_sii_none", label=self.label(ind), n=r["sii_n"], min=MIN_FOR_SII)
                + small
            )
        if r["sii_low"] <= 0 <= r["sii_high"]:
            reading = self.t("prov_sii_uncertain")
        elif r["sii"] > 0:
            reading = self.t("prov_sii_richer_higher")
        else:
            reading = self.t("prov_sii_richer_lower")
        return (
            self.t(
                "prov_sii_text",
                label=self.label(ind),
                slope=self.num(r["sii"], 1, signed=True),
                unit=self.gap_unit(ind),
                low=self.num(r["sii_low"], 1),
                high=self.num(r["sii_high"], 1),
                n=r["sii_n"],
                reading=reading,
            )
            + small
        )

    def sii_chart(self, frame: pd.DataFrame) -> Markup | None:
        if not any(r is not None and _finite(r) for r in frame["sii"]):
            return None
        fig, axes = plt.subplots(2, 2, figsize=(10, 7))
        for ax, r in zip(axes.flat, frame.to_dict("records"), strict=True):
            ind = r["indicator"]
            ax.set_title(f"{self.label(ind)} ({r['year'] or self.t('no_data')})", fontsize=10)
            if r["n"] < MIN_FOR_INEQUALITY and r["n"]:
                ax.set_title(
                    f"{self.label(ind)} ({r['year']}; n = {r['n']} < {MIN_FOR_INEQUALITY})",
                    fontsize=10,
                    color="#a15c00",
                )
            sii = slope_index(self.values(ind).dropna(), self.grdp(r["year"]))
            data = sii["frame"]
            if data.empty:
                ax.text(
                    0.5,
                    0.5,
                    self.t("no_data"),
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                    color="#5b6b76",
                )
                ax.set_axis_off()
                continue
            ax.scatter(data["x"], data["value"], color="#0b6e4f", zorder=3)
            if sii["slope"] is not None:
                xs = np.array([0.0, 1.0])
                ax.plot(xs, sii["intercept"] + sii["slope"] * xs, color="#d08c00", lw=1.6)
            if len(data) <= 15:
                for code, row in data.iterrows():
                    ax.annotate(
                        self.short_label(code),
                        (row["x"], row["value"]),
                        xytext=(4, 3),
                        textcoords="offset points",
                        fontsize=7.5,
                        color="#1d2a33",
                    )
            ax.set_xlim(-0.05, 1.12)
            ax.set_xlabel(self.t("prov_grdp_rank_axis"), fontsize=8.5)
            ax.set_ylabel(self.unit(ind), fontsize=9)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: self.num(v, 1)))
        fig.tight_layout()
        html = figure(fig, self.t("prov_sec_inequality"), self.t("prov_sii_caption"))
        plt.close(fig)
        return html

    def footer(self) -> Section:
        from analysis.report.district import footer_section

        return footer_section(self.ctx, self.parameters, self.lang)

    def all_sections(self) -> list[Section]:
        return [
            self.header(),
            self.ranked_table(),
            self.heatmap(),
            self.maps(),
            self.attention(),
            self.inequality(),
            self.footer(),
        ]


def _finite(value) -> bool:
    if value is None:
        return False
    try:
        return not math.isnan(float(value))
    except (TypeError, ValueError):
        return False


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")
