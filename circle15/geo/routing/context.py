"""Street context for maps: the main streets of a routing network, simplified, in WGS-84."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from circle15.geo.routing.network import RoutingNetwork

#: Road classes drawn as context.
MAIN_CLASSES = ("motorway", "trunk", "primary", "secondary", "tertiary")


def main_streets(net: RoutingNetwork, *, tolerance_m: float = 5.0,
                 min_segments: int = 50) -> gpd.GeoDataFrame:
    """Main streets for map context (every street when fewer than ``min_segments`` are main).

    Returns
    -------
    geopandas.GeoDataFrame
        ``highway`` and the segment lines simplified by ``tolerance_m``, EPSG:4326.
    """
    main = np.isin(net.seg_highway.astype(str), MAIN_CLASSES)
    if main.sum() < min_segments:
        main = np.ones(net.n_segments, bool)
    geom = shapely.simplify(net.seg_geometry[main], tolerance_m)
    gdf = gpd.GeoDataFrame({"highway": net.seg_highway[main].astype(str)}, geometry=geom,
                           crs=net.crs)
    return gdf.to_crs(4326)
