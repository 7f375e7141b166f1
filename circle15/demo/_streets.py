"""Street-network parts of a synthetic region (internal to circle15.demo).

Town grids, village lanes and winding country roads are added to an accumulator
(:class:`_Acc`) that :func:`circle15.demo.synthetic.generate_region` turns into one set of
arrays (:class:`_Streets`). Everything here is *synthetic*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import sparse
from scipy.sparse.csgraph import connected_components, minimum_spanning_tree
from scipy.spatial import Delaunay, cKDTree

from circle15.demo._frame import _HW, ROAD, VILLAGE, _river_offset, _smooth_radius


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
