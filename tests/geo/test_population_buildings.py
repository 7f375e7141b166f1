"""Buildings and zone totals: residential estimate, spreading with exact totals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely.geometry import Point, box

from circle15.geo.population import (
    PopulationSource,
    largest_remainder,
    load_population,
    zone_population,
)
from circle15.geo.population.totals import spread_totals


def make_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["A", "B", "C"], "zone_name": ["甲镇", "乙镇", "丙镇"]},
        geometry=[box(120.20, 29.70, 120.21, 29.71), box(120.21, 29.70, 120.22, 29.71),
                  box(120.22, 29.70, 120.23, 29.71)], crs="EPSG:4326")


_TO_UTM = Transformer.from_crs(4326, 32651, always_xy=True)


def square(lon: float, lat: float, side: float):
    """A side x side metre square (in UTM 51N) centred on lon/lat."""
    x, y = _TO_UTM.transform(lon, lat)
    return box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)


def make_buildings() -> gpd.GeoDataFrame:
    """Footprints of 400 m² (20 m squares) except the last (1000 m²), in UTM 51N."""
    rows = [
        # building, building:levels, levels, lon, lat, side
        ("residential", "6", None, 120.203, 29.703, 20.0),     # A: 400*6 = 2400 m²
        ("yes", None, None, 120.205, 29.705, 20.0),             # A: 400*2 (default) = 800
        ("industrial", "3", None, 120.207, 29.707, 20.0),       # A: excluded
        ("apartments", "3;4", None, 120.208, 29.702, 20.0),     # A: 400*3 = 1200
        (None, None, 10, 120.215, 29.705, np.sqrt(1000.0)),      # B: 1000*10 = 10000
        ("school", None, None, 120.225, 29.705, 20.0),          # C: excluded
    ]
    return gpd.GeoDataFrame(
        {"building": [r[0] for r in rows], "building:levels": [r[1] for r in rows],
         "levels": [r[2] for r in rows]},
        geometry=[square(r[3], r[4], r[5]) for r in rows], crs="EPSG:32651")


def test_buildings_residential_estimate(tmp_path):
    path = tmp_path / "buildings.geojson"
    make_buildings().to_crs(4326).to_file(path, driver="GeoJSON")
    cfg = PopulationSource(kind="buildings", source=path, m2_per_person=40.0,
                           default_levels=2.0)
    zones = make_zones()
    origins, report = load_population(cfg, zones)
    np.testing.assert_allclose(origins["population"], [60.0, 20.0, 30.0, 250.0], rtol=1e-5)
    assert origins["zone_id"].tolist() == ["A", "A", "A", "B"]
    bl = make_buildings().to_crs(4326)
    for geom, i in zip(origins.geometry, [0, 1, 3, 4], strict=True):
        assert bl.geometry.iloc[i].contains(geom)
    assert report["buildings"]["residential"] == 4
    assert report["buildings"]["excluded_by_type"] == {"industrial": 1, "school": 1}
    assert report["buildings"]["default_levels_used"] == 1
    table = zone_population(origins, zones, [])
    np.testing.assert_allclose(table["population"], [110.0, 250.0, 0.0], rtol=1e-5)
    assert table["points"].tolist() == [3, 1, 0]


def _totals_csv(tmp_path, text="zone_id,population,age_60p\nA,1000,200\nB,7,7\nC,0,0\n"):
    path = tmp_path / "totals.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_zone_totals_over_buildings_hand_checked(tmp_path):
    cfg = PopulationSource(kind="zone_totals", totals=_totals_csv(tmp_path),
                           groups={"age_60p": "age_60p"})
    zones = make_zones()
    origins, report = load_population(cfg, zones, buildings=make_buildings())
    # A: floor areas 2400, 800, 1200 -> quotas 545.45, 181.82, 272.73 -> 545, 182, 273;
    # age_60p 200 -> 109.09, 36.36, 54.55 -> 109, 36, 55. B: one building gets all 7.
    assert origins["zone_id"].tolist() == ["A", "A", "A", "B"]
    assert origins["population"].tolist() == [545.0, 182.0, 273.0, 7.0]
    assert origins["age_60p"].tolist() == [109.0, 36.0, 55.0, 7.0]
    assert report["allocation"] == "zone totals spread over residential buildings (by floor area)"
    assert report["allocation_fallback_zones"] == []
    assert report["people"] == 1007.0
    table = zone_population(origins, zones, ["age_60p"])
    assert table["population"].tolist() == [1000.0, 7.0, 0.0]
    assert table["age_60p"].tolist() == [200.0, 7.0, 0.0]


def test_zone_totals_buildings_from_source_file(tmp_path):
    bpath = tmp_path / "b.gpkg"
    make_buildings().to_file(bpath)
    cfg = PopulationSource(kind="zone_totals", totals=_totals_csv(tmp_path), source=bpath)
    origins, report = load_population(cfg, make_zones())
    assert origins["population"].tolist() == [545.0, 182.0, 273.0, 7.0]


def test_zone_totals_over_nodes_with_fallback(tmp_path):
    text = "区划代码,人口\nA,1000\nB,7\nC,5\n"
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("gbk"))
    nodes = gpd.GeoDataFrame(
        {"osmid": [1, 2, 3, 4, 5]},
        geometry=[Point(120.201, 29.701), Point(120.202, 29.702), Point(120.203, 29.703),
                  Point(120.211, 29.701), Point(120.5, 29.5)], crs="EPSG:4326").to_crs(3857)
    cfg = PopulationSource(kind="zone_totals", totals=path, value_column="人口")
    zones = make_zones()
    origins, report = load_population(cfg, zones, nodes=nodes)
    assert origins["zone_id"].tolist() == ["A", "A", "A", "B", "C"]
    assert origins["population"].tolist() == [334.0, 333.0, 333.0, 7.0, 5.0]
    assert report["allocation_fallback_zones"] == ["C"]
    assert zones.geometry.iloc[2].contains(origins.geometry.iloc[4])
    assert report["encoding"] == "gb18030"
    assert any("centre point" in w for w in report["warnings"])


def test_zone_totals_matched_by_name_with_shares(tmp_path):
    path = _totals_csv(tmp_path, "乡镇,population\n甲镇,100\n乙镇,50\n丙镇,0\n")
    shares = tmp_path / "kids.csv"
    shares.write_text("name,比例\n甲镇,0.1\n乙镇,0.2\n丙镇,0.3\n", encoding="utf-8")
    nodes = gpd.GeoDataFrame(geometry=[Point(120.205, 29.705), Point(120.215, 29.705)],
                             crs="EPSG:4326")
    cfg = PopulationSource(kind="zone_totals", totals=path,
                           group_shares={"age_0_3": str(shares)})
    origins, report = load_population(cfg, make_zones(), nodes=nodes)
    assert origins["population"].tolist() == [100.0, 50.0]
    np.testing.assert_allclose(origins["age_0_3"], [10.0, 10.0])
    assert report["people_by_group"] == {"age_0_3": pytest.approx(20.0)}


def test_zone_totals_unmatched_rows_reported(tmp_path):
    path = _totals_csv(tmp_path, "zone_id,population\nA,10\nZZ,99\n")
    nodes = gpd.GeoDataFrame(geometry=[Point(120.205, 29.705)], crs="EPSG:4326")
    origins, report = load_population(PopulationSource(kind="zone_totals", totals=path),
                                      make_zones(), nodes=nodes)
    assert report["unmatched_totals"] == {"rows": 1, "people": 99.0}
    assert origins["population"].tolist() == [10.0]


def test_fractional_totals_spread_proportionally(tmp_path):
    path = _totals_csv(tmp_path, "zone_id,population\nA,10.5\nB,0\nC,0\n")
    nodes = gpd.GeoDataFrame(geometry=[Point(120.201, 29.705), Point(120.205, 29.705)],
                             crs="EPSG:4326")
    origins, report = load_population(PopulationSource(kind="zone_totals", totals=path),
                                      make_zones(), nodes=nodes)
    assert report["integer"] is False
    assert origins["population"].tolist() == [5.25, 5.25]


# ----------------------------------------------------------------------- property tests

@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 10**7),
       weights=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_largest_remainder_preserves_total(total, weights):
    w = np.array(weights)
    if w.sum() == 0:
        w[0] = 1.0
    alloc = largest_remainder(total, w)
    assert alloc.dtype == np.int64
    assert int(alloc.sum()) == total
    assert (alloc >= 0).all()
    quota = total * w / w.sum()
    assert np.all(np.abs(alloc - quota) < 1 + 1e-6 * max(1, total))


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_spreading_preserves_zone_totals_and_groups(data):
    zones = make_zones()
    n = data.draw(st.integers(1, 30))
    xs = data.draw(st.lists(st.floats(120.2001, 120.2299), min_size=n, max_size=n))
    weights = data.draw(st.lists(st.floats(0.01, 5000), min_size=n, max_size=n))
    totals = data.draw(st.lists(st.integers(0, 100000), min_size=3, max_size=3))
    fracs = data.draw(st.lists(st.floats(0, 1), min_size=3, max_size=3))
    groups = [int(t * f) for t, f in zip(totals, fracs, strict=True)]
    places = gpd.GeoDataFrame({"weight": weights}, geometry=[Point(x, 29.705) for x in xs],
                              crs="EPSG:4326")
    places["zone_id"] = np.where(places.geometry.x < 120.21, "A",
                                 np.where(places.geometry.x < 120.22, "B", "C"))
    tot = pd.DataFrame({"population": totals, "g": groups},
                       index=pd.Index(["A", "B", "C"], name="zone_id"))
    out, _ = spread_totals(tot, places, zones, integer=True)
    assert out["population"].sum() == sum(totals)
    assert out["g"].sum() == sum(groups)
    for zid, t, g in zip(["A", "B", "C"], totals, groups, strict=True):
        part = out[out["zone_id"] == zid]
        assert part["population"].sum() == t
        assert part["g"].sum() == g
    assert (out["g"] <= out["population"]).all()
    assert (out["population"] == np.round(out["population"])).all()
    assert (out["g"] >= 0).all()
