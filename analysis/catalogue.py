"""The indicator catalogue (params/indicators.yaml): labels, units, bounds, direction, OPD."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from analysis import yamlio
from analysis.errors import ManifestError
from analysis.paths import PARAMS_DIR

DOMAINS = {"PIP", "SPM", "driver", "context"}
DIRECTIONS = {"higher", "lower", "neutral"}
PIP_INDICATORS = ("life_expectancy", "immunization_complete", "stunting", "facility_delivery")


@dataclass(frozen=True)
class Opd:
    key: str
    label_id: str
    label_en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    label_id: str
    label_en: str
    unit: str
    lower: float
    upper: float
    direction: str
    domain: str
    opd: Opd
    zero_is_missing: bool = False
    tolerance_abs: float | None = None
    tolerance_rel: float | None = None
    derived: dict | None = None
    transform: str | None = None

    def label(self, lang: str = "id") -> str:
        return self.label_id if lang == "id" else self.label_en

    @property
    def higher_is_better(self) -> bool | None:
        return {"higher": True, "lower": False}.get(self.direction)


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, Indicator]
    units: dict[str, dict]
    opds: dict[str, Opd]

    def __getitem__(self, indicator_id: str) -> Indicator:
        try:
            return self.indicators[indicator_id]
        except KeyError:
            raise ManifestError(
                f"Indicator {indicator_id!r} is not in params/indicators.yaml "
                f"(known: {', '.join(sorted(self.indicators))})."
            ) from None

    def __contains__(self, indicator_id: str) -> bool:
        return indicator_id in self.indicators

    @property
    def integer_units(self) -> set[str]:
        """Units whose values are whole numbers (counts): `integer: true` under `units`."""
        return {k for k, u in self.units.items() if u.get("integer")}

    def unit_of(self, indicator_id: str) -> str:
        return self[indicator_id].unit

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "indicator": i.id,
                    "label_id": i.label_id,
                    "label_en": i.label_en,
                    "unit": i.unit,
                    "lower": i.lower,
                    "upper": i.upper,
                    "direction": i.direction,
                    "domain": i.domain,
                    "opd": i.opd.key,
                    "opd_label_id": i.opd.label_id,
                    "opd_label_en": i.opd.label_en,
                }
                for i in self.indicators.values()
            ]
        )


def parse_catalogue(doc: dict, where: str = "params/indicators.yaml") -> Catalogue:
    opds = {k: Opd(k, v["label_id"], v["label_en"]) for k, v in doc.get("opds", {}).items()}
    units = doc.get("units", {})
    indicators: dict[str, Indicator] = {}
    for key, spec in doc.get("indicators", {}).items():
        problems = []
        if spec.get("unit") not in units:
            problems.append(f"unit {spec.get('unit')!r} is not under `units`")
        if spec.get("opd") not in opds:
            problems.append(f"opd {spec.get('opd')!r} is not under `opds`")
        if spec.get("domain") not in DOMAINS:
            problems.append(f"domain must be one of {sorted(DOMAINS)}")
        if spec.get("direction") not in DIRECTIONS:
            problems.append(f"direction must be one of {sorted(DIRECTIONS)}")
        bounds = spec.get("bounds") or []
        if len(bounds) != 2 or bounds[0] >= bounds[1]:
            problems.append("bounds must be [lower, upper] with lower < upper")
        if spec.get("transform") not in (None, "log1p"):
            problems.append("transform must be log1p or absent")
        if problems:
            raise ManifestError(f"{where}, indicator {key!r}: " + "; ".join(problems))
        tol = spec.get("tolerance") or {}
        indicators[key] = Indicator(
            id=key,
            label_id=spec["label_id"],
            label_en=spec["label_en"],
            unit=spec["unit"],
            lower=float(bounds[0]),
            upper=float(bounds[1]),
            direction=spec["direction"],
            domain=spec["domain"],
            opd=opds[spec["opd"]],
            zero_is_missing=bool(spec.get("zero_is_missing", False)),
            tolerance_abs=tol.get("abs"),
            tolerance_rel=tol.get("rel"),
            derived=spec.get("derived"),
            transform=spec.get("transform"),
        )
    for ind in indicators.values():
        if ind.derived:
            for part in ("numerator", "denominator"):
                if ind.derived.get(part) not in indicators:
                    raise ManifestError(
                        f"{where}, indicator {ind.id!r}: derived {part} "
                        f"{ind.derived.get(part)!r} is not an indicator"
                    )
    missing = [p for p in PIP_INDICATORS if p not in indicators]
    if missing:
        raise ManifestError(f"{where}: the PIP indicators {missing} are missing")
    return Catalogue(indicators=indicators, units=units, opds=opds)


def load_catalogue(
    path: Path = PARAMS_DIR / "indicators.yaml", imports_dir: Path | None = None
) -> Catalogue:
    """The catalogue, plus the indicators that registered imports declare (data/imports)."""
    from analysis.imports import IMPORTS_DIR, MAPPING_FILE

    folder = Path(imports_dir) if imports_dir is not None else IMPORTS_DIR
    mappings = tuple(
        (str(p), p.stat().st_mtime_ns) for p in sorted(folder.glob(f"*/{MAPPING_FILE}"))
    )
    return _load_catalogue(Path(path), mappings)


@cache
def _load_catalogue(path: Path, mappings: tuple[tuple[str, int], ...]) -> Catalogue:
    doc = yamlio.load_file(path)
    for mapping_path, _mtime in mappings:
        try:
            with open(mapping_path, encoding="utf-8") as fh:
                mapping = yaml.safe_load(fh) or {}
        except (OSError, ValueError, yaml.YAMLError) as exc:
            name = Path(mapping_path).parent.name
            raise ManifestError(
                f"{mapping_path}: damaged import mapping ({exc}); re-import the table or run "
                f"`python -m analysis imports remove {name}`"
            ) from None
        if not isinstance(mapping, dict):
            mapping = {}  # load_import names the damage when the import is read
        declared = mapping.get("indicators") or {}
        clash = sorted(set(declared) & set(doc["indicators"]))
        if clash:
            raise ManifestError(
                f"{mapping_path}: indicators {clash} already exist in "
                f"{path}; map the columns to them instead of declaring them"
            )
        doc["indicators"].update(declared)
        new_units = mapping.get("units") or {}
        clash = sorted(set(new_units) & set(doc["units"]))
        if clash:
            raise ManifestError(
                f"{mapping_path}: units {clash} already exist in {path}; use them instead of "
                "declaring them"
            )
        doc["units"].update(new_units)
    return parse_catalogue(doc, where=str(path))
