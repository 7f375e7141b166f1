"""Travel modes, speeds, direction rules, CRS choice, projection and connectivity (hand-checked)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from circle15.errors import InputError
from circle15.geo.crs import choose_crs
from circle15.geo.streets.connectivity import largest_component, street_km
from circle15.geo.streets.modes import (
    add_travel_times,
    make_two_way,
    parse_maxspeed,
    way_allowed,
)
from circle15.geo.streets.project import project_graph
from circle15.geo.streets.speeds import ELDERLY_WALK_KMH

# ----------------------------------------------------------------------------- way filters


@pytest.mark.parametrize("tags,walk,bike,drive", [
    ({"highway": "residential"}, True, True, True),
    ({"highway": "footway"}, True, False, False),
    ({"highway": "steps"}, True, False, False),
    ({"highway": "cycleway"}, False, True, False),
    ({"highway": "cycleway", "foot": "yes"}, True, True, False),
    ({"highway": "motorway"}, False, False, True),
    ({"highway": "motorway_link"}, False, False, True),
    ({"highway": "trunk"}, False, False, True),
    ({"highway": "trunk", "foot": "yes", "bicycle": "yes"}, True, True, True),
    ({"highway": "trunk", "sidewalk": "both"}, True, False, True),
    ({"highway": "service"}, True, True, False),
    ({"highway": "residential", "access": "private"}, False, False, False),
    ({"highway": "residential", "access": "no", "foot": "yes"}, True, False, False),
    ({"highway": "residential", "motor_vehicle": "no"}, True, True, False),
    ({"highway": "pedestrian", "area": "yes"}, False, False, False),
    ({"highway": "construction"}, False, False, False),
    ({"highway": "primary", "sidewalk": "separate"}, False, True, True),
    ({"building": "yes"}, False, False, False),
    ({"highway": ["footway", "residential"]}, True, True, True),
])
def test_way_filters(tags, walk, bike, drive):
    assert way_allowed(tags, "walk") is walk
    assert way_allowed(tags, "bike") is bike
    assert way_allowed(tags, "ebike") is bike
    assert way_allowed(tags, "drive") is drive


def test_unknown_mode():
    with pytest.raises(ValueError):
        way_allowed({"highway": "residential"}, "boat")


@pytest.mark.parametrize("value,kmh", [("50", 50.0), ("30 mph", 48.28032), (["60", "40"], 40.0),
                                       ("none", None), (None, None), ("40;60", 40.0)])
def test_parse_maxspeed(value, kmh):
    assert parse_maxspeed(value) == (pytest.approx(kmh) if kmh else None)


# ----------------------------------------------------------------------------- speeds, direction


def _line_graph() -> nx.MultiDiGraph:
    """a -(100 m, one-way primary, maxspeed 20)-> b -(50 m residential, two-way)- c."""
    G = nx.MultiDiGraph(crs="epsg:4326")
    G.add_node("a", x=120.0, y=29.7)
    G.add_node("b", x=120.001, y=29.7)
    G.add_node("c", x=120.0015, y=29.7)
    G.add_edge("a", "b", length=100.0, highway="primary", oneway=True, reversed=False,
               maxspeed="20", geometry=LineString([(120.0, 29.7), (120.0005, 29.7001),
                                                   (120.001, 29.7)]))
    G.add_edge("b", "c", length=50.0, highway="residential", oneway=False, reversed=False)
    G.add_edge("c", "b", length=50.0, highway="residential", oneway=False, reversed=True)
    return G


def test_walk_is_two_way_with_constant_speed():
    G = add_travel_times(_line_graph(), mode="walk")
    assert G.number_of_edges() == 4  # only a->b lacked a reverse
    back = G.edges["b", "a", 0]
    assert back["geometry"].coords[0] == (120.001, 29.7)  # reversed geometry
    assert back["reversed"] is True and back["oneway"] is False
    for _, _, d in G.edges(data=True):
        assert d["speed_kph"] == 4.5
        assert d["travel_time"] == pytest.approx(d["length"] / (4.5 / 3.6))
    assert G.edges["a", "b", 0]["travel_time"] == pytest.approx(80.0)  # 100 m at 1.25 m/s


def test_elderly_walk_speed():
    G = add_travel_times(_line_graph(), mode="walk", speed_kmh=ELDERLY_WALK_KMH)
    assert G.edges["a", "b", 0]["travel_time"] == pytest.approx(100.0)  # 100 m at 1 m/s


def test_drive_honours_oneway_and_road_class_speeds():
    G = add_travel_times(_line_graph(), mode="drive")
    assert not G.has_edge("b", "a")
    # primary 35 km/h capped by maxspeed 20 -> 100 m in 18 s; residential 15 km/h -> 12 s
    assert G.edges["a", "b", 0]["speed_kph"] == 20.0
    assert G.edges["a", "b", 0]["travel_time"] == pytest.approx(18.0)
    assert G.edges["b", "c", 0]["travel_time"] == pytest.approx(12.0)
    H = add_travel_times(_line_graph(), mode="drive",
                         speeds_by_class={"primary": 36, "residential": 18})
    assert H.edges["a", "b", 0]["travel_time"] == pytest.approx(10.0)  # user speed wins
    assert H.edges["b", "c", 0]["travel_time"] == pytest.approx(10.0)


def test_drive_without_highway_tags_uses_fallback_speed():
    G = _line_graph()
    for _, _, d in G.edges(data=True):
        del d["highway"]
        d.pop("maxspeed", None)
    G = add_travel_times(G, mode="drive", speed_kmh=36)
    assert all(d["travel_time"] == pytest.approx(d["length"] / 10) for *_, d in G.edges(data=True))


def test_bike_and_ebike_speeds_and_undirected_override():
    bike = add_travel_times(_line_graph(), mode="bike")
    ebike = add_travel_times(_line_graph(), mode="ebike")
    assert bike.edges["a", "b", 0]["travel_time"] == pytest.approx(30.0)  # 12 km/h
    assert ebike.edges["a", "b", 0]["travel_time"] == pytest.approx(20.0)  # 18 km/h
    strict = add_travel_times(_line_graph(), mode="bike", undirected=False)
    assert not strict.has_edge("b", "a")
    both = add_travel_times(_line_graph(), mode="drive", undirected=True)
    assert both.has_edge("b", "a")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6), st.floats(1, 500)),
                min_size=1, max_size=25))
def test_make_two_way_property(edges):
    """After make_two_way every edge has a reverse twin of the same length; none is lost."""
    G = nx.MultiDiGraph()
    for u, v, ln in edges:
        G.add_edge(u, v, length=round(ln, 2))
    before = G.number_of_edges()
    make_two_way(G)
    assert G.number_of_edges() >= before
    for u, v, d in G.edges(data=True):
        assert any(abs(e["length"] - d["length"]) < 0.01 for e in G[v][u].values())
    # applying it again adds nothing
    assert make_two_way(G)[1] == 0


# ----------------------------------------------------------------------------- CRS, projection


def test_choose_crs():
    zhuji = box(119.9, 29.4, 120.5, 29.95)
    assert choose_crs(zhuji) == "EPSG:4549"
    assert choose_crs(box(116.2, 39.8, 116.5, 40.0)) == "EPSG:4548"  # Beijing: CM 117E
    assert choose_crs(Point(24.94, 60.17).buffer(0.01)) == "EPSG:32635"  # Helsinki UTM 35N
    assert choose_crs(Point(151.2, -33.9).buffer(0.01)) == "EPSG:32756"  # Sydney UTM 56S
    assert choose_crs(zhuji, "epsg:32651") == "EPSG:32651"
    assert choose_crs(None, "4549") == "EPSG:4549"
    with pytest.raises(InputError, match="not a projected"):
        choose_crs(zhuji, "EPSG:4326")
    with pytest.raises(InputError, match="not a coordinate system"):
        choose_crs(zhuji, "EPSG:999999")
    with pytest.raises(InputError):
        choose_crs(None)


def test_project_graph_keeps_lengths_and_projects_geometry():
    G = add_travel_times(_line_graph(), mode="walk")
    P = project_graph(G, "EPSG:4549")
    assert P.graph["crs"] == "EPSG:4549"
    x, y = P.nodes["a"]["x"], P.nodes["a"]["y"]
    assert 450_000 < x < 550_000 and 3_250_000 < y < 3_350_000  # CM 120E, false easting 500 km
    geom = P.edges["a", "b", 0]["geometry"]
    # the projected polyline is as long as the great-circle length (GK scale ~1.0000)
    from pyproj import Geod
    lon, lat = zip(*G.edges["a", "b", 0]["geometry"].coords, strict=True)
    assert geom.length == pytest.approx(Geod(ellps="WGS84").line_length(lon, lat), rel=1e-4)
    assert P.edges["a", "b", 0]["travel_time"] == G.edges["a", "b", 0]["travel_time"]


# ----------------------------------------------------------------------------- connectivity


def test_largest_component_report_by_hand():
    G = nx.MultiDiGraph()
    for u, v, ln in [(1, 2, 100), (2, 3, 100), (3, 1, 100),  # strongly connected triangle
                     (3, 4, 50),  # one-way spur out: 4 cannot return
                     (10, 11, 200), (11, 10, 200)]:  # an island (two-way street of 200 m)
        G.add_edge(u, v, length=float(ln))
    assert street_km(G) == pytest.approx(0.55)  # 300 + 50 + 200 (two-way once)
    H, rep = largest_component(G)
    assert set(H) == {1, 2, 3}
    assert rep == {"pieces_dropped": 2, "nodes_dropped": 3, "km_dropped": 0.25,
                   "nodes_kept": 3, "km_kept": 0.3, "largest_dropped_nodes": 2}


def test_largest_component_nothing_dropped(caplog):
    G = nx.MultiDiGraph()
    G.add_edge(1, 2, length=10.0)
    G.add_edge(2, 1, length=10.0)
    H, rep = largest_component(G)
    assert rep["nodes_dropped"] == 0 and rep["km_kept"] == 0.01
    assert "dropped" not in caplog.text
