"""Across the boundary: streets of the neighbouring synthetic county 邻县（合成）.

A real county's roads do not stop at its outline, and a run loads the network with a buffer
(``area.buffer_m``) so that people near the border are not cut off. :func:`add_border` adds
to a generated region a few country roads that leave the county and run on for some 3 km
(beyond the 2 km buffer, so the run's clipping has something to clip), and, on two of them,
a small town and a village of the neighbouring county just across the border, where
:mod:`circle15.demo.county` puts a middle school and a village clinic.

Each piece outside is joined to the county's network at one node only (the road's first
node), so no route between two places of the county gets shorter through it: travel times
inside the county are those of the region without the border streets. Nothing here
describes a real place; everything is *synthetic*.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from circle15.demo._frame import _HW, ROAD, TOWN
from circle15.demo._streets import _Acc, _grid, _Streets, _villages, _winding_roads
from circle15.demo.synthetic import Region, _to_wgs84

#: The neighbouring county's name, as every file says it.
NEIGHBOUR_ZH = "邻县（合成）"
NEIGHBOUR_EN = "Neighbouring county (synthetic)"

#: Places of the neighbouring county: (kind, name, distance of the centre beyond the
#: outline in metres). The town gets a middle school, the village a village clinic.
_PLACES = (("town", "石桥镇", 650.0), ("village", "下岙", 450.0))
#: Streets of those places within this distance (m) outside the outline are left out.
_INSIDE_M = 40.0


@dataclass(frozen=True)
class BorderPlace:
    """A settlement of the neighbouring county just outside the outline.

    Attributes
    ----------
    kind : str
        ``"town"`` or ``"village"``.
    name : str
        Its name (``"石桥镇"``, ``"下岙"``).
    nodes : numpy.ndarray
        Indices (into the extended region's nodes) of its street nodes.
    attach : int
        The county node its road leaves from (the road enters the place at its node
        nearest that node, and runs on from its node nearest the road's far end).
    """

    kind: str
    name: str
    nodes: np.ndarray
    attach: int


def _main_nodes(region: Region) -> np.ndarray:
    """Mask of the nodes in the largest connected piece of the region's network."""
    n = region.n_nodes
    adj = sparse.coo_matrix((np.ones(len(region.edge_u)), (region.edge_u, region.edge_v)),
                            shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    return lab == np.argmax(np.bincount(lab))


def _exits(region: Region, rng: np.random.Generator, n_exits: int, reach_m: float
           ) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """Where roads leave the county: per angular sector the main-network node nearest the
    outline (within ``reach_m``), with the nearest outline point and the outward direction.
    Sectors whose road would cross the river (or run within 300 m of it) are skipped."""
    x, y = region.node_x, region.node_y
    bd = region.outline.boundary
    dist = np.asarray(shapely.distance(shapely.points(x, y), bd))
    cand = np.nonzero(_main_nodes(region) & (dist < reach_m))[0]
    ang = np.mod(np.arctan2(y[cand], x[cand]) - rng.uniform(0, 2 * np.pi), 2 * np.pi)
    sector = np.floor(ang / (2 * np.pi / n_exits)).astype(np.int64)
    out = []
    for s in range(n_exits):
        in_s = cand[sector == s]
        if not len(in_s):
            continue
        a = int(in_s[np.argmin(dist[in_s])])
        p = np.array([x[a], y[a]])
        q = np.asarray(bd.interpolate(bd.project(shapely.Point(p))).coords[0])
        d = q - p
        gap = float(np.hypot(d[0], d[1]))
        direction = d / gap if gap > 20 else p / float(np.hypot(p[0], p[1]))
        line = p[None, :] + np.linspace(0, 4500, 46)[:, None] * direction[None, :]
        off = region.river_offset(line[:, 0], line[:, 1])
        if (off > 0).all() == (off > 0).any() and np.abs(off).min() > 300:
            out.append((a, q, direction))
    return out


def _place(acc: _Acc, rng: np.random.Generator, kind: str, name: str, c: np.ndarray
           ) -> tuple[int, int]:
    """Streets of a small town or village centred at ``c``; its node range in ``acc``."""
    first = acc.n
    if kind == "town":
        _grid(acc, rng, cx=float(c[0]), cy=float(c[1]), radius=380.0, spacing=78.0,
              kind=TOWN, sett=-1, label="邻", regular=False)
    else:
        _villages(acc, rng, np.array([c[0]]), np.array([c[1]]), [name], 0)
    return first, acc.n


def _nearest(acc: _Acc, first: int, last: int, c: np.ndarray, avoid: shapely.Geometry
             ) -> int:
    """The node of ``[first, last)`` nearest ``c`` outside ``avoid`` (where the place's
    nodes are dropped); any node when all are inside."""
    n0 = acc.n - sum(len(a) for a in acc.x)  # index of acc's first node
    x = np.concatenate(acc.x)[first - n0:last - n0]
    y = np.concatenate(acc.y)[first - n0:last - n0]
    d = np.hypot(x - c[0], y - c[1]) + np.where(shapely.contains_xy(avoid, x, y), 1e9, 0.0)
    return first + int(np.argmin(d))


def _build(region: Region, rng: np.random.Generator, exits: list, pop_xy: np.ndarray
           ) -> tuple[_Acc, list[tuple[str, str, int, int, int]]]:
    """Roads out of the county and the two places on the busiest two of them."""
    acc = _Acc()
    acc.n = region.n_nodes
    acc.next_way = int(region.edge_way.max()) + 1
    near = [int((np.hypot(*(pop_xy - _xy(region, a)).T) < 1000).sum())
            for a, _q, _d in exits]
    busiest = list(np.argsort(near, kind="stable")[::-1][:len(_PLACES)])
    avoid = region.outline.buffer(_INSIDE_M)
    places = []
    for k, (a, q, direction) in enumerate(exits):
        end = q + direction * rng.uniform(2600, 3800)
        hw = np.array([_HW["unclassified"]])
        e = acc.add_nodes([end[0]], [end[1]], ROAD, -1)
        start = a
        if k in busiest:
            kind, name, dist = _PLACES[busiest.index(k)]
            c = q + direction * dist
            first, last = _place(acc, rng, kind, name, c)
            entry = _nearest(acc, first, last, _xy(region, a), avoid)
            _winding_roads(acc, rng, _xy(region, a)[None, :],
                           _acc_xy(acc, entry)[None, :], np.array([a]), np.array([entry]),
                           hw, [f"示例邻县道{k + 1}"], 260.0, 30.0)
            places.append((kind, name, a, first, last))
            start = _nearest(acc, first, last, end, avoid)
        ps = _xy(region, a) if start == a else _acc_xy(acc, start)
        _winding_roads(acc, rng, ps[None, :], end[None, :], np.array([start]),
                       np.array([e]), hw, [f"示例邻县道{k + 1}"], 260.0, 30.0)
    return acc, places


def _xy(region: Region, i: int) -> np.ndarray:
    """Local ``(x, y)`` of node ``i`` of the region."""
    return np.array([region.node_x[i], region.node_y[i]])


def _acc_xy(acc: _Acc, i: int) -> np.ndarray:
    """Local ``(x, y)`` of node ``i`` added to ``acc``."""
    n0 = acc.n - sum(len(a) for a in acc.x)
    return np.array([np.concatenate(acc.x)[i - n0], np.concatenate(acc.y)[i - n0]])


def _kept(region: Region, st: _Streets, attach: list[int]) -> np.ndarray:
    """Mask of the new nodes kept: outside the outline (roads may start inside) and joined
    by the new streets to a county node they leave from."""
    n0 = region.n_nodes
    n = n0 + len(st.x)
    ok_new = (st.kind == ROAD) | ~shapely.contains_xy(region.outline.buffer(_INSIDE_M), st.x,
                                                      st.y)
    ok = np.concatenate([np.ones(n0, bool), ok_new])
    e_ok = ok[st.u] & ok[st.v]
    adj = sparse.coo_matrix((np.ones(int(e_ok.sum())), (st.u[e_ok], st.v[e_ok])),
                            shape=(n, n))
    _, lab = connected_components(adj, directed=False)
    return ok_new & np.isin(lab[n0:], lab[np.asarray(attach, np.int64)])


def add_border(region: Region, rng: np.random.Generator, pop_xy: np.ndarray,
               n_exits: int = 8, reach_m: float = 350.0) -> tuple[Region, list[BorderPlace]]:
    """The region with streets of the neighbouring county added beyond its outline.

    Parameters
    ----------
    region : Region
        From :func:`~circle15.demo.synthetic.generate_region`; not changed.
    rng : numpy.random.Generator
        Draws for the new streets only (the region's own draws are not touched).
    pop_xy : numpy.ndarray
        ``(n, 2)`` local coordinates of the county's population points: the places go on
        the roads with most people within 1 km of where they leave.
    n_exits : int
        Roads wanted (one per angular sector; fewer where a road would cross the river).
    reach_m : float
        Farthest a road's first node may be from the outline (more in sparser networks).

    Returns
    -------
    region : Region
        Same nodes and streets first (same indices), then the new ones.
    places : list of BorderPlace
        The town and the village outside, with their node indices.
    """
    exits = _exits(region, rng, n_exits, reach_m)
    if not exits:
        return region, []
    acc, raw_places = _build(region, rng, exits, pop_xy)
    st = acc.streets()
    keep = _kept(region, st, [a for a, _q, _d in exits])
    n0 = region.n_nodes
    newid = np.concatenate([np.arange(n0), np.full(len(keep), -1, np.int64)])
    newid[n0:][keep] = n0 + np.arange(int(keep.sum()))
    e_keep = (newid[st.u] >= 0) & (newid[st.v] >= 0)
    edges = st.select_edges(e_keep)
    all_x = np.concatenate([region.node_x, st.x[keep]])
    all_y = np.concatenate([region.node_y, st.y[keep]])
    combined = _Streets(x=all_x, y=all_y, kind=np.zeros(len(all_x), np.int8),
                        sett=np.zeros(len(all_x), np.int64), u=newid[edges.u],
                        v=newid[edges.v], hw=edges.hw, names=edges.names, way=edges.way,
                        geoms=edges.geoms)
    lon, lat, geoms_ll, length = _to_wgs84(combined, region.center)
    if not (np.array_equal(lon[:n0], region.node_lon)
            and np.array_equal(lat[:n0], region.node_lat)):  # pragma: no cover - invariant
        raise RuntimeError("recomputed county node positions differ")
    out = dataclasses.replace(
        region, node_x=all_x, node_y=all_y, node_lon=lon, node_lat=lat,
        node_kind=np.concatenate([region.node_kind, st.kind[keep]]),
        node_settlement=np.concatenate([region.node_settlement,
                                        np.full(int(keep.sum()), -1, np.int64)]),
        edge_u=np.concatenate([region.edge_u, combined.u]),
        edge_v=np.concatenate([region.edge_v, combined.v]),
        edge_highway=np.concatenate([region.edge_highway, edges.hw]),
        edge_name=np.concatenate([region.edge_name, edges.names]),
        edge_way=np.concatenate([region.edge_way, edges.way]),
        edge_geom=list(region.edge_geom) + geoms_ll,
        edge_length=np.concatenate([region.edge_length, length]))
    places = []
    for kind, name, a, first, last in raw_places:
        ids = newid[first:last]
        places.append(BorderPlace(kind=kind, name=name, nodes=ids[ids >= 0], attach=a))
    return out, places
