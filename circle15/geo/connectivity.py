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

log = logging.getLogger(__name__)


def street_km(G: nx.MultiDiGraph) -> float:
    """Street length in km, a two-way street counted once.

    An edge ``u→v`` whose reverse ``v→u`` exists with the same length (within 1 cm) is
    counted once for the pair; one-way edges are counted once.
    """
    total = 0.0
    seen: dict[tuple[Any, Any], list[float]] = {}
    for u, v, d in G.edges(data=True):
        ln = float(d.get("length", 0.0))
        back = seen.get((v, u))
        if back:
            for i, b in enumerate(back):
                if abs(b - ln) < 0.01:
                    back.pop(i)
                    break
            else:
                back = None
            if back is not None:
                continue
        total += ln
        seen.setdefault((u, v), []).append(ln)
    return total / 1000.0


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
    comps = sorted(nx.strongly_connected_components(G), key=len, reverse=True)
    keep = comps[0]
    km_all = street_km(G)
    n_all = len(G)
    G.remove_nodes_from([n for c in comps[1:] for n in c])
    km_kept = street_km(G)
    report = {
        "pieces_dropped": len(comps) - 1,
        "nodes_dropped": n_all - len(keep),
        "km_dropped": round(km_all - km_kept, 3),
        "nodes_kept": len(keep),
        "km_kept": round(km_kept, 3),
        "largest_dropped_nodes": len(comps[1]) if len(comps) > 1 else 0,
    }
    if report["nodes_dropped"]:
        log.warning("network: kept the largest connected part (%d nodes, %.1f km); dropped "
                    "%d unconnected pieces with %d nodes and %.2f km of street",
                    report["nodes_kept"], km_kept, report["pieces_dropped"],
                    report["nodes_dropped"], report["km_dropped"])
    return G, report
