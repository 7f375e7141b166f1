"""Isochrones: hand-checked extents, exact reached stretches vs routing times, nesting;
the grid method against the exact vector method (within one cell), exact nesting."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.isochrones import (
    default_cell,
    facility_isochrones,
    layer_isochrones,
    nested_polygons,
    reached_intervals,
    reached_lines,
    substrings,
)
from circle15.coverage.travel import nearest_facility, node_times_to
from circle15.geo.routing.linking import link_points
from circle15.geo.routing.network import RoutingNetwork
from support.bruteforce import random_graph

SPEED = 1.25  # 4.5 km/h
#: The grid method's boundary lies within this many cells of the exact buffer (measured
#: 1.01 outwards, 0.99 inwards over random graphs; 1 cell plus rounding of the sampling).
GRID_TOL = 1.1
X0, Y0 = 500_000.0, 3_300_000.0  # inside EPSG:4549's area


def street(oneway: bool = False) -> RoutingNetwork:
    """One straight 1 km street (with an inner vertex) from (X0, Y0) eastwards."""
    G = nx.MultiDiGraph(crs="EPSG:4549")
    G.add_node(0, x=X0, y=Y0)
    G.add_node(1, x=X0 + 1000, y=Y0)
    geom = shapely.LineString([(X0, Y0), (X0 + 400, Y0), (X0 + 1000, Y0)])
    G.add_edge(0, 1, length=1000.0, travel_time=1000 / SPEED, geometry=geom)
    if not oneway:
        G.add_edge(1, 0, length=1000.0, travel_time=1000 / SPEED,
                   geometry=shapely.reverse(geom))
    return RoutingNetwork.from_graph(G, access_speed=SPEED)


def polys_for(net, xy, thresholds, **kw):
    fac = link_points(net, np.asarray(xy, float))
    t, _ = node_times_to(net, fac, 60.0 * max(thresholds))
    return nested_polygons(net, t, fac, thresholds, **kw)


def test_straight_street_extents():
    net = street()
    p5, p10, p15 = polys_for(net, [[X0, Y0]], [5, 10, 15], buffer_m=40.0, simplify_m=0,
                             method="vector")
    # 5 min at 4.5 km/h = 375 m, 10 min = 750 m, 15 min = 1125 m > the 1 km street
    for p, reach in ((p5, 375.0), (p10, 750.0), (p15, 1000.0)):
        minx, miny, maxx, maxy = p.bounds
        assert maxx - X0 == pytest.approx(reach + 40.0, abs=1e-6)
        assert minx - X0 == pytest.approx(-40.0, abs=1e-6)
        assert maxy - Y0 == pytest.approx(40.0, abs=1e-6)


def test_default_simplification_stays_within_tolerance():
    net = street()
    p5 = polys_for(net, [[X0, Y0]], [5], buffer_m=50.0, method="vector")[0]
    assert p5.bounds[2] - X0 == pytest.approx(375.0 + 50.0, abs=50.0 / 8)


def test_segment_reached_from_both_ends_gets_two_pieces():
    net = street()
    p5 = polys_for(net, [[X0, Y0], [X0 + 1000, Y0]], [5], buffer_m=10.0, simplify_m=0,
                   method="vector")[0]
    parts = shapely.get_parts(p5)
    assert len(parts) == 2
    xs = sorted((g.bounds[0] - X0, g.bounds[2] - X0) for g in parts)
    np.testing.assert_allclose(xs, [(-10.0, 385.0), (615.0, 1010.0)], atol=1e-6)


def test_facility_mid_street_and_one_way():
    # a facility at 500 m on a one-way street (travel only eastwards): people west of it
    # walk to it; people east of it cannot
    net = street(oneway=True)
    p5 = polys_for(net, [[X0 + 500, Y0 + 20]], [5], buffer_m=5.0, simplify_m=0,
                   method="vector")[0]
    # 20 m access leg leaves 355 m along the street
    minx, _, maxx, _ = p5.bounds
    assert minx - X0 == pytest.approx(500 - 355 - 5, abs=1e-6)
    assert maxx - X0 == pytest.approx(500 + 5, abs=1e-6)
    two = street()
    p5 = polys_for(two, [[X0 + 500, Y0 + 20]], [5], buffer_m=5.0, simplify_m=0,
                   method="vector")[0]
    assert p5.bounds[2] - X0 == pytest.approx(500 + 355 + 5, abs=1e-6)


def test_substrings_match_shapely_ops():
    from shapely.ops import substring

    rng = np.random.default_rng(1)
    lines = np.array([shapely.LineString(rng.uniform(0, 100, (rng.integers(2, 6), 2)))
                      for _ in range(50)])
    L = shapely.length(lines)
    a = rng.uniform(0, 1, 50) * L
    b = rng.uniform(0, 1, 50) * L
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    hi[:5] = lo[:5]  # points
    lo[5:10], hi[5:10] = 0.0, L[5:10]  # whole lines
    got = substrings(lines, lo, hi)
    for g, line, s, e in zip(got, lines, lo, hi, strict=True):
        ref = substring(line, s, e)
        assert g.geom_type == ref.geom_type
        assert shapely.equals_exact(shapely.normalize(g), shapely.normalize(ref), 1e-9)


def assert_nested(inner, outer):
    """``inner`` lies in ``outer`` up to floating-point rounding of the overlay (GEOS
    predicates are exact, so a rounded intersection vertex can sit 1e-12 m outside)."""
    if inner.is_empty:
        return
    left = inner.difference(outer)
    # what is left over is a sliver no thicker than rounding of the coordinates
    tol = 1e-12 * max(map(abs, outer.bounds))
    assert shapely.buffer(left, -tol).is_empty


def points_on_streets(net, rng, n):
    seg = rng.integers(0, net.n_segments, n)
    frac = rng.uniform(0, 1, n)
    frac[: n // 5] = 0.0  # some exactly at nodes
    pts = shapely.line_interpolate_point(net.seg_geometry[seg], frac, normalized=True)
    return shapely.get_coordinates(pts)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 4),
       oneway=st.sampled_from([0.0, 0.4]), minutes=st.floats(1.0, 12.0))
def test_reached_stretches_are_exact(seed, n_fac, oneway, minutes):
    """A point on a street is in a reached stretch iff its exact time is within the limit."""
    G = random_graph(seed, oneway_share=oneway)
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    rng = np.random.default_rng(seed + 3)
    fac = link_points(net, rng.uniform(0, 1000, (n_fac, 2)), max_distance=200)
    org = link_points(net, points_on_streets(net, rng, 200), max_distance=1.0)
    limit = 60.0 * minutes
    node_t, _ = node_times_to(net, fac, limit)
    t = nearest_facility(net, fac, org, cutoff=np.inf).seconds
    seg, lo, hi = reached_intervals(net, node_t, fac, limit)
    for i in np.flatnonzero(org.linked):
        if abs(t[i] - limit) < 1e-6:
            continue
        s, f = org.segment[i], org.frac[i]
        here = seg == s
        inside = bool(((lo[here] <= f + 1e-9) & (f - 1e-9 <= hi[here])).any())
        # origins at a segment end may be linked to any segment meeting there
        assert inside == (t[i] <= limit), (i, t[i], limit)
    # stretches are disjoint and sorted
    same = seg[1:] == seg[:-1]
    assert (hi[:-1][same] < lo[1:][same]).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 4),
       oneway=st.sampled_from([0.0, 0.4]))
def test_polygons_nest_and_hold_covered_origins(seed, n_fac, oneway):
    G = random_graph(seed, oneway_share=oneway)
    for _, d in G.nodes(data=True):  # move into EPSG:4549's area for the WGS-84 output
        d["x"] += X0
        d["y"] += Y0
    for _, _, d in G.edges(data=True):
        d["geometry"] = shapely.transform(d["geometry"], lambda c: c + [X0, Y0])
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    rng = np.random.default_rng(seed + 5)
    fac_xy = rng.uniform(0, 1000, (n_fac, 2)) + [X0, Y0]
    fac = link_points(net, fac_xy, max_distance=200)
    org = link_points(net, rng.uniform(0, 1000, (60, 2)) + [X0, Y0], max_distance=200)
    thresholds = [3, 6, 9]
    buffer_m = 25.0
    t, _ = node_times_to(net, fac, 60.0 * max(thresholds))
    polys = nested_polygons(net, t, fac, thresholds, buffer_m=buffer_m)
    for a, b in pairwise(polys):
        assert a.difference(b).is_empty  # the grid nests exactly
    minutes = nearest_facility(net, fac, org, cutoff=np.inf).minutes
    rng2 = np.random.default_rng(seed + 5)  # the same origin points again
    rng2.uniform(0, 1000, (n_fac, 2))
    org_xy = rng2.uniform(0, 1000, (60, 2)) + [X0, Y0]
    pts = shapely.points(org_xy)
    # the grid's boundary lies within about a cell of the exact buffer
    tol = GRID_TOL * default_cell(buffer_m)
    for m, p in zip(thresholds, polys, strict=True):
        cov = np.flatnonzero(minutes <= m)
        d = shapely.distance(p, pts[cov])
        # inside, or no farther from the polygon than from its street
        assert (d <= np.maximum(org.offset[cov] - buffer_m, 0) + tol).all()
    # the WGS-84 output nests too, one row per layer x threshold
    gdf = layer_isochrones(net, fac, np.array(["x"] * n_fac), thresholds, buffer_m=buffer_m)
    assert gdf.crs.to_epsg() == 4326
    assert gdf["minutes"].tolist() == thresholds and (gdf["kind"] == "cumulative").all()
    g = gdf.geometry.values
    for a, b in pairwise(g):
        assert a.difference(b).is_empty


def test_layer_and_facility_isochrones_agree():
    G = random_graph(11, n_nodes=30, n_edges=60)
    for _, d in G.nodes(data=True):
        d["x"] += X0
        d["y"] += Y0
    for _, _, d in G.edges(data=True):
        d["geometry"] = shapely.transform(d["geometry"], lambda c: c + [X0, Y0])
    net = RoutingNetwork.from_graph(G, access_speed=SPEED)
    xy = np.array([[200.0, 200.0], [800.0, 700.0], [500, 5000]]) + [X0, Y0]
    fac = link_points(net, xy, max_distance=300)  # the third is not linked
    layers = np.array(["a", "a", "b"])
    lay = layer_isochrones(net, fac, layers, [5, 10], buffer_m=30.0, simplify_m=0,
                           method="vector")
    assert lay[["layer", "minutes"]].values.tolist() == [["a", 5], ["a", 10], ["b", 5],
                                                          ["b", 10]]
    assert lay.geometry.iloc[2].is_empty and lay.geometry.iloc[3].is_empty
    per = facility_isochrones(net, fac, ["f1", "f2", "f3"], [5, 10], buffer_m=30.0,
                              simplify_m=0, batch_size=1, method="vector")
    assert per["facility_id"].tolist() == ["f1", "f1", "f2", "f2"]
    for m, layer_poly in zip([5, 10], lay.geometry.iloc[:2], strict=True):
        both = shapely.union_all(per.loc[per["minutes"] == m].geometry.values)
        assert both.symmetric_difference(layer_poly).area < 1e-4 * layer_poly.area


def shifted_net(seed: int, **kw) -> RoutingNetwork:
    """A random graph moved into EPSG:4549's area (for the WGS-84 output)."""
    G = random_graph(seed, **kw)
    for _, d in G.nodes(data=True):
        d["x"] += X0
        d["y"] += Y0
    for _, _, d in G.edges(data=True):
        d["geometry"] = shapely.transform(d["geometry"], lambda c: c + [X0, Y0])
    return RoutingNetwork.from_graph(G, access_speed=SPEED)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 4),
       oneway=st.sampled_from([0.0, 0.4]))
