"""The province overview ("rakor" view): every kab/kota of one province side by side on the four
PIP indicators. The notebook (notebooks/province_overview.py) calls these sections.

    report = ProvinceReport.load("Banten")
    report.ranked_table()        # a Section
    report.ranked_frame()        # the numbers behind it: one row per district

Every number comes from the processed panel (`analysis.explain.Context`), `analysis.ranking`
and `analysis.inequality`; a district without a value is said to be without one, never
estimated. Each indicator is shown for one year, the year `analysis.ranking.district_ranks`
ranks by (the newest year with near-national coverage), so that values, ranks, heatmap, maps
and inequality measures agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context
from analysis.followup.store import FOLLOWUP_DIR
from analysis.paths import PROCESSED_DIR
from analysis.quality import quality_flags
from analysis.report.frames import capaian as capaian_frames
from analysis.report.frames import province as frames
from analysis.report.model import Chart, Column, Section, Table
from analysis.report.sections import capaian as capaian_section
from analysis.report.sections import inequality as inequality_section
from analysis.report.sections import overview, province_followup
from analysis.report.sections import province as sections
from analysis.report.words import Words

SECTIONS = (
    "header",
    "ranked_table",
    "plan_evaluation",
    "heatmap",
    "maps",
    "attention",
    "inequality",
    "followup",
    "footer",
)


@dataclass
class ProvinceReport:
    ctx: Context
    province_code: str
    lang: str
    parameters: dict[str, Any]
    ranks: dict[str, pd.DataFrame] = field(default_factory=dict)  # national rank tables
    years: dict[str, int | None] = field(default_factory=dict)
    as_of: date = field(default_factory=date.today)  # overdue follow-up actions: as of this day
    followup_dir: Path = FOLLOWUP_DIR

    @classmethod
    def load(
        cls,
        province: str,
        lang: str = "id",
        processed_dir: str | None = None,
        targets_file: str | None = None,
    ) -> ProvinceReport:
        """The overview of `province` (any spelling in params/provinces.yaml, or BPS code);
        `targets_file` is a target table of its kab/kota (params/targets/README.md): each is
        evaluated against its own plan, the others against the national defaults."""
        folder = Path(processed_dir) if processed_dir else PROCESSED_DIR
        targets = (Path(targets_file).resolve(),) if targets_file else ()
        ctx = Context.load(folder, targets)
        code = ctx.registry.province_code(str(province))
        parameters = {"province": province, "lang": lang, "processed_dir": processed_dir}
        if targets_file:  # the footer lists it only when given
            parameters["targets_file"] = targets_file
        report = cls(ctx, code, lang, parameters)
        for ind in PIP_INDICATORS:
            ranked = ctx.ranks(ind)
            report.ranks[ind] = ranked
            report.years[ind] = int(ranked["year"].iloc[0]) if len(ranked) else None
        return report

    # -- what the sections read ----------------------------------------------------------------
    @property
    def province(self) -> str:
        return self.ctx.registry.province_names[self.province_code]

    @property
    def codes(self) -> list[str]:
        """The province's districts (2023 BPS codes) in code order: kabupaten, then kota."""
        return sorted(d.code for d in self.ctx.registry if d.province_code == self.province_code)

    @cached_property
    def prov(self) -> frames.Province:
        return frames.Province(
            self.ctx, self.province_code, tuple(self.codes), self.ranks, self.years
        )

    @property
    def words(self) -> Words:
        return Words(self.ctx.catalogue, self.lang)

    def label(self, indicator: str) -> str:
        """The indicator's label in the report's language."""
        return self.words.label(indicator)

    def name(self, code: str) -> str:
        return self.ctx.registry.get(code).name

    def short_label(self, code: str) -> str:
        """'Kab. Serang' / 'Kota Serang': short, yet a kabupaten and its kota stay apart."""
        d = self.ctx.registry.get(code)
        return f"{'Kota' if d.is_kota else 'Kab.'} {d.short_name}"

    @property
    def slug(self) -> str:
        text = unicodedata.normalize("NFKD", self.province).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")

    def table(self, key: str, data: pd.DataFrame, columns: list[Column], **kw) -> Table:
        return Table(
            key,
            data,
            columns,
            self.lang,
            file=f"{self.slug}_{key}",
            version=self.ctx.data_version,
            **kw,
        )

    def chart(self, key, figure: Figure, alt, caption, data=None, columns=None) -> Chart:
        data, columns = self._named(data, columns or [])
        return Chart(
            key,
            figure,
            alt,
            caption,
            data,
            file=f"{self.slug}_{key}",
            columns=columns or [],
            lang=self.lang,
        )

    def _named(self, data, columns: list[Column]) -> tuple[pd.DataFrame | None, list[Column]]:
        """A chart's data names each district beside its code (downloads carry labels)."""
        if data is None or "district_code" not in data or "district" in data:
            return data, columns
        at = list(data.columns).index("district_code") + 1
        data = data.copy()
        data.insert(at, "district", [self.name(c) for c in data["district_code"]])
        where = next((i + 1 for i, c in enumerate(columns) if c.name == "district_code"), None)
        if where is not None:
            column = Column("district", self.words.t("col_district"), "text")
            columns = [*columns[:where], column, *columns[where:]]
        return data, columns

    # -- frames (the numbers behind the sections) ---------------------------------------------
    def province_ranks(self, indicator: str) -> pd.DataFrame:
        """analysis.ranking rows of this province's districts, indexed by district code."""
        return self.prov.province_ranks(indicator)

    def values(self, indicator: str) -> pd.Series:
        return self.prov.values(indicator)

    def ranked_frame(self) -> pd.DataFrame:
        return self._ranked_frame.copy()

    @cached_property
    def _ranked_frame(self) -> pd.DataFrame:
        return frames.ranked_frame(self.prov, {c: self.name(c) for c in self.codes})

    def standing(self) -> pd.DataFrame:
        return frames.standing(self.prov)

    def attention_frame(self) -> pd.DataFrame:
        return frames.attention_frame(self.prov, self.ranked_frame())

    def inequality_frame(self) -> pd.DataFrame:
        """analysis.welfare_inequality: ranked by poverty, readable measures."""
        return frames.inequality_frame(self.prov)

    @cached_property
    def evaluation(self) -> pd.DataFrame:
        """Every kab/kota × PIP indicator × year against its target (analysis.plan_eval)."""
        return capaian_frames.province_evaluation(self.ctx, self.codes)

    @cached_property
    def quality_flags(self) -> pd.DataFrame:
        """analysis.quality flags of the province's PIP values (the outlier rule compares the
        province's kab/kota with each other)."""
        return quality_flags(self.ctx.preferred, self.codes, PIP_INDICATORS, self.ctx.catalogue)

    @cached_property
    def behind(self) -> pd.DataFrame:
        """Per kab/kota: indicators behind target, those behind on two or more first."""
        return capaian_frames.behind(self.evaluation)

    def older_value(self, code: str, indicator: str) -> tuple[float, int] | None:
        """The district's newest value before the indicator's year, if it has none that year."""
        older = frames.older_values(self.prov)
        row = older[(older["district_code"] == code) & (older["indicator"] == indicator)]
        return None if row.empty else (float(row["value"].iloc[0]), int(row["year"].iloc[0]))

    # -- sections ----------------------------------------------------------------------------
    def header(self) -> Section:
        return sections.header(self)

    def ranked_table(self) -> Section:
        return sections.ranked_table(self)

    def plan_evaluation(self) -> Section:
        return capaian_section.plan_evaluation(self)

    def heatmap(self) -> Section:
        return sections.heatmap(self)

    def maps(self) -> Section:
        return sections.maps(self)

    def attention(self) -> Section:
        return sections.attention(self)

    def inequality(self) -> Section:
        return inequality_section.inequality(self)

    def followup(self) -> Section:
        return province_followup.followup(self)

    def footer(self) -> Section:
        return overview.footer(self.ctx, self.parameters, self.lang)

    def all_sections(self) -> list[Section]:
        """Every section in reading order (what a PDF, Word or slide writer walks)."""
        return [getattr(self, name)() for name in SECTIONS]
