"""One district, one indicator: the gap to a reference split by driver and OPD, peers and positive
deviants, trend, target verdict and ranks. Everything is read from the processed data and the
stored models; nothing is fitted here."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import AnalysisError
from analysis.fingerprint import fingerprint
from analysis.models.decompose import REFERENCES, Decomposition, decompose
from analysis.models.fit import DriverModel
from analysis.models.peers import peer_districts, positive_deviants, structural_frame
from analysis.models.store import ModelSet, load_models, stored_model_version
from analysis.panel import load_panel, preferred_values, read_version_file
from analysis.paths import PARAMS_DIR, PROCESSED_DIR
from analysis.ranking import district_ranks
from analysis.regions import District, Registry, load_registry
from analysis.sources import load_manifest, sha256_of
from analysis.targets import Targets, load_targets
from analysis.trends import district_trend, target_verdict

TARGETS_DIR = PARAMS_DIR / "targets"
# This process's loaded contexts, most recently used last (a batch uses one; tests a few).
_LOADED: OrderedDict[tuple, Context] = OrderedDict()
_KEEP_LOADED = 2


@dataclass
class Context:
    """What every explanation reads, loaded once (a batch of districts shares one context)."""

    registry: Registry
    catalogue: Catalogue
    preferred: pd.DataFrame
    models: ModelSet
    structural: pd.DataFrame
    targets: Targets
    data_version: str

    @classmethod
    def load(
        cls, processed_dir: Path = PROCESSED_DIR, target_files: tuple[Path, ...] = ()
    ) -> Context:
        """The context for these files, read once per process: a batch worker and its warm
        kernel read the panel and the models for their first report only. The cache key
        (`context_key`) changes with the data, the models, the code or a target file, so a
        cached context is never stale. It is shared: treat it as read-only."""
        key = context_key(processed_dir, target_files)
        ctx = _LOADED.get(key)
        if ctx is None:
            ctx = cls.read(processed_dir, target_files)
            _LOADED[key] = ctx
            while len(_LOADED) > _KEEP_LOADED:
                _LOADED.popitem(last=False)
        _LOADED.move_to_end(key)
        return ctx

    @classmethod
    def read(
        cls, processed_dir: Path = PROCESSED_DIR, target_files: tuple[Path, ...] = ()
    ) -> Context:
        """Read the context from disk (no cache)."""
        registry = load_registry()
        panel = load_panel(processed_dir)
        preferred = preferred_values(panel, load_manifest())
        return cls(
            registry=registry,
            catalogue=load_catalogue(),
            preferred=preferred,
            models=load_models(processed_dir),
            structural=structural_frame(preferred, registry),
            targets=load_targets(TARGETS_DIR / "national.yaml", target_files),
            data_version=panel.attrs["data_version"],
        )

    def values(self, indicator: str, year: int) -> pd.Series:
        rows = self.preferred[
            (self.preferred["indicator"] == indicator) & (self.preferred["year"] == year)
        ]
        return rows.set_index("district_code")["value"]


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def context_key(processed_dir: Path, target_files: tuple[Path, ...] = ()) -> tuple:
    """What a loaded context depends on: the processed folder, its data and model versions and
    file stamps, the code fingerprint, and each target file's content hash."""
    folder = Path(processed_dir).resolve()
    info = read_version_file(folder) or {}
    stamps = tuple(
        _stamp(folder / name)
        for name in ("data_version.json", "panel.parquet", "models/models.json")
    )
    targets = tuple(
        (str(Path(p).resolve()), sha256_of(Path(p)) if Path(p).is_file() else None)
        for p in target_files
    )
    return (
        str(folder),
        info.get("data_version"),
        stored_model_version(folder),
        stamps,
        targets,
        fingerprint(),
    )


@dataclass
class Explanation:
    district: District
    indicator: str
    reference: str
    latest: dict[str, Any] | None
    model: DriverModel | None
    decomposition: Decomposition | None
    decomposition_error: str | None
    gaps: dict[str, dict[str, Any]]
    peers: pd.DataFrame
    deviants: pd.DataFrame
    trend: Any
    target: Any
    verdict: Any
    ranks: dict[str, Any] | None
    data_version: str
    model_version: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = self.decomposition
        return {
            "district": {
                "code": self.district.code,
                "name": self.district.name,
                "province": self.district.province,
            },
            "indicator": self.indicator,
            "reference": self.reference,
            "latest": self.latest,
            "year": d.year if d else None,
            "value": d.district_value if d else None,
            "reference_value": d.reference_value if d else None,
            "gap": d.gap if d else None,
            "contributions": [c.__dict__ for c in d.contributions] if d else [],
            "unexplained": d.unexplained if d else None,
            "decomposition_error": self.decomposition_error,
            "gaps": self.gaps,
            "model": _model_dict(self.model),
            "peers": self.peers.to_dict("records"),
            "positive_deviants": self.deviants.to_dict("records"),
            "trend": _as_dict(self.trend),
            "target": _as_dict(self.target),
            "verdict": _as_dict(self.verdict),
            "ranks": self.ranks,
            "data_version": self.data_version,
            "model_version": self.model_version,
            "caveat": "Regression results are associations across districts, not proof of cause.",
        }


def _as_dict(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj.__dict__)


