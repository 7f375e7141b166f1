"""All (target, origin) pairs within a travel-time cutoff, exactly.

Used where one nearest facility is not enough: siting (which origins each candidate site
would serve) and the two-step floating catchment (which people share each facility).
Each target is a virtual node on the reversed street graph joined to the ends of its
segment (:func:`circle15.coverage.travel.virtual_source_matrix` semantics); capped
:func:`scipy.sparse.csgraph.dijkstra` runs over batches of nearby targets, each on the
sub-graph within reach of the batch (a straight-line window of ``limit x`` the fastest
edge's straight-line speed, so nothing reachable is cut off) to bound memory and time; each
origin adds its own leg to either end of its segment (:func:`~circle15.coverage.travel.
entry_costs`), and origins on a target's own segment are also reached along it directly
(:func:`~circle15.coverage.travel.same_segment_times`). The floats are added in the same
order as :func:`~circle15.coverage.travel.nearest_facility`, so the two agree exactly.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from circle15.coverage.travel import entry_costs, exit_costs, same_segment_times
from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork


def _max_speed(net: RoutingNetwork) -> float:
    """Upper bound (m/s) on straight-line progress per second over any street edge:
    ``max(euclidean(u, v) / time(u, v))``; ``inf`` when it cannot be bounded."""
    coo = net.matrix.tocoo()
    if not coo.nnz:
        return 0.0
    dist = np.hypot(net.x[coo.row] - net.x[coo.col], net.y[coo.row] - net.y[coo.col])
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(dist > 0, dist / coo.data, 0.0)
    fastest = float(np.max(v))
    return fastest if np.isfinite(fastest) else np.inf


def _rows_subgraph(rev: sp.csr_matrix, sel: np.ndarray, loc: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of ``rev`` between the nodes ``sel`` (``loc`` maps node -> local index, -1
    elsewhere), in local numbering: (rows, cols, weights)."""
    lo = rev.indptr[sel]
    counts = rev.indptr[sel + 1] - lo
    rep = np.repeat(np.arange(len(sel)), counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(lo, counts) + offs
    cols = loc[rev.indices[pos]]
    keep = cols >= 0
    return rep[keep], cols[keep], rev.data[pos[keep]]


def windowed_node_times(net: RoutingNetwork, cand: Links, ok: np.ndarray, limit: float,
                        max_batch_bytes: float, batch_size: int | None = None
                        ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Yield ``(candidate positions in ok, node, seconds)`` for every node from which a
    candidate is reached within ``limit`` seconds.

    The reversed street graph gets one virtual node per candidate, joined to the ends of
    its segment at the exact cost of reaching the candidate from each end (as
    :func:`circle15.coverage.travel.node_times_to` does). Candidates are batched by area;
    each batch runs on the sub-graph of nodes within ``limit * vmax`` metres (straight
    line) of its candidates' segment ends, where ``vmax`` bounds the straight-line speed
    over every edge, so every node within ``limit`` is inside the window and its time is
    the same as on the whole graph. Without a finite ``vmax`` the whole graph is used.
    """
    n = net.n_nodes
    sub = cand.subset(ok)
    cost_u, cost_v = exit_costs(net, sub)
    cu, cv = net.seg_u[sub.segment], net.seg_v[sub.segment]
    rev = net.reversed_matrix
    vmax = _max_speed(net)
    radius = limit * vmax * (1.0 + 1e-9) + 1.0
    finite_xy = np.isfinite(net.x).all() and np.isfinite(net.y).all()
    k = len(ok)
    if np.isfinite(radius) and finite_xy and k:
        ax0 = np.minimum(net.x[cu], net.x[cv])
        ax1 = np.maximum(net.x[cu], net.x[cv])
        ay0 = np.minimum(net.y[cu], net.y[cv])
        ay1 = np.maximum(net.y[cu], net.y[cv])
        tile = 2.0 * radius
        tx = np.floor((ax0 + ax1) / 2.0 / tile).astype(np.int64)
        ty = np.floor((ay0 + ay1) / 2.0 / tile).astype(np.int64)
        order = np.lexsort((ty, tx))
        brk = np.flatnonzero((np.diff(tx[order]) != 0) | (np.diff(ty[order]) != 0)) + 1
        groups = np.split(order, brk)
        xs_order = np.argsort(net.x, kind="stable")
        xs = net.x[xs_order]
    else:
        groups = [np.arange(k)]
    loc = np.full(n, -1, np.int64)
    for grp in groups:
        if np.isfinite(radius) and finite_xy:
            x0, x1 = ax0[grp].min() - radius, ax1[grp].max() + radius
            y0, y1 = ay0[grp].min() - radius, ay1[grp].max() + radius
            band = xs_order[np.searchsorted(xs, x0, "left"):np.searchsorted(xs, x1, "right")]
            sel = np.sort(band[(net.y[band] >= y0) & (net.y[band] <= y1)])
        else:
            sel = np.arange(n)
        m = len(sel)
        loc[sel] = np.arange(m)
        r, c, w = _rows_subgraph(rev, sel, loc)
        batch = int(max(1, min(len(grp), max_batch_bytes // (8 * (m + len(grp))))))
        if batch_size:
            batch = min(batch, batch_size)
        for b0 in range(0, len(grp), batch):
            idx = grp[b0:b0 + batch]
            b = len(idx)
            virt = m + np.arange(b)
            rr = np.concatenate([r, virt, virt])
            cc = np.concatenate([c, loc[cu[idx]], loc[cv[idx]]])
            ww = np.concatenate([w, cost_u[idx], cost_v[idx]])
            fin = np.isfinite(ww)
            mat = sp.csr_matrix((ww[fin], (rr[fin], cc[fin])), shape=(m + b, m + b))
            dist = dijkstra(mat, directed=True, indices=virt, limit=limit)[:, :m]
            br, nl = np.nonzero(dist <= limit)
            yield idx[br], sel[nl], dist[br, nl]
            del dist
        loc[sel] = -1


def _group_by(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR-style grouping: (order, starts) with members of key ``i`` at
    ``order[starts[i]:starts[i + 1]]``."""
    order = np.argsort(keys, kind="stable")
    starts = np.searchsorted(keys[order], np.arange(n + 1), "left")
    return order, starts


def _expand(rows: np.ndarray, keys: np.ndarray, order: np.ndarray, starts: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """For each (row, key) pair, every member of group ``key``: returns (pair index, member)."""
    lo = starts[keys]
    counts = starts[keys + 1] - lo
    has = counts > 0
    idx = np.flatnonzero(has)
    counts = counts[has]
    rep = np.repeat(idx, counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return rep, order[np.repeat(lo[has], counts) + offs]


def pair_times(net: RoutingNetwork, targets: Links, origins: Links, cutoff: float, *,
               max_batch_bytes: float = 1.5e8, batch_size: int | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (target, origin) pair whose origin -> target time is at most ``cutoff``.

    Parameters
    ----------
    net : RoutingNetwork
    targets : Links
        Facilities or candidate sites; unlinked ones reach nobody.
    origins : Links
        People; unlinked ones are never reached.
    cutoff : float
        Seconds.
    max_batch_bytes : float
        Memory bound of one Dijkstra batch (its dense distance block).
    batch_size : int, optional
        At most this many targets per Dijkstra call (for tests of batching).

    Returns
    -------
    target_idx, origin_idx : numpy.ndarray
        Indices into ``targets`` and ``origins``, sorted by (target, origin), one entry
        per pair: its fastest route.
    seconds : numpy.ndarray
        Travel time of each pair.
    """
    n = net.n_nodes
    n_o = len(origins)
    ok = np.flatnonzero(targets.linked)
    ol = np.flatnonzero(origins.linked)
    parts_t, parts_o, parts_s = [], [], []
    if len(ok) and len(ol):
        sub = origins.subset(ol)
        to_u, to_v = entry_costs(net, sub)
        grp_u = _group_by(net.seg_u[sub.segment], n)
        grp_v = _group_by(net.seg_v[sub.segment], n)
        for idx, nd, d in windowed_node_times(net, targets, ok, cutoff, max_batch_bytes,
                                              batch_size):
            for (order, starts), leg in ((grp_u, to_u), (grp_v, to_v)):
                rep, member = _expand(idx, nd, order, starts)
                t = leg[member] + d[rep]
                keep = t <= cutoff
                parts_t.append(ok[idx[rep[keep]]])
                parts_o.append(ol[member[keep]])
                parts_s.append(t[keep])
        t_s, o_s, s_s = same_segment_times(net, targets, origins)
        keep = s_s <= cutoff
        parts_t.append(t_s[keep])
        parts_o.append(o_s[keep])
        parts_s.append(s_s[keep])
    rows = np.concatenate(parts_t).astype(np.int64) if parts_t else np.empty(0, np.int64)
    if not len(rows):
        e = np.empty(0, np.int64)
        return e, e, np.empty(0)
    cols = np.concatenate(parts_o).astype(np.int64)
    secs = np.concatenate(parts_s)
    key = rows * max(n_o, 1) + cols
    # one entry per pair, its fastest time: a stable sort by pair then a minimum per run
    # (half the time of a lexsort by pair and time on millions of pairs; same result)
    order = np.argsort(key, kind="stable")
    key, secs = key[order], secs[order]
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    key, secs = key[start], np.minimum.reduceat(secs, start)
    return key // max(n_o, 1), key % max(n_o, 1), secs
