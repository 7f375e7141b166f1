"""Population points: a CSV with coordinate columns, or a GeoJSON/GeoPackage of points.

Each row is a place where people live with a total count (``value_column``) and optional
group counts (``groups``: group -> column). Coordinates in the declared CRS are converted to
WGS-84 on load.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from circle15.config import PopulationConfig
from circle15.geo.crs import is_geographic, normalize_crs, to_wgs84
from circle15.geo.population import tables
from circle15.errors import InputError


def effective_crs(declared: str, file_crs: pyproj.CRS | None, path: Path,
                  warnings: list[str]) -> str | pyproj.CRS:
    """The CRS of a vector file's coordinates.

    The config value wins when it is set to something other than the default ``wgs84``
    (GeoJSON always claims WGS-84, even for GCJ-02 coordinates); with the default, a CRS
    declared by the file is used.
    """
    declared_n = normalize_crs(declared, cgcs2000_as_wgs84=True)
    file_n = (normalize_crs(file_crs, cgcs2000_as_wgs84=True) if file_crs is not None
              else None)
    if declared_n == "wgs84":
        return file_n if file_n is not None else "wgs84"
    if file_n is not None and file_n != "wgs84" and file_n != declared_n:
        warnings.append(f"{path}: the file declares {file_crs.to_string()} but the config says "
                        f"{declared}; using {declared}")
    return declared_n


def check_lonlat(lon: np.ndarray, lat: np.ndarray, df: pd.DataFrame, xcol: str, ycol: str,
                 path: Path) -> None:
    """Raise on the first longitude/latitude outside the valid range."""
    for vals, col, lim, other in ((lon, xcol, 180.0, lat), (lat, ycol, 90.0, lon)):
        bad = np.flatnonzero(np.abs(vals) > lim)
        if len(bad):
            i = int(bad[0])
            hint = "longitude must be within ±180 and latitude within ±90"
            if col == ycol and abs(other[i]) <= 90:
                hint += "; are the x and y columns swapped?"
            elif abs(vals[i]) > 1000:
                hint = ("these look like projected metres: set population.crs to the "
                        "projection, e.g. EPSG:4549")
            raise InputError(f"coordinate {vals[i]:g} is out of range ({len(bad)} such row(s))",
                             file=path, row=i + 1, column=col, hint=hint)


def read_points(cfg: PopulationConfig, warnings: list[str]) -> tuple[gpd.GeoDataFrame, dict]:
    """Read the points source.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        WGS-84 points with ``population`` and one column per group of ``cfg.groups`` (floats),
        and report fields (``encoding``, ``integer``).
    """
    path = tables.check_exists(cfg.source, "population.source")
    if tables.is_vector(path):
        df = tables.read_vector(path)
        encoding = None
    else:
        df = tables.read_table(path)
        encoding = df.attrs.get("encoding")
    vcol = tables.find_column(df, cfg.value_column, path, "population",
                              key="population.value_column")
    total = tables.numbers(df, vcol, path)
    groups: dict[str, np.ndarray] = {}
    gcols: dict[str, str] = {}
    for g, col in cfg.groups.items():
        gcols[g] = tables.find_column(df, col, path, f"group {g!r}", key=f"population.groups.{g}")
        groups[g] = tables.numbers(df, gcols[g], path)
    tables.check_groups_within(total, groups, gcols, path)

    if isinstance(df, gpd.GeoDataFrame):
        crs = effective_crs(cfg.crs, df.crs, path, warnings)
        geom = df.geometry
        empty = np.flatnonzero(geom.isna().to_numpy() | geom.is_empty.to_numpy())
        if len(empty):
            raise InputError("feature has no geometry", file=path, row=int(empty[0]) + 1,
                             column="geometry", hint="give every feature a point")
        kinds = geom.geom_type.to_numpy()
        notpt = np.flatnonzero(kinds != "Point")
        if len(notpt):
            warnings.append(f"{path}: {len(notpt)} non-point feature(s) placed at a "
                            "representative point")
            geom = geom.copy()
            geom.iloc[notpt] = geom.iloc[notpt].representative_point()
        x, y = geom.x.to_numpy(), geom.y.to_numpy()
        xcol, ycol = "geometry", "geometry"
    else:
        xcol = (tables.find_column(df, cfg.x_column, path, "x coordinate",
                                   key="population.x_column") if cfg.x_column
                else tables.detect_column(df, tables.X_NAMES))
        ycol = (tables.find_column(df, cfg.y_column, path, "y coordinate",
                                   key="population.y_column") if cfg.y_column
                else tables.detect_column(df, tables.Y_NAMES))
        if xcol is None or ycol is None:
            missing = "longitude (lon/lng/经度/x)" if xcol is None else "latitude (lat/纬度/y)"
            raise InputError(f"no {missing} column found; columns found: "
                             f"{', '.join(map(str, df.columns))}", file=path,
                             hint="set population.x_column and population.y_column")
        x = tables.numbers(df, xcol, path, what="coordinate", nonnegative=False,
                           hint="give every row a numeric coordinate")
        y = tables.numbers(df, ycol, path, what="coordinate", nonnegative=False,
                           hint="give every row a numeric coordinate")
        crs = normalize_crs(cfg.crs, cgcs2000_as_wgs84=True)
    if is_geographic(crs):
        check_lonlat(x, y, df, xcol, ycol, path)
    lon, lat = to_wgs84(x, y, crs)
    bad = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)))
    if len(bad):
        raise InputError(f"coordinates cannot be converted from {cfg.crs} to WGS-84",
                         file=path, row=int(bad[0]) + 1, column=xcol,
                         hint="check population.crs")
    data = {"population": total, **groups}
    out = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    integer = tables.all_integer(total) and all(tables.all_integer(v) for v in groups.values())
    return out, {"encoding": encoding, "integer": integer, "allocation": "points as given"}
