"""Command line: `python -m analysis <command>`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from analysis.errors import AnalysisError
from analysis.paths import PROCESSED_DIR, RAW_DIR, SOURCE_ROOT_ENV, source_root

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="District health performance analysis (PIP): data, analysis and reports.",
)
console = Console(width=None if sys.stdout.isatty() else 120)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

SourceRootOption = Annotated[
    Path | None,
    typer.Option(
        "--source-root",
        help=f"Folder holding the raw source folders "
        f"(default: ${SOURCE_ROOT_ENV} or ../shared/data).",
    ),
]


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(code=2)


@app.command()
def fetch(root: SourceRootOption = None) -> None:
    """Copy the raw tables listed in params/sources.yaml into data/raw and verify checksums."""
    from analysis.sources import fetch as do_fetch

    try:
        results = do_fetch(root)
    except AnalysisError as exc:
        _fail(exc)
    copied = sum(r.action == "copied" for r in results)
    console.print(
        f"raw data: {len(results)} files from {source_root(root)} "
        f"({copied} copied, {len(results) - copied} already up to date, "
        "all checksums verified) -> data/raw/"
    )


@app.command()
def data(
    root: SourceRootOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
) -> None:
    """Set up data/raw and build the validated panel in data/processed (no work if unchanged)."""
    from analysis.panel import build

    fetch(root)
    try:
        with console.status("building the panel…") as status:
            result = build(
                RAW_DIR,
                PROCESSED_DIR,
                force=force,
                progress=lambda step: status.update(f"building the panel: {step}…"),
            )
    except AnalysisError as exc:
        _fail(exc)
    print_build(result)
    models(force=force)


@app.command("import")
def import_table(
    table: Annotated[Path, typer.Argument(help="CSV (any separator) or Excel file.")],
    mapping: Annotated[Path, typer.Option(help="Mapping YAML: district, year, value columns.")],
) -> None:
    """Add a district's own table to the panel through a mapping file (see README)."""
    from analysis.imports import IMPORTS_DIR, register
    from analysis.panel import build
    from analysis.sources import load_manifest

    try:
        imp = register(table, mapping, IMPORTS_DIR, set(load_manifest()))
        with console.status(f"importing {imp.id} and rebuilding the panel…"):
            result = build(RAW_DIR, PROCESSED_DIR)
    except AnalysisError as exc:
        _fail(exc)
    print_build(result)
    import pandas as pd

    quarantine = pd.read_csv(PROCESSED_DIR / "quarantine.csv", dtype=str, keep_default_na=False)
    mine = quarantine[quarantine["source"] == imp.id]
    mine.to_csv(imp.folder / "quarantine.csv", index=False)
    row = result.counts[result.counts["source"] == imp.id].iloc[0]
    console.print(
        f"import {imp.id}: {row['values_read']} values read = {row['accepted']} "
        f"accepted + {row['quarantined']} quarantined "
        f"(reasons in {imp.folder / 'quarantine.csv'})"
    )
    for r in mine.head(10).itertuples(index=False):
        console.print(f"  {r.file}, row {r.row}, column {r.column!r}: {r.reason}")
    models(force=False)