def test_incremental_polygons_match_direct_union(seed, n_fac, oneway):
    """Building on the previous threshold's polygon (only newly reached stretches are
    buffered) covers the buffered union of all stretches reached and stays within the
    exact distance ``buffer_m`` of them (a cap of an earlier, shorter stretch may add a
    sliver between the buffer's chords and its true arc)."""
    net = RoutingNetwork.from_graph(random_graph(seed, oneway_share=oneway),
                                    access_speed=SPEED)
    rng = np.random.default_rng(seed + 7)
    fac = link_points(net, rng.uniform(0, 1000, (n_fac, 2)), max_distance=200)
    thresholds = [6, 2, 4, 9]  # any order
    buffer_m = 20.0
    t, _ = node_times_to(net, fac, 60.0 * max(thresholds))
    polys = nested_polygons(net, t, fac, thresholds, buffer_m=buffer_m, simplify_m=0,
                            method="vector")
    for m, p in zip(thresholds, polys, strict=True):
        lines = reached_lines(net, *reached_intervals(net, t, fac, 60.0 * m))
        direct = shapely.union_all(shapely.buffer(lines, buffer_m, quad_segs=4))
        assert p.is_empty == direct.is_empty
        if p.is_empty:
            continue
        assert_nested(direct, p)
        d = shapely.distance(shapely.points(shapely.get_coordinates(p)),
                             shapely.union_all(lines))
        assert d.max() <= buffer_m * (1 + 1e-9)
        # the slivers are thinner than the chord's sagitta (r (1 - cos(pi / 16)))
        sag = buffer_m * (1 - np.cos(np.pi / 16))
        assert shapely.buffer(p.difference(direct), -sag * 1.01).is_empty


