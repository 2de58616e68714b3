"""What each chart of the reports costs (build + draw + PNG), in one warm process.

    python -m analysis.report.charts.timing [--province Banten] [--repeat 3]

The district reports of the province and its overview are built once with every chart function
wrapped to record its arguments; each recorded call is then timed again (figure built, drawn
once and written as the report's PNG; the best of `repeat`). Prints per chart function the
number of calls, the first call's time with the province's base maps not yet drawn, and the
median and max CPU milliseconds, then the mean over all figures of that kind of report. A
diagnostic for whoever changes the charts (timings are noisy on a shared machine), not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from importlib import import_module

from analysis.report.charts.style import png_bytes
from analysis.report.model import PNG_DPI

# where the sections find each chart function: (module, attribute)
CHART_NAMES = {
    "analysis.report.charts.district": ("trends_chart", "projection_chart"),
    "analysis.report.sections.comparison": ("map_grid",),
    "analysis.report.sections.rootcause": ("decomposition_chart",),
    "analysis.report.sections.local": ("achievement_chart", "units_chart"),
    "analysis.report.sections.province": ("map_grid", "standing_heatmap"),
    "analysis.report.sections.inequality": ("sii_chart",),
}

Call = tuple[Callable, tuple, dict]


def record_calls(build: Callable[[], object]) -> dict[str, list[Call]]:
    """The chart calls `build()` makes, by chart name (the functions are put back after)."""
    calls: dict[str, list[Call]] = defaultdict(list)
    saved = []
    for module_name, names in CHART_NAMES.items():
        module = import_module(module_name)
        for name in names:
            original = getattr(module, name)
            saved.append((module, name, original))

            def recorder(*args, _f=original, _name=name, **kwargs):
                calls[_name].append((_f, args, kwargs))
                return _f(*args, **kwargs)

            setattr(module, name, recorder)
    try:
        build()
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
    return calls


def time_call(call: Call) -> float:
    """CPU seconds of this process to build the figure, draw it and write its PNG (CPU time:
    other work on a shared machine moves it less than wall time)."""
    function, args, kwargs = call
    start = time.process_time()
    png_bytes(function(*args, **kwargs), PNG_DPI)
    return time.process_time() - start


def _forget_base_maps() -> None:
    """Empty the cache of drawn base maps (where there is one: older charts had none)."""
    from analysis.report.charts import maps

    drawn = getattr(maps, "_drawn", None)
    if drawn is not None:
        drawn.cache_clear()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", default="Banten")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from analysis.regions import load_registry
    from analysis.report.district import DistrictReport
    from analysis.report.province import ProvinceReport

    districts = load_registry().in_province(args.province)

    def build_districts() -> None:
        for d in districts:
            DistrictReport.load(d.code).all_sections()

    def build_province() -> None:
        ProvinceReport.load(args.province).all_sections()

    for kind, build in (("district", build_districts), ("province", build_province)):
        calls = record_calls(build)
        print(f"{kind} reports of {args.province}: chart, calls, first, median, max (CPU ms)")
        every = []
        for name, chart_calls in sorted(calls.items()):
            _forget_base_maps()
            first = time_call(chart_calls[0])
            times = [min(time_call(call) for _ in range(args.repeat)) for call in chart_calls]
            every += times
            print(
                f"  {name:22s} {len(times):4d} {first * 1000:8.1f}"
                f" {statistics.median(times) * 1000:8.1f} {max(times) * 1000:8.1f}"
            )
        print(f"  {'mean per figure':22s} {len(every):4d} {statistics.mean(every) * 1000:17.1f}")


if __name__ == "__main__":
    main()
