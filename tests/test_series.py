"""Series identity (params/series.yaml) and low-precision flags."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import ManifestError
from analysis.panel import load_panel, preferred_values
from analysis.series import load_series, low_precision, parse_series, with_series
from analysis.sources import load_manifest


def test_stunting_surveys_are_told_apart():
    s = load_series()
    assert s.series_of("stunting", "bapanas_ikp_2022", 2021) == "ssgi"
    assert s.series_of("stunting", "bapanas_ikp", 2022) == "ssgi"
    assert s.series_of("stunting", "bapanas_ikp", 2023) == "ski"
    # a table the project does not know is a series of its own, never joined silently
    assert s.series_of("stunting", "kab_serang_own", 2023) == "source:kab_serang_own"
    assert s.series_of("life_expectancy", "bps_ipm", 2012) == "uhh_sp2010"
    assert "uhh_long_form" in s.known("life_expectancy")  # known, but no value belongs to it
    assert s.label_key("ski") == "series_ski" and s.label_key("source:x") == "series_source"


def test_a_series_entry_needs_an_id():
    with pytest.raises(ManifestError, match="needs an `id`"):
        parse_series({"series": {"stunting": [{"sources": ["x"]}]}})


def _rows(values: dict[str, list[float]], years=(2021, 2022, 2023)) -> pd.DataFrame:
    return pd.DataFrame(
        [(c, y, v) for c, vs in values.items() for y, v in zip(years, vs, strict=True)],
        columns=["district_code", "year", "value"],
    )


def test_jumps_beyond_the_noise_and_boundary_values_are_flagged():
    rng = np.random.default_rng(0)
    values = {f"D{i:03d}": list(25 + rng.normal(0, 2, 3)) for i in range(100)}
    values["JUMP"] = [25.0, 24.0, 6.0]
    values["EDGE"] = [25.0, 24.0, 0.0]
    flags = low_precision(_rows(values), percent=True)
    found = set(zip(flags["district_code"], flags["year"], flags["reason"], strict=True))
    assert ("JUMP", 2023, "jump") in found and ("EDGE", 2023, "boundary_value") in found
    assert len(flags[flags["reason"] == "jump"]) <= 8  # the noise itself is rarely flagged
    assert low_precision(_rows(values), percent=False).empty  # not a sample proportion


def test_real_stunting_series_and_flags(built):
    preferred = preferred_values(load_panel(built.out_dir), load_manifest())
    stunting = with_series(preferred[preferred["indicator"] == "stunting"], load_series())
    serang = stunting[stunting["district_code"] == "3604"].sort_values("year")
    assert serang[["year", "value", "series"]].values.tolist() == [
        [2021, 27.2, "ssgi"],
        [2022, 26.4, "ssgi"],
        [2023, 23.9, "ski"],
    ]
    flags = low_precision(stunting, percent=True)
    # Sarolangun 16.8 (2022) -> 4.8 (2023); Serang's small changes are not flagged
    assert ((flags["district_code"] == "1503") & (flags["year"] == 2023)).any()
    assert not (flags["district_code"] == "3604").any()
    assert len(flags) < 0.08 * len(stunting)
