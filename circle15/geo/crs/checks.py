"""Checks on coordinates as read: swapped lon/lat, undeclared GCJ-02, points in an area."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np

from circle15.geo.crs.transforms import _arrays, gcj02_to_wgs84, out_of_china

log = logging.getLogger(__name__)


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
    dist = _street_distance(edges, crs_metric)
    s_lon, s_lat = gcj02_to_wgs84(lon, lat)
    d0 = dist(lon, lat)
    d1 = dist(s_lon, s_lat)
    shift_m, mc = _control_median(dist, lon, lat, s_lon, s_lat)
    m0, m1 = float(np.median(d0)), float(np.median(d1))
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


def _street_distance(edges: Any, crs_metric: str) -> Callable[[np.ndarray, np.ndarray],
                                                               np.ndarray]:
    """A function of WGS-84 ``(lon, lat)`` giving each point's distance (m) to a street."""
    import geopandas as gpd
    import shapely

    edges_m = edges if edges.crs is not None and edges.crs.equals(crs_metric) else \
        edges.to_crs(crs_metric)
    tree = shapely.STRtree(edges_m.geometry.to_numpy())

    def _dist(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        p = gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:4326").to_crs(crs_metric)
        _, d = tree.query_nearest(p.to_numpy(), return_distance=True, all_matches=False)
        return np.asarray(d)

    return _dist


def _control_median(dist: Callable[[np.ndarray, np.ndarray], np.ndarray], lon: np.ndarray,
                    lat: np.ndarray, s_lon: np.ndarray, s_lat: np.ndarray
                    ) -> tuple[np.ndarray, float]:
    """Size (m) of each point's GCJ-02 shift, and the best median distance to a street
    after the same shift rotated by 90°, 180° and 270° (the control directions)."""
    coslat = np.cos(np.radians(lat))
    ex = (s_lon - lon) * coslat  # shift vector in local (degree-scaled) metres
    ey = s_lat - lat
    shift_m = np.hypot(ex, ey) * 111_320.0
    controls = []
    for rx, ry in (((0, -1), (1, 0)), ((-1, 0), (0, -1)), ((0, 1), (-1, 0))):
        cx = rx[0] * ex + rx[1] * ey
        cy = ry[0] * ex + ry[1] * ey
        controls.append(np.median(dist(lon + cx / coslat, lat + cy)))
    return shift_m, float(min(controls))
