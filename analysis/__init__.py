"""District health performance analysis for Indonesia's PIP workshops.

The package follows the flow of data: sources (manifest, fetch) -> regions (district registry) ->
readers (raw tables to the tidy contract) -> validate (schema, quarantine) -> consistency
(cross-source checks) -> panel (processed outputs, data version).

For analysts, the functions of `analysis.api` are available here directly
(`analysis.district_panel(...)`, `analysis.wide_table(...)`, `analysis.explain_district(...)`,
…); they are imported on first use, so `import analysis` itself stays cheap.
"""

__version__ = "0.1.0"

import importlib.abc
import importlib.util
import sys


def _python_strings(pandas) -> None:
    """Text columns ("str" dtype) held as Python strings, not in pyarrow arrays: the same dtype
    and values (the reports of Banten were byte-identical), but the reports' many small lookups
    (one district, one indicator, a few rows) made a Banten report ~5 % faster; the tables here
    are small (the panel has ~76,000 rows). Set in every process that uses the package
    (notebooks, CLI, batch workers), so they all hold frames the same way."""
    pandas.set_option("mode.string_storage", "python")


class _WhenImported(importlib.abc.MetaPathFinder):
    """Runs `configure(module)` right after `name` is first imported, so that importing this
    package does not import pandas itself (it stays cheap: see `tests/test_api.py`)."""

    def __init__(self, name: str, configure) -> None:
        self.name, self.configure = name, configure

    def find_spec(self, fullname, path, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # find the real spec, once
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            run, configure = spec.loader.exec_module, self.configure

            def exec_module(module) -> None:
                run(module)
                configure(module)

            spec.loader.exec_module = exec_module
        return spec


if "pandas" in sys.modules:
    _python_strings(sys.modules["pandas"])
elif not any(isinstance(f, _WhenImported) for f in sys.meta_path):
    sys.meta_path.insert(0, _WhenImported("pandas", _python_strings))

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
