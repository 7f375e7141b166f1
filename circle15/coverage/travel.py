"""Nearest-facility travel times: one capped multi-source Dijkstra per layer.

The network's reversed node-to-node matrix is augmented with one virtual node per facility,
joined to the two ends of the facility's segment by the exact cost of reaching the facility
from each end (along the segment, then the straight offset). A single
:func:`scipy.sparse.csgraph.dijkstra` run from all virtual nodes, with ``min_only=True`` and
``limit`` = the largest threshold, gives every node its time **to** the nearest facility
(one-way streets are honoured in the direction people travel) and which facility that is.
Each origin then adds its own leg to either end of its segment, and facilities on the
origin's own segment are reached along it directly.

Results are exact: they equal a brute-force networkx computation in which every point is a
node splitting its segment (see ``tests/test_travel.py``). The primitives here
(:func:`entry_costs`, :func:`exit_costs`, :func:`virtual_source_matrix`,
:func:`same_segment_times`) are shared with capacity (2SFCA) and siting, so that every
module adds the same floats in the same order and their numbers agree to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork


@dataclass(frozen=True, eq=False)
class NearestResult:
    """Time from each origin to its nearest facility.

    Attributes
    ----------
    seconds : numpy.ndarray
        Travel time per origin; ``inf`` when no facility is reached within the cap or the
        origin is not linked.
    facility : numpy.ndarray
        Index (into the facility array given) of the nearest facility, ``-1`` when none.
    """

    seconds: np.ndarray
    facility: np.ndarray

    @property
    def minutes(self) -> np.ndarray:
        """Travel time in minutes (``inf`` when not reached)."""
        return self.seconds / 60.0


def partial_time(seconds: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Seconds for ``frac`` of a segment traversed at ``seconds`` for the whole of it.

    A zero fraction costs 0 even in a forbidden direction (``inf * 0`` would be ``nan``):
    a point at a node is at the node.
    """
    with np.errstate(invalid="ignore"):
        return np.where(frac > 0, seconds * frac, 0.0)


def entry_costs(net: RoutingNetwork, links: Links) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from each (linked) point **to** its segment's ``u`` and ``v`` ends.

    Moving from the point to ``u`` runs against the segment's orientation (``v -> u``
    direction), to ``v`` along it; ``inf`` where that direction is not allowed.
    """
    seg = links.segment
    acc = links.offset / net.access_speed
    to_u = acc + partial_time(net.seg_time_bwd[seg], links.frac)
    to_v = acc + partial_time(net.seg_time_fwd[seg], 1.0 - links.frac)
    return to_u, to_v


def exit_costs(net: RoutingNetwork, links: Links) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from each (linked) point's segment ends ``u`` and ``v`` **to** the point."""
    seg = links.segment
    acc = links.offset / net.access_speed
    from_u = partial_time(net.seg_time_fwd[seg], links.frac) + acc
    from_v = partial_time(net.seg_time_bwd[seg], 1.0 - links.frac) + acc
    return from_u, from_v


def virtual_source_matrix(net: RoutingNetwork, targets: Links) -> sp.csr_matrix:
    """The reversed street matrix plus one virtual node per target point.

    Node ``net.n_nodes + j`` stands for ``targets[j]`` (all must be linked); its edges go to
    the ends of the target's segment with the cost of reaching the target from them, so a
    Dijkstra from it gives every node's time **to** the target.
    """
    n = net.n_nodes
    k = len(targets)
    rev = net.reversed_matrix
    from_u, from_v = exit_costs(net, targets)
    cols = np.column_stack([net.seg_u[targets.segment], net.seg_v[targets.segment]])
    vals = np.column_stack([from_u, from_v])
    ok = np.isfinite(vals)
    counts = ok.sum(axis=1)
    indptr = np.concatenate([rev.indptr, rev.indptr[-1] + np.cumsum(counts)])
    indices = np.concatenate([rev.indices, cols[ok]])
    data = np.concatenate([rev.data, vals[ok]])
    return sp.csr_matrix((data, indices, indptr), shape=(n + k, n + k))


