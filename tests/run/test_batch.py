"""``circle15 batch`` on a real dask LocalCluster of 2 worker processes (no mocks).

Three variations of the tiny hand-checked county (speed, thresholds, year) run as a batch
give the same CSV outputs, byte for byte, as three single ``circle15 run``s; a failing
config is reported and does not stop the others (exit code 2); a rerun skips unchanged
tasks and reruns a task whose input changed; a scenario grid gives one row per scenario.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from circle15.cli import app
from circle15.run.batch import (
    SUMMARY_CSV,
    SUMMARY_XLSX,
    TASK_FILE,
    load_batch,
    run_batch,
)
from support.tiny import write_tiny_inputs

distributed = pytest.importorskip("dask.distributed")

VARIANTS = {  # folder -> replacements in the tiny config
    "slow": {"speed_kmh = 4.5": "speed_kmh = 3.0"},
    "short": {"thresholds = [5, 10, 15]": "thresholds = [5, 10]"},
    "early": {"year = 2027": "year = 2025"},
}
CSVS = ("coverage_by_zone.csv", "targets_by_zone.csv", "admin_coverage.csv",
        "facility_issues.csv", "reported_template.csv")


def write_variant(d: Path, repl: dict[str, str]) -> Path:
    cfg = write_tiny_inputs(d)
    text = cfg.read_text(encoding="utf-8")
    for a, b in repl.items():
        assert a in text
        text = text.replace(a, b)
    cfg.write_text(text, encoding="utf-8")
    return cfg


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as c:
        yield c


@pytest.fixture(scope="module")
def counties(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    for name, repl in VARIANTS.items():
        write_variant(root / name, repl)
    (root / "batch.toml").write_text(
        'configs = ["slow/config.toml", "short/config.toml", "early/config.toml"]\n',
        encoding="utf-8")
    return root


def test_batch_equals_single_runs_byte_for_byte(counties, cluster, tmp_path):
    spec = load_batch(counties / "batch.toml")
    assert [t.name for t in spec.tasks] == list(VARIANTS)
    seen = []
    res = run_batch(spec, tmp_path / "b", scheduler=cluster.scheduler_address,
                    progress=lambda r, d, f, n: seen.append((r.name, d, f, n)))
    assert [r.status for r in res] == ["done"] * 3, [r.message for r in res]
    assert sorted(s[0] for s in seen) == sorted(VARIANTS) and seen[-1][1:] == (3, 0, 3)
    runner = CliRunner()
    for name in VARIANTS:
        single = tmp_path / "single" / name
        r = runner.invoke(app, ["run", str(counties / name / "config.toml"), "--out",
                                str(single)])
        assert r.exit_code == 0, r.output
        for csv in CSVS:
            assert (tmp_path / "b" / name / csv).read_bytes() == (single / csv).read_bytes(), \
                (name, csv)
        assert (tmp_path / "b" / name / "isochrones.gpkg").is_file()
    # the summary: one row per county, hand-checked coverage (see tests/_tiny.py)
    raw = (tmp_path / "b" / SUMMARY_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(tmp_path / "b" / SUMMARY_CSV, encoding="utf-8-sig").set_index("task")
    assert df.loc["early", "coverage:clinic:5min"] == pytest.approx(30 / 150)
    assert df.loc["early", "coverage:clinic:15min"] == pytest.approx(100 / 150)
    # 3 km/h = 50 m/min: 5 min reach 250 m (10 people), 15 min 750 m (10 + 20 + 30)
    assert df.loc["slow", "coverage:clinic:5min"] == pytest.approx(10 / 150)
    assert df.loc["slow", "coverage:clinic:15min"] == pytest.approx(60 / 150)
    assert pd.isna(df.loc["short", "coverage:clinic:15min"])
    sheet = pd.read_excel(tmp_path / "b" / SUMMARY_XLSX, sheet_name=None)
    assert list(sheet) == ["县市汇总"] and len(sheet["县市汇总"]) == 3
    # no partial folders are left behind
    assert not [p for p in (tmp_path / "b").iterdir() if p.name.startswith(".")]

    # rerun: every task skipped; then a changed input reruns only its task
    again = run_batch(spec, tmp_path / "b", scheduler=cluster.scheduler_address)
    assert [r.status for r in again] == ["skipped"] * 3
    assert again[0].indicators == res[0].indicators
    pop = counties / "short" / "population.csv"
    pop.write_text(pop.read_text(encoding="utf-8").replace(",50\n", ",60\n"),
                   encoding="utf-8")
    third = run_batch(spec, tmp_path / "b", scheduler=cluster.scheduler_address)
    assert [r.status for r in third] == ["skipped", "done", "skipped"]
    assert third[1].indicators["coverage:clinic:5min"] == pytest.approx(30 / 160)


def test_failing_config_does_not_stop_the_others(counties, tmp_path):
    bad = write_variant(tmp_path / "bad", {})
    (tmp_path / "bad" / "population.csv").unlink()
    batch = tmp_path / "batch.toml"
    batch.write_text(f'configs = ["{(counties / "slow" / "config.toml").as_posix()}", '
                     f'"{bad.as_posix()}"]\n[batch]\nworkers = 2\n', encoding="utf-8")
    r = CliRunner().invoke(app, ["batch", str(batch), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2, r.output
    assert "population.csv" in r.output and "failed" in r.output
    assert (tmp_path / "o" / "slow" / "coverage_by_zone.csv").is_file()
    assert not (tmp_path / "o" / "bad").exists()
    df = pd.read_csv(tmp_path / "o" / SUMMARY_CSV, encoding="utf-8-sig").set_index("task")
    assert df.loc["slow", "status"] == "done" and df.loc["bad", "status"] == "failed"
    assert "population.csv" in df.loc["bad", "message"]


def test_scenario_grid(counties, cluster, tmp_path):
    base = counties / "early" / "config.toml"
    batch = tmp_path / "grid.toml"
    batch.write_text(f'[batch]\nconfig = "{base.as_posix()}"\n[batch.grid]\n'
                     '"network.speed_kmh" = [3.0, 4.5]\n"coverage.thresholds" = [[5], [15]]\n',
                     encoding="utf-8")
    spec = load_batch(batch)
    assert len(spec.tasks) == 4
    assert spec.tasks[0].scenario == {"network.speed_kmh": 3.0, "coverage.thresholds": [5]}
    res = run_batch(spec, tmp_path / "g", scheduler=cluster.scheduler_address)
    assert [r.status for r in res] == ["done"] * 4, [r.message for r in res]
    df = pd.read_csv(tmp_path / "g" / SUMMARY_CSV, encoding="utf-8-sig")
    assert list(df.columns[:4]) == ["task", "county", "network.speed_kmh",
                                    "coverage.thresholds"]
    rates = df.set_index(["network.speed_kmh", "coverage.thresholds"])
    # 5 min: 250 m at 3 km/h (10 people), 375 m at 4.5 km/h (10 + 20)
    assert rates.loc[(3.0, "[5]"), "coverage:clinic:5min"] == pytest.approx(10 / 150)
    assert rates.loc[(4.5, "[5]"), "coverage:clinic:5min"] == pytest.approx(30 / 150)
    # 15 min: 750 m at 3 km/h (10 + 20 + 30), 1125 m at 4.5 km/h (all of the west zone)
    assert rates.loc[(3.0, "[15]"), "coverage:clinic:15min"] == pytest.approx(60 / 150)
    assert rates.loc[(4.5, "[15]"), "coverage:clinic:15min"] == pytest.approx(100 / 150)
    assert (tmp_path / "g" / res[0].name / TASK_FILE).is_file()
    assert list(pd.read_excel(tmp_path / "g" / SUMMARY_XLSX, sheet_name=None)) == ["情景汇总"]


def test_bad_batch_files(tmp_path):
    from circle15.errors import InputError

    p = tmp_path / "b.toml"
    p.write_text('[batch]\nworkerz = 2\nconfig = "x.toml"\n', encoding="utf-8")
    with pytest.raises(InputError, match="workerz"):
        load_batch(p)
    p.write_text('configs = ["missing/config.toml"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="config not found"):
        load_batch(p)
    p.write_text("[batch]\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["batch", str(p), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "no configs" in r.output
