"""Population rasters (GeoTIFF such as WorldPop 100 m): one origin per populated cell.

Only the window covering the study area is read. Each cell with a positive value becomes an
origin at the cell centre carrying that many people (a float: WorldPop counts are
fractional). Cells of that window whose centre lies outside every zone are dropped (clipped
to the study area) and reported in ``outside_zones``; cells beyond the study area's bounding
box are never read and not counted.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import rasterio
import rasterio.windows
from rasterio.warp import transform_bounds

from circle15.config import PopulationConfig
from circle15.geo.crs import normalize_crs, to_wgs84
from circle15.geo.population import tables
from circle15.errors import InputError

#: Degrees added around the study area for GCJ-02 / BD-09 rasters (their offset is < 1 km).
_PAD_DEG = 0.02


def read_raster(cfg: PopulationConfig, zones: gpd.GeoDataFrame,
                warnings: list[str]) -> tuple[gpd.GeoDataFrame, dict]:
    """Read populated cells inside the bounding box of ``zones``.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        WGS-84 cell centres with ``population``, and report fields.
    """
    path = tables.check_exists(cfg.source, "population.source")
    if cfg.groups:
        raise InputError("a population raster has no group columns", key="population.groups",
                         hint="give groups as population.group_shares instead")
    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"cannot read the raster: {exc}", file=path,
                         hint="use a GeoTIFF") from None
    with src:
        if src.crs is not None:
            crs = normalize_crs(pyproj.CRS.from_user_input(src.crs.to_wkt()),
                                cgcs2000_as_wgs84=True)
            if normalize_crs(cfg.crs, cgcs2000_as_wgs84=True) not in ("wgs84", crs):
                warnings.append(f"{path}: the raster declares its own CRS; population.crs "
                                f"{cfg.crs!r} ignored")
        else:
            crs = normalize_crs(cfg.crs, cgcs2000_as_wgs84=True)
        w, s, e, n = zones.total_bounds
        if isinstance(crs, str) and crs in ("wgs84", "gcj02", "bd09"):  # lon/lat grids
            pad = 0.0 if crs == "wgs84" else _PAD_DEG
            bounds = (w - pad, s - pad, e + pad, n + pad)
        else:
            dst = crs.to_wkt() if isinstance(crs, pyproj.CRS) else crs
            bounds = transform_bounds("EPSG:4326", dst, w, s, e, n, densify_pts=21)
        full = rasterio.windows.Window(0, 0, src.width, src.height)
        win = rasterio.windows.from_bounds(*bounds, transform=src.transform)
        win = win.round_offsets(op="floor").round_lengths(op="ceil")
        try:
            win = win.intersection(full)
        except rasterio.errors.WindowError:
            raise InputError("the raster does not overlap the study area", file=path,
                             hint="check the raster's extent and population.crs") from None
        arr = src.read(1, window=win, masked=True).astype(float)
        transform = src.window_transform(win)
    values = arr.filled(np.nan)
    neg = np.isfinite(values) & (values < 0)
    if neg.any():
        warnings.append(f"{path}: {int(neg.sum())} negative cell(s) treated as no data "
                        "(the raster declares no nodata value)")
    rows, cols = np.nonzero(np.isfinite(values) & (values > 0))
    people = values[rows, cols]
    xs, ys = transform @ (cols + 0.5, rows + 0.5)
    lon, lat = to_wgs84(np.asarray(xs), np.asarray(ys), crs)
    out = gpd.GeoDataFrame({"population": people},
                           geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    return out, {"encoding": None, "integer": False, "allocation": "raster cell centres",
                 "drop_outside": True,
                 "raster": {"window": [int(win.col_off), int(win.row_off), int(win.width),
                                       int(win.height)],
                            "cell_size": [abs(transform.a), abs(transform.e)],
                            "crs": crs if isinstance(crs, str) else crs.to_string()}}
