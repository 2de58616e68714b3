"""The report's object model: what every output (HTML page, notebook, CSV/XLSX downloads, and
later PDF, Word and slides) reads. Nothing here formats numbers into HTML or draws.

A report is a list of `Section`s. A section has a stable `key`, a `title` in the report's
language and a list of typed blocks, in reading order:

- `Heading(text, level)`: a sub-heading inside the section (level 3);
- `Text(runs, kind)`: one paragraph; `kind` says how it reads (normal, note, caveat, warning,
  callout, strong, subtitle, footer); `runs` carry inline bold; `lang` is set when the paragraph
  quotes text in another language than the report's (a regulation's title);
- `Bullets(items)`: a list of `Text`;
- `Table(key, data, columns, lang, …)`: `data` is a DataFrame with machine column names and real
  numbers (codes, not labels); `columns` say how to show each one (label in the report's
  language, unit, digits, kind); `file` names its downloads;
- `Chart(key, figure | png, alt, caption, data)`: a matplotlib Figure (or PNG bytes) with the
  DataFrame behind it;
- `Cards(key, cards, data)`: one summary card per indicator, with the numbers in `data`.

A writer walks `for block in section.blocks` and dispatches on the block's class; everything it
needs (texts already translated, numbers still numbers, units, digits) is on the block.
`section.data` holds the DataFrames (tables, cards, and the data behind charts) by key,
`section.figures` the figures. In JupyterLab a section shows itself (`_repr_mimebundle_`): HTML
carrying its own minimal CSS, its first chart as `image/png`, and a short text summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from matplotlib.figure import Figure

TextKind = Literal["normal", "note", "caveat", "warning", "callout", "strong", "subtitle", "footer"]
ColumnKind = Literal["text", "number", "percent", "integer", "year", "status", "check", "interval"]
NUMERIC_KINDS = ("number", "percent", "integer", "year", "interval")
PNG_DPI = 100  # 10-inch figures -> 1000 px, the width of the report's text column


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph; `bold` marks what the reader should see first."""

    text: str
    bold: bool = False
    code: bool = False  # machine text (parameter names, identifiers): not in the reader's language


@dataclass(frozen=True)
class Text:
    runs: tuple[Run, ...]
    kind: TextKind = "normal"
    lang: str | None = None  # set when the text is in another language than the report

    @classmethod
    def of(cls, text: str, kind: TextKind = "normal", *, lang: str | None = None) -> Text:
        """A paragraph from a catalogue string: `<b>…</b>` in it becomes a bold run, `…` in
        backticks a code run (file names, options: machine text, in no language)."""
        runs = []
        for part in re.split(r"(<b>.*?</b>|`[^`]*`)", text):
            if part.startswith("<b>"):
                runs.append(Run(part[3:-4], bold=True))
            elif part.startswith("`"):
                runs.append(Run(part[1:-1], code=True))
            elif part:
                runs.append(Run(part))
        return cls(tuple(runs), kind, lang)

    @property
    def plain(self) -> str:
        return "".join(run.text for run in self.runs)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 3


@dataclass(frozen=True)
class Bullets:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class Column:
    """How to show one column of a table's data.

    kind: text | number | percent (a number shown with " %") | integer | year (no thousands
    separator) | status (a code shown as a badge, label from `labels`) | check (True -> ✓) |
    interval (`name` holds the lower bound, `high` the upper: "0,09 … 0,30").
    labels: code -> label, for text and status columns holding codes ("dinsos" -> "Dinas Sosial").
    year: a column whose year follows the value in parentheses ("73,3 (2023)"); it may hold
      text instead ("30,5 (2019, dibagi penduduk 2024)"), carried as text in the downloads.
    tone: a column holding "worsens", "improves" or "" for each row (colours the cell).
    group: the label spanning adjacent columns of the same group (one indicator's columns).
    missing: the text for a missing value (default "–").
    scale: multiply before showing (a ratio shown as percent: 100).
    lang: the column's text is in this language whatever the report's (quoted titles).
    """

    name: str
    label: str
    kind: ColumnKind = "number"
    unit: str | None = None
    digits: int = 1
    signed: bool = False
    labels: Mapping[str, str] | None = None
    year: str | None = None
    high: str | None = None
    tone: str | None = None
    group: str | None = None
    missing: str | None = None
    scale: float = 1.0
    lang: str | None = None
    export_only: bool = False  # in the downloads, not on the page
    export_label: str | None = None  # a longer header for the downloads (short one on the page)

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS


@dataclass
class Table:
    """A table: numbers stay numbers in `data` until a writer formats them."""

    key: str
    data: pd.DataFrame
    columns: list[Column]
    lang: str
    caption: str | None = None
    file: str | None = None  # download file stem (no extension); None: no download
    sheet: str | None = None  # worksheet name in the XLSX download
    css: str = ""  # a layout hint for the HTML page ("coverage", "compact")
    group_notes: Mapping[str, str] = field(default_factory=dict)  # group label -> small print
    version: str = ""  # data version: the downloads' document date derives from it
    # downloads made elsewhere, by extension ("xlsx" -> bytes): they replace the generic file of
    # that kind (the follow-up plan's own workbook, which the import reads back)
    downloads: Mapping[str, bytes] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = set(self.data.columns)
        for col in self.columns:
            needed = [col.name, col.year, col.high, col.tone]
            missing = [n for n in needed if n is not None and n not in names]
            if missing:
                raise ValueError(f"table {self.key!r}: columns {missing} are not in its data")


@dataclass
class Chart:
    """A figure with the data behind it. PNG bytes are made once, on first use."""

    key: str
    figure: Figure | None
    alt: str
    caption: str = ""
    data: pd.DataFrame | None = None
    file: str | None = None  # download file stem for the PNG and its data
    columns: list[Column] = field(default_factory=list)  # how the data download is labelled
    lang: str = "id"
    _png: bytes | None = field(default=None, repr=False)

    @property
    def png(self) -> bytes:
        if self._png is None:
            from analysis.report.charts.style import png_bytes

            self._png = png_bytes(self.figure, PNG_DPI)
        return self._png


@dataclass(frozen=True)
class Card:
    """One indicator at a glance. `value` is formatted (or says there is no data: available is
    False); `facts` are (term, text) pairs; `status` is (code, label) of the target verdict."""

    title: str
    value: str
    unit: str
    available: bool = True
    status: tuple[str, str] | None = None
    facts: tuple[tuple[str, str], ...] = ()
    note: str | None = None


@dataclass
class Cards:
    key: str
    cards: tuple[Card, ...]
    data: pd.DataFrame


Block = Heading | Text | Bullets | Table | Chart | Cards


class SectionData(dict):
    """The DataFrames of a section by key; displays each as a DataFrame in a notebook."""

    def _ipython_display_(self) -> None:
        from IPython.display import Markdown, display

        for key, frame in self.items():
            display(Markdown(f"**{key}**"), frame)


@dataclass
class Section:
    key: str
    title: str | None
    blocks: list[Block]
    lang: str = "id"
    level: int = 2  # 1: the report's title section

    def __iter__(self) -> Iterator[Block]:
        return iter(self.blocks)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def charts(self) -> list[Chart]:
        return [b for b in self.blocks if isinstance(b, Chart)]

    @property
    def figures(self) -> list[Figure]:
        return [c.figure for c in self.charts if c.figure is not None]

    @property
    def data(self) -> SectionData:
        out = SectionData()
        for block in self.blocks:
            frame = getattr(block, "data", None)
            if not isinstance(frame, pd.DataFrame):
                continue
            if block.key in out and out[block.key] is not frame:  # a chart and its table
                out[f"{block.key}_{type(block).__name__.lower()}"] = frame
            elif block.key not in out:
                out[block.key] = frame
        return out

    @property
    def texts(self) -> list[str]:
        """Every paragraph's plain text (bullets included), in order."""
        out = []
        for block in self.blocks:
            if isinstance(block, Text):
                out.append(block.plain)
            elif isinstance(block, Bullets):
                out += [item.plain for item in block.items]
        return out

    def to_html(self) -> str:
        from analysis.report.html import render_section

        return render_section(self)

    def __str__(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for block in self.blocks:
            kinds[type(block).__name__] = kinds.get(type(block).__name__, 0) + 1
        parts = ", ".join(f"{n} {k}" for k, n in kinds.items())
        return f"<Section {self.key!r}: {self.title or ''} ({parts})>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from analysis.report.html import render_section_standalone

        bundle: dict[str, Any] = {
            "text/plain": repr(self),
            "text/html": render_section_standalone(self),
        }
        if self.charts:
            import base64

            bundle["image/png"] = base64.b64encode(self.charts[0].png).decode("ascii")
        return bundle


@dataclass(frozen=True)
class ReportInfo:
    """What a document around the sections says about the report (title page, running header,
    document properties): the Word, slide and PDF writers read it, the sections do not."""

    title: str  # the report's title ("Profil Kinerja Kesehatan Kabupaten Serang")
    place: str  # the district or province the report is about ("Kabupaten Serang")
    province: str  # its province ("Banten")
    lang: str
    data_version: str
    date: str  # the generation date as the report prints it (ISO, like the HTML's subtitle)
    kind: Literal["district", "province"] = "district"

    def facts(self) -> list[tuple[str, str]]:
        """The title page's facts, label and value, in the report's language."""
        from analysis.i18n import t

        facts = [
            (t("doc_province", self.lang), self.province),
            (t("doc_date", self.lang), self.date),
            (t("doc_data_version", self.lang), self.data_version),
        ]
        if self.kind == "district":
            facts.insert(0, (t("doc_district", self.lang), self.place))
        return facts
