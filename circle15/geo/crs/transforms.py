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

import logging
import re
from typing import Any

import numpy as np

from circle15.errors import InputError

log = logging.getLogger(__name__)

#: Semi-major axis (m) and squared eccentricity of the Krasovsky 1940 ellipsoid used by GCJ-02.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: China bounding box used by the GCJ-02 convention (lon_min, lat_min, lon_max, lat_max).
CHINA_BBOX = (72.004, 0.8293, 137.8347, 55.8271)

#: Convergence tolerance (degrees) of the iterative inverses: 1e-10 deg is about 0.01 mm.
_TOL_DEG = 1e-10
_MAX_ITER = 50

#: Named coordinate systems accepted in configs (see :mod:`circle15.config`).
NAMED_CRS = ("wgs84", "gcj02", "bd09", "cgcs2000")

_EPSG_RE = re.compile(r"^(?:epsg:)?(\d{4,6})$", re.IGNORECASE)


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


def normalize_crs(crs: str) -> str:
    """Canonical name of a declared coordinate system.

    Returns one of ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"`` or ``"EPSG:<code>"``
    (EPSG:4326 becomes ``"wgs84"`` and EPSG:4490 ``"cgcs2000"``).

    Raises
    ------
    InputError
        If ``crs`` is neither a known name nor an EPSG code.
    """
    text = str(crs).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    aliases = {"wgs84": "wgs84", "gps": "wgs84", "gcj02": "gcj02", "gcj": "gcj02",
               "mars": "gcj02", "bd09": "bd09", "bd09ll": "bd09", "baidu": "bd09",
               "cgcs2000": "cgcs2000"}
    if text in aliases:
        return aliases[text]
    m = _EPSG_RE.match(text)
    if m:
        code = int(m.group(1))
        return {4326: "wgs84", 4490: "cgcs2000"}.get(code, f"EPSG:{code}")
    raise InputError(f"unknown coordinate system {crs!r}",
                     hint=f"one of {', '.join(NAMED_CRS)} or EPSG:<code>")


def is_geographic(crs: str) -> bool:
    """True if coordinates in ``crs`` are longitude/latitude degrees (not metres)."""
    name = normalize_crs(crs)
    if name in NAMED_CRS:
        return True
    import pyproj

    return bool(pyproj.CRS.from_user_input(name).is_geographic)


