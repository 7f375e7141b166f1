"""Per-zone coverage: hand-checked numbers and properties (monotone in threshold and in
facilities, empty zones explicit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.travel import nearest_facility
from circle15.coverage.zonal import COMPOSITE, COUNTY, admin_coverage, coverage_table
from circle15.geo.routing.linking import link_points
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import random_graph

ZONES = pd.DataFrame({"zone_id": ["a", "b", "c"], "zone_name": ["甲", "乙", "丙"]})


def _origins():
    return pd.DataFrame({"zone_id": ["a", "a", "b", "b"],
                         "population": [10.0, 30.0, 5.0, 15.0],
                         "age_60p": [1.0, 3.0, 5.0, 0.0]})


def test_hand_checked_rates_and_empty_zone():
    mins = {"clinic": np.array([4.0, 12.0, 16.0, np.inf]),
            "elderly": np.array([1.0, 1.0, 9.0, 20.0])}
    df = coverage_table(_origins(), mins, ZONES, [5, 15],
                        layer_groups={"clinic": "total", "elderly": "age_60p"})
    get = df.set_index(["zone_id", "layer", "group", "minutes"])
    assert get.loc[("a", "clinic", "total", 5), "covered_population"] == 10
    assert get.loc[("a", "clinic", "total", 15), "coverage_rate"] == pytest.approx(1.0)
    assert get.loc[("b", "clinic", "total", 15), "coverage_rate"] == 0
    assert get.loc[(COUNTY, "clinic", "total", 15), "coverage_rate"] == pytest.approx(40 / 60)
    # elderly judged by 60+: zone b has 5 people aged 60+, all within 9 minutes
    assert get.loc[("b", "elderly", "age_60p", 5), "coverage_rate"] == 0
    assert get.loc[("b", "elderly", "age_60p", 15), "coverage_rate"] == 1
    # composite "full circle": the slower of the two layers counts per origin
    # (max times 4, 12, 16, 20 minutes) -> 10 people within 5 min, 40 within 15
    assert get.loc[(COUNTY, COMPOSITE, "total", 5), "covered_population"] == 10
    assert get.loc[(COUNTY, COMPOSITE, "total", 15), "covered_population"] == 40
    # zone c has nobody: explicit empty rate, no division by zero
    row = get.loc[("c", "clinic", "total", 5)]
    assert row["population"] == 0 and np.isnan(row["coverage_rate"])
    assert row["note"] == "no_population"


def test_admin_coverage():
    fac = pd.DataFrame({"layer": ["clinic", "clinic", "fitness"], "zone_id": ["a", "a", "c"]})
    df = admin_coverage(fac, ZONES, ["clinic", "fitness", "disability"]).set_index("layer")
    assert df.loc["clinic", "zones_with_facility"] == 1
    assert df.loc["clinic", "share"] == pytest.approx(1 / 3)
    assert df.loc["clinic", "zones_without"] == "乙、丙"
    assert df.loc["disability", "share"] == 0


def _coverage(net, fac_xy, org_xy, zone, pop, thresholds):
    fac = link_points(net, fac_xy, max_distance=1e6)
    org = link_points(net, org_xy, max_distance=1e6)
    t = nearest_facility(net, fac, org, cutoff=60 * max(thresholds)).minutes
    o = pd.DataFrame({"zone_id": zone, "population": pop})
    z = pd.DataFrame({"zone_id": ["a", "b"], "zone_name": ["a", "b"]})
    return coverage_table(o, {"x": t}, z, thresholds, layer_groups={"x": "total"})


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 5000), n_fac=st.integers(1, 4))
def test_adding_a_facility_never_lowers_coverage(seed, n_fac):
    net = RoutingNetwork.from_graph(random_graph(seed, n_nodes=15, n_edges=25), access_speed=1.25)
    rng = np.random.default_rng(seed)
    fac_xy = rng.uniform(0, 1000, (n_fac + 1, 2))
    org_xy = rng.uniform(0, 1000, (60, 2))
    zone = rng.choice(["a", "b"], 60)
    pop = rng.integers(0, 50, 60).astype(float)
    ths = [2, 5, 10]
    before = _coverage(net, fac_xy[:-1], org_xy, zone, pop, ths)
    after = _coverage(net, fac_xy, org_xy, zone, pop, ths)
    assert (after["covered_population"].to_numpy() >= before["covered_population"].to_numpy()
            ).all()
    # coverage never falls as the threshold grows
    for _, g in after[after["layer"] == "x"].groupby("zone_id"):
        assert np.all(np.diff(g.sort_values("minutes")["covered_population"].to_numpy()) >= 0)
    # county = sum of zones
    for m in ths:
        sel = after[(after["layer"] == "x") & (after["minutes"] == m)].set_index("zone_id")
        assert sel.loc[COUNTY, "covered_population"] == pytest.approx(
            sel.drop(index=COUNTY)["covered_population"].sum())
