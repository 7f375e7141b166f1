"""Never lose or mix files (issue 12): where outputs go, file modes, all-or-nothing swaps,
stale outputs and temporary folders, output-folder problems found before computing."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circle15 import io as c15io
from circle15.cli import app
from support.tiny import write_tiny_inputs

runner = CliRunner()


@pytest.fixture()
def cfg(tmp_path: Path) -> Path:
    return write_tiny_inputs(tmp_path / "in")


def _run(*args: str) -> object:
    return runner.invoke(app, list(args))


def test_relative_out_is_relative_to_the_current_directory(cfg: Path, tmp_path: Path,
                                                           monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    res = _run("run", str(cfg), "--out", "result", "-q")
    assert res.exit_code == 0, res.output
    assert (work / "result" / "coverage_by_zone.csv").is_file()
    assert not (cfg.parent / "result").exists()
    # -q still says where the outputs went
    assert f"outputs: {work / 'result'}" in res.output


def test_outputs_are_created_with_the_users_umask(cfg: Path, tmp_path: Path):
    old = os.umask(0o022)
    try:
        res = _run("run", str(cfg), "--out", str(tmp_path / "o"))
    finally:
        os.umask(old)
    assert res.exit_code == 0, res.output
    for p in (tmp_path / "o").iterdir():
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o044 == 0o044, (p.name, oct(mode))  # readable by others (web server)


def test_output_folder_holding_an_input_is_refused(cfg: Path):
    before = (cfg.parent / "zones.geojson").read_bytes()
    res = _run("run", str(cfg), "--out", str(cfg.parent))
    assert res.exit_code == 2
    assert "holds an input of this run" in res.output and "option --out" in res.output
    assert (cfg.parent / "zones.geojson").read_bytes() == before
    assert not (cfg.parent / "coverage_by_zone.csv").exists()


def test_out_that_is_a_file_fails_before_computing(cfg: Path, tmp_path: Path):
    f = tmp_path / "taken"
    f.write_text("mine", encoding="utf-8")
    res = _run("run", str(cfg), "--out", str(f))
    assert res.exit_code == 2 and "existing file" in res.output
    assert "· network" not in res.output  # nothing was computed
    assert f.read_text(encoding="utf-8") == "mine"


def test_unwritable_out_fails_before_computing(cfg: Path, tmp_path: Path, monkeypatch):
    import circle15.run.outputs as outputs

    # as a user without write permission sees it (root may write anywhere, so ask os.access)
    monkeypatch.setattr(outputs, "writable", lambda folder: False)
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2 and "no permission" in res.output
    assert "· network" not in res.output and not (tmp_path / "o").exists()


def test_rerun_retires_outputs_it_does_not_write(cfg: Path, tmp_path: Path):
    out = tmp_path / "o"
    assert _run("run", str(cfg), "--out", str(out)).exit_code == 0
    (out / "proposed_sites.csv").write_text("old", encoding="utf-8")  # as an earlier run's
    report = json.loads((out / "run.json").read_text(encoding="utf-8"))
    report["outputs"]["proposed_sites.csv"] = 3
    (out / "run.json").write_text(json.dumps(report), encoding="utf-8")
    (out / "my-notes.txt").write_text("keep me", encoding="utf-8")  # the user's own file
    assert _run("run", str(cfg), "--out", str(out)).exit_code == 0
    assert not (out / "proposed_sites.csv").exists()
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep me"
    listed = set(json.loads((out / "run.json").read_text(encoding="utf-8"))["outputs"])
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert listed == on_disk - {"run.json", "my-notes.txt"}


def test_sites_of_an_old_circle15_site_do_not_reappear(cfg: Path, tmp_path: Path):
    out = tmp_path / "o"
    assert _run("run", str(cfg), "--out", str(out)).exit_code == 0
    res = _run("site", str(cfg), "--layer", "clinic", "--out", str(out), "--max-sites", "1",
               "--target-rate", "1")
    assert res.exit_code == 0, res.output
    assert (out / "proposed_sites.csv").is_file()
    assert _run("run", str(cfg), "--out", str(out)).exit_code == 0  # no [siting] this time
    assert not (out / "proposed_sites.csv").exists()
    assert not (out / "siting_before_after.csv").exists()


def test_failed_swap_leaves_the_previous_run_whole(tmp_path: Path, monkeypatch):
    final = tmp_path / "o"
    final.mkdir()
    for name in ("a.csv", "b.csv", "c.csv"):
        (final / name).write_text("old " + name, encoding="utf-8")
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:  # after the old files moved aside and one new file moved in
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(c15io.os, "replace", flaky)
    with pytest.raises(KeyboardInterrupt):
        with c15io.atomic_output_dir(final) as tmp:
            for name in ("a.csv", "b.csv", "c.csv"):
                (tmp / name).write_text("new " + name, encoding="utf-8")
    monkeypatch.setattr(c15io.os, "replace", real)
    assert {p.name: p.read_text(encoding="utf-8") for p in final.iterdir()} == {
        n: "old " + n for n in ("a.csv", "b.csv", "c.csv")}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing leaked


def test_stale_temporary_folders_of_dead_runs_are_removed(tmp_path: Path):
    final = tmp_path / "o"
    final.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".o.tmp-{dead}-abc"
    stale.mkdir()
    (stale / "x.csv").write_text("half", encoding="utf-8")
    aside = tmp_path / f".o.old-{dead}-def"
    aside.mkdir()
    (aside / "kept.csv").write_text("earlier output", encoding="utf-8")
    live = tmp_path / f".o.tmp-{os.getpid()}-ghi"  # a run still going: untouched
    live.mkdir()
    with c15io.atomic_output_dir(final) as tmp:
        (tmp / "new.csv").write_text("new", encoding="utf-8")
    assert not stale.exists() and not aside.exists() and live.exists()
    # a killed swap's moved-aside file is put back
    assert (final / "kept.csv").read_text(encoding="utf-8") == "earlier output"
    assert (final / "new.csv").exists()


def test_disk_full_is_said_as_such(cfg: Path, tmp_path: Path, monkeypatch):
    import circle15.run.outputs as outputs

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "_write_tables", full)
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"))
    assert res.exit_code == 2, res.output
    assert "disk is full" in res.output and "internal error" not in res.output
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_demo_refuses_a_folder_with_the_users_files(tmp_path: Path):
    d = tmp_path / "mine"
    d.mkdir()
    (d / "report.md").write_text("my own report", encoding="utf-8")
    res = _run("demo", "--out", str(d))
    assert res.exit_code == 2 and "not empty" in res.output
    assert (d / "report.md").read_text(encoding="utf-8") == "my own report"
    assert not (d / "inputs").exists()


def test_verbosity_options_after_the_command(cfg: Path, tmp_path: Path):
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"), "-q")
    assert res.exit_code == 0
    assert "· zones" not in res.output and "outputs:" in res.output


def test_bad_command_line_value_names_the_option(cfg: Path, tmp_path: Path):
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"), "--year", "1999")
    assert res.exit_code == 2 and "option --year" in res.output
    res = _run("targets", "--lang", "fr")
    assert res.exit_code == 2 and "--lang" in res.output


def _stamps(run: Path) -> dict:
    import datetime as dt

    t = dt.datetime.fromisoformat(json.loads((run / "run.json").read_text(encoding="utf-8"))
                                  ["params"]["generated_at"]).astimezone(dt.UTC)
    zip_time = (*t.timetuple()[:5], t.second - t.second % 2)  # zip keeps even seconds
    return {"iso": t.strftime("%Y-%m-%dT%H:%M:%SZ").encode(), "zip": zip_time,
            ".pdf": t.strftime("D:%Y%m%d%H%M%S").encode(),
            ".gpkg": t.strftime("%Y-%m-%dT%H:%M:%S.000Z").encode()}


def _same_but_stamp(a: Path, b: Path, sa: dict, sb: dict) -> bool:
    import zipfile

    if a.suffix in (".xlsx", ".docx"):
        za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
        return [i.filename for i in za.infolist()] == [i.filename for i in zb.infolist()] \
            and {i.date_time for i in za.infolist()} == {sa["zip"]} \
            and {i.date_time for i in zb.infolist()} == {sb["zip"]} \
            and all(za.read(i).replace(sa["iso"], b"T") == zb.read(i.filename).replace(
                sb["iso"], b"T") for i in za.infolist())
    key = a.suffix
    return key in (".pdf", ".gpkg") and a.read_bytes().replace(sa[key], b"T") == \
        b.read_bytes().replace(sb[key], b"T")


def test_two_runs_differ_only_in_their_recorded_time(cfg: Path, tmp_path: Path):
    for name in ("a", "b"):
        assert _run("run", str(cfg), "--out", str(tmp_path / name)).exit_code == 0
    sa, sb = _stamps(tmp_path / "a"), _stamps(tmp_path / "b")
    files = sorted(p for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert {p.suffix for p in files} >= {".csv", ".geojson", ".png", ".html", ".md", ".xlsx",
                                         ".gpkg", ".docx"}
    for p in files:
        if p.name == "run.json":  # its timings differ, by nature
            continue
        q = tmp_path / "b" / p.relative_to(tmp_path / "a")
        same = p.read_bytes() == q.read_bytes()  # a bool: no multi-MB diff in the report
        if p.suffix in (".csv", ".geojson", ".png", ".html", ".md", ".json"):
            assert same, p.name
        else:
            assert same or _same_but_stamp(p, q, sa, sb), p.name


def test_an_empty_layer_gives_explicit_zero_coverage_and_says_so(cfg: Path, tmp_path: Path):
    import pandas as pd

    (cfg.parent / "clinic.csv").write_text("编号,名称,类型,经度,纬度,地址\n", encoding="utf-8")
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"))
    assert res.exit_code == 0, res.output
    assert "clinic" in res.output and "0%" in res.output  # the data-problem line
    cov = pd.read_csv(tmp_path / "o" / "coverage_by_zone.csv", encoding="utf-8-sig")
    clinic = cov[cov["layer"] == "clinic"]
    assert len(clinic) and (clinic["covered_population"] == 0).all()
    assert (clinic["coverage_rate"].dropna() == 0).all()
    problems = json.loads((tmp_path / "o" / "run.json").read_text(encoding="utf-8"))
    assert "layer_empty:clinic" in {p["code"] for p in problems["data_problems"]}
    # and the officials' report says it too, not only the console and run.json
    for name in ("report.md", "report.html"):
        assert "图层 clinic 没有可用的设施" in (tmp_path / "o" / name).read_text(encoding="utf-8")


def test_siting_with_nobody_to_serve_does_not_crash(cfg: Path, tmp_path: Path):
    import pandas as pd

    pop = pd.read_csv(cfg.parent / "population.csv")
    pop["population"] = 0
    pop.to_csv(cfg.parent / "population.csv", index=False)
    text = cfg.read_text(encoding="utf-8").replace(
        "[output]", '[siting]\nlayers = ["clinic"]\n\n[output]')
    cfg.write_text(text, encoding="utf-8")
    res = _run("run", str(cfg), "--out", str(tmp_path / "o"))
    assert res.exit_code in (0, 2), res.output
    assert "internal error" not in res.output


def test_a_warm_rerun_takes_the_prepared_network_from_the_cache(cfg: Path, tmp_path: Path):
    text = cfg.read_text(encoding="utf-8").replace(
        'crs = "EPSG:4549"', f'crs = "EPSG:4549"\ncache_dir = "{tmp_path / "cache"}"')
    cfg.write_text(text, encoding="utf-8")
    for name in ("a", "b"):
        assert _run("run", str(cfg), "--out", str(tmp_path / name)).exit_code == 0
    rep = [json.loads((tmp_path / n / "run.json").read_text(encoding="utf-8"))["network"]
           for n in ("a", "b")]
    assert rep[0]["cache"] == "miss" and rep[1]["cache"] == "hit"
    assert (tmp_path / "a" / "coverage_by_zone.csv").read_bytes() == \
        (tmp_path / "b" / "coverage_by_zone.csv").read_bytes()
    assert list((tmp_path / "cache" / "networks").iterdir())
