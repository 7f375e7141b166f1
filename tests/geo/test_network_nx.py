"""networkx internals are read in one module; osmnx settings are restored; imports stay light."""

from __future__ import annotations

import subprocess
import sys

import networkx as nx
import osmnx as ox
import pytest

from circle15.geo.streets import _nx
from circle15.geo.streets.ways import EDGE_TAGS, osmnx_edge_tags


class _Sub(nx.MultiDiGraph):
    """A subclass: the helpers must use networkx's public API for it."""


def _graph(cls: type) -> nx.MultiDiGraph:
    G = cls()
    G.add_nodes_from([(3, {"x": 1.0}), (1, {"x": 2.0}), (2, {"x": 3.0})])
    G.add_edge(1, 2, length=5.0)
    G.add_edge(1, 2, key="b", length=6.0)
    G.add_edge(2, 1, length=5.0)
    G.add_edge(3, 3, length=1.0)
    return G


@pytest.mark.parametrize("cls", [nx.MultiDiGraph, _Sub])
def test_views_equal_networkx(cls):
    G = _graph(cls)
    assert _nx.edge_rows(G) == list(G.edges(data=True))
    assert _nx.edge_quads(G) == list(G.edges(keys=True, data=True))
    assert all(a is b for (*_, a), (*_, b) in zip(_nx.edge_rows(G), G.edges(data=True)))
    assert dict(_nx.node_data(G)) == dict(G.nodes(data=True))
    has = _nx.has_node(G)
    assert has(3) and not has(4)


@pytest.mark.parametrize("cls", [nx.MultiDiGraph, _Sub])
def test_add_edges_uncopied_equals_add_edges_from(cls):
    edges = [(1, 2, 0, {"a": 1}), (2, 1, 0, {"a": 2}), (1, 2, 0, {"b": 3}), (1, 2, 7, {})]
    A, B = cls(), cls()
    for G in (A, B):
        G.add_nodes_from([1, 2])
    A.add_edges_from([(u, v, k, dict(d)) for u, v, k, d in edges])
    _nx.add_edges_uncopied(B, [(u, v, k, dict(d)) for u, v, k, d in edges])
    assert list(A.edges(keys=True, data=True)) == list(B.edges(keys=True, data=True))
    assert list(A.pred[2].items()) == list(B.pred[2].items())


def test_osmnx_edge_tags_restored_also_on_error():
    before = ox.settings.useful_tags_way
    with pytest.raises(RuntimeError), osmnx_edge_tags():
        assert list(ox.settings.useful_tags_way) == list(EDGE_TAGS)
        raise RuntimeError
    assert ox.settings.useful_tags_way is before


def test_routing_import_loads_no_osmnx_geopandas_or_config():
    code = ("import sys, circle15.geo.routing, circle15.geo.streets.load; "
            "print(sorted(m for m in ('osmnx', 'geopandas', 'pandas', 'circle15.config') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
