"""Small HTML building blocks for report sections: escaped tables, embedded figures and
downloads. Every text from data goes through `escape`; nothing links to another host."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup, escape


class Section:
    """An HTML fragment that Jupyter displays as HTML (and papermill stores as text/html)."""

    def __init__(self, html: str):
        self.html = str(html)

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def tag(name: str, content: str = "", **attrs) -> Markup:
    rendered = "".join(
        f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items() if v
    )
    return Markup(f"<{name}{rendered}>{content}</{name}>")


def table(
    frame: pd.DataFrame,
    numeric: Sequence[str] = (),
    css: str = "data",
    raw_html: Sequence[str] = (),
) -> Markup:
    """An HTML table; cells are escaped unless their column is listed in raw_html."""
    head = "".join(
        str(tag("th", escape(c), class_="num" if c in numeric else "")) for c in frame.columns
    )
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for col, value in zip(frame.columns, record, strict=True):
            text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            content = Markup(text) if col in raw_html else escape(text)
            cells.append(str(tag("td", content, class_="num" if col in numeric else "")))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup(
        f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def figure(fig, alt: str, caption: str = "", dpi: int = 110) -> Markup:
    """A matplotlib figure as an embedded PNG."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    fig.clf()
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    cap = str(tag("figcaption", escape(caption))) if caption else ""
    return Markup(
        f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}">{cap}</figure>'
    )


def download_csv(frame: pd.DataFrame, filename: str, label: str) -> Markup:
    data = base64.b64encode(frame.to_csv(index=False).encode("utf-8-sig")).decode("ascii")
    return Markup(
        f'<a class="download" download="{escape(filename)}" '
        f'href="data:text/csv;charset=utf-8;base64,{data}">{escape(label)}</a>'
    )


def download_xlsx(frame: pd.DataFrame, filename: str, label: str, sheet: str = "data") -> Markup:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Markup(
        f'<a class="download" download="{escape(filename)}" '
        f'href="data:{mime};base64,{data}">{escape(label)}</a>'
    )
