"""The prepared-network cache: exact round trip, hits and misses, keys, corrupt files,
atomic writes, ``circle15 cache clear``."""

from __future__ import annotations

import logging
import pickle

import networkx as nx
import numpy as np
import pytest
import shapely
from typer.testing import CliRunner

from circle15.cli import app
from circle15.coverage.travel import node_times_to
from circle15.geo.routing.cache import (
    cached_network,
    clear_cache,
    load_network,
    network_cache_dir,
    network_key,
    save_network,
)
from circle15.geo.routing.linking import link_points
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import random_graph


def text_id_graph(seed: int) -> nx.MultiDiGraph:
    """A random graph with string node ids and mixed highway classes."""
    G = random_graph(seed, n_nodes=30, n_edges=60)
    G = nx.relabel_nodes(G, {n: f"n{n}" for n in G.nodes})
    for i, (_, _, d) in enumerate(G.edges(data=True)):
        d["highway"] = ["residential", "footway", "primary"][i % 3]
    return G


def assert_same_network(a: RoutingNetwork, b: RoutingNetwork) -> None:
    assert a.crs == b.crs and a.access_speed == b.access_speed
    for name in ("node_ids", "x", "y", "seg_u", "seg_v", "seg_length", "seg_time_fwd",
                 "seg_time_bwd", "seg_highway"):
        va, vb = getattr(a, name), getattr(b, name)
        assert va.dtype == vb.dtype, name
        np.testing.assert_array_equal(va, vb, err_msg=name)
    assert (a.matrix != b.matrix).nnz == 0
    assert np.array_equal(a.matrix.indptr, b.matrix.indptr)
    assert all(shapely.equals_exact(g, h, 0.0) for g, h in
               zip(a.seg_geometry, b.seg_geometry, strict=True))


@pytest.mark.parametrize("text_ids", [False, True])
def test_round_trip_is_exact(tmp_path, text_ids):
    G = text_id_graph(3) if text_ids else random_graph(3, n_nodes=30, n_edges=60)
    net = RoutingNetwork.from_graph(G, access_speed=1.25)
    path = save_network(net, tmp_path / "n.npz", {"kept": 30, "note": "测试"})
    back, report = load_network(path)
    assert report == {"kept": 30, "note": "测试"}
    assert_same_network(net, back)
    assert back.node_ids.dtype == (object if text_ids else np.int64)
    # routing on the loaded network gives the same times
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1000, (4, 2))
    ta, _ = node_times_to(net, link_points(net, xy), 900.0)
    tb, _ = node_times_to(back, link_points(back, xy), 900.0)
    np.testing.assert_array_equal(ta, tb)
    assert not list(tmp_path.glob("*.tmp"))


def test_hit_and_miss(tmp_path, caplog):
    calls = []

    def build():
        calls.append(1)
        return RoutingNetwork.from_graph(random_graph(5), access_speed=1.25), {"kept": 12}

    key = "k" * 64
    net1, rep1 = cached_network(key, build, tmp_path)
    assert rep1 == {"kept": 12, "cache": "miss"} and len(calls) == 1
    net2, rep2 = cached_network(key, build, tmp_path)
    assert rep2 == {"kept": 12, "cache": "hit"} and len(calls) == 1
    assert_same_network(net1, net2)
    # a build returning just the network gets just the network back
    only = cached_network("j" * 64, lambda: net1, tmp_path)
    assert isinstance(only, RoutingNetwork)
    assert isinstance(cached_network("j" * 64, build, tmp_path), RoutingNetwork)
    assert len(calls) == 1


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_file_is_rebuilt_with_a_warning(tmp_path, caplog, damage):
    net = RoutingNetwork.from_graph(random_graph(7), access_speed=1.25)
    key = "c" * 64
    cached_network(key, lambda: net, tmp_path)
    path = tmp_path / f"{key}.npz"
    raw = path.read_bytes()
    path.write_bytes({"garbage": b"not a zip file at all" * 10,
                      "truncated": raw[: len(raw) // 2], "empty": b""}[damage])
    calls = []

    def build():
        calls.append(1)
        return net

    with caplog.at_level(logging.WARNING, logger="circle15.geo.routing.cache"):
        got = cached_network(key, build, tmp_path)
    assert calls == [1]
    assert "unreadable" in caplog.text and "rebuilding" in caplog.text
    assert_same_network(got, net)
    assert_same_network(load_network(path)[0], net)  # the cache file is whole again


def test_failed_build_writes_nothing(tmp_path):
    def build():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        cached_network("f" * 64, build, tmp_path)
    assert not list(tmp_path.iterdir())


def test_key_follows_content_and_parameters(tmp_path):
    src = tmp_path / "a.graphml"
    src.write_text("one", encoding="utf-8")
    base = {"mode": "walk", "speed_kmh": 4.5, "crs": "EPSG:4549"}
    k = network_key(src, **base)
    assert network_key(src, **base) == k
    copy = tmp_path / "b.graphml"  # same content, other name: same network
    copy.write_text("one", encoding="utf-8")
    assert network_key(copy, **base) == k
    assert network_key(src, **{**base, "mode": "drive"}) != k
    assert network_key(src, **{**base, "speed_kmh": 3.6}) != k
    assert network_key(src, **{**base, "crs": "EPSG:32650"}) != k
    box = shapely.box(0, 0, 1, 1)
    assert network_key(src, clip=box, **base) != k
    assert network_key(src, clip=box, **base) == network_key(src, clip=box, **base)
    assert network_key(src, clip=shapely.box(0, 0, 1, 2), **base) != \
        network_key(src, clip=box, **base)
    src.write_text("two", encoding="utf-8")
    assert network_key(src, **base) != k
    assert network_key("place:诸暨市", **base) != network_key("place:嵊州市", **base)


def test_cache_dir_and_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert network_cache_dir() == tmp_path / "xdg" / "circle15" / "networks"
    assert network_cache_dir(tmp_path / "c") == tmp_path / "c" / "networks"
    folder = network_cache_dir()
    net = RoutingNetwork.from_graph(random_graph(1), access_speed=1.25)
    for k in ("a", "b"):
        cached_network(k * 64, lambda: net, folder)
    (folder / "keep.txt").write_text("not ours", encoding="utf-8")
    r = CliRunner().invoke(app, ["cache", "clear"])
    assert r.exit_code == 0, r.output
    assert "removed 2" in r.output
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert clear_cache(tmp_path / "nowhere") == (0, 0)


def test_real_prepared_network_round_trip(tmp_path):
    """The tiny county's GraphML, prepared as the pipeline does, survives the cache."""
    from circle15.config import load_config
    from circle15.geo.routing import load_network
    from support.tiny import write_tiny_inputs

    cfg = load_config(write_tiny_inputs(tmp_path / "in"))
    net = load_network(cfg.network.source, mode=cfg.network.mode,
                       speed_kmh=cfg.network.speed_kmh, crs=cfg.network.crs)
    rep = net.report
    key = network_key(cfg.network.source, mode=cfg.network.mode, crs=net.crs,
                      speed_kmh=cfg.network.speed_kmh)
    _, r1 = cached_network(key, lambda: (net, pickle.loads(pickle.dumps(rep))), tmp_path)
    back, r2 = cached_network(key, lambda: pytest.fail("rebuilt"), tmp_path)
    assert r2["cache"] == "hit" and {k: v for k, v in r2.items() if k != "cache"} == \
        {k: v for k, v in r1.items() if k != "cache"}
    assert_same_network(net, back)
