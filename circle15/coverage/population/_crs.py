"""Coordinates of population inputs to WGS-84.

TEMPORARY: ``circle15.facilities.crs.to_wgs84`` (being written by another engineer) is the
project's converter. Until it lands, this module converts EPSG / pyproj CRSs with pyproj and
GCJ-02 / BD-09 with a private copy of the published formulas (:func:`_gcj02_to_wgs84`,
:func:`_bd09_to_gcj02`). Once the shared function exists, :func:`to_wgs84` delegates to it
and the private fallback is deleted.
"""

from __future__ import annotations

import math

import numpy as np
import pyproj

#: Names accepted for geographic coordinates on the WGS-84 / CGCS2000 datum (< 1 m apart).
_WGS84_NAMES = {"wgs84", "wgs-84", "epsg:4326", "4326", "cgcs2000", "epsg:4490", "4490"}


def normalise_crs(crs: str | pyproj.CRS | None) -> str | pyproj.CRS:
    """Return ``"wgs84"``, ``"gcj02"``, ``"bd09"`` or a :class:`pyproj.CRS`."""
    if crs is None:
        return "wgs84"
    if isinstance(crs, pyproj.CRS):
        epsg = crs.to_epsg()
        return "wgs84" if epsg in (4326, 4490) else crs
    text = str(crs).strip().lower()
    if text in _WGS84_NAMES:
        return "wgs84"
    if text in ("gcj02", "gcj-02"):
        return "gcj02"
    if text in ("bd09", "bd-09"):
        return "bd09"
    if text.isdigit():
        text = f"epsg:{text}"
    return normalise_crs(pyproj.CRS.from_user_input(text))


def is_geographic(crs: str | pyproj.CRS) -> bool:
    """True when coordinates are longitude/latitude in degrees."""
    crs = normalise_crs(crs)
    return isinstance(crs, str) or crs.is_geographic


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str | pyproj.CRS) -> tuple[np.ndarray,
                                                                            np.ndarray]:
    """Convert coordinates in ``crs`` to WGS-84 longitude and latitude.

    Parameters
    ----------
    x, y : numpy.ndarray
        Easting/longitude and northing/latitude.
    crs : str or pyproj.CRS
        ``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000``, ``EPSG:xxxx`` or a pyproj CRS.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Longitude and latitude in degrees.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    crs = normalise_crs(crs)
    if crs == "wgs84":
        return x.copy(), y.copy()
    if crs == "gcj02":
        return _gcj02_to_wgs84(x, y)
    if crs == "bd09":
        return _gcj02_to_wgs84(*_bd09_to_gcj02(x, y))
    tr = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


# ----------------------------------------------------------------- TEMPORARY private fallback

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)))
    dlat += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sq) * np.pi)
    dlon = (dlon * 180.0) / (_A / sq * np.cos(rad) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def _gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invert the GCJ-02 forward offset by fixed-point iteration (converges to < 1 mm)."""
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(30):
        dlon, dlat = _gcj_offset(wlon, wlat)
        ex, ey = wlon + dlon - lon, wlat + dlat - lat
        wlon, wlat = wlon - ex, wlat - ey
        if np.nanmax(np.abs(np.concatenate([ex, ey, [0.0]]))) < 1e-10:
            break
    return wlon, wlat


def _bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 0.0065, lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)
