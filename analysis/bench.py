"""Benchmark: prints the figures the performance targets are checked against (never asserted in
tests) and writes them to build/bench.json.

Default (`make bench`, a few minutes): one province (Banten: 8 district reports, the overview,
the index) rendered three ways, in turn, each as a whole process with 2 workers:
  naive  - papermill with a fresh kernel per report (PIP_KERNEL=fresh);
  ours   - the batch as it runs by default (`report --province Banten --jobs 2 --force`:
           papermill on each worker's in-process shell, workers forked after loading);
  floor  - the same notebooks' code run in-process: no kernel, no papermill, no nbconvert
           (analysis/inprocess.py).
It ends with `speedup_vs_naive=<naive ÷ ours>` and `ratio_to_floor=<ours ÷ floor>` (wall, the
median of the per-round ratios). `--all` (`make bench-all`) renders all 514 districts and the
province overviews, then re-runs with nothing changed, and ends with `all_reports_s=` and
`warm_rerun_s=`. `--data` adds the data layer's timings (build, fit, explain).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from analysis.errors import AnalysisError
from analysis.paths import PROCESSED_DIR, PROJECT_ROOT, RAW_DIR

BENCH_FILE = PROJECT_ROOT / "build" / "bench.json"
BENCH_LOG = PROJECT_ROOT / "build" / "logs" / "bench.log"
PROVINCE = "Banten"
VARIANTS = ("naive", "ours", "floor")
LABELS = {
    "naive": "naive loop (fresh kernel per report)",
    "ours": "our batch (default, in-process)",
    "floor": "in-process floor (no kernel)",
}


def _command(variant: str, out: Path, scope: list[str]) -> list[str]:
    program = ["analysis.inprocess"] if variant == "floor" else ["analysis", "report"]
    return [sys.executable, "-m", *program, *scope, "--jobs", "2", "--out", str(out)]


def timed_run(variant: str, out: Path, scope: list[str], force: bool = True) -> dict[str, Any]:
    """One whole process: wall seconds and the per-report rows it wrote."""
    summary = out.with_suffix(".json")
    command = _command(variant, out, scope) + ["--summary", str(summary)]
    if force and variant != "floor":
        command.append("--force")
    env = {k: v for k, v in os.environ.items() if k not in ("PIP_KERNEL", "PIP_WARM_KERNEL")}
    if variant == "naive":
        env["PIP_KERNEL"] = "fresh"
    BENCH_LOG.parent.mkdir(parents=True, exist_ok=True)
    cpu_before = _children_cpu()
    start = time.perf_counter()
    with open(BENCH_LOG, "a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=log)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise AnalysisError(f"{variant} run failed (exit {done.returncode}); see {BENCH_LOG}")
    rows = json.loads(summary.read_text(encoding="utf-8"))
    return {"wall_s": wall, "cpu_s": _children_cpu() - cpu_before, "rows": rows}


def _children_cpu() -> float:
    """User + system seconds of every finished process below this one (workers and kernels
    included: each is waited for by its parent). Less sensitive to a busy machine than wall."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report_figures(rows: list[dict]) -> dict[str, Any]:
    """Per-report seconds, peak memory and size of the reports a run rendered."""
    rendered = [r for r in rows if r.get("status") == "ok"]
    districts = [r for r in rendered if r.get("kind", "district") == "district"]
    seconds = [r["seconds"] for r in rendered]
    sizes = [Path(r["out_html"]).stat().st_size / 1024 for r in districts]
    peaks = [r["peak_rss_mb"] for r in rendered if r.get("peak_rss_mb")]
    return {
        "reports": len(rendered),
        "failed": sum(r.get("status") == "failed" for r in rows),
        "report_s_median": median(seconds) if seconds else None,
        "report_s_max": max(seconds) if seconds else None,
        "peak_mb_worker_and_kernel": max(peaks) if peaks else None,
        "report_kb_median": median(sizes) if sizes else None,
        "report_kb_max": max(sizes) if sizes else None,
    }


