"""Metric coordinate systems for projected work, and reprojection of graphs and layers.

Distances and travel times are computed in a metric CRS. For Chinese study areas we use
the national CGCS2000 3-degree Gauss-Krüger grid of the local zone (EPSG:4534–4554,
central meridians 75°E–135°E); Zhuji (120.0–120.6°E) falls in the zone with central
meridian 120°E, **EPSG:4549**, the grid Zhejiang planning offices use. Elsewhere the local
UTM zone (WGS-84, EPSG:326xx north / 327xx south) is chosen. ``NetworkConfig.crs``
overrides both.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import math
from collections.abc import Iterable, Iterator
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pyproj
import shapely


log = logging.getLogger(__name__)

@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while working on a large graph.

    Building or walking a graph allocates millions of small objects and none of them are
    garbage; the collector would scan the whole graph again and again (it doubles or
    triples the time on a 200,000-node network). Reference counting still frees memory.
    The collector is re-enabled (if it was enabled) on exit, also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _present(value: Any) -> bool:
    """What :func:`osmnx.convert.graph_from_gdfs` keeps: lists and non-missing values."""
    if value is None or value is pd.NA or value is pd.NaT:
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


def add_edges_uncopied(G: nx.MultiDiGraph,
                       edges: Iterable[tuple[Any, Any, Any, dict[str, Any]]]) -> None:
    """``G.add_edges_from(edges)`` for ``(u, v, key, data)`` between existing nodes.

    Same result (edge order, keys, a later duplicate key updating the earlier edge's
    data) without copying each data dict: the dicts are stored as they are, so the caller
    must not reuse them. Falls back to ``add_edges_from`` for subclasses of
    ``MultiDiGraph`` (other dict factories).
    """
    if type(G) is not nx.MultiDiGraph:
        G.add_edges_from(edges)
        return
    succ, pred = G._succ, G._pred
    for u, v, key, data in edges:
        nbrs = succ[u]
        keydict = nbrs.get(v)
        if keydict is None:
            nbrs[v] = pred[v][u] = {key: data}
        elif key in keydict:
            keydict[key].update(data)
        else:
            keydict[key] = data


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
        Target CRS (from :func:`choose_crs`).

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
    # (u, v, key, data) in G.edges order, read straight from the adjacency (fast)
    edges = [(u, v, k, d) for u, nbrs in G._succ.items() for v, kd in nbrs.items()
             for k, d in kd.items()]
    if not edges:  # osmnx cannot build the edge table; keep its behaviour (an error)
        Gp = ox.projection.project_graph(G, to_crs=crs)
        Gp.graph["crs"] = crs
        return Gp
    transformer = pyproj.Transformer.from_crs(G.graph["crs"], crs, always_xy=True)
    with gc_paused():
        nodes = list(G.nodes(data=True))
        xs = np.fromiter((d["x"] for _, d in nodes), float, len(nodes))
        ys = np.fromiter((d["y"] for _, d in nodes), float, len(nodes))
        px, py = transformer.transform(xs, ys)
        node_data: dict[Any, dict[str, Any]] = {}
        for (n, d), x, y in zip(nodes, np.asarray(px).tolist(), np.asarray(py).tolist(),
                                strict=True):
            nd = _kept(d, nodes=True)
            nd["x"] = x
            nd["y"] = y
            node_data[n] = nd
        del nodes, xs, ys, px, py
        # osmnx rebuilds the graph edge by edge: nodes in order of first appearance
        order = dict.fromkeys(itertools.chain.from_iterable((u, v) for u, v, _, _ in edges))
        lonely = set(G.nodes) - set(order)
        edge_data = [_kept(d) for _, _, _, d in edges]
        with_geom = [i for i, d in enumerate(edge_data) if "geometry" in d]
        if with_geom:
            geoms = np.empty(len(with_geom), dtype=object)
            geoms[:] = [edge_data[i]["geometry"] for i in with_geom]
            for i, g in zip(with_geom, _project_geometries(geoms, transformer).tolist(),
                            strict=True):
                edge_data[i]["geometry"] = g
        H = nx.MultiDiGraph(**G.graph)
        H.add_nodes_from((n, node_data[n]) for n in order)
        H.add_nodes_from((n, node_data[n]) for n in lonely)
        del node_data
        add_edges_uncopied(H, ((u, v, k, d) for (u, v, k, _), d
                               in zip(edges, edge_data, strict=True)))
    H.graph["crs"] = crs
    return H


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
    nodes = G._node
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
