"""Exact linking of points (facilities, people) onto street segments.

Each point is projected onto its nearest usable segment (shapely ``STRtree``). The walking
distance from a point to a node is the straight *offset* to the segment plus the distance
along the segment to that node; two points on the same segment reach each other along it
directly. Nothing is snapped to nodes and the graph is not mutated: the result is a set of
arrays that :mod:`circle15.coverage.travel` combines with node-to-node times.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely

from circle15.geo.routing.network import RoutingNetwork

#: Radius (m) of the fast first linking pass; farther points take the slower nearest query.
_FIRST_PASS_M = 50.0
#: Smaller radii (m) tried first within the first pass: most points lie this close to a
#: street, and a small radius tests a few segments instead of some twenty.
_RADIUS_STEPS = (10.0,)


@dataclass(frozen=True, eq=False)
class Links:
    """Where each point joins the network.

    Attributes
    ----------
    segment : numpy.ndarray
        Segment index per point, ``-1`` when not linked (too far from any usable street).
    frac : numpy.ndarray
        Position along the segment from its ``u`` end, as a fraction of its length (0..1).
    offset : numpy.ndarray
        Straight distance in metres from the point to the segment (``nan`` when not linked).
    """

    segment: np.ndarray
    frac: np.ndarray
    offset: np.ndarray

    @property
    def linked(self) -> np.ndarray:
        """Boolean mask of linked points."""
        return self.segment >= 0

    def __len__(self) -> int:
        return len(self.segment)

    def subset(self, mask_or_index: np.ndarray) -> Links:
        """Links of a subset of the points."""
        return Links(self.segment[mask_or_index], self.frac[mask_or_index],
                     self.offset[mask_or_index])


def usable_segments(net: RoutingNetwork) -> np.ndarray:
    """Boolean mask of segments a point may be linked to: those that can be travelled in at
    least one direction.

    Which road classes a mode may use (no motorways for walking, trunk roads only with foot
    access) is decided once, when the network is loaded (:mod:`circle15.geo.streets.modes`); the
    routing network holds only streets the mode may use.
    """
    return np.isfinite(net.seg_time_fwd) | np.isfinite(net.seg_time_bwd)


class SegmentIndex:
    """A spatial index of the segments points may be linked to; build once, link many.

    Parameters
    ----------
    net : RoutingNetwork
    usable : numpy.ndarray, optional
        Boolean mask of segments that may be linked to (default: all).
    """

    def __init__(self, net: RoutingNetwork, usable: np.ndarray | None = None) -> None:
        self.net = net
        self.seg_ids = np.arange(net.n_segments) if usable is None else np.flatnonzero(usable)
        self.tree = shapely.STRtree(net.seg_geometry[self.seg_ids])

    def link(self, xy: np.ndarray, *, max_distance: float = 300.0) -> Links:
        """Link points to their nearest usable segment (see :func:`link_points`)."""
        net, tree, seg_ids = self.net, self.tree, self.seg_ids
        xy = np.asarray(xy, float).reshape(-1, 2)
        n = len(xy)
        segment = np.full(n, -1, np.int64)
        frac = np.zeros(n)
        offset = np.full(n, np.nan)
        valid = np.flatnonzero(np.isfinite(xy).all(axis=1))
        if not len(valid) or not len(seg_ids):
            return Links(segment, frac, offset)
        # Query in spatial order (rows of 250 m cells): neighbouring queries then touch the
        # same tree nodes, which is several times faster than random order on large inputs.
        cell = np.floor((xy[valid] - xy[valid].min(axis=0)) / 250.0).astype(np.int64)
        valid = valid[np.lexsort((cell[:, 0], cell[:, 1]))]
        # First pass, in threads over spatial chunks (GEOS releases the GIL): every segment
        # within a short radius, nearest kept. Most points lie near a street.
        radius = min(max_distance, _FIRST_PASS_M)
        n_chunks = max(1, min(_workers(), len(valid) // 50_000))
        chunks = np.array_split(np.arange(len(valid)), n_chunks)  # none empty
        with ThreadPoolExecutor(n_chunks) as pool:
            parts = list(pool.map(
                lambda ix: _nearest_within(tree, xy[valid[ix]], radius, int(ix[0])), chunks))
        pts = np.concatenate([p[0] for p in parts])
        found_p = np.concatenate([p[1] for p in parts])
        found_t = np.concatenate([p[2] for p in parts])
        found_d = np.concatenate([p[3] for p in parts])
        # Second pass for the rest, up to the maximum link distance.
        rest = np.setdiff1d(np.arange(len(pts)), found_p, assume_unique=True)
        if len(rest) and max_distance > radius:
            (rp, rt), rd = tree.query_nearest(pts[rest], max_distance=max_distance,
                                              return_distance=True, all_matches=False)
            found_p = np.concatenate([found_p, rest[rp]])
            found_t = np.concatenate([found_t, rt])
            found_d = np.concatenate([found_d, rd])
        src = valid[found_p]
        seg = seg_ids[found_t]
        segment[src] = seg
        offset[src] = found_d
        geoms = net.seg_geometry[seg]
        glen = shapely.length(geoms)
        along = shapely.line_locate_point(geoms, pts[found_p])
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(glen > 0, along / glen, 0.0)
        frac[src] = np.clip(f, 0.0, 1.0)
        return Links(segment, frac, offset)


def link_points(net: RoutingNetwork, xy: np.ndarray, *, max_distance: float = 300.0,
                usable: np.ndarray | None = None) -> Links:
    """Link points to their nearest usable segment.

    Parameters
    ----------
    net : RoutingNetwork
        The network (its CRS is the CRS of ``xy``).
    xy : numpy.ndarray
        ``(n, 2)`` projected coordinates.
    max_distance : float
        Points farther than this (metres) from every usable segment are left unlinked.
    usable : numpy.ndarray, optional
        Boolean mask of segments that may be linked to (default: all).

    Returns
    -------
    Links
        Equidistant segments are resolved deterministically (lowest segment index within
        the first-pass radius).

    See Also
    --------
    SegmentIndex : build the index once to link several point sets.
    """
    return SegmentIndex(net, usable).link(xy, max_distance=max_distance)


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _nearest_within(tree: shapely.STRtree, xy: np.ndarray, radius: float, first: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points of ``xy`` and, for those within ``radius`` of a tree geometry, the nearest.

    Returns the point geometries, then (point index + ``first``, tree index, distance) for
    each point with a match, by point index; ties go to the lowest tree index
    (deterministic). Radii grow in steps (:data:`_RADIUS_STEPS`, then ``radius``): a point
    with a segment within a step has its nearest segment (and every tie) within it, so
    the result is that of one search within ``radius``, with far fewer candidates.
    """
    # shapely's stubs give scalar-or-array unions; these are arrays for array input
    pts = cast(np.ndarray, shapely.points(xy))
    todo = np.arange(len(pts))
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for r in [*(x for x in _RADIUS_STEPS if x < radius), radius]:
        sub = pts[todo]
        pi, ti = tree.query(sub, predicate="dwithin", distance=r)
        dist = cast(np.ndarray, shapely.distance(sub[pi], tree.geometries[ti]))
        order = np.lexsort((ti, dist, pi))
        keep = np.ones(len(order), bool)
        keep[1:] = pi[order][1:] != pi[order][:-1]
        best = order[keep]
        found.append((todo[pi[best]], ti[best], dist[best]))
        hit = np.zeros(len(todo), bool)
        hit[pi[best]] = True
        todo = todo[~hit]
        if not len(todo):
            break
    p, t, d = (np.concatenate(a) for a in zip(*found, strict=True))
    by_point = np.argsort(p, kind="stable")
    return pts, p[by_point] + first, t[by_point], d[by_point]


def link_report(links: Links) -> dict:
    """Summary of a linking for ``run.json``: counts and the link-distance distribution."""
    d = links.offset[links.linked]
    q = np.percentile(d, [50, 90, 99, 100]).round(1).tolist() if len(d) else [None] * 4
    return {
        "points": int(len(links)),
        "linked": int(links.linked.sum()),
        "not_linked": int((~links.linked).sum()),
        "offset_m": dict(zip(("p50", "p90", "p99", "max"), q, strict=True)),
    }
