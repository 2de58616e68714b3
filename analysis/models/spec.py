"""Model specifications from params/models.yaml: per outcome, its drivers and each driver's role.

A *lever* is something an OPD can change (owned by an OPD in the catalogue, with a direction that
says which way is better); only levers can become root causes. *Context* (density, GRDP per
capita, kota/kabupaten, island group; the province enters as fixed effects) is controlled for and
never owned by an OPD.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from analysis import yamlio
from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import ManifestError
from analysis.paths import PARAMS_DIR

MODELS_YAML = PARAMS_DIR / "models.yaml"
ROLES = ("lever", "context")
# Context that comes from the district registry, not from the panel.
REGISTRY_TERMS = ("kota", "island")
# The province fixed effect: a context part of every decomposition with the main model.
PROVINCE_TERM = "province"


@dataclass(frozen=True)
class ModelSettings:
    max_year_gap: int = 3
    min_districts: int = 30
    drivers_per_district: float = 0.1
    max_vif: float = 10.0
    alpha: float = 0.05  # 95 % intervals; Holm over each model's levers at this level
    cv_folds: int = 10
    moran_permutations: int = 999
    seed: int = 20240601  # folds and permutations: same inputs give the same bytes


@dataclass(frozen=True)
class OutcomeSpec:
    outcome: str
    drivers: tuple[str, ...]  # panel indicators (levers and context), in the file's order
    year: int | None = None
    panel_drivers: tuple[str, ...] = ()
    panel_years: tuple[int, int] | None = None
    roles: tuple[tuple[str, str], ...] = ()  # (driver, role) for drivers and registry terms
    would_help: tuple[str, ...] = ()  # keys of data that would explain more (strings: data_<key>)

    def role(self, driver: str) -> str:
        """A driver's role; an imported driver without one is a lever (its OPD is the owner)."""
        return dict(self.roles).get(driver, "lever")

    @property
    def levers(self) -> tuple[str, ...]:
        return tuple(d for d in self.drivers if self.role(d) == "lever")

    @property
    def registry_terms(self) -> tuple[str, ...]:
        return tuple(t for t, _ in self.roles if t in REGISTRY_TERMS)


def _driver_roles(spec: dict, outcome: str, where: str) -> dict[str, str]:
    drivers = spec.get("drivers") or {}
    if isinstance(drivers, list):  # the old form: every driver a lever
        return dict.fromkeys(drivers, "lever")
    if not isinstance(drivers, dict):
        raise ManifestError(f"{where}, model {outcome!r}: drivers must map driver -> role")
    bad = {d: r for d, r in drivers.items() if r not in ROLES}
    if bad:
        raise ManifestError(
            f"{where}, model {outcome!r}: role must be one of {ROLES}, not {bad} "
            "(lever = an OPD can change it; context = a control no OPD owns)"
        )
    return dict(drivers)


def _check_levers(roles: dict[str, str], outcome: str, catalogue: Catalogue, where: str) -> None:
    for driver, role in roles.items():
        if role == "lever" and driver in REGISTRY_TERMS:
            raise ManifestError(f"{where}, model {outcome!r}: {driver} can only be context")
        if role == "lever" and catalogue[driver].direction not in ("higher", "lower"):
            raise ManifestError(
                f"{where}, model {outcome!r}: lever {driver} has direction "
                f"{catalogue[driver].direction!r} in params/indicators.yaml; a lever needs "
                "'higher' or 'lower' (which way is better), otherwise make it context"
            )


def parse_specs(
    doc: dict, catalogue: Catalogue, where: str = "params/models.yaml"
) -> tuple[ModelSettings, dict[str, OutcomeSpec]]:
    settings = ModelSettings(**(doc.get("settings") or {}))
    specs = {}
    for outcome, spec in (doc.get("models") or {}).items():
        panel = spec.get("panel") or {}
        roles = _driver_roles(spec, outcome, where)
        indicators = [d for d in roles if d not in REGISTRY_TERMS]
        names = [outcome, *indicators, *panel.get("drivers", [])]
        unknown = [n for n in names if n not in catalogue]
        if unknown:
            raise ManifestError(f"{where}, model {outcome!r}: unknown indicator(s) {unknown}")
        if outcome in roles:
            raise ManifestError(f"{where}, model {outcome!r}: the outcome is also a driver")
        _check_levers(roles, outcome, catalogue, where)
        specs[outcome] = OutcomeSpec(
            outcome=outcome,
            drivers=tuple(indicators),
            year=spec.get("year"),
            panel_drivers=tuple(panel.get("drivers", [])),
            panel_years=tuple(panel["years"]) if panel.get("years") else None,
            roles=tuple(roles.items()),
            would_help=tuple(spec.get("would_help") or ()),
        )
    return settings, specs


@cache
def load_specs(path: Path = MODELS_YAML) -> tuple[ModelSettings, dict[str, OutcomeSpec]]:
    return parse_specs(yamlio.load_file(path), load_catalogue(), str(path))
