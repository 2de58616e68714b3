"""The design matrix every variant of a model shares: standardized (transformed) panel drivers,
the kota dummy and island-group dummies from the registry, and the province of each district.

Drivers are standardized over the model sample, so a coefficient is the outcome change (in the
outcome's unit) that goes with one standard deviation of the (transformed) driver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue

CONST = "const"
ISLAND_PREFIX = "island_"
BASE_ISLAND = "Sumatera"  # the largest group is the baseline of the island dummies


def transform_values(values, transform: str | None):
    if transform == "log1p":
        return np.log1p(values)
    return values


def island_term(island: str) -> str:
    return ISLAND_PREFIX + island.lower().replace(" ", "_")


@dataclass
class Design:
    y: pd.Series  # outcome, index district_code
    z: pd.DataFrame  # standardized panel drivers
    kota: pd.Series | None  # 1.0 for a kota
    islands: pd.DataFrame  # island-group dummies (empty if not in the specification)
    province: pd.Series  # province code per district
    island: pd.Series  # island-group name per district
    scale: pd.DataFrame  # term, mean, sd, transform (panel drivers only)

    def matrix(self, variant: str) -> pd.DataFrame:
        """Regressors of a variant: `province_fe` has no constant and no island dummies (both
        absorbed by the province effects); the pooled variants have both."""
        parts = [self.z]
        if self.kota is not None:
            parts.append(self.kota.to_frame())
        if variant == "province_fe":
            return pd.concat(parts, axis=1)
        const = pd.Series(1.0, index=self.y.index, name=CONST)
        return pd.concat([const.to_frame(), *parts, self.islands], axis=1)

    def subset(self, codes) -> Design:
        return Design(
            self.y.loc[codes],
            self.z.loc[codes],
            None if self.kota is None else self.kota.loc[codes],
            self.islands.loc[codes],
            self.province.loc[codes],
            self.island.loc[codes],
            self.scale,
        )


def standardize_frame(
    raw: pd.DataFrame, drivers: tuple[str, ...], catalogue: Catalogue
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """z-scores of the transformed drivers, and the (mean, sd, transform) used."""
    z = pd.DataFrame(index=raw.index)
    scale = []
    for d in drivers:
        transform = catalogue[d].transform or ""
        values = transform_values(raw[d].astype(float), transform or None)
        mean, sd = float(values.mean()), float(values.std(ddof=1))
        z[d] = (values - mean) / sd if sd > 0 else np.nan
        scale.append({"term": d, "mean": mean, "sd": sd, "transform": transform})
    return z, pd.DataFrame(scale, columns=["term", "mean", "sd", "transform"])


def island_dummies(island: pd.Series) -> pd.DataFrame:
    groups = sorted(g for g in island.unique() if g != BASE_ISLAND)
    if island.nunique() < 2:
        return pd.DataFrame(index=island.index)
    return pd.DataFrame(
        {island_term(g): (island == g).astype(float) for g in groups}, index=island.index
    )


def build_design(
    data: pd.DataFrame,
    outcome: str,
    drivers: tuple[str, ...],
    catalogue: Catalogue,
    province: pd.Series,
    is_kota: pd.Series | None = None,
    island: pd.Series | None = None,
) -> Design:
    """`data`: index district_code, the outcome and the raw drivers. `is_kota` / `island` are
    given when the specification has those context terms."""
    z, scale = standardize_frame(data, drivers, catalogue)
    codes = data.index
    kota = None
    if is_kota is not None:
        kota = is_kota.reindex(codes).astype(float).rename("kota")
        if kota.nunique() < 2:
            kota = None
    groups = island.reindex(codes) if island is not None else pd.Series("", index=codes)
    islands = island_dummies(groups) if island is not None else pd.DataFrame(index=codes)
    return Design(
        y=data[outcome].astype(float),
        z=z,
        kota=kota,
        islands=islands,
        province=province.reindex(codes).astype(str),
        island=groups.astype(str),
        scale=scale,
    )
