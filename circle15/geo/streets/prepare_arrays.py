"""Network preparation on arrays: the graph path of :mod:`circle15.geo.streets.prepare`
without a networkx graph, for GraphML files.

:func:`prepare_graphml_arrays` reads an OSMnx GraphML file with
:func:`~circle15.geo.streets.graphml_arrays.read_graphml_arrays` and does what
:func:`~circle15.geo.streets.prepare.prepare_graph` does — mode filter, clip to the buffered
study area, isolated nodes, reverse twins for two-way modes, travel times, projection, the
largest strongly connected part — on numpy arrays, keeping networkx's node and edge order
at every step, so that the routing network built from the result is the one built from the
graph (array for array; tests compare them). Whatever the arrays path does not handle
itself (another CRS, missing lengths, an error to report, a tie between two largest
pieces) returns ``None``: the caller then takes the graph path, which handles or reports it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from shapely.geometry.base import BaseGeometry

from circle15.geo.crs import choose_crs
from circle15.geo.streets import modes
from circle15.geo.streets.connectivity import component_report, partners_of
from circle15.geo.streets.graphml_arrays import GraphArrays, read_graphml_arrays
from circle15.geo.streets.project import _project_geometries
from circle15.geo.streets.ways import WGS84

log = logging.getLogger(__name__)


@dataclass
class EdgeArrays:
    """A street graph as arrays in networkx's order (nodes, and edges by adjacency).

    ``u``/``v`` are node positions; ``attrs`` edge attribute columns (object arrays,
    ``None`` where missing; ``geometry`` shapely or None); ``length`` and ``time`` floats.
    """

    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    attrs: dict[str, np.ndarray]
    time: np.ndarray = field(default_factory=lambda: np.empty(0))

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.u)

    def take_edges(self, ix: np.ndarray) -> None:
        """Keep (and order) the edges ``ix``."""
        self.u, self.v, self.length = self.u[ix], self.v[ix], self.length[ix]
        if len(self.time):
            self.time = self.time[ix]
        self.attrs = {k: a[ix] for k, a in self.attrs.items()}

    def take_nodes(self, keep: np.ndarray) -> None:
        """Keep the nodes where ``keep`` (node order kept) and the edges between them."""
        self.take_edges(np.flatnonzero(keep[self.u] & keep[self.v]))
        new = np.cumsum(keep) - 1
        self.u, self.v = new[self.u], new[self.v]
        self.node_ids, self.x, self.y = self.node_ids[keep], self.x[keep], self.y[keep]

    def drop_isolated(self) -> None:
        """Remove nodes without edges."""
        used = np.zeros(len(self.node_ids), bool)
        used[self.u] = True
        used[self.v] = True
        if not used.all():
            self.take_nodes(used)


class _Decline(Exception):
    """Left to the graph path."""


def nx_edge_order(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The order networkx lists edges added in the order ``0..m-1``.

    By the source node's position, then by the first edge of each ``u -> v`` pair, then in
    insertion order (``G.edges`` walks ``G._succ``: nodes, then neighbours in the order of
    their first edge, then keys).
    """
    m = len(u)
    if m == 0:
        return np.zeros(0, np.int64)
    n = int(max(u.max(), v.max())) + 1
    _, first, inverse = np.unique(u * n + v, return_index=True, return_inverse=True)
    return np.lexsort((np.arange(m), first[inverse], u))


def _from_file(ga: GraphArrays) -> EdgeArrays:
    length = ga.attrs.get("length")
    if length is None or any(x is None for x in length.tolist()):
        raise _Decline("edges without length")  # osmnx adds great-circle lengths
    length = length.astype(float)
    if not (np.isfinite(length).all() and np.isfinite(ga.x).all() and np.isfinite(ga.y).all()):
        raise _Decline("lengths or coordinates that are not numbers")  # the graph path says
    attrs = {k: a for k, a in ga.attrs.items() if k != "length"}
    ea = EdgeArrays(node_ids=ga.node_ids, x=ga.x, y=ga.y, u=ga.u, v=ga.v, length=length,
                    attrs=attrs)
    ea.take_edges(nx_edge_order(ga.u, ga.v))
    return ea


def _check_wgs84(ga: GraphArrays) -> None:
    """Decline anything :func:`circle15.geo.streets.load._as_wgs84` would convert or reject."""
    crs = ga.graph.get("crs")
    if crs is None:
        if not (np.all(np.abs(ga.x) <= 180) and np.all(np.abs(ga.y) <= 90)):
            raise _Decline("coordinates are not longitude/latitude")
        return
    try:
        declared = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise _Decline("unknown crs") from None
    if not declared.equals(pyproj.CRS.from_epsg(4326)):
        raise _Decline("not WGS-84")


