"""Candidate sites: a user's file (村委会, 社区用房, idle schools, public parcels ...) or
network nodes on a grid over the populated area.

Headers are recognised with :func:`circle15.vocab.match_headers`, the same table facility
layers use: a file that loads as a facility layer (``名称,东经,北纬``) loads as candidates.

Examples
--------
>>> import numpy as np
>>> from circle15.vocab import match_headers
>>> match_headers(["名称", "东经", "北纬"], _FIELDS)
{'name': '名称', 'lon': '东经', 'lat': '北纬'}
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from circle15.errors import InputError
from circle15.geo.routing.network import RoutingNetwork
from circle15.io import read_csv
from circle15.vocab import match_headers

#: The standard fields a candidate table may have.
_FIELDS = ("id", "name", "lon", "lat", "cost", "capacity", "crs")

#: Columns of every candidate table, in order (and ``geometry``, EPSG:4326).
CANDIDATE_COLUMNS = ["candidate_id", "name", "cost", "capacity", "source_row"]


def _numbers(df: pd.DataFrame, col: str, path: Path, *, positive: bool = False,
             default: float = np.nan) -> np.ndarray:
    """A column as numbers; blank cells are ``default``; the first bad cell raises."""
    raw = df[col]
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    bad = ~np.isfinite(vals) & ~blank
    if positive:
        bad |= np.isfinite(vals) & (vals <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"not a {'positive ' if positive else ''}number: {raw.iloc[i]!r}",
                         file=path, row=i + 1, column=col)
    return np.where(blank, default, vals)


def load_candidates(path: str | Path, *, crs: str = "wgs84") -> gpd.GeoDataFrame:
    """Read a file of candidate sites.

    Parameters
    ----------
    path : str or Path
        CSV (``name``, ``lon``, ``lat``; optional ``candidate_id``, ``cost``, ``capacity``,
        ``crs``; every header spelling of :data:`circle15.vocab.HEADER_ALIASES` accepted,
        e.g. 名称/经度/纬度 or 东经/北纬, 费用, 容量, 坐标系; UTF-8 or GBK) or a point
        GeoJSON/GeoPackage/Shapefile with the same attribute columns.
    crs : str
        Coordinate system of CSV coordinates when the file has no ``crs`` column
        (``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000`` or ``EPSG:xxxx``).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns ``candidate_id, name, cost, capacity, source_row, geometry``.

    Raises
    ------
    InputError
        Missing columns, bad numbers or coordinates, with file, row and column.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("名称,东经,北纬,费用\\n甲村委会,120.2,29.7,3\\n", encoding="utf-8")
    >>> load_candidates(p)[["candidate_id", "name", "cost"]].to_dict("records")
    [{'candidate_id': 'C00001', 'name': '甲村委会', 'cost': 3.0}]
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("candidate file not found", file=path, key="siting.candidates")
    if path.suffix.lower() in (".csv", ".txt"):
        df, geom = _read_csv_points(path, crs)
    else:
        df, geom = _read_vector_points(path)
    return _candidate_frame(df, geom, path)


