"""Network preparation: load → travel times → metric CRS → project → largest component.

Plain arguments only; :func:`circle15.geo.routing.load_network` and
:func:`circle15.geo.routing.routing_network` turn the result into a routing network.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
from shapely.geometry.base import BaseGeometry

from circle15.geo.crs import choose_crs
from circle15.geo.streets.connectivity import largest_component
from circle15.geo.streets.load import load_graph
from circle15.geo.streets.modes import add_travel_times, is_two_way
from circle15.geo.streets.project import graph_bounds_polygon, project_graph

log = logging.getLogger(__name__)


def routable_graph(G: nx.MultiDiGraph, *, mode: str, speed_kmh: float | None = None,
                   speeds_by_class: Mapping[str, float] | None = None,
                   undirected: bool | None = None, crs: str | None = None,
                   area: BaseGeometry | None = None, timings: dict[str, float] | None = None
                   ) -> tuple[nx.MultiDiGraph, str, dict[str, Any]]:
    """Travel times, projection and the largest strongly connected part of a WGS-84 graph.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        WGS-84 graph with ``length`` on every edge, already filtered by mode; modified (the
        caller owns it).
    mode, speed_kmh, speeds_by_class, undirected
        As for :func:`circle15.geo.streets.modes.add_travel_times`.
    crs : str, optional
        Metric CRS; default :func:`circle15.geo.crs.choose_crs` of ``area``, or of the
        graph's extent when there is no area.
    area : shapely geometry, optional
        Study area in WGS-84 (decides the CRS).
    timings : dict, optional
        Filled with ``travel_times_s``, ``project_s``, ``components_s``.

    Returns
    -------
    (networkx.MultiDiGraph, str, dict)
        The projected graph, its CRS and the connectivity report
        (:func:`~circle15.geo.streets.connectivity.largest_component`).
    """
    timings = {} if timings is None else timings
    t = time.perf_counter()
    G = add_travel_times(G, mode=mode, speed_kmh=speed_kmh, speeds_by_class=speeds_by_class,
                         undirected=undirected)
    timings["travel_times_s"] = round(time.perf_counter() - t, 3)
    chosen = choose_crs(area if area is not None else graph_bounds_polygon(G), crs or "")
    t = time.perf_counter()
    G = project_graph(G, chosen)
    timings["project_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    G, conn = largest_component(G)  # keeps G.graph (crs set by project_graph)
    timings["components_s"] = round(time.perf_counter() - t, 3)
    return G, chosen, conn


def network_report(G: nx.MultiDiGraph, crs: str, conn: dict[str, Any], *, source: str,
                   kind: str | None, mode: str, undirected: bool | None,
                   speeds_by_class: Mapping[str, float] | None, load: dict[str, Any],
                   timings: dict[str, float]) -> dict[str, Any]:
    """The ``run.json`` network report of a prepared graph (see :func:`prepare_graph`)."""
    # len(G.edges): number_of_edges() sums degrees, seconds on 500k edges
    return report_dict(source=source, kind=kind, mode=mode, speed_kmh=G.graph.get("speed_kmh"),
                       undirected=undirected, crs=crs, nodes=len(G), edges=len(G.edges),
                       conn=conn, speeds_by_class=speeds_by_class, load=load, timings=timings)


def report_dict(*, source: str, kind: str | None, mode: str, speed_kmh: float | None,
                undirected: bool | None, crs: str, nodes: int, edges: int,
                conn: dict[str, Any], speeds_by_class: Mapping[str, float] | None,
                load: dict[str, Any], timings: dict[str, float]) -> dict[str, Any]:
    """The ``run.json`` network report from plain numbers (see :func:`network_report`)."""
    report: dict[str, Any] = {
        "source": source,
        "kind": kind,
        "mode": mode,
        "speed_kmh": speed_kmh,
        "two_way": is_two_way(mode, undirected),
        "crs": crs,
        "nodes": nodes,
        "edges": edges,
        "km": conn["km_kept"],  # street_km of the kept graph, already rounded
        "connectivity": conn,
        "load": load,
        "timings": timings,
    }
    if mode == "drive":
        report["speeds_by_class"] = dict(speeds_by_class or {})
    return report


def prepare_graph(source: str, *, mode: str = "walk", speed_kmh: float | None = None,
                  area: BaseGeometry | None = None, crs: str | None = None,
                  buffer_m: float = 2000.0, cache_dir: Path | str | None = None,
                  undirected: bool | None = None,
                  speeds_by_class: Mapping[str, float] | None = None
                  ) -> tuple[nx.MultiDiGraph, str, dict[str, Any]]:
    """Build the routable, projected street graph of a source.

    Parameters
    ----------
    source, mode, area, buffer_m, cache_dir, undirected
        As for :func:`circle15.geo.streets.load.load_graph`; ``area`` (WGS-84, the study
        area) also decides the metric CRS. ``None`` keeps the whole file and chooses the CRS
        from the network's extent.
    speed_kmh, speeds_by_class
        As for :func:`circle15.geo.streets.modes.add_travel_times`.
    crs : str, optional
        Metric CRS overriding the automatic choice (must be projected, in metres).

    Returns
    -------
    (networkx.MultiDiGraph, str, dict)
        The projected graph (nodes ``x``/``y`` in metres; every edge ``length`` (m),
        ``speed_kph``, ``travel_time`` (s) and ``geometry`` where the source had one), the
        CRS (``"EPSG:4549"`` for Zhuji) and a report for ``run.json``: ``source``, ``kind``,
        ``mode``, ``speed_kmh``, ``two_way``, ``crs``, ``nodes``, ``edges``, ``km`` (street
        km, two-way streets once), ``connectivity`` (see
        :func:`~circle15.geo.streets.connectivity.largest_component`), ``load``,
        ``timings`` and, for drive, ``speeds_by_class``.
    """
    timings: dict[str, float] = {}
    t = time.perf_counter()
    G = load_graph(source, mode=mode, area=area, buffer_m=buffer_m, cache_dir=cache_dir,
                   undirected=undirected)
    timings["load_s"] = round(time.perf_counter() - t, 3)
    load_report = dict(G.graph.get("load_report", {}))
    G, chosen, conn = routable_graph(G, mode=mode, speed_kmh=speed_kmh,
                                     speeds_by_class=speeds_by_class, undirected=undirected,
                                     crs=crs, area=area, timings=timings)
    report = network_report(G, chosen, conn, source=source, kind=load_report.get("kind"),
                            mode=mode, undirected=undirected, speeds_by_class=speeds_by_class,
                            load=load_report, timings=timings)
    log.info("network ready: %d nodes, %d edges, %.1f km, %s, CRS %s", len(G),
             report["edges"], report["km"], mode, chosen)
    return G, chosen, report
