"""Nearest-facility travel times: one capped multi-source Dijkstra per layer.

The network's node-to-node matrix is augmented with one virtual node per facility, joined to
the two ends of the facility's segment by the exact cost of reaching the facility from each
end (along the segment, then the straight offset). A single
:func:`scipy.sparse.csgraph.dijkstra` run on the *reversed* graph from all virtual nodes, with
``min_only=True`` and ``limit`` = the largest threshold, gives every node its time **to** the
nearest facility (one-way streets are honoured in the direction people travel) and which
facility that is. Each origin then adds its own leg to either end of its segment, and
facilities on the origin's own segment are reached along it directly.

Results are exact: they equal a brute-force networkx computation in which every point is a
node splitting its segment (see ``tests/test_travel.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from circle15.geo.linking import Links
from circle15.geo.network import RoutingNetwork


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


def _part(seconds: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Seconds for ``frac`` of a segment; 0 for a zero fraction even on a forbidden
    direction (``inf * 0`` would be ``nan``)."""
    with np.errstate(invalid="ignore"):
        return np.where(frac > 0, seconds * frac, 0.0)


def _entry_costs(net: RoutingNetwork, links: Links) -> tuple[np.ndarray, np.ndarray]:
    """Seconds from each linked point to its segment's ``u`` and ``v`` ends.

    Moving from the point to ``u`` runs against the segment's orientation (``v -> u``
    direction), to ``v`` along it. ``inf`` where that direction is not allowed.
    """
    seg = links.segment
    acc = links.offset / net.access_speed
    to_u = acc + _part(net.seg_time_bwd[seg], links.frac)
    to_v = acc + _part(net.seg_time_fwd[seg], 1.0 - links.frac)
    return to_u, to_v


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
    n = net.n_nodes
    ok = np.flatnonzero(fac.linked)
    times = np.full(n, np.inf)
    nearest = np.full(n, -1, np.int64)
    if len(ok) == 0:
        return times, nearest
    sub = fac.subset(ok)
    seg = sub.segment
    acc = sub.offset / net.access_speed
    # From node u the facility is reached travelling u -> v for frac of the segment.
    cost_u = _part(net.seg_time_fwd[seg], sub.frac) + acc
    cost_v = _part(net.seg_time_bwd[seg], 1.0 - sub.frac) + acc
    k = len(ok)
    virt = n + np.arange(k)
    # Reversed graph: an edge i -> j of the street graph becomes j -> i.
    coo = net.matrix.tocoo()
    rows = [coo.col, virt, virt]
    cols = [coo.row, net.seg_u[seg], net.seg_v[seg]]
    vals = [coo.data, cost_u, cost_v]
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    w = np.concatenate(vals)
    good = np.isfinite(w)
    r, c, w = r[good], c[good], w[good]
    # Keep the cheapest of duplicate (r, c) pairs (two facilities never share a virtual
    # node, but a facility on a segment with u == v would).
    order = np.lexsort((w, c, r))
    r, c, w = r[order], c[order], w[order]
    first = np.ones(len(r), bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    mat = sp.csr_matrix((w[first], (r[first], c[first])), shape=(n + k, n + k))
    dist, _, sources = dijkstra(mat, directed=True, indices=virt, min_only=True,
                                limit=cutoff, return_predecessors=True)
    times = dist[:n]
    src = sources[:n]
    reached = np.isfinite(times) & (src >= n)
    nearest = np.where(reached, ok[np.where(reached, src - n, 0)], -1)
    return times, nearest


def nearest_facility(net: RoutingNetwork, fac: Links, origins: Links, cutoff: float
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

    Returns
    -------
    NearestResult
    """
    node_t, node_f = node_times_to(net, fac, cutoff)
    n_o = len(origins)
    seconds = np.full(n_o, np.inf)
    facility = np.full(n_o, -1, np.int64)
    lk = np.flatnonzero(origins.linked)
    if len(lk) == 0:
        return NearestResult(seconds, facility)
    sub = origins.subset(lk)
    to_u, to_v = _entry_costs(net, sub)
    seg = sub.segment
    u = net.seg_u[seg]
    v = net.seg_v[seg]
    via_u = to_u + node_t[u]
    via_v = to_v + node_t[v]
    best = np.minimum(via_u, via_v)
    who = np.where(via_u <= via_v, node_f[u], node_f[v])

    # Same-segment shortcuts: a facility on the origin's own segment is reached along it.
    fl = np.flatnonzero(fac.linked)
    if len(fl):
        fseg = fac.segment[fl]
        order = np.argsort(fseg, kind="stable")
        fseg_sorted = fseg[order]
        lo = np.searchsorted(fseg_sorted, seg, "left")
        hi = np.searchsorted(fseg_sorted, seg, "right")
        has = np.flatnonzero(hi > lo)
        if len(has):
            counts = hi[has] - lo[has]
            o_rep = np.repeat(has, counts)
            starts = np.repeat(lo[has], counts)
            offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            f_idx = fl[order[starts + offs]]
            s_o = sub.frac[o_rep]
            s_f = fac.frac[f_idx]
            sg = seg[o_rep]
            along = np.where(
                s_f >= s_o,
                _part(net.seg_time_fwd[sg], s_f - s_o),
                _part(net.seg_time_bwd[sg], s_o - s_f),
            )
            direct = (sub.offset[o_rep] + fac.offset[f_idx]) / net.access_speed + along
            # reduce to the minimum per origin
            ord2 = np.lexsort((direct, o_rep))
            o_s, d_s, f_s = o_rep[ord2], direct[ord2], f_idx[ord2]
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
