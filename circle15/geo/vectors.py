"""The one reader of users' vector files (GeoJSON, GeoPackage, Shapefile, FlatGeobuf).

Facility layers, zones, population points and building footprints are all read here, so
they agree on which coordinate system a file's coordinates are in and on the errors a
planner sees. The rule (:func:`source_crs`):

- GCJ-02 and BD-09 cannot be declared inside a file: when the config declares one, the
  file's coordinates are taken as that system (a projected file CRS is then an error);
- a *projected* CRS declared by the file wins (a different projected config value is
  reported in ``warnings``);
- a *geographic* CRS declared by the file (GeoJSON always claims WGS-84) yields to a config
  value other than the default WGS-84/CGCS2000, else it is used;
- a file without a CRS is in the declared system.

:func:`read_vector` returns the features in EPSG:4326 (or, with ``to_wgs84=False``, as read
with the decided system in ``attrs["source_crs"]`` for loaders that check each row's raw
coordinates before converting them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from circle15.errors import InputError
from circle15.geo.crs import normalize_crs, to_wgs84

#: File suffixes read as vector files.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")

#: Systems that no file can declare (they are offsets of WGS-84 used by Chinese map sites).
_OFFSET_CRS = ("gcj02", "bd09")


def is_vector(path: str | Path) -> bool:
    """True for the suffixes of :data:`VECTOR_SUFFIXES`."""
    return Path(path).suffix.lower() in VECTOR_SUFFIXES


def check_file(path: str | Path | None, key: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` if it is an existing file, else an InputError.

    Parameters
    ----------
    path : str, Path or None
        The configured file.
    key : str
        The config key (or argument) naming the file, for the error.
    """
    if path is None:
        raise InputError("no file given", key=key, hint=f"set {key} in the config")
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, key=key,
                         hint="check the path (relative paths are relative to the config file)")
    return path


def _declared(declared_crs: str, crs_key: str, path: Path) -> str:
    try:
        return normalize_crs(declared_crs)
    except InputError as exc:
        raise InputError(exc.message, file=path, key=crs_key, hint=exc.hint) from None


def file_crs_name(crs: pyproj.CRS | None) -> str | pyproj.CRS | None:
    """A file's CRS as a declared name (``"wgs84"``, ``"EPSG:4549"``), or the CRS itself
    when it has no EPSG code."""
    if crs is None:
        return None
    epsg = pyproj.CRS.from_user_input(crs).to_epsg()
    return normalize_crs(f"EPSG:{epsg}") if epsg is not None else pyproj.CRS(crs)


def source_crs(declared_crs: str, file_crs: pyproj.CRS | None, *, path: str | Path,
               crs_key: str, warnings: list[str] | None = None) -> str | pyproj.CRS:
    """The coordinate system a vector file's coordinates are in (the rule of this module).

    Parameters
    ----------
    declared_crs : str
        The config value (``"wgs84"``, ``"gcj02"``, ``"bd09"``, ``"cgcs2000"``,
        ``"EPSG:<code>"``).
    file_crs : pyproj.CRS or None
        The CRS the file declares.
    path : str or Path
        The file, for messages.
    crs_key : str
        Config key of ``declared_crs`` (``"area.crs"``, ``"layers[2].crs"``).
    warnings : list of str, optional
        Appended to when the file and the config disagree.

    Returns
    -------
    str or pyproj.CRS
        A declared name, or the file's CRS when it has no EPSG code.

    Raises
    ------
    InputError
        Unknown declared system; GCJ-02/BD-09 declared for a projected file.
    """
    path = Path(path)
    declared = _declared(declared_crs, crs_key, path)
    file_crs = pyproj.CRS.from_user_input(file_crs) if file_crs is not None else None
    if declared in _OFFSET_CRS:
        if file_crs is not None and not file_crs.is_geographic:
            raise InputError(f"{crs_key} says {declared} but the file is in a projected CRS "
                             f"({file_crs.name})", file=path, key=crs_key,
                             hint="GCJ-02/BD-09 files hold longitude/latitude")
        return declared
    if file_crs is None:
        return declared
    named = file_crs_name(file_crs)
    assert named is not None
    if not file_crs.is_geographic:
        if declared not in ("wgs84", "cgcs2000") and named != declared and warnings is not None:
            warnings.append(f"{path}: the file declares {file_crs.to_string()} but "
                            f"{crs_key} says {declared_crs}; using the file's")
        return named
    return named if declared in ("wgs84", "cgcs2000") else declared


