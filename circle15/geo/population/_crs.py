"""Coordinates of population inputs to WGS-84.

Named systems and EPSG codes go through the project's converter
:func:`circle15.geo.crs.convert.to_wgs84` (GCJ-02 / BD-09 by exact iterative inversion).
This module only adds what population files need on top: CRSs declared *inside* a file
(a :class:`pyproj.CRS`, possibly WKT without an EPSG code) and a single normalised form to
compare declared systems with.
"""

from __future__ import annotations

import numpy as np
import pyproj

from circle15.geo.crs import convert as _shared


def normalise_crs(crs: str | pyproj.CRS | None) -> str | pyproj.CRS:
    """Return ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"EPSG:<code>"`` or a :class:`pyproj.CRS`.

    CGCS2000 (EPSG:4490) is taken as WGS-84 (they agree to centimetres).
    """
    if crs is None:
        return "wgs84"
    if isinstance(crs, pyproj.CRS):
        epsg = crs.to_epsg()
        if epsg is None:
            return crs
        crs = f"EPSG:{epsg}"
    name = _shared.normalize_crs(str(crs))
    return "wgs84" if name == "cgcs2000" else name


def is_geographic(crs: str | pyproj.CRS) -> bool:
    """True when coordinates are longitude/latitude in degrees."""
    crs = normalise_crs(crs)
    if isinstance(crs, pyproj.CRS):
        return bool(crs.is_geographic)
    return _shared.is_geographic(crs)


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str | pyproj.CRS
             ) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``crs`` to WGS-84 longitude and latitude (degrees).

    Parameters
    ----------
    x, y : numpy.ndarray
        Easting/longitude and northing/latitude.
    crs : str or pyproj.CRS
        ``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000``, ``EPSG:xxxx`` or a pyproj CRS.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Longitude and latitude; NaN where the conversion fails.
    """
    crs = normalise_crs(crs)
    if isinstance(crs, pyproj.CRS):  # a file's own CRS without an EPSG code
        tr = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        lon, lat = tr.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    lon, lat = _shared.to_wgs84(x, y, crs)
    return np.array(lon, dtype=float), np.array(lat, dtype=float)
