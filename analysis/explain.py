"""One district, one indicator: the gap to a reference split into levers (owned by an OPD) and
context, how robust each lever is across model variants, peers and positive deviants by residual,
the trend of one series and the target verdict, and ranks. Everything is read from the processed
data and the stored models; nothing is fitted here. Every field is data (numbers, years, sources,
ids), never formatted text: the terminal (analysis/explain_text.py), JSON and the report read the
same objects."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.catalogue import Catalogue, load_catalogue
from analysis.errors import AnalysisError
from analysis.fingerprint import fingerprint
from analysis.models.decompose import REFERENCES, decompose
from analysis.models.fit import DriverModel
from analysis.models.outcome import OutcomeFit
from analysis.models.peers import peer_districts, residual_deviants, structural_frame
from analysis.models.results import Decomposition
from analysis.models.store import ModelSet, load_models, stored_model_version
from analysis.panel import load_panel, preferred_values, read_version_file
from analysis.paths import PARAMS_DIR, PROCESSED_DIR
from analysis.ranking import district_ranks
from analysis.regions import District, Registry, load_registry
from analysis.series import SeriesCatalogue, load_series, low_precision
from analysis.sources import load_manifest, sha256_of
from analysis.targets import Targets, load_targets
from analysis.trends import Trend, Verdict, district_trend, target_verdict

TARGETS_DIR = PARAMS_DIR / "targets"
CAVEAT = "Regression results are associations across districts, not proof of cause."
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
    series: SeriesCatalogue = field(default_factory=load_series)
    processed_dir: Path = PROCESSED_DIR
    # what is derived from the context alone (rows by district and by indicator, flags, ranks,
    # peers, national and province medians), computed once per context, not once per report,
    # as Explanation.cache does per explanation
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

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
            processed_dir=Path(processed_dir),
        )

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, kept in `cache` under `key` for the context's life."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def _by_district(self, key: str, frame: Callable[[], pd.DataFrame], code: str) -> pd.DataFrame:
        """The rows of `frame()` of district `code`, in its order: the frame is split by district
        once per context, not searched again for every indicator of every report."""

        def split() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
            whole = frame()
            return dict(tuple(whole.groupby("district_code", sort=False))), whole.iloc[0:0]

        groups, empty = self.once(key, split)
        return groups.get(code, empty)

    def indicator_values(self, indicator: str) -> pd.DataFrame:
        """The preferred values of `indicator` of every district (found once; shared: treat it
        as read-only)."""
        return self.once(
            ("indicator", indicator),
            lambda: self.preferred[self.preferred["indicator"] == indicator],
        )

    def values(self, indicator: str, year: int) -> pd.Series:
        """Every district's value of `indicator` in `year`, by district code (a copy)."""

        def cut() -> pd.Series:
            rows = self.indicator_values(indicator)
            return rows[rows["year"] == year].set_index("district_code")["value"]

        return self.once(("values", indicator, year), cut).copy()

    def district_values(self, district_code: str) -> pd.DataFrame:
        """The preferred values of one district, in the panel's order."""
        return self._by_district("preferred_by_district", lambda: self.preferred, district_code)

    def low_precision(self, indicator: str) -> pd.DataFrame:
        """Low-precision values of `indicator` over all districts (computed once)."""
        percent = self.catalogue[indicator].unit == "percent"
        return self.once(
            ("low_precision", indicator),
            lambda: low_precision(self.indicator_values(indicator), percent),
        )

    def district_rows(self, district_code: str) -> pd.DataFrame:
        """Every panel row of one district, values flagged by the cross-source check included
        (the panel is read once per context, not once per report)."""
        return self._by_district(
            "panel_by_district",
            lambda: load_panel(self.processed_dir, include_flagged=True),
            district_code,
        )

    def quarantined(self, district_code: str) -> pd.DataFrame:
        """The district's rows of the data build's quarantine (quarantine.csv, every column as
        text), read once per context, not once per report."""
        return self._by_district(
            "quarantine_by_district",
            lambda: pd.read_csv(
                self.processed_dir / "quarantine.csv", dtype=str, keep_default_na=False
            ),
            district_code,
        )

    def value_choices(self, district_code: str) -> pd.DataFrame | None:
        """The district's rows of value_choices.csv (where two sources gave a value: which one is
        used, and why), read once per context; None if the data build wrote none."""
        path = self.processed_dir / "value_choices.csv"
        if not path.exists():
            return None
        return self._by_district(
            "value_choices_by_district",
            lambda: pd.read_csv(path, dtype={"district_code": str}, keep_default_na=False),
            district_code,
        )

    def peers(self, district_code: str, k: int) -> pd.DataFrame:
        """The district's k structural peers (the same for every indicator: found once)."""
        return self.once(
            ("peers", district_code, k),
            lambda: peer_districts(district_code, self.structural, k),
        )

    def ranks(self, indicator: str) -> pd.DataFrame:
        """National and province ranks of every district in `indicator` (computed once)."""
        return self.once(
            ("ranks", indicator),
            lambda: district_ranks(
                self.preferred, self.registry, indicator, catalogue=self.catalogue
            ),
        )


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
        for name in (
            "data_version.json",
            "panel.parquet",
            "models/models.json",
            "quarantine.csv",
            "value_choices.csv",
        )
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
    latest: dict[str, Any] | None  # value, year, source, series, low_precision
    fit: OutcomeFit | None
    decomposition: Decomposition | None
    decomposition_error: str | None
    gaps: dict[str, dict[str, Any]]  # per reference: gap, explained, unexplained, reference_n
    peers: pd.DataFrame
    deviants: pd.DataFrame  # positive deviants by residual (see models.peers.residual_deviants)
    trend: Trend | None
    target: Any
    verdict: Verdict | None
    ranks: dict[str, Any] | None
    data_version: str
    model_version: str
    notes: list[str] = field(default_factory=list)
    # frames report code derives from this explanation, built once (see report.frames)
    cache: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def model(self) -> DriverModel | None:
        """The main model (province fixed effects)."""
        return self.fit.main if self.fit else None

    def to_dict(self) -> dict[str, Any]:
        d = self.decomposition
        doc = d.to_dict() if d else {}
        return {
            "district": {
                "code": self.district.code,
                "name": self.district.name,
                "province": self.district.province,
                "province_code": self.district.province_code,
            },
            "indicator": self.indicator,
            "reference": self.reference,
            "latest": self.latest,
            "year": d.year if d else None,
            "value": d.district_value if d else None,
            "value_source": d.outcome_source if d else None,
            "value_low_precision": list(d.low_precision) if d else [],
            "reference_value": d.reference_value if d else None,
            "reference_n": d.reference_n if d else None,
            "gap": d.gap if d else None,
            "explained": doc.get("explained"),
            "unexplained": doc.get("unexplained"),
            "unexplained_dominates": doc.get("unexplained_dominates"),
            "gap_favourable": doc.get("gap_favourable"),
            "would_help": doc.get("would_help", []),
            "contributions": doc.get("contributions", []),
            "root_causes": [c.driver for c in d.root_causes] if d else [],
            "strengths": [c.driver for c in d.strengths] if d else [],
            "to_verify": [c.driver for c in d.to_verify] if d else [],
            "decomposition_error": self.decomposition_error,
            "gaps": self.gaps,
            "model": model_dict(self.fit),
            "residual_moran_i": _moran(self.model),
            "peers": self.peers.to_dict("records"),
            "positive_deviants": self.deviants.to_dict("records"),
            "trend": self.trend.to_dict() if self.trend else None,
            "target": _as_dict(self.target),
            "verdict": self.verdict.to_dict() if self.verdict else None,
            "ranks": self.ranks,
            "data_version": self.data_version,
            "model_version": self.model_version,
            "caveat": CAVEAT,
        }


