"""Fit once, report many: every model is fitted once per model version and stored as JSON under
data/processed/models/. A district report only loads it (no refit) unless the data changed."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.catalogue import load_catalogue
from analysis.errors import AnalysisError
from analysis.fingerprint import fingerprint
from analysis.models.assemble import choose_year, cross_section, panel_data
from analysis.models.estimators import MAIN_VARIANT
from analysis.models.fit import DriverModel, fit_panel
from analysis.models.outcome import OutcomeFit, fit_outcome
from analysis.models.spatial import BOUNDARIES, sample_weights
from analysis.models.spec import load_specs
from analysis.panel import load_panel, preferred_values, read_version_file
from analysis.paths import PROCESSED_DIR
from analysis.regions import load_registry
from analysis.sources import load_manifest

if TYPE_CHECKING:  # the fitting code (statsmodels, linearmodels) loads only to fit or load
    from analysis.models.fit import DriverModel

MODELS_FILE = "models.json"
MODELS_HASH = "models.json.sha256"  # written beside it: a truncated or edited file is detected


def model_version(data_version: str) -> str:
    """The data version with the fingerprint of the code and parameters (models.yaml included)."""
    digest = hashlib.sha256(data_version.encode())
    digest.update(fingerprint().encode())
    return digest.hexdigest()[:16]


@dataclass
class ModelSet:
    models: dict[str, DriverModel]
    data_version: str
    model_version: str
    fitted_seconds: float
    skipped_outcomes: dict[str, str]
    outcomes: dict[str, OutcomeFit] = field(default_factory=dict)
    software: dict[str, str] = field(default_factory=dict)

    def get(
        self, outcome: str, kind: str = "cross_section", variant: str = MAIN_VARIANT
    ) -> DriverModel | None:
        """One model; by default the main cross-section model (province fixed effects)."""
        return self.models.get(f"{outcome}/{kind}/{variant}")

    def fit(self, outcome: str) -> OutcomeFit | None:
        """Every cross-section variant of `outcome` and the levers' robustness."""
        return self.outcomes.get(outcome)

    def table(self) -> pd.DataFrame:
        """One row per model: n, R², drivers, warnings."""
        return pd.DataFrame(
            [
                {
                    "model_id": m.model_id,
                    "outcome": m.outcome,
                    "kind": m.kind,
                    "variant": m.variant,
                    "year": m.year if m.year else f"{m.years[0]}–{m.years[1]}",
                    "n": m.n,
                    "groups": m.n_groups,
                    "r2": m.r2,
                    "r2_within": m.r2_within,
                    "r2_cv": m.r2_cv,
                    "moran_i": (m.moran or {}).get("i"),
                    "moran_p": (m.moran or {}).get("p_value"),
                    "drivers": len(m.drivers),
                    "dropped": len(m.dropped),
                    "warnings": len(m.warnings),
                }
                for m in self.models.values()
            ]
        )


MIN_DRIVER_COVERAGE = 0.8  # an imported driver joins a model if it covers 80 % of its sample


def imported_roles(imports_dir: Path | None = None) -> tuple[dict, dict]:
    """Indicators that registered imports declare for the models: drivers (id -> outcomes or
    None for all) and outcomes (id -> OutcomeSpec with the declared drivers)."""
    from analysis.imports import IMPORTS_DIR, registered
    from analysis.models.spec import OutcomeSpec

    drivers, outcomes = {}, {}
    for imp in registered(imports_dir or IMPORTS_DIR):
        for ind, spec in imp.indicators.items():
            role = (spec.get("model") or {}).get("role")
            if role == "driver":
                drivers[ind] = spec["model"].get("outcomes")
            elif role == "outcome":
                outcomes[ind] = OutcomeSpec(ind, tuple(spec["model"].get("drivers") or ()))
    return drivers, outcomes


