"""What each chart of the reports costs (build + draw + PNG), in one warm process.

    python -m analysis.report.charts.timing [--province Banten] [--repeat 3]

The district reports of the province and its overview are built once with every chart function
wrapped to record its arguments; each recorded call is then timed again `repeat` times (figure
built, drawn once and written as the report's PNG). Prints, per chart function, the number of
calls and the median / max milliseconds, and the mean over all district figures. A diagnostic
for whoever changes the charts (timings are noisy on a shared machine), not a test.
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
    """Seconds to build the figure, draw it and write its PNG."""
    function, args, kwargs = call
    start = time.perf_counter()
    png_bytes(function(*args, **kwargs), PNG_DPI)
    return time.perf_counter() - start


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
        for chart_calls in calls.values():  # warm: fonts, caches, base maps
            time_call(chart_calls[0])
        every = []
        print(f"{kind} reports of {args.province}: chart, calls, median ms, max ms")
        for name, chart_calls in sorted(calls.items()):
            times = []
            for call in chart_calls:
                times.append(min(time_call(call) for _ in range(args.repeat)))
            every += times
            print(
                f"  {name:22s} {len(times):4d} {statistics.median(times) * 1000:8.1f}"
                f" {max(times) * 1000:8.1f}"
            )
        print(f"  {'mean per figure':22s} {len(every):4d} {statistics.mean(every) * 1000:8.1f}")


if __name__ == "__main__":
    main()
