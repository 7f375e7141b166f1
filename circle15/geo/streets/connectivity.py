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

from circle15.geo.streets.project import gc_paused

log = logging.getLogger(__name__)


def edge_rows(G: nx.MultiDiGraph) -> list[tuple[Any, Any, dict[str, Any]]]:
    """``list(G.edges(data=True))`` read straight from the adjacency dicts (same order).

    networkx's edge view calls a Python function per edge; on a 500,000-edge network this
    is several times faster.
    """
    return [(u, v, d) for u, nbrs in G._succ.items() for v, kd in nbrs.items()
            for d in kd.values()]


def street_km(G: nx.MultiDiGraph) -> float:
    """Street length in km, a two-way street counted once.

    An edge ``u→v`` whose reverse ``v→u`` exists with the same length (within 1 cm) is
    counted once for the pair; one-way edges are counted once. Edges are paired greedily
    in edge order (vectorised where two nodes have at most one edge each way) and summed
    in edge order, so the result does not depend on how it is computed.
    """
    with gc_paused():
        return _street_km(G)


def isolated_nodes(G: nx.MultiDiGraph) -> list[Any]:
    """Nodes without any edge (in or out), in node order."""
    succ, pred = G.succ, G.pred
    return [n for n in G if not succ[n] and not pred[n]]


def reverse_twins(G: nx.MultiDiGraph, edges: list[tuple[Any, ...]]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised reverse-twin test for ``edges`` of ``G`` (``(u, v, ..., data)`` tuples).

    Returns
    -------
    (ln, simple, twin, back_first) : numpy arrays, one entry per edge
        ``ln`` the edge ``length`` (0 when missing); ``simple`` where the edge is the only
        ``u→v`` edge, ``v→u`` has at most one edge and ``u != v`` (the pairing is then
        decided here; elsewhere callers pair greedily); ``twin`` where a ``v→u`` edge
        exists with the same length within 1 cm (the first one, when not simple);
        ``back_first`` the index of the first ``v→u`` edge (meaningful where ``twin``).
    """
    m = len(edges)
    index = {n: i for i, n in enumerate(G)}
    n = len(index)
    eu = np.fromiter((index[e[0]] for e in edges), np.int64, m)
    ev = np.fromiter((index[e[1]] for e in edges), np.int64, m)
    ln = np.fromiter((float(e[-1].get("length", 0.0)) for e in edges), float, m)
    fwd_key = eu * n + ev
    keys, first, inverse, counts = np.unique(fwd_key, return_index=True,
                                             return_inverse=True, return_counts=True)
    back_key = ev * n + eu
    pos = np.minimum(np.searchsorted(keys, back_key), len(keys) - 1)
    has_back = keys[pos] == back_key
    back_first = first[pos]
    simple = (counts[inverse] == 1) & np.where(has_back, counts[pos] == 1, True) & (eu != ev)
    with np.errstate(invalid="ignore"):
        twin = has_back & (np.abs(ln[back_first] - ln) < 0.01)
    return ln, simple, twin, back_first


def _street_km(G: nx.MultiDiGraph) -> float:
    edges = edge_rows(G)
    m = len(edges)
    if m == 0:
        return 0.0
    ln, simple, twin, back_first = reverse_twins(G, edges)
    # a simple pair of twins is counted at its first edge only
    skip = simple & twin & (back_first < np.arange(m))
    rest = np.flatnonzero(~simple).tolist()
    seen: dict[tuple[Any, Any], list[float]] = {}
    for i in rest:
        u, v, _ = edges[i]
        li = float(ln[i])
        back = seen.get((v, u))
        if back:
            for j, b in enumerate(back):
                if abs(b - li) < 0.01:
                    back.pop(j)
                    break
            else:
                back = None
            if back is not None:
                skip[i] = True
                continue
        seen.setdefault((u, v), []).append(li)
    contrib = np.where(skip, 0.0, ln)
    return float(np.cumsum(contrib)[-1]) / 1000.0  # cumsum: left-to-right, like a loop


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
    with gc_paused():
        return _largest_component(G)


def _largest_component(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, dict[str, Any]]:
    nodes = list(G)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v, _ in edge_rows(G)]
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
    return G, report
