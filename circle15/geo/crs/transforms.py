"""Coordinate systems used for Chinese facility data, and conversion to WGS-84.

Chinese facility lists come in several coordinate systems:

``wgs84``
    GPS / OpenStreetMap / Tianditu (天地图) longitude and latitude (EPSG:4326).
``cgcs2000``
    The national geodetic system (EPSG:4490). It agrees with WGS-84 to a few centimetres,
    far below what matters for walking distances, so it is taken as WGS-84 unchanged.
``gcj02``
    The obfuscated "Mars" system (火星坐标) required for web maps published in China:
    AMap / Gaode (高德), Tencent (腾讯), Google Maps China. Points sit 300–700 m off their
    WGS-84 position.
``bd09``
    Baidu's system (百度坐标): GCJ-02 with a second distortion on top.
``EPSG:xxxx``
    Anything else pyproj knows, e.g. ``EPSG:4549`` (CGCS2000 / 3-degree Gauss-Kruger
    CM 120E, the metric grid used by Zhejiang planning offices).

The GCJ-02 forward transform is the widely published formula (as in the coordtransform,
eviltransform and gcoord projects). It has no closed-form inverse; :func:`gcj02_to_wgs84`
solves it by fixed-point iteration to better than 1e-9 degrees (< 0.1 mm), instead of the
common one-step approximation that is off by up to ~2 m. Points outside China's bounding
box are not shifted (GCJ-02 convention).

All transforms are vectorised: numpy arrays (or scalars) in, float arrays out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Semi-major axis (m) and squared eccentricity of the Krasovsky 1940 ellipsoid used by GCJ-02.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: China bounding box used by the GCJ-02 convention (lon_min, lat_min, lon_max, lat_max).
CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)

#: Convergence tolerance (degrees) of the iterative inverses: 1e-10 deg is about 0.01 mm.
_TOL_DEG = 1e-10
_MAX_ITER = 50



def _arrays(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lon, lat = np.broadcast_arrays(lon, lat)
    return lon.astype(float, copy=True), lat.astype(float, copy=True)


def out_of_china(lon: Any, lat: Any) -> np.ndarray:
    """True where a point lies outside China's bounding box (no GCJ-02 shift applies).

    Parameters
    ----------
    lon, lat : array_like
        Longitude and latitude in degrees.

    Returns
    -------
    numpy.ndarray of bool
    """
    lon, lat = _arrays(lon, lat)
    x0, y0, x1, y1 = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        return ~((lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS-84 position (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * np.pi * x) + 20.0 * np.sin(2.0 * np.pi * x)) * 2.0 / 3.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x
            + common
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x
            + common
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    radlat = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to GCJ-02 (forward, exact formula).

    Parameters
    ----------
    lon, lat : array_like
        WGS-84 longitude and latitude in degrees.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        GCJ-02 longitude and latitude. Points outside China are returned unchanged.
    """
    lon, lat = _arrays(lon, lat)
    inside = ~out_of_china(lon, lat)
    dlon, dlat = _gcj_delta(lon[inside], lat[inside])
    lon[inside] += dlon
    lat[inside] += dlat
    return lon, lat


def _invert(forward, lon: np.ndarray, lat: np.ndarray, x: np.ndarray, y: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``forward(x, y) == (lon, lat)`` by fixed-point iteration from (x, y).

    Each point stops at its own convergence, so its result does not depend on the other
    points converted with it (a batch gives the same numbers as one point at a time).
    """
    x, y = np.array(x, dtype=float), np.array(y, dtype=float)
    active = np.ones(x.shape, dtype=bool)
    for _ in range(_MAX_ITER):
        fx, fy = forward(x[active], y[active])
        ex, ey = fx - lon[active], fy - lat[active]
        x[active] -= ex
        y[active] -= ey
        active[active] = np.maximum(np.abs(ex), np.abs(ey)) > _TOL_DEG
        if not active.any():
            break
    return x, y


def gcj02_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 to WGS-84 by iterative inversion of :func:`wgs84_to_gcj02`.

    Accurate to better than 1e-9 degrees (well under 0.01 m); points outside China's
    bounding box are returned unchanged.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS-84 longitude and latitude.
    """
    lon, lat = _arrays(lon, lat)
    inside = ~out_of_china(lon, lat) & np.isfinite(lon) & np.isfinite(lat)
    g_lon, g_lat = lon[inside], lat[inside]
    dlon, dlat = _gcj_delta(g_lon, g_lat)
    x, y = _invert(lambda a, b: tuple(v + d for v, d in zip((a, b), _gcj_delta(a, b))),
                   g_lon, g_lat, g_lon - dlon, g_lat - dlat)
    lon[inside], lat[inside] = x, y
    return lon, lat


def gcj02_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 to BD-09 (Baidu), the published forward formula.

    Parameters
    ----------
    lon, lat : array_like
        GCJ-02 longitude and latitude in degrees.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        BD-09 longitude and latitude.
    """
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 to GCJ-02: the published approximate inverse, refined iteratively.

    The usual closed-form inverse is off by up to a few centimetres; a few fixed-point
    steps make :func:`gcj02_to_bd09` of the result reproduce the input to < 1e-9 degrees.

    Parameters
    ----------
    lon, lat : array_like
        BD-09 longitude and latitude in degrees.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        GCJ-02 longitude and latitude.
    """
    b_lon, b_lat = _arrays(lon, lat)
    x = b_lon - 0.0065
    y = b_lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    g_lon, g_lat = np.array(z * np.cos(theta)), np.array(z * np.sin(theta))
    ok = np.isfinite(g_lon) & np.isfinite(g_lat)
    g_lon[ok], g_lat[ok] = _invert(gcj02_to_bd09, b_lon[ok], b_lat[ok], g_lon[ok], g_lat[ok])
    return g_lon, g_lat


def bd09_to_wgs84(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 to WGS-84 (via GCJ-02, both steps iterative and exact)."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 to BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
