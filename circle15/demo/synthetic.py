"""Seeded generator of a synthetic town-and-village street network (and where people live).

Everything here is *synthetic*: no real place is described. The generator builds, in a local
metric frame (azimuthal equidistant, centred on ``center``), a smooth region outline crossed by
a meandering river with few bridges; a dense, nearly regular grid for the central town; smaller
irregular grids for the other towns; several hundred small villages with their own lanes; and
winding country roads (with intermediate nodes and curved geometries) joining them. The result
is converted to an OSMnx-style :class:`networkx.MultiDiGraph` in WGS-84 (``x`` = lon,
``y`` = lat), with both directions of every street, as an OSMnx walk graph has.

Generation is vectorised with numpy/scipy/shapely and deterministic for a given seed:
the same seed gives the same graph, node for node and attribute for attribute.

Public functions
----------------
:func:`generate_region`
    The region (outline, river, towns, villages, network arrays) in local metres and WGS-84.
:func:`region_graph`
    The OSMnx-style graph of a region.
:func:`synthetic_network`
    A graph of about ``n_nodes_target`` nodes, for benchmarks.
:func:`synthetic_population`
    Person-weighted points (one per building-sized cell) along the streets of a region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import Transformer
from scipy import sparse
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree
from shapely.geometry import LineString, Polygon

#: Node / edge kinds (where a node lies).
CENTRE, TOWN, VILLAGE, ROAD = 0, 1, 2, 3
KIND_NAMES = ("centre", "town", "village", "road")

#: Highway classes used, as in OpenStreetMap.
HIGHWAYS = ("primary", "secondary", "tertiary", "residential", "unclassified", "track",
            "footway", "service")
_HW = {h: i for i, h in enumerate(HIGHWAYS)}

#: Nodes per unit of density at the default (demo) size: used to size :func:`synthetic_network`.
_NODES_PER_DENSITY = 23_700
#: Nodes of the central town, which does not grow with the area.
_FIXED_NODES = 4_500

_EARTH_R = 6_371_009.0  # mean Earth radius (m), as OSMnx uses for great-circle lengths

_VILLAGE_FIRST = "上下东西南北前后大小高新老石竹桃柳杨梅枫松青白黄金塘溪"
_VILLAGE_SECOND = "湾宅坞岙坑塘头店桥庄岭畈山源坂垄园埠家村里岗"


# --------------------------------------------------------------------------- data holder


@dataclass
class Region:
    """A generated synthetic region.

    Coordinates ``x``/``y`` are local metres (azimuthal equidistant centred on ``center``);
    ``lon``/``lat`` are WGS-84 degrees rounded to 7 decimals (about 1 cm).

    Attributes
    ----------
    center : tuple of float
        (lon, lat) of the local frame's origin, which is the central town's centre.
    outline : shapely.Polygon
        Region boundary in local metres.
    river : shapely.LineString
        River centre line in local metres (extends beyond the outline).
    towns : pandas.DataFrame
        One row per town: ``x``, ``y``, ``radius``, ``kind`` (0 centre, 1 town).
    villages : pandas.DataFrame
        One row per village: ``x``, ``y``, ``name``, ``town`` (index of the nearest town).
    node_x, node_y, node_lon, node_lat : numpy.ndarray
        Node coordinates.
    node_kind : numpy.ndarray
        0 centre, 1 town, 2 village, 3 road (intermediate nodes of country roads).
    node_settlement : numpy.ndarray
        Town index (kinds 0, 1), village index (kind 2), or -1 (kind 3).
    edge_u, edge_v : numpy.ndarray
        Node indices (into the node arrays) of each undirected street segment.
    edge_highway : numpy.ndarray
        Index into :data:`HIGHWAYS`.
    edge_name : numpy.ndarray
        Street names (object array of str).
    edge_way : numpy.ndarray
        Way id (int) shared by the segments of one street.
    edge_geom : list
        ``None`` for straight segments, else an ``(m, 2)`` array of lon/lat points
        (first and last equal to the end nodes) for curved roads.
    edge_length : numpy.ndarray
        Great-circle length in metres along the geometry.
    bridges : int
        Number of bridges added over the river.
    """

    center: tuple[float, float]
    outline: Polygon
    river: LineString
    towns: pd.DataFrame
    villages: pd.DataFrame
    node_x: np.ndarray
    node_y: np.ndarray
    node_lon: np.ndarray
    node_lat: np.ndarray
    node_kind: np.ndarray
    node_settlement: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_highway: np.ndarray
    edge_name: np.ndarray
    edge_way: np.ndarray
    edge_geom: list
    edge_length: np.ndarray
    bridges: int = 0
    river_params: dict = field(default_factory=dict)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_x)

    def to_lonlat(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Convert local metres to WGS-84 lon/lat."""
        return _transformer(self.center, inverse=False).transform(np.asarray(x, float),
                                                                   np.asarray(y, float))

    def to_local(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Convert WGS-84 lon/lat to local metres."""
        return _transformer(self.center, inverse=True).transform(np.asarray(lon, float),
                                                                  np.asarray(lat, float))

    def river_offset(self, x: ArrayLike, y: ArrayLike) -> np.ndarray:
        """Signed distance-like offset (m) of points from the river; > 0 on the north bank."""
        return _river_offset(self.river_params, np.asarray(x, float), np.asarray(y, float))

    def river_lonlat(self) -> LineString:
        """The river centre line in WGS-84."""
        xy = np.asarray(self.river.coords)
        lon, lat = self.to_lonlat(xy[:, 0], xy[:, 1])
        return LineString(np.column_stack([lon, lat]))

    def outline_lonlat(self) -> Polygon:
        """The outline in WGS-84."""
        return shapely.transform(self.outline, lambda c: np.column_stack(self.to_lonlat(
            c[:, 0], c[:, 1])))


# --------------------------------------------------------------------------- helpers


def _transformer(center: tuple[float, float], inverse: bool) -> Transformer:
    """Local azimuthal equidistant metres -> WGS-84 (``inverse``: WGS-84 -> local)."""
    local = (f"+proj=aeqd +lat_0={center[1]} +lon_0={center[0]} +x_0=0 +y_0=0 "
             "+datum=WGS84 +units=m +no_defs")
    if inverse:
        return Transformer.from_crs("EPSG:4326", local, always_xy=True)
    return Transformer.from_crs(local, "EPSG:4326", always_xy=True)


def great_circle_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
                   ) -> np.ndarray:
    """Great-circle distance in metres (haversine, mean Earth radius as in OSMnx)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    h = (np.sin((y2 - y1) / 2) ** 2
         + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2)
    return 2 * _EARTH_R * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _river_offset(p: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Offset (m, across the river's axis) of points from the centre line; > 0 north."""
    ca, sa = np.cos(p["alpha"]), np.sin(p["alpha"])
    s = x * ca + y * sa
    t = -x * sa + y * ca
    return t - _river_t(p, s)


def _river_t(p: dict, s: np.ndarray) -> np.ndarray:
    """The centre line's cross-axis position at along-axis positions ``s`` (two sines)."""
    return (p["t0"] + p["a1"] * np.sin(2 * np.pi * s / p["l1"] + p["p1"])
            + p["a2"] * np.sin(2 * np.pi * s / p["l2"] + p["p2"]))


def _river_xy(p: dict, s: np.ndarray) -> np.ndarray:
    """Local ``(x, y)`` points of the centre line at along-axis positions ``s``."""
    t = _river_t(p, s)
    ca, sa = np.cos(p["alpha"]), np.sin(p["alpha"])
    return np.column_stack([s * ca - t * sa, s * sa + t * ca])


def _smooth_radius(rng: np.random.Generator, base: float, amp: float,
                   orders: tuple[int, ...] = (2, 3, 5)) -> Callable[[np.ndarray], np.ndarray]:
    """A random smooth periodic radius function r(phi)."""
    coef = [(k, rng.uniform(0.4, 1.0) * amp / np.sqrt(k), rng.uniform(0, 2 * np.pi))
            for k in orders]

    def r(phi: np.ndarray) -> np.ndarray:
        out = np.ones_like(phi, dtype=float)
        for k, a, ph in coef:
            out = out + a * np.sin(k * phi + ph)
        return base * out

    return r


@dataclass
class _Streets:
    """Node and street-segment arrays of a network under construction (local metres).

    ``geoms`` holds, per segment, ``None`` (straight) or an ``(m, 2)`` array of points.
    """

    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray
    sett: np.ndarray
    u: np.ndarray
    v: np.ndarray
    hw: np.ndarray
    names: np.ndarray
    way: np.ndarray
    geoms: list

    def select_edges(self, keep: np.ndarray) -> _Streets:
        """The same nodes with the segments ``keep`` (a boolean mask or indices, in order)."""
        idx = np.nonzero(keep)[0] if keep.dtype == bool else keep
        return _Streets(x=self.x, y=self.y, kind=self.kind, sett=self.sett, u=self.u[keep],
                        v=self.v[keep], hw=self.hw[keep], names=self.names[keep],
                        way=self.way[keep], geoms=[self.geoms[i] for i in idx])


class _Acc:
    """Accumulates nodes and edges from the parts of the network."""

    def __init__(self) -> None:
        self.x: list[np.ndarray] = []
        self.y: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.sett: list[np.ndarray] = []
        self.u: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.hw: list[np.ndarray] = []
        self.name: list[np.ndarray] = []
        self.way: list[np.ndarray] = []
        self.geom: list = []  # per edge: None or (m, 2) local array
        self.n = 0
        self.next_way = 1

    def add_nodes(self, x: ArrayLike, y: ArrayLike, kind: int | ArrayLike,
                  sett: int | ArrayLike) -> int:
        """Append nodes; returns the index of the first one."""
        off = self.n
        x = np.asarray(x, float)
        self.x.append(x)
        self.y.append(np.asarray(y, float))
        self.kind.append(np.full(len(x), kind, np.int8) if np.isscalar(kind)
                         else np.asarray(kind, np.int8))
        self.sett.append(np.broadcast_to(np.asarray(sett, np.int64), len(x)).copy())
        self.n += len(x)
        return off

    def add_edges(self, u: ArrayLike, v: ArrayLike, hw: ArrayLike, names: ArrayLike,
                  way: ArrayLike, geoms: list | None = None) -> None:
        """Append segments (node indices, highway index, names, way ids, geometries)."""
        u = np.asarray(u, np.int64)
        self.u.append(u)
        self.v.append(np.asarray(v, np.int64))
        self.hw.append(np.asarray(hw, np.int8))
        self.name.append(np.asarray(names, object))
        self.way.append(np.asarray(way, np.int64))
        self.geom.extend(geoms if geoms is not None else [None] * len(u))

    def ways(self, n: int) -> np.ndarray:
        """``n`` new way ids."""
        out = np.arange(self.next_way, self.next_way + n, dtype=np.int64)
        self.next_way += n
        return out

    def streets(self) -> _Streets:
        """Everything added so far, as one set of arrays."""
        return _Streets(x=np.concatenate(self.x), y=np.concatenate(self.y),
                        kind=np.concatenate(self.kind), sett=np.concatenate(self.sett),
                        u=np.concatenate(self.u), v=np.concatenate(self.v),
                        hw=np.concatenate(self.hw), names=np.concatenate(self.name),
                        way=np.concatenate(self.way), geoms=self.geom)


# --------------------------------------------------------------------------- parts


@dataclass
class _Lattice:
    """A town's warped lattice: grid indices ``ii``/``jj`` in ``[-n, n]``, positions
    ``x``/``y`` and, per lattice point, its node index ``idx`` (-1 where dropped)."""

    ii: np.ndarray
    jj: np.ndarray
    n: int
    x: np.ndarray
    y: np.ndarray
    idx: np.ndarray

    def neighbours(self, di: int, dj: int) -> tuple[np.ndarray, np.ndarray]:
        """Lattice points ``a`` and their kept neighbours ``b`` at ``(+di, +dj)``."""
        a = np.arange(len(self.x))
        ai, aj = self.ii + di, self.jj + dj
        ok = (ai <= self.n) & (aj <= self.n)
        a = a[ok]
        b = (ai[ok] + self.n) * (2 * self.n + 1) + (aj[ok] + self.n)
        return a, b


def _lattice(rng: np.random.Generator, cx: float, cy: float, radius: float, spacing: float,
             regular: bool) -> tuple[_Lattice, np.ndarray]:
    """A rotated, warped, jittered lattice around ``(cx, cy)`` thinning towards a smooth
    random edge; returns it and the mask of kept points."""
    angle = rng.uniform(0, np.pi / 2)
    sx = spacing * rng.uniform(0.85, 1.15)
    sy = spacing * rng.uniform(0.85, 1.15)
    rfun = _smooth_radius(rng, radius, 0.10 if regular else 0.22)
    n = int(np.ceil(1.45 * radius / min(sx, sy)))
    ii2, jj2 = np.meshgrid(np.arange(-n, n + 1), np.arange(-n, n + 1), indexing="ij")
    ii, jj = ii2.ravel(), jj2.ravel()
    lx, ly = ii * sx, jj * sy
    # smooth warp (towns bend), then jitter
    warp = (0.04 if regular else 0.18) * radius
    k1, k2 = rng.uniform(0.6, 1.6, 2) * np.pi / radius
    p1, p2 = rng.uniform(0, 2 * np.pi, 2)
    wx = lx + warp * np.sin(k1 * ly + p1)
    wy = ly + warp * np.sin(k2 * lx + p2)
    jit = (0.06 if regular else 0.22) * spacing
    wx = wx + rng.normal(0, jit, wx.shape)
    wy = wy + rng.normal(0, jit, wy.shape)
    ca, sa = np.cos(angle), np.sin(angle)
    x = cx + wx * ca - wy * sa
    y = cy + wx * sa + wy * ca
    r = np.hypot(x - cx, y - cy)
    rmax = rfun(np.arctan2(y - cy, x - cx))
    # dense core, thinning edge (town fades into fields)
    keep_p = np.clip(1.0 - (r / rmax - 0.7) / 0.3 * 0.6, 0.0, 1.0)
    keep = (r < rmax) & (rng.random(len(x)) < keep_p)
    idx = np.full(len(x), -1, np.int64)
    idx[keep] = np.arange(keep.sum())
    return _Lattice(ii=ii, jj=jj, n=n, x=x, y=y, idx=idx), keep


def _grid_lines(acc: _Acc, rng: np.random.Generator, lat: _Lattice, di: int, dj: int,
                word: str, label: str, regular: bool) -> tuple[np.ndarray, ...]:
    """Streets along one lattice direction: every 5th/6th line a main street, the axis a
    secondary road, some segments dropped, some service lanes. Returns ``(a, b, hw, names,
    ways)`` with ``a``/``b`` node indices within the town."""
    main_every = 6 if regular else 5
    drop = 0.05 if regular else 0.18
    a, b = lat.neighbours(di, dj)
    ok = (lat.idx[a] >= 0) & (lat.idx[b] >= 0)
    a, b = a[ok], b[ok]
    # a street "line" is a row (j fixed) for di=1 or a column (i fixed) for dj=1
    line = lat.jj[a] if di else lat.ii[a]
    main = (line % main_every) == 0
    axis = line == 0
    kept = ~((~main) & (rng.random(len(a)) < drop))
    a, b, line, main, axis = a[kept], b[kept], line[kept], main[kept], axis[kept]
    hw = np.where(main, _HW["tertiary"], _HW["residential"])
    hw = np.where(axis, _HW["secondary"] if regular else _HW["tertiary"], hw)
    svc = (~main) & (rng.random(len(a)) < 0.12)
    hw = np.where(svc, _HW["service"], hw)
    uniq, inv = np.unique(line, return_inverse=True)
    way_ids = acc.ways(len(uniq))
    line_names = np.array([f"示例{label}{k + 1}{word}" for k in range(len(uniq))], object)
    return lat.idx[a], lat.idx[b], hw, np.where(svc, "", line_names[inv]), way_ids[inv]


def _grid_footpaths(acc: _Acc, rng: np.random.Generator, lat: _Lattice, regular: bool
                    ) -> tuple[np.ndarray, ...]:
    """Footpaths across blocks (diagonals), more in the centre; as :func:`_grid_lines`."""
    a, b = lat.neighbours(1, 1)
    ok = (lat.idx[a] >= 0) & (lat.idx[b] >= 0) & (rng.random(len(a)) <
                                                  (0.04 if regular else 0.02))
    a, b = a[ok], b[ok]
    return (lat.idx[a], lat.idx[b], np.full(len(a), _HW["footway"]),
            np.array([""] * len(a), object), acc.ways(len(a)))


def _grid(acc: _Acc, rng: np.random.Generator, *, cx: float, cy: float, radius: float,
          spacing: float, kind: int, sett: int, label: str, regular: bool) -> None:
    """A town street grid: rotated, warped, jittered lattice with dropped segments.

    Unnamed segments (service lanes, footpaths) are named ``示例<town><k>支路/步道``.
    """
    lat, keep = _lattice(rng, cx, cy, radius, spacing, regular)
    off = acc.add_nodes(lat.x[keep], lat.y[keep], kind, sett)
    parts = [_grid_lines(acc, rng, lat, di, dj, word, label, regular)
             for di, dj, word in ((1, 0, "街"), (0, 1, "路"))]
    parts.append(_grid_footpaths(acc, rng, lat, regular))
    for a, b, hw, nm, w in parts:
        nm = np.array([s if s else f"示例{label}{k + 1}{'步道' if h == _HW['footway'] else '支路'}"
                       for k, (s, h) in enumerate(zip(nm, hw.tolist(), strict=True))], object)
        acc.add_edges(a + off, b + off, hw, nm, w)


def _villages(acc: _Acc, rng: np.random.Generator, vx: np.ndarray, vy: np.ndarray,
              vnames: list[str], first_index: int) -> np.ndarray:
    """Small irregular lane networks, all villages at once; returns each village's hub node."""
    nv = len(vx)
    g = np.arange(-3, 4)
    ti2, tj2 = np.meshgrid(g, g, indexing="ij")
    ti, tj = ti2.ravel(), tj2.ravel()  # 49 template positions
    s = rng.uniform(40, 65, nv)[:, None]
    ang = rng.uniform(0, np.pi, nv)[:, None]
    rx = rng.uniform(1.3, 3.4, nv)[:, None]
    ry = rng.uniform(1.0, 2.6, nv)[:, None]
    lx = ti[None, :] * s + rng.normal(0, 0.25, (nv, 49)) * s
    ly = tj[None, :] * s + rng.normal(0, 0.25, (nv, 49)) * s
    ca, sa = np.cos(ang), np.sin(ang)
    x = vx[:, None] + lx * ca - ly * sa
    y = vy[:, None] + lx * sa + ly * ca
    keep = (ti[None, :] / rx) ** 2 + (tj[None, :] / ry) ** 2 <= 1.0
    keep[:, 24] = True  # the hub (0, 0)
    idx = np.full((nv, 49), -1, np.int64)
    idx[keep] = np.arange(keep.sum())
    vid = np.broadcast_to(np.arange(nv)[:, None], (nv, 49))
    off = acc.add_nodes(x[keep], y[keep], VILLAGE, vid[keep] + first_index)
    for di, dj in ((1, 0), (0, 1)):
        a = np.nonzero((ti + di <= 3) & (tj + dj <= 3))[0]
        b = (ti[a] + di + 3) * 7 + (tj[a] + dj + 3)
        ia, ib = idx[:, a], idx[:, b]
        main = (tj[a] == 0) if di else np.zeros(len(a), bool)  # the village main lane
        ok = (ia >= 0) & (ib >= 0) & ((rng.random(ia.shape) > 0.3) | main[None, :])
        vv, kk = np.nonzero(ok)
        m = main[kk]
        r = rng.random(len(vv))
        hw = np.where(m, _HW["residential"], np.where(r < 0.6, _HW["service"], _HW["track"]))
        way = np.where(m, 0, 1 + (tj[a][kk] if di else 10 + ti[a][kk]) + 3)
        names = np.array([f"{vnames[v]}村中路" if mm else f"{vnames[v]}村{w}弄"
                          for v, mm, w in zip(vv, m, way, strict=True)], object)
        # way id per (village, lane line)
        key = vv * 32 + way
        uniq, inv = np.unique(key, return_inverse=True)
        acc.add_edges(ia[vv, kk] + off, ib[vv, kk] + off, hw, names, acc.ways(len(uniq))[inv])
    return idx[:, 24] + off


def _dart(rng: np.random.Generator, cand: np.ndarray, min_dist: float, limit: int) -> np.ndarray:
    """Greedy Poisson-disk selection of candidate rows (in the given order)."""
    cell = min_dist / np.sqrt(2)
    grid: dict[tuple[int, int], int] = {}
    chosen: list[int] = []
    keys = np.floor(cand / cell).astype(np.int64)
    reach = int(np.ceil(min_dist / cell))
    for i in range(len(cand)):
        kx, ky = int(keys[i, 0]), int(keys[i, 1])
        ok = True
        for dx in range(-reach, reach + 1):
            for dy in range(-reach, reach + 1):
                j = grid.get((kx + dx, ky + dy))
                if j is not None and (cand[j, 0] - cand[i, 0]) ** 2 + \
                        (cand[j, 1] - cand[i, 1]) ** 2 < min_dist ** 2:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            grid[(kx, ky)] = i
            chosen.append(i)
            if len(chosen) >= limit:
                break
    return np.asarray(chosen, np.int64)


def _winding_roads(acc: _Acc, rng: np.random.Generator, pa: np.ndarray, pb: np.ndarray,
                   ua: np.ndarray, ub: np.ndarray, hw: np.ndarray, names: list[str],
                   seg_len: float, wiggle: float) -> None:
    """Country roads from node ``ua`` (at ``pa``) to ``ub`` (at ``pb``), curved, with nodes."""
    per = 6  # geometry points per segment
    for k in range(len(ua)):
        a, b = pa[k], pb[k]
        d = b - a
        L = float(np.hypot(*d))
        if L < 1.0:
            continue
        nseg = max(1, int(round(L / seg_len)))
        m = nseg * per + 1
        t = np.linspace(0.0, 1.0, m)
        nrm = np.array([-d[1], d[0]]) / L
        bow = rng.uniform(-0.10, 0.10) * L
        nw = max(1.0, L / 700.0)
        off = (bow * np.sin(np.pi * t)
               + rng.uniform(0.3, 1.0) * wiggle * np.sin(2 * np.pi * nw * t + rng.uniform(0, 6.3))
               * np.sin(np.pi * t))
        pts = a[None, :] + t[:, None] * d[None, :] + off[:, None] * nrm[None, :]
        inner = pts[per:-1:per]
        first = acc.add_nodes(inner[:, 0], inner[:, 1], ROAD, -1) if len(inner) else acc.n
        nodes = np.concatenate([[ua[k]], np.arange(first, first + len(inner)), [ub[k]]])
        geoms = [pts[i * per:(i + 1) * per + 1] for i in range(nseg)]
        way = acc.ways(1)[0]
        acc.add_edges(nodes[:-1], nodes[1:], np.full(nseg, hw[k]), [names[k]] * nseg,
                      np.full(nseg, way), geoms)


# --------------------------------------------------------------------------- the region


def generate_region(seed: int = 15, *, center: tuple[float, float] = (119.45, 28.95),
                    area_factor: float = 1.0, density: float = 1.0, n_towns: int | None = None,
                    ) -> Region:
    """Generate a synthetic region: outline, river, towns, villages and street network.

    The steps, in the order they draw random numbers: :func:`_outline`, :func:`_river`,
    :func:`_towns`, :func:`_town_grids`, :func:`_village_sites`, :func:`_villages` (lanes),
    :class:`_Anchors` (where country roads attach), :func:`_town_roads`,
    :func:`_village_roads`, :func:`_river_cut`, :func:`_bridge_sites`, :func:`_bridges`,
    then the deterministic clean-up: :func:`_dedupe`, :func:`_main_component` and
    :func:`_to_wgs84`.

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives the same region.
    center : (float, float)
        WGS-84 (lon, lat) of the central town.
    area_factor : float
        Multiplies the area (1.0: about 30-40 km across, like a county). Towns and villages
        scale with the area.
    density : float
        Multiplies the number of nodes per km² (grid spacing shrinks, villages multiply).
    n_towns : int, optional
        Number of towns besides the centre (default ``round(9 * area_factor)``).

    Returns
    -------
    Region
    """
    rng = np.random.default_rng(seed)
    lin = float(np.sqrt(area_factor))
    r0 = 17_000.0 * lin
    n_towns = int(round(9 * area_factor)) if n_towns is None else int(n_towns)
    sd = 1.0 / np.sqrt(density)

    rfun, outline = _outline(rng, r0)
    rp, river = _river(rng, lin, r0)
    towns = _towns(rng, outline, rp, lin, n_towns)
    acc = _Acc()
    _town_grids(acc, rng, towns, sd)
    villages = _village_sites(rng, outline, rfun, rp, towns,
                              int(round(720 * area_factor * density)), sd)
    _villages(acc, rng, villages.x.to_numpy(), villages.y.to_numpy(), villages.name.tolist(), 0)
    anchors = _Anchors(acc, rp, towns, villages)
    _town_roads(acc, rng, anchors, lin, sd)
    _village_roads(acc, rng, anchors, lin, sd)

    st = acc.streets()
    node_ok, north, e_ok = _river_cut(st, rp, outline)
    sites = _bridge_sites(rng, rp, towns, r0, area_factor)
    bridges = _bridges(st, rp, outline, node_ok & _in_large_pieces(st, e_ok), north, sites)
    st = _main_component(_dedupe(_with_bridges(st, e_ok, bridges, acc.next_way)))
    lon, lat, geoms_ll, length = _to_wgs84(st, center)
    return Region(center=center, outline=outline, river=river, towns=towns, villages=villages,
                  node_x=st.x, node_y=st.y, node_lon=lon, node_lat=lat, node_kind=st.kind,
                  node_settlement=st.sett, edge_u=st.u, edge_v=st.v, edge_highway=st.hw,
                  edge_name=st.names, edge_way=st.way, edge_geom=geoms_ll, edge_length=length,
                  bridges=len(bridges[0]), river_params=rp)


# --------------------------------------------------------------------------- steps: places


def _outline(rng: np.random.Generator, r0: float
             ) -> tuple[Callable[[np.ndarray], np.ndarray], Polygon]:
    """The region's smooth outline (radius about ``r0``) and its radius function r(phi)."""
    rfun = _smooth_radius(rng, r0, 0.09, orders=(2, 3, 4, 6))
    phi = np.linspace(0, 2 * np.pi, 361)[:-1]
    rr = rfun(phi)
    return rfun, Polygon(np.column_stack([rr * np.cos(phi), rr * np.sin(phi)]))


def _river(rng: np.random.Generator, lin: float, r0: float) -> tuple[dict, LineString]:
    """River parameters and centre line: roughly west-east, ~500 m south of the centre."""
    rp = {"alpha": rng.uniform(-0.45, 0.45), "a1": rng.uniform(1200, 2200) * lin,
          "l1": rng.uniform(18_000, 26_000) * lin, "p1": rng.uniform(0, 2 * np.pi),
          "a2": rng.uniform(200, 400), "l2": rng.uniform(3500, 5000),
          "p2": rng.uniform(0, 2 * np.pi), "width": 90.0}
    rp["t0"] = -500.0 - (rp["a1"] * np.sin(rp["p1"]) + rp["a2"] * np.sin(rp["p2"]))
    s_line = np.arange(-1.5 * r0, 1.5 * r0 + 1, 20.0)
    return rp, LineString(_river_xy(rp, s_line))


def _towns(rng: np.random.Generator, outline: Polygon, rp: dict, lin: float,
           n_towns: int) -> pd.DataFrame:
    """The central town at the origin and ``n_towns`` towns spread apart (Poisson disk)."""
    inner = outline.buffer(-2500 * min(lin, 1.5))
    bx0, by0, bx1, by1 = inner.bounds
    cand = rng.uniform([bx0, by0], [bx1, by1], (40 * n_towns + 200, 2))
    ok = shapely.contains_xy(inner, cand[:, 0], cand[:, 1])
    ok &= np.hypot(cand[:, 0], cand[:, 1]) > 7000
    ok &= np.abs(_river_offset(rp, cand[:, 0], cand[:, 1])) > 400
    cand = np.vstack([[0.0, 0.0], cand[ok]])
    min_d = 0.62 * np.sqrt(outline.area / (n_towns + 1))
    tpos = cand[_dart(rng, cand, min_d, n_towns + 1)]
    tkind = np.where(np.arange(len(tpos)) == 0, CENTRE, TOWN)
    trad = np.where(tkind == CENTRE, 3000.0, rng.uniform(1000, 1600, len(tpos)))
    return pd.DataFrame({"x": tpos[:, 0], "y": tpos[:, 1], "radius": trad, "kind": tkind})


def _town_label(k: int) -> str:
    """Street-name label of town ``k``: 甲, 乙, ... 癸, then 甲1, 乙1, ..."""
    return "甲乙丙丁戊己庚辛壬癸"[k % 10] + (str(k // 10) if k >= 10 else "")


def _town_grids(acc: _Acc, rng: np.random.Generator, towns: pd.DataFrame, sd: float) -> None:
    """The street grid of every town (the centre's regular, the others' irregular)."""
    for k, (cx, cy, radius, kind) in enumerate(zip(towns.x, towns.y, towns.radius, towns.kind,
                                                    strict=True)):
        regular = bool(kind == CENTRE)
        spacing = (68.0 if regular else rng.uniform(72, 88)) * sd
        _grid(acc, rng, cx=cx, cy=cy, radius=radius, spacing=spacing, kind=int(kind), sett=k,
              label=_town_label(k), regular=regular)


def _village_sites(rng: np.random.Generator, outline: Polygon,
                   rfun: Callable[[np.ndarray], np.ndarray], rp: dict, towns: pd.DataFrame,
                   n_vill: int, sd: float) -> pd.DataFrame:
    """Village centres: away from the river and the towns, fewer near the hilly edge.

    Returns one row per village: ``x``, ``y``, ``name``, ``town`` (nearest town's index).
    """
    tpos = towns[["x", "y"]].to_numpy()
    trad = towns.radius.to_numpy()
    vbox = outline.buffer(-300).bounds
    vc = rng.uniform(vbox[:2], vbox[2:], (n_vill * 12 + 100, 2))
    ok = shapely.contains_xy(outline.buffer(-300), vc[:, 0], vc[:, 1])
    ok &= np.abs(_river_offset(rp, vc[:, 0], vc[:, 1])) > 200
    dtown = np.hypot(vc[:, None, 0] - tpos[None, :, 0], vc[:, None, 1] - tpos[None, :, 1])
    ok &= (dtown > trad[None, :] + 350).all(axis=1)
    # fewer villages in the hills near the edge of the region
    edge = np.hypot(vc[:, 0], vc[:, 1]) / rfun(np.arctan2(vc[:, 1], vc[:, 0]))
    ok &= rng.random(len(vc)) < np.clip(1.25 - edge, 0.25, 1.0)
    vc = vc[ok]
    vpos = vc[_dart(rng, vc, 450.0 * sd, n_vill)]
    vnames = [_VILLAGE_FIRST[a] + _VILLAGE_SECOND[b] for a, b in zip(
        rng.integers(0, len(_VILLAGE_FIRST), len(vpos)),
        rng.integers(0, len(_VILLAGE_SECOND), len(vpos)), strict=True)]
    vtown = np.argmin(np.hypot(vpos[:, None, 0] - tpos[None, :, 0],
                               vpos[:, None, 1] - tpos[None, :, 1]), axis=1)
    return pd.DataFrame({"x": vpos[:, 0], "y": vpos[:, 1], "name": vnames, "town": vtown})


# --------------------------------------------------------------------------- steps: roads


class _Anchors:
    """Where country roads attach to the settlements (towns and villages) built so far.

    Settlement ``i`` (towns first, then villages) has anchor point ``points[i]`` and radius
    ``radius[i]``. Roads attach only to nodes of large connected pieces of a settlement
    (after the river cut), so that no road ends on an island of a few lanes.
    """

    def __init__(self, acc: _Acc, rp: dict, towns: pd.DataFrame, villages: pd.DataFrame
                 ) -> None:
        self.rp = rp
        self.n_towns = len(towns)
        self.x = np.concatenate(acc.x)
        self.y = np.concatenate(acc.y)
        skind = np.concatenate(acc.kind)
        ssett = np.concatenate(acc.sett)
        self.key = np.where(skind == VILLAGE, len(towns) + ssett, ssett)  # settlement id
        self.eligible = self._eligible_nodes(np.concatenate(acc.u), np.concatenate(acc.v))
        self.tree = cKDTree(np.column_stack([self.x[self.eligible], self.y[self.eligible]]))
        self.points = np.vstack([towns[["x", "y"]].to_numpy(), villages[["x", "y"]].to_numpy()])
        self.radius = np.concatenate([towns.radius.to_numpy(), np.full(len(villages), 120.0)])

    def _eligible_nodes(self, su: np.ndarray, sv: np.ndarray) -> np.ndarray:
        """Dry nodes in pieces of at least min(20, largest) and a quarter of the largest."""
        soff = _river_offset(self.rp, self.x, self.y)
        dry = np.abs(soff) > self.rp["width"] / 2
        s_ok = dry[su] & dry[sv] & ((soff[su] > 0) == (soff[sv] > 0))
        n = len(self.x)
        _, slab = connected_components(sparse.coo_matrix(
            (np.ones(int(s_ok.sum())), (su[s_ok], sv[s_ok])), shape=(n, n)), directed=False)
        piece_size = np.bincount(slab)[slab]
        largest = np.zeros(self.key.max() + 1, np.int64)
        np.maximum.at(largest, self.key, piece_size)
        need = np.maximum(np.minimum(20, largest[self.key]), 0.25 * largest[self.key])
        elig = dry & (piece_size >= need)
        return np.nonzero(elig)[0]

    def attach(self, a_idx: np.ndarray, toward: np.ndarray) -> np.ndarray:
        """The node of settlement ``a_idx`` where a road toward ``toward`` starts (-1: none)."""
        d = toward - self.points[a_idx]
        L = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-9)
        q = self.points[a_idx] + d / L[:, None] * np.minimum(self.radius[a_idx],
                                                             0.45 * L)[:, None]
        _, nn = self.tree.query(q, k=32)
        nn = self.eligible[np.minimum(nn, len(self.eligible) - 1)]
        good = self.key[nn] == a_idx[:, None]
        out = nn[np.arange(len(nn)), np.argmax(good, axis=1)]
        return np.where(good.any(axis=1), out, -1)

    def ends(self, pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both end nodes of roads joining the settlement ``pairs``."""
        return (self.attach(pairs[:, 0], self.points[pairs[:, 1]]),
                self.attach(pairs[:, 1], self.points[pairs[:, 0]]))

    def crosses(self, ua: np.ndarray, ub: np.ndarray) -> np.ndarray:
        """Whether the straight line from node ``ua`` to node ``ub`` crosses the river."""
        t = np.linspace(0, 1, 25)
        px = self.x[ua][:, None] + t[None, :] * (self.x[ub] - self.x[ua])[:, None]
        py = self.y[ua][:, None] + t[None, :] * (self.y[ub] - self.y[ua])[:, None]
        side = np.asarray(_river_offset(self.rp, px, py) > 0)
        return np.asarray(side.any(axis=1) & (~side).any(axis=1))

    def add_roads(self, acc: _Acc, rng: np.random.Generator, ua: np.ndarray, ub: np.ndarray,
                  hw: np.ndarray, names: list[str], seg: float, wig: float) -> None:
        """Winding roads from nodes ``ua`` to nodes ``ub``."""
        pa = np.column_stack([self.x[ua], self.y[ua]])
        pb = np.column_stack([self.x[ub], self.y[ub]])
        _winding_roads(acc, rng, pa, pb, ua, ub, hw, names, seg, wig)


def _delaunay_pairs(points: np.ndarray) -> np.ndarray:
    """Sorted unique ``(i, j)`` pairs (i < j) of the Delaunay triangulation's edges."""
    tri = Delaunay(points)
    return np.unique(np.sort(np.vstack([tri.simplices[:, [0, 1]], tri.simplices[:, [1, 2]],
                                        tri.simplices[:, [0, 2]]]), axis=1), axis=0)


def _town_roads(acc: _Acc, rng: np.random.Generator, anchors: _Anchors, lin: float,
                sd: float) -> None:
    """Roads between neighbouring towns (primary from the centre, secondary otherwise)."""
    tpos = anchors.points[:anchors.n_towns]
    if len(tpos) >= 3:
        tp = _delaunay_pairs(tpos)
    else:
        tp = np.array([[0, k] for k in range(1, len(tpos))], np.int64).reshape(-1, 2)
    tl = np.hypot(*(tpos[tp[:, 0]] - tpos[tp[:, 1]]).T)
    tp = tp[tl < 16_000 * max(1.0, lin ** 0.5)]
    ua, ub = anchors.ends(tp)
    ok = (ua >= 0) & (ub >= 0)
    ok[ok] = ~anchors.crosses(ua[ok], ub[ok])
    tp, ua, ub = tp[ok], ua[ok], ub[ok]
    thw = np.where(tp[:, 0] == 0, _HW["primary"], _HW["secondary"])
    anchors.add_roads(acc, rng, ua, ub, thw,
                      [f"示例{'省道' if h == _HW['primary'] else '县道'}{k + 1}"
                       for k, h in enumerate(thw)], 320.0 * sd, 60.0)


def _in_spanning_tree(pairs: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    """Whether each pair is an edge of the minimum spanning tree of the weighted pairs."""
    mst = minimum_spanning_tree(sparse.coo_matrix((weight, (pairs[:, 0], pairs[:, 1])),
                                                  shape=(n, n))).tocoo()
    in_mst = set(zip(np.minimum(mst.row, mst.col).tolist(), np.maximum(mst.row, mst.col).tolist(),
                     strict=True))
    return np.array([(a, b) in in_mst for a, b in pairs.tolist()], bool)


def _village_roads(acc: _Acc, rng: np.random.Generator, anchors: _Anchors, lin: float,
                   sd: float) -> None:
    """Roads between neighbouring settlements: a spanning tree that avoids the river, plus
    some short extra links (乡道 to towns and some villages, 机耕路 otherwise)."""
    n_t = anchors.n_towns
    pairs = _delaunay_pairs(anchors.points)
    pairs = pairs[~((pairs[:, 0] < n_t) & (pairs[:, 1] < n_t))]
    ua, ub = anchors.ends(pairs)
    ok = (ua >= 0) & (ub >= 0)
    pairs, ua, ub = pairs[ok], ua[ok], ub[ok]
    plen = np.hypot(anchors.x[ua] - anchors.x[ub], anchors.y[ua] - anchors.y[ub])
    cr = anchors.crosses(ua, ub)
    is_mst = _in_spanning_tree(pairs, plen * np.where(cr, 50.0, 1.0) + 1e-3,
                               len(anchors.points))
    extra = (~is_mst) & (plen < 1800 * sd) & (rng.random(len(pairs)) < 0.45)
    pick = (is_mst | extra) & ~cr & (plen < 6000 * lin)
    pairs, ua, ub = pairs[pick], ua[pick], ub[pick]
    to_town = (pairs < n_t).any(axis=1)
    vhw = np.where(to_town | (rng.random(len(pairs)) < 0.55), _HW["unclassified"], _HW["track"])
    anchors.add_roads(acc, rng, ua, ub, vhw,
                      [f"示例{'乡道' if h == _HW['unclassified'] else '机耕路'}{k + 1}"
                       for k, h in enumerate(vhw)], 240.0 * sd, 35.0)


# --------------------------------------------------------------------------- steps: river


def _river_cut(st: _Streets, rp: dict, outline: Polygon
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes on dry land inside the outline, which bank each node is on (north), and the
    segments kept: both ends kept, on one bank, and a curved geometry that stays on it."""
    off = _river_offset(rp, st.x, st.y)
    node_ok = (np.abs(off) > rp["width"] / 2) & shapely.contains_xy(outline, st.x, st.y)
    north = off > 0
    e_ok = node_ok[st.u] & node_ok[st.v] & (north[st.u] == north[st.v])
    has_g = np.array([g is not None for g in st.geoms], bool)
    for k in np.nonzero(e_ok & has_g)[0]:
        s_ = _river_offset(rp, st.geoms[k][:, 0], st.geoms[k][:, 1]) > 0
        if s_.any() != s_.all():
            e_ok[k] = False
    return node_ok, north, e_ok


def _bridge_sites(rng: np.random.Generator, rp: dict, towns: pd.DataFrame, r0: float,
                  area_factor: float) -> list[float]:
    """Positions along the river (its ``s`` axis) where bridges are wanted: three in the
    central town, one per town near the river, one or two rural ones 4 km apart."""
    ca, sa = np.cos(rp["alpha"]), np.sin(rp["alpha"])
    tx, ty = towns.x.to_numpy(), towns.y.to_numpy()
    s_sites = [-1300.0, 150.0, 1500.0]
    t_s = tx * ca + ty * sa
    near = np.abs(_river_offset(rp, tx, ty)) < towns.radius.to_numpy() + 900
    s_sites += [float(s) for s, nr, kd in zip(t_s, near, towns.kind.to_numpy(), strict=True)
                if nr and kd == TOWN]
    n_rural = 1 + int(area_factor // 3)
    for s in rng.uniform(-0.8 * r0, 0.8 * r0, n_rural * 4):
        if len(s_sites) >= 3 + n_rural + int(near[1:].sum()):
            break
        if min(abs(s - q) for q in s_sites) > 4000:
            s_sites.append(float(s))
    return s_sites


def _in_large_pieces(st: _Streets, e_ok: np.ndarray) -> np.ndarray:
    """Nodes in connected pieces of at least 200 nodes of the kept segments."""
    n = len(st.x)
    _, rlab = connected_components(sparse.coo_matrix(
        (np.ones(int(e_ok.sum())), (st.u[e_ok], st.v[e_ok])), shape=(n, n)), directed=False)
    return np.bincount(rlab)[rlab] >= 200


def _bridges(st: _Streets, rp: dict, outline: Polygon, good: np.ndarray, north: np.ndarray,
             sites: list[float]) -> tuple[list[int], list[int], list[str]]:
    """Bridges at the ``sites``: join the nearest ``good`` nodes on either bank (within
    700 m of the river point). Returns the north and south end nodes and the names."""
    good_nodes = np.nonzero(good)[0]
    btree = cKDTree(np.column_stack([st.x[good_nodes], st.y[good_nodes]]))
    bu: list[int] = []
    bv: list[int] = []
    bnames: list[str] = []
    for s in sites:
        p = _river_xy(rp, np.array([s]))[0]
        if not shapely.contains_xy(outline, p[0], p[1]):
            continue
        dd, nn = btree.query(p, k=80, distance_upper_bound=700)
        nn = good_nodes[nn[np.isfinite(dd)]]
        sides = north[nn]
        if sides.any() and (~sides).any():
            bu.append(int(nn[np.argmax(sides)]))
            bv.append(int(nn[np.argmax(~sides)]))
            bnames.append(f"示例大桥{len(bnames) + 1}")
    return bu, bv, bnames


def _with_bridges(st: _Streets, e_ok: np.ndarray,
                  bridges: tuple[list[int], list[int], list[str]], next_way: int) -> _Streets:
    """The kept segments followed by the bridges (secondary roads, one way id each)."""
    bu, bv, bnames = bridges
    n_br = len(bu)
    kept = st.select_edges(e_ok)
    return _Streets(
        x=st.x, y=st.y, kind=st.kind, sett=st.sett,
        u=np.concatenate([kept.u, np.asarray(bu, np.int64)]),
        v=np.concatenate([kept.v, np.asarray(bv, np.int64)]),
        hw=np.concatenate([kept.hw, np.full(n_br, _HW["secondary"], np.int8)]),
        names=np.concatenate([kept.names, np.asarray(bnames, object)]),
        way=np.concatenate([kept.way, np.arange(next_way, next_way + n_br)]),
        geoms=kept.geoms + [None] * n_br)


# --------------------------------------------------------------------------- steps: clean-up


def _dedupe(st: _Streets) -> _Streets:
    """Drop repeated segments (either direction; the first one stays) and self-loops."""
    a, b = np.minimum(st.u, st.v), np.maximum(st.u, st.v)
    key = a * (len(st.x) + 1) + b
    _, first = np.unique(key, return_index=True)
    first = np.sort(first)
    first = first[st.u[first] != st.v[first]]
    return st.select_edges(first)


def _main_component(st: _Streets) -> _Streets:
    """Keep the main connected component and small realistic fragments (>= 4 nodes, in
    all at most 1.5 % of the main one); drop unused nodes and renumber."""
    n = len(st.x)
    used = np.zeros(n, bool)
    used[st.u] = used[st.v] = True
    adj = sparse.coo_matrix((np.ones(len(st.u)), (st.u, st.v)), shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    sizes = np.bincount(lab)
    main = np.argmax(sizes)
    frag_ok = (sizes >= 4) & (np.arange(len(sizes)) != main)
    if sizes[frag_ok].sum() > 0.015 * sizes[main]:
        frag_ok[:] = False
    keepn = used & ((lab == main) | frag_ok[lab])
    e_keep = keepn[st.u] & keepn[st.v]
    newid = np.full(n, -1, np.int64)
    newid[keepn] = np.arange(keepn.sum())
    kept = st.select_edges(e_keep)
    return _Streets(x=st.x[keepn], y=st.y[keepn], kind=st.kind[keepn], sett=st.sett[keepn],
                    u=newid[kept.u], v=newid[kept.v], hw=kept.hw, names=kept.names,
                    way=kept.way, geoms=kept.geoms)


def _to_wgs84(st: _Streets, center: tuple[float, float]
              ) -> tuple[np.ndarray, np.ndarray, list, np.ndarray]:
    """Node lon/lat (7 decimals), curved geometries in lon/lat (ends snapped to the nodes)
    and great-circle lengths in metres along the geometry (3 decimals)."""
    tf = _transformer(center, inverse=False)
    lon, lat = tf.transform(st.x, st.y)
    lon, lat = np.round(lon, 7), np.round(lat, 7)
    u, v = st.u, st.v
    length = great_circle_m(lon[u], lat[u], lon[v], lat[v])
    gidx = np.array([i for i, g in enumerate(st.geoms) if g is not None], np.int64)
    geoms_ll: list = [None] * len(st.geoms)
    if len(gidx):
        cnt = np.array([len(st.geoms[i]) for i in gidx])
        allp = np.vstack([st.geoms[i] for i in gidx])
        glon, glat = tf.transform(allp[:, 0], allp[:, 1])
        glon, glat = np.round(glon, 7), np.round(glat, 7)
        ends = np.cumsum(cnt)
        starts = ends - cnt
        for j, i in enumerate(gidx):
            g = np.column_stack([glon[starts[j]:ends[j]], glat[starts[j]:ends[j]]])
            g[0] = (lon[u[i]], lat[u[i]])
            g[-1] = (lon[v[i]], lat[v[i]])
            geoms_ll[i] = g
            length[i] = great_circle_m(g[:-1, 0], g[:-1, 1], g[1:, 0], g[1:, 1]).sum()
    return lon, lat, geoms_ll, np.round(length, 3)


# --------------------------------------------------------------------------- graph


def region_graph(region: Region, *, first_node_id: int = 1) -> nx.MultiDiGraph:
    """The OSMnx-style walk graph of a region.

    Both directions of every street are present (``oneway=False``; the reverse copy has
    ``reversed=True`` and a reversed geometry), node ids are consecutive integers from
    ``first_node_id``.

    Returns
    -------
    networkx.MultiDiGraph
        Graph attribute ``crs="epsg:4326"``; node attributes ``x`` (lon), ``y`` (lat),
        ``street_count``; edge attributes ``osmid``, ``highway``, ``name``, ``oneway``,
        ``reversed``, ``length`` (m) and, for curved roads, ``geometry`` (LineString, lon/lat).
    """
    n = region.n_nodes
    ids = np.arange(first_node_id, first_node_id + n, dtype=np.int64)
    deg = np.bincount(region.edge_u, minlength=n) + np.bincount(region.edge_v, minlength=n)
    G = nx.MultiDiGraph(crs="epsg:4326",
                        created_with="circle15.demo.synthetic (SYNTHETIC demo data)")
    lon, lat = region.node_lon.tolist(), region.node_lat.tolist()
    G.add_nodes_from((int(i), {"y": la, "x": lo, "street_count": int(d)})
                     for i, la, lo, d in zip(ids.tolist(), lat, lon, deg.tolist(), strict=True))
    uu = ids[region.edge_u].tolist()
    vv = ids[region.edge_v].tolist()
    hw = [HIGHWAYS[h] for h in region.edge_highway.tolist()]
    way = region.edge_way.tolist()
    names = region.edge_name.tolist()
    length = region.edge_length.tolist()
    edges = []
    for k, (a, b) in enumerate(zip(uu, vv, strict=True)):
        fwd = {"osmid": way[k], "highway": hw[k], "name": names[k], "oneway": False,
               "reversed": False, "length": length[k]}
        rev = dict(fwd, reversed=True)
        g = region.edge_geom[k]
        if g is not None:
            fwd["geometry"] = LineString(g)
            rev["geometry"] = LineString(g[::-1])
        edges.append((a, b, 0, fwd))
        edges.append((b, a, 0, rev))
    G.add_edges_from(edges)
    return G


def synthetic_network(n_nodes_target: int, *, seed: int = 15,
                      center: tuple[float, float] = (119.45, 28.95)) -> nx.MultiDiGraph:
    """A synthetic walk network with about ``n_nodes_target`` nodes (for benchmarks).

    Up to the demo size (about 24,000 nodes) the county keeps its size and gets sparser;
    above it, the region grows (more towns and villages at the same density), so 200,000
    nodes is a region about 100 km across with about 500,000 directed edges.

    Parameters
    ----------
    n_nodes_target : int
        Wanted number of nodes (the result is within about 15%).
    seed : int
        Random seed.
    center : (float, float)
        WGS-84 (lon, lat) of the central town.

    Returns
    -------
    networkx.MultiDiGraph
        As :func:`region_graph`.
    """
    n = max(float(n_nodes_target), 200.0)
    if n >= _NODES_PER_DENSITY:
        area, dens = (n - _FIXED_NODES) / (_NODES_PER_DENSITY - _FIXED_NODES), 1.0
    else:
        area, dens = 1.0, n / _NODES_PER_DENSITY
    region = generate_region(seed, center=center, area_factor=area, density=dens)
    return region_graph(region)


# --------------------------------------------------------------------------- population

#: Shares of the points and of the people by kind of place (centre, town, village, road):
#: the central town has fewer but heavier points (blocks of flats).
_POINT_SHARE = {CENTRE: 0.22, TOWN: 0.29, VILLAGE: 0.45, ROAD: 0.04}
_PEOPLE_SHARE = {CENTRE: 0.36, TOWN: 0.29, VILLAGE: 0.33, ROAD: 0.02}


def synthetic_population(region: Region, n_points: int, seed: int = 15, *,
                         total: int | None = None, cell_m: float = 20.0) -> pd.DataFrame:
    """Person-weighted points along the streets of ``region`` (one per building-sized cell).

    Buildings line the streets: candidate points are drawn along segments (more per metre in
    villages and towns than along country roads), set back 12-35 m from the street, and
    merged into ``cell_m`` cells so each point stands for the people of one building-sized
    cell. The central town, other towns, villages and country roads get fixed shares of the
    points and of the people (the centre's points are heavier: flats); within each, people
    per point follow a log-normal law.

    Parameters
    ----------
    region : Region
        From :func:`generate_region`.
    n_points : int
        Approximate number of points wanted.
    seed : int
        Random seed.
    total : int, optional
        Total people (exact); default 7 per point.
    cell_m : float
        Cell size in metres.

    Returns
    -------
    pandas.DataFrame
        Columns ``x``, ``y`` (local m), ``lon``, ``lat`` (WGS-84, 6 decimals), ``population``
        (int >= 1) and ``kind`` (0 centre, 1 town, 2 village, 3 road).
    """
    rng = np.random.default_rng([seed, 2])
    px, py, k, people = _building_points(region, rng, n_points)
    mx, my, mp, mk = _merge_cells(px, py, k, people, cell_m)
    total = int(round(7 * len(mk))) if total is None else int(total)
    pop = _share_people(mk, mp, total)
    keep = pop > 0
    lon, lat = region.to_lonlat(mx[keep], my[keep])
    return pd.DataFrame({"x": mx[keep], "y": my[keep], "lon": np.round(lon, 6),
                         "lat": np.round(lat, 6), "population": pop[keep],
                         "kind": mk[keep]})


def _building_points(region: Region, rng: np.random.Generator, n_points: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Candidate building points set back from the streets, with their kind of place and a
    log-normal weight; none in the river or within 30 m of the outline."""
    u, v = region.edge_u, region.edge_v
    kind_u, kind_v = region.node_kind[u], region.node_kind[v]
    ekind = np.where(kind_u == kind_v, kind_u, ROAD)
    usable = ((region.edge_highway != _HW["footway"])
              & ~np.char.startswith(region.edge_name.astype(str), "示例大桥"))
    x0, y0 = region.node_x[u], region.node_y[u]
    dx, dy = region.node_x[v] - x0, region.node_y[v] - y0
    L = np.hypot(dx, dy)
    n_cand = int(n_points * 1.2)
    counts = np.zeros(len(u), np.int64)
    for kd in (CENTRE, TOWN, VILLAGE, ROAD):
        w = L * usable * (ekind == kd)
        if w.sum() > 0:
            counts += rng.multinomial(int(round(n_cand * _POINT_SHARE[kd])), w / w.sum())
    e = np.repeat(np.arange(len(u)), counts)
    t = rng.random(len(e))
    side = np.where(rng.random(len(e)) < 0.5, -1.0, 1.0)
    setback = rng.uniform(12, 35, len(e)) * side
    Le = np.maximum(L[e], 1e-9)
    px = x0[e] + t * dx[e] - dy[e] / Le * setback
    py = y0[e] + t * dy[e] + dx[e] / Le * setback
    k = ekind[e]
    people = rng.lognormal(0.0, 0.55, len(k))
    ok = (np.abs(region.river_offset(px, py)) > region.river_params["width"] / 2 + 10) \
        & shapely.contains_xy(region.outline.buffer(-30), px, py)
    return px[ok], py[ok], k[ok], people[ok]


def _merge_cells(px: np.ndarray, py: np.ndarray, k: np.ndarray, people: np.ndarray,
                 cell_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One point per ``cell_m`` cell: mean position, summed weight, and the kind of the
    last point in the cell (cells rarely mix kinds)."""
    ci = np.floor(px / cell_m).astype(np.int64)
    cj = np.floor(py / cell_m).astype(np.int64)
    _, inv = np.unique(ci * 10_000_000 + cj, return_inverse=True)
    cnt = np.bincount(inv)
    mx = np.bincount(inv, px) / cnt
    my = np.bincount(inv, py) / cnt
    mp = np.bincount(inv, people)
    mk = np.zeros(len(cnt), np.int8)
    mk[inv] = k
    return mx, my, mp, mk


def _share_people(mk: np.ndarray, mp: np.ndarray, total: int) -> np.ndarray:
    """Whole people per cell: ``total`` split by kind of place (:data:`_PEOPLE_SHARE`, over
    the kinds present), then within a kind in proportion to the weights ``mp`` (largest
    remainders; the last kind takes what is left so the sum is exact)."""
    pop = np.zeros(len(mk), np.int64)
    present = [kd for kd in (CENTRE, TOWN, VILLAGE, ROAD) if (mk == kd).any()]
    norm = sum(_PEOPLE_SHARE[kd] for kd in present)
    for j, kd in enumerate(present):
        sel = np.nonzero(mk == kd)[0]
        want = total - int(pop.sum()) if j == len(present) - 1 else \
            int(round(total * _PEOPLE_SHARE[kd] / norm))
        share = mp[sel] / mp[sel].sum() * want
        p = np.floor(share).astype(np.int64)
        rest = want - int(p.sum())
        if rest > 0:
            p[np.argsort(-(share - p), kind="stable")[:rest]] += 1
        pop[sel] = p
    return pop
