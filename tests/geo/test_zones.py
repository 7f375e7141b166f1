"""Zones: file formats, CRS (incl. GCJ-02), repair, overlaps, gaps, bad ids, Zhuji profile check.

Geometries here are synthetic squares built in the test (areas known by hand); ids that
look like Zhuji township codes are used only to exercise the code check.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from circle15.errors import InputError
from circle15.geo.areas import ZoneSource
from circle15.geo.areas import zones as zones_mod
from circle15.geo.areas.zones import load_zones
from circle15.geo.crs import wgs84_to_gcj02

M = "EPSG:4549"
X0, Y0 = 500_000.0, 3_290_000.0  # near 120.0E, 29.7N in EPSG:4549


def squares(n: int = 3, size: float = 1000.0) -> list[Polygon]:
    """n adjacent size x size squares in EPSG:4549 (a row from west to east)."""
    return [box(X0 + i * size, Y0, X0 + (i + 1) * size, Y0 + size) for i in range(n)]


def write(tmp_path, geoms, ids, names=None, crs=M, name="zones.geojson", **cols):
    gdf = gpd.GeoDataFrame({"code": ids, "name": names or [f"区{i}" for i in range(len(ids))],
                            **cols}, geometry=geoms, crs=crs)
    path = tmp_path / name
    gdf.to_file(path)
    return path


def area_m2(gdf) -> np.ndarray:
    return gdf.to_crs(M).area.to_numpy()


def test_geojson_in_metric_crs_is_converted_to_wgs84(tmp_path):
    path = write(tmp_path, squares(), [330681001, 330681002, 330681003])
    z, rep = load_zones(ZoneSource(zones=path, id_column="code", name_column="name"))
    assert z.crs.to_epsg() == 4326
    assert list(z.columns) == ["zone_id", "zone_name", "geometry"]
    assert z["zone_id"].tolist() == ["330681001", "330681002", "330681003"]
    assert z["zone_name"].tolist() == ["区0", "区1", "区2"]
    assert area_m2(z) == pytest.approx([1e6] * 3, rel=1e-6)
    assert rep["area_km2"] == pytest.approx(3.0, rel=1e-6)
    assert rep["overlaps"] == [] and rep["gaps"] == [] and rep["repaired"] == []


def test_geopackage_layer_and_shapefile_without_crs(tmp_path):
    gdf = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["甲", "乙"]}, geometry=squares(2), crs=M)
    gpkg = tmp_path / "z.gpkg"
    gdf.to_file(gpkg, layer="townships")
    z, _ = load_zones(ZoneSource(zones=gpkg, layer="townships"))
    assert z["zone_id"].tolist() == ["a", "b"]
    shp = tmp_path / "z.shp"
    gdf.to_file(shp)
    (tmp_path / "z.prj").unlink()  # no CRS declared: area.crs says what it is
    z2, rep = load_zones(ZoneSource(zones=shp, crs="EPSG:4549"))
    assert rep["crs"] == "EPSG:4549"
    for a, b in zip(z.geometry, z2.geometry, strict=True):
        assert shapely.hausdorff_distance(a, b) < 1e-9  # shapefiles reorient rings


def test_gcj02_zones_are_converted_vertex_by_vertex(tmp_path):
    truth = gpd.GeoSeries(squares(2), crs=M).to_crs(4326)

    def to_gcj(coords):
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    gcj = [shapely.transform(g, to_gcj) for g in truth]
    # the shift is real (~500 m at Zhuji)...
    assert gcj[0].centroid.x - truth.iloc[0].centroid.x == pytest.approx(0.0044, abs=0.001)
    path = write(tmp_path, gcj, ["1", "2"], crs="EPSG:4326")
    z, rep = load_zones(ZoneSource(zones=path, id_column="code", crs="gcj02"))
    assert rep["crs"] == "gcj02"
    for a, b in zip(z.geometry, truth, strict=True):  # ...and undone to < 1e-7 deg
        assert np.abs(np.asarray(a.exterior.coords) - np.asarray(b.exterior.coords)).max() < 1e-7


def test_invalid_zone_is_repaired_and_reported(tmp_path):
    bowtie = Polygon([(X0, Y0), (X0 + 1000, Y0 + 1000), (X0 + 1000, Y0), (X0, Y0 + 1000)])
    assert not bowtie.is_valid
    path = write(tmp_path, [bowtie, squares(3)[2]], ["bow", "ok"])
    z, rep = load_zones(ZoneSource(zones=path, id_column="code"))
    assert rep["repaired"] == ["bow"]
    assert z.geometry.iloc[0].is_valid
    assert area_m2(z)[0] == pytest.approx(500_000, rel=1e-4)  # two triangles of 250,000 m²


def test_overlap_is_resolved_and_reported(tmp_path):
    a = box(X0, Y0, X0 + 1000, Y0 + 1000)
    b = box(X0 + 900, Y0, X0 + 1900, Y0 + 1000)  # overlaps a by 100 m x 1000 m
    c = box(X0 + 1900, Y0, X0 + 1900.5, Y0 + 1000)  # touches b: no overlap
    path = write(tmp_path, [a, b, c], ["A", "B", "C"])
    z, rep = load_zones(ZoneSource(zones=path, id_column="code"))
    assert len(rep["overlaps"]) == 1
    o = rep["overlaps"][0]
    assert (o["a"], o["b"]) == ("A", "B") and o["area_m2"] == pytest.approx(100_000, rel=1e-3)
    assert rep["overlaps_resolved"] == 1
    areas = area_m2(z)
    assert areas[0] == pytest.approx(1e6, rel=1e-4)  # A keeps the overlap
    assert areas[1] == pytest.approx(9e5, rel=1e-4)
    zp = z.to_crs(M)
    assert zp.geometry.iloc[0].intersection(zp.geometry.iloc[1]).area < 1.0


def test_small_overlap_resolved_but_not_reported(tmp_path):
    a = box(X0, Y0, X0 + 1000, Y0 + 1000)
    b = box(X0 + 999.5, Y0, X0 + 2000, Y0 + 1000)  # 0.5 m x 1000 m = 500 m² < tolerance
    z, rep = load_zones(ZoneSource(zones=write(tmp_path, [a, b], ["A", "B"]), id_column="code"))
    assert rep["overlaps"] == [] and rep["overlaps_resolved"] == 1


def test_gap_enclosed_by_zones_is_reported(tmp_path):
    # four 1 km x 1 km squares around a 200 m x 200 m hole in the middle of a 2 km square
    big = box(X0, Y0, X0 + 2000, Y0 + 2000)
    hole = box(X0 + 900, Y0 + 900, X0 + 1100, Y0 + 1100)
    quads = [box(X0 + i * 1000, Y0 + j * 1000, X0 + (i + 1) * 1000, Y0 + (j + 1) * 1000)
             .difference(hole) for i in (0, 1) for j in (0, 1)]
    assert sum(q.area for q in quads) == pytest.approx(big.area - hole.area)
    z, rep = load_zones(ZoneSource(zones=write(tmp_path, quads, list("abcd")), id_column="code"))
    assert len(rep["gaps"]) == 1
    gap = rep["gaps"][0]
    assert gap["area_m2"] == pytest.approx(40_000, rel=1e-3)
    centre = gpd.GeoSeries([Point(X0 + 1000, Y0 + 1000)], crs=M).to_crs(4326).iloc[0]
    assert abs(gap["lon"] - centre.x) < 0.002 and abs(gap["lat"] - centre.y) < 0.002


@pytest.mark.parametrize("ids,row,msg", [
    (["a", "b", "a"], 3, "duplicate zone id 'a' (also in row 1)"),
    (["a", None, "c"], 2, "zone id is missing"),
    ([1.0, 2.0, 1.0], 3, "duplicate zone id '1'"),
])
def test_bad_ids_name_file_row_column(tmp_path, ids, row, msg):
    path = write(tmp_path, squares(3), ids)
    with pytest.raises(InputError) as ei:
        load_zones(ZoneSource(zones=path, id_column="code"))
    e = ei.value
    assert (e.file, e.row, e.column) == (str(path), row, "code")
    assert msg in e.message


def test_missing_column_and_bad_geometry(tmp_path):
    path = write(tmp_path, squares(2), ["a", "b"])
    with pytest.raises(InputError, match="no column 'township'") as ei:
        load_zones(ZoneSource(zones=path, id_column="township"))
    assert ei.value.column == "township" and "code" in ei.value.hint
    pts = write(tmp_path, [squares(1)[0], Point(X0, Y0)], ["a", "b"], name="pts.geojson")
    with pytest.raises(InputError, match="Point, not a polygon") as ei:
        load_zones(ZoneSource(zones=pts, id_column="code"))
    assert ei.value.row == 2
    bad = tmp_path / "bad.geojson"
    bad.write_text("not json at all")
    with pytest.raises(InputError, match="cannot read polygons"):
        load_zones(ZoneSource(zones=bad))
    with pytest.raises(InputError, match="not found"):
        load_zones(ZoneSource(zones=tmp_path / "nope.gpkg"))
    with pytest.raises(InputError, match="unknown profile"):
        load_zones(ZoneSource(zones=path, id_column="code", profile="atlantis"))


def test_wrongly_declared_crs_is_caught(tmp_path):
    shp = write(tmp_path, squares(2), ["a", "b"], name="z.shp")
    (tmp_path / "z.prj").unlink()  # metres, but area.crs left at wgs84
    with pytest.raises(InputError, match="not longitude/latitude"):
        load_zones(ZoneSource(zones=shp, id_column="code"))


def test_zhuji_profile_reports_unknown_and_missing_codes(tmp_path):
    from circle15.geo.areas.zhuji import townships

    official = townships()
    codes = official["code"].tolist()[:21] + ["330681999"]  # 2 missing, 1 unknown
    names = official["name"].tolist()[:21] + ["某镇"]
    names[0] = "暨阳"  # a differing name is reported, not fatal
    geoms = [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(22)]
    ids = [int(c) for c in codes[:5]] + [c + "000" for c in codes[5:10]] + codes[10:]
    path = write(tmp_path, geoms, ids, names=names)
    z, rep = load_zones(ZoneSource(zones=path, id_column="code", profile="zhuji"))
    p = rep["profile"]
    assert p["unknown"] == ["330681999"]
    assert [m["code"] for m in p["missing"]] == ["330681124", "330681201"]
    assert [m["name"] for m in p["missing"]] == ["东白湖镇", "东和乡"]
    assert p["name_mismatch"] == [{"code": "330681001", "name": "暨阳", "official": "暨阳街道"}]
    assert p["ok"] is False
    good = write(tmp_path, [box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000)
                            for i in range(23)], codes[:21] + official["code"].tolist()[21:],
                 names=official["name"].tolist(), name="good.geojson")
    _, rep2 = load_zones(ZoneSource(zones=good, id_column="code", profile="zhuji"))
    assert rep2["profile"]["ok"] is True


def test_zones_from_osm_download_once_then_cache(tmp_path, monkeypatch):
    import osmnx as ox
    import pandas as pd

    calls = []

    def fake_features(place, tags):
        calls.append((place, tags))
        idx = pd.MultiIndex.from_tuples([("relation", 1), ("relation", 2), ("way", 3)],
                                        names=["element", "id"])
        return gpd.GeoDataFrame(
            {"name": ["甲镇", "乙镇", "river"], "name:zh": ["甲镇", None, None],
             "admin_level": ["8", "8", None], "ref": [None, "330681002", None]},
            geometry=[box(120, 29.7, 120.01, 29.71), box(120.01, 29.7, 120.02, 29.71),
                      box(120, 29.7, 120.001, 29.701).exterior],
            index=idx, crs="EPSG:4326")

    monkeypatch.setattr(ox, "features_from_place", fake_features)
    z, rep = zones_mod.zones_from_osm("诸暨市, 绍兴市, 浙江省", tmp_path)
    assert calls == [("诸暨市, 绍兴市, 浙江省", {"boundary": "administrative", "admin_level": "8"})]
    assert rep["cache"] == "miss"
    assert z["zone_id"].tolist() == ["osm-1", "330681002"]
    assert z["zone_name"].tolist() == ["甲镇", "乙镇"]

    def offline(*a, **k):
        raise AssertionError("network touched although cached")

    monkeypatch.setattr(ox, "features_from_place", offline)
    z2, rep2 = zones_mod.zones_from_osm("诸暨市, 绍兴市, 浙江省", tmp_path)
    assert rep2["cache"] == "hit" and z2["zone_id"].tolist() == ["osm-1", "330681002"]
