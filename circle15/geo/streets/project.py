"""Reprojection of street graphs and point layers to a metric CRS.

The metric CRS itself is chosen by :func:`circle15.geo.crs.choose_crs` (CGCS2000
Gauss-Krüger in China, EPSG:4549 for Zhuji; UTM elsewhere).
"""

from __future__ import annotations

import itertools
import math
import sys
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pyproj
import shapely

from circle15.geo.streets import _nx

if TYPE_CHECKING:
    import geopandas as gpd


def _present(value: Any) -> bool:
    """What :func:`osmnx.convert.graph_from_gdfs` keeps: lists and non-missing values."""
    if value is None:
        return False
    pd = sys.modules.get("pandas")  # pd.NA/pd.NaT exist only once pandas is imported
    if pd is not None and (value is pd.NA or value is pd.NaT):
        return False
    if isinstance(value, float):
        return not math.isnan(value)
    return True


#: Value types kept as they are (never missing, never numpy scalars).
_AS_IS = frozenset({str, int, bool, list, shapely.LineString, shapely.MultiLineString,
                    shapely.Point})
_AS_IS_OR_FLOAT = _AS_IS | {float}
_IS_FLOAT = float.__instancecheck__


def _kept(d: dict[str, Any], nodes: bool = False) -> dict[str, Any]:
    """A new attribute dict as OSMnx's table round trip leaves it.

    Missing values (None, NaN) are dropped (lists are kept on edges) and numpy scalars
    become Python numbers. The common case (plain values, no NaN) is checked at C speed.
    """
    vals = d.values()
    types = set(map(type, vals))
    if types <= _AS_IS or (types <= _AS_IS_OR_FLOAT
                           and not any(map(math.isnan, filter(_IS_FLOAT, vals)))):
        return dict(d)
    return {k: v.item() if isinstance(v, np.generic) else v for k, v in d.items()
            if (not nodes and isinstance(v, list)) or _present(v)}


def _project_geometries(geoms: np.ndarray, transformer: pyproj.Transformer) -> np.ndarray:
    """Project shapely geometries the way GeoPandas' ``to_crs`` does (2-D and 3-D apart)."""
    out = np.empty(len(geoms), dtype=object)
    has_z = shapely.has_z(geoms)
    flat = ~has_z
    if flat.any():
        out[flat] = shapely.transform(
            geoms[flat], lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))
    if has_z.any():
        out[has_z] = shapely.transform(
            geoms[has_z],
            lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1], c[:, 2])),
            include_z=True)
    return out


def project_graph(G: nx.MultiDiGraph, crs: str) -> nx.MultiDiGraph:
    """Project a graph's nodes (``x``, ``y``) and edge geometries to ``crs``.

    The same graph as :func:`osmnx.projection.project_graph` (node order, edge order,
    attributes, coordinates to the bit) without its GeoDataFrame round trip: node
    coordinates are projected with one vectorised :class:`pyproj.Transformer` call and edge
    geometries with one :func:`shapely.transform`. Edges keep ``length`` and
    ``travel_time`` unchanged (they were measured on the ellipsoid).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Graph with ``G.graph["crs"]`` set (EPSG:4326 for loaded networks).
    crs : str
        Target CRS (from :func:`circle15.geo.crs.choose_crs`).

    Returns
    -------
    networkx.MultiDiGraph
        New graph with ``G.graph["crs"] == crs``. As in OSMnx, nodes come in the order of
        their first edge, attributes that are None or NaN are dropped, and ``G`` is not
        modified (attribute values are shared, dicts are new; numpy scalars become Python
        numbers, as in OSMnx's tables).
    """
    if len(G) == 0:
        H = G.copy()
        H.graph["crs"] = crs
        return H
    edges = _nx.edge_quads(G)  # (u, v, key, data) in G.edges order
    if not edges:  # osmnx cannot build the edge table; keep its behaviour (an error)
        import osmnx as ox

        Gp = ox.projection.project_graph(G, to_crs=crs)
        Gp.graph["crs"] = crs
        return Gp
    transformer = pyproj.Transformer.from_crs(G.graph["crs"], crs, always_xy=True)
    nodes = _projected_nodes(G, transformer)
    edge_data = _projected_edge_data(edges, transformer)
    # osmnx rebuilds the graph edge by edge: nodes in order of first appearance
    order = dict.fromkeys(itertools.chain.from_iterable((u, v) for u, v, _, _ in edges))
    lonely = set(G.nodes) - set(order)
    H = nx.MultiDiGraph(**G.graph)
    H.add_nodes_from((n, nodes[n]) for n in order)
    H.add_nodes_from((n, nodes[n]) for n in lonely)
    del nodes
    _nx.add_edges_uncopied(H, ((u, v, k, d) for (u, v, k, _), d
                               in zip(edges, edge_data, strict=True)))
    H.graph["crs"] = crs
    return H


def _projected_nodes(G: nx.MultiDiGraph, transformer: pyproj.Transformer
                     ) -> dict[Any, dict[str, Any]]:
    """New node attribute dicts (as :func:`_kept` leaves them) with projected ``x``/``y``."""
    ids, xs, ys = node_xy(G)
    px, py = transformer.transform(xs, ys)
    data = _nx.node_data(G)
    out: dict[Any, dict[str, Any]] = {}
    for n, x, y in zip(ids, np.asarray(px).tolist(), np.asarray(py).tolist(), strict=True):
        nd = _kept(data[n], nodes=True)
        nd["x"] = x
        nd["y"] = y
        out[n] = nd
    return out


def _projected_edge_data(edges: list[tuple[Any, Any, Any, dict[str, Any]]],
                         transformer: pyproj.Transformer) -> list[dict[str, Any]]:
    """New edge attribute dicts (as :func:`_kept` leaves them) with projected geometries."""
    edge_data = [_kept(d) for _, _, _, d in edges]
    with_geom = [i for i, d in enumerate(edge_data) if "geometry" in d]
    if with_geom:
        geoms = np.empty(len(with_geom), dtype=object)
        geoms[:] = [edge_data[i]["geometry"] for i in with_geom]
        for i, g in zip(with_geom, _project_geometries(geoms, transformer).tolist(),
                        strict=True):
            edge_data[i]["geometry"] = g
    return edge_data


def project_gdf(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Reproject a GeoDataFrame to ``crs``.

    Raises
    ------
    ValueError
        If ``gdf`` has no CRS (a programming error: loaders always set one).
    """
    if gdf.crs is None:
        raise ValueError("GeoDataFrame has no CRS; loaders must set one before projecting")
    return gdf.to_crs(crs)


def node_xy(G: nx.MultiDiGraph) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """Node ids of ``G`` (in node order) and their ``x`` and ``y`` as float arrays."""
    ids = list(G)
    nodes = _nx.node_data(G)
    xs = np.fromiter((nodes[n]["x"] for n in ids), float, len(ids))
    ys = np.fromiter((nodes[n]["y"] for n in ids), float, len(ids))
    return ids, xs, ys


def graph_bounds_polygon(G: nx.MultiDiGraph) -> Any:
    """Bounding box of a graph's nodes as a shapely polygon (in the graph's CRS)."""
    _, xs, ys = node_xy(G)
    return shapely.box(xs.min(), ys.min(), xs.max(), ys.max())


def projected_xy(gdf: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """``(n, 2)`` coordinates of a point GeoDataFrame in ``crs`` (empty input: ``(0, 2)``)."""
    if gdf.empty:
        return np.empty((0, 2))
    g = gdf.geometry.to_crs(crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])
