"""The report's words in one language: catalogue texts, indicator labels and units, OPD names and
numbers as the language writes them. The presentation layer's only source of display text."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.i18n import fmt_number, t
from analysis.report.charts.style import NumberFormat


@dataclass(frozen=True)
class Words:
    catalogue: Catalogue
    lang: str

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def num(self, value, digits: int = 1, signed: bool = False) -> str:
        return fmt_number(value, self.lang, digits, signed)

    @property
    def number(self) -> NumberFormat:
        return NumberFormat(self.lang)

    def label(self, indicator: str) -> str:
        return self.catalogue[indicator].label(self.lang)

    def unit(self, indicator: str) -> str:
        return self.catalogue.units[self.catalogue[indicator].unit][f"label_{self.lang}"]

    def gap_unit(self, indicator: str) -> str:
        """The unit of a difference: percentage points for percentages."""
        if self.catalogue[indicator].unit == "percent":
            return self.t("points")
        return self.unit(indicator)

    def opd(self, key: str) -> str:
        opd = self.catalogue.opds[key]
        return opd.label_id if self.lang == "id" else opd.label_en

    def opd_labels(self) -> dict[str, str]:
        return {key: self.opd(key) for key in self.catalogue.opds}

    def indicator_labels(self) -> dict[str, str]:
        return {key: self.label(key) for key in self.catalogue.indicators}

    def status_labels(self) -> dict[str, str]:
        """Every target verdict (analysis.trends.STATUSES) -> its label."""
        from analysis.trends import STATUSES

        return {code: self.t(f"status_{code}") for code in STATUSES}

    def with_unit(self, label: str, unit: str | None) -> str:
        return f"{label} ({unit})" if unit else label

    def value(self, indicator: str, value, digits: int = 1) -> str:
        """A value as a sentence writes it: "41,8 %", "8,1 tahun"; other units (ratios, rupiah,
        densities) are in the indicator's label already, so the number stands alone."""
        text = self.num(value, digits)
        unit = self.catalogue[indicator].unit if indicator in self.catalogue else None
        if unit == "percent":
            return f"{text} %"
        return f"{text} {self.unit(indicator)}" if unit == "years" else text

    def year_note(self, year, denominator_year=None) -> str:
        """The year of a value; a ratio over another year's population says both ("2019,
        dibagi penduduk 2024")."""
        if year is None or pd.isna(year):
            return ""
        if denominator_year is not None and pd.notna(denominator_year):
            return self.t("year_mismatch", year=int(year), denominator_year=int(denominator_year))
        return str(int(year))

    def years_note(self, first, last, mean_kind: str | None = None) -> str:
        """The years a mean over districts mixes ("2021–2022"), and "rata-rata geometrik" for a
        mean taken on the log scale."""
        parts = []
        if first is not None and pd.notna(first):
            first, last = int(first), int(last)
            parts.append(
                str(first) if first == last else self.t("years_range", first=first, last=last)
            )
        if mean_kind == "geometric":
            parts.append(self.t("mean_geometric"))
        return "; ".join(parts)

    def series(self, series_id: str | None) -> str:
        """A measurement series' label ("SKI 2023 (Survei Kesehatan Indonesia) — survei yang
        berbeda dari SSGI")."""
        from analysis.explain_text import series_label

        return series_label(series_id, self.lang)

    def series_short(self, series_id: str) -> str:
        """A short series label for a chart ("SKI 2023: survei berbeda")."""
        key = "source" if series_id.startswith("source:") else series_id
        return self.t(f"series_short_{key}")

    def term(self, term: str) -> str:
        """A model term's label: an indicator, kota, the province's fixed effect, an island."""
        from analysis.explain_text import term_label

        return term_label(term, self.catalogue, self.lang)

    def term_labels(self, terms) -> dict[str, str]:
        return {term: self.term(term) for term in terms}
