"""District maps (analysis.maps) drawn from the real QuaRCS boundaries in data/raw."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PatchCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from analysis.maps import load_boundaries, national_map, province_map

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def boundaries(raw_dir):
    return load_boundaries(raw_dir / "quarcs_boundaries514" / "kabkota514_simplified.geojson")


@pytest.fixture(scope="module")
def banten(registry):
    return [d.code for d in registry.in_province("Banten")]


def collection(fig: Figure, gid: str) -> PatchCollection:
    found = [
        c
        for ax in fig.axes
        for c in ax.collections
        if isinstance(c, PatchCollection) and c.get_gid() == gid
    ]
    assert len(found) == 1, f"expected one collection {gid!r}, found {len(found)}"
    return found[0]


def colour_of(fig: Figure, code: str) -> np.ndarray:
    districts = collection(fig, "districts")
    colours = districts.get_facecolors()
    return colours[districts.district_codes.index(code)]


def luminance(rgba) -> float:
    r, g, b = rgba[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def test_boundaries_are_the_514_districts_by_2023_code(boundaries, registry):
    assert len(boundaries) == 514
    assert set(boundaries) == set(registry.codes)
    for rings in boundaries.values():
        assert rings
        for ring in rings:
            assert ring.ndim == 2 and ring.shape[1] == 2 and len(ring) >= 4
            lon, lat = ring[:, 0], ring[:, 1]
            assert lon.min() > 94 and lon.max() < 142 and lat.min() > -12 and lat.max() < 7


def test_papua_districts_are_keyed_by_their_2023_codes(boundaries, registry):
    # Merauke is 9401 in the boundary file (2010) and 9501 since the 2022 Papua split
    merauke = registry.get("9501")
    assert merauke.code_2010 == "9401" and "Merauke" in merauke.name
    assert "9501" in boundaries


def test_kabupaten_and_kota_serang_are_different_shapes(boundaries):
    kab, kota = boundaries["3604"], boundaries["3673"]
    assert kab and kota
    kab_points = np.concatenate(kab)
    kota_points = np.concatenate(kota)
    assert kab_points.shape != kota_points.shape or not np.allclose(kab_points, kota_points)
    # both lie in the north of Banten, around 106.0-106.4 E, 5.9-6.3 S
    for points in (kab_points, kota_points):
        lon, lat = points.mean(axis=0)
        assert 105.9 < lon < 106.5 and -6.4 < lat < -5.8


def test_banten_map_draws_every_district_and_the_highlight(banten, boundaries):
    assert len(banten) == 8
    fig = province_map(banten, highlight="3604")
    assert isinstance(fig, Figure)
    districts = collection(fig, "districts")
    n_parts = sum(len(boundaries[c]) for c in banten)
    assert len(districts.get_paths()) == n_parts >= 8
    assert set(districts.district_codes) == set(banten)
    outline = collection(fig, "highlight")
    assert len(outline.get_paths()) == len(boundaries["3604"])
    assert outline.get_zorder() > districts.get_zorder()
    assert max(outline.get_linewidths()) >= 2
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "Kabupaten Serang" in texts
    ax = fig.axes[0]
    assert not ax.axison
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(6.2)), abs=0.01)
    assert tuple(fig.get_size_inches()) == pytest.approx((7, 5))


def test_choropleth_with_a_missing_value_still_draws(banten):
    values = pd.Series({code: float(code[-1]) for code in banten}).drop("3602")
    fig = province_map(banten, values, "3604", legend_label="demo", missing_label="tidak ada")
    hatched = collection(fig, "missing")
    assert hatched.get_hatch()
    assert len(hatched.get_paths()) == 1  # Lebak is one polygon
    assert to_rgba(colour_of(fig, "3602")) != to_rgba(colour_of(fig, "3601"))
    legend_texts = [
        t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts
    ]
    assert legend_texts == ["tidak ada"]
    assert any(ax.get_ylabel() == "demo" for ax in fig.axes)  # the colorbar
    data = png_bytes(fig)
    assert data.startswith(PNG_SIGNATURE)


def test_map_renders_to_a_valid_png(banten):
    values = pd.Series({code: float(code[-1]) for code in banten})
    data = png_bytes(province_map(banten, values, "3604", legend_label="demo"))
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 10_000


@pytest.mark.parametrize("reverse", [False, True])
def test_colour_scale_direction(banten, reverse):
    values = pd.Series({code: 10.0 for code in banten})
    values["3601"], values["3604"] = 5.0, 20.0  # Pandeglang low, Kabupaten Serang high
    fig = province_map(banten, values, reverse=reverse)
    low, high = luminance(colour_of(fig, "3601")), luminance(colour_of(fig, "3604"))
    if reverse:
        assert low < high  # the lower value is the darker green
    else:
        assert high < low  # the higher value is the darker green
    green = colour_of(fig, "3604" if not reverse else "3601")
    assert green[1] > green[0] and green[1] > green[2]


def test_every_part_of_a_multipart_district_gets_its_colour(banten, boundaries):
    assert len(boundaries["3601"]) > 1  # Pandeglang has islands
    values = pd.Series({code: float(i) for i, code in enumerate(banten)})
    fig = province_map(banten, values)
    districts = collection(fig, "districts")
    colours = districts.get_facecolors()
    parts = [i for i, c in enumerate(districts.district_codes) if c == "3601"]
    assert len(parts) == len(boundaries["3601"])
    assert all(np.allclose(colours[i], colours[parts[0]]) for i in parts)


@pytest.mark.parametrize("province", ["Kalimantan Utara", "DI Yogyakarta"])
def test_small_provinces_and_single_districts_draw(registry, province):
    codes = [d.code for d in registry.in_province(province)]
    fig = province_map(codes, pd.Series({codes[0]: 1.0}), codes[0])
    assert len(collection(fig, "districts").district_codes) >= len(codes)
    assert png_bytes(fig).startswith(PNG_SIGNATURE)
    one = province_map([codes[-1]], highlight=codes[-1])
    assert png_bytes(one).startswith(PNG_SIGNATURE)
    equal = province_map(codes[:2], pd.Series({c: 3.0 for c in codes[:2]}))
    assert png_bytes(equal).startswith(PNG_SIGNATURE)


def test_bad_arguments_are_refused(banten):
    with pytest.raises(ValueError, match="9999"):
        province_map(["9999"])
    with pytest.raises(ValueError, match="highlight"):
        province_map(banten, highlight="3273")
    with pytest.raises(TypeError):
        national_map(pd.Series(dtype=float), colour="red")


def test_national_map_draws_all_514_districts(boundaries, registry):
    values = pd.Series({code: float(code[-1]) for code in registry.codes})
    fig = national_map(values, highlight="3604", legend_label="demo", reverse=True)
    districts = collection(fig, "districts")
    assert set(districts.district_codes) == set(registry.codes)
    assert len(districts.get_paths()) == sum(len(r) for r in boundaries.values())
    assert [t.get_text() for t in fig.axes[0].texts] == ["Kabupaten Serang"]
    assert tuple(fig.get_size_inches()) == pytest.approx((10, 4))
    assert png_bytes(fig).startswith(PNG_SIGNATURE)


def test_drawing_into_given_axes_returns_its_figure(banten):
    fig = Figure(figsize=(4, 4))
    ax = fig.add_subplot()
    assert province_map(banten, ax=ax) is fig
    assert collection(fig, "districts")