def _hashable(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    try:
        return tuple(map(modes._hashable, values))
    except TypeError:
        return None


def filter_arrays(ea: EdgeArrays, mode: str) -> int:
    """:func:`circle15.geo.streets.modes.filter_graph` on arrays; returns edges removed."""
    names = [t for t in modes._DECIDING_TAGS if t in ea.attrs]
    cols = [ea.attrs[t].tolist() for t in names]
    highway = ea.attrs["highway"].tolist()
    verdicts: dict[tuple, bool] = {}
    keep = np.ones(ea.n_edges, bool)
    for i, sig in enumerate(zip(*cols, strict=True)):
        if highway[i] is None:
            continue
        key = _hashable(sig)
        ok = verdicts.get(key) if key is not None else None
        if ok is None:
            tags = {k: val for k, val in zip(names, sig, strict=True) if val is not None}
            ok = modes.way_allowed(tags, mode)
            if key is not None:
                verdicts[key] = ok
        keep[i] = ok
    dropped = int((~keep).sum())
    if dropped:
        ea.take_edges(np.flatnonzero(keep))
    ea.drop_isolated()
    return dropped


def clip_arrays(ea: EdgeArrays, polygon: BaseGeometry) -> int:
    """Keep the nodes inside ``polygon`` (WGS-84); returns the number removed."""
    shapely.prepare(polygon)
    inside = shapely.contains_xy(polygon, ea.x, ea.y)
    if not inside.any():
        raise _Decline("no node inside the study area")
    removed = int((~inside).sum())
    if removed:
        ea.take_nodes(inside)
    return removed


def two_way_arrays(ea: EdgeArrays) -> int:
    """:func:`circle15.geo.streets.modes.make_two_way` on arrays; returns edges added."""
    m = ea.n_edges
    if m == 0:
        return 0
    partner = partners_of(ea.u, ea.v, ea.length)
    add = np.flatnonzero((partner < 0) & (ea.u != ea.v))
    if not len(add):
        return 0
    u = np.concatenate([ea.u, ea.v[add]])
    v = np.concatenate([ea.v, ea.u[add]])
    attrs = {k: np.concatenate([a, a[add]]) for k, a in ea.attrs.items()}
    geom = attrs.get("geometry")
    if geom is not None:
        has = np.flatnonzero(np.array([g is not None for g in geom[m:].tolist()], bool)) + m
        if len(has):
            geom[has] = shapely.reverse(geom[has])
    ea.u, ea.v, ea.length, ea.attrs = u, v, np.concatenate([ea.length, ea.length[add]]), attrs
    ea.take_edges(nx_edge_order(u, v))
    return len(add)


def _speeds(ea: EdgeArrays, mode: str, base_kmh: float,
            speeds_by_class: Mapping[str, float] | None) -> np.ndarray:
    if mode != "drive":
        return np.full(ea.n_edges, float(base_kmh))
    none = np.full(ea.n_edges, None, dtype=object)
    rows = [{"highway": h, "maxspeed": s} for h, s in zip(
        ea.attrs.get("highway", none).tolist(), ea.attrs.get("maxspeed", none).tolist(),
        strict=True)]
    return modes._drive_speeds(rows, modes.drive_speed_table(speeds_by_class), base_kmh,
                               {str(k) for k in (speeds_by_class or {})})


def project_arrays(ea: EdgeArrays, crs: str) -> None:
    """:func:`circle15.geo.streets.project.project_graph` on arrays (nodes re-ordered by
    their first edge, as OSMnx rebuilds the graph)."""
    transformer = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    px, py = transformer.transform(ea.x, ea.y)
    n = len(ea.node_ids)
    seq = np.column_stack([ea.u, ea.v]).ravel()
    first = np.full(n, len(seq), np.int64)
    np.minimum.at(first, seq, np.arange(len(seq)))
    order = np.argsort(first, kind="stable")  # nodes without edges (none here) last
    new = np.empty(n, np.int64)
    new[order] = np.arange(n)
    ea.node_ids, ea.x, ea.y = ea.node_ids[order], np.asarray(px)[order], np.asarray(py)[order]
    ea.u, ea.v = new[ea.u], new[ea.v]
    geom = ea.attrs.get("geometry")
    if geom is not None:
        has = np.flatnonzero(np.array([g is not None for g in geom.tolist()], bool))
        if len(has):
            geom[has] = _project_geometries(geom[has], transformer)
    ea.take_edges(np.argsort(ea.u, kind="stable"))


def _street_km(ea: EdgeArrays) -> float:
    """:func:`circle15.geo.streets.connectivity.street_km` on arrays."""
    m = ea.n_edges
    if m == 0:
        return 0.0
    partner = partners_of(ea.u, ea.v, ea.length)
    skip = (partner >= 0) & (partner < np.arange(m))
    return float(np.cumsum(np.where(skip, 0.0, ea.length))[-1]) / 1000.0


def largest_component_arrays(ea: EdgeArrays) -> dict[str, Any]:
    """:func:`circle15.geo.streets.connectivity.largest_component` on arrays."""
    n_all = len(ea.node_ids)
    adj = sp.csr_matrix((np.ones(ea.n_edges, np.int8), (ea.u, ea.v)), shape=(n_all, n_all))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n_comp)
    by_size = np.sort(sizes)[::-1]
    if n_comp > 1 and by_size[0] == by_size[1]:
        raise _Decline("two largest pieces of the same size")  # networkx decides
    keep = labels == int(np.argmax(sizes))
    n_keep = int(keep.sum())
    km_all = _street_km(ea)
    if n_keep < n_all:
        ea.take_nodes(keep)
    km_kept = _street_km(ea)
    report = component_report(n_comp, n_all, n_keep, km_all, km_kept, by_size)
    return report