def test_threads_and_threshold_order_do_not_change_results():
    net = shifted_net(5, n_nodes=40, n_edges=80)
    xy = np.array([[200.0, 200.0], [800.0, 700.0], [300.0, 900.0]]) + [X0, Y0]
    fac = link_points(net, xy, max_distance=300)
    layers = np.array(["a", "b", "a"])
    one = layer_isochrones(net, fac, layers, [3, 6, 9], buffer_m=30.0, workers=1)
    two = layer_isochrones(net, fac, layers, [3, 6, 9], buffer_m=30.0, workers=2)
    assert one[["layer", "minutes"]].equals(two[["layer", "minutes"]])
    for a, b in zip(one.geometry.values, two.geometry.values, strict=True):
        assert shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), 0.0)
    # single layer, thresholds in parallel and out of order: rows in the order given
    only_a = layers == "a"
    sub = fac.subset(np.flatnonzero(only_a))
    mixed = layer_isochrones(net, sub, layers[only_a], [9, 3, 6], buffer_m=30.0,
                             workers=3)
    assert mixed["minutes"].tolist() == [9, 3, 6]
    by_m = dict(zip(mixed["minutes"], mixed.geometry.values, strict=True))
    for m, g in zip([3, 6, 9], one.geometry.values[one["layer"].to_numpy() == "a"],
                    strict=True):
        assert shapely.equals_exact(shapely.normalize(by_m[m]), shapely.normalize(g), 0.0)
    assert_nested(by_m[3], by_m[6])
    assert_nested(by_m[6], by_m[9])


