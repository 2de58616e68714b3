"""Frames from the tables a district brings itself: SPM kesehatan achievement and kecamatan /
puskesmas values. Each returns the accepted rows of the district and every rejected row with its
reason (nothing read is lost)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.catalogue import Catalogue
from analysis.regions import Registry
from analysis.spm import read_spm
from analysis.subdistrict import read_units, unit_summary


def spm_frames(path: Path, registry: Registry, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the district's services: year, service, target_population, served, percent, below
    target; the table's problems: file, row, column, value, reason)."""
    table = read_spm(path, registry)
    mine = table.for_district(code).reset_index(drop=True)
    mine = mine.assign(below_target=mine["percent"] < 100)
    return mine, table.problems.reset_index(drop=True)


def unit_frames(
    path: Path, registry: Registry, catalogue: Catalogue, code: str
) -> tuple[dict[str, tuple[pd.DataFrame, dict]], pd.DataFrame]:
    """({indicator: (units ranked best first with rank and pulls_down, spread)}, problems)."""
    units = read_units(path, registry, catalogue)
    mine = units.rows[units.rows["district_code"] == code]
    summaries = {
        ind: unit_summary(mine, ind, catalogue[ind].direction)
        for ind in sorted(mine["indicator"].unique())
    }
    return summaries, units.problems.reset_index(drop=True)
