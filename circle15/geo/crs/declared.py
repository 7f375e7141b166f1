"""Declared coordinate systems: names, EPSG codes and :class:`pyproj.CRS` objects to WGS-84.

A coordinate system is declared by a user (a config value such as ``"gcj02"`` or
``"EPSG:4549"``) or by a file (a :class:`pyproj.CRS`, possibly WKT without an EPSG code).
:func:`normalize_crs` gives the one canonical form used to compare declarations, and
:func:`to_wgs84` converts coordinates in any of them to WGS-84 longitude/latitude (GCJ-02
and BD-09 by exact iterative inversion, see :mod:`circle15.geo.crs.transforms`).
"""

from __future__ import annotations

import re
from typing import Any, overload

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError
from circle15.geo.crs.transforms import _arrays, bd09_to_wgs84, gcj02_to_wgs84

#: Named coordinate systems accepted in configs (see :mod:`circle15.config`).
NAMED_CRS = ("wgs84", "gcj02", "bd09", "cgcs2000")

_EPSG_RE = re.compile(r"^(?:epsg:)?(\d{4,6})$", re.IGNORECASE)
_ALIASES = {"wgs84": "wgs84", "gps": "wgs84", "gcj02": "gcj02", "gcj": "gcj02",
            "mars": "gcj02", "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09",
            "cgcs2000": "cgcs2000"}


@overload
def normalize_crs(crs: str | None, *, cgcs2000_as_wgs84: bool = False) -> str: ...


@overload
def normalize_crs(crs: str | pyproj.CRS | None, *, cgcs2000_as_wgs84: bool = False
                  ) -> str | pyproj.CRS: ...


def normalize_crs(crs: str | pyproj.CRS | None, *, cgcs2000_as_wgs84: bool = False
                  ) -> str | pyproj.CRS:
    """Canonical form of a declared coordinate system.

    Parameters
    ----------
    crs : str, pyproj.CRS or None
        A name (``"wgs84"``, ``"GCJ-02"``, ``"baidu"``...), an EPSG code (``"EPSG:4549"``,
        ``"4549"``) or a CRS a file declares. ``None`` (nothing declared) is WGS-84.
    cgcs2000_as_wgs84 : bool, default False
        Return ``"wgs84"`` for CGCS2000 (EPSG:4490): the two agree to centimetres, so
        comparisons of declared systems can treat them as one.

    Returns
    -------
    str or pyproj.CRS
        ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"`` or ``"EPSG:<code>"`` (EPSG:4326
        becomes ``"wgs84"`` and EPSG:4490 ``"cgcs2000"``); a :class:`pyproj.CRS` without an
        EPSG code is returned as it is.

    Raises
    ------
    InputError
        If a string is neither a known name nor an EPSG code.

    Examples
    --------
    >>> normalize_crs("GCJ-02"), normalize_crs("epsg:4326"), normalize_crs("4549")
    ('gcj02', 'wgs84', 'EPSG:4549')
    """
    if crs is None:
        return "wgs84"
    if isinstance(crs, pyproj.CRS):
        epsg = crs.to_epsg()
        if epsg is None:
            return crs
        crs = f"EPSG:{epsg}"
    name = _normalize_text(str(crs))
    return "wgs84" if cgcs2000_as_wgs84 and name == "cgcs2000" else name


def _normalize_text(crs: str) -> str:
    text = crs.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if text in _ALIASES:
        return _ALIASES[text]
    m = _EPSG_RE.match(text)
    if m:
        code = int(m.group(1))
        return {4326: "wgs84", 4490: "cgcs2000"}.get(code, f"EPSG:{code}")
    raise InputError(f"unknown coordinate system {crs!r}",
                     hint=f"one of {', '.join(NAMED_CRS)} or EPSG:<code>")


def is_geographic(crs: str | pyproj.CRS) -> bool:
    """True if coordinates in ``crs`` are longitude/latitude degrees (not metres)."""
    name = normalize_crs(crs)
    if isinstance(name, pyproj.CRS):
        return bool(name.is_geographic)
    if name in NAMED_CRS:
        return True
    return bool(pyproj.CRS.from_user_input(name).is_geographic)


def to_wgs84(x: Any, y: Any, crs: str | pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in a declared system to WGS-84 longitude/latitude.

    Parameters
    ----------
    x, y : array_like
        Longitude/latitude (geographic systems) or easting/northing (projected systems).
    crs : str or pyproj.CRS
        ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"``, ``"EPSG:<code>"`` or a CRS a
        file declares (see :func:`normalize_crs`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS-84 longitude and latitude (new arrays). Non-finite inputs and points pyproj
        cannot convert are NaN.

    Examples
    --------
    >>> lon, lat = to_wgs84([120.2], [29.7], "cgcs2000")
    >>> float(lon[0]), float(lat[0])
    (120.2, 29.7)
    """
    name = normalize_crs(crs)
    x, y = _arrays(x, y)
    if name in ("wgs84", "cgcs2000"):
        return x, y
    if name == "gcj02":
        return gcj02_to_wgs84(x, y)
    if name == "bd09":
        return bd09_to_wgs84(x, y)
    try:
        tr = pyproj.Transformer.from_crs(name, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"unknown coordinate system {crs!r}: {exc}") from None
    lon, lat = tr.transform(x, y)
    lon, lat = np.array(lon, dtype=float), np.array(lat, dtype=float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat)
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def transform_to_wgs84(geom: BaseGeometry, crs: str | pyproj.CRS) -> BaseGeometry:
    """Convert a geometry's vertices from a declared coordinate system to WGS-84.

    Parameters
    ----------
    geom : shapely geometry
    crs : str or pyproj.CRS
        As for :func:`to_wgs84`.

    Returns
    -------
    shapely geometry
        Same structure, vertices in WGS-84 longitude/latitude.
    """

    def _fn(coords: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], crs)
        return np.column_stack([lon, lat])

    return shapely.transform(geom, _fn)
