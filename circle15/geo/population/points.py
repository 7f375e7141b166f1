"""Population points: a CSV with coordinate columns, or a GeoJSON/GeoPackage of points.

Each row is a place where people live with a total count (``value_column``) and optional
group counts (``groups``: group -> column). Coordinate headers are those of facility
layers (:data:`circle15.vocab.HEADER_ALIASES`: 经度/东经/lon/lng/x, 纬度/北纬/lat/y...), so a
table that loads as a facility layer loads here too. Coordinates in the declared CRS are
converted to WGS-84 on load; vector files are read by :func:`circle15.geo.vectors.read_vector`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from circle15.errors import InputError
from circle15.geo.areas.villages import code_text
from circle15.geo.crs import normalize_crs
from circle15.geo.population import tables
from circle15.geo.population.source import PopulationSource
from circle15.geo.vectors import (
    check_file,
    crs_is_geographic,
    is_vector,
    read_vector,
    xy_to_wgs84,
)
from circle15.vocab import POINT_VILLAGE_HEADERS, match_headers, pick_header


def check_lonlat(lon: np.ndarray, lat: np.ndarray, xcol: str, ycol: str, path: Path,
                 crs_key: str) -> None:
    """Raise on the first longitude/latitude outside the valid range."""
    for vals, col, lim, other in ((lon, xcol, 180.0, lat), (lat, ycol, 90.0, lon)):
        bad = np.flatnonzero(np.abs(vals) > lim)
        if len(bad):
            i = int(bad[0])
            hint = "longitude must be within ±180 and latitude within ±90"
            if col == ycol and abs(other[i]) <= 90:
                hint += "; are the x and y columns swapped?"
            elif abs(vals[i]) > 1000:
                hint = (f"these look like projected metres: set {crs_key} to the "
                        "projection, e.g. EPSG:4549")
            raise InputError(f"coordinate {vals[i]:g} is out of range ({len(bad)} such row(s))",
                             file=path, row=i + 1, column=col, hint=hint)


def _counts(df: pd.DataFrame, src: PopulationSource, path: Path
            ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The total and the group counts of every row (checked: groups within the total)."""
    vcol = tables.value_column(df, src.value_column, path, key=src.key("value_column"))
    total = tables.numbers(df, vcol, path)
    groups: dict[str, np.ndarray] = {}
    gcols: dict[str, str] = {}
    for g, col in src.groups.items():
        gcols[g] = tables.find_column(df, col, path, f"group {g!r}",
                                      key=src.key(f"groups.{g}"))
        groups[g] = tables.numbers(df, gcols[g], path)
    tables.check_groups_within(total, groups, gcols, path)
    return total, groups


def _feature_xy(df: gpd.GeoDataFrame, path: Path, warnings: list[str]
                ) -> tuple[np.ndarray, np.ndarray]:
    geom = df.geometry
    empty = np.flatnonzero(geom.isna().to_numpy() | geom.is_empty.to_numpy())
    if len(empty):
        raise InputError("feature has no geometry", file=path, row=int(empty[0]) + 1,
                         column="geometry", hint="give every feature a point")
    notpt = np.flatnonzero(geom.geom_type.to_numpy() != "Point")
    if len(notpt):
        warnings.append(f"{path}: {len(notpt)} non-point feature(s) placed at a "
                        "representative point")
        geom = geom.copy()
        geom.iloc[notpt] = geom.iloc[notpt].representative_point()
    return geom.x.to_numpy(), geom.y.to_numpy()


def _xy_columns(df: pd.DataFrame, src: PopulationSource, path: Path) -> tuple[str, str]:
    """The x and y columns: as configured, else the recognised lon/lat headers."""
    cols = [c for c in df.columns if c != "geometry"]
    found = match_headers(cols, ("lon", "lat"))
    xcol = (tables.find_column(df, src.x_column, path, "x coordinate", key=src.key("x_column"))
            if src.x_column else found.get("lon"))
    ycol = (tables.find_column(df, src.y_column, path, "y coordinate", key=src.key("y_column"))
            if src.y_column else found.get("lat"))
    if xcol is None or ycol is None:
        missing = ("longitude (经度/东经/lon/lng/x)" if xcol is None
                   else "latitude (纬度/北纬/lat/y)")
        raise InputError(f"no {missing} column found; columns found: "
                         f"{', '.join(map(str, df.columns))}", file=path,
                         hint=f"set {src.key('x_column')} and {src.key('y_column')}")
    return xcol, ycol


