"""Spatial weights from the boundary file and Moran's I of model residuals (PySAL).

Neighbours are queen contiguity (shared edge or corner) of the QuaRCS 514-district polygons
(2010-vintage BPS codes, mapped to the registry's codes). A district with no neighbour, an island
such as Simeulue or Kepulauan Mentawai, or one whose neighbours are all outside a model's sample,
is linked to its nearest district (centroid distance) so that every district counts. Weights are
row-standardized.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.paths import RAW_DIR

BOUNDARIES = RAW_DIR / "quarcs_boundaries514" / "kabkota514_simplified.geojson"


@dataclass(frozen=True)
class MoranResult:
    """Moran's I of a model's residuals. p_value: two-sided permutation p (seeded);
    p_norm: two-sided p under the normal approximation."""

    i: float
    expected: float
    z: float
    p_value: float
    p_norm: float
    permutations: int
    n: int
    islands_linked: int  # districts given their nearest district as their only neighbour

    def to_dict(self) -> dict:
        return asdict(self)


@cache
def district_geometry(path: Path = BOUNDARIES) -> tuple[dict, pd.DataFrame]:
    """Queen neighbours (code -> list of codes) and centroids (index code; x, y), keyed by the
    registry's district code."""
    import geopandas as gpd
    from libpysal.weights import Queen

    from analysis.regions import load_registry

    to_code = {d.code_2010: d.code for d in load_registry()}
    shapes = gpd.read_file(path)
    codes = [to_code.get(str(c)) for c in shapes["districtID"]]
    if None in codes:
        unknown = [str(c) for c, k in zip(shapes["districtID"], codes, strict=True) if k is None]
        raise ValueError(f"{path}: district codes unknown to the registry: {unknown}")
    shapes = shapes.assign(code=codes)
    queen = Queen.from_dataframe(shapes, ids=codes, use_index=False, silence_warnings=True)
    centroids = shapes.geometry.representative_point()
    points = pd.DataFrame({"x": centroids.x, "y": centroids.y}, index=pd.Index(codes))
    return dict(queen.neighbors), points


def weights_for(
    codes: list[str], neighbours: dict[str, list[str]], points: pd.DataFrame
) -> tuple[object, int]:
    """Row-standardized weights over `codes` (in that order): contiguity within the set, every
    district without a neighbour in the set linked to its nearest one. Returns (W, linked)."""
    from libpysal.weights import W

    inside = set(codes)
    links = {c: [n for n in neighbours.get(c, []) if n in inside] for c in codes}
    xy = points.loc[codes, ["x", "y"]].to_numpy()
    linked = 0
    for i, code in enumerate(codes):
        if links[code]:
            continue
        distance = np.hypot(*(xy - xy[i]).T)
        distance[i] = np.inf
        nearest = codes[int(np.argmin(distance))]
        links[code] = [nearest]
        if code not in links[nearest]:
            links[nearest] = [*links[nearest], code]
        linked += 1
    w = W(links, id_order=list(codes), silence_warnings=True)
    w.transform = "r"
    return w, linked


def sample_weights(codes: list[str], path: Path = BOUNDARIES) -> tuple[object, int]:
    neighbours, points = district_geometry(path)
    return weights_for(list(codes), neighbours, points)


def residual_moran(
    residuals: pd.Series, w, permutations: int, seed: int, linked: int = 0
) -> MoranResult:
    """esda.Moran of the residuals (in W's order). esda draws its permutations from numpy's
    global generator: it is seeded here and restored afterwards."""
    from esda.moran import Moran

    values = residuals.reindex(w.id_order).to_numpy(dtype=float)
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        m = Moran(values, w, permutations=permutations)
    finally:
        np.random.set_state(state)
    return MoranResult(
        i=float(m.I),
        expected=float(m.EI),
        z=float(m.z_norm),
        p_value=float(min(1.0, 2 * m.p_sim)) if permutations else float(m.p_norm),
        p_norm=float(m.p_norm),
        permutations=int(permutations),
        n=int(len(values)),
        islands_linked=int(linked),
    )