def same_segment_times(net: RoutingNetwork, targets: Links, origins: Links
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (target, origin) pair sharing a segment, with the direct time along it.

    Returns
    -------
    target_idx, origin_idx : numpy.ndarray
        Indices into ``targets`` and ``origins`` (linked points only).
    seconds : numpy.ndarray
        Origin -> target time along the shared segment (``inf`` if the direction is not
        allowed).
    """
    tl = np.flatnonzero(targets.linked)
    ol = np.flatnonzero(origins.linked)
    empty = np.empty(0, np.int64)
    if not len(tl) or not len(ol):
        return empty, empty, np.empty(0)
    tseg = targets.segment[tl]
    # only origins on a segment that carries a target (a cheap mask before the search)
    carries = np.zeros(net.n_segments, bool)
    carries[tseg] = True
    ol = ol[carries[origins.segment[ol]]]
    order = np.argsort(tseg, kind="stable")
    tseg_sorted = tseg[order]
    oseg = origins.segment[ol]
    lo = np.searchsorted(tseg_sorted, oseg, "left")
    hi = np.searchsorted(tseg_sorted, oseg, "right")
    counts = hi - lo
    o_idx = np.repeat(ol, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    t_idx = tl[order[np.repeat(lo, counts) + offs]]
    s_o = origins.frac[o_idx]
    s_t = targets.frac[t_idx]
    sg = origins.segment[o_idx]
    along = np.where(s_t >= s_o,
                     partial_time(net.seg_time_fwd[sg], s_t - s_o),
                     partial_time(net.seg_time_bwd[sg], s_o - s_t))
    direct = (origins.offset[o_idx] + targets.offset[t_idx]) / net.access_speed + along
    return t_idx, o_idx, direct


class SourceGraph:
    """The reversed street matrix with a virtual node for every facility of every layer.

    Built once per run; :meth:`node_times_to` then runs the capped Dijkstra for any subset
    of the facilities (one layer, or one layer inside one township) without rebuilding the
    matrix. Virtual nodes have no incoming edges, so the others are never reached.

    Parameters
    ----------
    net : RoutingNetwork
    fac : Links
        All facilities (unlinked ones get no virtual node and reach nothing).
    """

    def __init__(self, net: RoutingNetwork, fac: Links) -> None:
        self.net = net
        self.linked = np.flatnonzero(fac.linked)
        self.virtual = np.full(len(fac), -1, np.int64)
        self.virtual[self.linked] = net.n_nodes + np.arange(len(self.linked))
        self.matrix = virtual_source_matrix(net, fac.subset(self.linked))

    def node_times_to(self, which: np.ndarray, cutoff: float
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Seconds from every node to the nearest of facilities ``which`` (indices into the
        facilities given), and which one; see :func:`node_times_to`."""
        n = self.net.n_nodes
        which = np.asarray(which, np.int64)
        ok = which[self.virtual[which] >= 0]
        if len(ok) == 0:
            return np.full(n, np.inf), np.full(n, -1, np.int64)
        dist, _, sources = dijkstra(self.matrix, directed=True, indices=self.virtual[ok],
                                    min_only=True, limit=cutoff, return_predecessors=True)
        times = dist[:n]
        src = sources[:n]
        reached = np.isfinite(times) & (src >= n)
        nearest = np.where(reached, self.linked[np.where(reached, src - n, 0)], -1)
        return times, nearest


def node_times_to(net: RoutingNetwork, fac: Links, cutoff: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from every node to its nearest facility, and which facility.

    Parameters
    ----------
    net : RoutingNetwork
    fac : Links
        Linked facilities (unlinked ones are ignored).
    cutoff : float
        Seconds; nodes farther than this get ``inf``.

    Returns
    -------
    times : numpy.ndarray
        Per node, ``inf`` beyond ``cutoff``.
    nearest : numpy.ndarray
        Facility index per node, ``-1`` beyond ``cutoff``.
    """
    return SourceGraph(net, fac).node_times_to(np.arange(len(fac)), cutoff)


def nearest_facility(net: RoutingNetwork, fac: Links, origins: Links, cutoff: float, *,
                     graph: SourceGraph | None = None, which: np.ndarray | None = None
                     ) -> NearestResult:
    """Time from each origin to its nearest facility, exact, capped at ``cutoff`` seconds.

    Parameters
    ----------
    net : RoutingNetwork
    fac : Links
        Linked facilities of one layer.
    origins : Links
        Linked origins (people).
    cutoff : float
        Largest time of interest in seconds; longer times are reported as ``inf``.
    graph, which : SourceGraph and numpy.ndarray, optional
        A prebuilt :class:`SourceGraph` over a larger facility set of which ``fac`` is the
        subset ``which`` (its indices); results then index into ``fac`` as usual.

    Returns
    -------
    NearestResult
    """
    if len(fac) == 0 or (which is not None and len(which) == 0):  # an empty layer
        return NearestResult(np.full(len(origins), np.inf), np.full(len(origins), -1, np.int64))
    if graph is None:
        node_t, node_f = node_times_to(net, fac, cutoff)
    elif which is None:
        raise ValueError("nearest_facility: a prebuilt graph needs which (fac's indices in it)")
    else:
        node_t, sub_f = graph.node_times_to(which, cutoff)
        # facility indices of the larger set -> positions in ``which`` (= in ``fac``)
        pos = np.full(len(graph.virtual), -1, np.int64)
        pos[which] = np.arange(len(which))
        node_f = np.where(sub_f >= 0, pos[np.maximum(sub_f, 0)], -1)
    n_o = len(origins)
    seconds = np.full(n_o, np.inf)
    facility = np.full(n_o, -1, np.int64)
    lk = np.flatnonzero(origins.linked)
    if len(lk) == 0:
        return NearestResult(seconds, facility)
    sub = origins.subset(lk)
    to_u, to_v = entry_costs(net, sub)
    u = net.seg_u[sub.segment]
    v = net.seg_v[sub.segment]
    via_u = to_u + node_t[u]
    via_v = to_v + node_t[v]
    best = np.minimum(via_u, via_v)
    who = np.where(via_u <= via_v, node_f[u], node_f[v])

    # Same-segment shortcuts: a facility on the origin's own segment is reached along it.
    f_idx, o_idx, direct = same_segment_times(net, fac, sub)
    if len(o_idx):
        ord2 = np.lexsort((direct, o_idx))
        o_s, d_s, f_s = o_idx[ord2], direct[ord2], f_idx[ord2]
        firsts = np.ones(len(o_s), bool)
        firsts[1:] = o_s[1:] != o_s[:-1]
        o_s, d_s, f_s = o_s[firsts], d_s[firsts], f_s[firsts]
        better = d_s < best[o_s]
        best[o_s[better]] = d_s[better]
        who[o_s[better]] = f_s[better]
    best = np.where(best <= cutoff, best, np.inf)
    who = np.where(np.isfinite(best), who, -1)
    seconds[lk] = best
    facility[lk] = who
    return NearestResult(seconds, facility)
