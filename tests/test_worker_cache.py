"""Compute once per worker: the explanation context (panel, models, registry, catalogue,
targets) is read once per process and reused by every report, and read again whenever what it
was read from changes, so the cache never serves stale data."""

from __future__ import annotations

import os
import shutil

import pytest

from analysis.batch import Job, headline
from analysis.explain import Context

TARGETS = "district,indicator,year,target,source_document\n"


@pytest.fixture
def reads(monkeypatch):
    """Counts the contexts actually read from disk."""
    calls = []
    real = Context.read.__func__

    def counting(cls, *args, **kwargs):
        calls.append(args)
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(Context, "read", classmethod(counting))
    return calls


def test_the_context_is_read_once_per_process(processed, reads):
    first = Context.load(processed)
    assert Context.load(processed) is first
    assert Context.load(processed.parent / processed.name) is first
    assert len(reads) <= 1


def test_a_changed_target_file_is_read_again(processed, tmp_path, reads):
    targets = tmp_path / "targets.csv"
    targets.write_text(TARGETS + "Kabupaten Serang,stunting,2029,12.5,RPJMD (test)\n")
    first = Context.load(processed, (targets,))
    assert Context.load(processed, (targets,)) is first
    targets.write_text(TARGETS + "Kabupaten Serang,stunting,2029,11.0,RPJMD (test)\n")
    second = Context.load(processed, (targets,))
    assert second is not first
    assert second.targets.for_district("3604", "stunting").value == 11.0
    assert len(reads) == 2


def test_rewritten_processed_data_is_read_again(processed, tmp_path, reads):
    copy = tmp_path / "processed"
    shutil.copytree(processed, copy)
    first = Context.load(copy)
    panel = copy / "panel.parquet"
    os.utime(panel, ns=(panel.stat().st_atime_ns, panel.stat().st_mtime_ns + 1_000_000))
    assert Context.load(copy) is not first
    assert len(reads) == 2


def test_the_index_headline_uses_the_cached_context(processed, reads):
    where = {"processed_dir": str(processed)}
    job = Job("3604", "Kabupaten Serang", "Banten", "id", "x.html", "k", where, "nb.py", "x.log")
    Context.load(processed)
    before = len(reads)
    first, second = headline(job), headline(job)
    assert first == second and first["life_expectancy"]["year"] >= 2020
    assert len(reads) == before


def test_the_quarantine_and_value_choices_are_read_once_per_context(processed, monkeypatch):
    """The data-quality section's quarantine.csv and value_choices.csv are read once per context
    (they were read again for every report) and give each district its own rows, as filtering
    the files does; a rewritten quarantine is a new context."""
    import pandas as pd

    ctx = Context.load(processed)
    files = []
    real = pd.read_csv

    def counting(path, *args, **kwargs):
        files.append(os.path.basename(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pd, "read_csv", counting)
    whole = real(processed / "quarantine.csv", dtype=str, keep_default_na=False)
    choices = real(
        processed / "value_choices.csv", dtype={"district_code": str}, keep_default_na=False
    )
    codes = sorted({*whole["district_code"], *choices["district_code"], "3604"} - {""})[:40]
    for code in codes:
        mine = ctx.quarantined(code)
        expected = whole[whole["district_code"] == code]
        pd.testing.assert_frame_equal(mine, expected)
        expected = choices[choices["district_code"] == code]
        pd.testing.assert_frame_equal(ctx.value_choices(code), expected)
    assert sorted(files) == ["quarantine.csv", "value_choices.csv"]
    assert len(whole) and len(choices)  # the real build has both

    quarantine = processed / "quarantine.csv"
    stamp = quarantine.stat()
    try:
        os.utime(quarantine, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000))
        assert Context.load(processed) is not ctx
    finally:
        os.utime(quarantine, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
