"""Benchmark: prints the figures the performance targets are checked against (never asserted in
tests). Runs in a temporary processed folder, so data/processed is left as it is."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from analysis.paths import PROJECT_ROOT, RAW_DIR

BENCH_FILE = PROJECT_ROOT / "build" / "bench.json"


def _timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


def run(echo=print) -> dict:
    from analysis.explain import Context, explain
    from analysis.models.store import fit_all, load_models
    from analysis.panel import build
    from analysis.sources import fetch

    fetch()
    figures: dict[str, float | int | str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        built, figures["data_build_cold_s"] = _timed(build, RAW_DIR, out, force=True)
        _, figures["data_build_warm_s"] = _timed(build, RAW_DIR, out)
        models, figures["fit_all_models_s"] = _timed(fit_all, out)
        figures["models"] = len(models.models)
        figures["districts"] = built.districts
        _, figures["load_models_s"] = _timed(load_models, out)
        ctx, figures["load_context_s"] = _timed(Context.load, out)
        _, figures["explain_one_district_s"] = _timed(
            explain, ctx, "Kabupaten Serang", "life_expectancy"
        )
        figures["load_and_explain_one_district_s"] = (
            figures["load_context_s"] + figures["explain_one_district_s"]
        )
    figures = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    BENCH_FILE.parent.mkdir(parents=True, exist_ok=True)
    BENCH_FILE.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    for key, value in figures.items():
        echo(f"{key:36s} {value}")
    echo(f"(written to {BENCH_FILE.relative_to(PROJECT_ROOT)})")
    return figures