def xy_to_wgs84(x: Any, y: Any, crs: str | pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates in ``crs`` (a declared name or a :class:`pyproj.CRS`) to WGS-84 lon/lat.

    Non-finite results are NaN.
    """
    if isinstance(crs, pyproj.CRS):
        tr = pyproj.Transformer.from_crs(crs, 4326, always_xy=True)
        lon, lat = tr.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
        lon, lat = np.array(lon, dtype=float), np.array(lat, dtype=float)
        bad = ~np.isfinite(lon) | ~np.isfinite(lat)
        lon[bad] = np.nan
        lat[bad] = np.nan
        return lon, lat
    lon, lat = to_wgs84(x, y, crs)
    return np.array(lon, dtype=float), np.array(lat, dtype=float)


def crs_is_geographic(crs: str | pyproj.CRS) -> bool:
    """True when coordinates in ``crs`` are longitude/latitude degrees."""
    if isinstance(crs, pyproj.CRS):
        return bool(crs.is_geographic)
    from circle15.geo.crs import is_geographic

    return is_geographic(crs)


def frame_to_wgs84(gdf: gpd.GeoDataFrame, crs: str | pyproj.CRS) -> gpd.GeoDataFrame:
    """A frame whose coordinates are in ``crs`` (GCJ-02/BD-09 included) in EPSG:4326."""
    if isinstance(crs, str) and crs in ("wgs84", "cgcs2000"):
        return gdf.set_crs("EPSG:4326", allow_override=True)
    if not (isinstance(crs, str) and crs in _OFFSET_CRS):
        return gdf.set_crs(crs, allow_override=True).to_crs("EPSG:4326")

    def conv(xy: np.ndarray) -> np.ndarray:
        lon, lat = xy_to_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([lon, lat])

    geom = shapely.transform(gdf.geometry.to_numpy(), conv)
    out = gpd.GeoDataFrame(gdf.drop(columns=gdf.geometry.name), geometry=geom,
                           crs="EPSG:4326")
    return out


def _check_lonlat_bounds(gdf: gpd.GeoDataFrame, path: Path, crs_key: str) -> None:
    geom = gdf.geometry
    ok = ~(geom.isna() | geom.is_empty)
    if not ok.any():
        return
    minx, miny, maxx, maxy = geom[ok].total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InputError("coordinates are not longitude/latitude after conversion "
                         f"(bounds {minx:.1f}, {miny:.1f}, {maxx:.1f}, {maxy:.1f})", file=path,
                         key=crs_key,
                         hint=f"declare the file's coordinate system in {crs_key}")


def reader_reason(exc: BaseException) -> str:
    """What a GDAL/pyogrio read error means for the user, without GDAL's own advice
    ("prefix the file path with '<DRIVER>:'", "specify an engine manually", ...)."""
    text = str(exc).replace("\n", " ")
    if "not recognized as being in a supported file format" in text or \
            "not recognized as a supported file format" in text:
        return "it is not a vector file (GeoJSON, GeoPackage, Shapefile, ...)"
    if "No such file" in text:
        return "the file does not exist"
    for cut in ("; It might help", ". It might help", "; specify", ". Specify"):
        text = text.split(cut)[0]
    return text.strip().rstrip(".;")


def read_vector(path: str | Path | None, *, declared_crs: str = "wgs84", key: str = "source",
                crs_key: str | None = None, layer: str | None = None,
                what: str = "features", allow_empty: bool = False, to_wgs84: bool = True,
                warnings: list[str] | None = None) -> gpd.GeoDataFrame:
    """Read a vector file and bring it to WGS-84 by the rule of :func:`source_crs`.

    Parameters
    ----------
    path : str, Path or None
        The file (``None``: an error naming ``key``).
    declared_crs : str, default "wgs84"
        The config's coordinate system for the file.
    key : str, default "source"
        Config key (or argument) of the file, named in errors (``"area.zones"``).
    crs_key : str, optional
        Config key of ``declared_crs`` (default: ``key`` with its last part replaced by
        ``crs``, e.g. ``"population.crs"``).
    layer : str, optional
        Layer inside a GeoPackage (default: the first).
    what : str, default "features"
        What the file holds, for messages (``"polygons"``).
    allow_empty : bool, default False
        Accept a file without features.
    to_wgs84 : bool, default True
        Convert the geometries to EPSG:4326 (and check they are longitude/latitude). With
        ``False`` the frame is returned as read.
    warnings : list of str, optional
        Appended to when the file's CRS and ``declared_crs`` disagree.

    Returns
    -------
    geopandas.GeoDataFrame
        Index 0..n-1. ``attrs["source_crs"]`` holds the system the coordinates were read
        in (a name or a :class:`pyproj.CRS`) and ``attrs["crs_used"]`` its text.

    Raises
    ------
    InputError
        Missing or unreadable file, no features, an unknown or impossible coordinate
        system, or (``to_wgs84``) coordinates that are not longitude/latitude afterwards.
    """
    path = check_file(path, key)
    crs_key = crs_key or (key.rsplit(".", 1)[0] + ".crs" if "." in key else "crs")
    try:
        gdf = gpd.read_file(path, layer=layer or None)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises DataSourceError, DataLayerError...
        raise InputError(f"cannot read {what} from the file: {reader_reason(exc)}",
                         file=path, key=key,
                         hint="use GeoJSON, GeoPackage or Shapefile") from None
    if len(gdf) == 0 and not allow_empty:
        raise InputError(f"the file has no {what}", file=path, key=key)
    gdf = gdf.reset_index(drop=True)
    src = source_crs(declared_crs, gdf.crs, path=path, crs_key=crs_key, warnings=warnings)
    crs_text = src if isinstance(src, str) else src.to_string()
    if to_wgs84:
        gdf = frame_to_wgs84(gdf, src)
        _check_lonlat_bounds(gdf, path, crs_key)
    gdf.attrs["source_crs"] = src
    gdf.attrs["crs_used"] = crs_text
    return gdf
