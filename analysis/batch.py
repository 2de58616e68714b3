"""Batch rendering: one district, a province or all 514, in parallel, resumable, failures isolated.

A job is one (district, language) report. Its cache key hashes everything the report depends on:
data and model versions, the parameters, the targets that apply to that district, the notebook
source and the report code. A report whose stored key matches is skipped; `force` redoes it.
Reports are written atomically (temporary file + rename), so an interrupted batch leaves no
half-written HTML and a re-run finishes only what is left. One district's failure is logged with
its traceback and never stops the others.

Executors: a local process pool (default) or Dask distributed (`scheduler` address), which run
the same `run_job` function.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis import __version__
from analysis.paths import PACKAGE_DIR, PROCESSED_DIR, PROJECT_ROOT, REPORTS_DIR
from analysis.regions import District

# Code a report's content depends on (the index page is not part of any report).
REPORT_CODE = [
    p
    for p in sorted((PACKAGE_DIR / "report").rglob("*"))
    if p.is_file() and p.name not in ("index.py", "index.html.j2") and "__pycache__" not in p.parts
] + [PACKAGE_DIR / "strings.yaml", PACKAGE_DIR / "explain.py"]
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
    peak_rss_mb: float | None = None
    headline: dict[str, Any] = field(default_factory=dict)
    kind: str = "district"


def code_hash(notebook: Path) -> str:
    digest = hashlib.sha256(notebook.read_bytes())
    for path in REPORT_CODE:
        if path.is_file():
            digest.update(path.read_bytes())
    digest.update(__version__.encode())
    return digest.hexdigest()[:16]


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
    path = key_path(out_html)
    if not out_html.exists() or not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("key")
    except ValueError:
        return None


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
    from analysis.explain import TARGETS_DIR
    from analysis.models.store import load_models
    from analysis.panel import read_version_file
    from analysis.report.run import NOTEBOOKS, report_path, slug
    from analysis.targets import load_targets

    notebook = notebook or NOTEBOOKS / "district_report.py"
    data_version = (read_version_file(processed_dir) or {}).get("data_version", "")
    model_version = load_models(processed_dir).model_version
    targets = load_targets(TARGETS_DIR / "national.yaml", (targets_file,) if targets_file else ())
    plan_rows = (
        load_targets(TARGETS_DIR / "national.yaml", (plan_file,)).table.rows if plan_file else None
    )
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
    holds the hash of the targets file (a province evaluates every kab/kota in it)."""
    from analysis.models.store import load_models
    from analysis.panel import read_version_file
    from analysis.report.run import NOTEBOOKS, province_path, slug

    notebook = NOTEBOOKS / "province_overview.py"
    data_version = (read_version_file(processed_dir) or {}).get("data_version", "")
    model_version = load_models(processed_dir).model_version
    code = code_hash(notebook)
    jobs = []
    for province in provinces:
        for lang in langs:
            parameters = {"province": province, "lang": lang, "processed_dir": str(processed_dir)}
            if targets_file:
                parameters["targets_file"] = str(Path(targets_file).resolve())
            key = job_key(
                data_version=data_version,
                model_version=model_version,
                parameters={"province": province, "lang": lang},
                targets={"file_sha256": file_hash(targets_file)} if targets_file else {},
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


def _peak_rss_mb() -> float | None:
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return round(max(usage, children) / 1024, 1)
    except Exception:  # pragma: no cover - non-Unix
        return None


def headline(job: Job) -> dict[str, Any]:
    """Latest value of each PIP indicator, for the index page."""
    from analysis.explain import Context

    # the worker's cached context: the panel is read once per worker, not once per report
    preferred = Context.load(Path(job.parameters["processed_dir"])).preferred
    mine = preferred[preferred["district_code"] == job.district_code]
    out = {}
    for ind, rows in mine.sort_values("year").groupby("indicator"):
        if ind in ("life_expectancy", "immunization_complete", "stunting", "facility_delivery"):
            last = rows.iloc[-1]
            out[ind] = {"value": float(last["value"]), "year": int(last["year"])}
    return out


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
                warm=os.environ.get("PIP_WARM_KERNEL", "1") != "0",
            )
        info = headline(job) if job.kind == "district" else {}
        seconds = time.perf_counter() - start
        key_doc = {
            "key": job.key,
            "kind": job.kind,
            "district_code": job.district_code,
            "district": job.district_name,
            "province": job.province,
            "lang": job.lang,
            "seconds": round(seconds, 2),
            "headline": info,
            "rendered_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        if not job.html_current:  # (the stored key of an HTML not rendered again stays)
            tmp = key_path(out).with_suffix(".part")
            tmp.write_text(json.dumps(key_doc), encoding="utf-8")
            tmp.replace(key_path(out))
        written = write_other_formats(job)
        seconds = time.perf_counter() - start
        log.write_text(f"ok in {seconds:.1f} s -> {out} {written}\n", encoding="utf-8")
        return JobResult(
            job.district_code,
            job.district_name,
            job.province,
            job.lang,
            "ok",
            seconds,
            str(out),
            peak_rss_mb=_peak_rss_mb(),
            headline=info,
            kind=job.kind,
        )
    except Exception as exc:  # noqa: BLE001 - one district's failure must not stop the batch
        seconds = time.perf_counter() - start
        log.write_text(traceback.format_exc(), encoding="utf-8")
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
        return JobResult(
            job.district_code,
            job.district_name,
            job.province,
            job.lang,
            "failed",
            seconds,
            str(out),
            reason=f"{reason} (log: {log})",
            peak_rss_mb=_peak_rss_mb(),
            kind=job.kind,
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


def run_batch(
    jobs: list[Job],
    *,
    workers: int = 2,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    on_result: Callable[[JobResult], None] | None = None,
) -> list[JobResult]:
    """Run the jobs that are not up to date. `on_result` is called as each finishes."""
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
    if executor == "dask":
        results += _run_dask(todo, scheduler, on_result)
        return results
    if executor != "local":
        raise ValueError(f"executor must be local or dask, not {executor!r}")
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run_job, job): job for job in todo}
        try:
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                if on_result:
                    on_result(result)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            raise
    return results


def _run_dask(jobs: list[Job], scheduler: str | None, on_result) -> list[JobResult]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_completed

    if not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://127.0.0.1:8786)")
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
