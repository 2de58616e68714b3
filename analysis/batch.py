"""Batch rendering: one district, a province or all 514, in parallel, resumable, failures isolated.

A job is one (district, language) report. Its cache key hashes everything the report depends on:
data and model versions, the parameters, the targets that apply to that district, the notebook
source and the fingerprint of all code and parameters (analysis/fingerprint.py). A report is
skipped only when its stored key matches and the HTML is the one recorded beside the key (size
and sha256); `force` redoes it. Reports are written atomically (temporary file + rename), so an
interrupted batch leaves no half-written HTML and a re-run finishes only what is left. One
district's failure is logged with its traceback and never stops the others.

Workers and their kernels die with the batch: they are killed when the batch process is (even by
SIGKILL), and Ctrl-C stops the batch at once, killing the workers (see analysis/children.py).

Executors: a local process pool (default) or Dask distributed (`scheduler` address), which run
the same `run_job` function.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis.children import die_with, peak_mb
from analysis.errors import AnalysisError
from analysis.fingerprint import fingerprint
from analysis.followup.store import store_version
from analysis.paths import PROCESSED_DIR, PROJECT_ROOT, REPORTS_DIR
from analysis.regions import District

LOG_DIR = PROJECT_ROOT / "build" / "logs"


@dataclass(frozen=True)
class Job:
    district_code: str
    district_name: str
    province: str
    lang: str
    out_html: str
    key: str
    parameters: dict[str, Any]
    notebook: str
    log: str
    kind: str = "district"  # "district" | "province"
    formats: tuple[str, ...] = ()  # besides the HTML: pdf, docx, pptx (analysis.report.outputs)
    html_current: bool = False  # the HTML is up to date: only the formats are written
    kernel: str = ""  # how the notebook runs (see kernel_mode); "": PIP_KERNEL's choice


@dataclass
class JobResult:
    district_code: str
    district_name: str
    province: str
    lang: str
    status: str  # ok | failed | skipped
    seconds: float
    out_html: str
    reason: str = ""
    peak_rss_mb: float | None = None  # worker + its kernel
    headline: dict[str, Any] = field(default_factory=dict)
    kind: str = "district"
    worker_peak_mb: float | None = None
    kernel_peak_mb: float | None = None


def code_hash(notebook: Path) -> str:
    """The code a report depends on: the fingerprint of the whole project's code and
    parameters, and the notebook itself (which may live outside notebooks/)."""
    digest = hashlib.sha256(notebook.read_bytes())
    digest.update(fingerprint().encode())
    return digest.hexdigest()[:16]


def versions(processed_dir: Path) -> tuple[str, str]:
    """(data version, model version) of the processed folder, without loading the models.
    Stale models (other data, code or parameters) raise the error `load_models` gives."""
    from analysis.models.store import load_models, models_up_to_date, stored_model_version
    from analysis.panel import read_version_file

    if not models_up_to_date(processed_dir):
        load_models(processed_dir)  # raises, saying what to do
    data_version = (read_version_file(processed_dir) or {}).get("data_version", "")
    return data_version, stored_model_version(processed_dir) or ""


def job_key(
    *, data_version: str, model_version: str, parameters: dict, targets: dict, code: str
) -> str:
    doc = json.dumps(
        {
            "data": data_version,
            "models": model_version,
            "parameters": parameters,
            "targets": targets,
            "code": code,
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(doc.encode()).hexdigest()[:20]


def file_hash(path: Path | str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _rows_of(rows, district_code: str) -> str:
    """A district's target rows as CSV, without where they were read from (moving a row in the
    file does not change the report)."""
    mine = rows[rows["district_code"] == district_code].drop(columns=["file", "row"])
    return mine.sort_values(list(mine.columns)).to_csv(index=False) if len(mine) else ""


def key_path(out_html: Path) -> Path:
    return out_html.with_name(out_html.name + ".key.json")


def stored_key(out_html: Path) -> str | None:
    """The key recorded beside the report, if the report is there and is the file recorded
    (same size and sha256): a truncated or replaced HTML has no valid key."""
    path = key_path(out_html)
    if not out_html.exists() or not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    recorded = (doc.get("outputs") or {}).get("html") or {}
    if recorded.get("bytes") != out_html.stat().st_size:
        return None
    if recorded.get("sha256") != _sha256(out_html):
        return None
    return doc.get("key")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan(
    districts: Iterable[District],
    langs: Iterable[str],
    *,
    out_dir: Path = REPORTS_DIR,
    processed_dir: Path = PROCESSED_DIR,
    reference: str = "national",
    targets_file: Path | None = None,
    notebook: Path | None = None,
    spm_file: Path | None = None,
    units_file: Path | None = None,
    plan_file: Path | None = None,
    template: str = "standard",
    formats: tuple[str, ...] = (),
) -> list[Job]:
    """The jobs for these districts and languages, each with its cache key. `plan_file` (a plan
    table, analysis.plan_targets) and `template` ("renstra") go to the notebook as parameters."""
    from analysis.report.run import NOTEBOOKS, report_path, slug
    from analysis.targets import NATIONAL_PATH, load_targets

    notebook = notebook or NOTEBOOKS / "district_report.py"
    data_version, model_version = versions(processed_dir)
    targets = load_targets(NATIONAL_PATH, (targets_file,) if targets_file else ())
    plan_rows = load_targets(NATIONAL_PATH, (plan_file,)).table.rows if plan_file else None
    code = code_hash(notebook)
    spm_rows = None
    if spm_file:
        from analysis.regions import load_registry
        from analysis.spm import read_spm

        spm_rows = read_spm(Path(spm_file), load_registry()).rows
    unit_rows = None
    if units_file:
        from analysis.catalogue import load_catalogue
        from analysis.regions import load_registry
        from analysis.subdistrict import read_units

        unit_rows = read_units(Path(units_file), load_registry(), load_catalogue()).rows
    jobs = []
    for d in districts:
        mine = {}
        if spm_rows is not None:  # the SPM rows of this district are part of its report
            mine["spm"] = spm_rows[spm_rows["district_code"] == d.code].to_csv(index=False)
        if unit_rows is not None:  # the unit table's rows for d are part of its report
            mine["units"] = unit_rows[unit_rows["district_code"] == d.code].to_csv(index=False)
        for ind in ("life_expectancy", "immunization_complete", "stunting", "facility_delivery"):
            tg = targets.for_district(d.code, ind)
            mine[ind] = None if tg is None else [tg.value, tg.year, tg.scope, tg.source_document]
        # every target row of d (all documents and years), not only the end; none: no entry, so
        # a district the file does not mention keeps its key
        if own := _rows_of(targets.table.rows, d.code):
            mine["target_rows"] = own
        if plan_rows is not None and (own := _rows_of(plan_rows, d.code)):
            mine["plan_rows"] = own
        if followup := store_version(d.code):  # a newly imported plan re-renders the report
            mine["followup"] = followup
        for lang in langs:
            parameters = {
                "district": d.code,
                "lang": lang,
                "reference": reference,
                # absolute: the kernel runs in notebooks/
                "targets_file": str(Path(targets_file).resolve()) if targets_file else None,
                "processed_dir": str(Path(processed_dir).resolve()),
                "spm_file": str(Path(spm_file).resolve()) if spm_file else None,
                "units_file": str(Path(units_file).resolve()) if units_file else None,
            }
            if plan_file:  # only when given: the keys of reports without one stay as they were
                parameters["plan_file"] = str(Path(plan_file).resolve())
            if template != "standard":
                parameters["template"] = template
            out = report_path(out_dir, d, lang)
            key = job_key(
                data_version=data_version,
                model_version=model_version,
                # the targets file enters through the targets that apply to d
                parameters={
                    k: v
                    for k, v in parameters.items()
                    if k
                    not in ("processed_dir", "targets_file", "spm_file", "units_file", "plan_file")
                },
                targets=mine,
                code=code,
            )
            log = LOG_DIR / slug(d.province) / f"{slug(d.name)}.{lang}.log"
            jobs.append(
                Job(
                    d.code,
                    d.name,
                    d.province,
                    lang,
                    str(out),
                    key,
                    parameters,
                    str(notebook),
                    str(log),
                    formats=tuple(formats),
                )
            )
    return jobs


def plan_provinces(
    provinces: Iterable[str],
    langs: Iterable[str],
    *,
    out_dir: Path = REPORTS_DIR,
    processed_dir: Path = PROCESSED_DIR,
    targets_file: Path | None = None,
    formats: tuple[str, ...] = (),
) -> list[Job]:
    """Province overview jobs (OUT/<province>/index.html), keyed like district reports; the key
    holds the hash of the targets file (a province evaluates every kab/kota in it) and the
    follow-up store version of each of its kab/kota (the overview counts their actions)."""
    from analysis.regions import load_registry
    from analysis.report.run import NOTEBOOKS, province_path, slug

    notebook = NOTEBOOKS / "province_overview.py"
    data_version, model_version = versions(processed_dir)
    code = code_hash(notebook)
    registry = load_registry()
    jobs = []
    for province in provinces:
        inputs = {"file_sha256": file_hash(targets_file)} if targets_file else {}
        # the overview counts each kab/kota's follow-up actions: a new import re-renders it
        # (none stored: no entry, so the key stays as it was)
        followup = {
            d.code: v for d in registry.in_province(province) if (v := store_version(d.code))
        }
        if followup:
            inputs["followup"] = followup
        for lang in langs:
            parameters = {"province": province, "lang": lang, "processed_dir": str(processed_dir)}
            if targets_file:
                parameters["targets_file"] = str(Path(targets_file).resolve())
            key = job_key(
                data_version=data_version,
                model_version=model_version,
                parameters={"province": province, "lang": lang},
                targets=inputs,
                code=code,
            )
            log = LOG_DIR / slug(province) / f"index.{lang}.log"
            jobs.append(
                Job(
                    province,
                    province,
                    province,
                    lang,
                    str(province_path(out_dir, province, lang)),
                    key,
                    parameters,
                    str(notebook),
                    str(log),
                    kind="province",
                    formats=tuple(formats),
                )
            )
    return jobs


def kernel_mode() -> str:
    """How a worker runs a report's notebook: `PIP_KERNEL` = inprocess (default: on the worker's
    own IPython shell, no kernel, analysis/report/shell.py), warm (one kernel per worker, kept
    across reports) or fresh (a new kernel per report, the naive papermill loop).
    `PIP_WARM_KERNEL=0` (older name) means fresh."""
    from analysis.report.render import KERNELS

    mode = os.environ.get("PIP_KERNEL") or (
        "fresh" if os.environ.get("PIP_WARM_KERNEL") == "0" else "inprocess"
    )
    if mode not in KERNELS:
        raise AnalysisError(
            f"PIP_KERNEL is {mode!r}: it must be one of {', '.join(KERNELS)} (or unset: inprocess)"
        )
    return mode


GC_THRESHOLDS = (10_000, 20, 1_000)  # a batch worker's, instead of Python's (700, 10, 10)


def preload(jobs: list[Job]) -> None:
    """Before the workers fork (in-process batches): the report modules, each data context
    the jobs read and the report shell are loaded here once, so every worker starts warm and
    they share those pages instead of each loading its own copy. The loaded objects are then
    moved out of the garbage collector's sight (they live as long as the batch)."""
    import gc

    import matplotlib

    matplotlib.use("Agg")  # a batch draws to files; no display backend in the workers
    from analysis.explain import Context
    from analysis.report import district, province  # noqa: F401 - imported for the workers
    from analysis.report.shell import shell

    for processed_dir in sorted({job.parameters["processed_dir"] for job in jobs}):
        Context.load(Path(processed_dir))
    shell()
    # no collection first: what the imports and the loading leave is live (a full collection
    # here found nothing to free among 242,268 objects, and took 81 ms before the fork)
    gc.freeze()
    # Each report ends with one full collection (ReportShell.forget), so the collector need not
    # also run every 700 allocations during the report: with these thresholds it made 7 instead
    # of 123 young collections per Banten report, which took 3 % less time; the peak memory of a
    # worker over 27 reports was the same (430 MB).
    gc.set_threshold(*GC_THRESHOLDS)