def _combined_column(df: pd.DataFrame, src: PopulationSource) -> str | None:
    """A single "120.1,29.7" coordinate column (经纬度/坐标/lnglat), when there is no pair."""
    if src.x_column or src.y_column:
        return None
    cols = [c for c in df.columns if c != "geometry"]
    found = match_headers(cols, ("lon", "lat", "lonlat"))
    if "lon" in found and "lat" in found:
        return None
    return found.get("lonlat")


def _split_xy(df: pd.DataFrame, col: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude from "lon,lat" cells (comma, semicolon or space between)."""
    parts = df[col].fillna("").astype(str).str.strip().str.split(r"[,;，；\s]+", regex=True)
    x = np.full(len(df), np.nan)
    y = np.full(len(df), np.nan)
    for i, cell in enumerate(parts):
        nums = pd.to_numeric(pd.Series([p for p in cell if p]), errors="coerce")
        if len(nums) != 2 or nums.isna().any():
            raise InputError(f"{df[col].iloc[i]!r} is not two numbers \"lon,lat\"", file=path,
                             row=i + 1, column=col, hint="write each cell as 120.25,29.71")
        x[i], y[i] = nums.iloc[0], nums.iloc[1]
    return x, y


def _column_xy(df: pd.DataFrame, xcol: str, ycol: str, path: Path
               ) -> tuple[np.ndarray, np.ndarray]:
    hint = "give every row a numeric coordinate"
    x = tables.numbers(df, xcol, path, what="coordinate", nonnegative=False, hint=hint)
    y = tables.numbers(df, ycol, path, what="coordinate", nonnegative=False, hint=hint)
    return x, y


def _declared(src: PopulationSource, path: Path) -> str:
    try:
        return normalize_crs(src.crs)
    except InputError as exc:
        raise InputError(exc.message, file=path, key=src.key("crs"), hint=exc.hint) from None


def _village_column(df: pd.DataFrame, src: PopulationSource, path: Path) -> str | None:
    """The column with each point's village code: as configured, else a recognised one."""
    cols = [c for c in df.columns if c != "geometry"]
    if src.village_column:
        if src.village_column not in cols:
            raise InputError(f"no column {src.village_column!r}", file=path,
                             key=src.key("village_column"),
                             hint="columns are: " + ", ".join(map(str, cols)))
        return src.village_column
    return pick_header(cols, POINT_VILLAGE_HEADERS)


def read_points(src: PopulationSource, warnings: list[str]) -> tuple[gpd.GeoDataFrame, dict]:
    """Read the points source.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        WGS-84 points with ``population`` and one column per group of ``src.groups``
        (floats), and report fields (``encoding``, ``integer``).
    """
    path = check_file(src.source, src.key("source"))
    crs: str | pyproj.CRS
    if is_vector(path):
        df = read_vector(path, declared_crs=src.crs, key=src.key("source"),
                         crs_key=src.key("crs"), to_wgs84=False, warnings=warnings)
        encoding = None
    else:
        df = tables.read_table(path)
        encoding = df.attrs.get("encoding")
    total, groups = _counts(df, src, path)
    if isinstance(df, gpd.GeoDataFrame):
        crs = df.attrs["source_crs"]
        x, y = _feature_xy(df, path, warnings)
        xcol = ycol = "geometry"
    elif (both := _combined_column(df, src)) is not None:
        xcol = ycol = both
        x, y = _split_xy(df, both, path)
        crs = _declared(src, path)
    else:
        xcol, ycol = _xy_columns(df, src, path)
        x, y = _column_xy(df, xcol, ycol, path)
        crs = _declared(src, path)
    if crs_is_geographic(crs):
        check_lonlat(x, y, xcol, ycol, path, src.key("crs"))
    lon, lat = xy_to_wgs84(x, y, crs)
    bad = np.flatnonzero(~(np.isfinite(lon) & np.isfinite(lat)))
    if len(bad):
        raise InputError(f"coordinates cannot be converted from {src.crs} to WGS-84",
                         file=path, row=int(bad[0]) + 1, column=xcol,
                         hint=f"check {src.key('crs')}")
    data = {"population": total, **groups}
    vcol = _village_column(df, src, path)
    if vcol is not None:
        data["village_id"] = code_text(df[vcol].fillna("")).to_numpy(dtype=object)
    out = gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    integer = tables.all_integer(total) and all(tables.all_integer(v) for v in groups.values())
    return out, {"encoding": encoding, "integer": integer, "allocation": "points as given"}
