"""Writing the outputs concurrently (documents in a forked child) gives the same files, byte
for byte, as writing them one after the other; failures stay all-or-nothing; the fork is
not used where it may not be (daemonic processes, one core)."""

from __future__ import annotations

import json
import logging
import multiprocessing as mp
import os
from pathlib import Path

import pytest

from circle15 import forked
from circle15.errors import InputError
from circle15.forked import Job, can_fork

needs_fork = pytest.mark.skipif(not can_fork(), reason="no fork on this machine")


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A SYNTHETIC demo county (scale 0.2) computed with siting: a RunResult."""
    from circle15.config import load_config
    from circle15.demo.county import write_demo_inputs
    from circle15.run.compute import compute
    from circle15.run.siting import site_layers

    d = tmp_path_factory.mktemp("conc")
    cfg = load_config(write_demo_inputs(d / "inputs", seed=3, scale=0.2),
                      {"network.cache_dir": d / "cache"})
    result = compute(cfg)
    result.siting = site_layers(result)
    return result


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run_json(data: bytes) -> dict:
    report = json.loads(data)
    times = report.pop("output_timings_s")
    return report | {"output_timings_s": sorted(times)}


@needs_fork
def test_concurrent_outputs_equal_serial_byte_for_byte(small_run, tmp_path):
    from circle15.run.outputs import write_outputs

    write_outputs(small_run, tmp_path / "serial", concurrent=False)
    rep = write_outputs(small_run, tmp_path / "forked", concurrent=True)
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "forked")
    assert sorted(a) == sorted(b)
    written = {"briefing.docx", "coverage.xlsx", "report.md", "report.html", "map.html",
               "origins.gpkg", "coverage_by_zone.csv", "proposed_sites.csv", "charts.json",
               "overview_map.png", "coverage_map.png", "standards_by_zone.csv"}
    assert written <= set(a)  # both halves really wrote
    assert len(a["report.html"]) > 1000  # the document, not the map's placeholder
    assert "documents" in rep["output_timings_s"] and "maps" in rep["output_timings_s"]
    differ = [n for n in a if n != "run.json" and a[n] != b[n]]
    assert differ == []
    assert _run_json(a["run.json"]) == _run_json(b["run.json"])


def _fail_in_documents(*_args):
    raise InputError("bad thing", file="x.csv", row=3, column="名称", key="layers.k",
                     hint="fix it")


@needs_fork
def test_a_failing_child_writes_nothing_and_raises_its_error(small_run, tmp_path,
                                                             monkeypatch):
    from circle15.run import outputs

    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("user file")
    monkeypatch.setattr(outputs, "_documents_job", _fail_in_documents)
    with pytest.raises(InputError) as info:
        outputs.write_outputs(small_run, out, concurrent=True)
    e = info.value
    assert (e.message, e.file, e.row, e.column, e.key, e.hint) == (
        "bad thing", "x.csv", 3, "名称", "layers.k", "fix it")
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["mine.txt"]


def _square(x):
    return x * x, os.getpid()


def _crash(*_args):
    os._exit(3)


class _Unpicklable(Exception):
    def __init__(self, lock):
        super().__init__("unpicklable")
        self.lock = lock


def _raise_unpicklable():
    import threading

    raise _Unpicklable(threading.Lock())


@needs_fork
def test_job_runs_in_a_child_and_reports_how_it_ended():
    value, pid = Job(_square, (7,), concurrent=True).result()
    assert value == 49 and pid != os.getpid()
    value, pid = Job(_square, (7,), concurrent=False).result()
    assert value == 49 and pid == os.getpid()
    with pytest.raises(RuntimeError, match="exit code 3"):
        Job(_crash, concurrent=True).result()
    with pytest.raises(RuntimeError, match="_Unpicklable"):
        Job(_raise_unpicklable, concurrent=True).result()


def _sleep_forever():
    import time

    time.sleep(60)


@needs_fork
def test_cancel_stops_a_running_child():
    job = Job(_sleep_forever, concurrent=True)
    proc = job._proc
    job.cancel()
    assert not proc.is_alive() and proc.exitcode is not None


def _report_can_fork(q):
    q.put(can_fork())


def test_no_fork_in_a_daemonic_process_a_thread_or_on_one_core(monkeypatch):
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_report_can_fork, args=(q,), daemon=True)
    p.start()
    assert q.get(timeout=60) is False
    p.join()
    import threading

    seen = []
    t = threading.Thread(target=lambda: seen.append(can_fork()))
    t.start()
    t.join()
    assert seen == [False]  # a task thread of a threaded scheduler
    monkeypatch.setattr(forked.os, "cpu_count", lambda: 1)
    assert can_fork() is False


def _warn_and_return():
    import warnings

    logging.getLogger("circle15.report.pdf").warning("briefing.pdf skipped: 没有 Chromium")
    warnings.warn("a library warning", UserWarning, stacklevel=1)
    return 5


@needs_fork
def test_the_childs_log_messages_are_logged_by_the_parent(caplog):
    with caplog.at_level(logging.INFO):
        assert Job(_warn_and_return, concurrent=True).result() == 5
    got = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert ("circle15.report.pdf", logging.WARNING, "briefing.pdf skipped: 没有 Chromium") in got
    assert any(r.name == "py.warnings" and "a library warning" in r.getMessage()
               for r in caplog.records)
