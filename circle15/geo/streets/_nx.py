"""Fast access to a networkx graph's adjacency: the only module that reads networkx internals.

networkx's views (``G.edges(data=True)``, ``G.nodes[n]``, ``G.add_edges_from``) call Python
code per edge; on a 500,000-edge street network that costs seconds. These helpers read and
write the dicts behind the views (``G._succ``, ``G._pred``, ``G._node``) for the plain
:class:`networkx.MultiDiGraph` only, with the documented API as the fallback for anything
else (subclasses may use other dict factories). Keeping every such access here means a
networkx release that changes its internals breaks one small module, with tests on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx


def _plain(G: nx.Graph) -> bool:
    return type(G) is nx.MultiDiGraph


def edge_rows(G: nx.MultiDiGraph) -> list[tuple[Any, Any, dict[str, Any]]]:
    """``list(G.edges(data=True))``, same order, the data dicts themselves (not copies)."""
    if not _plain(G):
        return list(G.edges(data=True))
    return [(u, v, d) for u, nbrs in G._succ.items() for v, kd in nbrs.items()
            for d in kd.values()]


def edge_quads(G: nx.MultiDiGraph) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    """``list(G.edges(keys=True, data=True))``, same order, the data dicts themselves."""
    if not _plain(G):
        return list(G.edges(keys=True, data=True))
    return [(u, v, k, d) for u, nbrs in G._succ.items() for v, kd in nbrs.items()
            for k, d in kd.items()]


def node_data(G: nx.Graph) -> Mapping[Any, dict[str, Any]]:
    """Node id -> attribute dict (``G.nodes`` without the view; read-only use)."""
    if not _plain(G):
        return {n: d for n, d in G.nodes(data=True)}
    return G._node


def has_node(G: nx.Graph) -> Callable[[Any], bool]:
    """A fast ``n in G`` test (the bound ``__contains__`` of the node dict)."""
    if not _plain(G):
        return G.__contains__
    return G._node.__contains__


def add_edges_uncopied(G: nx.MultiDiGraph,
                       edges: Iterable[tuple[Any, Any, Any, dict[str, Any]]]) -> None:
    """``G.add_edges_from(edges)`` for ``(u, v, key, data)`` between existing nodes.

    Same result (edge order, keys, a later duplicate key updating the earlier edge's
    data) without copying each data dict: the dicts are stored as they are, so the caller
    must not reuse them. Falls back to ``add_edges_from`` for subclasses of
    ``MultiDiGraph`` (other dict factories).
    """
    if not _plain(G):
        G.add_edges_from(edges)
        return
    succ, pred = G._succ, G._pred
    for u, v, key, data in edges:
        nbrs = succ[u]
        keydict = nbrs.get(v)
        if keydict is None:
            nbrs[v] = pred[v][u] = {key: data}
        elif key in keydict:
            keydict[key].update(data)
        else:
            keydict[key] = data
