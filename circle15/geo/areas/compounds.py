"""Residential compounds (居住小区): polygons whose residents are counted together.

A bureau reports "the share of 小区 covered" beside the share of people: a compound counts as
covered when enough of the people living inside its polygon are (see
:func:`circle15.coverage.levels.standards_table`). Compounds come as a polygon file with an
id and/or a name; each is placed in the township holding its representative point.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.geo.areas.assign import assign_zones
from circle15.geo.vectors import read_vector
from circle15.vocab import pick_header

#: Headers of a compound's id and name.
COMPOUND_ID_HEADERS = ("compound_id", "id", "小区编号", "小区代码", "编号", "代码")
COMPOUND_NAME_HEADERS = ("compound_name", "name", "小区名称", "小区", "名称")


def load_compounds(path: str | Path, zones: gpd.GeoDataFrame, *, crs: str = "wgs84",
                   key: str = "area.compounds") -> gpd.GeoDataFrame:
    """Read the compounds.

    Parameters
    ----------
    path : str or Path
        Polygon file (GeoJSON, GeoPackage, Shapefile).
    zones : geopandas.GeoDataFrame
        The run's zones (``zone_id``), EPSG:4326.
    crs : str, default "wgs84"
        Coordinate system when the file declares none.
    key : str
        Config key named in errors.

    Returns
    -------
    geopandas.GeoDataFrame
        ``compound_id``, ``compound_name``, ``zone_id`` (``""`` outside every zone),
        polygons in EPSG:4326.

    Raises
    ------
    InputError
        Not polygons, or a duplicate id (naming the row).
    """
    gdf = read_vector(path, declared_crs=crs, key=key, what="compound polygons")
    kinds = set(gdf.geometry.geom_type.dropna())
    if not kinds <= {"Polygon", "MultiPolygon"}:
        raise InputError(f"expected polygons, found {', '.join(sorted(kinds))}", file=path,
                         key=key)
    cols = [c for c in gdf.columns if c != "geometry"]
    idc, namec = pick_header(cols, COMPOUND_ID_HEADERS), pick_header(cols, COMPOUND_NAME_HEADERS)
    ids = (gdf[idc].astype(str) if idc else pd.Series(
        [f"C{i + 1}" for i in range(len(gdf))], index=gdf.index))
    dup = ids.duplicated().to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"compound id {ids.iloc[i]!r} appears twice", file=path, row=i + 1,
                         column=idc, key=key)
    names = gdf[namec].astype(str) if namec else ids
    out = gpd.GeoDataFrame({"compound_id": ids.to_numpy(), "compound_name": names.to_numpy()},
                           geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    pts = gpd.GeoDataFrame(geometry=out.geometry.representative_point(), crs=out.crs)
    out["zone_id"] = assign_zones(pts.to_crs(zones.crs), zones)
    return out


def assign_compounds(points: gpd.GeoDataFrame, compounds: gpd.GeoDataFrame) -> np.ndarray:
    """The compound each point lies in (``""`` in none; the first where they overlap)."""
    renamed = compounds[["compound_id", "geometry"]].rename(columns={"compound_id": "zone_id"})
    return assign_zones(points.to_crs(compounds.crs), renamed)
