"""The history on the real demo county: recording the session's demo run, exporting it,
and the synthetic two-quarter demo history (slow: two more demo runs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from circle15.history.problems import list_problems
from circle15.history.store import open_store
from support.history import cli

pytestmark = pytest.mark.slow


def test_record_the_demo_run_and_export(demo_dir: Path, tmp_path: Path):
    db = str(tmp_path / "h.sqlite")
    cli("record", "--from-run", str(demo_dir), "--period", "2025Q3", "--db", db)
    fac = pyogrio.read_dataframe(demo_dir / "facilities.geojson")
    targets = pd.read_csv(demo_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                          dtype={"zone_id": str})
    store = open_store(db, create=False)
    pr = list_problems(store)
    store.dispose()
    t25 = targets[(targets["year"] == 2025) & (targets["status"] == "not_met")]
    assert len(pr) == len(t25) > 0  # one problem per target missed in 2025
    assert set(zip(pr["indicator_id"], pr["zone_id"], strict=True)) == set(
        zip(t25["indicator_id"], t25["zone_id"], strict=True))
    gpkg = tmp_path / "demo.gpkg"
    cli("history", "export", "--period", "2025Q3", "--out", str(gpkg), "--db", db)
    got = pyogrio.read_dataframe(gpkg, layer="facilities")
    assert len(got) == len(fac)
    assert sorted(got["facility_id"]) == sorted(fac["facility_id"])
    town = pyogrio.read_dataframe(gpkg, layer="townships")
    assert len(town) == 11 and "T21_status" in town.columns


def test_synthetic_demo_history(tmp_path: Path):
    out = tmp_path / "dh"
    cli("history", "demo", "--out", str(out), "--quarters", "2")
    db = str(out / "history.sqlite")
    listing = cli("history", "--db", db)
    assert "2025Q1" in listing and "2025Q2" in listing and "合成" in listing
    cli("compare", "2025Q1", "2025Q2", "--db", db, "--out", str(tmp_path / "c.csv"))
    fac = pd.read_csv(tmp_path / "c_facilities.csv", encoding="utf-8-sig",
                      dtype={"zone_id": str})
    assert fac["change"].tolist() == ["added", "added"]
    assert sorted(fac["facility_id"]) == ["CJ901", "CJ902"]
    store = open_store(db, create=False)
    pr = list_problems(store).set_index(["indicator_id", "zone_id"])
    store.dispose()
    for zone in fac["zone_id"]:  # each new 残疾人之家 closes its township's T21 problem
        assert pr.loc[("T21", zone), "status"] == "已整改"
        assert pr.loc[("T21", zone), "closed_period"] == "2025Q2"
    assert (pr.drop(index=[("T21", z) for z in fac["zone_id"]])["status"] == "待整改").all()
