"""The link cache: a hit gives exactly the links of linking the points again; other points,
another network or another link distance miss; broken files are relinked; ``circle15 cache
clear`` removes the files."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import shapely

from circle15.coverage.nearest import link_points
from circle15.geo.routing.cache import clear_cache
from circle15.geo.routing.linking import SegmentIndex, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.run.cache_links import PREFIX, LinkCache, links_key, network_digest
from support.bruteforce import random_graph


def _net(seed: int = 3) -> RoutingNetwork:
    return RoutingNetwork.from_graph(random_graph(seed, n_nodes=40, n_edges=80),
                                     access_speed=1.25, crs="EPSG:4549")


def _points(seed: int = 1, n: int = 300) -> gpd.GeoDataFrame:
    xy = np.random.default_rng(seed).uniform(-200, 1200, size=(n, 2))
    return gpd.GeoDataFrame(geometry=shapely.points(xy), crs="EPSG:4549")


def _fresh(net, pts, max_m):
    return link_points(SegmentIndex(net, usable_segments(net)), pts, max_m)


def _same(a, b) -> None:
    np.testing.assert_array_equal(a.segment, b.segment)
    np.testing.assert_array_equal(a.frac, b.frac)
    np.testing.assert_array_equal(a.offset, b.offset)


def test_hit_is_exactly_linking_again(tmp_path):
    net, pts = _net(), _points()
    fresh = _fresh(net, pts, 150.0)
    assert 0 < fresh.linked.sum() < len(pts)  # some points too far: -1 and nan kept
    first = LinkCache(net, tmp_path).link(pts, 150.0)
    again = LinkCache(net, tmp_path)
    hit = again.link(pts, 150.0)
    assert again.hits == 1 and again._index is None  # no segment index built on a hit
    _same(first, fresh)
    _same(hit, fresh)
    assert len(list(tmp_path.glob(f"{PREFIX}*.npz"))) == 1


def test_other_inputs_miss(tmp_path):
    net, pts = _net(), _points()
    d = network_digest(net)
    key = links_key(d, pts, 150.0)
    assert key == links_key(network_digest(_net()), _points(), 150.0)
    assert key != links_key(d, pts, 100.0)
    assert key != links_key(network_digest(_net(4)), pts, 150.0)
    moved = pts.copy()
    moved.geometry = moved.geometry.translate(0.001)
    assert key != links_key(d, moved, 150.0)
    assert key != links_key(d, pts.set_crs("EPSG:4547", allow_override=True), 150.0)
    cache = LinkCache(net, tmp_path)
    cache.link(pts, 150.0)
    _same(cache.link(moved, 150.0), _fresh(net, moved, 150.0))
    _same(cache.link(pts, 100.0), _fresh(net, pts, 100.0))
    assert cache.hits == 0


def test_broken_file_is_relinked_and_cache_clear_removes_it(tmp_path, caplog):
    net, pts = _net(), _points()
    LinkCache(net, tmp_path).link(pts, 150.0)
    (path,) = tmp_path.glob(f"{PREFIX}*.npz")
    path.write_bytes(b"broken")
    with caplog.at_level(logging.WARNING):
        links = LinkCache(net, tmp_path).link(pts, 150.0)
    assert "unreadable" in caplog.text
    _same(links, _fresh(net, pts, 150.0))
    assert clear_cache(tmp_path)[0] == 1 and not path.exists()


def test_no_folder_no_files(tmp_path):
    net, pts = _net(), _points()
    _same(LinkCache(net, None).link(pts, 150.0), _fresh(net, pts, 150.0))
    assert not list(tmp_path.iterdir())
