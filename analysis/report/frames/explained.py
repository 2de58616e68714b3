"""Frames from `analysis.explain` results. With `explained_trends` (trend, target, verdict) and
`explained_fit` (the model variants, positive deviants) these are the only modules of the report
layer that read an `Explanation`, its `Decomposition` and the fitted models. Root causes (*akar
masalah*), the summary's rules and the follow-up plan's basis get their numbers here (codes and
numbers, never text), so a change to the engine's objects is met in these three files alone.

The status a reader sees for each part of a gap (`part_status`):

    root_cause       a lever consistent across every variant, the district worse, the expected
                     sign: *dugaan akar masalah* (the engine's `root_cause`)
    strength         the district is better than its reference on the lever: never a cause
    unexpected_sign  consistent, but the association runs the other way (e.g. fewer puskesmas
                     per head with more facility deliveries): never a root cause
    to_verify        not established, but the district is clearly worse than its structural
                     peers: a descriptive gap for the workshop, not an effect
    consistent       consistent, the district neither worse nor better
    not_established  otherwise
    context          density, GRDP, kota, the province: controls without an OPD
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.explain import Explanation
from analysis.models.results import Contribution

Explanations = Mapping[str, Explanation]
PART_STATUSES = (
    "root_cause",
    "strength",
    "unexpected_sign",
    "to_verify",
    "consistent",
    "not_established",
    "context",
)
UNEXPLAINED = "unexplained"  # the driver code of the unexplained row of a decomposition frame
PART_COLUMNS = [
    "indicator",
    "driver",
    "kind",
    "role",
    "status",
    "opd",
    "contribution",
    "ci_low",
    "ci_high",
    "harmful",
    "district_value",
    "district_year",
    "denominator_year",
    "district_source",
    "reference_value",
    "reference_mean",
    "reference_n",
    "reference_year_min",
    "reference_year_max",
    "side",
    "robust",
    "sign_as_expected",
    "peer_value",
    "peer_n",
    "peer_mean",
]


def part_status(c: Contribution) -> str:
    """What the report calls a part of the gap (see the module's docstring)."""
    if c.role != "lever":
        return "context"
    if c.root_cause and c.sign_as_expected is not False:
        return "root_cause"
    if c.status == "strength":
        return "strength"
    if c.status == "consistent" and c.sign_as_expected is False:
        return "unexpected_sign"
    if c.to_verify:
        return "to_verify"
    return "consistent" if c.status == "consistent" else "not_established"


def _part_row(indicator: str, c: Contribution) -> dict:
    v, r, p = c.district, c.reference, c.peer_check
    return {
        "indicator": indicator,
        "driver": c.driver,
        "kind": c.kind,
        "role": c.role,
        "status": part_status(c),
        "opd": c.opd,
        "contribution": c.value,
        "ci_low": c.interval.low,
        "ci_high": c.interval.high,
        "harmful": c.harmful,
        "district_value": v.value if v else None,
        "district_year": v.year if v else None,
        "denominator_year": v.denominator_year if v and v.year_mismatch else None,
        "district_source": v.source if v else None,
        "reference_value": r.value if r else None,
        "reference_mean": r.mean_kind if r else None,
        "reference_n": r.n if r else None,
        "reference_year_min": r.year_min if r else None,
        "reference_year_max": r.year_max if r else None,
        "side": c.side,
        "robust": c.robust,
        "sign_as_expected": c.sign_as_expected,
        "peer_value": p.peer_value if p else None,
        "peer_n": p.peer_n if p else None,
        "peer_mean": p.mean_kind if p else None,
    }


def _typed_parts(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=PART_COLUMNS)
    for col in ("district_year", "denominator_year", "reference_n", "peer_n"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("reference_year_min", "reference_year_max"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    for col in ("contribution", "ci_low", "ci_high", "district_value", "reference_value"):
        frame[col] = frame[col].astype(float)
    frame["peer_value"] = frame["peer_value"].astype(float)
    return frame


def decomposition_frame(ex: Explanation) -> pd.DataFrame:
    """Every part of the gap, in the order the chart and table show them: levers (largest harm
    first), then context (drivers, kota, the province's fixed effect), then the unexplained rest
    (the district's residual, with its 95 % prediction interval). The contributions add up to
    the gap. Columns: PART_COLUMNS (codes and numbers; `status` one of PART_STATUSES, or
    "unexplained" for the last row)."""
    found = ex.cache.get("decomposition_frame")
    if found is None:
        found = ex.cache["decomposition_frame"] = _decomposition_frame(ex)
    return found.copy()


def _decomposition_frame(ex: Explanation) -> pd.DataFrame:
    dec = ex.decomposition
    levers = [c for c in dec.parts if c.role == "lever"]
    context = [c for c in dec.parts if c.role != "lever"]
    rows = [_part_row(ex.indicator, c) for c in [*levers, *context]]
    rest = dec.unexplained_interval
    rows.append(
        {
            **dict.fromkeys(PART_COLUMNS),
            "indicator": ex.indicator,
            "driver": UNEXPLAINED,
            "kind": "residual",
            "role": UNEXPLAINED,
            "status": UNEXPLAINED,
            "contribution": dec.unexplained,
            "ci_low": rest.low,
            "ci_high": rest.high,
            "harmful": _harmful(dec.unexplained, dec.direction),
        }
    )
    return _typed_parts(rows)


def _harmful(value: float, direction: str) -> bool:
    return (value < 0) if direction == "higher" else (value > 0) if direction == "lower" else False


def gap_frame(explanations: Explanations) -> pd.DataFrame:
    """Per indicator: the gap to the reference = explained (with its 95 % interval from the full
    coefficient covariance) + unexplained (the district's residual with its 95 % prediction
    interval); whether the unexplained part dominates, the gap is favourable, the district is
    unusual; the outcome value's low-precision reasons; the data that would help; the main
    model's year, n and fit. `error` says why there is no decomposition."""
    rows = []
    for ind, ex in explanations.items():
        dec, fit = ex.decomposition, ex.fit
        row = {"indicator": ind, "reference": ex.reference, "error": ex.decomposition_error}
        if dec is not None:
            row.update(
                year=dec.year,
                district_value=dec.district_value,
                district_source=dec.outcome_source,
                low_precision=tuple(dec.low_precision),
                reference_value=dec.reference_value,
                reference_n=dec.reference_n,
                gap=dec.gap,
                explained=dec.explained,
                explained_low=dec.explained_interval.low,
                explained_high=dec.explained_interval.high,
                unexplained=dec.unexplained,
                unexplained_low=dec.unexplained_interval.low,
                unexplained_high=dec.unexplained_interval.high,
                unexplained_dominates=dec.unexplained_dominates,
                gap_favourable=dec.gap_favourable,
                unusual=dec.unusual,
                would_help=tuple(dec.would_help) if dec.unexplained_dominates else (),
            )
        if fit is not None:
            main = fit.main
            row.update(
                model_year=main.year,
                model_n=main.n,
                model_r2=main.r2,
                model_r2_within=main.r2_within,
                model_r2_cv=main.r2_cv,
                model_variant=main.variant,
                moran_i=(main.moran or {}).get("i"),
                moran_p=(main.moran or {}).get("p_value"),
            )
        rows.append(row)
    return pd.DataFrame(rows)


def model_warnings(ex: Explanation) -> list[dict]:
    """The main model's warnings: each a dict with `code` and the values its message needs."""
    return list(ex.model.warnings) if ex.model is not None else []


def parts_frame(explanations: Explanations, statuses: tuple[str, ...]) -> pd.DataFrame:
    """The lever parts of every indicator whose status is in `statuses` (PART_COLUMNS plus the
    indicator's gap), in indicator order, the largest contribution first within each."""
    frames = []
    for ex in explanations.values():
        if ex.decomposition is None:
            continue
        key = ("parts", tuple(statuses))  # the summary, root causes and plan each ask
        if key not in ex.cache:
            frame = decomposition_frame(ex)
            dec = ex.decomposition
            mine = frame[frame["status"].isin(statuses)].assign(
                gap=dec.gap, gap_favourable=dec.gap_favourable
            )
            order = mine["contribution"].abs().sort_values(ascending=False).index
            ex.cache[key] = mine.loc[order]
        frames.append(ex.cache[key])
    if not frames:
        return _typed_parts([]).assign(
            gap=pd.Series(dtype=float), gap_favourable=pd.Series(dtype=bool)
        )
    return pd.concat(frames, ignore_index=True)


def root_cause_rows(explanations: Explanations) -> pd.DataFrame:
    """Suspected root causes only: consistent levers, the district worse, the expected sign."""
    return parts_frame(explanations, ("root_cause",))


def to_verify_rows(explanations: Explanations, behind_only: bool = False) -> pd.DataFrame:
    """Levers to verify in the workshop, with the structural peers' mean (`peer_value`); with
    `behind_only`, only for indicators on which the district is behind its reference (a
    descriptive gap on an indicator the district already does well on is no priority)."""
    rows = parts_frame(explanations, ("to_verify",))
    if behind_only:
        rows = rows[~rows["gap_favourable"].astype(bool)].reset_index(drop=True)
    return rows


def plan_basis(explanations: Explanations) -> pd.DataFrame:
    """The rows a follow-up plan proposes: every suspected root cause, then every lever to verify
    on an indicator the district is behind on (never context, never a lever on which the
    district is better). `basis` is the status;
    `compared_value` what the district is compared with (the reference mean for a root cause,
    the structural peers' mean for a lever to verify), `compared_n` how many districts that is,
    `compared_mean` arithmetic or geometric."""
    roots = root_cause_rows(explanations).assign(compared="reference")
    roots["compared_value"] = roots["reference_value"]
    roots["compared_n"] = roots["reference_n"]
    roots["compared_mean"] = roots["reference_mean"]
    check = to_verify_rows(explanations, behind_only=True).assign(compared="peers")
    check["compared_value"] = check["peer_value"]
    check["compared_n"] = check["peer_n"]
    check["compared_mean"] = check["peer_mean"]
    basis = pd.concat([roots, check], ignore_index=True).rename(columns={"status": "basis"})
    return basis.drop(columns=["peer_value", "peer_n", "peer_mean"])


def plan_targets(explanations: Explanations) -> dict[str, tuple | None]:
    """indicator -> (value, year, document) of the target a plan row may carry; None where
    there is none or it is set on a series not comparable with the data (a plan must not put a
    new-series target beside an old-series baseline)."""
    out: dict[str, tuple | None] = {}
    for ind, ex in explanations.items():
        tg, verdict = ex.target, ex.verdict
        comparable = verdict is None or verdict.status != "not_comparable"
        out[ind] = (tg.value, tg.year, tg.source_document) if tg and comparable else None
    return out


def not_comparable_targets(explanations: Explanations) -> list[str]:
    """Indicators whose target is on another series than the data."""
    return [
        ind
        for ind, ex in explanations.items()
        if ex.verdict is not None and ex.verdict.status == "not_comparable"
    ]


def unexplained_dominant(explanations: Explanations) -> pd.DataFrame:
    """Indicators whose unexplained part is larger than the explained one: indicator,
    gap_favourable, low_precision (the reasons the outcome value is of low precision)."""
    columns = ["indicator", "gap_favourable", "low_precision"]
    gaps = gap_frame(explanations)
    if "unexplained_dominates" not in gaps:
        return pd.DataFrame(columns=columns)
    mine = gaps[gaps["unexplained_dominates"].fillna(False).astype(bool)]
    return mine[columns].reset_index(drop=True)


def behind(explanations: Explanations) -> list[str]:
    """Indicators with a decomposition on which the district is behind its reference."""
    return [
        ind
        for ind, ex in explanations.items()
        if ex.decomposition is not None and not ex.decomposition.gap_favourable
    ]


def weakest_rank(explanations: Explanations) -> dict | None:
    """The indicator with the worst national rank (as a share of the districts ranked)."""
    ranked = [
        (ex.ranks["rank_national"] / ex.ranks["n_national"], ind, ex.ranks)
        for ind, ex in explanations.items()
        if ex.ranks
    ]
    if not ranked:
        return None
    _, ind, r = max(ranked)
    return {"indicator": ind, "rank": r["rank_national"], "n": r["n_national"], "year": r["year"]}


def missing_indicators(explanations: Explanations) -> list[str]:
    return [ind for ind, ex in explanations.items() if ex.latest is None]


def peer_codes(explanations: Explanations) -> list[str]:
    """The district's structural peers (the same for every indicator)."""
    first = next(iter(explanations.values()))
    return first.peers["district_code"].tolist()