def memory_peaks() -> dict[str, float | None]:
    """Peak resident memory (MB) of this worker and of its kernel: the warm kernel's VmHWM while
    it runs, else the largest finished child (a fresh kernel per report)."""
    import resource

    from analysis.report.render import warm_kernel_pid

    worker = peak_mb()
    pid = warm_kernel_pid()
    kernel = peak_mb(pid) if pid else None
    finished = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    kernel = max(kernel or 0.0, round(finished, 1)) or None
    total = round((worker or 0.0) + (kernel or 0.0), 1) or None
    return {"peak_rss_mb": total, "worker_peak_mb": worker, "kernel_peak_mb": kernel}


def headline(job: Job) -> dict[str, Any]:
    """Latest value of each PIP indicator, for the index page."""
    return headline_of(job.district_code, job.parameters["processed_dir"])


def headline_json(district_code: str, processed_dir: str) -> str:
    return json.dumps(headline_of(district_code, processed_dir))


def headline_of(district_code: str, processed_dir: str) -> dict[str, Any]:
    """Latest value of each PIP indicator of one district, from the cached context (the panel
    is read once per process, not once per report)."""
    from analysis.explain import Context

    mine = Context.load(Path(processed_dir)).district_values(district_code)
    out = {}
    for ind, rows in mine.sort_values("year").groupby("indicator"):
        if ind in ("life_expectancy", "immunization_complete", "stunting", "facility_delivery"):
            last = rows.iloc[-1]
            out[ind] = {"value": float(last["value"]), "year": int(last["year"])}
    return out


