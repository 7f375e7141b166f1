"""Metric coordinate systems for projected work.

Distances and travel times are computed in a metric CRS. For Chinese study areas we use
the national CGCS2000 3-degree Gauss-Krüger grid of the local zone (EPSG:4534–4554,
central meridians 75°E–135°E); Zhuji (120.0–120.6°E) falls in the zone with central
meridian 120°E, **EPSG:4549**, the grid Zhejiang planning offices use. Elsewhere the local
UTM zone (WGS-84, EPSG:326xx north / 327xx south) is chosen. A user's CRS (the
``crs`` argument, config key ``network.crs``) overrides both.
"""

from __future__ import annotations

import math

import pyproj
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError

#: CGCS2000 / 3-degree Gauss-Kruger CM 120E (no zone prefix): Zhuji, Hangzhou, Shaoxing.
ZHUJI_CRS = "EPSG:4549"
#: EPSG code of CGCS2000 / 3-degree Gauss-Kruger CM 75E; CM 78E is +1, ..., CM 135E is 4554.
_CGCS2000_GK3_FIRST = 4534
#: Rough bounding box of China (lon_min, lat_min, lon_max, lat_max), for choosing the grid.
_CHINA_BBOX = (73.5, 18.0, 135.1, 53.6)


def _normalize_override(override: str) -> str:
    text = override.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        crs = pyproj.CRS.from_user_input(text)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"not a coordinate system: {override!r} ({exc})", key="network.crs",
                         hint="e.g. EPSG:4549") from None
    if not crs.is_projected:
        raise InputError(f"{override!r} is not a projected (metric) coordinate system",
                         key="network.crs", hint="e.g. EPSG:4549 for Zhuji")
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    if unit not in ("metre", "meter"):
        raise InputError(f"{override!r} has axis unit {unit!r}, not metres", key="network.crs",
                         hint="e.g. EPSG:4549 for Zhuji")
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def choose_crs(area_wgs84: BaseGeometry | None, override: str = "") -> str:
    """Choose the metric CRS for projected work on a study area.

    Parameters
    ----------
    area_wgs84 : shapely geometry or None
        Study area (or the network's extent) in WGS-84 longitude/latitude.
    override : str, optional
        A CRS given by the user (``"EPSG:4549"``, ``"4549"``); must be projected in metres.

    Returns
    -------
    str
        ``"EPSG:<code>"``: the override if given; inside China the CGCS2000 3-degree
        Gauss-Krüger zone of the area's centre (EPSG:4549 for Zhuji); elsewhere the local
        UTM zone.

    Raises
    ------
    InputError
        If the override is not a metric projected CRS, or there is no area and no override.
    """
    if override:
        return _normalize_override(override)
    if area_wgs84 is None or area_wgs84.is_empty:
        raise InputError("cannot choose a metric coordinate system without a study area",
                         key="network.crs", hint="set network.crs, e.g. EPSG:4549")
    c = area_wgs84.centroid
    lon, lat = float(c.x), float(c.y)
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"study area centre ({lon:.3f}, {lat:.3f}) is not longitude/latitude",
                         hint="declare the coordinate system of the zones file (area.crs)")
    x0, y0, x1, y1 = _CHINA_BBOX
    if x0 <= lon <= x1 and y0 <= lat <= y1:
        cm = int(round(lon / 3.0) * 3)
        cm = min(max(cm, 75), 135)
        return f"EPSG:{_CGCS2000_GK3_FIRST + (cm - 75) // 3}"
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"
