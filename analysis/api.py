"""The Python API for analysts: the processed panel, a wide table, root-cause explanations and
the stored driver models, in a few functions that return pandas objects.

Everything reads what `make data` built (data/processed/ of the project you work in, found from
the working directory or $PIP_PROJECT_ROOT); nothing is fitted here. Loaded data is kept in
memory per data version, so repeated calls are cheap and a rebuilt panel is picked up.

Example (from the project folder, or a notebook in notebooks/):

    >>> import analysis
    >>> analysis.district_panel("Kabupaten Serang", ["stunting"])[["year", "value", "source"]]
    >>> wide = analysis.wide_table(2023, ["stunting", "poverty_rate"], province="Banten")
    >>> wide["value"].corr()
    >>> analysis.explain_district("Kabupaten Serang", "stunting").decomposition.to_frame()
    >>> analysis.model_summary("stunting")

Regression results are associations across districts, not proof of cause.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import _API
from analysis.errors import AnalysisError
from analysis.explain import Context, Explanation
from analysis.explain import explain as _explain
from analysis.models.fit import DriverModel
from analysis.models.store import MAIN_VARIANT
from analysis.panel import load_panel
from analysis.paths import PROCESSED_DIR
from analysis.regions import District

__all__ = list(_API)  # the names `import analysis` offers (analysis/__init__.py)

FIELDS = ("value", "year", "source")


@dataclass
class _Loaded:
    data_version: str | None
    context: Context
    panel: pd.DataFrame


_LOADED: dict[Path, _Loaded] = {}


def _loaded(processed_dir: str | Path | None) -> _Loaded:
    """The context and panel of `processed_dir`, reloaded only when its data version changes."""
    folder = Path(processed_dir or PROCESSED_DIR).resolve()
    version_file = folder / "data_version.json"
    if not version_file.exists():
        raise AnalysisError(
            f"{version_file} does not exist: build the data first (`make data` in the project)"
        )
    version = json.loads(version_file.read_text(encoding="utf-8")).get("data_version")
    cached = _LOADED.get(folder)
    if cached is None or cached.data_version != version:
        cached = _Loaded(version, Context.load(folder), load_panel(folder))
        _LOADED[folder] = cached
    return cached


def district(query: str, *, processed_dir: str | Path | None = None) -> District:
    """Resolve a district name or code in any spelling ("KAB. SERANG", "3604", "36.04").

    Raises `AmbiguousDistrictError` for a name that fits two districts (a bare "Serang") and
    `DistrictNotFoundError` (with the closest names) for one that fits none.

    Example:
        >>> analysis.district("kab serang").code
        '3604'
    """
    return _loaded(processed_dir).context.registry.resolve(query)


def districts(*, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """Every district (kabupaten/kota) with its BPS and Kemendagri codes, name and province.

    Example:
        >>> analysis.districts().query("province == 'Banten'")[["district_code", "name"]]
    """
    return _loaded(processed_dir).context.registry.to_frame()


def indicators(*, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The indicator catalogue: id, labels (id/en), unit, bounds, direction, domain, owning OPD.

    Example:
        >>> analysis.indicators().set_index("indicator").loc["stunting", "label_en"]
    """
    return _loaded(processed_dir).context.catalogue.to_frame()


def district_panel(
    district: str,
    indicators: Sequence[str] | None = None,
    *,
    lang: str = "id",
    processed_dir: str | Path | None = None,
) -> pd.DataFrame:
    """One district's values, long: one row per indicator, year and source.

    Values flagged by the cross-source check are left out (as in the reports). Every row keeps
    its source and lineage (`file`, `row`, `column`); `preferred` marks the value the reports use
    where several sources give the same indicator and year.

    Args:
        district: name or code in any spelling.
        indicators: indicator ids to keep (default: all).
        lang: language of the `label` column, "id" or "en".

    Returns:
        Columns `district_code, district, province, indicator, label, year, value, unit, source,
        preferred, file, row, column`, sorted by indicator and year.

    Example:
        >>> analysis.district_panel("Kabupaten Serang", ["stunting", "life_expectancy"])
    """
    loaded = _loaded(processed_dir)
    ctx = loaded.context
    found = ctx.registry.resolve(district)
    rows = loaded.panel[loaded.panel["district_code"] == found.code]
    if indicators is not None:
        _check_indicators(ctx, indicators)
        rows = rows[rows["indicator"].isin(list(indicators))]
    keys = ["district_code", "year", "indicator", "source"]
    preferred = ctx.preferred.loc[ctx.preferred["district_code"] == found.code, keys]
    rows = rows.merge(preferred.assign(preferred=True), on=keys, how="left")
    labels = {i.id: i.label(lang) for i in ctx.catalogue.indicators.values()}
    out = rows.assign(
        district=found.name,
        province=found.province,
        label=rows["indicator"].map(labels),
        preferred=rows["preferred"].eq(True),
    )
    columns = ["district_code", "district", "province", "indicator", "label", "year", "value"]
    columns += ["unit", "source", "preferred", "file", "row", "column"]
    return out[columns].sort_values(["indicator", "year", "source"]).reset_index(drop=True)


