"""OSM ways to an OSMnx-style graph: the tags kept on edges and OSMnx's one-way rules."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import networkx as nx
import numpy as np

from circle15.geo.streets.modes import FILTER_TAGS

WGS84 = "epsg:4326"
#: ``osmnx.settings.useful_tags_way`` of OSMnx 2.1.1 (copied so that reading a file does not
#: import osmnx; unchanged since OSMnx 1.x apart from order).
OSMNX_USEFUL_TAGS_WAY = ("access", "area", "bridge", "est_width", "highway", "junction",
                         "landuse", "lanes", "maxspeed", "name", "oneway", "ref", "service",
                         "tunnel", "width")
#: Way tags kept on edges (OSMnx's useful tags plus the ones the mode filters read).
EDGE_TAGS = tuple(dict.fromkeys([*OSMNX_USEFUL_TAGS_WAY, *FILTER_TAGS]))
_ONEWAY_VALUES = {"yes", "true", "1", "-1", "reverse", "T", "F"}
_REVERSED_VALUES = {"-1", "reverse", "T"}


@contextlib.contextmanager
def osmnx_edge_tags() -> Iterator[None]:
    """Within the block, OSMnx keeps :data:`EDGE_TAGS` on the edges it builds.

    ``osmnx.settings.useful_tags_way`` is the only way to tell OSMnx's readers and
    downloaders which tags to keep; it is restored on exit, also on error.
    """
    import osmnx as ox

    old = ox.settings.useful_tags_way
    ox.settings.useful_tags_way = list(EDGE_TAGS)
    try:
        yield
    finally:
        ox.settings.useful_tags_way = old


def _path_attrs(way_id: int, tags: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {"osmid": int(way_id)}
    for key in EDGE_TAGS:
        val = tags.get(key)
        if val is not None and not (isinstance(val, float) and np.isnan(val)):
            attrs[key] = str(val)
    return attrs


def _is_one_way(attrs: dict[str, Any], bidirectional: bool) -> bool:
    """OSMnx's one-way rules (``osmnx.graph._is_path_one_way``)."""
    if bidirectional:
        return False
    if attrs.get("oneway") in _ONEWAY_VALUES:
        return True
    return attrs.get("junction") == "roundabout"


def build_graph(nodes: dict[int, tuple[float, float]],
                paths: Iterator[tuple[int, list[int], dict[str, Any]]],
                bidirectional: bool) -> nx.MultiDiGraph:
    """Build an unsimplified OSMnx-style graph from OSM nodes and ways.

    Follows ``osmnx.graph._create_graph``: one edge per consecutive node pair, ``osmid`` the
    way id, the way's useful tags on each edge, ``oneway``/``reversed`` as OSMnx sets them,
    ``length`` the great-circle distance.

    Parameters
    ----------
    nodes : dict
        OSM node id -> (lon, lat); must contain every node the paths use.
    paths : iterable of (way id, node ids, tags)
    bidirectional : bool
        Add every way in both directions (walking networks).

    Returns
    -------
    networkx.MultiDiGraph
    """
    import osmnx as ox

    G = nx.MultiDiGraph(created_with=f"circle15 / OSMnx {ox.__version__}", crs=WGS84)
    for way_id, refs, tags in paths:
        refs = [k for k, _ in itertools.groupby(refs)]
        if len(refs) < 2:
            continue
        attrs = _path_attrs(way_id, tags)
        one_way = _is_one_way(attrs, bidirectional)
        if one_way and attrs.get("oneway") in _REVERSED_VALUES:
            refs = refs[::-1]
        attrs["oneway"] = one_way
        for n in refs:
            if n not in G:
                lon, lat = nodes[n]
                G.add_node(n, x=float(lon), y=float(lat))
        edges = list(itertools.pairwise(refs))
        G.add_edges_from(edges, **attrs, reversed=False)
        if not one_way:
            G.add_edges_from([(v, u) for u, v in edges], **attrs, reversed=True)
    if G.number_of_edges():
        G = ox.distance.add_edge_lengths(G)
    return G
