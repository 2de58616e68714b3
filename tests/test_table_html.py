"""A report table's HTML is the markup pandas' Styler gives it, without Styler: each table here
is rendered by `table_html` and by the Styler-based reference below (the renderer the report
used before), and the two must be the same string."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape
from pandas.io.formats.style import Styler

from analysis.report.cells import cell_values, is_missing, shown_columns
from analysis.report.model import Column, Table
from analysis.report.styled import GROUP_BORDER, formatter, table_html
from analysis.report.templating import macros


def styler_html(table: Table) -> str:
    """The reference: the table through pandas' Styler, one format per column."""
    shown = shown_columns(table)
    cells = cell_values(table, shown)
    data = table.data.reset_index(drop=True)
    classes = pd.DataFrame("", index=cells.index, columns=cells.columns)
    for i, col in enumerate(shown):
        base = "num" if col.numeric else f"kind-{col.kind}"
        tone = data[col.tone].fillna("") if col.tone else ""
        empty = cells[i].map(lambda v, c=col: is_missing(v[0] if c.year is not None else v))
        classes[i] = (
            base + (" " + tone if col.tone else "") + empty.map({True: " missing", False: ""})
        ).str.strip()
    labels = [str(escape(c.label)) for c in shown]
    header_format: dict = {0: labels.__getitem__}
    columns = pd.Index(range(len(shown)))
    if any(c.group for c in shown):
        tops = [
            str(macros().group_label(c.group or "", table.group_notes[c.group or ""]))
            if (c.group or "") in table.group_notes
            else str(escape(c.group or ""))
            for c in shown
        ]
        columns = pd.MultiIndex.from_arrays([tops, range(len(shown))])
        header_format = {0: str, 1: labels.__getitem__}
    cells.columns = classes.columns = columns
    styler = Styler(cells, uuid=table.key, cell_ids=False)
    for i, col in enumerate(shown):
        show = formatter(col, table.lang)
        styler = styler.format(lambda v, f=show: str(f(v)), subset=[columns[i]])
    styler = styler.set_td_classes(classes).hide(axis="index")
    for level, fmt in header_format.items():
        styler = styler.format_index(fmt, axis=1, level=level)
    last = f"level{len(header_format) - 1}"
    styles = [
        {"selector": f"th.col_heading.{last}.col{i}", "props": "text-align: right;"}
        for i, col in enumerate(shown)
        if col.numeric
    ]
    if len(header_format) > 1:
        styles.append({"selector": "th.col_heading.level0", "props": "text-align: center;"})
        starts = [
            i for i, c in enumerate(shown) if c.group and (i == 0 or shown[i - 1].group != c.group)
        ]
        styles += [
            {"selector": f"td.col{i}, th.col_heading.level1.col{i}", "props": GROUP_BORDER}
            for i in starts
        ]
    styler = styler.set_table_styles(styles)
    css = " ".join(x for x in ("data", table.css) if x)
    return styler.set_table_attributes(f'class="{css}"').to_html()


def _data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "driver": ["Kepemilikan <JKN>", "Bidan & co", None],
            "opd": ["dinsos", "dinkes", "lainnya"],
            "value": [1234.56789, np.nan, -0.04],
            "year": pd.array([2022, 2021, None], dtype="Int64"),
            "year_note": ["2019, dibagi penduduk 2024", None, "2020"],
            "low": [-0.123456, np.nan, 0.5],
            "high": [0.3, np.nan, 0.75],
            "status": ["on_track", None, "out_of_reach"],
            "tone": ["worsens", "", None],
            "done": [True, False, True],
            "count": pd.array([12000, None, 3], dtype="Int64"),
            "title": ["Peraturan <Menteri>", "", None],
        }
    )


TABLES = {
    "plain": [
        Column("driver", "Faktor <utama>", "text"),
        Column("opd", "OPD", "text", labels={"dinsos": "Dinas Sosial", "dinkes": "Dinkes"}),
        Column("value", "Nilai", unit="%", year="year", missing="data tidak tersedia"),
        Column("low", "Interval 95%", "interval", high="high", digits=2),
        Column("status", "Status", "status", labels={"on_track": "sesuai jalur"}),
        Column("done", "Ada", "check"),
        Column("count", "Jumlah", "integer"),
        Column("value", "Skala", "percent", scale=100, signed=True, export_only=True),
    ],
    "groups": [
        Column("driver", "Faktor", "text"),
        Column("value", "Nilai", group="Model A", tone="tone"),
        Column("low", "Interval", "interval", high="high", group="Model A"),
        Column("count", "n", "integer", group="Model B & C"),
        Column("value", "Nilai", year="year_note", group="Model B & C", signed=True),
        Column("title", "Judul", "text", lang="en"),
        Column("value", "Lagi", group="Model A"),  # the group again, not adjacent
    ],
    "group_first": [
        Column("value", "Nilai", group="Model A", digits=3),
        Column("status", "Status", "status", group="Model A", labels={}),
        Column("driver", "Faktor", "text", tone="tone"),
    ],
}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", sorted(TABLES))
@pytest.mark.parametrize("rows", [slice(None), slice(0, 0)])
def test_table_html_is_the_markup_styler_gives(name, lang, rows):
    data = _data().iloc[rows]
    notes = {"Model B & C": "tahun <berbeda>"} if name == "groups" else {}
    table = Table(name, data, TABLES[name], lang, css="compact", group_notes=notes)
    assert str(table_html(table)) == styler_html(table)