# --------------------------------------------------------------------------- grid method


def beyond(a, b) -> float:
    """How far ``a`` reaches outside ``b`` (largest distance of a vertex of ``a - b``)."""
    left = a.difference(b)
    if left.is_empty:
        return 0.0
    return float(shapely.distance(shapely.points(shapely.get_coordinates(left)), b).max())


def assert_within_cells(grid, exact, cell):
    """Both ways, no point of one lies more than ``GRID_TOL`` cells outside the other,
    and the areas differ by less than half a cell along the boundary."""
    assert grid.is_empty == exact.is_empty
    if exact.is_empty:
        return
    assert grid.is_valid
    assert beyond(grid, exact) <= GRID_TOL * cell
    assert beyond(exact, grid) <= GRID_TOL * cell
    assert grid.symmetric_difference(exact).area <= 0.5 * cell * exact.boundary.length


def test_grid_straight_street_extents():
    """The hand-checked extents of the 1 km street, to within one 10 m cell."""
    net = street()
    cell = 10.0
    polys = polys_for(net, [[X0, Y0]], [5, 10, 15], buffer_m=40.0, cell_m=cell)
    for p, reach in zip(polys, (375.0, 750.0, 1000.0), strict=True):
        minx, _, maxx, maxy = p.bounds
        assert maxx - X0 == pytest.approx(reach + 40.0, abs=cell)
        assert minx - X0 == pytest.approx(-40.0, abs=cell)
        assert maxy - Y0 == pytest.approx(40.0, abs=cell)
        # the street's 80 m wide band: area to within a cell along the boundary
        area = (reach + 80.0) * 80.0
        assert p.area == pytest.approx(area, abs=cell * 2 * (reach + 160))
    # every vertex is a cell corner of the grid aligned to multiples of the cell
    xy = shapely.get_coordinates(polys[2])
    np.testing.assert_allclose(xy / cell, np.round(xy / cell), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n_fac=st.integers(1, 4),
       oneway=st.sampled_from([0.0, 0.4]), cell=st.sampled_from([5.0, 10.0, 20.0]))