def wide_table(
    year: int | None,
    indicators: Sequence[str] | None = None,
    *,
    province: str | None = None,
    processed_dir: str | Path | None = None,
) -> pd.DataFrame:
    """Districts × indicators, one preferred value per cell, with the year and source of each.

    Columns are two levels, (field, indicator) with field `value`, `year` or `source`:
    `wide["value"]` is a plain numeric districts × indicators table (for `corr()`, scatter
    plots), `wide["year"]` and `wide["source"]` say where each number comes from. Rows are
    indexed by `district_code`, `district` and `province`.

    Args:
        year: the year of every value; a district without a value in that year gets NaN (no
            other year is filled in). `None` takes each district's latest value of each
            indicator instead: years may then differ between cells, and `wide["year"]` shows
            them.
        indicators: indicator ids (default: every catalogued indicator with data).
        province: keep the districts of one province (any spelling of its name).

    Example:
        >>> wide = analysis.wide_table(2023, ["stunting", "poverty_rate", "sanitation_access"])
        >>> wide["value"].plot.scatter(x="poverty_rate", y="stunting")
    """
    ctx = _loaded(processed_dir).context
    values = ctx.preferred
    if indicators is not None:
        _check_indicators(ctx, indicators)
        values = values[values["indicator"].isin(list(indicators))]
    if year is not None:
        values = values[values["year"] == year]
    values = values.sort_values("year").drop_duplicates(["district_code", "indicator"], keep="last")
    registry = ctx.registry.to_frame().set_index("district_code")
    if province is not None:
        codes = {d.code for d in ctx.registry.in_province(province)}
        values = values[values["district_code"].isin(codes)]
        registry = registry[registry.index.isin(codes)]
    wide = values.pivot(index="district_code", columns="indicator", values=list(FIELDS))
    order = list(indicators) if indicators is not None else sorted(values["indicator"].unique())
    wide = wide.reindex(
        index=registry.index,
        columns=pd.MultiIndex.from_product([FIELDS, order], names=["field", "indicator"]),
    )
    wide["value"] = wide["value"].astype(float)
    wide["year"] = wide["year"].astype("Int64")
    wide.index = pd.MultiIndex.from_arrays(
        [registry.index, registry["name"], registry["province"]],
        names=["district_code", "district", "province"],
    )
    wide.attrs.update(year=year, data_version=ctx.data_version)
    return wide


def explain_district(
    district: str,
    indicator: str,
    reference: str = "national",
    *,
    processed_dir: str | Path | None = None,
) -> Explanation:
    """Root causes of one district's gap on one indicator (what `python -m analysis explain`
    prints), from the stored models.

    Args:
        district: name or code in any spelling.
        indicator: indicator id, e.g. "stunting", "life_expectancy".
        reference: "national", "province" or "peers" (the median the gap is measured against).

    Returns:
        An `Explanation`: `.decomposition.to_frame()` (contribution of each driver with its
        interval and OPD), `.gaps` (gap to each reference), `.peers`, `.deviants` (positive
        deviants), `.trend`, `.target`, `.verdict`, `.ranks`, `.model`; `.to_dict()` for JSON.
        `.decomposition` is None when there is no model or not enough data, and
        `.decomposition_error` says why.

    Example:
        >>> e = analysis.explain_district("Kabupaten Serang", "stunting", reference="province")
        >>> e.decomposition.to_frame()[["driver", "value", "ci_low", "ci_high", "opd"]]
    """
    ctx = _loaded(processed_dir).context
    _check_indicators(ctx, [indicator])
    return _explain(ctx, district, indicator, reference)


def fitted_models(*, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """The stored driver models: one row per model with outcome, kind, variant, year(s), n, R²,
    number of drivers, dropped districts and warnings.

    Example:
        >>> analysis.fitted_models().query("outcome == 'stunting'")
    """
    return _loaded(processed_dir).context.models.table()


def model(
    indicator: str,
    kind: str = "cross_section",
    variant: str = MAIN_VARIANT,
    *,
    processed_dir: str | Path | None = None,
) -> DriverModel:
    """One stored driver model (`kind` "cross_section" or "panel"; `variant` "province_fe" (the
    main model), "hc3", "spatial_error" or "panel_fe"); see `fitted_models()` for the ones
    fitted, and `analysis.explain_district(...).fit.comparison()` for the variants side by side.

    Example:
        >>> m = analysis.model("life_expectancy", "panel", "panel_fe")
        >>> m.n, m.r2, m.warnings
    """
    fitted = _loaded(processed_dir).context.models
    found = fitted.get(indicator, kind, variant)
    if found is None:
        known = ", ".join(sorted(fitted.models)) or "none"
        reason = fitted.skipped_outcomes.get(indicator)
        why = f" ({reason})" if reason else ""
        raise AnalysisError(
            f"No stored model {indicator}/{kind}/{variant}{why}. Fitted models: {known}."
        )
    return found


def model_summary(
    indicator: str,
    kind: str = "cross_section",
    variant: str = MAIN_VARIANT,
    *,
    processed_dir: str | Path | None = None,
) -> pd.DataFrame:
    """The coefficient table of one driver model: one row per term with the estimate per one
    standard deviation of the driver, robust standard error, 95 % interval, p-value and VIF.
    `attrs` hold the model id, n, R² and year(s).

    Example:
        >>> analysis.model_summary("stunting")[["estimate", "ci_low", "ci_high", "p_value"]]
    """
    found = model(indicator, kind, variant, processed_dir=processed_dir)
    table = found.summary().copy()
    table.attrs.update(
        model_id=found.model_id, n=found.n, r2=found.r2, year=found.year, years=found.years
    )
    return table


def _check_indicators(ctx: Context, indicators: Sequence[str]) -> None:
    if isinstance(indicators, str):
        raise TypeError(f"indicators must be a list of ids, e.g. [{indicators!r}]")
    unknown = [i for i in indicators if i not in ctx.catalogue]
    if unknown:
        raise AnalysisError(
            f"Unknown indicator(s) {', '.join(map(repr, unknown))}: see analysis.indicators() "
            "or params/indicators.yaml for the ids."
        )
