"""Coordinate conversions: reference vectors from public projects, round trips, mistakes."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.errors import InputError
from circle15.geo import crs


def metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


# googollee/eviltransform, python/test.py (TESTS): (wgsLat, wgsLng, gcjLat, gcjLng).
EVIL = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]

# hujiulong/gcoord, test/fixtures/china-cities.json: WGS84, GCJ02, BD09 (lon, lat).
GCOORD = [
    ("驻马店市", (114.0164322, 33.0133556), (114.022306, 33.0115324), (114.0287781, 33.0176697)),
    ("邵阳市", (111.4622119, 27.242124), (111.4677938, 27.2388981), (111.4742271, 27.2451662)),
    ("那曲地区", (92.0499619, 31.4784436), (92.0512438, 31.4762063), (92.0576832, 31.4824421)),
    ("沈阳市", (123.4253306, 41.8032629), (123.4314787, 41.8057023), (123.438095, 41.8114013)),
    ("金华市", (119.6427465, 29.0820414), (119.6474509, 29.0790641), (119.6538875, 29.0854003)),
    ("锡林郭勒盟", (116.0414035, 43.9312805), (116.0482308, 43.9334573), (116.0546232, 43.9397782)),
]


@pytest.mark.parametrize("wlat,wlon,glat,glon", EVIL)
def test_eviltransform_vectors(wlat, wlon, glat, glon):
    lon, lat = crs.wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-6) and lat == pytest.approx(glat, abs=1e-6)
    lon, lat = crs.gcj02_to_wgs84(glon, glat)
    # eviltransform's exact inverse is tested to 0.5 m; ours is iterative to < 1 mm.
    assert metres(lon, lat, wlon, wlat) < 0.05


def test_coordtransform_vectors():
    # wandergis/coordtransform, test/app.js (input 116.404, 39.915 for every function).
    x, y = 116.404, 39.915
    assert np.allclose(crs.wgs84_to_gcj02(x, y), (116.41024449916938, 39.91640428150164),
                       atol=1e-9, rtol=0)
    assert np.allclose(crs.gcj02_to_bd09(x, y), (116.41036949371029, 39.92133699351021),
                       atol=1e-9, rtol=0)
    # coordtransform's bd09togcj02 is the closed-form approximate inverse (a few cm off);
    # ours is refined until gcj02_to_bd09 reproduces the input.
    lon, lat = crs.bd09_to_gcj02(x, y)
    assert metres(lon, lat, 116.39762729119315, 39.90865673957631) < 0.1
    assert np.allclose(crs.gcj02_to_bd09(lon, lat), (x, y), atol=1e-10, rtol=0)
    # coordtransform's gcj02towgs84 is the crude one-step inverse (up to ~2 m off).
    lon, lat = crs.gcj02_to_wgs84(x, y)
    assert metres(lon, lat, 116.39775550083061, 39.91359571849836) < 2.0
    assert np.allclose(crs.wgs84_to_gcj02(lon, lat), (x, y), atol=1e-10, rtol=0)
    # ... and the crude inverse is measurably worse than ours (cm vs sub-mm here):
    cx, cy = 116.39775550083061, 39.91359571849836
    assert metres(*crs.wgs84_to_gcj02(cx, cy), x, y) > 0.03
    assert metres(*crs.wgs84_to_gcj02(lon, lat), x, y) < 1e-3


@pytest.mark.parametrize("name,wgs,gcj,bd", GCOORD)
def test_gcoord_city_vectors(name, wgs, gcj, bd):
    assert metres(*crs.gcj02_to_wgs84(*gcj), *wgs) < 1.0, name
    assert metres(*crs.wgs84_to_gcj02(*wgs), *gcj) < 1.0, name
    assert metres(*crs.bd09_to_wgs84(*bd), *wgs) < 1.0, name
    assert metres(*crs.wgs84_to_bd09(*wgs), *bd) < 1.0, name
    assert metres(*crs.bd09_to_gcj02(*bd), *gcj) < 1.0, name


def test_shift_size_and_vectorised():
    lon = np.array([120.24, 120.25, 116.4])
    lat = np.array([29.71, 29.72, 39.9])
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert glon.shape == (3,)
    d = metres(lon, lat, glon, glat)
    assert np.all((d > 300) & (d < 700))


def test_outside_china_not_shifted():
    lon = np.array([24.94, -73.98, 151.2])
    lat = np.array([60.17, 40.75, -33.87])
    for f in (crs.wgs84_to_gcj02, crs.gcj02_to_wgs84):
        out = f(lon, lat)
        assert np.array_equal(out[0], lon) and np.array_equal(out[1], lat)


def test_nan_passes_through():
    lon, lat = crs.gcj02_to_wgs84([120.2, np.nan], [29.7, 29.7])
    assert np.isfinite(lon[0]) and np.isnan(lon[1])


china = st.tuples(st.floats(73.5, 135.0), st.floats(18.0, 53.5))


@settings(max_examples=200, deadline=None)
@given(china)
def test_gcj02_round_trip(p):
    lon, lat = p
    back = crs.gcj02_to_wgs84(*crs.wgs84_to_gcj02(lon, lat))
    assert metres(*back, lon, lat) < 0.01
    fwd = crs.wgs84_to_gcj02(*crs.gcj02_to_wgs84(lon, lat))
    assert metres(*fwd, lon, lat) < 0.01


@settings(max_examples=200, deadline=None)
@given(china)
def test_bd09_round_trip(p):
    lon, lat = p
    back = crs.bd09_to_wgs84(*crs.wgs84_to_bd09(lon, lat))
    assert metres(*back, lon, lat) < 0.01
    back = crs.bd09_to_gcj02(*crs.gcj02_to_bd09(lon, lat))
    assert metres(*back, lon, lat) < 0.01


@settings(max_examples=50, deadline=None)
@given(st.lists(china, min_size=1, max_size=30))
def test_vectorised_equals_scalar(pts):
    lon = np.array([p[0] for p in pts])
    lat = np.array([p[1] for p in pts])
    vx, vy = crs.bd09_to_wgs84(lon, lat)
    for i in range(len(pts)):
        sx, sy = crs.bd09_to_wgs84(lon[i], lat[i])
        assert abs(float(sx) - vx[i]) < 1e-12 and abs(float(sy) - vy[i]) < 1e-12


def test_to_wgs84_named_and_epsg():
    lon, lat = crs.to_wgs84([120.2], [29.7], "wgs84")
    assert lon[0] == 120.2 and lat[0] == 29.7
    assert crs.to_wgs84([120.2], [29.7], "cgcs2000")[0][0] == 120.2
    assert crs.to_wgs84([120.2], [29.7], "EPSG:4490")[0][0] == 120.2
    g = crs.wgs84_to_gcj02(120.2, 29.7)
    assert metres(*crs.to_wgs84(*g, "gcj02"), 120.2, 29.7) < 0.01
    b = crs.wgs84_to_bd09(120.2, 29.7)
    assert metres(*crs.to_wgs84(*b, "BD09"), 120.2, 29.7) < 0.01
    # EPSG:4549 (CGCS2000 / 3-degree GK CM 120E): the central meridian maps to x = 500 km.
    lon, lat = crs.to_wgs84([500000.0], [3300000.0], "EPSG:4549")
    assert lon[0] == pytest.approx(120.0, abs=1e-9)
    assert 29.5 < lat[0] < 30.0
    with pytest.raises(InputError, match="unknown coordinate system"):
        crs.to_wgs84([1], [2], "mercator")


def test_likely_swapped():
    lon = np.array([29.7, 120.2, 29.7, 10.0])
    lat = np.array([120.2, 29.7, 95.0, 50.0])
    assert crs.likely_swapped(lon, lat).tolist() == [True, False, True, False]
    area = shapely.box(120.0, 29.5, 120.5, 30.0)
    # (29.7, 120.2) swapped falls in the area; (120.2, 29.7) is already inside.
    assert crs.likely_swapped(lon[:2], lat[:2], area).tolist() == [True, False]


def _street_grid(lon0: float, lat0: float, metric: str, n: int = 12, spacing: float = 1500.0,
                 seed: int = 1) -> gpd.GeoDataFrame:
    """An irregular synthetic street network (random segments) around (lon0, lat0)."""
    rng = np.random.default_rng(seed)
    c = gpd.GeoSeries(gpd.points_from_xy([lon0], [lat0]), crs="EPSG:4326").to_crs(metric)
    cx, cy = c.x[0], c.y[0]
    lines = []
    for _ in range(n):
        x0, y0 = cx + rng.uniform(-6000, 6000), cy + rng.uniform(-6000, 6000)
        ang = rng.uniform(0, math.pi)
        dx, dy = math.cos(ang) * 4000, math.sin(ang) * 4000
        lines.append(shapely.LineString([(x0 - dx, y0 - dy), (x0 + dx, y0 + dy)]))
    return gpd.GeoDataFrame(geometry=lines, crs=metric)


def _points_on(edges: gpd.GeoDataFrame, k: int, seed: int = 2) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    geoms = edges.geometry.to_numpy()
    idx = rng.integers(0, len(geoms), k)
    pts = [geoms[i].interpolate(rng.uniform(0.2, 0.8), normalized=True) for i in idx]
    return gpd.GeoDataFrame({"layer": ["clinic"] * k}, geometry=pts, crs=edges.crs
                            ).to_crs("EPSG:4326")


def test_detect_gcj02_offset_fires_on_undeclared_gcj02():
    metric = "EPSG:4549"
    edges = _street_grid(120.24, 29.71, metric)
    truth = _points_on(edges, 25)
    assert crs.detect_gcj02_offset(truth, edges, metric) is None
    glon, glat = crs.wgs84_to_gcj02(truth.geometry.x, truth.geometry.y)
    wrong = truth.set_geometry(gpd.points_from_xy(glon, glat), crs="EPSG:4326")
    rep = crs.detect_gcj02_offset(wrong, edges, metric)
    assert rep is not None
    assert 300 < rep["median_shift_m"] < 700
    assert rep["median_distance_if_gcj02_m"] < 1.0
    assert rep["median_distance_m"] > 50
    assert "gcj02" in rep["message"] and rep["layer"] == "clinic"


def test_detect_wgs84_declared_gcj02():
    """The reverse mistake: a WGS-84 file declared GCJ-02 is converted 300-700 m off its
    place; undoing the conversion puts it back on the streets."""
    metric = "EPSG:4549"
    edges = _street_grid(120.24, 29.71, metric)
    truth = _points_on(edges, 25)
    # declared gcj02 and right: the loaded (converted) points are the truth
    assert crs.detect_gcj02_offset(truth, edges, metric, declared="gcj02") is None
    # declared gcj02 but WGS-84 already: the loader converted true points once more
    slon, slat = crs.gcj02_to_wgs84(truth.geometry.x, truth.geometry.y)
    moved = truth.set_geometry(gpd.points_from_xy(slon, slat), crs="EPSG:4326")
    rep = crs.detect_gcj02_offset(moved, edges, metric, declared="gcj02")
    assert rep is not None and rep["declared"] == "gcj02"
    assert 300 < rep["median_shift_m"] < 700 and rep["median_distance_if_gcj02_m"] < 1.0
    assert 'crs = "wgs84"' in rep["message"]
    # and the forward check does not mistake them for undeclared GCJ-02
    assert crs.detect_gcj02_offset(moved, edges, metric) is None


def test_detect_gcj02_offset_quiet_on_random_points():
    metric = "EPSG:4549"
    edges = _street_grid(120.24, 29.71, metric)
    rng = np.random.default_rng(5)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(120.24 + rng.uniform(-0.05, 0.05, 30),
                                                       29.71 + rng.uniform(-0.05, 0.05, 30)),
                           crs="EPSG:4326")
    assert crs.detect_gcj02_offset(pts, edges, metric) is None
    # Too few points: no verdict.
    assert crs.detect_gcj02_offset(pts.iloc[:3], edges, metric) is None