def cell_seconds(province: str, since: float) -> list[float]:
    """Seconds spent in notebook cells per report, from the executed notebooks papermill wrote
    after `since` (the rest of a report's time is the pipeline: kernel round trips, export,
    writing)."""
    import nbformat

    from analysis.report.run import BUILD_DIR, slug

    out = []
    for path in sorted((BUILD_DIR / slug(province)).glob("*.ipynb")):
        if path.stat().st_mtime < since:
            continue
        nb = nbformat.read(path, as_version=4)
        out.append(sum(c.metadata.get("papermill", {}).get("duration") or 0 for c in nb.cells))
    return out


def bench_province(rounds: int = 3, province: str = PROVINCE, echo=print) -> dict[str, Any]:
    """The three runs of one province, in turn, `rounds` times."""
    walls: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpus: dict[str, list[float]] = {v: [] for v in VARIANTS}
    rows: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    cells: list[float] = []
    with tempfile.TemporaryDirectory(prefix="pip-bench-") as tmp:
        for round_no in range(rounds):
            for variant in VARIANTS:
                out = Path(tmp) / f"{variant}{round_no}"
                started = time.time()
                run = timed_run(variant, out, ["--province", province])
                walls[variant].append(run["wall_s"])
                cpus[variant].append(run["cpu_s"])
                if variant == "ours":
                    cells += cell_seconds(province, started)
                rows[variant] += run["rows"]
                echo(
                    f"  round {round_no + 1}/{rounds} {variant:5s} {run['wall_s']:6.1f} s wall "
                    f"{run['cpu_s']:6.1f} s cpu"
                )
        result: dict[str, Any] = {"province": province, "rounds": rounds, "workers": 2}
        for variant in VARIANTS:
            figures = report_figures(rows[variant])
            result[variant] = {
                "wall_s": median(walls[variant]),
                "walls_s": walls[variant],
                "cpu_s": median(cpus[variant]),
                **figures,
                "reports": figures["reports"] // rounds,
            }
    result["ours"]["cells_s_median"] = median(cells) if cells else None
    pairs = list(zip(walls["naive"], walls["ours"], walls["floor"], strict=True))
    result["speedup_vs_naive"] = median(n / o for n, o, _ in pairs)
    # what a large batch sees, where each worker's start is spread over hundreds of reports
    result["per_report_speedup_vs_naive"] = (
        result["naive"]["report_s_median"] / result["ours"]["report_s_median"]
    )
    result["ratio_to_floor"] = median(o / f for _, o, f in pairs)
    return result


def print_province(result: dict[str, Any], echo=print) -> None:
    echo(
        f"\n{result['province']}: {result['ours']['reports']} reports per run (districts + "
        f"overview) and the index, 2 workers, median of {result['rounds']} round(s) run in turn"
    )
    echo(
        f"{'run':38s} {'wall s':>7s} {'cpu s':>6s} {'report s med/max':>17s} {'peak MB':>8s} "
        "KB med/max"
    )
    for variant in VARIANTS:
        f = result[variant]
        echo(
            f"{LABELS[variant]:38s} {f['wall_s']:7.1f} {f['cpu_s']:6.1f} "
            f"{f['report_s_median']:8.2f}/{f['report_s_max']:<8.2f} "
            f"{f['peak_mb_worker_and_kernel'] or 0:8.0f} "
            f"{f['report_kb_median']:6.0f}/{f['report_kb_max']:<5.0f}"
        )
    ours = result["ours"]
    if ours.get("cells_s_median") is not None:
        echo(
            f"ours, per report: {ours['report_s_median']:.2f} s median, of which "
            f"{ours['cells_s_median']:.2f} s in notebook cells"
        )
    echo("(peak MB: a worker and its kernel, if it has one; ours and the floor have none)")
    echo(
        f"per report (median), naive ÷ ours: {result['per_report_speedup_vs_naive']:.2f} "
        "(a large batch, where starting the workers is spread over many reports)"
    )
    echo(f"speedup_vs_naive={result['speedup_vs_naive']:.2f}")
    echo(f"ratio_to_floor={result['ratio_to_floor']:.2f}")