def _read_csv_points(path: Path, crs: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Attributes (all text) and WGS-84 points of a candidate CSV."""
    from circle15.geo.crs import to_wgs84

    df = read_csv(path, dtype=str, keep_default_na=False)
    cols = match_headers(df.columns, _FIELDS)
    lon_c, lat_c = cols.get("lon"), cols.get("lat")
    if lon_c is None or lat_c is None:
        raise InputError("no coordinate columns", file=path,
                         column="lon" if lon_c is None else "lat",
                         hint="columns: name, lon, lat (optional cost, capacity, crs)")
    lon = _numbers(df, lon_c, path)
    lat = _numbers(df, lat_c, path)
    missing = ~np.isfinite(lon) | ~np.isfinite(lat)
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise InputError("missing coordinates", file=path, row=i + 1,
                         column=lon_c if not np.isfinite(lon[i]) else lat_c)
    crs_c = cols.get("crs")
    out_lon, out_lat = np.empty(len(df)), np.empty(len(df))
    per_row = df[crs_c].astype(str).str.strip().replace("", crs).to_numpy() if crs_c \
        else np.full(len(df), crs, dtype=object)
    for c in pd.unique(per_row):
        sel = per_row == c
        try:
            out_lon[sel], out_lat[sel] = to_wgs84(lon[sel], lat[sel], str(c))
        except (InputError, ValueError) as exc:
            i = int(np.flatnonzero(sel)[0])
            raise InputError(f"unknown coordinate system {c!r}", file=path, row=i + 1,
                             column=crs_c or None, hint="wgs84, gcj02, bd09, cgcs2000 or "
                             "EPSG:<code>") from exc
    bad = ~np.isfinite(out_lon) | (np.abs(out_lat) > 90) | (np.abs(out_lon) > 180)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"coordinates out of range: {lon[i]}, {lat[i]}", file=path,
                         row=i + 1, column=lon_c, hint="lon/lat in degrees, or set crs")
    return df, np.asarray(shapely.points(out_lon, out_lat))  # an array for array input


def _read_vector_points(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Attributes (all text) and WGS-84 points of a candidate GeoJSON/GPKG/Shapefile
    (polygons become a point inside them)."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
        raise InputError(f"cannot read the candidate file: {exc}", file=path) from None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    gdf = gdf.to_crs(4326)
    if not gdf.geom_type.isin(["Point"]).all():
        i = int(np.flatnonzero(~gdf.geom_type.isin(["Point"]).to_numpy())[0])
        if gdf.geometry.iloc[i] is None or gdf.geometry.iloc[i].is_empty:
            raise InputError("missing geometry", file=path, row=i + 1)
        gdf["geometry"] = gdf.geometry.representative_point()
    df = pd.DataFrame(gdf.drop(columns="geometry")).astype(str).replace(
        {"None": "", "nan": ""})
    return df, gdf.geometry.to_numpy()


def _candidate_frame(df: pd.DataFrame, geom: np.ndarray, path: Path) -> gpd.GeoDataFrame:
    """The standard candidate table from a file's attributes and points."""
    cols = match_headers(df.columns, _FIELDS)
    id_c, name_c = cols.get("id"), cols.get("name")
    cost_c, cap_c = cols.get("cost"), cols.get("capacity")
    n = len(df)
    if n == 0:
        raise InputError("the candidate file has no rows", file=path)
    ids = df[id_c].astype(str).str.strip().to_numpy() if id_c else \
        np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object)
    if id_c and pd.Series(ids).duplicated().any():
        i = int(np.flatnonzero(pd.Series(ids).duplicated().to_numpy())[0])
        raise InputError(f"duplicate candidate id {ids[i]!r}", file=path, row=i + 1,
                         column=id_c)
    names = df[name_c].astype(str).str.strip().to_numpy() if name_c else ids
    cost = _numbers(df, cost_c, path, positive=True, default=1.0) if cost_c else np.ones(n)
    cap = _numbers(df, cap_c, path, positive=True) if cap_c else np.full(n, np.nan)
    return gpd.GeoDataFrame({"candidate_id": ids.astype(str), "name": names.astype(str),
                             "cost": cost, "capacity": cap,
                             "source_row": np.arange(1, n + 1)},
                            geometry=np.asarray(geom), crs=4326)


