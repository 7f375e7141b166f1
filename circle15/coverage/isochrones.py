"""Isochrone polygons for display (coverage numbers never come from them).

For each threshold the *reached street* is every point of every segment from which the
nearest facility is reached within the threshold — the same exact times as coverage
(:mod:`circle15.coverage.travel`): from a node's time to the facility, a point at fraction
``s`` of segment ``u -> v`` is reached via ``u`` when ``s * t_bwd + T[u] <= m`` and via ``v``
when ``(1 - s) * t_fwd + T[v] <= m``; facilities on the segment itself add the stretch
reached along it. A segment reached from both ends gets both partial pieces. The pieces are
cut from the segment geometry (vectorised substring) and buffered by ``buffer_m``.

Polygons are **cumulative**: the ``m``-minute polygon is everything reached within ``m``
minutes (``kind = "cumulative"``), nested ``poly(5) ⊆ poly(10) ⊆ poly(15)``, in WGS-84
(EPSG:4326). Two methods build them:

* ``method="grid"`` (default, :mod:`circle15.coverage.isogrid`): the stretches are burnt
  into a grid of ``cell_m`` cells (default half the buffer) and the threshold bands are
  polygonised once; time grows linearly with the network, nesting is exact, and the
  boundary lies within about one cell of the exact buffered streets.
* ``method="vector"``: the exact buffered union. Reached stretches only grow with ``m``, so
  per threshold only the stretches newly reached since the next smaller one are buffered,
  unioned and simplified (the thresholds in parallel threads), and the polygon is the
  previous polygon unioned with that new part — in the output CRS, so nesting holds by
  construction up to the floating-point rounding of the union's intersection vertices
  (about 1e-12 of the coordinates). Simplification (``simplify_m``, default
  ``buffer_m / 8``, topology preserving; the streets by ``simplify_m / 2`` before
  buffering, the polygon parts by ``simplify_m``) moves the boundary by at most
  ``1.5 * simplify_m``. The unions grow faster than the network (19 s for 5 layers at
  200k nodes, 152 s at 800k); it is the reference the grid is tested against.

A display band ``10 - 5`` is ``poly(10).difference(poly(5))``.

Origins are at most their link offset away from the reached street, so an origin covered
within ``m`` minutes lies within ``offset`` of the ``m``-minute street and inside its polygon
whenever ``offset <= buffer_m`` (up to the grid's cell with ``method="grid"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from circle15.coverage.isogrid import grid_polygons, sample_lines
from circle15.coverage.travel import node_times_to, virtual_source_matrix
from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork

KIND = "cumulative"
#: Display CRS of the output.
OUT_CRS = "EPSG:4326"


# --------------------------------------------------------------------------- intervals


def reached_intervals(net: RoutingNetwork, node_t: np.ndarray, fac: Links, limit_s: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stretches of segments from which a facility is reached within ``limit_s`` seconds.

    Parameters
    ----------
    net : RoutingNetwork
    node_t : numpy.ndarray
        Seconds from each node to the nearest facility of ``fac`` (``inf`` = not reached),
        e.g. from :func:`~circle15.coverage.travel.node_times_to` with a cutoff of at least
        ``limit_s``.
    fac : Links
        The same facilities (for stretches reached along their own segment).
    limit_s : float
        Seconds.

    Returns
    -------
    seg, lo, hi : numpy.ndarray
        Disjoint, sorted stretches ``[lo, hi]`` (fractions of the segment from ``u``).
        ``lo == hi`` is a single reached point (e.g. a node at a one-way street's end).
    """
    u, v = net.seg_u, net.seg_v
    tf, tb = net.seg_time_fwd, net.seg_time_bwd
    with np.errstate(invalid="ignore", divide="ignore"):
        rem_u = limit_s - node_t[u]
        rem_v = limit_s - node_t[v]
        # fraction reachable from each end (0 when the direction is forbidden: inf time)
        a_u = np.where(rem_u >= 0, np.where(tb > 0, rem_u / tb, np.inf), -1.0)
        b_v = np.where(rem_v >= 0, np.where(tf > 0, rem_v / tf, np.inf), -1.0)
    segs = [np.flatnonzero(a_u >= 0), np.flatnonzero(b_v >= 0)]
    los = [np.zeros(len(segs[0])), 1.0 - np.minimum(b_v[segs[1]], 1.0)]
    his = [np.minimum(a_u[segs[0]], 1.0), np.ones(len(segs[1]))]
    fl = np.flatnonzero(fac.linked)
    if len(fl):
        fs = fac.segment[fl]
        rem = limit_s - fac.offset[fl] / net.access_speed
        ok = rem >= 0
        fs, rem, f = fs[ok], rem[ok], fac.frac[fl][ok]
        with np.errstate(invalid="ignore", divide="ignore"):
            # a point before the facility walks forward to it, one after it backward
            back = np.where(tf[fs] > 0, rem / tf[fs], np.inf)
            ahead = np.where(tb[fs] > 0, rem / tb[fs], np.inf)
        segs.append(fs)
        los.append(np.maximum(f - back, 0.0))
        his.append(np.minimum(f + ahead, 1.0))
    seg = np.concatenate(segs)
    lo = np.concatenate(los)
    hi = np.concatenate(his)
    if not len(seg):
        return seg, lo, hi
    # merge overlapping stretches per segment (grouped running maximum of hi)
    order = np.lexsort((lo, seg))
    seg, lo, hi = seg[order], lo[order], hi[order]
    shift = 4.0 * seg
    run = np.maximum.accumulate(hi + shift) - shift
    new = np.ones(len(seg), bool)
    new[1:] = (seg[1:] != seg[:-1]) | (lo[1:] > run[:-1])
    start = np.flatnonzero(new)
    end = np.append(start[1:], len(seg)) - 1
    return seg[start], lo[start], run[end]


