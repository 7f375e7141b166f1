"""Keep the routable core of a network and report what was dropped.

Shortest-path travel times are only meaningful inside one strongly connected component:
a piece of street that cannot be reached (or left) would give infinite times. We keep the
largest strongly connected component and report the rest (pieces, nodes, kilometres) so
that a planner can see whether something important — an island of streets around a
clinic, a clipped border road — was lost.
"""

from __future__ import annotations

import logging
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from circle15.geo.streets import _nx

log = logging.getLogger(__name__)


def street_km(G: nx.MultiDiGraph) -> float:
    """Street length in km, a two-way street counted once.

    An edge ``u→v`` paired with a reverse twin (:func:`reverse_partners`) is counted once
    for the pair, at the earlier of the two; unpaired (one-way) edges are counted once.
    Lengths are summed in edge order, so the result does not depend on how it is computed.
    """
    edges = _nx.edge_rows(G)
    m = len(edges)
    if m == 0:
        return 0.0
    ln, partner = reverse_partners(G, edges)
    skip = (partner >= 0) & (partner < np.arange(m))
    contrib = np.where(skip, 0.0, ln)
    return float(np.cumsum(contrib)[-1]) / 1000.0  # cumsum: left-to-right, like a loop


def isolated_nodes(G: nx.MultiDiGraph) -> list[Any]:
    """Nodes without any edge (in or out), in node order."""
    succ, pred = G.succ, G.pred
    return [n for n in G if not succ[n] and not pred[n]]


#: Two opposite edges are twins when their lengths differ by less than this (m).
TWIN_TOLERANCE_M = 0.01