def bench_all(echo=print) -> dict[str, Any]:
    """All 514 district reports and the province overviews, then a re-run with nothing changed."""
    with tempfile.TemporaryDirectory(prefix="pip-bench-all-") as tmp:
        out = Path(tmp) / "all"
        echo("rendering all 514 district reports and the province overviews, 2 workers…")
        first = timed_run("ours", out, ["--all"])
        echo("re-running with nothing changed…")
        again = timed_run("ours", out, ["--all"], force=False)
        result = {
            "all_reports_s": first["wall_s"],
            "all_reports_cpu_s": first["cpu_s"],
            "warm_rerun_s": again["wall_s"],
        }
        result.update(report_figures(first["rows"]))
        result["rerun_rendered"] = sum(r["status"] == "ok" for r in again["rows"])
    return result


def print_all(result: dict[str, Any], echo=print) -> None:
    echo(
        f"all: {result['reports']} reports rendered, {result['failed']} failed; per report "
        f"{result['report_s_median']:.2f} s median, {result['report_s_max']:.2f} s max; peak "
        f"{result['peak_mb_worker_and_kernel']:.0f} MB per worker and kernel; reports "
        f"{result['report_kb_median']:.0f} KB median, {result['report_kb_max']:.0f} KB max; "
        f"re-run rendered {result['rerun_rendered']}; {result['all_reports_cpu_s']:.0f} s cpu"
    )
    echo(f"all_reports_s={result['all_reports_s']:.1f}")
    echo(f"warm_rerun_s={result['warm_rerun_s']:.1f}")


def _timed(fn: Callable, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start


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


def bench_data() -> dict[str, Any]:
    """The data layer: panel build (cold and warm), model fitting, one explanation, and the
    known-truth simulation (interval coverage)."""
    from analysis.explain import Context, explain
    from analysis.models.store import fit_all, load_models
    from analysis.panel import build
    from analysis.sources import fetch

    fetch()
    figures: dict[str, Any] = {}
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
        ctx, figures["load_context_s"] = _timed(Context.read, out)
        _, figures["explain_one_district_s"] = _timed(
            explain, ctx, "Kabupaten Serang", "life_expectancy"
        )
    figures.update(bench_simulation())
    return figures


def _save(section: str, figures: dict[str, Any]) -> None:
    """Write this run's figures under `section`, keeping the other sections' last figures."""
    doc = json.loads(BENCH_FILE.read_text(encoding="utf-8")) if BENCH_FILE.exists() else {}
    doc[section] = {**figures, "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    BENCH_FILE.parent.mkdir(parents=True, exist_ok=True)
    BENCH_FILE.write_text(json.dumps(doc, indent=2), encoding="utf-8")


def run(echo=print, all_districts: bool = False, rounds: int = 3, data: bool = False) -> dict:
    """`make bench` (one province, compared) or `make bench-all` (all 514, and a re-run)."""
    from analysis.batch import versions

    versions(PROCESSED_DIR)  # stale data or models: say so now, not after a failed run
    echo(f"(noisy on a shared machine: compare runs made in turn; log: {BENCH_LOG})")
    figures: dict[str, Any] = {}
    if data:
        figures["data"] = bench_data()
        _save("data", figures["data"])
        for key, value in figures["data"].items():
            echo(f"{key:28s} {value:.3f}" if isinstance(value, float) else f"{key:28s} {value}")
    if all_districts:
        figures["all"] = bench_all(echo)
        _save("all", figures["all"])
        print_all(figures["all"], echo)
    else:
        figures["province"] = bench_province(rounds, echo=echo)
        _save("province", figures["province"])
        print_province(figures["province"], echo)
    return figures