def _model_dict(model: DriverModel | None) -> dict[str, Any] | None:
    if model is None:
        return None
    return {
        "model_id": model.model_id,
        "year": model.year,
        "n": model.n,
        "r2": model.r2,
        "cov_type": model.cov_type,
        "warnings": model.warnings,
        "coefficients": model.coefficients[
            ["term", "estimate", "ci_low", "ci_high", "p_value", "vif"]
        ].to_dict("records"),
    }


def reference_codes(
    ctx: Context, district: District, reference: str, peers: list[str]
) -> list[str]:
    if reference == "national":
        return [d.code for d in ctx.registry]
    if reference == "province":
        return [d.code for d in ctx.registry if d.province_code == district.province_code]
    if reference == "peers":
        return peers
    raise AnalysisError(f"reference must be one of {', '.join(REFERENCES)}, not {reference!r}")


def _deviant_differences(model: DriverModel, district: str, deviant: str) -> list[dict[str, Any]]:
    """Each driver's difference between a deviant and the district, and the outcome difference
    the model associates with it (beta times the standardized difference)."""
    sample = model.sample.set_index("district_code")
    if district not in sample.index or deviant not in sample.index:
        return []
    beta = model.beta
    rows = []
    for driver in model.drivers:
        dz = float(
            model.standardize(driver, sample.at[deviant, driver])
            - model.standardize(driver, sample.at[district, driver])
        )
        rows.append(
            {
                "driver": driver,
                "district_value": float(sample.at[district, driver]),
                "deviant_value": float(sample.at[deviant, driver]),
                "associated_difference": float(beta[driver]) * dz,
            }
        )
    return rows


def explain(
    ctx: Context,
    district_query: str,
    indicator: str,
    reference: str = "national",
    k_peers: int = 10,
) -> Explanation:
    district = ctx.registry.resolve(district_query)
    ind = ctx.catalogue[indicator]
    mine = ctx.preferred[
        (ctx.preferred["district_code"] == district.code)
        & (ctx.preferred["indicator"] == indicator)
    ].sort_values("year")
    latest = None
    if not mine.empty:
        last = mine.iloc[-1]
        latest = {
            "value": float(last["value"]),
            "year": int(last["year"]),
            "source": last["source"],
        }
    model = ctx.models.get(indicator)
    peers = peer_districts(district.code, ctx.structural, k_peers)
    peer_codes = peers["district_code"].tolist()
    decomposition, error, gaps = None, None, {}
    if model is None:
        error = f"no driver model for {indicator}"
    else:
        for ref in REFERENCES:
            try:
                dec = decompose(
                    model,
                    district.code,
                    reference_codes(ctx, district, ref, peer_codes),
                    ref,
                    ctx.catalogue,
                )
                gaps[ref] = {
                    "gap": dec.gap,
                    "reference_value": dec.reference_value,
                    "reference_n": dec.reference_n,
                }
                if ref == reference:
                    decomposition = dec
            except AnalysisError as exc:
                gaps[ref] = {"error": str(exc)}
                if ref == reference:
                    error = str(exc)
    year = model.year if model else (latest["year"] if latest else None)
    outcome_values = ctx.values(indicator, year) if year else pd.Series(dtype=float)
    peers = peers.assign(
        name=[ctx.registry.get(c).name for c in peer_codes],
        province=[ctx.registry.get(c).province for c in peer_codes],
        value=outcome_values.reindex(peer_codes).to_numpy(),
        year=year,
    )
    deviants = positive_deviants(
        district.code,
        peer_codes,
        outcome_values,
        ind.direction,
        float(outcome_values.std(ddof=1)) if len(outcome_values) > 1 else float("nan"),
    )
    if not deviants.empty:
        deviants = deviants.assign(
            name=[ctx.registry.get(c).name for c in deviants["district_code"]],
            differs=[
                _top_differences(model, district.code, c, ind.direction)
                for c in deviants["district_code"]
            ]
            if model
            else None,
        )
    trend = district_trend(ctx.preferred, district.code, indicator)
    target = ctx.targets.for_district(district.code, indicator)
    verdict = None
    if target is not None and trend is not None:
        verdict = target_verdict(
            trend, target.value, target.year, ind.direction, current_year=date.today().year
        )
    ranks = None
    if ind.direction in ("higher", "lower"):
        table = district_ranks(ctx.preferred, ctx.registry, indicator)
        row = table[table["district_code"] == district.code]
        if not row.empty:
            ranks = {
                k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].to_dict().items()
            }
    return Explanation(
        district=district,
        indicator=indicator,
        reference=reference,
        latest=latest,
        model=model,
        decomposition=decomposition,
        decomposition_error=error,
        gaps=gaps,
        peers=peers,
        deviants=deviants,
        trend=trend,
        target=target,
        verdict=verdict,
        ranks=ranks,
        data_version=ctx.data_version,
        model_version=ctx.models.model_version,
    )


def _top_differences(
    model: DriverModel, district: str, deviant: str, direction: str, top: int = 3
) -> list[dict[str, Any]]:
    """The drivers whose difference goes with the deviant's better outcome, largest first."""
    rows = _deviant_differences(model, district, deviant)
    sign = -1 if direction == "lower" else 1
    rows.sort(key=lambda r: sign * r["associated_difference"], reverse=True)
    return [r for r in rows if sign * r["associated_difference"] > 0][:top]