def to_wgs84(x: Any, y: Any, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in a declared system to WGS-84 longitude/latitude.

    Parameters
    ----------
    x, y : array_like
        Longitude/latitude (geographic systems) or easting/northing (projected EPSG codes).
    crs : str
        ``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"`` or ``"EPSG:<code>"``.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        WGS-84 longitude and latitude. Non-finite inputs stay NaN.
    """
    name = normalize_crs(crs)
    x, y = _arrays(x, y)
    if name in ("wgs84", "cgcs2000"):
        return x, y
    if name == "gcj02":
        return gcj02_to_wgs84(x, y)
    if name == "bd09":
        return bd09_to_wgs84(x, y)
    import pyproj

    try:
        tr = pyproj.Transformer.from_crs(name, "EPSG:4326", always_xy=True)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"unknown coordinate system {crs!r}: {exc}") from None
    lon, lat = tr.transform(x, y)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat)
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


# --------------------------------------------------------------------------- mistakes


def likely_swapped(lon: Any, lat: Any, study_area: Any = None) -> np.ndarray:
    """True where longitude and latitude look exchanged.

    A point is flagged when its "latitude" is impossible (``|lat| > 90``) while
    ``|lon| <= 90``, or when the point as given lies outside the study area (or, without
    one, outside China) but the swapped point lies inside it.

    Parameters
    ----------
    lon, lat : array_like
        Geographic coordinates in degrees, as read.
    study_area : shapely geometry, optional
        Study area in EPSG:4326.
    """
    lon, lat = _arrays(lon, lat)
    with np.errstate(invalid="ignore"):
        impossible = (np.abs(lat) > 90) & (np.abs(lon) <= 90)
        if study_area is not None:
            inside = points_in_area(lon, lat, study_area)
            inside_swapped = points_in_area(lat, lon, study_area)
        else:
            inside = ~out_of_china(lon, lat)
            inside_swapped = ~out_of_china(lat, lon) & (np.abs(lon) <= 90)
    return impossible | (~inside & inside_swapped)


def points_in_area(lon: Any, lat: Any, area: Any) -> np.ndarray:
    """True where (lon, lat) lies in (or on the boundary of) the polygon ``area``."""
    import shapely

    lon, lat = _arrays(lon, lat)
    out = np.zeros(lon.shape, dtype=bool)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        pts = shapely.points(lon[ok], lat[ok])
        shapely.prepare(area)
        out[ok] = shapely.covers(area, pts)
    return out


def as_area_wgs84(study_area: Any):
    """A shapely geometry in EPSG:4326 from a geometry, GeoSeries or GeoDataFrame."""
    if study_area is None:
        return None
    if hasattr(study_area, "geometry") and hasattr(study_area, "crs"):
        geo = study_area.geometry if hasattr(study_area.geometry, "crs") else study_area
        if geo.crs is not None:
            geo = geo.to_crs("EPSG:4326")
        return geo.union_all()
    return study_area


# --------------------------------------------------------------------------- GCJ-02 check


def detect_gcj02_offset(
    points_wgs84: Any,
    edges: Any,
    crs_metric: str,
    *,
    min_points: int = 5,
    improvement: float = 0.5,
) -> dict | None:
    """Report a layer that is probably GCJ-02 although declared WGS-84.

    GCJ-02 points plotted as WGS-84 sit 300–700 m off their true position, in a direction
    that is nearly constant over a county. This compares the distance from each point to
    the nearest street as given (``d0``) with the distance after the GCJ-02→WGS-84 shift
    (``d1``). As a control, the same shift is also applied rotated by 90°, 180° and 270°: if
    the GCJ-02 direction alone brings the points onto the streets, the data are very likely
    undeclared GCJ-02.

    Parameters
    ----------
    points_wgs84 : geopandas.GeoDataFrame
        Facility points as loaded (EPSG:4326).
    edges : geopandas.GeoDataFrame
        Street edges (lines), preferably already projected to ``crs_metric``.
    crs_metric : str
        Metric CRS for distances (e.g. ``"EPSG:4549"``).
    min_points : int, default 5
        Fewer points inside China than this give no verdict.
    improvement : float, default 0.5
        The GCJ-02 shift must bring the median distance below ``improvement`` times the
        median as given, and below ``improvement`` times the best control direction.

    Returns
    -------
    dict or None
        ``None`` when nothing suspicious is found; otherwise a dict with ``n_points``,
        ``median_shift_m`` (size of the GCJ-02 shift), ``median_distance_m`` (d0),
        ``median_distance_if_gcj02_m`` (d1), ``median_distance_control_m``,
        ``share_closer`` (share of points with d1 < d0), ``layer`` (if the points have
        one) and ``message``.
    """
    import geopandas as gpd

    if points_wgs84 is None or len(points_wgs84) == 0 or edges is None or len(edges) == 0:
        return None
    pts = points_wgs84
    if pts.crs is not None and not pts.crs.equals("EPSG:4326"):
        pts = pts.to_crs("EPSG:4326")
    pts = pts[pts.geometry.notna() & ~pts.geometry.is_empty]
    geom = pts.geometry.representative_point()
    lon, lat = geom.x.to_numpy(), geom.y.to_numpy()
    inside = ~out_of_china(lon, lat)
    if inside.sum() < min_points:
        return None
    lon, lat = lon[inside], lat[inside]
    edges_m = edges if edges.crs is not None and edges.crs.equals(crs_metric) else \
        edges.to_crs(crs_metric)
    tree_geoms = edges_m.geometry.to_numpy()
    import shapely

    tree = shapely.STRtree(tree_geoms)

    def _dist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:4326").to_crs(crs_metric)
        _, d = tree.query_nearest(p.to_numpy(), return_distance=True, all_matches=False)
        return np.asarray(d)

    s_lon, s_lat = gcj02_to_wgs84(lon, lat)
    d0 = _dist(lon, lat)
    d1 = _dist(s_lon, s_lat)
    # Shift vector in local metres, rotated for the control directions.
    coslat = np.cos(np.radians(lat))
    ex = (s_lon - lon) * coslat
    ey = s_lat - lat
    shift_m = np.hypot(ex, ey) * 111_320.0
    controls = []
    for rx, ry in (((0, -1), (1, 0)), ((-1, 0), (0, -1)), ((0, 1), (-1, 0))):
        cx = rx[0] * ex + rx[1] * ey
        cy = ry[0] * ex + ry[1] * ey
        controls.append(np.median(_dist(lon + cx / coslat, lat + cy)))
    m0, m1, mc = float(np.median(d0)), float(np.median(d1)), float(min(controls))
    share = float(np.mean(d1 < d0))
    log.debug("GCJ-02 check: median d0=%.1f m, d1=%.1f m, control=%.1f m, share=%.2f",
              m0, m1, mc, share)
    if not (m1 < improvement * m0 and m1 < improvement * mc and share >= 0.6):
        return None
    layer = ""
    if "layer" in pts.columns and len(pts):
        layer = str(pts["layer"].iloc[0])
    msg = (f"{'layer ' + repr(layer) + ': ' if layer else ''}{int(inside.sum())} points sit a "
           f"median {m0:.0f} m from the nearest street, but {m1:.0f} m after the GCJ-02→WGS-84 "
           f"shift ({np.median(shift_m):.0f} m); the coordinates are probably GCJ-02 "
           "(AMap/Gaode, Tencent): declare crs = \"gcj02\" for this layer")
    return {
        "layer": layer,
        "n_points": int(inside.sum()),
        "median_shift_m": float(np.median(shift_m)),
        "median_distance_m": m0,
        "median_distance_if_gcj02_m": m1,
        "median_distance_control_m": mc,
        "share_closer": share,
        "message": msg,
    }