@dataclass
class PreparedArrays:
    """The result of :func:`prepare_graphml_arrays`: the edges and the run.json pieces."""

    edges: EdgeArrays
    crs: str
    speed_kmh: float
    connectivity: dict[str, Any]
    load: dict[str, Any]
    timings: dict[str, float]


def _load(path: Path, source: str, mode: str, clip: BaseGeometry | None
          ) -> tuple[EdgeArrays, dict[str, Any]]:
    """Read, filter by mode and clip: the arrays of :func:`load_graph`'s graph."""
    t0 = time.perf_counter()
    ga = read_graphml_arrays(path)
    if ga is None:
        raise _Decline("not a plain GraphML file")
    _check_wgs84(ga)
    graph_filter = ga.graph.get("mode_filter")
    ea = _from_file(ga)
    del ga
    report: dict[str, Any] = {"source": source, "kind": "graphml", "mode": mode}
    hw = ea.attrs.get("highway")
    has_highway = hw is not None and any(h is not None for h in hw.tolist())
    report["highway_tags"] = has_highway
    if has_highway and graph_filter != mode:
        report["edges_dropped_by_mode"] = filter_arrays(ea, mode)
    if ea.n_edges == 0:
        raise _Decline("no streets for the mode")  # the graph path reports it
    if clip is not None:
        report["nodes_outside_area"] = clip_arrays(ea, clip)
    ea.drop_isolated()
    if ea.n_edges == 0:
        raise _Decline("no streets in the area")
    report.update(nodes=len(ea.node_ids), edges=ea.n_edges,
                  seconds=round(time.perf_counter() - t0, 3))
    return ea, report


def prepare_graphml_arrays(path: Path, source: str, *, mode: str,
                           speed_kmh: float | None = None, clip: BaseGeometry | None = None,
                           area: BaseGeometry | None = None, crs: str | None = None,
                           undirected: bool | None = None,
                           speeds_by_class: Mapping[str, float] | None = None
                           ) -> PreparedArrays | None:
    """What :func:`~circle15.geo.streets.prepare.prepare_graph` makes of a GraphML file,
    as arrays; None where the graph path must do it (see the module docstring).

    Parameters
    ----------
    path : Path
        The GraphML file.
    source : str
        The source as configured (for the report).
    mode, speed_kmh, area, crs, undirected, speeds_by_class
        As for :func:`~circle15.geo.streets.prepare.prepare_graph`.
    clip : shapely geometry, optional
        The buffered study area (WGS-84) nodes must lie in.

    Returns
    -------
    PreparedArrays or None
    """
    try:
        return _prepare(path, source, mode=mode, speed_kmh=speed_kmh, clip=clip, area=area,
                        crs=crs, undirected=undirected, speeds_by_class=speeds_by_class)
    except _Decline as exc:
        log.info("%s: %s (prepared as a graph)", path, exc)
        return None


def _prepare(path: Path, source: str, *, mode: str, speed_kmh: float | None,
             clip: BaseGeometry | None, area: BaseGeometry | None, crs: str | None,
             undirected: bool | None, speeds_by_class: Mapping[str, float] | None
             ) -> PreparedArrays:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    ea, load = _load(path, source, mode, clip)
    timings["load_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    if modes.is_two_way(mode, undirected):
        two_way_arrays(ea)
    base_kmh = speed_kmh if speed_kmh is not None else modes.DEFAULT_SPEEDS_KMH[mode]
    kmh = _speeds(ea, mode, base_kmh, speeds_by_class)
    ea.time = ea.length / (kmh / 3.6)
    timings["travel_times_s"] = round(time.perf_counter() - t, 3)
    bounds = shapely.box(ea.x.min(), ea.y.min(), ea.x.max(), ea.y.max())
    chosen = choose_crs(area if area is not None else bounds, crs or "")
    t = time.perf_counter()
    project_arrays(ea, chosen)
    timings["project_s"] = round(time.perf_counter() - t, 3)
    t = time.perf_counter()
    conn = largest_component_arrays(ea)
    timings["components_s"] = round(time.perf_counter() - t, 3)
    return PreparedArrays(edges=ea, crs=chosen, speed_kmh=float(base_kmh), connectivity=conn,
                          load=load, timings=timings)