def with_imported_drivers(preferred, outcome, base, imported, year, settings, skipped):
    """`base` plus each imported driver that covers enough of the outcome's sample (imported
    drivers are levers: measured at or before the outcome year)."""
    gap = settings.max_year_gap
    n = len(cross_section(preferred, outcome, base, year, gap).data)
    drivers = list(base)
    for driver, targets in imported.items():
        if targets is not None and outcome not in targets:
            continue
        covered = len(
            cross_section(
                preferred, outcome, (*base, driver), year, gap, earlier_only={driver}
            ).data
        )
        if covered >= MIN_DRIVER_COVERAGE * n:
            drivers.append(driver)
        else:
            skipped[f"{outcome}/{driver}"] = (
                f"imported driver not used: it covers {covered} of the {n} districts in the sample"
            )
    return tuple(drivers)


def _registry_series(registry) -> tuple[pd.Series, pd.Series, pd.Series]:
    codes = [d.code for d in registry]
    return (
        pd.Series([d.province_code for d in registry], index=codes),
        pd.Series([d.is_kota for d in registry], index=codes),
        pd.Series([d.island for d in registry], index=codes),
    )


def _spatial_weights(boundaries: Path | None):
    """The weights function for the spatial variant and Moran's I, or None without a boundary
    file (then neither is computed, and the model table says so)."""
    path = boundaries or BOUNDARIES
    if not path.exists():
        return None
    return lambda codes: sample_weights(codes, path)


def fit_all(
    processed_dir: Path = PROCESSED_DIR,
    progress: Callable[[str], None] | None = None,
    imports_dir: Path | None = None,
    boundaries: Path | None = None,
) -> ModelSet:
    """Fit every model in params/models.yaml (and those imports declare) on the current panel
    and store them."""
    start = time.perf_counter()
    info = read_version_file(processed_dir)
    if info is None:
        raise AnalysisError("no processed data: run `python -m analysis data` first")
    catalogue = load_catalogue(imports_dir=imports_dir)
    settings, specs = load_specs()
    imported_drivers, imported_outcomes = imported_roles(imports_dir)
    specs = {**specs, **{k: v for k, v in imported_outcomes.items() if k not in specs}}
    province, is_kota, island = _registry_series(load_registry())
    everything = load_panel(processed_dir, include_flagged=True)
    flagged = everything[everything["flag"] != ""]
    preferred = preferred_values(everything[everything["flag"] == ""], load_manifest())
    weights_for = _spatial_weights(boundaries)
    models: dict[str, DriverModel] = {}
    outcomes: dict[str, OutcomeFit] = {}
    skipped: dict[str, str] = {}
    gap = settings.max_year_gap
    for outcome, spec in specs.items():
        if progress:
            progress(outcome)
        levers = set(spec.levers) | set(imported_drivers)
        year = spec.year or choose_year(preferred, outcome, spec.drivers, gap, levers)
        drivers = with_imported_drivers(
            preferred, outcome, spec.drivers, imported_drivers, year, settings, skipped
        )
        cs = cross_section(
            preferred, outcome, drivers, year, gap, flagged, levers, catalogue=catalogue
        )
        if len(cs.data) <= len(drivers) + len(spec.registry_terms) + 8:
            skipped[f"{outcome}/cross_section"] = (
                f"only {len(cs.data)} complete districts for {len(drivers)} drivers"
            )
        else:
            fitted = fit_outcome(
                cs, spec, drivers, catalogue, settings, province, is_kota, island, weights_for
            )
            outcomes[outcome] = fitted
            models.update({m.model_id: m for m in fitted.variants.values()})
        if spec.panel_drivers and spec.panel_years:
            data = panel_data(preferred, outcome, spec.panel_drivers, spec.panel_years)
            if data.index.get_level_values("year").nunique() < 2:
                skipped[f"{outcome}/panel"] = "fewer than two years with outcome and drivers"
            else:
                model = fit_panel(
                    data, outcome, spec.panel_drivers, catalogue, settings, spec.panel_years
                )
                models[model.model_id] = model
        elif not spec.panel_drivers:
            skipped[f"{outcome}/panel"] = "no panel specification (see params/models.yaml)"
    if weights_for is None:
        skipped["spatial_error"] = f"no boundary file at {boundaries or BOUNDARIES}"
    seconds = time.perf_counter() - start
    result = ModelSet(
        models,
        info["data_version"],
        model_version(info["data_version"]),
        seconds,
        skipped,
        outcomes,
        software_versions(),
    )
    save(result, processed_dir)
    return result


