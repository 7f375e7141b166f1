"""Zones from OpenStreetMap boundaries (area.place): downloaded once through osmnx (mocked:
no internet here), cached, and served from the cache without touching the network."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import shape

from circle15.config import load_config
from circle15.run.compute import compute
from support.tiny import write_tiny_inputs


def test_place_zones_download_once_then_cache(tmp_path: Path, monkeypatch):
    cfg_path = write_tiny_inputs(tmp_path / "in")
    feats = json.loads((tmp_path / "in" / "zones.geojson").read_text(encoding="utf-8"))
    text = cfg_path.read_text(encoding="utf-8").replace(
        'zones = "zones.geojson"', 'place = "测试区, 示例省"').replace(
        '[network]', f'[network]\ncache_dir = "{(tmp_path / "cache").as_posix()}"')
    cfg_path.write_text(text, encoding="utf-8")
    calls = []

    def fake_features(place, tags):
        calls.append((place, tags))
        return gpd.GeoDataFrame(
            {"name": ["西区", "东区"], "ref": ["W", "E"], "admin_level": ["8", "8"],
             "boundary": ["administrative"] * 2},
            geometry=[shape(f["geometry"]) for f in feats["features"]], crs=4326)

    import osmnx

    monkeypatch.setattr(osmnx, "features_from_place", fake_features)
    cfg = load_config(cfg_path)
    r1 = compute(cfg)
    assert calls == [("测试区, 示例省", {"boundary": "administrative", "admin_level": "8"})]
    assert sorted(r1.zones["zone_id"]) == ["E", "W"]
    assert r1.report["zones"]["cache"] == "miss"

    def offline(*a, **k):
        raise AssertionError("the cache must be used without network access")

    monkeypatch.setattr(osmnx, "features_from_place", offline)
    r2 = compute(cfg)
    assert r2.report["zones"]["cache"] == "hit"
    cov = r2.coverage.set_index(["zone_id", "layer", "group", "minutes"])
    assert cov.loc[("W", "clinic", "total", 10), "covered_population"] == pytest.approx(60)
    assert cov.loc[("E", "clinic", "total", 10), "covered_population"] == 0
