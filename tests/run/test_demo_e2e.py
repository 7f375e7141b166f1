"""The built-in demo end to end: outputs, varying coverage, and reproducibility through
``circle15 run`` on the written inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from circle15.cli import app

runner = CliRunner()
pytestmark = pytest.mark.slow


def test_demo_outputs(demo_dir: Path):
    for name in ("coverage_by_zone.csv", "coverage.xlsx", "map.html", "run.json"):
        assert (demo_dir / name).is_file(), name
    for name in ("config.toml", "network.graphml", "zones.geojson", "population.csv"):
        assert (demo_dir / "inputs" / name).is_file(), name
    run = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    assert run["params"]["synthetic"] is True
    assert "示例" in run["params"]["title"]
    assert run["network"]["nodes"] >= 20_000


def test_demo_coverage_is_partial_and_varies(demo_dir: Path):
    df = pd.read_csv(demo_dir / "coverage_by_zone.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str})
    zones = df[(df["zone_id"] != "ALL") & (df["group"] == "total") & (df["layer"] != "ALL")]
    for layer, g in zones[zones["minutes"] == 15].groupby("layer"):
        rates = g["coverage_rate"].dropna()
        assert rates.nunique() > 2, layer
    county = df[(df["zone_id"] == "ALL") & (df["group"] == "total")]
    assert (county["coverage_rate"] < 0.98).all(), county
    at15 = county[county["minutes"] == 15].set_index("layer")["coverage_rate"]
    assert (at15 > 0.02).all(), at15  # partial: neither empty nor full, every layer
    # coverage grows with the threshold everywhere
    for _, g in df.groupby(["zone_id", "layer", "group"]):
        assert g.sort_values("minutes")["covered_population"].is_monotonic_increasing


def test_rerun_on_written_inputs_reproduces(demo_dir: Path, tmp_path: Path):
    res = runner.invoke(app, ["run", str(demo_dir / "inputs" / "config.toml"), "--out",
                              str(tmp_path / "d2")])
    assert res.exit_code == 0, res.output
    a = (demo_dir / "coverage_by_zone.csv").read_bytes()
    b = (tmp_path / "d2" / "coverage_by_zone.csv").read_bytes()
    assert a == b


def test_demo_targets_show_met_and_unmet_townships(demo_dir: Path):
    """Officials see, for several layers, townships that meet a target and townships that
    do not; the county gap in people is the sum of the township gaps (per-township targets)."""
    t = pd.read_csv(demo_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                    dtype={"zone_id": str})
    towns = t[(t["zone_id"] != "ALL") & t["layer"].notna() & (t["layer"] != "")]
    both = towns.groupby("layer")["status"].agg(lambda s: {"met", "not_met"} <= set(s))
    assert both.sum() >= 3, both
    for ind, g in t[t["scope"] == "zone"].groupby(["indicator_id", "year"]):
        county = g[g["zone_id"] == "ALL"]["gap_people"].fillna(0).sum()
        assert county == pytest.approx(g[g["zone_id"] != "ALL"]["gap_people"].fillna(0).sum()), ind
    report = (demo_dir / "report.html").read_text(encoding="utf-8")
    assert "已达标" in report or "达标" in report


def test_demo_siting_fixes_townships_below_target(demo_dir: Path):
    ba = pd.read_csv(demo_dir / "siting_before_after.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str})
    towns = ba[ba["zone_id"] != "ALL"]
    fixed = towns[(towns["status_before"] == "not_met") & (towns["status_after"] == "met")]
    assert len(fixed) >= 1 and (fixed["new_sites"] >= 1).any()
    sites = pd.read_csv(demo_dir / "proposed_sites.csv", encoding="utf-8-sig",
                        dtype={"zone_id": str})
    assert set(fixed["zone_id"]) & set(sites["zone_id"])
    assert "建议新增设施" in (demo_dir / "report.md").read_text(encoding="utf-8")


def test_no_people_figure_exceeds_the_population_it_is_about(demo_dir: Path):
    """Issue 12: a township's 'uncovered people' once added several indicators' gaps and
    exceeded its residents. Every people figure is bounded by the population it counts."""
    import json

    cov = pd.read_csv(demo_dir / "coverage_by_zone.csv", encoding="utf-8-sig",
                      dtype={"zone_id": str})
    t = pd.read_csv(demo_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                    dtype={"zone_id": str})
    residents = cov[(cov["group"] == "total")].groupby("zone_id")["population"].max()
    gaps = t.dropna(subset=["gap_people"])
    assert len(gaps)
    for r in gaps.itertuples():
        assert 0 <= r.gap_people <= residents[r.zone_id] + 1e-6, (r.indicator_id, r.zone_id)
    assert (cov["covered_population"] <= cov["population"] + 1e-6).all()
    brief = json.loads((demo_dir / "briefing.json").read_text(encoding="utf-8"))
    county = residents["ALL"]
    for f in brief["figures"]:
        q = f.get("quote") or {}
        if q.get("column") in ("population", "gap_people"):
            assert q["value"] <= county + 1e-6, f["label"]
