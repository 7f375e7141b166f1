"""Grid candidates: the network nodes nearest the centre of every occupied cell, checked
against the direct computation (unique rows, unique end nodes) on random networks."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from circle15.coverage.siting.candidates import grid_candidates
from circle15.geo.routing.linking import usable_segments
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import random_graph


def _reference(net, xy, people, spacing, usable):
    seg = np.flatnonzero(usable)
    nodes = np.unique(np.concatenate([net.seg_u[seg], net.seg_v[seg]]))
    has = (people > 0) & np.isfinite(xy).all(axis=1)
    x0, y0 = xy[has].min(axis=0)
    cells = np.unique(np.floor((xy[has] - [x0, y0]) / spacing).astype(np.int64), axis=0)
    centres = (cells + 0.5) * spacing + [x0, y0]
    _, j = cKDTree(np.column_stack([net.x[nodes], net.y[nodes]])).query(centres)
    return np.unique(nodes[j])


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("spacing", [37.0, 150.0, 500.0])
def test_grid_candidates_equal_the_direct_computation(seed, spacing):
    net = RoutingNetwork.from_graph(random_graph(seed, n_nodes=60, n_edges=90),
                                    access_speed=1.25)
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-100, 1100, size=(2000, 2))
    xy[::97] = np.nan  # unplaced points never make a cell
    people = rng.integers(0, 3, len(xy)).astype(float)  # a third of the points empty
    usable = usable_segments(net) & (rng.random(net.n_segments) < 0.8)
    got = grid_candidates(net, xy, people, spacing, usable)
    want = _reference(net, xy, people, spacing, usable)
    np.testing.assert_array_equal(got, want)
    assert len(got) > 1 and np.all(np.diff(got) > 0)
    # the nodes of unusable-only segments are never proposed
    ends = np.union1d(net.seg_u[usable], net.seg_v[usable])
    assert np.isin(got, ends).all()
