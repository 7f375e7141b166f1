"""Which zone each point lies in."""

from __future__ import annotations

import geopandas as gpd
import numpy as np


def assign_zones(pts: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Zone id of each point (``""`` outside every zone; the first zone where zones overlap).

    Parameters
    ----------
    pts : geopandas.GeoDataFrame
        Points in the CRS of ``zones``.
    zones : geopandas.GeoDataFrame
        Polygons with ``zone_id``.

    Returns
    -------
    numpy.ndarray
        Object array of zone ids.
    """
    out = np.full(len(pts), "", dtype=object)
    if len(pts) == 0 or len(zones) == 0:
        return out
    left = gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=zones.crs)
    hits = gpd.sjoin(left, zones[["zone_id", "geometry"]].reset_index(drop=True),
                     predicate="intersects", how="inner")
    hits = hits.sort_values("index_right", kind="stable")
    hits = hits[~hits.index.duplicated(keep="first")]
    out[hits.index.to_numpy()] = hits["zone_id"].to_numpy(dtype=object)
    return out