def test_grid_within_one_cell_of_exact_and_nested(seed, n_fac, oneway, cell):
    net = RoutingNetwork.from_graph(random_graph(seed, oneway_share=oneway),
                                    access_speed=SPEED)
    rng = np.random.default_rng(seed + 11)
    fac = link_points(net, rng.uniform(0, 1000, (n_fac, 2)), max_distance=200)
    thresholds = [3, 6, 9]
    t, _ = node_times_to(net, fac, 60.0 * max(thresholds))
    grid = nested_polygons(net, t, fac, thresholds, buffer_m=40.0, cell_m=cell)
    exact = nested_polygons(net, t, fac, thresholds, buffer_m=40.0, simplify_m=0,
                            method="vector")
    for g, e in zip(grid, exact, strict=True):
        assert_within_cells(g, e, cell)
    for a, b in pairwise(grid):
        assert a.difference(b).is_empty  # exact, no rounding slivers


def test_grid_nests_exactly_in_wgs84_and_is_deterministic():
    net = shifted_net(3, n_nodes=60, n_edges=130)
    xy = np.array([[200.0, 200.0], [800.0, 700.0], [300.0, 900.0]]) + [X0, Y0]
    fac = link_points(net, xy, max_distance=300)
    layers = np.array(["a", "b", "a"])
    one = layer_isochrones(net, fac, layers, [3, 6, 9, 12], workers=1)
    two = layer_isochrones(net, fac, layers, [3, 6, 9, 12], workers=2)
    assert one.crs.to_epsg() == 4326
    for a, b in zip(one.geometry.values, two.geometry.values, strict=True):
        assert shapely.equals_exact(a, b, 0.0)  # the very same vertices
    for layer in ("a", "b"):
        g = one.geometry.values[one["layer"].to_numpy() == layer]
        assert not g[0].is_empty
        for a, b in pairwise(g):
            assert a.difference(b).is_empty  # exact after reprojection


def test_grid_simplified_coverage_still_nests():
    net = RoutingNetwork.from_graph(random_graph(8), access_speed=SPEED)
    rng = np.random.default_rng(8)
    fac = link_points(net, rng.uniform(0, 1000, (3, 2)), max_distance=200)
    t, _ = node_times_to(net, fac, 600.0)
    plain = nested_polygons(net, t, fac, [3, 6, 9], cell_m=10.0)
    simple = nested_polygons(net, t, fac, [3, 6, 9], cell_m=10.0, simplify_m=10.0)
    for a, b in pairwise(simple):
        assert a.difference(b).is_empty
    for p, s in zip(plain, simple, strict=True):
        assert shapely.get_num_coordinates(s) < shapely.get_num_coordinates(p)
        # Visvalingam-Whyatt: tolerance is the square root of a removed triangle's area
        assert beyond(p, s) <= 2 * 10.0 and beyond(s, p) <= 2 * 10.0


