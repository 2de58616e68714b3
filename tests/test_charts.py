"""Charts laid out once from measured text: the longest labels the catalogue, the SPM list and
the registry hold stay inside the figure and off the plot; the province's base maps under a
district's outline give the picture the maps drawn whole give."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
import yaml
from matplotlib.text import Text

from analysis.maps import boundaries_version, highlight_artists, load_boundaries
from analysis.paths import PARAMS_DIR
from analysis.report.charts.district import (
    achievement_chart,
    decomposition_chart,
    indicator_trend_chart,
)
from analysis.report.charts.maps import BaseMaps, map_grid
from analysis.report.charts.province import standing_heatmap
from analysis.report.charts.style import NumberFormat, png_bytes
from analysis.report.model import PNG_DPI
from analysis.report.sections.rootcause import driver_labels
from analysis.report.words import Words


def misplaced_texts(fig) -> list[str]:
    """Texts drawn (partly) outside the figure, and tick labels reaching into their axes."""
    png_bytes(fig, PNG_DPI)  # one draw, as the report makes it
    edge = fig.bbox
    bad = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip():
            continue
        box = text.get_window_extent()
        if box.x0 < edge.x0 or box.x1 > edge.x1 or box.y0 < edge.y0 or box.y1 > edge.y1:
            bad.append(f"outside: {text.get_text()!r}")
    for ax in fig.axes:
        plot = ax.get_window_extent()
        for tick in ax.yaxis.get_major_ticks():
            label = tick.label1  # on the left
            if label.get_visible() and label.get_text() and label.get_window_extent().x1 > plot.x0:
                bad.append(f"over the plot: {label.get_text()!r}")
    return bad


def longest(texts) -> str:
    return max(texts, key=len)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_decomposition_fits_the_longest_driver_label_and_title(catalogue, lang):
    w = Words(catalogue, lang)
    labels = driver_labels(w)
    long_driver = longest(labels)
    frame = pd.DataFrame(
        {
            "role": ["lever", "lever", "context", "unexplained"],
            "driver": [long_driver, "poverty_rate", "population_density", "unexplained"],
            "contribution": [-3.5, 1.25, 0.4, -12.0],
            "ci_low": [-6.0, 0.5, -0.2, -40.0],
            "ci_high": [-1.0, 2.0, 1.0, 16.0],
            "robust": [True, False, True, None],
            "sign_as_expected": [True, True, None, None],
            "harmful": [True, False, False, False],
        }
    )
    title = f"{longest(w.indicator_labels().values())} — {w.t('gap')}: −12,34 {w.t('points')}"
    groups = {k: w.t(f"chart_group_{k}") for k in ("levers", "context", "rest")}
    fig = decomposition_chart(
        frame, labels, groups, w.t("chart_total"), -13.85, "x", title, w.number
    )
    assert misplaced_texts(fig) == []


def test_decomposition_drawn_on_a_copied_figure_equals_one_made_afresh(catalogue, monkeypatch):
    """The bar chart on a copy of a prepared figure (its ticks made in advance, fewer or more
    than the chart draws) is the chart on a figure made afresh, and no state passes between
    charts."""
    from analysis.report.charts import district
    from analysis.report.charts.style import new_figure

    w = Words(catalogue, "id")
    groups = {k: w.t(f"chart_group_{k}") for k in ("levers", "context", "rest")}

    def chart(scale: float, rows: int) -> bytes:
        drivers = ["poverty_rate", "population_density", "unexplained"][:rows]
        contribution = np.array([scale * 1.25, scale * 40.0, -12.0][:rows])
        frame = pd.DataFrame(
            {
                "role": ["lever", "context", "unexplained"][:rows],
                "driver": drivers,
                "contribution": contribution,
                "ci_low": contribution - 1.5,
                "ci_high": contribution + 2.5,
                "robust": [True, False, None][:rows],
                "sign_as_expected": [True, None, None][:rows],
                "harmful": [True, False, False][:rows],
            }
        )
        fig = decomposition_chart(
            frame, driver_labels(w), groups, w.t("chart_total"), -3.0, "x", "t", w.number
        )
        return png_bytes(fig, PNG_DPI)

    first, other, again = chart(1.0, 3), chart(30.0, 2), chart(1.0, 3)
    assert first == again != other

    def fresh(width, height):
        fig, ax = new_figure(width, height)
        return fig, ax

    monkeypatch.setattr(district, "axes_figure", fresh)
    assert chart(1.0, 3) == first
    assert chart(30.0, 2) == other


@pytest.mark.parametrize("fontweight", ["normal", "bold"])
def test_rows_labelled_as_texts_draw_what_y_tick_labels_draw(fontweight):
    """`label_rows` puts plain texts and one line of marks where y ticks would be: the same
    picture, the same view, and `fit_axes` makes the same room for them."""
    from analysis.report.charts.layout import fit_axes, label_rows
    from analysis.report.charts.style import new_figure

    rows, names = [3, 2, 1, 0], ["Kepadatan penduduk", "Kota", "Sisa", "Selisih (jumlah)"]

    def chart(labelled_as_ticks: bool):
        fig, ax = new_figure(9, 3)
        ax.barh(rows[1:], [1.5, -2.0, 0.5], height=0.7)
        if labelled_as_ticks:
            ax.set_yticks(rows, names, fontsize=8.5, fontweight=fontweight)
            fit_axes(fig, ax)
        else:
            labels = label_rows(ax, rows, names, fontsize=8.5, fontweight=fontweight)
            fit_axes(fig, ax, row_labels=labels)
        return png_bytes(fig, PNG_DPI), ax.get_ylim(), ax.get_position().bounds

    assert chart(labelled_as_ticks=False) == chart(labelled_as_ticks=True)


def test_a_title_over_an_axes_pushed_right_is_wrapped_to_stay_in_the_figure():
    """Constrained layout (the slides' larger type) pushes an axes right of long row labels; its
    centred title then ran past the figure's right edge until wrapped."""
    from analysis.report.charts.layout import wrap_titles_to_fit
    from analysis.report.charts.style import new_figure

    fig, ax = new_figure(9, 4)
    ax.barh([0, 1], [1.0, 2.0])
    ax.set_yticks([0, 1], ["Rumah tangga dengan akses air minum layak", "Kota"], fontsize=14)
    ax.set_title("Umur harapan hidup saat lahir (UHH) — Selisih: −4,94 tahun", fontsize=18)
    fig.set_layout_engine("constrained")
    png_bytes(fig, PNG_DPI)
    assert ax.title.get_window_extent().x1 > fig.bbox.x1  # the defect, before the wrap
    wrap_titles_to_fit(fig)
    png_bytes(fig, PNG_DPI)
    assert "\n" in ax.title.get_text()
    assert ax.title.get_window_extent().x1 <= fig.bbox.x1


def test_spm_chart_fits_the_longest_service_name():
    services = yaml.safe_load((PARAMS_DIR / "spm" / "services.yaml").read_text())["services"]
    names = [s["label_id"] for s in services.values()]
    percent = pd.Series(np.linspace(40.0, 105.0, len(names)))
    fig = achievement_chart(pd.Series(names), percent, "Capaian (%)", NumberFormat("id"))
    assert misplaced_texts(fig) == []


def test_heatmap_fits_long_district_names_and_wrapped_indicator_labels(registry):
    rows = [longest(d.name for d in registry), "Kota Batu", "Kabupaten Serang"]
    columns = ["life_expectancy", "immunization_complete", "stunting"]
    z = pd.DataFrame([[0.5, -1.0, np.nan], [2.5, 0.0, 1.0], [-2.0, 1.5, 0.2]], columns=columns)
    values = pd.DataFrame([[70.1, 60.0, np.nan], [74.0, 80.5, 20.0], [65.0, 90.0, 25.0]])
    column_labels = ["Prevalensi balita\nstunting (survei\nSSGI/SKI)\n(%, 2023)"] * 3
    fig = standing_heatmap(
        z,
        values,
        rows,
        column_labels,
        "Posisi dalam provinsi (skor z)\nhijau = lebih baik, merah = lebih buruk",
        "data tidak tersedia",
        NumberFormat("id"),
    )
    assert misplaced_texts(fig) == []


def test_a_slide_trend_chart_fits_its_labels():
    trends = pd.DataFrame(
        {
            "indicator": "stunting",
            "year": [2021, 2022, 2023],
            "district": [27.2, 26.4, 23.9],
            "province_median": [23.4, 22.5, 23.1],
            "national_median": [25.7, 23.5, 22.6],
            "series": ["ssgi", "ssgi", "ski"],
            "low_precision": [False, True, False],
        }
    )
    legend = {"district": "Kab/kota ini", "province": "Median provinsi", "national": "Median"}
    fig = indicator_trend_chart(
        trends, "stunting", "Prevalensi balita stunting", "%", legend, "-", NumberFormat("id")
    )
    assert misplaced_texts(fig) == []


INDICATORS = ("life_expectancy", "stunting", "immunization_complete", "facility_delivery")


@pytest.fixture(scope="module")
def banten_maps(registry):
    """map_grid's arguments for Banten: one panel without values, one with a district missing."""
    codes = [d.code for d in registry.in_province("Banten")]
    rows = [
        {"indicator": ind, "district_code": code, "value": 60.0 + i + 3 * j}
        for i, ind in enumerate(INDICATORS[:3])
        for j, code in enumerate(codes)
        if not (ind == "stunting" and code == "3602")
    ]
    return (
        codes,
        pd.DataFrame(rows),
        {ind: f"{ind} (2023)" for ind in INDICATORS},
        dict.fromkeys(INDICATORS, "%"),
        {ind: ind == "stunting" for ind in INDICATORS},
        "data tidak tersedia",
        NumberFormat("id"),
    )


def test_district_map_over_the_base_maps_is_the_map_drawn_whole(banten_maps):
    """The cached picture plus the district's outline and name gives the bytes of the four maps
    drawn with the outline inside each map axes (the way before the base maps were cached)."""
    whole = BaseMaps.of(*banten_maps).figure()
    for ax in whole.axes[:4]:
        outline, name = highlight_artists("3604", tuple(banten_maps[0]))
        ax.add_collection(outline)
        ax.add_artist(name)
    assert png_bytes(map_grid(*banten_maps, highlight="3604"), PNG_DPI) == png_bytes(whole, PNG_DPI)
    overview = map_grid(*banten_maps)
    assert png_bytes(overview, PNG_DPI) == png_bytes(BaseMaps.of(*banten_maps).figure(), PNG_DPI)


def test_a_changed_boundary_file_is_read_and_drawn_again(raw_dir, registry, tmp_path):
    serang_2010 = registry.get("3604").code_2010
    path = tmp_path / "boundaries.geojson"

    def write(x: float, mtime: int) -> None:
        ring = [[x, -6.0], [x + 0.5, -6.0], [x + 0.5, -6.5], [x, -6.0]]
        feature = {
            "type": "Feature",
            "properties": {"districtID": serang_2010},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
        os.utime(path, ns=(mtime, mtime))

    write(106.0, 1_000_000_000)
    first = load_boundaries(path)["3604"][0][0, 0]
    version = boundaries_version(path)
    write(107.0, 2_000_000_000)
    assert boundaries_version(path) != version
    assert (first, load_boundaries(path)["3604"][0][0, 0]) == (106.0, 107.0)


def trend_frame(shift: float) -> pd.DataFrame:
    years = [2019, 2020, 2021, 2022]
    return pd.concat(
        pd.DataFrame(
            {
                "indicator": ind,
                "year": years,
                "district": [60.0 + shift + i + k for k in range(4)],
                "province_median": [62.0 + i] * 4,
                "national_median": [65.0 - i] * 4,
                "series": "susenas",
                "low_precision": [False, False, True, False],
            }
        )
        for i, ind in enumerate(INDICATORS)
    )


def test_grid_charts_drawn_on_copied_panels_equal_fresh_ones_and_share_no_state(monkeypatch):
    """A grid chart on a copy of the prepared panels is the chart on panels made afresh, and
    drawing another chart in between changes nothing (no state kept between charts)."""
    from analysis.report.charts import district
    from analysis.report.charts.style import new_figure as fresh_figure

    args = ({i: i for i in INDICATORS}, dict.fromkeys(INDICATORS, "%"))
    legend = {"district": "a", "province": "b", "national": "c"}

    def chart(shift: float) -> bytes:
        figure = district.trends_chart(trend_frame(shift), *args, legend, "-", NumberFormat("id"))
        return png_bytes(figure, PNG_DPI)

    first, other, again = chart(0.0), chart(25.0), chart(0.0)
    assert first == again != other

    def fresh(width, height, margins):
        fig, axes = fresh_figure(width, height, 2, 2, margins)
        for ax in axes.flat:
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
        return fig, axes

    monkeypatch.setattr(district, "grid_figure", fresh)
    assert chart(0.0) == first


def _drawn_pixels(fig) -> np.ndarray:
    """The figure drawn once on a plain Agg canvas (no shared renderer, no text cache)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


@pytest.mark.parametrize(
    "case", ["grid", "restyled tick", "aligned labels", "minor ticks", "labels both sides"]
)
def test_axes_drawing_ticks_in_groups_draw_what_matplotlib_draws(case):
    """`ReportAxes` draws an axis's grid lines, marks and labels in groups: the same pixels as
    matplotlib's tick-by-tick drawing, with axis labels placed the same, when one tick is styled
    apart (drawn on its own), when labels are aligned across panels (matplotlib's sibling
    measure), with minor ticks and with marks and labels on both sides."""
    from matplotlib.figure import Figure

    from analysis.report.charts.axes import ReportAxes

    def chart(axes_class) -> np.ndarray:
        fig = Figure(figsize=(8, 5), dpi=PNG_DPI)
        axes = fig.subplots(2, 2, subplot_kw={"axes_class": axes_class})
        for i, ax in enumerate(axes.flat):
            ax.plot([2015, 2019, 2023], [10 * i, 35.5 + i, 20], marker="o", label="garis")
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=8)
            ax.set_xlabel("Tahun")
            ax.set_ylabel("Persen (%)" if i % 2 else "Nilai yang lebih panjang")
            ax.set_title(f"Panel {i}", y=1.0)
        axes.flat[0].legend(fontsize=8, loc="best")
        if case == "restyled tick":
            ticks = axes.flat[1].xaxis.get_major_ticks()
            ticks[1].gridline.set_color("red")
            ticks[2].tick1line.set_markersize(9)
        if case == "aligned labels":
            fig.align_ylabels(axes[:, 0])
        if case == "minor ticks":
            for ax in axes.flat:
                ax.minorticks_on()
        if case == "labels both sides":
            axes.flat[3].tick_params(labelright=True, right=True, labeltop=True, top=True)
        return _drawn_pixels(fig)

    from matplotlib.axes import Axes

    grouped, matplotlibs = chart(ReportAxes), chart(Axes)
    assert grouped.shape == matplotlibs.shape
    assert (grouped == matplotlibs).all()


def test_report_axes_are_the_charts_axes_and_still_pickle():
    """The charts' figures are made of `ReportAxes` (also the prepared copies, which pickle)."""
    import pickle

    from analysis.report.charts.axes import GroupedXAxis, GroupedYAxis, ReportAxes
    from analysis.report.charts.style import GRID_MARGINS, axes_figure, grid_figure, new_figure

    figures = [new_figure(4, 3)[0], axes_figure(9, 3)[0], grid_figure(10, 6.4, GRID_MARGINS)[0]]
    for fig in figures:
        copy = pickle.loads(pickle.dumps(fig))
        for ax in (*fig.axes, *copy.axes):
            assert isinstance(ax, ReportAxes)
            assert isinstance(ax.xaxis, GroupedXAxis) and isinstance(ax.yaxis, GroupedYAxis)


def test_text_drawn_from_kept_glyphs_is_what_agg_draws():
    """`TextImageRenderer` keeps each text's glyph image and copies it onto later charts: the
    pixels are Agg's (texts of several sizes, weights, a quarter turn, a multi-line label, an
    Indonesian number), the first time and from the kept glyphs, and a text drawn again adds
    nothing to what is kept."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from analysis.report.charts import style

    def chart() -> Figure:
        fig = Figure(figsize=(6, 4), dpi=PNG_DPI)
        ax = fig.add_subplot()
        ax.plot([0, 1], [0, 1])
        ax.set_title("Umur harapan hidup (UHH) — Selisih: −4,94 tahun", fontsize=10)
        ax.set_ylabel("Persen (%)", fontsize=9)
        ax.text(0.2, 0.7, "Dinas Kesehatan\nDinas Sosial", fontsize=8.5, fontweight="bold")
        ax.text(0.6, 0.2, "+1.234,56", fontsize=7.5, rotation=90)
        return fig

    class Cached(FigureCanvasAgg):
        def get_renderer(self):
            return style.TextImageRenderer(*self.figure.bbox.size, self.figure.dpi)

    def cached_pixels() -> np.ndarray:
        canvas = Cached(chart())
        canvas.draw()
        return np.asarray(canvas.buffer_rgba()).copy()

    plain = _drawn_pixels(chart())
    style._TEXT_IMAGES.clear()
    first = cached_pixels()
    kept = len(style._TEXT_IMAGES)
    again = cached_pixels()
    assert kept > 0 and len(style._TEXT_IMAGES) == kept
    assert (first == plain).all() and (again == plain).all()


def test_a_label_given_after_a_draw_is_placed_below_the_tick_labels():
    """An axis without a label skips placing it (no measuring for an empty label), without
    fixing its place for good: a label an analyst sets on a figure already drawn (shown in
    JupyterLab, written to the report) goes below the tick labels, not onto them."""
    from analysis.report.charts.style import new_figure

    fig, ax = new_figure(6, 3)
    ax.plot([0, 1], [0, 1])
    png_bytes(fig, PNG_DPI)
    ax.set_xlabel("Tahun")
    png_bytes(fig, PNG_DPI)
    labels = [t.get_window_extent() for t in ax.get_xticklabels() if t.get_text()]
    assert ax.xaxis.label.get_window_extent().y1 < min(box.y0 for box in labels)
