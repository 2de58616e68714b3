"""District health performance analysis for Indonesia's PIP workshops.

The package follows the flow of data: sources (manifest, fetch) -> regions (district registry) ->
readers (raw tables to the tidy contract) -> validate (schema, quarantine) -> consistency
(cross-source checks) -> panel (processed outputs, data version).

For analysts, the functions of `analysis.api` are available here directly
(`analysis.district_panel(...)`, `analysis.wide_table(...)`, `analysis.explain_district(...)`,
…); they are imported on first use, so `import analysis` itself stays cheap.
"""

__version__ = "0.1.0"

# Names must not be those of submodules (`analysis.explain`, `analysis.models`): an imported
# submodule becomes a package attribute and would hide the function.
_API = (
    "district",
    "districts",
    "indicators",
    "district_panel",
    "wide_table",
    "explain_district",
    "fitted_models",
    "model",
    "model_summary",
)


def __getattr__(name: str):
    if name in _API:
        from analysis import api

        return getattr(api, name)
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