def _headline(job: Job, warm: bool) -> dict[str, Any]:
    """The headline, computed where the data already is: in the warm kernel (so the worker never
    loads the panel or the model code), else from this process's cached context."""
    if not warm:
        return headline(job)
    from analysis.report.render import warm_json

    args = f"{job.district_code!r}, {job.parameters['processed_dir']!r}"
    return warm_json(f"__import__('analysis.batch').batch.headline_json({args})")


def write_key(job: Job, out: Path, seconds: float, info: dict[str, Any]) -> None:
    """The key file beside the report: the cache key, the HTML's size and sha256 (checked before
    a report is skipped), and the headline for the index page."""
    key_doc = {
        "key": job.key,
        "kind": job.kind,
        "district_code": job.district_code,
        "district": job.district_name,
        "province": job.province,
        "lang": job.lang,
        "seconds": round(seconds, 2),
        "headline": info,
        "outputs": {"html": {"bytes": out.stat().st_size, "sha256": _sha256(out)}},
        "rendered_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    tmp = key_path(out).with_suffix(".part")
    tmp.write_text(json.dumps(key_doc), encoding="utf-8")
    tmp.replace(key_path(out))


def run_job(job: Job) -> JobResult:
    """Render one report; never raises (a failure is returned with its reason and logged)."""
    from analysis.i18n import t
    from analysis.report.render import render
    from analysis.report.run import BUILD_DIR, slug

    start = time.perf_counter()
    log = Path(job.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    out = Path(job.out_html)
    executed = BUILD_DIR / slug(job.province) / f"{slug(job.district_name)}.{job.lang}.ipynb"
    if job.kind == "province":
        executed = executed.with_name(f"index.{job.lang}.ipynb")
        title = t("prov_title", job.lang, province=job.province)
    else:
        title = t("report_title", job.lang, district=job.district_name)
    result = {
        "district_code": job.district_code,
        "district_name": job.district_name,
        "province": job.province,
        "lang": job.lang,
        "out_html": str(out),
        "kind": job.kind,
    }
    mode = job.kernel or kernel_mode()
    try:
        if not job.html_current:
            render(
                Path(job.notebook),
                job.parameters,
                out,
                executed,
                title=title,
                lang=job.lang,
                engine=os.environ.get("PIP_REPORT_ENGINE", "auto"),
                kernel=mode,
            )
        # (an HTML not rendered again keeps its key; its headline is computed where data is)
        warm = mode == "warm" and not job.html_current
        info = _headline(job, warm) if job.kind == "district" else {}
        if not job.html_current:
            write_key(job, out, time.perf_counter() - start, info)
        written = write_other_formats(job)
        seconds = time.perf_counter() - start
        log.write_text(f"ok in {seconds:.1f} s -> {out} {written}\n", encoding="utf-8")
        return JobResult(**result, status="ok", seconds=seconds, headline=info, **memory_peaks())
    except Exception as exc:  # noqa: BLE001 - one district's failure must not stop the batch
        seconds = time.perf_counter() - start
        log.write_text(traceback.format_exc(), encoding="utf-8")
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return JobResult(
            **result,
            status="failed",
            seconds=seconds,
            reason=f"{reason} (log: {log})",
            **memory_peaks(),
        )


def formats_current(job: Job) -> bool:
    """Every format asked besides the HTML was written for this job's key."""
    from analysis.report.outputs import formats_current as current

    return current(Path(job.out_html), job.formats, job.key)


def write_other_formats(job: Job) -> list[str]:
    """The post-render step: the PDF, Word and slide files of the job next to its HTML (only
    those not written for this key yet; all of them when the HTML was just rendered)."""
    if not set(job.formats) - {"html"}:
        return []
    from analysis.report.outputs import write_formats

    written = write_formats(
        job.kind,
        job.parameters,
        Path(job.out_html),
        job.formats,
        key=job.key,
        force=not job.html_current,
    )
    return [str(p) for p in written]


def _skipped(job: Job) -> JobResult:
    doc = json.loads(key_path(Path(job.out_html)).read_text(encoding="utf-8"))
    return JobResult(
        job.district_code,
        job.district_name,
        job.province,
        job.lang,
        "skipped",
        0.0,
        job.out_html,
        reason="up to date",
        headline=doc.get("headline", {}),
        kind=job.kind,
    )


def _start_worker(batch_pid: int) -> None:
    """Pool initializer: die with the batch process, leave Ctrl-C to it (it stops the workers at
    once; a worker interrupted mid-report would only start the next one), and shut the warm
    kernel down when the pool lets the worker go."""
    from multiprocessing.util import Finalize

    from analysis.report.render import shutdown_warm_kernel

    die_with(batch_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Finalize(None, shutdown_warm_kernel, exitpriority=10)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (their kernels die with them); finished reports stay."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def run_batch(
    jobs: list[Job],
    *,
    workers: int = 2,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Run the jobs that are not up to date. `on_result` is called as each finishes.

    Province overviews (the longest jobs) start first, so no worker is left with one at the end.
    """
    results: list[JobResult] = []
    todo = []
    for job in jobs:
        current = not force and stored_key(Path(job.out_html)) == job.key
        if current and formats_current(job):
            result = _skipped(job)
            results.append(result)
            if on_result:
                on_result(result)
        else:
            todo.append(replace(job, html_current=current))
    if not todo:
        return results
    todo.sort(key=lambda job: job.kind != "province")  # stable: the plan's order otherwise
    if executor == "dask":
        results += _run_dask(todo, scheduler, on_result)
        return results
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    if kernel_mode() == "inprocess" and any(not job.html_current for job in todo):
        preload(todo)
    return results + _run_local(todo, workers, on_result)


EXECUTORS = ("local", "dask")
MAX_POOL_RESTARTS = 2  # after that, the reports still unfinished run one worker each


def _run_local(todo: list[Job], workers: int, on_result) -> list[JobResult]:
    """The jobs on a local process pool. A worker that dies (killed, out of memory, a crash in
    native code) breaks the pool: the reports it had not finished run again on a new pool, and
    after MAX_POOL_RESTARTS each remaining report runs on a worker of its own, so the death
    costs only the report that causes it (failed, with its reason), never the batch."""
    results: list[JobResult] = []
    pending = todo
    for _attempt in range(MAX_POOL_RESTARTS + 1):
        finished, pending = _run_pool(pending, workers, on_result)
        results += finished
        if not pending:
            return results
    for job in pending:
        finished, lost = _run_pool([job], 1, on_result)
        results += finished
        for job_lost in lost:
            result = _worker_died(job_lost)
            results.append(result)
            if on_result:
                on_result(result)
    return results


def _run_pool(jobs: list[Job], workers: int, on_result) -> tuple[list[JobResult], list[Job]]:
    """(results, jobs lost because a worker died) of one pool over `jobs`."""
    pool = ProcessPoolExecutor(
        max_workers=max(1, workers),
        # fork: a worker's parent is this process, which is what `die_with` relies on
        mp_context=multiprocessing.get_context("fork") if sys.platform == "linux" else None,
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )
    results, lost = [], []
    try:
        futures = {pool.submit(run_job, job): i for i, job in enumerate(jobs)}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:
                lost.append(futures[future])
                continue
            results.append(result)
            if on_result:
                on_result(result)
    except BaseException:
        _stop_workers(pool)
        raise
    pool.shutdown(wait=True)
    return results, [jobs[i] for i in sorted(lost)]


def _worker_died(job: Job) -> JobResult:
    alone = (
        f'--province "{job.province}"'
        if job.kind == "province"
        else f"--district {job.district_code}"
    )
    reason = (
        "the worker rendering this report died (killed, out of memory, or a crash in native "
        f"code) each time it was tried; run it alone to see where: python -m analysis report "
        f"{alone} --jobs 1"
    )
    log = Path(job.log)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(reason + "\n", encoding="utf-8")
    return JobResult(
        job.district_code,
        job.district_name,
        job.province,
        job.lang,
        "failed",
        0.0,
        job.out_html,
        reason=f"{reason} (log: {log})",
        kind=job.kind,
    )


def _run_dask(jobs: list[Job], scheduler: str | None, on_result) -> list[JobResult]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    if not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
    if kernel_mode() == "inprocess":
        # a Dask worker outlives the batch: code edited since it started would run as it was.
        # A warm kernel is replaced when the code's fingerprint changes.
        jobs = [replace(job, kernel="warm") for job in jobs]
    results = []
    with Client(scheduler) as client:
        futures = client.map(run_job, jobs, pure=False)
        for future in dask_completed(futures):
            result = future.result()
            results.append(result)
            if on_result:
                on_result(result)
    return results


def summary_rows(results: list[JobResult]) -> list[dict[str, Any]]:
    return [
        asdict(r)
        for r in sorted(
            results, key=lambda r: (r.status != "failed", r.province, r.district_name, r.lang)
        )
    ]