def substrings(geoms: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Vectorised ``shapely.ops.substring``: the part of each line between two distances.

    Parameters
    ----------
    geoms : numpy.ndarray
        LineStrings.
    lo, hi : numpy.ndarray
        Distances along each line (``0 <= lo <= hi <= length``).

    Returns
    -------
    numpy.ndarray
        LineStrings (a Point where ``lo == hi``).
    """
    n = len(geoms)
    if n == 0:
        return np.empty(0, dtype=object)
    out = np.empty(n, dtype=object)
    p_lo = shapely.line_interpolate_point(geoms, lo)
    p_hi = shapely.line_interpolate_point(geoms, hi)
    point = hi <= lo
    out[point] = p_lo[point]
    line = np.flatnonzero(~point)
    if not len(line):
        return out
    g = geoms[line]
    coords, gi = shapely.get_coordinates(g, return_index=True)
    step = np.zeros(len(coords))
    same = np.zeros(len(coords), bool)
    same[1:] = gi[1:] == gi[:-1]
    step[1:] = np.hypot(*(coords[1:] - coords[:-1]).T)
    step[~same] = 0.0
    cum = np.cumsum(step)
    first = np.flatnonzero(~same)
    cum -= np.repeat(cum[first], np.diff(np.append(first, len(cum))))
    # vertices strictly inside (rounding of the summed lengths must not repeat an end)
    eps = 1e-9 * (1.0 + hi[line])[gi]
    inner = (cum > lo[line][gi] + eps) & (cum < hi[line][gi] - eps)
    # vertices: start point, inner vertices, end point; ordered by distance along the line
    xy_lo = shapely.get_coordinates(p_lo[line])
    xy_hi = shapely.get_coordinates(p_hi[line])
    k = len(line)
    piece = np.concatenate([np.arange(k), gi[inner], np.arange(k)])
    dist = np.concatenate([lo[line], cum[inner], hi[line]])
    rank = np.concatenate([np.zeros(k), np.ones(inner.sum()), np.full(k, 2.0)])
    xy = np.concatenate([xy_lo, coords[inner], xy_hi])
    order = np.lexsort((rank, dist, piece))
    out[line] = shapely.linestrings(xy[order], indices=piece[order])
    return out


def reached_lines(net: RoutingNetwork, seg: np.ndarray, lo: np.ndarray, hi: np.ndarray
                  ) -> np.ndarray:
    """Geometries of reached stretches (whole segments reuse their geometry)."""
    geoms = net.seg_geometry[seg]
    out = geoms.copy()
    part = (lo > 0) | (hi < 1)
    if part.any():
        glen = shapely.length(geoms[part])
        out[part] = substrings(geoms[part], lo[part] * glen, hi[part] * glen)
    return out


# --------------------------------------------------------------------------- polygons


def _simplify(poly: BaseGeometry, tol: float) -> BaseGeometry:
    """Topology-preserving simplification within ``tol``, one polygon at a time.

    GEOS' topology-preserving simplifier is several times faster on the separate polygons
    of a large multipolygon than on the whole; should two simplified polygons then
    overlap (an invalid multipolygon), the whole is simplified instead.
    """
    if tol <= 0 or poly.is_empty:
        return poly
    parts = shapely.get_parts(poly)
    if len(parts) > 1:
        out = shapely.multipolygons(shapely.simplify(parts, tol))
        if shapely.is_valid(out):
            return cast(BaseGeometry, out)  # one multipolygon (the stubs say "or array")
    return cast(BaseGeometry, shapely.simplify(poly, tol))


def _reproject(geom: BaseGeometry, src: str, dst: str | None) -> BaseGeometry:
    if dst is None or geom.is_empty:
        return geom
    return gpd.GeoSeries([geom], crs=src).to_crs(dst).values[0]


def _piece_polygon(lines: np.ndarray, buffer_m: float, simplify_m: float, quad_segs: int,
                   src: str, dst: str | None) -> shapely.Geometry:
    """Buffered union of stretches, simplified, in ``dst`` (``None``: as given)."""
    if not len(lines):
        return shapely.Polygon()
    if simplify_m > 0:
        lines = shapely.simplify(lines, simplify_m / 2)
    # unions each group of mutually disjoint pieces on its own (GEOS >= 3.12): faster
    # than union_all on scattered reached streets, same result
    poly = shapely.disjoint_subset_union_all(
        shapely.buffer(lines, buffer_m, quad_segs=quad_segs))
    return _reproject(_simplify(poly, simplify_m), src, dst)


def _new_stretches(cur: tuple, prev: tuple | None) -> np.ndarray:
    """Mask of the stretches of ``cur`` that are not a stretch of ``prev`` as well.

    Reached stretches only grow with the limit (each stretch of ``prev`` lies in one of
    ``cur``), so the union of the buffered ``prev`` stretches and the buffered new ones is
    the buffered union of all ``cur`` stretches: exact, with far fewer pieces to union.
    """
    if prev is None or not len(prev[0]) or not len(cur[0]):
        return np.ones(len(cur[0]), bool)
    nc = len(cur[0])
    s, lo, hi = (np.concatenate([c, p]) for c, p in zip(cur, prev, strict=True))
    is_prev = np.arange(len(s)) >= nc
    # sort by (segment, lo, hi): equal stretches of cur and prev end up side by side
    order = np.lexsort((is_prev, hi, lo, s))
    ss, ll, hh, pp = s[order], lo[order], hi[order], is_prev[order]
    start = np.ones(len(s), bool)
    start[1:] = (ss[1:] != ss[:-1]) | (ll[1:] != ll[:-1]) | (hh[1:] != hh[:-1])
    group = np.cumsum(start) - 1
    group_in_prev = np.bincount(group, weights=pp, minlength=int(group[-1]) + 1) > 0
    new = np.ones(nc, bool)
    new[order[group_in_prev[group] & ~pp]] = False
    return new


def _threshold_lines(net: RoutingNetwork, node_t: np.ndarray, fac: Links, ts: np.ndarray,
                     order: np.ndarray) -> list[np.ndarray]:
    """Per threshold in ``order``, the stretches newly reached since the previous one."""
    pieces, prev = [], None
    for i in order:
        cur = reached_intervals(net, node_t, fac, 60.0 * float(ts[i]))
        new = _new_stretches(cur, prev)
        pieces.append(reached_lines(net, *(a[new] for a in cur)))
        prev = cur
    return pieces


def _vector_parts(pieces: list[np.ndarray], net: RoutingNetwork, opts: dict,
                  dst: str | None, workers: int | None) -> list:
    """Exact buffered unions of each threshold's new stretches (the reference method)."""
    def part(lines: np.ndarray) -> shapely.Geometry:
        return _piece_polygon(lines, opts["buffer_m"], opts["simplify_m"],
                              opts["quad_segs"], net.crs, dst)

    n_threads = min(len(pieces), workers or os.cpu_count() or 1)
    if n_threads > 1:
        # largest first so that the pool stays busy
        with ThreadPoolExecutor(n_threads) as ex:
            futs = {j: ex.submit(part, pieces[j])
                    for j in sorted(range(len(pieces)), key=lambda j: -len(pieces[j]))}
            parts = [futs[j].result() for j in range(len(pieces))]
    else:
        parts = [part(p) for p in pieces]
    out: list[BaseGeometry] = []
    poly: BaseGeometry = shapely.Polygon()
    for p in parts:
        if poly.is_empty:
            poly = cast(BaseGeometry, p)
        elif not cast(BaseGeometry, p).is_empty:
            poly = cast(BaseGeometry, shapely.union(poly, p))
        out.append(poly)
    return out


def cumulative_polygons(net: RoutingNetwork, node_t: np.ndarray, fac: Links,
                        thresholds: Sequence[float], *, buffer_m: float = 40.0,
                        simplify_m: float | None = None, quad_segs: int = 4,
                        crs: str | None = None, workers: int | None = None,
                        method: str = "grid", cell_m: float | None = None) -> list:
    """Cumulative, nested polygons for thresholds in minutes.

    ``method="grid"`` (default) burns the reached stretches into a grid of ``cell_m``
    cells and polygonises the threshold bands once (:mod:`circle15.coverage.isogrid`):
    linear in the network's size, nested exactly, within about one cell of the exact
    buffered streets. ``method="vector"`` buffers and unions the stretches exactly: in
    increasing threshold order, only the stretches newly reached since the previous
    threshold are buffered, unioned and simplified (independently per threshold, in
    ``workers`` threads: shapely releases the GIL); then each polygon is the union of the
    previous one and its new part, taken in the output CRS, so nesting holds there by
    construction (up to the rounding of the overlay). It is the reference for tests and
    grows faster than the network.

    Parameters
    ----------
    net : RoutingNetwork
    node_t : numpy.ndarray
        Seconds from each node to the nearest facility (cutoff at least the largest
        threshold).
    fac : Links
        The facilities behind ``node_t``.
    thresholds : sequence of float
        Minutes, in any order.
    buffer_m, simplify_m, quad_segs, cell_m
        As :func:`layer_isochrones`.
    crs : str, optional
        Output CRS; default ``net.crs``.
    workers : int, optional
        Threads for the per-threshold unions (``method="vector"``); default
        ``os.cpu_count()``.
    method : {"grid", "vector"}
        See above.

    Returns
    -------
    list of shapely.Geometry
        One per threshold, in the order given.
    """
    if method not in ("grid", "vector"):
        raise ValueError(f"method must be 'grid' or 'vector', not {method!r}")
    dst = None if crs is None or crs == net.crs else crs
    ts = np.asarray(thresholds, float)
    order = np.argsort(ts, kind="stable")
    pieces = _threshold_lines(net, node_t, fac, ts, order)
    if method == "grid":
        cell_m = default_cell(buffer_m) if cell_m is None else float(cell_m)
        simplify_m = 0.0 if simplify_m is None else simplify_m
        samples = [sample_lines(p, cell_m / 2.0) for p in pieces]
        parts = grid_polygons(samples, buffer_m=buffer_m, cell_m=cell_m,
                              simplify_m=simplify_m, src=net.crs, dst=dst)
    else:
        simplify_m = buffer_m / 8.0 if simplify_m is None else simplify_m
        parts = _vector_parts(pieces, net, {"buffer_m": buffer_m, "simplify_m": simplify_m,
                                            "quad_segs": quad_segs}, dst, workers)
    out = [None] * len(ts)
    for i, p in zip(order, parts, strict=True):
        out[i] = p
    return out


def default_cell(buffer_m: float) -> float:
    """Default grid cell for ``method="grid"``: half the buffer (20 m for 40 m), finer
    than the 25 m to which the HTML map simplifies the polygons for display."""
    return buffer_m / 2.0


def nested_polygons(net: RoutingNetwork, node_t: np.ndarray, fac: Links,
                    thresholds: Sequence[float], *, buffer_m: float = 40.0,
                    simplify_m: float | None = None, quad_segs: int = 4,
                    method: str = "grid", cell_m: float | None = None) -> list:
    """Cumulative, nested polygons (in ``net.crs``) for thresholds in minutes.

    Returns one geometry per threshold, in the order given; nesting holds in increasing
    threshold order (see :func:`cumulative_polygons`).
    """
    return cumulative_polygons(net, node_t, fac, thresholds, buffer_m=buffer_m,
                               simplify_m=simplify_m, quad_segs=quad_segs, method=method,
                               cell_m=cell_m)


def layer_isochrones(net: RoutingNetwork, fac_links: Links, fac_layers: np.ndarray,
                     thresholds: list[float], *, buffer_m: float = 40.0,
                     simplify_m: float | None = None, quad_segs: int = 4,
                     workers: int | None = None, method: str = "grid",
                     cell_m: float | None = None) -> gpd.GeoDataFrame:
    """Cumulative isochrones per layer and threshold (all facilities of a layer together).

    Parameters
    ----------
    net : RoutingNetwork
    fac_links : Links
        Links of all facilities.
    fac_layers : numpy.ndarray
        Layer key per facility.
    thresholds : list of float
        Minutes.
    buffer_m : float
        Buffer around reached streets (metres).
    simplify_m : float, optional
        Simplification tolerance (metres). ``method="grid"``: default 0, the outline of
        the cells (corners only; the HTML map simplifies for display); above 0, coverage
        simplification (about the square root of the removed triangles' area).
        ``"vector"``: default ``buffer_m / 8``, 0 to keep every vertex.
    quad_segs : int
        Segments per quarter circle of the buffer's round ends (``"vector"`` only).
    workers : int, optional
        Threads (shapely releases the GIL): one per layer when there are several layers,
        else one per threshold (``"vector"``); default ``os.cpu_count()``, 1 to stay in
        the calling thread. Results do not depend on it.
    method : {"grid", "vector"}
        ``"grid"`` (default): on a grid of ``cell_m`` cells, linear in the network's size;
        ``"vector"``: exact buffered unions (reference; grows faster than the network).
        See :func:`cumulative_polygons`.
    cell_m : float, optional
        Grid cell (metres) for ``method="grid"``; default :func:`default_cell`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``layer, minutes, kind, geometry``; one row per layer × threshold (an empty polygon
        where nothing is reached); EPSG:4326.
    """
    fac_layers = np.asarray(fac_layers).astype(str)
    cutoff = 60.0 * max(thresholds) if len(thresholds) else 0.0
    keys = pd.unique(fac_layers)
    n_threads = max(1, workers or os.cpu_count() or 1)
    # several layers: one thread per layer; one layer: its thresholds in parallel
    per_layer = 1 if len(keys) > 1 else n_threads

    def one(layer: str) -> list:
        sub = fac_links.subset(np.flatnonzero(fac_layers == layer))
        node_t, _ = node_times_to(net, sub, cutoff)
        return cumulative_polygons(net, node_t, sub, thresholds, buffer_m=buffer_m,
                                   simplify_m=simplify_m, quad_segs=quad_segs,
                                   crs=OUT_CRS, workers=per_layer, method=method,
                                   cell_m=cell_m)

    if len(keys) > 1 and n_threads > 1:
        with ThreadPoolExecutor(min(n_threads, len(keys))) as ex:
            results = list(ex.map(one, keys))
    else:
        results = [one(k) for k in keys]
    rows, geoms = [], []
    for layer, polys in zip(keys, results, strict=True):
        for m, p in zip(thresholds, polys, strict=True):
            rows.append((str(layer), m, KIND))
            geoms.append(p)
    df = pd.DataFrame(rows, columns=["layer", "minutes", "kind"])
    return gpd.GeoDataFrame(df, geometry=geoms, crs=OUT_CRS)


def facility_node_times(net: RoutingNetwork, fac: Links, cutoff: float, *,
                        batch_size: int = 64) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Per facility, the seconds from every node to it (``inf`` beyond ``cutoff``), batched.

    Parameters
    ----------
    net : RoutingNetwork
    fac : Links
        Facilities; unlinked ones are skipped.
    cutoff : float
        Seconds.
    batch_size : int
        Facilities per Dijkstra call; memory is ``batch_size * n_nodes * 8`` bytes.

    Yields
    ------
    index : numpy.ndarray
        Facility indices (into ``fac``) of this batch.
    times : numpy.ndarray
        ``(len(index), n_nodes)`` seconds.
    """
    ok = np.flatnonzero(fac.linked)
    if not len(ok):
        return
    mat = virtual_source_matrix(net, fac.subset(ok))
    n = net.n_nodes
    for start in range(0, len(ok), batch_size):
        b = np.arange(start, min(start + batch_size, len(ok)))
        dist = dijkstra(mat, directed=True, indices=n + b, limit=cutoff)
        yield ok[b], np.atleast_2d(dist)[:, :n]


def facility_isochrones(net: RoutingNetwork, fac_links: Links, facility_ids: Sequence,
                        thresholds: list[float], *, buffer_m: float = 40.0,
                        simplify_m: float | None = None, quad_segs: int = 4,
                        batch_size: int = 64, method: str = "grid",
                        cell_m: float | None = None) -> gpd.GeoDataFrame:
    """Cumulative isochrones of each facility on its own.

    Parameters
    ----------
    net : RoutingNetwork
    fac_links : Links
        Links of the facilities (unlinked ones get no rows).
    facility_ids : sequence
        Label per facility (same length as ``fac_links``), copied to ``facility_id``.
    thresholds : list of float
        Minutes.
    buffer_m, simplify_m, quad_segs, method, cell_m
        As :func:`layer_isochrones`.
    batch_size : int
        Facilities per Dijkstra call.

    Returns
    -------
    geopandas.GeoDataFrame
        ``facility_id, minutes, kind, geometry``; one row per linked facility × threshold;
        EPSG:4326.
    """
    ids = np.asarray(facility_ids, dtype=object)
    if len(ids) != len(fac_links):
        raise ValueError("facility_ids must have one label per facility")
    cutoff = 60.0 * max(thresholds) if len(thresholds) else 0.0
    rows, geoms = [], []
    for idx, dist in facility_node_times(net, fac_links, cutoff, batch_size=batch_size):
        for j, node_t in zip(idx, dist, strict=True):
            one = fac_links.subset(np.array([j]))
            polys = cumulative_polygons(net, node_t, one, thresholds, buffer_m=buffer_m,
                                        simplify_m=simplify_m, quad_segs=quad_segs,
                                        crs=OUT_CRS, workers=1, method=method,
                                        cell_m=cell_m)
            for m, p in zip(thresholds, polys, strict=True):
                rows.append((ids[j], m, KIND))
                geoms.append(p)
    df = pd.DataFrame(rows, columns=["facility_id", "minutes", "kind"])
    return gpd.GeoDataFrame(df, geometry=geoms, crs=OUT_CRS)
