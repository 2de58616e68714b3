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


def _profile_split(processed: Path) -> dict[str, float]:
    """Where one report's time goes: kernel start, imports, execution, HTML export."""
    import subprocess
    import sys

    from jupyter_client.manager import start_new_kernel

    from analysis.report.render import execute, to_html_nbconvert
    from analysis.report.run import NOTEBOOKS

    split: dict[str, float] = {}
    start = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="python3")
    split["kernel_start_s"] = time.perf_counter() - start
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    code = (
        "import time; s=time.perf_counter(); import analysis.report.district; "
        "print(time.perf_counter()-s)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    split["imports_s"] = float(out.stdout.strip().splitlines()[-1])
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / "x.ipynb"
        start = time.perf_counter()
        nb = execute(
            NOTEBOOKS / "district_report.py",
            {"district": "3604", "processed_dir": str(processed)},
            executed,
        )
        split["papermill_total_s"] = time.perf_counter() - start
        split["execution_s"] = sum(
            (c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells
        )
        start = time.perf_counter()
        to_html_nbconvert(nb, title="bench", lang="id")
        split["html_export_s"] = time.perf_counter() - start
    return split


def bench_reports(processed: Path, all_districts: bool, echo=print) -> dict:
    from statistics import median

    from analysis.batch import plan, run_batch
    from analysis.regions import load_registry

    registry = load_registry()
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        serang = [registry.resolve("Kabupaten Serang")]
        jobs = plan(serang, ["id"], out_dir=out, processed_dir=processed)
        _, figures["report_one_cold_s"] = _timed(run_batch, jobs, workers=1)
        _, figures["report_one_warm_s"] = _timed(
            lambda: run_batch(plan(serang, ["id"], out_dir=out, processed_dir=processed))
        )
        banten = registry.in_province("Banten")
        results, figures["report_banten_wall_s"] = _timed(
            run_batch, plan(banten, ["id"], out_dir=out, processed_dir=processed), workers=2
        )
        figures["report_banten_reports"] = len(banten)
        if all_districts:
            echo("rendering all 514 district reports with 2 workers (this takes a while)…")
            done = [0]

            def tick(_result):
                done[0] += 1
                if done[0] % 50 == 0:
                    echo(f"  {done[0]}/514")

            everyone = list(registry)
            results, figures["report_all_wall_s"] = _timed(
                run_batch,
                plan(everyone, ["id"], out_dir=out, processed_dir=processed),
                workers=2,
                on_result=tick,
            )
            _, figures["report_all_warm_rerun_s"] = _timed(
                lambda: run_batch(
                    plan(everyone, ["id"], out_dir=out, processed_dir=processed), workers=2
                )
            )
            figures["report_all_failed"] = sum(r.status == "failed" for r in results)
        rendered = [r for r in results if r.status == "ok"]
        seconds = [r.seconds for r in rendered]
        sizes = [Path(r.out_html).stat().st_size / 1024 for r in rendered]
        rss = [r.peak_rss_mb for r in rendered if r.peak_rss_mb]
        figures["seconds_per_report_median"] = median(seconds) if seconds else None
        figures["seconds_per_report_max"] = max(seconds) if seconds else None
        figures["report_kb_median"] = median(sizes) if sizes else None
        figures["report_kb_max"] = max(sizes) if sizes else None
        figures["peak_rss_mb_per_worker"] = max(rss) if rss else None
    figures.update({f"profile_{k}": v for k, v in _profile_split(processed).items()})
    return figures


def bench_simulation() -> dict:
    """Known-truth figures: interval coverage (nominal 95 %) and lever calls."""
    from analysis.models.simulate import run_simulation

    result, seconds = _timed(run_simulation)
    return {
        "simulation_replications": result.replications,
        "simulation_coverage_95": result.coverage,
        "simulation_true_levers_consistent_min": min(result.consistent_right_sign.values()),
        "simulation_confounded_called_consistent": result.confounded_called_consistent,
        "simulation_s": seconds,
    }


def run(echo=print, reports: bool = True, all_districts: bool = False) -> dict:
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
        for outcome, fit in models.outcomes.items():
            figures[f"fit_{outcome}_s"] = fit.fit_seconds
        figures["districts"] = built.districts
        _, figures["load_models_s"] = _timed(load_models, out)
        ctx, figures["load_context_s"] = _timed(Context.load, out)
        _, figures["explain_one_district_s"] = _timed(
            explain, ctx, "Kabupaten Serang", "life_expectancy"
        )
        figures["load_and_explain_one_district_s"] = (
            figures["load_context_s"] + figures["explain_one_district_s"]
        )
        figures.update(bench_simulation())
        if reports:
            figures.update(bench_reports(out, all_districts, echo))
    figures = {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}
    if all_districts and figures.get("report_all_wall_s"):
        figures["report_all_minutes"] = round(figures["report_all_wall_s"] / 60, 1)
    BENCH_FILE.parent.mkdir(parents=True, exist_ok=True)
    BENCH_FILE.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    for key, value in figures.items():
        echo(f"{key:36s} {value}")
    echo(f"(written to {BENCH_FILE.relative_to(PROJECT_ROOT)})")
    return figures
