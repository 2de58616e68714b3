"""District maps: a province (or any set of districts) and the whole country, drawn with matplotlib.

Boundaries are the QuaRCS 514-district polygons (2010-vintage BPS codes, WGS84 lon/lat; see
`quarcs_boundaries514/PROVENANCE.md` in the shared data), re-keyed to the project's 2023 BPS codes
through the district registry. Nothing here uses pyplot state, tiles or the network: the functions
build a `matplotlib.figure.Figure` (or draw into the axes they are given) and return the figure,
which the caller saves (`fig.savefig(...)`) and, if it likes, closes.

Conventions shared by `province_map` and `national_map`:

- every exterior ring of a district is one patch of a single PatchCollection (gid "districts");
  its attribute `district_codes` lists the district code of each patch, in drawing order;
- with `values`, the colour scale runs over the values of the districts drawn, light to dark
  green (the default YlGn starts at 12 % of its range, so its lightest shade is not white);
  `reverse=True` flips it so that the better value is always the darker green (pass
  `reverse=True` for lower-is-better indicators such as stunting);
- districts without a value are light grey and hatched (collection gid "missing") and named in a
  small legend entry;
- the highlighted district gets a thick dark outline on top (collection gid "highlight") and its
  name as an annotation;
- the aspect ratio is corrected for latitude (1 / cos(mean latitude)), axes are off.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PatchCollection
from matplotlib.colors import Colormap, ListedColormap, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from analysis.paths import RAW_DIR
from analysis.regions import load_registry

BOUNDARIES = RAW_DIR / "quarcs_boundaries514" / "kabkota514_simplified.geojson"

DEFAULT_CMAP = "YlGn"
PLAIN_FILL = "#e3ead9"  # districts drawn without values
MISSING_FILL = "#d9d9d9"  # districts with no value: light grey ...
MISSING_HATCH = "////"  # ... and hatched
MISSING_HATCH_COLOR = "#8c8c8c"
EDGE_COLOR = "#ffffff"  # between districts on the national map
PLAIN_EDGE_COLOR = "#7f7f7f"  # between districts on a province map
HIGHLIGHT_COLOR = "#1a1a1a"
PROVINCE_SIZE = (7.0, 5.0)
NATIONAL_SIZE = (10.0, 4.0)


def boundaries_version(path: Path = BOUNDARIES) -> str:
    """The boundary file's version (size and modification time): what every cache of drawn or
    converted boundaries is keyed by, so that a changed file is read and drawn again."""
    stat = Path(path).stat()
    return f"{stat.st_size}-{stat.st_mtime_ns}"


def load_boundaries(path: Path = BOUNDARIES) -> dict[str, list[np.ndarray]]:
    """Polygon rings of every district, keyed by the 2023 BPS district code.

    Each value is a list of (n, 2) arrays of lon/lat vertices, one per exterior ring: one for a
    Polygon, one per part for a MultiPolygon (islands). Holes (interior rings) are ignored; the
    maps draw larger shapes first, so an enclave (a kota inside its kabupaten) is drawn over
    its surrounding district rather than cut out of it.

    The file's `districtID` (2010-vintage BPS code) is mapped to the 2023 code with the registry's
    `code_2010`; a feature whose code the registry does not know raises ValueError. The result is
    cached by the file's version and shared: the arrays are read-only, do not change the dict.
    """
    return _read_boundaries(Path(path), boundaries_version(path))


@lru_cache(maxsize=2)
def _read_boundaries(path: Path, _version: str) -> dict[str, list[np.ndarray]]:
    registry = load_registry()
    to_2023 = {d.code_2010: d.code for d in registry}
    with open(path, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    rings: dict[str, list[np.ndarray]] = {}
    unknown = []
    for feature in features:
        code_2010 = str(feature["properties"]["districtID"])
        code = to_2023.get(code_2010)
        if code is None:
            unknown.append(code_2010)
            continue
        geometry = feature["geometry"]
        if geometry["type"] == "Polygon":
            polygons = [geometry["coordinates"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            raise ValueError(f"{path}: district {code_2010} has a {geometry['type']} geometry")
        for polygon in polygons:
            exterior = np.asarray(polygon[0], dtype=float)[:, :2]
            exterior.setflags(write=False)
            rings.setdefault(code, []).append(exterior)
    if unknown:
        raise ValueError(f"{path}: district codes unknown to the registry: {sorted(unknown)}")
    return rings


def province_map(
    district_codes: list[str],
    values: pd.Series | None = None,
    highlight: str | None = None,
    *,
    cmap: str | Colormap = DEFAULT_CMAP,
    reverse: bool = False,
    legend_label: str = "",
    missing_label: str = "data tidak tersedia",
    ax: Axes | None = None,
) -> Figure:
    """A map of `district_codes` (2023 BPS codes), e.g. the districts of one province.

    With `values` (a Series indexed by district code; other codes are ignored) the map is a
    choropleth with a colorbar labelled `legend_label`, its scale running over the drawn
    districts' values; districts with no (or a NaN) value are hatched light grey and named
    `missing_label` in a legend. `reverse=True` flips the scale so the lower value is the darker
    green (use it when lower is better). `highlight`, one of `district_codes`, is outlined thickly
    on top and labelled with its name. Draws into `ax` if given, otherwise into a new 7 x 5 inch
    figure; returns the figure.
    """
    return _draw(
        list(district_codes),
        values,
        highlight,
        cmap=cmap,
        reverse=reverse,
        legend_label=legend_label,
        missing_label=missing_label,
        ax=ax,
        size=PROVINCE_SIZE,
        national=False,
    )


def national_map(values: pd.Series, highlight: str | None = None, **kw) -> Figure:
    """All 514 districts coloured by `values`, 10 x 4 inches. The keyword arguments and the
    conventions are those of `province_map` (`cmap`, `reverse`, `legend_label`, `missing_label`,
    `ax`); `highlight` may be any district."""
    return _draw(
        sorted(load_boundaries()),
        values,
        highlight,
        size=NATIONAL_SIZE,
        national=True,
        **_style(**kw),
    )


def _style(
    *,
    cmap: str | Colormap = DEFAULT_CMAP,
    reverse: bool = False,
    legend_label: str = "",
    missing_label: str = "data tidak tersedia",
    ax: Axes | None = None,
) -> dict:
    return {
        "cmap": cmap,
        "reverse": reverse,
        "legend_label": legend_label,
        "missing_label": missing_label,
        "ax": ax,
    }


# -- drawing ------------------------------------------------------------------------------------
def _draw(
    codes: list[str],
    values: pd.Series | None,
    highlight: str | None,
    *,
    cmap: str | Colormap,
    reverse: bool,
    legend_label: str,
    missing_label: str,
    ax: Axes | None,
    size: tuple[float, float],
    national: bool,
) -> Figure:
    boundaries = load_boundaries()
    if not codes:
        raise ValueError("no districts to draw")
    unknown = [c for c in codes if c not in boundaries]
    if unknown:
        raise ValueError(f"no boundaries for district codes {unknown} (2023 BPS codes expected)")
    if highlight is not None and highlight not in codes:
        raise ValueError(f"highlight {highlight!r} is not among the districts drawn")

    if ax is None:
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.get_figure(root=True)

    parts, mid_lat = _layout(tuple(codes), boundaries_version())
    part_codes = [code for code, _ring in parts]
    patches = [Polygon(ring, closed=True) for _code, ring in parts]

    if values is None:
        facecolors = [PLAIN_FILL] * len(patches)
        missing: set[str] = set()
        edge, width = PLAIN_EDGE_COLOR, 0.5
        scale = None
    else:
        known = pd.to_numeric(pd.Series(values), errors="coerce")
        known.index = known.index.astype(str)
        known = known[~known.index.duplicated(keep="last")]
        known = known.reindex(codes).dropna()
        missing = set(codes) - set(known.index)
        colormap = colormaps[cmap] if isinstance(cmap, str) else cmap
        if (
            isinstance(cmap, str) and cmap == DEFAULT_CMAP
        ):  # its lightest shade is all but white: start a little darker
            colormap = ListedColormap(colormap(np.linspace(0.12, 1.0, 256)), name=DEFAULT_CMAP)
        if reverse:
            colormap = colormap.reversed()
        norm = _norm(known)
        facecolors = [
            MISSING_FILL if code in missing else colormap(norm(known[code])) for code in part_codes
        ]
        edge, width = (EDGE_COLOR, 0.2) if national else (PLAIN_EDGE_COLOR, 0.5)
        scale = ScalarMappable(norm=norm, cmap=colormap)

    districts = PatchCollection(
        patches, facecolors=facecolors, edgecolors=edge, linewidths=width, zorder=1
    )
    districts.set_gid("districts")
    districts.district_codes = part_codes
    ax.add_collection(districts)

    handles = []
    if missing:
        hatched = PatchCollection(
            [Polygon(ring, closed=True) for code, ring in parts if code in missing],
            facecolors="none",
            edgecolors=MISSING_HATCH_COLOR,
            linewidths=0,
            hatch=MISSING_HATCH,
            zorder=2,
        )
        hatched.set_gid("missing")
        ax.add_collection(hatched)
        handles.append(
            Patch(
                facecolor=MISSING_FILL,
                edgecolor=MISSING_HATCH_COLOR,
                hatch=MISSING_HATCH,
                label=missing_label,
            )
        )

    if highlight is not None:
        _draw_highlight(ax, boundaries[highlight], tuple(codes), highlight, national)

    ax.autoscale_view()
    ax.margins(0.03 if national else 0.06)
    ax.set_aspect(1 / math.cos(math.radians(mid_lat)))
    ax.set_axis_off()

    if scale is not None:
        fig.colorbar(
            scale,
            ax=ax,
            label=legend_label,
            shrink=0.8 if national else 0.7,
            fraction=0.03 if national else 0.05,
            pad=0.02,
        )
    if handles:
        ax.legend(
            handles=handles,
            loc="lower left",
            fontsize=7,
            frameon=False,
            handlelength=1.6,
            handleheight=1.2,
        )
    return fig


@lru_cache(maxsize=64)
def _layout(
    codes: tuple[str, ...], _version: str
) -> tuple[tuple[tuple[str, np.ndarray], ...], float]:
    """The rings of `codes`, one per exterior ring, largest first so enclaves stay visible on
    top, and the middle latitude (for the aspect ratio). Computed once per set of districts
    (a province), boundary file version and process: every map of that province reuses it."""
    boundaries = load_boundaries()
    parts = sorted(
        ((code, ring) for code in codes for ring in boundaries[code]),
        key=lambda part: -_area(part[1]),
    )
    lats = np.concatenate([ring[:, 1] for _code, ring in parts])
    return tuple(parts), float((lats.min() + lats.max()) / 2)


@lru_cache(maxsize=1024)
def _highlight_point(code: str, codes: tuple[str, ...], version: str) -> tuple[float, float]:
    """Where the highlighted district's name goes on the map of `codes` (once per process and
    boundary file version)."""
    parts, _mid = _layout(codes, version)
    rings = load_boundaries()[code]
    others = [ring for other, ring in parts if other != code]
    return _label_point(max(rings, key=_area), others)


def _draw_highlight(
    ax: Axes, rings: list[np.ndarray], codes: tuple[str, ...], code: str, national: bool
) -> None:
    if not national:
        outline, name = highlight_artists(code, codes)
        ax.add_collection(outline)
        ax.add_artist(name)
        return
    outline = _outline(rings, 1.6)
    ax.add_collection(outline)
    x, y = _highlight_point(code, codes, boundaries_version())
    # a district is small on a national map: put the name beside it, with an arrow
    ax.annotate(
        load_registry().get(code).name,
        xy=(x, y),
        xytext=(18, 18),
        textcoords="offset points",
        fontsize=8,
        fontweight="bold",
        color=HIGHLIGHT_COLOR,
        arrowprops={"arrowstyle": "-", "color": HIGHLIGHT_COLOR, "linewidth": 0.8},
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        zorder=4,
    )


def highlight_artists(code: str, codes: tuple[str, ...]) -> tuple[PatchCollection, Text]:
    """The thick outline and the name of `code` on the province map of `codes`, as
    `province_map(codes, highlight=code)` draws them, in lon/lat: added to an axes they take
    its data coordinates; elsewhere (over a picture of the map) the caller sets their
    transform."""
    outline = _outline(load_boundaries()[code], 2.4)
    x, y = _highlight_point(code, tuple(codes), boundaries_version())
    name = Text(
        x,
        y,
        load_registry().get(code).name,
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        color=HIGHLIGHT_COLOR,
        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")],
        zorder=4,
        clip_on=False,
    )
    return outline, name


def _outline(rings: list[np.ndarray], width: float) -> PatchCollection:
    outline = PatchCollection(
        [Polygon(ring, closed=True) for ring in rings],
        facecolors="none",
        edgecolors=HIGHLIGHT_COLOR,
        linewidths=width,
        zorder=3,
    )
    outline.set_gid("highlight")
    return outline


def _norm(known: pd.Series) -> Normalize:
    if known.empty:
        return Normalize(0.0, 1.0)
    low, high = float(known.min()), float(known.max())
    if low == high:  # one value, or all equal: a scale of some width around it
        pad = abs(low) * 0.05 or 0.5
        low, high = low - pad, high + pad
    return Normalize(low, high)


def _area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _label_point(
    ring: np.ndarray, others: list[np.ndarray], steps: int = 40
) -> tuple[float, float]:
    """A point well inside `ring` and outside every ring in `others` (an enclave such as a kota
    inside its kabupaten): of a grid of candidates, the one farthest from all their edges. The
    vertex mean if no candidate qualifies."""
    xmin, ymin = ring.min(axis=0)
    xmax, ymax = ring.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, steps), np.linspace(ymin, ymax, steps))
    points = np.column_stack([gx.ravel(), gy.ravel()])
    inside = MplPath(ring).contains_points(points)
    near = [
        other
        for other in others
        if (other[:, 0].max() >= xmin and other[:, 0].min() <= xmax)
        and (other[:, 1].max() >= ymin and other[:, 1].min() <= ymax)
    ]
    for other in near:
        inside &= ~MplPath(other).contains_points(points)
    points = points[inside]
    if len(points) == 0:
        return float(ring[:, 0].mean()), float(ring[:, 1].mean())
    # labels are wide: count horizontal room at a discount, so wide spots win over tall ones
    squeeze = np.array([0.4, 1.0])
    distance = _distance_to_edges(points * squeeze, ring * squeeze)
    for other in near:
        distance = np.minimum(distance, _distance_to_edges(points * squeeze, other * squeeze))
    x, y = points[int(np.argmax(distance))]
    return float(x), float(y)


def _distance_to_edges(points: np.ndarray, ring: np.ndarray) -> np.ndarray:
    """Distance (in degrees) from each point to the nearest edge of a closed ring."""
    start, end = ring[:-1], ring[1:]
    segment = end - start
    length2 = np.maximum((segment**2).sum(axis=1), 1e-18)
    relative = points[:, None, :] - start[None, :, :]
    t = np.clip((relative * segment[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    closest = start[None] + t[..., None] * segment[None]
    return np.sqrt(((points[:, None, :] - closest) ** 2).sum(axis=2)).min(axis=1)
