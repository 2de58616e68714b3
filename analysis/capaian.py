"""Capaian kinerja (performance achievement) the way Indonesian regional performance reports
compute it, its evaluation category, and the yearly change a target still needs.

Capaian (percent of target achieved), R = realisation, T = target:

    higher is better (UHH, IDL, PF):   capaian = R / T × 100
    lower is better (stunting):        capaian = (T − (R − T)) / T × 100 = (2T − R) / T × 100

The lower-is-better formula is the "kondisi khusus" formula of PermenPANRB Nomor 6 Tahun 2022
(Pengelolaan Kinerja Pegawai ASN), Lampiran, Bab VI: capaian = (1 + (1 − realisasi / target)) ×
100 %, and the formula regional performance reports (LKjIP) use for indicators where "semakin
tinggi realisasi menunjukkan semakin rendah pencapaian kinerja", e.g. LKjIP Kabupaten Maluku
Tengah 2021, Bab III: (rencana − (realisasi − rencana)) / rencana × 100 %. Some reports use
T / R × 100 instead; `capaian(..., inverse="target_over_realisation")` gives that variant and the
frames record which formula was used.

Category: the five-level scale of the evaluation of regional plans (Permendagri Nomor 86 Tahun
2017, Lampiran, evaluasi hasil RKPD / Renstra / Renja: "kriteria tingkat capaian kinerja"):

    sangat tinggi  91 % ≤ capaian          (the regulation writes 91 % ≤ 100 %; above 100 % too)
    tinggi         76 % ≤ capaian < 91 %   (76 % ≤ 90 %)
    sedang         66 % ≤ capaian < 76 %   (66 % ≤ 75 %)
    rendah         51 % ≤ capaian < 66 %   (51 % ≤ 65 %)
    sangat rendah  capaian < 51 %          (≤ 50 %)

The regulation writes whole percents with gaps (90–91, 75–76, 65–66, 50–51). Capaian is used
unrounded (only floating-point noise below 1e-6 points is dropped) and every band starts at its
lower bound, so a value in a gap falls in the lower
category (90,5 % is tinggi, 50,5 % sangat rendah): a report never rounds a district up into a
better category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CATEGORIES = ("sangat_tinggi", "tinggi", "sedang", "rendah", "sangat_rendah")
# lower bound (percent) of each category, best first; below the last bound: sangat_rendah
CATEGORY_LOWER_BOUNDS = {"sangat_tinggi": 91.0, "tinggi": 76.0, "sedang": 66.0, "rendah": 51.0}
# formula codes: realisation_over_target (R / T), two_target_minus_realisation ((2T − R) / T),
# target_over_realisation (T / R); capaian below 100 means "behind target" under each of them
INVERSE_FORMULAS = ("two_target_minus_realisation", "target_over_realisation")


def capaian(
    realisation,
    target,
    direction: str,
    inverse: str = "two_target_minus_realisation",
):
    """Percent of target achieved (arrays or scalars). NaN where realisation or target is missing
    or the formula divides by zero (a target of 0, or a realisation of 0 in T / R)."""
    if direction not in ("higher", "lower"):
        raise ValueError(f"capaian needs direction 'higher' or 'lower', not {direction!r}")
    if inverse not in INVERSE_FORMULAS:
        raise ValueError(f"inverse must be one of {INVERSE_FORMULAS}, not {inverse!r}")
    r = np.asarray(realisation, dtype=float)
    t = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if direction == "higher":
            out = r / t * 100.0
        elif inverse == "two_target_minus_realisation":
            out = (2.0 * t - r) / t * 100.0
        else:
            out = t / r * 100.0
    out = np.where(np.isfinite(out), out, np.nan)
    return float(out) if out.ndim == 0 else out


def formula_of(direction: str, inverse: str = "two_target_minus_realisation") -> str:
    """The code of the formula `capaian` uses for this direction."""
    return "realisation_over_target" if direction == "higher" else inverse


def category(values) -> pd.Series | str | None:
    """Evaluation category code of each capaian value (None where capaian is missing)."""
    scalar = np.ndim(values) == 0
    # rounded to 1e-6 points only to drop floating-point noise: (40 − 21.8) / 20 × 100 is
    # 90.99999999999999 in binary floating point, and is 91 % (sangat tinggi)
    v = pd.Series(np.atleast_1d(np.asarray(values, dtype=float))).round(6)
    out = pd.Series("sangat_rendah", index=v.index, dtype=object)
    for name in reversed(list(CATEGORY_LOWER_BOUNDS)):  # lowest band first, best overwrites
        out[v >= CATEGORY_LOWER_BOUNDS[name]] = name
    out[v.isna()] = None
    return out.iloc[0] if scalar else out


def required_annual_change(latest_value, latest_year, target, target_year) -> float | np.ndarray:
    """Change per year (indicator units) from the latest realisation to the target by its year.
    NaN where the target year is not after the latest realisation year."""
    v, y = np.asarray(latest_value, dtype=float), np.asarray(latest_year, dtype=float)
    t, ty = np.asarray(target, dtype=float), np.asarray(target_year, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(ty > y, (t - v) / (ty - y), np.nan)
    return float(out) if out.ndim == 0 else out