def software_versions() -> dict[str, str]:
    from importlib import metadata

    names = ("pyfixest", "statsmodels", "linearmodels", "spreg", "esda", "libpysal", "geopandas")
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def save(models: ModelSet, processed_dir: Path = PROCESSED_DIR) -> Path:
    folder = processed_dir / "models"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / MODELS_FILE
    doc = {
        "data_version": models.data_version,
        "model_version": models.model_version,
        "fitted_seconds": round(models.fitted_seconds, 3),
        "software": models.software,
        "skipped": models.skipped_outcomes,
        "outcomes": {k: o.to_dict() for k, o in models.outcomes.items()},
        "models": [m.to_dict() for m in models.models.values()],
    }
    tmp = path.with_suffix(".json.part")
    text = json.dumps(doc)
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    (folder / MODELS_HASH).write_text(hashlib.sha256(text.encode()).hexdigest(), encoding="utf-8")
    return path


def models_damaged(processed_dir: Path = PROCESSED_DIR) -> bool:
    """True when models.json does not match the sha256 written beside it (or has none)."""
    from analysis.sources import sha256_of

    folder = processed_dir / "models"
    path, recorded = folder / MODELS_FILE, folder / MODELS_HASH
    if not path.exists() or not recorded.exists():
        return True
    return sha256_of(path) != recorded.read_text(encoding="utf-8").strip()


def stored_model_version(processed_dir: Path = PROCESSED_DIR) -> str | None:
    path = processed_dir / "models" / MODELS_FILE
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        head = fh.read(200)
    marker = '"model_version": "'
    at = head.find(marker)
    return head[at + len(marker) : at + len(marker) + 16] if at >= 0 else None


def models_up_to_date(processed_dir: Path = PROCESSED_DIR) -> bool:
    info = read_version_file(processed_dir)
    return (
        bool(info)
        and stored_model_version(processed_dir) == model_version(info["data_version"])
        and not models_damaged(processed_dir)
    )


def load_models(processed_dir: Path = PROCESSED_DIR) -> ModelSet:
    """The stored models. Refuses models fitted on other data (run `python -m analysis data`)."""
    path = processed_dir / "models" / MODELS_FILE
    if not path.exists():
        raise AnalysisError(f"{path} does not exist: run `python -m analysis data` first")
    try:
        if models_damaged(processed_dir):
            raise ValueError("its sha256 differs from the one recorded beside it")
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise AnalysisError(
            f"{path} is damaged ({exc}): run `python -m analysis models --force` (or "
            "`python -m analysis data`) to refit and rewrite it"
        ) from None
    info = read_version_file(processed_dir) or {}
    expected = model_version(info.get("data_version", ""))
    if doc["model_version"] != expected:
        raise AnalysisError(
            f"the stored models ({doc['model_version']}) were fitted on other data, code or "
            f"parameters (now {expected}): run `python -m analysis data` to refit"
        )
    from analysis.models.fit import DriverModel

    models = {d["model_id"]: DriverModel.from_dict(d) for d in doc["models"]}
    outcomes = {k: OutcomeFit.from_dict(o, models) for k, o in (doc.get("outcomes") or {}).items()}
    return ModelSet(
        models,
        doc["data_version"],
        doc["model_version"],
        doc["fitted_seconds"],
        doc.get("skipped", {}),
        outcomes,
        doc.get("software", {}),
    )
