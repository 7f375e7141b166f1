"""Exactness of linking + nearest-facility times against brute force (networkx)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.travel import nearest_facility, node_times_to
from circle15.geo.routing.linking import link_points
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import brute_force_times, random_graph

SPEED = 1.25  # m/s = 4.5 km/h


def line_network() -> nx.MultiDiGraph:
    """A-B-C in a straight line, 100 m each way, two-way."""
    G = nx.MultiDiGraph(crs="EPSG:4549")
    for i, x in enumerate([0.0, 100.0, 200.0]):
        G.add_node(i, x=x, y=0.0)
    for a, b in [(0, 1), (1, 2)]:
        for u, v in [(a, b), (b, a)]:
            G.add_edge(u, v, length=100.0, travel_time=100.0 / SPEED)
    return G


def test_hand_checked_line():
    net = RoutingNetwork.from_graph(line_network(), access_speed=SPEED)
    # facility 30 m off the street at x=150; person 40 m off at x=20
    fac = link_points(net, np.array([[150.0, 30.0]]))
    org = link_points(net, np.array([[20.0, -40.0], [170.0, 10.0]]))
    res = nearest_facility(net, fac, org, cutoff=3600)
    # person 0: 40 off + 130 along + 30 off = 200 m; person 1 same segment: 10+20+30 = 60 m
    np.testing.assert_allclose(res.seconds, [200 / SPEED, 60 / SPEED])
    assert res.facility.tolist() == [0, 0]


def test_cutoff_gives_inf_and_minus_one():
    net = RoutingNetwork.from_graph(line_network(), access_speed=SPEED)
    fac = link_points(net, np.array([[200.0, 0.0]]))
    org = link_points(net, np.array([[0.0, 0.0], [190.0, 0.0]]))
    res = nearest_facility(net, fac, org, cutoff=100.0)
    assert np.isinf(res.seconds[0]) and res.facility[0] == -1
    assert res.seconds[1] == pytest.approx(10 / SPEED)


def test_oneway_is_honoured_in_travel_direction():
    G = nx.MultiDiGraph(crs="EPSG:4549")
    G.add_node(0, x=0.0, y=0.0)
    G.add_node(1, x=100.0, y=0.0)
    G.add_node(2, x=100.0, y=100.0)
    G.add_edge(0, 1, length=100.0, travel_time=10.0)  # one-way 0 -> 1
    for u, v in [(1, 2), (2, 1), (2, 0), (0, 2)]:
        G.add_edge(u, v, length=100.0, travel_time=100.0)
    net = RoutingNetwork.from_graph(G, access_speed=1.0)
    fac = link_points(net, np.array([[100.0, 0.0]]))  # at node 1
    org = link_points(net, np.array([[0.0, 0.0]]))  # at node 0
    assert nearest_facility(net, fac, org, cutoff=1e9).seconds[0] == pytest.approx(10.0)
    # the other way round the person must go 1 -> 2 -> 0
    res = nearest_facility(net, org, fac, cutoff=1e9)
    assert res.seconds[0] == pytest.approx(200.0)


def test_node_times_match_networkx():
    G = random_graph(3, n_nodes=30, n_edges=70)
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    nodes = [0, 7]
    fac = link_points(net, np.column_stack([net.x[nodes], net.y[nodes]]), max_distance=1e6)
    t, _ = node_times_to(net, fac, cutoff=np.inf)
    R = G.reverse(copy=True)
    ref = nx.multi_source_dijkstra_path_length(R, [net.node_ids[i] for i in nodes],
                                               weight="travel_time")
    for i, nid in enumerate(net.node_ids):
        assert t[i] == pytest.approx(ref.get(nid, np.inf), rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 5), n_org=st.integers(1, 25),
       oneway=st.sampled_from([0.0, 0.4]))
def test_matches_brute_force(seed, n_fac, n_org, oneway):
    G = random_graph(seed, oneway_share=oneway)
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    rng = np.random.default_rng(seed + 1)
    fac = link_points(net, rng.uniform(-50, 1050, (n_fac, 2)), max_distance=1e6)
    org = link_points(net, rng.uniform(-50, 1050, (n_org, 2)), max_distance=1e6)
    res = nearest_facility(net, fac, org, cutoff=np.inf)
    ref = brute_force_times(net, fac, org)
    np.testing.assert_allclose(res.seconds, ref, rtol=1e-6, atol=1e-6)
    # the reported facility really is at that time
    for i in np.flatnonzero(np.isfinite(res.seconds)):
        only = fac.subset(np.array([res.facility[i]]))
        one = nearest_facility(net, only, org.subset(np.array([i])), cutoff=np.inf)
        assert one.seconds[0] == pytest.approx(res.seconds[i], rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), cutoff=st.floats(50, 800))
def test_cutoff_is_exact(seed, cutoff):
    G = random_graph(seed, oneway_share=0.2)
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    rng = np.random.default_rng(seed)
    fac = link_points(net, rng.uniform(0, 1000, (3, 2)), max_distance=1e6)
    org = link_points(net, rng.uniform(0, 1000, (40, 2)), max_distance=1e6)
    full = nearest_facility(net, fac, org, cutoff=np.inf).seconds
    capped = nearest_facility(net, fac, org, cutoff=cutoff).seconds
    expect = np.where(full <= cutoff, full, np.inf)
    np.testing.assert_allclose(capped, expect, rtol=1e-9)


def test_linking_offsets_and_position():
    G = line_network()
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    links = link_points(net, np.array([[50.0, 20.0], [150.0, -5.0], [50.0, 500.0]]),
                        max_distance=300)
    assert links.linked.tolist() == [True, True, False]
    np.testing.assert_allclose(links.offset[:2], [20.0, 5.0])
    seg0 = links.segment[0]
    assert {net.seg_u[seg0], net.seg_v[seg0]} == {0, 1}
    # position measured from the segment's u end
    expected = 0.5
    assert links.frac[0] == pytest.approx(expected)


def test_curved_geometry_position_uses_geometry():
    G = nx.MultiDiGraph(crs="EPSG:4549")
    G.add_node(0, x=0.0, y=0.0)
    G.add_node(1, x=100.0, y=0.0)
    geom = shapely.LineString([(0, 0), (0, 100), (100, 100), (100, 0)])  # 300 m U shape
    for u, v, g in [(0, 1, geom), (1, 0, shapely.reverse(geom))]:
        G.add_edge(u, v, length=300.0, travel_time=300.0, geometry=g)
    net = RoutingNetwork.from_graph(G, access_speed=1.0)
    fac = link_points(net, np.array([[50.0, 110.0]]))  # middle of the top bar, 10 m off
    org = link_points(net, np.array([[0.0, 0.0]]))
    assert nearest_facility(net, fac, org, cutoff=1e9).seconds[0] == pytest.approx(160.0)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(2, 8))
def test_shared_source_graph_equals_per_layer(seed, n_fac):
    """One matrix with every facility gives each subset exactly its own answer."""
    from circle15.coverage.travel import SourceGraph

    net = RoutingNetwork.from_graph(random_graph(seed, oneway_share=0.3), access_speed=SPEED)
    rng = np.random.default_rng(seed)
    fac = link_points(net, rng.uniform(-50, 1050, (n_fac, 2)), max_distance=1e6)
    org = link_points(net, rng.uniform(-50, 1050, (30, 2)), max_distance=1e6)
    graph = SourceGraph(net, fac)
    which = np.flatnonzero(rng.random(n_fac) < 0.5)
    alone = nearest_facility(net, fac.subset(which), org, cutoff=600)
    shared = nearest_facility(net, fac.subset(which), org, cutoff=600, graph=graph, which=which)
    np.testing.assert_array_equal(shared.seconds, alone.seconds)
    np.testing.assert_array_equal(shared.facility, alone.facility)
