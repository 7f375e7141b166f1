"""Capacity per 1,000 and 2SFCA: hand-checked numbers and brute force (networkx)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.capacity import capacity_per_1000, reach_pairs, sfca_by_zone, two_step_fca
from circle15.errors import InputError
from circle15.geo.routing.linking import link_points
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import brute_force_times, random_graph

SPEED = 1.25


def test_capacity_per_1000_both_denominators():
    zones = pd.DataFrame({"zone_id": ["a", "b", "c"], "population": [20_000, 5_000, 0],
                          "age_0_3": [400, 0, 0]})
    fac = pd.DataFrame({
        "layer": ["childcare", "childcare", "childcare", "clinic", "childcare", "childcare"],
        "zone_id": ["a", "a", "b", "a", "", "b"],
        "capacity": [50, 30, 25, 999, 100, np.nan],
    })
    tot = capacity_per_1000(fac, zones, "childcare")
    assert tot["zone_id"].tolist() == ["a", "b", "c", "ALL"]
    assert tot["capacity"].tolist() == [80, 25, 0, 105]  # the "" facility is outside
    assert tot["facilities"].tolist() == [2, 2, 0, 4]
    assert tot["capacity_missing"].tolist() == [0, 1, 0, 1]
    np.testing.assert_allclose(tot["per_1000"][:2], [80 / 20, 25 / 5])
    assert np.isnan(tot["per_1000"].iloc[2])  # no people
    assert tot["per_1000"].iloc[3] == pytest.approx(105 / 25)
    grp = capacity_per_1000(fac, zones, "childcare", group="age_0_3")
    assert grp["per_1000"].iloc[0] == pytest.approx(80 / 400 * 1000)
    assert np.isnan(grp["per_1000"].iloc[1])
    assert grp["per_1000"].iloc[3] == pytest.approx(105 / 400 * 1000)
    assert (grp["group"] == "age_0_3").all()


def test_capacity_missing_group_column_is_input_error():
    zones = pd.DataFrame({"zone_id": ["a"], "population": [10]})
    fac = pd.DataFrame({"layer": ["x"], "zone_id": ["a"], "capacity": [1]})
    with pytest.raises(InputError, match="age_60p"):
        capacity_per_1000(fac, zones, "x", group="age_60p")


def line(n=5, step=100.0) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs="EPSG:4549")
    for i in range(n):
        G.add_node(i, x=i * step, y=0.0)
    for i in range(n - 1):
        G.add_edge(i, i + 1, length=step, travel_time=step / SPEED)
        G.add_edge(i + 1, i, length=step, travel_time=step / SPEED)
    return G


def test_two_step_fca_hand_checked():
    net = RoutingNetwork.from_graph(line(), access_speed=SPEED)  # 0..400 m
    fac = link_points(net, np.array([[0.0, 0.0], [400.0, 0.0]]))
    org = link_points(net, np.array([[50.0, 0.0], [200.0, 0.0], [390.0, 0.0], [0.0, 900.0]]))
    demand = np.array([10.0, 20.0, 30.0, 5.0])  # the last origin is not linked
    cap = np.array([6.0, 10.0])
    # catchment 250 m: fac0 reaches origins 0 (50 m), 1 (200 m); fac1 reaches 1 (200), 2 (10)
    a = two_step_fca(net, fac, cap, org, demand, catchment_s=250 / SPEED)
    r0, r1 = 6 / 30, 10 / 50
    np.testing.assert_allclose(a, [r0, r0 + r1, r1, 0.0])
    # catchment 150 m: origin 1 reaches nothing
    a = two_step_fca(net, fac, cap, org, demand, catchment_s=150 / SPEED)
    np.testing.assert_allclose(a, [6 / 10, 0.0, 10 / 30, 0.0])


def test_facility_without_demand_contributes_nothing():
    net = RoutingNetwork.from_graph(line(), access_speed=SPEED)
    fac = link_points(net, np.array([[0.0, 0.0]]))
    org = link_points(net, np.array([[10.0, 0.0], [390.0, 0.0]]))
    a = two_step_fca(net, fac, np.array([5.0]), org, np.array([0.0, 7.0]), 100 / SPEED)
    np.testing.assert_allclose(a, [0.0, 0.0])


def brute_pairs(net, fac, org, cutoff):
    t = np.full((len(fac), len(org)), np.inf)
    for j in range(len(fac)):
        if fac.segment[j] >= 0:
            t[j] = brute_force_times(net, fac.subset(np.array([j])), org)
    return np.where(t <= cutoff, t, np.inf)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 6), n_org=st.integers(1, 30),
       oneway=st.sampled_from([0.0, 0.4]), catchment=st.floats(100, 900),
       batch=st.sampled_from([1, 2, 64]))
def test_two_step_fca_matches_brute_force(seed, n_fac, n_org, oneway, catchment, batch):
    G = random_graph(seed, oneway_share=oneway)
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    rng = np.random.default_rng(seed + 7)
    fac = link_points(net, rng.uniform(-50, 1050, (n_fac, 2)), max_distance=300)
    org = link_points(net, rng.uniform(-50, 1050, (n_org, 2)), max_distance=300)
    cap = rng.integers(1, 50, n_fac).astype(float)
    dem = rng.integers(0, 30, n_org).astype(float)
    ref_t = brute_pairs(net, fac, org, catchment)
    # reach pairs are exact
    fi, oi, t = reach_pairs(net, fac, org, catchment, batch_size=batch)
    got = np.full_like(ref_t, np.inf)
    got[fi, oi] = t
    np.testing.assert_allclose(got, ref_t, rtol=1e-9, atol=1e-6)
    # 2SFCA by the textbook formula on brute-force times
    inside = np.isfinite(ref_t)
    fac_dem = (inside * dem[None, :]).sum(axis=1)
    ratio = np.divide(cap, fac_dem, out=np.zeros_like(cap), where=fac_dem > 0)
    expect = (inside * ratio[:, None]).sum(axis=0)
    a = two_step_fca(net, fac, cap, org, dem, catchment, batch_size=batch)
    np.testing.assert_allclose(a, expect, rtol=1e-9, atol=1e-12)
    # supply is conserved: every unit of capacity with demand around it is handed out
    assert (a * dem).sum() == pytest.approx(cap[fac_dem > 0].sum(), rel=1e-9)


def test_sfca_by_zone_weighted_mean():
    a = np.array([0.1, 0.3, 0.5, 9.0])
    d = np.array([1.0, 3.0, 2.0, 4.0])
    z = ["a", "a", "b", "x"]  # "x" is not a zone
    df = sfca_by_zone(a, d, z, ["a", "b", "c"])
    assert df["zone_id"].tolist() == ["a", "b", "c", "ALL"]
    np.testing.assert_allclose(df["population"], [4, 2, 0, 6])
    assert df["ratio"].iloc[0] == pytest.approx((0.1 + 0.9) / 4)
    assert df["ratio"].iloc[1] == pytest.approx(0.5)
    assert np.isnan(df["ratio"].iloc[2])
    assert df["ratio"].iloc[3] == pytest.approx((0.1 + 0.9 + 1.0) / 6)
    assert df["per_1000"].iloc[1] == pytest.approx(500.0)
