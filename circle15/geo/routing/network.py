"""The routable network as arrays: what the scipy hot path runs on.

A projected osmnx-style ``MultiDiGraph`` (nodes with ``x``/``y`` in a metric CRS, edges with
``length`` in metres and ``travel_time`` in seconds, optional ``geometry``) is turned into a
:class:`RoutingNetwork`:

* a CSR matrix of directed travel times between node indices (the minimum over parallel
  edges), for :func:`scipy.sparse.csgraph.dijkstra`;
* a table of *segments*: each physical street piece once, oriented ``u -> v`` with its
  geometry, length and the travel time in each direction (``inf`` where that direction may
  not be used, e.g. against a one-way street when driving). Points (facilities, people) are
  linked onto segments, never onto nodes, so that linking is exact.

The graph is never mutated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
import shapely


@dataclass(frozen=True, eq=False)
class RoutingNetwork:
    """A street network in array form.

    Attributes
    ----------
    crs : str
        Metric CRS of all coordinates.
    node_ids : numpy.ndarray
        Original node ids (e.g. OSM ids), indexed by node index.
    x, y : numpy.ndarray
        Node coordinates in ``crs``.
    matrix : scipy.sparse.csr_matrix
        ``n x n`` directed travel times in seconds (row = from, column = to).
    seg_u, seg_v : numpy.ndarray
        Node indices of each segment's ends; the geometry runs from ``u`` to ``v``.
    seg_length : numpy.ndarray
        Segment length in metres (as given by the graph's ``length``).
    seg_time_fwd, seg_time_bwd : numpy.ndarray
        Seconds to traverse the whole segment ``u -> v`` and ``v -> u``; ``inf`` where the
        direction is not allowed.
    seg_geometry : numpy.ndarray
        Shapely LineStrings in ``crs``, oriented ``u -> v``.
    seg_highway : numpy.ndarray
        The ``highway`` class of each segment ("" when unknown).
    access_speed : float
        Metres per second for the straight leg between a point and its segment.
    report : dict
        How the network was prepared (source, mode, CRS, kept and dropped pieces, km,
        timings...; see :func:`circle15.geo.routing.load_network`); empty when built
        directly with :meth:`from_graph`.
    """

    crs: str
    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    matrix: sp.csr_matrix
    seg_u: np.ndarray
    seg_v: np.ndarray
    seg_length: np.ndarray
    seg_time_fwd: np.ndarray
    seg_time_bwd: np.ndarray
    seg_geometry: np.ndarray
    seg_highway: np.ndarray
    access_speed: float
    report: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def reversed_matrix(self) -> sp.csr_matrix:
        """The transpose of :attr:`matrix` (row = to, column = from), sorted CSR.

        Dijkstra on it from a set of targets gives every node's time *to* the targets.
        Computed once per network and cached.
        """
        rev = self.matrix.T.tocsr()
        rev.sort_indices()
        return rev

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    @property
    def n_segments(self) -> int:
        """Number of segments (physical street pieces)."""
        return len(self.seg_u)

    @property
    def total_km(self) -> float:
        """Total street length in kilometres (each segment once)."""
        return float(self.seg_length.sum() / 1000.0)

    def node_index(self, node_id) -> int:
        """Index of an original node id."""
        idx = np.flatnonzero(self.node_ids == node_id)
        if not len(idx):
            raise KeyError(node_id)
        return int(idx[0])

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph, *, access_speed: float, crs: str | None = None,
                   report: dict[str, Any] | None = None) -> RoutingNetwork:
        """Build from a projected graph with ``length`` and ``travel_time`` on every edge.

        Parameters
        ----------
        G : networkx.MultiDiGraph
            Projected graph (``G.graph["crs"]`` metric); node attributes ``x``, ``y``; edge
            attributes ``length`` (m), ``travel_time`` (s), optional ``geometry`` and
            ``highway``. A two-way street is two directed edges.
        access_speed : float
            Metres per second for the leg between a point and the street.
        crs : str, optional
            Overrides ``G.graph["crs"]``.
        report : dict, optional
            Kept as :attr:`report`.

        Returns
        -------
        RoutingNetwork
        """
        crs = str(crs or G.graph.get("crs", ""))
        node_ids = np.array(list(G.nodes), dtype=object)
        try:
            node_ids = node_ids.astype(np.int64)
        except (TypeError, ValueError):
            pass
        x = np.fromiter((d["x"] for _, d in G.nodes(data=True)), float, len(node_ids))
        y = np.fromiter((d["y"] for _, d in G.nodes(data=True)), float, len(node_ids))
        eu, ev, length, time, geoms, hw = _edge_arrays(G)
        return cls.from_arrays(node_ids, x, y, eu, ev, length, time, geoms, hw,
                               access_speed=access_speed, crs=crs, report=report)

    @classmethod
    def from_arrays(cls, node_ids: np.ndarray, x: np.ndarray, y: np.ndarray, eu: np.ndarray,
                    ev: np.ndarray, length: np.ndarray, time: np.ndarray, geoms: np.ndarray,
                    highway: np.ndarray, *, access_speed: float, crs: str,
                    report: dict[str, Any] | None = None) -> RoutingNetwork:
        """Build from directed edges as arrays (what :meth:`from_graph` reads off a graph).

        Parameters
        ----------
        node_ids, x, y : numpy.ndarray
            Per node: id and metric coordinates.
        eu, ev : numpy.ndarray
            Per directed edge, in the graph's edge order: node indices of its ends.
        length, time : numpy.ndarray
            Per edge: metres and seconds.
        geoms : numpy.ndarray
            Per edge: a shapely LineString from ``eu`` to ``ev``, or None (straight).
        highway : numpy.ndarray
            Per edge: the highway class (str, "" when unknown).
        access_speed : float
        crs : str
        report : dict, optional

        Returns
        -------
        RoutingNetwork
        """
        seg = _segments(eu, ev, length, time, geoms, highway, x, y)
        return cls(
            crs=str(crs),
            node_ids=node_ids,
            x=x,
            y=y,
            matrix=_min_time_matrix(eu, ev, time, len(node_ids)),
            **seg,
            access_speed=float(access_speed),
            report=dict(report or {}),
        )


def _edge_arrays(G: nx.MultiDiGraph) -> tuple[np.ndarray, ...]:
    """Per edge (in edge order): node indices, length, travel time, geometry, highway."""
    index = {nid: i for i, nid in enumerate(G.nodes)}
    m = G.number_of_edges()
    eu = np.empty(m, np.int64)
    ev = np.empty(m, np.int64)
    length = np.empty(m)
    time = np.empty(m)
    geoms = np.empty(m, dtype=object)
    hw = np.empty(m, dtype=object)
    for i, (u, v, d) in enumerate(G.edges(data=True)):
        eu[i] = index[u]
        ev[i] = index[v]
        length[i] = d["length"]
        time[i] = d["travel_time"]
        geoms[i] = d.get("geometry")
        hw[i] = highway_class(d.get("highway", ""))
    return eu, ev, length, time, geoms, hw


def highway_class(h: Any) -> str:
    """The class of an edge's ``highway`` value: the first of a list, "" when unknown."""
    return h[0] if isinstance(h, list) and h else (h if isinstance(h, str) else "")


def _min_time_matrix(eu: np.ndarray, ev: np.ndarray, time: np.ndarray, n: int
                     ) -> sp.csr_matrix:
    """Directed ``n x n`` matrix: the minimum travel time over parallel edges."""
    m = len(eu)
    order = np.lexsort((time, ev, eu))
    su, sv, st = eu[order], ev[order], time[order]
    first = np.ones(m, bool)
    first[1:] = (su[1:] != su[:-1]) | (sv[1:] != sv[:-1])
    return sp.csr_matrix((st[first], (su[first], sv[first])), shape=(n, n))


def _segments(eu: np.ndarray, ev: np.ndarray, length: np.ndarray, time: np.ndarray,
              geoms: np.ndarray, hw: np.ndarray, x: np.ndarray, y: np.ndarray
              ) -> dict[str, np.ndarray]:
    """Segment arrays (``seg_*`` fields): each physical street piece once.

    Each directed edge is grouped with its reverse twin (same end nodes, same length to
    the centimetre). Self-loops are kept out of linking: they never lie on a shortest path
    and a point on a loop is equally well linked to a neighbour.
    """
    a = np.minimum(eu, ev)
    b = np.maximum(eu, ev)
    lkey = np.round(length, 2)
    forward = eu <= ev
    keep = eu != ev
    order = np.lexsort((~forward, lkey, b, a))
    order = order[keep[order]]
    ka, kb, kl = a[order], b[order], lkey[order]
    start = np.ones(len(order), bool)
    start[1:] = (ka[1:] != ka[:-1]) | (kb[1:] != kb[:-1]) | (kl[1:] != kl[:-1])
    starts = np.flatnonzero(start)
    fw = forward[order]
    t_sorted = time[order]
    # per group: fastest forward and fastest backward edge (inf when none)
    t_fwd = np.minimum.reduceat(np.where(fw, t_sorted, np.inf), starts) if len(starts) \
        else np.empty(0)
    t_bwd = np.minimum.reduceat(np.where(fw, np.inf, t_sorted), starts) if len(starts) \
        else np.empty(0)
    first = order[starts]  # a forward edge when the group has one (sorted first)
    seg_u = np.asarray(a[first], np.int64)
    seg_v = np.asarray(b[first], np.int64)
    return {
        "seg_u": seg_u,
        "seg_v": seg_v,
        "seg_length": np.asarray(length[first], float),
        "seg_time_fwd": np.asarray(t_fwd, float),
        "seg_time_bwd": np.asarray(t_bwd, float),
        "seg_geometry": _segment_geometries(geoms[first].copy(), ~forward[first], seg_u,
                                            seg_v, x, y),
        "seg_highway": hw[first],
    }


def _segment_geometries(seg_geom: np.ndarray, rev: np.ndarray, seg_u: np.ndarray,
                        seg_v: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Geometries oriented ``u -> v``; a straight line where the edge had none."""
    has = np.array([g is not None for g in seg_geom], bool)
    if (rev & has).any():
        seg_geom[rev & has] = shapely.reverse(seg_geom[rev & has].tolist())
    missing = ~has
    if missing.any():
        coords = np.stack([
            np.column_stack([x[seg_u[missing]], y[seg_u[missing]]]),
            np.column_stack([x[seg_v[missing]], y[seg_v[missing]]]),
        ], axis=1)
        seg_geom[missing] = shapely.linestrings(coords)
    return seg_geom
