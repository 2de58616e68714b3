"""Model specifications from params/models.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import ManifestError
from analysis.paths import PARAMS_DIR

MODELS_YAML = PARAMS_DIR / "models.yaml"


@dataclass(frozen=True)
class ModelSettings:
    max_year_gap: int = 3
    min_districts: int = 30
    drivers_per_district: float = 0.1
    max_vif: float = 10.0


@dataclass(frozen=True)
class OutcomeSpec:
    outcome: str
    drivers: tuple[str, ...]
    year: int | None = None
    panel_drivers: tuple[str, ...] = ()
    panel_years: tuple[int, int] | None = None


def parse_specs(
    doc: dict, catalogue: Catalogue, where: str = "params/models.yaml"
) -> tuple[ModelSettings, dict[str, OutcomeSpec]]:
    settings = ModelSettings(**(doc.get("settings") or {}))
    specs = {}
    for outcome, spec in (doc.get("models") or {}).items():
        panel = spec.get("panel") or {}
        names = [outcome, *spec.get("drivers", []), *panel.get("drivers", [])]
        unknown = [n for n in names if n not in catalogue]
        if unknown:
            raise ManifestError(f"{where}, model {outcome!r}: unknown indicator(s) {unknown}")
        if outcome in spec.get("drivers", []):
            raise ManifestError(f"{where}, model {outcome!r}: the outcome is also a driver")
        specs[outcome] = OutcomeSpec(
            outcome=outcome,
            drivers=tuple(spec.get("drivers", [])),
            year=spec.get("year"),
            panel_drivers=tuple(panel.get("drivers", [])),
            panel_years=tuple(panel["years"]) if panel.get("years") else None,
        )
    return settings, specs


@cache
def load_specs(path: Path = MODELS_YAML) -> tuple[ModelSettings, dict[str, OutcomeSpec]]:
    with open(path, encoding="utf-8") as fh:
        return parse_specs(yaml.safe_load(fh), load_catalogue(), str(path))