def _as_dict(obj: Any) -> Any:
    if obj is None:
        return None
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return dict(obj.__dict__)


def _moran(model: DriverModel | None) -> dict[str, Any] | None:
    if model is None or not model.moran:
        return None
    m = model.moran
    return {"value": m["i"], "p_value": m["p_value"], **m}


def model_dict(fit: OutcomeFit | None) -> dict[str, Any] | None:
    """The main model and its variants: fit quality, Moran's I and the coefficients side by
    side, and which levers are consistent."""
    if fit is None:
        return None
    main = fit.main
    variants = {
        v: {
            "model_id": m.model_id,
            "n": m.n,
            "n_groups": m.n_groups,
            "r2": m.r2,
            "r2_within": m.r2_within,
            "r2_cv": m.r2_cv,
            "cov_type": m.cov_type,
            "residual_moran_i": _moran(m),
            "extra": m.extra,
        }
        for v, m in fit.variants.items()
    }
    coefficients = fit.comparison()[
        [
            "term",
            "role",
            "variant",
            "estimate",
            "std_error",
            "ci_low",
            "ci_high",
            "p_value",
            "p_holm",
            "ci_low_holm",
            "ci_high_holm",
        ]
    ]
    return {
        "model_id": main.model_id,
        "main_variant": main.variant,
        "year": main.year,
        "n": main.n,
        "n_groups": main.n_groups,
        "r2": main.r2,
        "r2_within": main.r2_within,
        "r2_cv": main.r2_cv,
        "cov_type": main.cov_type,
        "residual_moran_i": _moran(main),
        "warnings": main.warnings,
        "roles": main.roles,
        "variants": variants,
        "coefficients": coefficients.astype(object)
        .where(coefficients.notna(), None)
        .to_dict("records"),
        "consistent_levers": [
            r["term"] for r in fit.robustness.to_dict("records") if r["consistent"]
        ],
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


def _latest(ctx: Context, district: District, indicator: str) -> dict[str, Any] | None:
    rows = ctx.district_values(district.code)
    mine = rows[rows["indicator"] == indicator].sort_values("year")
    if mine.empty:
        return None
    last = mine.iloc[-1]
    flags = ctx.low_precision(indicator)
    flagged = flags[
        (flags["district_code"] == district.code) & (flags["year"] == int(last["year"]))
    ]
    return {
        "value": float(last["value"]),
        "year": int(last["year"]),
        "source": last["source"],
        "series": ctx.series.series_of(indicator, last["source"], int(last["year"])),
        "low_precision": sorted(flagged["reason"].unique()),
    }


def _decompositions(ctx, fit, district, reference, peer_codes):
    """The decomposition for `reference` and the gap summary for every reference."""
    decomposition, error, gaps = None, None, {}
    if fit is None:
        return None, "no driver model", gaps
    for ref in REFERENCES:
        try:
            dec = decompose(
                fit,
                district.code,
                reference_codes(ctx, district, ref, peer_codes),
                ref,
                ctx.catalogue,
                peer_codes,
            )
        except AnalysisError as exc:
            gaps[ref] = {"error": str(exc)}
            if ref == reference:
                error = str(exc)
            continue
        gaps[ref] = {
            "gap": dec.gap,
            "reference_value": dec.reference_value,
            "reference_n": dec.reference_n,
            "explained": dec.explained,
            "unexplained": dec.unexplained,
        }
        if ref == reference:
            decomposition = dec
    return decomposition, error, gaps


def _peers_frame(ctx, peers: pd.DataFrame, indicator: str, year: int | None) -> pd.DataFrame:
    codes = peers["district_code"].tolist()
    values = ctx.values(indicator, year) if year else pd.Series(dtype=float)
    return peers.assign(
        name=[ctx.registry.get(c).name for c in codes],
        province=[ctx.registry.get(c).province for c in codes],
        value=values.reindex(codes).to_numpy(),
        year=year,
    )


def _deviants(ctx, fit, district, peer_codes, direction) -> pd.DataFrame:
    if fit is None:
        return residual_deviants_empty()
    deviants = residual_deviants(fit, district.code, peer_codes, direction, ctx.catalogue)
    names = [ctx.registry.get(c).name for c in deviants["district_code"]]
    # `differs`: the name the first report version reads the levers under
    return deviants.assign(name=names, differs=deviants["levers"], year=fit.year)


def residual_deviants_empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["district_code", "value", "predicted", "residual", "advantage", "levers"]
    ).assign(name=[], differs=[], year=[])


