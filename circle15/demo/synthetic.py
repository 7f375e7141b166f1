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
:func:`generate_region` runs named steps in a fixed order of random-number draws; the
frame and river maths live in :mod:`circle15.demo._frame`, the street builders (town grids,
village lanes, country roads) in :mod:`circle15.demo._streets`.

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
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Polygon

from circle15.demo._frame import (
    _HW,
    CENTRE,
    HIGHWAYS,
    KIND_NAMES,
    ROAD,
    TOWN,
    VILLAGE,
    _dart,
    _river_offset,
    _river_xy,
    _smooth_radius,
    _transformer,
    great_circle_m,
)
from circle15.demo._streets import (
    _Acc,
    _Anchors,
    _grid,
    _Streets,
    _town_roads,
    _village_roads,
    _villages,
)

__all__ = ["CENTRE", "HIGHWAYS", "KIND_NAMES", "ROAD", "TOWN", "VILLAGE", "Region",
           "generate_region", "great_circle_m", "region_graph", "synthetic_network",
           "synthetic_population"]

#: Nodes per unit of density at the default (demo) size: used to size :func:`synthetic_network`.
_NODES_PER_DENSITY = 23_700
#: Nodes of the central town, which does not grow with the area.
_FIXED_NODES = 4_500

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
