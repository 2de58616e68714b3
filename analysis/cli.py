"""Command line: `python -m analysis <command>`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
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


DEBUG = {"on": False}


@app.callback()
def main_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the Python traceback of an error.")
    ] = False,
) -> None:
    """District health performance analysis (PIP): data, analysis and reports."""
    DEBUG["on"] = debug


def _fail(exc: Exception) -> None:
    """A user error: one message (file, row, column, reason, what to do), no traceback unless
    --debug. The message is escaped: `[0, 100]` or `[bold]` in it is text, not Rich markup."""
    if DEBUG["on"]:
        err.print_exception(show_locals=False)
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
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
    mapping: Annotated[
        Path, typer.Option(help="Mapping YAML: district, year, value columns (see README).")
    ],
    table: Annotated[
        Path | None,
        typer.Argument(help="CSV (any separator) or Excel file; the only file the import reads."),
    ] = None,
) -> None:
    """Add a district's own table to the panel through a mapping file (see README).

    Transactional: the import is staged, checked and the data rebuilt in a temporary folder;
    only a complete success changes data/imports and data/processed.
    """
    from analysis.import_run import relative, run_import

    try:
        with console.status("importing…") as status:
            result = run_import(
                table, mapping, progress=lambda step: status.update(f"importing: {step}…")
            )
    except AnalysisError as exc:
        _fail(exc)
    except Exception as exc:  # a bug, not the user's input: say so, keep the project as it was
        if DEBUG["on"]:
            raise
        _fail(
            RuntimeError(
                f"internal error ({type(exc).__name__}: {exc}); nothing was changed. "
                "Run again with --debug for the traceback and report it."
            )
        )
    print_build(result.build)
    imp, row = result.imp, result.counts
    verb = "replaced the earlier import" if result.replaced else "registered"
    console.print(
        escape(
            f"import {imp.id} ({verb}; {imp.table.name}, sha256 {imp.sha256[:12]}…): "
            f"{row['values_read']} values read = {row['accepted']} accepted + "
            f"{row['quarantined']} quarantined (reasons in "
            f"{relative(imp.folder / 'quarantine.csv')})"
        ),
        highlight=False,
    )
    for r in result.quarantine.head(10).itertuples(index=False):
        console.print(escape(f"  {r.file}, row {r.row}, column {r.column!r}: {r.reason}"))
    if result.models is not None:
        console.print(f"driver models refitted (model version {result.models.model_version})")


imports_app = typer.Typer(help="List, show or remove the district's own tables (imports).")
app.add_typer(imports_app, name="imports")


@imports_app.command("list")
def imports_list() -> None:
    """Every registered import: id, state, file, sha256, indicators, authoritative declarations."""
    from analysis.imports import listing

    frame = listing()
    if frame.empty:
        console.print("no imports registered (python -m analysis import TABLE --mapping M.yaml)")
        return
    table = Table(title="Imports (data/imports/)", title_justify="left")
    for col in frame.columns:
        table.add_column(col)
    for r in frame.itertuples(index=False):
        table.add_row(*(escape(str(v)) for v in r))
    console.print(table)


@imports_app.command("show")
def imports_show(import_id: Annotated[str, typer.Argument(help="The import's id.")]) -> None:
    """One import: its mapping, provenance, counts and first quarantined values."""
    import pandas as pd

    from analysis.imports import QUARANTINE_FILE, get_import
    from analysis.mapping import dump_mapping

    try:
        imp = get_import(import_id)
    except AnalysisError as exc:
        _fail(exc)
    console.print(escape(dump_mapping(imp.mapping)), highlight=False)
    counts_file = PROCESSED_DIR / "source_counts.csv"
    if counts_file.exists():
        counts = pd.read_csv(counts_file)
        mine = counts[counts["source"] == imp.id]
        for r in mine.itertuples(index=False):
            console.print(
                f"in the processed data: {r.values_read} values read = {r.accepted} accepted + "
                f"{r.quarantined} quarantined"
            )
    qfile = imp.folder / QUARANTINE_FILE
    if qfile.exists():
        q = pd.read_csv(qfile, dtype=str, keep_default_na=False)
        for r in q.head(20).itertuples(index=False):
            console.print(escape(f"  {r.file}, row {r.row}, column {r.column!r}: {r.reason}"))


@imports_app.command("remove")
def imports_remove(import_id: Annotated[str, typer.Argument(help="The import's id.")]) -> None:
    """Remove an import and rebuild the processed data and models without it."""
    from analysis.import_run import remove_import

    try:
        with console.status(f"removing {import_id} and rebuilding the panel…"):
            note = remove_import(import_id)
    except AnalysisError as exc:
        _fail(exc)
    console.print(escape(f"removed import {import_id}" + (f"; {note}" if note else "")))


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
    columns = ("model", "year(s)", "n", "groups", "R²", "within R²", "CV R²", "Moran's I (p)")
    for col in (*columns, "drivers", "dropped", "warnings"):
        if col == "model":
            table.add_column(col, overflow="fold")
        else:
            table.add_column(col, justify="right")
    for r in fitted.table().itertuples(index=False):
        table.add_row(
            r.model_id,
            str(r.year),
            f"{r.n:,}",
            "" if pd_isna(r.groups) else f"{int(r.groups)}",
            f"{r.r2:.2f}",
            _fmt(r.r2_within),
            _fmt(r.r2_cv),
            "" if pd_isna(r.moran_i) else f"{r.moran_i:.2f} ({r.moran_p:.3f})",
            str(r.drivers),
            str(r.dropped),
            str(r.warnings),
        )
    console.print(table)
    for outcome, fit in fitted.outcomes.items():
        consistent = [t for t in fit.robustness["term"] if fit.consistent(t)]
        console.print(
            f"  {outcome}: levers consistent across every variant (Holm, 95 %): "
            + (", ".join(consistent) or "none")
            + f" (fitted in {fit.fit_seconds:.1f} s)"
        )
    for key, why in fitted.skipped_outcomes.items():
        console.print(f"  not fitted: {key}: {why}")


def pd_isna(value) -> bool:
    return value is None or value != value


def _fmt(value, digits: int = 2) -> str:
    return "" if pd_isna(value) else f"{value:.{digits}f}"


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
            escape(r.source),
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
            console.print(
                escape(f"  {r.indicator}: {r.n} flagged ({r.flagged_source} values set aside)")
            )
    state = "up to date, nothing rebuilt" if result.skipped else f"built in {result.seconds:.1f} s"
    console.print(
        f"panel: {result.districts} districts, data version [bold]{result.version}[/] ({state}) "
        f"-> {escape(str(result.out_dir))}/panel.parquet; rejected values -> "
        f"{escape(str(result.out_dir))}/quarantine.csv"
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
    targets: Annotated[
        Path | None,
        typer.Option(
            help="Target table (RPJMD/RPD/Renstra/SPM/RPJMN; one district or a province)."
        ),
    ] = None,
    template: Annotated[
        str, typer.Option(help="standard | renstra (the Renstra view of a district report).")
    ] = "standard",
    plan_table: Annotated[
        Path | None, typer.Option("--plan", help="A district's plan table (targets + logframe).")
    ] = None,
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
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            help="html | pdf | docx | pptx, repeat for several; written next to the HTML, "
            "which is always written (default: html alone).",
        ),
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

    from analysis.batch import EXECUTORS, kernel_mode, plan, plan_provinces, run_batch
    from analysis.panel import damaged_outputs
    from analysis.regions import load_registry
    from analysis.report.index import build_index
    from analysis.report.outputs import check_formats

    langs = lang or ["id"]
    try:
        wanted = check_formats(formats)
        kernel_mode()  # a mistyped PIP_KERNEL is said now, not after the plan
        if executor not in EXECUTORS:
            raise AnalysisError(
                f"--executor is {executor!r}: it must be one of {', '.join(EXECUTORS)}"
            )
    except AnalysisError as exc:
        _fail(exc)
    registry = load_registry()
    from analysis.models.store import models_damaged

    damaged = damaged_outputs(PROCESSED_DIR)
    damaged += ["models/models.json"] if models_damaged(PROCESSED_DIR) else []
    if damaged:
        _fail(
            AnalysisError(
                f"processed file(s) {', '.join(damaged)} in {PROCESSED_DIR} are missing or "
                "damaged (sha256 differs from the one recorded when written): run "
                "`python -m analysis data` (rebuilds and refits what is damaged)"
            )
        )
    if template not in ("standard", "renstra"):
        _fail(ValueError(f"--template must be standard or renstra, not {template!r}"))
    try:
        for path in (targets, plan_table):
            if path:
                check_target_file(path, registry)
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
            plan_file=plan_table,
            template=template,
            formats=wanted,
        )
        if province or all_districts:  # a province overview beside its district reports
            provinces = sorted({d.province for d in districts})
            planned += plan_provinces(
                provinces,
                langs,
                out_dir=out,
                processed_dir=PROCESSED_DIR,
                targets_file=targets,
                formats=wanted,
            )
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


def check_target_file(path: Path, registry) -> None:
    """Read a target table, print read = accepted + quarantined and the first problems, and
    write every problem to build/logs/<file>.quarantine.csv. Raises AnalysisError if unusable."""
    from analysis.batch import LOG_DIR
    from analysis.catalogue import load_catalogue
    from analysis.plan_targets import read_target_files

    table = read_target_files([path], registry, load_catalogue())
    console.print(f"targets {path}: {table.summary()}")
    for note in table.notes:
        console.print(f"  note: {note}")
    if len(table.problems):
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        dump = LOG_DIR / f"{Path(path).name}.quarantine.csv"
        table.problems.to_csv(dump, index=False)
        for r in table.problems.head(10).itertuples(index=False):
            console.print(f"  {r.file}, row {r.row}, column {r.column!r}: {r.reason}")
        console.print(f"  quarantined rows are not used; every problem: {dump}")


@app.command()
def targets(
    files: Annotated[list[Path], typer.Argument(help="Target tables (CSV or Excel).")],
    convert: Annotated[
        Path | None, typer.Option(help="Write the accepted rows in the current format here.")
    ] = None,
) -> None:
    """Check target tables (every row: read = accepted + quarantined, with reasons); with
    --convert NEW.csv, write an older one-value file (source_document) in the current format."""
    from analysis.plan_targets import convert_legacy
    from analysis.regions import load_registry

    registry = load_registry()
    try:
        for path in files:
            check_target_file(path, registry)
        if convert:
            if len(files) != 1:
                raise typer.BadParameter("--convert takes one file")
            converted = convert_legacy(files[0])
            converted.to_csv(convert, index=False)
            blank = int((converted["document"] == "").sum())
            console.print(
                f"{len(converted)} rows written to {convert} in the current format"
                + (f"; fill `document` where it is blank ({blank} of them)" if blank else "")
            )
    except AnalysisError as exc:
        _fail(exc)


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


# -- the follow-up loop ------------------------------------------------------------------------
followup_app = typer.Typer(
    no_args_is_help=True,
    help="The follow-up plan (rencana tindak lanjut): import a filled plan, list, show.",
)
app.add_typer(followup_app, name="followup")
FollowupDistrict = Annotated[
    str, typer.Option("--district", help="District: name in any spelling, or BPS code.")
]
FollowupStore = Annotated[
    Path | None, typer.Option("--store", help="Follow-up store folder (default: data/followup).")
]


@followup_app.command("import")
def followup_import(
    file: Annotated[Path, typer.Argument(help="The filled plan (.xlsx as generated, or .csv).")],
    district_name: FollowupDistrict,
    meeting: Annotated[str, typer.Option(help="Date of the meeting the plan is for: YYYY-MM-DD.")],
    store: FollowupStore = None,
) -> None:
    """Check a filled plan and store it as the meeting's plan (re-importing replaces it).

    Rows with a problem are kept in quarantine and listed by row and column; the exit code is 0
    when the file was stored, 2 when it could not be read (nothing stored then)."""
    from analysis.followup.console import import_plan

    try:
        import_plan(file, district_name, meeting, store, console)
    except AnalysisError as exc:
        _fail(exc)


@followup_app.command("list")
def followup_list(district_name: FollowupDistrict, store: FollowupStore = None) -> None:
    """The district's stored meetings: rows read, accepted, quarantined, actions by status."""
    from analysis.followup.console import list_meetings

    try:
        list_meetings(district_name, store, console)
    except AnalysisError as exc:
        _fail(exc)


@followup_app.command("show")
def followup_show(
    district_name: FollowupDistrict,
    meeting: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: the latest).")] = None,
    lang: Annotated[str, typer.Option(help="id | en")] = "id",
    store: FollowupStore = None,
) -> None:
    """One meeting's actions: status, deadline, overdue, the indicator's latest value."""
    from analysis.followup.console import show_meeting

    try:
        show_meeting(district_name, meeting, lang, store, console, PROCESSED_DIR)
    except AnalysisError as exc:
        _fail(exc)


@app.command()
def simulate(
    replications: Annotated[int, typer.Option(help="Draws for the interval coverage.")] = 200,
    status_replications: Annotated[
        int, typer.Option(help="Draws (the first ones) also fitted with every variant.")
    ] = 40,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 20240601,
) -> None:
    """Known truth: fit the models on synthetic districts (province effects, spatially
    correlated errors, a confounded lever) and print the interval coverage and lever calls."""
    from analysis.models.simulate import run_simulation

    with console.status(f"simulating {replications} replications…"):
        result = run_simulation(replications, status_replications, seed)
    for key, value in result.to_dict().items():
        console.print(f"{key:30s} {value}")


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