def _verdict(ctx, district, indicator, trend) -> tuple[Any, Verdict | None]:
    ind = ctx.catalogue[indicator]
    target = ctx.targets.for_district(district.code, indicator)
    if target is None or ind.direction not in ("higher", "lower"):
        return target, None
    verdict = target_verdict(
        trend,
        target.value,
        target.year,
        ind.direction,
        current_year=date.today().year,
        target_series=target.series,
    )
    return target, verdict


def _ranks(ctx, district, indicator) -> dict[str, Any] | None:
    if ctx.catalogue[indicator].direction not in ("higher", "lower"):
        return None
    table = ctx.ranks(indicator)
    row = table[table["district_code"] == district.code]
    if row.empty:
        return None
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.iloc[0].to_dict().items()}


def explain(
    ctx: Context,
    district_query: str,
    indicator: str,
    reference: str = "national",
    k_peers: int = 10,
) -> Explanation:
    district = ctx.registry.resolve(district_query)
    ind = ctx.catalogue[indicator]
    fit = ctx.models.fit(indicator)
    peers = ctx.peers(district.code, k_peers)
    peer_codes = peers["district_code"].tolist()
    decomposition, error, gaps = _decompositions(ctx, fit, district, reference, peer_codes)
    if decomposition is not None:
        flags = ctx.low_precision(indicator)
        mine = flags[(flags["district_code"] == district.code) & (flags["year"] == fit.year)]
        decomposition.low_precision = tuple(sorted(mine["reason"].unique()))
    latest = _latest(ctx, district, indicator)
    year = fit.year if fit else (latest["year"] if latest else None)
    trend = district_trend(
        ctx.district_values(district.code),
        district.code,
        indicator,
        ctx.series,
        ctx.low_precision(indicator),
    )
    target, verdict = _verdict(ctx, district, indicator, trend)
    return Explanation(
        district=district,
        indicator=indicator,
        reference=reference,
        latest=latest,
        fit=fit,
        decomposition=decomposition,
        decomposition_error=error,
        gaps=gaps,
        peers=_peers_frame(ctx, peers, indicator, year),
        deviants=_deviants(ctx, fit, district, peer_codes, ind.direction),
        trend=trend,
        target=target,
        verdict=verdict,
        ranks=_ranks(ctx, district, indicator),
        data_version=ctx.data_version,
        model_version=ctx.models.model_version,
    )
