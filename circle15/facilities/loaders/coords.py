"""Step 3-4 of loading a layer: each row's coordinates, checked and converted to WGS-84.

Coordinates come from the features of a vector file or from lon/lat (or one 经纬度)
columns. Checks: missing or non-numeric values, 0,0 placeholders, swapped longitude and
latitude (corrected with a warning), values out of range, degrees in a layer declared in
metres, positions that do not convert, points outside the study area (kept, warned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyproj

from circle15.facilities.loaders._rows import LayerRows
from circle15.facilities.loaders.read import RawLayer
from circle15.facilities.validate import parse_coordinate, parse_number
from circle15.geo import crs as crsmod
from circle15.geo.vectors import crs_is_geographic, xy_to_wgs84


@dataclass
class Coordinates:
    """Raw coordinates of the rows, in ``crs``, and the columns they came from."""

    x: np.ndarray
    y: np.ndarray
    xcol: str
    ycol: str
    crs: str | pyproj.CRS
    geographic: bool

    @property
    def where(self) -> str:
        """Column name(s) for issues about both coordinates."""
        return f"{self.xcol}/{self.ycol}" if self.xcol != self.ycol else self.xcol


def use_geometry(raw: RawLayer) -> bool:
    """True when a vector file has at least one non-empty geometry."""
    g = raw.geoms
    return g is not None and bool(g.notna().any()) and not bool((g.isna() | g.is_empty).all())


def _from_geometry(st: LayerRows, raw: RawLayer, declared: str) -> Coordinates:
    """Coordinates of the features (representative point of non-points)."""
    assert raw.geoms is not None
    x, y = np.full(st.n, np.nan), np.full(st.n, np.nan)
    for i, g in enumerate(raw.geoms):
        if not st.keep[i]:
            continue
        if g is None or g.is_empty:
            st.add(i, "geometry", "missing_coordinate", "feature has no geometry; row skipped",
                   "skipped")
            continue
        p = g if g.geom_type == "Point" else g.representative_point()
        x[i], y[i] = p.x, p.y
    src = raw.source_crs if raw.source_crs is not None else declared
    if isinstance(src, pyproj.CRS) or (src != declared and not crs_is_geographic(src)):
        # a projected CRS declared by the file: convert first, then check as degrees
        x, y = xy_to_wgs84(x, y, src)
        src = "wgs84"
    return Coordinates(x, y, "geometry", "geometry", src, crs_is_geographic(src))


def _split_lonlat(values: list[str]) -> tuple[list[str], list[str]]:
    """Split "120.1,29.7" cells; a cell that is not two numbers gives ``"?"`` as latitude."""
    xs, ys = [], []
    for v in values:
        parts = [p for p in re.split(r"[,;，；\s]+", v) if p]
        xs.append(parts[0] if len(parts) == 2 else (v if v else ""))
        ys.append(parts[1] if len(parts) == 2 else ("?" if v else ""))
    return xs, ys


def _parse_cell(st: LayerRows, i: int, raw: str, column: str, what: str,
                geographic: bool) -> float | None:
    if raw == "":
        st.add(i, column, "missing_coordinate", f"{what} is empty; row skipped", "skipped")
        return None
    v = parse_coordinate(raw) if geographic else parse_number(raw)
    if v is None:
        st.add(i, column, "non_numeric_coordinate",
               f"{what} {raw!r} is not a number; row skipped", "skipped")
    return v


def _from_columns(st: LayerRows, declared: str) -> Coordinates:
    """Coordinates from lon/lat columns, or from one "lon,lat" column."""
    m = st.mapping
    if "lonlat" in m and not ("lon" in m and "lat" in m):
        xcol = ycol = m["lonlat"]
        xs, ys = _split_lonlat(st.col("lonlat"))
    else:
        xcol, ycol = m["lon"], m["lat"]
        xs, ys = st.col("lon"), st.col("lat")
    geographic = crsmod.is_geographic(declared)
    x, y = np.full(st.n, np.nan), np.full(st.n, np.nan)
    for i in st.kept():
        vx = _parse_cell(st, i, xs[i], xcol, "longitude" if geographic else "x", geographic)
        if vx is None:
            continue
        vy = _parse_cell(st, i, ys[i], ycol, "latitude" if geographic else "y", geographic)
        if vy is None:
            continue
        x[i], y[i] = vx, vy
    return Coordinates(x, y, xcol, ycol, declared, geographic)


def _drop_zero(st: LayerRows, c: Coordinates) -> None:
    for i in np.flatnonzero(st.keep & (c.x == 0) & (c.y == 0)):
        st.add(i, c.xcol, "zero_coordinate",
               "coordinates are 0,0 (a placeholder for unknown); row skipped", "skipped")


def _check_degrees(st: LayerRows, c: Coordinates, area) -> None:
    """Swapped longitude/latitude (corrected) and values out of range (skipped)."""
    x, y = c.x, c.y
    sw = st.keep & crsmod.likely_swapped(x, y, area)
    for i in np.flatnonzero(sw):
        st.add(i, c.where, "swapped_coordinates",
               f"longitude {x[i]:g} and latitude {y[i]:g} look swapped; "
               "used them the other way round", "warning", hint="check the column order")
    x[sw], y[sw] = y[sw].copy(), x[sw].copy()
    for i in st.kept():
        bad_x = not -180 <= x[i] <= 180
        if bad_x or not -90 <= y[i] <= 90:
            hint = ("the values look like projected metres: declare the layer's crs as "
                    "EPSG:<code>, e.g. EPSG:4549") if max(abs(x[i]), abs(y[i])) > 1000 else None
            st.add(i, c.xcol if bad_x else c.ycol, "coordinate_out_of_range",
                   f"{'longitude' if bad_x else 'latitude'} "
                   f"{x[i] if bad_x else y[i]:g} is out of range; row skipped",
                   "skipped", hint=hint)


def _check_metres(st: LayerRows, c: Coordinates) -> None:
    """Degrees in a layer declared in a projected (metric) system are skipped."""
    for i in st.kept():
        if abs(c.x[i]) <= 180 and abs(c.y[i]) <= 90:
            st.add(i, c.xcol, "coordinate_out_of_range",
                   f"({c.x[i]:g}, {c.y[i]:g}) looks like degrees, but the layer declares "
                   f"{c.crs} (metres); row skipped", "skipped",
                   hint="declare crs = \"wgs84\" (or gcj02/bd09) for this layer")


def _convert(st: LayerRows, c: Coordinates) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.full(st.n, np.nan), np.full(st.n, np.nan)
    keep = st.keep
    if keep.any():
        lon[keep], lat[keep] = xy_to_wgs84(c.x[keep], c.y[keep], c.crs)
    for i in st.kept():
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i]) and -180 <= lon[i] <= 180
                and -90 <= lat[i] <= 90):
            st.add(i, c.xcol, "coordinate_out_of_range",
                   f"({c.x[i]:g}, {c.y[i]:g}) in {c.crs} is not a valid position; "
                   "row skipped", "skipped")
    return lon, lat


def _flag_outside(st: LayerRows, lon: np.ndarray, lat: np.ndarray, area, crs_text: str,
                  column: str) -> None:
    inside = crsmod.points_in_area(lon, lat, area)
    for i in np.flatnonzero(st.keep & ~inside):
        st.add(i, column, "outside_study_area",
               f"point ({lon[i]:.6f}, {lat[i]:.6f}) is outside the study area; kept",
               "warning", hint=f"check the coordinates and the declared crs ({crs_text})")


def coordinates(st: LayerRows, raw: RawLayer, declared: str, area, crs_text: str
                ) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 longitude and latitude of every row (NaN for skipped rows).

    Parameters
    ----------
    st : LayerRows
        The rows (rows skipped here are recorded in ``st.issues``).
    raw : RawLayer
        The file as read.
    declared : str
        The layer's declared system, normalised (``"wgs84"``, ``"gcj02"``, ``"EPSG:4549"``).
    area : shapely geometry or None
        Study area in EPSG:4326: points outside are kept and reported.
    crs_text : str
        The layer's ``crs`` as configured, for hints.
    """
    c = _from_geometry(st, raw, declared) if use_geometry(raw) else _from_columns(st, declared)
    _drop_zero(st, c)
    if c.geographic:
        _check_degrees(st, c, area)
    else:
        _check_metres(st, c)
    lon, lat = _convert(st, c)
    if area is not None:
        _flag_outside(st, lon, lat, area, crs_text, c.xcol)
    return lon, lat