def grid_candidates(net: RoutingNetwork, origin_xy: np.ndarray, people: np.ndarray,
                    spacing_m: float, usable: np.ndarray | None = None) -> np.ndarray:
    """Network nodes nearest the centre of each ``spacing_m`` grid cell with people.

    Parameters
    ----------
    net : RoutingNetwork
    origin_xy : numpy.ndarray
        ``(n, 2)`` origin coordinates in ``net.crs``.
    people : numpy.ndarray
        People per origin (cells without people get no candidate).
    spacing_m : float
        Cell size in metres.
    usable : numpy.ndarray, optional
        Mask of segments that may be linked to; only their end nodes are candidates.

    Returns
    -------
    numpy.ndarray
        Sorted unique node indices.
    """
    from scipy.spatial import cKDTree

    if spacing_m <= 0:
        raise InputError("siting spacing must be positive", key="siting.spacing_m")
    seg = np.arange(net.n_segments) if usable is None else np.flatnonzero(usable)
    end = np.zeros(net.n_nodes, bool)  # the segments' end nodes, sorted and unique
    end[net.seg_u[seg]] = True
    end[net.seg_v[seg]] = True
    nodes = np.flatnonzero(end)
    xy = np.asarray(origin_xy, float)
    has = (np.asarray(people, float) > 0) & np.isfinite(xy).all(axis=1)
    if not len(nodes) or not has.any():
        return np.empty(0, np.int64)
    x0, y0 = xy[has].min(axis=0)
    cell = np.floor((xy[has] - [x0, y0]) / spacing_m).astype(np.int64)
    # the occupied cells, in row order as np.unique(cell, axis=0) gives them (one integer
    # per cell is many times faster than unique rows)
    ny = int(cell[:, 1].max()) + 1
    code = np.unique(cell[:, 0] * ny + cell[:, 1])
    cells = np.column_stack([code // ny, code % ny])
    centres = (cells + 0.5) * spacing_m + [x0, y0]
    tree = cKDTree(np.column_stack([net.x[nodes], net.y[nodes]]))
    _, j = tree.query(centres)
    return np.unique(nodes[j])


def node_candidates(net: RoutingNetwork, nodes: np.ndarray, lang: str = "zh"
                    ) -> gpd.GeoDataFrame:
    """The candidate table of network nodes (from :func:`grid_candidates`).

    Parameters
    ----------
    net : RoutingNetwork
    nodes : numpy.ndarray
        Node indices.
    lang : {"zh", "en"}
        Language of the generated names (``网格候选点 1`` / ``grid node 1``).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, the columns of :func:`load_candidates`; ``candidate_id`` is ``N`` and
        the node's id, cost 1, no capacity.
    """
    g = gpd.GeoSeries(shapely.points(net.x[nodes], net.y[nodes]), crs=net.crs).to_crs(4326)
    label = "grid node" if lang == "en" else "网格候选点"
    return gpd.GeoDataFrame(
        {"candidate_id": [f"N{net.node_ids[i]}" for i in nodes],
         "name": [f"{label} {k + 1}" for k in range(len(nodes))],
         "cost": np.ones(len(nodes)), "capacity": np.full(len(nodes), np.nan),
         "source_row": np.arange(1, len(nodes) + 1)},
        geometry=shapely.points(g.x.to_numpy(), g.y.to_numpy()), crs=4326)


def candidate_zones(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, crs: str,
                    max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Zone id of each candidate, two ways.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        The candidates.
    zones : geopandas.GeoDataFrame
        ``zone_id`` and polygons.
    crs : str
        A metric CRS for the distance to the nearest zone.
    max_m : float
        Farthest a candidate outside every polygon may be from its nearest zone.

    Returns
    -------
    within : numpy.ndarray
        Zone id of the polygon holding each point, by the pipeline's own
        :func:`~circle15.geo.population.assign_zones` (``""`` outside every zone).
    nearest : numpy.ndarray
        ``within``, else the nearest zone within ``max_m`` metres (``""`` when none).
    """
    from circle15.geo.population import assign_zones

    if points.empty:
        e = np.empty(0, dtype=object)
        return e, e
    pts = points[["geometry"]].reset_index(drop=True)
    within = assign_zones(pts.to_crs(zones.crs), zones)
    out = within.copy()
    miss = out == ""
    if miss.any():
        pm = pts[miss].to_crs(crs)
        k = gpd.sjoin_nearest(pm, zones[["zone_id", "geometry"]].to_crs(crs), how="left",
                              max_distance=max_m)
        k = k[~k.index.duplicated(keep="first")]
        near = k["zone_id"].astype(object).reindex(pm.index).to_numpy()
        out[miss] = ["" if pd.isna(v) else str(v) for v in near]
    return within.astype(str).astype(object), out.astype(str).astype(object)
