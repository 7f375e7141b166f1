"""Exactness on a real Chinese street network: the Hangzhou graph from ../shared.

Every origin's time to its nearest facility equals a brute-force networkx computation with
every point inserted as a node splitting its segment, and per-zone covered population
equals the brute-force sum. Origins and facilities are random points (seeded) on the real
streets; skipped cleanly when ../shared is absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from circle15.coverage.travel import nearest_facility
from circle15.coverage.zonal import COUNTY, coverage_table
from circle15.geo.routing import load_network
from circle15.geo.routing.linking import link_points, usable_segments
from support.bruteforce import brute_force_times

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def hz_net(shared_dir):
    path = shared_dir / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"
    if not path.is_file():
        pytest.skip(f"Hangzhou graph not available at {path}")
    net = load_network(str(path), mode="walk", crs="EPSG:4549")
    assert net.crs == "EPSG:4549"
    return net


@pytest.mark.parametrize("seed", [1, 2])
def test_hangzhou_times_and_zone_sums_equal_brute_force(hz_net, seed):
    net = hz_net
    rng = np.random.default_rng(seed)
    x0, x1 = np.percentile(net.x, [20, 80])
    y0, y1 = np.percentile(net.y, [20, 80])

    def points(n):
        return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])

    usable = usable_segments(net)
    fac = link_points(net, points(12), max_distance=300, usable=usable)
    org = link_points(net, points(400), max_distance=300, usable=usable)
    assert fac.linked.sum() >= 8 and org.linked.mean() > 0.9
    cutoff = 15 * 60.0
    res = nearest_facility(net, fac, org, cutoff=cutoff)
    ref = brute_force_times(net, fac, org)
    ref_capped = np.where(ref <= cutoff, ref, np.inf)
    np.testing.assert_allclose(res.seconds, ref_capped, rtol=1e-6, atol=1e-6)
    assert np.isfinite(res.seconds).sum() > 50  # the check is not vacuous

    # per-zone covered population = brute-force sums (zones: west/east halves)
    zone = np.where(rng.random(400) < 0.5, "W", "E")
    pop = rng.integers(1, 30, 400).astype(float)
    origins = pd.DataFrame({"zone_id": zone, "population": pop})
    zones = pd.DataFrame({"zone_id": ["W", "E"], "zone_name": ["西", "东"]})
    cov = coverage_table(origins, {"clinic": res.minutes}, zones, [5, 10, 15],
                         layer_groups={"clinic": "total"})
    for m in (5, 10, 15):
        for z in ("W", "E", COUNTY):
            sel = np.ones(400, bool) if z == COUNTY else zone == z
            expect = pop[sel & (ref / 60.0 <= m)].sum()
            got = cov[(cov["zone_id"] == z) & (cov["minutes"] == m)
                      & (cov["layer"] == "clinic")]["covered_population"].iloc[0]
            assert got == pytest.approx(expect), (z, m)