def reverse_partners(G: nx.MultiDiGraph, edges: list[tuple[Any, ...]]
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The one reverse-edge pairing rule: each edge's reverse twin, if it has one.

    An edge ``u→v`` and an edge ``v→u`` are twins when their ``length`` differs by less
    than :data:`TWIN_TOLERANCE_M`; each edge has at most one twin. Where two nodes have at
    most one edge each way (the usual case) this is decided vectorised; elsewhere
    (parallel edges, loops) edges are paired greedily in edge order, each with the earliest
    unpaired earlier twin. A loop ``u→u`` pairs with an earlier loop of the same length.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    edges : list of tuples
        ``(u, v, ..., data)`` for the edges of ``G``, in edge order.

    Returns
    -------
    (ln, partner) : numpy arrays, one entry per edge
        ``ln`` the edge ``length`` (0 when missing); ``partner`` the index of the twin in
        ``edges``, or -1.
    """
    m = len(edges)
    index = {n: i for i, n in enumerate(G)}
    eu = np.fromiter((index[e[0]] for e in edges), np.int64, m)
    ev = np.fromiter((index[e[1]] for e in edges), np.int64, m)
    ln = np.fromiter((float(e[-1].get("length", 0.0)) for e in edges), float, m)
    return ln, partners_of(eu, ev, ln)


def partners_of(eu: np.ndarray, ev: np.ndarray, ln: np.ndarray) -> np.ndarray:
    """:func:`reverse_partners` on arrays: edges ``eu[i] -> ev[i]`` (node indices, in edge
    order) of length ``ln[i]``; the index of each edge's twin, or -1."""
    simple, twin, back_first = _vector_twins(eu, ev, ln)
    partner = np.where(simple & twin, back_first, -1)
    seen: dict[tuple[int, int], list[tuple[float, int]]] = {}
    for i in np.flatnonzero(~simple).tolist():
        u, v = int(eu[i]), int(ev[i])
        li = float(ln[i])
        back = seen.get((v, u))
        if back:
            for j, (b, bi) in enumerate(back):
                if abs(b - li) < TWIN_TOLERANCE_M:
                    back.pop(j)
                    partner[i], partner[bi] = bi, i
                    break
            else:
                back = None
            if back is not None:
                continue
        seen.setdefault((u, v), []).append((li, i))
    return partner


def _vector_twins(eu: np.ndarray, ev: np.ndarray, ln: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(simple, twin, back_first)``: the vectorised part of :func:`partners_of`.

    ``simple`` where the edge is the only ``u→v`` edge, ``v→u`` has at most one edge and
    ``u != v``; ``twin`` where a ``v→u`` edge exists within the tolerance (the first one);
    ``back_first`` the index of the first ``v→u`` edge (meaningful where ``twin``).
    """
    n = int(max(eu.max(initial=0), ev.max(initial=0))) + 1
    fwd_key = eu * n + ev
    keys, first, inverse, counts = np.unique(fwd_key, return_index=True,
                                             return_inverse=True, return_counts=True)
    back_key = ev * n + eu
    pos = np.minimum(np.searchsorted(keys, back_key), max(len(keys) - 1, 0))
    has_back = keys[pos] == back_key if len(keys) else np.zeros(0, bool)
    back_first = first[pos] if len(keys) else np.zeros(0, np.int64)
    simple = (counts[inverse] == 1) & np.where(has_back, counts[pos] == 1, True) & (eu != ev) \
        if len(keys) else np.zeros(0, bool)
    with np.errstate(invalid="ignore"):
        twin = has_back & (np.abs(ln[back_first] - ln) < TWIN_TOLERANCE_M)
    return simple, twin, back_first


def largest_component(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    """The largest strongly connected component of ``G``, and a report of what was dropped.

    Parameters
    ----------
    G : networkx.MultiDiGraph

    Returns
    -------
    (networkx.MultiDiGraph, dict)
        The component (``G`` itself with the other pieces removed, for speed on large
        graphs; graph attributes kept) and a report with ``pieces_dropped``,
        ``nodes_dropped``, ``km_dropped`` (street km in dropped pieces and on edges
        between pieces), ``nodes_kept``, ``km_kept`` and ``largest_dropped_nodes``.
        A warning is logged when anything is dropped.
    """
    if len(G) == 0:
        return G, {"pieces_dropped": 0, "nodes_dropped": 0, "km_dropped": 0.0,
                          "nodes_kept": 0, "km_kept": 0.0, "largest_dropped_nodes": 0}
    return _largest_component(G)


def _largest_component(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v, _ in _nx.edge_rows(G)]
    uv = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    n_all = len(nodes)
    adj = sp.csr_matrix((np.ones(len(uv), np.int8), (uv[:, 0], uv[:, 1])),
                        shape=(n_all, n_all))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n_comp)
    by_size = np.sort(sizes)[::-1]
    if n_comp > 1 and by_size[0] == by_size[1]:
        # a tie for the largest piece: keep the one networkx lists first, as before
        comps = sorted(nx.strongly_connected_components(G), key=len, reverse=True)
        keep_mask = np.zeros(n_all, bool)
        keep_mask[[index[n] for n in comps[0]]] = True
    else:
        keep_mask = labels == int(np.argmax(sizes))
    n_keep = int(keep_mask.sum())
    km_all = street_km(G)
    G.remove_nodes_from([n for n, k in zip(nodes, keep_mask.tolist(), strict=True) if not k])
    km_kept = street_km(G)
    report = component_report(n_comp, n_all, n_keep, km_all, km_kept, by_size)
    return G, report


def component_report(n_comp: int, n_all: int, n_keep: int, km_all: float, km_kept: float,
                     by_size: np.ndarray) -> dict[str, Any]:
    """What keeping the largest connected part dropped (one form for the graph and the
    arrays path), logged when anything was dropped."""
    report = {
        "pieces_dropped": int(n_comp) - 1,
        "nodes_dropped": n_all - n_keep,
        "km_dropped": round(km_all - km_kept, 3),
        "nodes_kept": n_keep,
        "km_kept": round(km_kept, 3),
        "largest_dropped_nodes": int(by_size[1]) if n_comp > 1 else 0,
    }
    if report["nodes_dropped"]:
        log.warning("network: kept the largest connected part (%d nodes, %.1f km); dropped "
                    "%d unconnected pieces with %d nodes and %.2f km of street",
                    report["nodes_kept"], km_kept, report["pieces_dropped"],
                    report["nodes_dropped"], report["km_dropped"])
    return report
