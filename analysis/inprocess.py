"""A notebook's code run in this process: no kernel, no papermill, no nbconvert.

This is the floor a batch is measured against (`make bench`): the same jupytext notebooks, their
code cells executed in a fresh namespace per report, parameters set after the `parameters` cell
as papermill would, each cell's displayed value turned into HTML, pages written with our
template. It reads the notebooks, not the report code, so it keeps working when that changes.

    python -m analysis.inprocess --province Banten --jobs 2 --out /tmp/floor
"""

from __future__ import annotations

import argparse
import ast
import json
import multiprocessing
import os
import time
from pathlib import Path
from typing import Any


def _html_of(value: Any) -> str | None:
    """The HTML Jupyter would show for `value` (its mime bundle's text/html, or _repr_html_)."""
    if hasattr(value, "_repr_mimebundle_"):
        bundle = value._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if data and "text/html" in data:
            return data["text/html"]
    if hasattr(value, "_repr_html_"):
        return value._repr_html_()
    return None


def run_notebook(notebook: Path, parameters: dict[str, Any]) -> list[str]:
    """Execute the notebook's code cells in a fresh namespace, leaving out the cells a report
    leaves out (tagged remove-cell); returns the HTML of every value a cell displays (its last
    expression)."""
    import jupytext

    from analysis.report.render import REMOVE_TAGS

    shown = []
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for cell in jupytext.read(notebook).cells:
        if cell.cell_type != "code" or set(REMOVE_TAGS) & set(cell.metadata.get("tags", [])):
            continue
        tree = ast.parse(cell.source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(notebook), "exec"), namespace)  # noqa: S102 - our own notebook
        if last is not None:
            value = eval(compile(ast.Expression(last.value), str(notebook), "eval"), namespace)  # noqa: S307
            html = _html_of(value)
            if html is not None:
                shown.append(html)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
    return shown


def render_job(job) -> dict[str, Any]:
    """One batch job (analysis.batch.Job) in-process: its page and its timing."""
    from analysis.batch import headline
    from analysis.children import peak_mb
    from analysis.i18n import t
    from analysis.report.render import page, write_atomic

    start = time.perf_counter()
    title_key, name = (
        ("prov_title", {"province": job.province})
        if job.kind == "province"
        else ("report_title", {"district": job.district_name})
    )
    body = "\n".join(run_notebook(Path(job.notebook), job.parameters))
    html = page(body, title=t(title_key, job.lang, **name), lang=job.lang, footer="")
    write_atomic(Path(job.out_html), html)
    info = headline(job) if job.kind == "district" else {}
    key = Path(job.out_html).with_name(Path(job.out_html).name + ".key.json")
    doc = {"kind": job.kind, "district": job.district_name, "province": job.province}
    key.write_text(json.dumps({**doc, "lang": job.lang, "headline": info}), encoding="utf-8")
    return {
        "district_name": job.district_name,
        "kind": job.kind,
        "status": "ok",
        "seconds": time.perf_counter() - start,
        "out_html": job.out_html,
        "peak_rss_mb": peak_mb(),
    }


def run_batch(jobs: list, workers: int = 2) -> list[dict[str, Any]]:
    """The jobs on `workers` processes (forked after the report code, panel and models are
    loaded, as the real batch does, each keeping its module caches across reports), province
    overviews first, as the real batch orders them."""
    from analysis.batch import preload

    jobs = sorted(jobs, key=lambda job: job.kind != "province")
    preload(jobs)
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, maxtasksperchild=None) as pool:
        return list(pool.imap_unordered(render_job, jobs, chunksize=1))


def main(argv: list[str] | None = None) -> None:
    from analysis.__main__ import skip_unused_imports

    skip_unused_imports()  # as `python -m analysis` does
    from analysis.batch import plan, plan_provinces
    from analysis.paths import PROCESSED_DIR
    from analysis.regions import load_registry
    from analysis.report.index import build_index

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--summary", type=Path)
    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    districts = load_registry().in_province(args.province)
    jobs = plan(districts, ["id"], out_dir=args.out, processed_dir=PROCESSED_DIR)
    jobs += plan_provinces([districts[0].province], ["id"], out_dir=args.out)
    results = run_batch(jobs, args.jobs)
    build_index(args.out)
    if args.summary:
        args.summary.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
