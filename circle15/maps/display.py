"""Geometry preparation for display: simplification, coordinate precision, GCJ-02 shift.

The map only has to look right at township scale, so polygons and streets are simplified
in a metric CRS (township borders together, so neighbours keep a shared edge) and
coordinates are rounded to 1e-5 degrees (about 1 m), which keeps the HTML small.
"""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

#: Decimal places kept for longitude/latitude (1e-5 degrees is about 1.1 m).
DECIMALS = 5


def metric_crs(gdf: gpd.GeoDataFrame, declared: str | None = None) -> CRS:
    """The run's projected CRS if declared and projected, else the local UTM zone."""
    if declared:
        try:
            crs = CRS.from_user_input(declared)
            if crs.is_projected:
                return crs
        except Exception:  # noqa: BLE001, S110 - an unusable declaration falls back to UTM
            pass
    return gdf.estimate_utm_crs()


def _round(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda xy: np.round(xy, DECIMALS))


def simplify(gdf: gpd.GeoDataFrame, tolerance_m: float, crs: CRS,
             coverage: bool = False) -> gpd.GeoDataFrame:
    """Simplify geometries by ``tolerance_m`` metres and round coordinates.

    Parameters
    ----------
    gdf : GeoDataFrame
        In EPSG:4326.
    tolerance_m : float
        Douglas-Peucker tolerance in metres.
    crs : pyproj.CRS
        Metric CRS to simplify in.
    coverage : bool
        Treat the polygons as a coverage (townships): shared borders stay shared.

    Returns
    -------
    GeoDataFrame
        In EPSG:4326, empty geometries dropped.
    """
    if gdf.empty:
        return gdf
    proj = gdf.to_crs(crs)
    geoms = shapely.make_valid(proj.geometry.to_numpy())
    if coverage:
        try:
            geoms = shapely.coverage_simplify(geoms, tolerance_m)
        except Exception:  # noqa: BLE001 - not a clean coverage: simplify one by one
            geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    else:
        geoms = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    out = gpd.GeoDataFrame(proj.drop(columns=proj.geometry.name), geometry=geoms, crs=crs)
    out = out.to_crs(4326)
    out = out.set_geometry(_round(out.geometry.to_numpy()))
    return out[~out.geometry.is_empty & out.geometry.notna()]


def shift_frame(gdf: gpd.GeoDataFrame | None,
                fn: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None
                ) -> gpd.GeoDataFrame | None:
    """Apply a lon/lat transform (e.g. WGS-84 -> GCJ-02) to every coordinate.

    The result keeps the EPSG:4326 label: it is only for drawing on a shifted basemap.
    """
    if gdf is None or fn is None or gdf.empty:
        return gdf

    def xy(coords: np.ndarray) -> np.ndarray:
        lon, lat = fn(coords[:, 0], coords[:, 1])
        return np.column_stack([np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)])

    return gdf.set_geometry(shapely.transform(gdf.geometry.to_numpy(), xy))


def gcj02_shift() -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The WGS-84 -> GCJ-02 transform from :mod:`circle15.geo.crs`.

    Raises
    ------
    RuntimeError
        If that module is not available in this installation.
    """
    try:
        from circle15.geo.crs import wgs84_to_gcj02
    except ImportError as exc:  # pragma: no cover - depends on the facilities package
        raise RuntimeError(
            "the Amap basemap needs circle15.geo.crs.wgs84_to_gcj02, which is not "
            "available; use basemap 'none', 'osm' or 'tianditu'") from exc

    def fn(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = wgs84_to_gcj02(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        return out[0], out[1]

    return fn
