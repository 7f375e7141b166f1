"""Zhuji profile: the official township list and the county outline (real public data)."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import shape

from circle15.geo.areas.zhuji import county_outline, normalize_code, outline_file, townships
from support import SHARED


def test_townships_official_list():
    t = townships()
    assert len(t) == 23 and t["code"].is_unique and t["name"].is_unique
    assert all(len(c) == 9 and c.startswith("330681") for c in t["code"])
    # 5 街道, 17 镇, 1 乡 (2023 statistical division codes)
    assert t["kind"].value_counts().to_dict() == {"镇": 17, "街道": 5, "乡": 1}
    assert all(n.endswith(k) for n, k in zip(t["name"], t["kind"], strict=True))
    row = t.set_index("code").loc["330681001"]
    assert row["name"] == "暨阳街道"
    assert t.set_index("code").loc["330681201", "name"] == "东和乡"


def test_townships_match_the_public_table():
    table = SHARED / "data" / "zhuji" / "townships_2023.csv"
    if not table.is_file():
        pytest.skip("shared Zhuji table not available")
    ref = pd.read_csv(table, dtype=str)
    ours = townships()
    assert ours["code"].tolist() == ref["code"].tolist()
    assert ours["name"].tolist() == ref["name"].tolist()


@pytest.mark.parametrize("raw,code", [(330681001, "330681001"), ("330681001.0", "330681001"),
                                      ("330681001000", "330681001"), (" 330681104 ", "330681104")])
def test_normalize_code(raw, code):
    assert normalize_code(raw) == code


def test_county_outline_wgs84_area_and_shift():
    geom = county_outline()
    assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
    area_km2 = gpd.GeoSeries([geom], crs=4326).to_crs(4549).area.iloc[0] / 1e6
    assert area_km2 == pytest.approx(2311, rel=0.01)  # official 2,311 km²
    raw = shape(json.loads(outline_file().read_text(encoding="utf-8")))
    # GCJ-02 minus WGS-84 at Zhuji: about +0.0044 deg lon, -0.0025 deg lat (≈ 500 m)
    dx = raw.centroid.x - geom.centroid.x
    dy = raw.centroid.y - geom.centroid.y
    assert dx == pytest.approx(0.0044, abs=0.0006) and dy == pytest.approx(-0.0025, abs=0.0006)
    minx, miny, maxx, maxy = geom.bounds
    assert 119.8 < minx < maxx < 120.6 and 29.3 < miny < maxy < 30.0


def test_county_outline_matches_shared_copy():
    shared = SHARED / "data" / "zhuji" / "county_outline_gcj02.geojson"
    if not shared.is_file():
        pytest.skip("shared Zhuji outline not available")
    data = json.loads(shared.read_text(encoding="utf-8"))
    geom = shape(data["features"][0]["geometry"] if "features" in data else
                 data.get("geometry", data))
    ours = shape(json.loads(outline_file().read_text(encoding="utf-8")))
    assert ours.symmetric_difference(geom).area < 1e-6 * ours.area