@app.command()
def models(
    force: Annotated[bool, typer.Option("--force", help="Refit even if up to date.")] = False,
) -> None:
    """Fit every driver model once for the current data version (no work if up to date)."""
    from analysis.models.store import fit_all, load_models, models_up_to_date

    try:
        if not force and models_up_to_date(PROCESSED_DIR):
            fitted = load_models(PROCESSED_DIR)
            state = "up to date, nothing refitted"
        else:
            with console.status("fitting driver models…") as status:
                fitted = fit_all(
                    PROCESSED_DIR, progress=lambda o: status.update(f"fitting driver models: {o}…")
                )
            state = f"fitted in {fitted.fitted_seconds:.1f} s"
    except AnalysisError as exc:
        _fail(exc)
    table = Table(
        title=f"Driver models ({state}; model version {fitted.model_version})", title_justify="left"
    )
    for col in ("model", "year(s)", "n", "groups", "R²", "drivers", "dropped", "warnings"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in fitted.table().itertuples(index=False):
        table.add_row(
            r.model_id,
            str(r.year),
            f"{r.n:,}",
            "" if pd_isna(r.groups) else f"{int(r.groups)}",
            f"{r.r2:.2f}",
            str(r.drivers),
            str(r.dropped),
            str(r.warnings),
        )
    console.print(table)
    for key, why in fitted.skipped_outcomes.items():
        console.print(f"  not fitted: {key}: {why}")


def pd_isna(value) -> bool:
    return value is None or value != value


def print_build(result) -> None:
    counts = result.counts
    table = Table(title="Sources: values read = accepted + quarantined", title_justify="left")
    for col, label in [
        ("source", "source"),
        ("rows", "rows"),
        ("values_read", "read"),
        ("accepted", "accepted"),
        ("quarantined", "quarantined"),
        ("missing", "of which missing"),
        ("out_of_scope_rows", "rows not district data"),
    ]:
        table.add_column(label, justify="left" if col == "source" else "right")
    for r in counts.itertuples(index=False):
        table.add_row(
            r.source,
            f"{r.rows:,}",
            f"{r.values_read:,}",
            f"{r.accepted:,}",
            f"{r.quarantined:,}",
            f"{r.missing:,}",
            f"{r.out_of_scope_rows:,}",
        )
    table.add_row(
        "[bold]total",
        f"{counts.rows.sum():,}",
        f"{counts.values_read.sum():,}",
        f"{counts.accepted.sum():,}",
        f"{counts.quarantined.sum():,}",
        f"{counts.missing.sum():,}",
        f"{counts.out_of_scope_rows.sum():,}",
    )
    console.print(table)
    flagged = result.consistency
    console.print(
        f"cross-source check: {result.compared_pairs:,} value pairs compared, "
        f"{len(flagged):,} disagreements beyond tolerance in {result.flagged_districts} districts "
        f"-> {result.out_dir / 'consistency.csv'}"
    )
    if len(flagged):
        by = flagged.groupby(["indicator", "flagged_source"]).size().reset_index(name="n")
        for r in by.itertuples(index=False):
            console.print(f"  {r.indicator}: {r.n} flagged ({r.flagged_source} values set aside)")
    state = "up to date, nothing rebuilt" if result.skipped else f"built in {result.seconds:.1f} s"
    console.print(
        f"panel: {result.districts} districts, data version [bold]{result.version}[/] ({state}) "
        f"-> {result.out_dir}/panel.parquet; rejected values -> {result.out_dir}/quarantine.csv"
    )


@app.command()
def district(
    name: Annotated[str, typer.Argument(help="Name in any spelling, or a BPS/Kemendagri code.")],
    province: Annotated[str | None, typer.Option(help="Province, to disambiguate.")] = None,
) -> None:
    """Look a district up in the registry (codes, official name, province)."""
    from analysis.regions import load_registry

    try:
        d = load_registry().resolve(name, province)
    except AnalysisError as exc:
        _fail(exc)
    console.print(
        f"{d.name} ({d.province}): BPS {d.code} (2010: {d.code_2010}), "
        f"Kemendagri {d.kemendagri_code}, {'kota' if d.is_kota else 'kabupaten'}"
    )


@app.command()
def report(
    district_name: Annotated[
        list[str] | None, typer.Option("--district", help="District(s), any spelling.")
    ] = None,
    province: Annotated[str | None, typer.Option(help="Every kab/kota of a province.")] = None,
    all_districts: Annotated[bool, typer.Option("--all", help="All 514 districts.")] = False,
    lang: Annotated[list[str] | None, typer.Option(help="id | en (repeat for both)")] = None,
    reference: Annotated[str, typer.Option(help="national | province | peers")] = "national",
    targets: Annotated[Path | None, typer.Option(help="CSV of district targets.")] = None,
    spm: Annotated[Path | None, typer.Option(help="SPM kesehatan achievement table.")] = None,
    units: Annotated[Path | None, typer.Option(help="Kecamatan/puskesmas table.")] = None,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("reports"),
    jobs: Annotated[int, typer.Option("--jobs", help="Parallel workers (default: cores).")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Re-render up-to-date reports.")] = False,
    executor: Annotated[str, typer.Option(help="local | dask")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    summary: Annotated[
        Path | None, typer.Option(help="Write every report's result (JSON) to this file.")
    ] = None,
) -> None:
    """Render district reports to OUT/<province>/<district>.html, plus OUT/index.html.

    Up-to-date reports are skipped; one district's failure never stops the others; the exit code
    is non-zero if any report failed.
    """
    import os

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from analysis.batch import plan, plan_provinces, run_batch
    from analysis.regions import load_registry
    from analysis.report.index import build_index

    langs = lang or ["id"]
    registry = load_registry()
    try:
        if all_districts:
            districts = list(registry)
        elif province:
            districts = registry.in_province(province)
        else:
            districts = [registry.resolve(n) for n in (district_name or ["Kabupaten Serang"])]
        planned = plan(
            districts,
            langs,
            out_dir=out,
            processed_dir=PROCESSED_DIR,
            reference=reference,
            targets_file=targets,
            spm_file=spm,
            units_file=units,
        )
        if province or all_districts:  # a province overview beside its district reports
            provinces = sorted({d.province for d in districts})
            planned += plan_provinces(provinces, langs, out_dir=out, processed_dir=PROCESSED_DIR)
    except AnalysisError as exc:
        _fail(exc)
    workers = jobs or os.cpu_count() or 1
    results = []
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("reports", total=len(planned))

        def done(result) -> None:
            results.append(result)
            progress.update(
                task,
                advance=1,
                description=f"{result.district_name} ({result.lang}): {result.status}",
            )

        try:
            run_batch(
                planned,
                workers=workers,
                force=force,
                executor=executor,
                scheduler=scheduler,
                on_result=done,
            )
        except KeyboardInterrupt:
            err.print(
                "interrupted: finished reports are kept; run the same command to finish the rest"
            )
            raise typer.Exit(code=130) from None
    index = build_index(out, [r for r in results if r.status == "failed"])
    if summary:
        import json

        from analysis.batch import summary_rows

        summary.write_text(json.dumps(summary_rows(results), indent=1), encoding="utf-8")
    print_batch(results, index)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(code=1)


def print_batch(results, index: Path) -> None:
    table = Table(title="Reports", title_justify="left")
    for col in ("district", "lang", "status", "seconds", "output or reason"):
        table.add_column(col, justify="right" if col == "seconds" else "left")
    shown = sorted(results, key=lambda r: (r.status != "failed", r.province, r.district_name))
    for r in shown[:40]:
        table.add_row(
            r.district_name,
            r.lang,
            r.status,
            f"{r.seconds:.1f}",
            r.reason if r.status != "ok" else r.out_html,
        )
    console.print(table)
    if len(shown) > 40:
        console.print(f"  … {len(shown) - 40} more rows")
    counts = {s: sum(r.status == s for r in results) for s in ("ok", "skipped", "failed")}
    rendered = [r.seconds for r in results if r.status == "ok"]
    median = sorted(rendered)[len(rendered) // 2] if rendered else 0.0
    console.print(
        f"{counts['ok']} rendered, {counts['skipped']} up to date (skipped), "
        f"{counts['failed']} failed; median {median:.1f} s per report; index: {index}"
    )


@app.command()
def explain(
    district_name: Annotated[str, typer.Option("--district", help="District (any spelling).")] = (
        "Kabupaten Serang"
    ),
    indicator: Annotated[str, typer.Option(help="Indicator id, e.g. life_expectancy.")] = (
        "life_expectancy"
    ),
    reference: Annotated[str, typer.Option(help="national | province | peers")] = "national",
    lang: Annotated[str, typer.Option(help="id | en")] = "id",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
) -> None:
    """Root causes of one district's gap on one indicator, with peers, trend and target."""
    import json

    from analysis.explain import Context
    from analysis.explain import explain as do_explain
    from analysis.explain_text import print_explanation

    try:
        ctx = Context.load(PROCESSED_DIR)
        result = do_explain(ctx, district_name, indicator, reference)
    except AnalysisError as exc:
        _fail(exc)
    if as_json:
        print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=_json_default))
        return
    print_explanation(result, ctx, lang, console)


@app.command()
def bench(
    all_districts: Annotated[
        bool, typer.Option("--all", help="All 514 districts and a warm re-run (slow).")
    ] = False,
    rounds: Annotated[int, typer.Option(help="Rounds of the province comparison.")] = 3,
    data: Annotated[bool, typer.Option("--data", help="Also time the data build.")] = False,
) -> None:
    """Time report rendering: naive loop vs our batch vs in-process floor (prints figures)."""
    from analysis.bench import run

    try:
        run(echo=console.print, all_districts=all_districts, rounds=rounds, data=data)
    except AnalysisError as exc:
        _fail(exc)


def _json_default(obj):
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
