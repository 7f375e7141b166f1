"""Population points: CSV/GeoJSON loading, coordinate systems, zones, groups, shares."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from circle15.geo.population import PopulationSource, load_population, zone_population
from support import SHARED
from support.population import CSV, make_zones


def test_csv_points_hand_checked(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text(CSV, encoding="utf-8")
    cfg = PopulationSource(kind="points", source=path,
                           groups={"age_0_3": "age_0_3", "age_60p": "age_60p"})
    zones = make_zones()
    origins, report = load_population(cfg, zones)
    assert origins.crs.to_epsg() == 4326
    assert list(origins.columns) == ["origin_id", "zone_id", "population", "age_0_3",
                                     "age_60p", "geometry"]
    assert origins["origin_id"].tolist() == [0, 1, 2, 3]
    assert origins["zone_id"].tolist() == ["A", "B", "A", ""]
    assert origins["population"].tolist() == [100.0, 50.0, 30.0, 7.0]
    assert origins.geometry.iloc[1].equals(Point(120.215, 29.705))
    assert report["people"] == 187.0
    assert report["people_in_zones"] == 180.0
    assert report["people_by_group"] == {"age_0_3": 7.0, "age_60p": 61.0}
    assert report["outside_zones"] == {"points": 1, "people": 7.0, "kept": True}
    assert report["encoding"] == "utf-8"
    assert report["integer"] is True

    table = zone_population(origins, zones, ["age_0_3", "age_60p"])
    assert table["zone_id"].tolist() == ["A", "B", "C"]
    assert table["zone_name"].tolist() == ["甲镇", "乙镇", "丙镇"]
    assert table["population"].tolist() == [130.0, 50.0, 0.0]
    assert table["age_0_3"].tolist() == [5.0, 2.0, 0.0]
    assert table["age_60p"].tolist() == [50.0, 10.0, 0.0]
    assert table["points"].tolist() == [2, 1, 0]


def test_gbk_csv_with_chinese_headers(tmp_path):
    path = tmp_path / "人口.csv"
    text = "名称,经度,纬度,常住人口\n小区一,120.205,29.705,1200\n小区二,120.215,29.708,800\n"
    path.write_bytes(text.encode("gbk"))
    cfg = PopulationSource(kind="points", source=path, value_column="常住人口")
    origins, report = load_population(cfg, make_zones())
    assert report["encoding"] == "gb18030"
    assert origins["zone_id"].tolist() == ["A", "B"]
    assert origins["population"].tolist() == [1200.0, 800.0]


def test_explicit_coordinate_columns(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("east,north,n\n120.215,29.705,3\n", encoding="utf-8-sig")
    cfg = PopulationSource(kind="points", source=path, value_column="n",
                           x_column="east", y_column="north")
    origins, report = load_population(cfg, make_zones())
    assert origins["zone_id"].tolist() == ["B"]
    assert report["encoding"] == "utf-8-sig"


# Independent forward transforms (the published GCJ-02 / BD-09 formulas) to make test truth.
def _wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def _gcj_to_bd(lon: float, lat: float) -> tuple[float, float]:
    xpi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * xpi)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * xpi)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def _metres(lon1, lat1, lon2, lat2) -> float:
    r = 6371008.8
    dx = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2)) * r
    dy = math.radians(lat2 - lat1) * r
    return math.hypot(dx, dy)


@pytest.mark.parametrize("crs", ["gcj02", "bd09"])
def test_chinese_offsets_land_within_1m(tmp_path, crs):
    truth = [(120.2051, 29.7052), (120.2149, 29.7081), (120.2265, 29.7013)]
    rows = []
    for lon, lat in truth:
        g = _wgs_to_gcj(lon, lat)
        rows.append(g if crs == "gcj02" else _gcj_to_bd(*g))
    # the offset is real (hundreds of metres), so a no-op conversion would fail
    assert _metres(*truth[0], *rows[0]) > 300
    path = tmp_path / "p.csv"
    path.write_text("lng,lat,population\n" + "".join(f"{x!r},{y!r},10\n" for x, y in rows),
                    encoding="utf-8")
    origins, _ = load_population(PopulationSource(source=path, crs=crs), make_zones())
    for (lon, lat), geom in zip(truth, origins.geometry, strict=True):
        assert _metres(lon, lat, geom.x, geom.y) < 1.0
    assert origins["zone_id"].tolist() == ["A", "B", "C"]


def test_epsg_projected_csv(tmp_path):
    from pyproj import Transformer
    x, y = Transformer.from_crs(4326, 4549, always_xy=True).transform(120.215, 29.705)
    path = tmp_path / "p.csv"
    path.write_text(f"x,y,population\n{x},{y},42\n", encoding="utf-8")
    origins, _ = load_population(PopulationSource(source=path, crs="EPSG:4549"), make_zones())
    g = origins.geometry.iloc[0]
    assert _metres(g.x, g.y, 120.215, 29.705) < 0.01
    assert origins["zone_id"].tolist() == ["B"]


def test_geojson_points_with_declared_crs(tmp_path):
    pts = gpd.GeoDataFrame({"population": [10, 20], "kids": [1, 2]},
                           geometry=[Point(120.205, 29.705), Point(120.215, 29.705)],
                           crs="EPSG:4326").to_crs(32651)
    path = tmp_path / "p.gpkg"
    pts.to_file(path)
    cfg = PopulationSource(source=path, groups={"age_0_3": "kids"})
    origins, report = load_population(cfg, make_zones())
    assert origins["zone_id"].tolist() == ["A", "B"]
    assert origins["age_0_3"].tolist() == [1.0, 2.0]
    assert report["encoding"] is None
    assert _metres(origins.geometry.iloc[0].x, origins.geometry.iloc[0].y, 120.205, 29.705) < 0.01


def test_group_shares_number_and_csv(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text(CSV, encoding="utf-8")
    shares = tmp_path / "elderly.csv"
    shares.write_text("zone_id,share\nA,0.25\nB,0.1\nC,0.5\n", encoding="utf-8")
    cfg = PopulationSource(source=path, groups={"age_0_3": "age_0_3"},
                           group_shares={"age_60p": "elderly.csv", "disabled": 0.02})
    zones = make_zones()
    origins, report = load_population(cfg, zones)
    assert list(origins.columns[2:-1]) == ["population", "age_0_3", "age_60p", "disabled"]
    np.testing.assert_allclose(origins["age_60p"], [25.0, 5.0, 7.5, 0.0])
    np.testing.assert_allclose(origins["disabled"], [2.0, 1.0, 0.6, 0.14])
    table = zone_population(origins, zones, ["age_0_3", "age_60p", "disabled"])
    np.testing.assert_allclose(table["age_60p"], [32.5, 5.0, 0.0])
    assert report["people_by_group"]["age_60p"] == pytest.approx(37.5)


def test_zero_population_rows_are_dropped(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("lon,lat,population\n120.205,29.705,0\n120.215,29.705,4\n",
                    encoding="utf-8")
    origins, report = load_population(PopulationSource(source=path), make_zones())
    assert origins["origin_id"].tolist() == [0]
    assert origins["zone_id"].tolist() == ["B"]
    assert report["empty_dropped"] == 1




@pytest.mark.shared
def test_real_zhuji_gcj02_centres_shift_as_documented():
    """Real Amap (GCJ-02) township centres move by the documented offset at Zhuji."""
    path = SHARED / "data" / "zhuji" / "township_2016_to_2023.csv"
    if not path.is_file():
        pytest.skip("../shared data not available")
    cfg = PopulationSource(source=path, crs="gcj02", value_column="villages_matched_by_name",
                           x_column="town2016_center_lon_gcj02",
                           y_column="town2016_center_lat_gcj02")
    zones = gpd.GeoDataFrame({"zone_id": ["zhuji"], "zone_name": ["诸暨市"]},
                             geometry=[box(119.9, 29.3, 120.6, 30.0)], crs="EPSG:4326")
    origins, report = load_population(cfg, zones)
    import pandas as pd
    raw = pd.read_csv(path)
    kept = raw[raw["villages_matched_by_name"] > 0]
    assert len(origins) == len(kept) > 10
    dlon = kept["town2016_center_lon_gcj02"].to_numpy() - origins.geometry.x.to_numpy()
    dlat = kept["town2016_center_lat_gcj02"].to_numpy() - origins.geometry.y.to_numpy()
    # README: GCJ-02 minus WGS-84 is about +0.0044° lon, -0.0025° lat at Zhuji
    assert np.all(np.abs(dlon - 0.0044) < 0.0005)
    assert np.all(np.abs(dlat + 0.0025) < 0.0005)
    assert report["outside_zones"]["points"] == 0
