"""The district report: one object that loads what a district's report reads and hands out its
sections. The notebook (notebooks/district_report.py) calls these; so can an analyst.

    report = DistrictReport.load("Kabupaten Serang", lang="en")
    section = report.root_causes()     # a Section: shows itself in JupyterLab
    section.data                       # its DataFrames, by key
    report.trend_table()               # a frame, without the section around it

Every number comes from the processed panel or the stored models through `analysis.explain`
(frames in `analysis.report.frames`); nothing is fitted here, and a missing indicator is said to
be missing, never estimated. Sections are built in `analysis.report.sections`, drawn by
`analysis.report.charts`, and turned into HTML by `analysis.report.html`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.catalogue import PIP_INDICATORS
from analysis.explain import Context, Explanation, explain
from analysis.followup import FOLLOWUP_DIR, MeetingFollowup, previous_meeting
from analysis.paths import PROCESSED_DIR
from analysis.renstra import RenstraView, renstra_view
from analysis.report.frames import district as district_frames
from analysis.report.frames import explained
from analysis.report.model import Chart, Column, Section, Table
from analysis.report.sections import comparison, local, overview, rootcause
from analysis.report.sections import followup as followup_section
from analysis.report.sections import methods as methods_section
from analysis.report.sections import renstra as renstra_section
from analysis.report.words import Words

SECTIONS = (
    "header",
    "summary",
    "data_quality",
    "cards",
    "trends",
    "maps",
    "root_causes",
    "peers",
    "targets",
    "spm",
    "within_district",
    "previous_followup",
    "follow_up",
    "methods",
    "footer",
)
# The Renstra view (sections/renstra.py): not in a standard report without a plan table; after
# the targets section when a plan table is given; right after the summary, what the reader came
# for, in the Renstra template (`template="renstra"`). No section is left out: every other one is
# evidence a Renstra's chapters draw on (data, trends, root causes, peers, SPM, kecamatan).
RENSTRA_AFTER = {"standard": "targets", "renstra": "summary"}
TEMPLATES = tuple(RENSTRA_AFTER)


@dataclass
class DistrictReport:
    ctx: Context
    district_code: str
    lang: str
    reference: str
    parameters: dict[str, Any]
    explanations: dict[str, Explanation] = field(default_factory=dict)
    followup_dir: Path = FOLLOWUP_DIR
    as_of: date = field(default_factory=date.today)

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
        template: str = "standard",
        plan_file: str | None = None,
        followup_dir: str | None = None,
        as_of: date | None = None,
    ) -> DistrictReport:
        """The report of `district` (any spelling or code) in `lang` ("id" or "en"), its gaps
        measured against `reference` ("national", "province" or "peers"). `plan_file` (a plan
        table, params/targets/README.md) adds the Renstra view; its targets are the district's
        targets everywhere in the report, with those of `targets_file`. `template` "renstra"
        puts the Renstra view first (RENSTRA_AFTER). The previous meeting's plan is read from
        `followup_dir` (default: data/followup) as of `as_of` (default: today)."""
        if template not in TEMPLATES:
            raise ValueError(f"template must be one of {', '.join(TEMPLATES)}, not {template!r}")
        folder = Path(processed_dir) if processed_dir else PROCESSED_DIR
        files = [Path(f) for f in (targets_file, plan_file) if f]
        # one file given as both is read once (reading it twice would quarantine every row)
        targets = tuple(dict.fromkeys(f.resolve() for f in files))
        ctx = Context.load(folder, targets)
        code = ctx.registry.resolve(district).code
        parameters = {
            "district": district,
            "lang": lang,
            "reference": reference,
            "targets_file": targets_file,
            "processed_dir": processed_dir,
            "spm_file": spm_file,
            "units_file": units_file,
        }
        if template != "standard" or plan_file:  # the footer lists them only when used
            parameters.update(template=template, plan_file=plan_file)
        report = cls(ctx, code, lang, reference, parameters)
        report.followup_dir = Path(followup_dir) if followup_dir else FOLLOWUP_DIR
        report.as_of = as_of or date.today()
        report.explanations = {ind: explain(ctx, code, ind, reference) for ind in PIP_INDICATORS}
        return report

    # -- what the sections read ----------------------------------------------------------------
    @property
    def template(self) -> str:
        return self.parameters.get("template") or "standard"

    @property
    def section_names(self) -> tuple[str, ...]:
        """The sections in reading order: SECTIONS, with the Renstra view where the template puts
        it when the report has a plan table or the Renstra template."""
        if self.template == "standard" and not self.parameters.get("plan_file"):
            return SECTIONS
        after = SECTIONS.index(RENSTRA_AFTER[self.template]) + 1
        return (*SECTIONS[:after], "renstra", *SECTIONS[after:])

    @property
    def district(self):
        return self.ctx.registry.get(self.district_code)

    @property
    def words(self) -> Words:
        return Words(self.ctx.catalogue, self.lang)

    def label(self, indicator: str) -> str:
        """The indicator's label in the report's language."""
        return self.words.label(indicator)

    @property
    def processed_dir(self) -> Path:
        return Path(self.parameters.get("processed_dir") or PROCESSED_DIR)

    @cached_property
    def own_rows(self) -> pd.DataFrame:
        """Every panel row of this district, flagged ones included (the context reads the
        panel once per worker)."""
        return self.ctx.district_rows(self.district_code)

    @property
    def usable_rows(self) -> pd.DataFrame:
        """The district's panel rows that pass validation and the cross-source check."""
        return self.own_rows[self.own_rows["flag"] == ""]

    @cached_property
    def followup(self) -> MeetingFollowup:
        """The previous meeting's plan as of `as_of` (meeting None when nothing is stored)."""
        return previous_meeting(
            self.district_code,
            self.as_of,
            store_dir=self.followup_dir,
            panel=self.usable_rows,
            catalogue=self.ctx.catalogue,
            lang=self.lang,
        )

    @property
    def plan_timestamp(self) -> datetime:
        """The follow-up workbook's document date, derived from the data version like every
        other download's (analysis.report.exports): rebuilding the same data gives the same bytes;
        never "now", never when the data was built."""
        from analysis.report.exports import document_timestamp

        return document_timestamp(self.ctx.data_version)

    @property
    def quarantine(self) -> pd.DataFrame:
        """The district's rows of the data build's quarantine (read once per context)."""
        return self.ctx.quarantined(self.district_code)

    @property
    def own_sources(self) -> set[str]:
        """Sources the district imported itself (analysis.imports)."""
        from analysis.imports import registered

        return {imp.id for imp in registered()}

    def table(self, key: str, data: pd.DataFrame, columns: list[Column], **kw) -> Table:
        """A table of this report: its language, data version and download name."""
        return Table(
            key,
            data,
            columns,
            self.lang,
            file=f"{self.district_code}_{key}",
            version=self.ctx.data_version,
            **kw,
        )

    def chart(
        self,
        key: str,
        figure: Figure,
        alt: str,
        caption: str,
        data: pd.DataFrame | None = None,
        columns: list[Column] | None = None,
    ) -> Chart:
        return Chart(
            key,
            figure,
            alt,
            caption,
            data,
            file=f"{self.district_code}_{key}",
            columns=columns or [],
            lang=self.lang,
        )

    # -- frames (the numbers behind the sections) ---------------------------------------------
    def trend_table(self) -> pd.DataFrame:
        return district_frames.trend_table(self.ctx, self.district_code)

    def coverage(self) -> pd.DataFrame:
        return district_frames.coverage(self.own_rows, self.own_sources)

    def gap_frame(self) -> pd.DataFrame:
        """Per PIP indicator: the gap to the reference, explained and unexplained parts."""
        return explained.gap_frame(self.explanations)

    def decomposition_frame(self, indicator: str) -> pd.DataFrame:
        """Every part of one indicator's gap (levers, context, the unexplained rest)."""
        return explained.decomposition_frame(self.explanations[indicator])

    def root_cause_rows(self) -> pd.DataFrame:
        """Suspected root causes only (consistent levers, the district worse)."""
        return explained.root_cause_rows(self.explanations)

    def plan_basis(self) -> pd.DataFrame:
        """The follow-up plan's rows: root causes, then levers to verify in the workshop."""
        return explained.plan_basis(self.explanations)

    @cached_property
    def renstra_view(self) -> RenstraView:
        """analysis.renstra frames of this district from its targets (plan table), the
        associated factors read from this report's explanations."""
        return renstra_view(
            self.ctx, self.district_code, reference=self.reference, explained=self.explanations
        )

    # -- sections ----------------------------------------------------------------------------
    def header(self) -> Section:
        return overview.header(self)

    def summary(self) -> Section:
        return overview.summary(self)

    def data_quality(self) -> Section:
        return overview.data_quality(self)

    def cards(self) -> Section:
        return overview.cards(self)

    def trends(self) -> Section:
        return comparison.trends(self)

    def maps(self) -> Section:
        return comparison.maps(self)

    def root_causes(self) -> Section:
        return rootcause.root_causes(self)

    def peers(self) -> Section:
        return comparison.peers(self)

    def targets(self) -> Section:
        return comparison.targets(self)

    def spm(self) -> Section:
        return local.spm(self)

    def within_district(self) -> Section:
        return local.within_district(self)

    def renstra(self) -> Section:
        return renstra_section.renstra(self)

    def renstra_after(self, name: str) -> Section | None:
        """The Renstra view if this report places it right after section `name`, else None (the
        notebook asks at both places; a cell showing None shows nothing)."""
        names = self.section_names
        if "renstra" in names and names.index("renstra") == names.index(name) + 1:
            return self.renstra()
        return None

    def previous_followup(self) -> Section:
        return followup_section.previous_followup(self)

    def follow_up(self) -> Section:
        return followup_section.follow_up(self)

    def methods(self) -> Section:
        return methods_section.methods(self)

    def footer(self) -> Section:
        return overview.footer(self.ctx, self.parameters, self.lang)

    def all_sections(self) -> list[Section]:
        """Every section in reading order (what a PDF, Word or slide writer walks)."""
        return [getattr(self, name)() for name in self.section_names]
