"""Linking picks, for every point, the nearest usable segment, exactly as measuring every
segment would: random networks with bends and doubled streets, points scattered around the
streets, points on nodes (several segments at distance 0) and points beyond the first-pass
radius. Among equidistant segments the lowest index wins within the first-pass radius
(beyond it, any of them: the distance is what counts)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from circle15.geo.routing.linking import _FIRST_PASS_M, SegmentIndex, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import random_graph


def brute_force(net: RoutingNetwork, seg_ids: np.ndarray, xy: np.ndarray,
                max_distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest segment and distance by measuring every segment (-1, nan beyond the limit)."""
    pts = shapely.points(xy)
    d = shapely.distance(pts[:, None], net.seg_geometry[seg_ids][None, :])
    j = np.argmin(d, axis=1)  # first minimum: the lowest segment index
    best = d[np.arange(len(xy)), j]
    far = best > max_distance
    return np.where(far, -1, seg_ids[j]), np.where(far, np.nan, best)


@pytest.mark.parametrize("seed", range(6))
def test_link_equals_brute_force(seed):
    net = RoutingNetwork.from_graph(random_graph(seed, n_nodes=30, n_edges=60),
                                    access_speed=1.25)
    rng = np.random.default_rng(seed)
    usable = usable_segments(net)
    seg_ids = np.flatnonzero(usable)
    on = shapely.get_coordinates(shapely.line_interpolate_point(
        net.seg_geometry[rng.choice(seg_ids, 300)], rng.random(300), normalized=True))
    xy = np.vstack([rng.uniform(-200, 1200, (400, 2)),  # near and far (second pass)
                    np.column_stack([net.x, net.y]),  # on nodes: ties at distance 0
                    np.column_stack([net.x, net.y]) + [30.0, 0.0],
                    on + rng.normal(0, 12, (300, 2))])  # within, around, beyond 10 m
    links = SegmentIndex(net, usable).link(xy, max_distance=150.0)
    seg, dist = brute_force(net, seg_ids, xy, 150.0)
    near = dist <= _FIRST_PASS_M
    np.testing.assert_array_equal(links.segment[near], seg[near])
    np.testing.assert_array_equal(links.segment < 0, seg < 0)
    np.testing.assert_allclose(links.offset, dist, rtol=0, atol=1e-9)
    ok = links.segment >= 0  # the chosen segment is at the distance reported
    np.testing.assert_allclose(shapely.distance(shapely.points(xy[ok]),
                                                net.seg_geometry[links.segment[ok]]),
                               dist[ok], rtol=0, atol=1e-9)
    ends = np.union1d(net.seg_u[seg_ids], net.seg_v[seg_ids])  # nodes on a usable street
    assert (links.offset[400 + ends] == 0).all()