def test_grid_agrees_with_per_facility_union():
    net = shifted_net(11, n_nodes=30, n_edges=60)
    xy = np.array([[200.0, 200.0], [800.0, 700.0]]) + [X0, Y0]
    fac = link_points(net, xy, max_distance=300)
    lay = layer_isochrones(net, fac, ["a", "a"], [5, 10], buffer_m=30.0)
    per = facility_isochrones(net, fac, ["f1", "f2"], [5, 10], buffer_m=30.0)
    for m, layer_poly in zip([5, 10], lay.geometry.values, strict=True):
        both = shapely.union_all(per.loc[per["minutes"] == m].geometry.values)
        # the same aligned grid: only the samples along merged stretches differ
        assert both.symmetric_difference(layer_poly).area < 0.02 * layer_poly.area


def hangzhou_network(path: Path) -> RoutingNetwork:
    """The real Hangzhou drive graph prepared for walking, as the pipeline does."""
    from circle15.geo.routing import load_network

    return load_network(str(path), mode="walk", crs="EPSG:4549")


@pytest.fixture(scope="module")
def hangzhou_net(shared_dir):
    path = shared_dir / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"
    if not path.is_file():
        pytest.skip(f"Hangzhou graph not available at {path}")
    return hangzhou_network(path)


@pytest.mark.shared
def test_grid_within_one_cell_on_hangzhou(hangzhou_net):
    """The real Hangzhou drive graph (walked both ways): grid vs exact, 5/10/15 min."""
    net = hangzhou_net
    rng = np.random.default_rng(17)
    seg = rng.choice(net.n_segments, 20, replace=False)
    pts = shapely.line_interpolate_point(net.seg_geometry[seg], 0.5, normalized=True)
    fac = link_points(net, shapely.get_coordinates(pts), max_distance=50)
    t, _ = node_times_to(net, fac, 900.0)
    cell = default_cell(40.0)
    grid = nested_polygons(net, t, fac, [5, 10, 15], buffer_m=40.0)
    exact = nested_polygons(net, t, fac, [5, 10, 15], buffer_m=40.0, simplify_m=0,
                            method="vector")
    for g, e in zip(grid, exact, strict=True):
        assert_within_cells(g, e, cell)
    for a, b in pairwise(grid):
        assert a.difference(b).is_empty


def test_band_polygons_are_an_edge_matched_coverage_across_tiles():
    """Polygonised tile by tile, with the other polygons' corners inserted: a valid
    coverage whose band areas are the band's cell counts, merged across tile seams."""
    from circle15.coverage.isogrid import NO_BAND, TILE, band_polygons

    rng = np.random.default_rng(4)
    blocks = rng.choice([0, 1, 2, NO_BAND], size=(40, 50), p=[0.2, 0.2, 0.2, 0.4])
    band = np.kron(blocks, np.ones((13, 11), np.uint8)).astype(np.uint8)
    assert band.shape[0] > TILE and band.shape[1] > TILE  # several tiles
    parts = band_polygons(band, 3)
    flat = np.concatenate(parts)
    assert shapely.coverage_is_valid(flat)
    for i, p in enumerate(parts):
        assert shapely.area(p).sum() == pytest.approx((band == i).sum())
    merged = shapely.coverage_union_all(flat)
    assert merged.is_valid and merged.area == pytest.approx((band != NO_BAND).sum())


def test_new_stretches_equals_set_membership():
    """The sort-based test of new stretches equals ``np.isin`` on (segment, lo, hi) records,
    duplicates and shared segments included."""
    from circle15.coverage.isochrones import _new_stretches

    dt = np.dtype([("s", np.int64), ("lo", float), ("hi", float)])

    def rec(t):
        r = np.empty(len(t[0]), dt)
        r["s"], r["lo"], r["hi"] = t
        return r

    rng = np.random.default_rng(5)
    for _ in range(200):
        n, m = rng.integers(1, 40, 2)
        cur = (rng.integers(0, 6, n), rng.integers(0, 3, n) / 2.0, rng.integers(0, 3, n) / 2.0)
        prev = (rng.integers(0, 6, m), rng.integers(0, 3, m) / 2.0, rng.integers(0, 3, m) / 2.0)
        expected = ~np.isin(rec(cur), rec(prev))
        np.testing.assert_array_equal(_new_stretches(cur, prev), expected)
