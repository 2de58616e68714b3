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
