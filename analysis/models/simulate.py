"""Known truth: synthetic districts on which the estimation must recover what was put in.

Each replication draws districts on a grid (rows x cols), grouped into rectangular provinces, with

    y = 50 + u_province + b_a * lever_a + b_b * lever_b + 0 * confounded + e

- u_province: province effects (sd PROVINCE_SD);
- confounded: a lever with NO effect whose province means follow u_province (so a pooled
  regression finds it "significant"; it must not be called consistent);
- lever_a, lever_b: true levers, spatially smooth (each district's draw averaged with its
  neighbours'), plus an unrelated null lever `lever_null`;
- e: spatially autocorrelated errors, e = (I - rho W)^-1 v with v ~ N(0, 1), heteroskedastic;
  the same queen contiguity W is used by the spatial variant.

The real pipeline (`fit_outcome`) is run on every replication: the main model (province fixed
effects, clustered errors) on `replications` draws for the coverage of its 95 % intervals (the
true per-SD coefficient is b * sd(lever) in that sample), and all three variants with Holm and the
status across variants on the first `status_replications` draws (the spatial GMM estimator is the
slow part): how often each true lever is called consistent with the right sign, how often the
confounded and the null lever are called consistent, and how often the pooled model alone would
have called the confounded lever significant.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis.catalogue import Catalogue, Indicator, Opd
from analysis.models.assemble import CrossSection
from analysis.models.estimators import MAIN_VARIANT, VARIANTS
from analysis.models.outcome import fit_outcome
from analysis.models.spec import ModelSettings, OutcomeSpec

TRUE = {"lever_a": 1.0, "lever_b": -1.0, "lever_null": 0.0, "confounded": 0.0}
PROVINCE_SD = 2.0
RHO = 0.5


@dataclass(frozen=True)
class SimulationResult:
    replications: int
    status_replications: int
    districts: int
    provinces: int
    nominal: float
    coverage: float  # share of all lever intervals (main model) covering the truth
    coverage_by_lever: dict[str, float]
    consistent_right_sign: dict[str, float]  # per true lever
    confounded_called_consistent: float
    null_called_consistent: float
    pooled_calls_confounded: float  # how often the pooled HC3 model alone would have
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def _catalogue() -> Catalogue:
    opd = Opd("sim", "simulasi", "simulation")

    def ind(key: str, domain: str) -> Indicator:
        return Indicator(key, key, key, "index", -1e9, 1e9, "higher", domain, opd)

    indicators = {"outcome": ind("outcome", "PIP")}
    indicators.update({k: ind(k, "driver") for k in TRUE})
    return Catalogue(indicators, {"index": {"label_id": "", "label_en": ""}}, {"sim": opd})


def _grid(rows: int, cols: int, block: tuple[int, int]):
    from libpysal.weights import lat2W

    w = lat2W(rows, cols, rook=False)
    codes = [f"D{i:04d}" for i in range(rows * cols)]
    r, c = np.divmod(np.arange(rows * cols), cols)
    province = pd.Series(
        [f"P{a:02d}{b:02d}" for a, b in zip(r // block[0], c // block[1], strict=True)],
        index=codes,
    )
    dense = w.full()[0]
    dense = dense / dense.sum(axis=1, keepdims=True)
    return codes, province, w, dense


class Simulator:
    def __init__(self, rows: int = 20, cols: int = 15, block: tuple[int, int] = (4, 3)):
        self.codes, self.province, w, self.w_dense = _grid(rows, cols, block)
        self.n = len(self.codes)
        self.error_map = np.linalg.inv(np.eye(self.n) - RHO * self.w_dense)
        smooth = 0.5 * np.eye(self.n) + 0.5 * self.w_dense
        self.smooth = smooth
        self.catalogue = _catalogue()
        self.settings = ModelSettings(cv_folds=0, moran_permutations=0)
        self.spec = OutcomeSpec("outcome", tuple(TRUE), roles=tuple((k, "lever") for k in TRUE))
        from libpysal.weights import W

        self.weights = W(
            {
                c: [self.codes[j] for j in np.flatnonzero(self.w_dense[i])]
                for i, c in enumerate(self.codes)
            },
            id_order=self.codes,
            silence_warnings=True,
        )
        self.weights.transform = "r"

    def weights_for(self, codes):
        if list(codes) != self.codes:
            raise ValueError("the simulation fits every district")
        return self.weights, 0

    def draw(self, rng: np.random.Generator) -> pd.DataFrame:
        provinces = self.province.unique()
        effect = pd.Series(rng.normal(0, PROVINCE_SD, len(provinces)), index=provinces)
        u = self.province.map(effect).to_numpy()
        x = {
            "lever_a": self.smooth @ rng.normal(0, 1, self.n),
            "lever_b": self.smooth @ rng.normal(0, 1, self.n),
            "lever_null": rng.normal(0, 1, self.n),
            "confounded": 0.8 * u / PROVINCE_SD + rng.normal(0, 0.6, self.n),
        }
        scale = 0.8 + 0.4 * rng.uniform(size=self.n)  # heteroskedastic
        e = self.error_map @ (rng.normal(0, 1, self.n) * scale)
        y = 50 + u + sum(TRUE[k] * v for k, v in x.items()) + e
        frame = pd.DataFrame({"outcome": y, **x}, index=pd.Index(self.codes, name="district_code"))
        return frame

    def replicate(self, rng: np.random.Generator, full: bool = True) -> dict:
        data = self.draw(rng)
        cs = CrossSection("outcome", 2024, data, data * 0 + 2024, pd.DataFrame())
        fit = fit_outcome(
            cs,
            self.spec,
            tuple(TRUE),
            self.catalogue,
            self.settings,
            self.province,
            None,
            None,
            self.weights_for,
            variants=VARIANTS if full else (MAIN_VARIANT,),
            diagnostics=False,
        )
        main = fit.main.table.set_index("term")
        out = {}
        for lever, beta in TRUE.items():
            truth = beta * float(data[lever].std(ddof=1))
            row = main.loc[lever]
            out[f"covered_{lever}"] = bool(row["ci_low"] <= truth <= row["ci_high"])
            if full:
                right = np.sign(row["estimate"]) == np.sign(beta)
                out[f"consistent_{lever}"] = fit.consistent(lever)
                out[f"consistent_right_{lever}"] = bool(fit.consistent(lever) and right)
        if full:
            pooled = fit.variants["hc3"].table.set_index("term")
            out["pooled_confounded"] = bool(pooled.at["confounded", "p_holm"] < fit.alpha)
        return out


def run_simulation(
    replications: int = 200,
    status_replications: int = 40,
    seed: int = 20240601,
    rows: int = 20,
    cols: int = 15,
) -> SimulationResult:
    start = time.perf_counter()
    sim = Simulator(rows, cols)
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        [sim.replicate(rng, full=i < status_replications) for i in range(replications)]
    )
    covered = runs[[f"covered_{k}" for k in TRUE]]
    full = runs.iloc[: min(status_replications, replications)]
    return SimulationResult(
        replications=replications,
        status_replications=len(full),
        districts=sim.n,
        provinces=int(sim.province.nunique()),
        nominal=1 - sim.settings.alpha,
        coverage=float(covered.to_numpy().mean()),
        coverage_by_lever={k: float(runs[f"covered_{k}"].mean()) for k in TRUE},
        consistent_right_sign={
            k: float(full[f"consistent_right_{k}"].mean()) for k in TRUE if TRUE[k] != 0
        },
        confounded_called_consistent=float(full["consistent_confounded"].mean()),
        null_called_consistent=float(full["consistent_lever_null"].mean()),
        pooled_calls_confounded=float(full["pooled_confounded"].mean()),
        seconds=time.perf_counter() - start,
    )
