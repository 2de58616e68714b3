"""The report's words in one language: catalogue texts, indicator labels and units, OPD names and
numbers as the language writes them. The presentation layer's only source of display text."""

from __future__ import annotations

from dataclasses import dataclass

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
