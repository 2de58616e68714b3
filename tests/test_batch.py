"""Batch runs: isolated failures, skipping what is up to date, resuming, targeted re-renders,
and the Dask executor on a loopback LocalCluster giving the same outputs as the local pool."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from analysis.batch import Job, key_path, plan, run_batch, stored_key, write_key
from analysis.cli import app
from analysis.report.run import NOTEBOOKS

SERANG, KOTA_SERANG = "3604", "3673"


@pytest.fixture(scope="module")
def districts(registry):
    return [registry.get(SERANG), registry.get(KOTA_SERANG)]


@pytest.fixture(scope="module")
def failing_notebook(tmp_path_factory):
    """The district notebook with an injected failure for Kota Serang (test fixture only)."""
    source = (NOTEBOOKS / "district_report.py").read_text(encoding="utf-8")
    marker = "# %%\nimport pandas as pd\n\nfrom analysis.report.district import DistrictReport"
    injected = (
        '# %%\nif district == "3673":\n    raise RuntimeError("injected failure")\n\n' + marker
    )
    path = tmp_path_factory.mktemp("nb") / "district_report.py"
    path.write_text(source.replace(marker, injected), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def first_run(processed, districts, failing_notebook, tmp_path_factory):
    out = tmp_path_factory.mktemp("batch")
    jobs = plan(districts, ["id"], out_dir=out, processed_dir=processed, notebook=failing_notebook)
    return out, jobs, run_batch(jobs, workers=2)


def test_one_failure_does_not_stop_the_others(first_run):
    _out, _jobs, results = first_run
    status = {r.district_code: r for r in results}
    assert status[SERANG].status == "ok" and Path(status[SERANG].out_html).exists()
    failed = status[KOTA_SERANG]
    assert failed.status == "failed" and "injected failure" in failed.reason
    log = failed.reason.split("log: ")[1].rstrip(")")
    assert "RuntimeError" in Path(log).read_text()
    assert not Path(failed.out_html).exists()


def test_a_worker_that_dies_costs_only_its_own_report(processed, registry, tmp_path):
    """A report that kills its worker (as the out-of-memory killer or a crash in native code
    would) fails with its reason; the other reports, lost with the worker, run again."""
    source = (NOTEBOOKS / "district_report.py").read_text(encoding="utf-8")
    marker = "# %%\nimport pandas as pd\n\nfrom analysis.report.district import DistrictReport"
    killer = '# %%\nimport os\n\nif district == "3673":\n    os._exit(9)\n\n' + marker
    notebook = tmp_path / "district_report.py"
    notebook.write_text(source.replace(marker, killer), encoding="utf-8")
    codes = ("3601", "3673", "3604", "3671")  # the killer among others, on two workers
    districts = [registry.get(code) for code in codes]
    jobs = plan(districts, ["id"], out_dir=tmp_path, processed_dir=processed, notebook=notebook)
    seen = []
    results = run_batch(jobs, workers=2, force=True, on_result=seen.append)
    status = {r.district_code: r for r in results}
    assert sorted(status) == sorted(codes) and len(results) == len(codes) == len(seen)
    assert status["3673"].status == "failed" and "worker rendering this report died" in (
        status["3673"].reason
    )
    assert all(status[c].status == "ok" for c in codes if c != "3673")
    assert all(Path(status[c].out_html).exists() for c in codes if c != "3673")


def test_second_run_skips_what_is_up_to_date(first_run, processed, districts):
    out, jobs, _ = first_run
    again = run_batch(jobs[:1], workers=1)
    assert [r.status for r in again] == ["skipped"]
    assert not list(out.rglob("*.part"))


def test_a_truncated_report_with_an_intact_key_is_rendered_again(first_run):
    _out, jobs, _ = first_run
    html = Path(jobs[0].out_html)
    whole = html.read_bytes()
    html.write_bytes(whole[: len(whole) // 2])  # as if a copy or a disk cut it short
    assert key_path(html).exists()
    assert [r.status for r in run_batch(jobs[:1], workers=1)] == ["ok"]
    assert len(html.read_bytes()) > len(whole) // 2
    assert [r.status for r in run_batch(jobs[:1], workers=1)] == ["skipped"]


def test_a_report_changed_in_place_has_no_valid_key(tmp_path):
    html = tmp_path / "report.html"
    html.write_text("<html>a</html>")
    job = Job("3604", "Kabupaten Serang", "Banten", "id", str(html), "k1", {}, "nb.py", "x.log")
    write_key(job, html, 0.0, {})
    assert stored_key(html) == "k1"
    html.write_text("<html>b</html>")  # same size, other bytes
    assert stored_key(html) is None


def test_interrupted_batch_finishes_only_what_is_left(processed, districts, tmp_path):
    jobs = plan(districts, ["id"], out_dir=tmp_path, processed_dir=processed)
    # as if the batch was killed after Kabupaten Serang: its report and key are there
    first = run_batch(jobs[:1], workers=1)
    assert [r.status for r in first] == ["ok"]
    resumed = run_batch(jobs, workers=2)
    assert sorted((r.district_code, r.status) for r in resumed) == [
        (SERANG, "skipped"),
        (KOTA_SERANG, "ok"),
    ]


def test_changed_target_re_renders_only_the_district_it_touches(processed, districts, tmp_path):
    jobs = plan(districts, ["id"], out_dir=tmp_path / "out", processed_dir=processed)
    for job in jobs:  # pretend both are rendered with the current keys
        html = Path(job.out_html)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text("<html></html>")
        write_key(job, html, 0.0, {})
    targets = tmp_path / "targets.csv"
    targets.write_text(
        "district,indicator,year,target,source_document\n"
        "Kabupaten Serang,stunting,2029,12.5,RPJMD Kabupaten Serang (test)\n"
    )
    changed = plan(
        districts, ["id"], out_dir=tmp_path / "out", processed_dir=processed, targets_file=targets
    )
    moved = {j.district_code for j, k in zip(jobs, changed, strict=True) if j.key != k.key}
    assert moved == {SERANG}
    results = run_batch(changed, workers=1)
    assert sorted((r.district_code, r.status) for r in results) == [
        (SERANG, "ok"),
        (KOTA_SERANG, "skipped"),
    ]
    html = Path(changed[0].out_html).read_text(encoding="utf-8")
    assert "12,5" in html and "target kab/kota" in html  # the district's own target, said so


def test_cli_exits_non_zero_when_a_report_fails(processed, failing_notebook, tmp_path, monkeypatch):
    import analysis.batch

    real_plan = analysis.batch.plan
    monkeypatch.setattr("analysis.cli.PROCESSED_DIR", processed)
    monkeypatch.setattr(
        analysis.batch, "plan", lambda *a, **k: real_plan(*a, **{**k, "notebook": failing_notebook})
    )
    result = CliRunner().invoke(
        app, ["report", "--district", "Kota Serang", "--out", str(tmp_path), "--jobs", "1"]
    )
    assert result.exit_code == 1
    assert "failed" in result.output
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Kota Serang" in index


def test_dask_executor_gives_the_same_reports_as_the_local_pool(processed, districts, tmp_path):
    from dask.distributed import LocalCluster

    local = plan(districts[:1], ["en"], out_dir=tmp_path / "local", processed_dir=processed)
    remote = plan(districts[:1], ["en"], out_dir=tmp_path / "dask", processed_dir=processed)
    assert [j.key for j in local] == [j.key for j in remote]
    run_batch(local, workers=1)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
    ) as cluster:
        results = run_batch(remote, executor="dask", scheduler=cluster.scheduler_address)
    assert [r.status for r in results] == ["ok"]
    a = Path(local[0].out_html).read_text(encoding="utf-8")
    b = Path(remote[0].out_html).read_text(encoding="utf-8")
    # identical apart from embedded PNG bytes (same pictures, compression may differ)
    strip = __import__("re").compile(r"base64,[A-Za-z0-9+/=]+")
    assert strip.sub("", a) == strip.sub("", b)


def test_a_mistyped_kernel_mode_is_said_plainly(tmp_path, monkeypatch):
    monkeypatch.setenv("PIP_KERNEL", "warmish")
    args = ["report", "--district", "Kota Serang", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "PIP_KERNEL is 'warmish': it must be one of inprocess, warm, fresh" in result.output
    assert "Traceback" not in result.output and not list(tmp_path.rglob("*.html"))


def test_a_mistyped_executor_is_said_plainly(tmp_path):
    args = ["report", "--district", "Kota Serang", "--out", str(tmp_path), "--executor", "slurm"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "--executor is 'slurm': it must be one of local, dask" in result.output
    assert "Traceback" not in result.output and not list(tmp_path.rglob("*.html"))
