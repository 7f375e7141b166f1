"""The demo county 示例县 / "Demo County (synthetic)": a complete, seeded, synthetic input set.

Nothing here describes a real place. The county sits at a fictional location around
lon 119.45, lat 28.95 (inside the 3° Gauss-Krüger zone with central meridian 120°E, so
EPSG:4549 is the metric CRS) and is about 35 km across. It has a dense county seat on a river
(crossed by few bridges), nine smaller towns with irregular street grids, some 700 villages
joined by winding country roads, eleven township zones (two 街道 split by the river, 镇 and
乡), about 400,000 people on some 55,000 building-sized points, about 105 facilities in the
five original layers (托育, 卫生, 养老, 健身, 残疾人之家) and about 195 schools (幼儿园, 小学,
初中; one table split into three layers by its 类型 column), placed so that coverage is
partial and differs from town to town and between the three thresholds. The villages and
the towns' communities (村/社区) are listed with their centres and NBS urban–rural codes,
and every population point says which one its people live in. A few roads run on into a
neighbouring synthetic county (邻县（合成）), where a middle school and a village clinic
stand just across the border.

:func:`write_demo_inputs` writes the files a run needs (network GraphML, zones GeoJSON,
villages and population CSV, one CSV per facility layer in several encodings and coordinate
systems, the schools CSV and a commented ``config.toml``); :func:`generate_demo` returns the
same data in memory. The five original layers, the zones and the people's counts are drawn
as they were before the schools, villages and border were added (those come from a second
random stream), so their files are unchanged (the clinic file only gains the clinic across
the border).

Example
-------
>>> from pathlib import Path
>>> from circle15.demo.county import write_demo_inputs
>>> cfg = write_demo_inputs(Path("demo/inputs"))      # doctest: +SKIP
>>> # then: circle15 run demo/inputs/config.toml  (outputs go to demo/)
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely
from shapely.geometry import MultiPoint
from shapely.ops import split, unary_union

from circle15.demo._border import NEIGHBOUR_ZH, BorderPlace, add_border
from circle15.demo._register import URBAN_RURAL, residents, village_register
from circle15.demo._schools import SCHOOL_TYPES, school_rows
from circle15.demo.synthetic import (
    CENTRE,
    TOWN,
    VILLAGE,
    Region,
    generate_region,
    region_graph,
    synthetic_network,
    synthetic_population,
)
from circle15.geo.crs import wgs84_to_gcj02

__all__ = ["DEMO_NAME_EN", "DEMO_NAME_ZH", "DEMO_TITLE", "GROUP_COLUMNS", "LAYER_FILES",
           "NEIGHBOUR_ZH", "SCHOOL_FILE", "SCHOOL_LAYERS", "URBAN_RURAL", "DemoCounty",
           "generate_demo", "synthetic_network", "synthetic_population", "write_demo_inputs"]

DEMO_NAME_ZH = "示例县"
DEMO_NAME_EN = "Demo County (synthetic)"
DEMO_TITLE = "示例县 15分钟公共服务圈（合成示例数据）"
DEMO_CENTER = (119.45, 28.95)
DEMO_DATA_DATE = "2024-12（合成 synthetic）"

#: Layer key -> (file name, encoding written, coordinate system written, population group).
LAYER_FILES = {
    "childcare": ("facilities/childcare.csv", "utf-8-sig", "wgs84", "age_0_3"),
    "clinic": ("facilities/clinic.csv", "utf-8-sig", "gcj02", "total"),
    "elderly": ("facilities/elderly.csv", "gbk", "wgs84", "age_60p"),
    "fitness": ("facilities/fitness.csv", "utf-8", "wgs84", "total"),
    "disability": ("facilities/disability.csv", "utf-8-sig", "wgs84", "disabled"),
}

#: The schools file, and the layers it holds: key -> (类型 value, population group).
SCHOOL_FILE = "facilities/schools.csv"
SCHOOL_LAYERS = {k: (v, g) for (k, v), g in zip(
    SCHOOL_TYPES.items(), ("age_3_6", "age_6_12", "age_12_15"), strict=True)}
#: Population groups (count columns of population.csv), in order.
GROUP_COLUMNS = ("age_0_3", "age_60p", "disabled", "age_3_6", "age_6_12", "age_12_15")

_TOWN_NAMES = ["青石", "柳溪", "枫岭", "桃源", "白沙", "云山", "松林", "梅岙", "竹坞", "石门",
               "金塘", "龙湾"]
_CARE_WORDS = ["小苗", "童乐", "启航", "贝贝", "七彩", "星星", "阳光", "蒲公英"]
_HOME_WORDS = ["颐养", "康乐", "福寿", "夕阳红", "安康", "椿萱"]
_CN_ORD = "一二三四五六七八九十"

# Facility plan per service level: (layer, sub-type, where, how many).
# where: "core" (town centre), "town" (anywhere in the town), "village".
_PLANS: dict[str, list[tuple[str, str, str, int]]] = {
    "seat_north": [
        ("childcare", "托育机构", "town", 3), ("childcare", "幼儿园托班", "town", 3),
        ("childcare", "社区托育点", "town", 2),
        ("clinic", "社区卫生服务中心", "town", 2), ("clinic", "社区卫生服务站", "town", 3),
        ("clinic", "儿童健康管理中心", "core", 1),
        ("elderly", "居家养老服务照料中心", "town", 4), ("elderly", "养老机构", "town", 2),
        ("elderly", "助餐点", "town", 3), ("elderly", "康养联合体", "core", 1),
        ("fitness", "百姓健身房", "town", 3), ("fitness", "体育场地", "core", 1),
        ("fitness", "健身广场", "town", 4),
        ("disability", "残疾人之家", "core", 1),
    ],
    "seat_south": [
        ("childcare", "幼儿园托班", "town", 1), ("childcare", "社区托育点", "town", 1),
        ("clinic", "社区卫生服务中心", "town", 1),
        ("elderly", "居家养老服务照料中心", "town", 1), ("elderly", "助餐点", "town", 1),
        ("fitness", "健身广场", "town", 2),
    ],
    "good": [
        ("childcare", "托育机构", "core", 1), ("childcare", "幼儿园托班", "town", 1),
        ("clinic", "乡镇卫生院", "core", 1), ("clinic", "村卫生室", "village", 3),
        ("clinic", "儿童健康管理中心", "core", 1),
        ("elderly", "居家养老服务照料中心", "core", 1), ("elderly", "养老机构", "town", 1),
        ("elderly", "助餐点", "village", 2), ("elderly", "康养联合体", "core", 1),
        ("fitness", "百姓健身房", "core", 1), ("fitness", "健身广场", "town", 1),
        ("fitness", "健身广场", "village", 2),
        ("disability", "残疾人之家", "core", 1),
    ],
    "medium": [
        ("childcare", "幼儿园托班", "core", 1),
        ("clinic", "乡镇卫生院", "core", 1), ("clinic", "村卫生室", "village", 1),
        ("elderly", "居家养老服务照料中心", "core", 1), ("elderly", "助餐点", "village", 1),
        ("fitness", "健身广场", "core", 1),
    ],
    "medium_plus": [  # a medium town that also has a 残疾人之家
        ("childcare", "幼儿园托班", "core", 1),
        ("clinic", "乡镇卫生院", "core", 1), ("clinic", "村卫生室", "village", 1),
        ("elderly", "居家养老服务照料中心", "core", 1), ("elderly", "助餐点", "village", 1),
        ("fitness", "健身广场", "core", 1),
        ("disability", "残疾人之家", "town", 1),
    ],
    "poor": [
        ("clinic", "乡镇卫生院", "town", 1),
        ("elderly", "助餐点", "core", 1),
    ],
}
_TOWN_LEVELS = ["good", "medium_plus", "poor", "medium", "good", "poor", "medium", "poor",
                "medium", "poor", "medium", "good"]
_ID_PREFIX = {"childcare": "TY", "clinic": "WS", "elderly": "YL", "fitness": "JS",
              "disability": "CJ"}


@dataclass
class DemoCounty:
    """The demo county in memory.

    Attributes
    ----------
    region : Region
        The generated region (local metres and WGS-84).
    graph : networkx.MultiDiGraph
        OSMnx-style walk graph (WGS-84).
    zones : geopandas.GeoDataFrame
        ``zone_id``, ``zone_name``, ``level`` (service level used for placing facilities),
        geometry (EPSG:4326).
    population : pandas.DataFrame
        ``lon``, ``lat``, ``population``, the groups of :data:`GROUP_COLUMNS`, ``zone_id``,
        ``village_id`` (the village or community the point belongs to), ``kind`` (of place)
        and ``x``, ``y`` (local metres).
    facilities : dict of str to pandas.DataFrame
        Per layer of :data:`LAYER_FILES`, true WGS-84 positions: ``id``, ``name``,
        ``subtype``, ``lon``, ``lat``, ``address``, ``zone_id``, ``zone_name``,
        ``capacity`` (nullable int). ``zone_id`` is ``""`` for a facility outside the
        county (the clinic layer has one in the neighbouring county).
    seed : int
    scale : float
    schools : pandas.DataFrame
        The schools (:data:`SCHOOL_FILE`), columns as ``facilities``; ``subtype`` is the
        类型 幼儿园 / 小学 / 初中 that selects the layer (:data:`SCHOOL_LAYERS`); one middle
        school is in the neighbouring county.
    villages : pandas.DataFrame
        The villages and communities: ``village_id``, ``name``, ``zone_id``, ``lon``,
        ``lat`` (centre), ``code`` (NBS urban–rural code), ``x``, ``y``, ``site``.
    border : list of BorderPlace
        The neighbouring county's town and village just outside the outline.
    """

    region: Region
    graph: nx.MultiDiGraph
    zones: gpd.GeoDataFrame
    population: pd.DataFrame
    facilities: dict
    seed: int
    scale: float
    schools: pd.DataFrame = field(default_factory=pd.DataFrame)
    villages: pd.DataFrame = field(default_factory=pd.DataFrame)
    border: list = field(default_factory=list)


# --------------------------------------------------------------------------- zones


def _zones(region: Region, rng: np.random.Generator) -> tuple[list[dict], np.ndarray]:
    """Township polygons (local metres): Voronoi cells of the town centres clipped to the
    outline; the county seat's cell is split by the river into two 街道."""
    towns = region.towns
    pts = MultiPoint(np.column_stack([towns.x, towns.y]))
    env = region.outline.buffer(10_000).envelope
    cells = [c.intersection(region.outline) for c in
             shapely.voronoi_polygons(pts, extend_to=env, ordered=True).geoms]
    # the river as a long line splits the seat's cell
    pieces = split(cells[0], region.river).geoms
    north: list = []
    south: list = []
    for p in pieces:
        rp = p.representative_point()
        (north if region.river_offset(rp.x, rp.y) > 0 else south).append(p)
    n_other = len(towns) - 1
    names = list(rng.permutation(_TOWN_NAMES)[:n_other])
    radius = towns.radius.to_numpy()[1:]
    # the two smallest towns are 乡 (townships), the others 镇
    xiang = set(np.argsort(radius, kind="stable")[:2].tolist()) if n_other > 4 else set()
    levels = [_TOWN_LEVELS[k % len(_TOWN_LEVELS)] for k in range(n_other)]
    levels = list(rng.permutation(levels))
    zones = [
        {"zone_id": "990001001", "zone_name": "城关街道（示例）", "base": "城关街道",
         "level": "seat_north", "town": 0, "geom": unary_union(north)},
        {"zone_id": "990001002", "zone_name": "江南街道（示例）", "base": "江南街道",
         "level": "seat_south", "town": 0, "geom": unary_union(south)},
    ]
    n_zhen = n_xiang = 0
    for k in range(n_other):
        if k in xiang:
            n_xiang += 1
            code, base = f"990001{200 + n_xiang}", f"{names[k]}乡"
        else:
            n_zhen += 1
            code, base = f"990001{100 + n_zhen}", f"{names[k]}镇"
        zones.append({"zone_id": code, "zone_name": f"{base}（示例）", "base": base,
                      "level": levels[k], "town": k + 1, "geom": cells[k + 1]})
    zones.sort(key=lambda z: str(z["zone_id"]))
    _share_vertices(zones)
    return zones, np.array([z["zone_id"] for z in zones])


def _share_vertices(zones: list[dict]) -> None:
    """Rebuild the zones from one noded line-work so that neighbours share every vertex.

    Without this, a vertex on a shared border that only one neighbour has would, after
    projecting to lon/lat and rounding, open slivers of overlap or gap along the border.
    """
    lines = shapely.union_all([shapely.segmentize(z["geom"], 250.0).boundary for z in zones])
    faces = list(shapely.polygonize(list(getattr(lines, "geoms", [lines]))).geoms)
    owner: dict[int, list] = {i: [] for i in range(len(zones))}
    for f in faces:
        p = f.representative_point()
        for i, z in enumerate(zones):
            if z["geom"].contains(p):
                owner[i].append(f)
                break
    for i, z in enumerate(zones):
        z["geom"] = shapely.union_all(owner[i]) if len(owner[i]) > 1 else owner[i][0]


def _zone_of(zones: list[dict], x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Index of the zone containing each point (-1 if none)."""
    out = np.full(len(x), -1, np.int64)
    for i, z in enumerate(zones):
        inside = shapely.contains_xy(z["geom"], x, y) & (out < 0)
        out[inside] = i
    return out


# --------------------------------------------------------------------------- population


def _population(region: Region, zones: list[dict], rng: np.random.Generator,
                scale: float, seed: int) -> pd.DataFrame:
    """Population points in the zones with counts of the groups 0-3, 60+ and disabled
    (zone-level shares: older in 乡 and villages, more small children in the 街道)."""
    n_points = int(round(58_000 * scale))
    total = int(round(rng.uniform(380_000, 440_000) * scale))
    pts = synthetic_population(region, n_points, seed, total=total)
    zi = _zone_of(zones, pts.x.to_numpy(), pts.y.to_numpy())
    pts = pts[zi >= 0].reset_index(drop=True)
    zi = zi[zi >= 0]
    # zone-level shares: older in 乡 and in villages, more small children in the 街道
    elder = np.array([rng.uniform(0.16, 0.21) if z["zone_id"][6] == "0" else
                      rng.uniform(0.27, 0.33) if z["zone_id"][6] == "2" else
                      rng.uniform(0.21, 0.27) for z in zones])
    young = np.array([rng.uniform(0.027, 0.034) if z["zone_id"][6] == "0" else
                      rng.uniform(0.018, 0.028) for z in zones])
    dis_f = rng.uniform(0.85, 1.2, len(zones))
    kind = pts.kind.to_numpy()
    rural = kind >= VILLAGE
    e = np.clip(elder[zi] + np.where(rural, 0.07, np.where(kind == CENTRE, -0.01, 0.0)), 0, 0.6)
    y = young[zi] * np.where(rural, 0.75, 1.0)
    d = np.clip((0.022 + 0.09 * e) * dis_f[zi], 0, 0.2)
    pop = pts.population.to_numpy()
    return pd.DataFrame({
        "lon": pts.lon.to_numpy(), "lat": pts.lat.to_numpy(), "population": pop,
        "age_0_3": rng.binomial(pop, y), "age_60p": rng.binomial(pop, e),
        "disabled": rng.binomial(pop, d), "zone_id": np.array([zones[i]["zone_id"] for i in zi]),
        "kind": kind, "x": pts.x.to_numpy(), "y": pts.y.to_numpy(),
    })


#: Shares of the school ages in the population of a 街道, 镇 and 乡 (zone code digit 7):
#: 3-6, 6-12 and 12-15 years (three, six and three year groups; fewer children in the 乡).
_SCHOOL_AGE_SHARES = {"0": (0.034, 0.070, 0.034), "1": (0.029, 0.062, 0.031),
                      "2": (0.024, 0.054, 0.028)}


def _school_ages(pop: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``pop`` with the school-age groups ``age_3_6``, ``age_6_12``, ``age_12_15``.

    Drawn from the people not counted as aged 0-3 or 60+ (so no one is in two age groups),
    at the township kind's shares (:data:`_SCHOOL_AGE_SHARES`, ±10 % per township), a
    fifth fewer in villages and along country roads.
    """
    zone_ids = sorted(pop.zone_id.unique())
    jitter = dict(zip(zone_ids, rng.uniform(0.9, 1.1, len(zone_ids)), strict=True))
    f = pop.zone_id.map(jitter).to_numpy(float) * np.where(pop.kind.to_numpy() >= VILLAGE,
                                                          0.8, 1.0)
    shares = np.array([_SCHOOL_AGE_SHARES[z[6]] for z in pop.zone_id]) * f[:, None]
    total = pop.population.to_numpy()
    rest = np.maximum(total - pop.age_0_3.to_numpy() - pop.age_60p.to_numpy(), 0)
    # the remaining people's chance to be in each group, so that the expected counts are
    # the shares of the total
    frac = np.clip(shares * total[:, None] / np.maximum(rest, 1)[:, None], 0, 0.3)
    out = pop.copy()
    left = rest.copy()
    used = np.zeros(len(pop))
    for k, g in enumerate(("age_3_6", "age_6_12", "age_12_15")):
        p = np.clip(frac[:, k] / np.maximum(1 - used, 1e-9), 0, 1)
        out[g] = rng.binomial(left, p)
        left = left - out[g].to_numpy()
        used = used + frac[:, k]
    return out


# --------------------------------------------------------------------------- facilities


def _spread_pick(rng: np.random.Generator, xy: np.ndarray, n: int) -> list[int]:
    """Pick ``n`` rows of ``xy`` spread apart (randomised farthest-point sampling)."""
    if len(xy) == 0:
        return []
    chosen = [int(rng.integers(len(xy)))]
    dmin = np.hypot(*(xy - xy[chosen[0]]).T)
    while len(chosen) < min(n, len(xy)):
        score = dmin * rng.uniform(0.5, 1.0, len(xy))
        j = int(np.argmax(score))
        if dmin[j] <= 0:
            break
        chosen.append(j)
        dmin = np.minimum(dmin, np.hypot(*(xy - xy[j]).T))
    return chosen


def _node_street(region: Region) -> np.ndarray:
    """A street name for each node (a named town street where possible) for addresses."""
    n = region.n_nodes
    hw = region.edge_highway
    pref = np.where(np.isin(hw, [1, 2, 3]), 0, np.where(np.isin(hw, [0, 4]), 1, 2))
    ends = np.concatenate([region.edge_u, region.edge_v])
    p2 = np.concatenate([pref, pref])
    nm = np.concatenate([region.edge_name, region.edge_name])
    order = np.lexsort((p2, ends))
    first = np.r_[True, ends[order][1:] != ends[order][:-1]]
    out = np.full(n, "", object)
    out[ends[order][first]] = nm[order][first]
    return out


def _facilities(region: Region, zones: list[dict], rng: np.random.Generator) -> dict:
    """Facilities of every layer placed by each zone's service level (:data:`_PLANS`):
    layer -> DataFrame ``id``, ``name``, ``subtype``, ``lon``, ``lat``, ``address``,
    ``zone_id``, ``zone_name``, ``capacity`` (true WGS-84 positions)."""
    x, y = region.node_x, region.node_y
    kind, sett = region.node_kind, region.node_settlement
    nz = _zone_of(zones, x, y)
    street = _node_street(region)
    vill = region.villages
    vzone = _zone_of(zones, vill.x.to_numpy(), vill.y.to_numpy())
    towns = region.towns
    rows: dict[str, list[dict]] = {k: [] for k in LAYER_FILES}
    used: set[int] = set()
    seen_names: dict[str, int] = {}

    def unique(name: str) -> str:
        """``name``, or with 二, 三, ... before （示例） when already used."""
        k = seen_names.get(name, 0)
        seen_names[name] = k + 1
        return name if k == 0 else name.replace("（示例）", f"{_CN_ORD[k % 10]}（示例）")

    for zi, z in enumerate(zones):
        t = z["town"]
        tx, ty, tr = towns.x[t], towns.y[t], towns.radius[t]
        in_town = (nz == zi) & np.isin(kind, [CENTRE, TOWN]) & (sett == t)
        r = np.hypot(x - tx, y - ty)
        for layer, subtype, where, count in _PLANS[z["level"]]:
            if where == "village":
                vs = np.nonzero(vzone == zi)[0]
                pick_v = [vs[i] for i in _spread_pick(
                    rng, np.column_stack([vill.x[vs], vill.y[vs]]), count)]
                nodes = []
                for v in pick_v:
                    cand = np.nonzero((kind == VILLAGE) & (sett == v))[0]
                    if len(cand):
                        nodes.append(int(cand[np.argmin(np.hypot(x[cand] - vill.x[v],
                                                                 y[cand] - vill.y[v]))]))
            else:
                lim = 0.45 * tr if where == "core" else 0.9 * tr
                cand = np.nonzero(in_town & (r < lim))[0]
                cand = np.array([c for c in cand if c not in used], np.int64)
                nodes = [int(cand[i]) for i in _spread_pick(
                    rng, np.column_stack([x[cand], y[cand]]), count)]
            for node in nodes:
                used.add(node)
                rows[layer].append(_facility_row(rng, region, z, layer, subtype, node,
                                                 street[node], unique))
    return {layer: _located(region, pd.DataFrame(rs, columns=_ROW_COLUMNS),
                            [f"{_ID_PREFIX[layer]}{k + 1:03d}" for k in range(len(rs))])
            for layer, rs in rows.items()}


_ROW_COLUMNS = ["name", "subtype", "x", "y", "address", "zone_id", "zone_name", "capacity"]


def _located(region: Region, df: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Facility rows (local ``x``, ``y``) as a layer table: ``id`` first, WGS-84 ``lon``,
    ``lat`` (6 decimals), nullable integer ``capacity``."""
    df = df.copy()
    lon, lat = region.to_lonlat(df.x.to_numpy(float), df.y.to_numpy(float))
    df.insert(0, "id", ids)
    df["lon"], df["lat"] = np.round(lon, 6), np.round(lat, 6)
    df["capacity"] = pd.array(df["capacity"].tolist(), dtype="Int64")
    return df[["id", "name", "subtype", "lon", "lat", "address", "zone_id", "zone_name",
               "capacity"]]


def _facility_row(rng: np.random.Generator, region: Region, z: dict, layer: str, subtype: str,
                  node: int, street: str, unique: Callable[[str], str]) -> dict:
    """One facility at street node ``node``: name, address, capacity, a position 8-30 m
    from the node."""
    base = z["base"]
    kind, sett = region.node_kind[node], region.node_settlement[node]
    vname = region.villages.name[sett] if kind == VILLAGE else ""
    num = int(rng.integers(1, 199))
    address = (f"{DEMO_NAME_ZH}{base}{vname}村{num}号" if vname
               else f"{DEMO_NAME_ZH}{base}{street}{num}号")
    place = f"{vname}村" if vname else base
    names = {
        "托育机构": f"{base}{rng.choice(_CARE_WORDS)}托育中心",
        "幼儿园托班": f"{base}{'中心' if z['level'] != 'seat_north' else rng.choice(_CARE_WORDS)}"
                     "幼儿园托班",
        "社区托育点": f"{base}{street}社区托育点",
        "乡镇卫生院": f"{base}卫生院",
        "社区卫生服务中心": f"{base}社区卫生服务中心",
        "社区卫生服务站": f"{base}{street}社区卫生服务站",
        "村卫生室": f"{place}卫生室",
        "居家养老服务照料中心": f"{place}居家养老服务照料中心",
        "养老机构": f"{base}{rng.choice(_HOME_WORDS)}养老院",
        "助餐点": f"{place}老年助餐点",
        "百姓健身房": f"{base}百姓健身房",
        "体育场地": f"{DEMO_NAME_ZH}全民健身中心体育场",
        "健身广场": f"{place}健身广场",
        "残疾人之家": f"{base}残疾人之家",
        "儿童健康管理中心": f"{base}儿童健康管理中心",
        "康养联合体": f"{base}康养联合体",
    }
    cap = None
    if subtype == "托育机构":
        cap = int(rng.integers(20, 41)) * 5
    elif subtype == "幼儿园托班":
        cap = int(rng.integers(4, 10)) * 5
    elif subtype == "社区托育点":
        cap = int(rng.integers(2, 7)) * 5
    elif subtype == "养老机构":
        cap = int(rng.integers(8, 31)) * 10
    elif subtype == "居家养老服务照料中心":
        cap = int(rng.integers(1, 4)) * 10
    elif subtype == "康养联合体":
        cap = int(rng.integers(5, 16)) * 10
    # set back from the street: 8-30 m in a random direction
    ang = rng.uniform(0, 2 * np.pi)
    dist = rng.uniform(8, 30)
    return {"name": unique(names[subtype] + "（示例）"), "subtype": subtype,
            "x": region.node_x[node] + dist * np.cos(ang),
            "y": region.node_y[node] + dist * np.sin(ang),
            "address": address, "zone_id": z["zone_id"], "zone_name": z["zone_name"],
            "capacity": cap}


# --------------------------------------------------------------------------- public


def _outside(wide: Region, border: list[BorderPlace], rng: np.random.Generator
             ) -> dict[str, pd.DataFrame]:
    """The facilities just across the border: a middle school in the neighbouring town
    (schools) and a village clinic in the neighbouring village (clinic), each on the
    place's street node nearest where its road leaves the county among those at least
    250 m outside the outline."""
    street = _node_street(wide)
    out: dict[str, list[dict]] = {"schools": [], "clinic": []}
    for place in border:
        nodes = place.nodes
        d = shapely.distance(shapely.points(wide.node_x[nodes], wide.node_y[nodes]),
                             wide.outline.boundary)
        ok = nodes[d >= 250]
        if not len(ok):
            continue
        a = np.array([wide.node_x[place.attach], wide.node_y[place.attach]])
        node = int(ok[np.argmin(np.hypot(wide.node_x[ok] - a[0], wide.node_y[ok] - a[1]))])
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(8, 30)
        x, y = wide.node_x[node] + dist * np.cos(ang), wide.node_y[node] + dist * np.sin(ang)
        num = int(rng.integers(1, 199))
        if place.kind == "town":
            out["schools"].append({
                "name": f"{place.name}初级中学（邻县，合成）", "subtype": "初中", "x": x, "y": y,
                "address": f"{NEIGHBOUR_ZH}{place.name}{street[node]}{num}号", "zone_id": "",
                "zone_name": f"{NEIGHBOUR_ZH}{place.name}", "capacity": 1200})
        else:
            out["clinic"].append({
                "name": f"{place.name}村卫生室（邻县，合成）", "subtype": "村卫生室", "x": x,
                "y": y, "address": f"{NEIGHBOUR_ZH}龙泉乡{place.name}村{num}号", "zone_id": "",
                "zone_name": f"{NEIGHBOUR_ZH}龙泉乡", "capacity": None})
    return {k: pd.DataFrame(v, columns=_ROW_COLUMNS) for k, v in out.items()}


def _schools(region: Region, wide: Region, zones: list[dict], register: pd.DataFrame,
             pop: pd.DataFrame, outside: pd.DataFrame, rng: np.random.Generator
             ) -> pd.DataFrame:
    """The schools table: kindergartens, primary, middle schools (the outside one last),
    ids YE/XX/CZ + number per type."""
    people = pop.groupby("village_id")["population"].sum()
    df = school_rows(region, zones, _zone_of(zones, region.node_x, region.node_y), register,
                     people, rng, _spread_pick, _node_street(region), DEMO_NAME_ZH)
    df = pd.concat([df, outside], ignore_index=True) if len(outside) else df
    order = {v: k for k, v in enumerate(SCHOOL_LAYERS.values())}
    df = df.sort_values("subtype", key=lambda s: s.map(order), kind="stable")
    df = df.reset_index(drop=True)
    prefix = {"幼儿园": "YE", "小学": "XX", "初中": "CZ"}
    ids = [f"{prefix[t]}{k + 1:03d}" for t, k in zip(
        df.subtype, df.groupby("subtype", sort=False).cumcount(), strict=True)]
    return _located(wide, df, ids)


def _register_lonlat(region: Region, register: pd.DataFrame) -> pd.DataFrame:
    """The register with WGS-84 centres (``lon``, ``lat``, 6 decimals)."""
    lon, lat = region.to_lonlat(register.x.to_numpy(), register.y.to_numpy())
    return register.assign(lon=np.round(lon, 6), lat=np.round(lat, 6))


def _zones_frame(region: Region, zones: list[dict]) -> gpd.GeoDataFrame:
    """The townships as written: WGS-84 polygons with 7 decimals."""
    geoms = [shapely.transform(z["geom"], lambda c: np.round(np.column_stack(
        region.to_lonlat(c[:, 0], c[:, 1])), 7)) for z in zones]
    return gpd.GeoDataFrame({"zone_id": [z["zone_id"] for z in zones],
                             "zone_name": [z["zone_name"] for z in zones],
                             "level": [z["level"] for z in zones]},
                            geometry=geoms, crs="EPSG:4326")


def _zone_in_files(gdf: gpd.GeoDataFrame, pop: pd.DataFrame, default: pd.Series
                   ) -> np.ndarray:
    """The township of each point as a run reads the files (written polygons, points
    rounded to 6 decimals); ``default`` where none contains it."""
    out = default.to_numpy(dtype=object).copy()
    found = np.zeros(len(pop), bool)
    lon, lat = pop.lon.to_numpy(), pop.lat.to_numpy()
    for zid, geom in zip(gdf.zone_id, gdf.geometry, strict=True):
        hit = shapely.contains_xy(geom, lon, lat) & ~found
        out[hit] = zid
        found |= hit
    return out


def generate_demo(seed: int = 15, scale: float = 1.0) -> DemoCounty:
    """Generate the synthetic demo county in memory.

    The five original layers, the townships and the people are drawn first, exactly as
    before the schools, villages and border were added (same draws); everything added
    since is drawn from a second stream (``[seed, 16]``).

    Parameters
    ----------
    seed : int
        Random seed; the same seed gives the same county.
    scale : float
        Multiplies the density of streets and the number of points and people (1.0: about
        23,000 nodes, 55,000 points, 400,000 people). Zones and the five original layers
        do not change in number; village schools and communities follow the villages and
        the people.

    Returns
    -------
    DemoCounty
    """
    if not scale > 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    region = generate_region(seed, center=DEMO_CENTER, density=scale)
    rng = np.random.default_rng([seed, 15])
    zones, _ = _zones(region, rng)
    pop = _population(region, zones, rng, scale, seed)
    fac = _facilities(region, zones, rng)
    more = np.random.default_rng([seed, 16])
    pop = _school_ages(pop, more)
    gdf = _zones_frame(region, zones)
    register = village_register(region, zones, _zone_of, pop)
    pop["village_id"] = residents(register, pop, _zone_in_files(gdf, pop, pop.zone_id))
    wide, border = add_border(region, more, pop[["x", "y"]].to_numpy(),
                              reach_m=350.0 / float(np.sqrt(min(scale, 1.0))))
    outside = _outside(wide, border, more)
    fac["clinic"] = pd.concat([fac["clinic"], _located(
        wide, outside["clinic"], [f"WS{len(fac['clinic']) + k + 1:03d}"
                                  for k in range(len(outside["clinic"]))])],
        ignore_index=True)
    schools = _schools(region, wide, zones, register, pop, outside["schools"], more)
    return DemoCounty(region=wide, graph=region_graph(wide), zones=gdf, population=pop,
                      facilities=fac, seed=seed, scale=scale, schools=schools,
                      villages=_register_lonlat(region, register), border=border)


def _geojson(zones: gpd.GeoDataFrame) -> str:
    """The zones as a GeoJSON FeatureCollection text labelled synthetic."""
    feats = []
    for zid, name, geom in zip(zones.zone_id, zones.zone_name, zones.geometry, strict=True):
        feats.append({"type": "Feature", "properties": {"zone_id": zid, "zone_name": name},
                      "geometry": json.loads(shapely.to_geojson(geom))})
    fc = {"type": "FeatureCollection",
          "name": f"{DEMO_NAME_ZH} 镇街（合成示例数据） / {DEMO_NAME_EN} townships",
          "features": feats}
    return json.dumps(fc, ensure_ascii=False, indent=None) + "\n"


_HEADERS = {"id": "编号", "name": "名称", "subtype": "类型", "lon": "经度", "lat": "纬度",
            "address": "地址", "zone_name": "所属镇街"}


def _villages_table(demo: DemoCounty) -> pd.DataFrame:
    """The demo's villages and communities as county statistical lists give them:
    12-digit synthetic codes (prefix 99, like the zones), names, township code, the centre
    (WGS-84) and the NBS urban–rural code (城乡分类代码)."""
    v = demo.villages
    return pd.DataFrame({"村代码": v.village_id, "村名称": v.name, "乡镇代码": v.zone_id,
                         "经度": v.lon, "纬度": v.lat, "城乡分类代码": v.code})


def _population_csv(demo: DemoCounty) -> pd.DataFrame:
    """The population points as written: counts per group and the village code."""
    return demo.population[["lon", "lat", "population", *GROUP_COLUMNS, "village_id"]].rename(
        columns={"village_id": "村代码"})


def _schools_csv(df: pd.DataFrame) -> pd.DataFrame:
    """The schools table as written: Chinese headers, 学位 = places."""
    out = df[["id", "name", "subtype", "lon", "lat", "address", "zone_name"]].rename(
        columns=_HEADERS)
    out["学位"] = df["capacity"]
    return out


def _facility_csv(df: pd.DataFrame, layer: str) -> pd.DataFrame:
    """A layer's table as written: Chinese headers, GCJ-02 for clinics, 托位/床位."""
    out = df[["id", "name", "subtype", "lon", "lat", "address", "zone_name"]].rename(
        columns=_HEADERS)
    if layer == "clinic":
        glon, glat = wgs84_to_gcj02(df.lon.to_numpy(float), df.lat.to_numpy(float))
        out["经度"], out["纬度"] = np.round(glon, 6), np.round(glat, 6)
    if layer == "childcare":
        out["托位"] = df["capacity"]
    elif layer == "elderly":
        out["床位"] = df["capacity"]
    return out


#: What each layer's comment in the demo config says about its file.
_LAYER_NOTES = {
    "childcare": "托育 childcare: judged by children aged 0-3 (group age_0_3); 托位 = places",
    "clinic": "卫生 clinics: coordinates in GCJ-02, as exported from Amap (高德) - converted "
              "to WGS-84 on load",
    "elderly": "养老 elderly care: file saved in GBK (the loader detects the encoding); "
               "床位 = beds",
    "fitness": "健身 fitness: plain UTF-8 without BOM",
    "disability": "残疾人之家 disability services: only in a few townships",
}

#: The demo's ``config.toml``, commented as a template for users' own data
#: (:class:`string.Template`: ``$title``, ``$name_en``, ``$seed``, ``$scale``,
#: ``$data_date``, ``$layers``).
_CONFIG_TEMPLATE = Template('''\
# =============================================================================
# $title
# $name_en: SYNTHETIC DEMO DATA - not any real county.
# 本文件及同目录下的所有数据均为程序生成的合成示例数据（seed=$seed, scale=$scale），
# 不代表任何真实地区。All data here were generated by circle15.demo.county.
#
# This file is also a template: copy it, point the paths at your own files, and run
#     circle15 run config.toml
# Relative paths are relative to this file.
# =============================================================================

[project]
title = "$title"
synthetic = true                 # every map, table and report then says "synthetic"
data_date = "$data_date"   # the date the data describe (free text)

# ---------------------------------------------------------------------------
# Study area: township polygons (镇街). GeoJSON, GeoPackage or Shapefile.
# ---------------------------------------------------------------------------
[area]
zones = "zones.geojson"
id_column = "zone_id"            # zone code column (9-digit township codes; 99... = synthetic)
name_column = "zone_name"        # zone name column shown on maps and tables
crs = "wgs84"                    # used only when the file does not declare its CRS
# profile = "zhuji"              # for real data: check zone codes against a built-in list
# Administrative villages and communities (村/社区: code, name, township code) for the
# plan's village-level targets (meal service in 85 % of villages and communities, sports
# facilities in every village); facilities are matched by a 所属村 column or, as here, by
# the village in the address. The demo's table also gives each one's centre (经度, 纬度,
# WGS-84) and its NBS urban-rural code (城乡分类代码: 111 主城区, 112 城乡结合区,
# 121 镇中心区, 122 镇乡结合区, 210 乡中心区, 220 村庄; 1xx = urban 社区, 2xx = rural 村);
# population.csv says which village each point's people live in (村代码).
villages = "villages.csv"
# buffer_m = 2000                # the network is kept this far beyond the county (default
#                                # 2,000 m), so people near the border are not cut off:
#                                # the demo's roads run on into a neighbouring (synthetic)
#                                # county, where one school and one clinic stand

# ---------------------------------------------------------------------------
# Street network: .osm / .osm.pbf (OpenStreetMap extract), .graphml (OSMnx), or
# "place:<name>" to download (needs internet). Travel time = network distance / speed.
# ---------------------------------------------------------------------------
[network]
source = "network.graphml"
mode = "walk"                    # walk | bike | ebike | drive
speed_kmh = 4.5                  # walking speed; 15 min at 4.5 km/h is 1,125 m
crs = "EPSG:4549"                # metric CRS: CGCS2000 / 3-degree Gauss-Kruger CM 120E

# ---------------------------------------------------------------------------
# Population: points (CSV with coordinates), each carrying a number of people and the
# number in each group. Other kinds: raster (GeoTIFF), buildings, zone_totals.
# ---------------------------------------------------------------------------
[population]
source = "population.csv"
value_column = "population"      # people at each point
x_column = "lon"
y_column = "lat"
crs = "wgs84"

# Groups: group name = column with the count of that group at each point (written as a
# table here; `groups = { age_0_3 = "age_0_3", ... }` on the [population] table is the same).
# No one is in two age groups.
[population.groups]
age_0_3 = "age_0_3"              # 0-3: childcare
age_60p = "age_60p"              # 60+: elderly care
disabled = "disabled"            # people with disabilities
age_3_6 = "age_3_6"              # 3-6: kindergarten
age_6_12 = "age_6_12"            # 6-12: primary school
age_12_15 = "age_12_15"          # 12-15: middle school

# ---------------------------------------------------------------------------
# Facility layers: one table (CSV/XLSX) per layer. Columns are recognised by their usual
# Chinese or English headers: 编号, 名称, 类型, 经度, 纬度, 地址, 所属镇街, 托位/床位.
# One table may hold several layers: map the column that says which layer a row is in to
# "layer" (here the schools' 类型 = 幼儿园 / 小学 / 初中, the names of the built-in
# layers kindergarten / primary_school / middle_school).
# required = false keeps a layer out of the composite "full circle" rate (all required
# layers within the time): the schools are, so the composite is that of the five
# original layers.
# Map other headers with e.g.  columns = { "机构名称" = "name" }
# "group" is the population group a layer is judged by ("total" = everybody).
# ---------------------------------------------------------------------------

$layers
# ---------------------------------------------------------------------------
# Coverage: share of people within these walking times (minutes) of a facility.
# ---------------------------------------------------------------------------
[coverage]
thresholds = [5, 10, 15]
count_outside = true             # the neighbouring county's school and clinic count
                                 # (false: loaded and flagged "outside", not counted)

# ---------------------------------------------------------------------------
# Standards: besides the common 5/10/15-minute table, each layer is judged at the
# circle levels of its standard (`circle15 standards` prints the catalogue; its
# values are marked unverified): 幼儿园 5, 小学 10, 初中 15 minutes on foot in urban
# 社区; the rural 乡集镇 and 村/组 rules for rural villages (城乡分类代码 2xx); 健身
# on foot or by bike. Written to standards_by_zone.csv, the workbook and the report.
# ---------------------------------------------------------------------------
[standards]
catalogue = "national"           # or a county's own catalogue file
modes = ["bike"]                 # also compute cycling (a second network preparation)
profiles = { age_60p = "elderly" }   # older people judged at 3.6 km/h
# overrides = { kindergarten = { minutes = 6 } }   # replace a value for this run

# ---------------------------------------------------------------------------
# Targets: a built-in plan to compare with (its indicators and yearly targets).
# ---------------------------------------------------------------------------
[targets]
plan = "zhuji-2023"
year = 2027

# ---------------------------------------------------------------------------
# Siting: where to add facilities so that every township reaches a target.
# This demo scenario asks for 60 % of residents within 15 minutes of a clinic in
# every township (an interim target chosen for the demo, not one of the plan's)
# and proposes up to 60 new sites; they appear in proposed_sites.csv and on the map.
# `circle15 site config.toml --layer fitness` sites a layer against the plan itself.
# ---------------------------------------------------------------------------
[siting]
layers = ["clinic"]
target_rate = 0.6
minutes = 15
max_sites = 60
spacing_m = 500                   # candidate sites: network nodes on a 500 m grid

# ---------------------------------------------------------------------------
# Map: the township choropleth shows this layer and threshold against its plan
# target (fitness: the plan's 15分钟健身圈, 100 % by 2027). Redraw another with
# `circle15 map DIR --layer clinic --minutes 10`.
# ---------------------------------------------------------------------------
[map]
layer = "fitness"
minutes = 15
basemap = "none"                  # none (offline) | osm | tianditu (needs a key) | amap

# ---------------------------------------------------------------------------
# Output: "../" puts the results next to this inputs/ folder.
# ---------------------------------------------------------------------------
[output]
dir = "../"
lang = "zh"                      # zh | en
''')


#: Catalogue entries a demo layer of several types is judged by (split by its 类型).
_LAYER_STANDARDS = {
    "clinic": ('["health_centre", "health_station"]',
               "卫生院/服务中心 15 min, 卫生室/服务站 5 min"),
    "elderly": ('["nursing_home", "day_care"]', "养老机构 15 min, 照料中心 5 min"),
}


def _layer_block(key: str) -> str:
    """The commented ``[[layers]]`` table of one demo layer."""
    src, _enc, crs, group = LAYER_FILES[key]
    std = ""
    if key in _LAYER_STANDARDS:
        entries, note = _LAYER_STANDARDS[key]
        std = f"standard = {entries}   # judged by type: {note}\n"
    return (f"# {_LAYER_NOTES[key]}\n"
            f"[[layers]]\n"
            f'key = "{key}"\n'
            f'source = "{src}"\n'
            f'crs = "{crs}"            # wgs84 | gcj02 | bd09 | cgcs2000 | EPSG:xxxx\n'
            f'group = "{group}"\n' + std)


#: What each school layer's comment in the demo config says.
_SCHOOL_NOTES = {
    "kindergarten": "学有优教 幼儿园 kindergartens (3-6): the rows of schools.csv whose 类型 is "
                    "幼儿园; in every town and the larger villages; 学位 = places",
    "primary_school": "学有优教 小学 primary schools (6-12): 类型 小学; in the towns and the "
                      "largest villages",
    "middle_school": "学有优教 初中 middle schools (12-15): 类型 初中; only in the seats of the "
                     "镇 and the county seat, and one just across the border in the "
                     "neighbouring county (邻县（合成）)",
}


def _school_block(key: str) -> str:
    """The commented ``[[layers]]`` table of one school layer (all from one file)."""
    note = textwrap.fill(_SCHOOL_NOTES[key], width=88, initial_indent="# ",
                         subsequent_indent="# ")
    return (f"{note}\n"
            f"[[layers]]\n"
            f'key = "{key}"\n'
            f'source = "{SCHOOL_FILE}"\n'
            f'crs = "wgs84"\n'
            f'group = "{SCHOOL_LAYERS[key][1]}"\n'
            f'columns = {{ "类型" = "layer" }}   # 类型 picks the layer; 学位 = places\n'
            f"required = false             # not (yet) in the composite full-circle rate\n")


def _config_text(seed: int, scale: float) -> str:
    """The demo's ``config.toml`` text for ``seed`` and ``scale``."""
    blocks = [_layer_block(k) for k in LAYER_FILES] + [_school_block(k) for k in SCHOOL_LAYERS]
    return _CONFIG_TEMPLATE.substitute(
        title=DEMO_TITLE, name_en=DEMO_NAME_EN, seed=seed, scale=scale,
        data_date=DEMO_DATA_DATE, layers="\n".join(blocks))


_README = f"""{DEMO_NAME_ZH}（合成示例数据）
================================

本目录中的全部数据（路网、镇街边界、村/社区、人口点、托育/卫生/养老/健身/残疾人之家设施
和幼儿园/小学/初中）均由 circle15.demo.county 按随机种子生成，是虚构的合成示例数据，不代表
任何真实县市、镇街、村庄或机构。名称中的“示例”“（示例）”和编码前缀 99 均表示合成数据。
县界外的道路、一所初中和一个村卫生室属于同样虚构的“邻县（合成）”。仅用于演示和测试
circle15 的功能，请勿作为规划依据。

{DEMO_NAME_EN}
================================

Everything in this folder (street network, township polygons, villages and communities,
population points, the childcare, clinic, elderly-care, fitness and disability-service
facilities and the kindergartens, primary and middle schools) was generated by
circle15.demo.county from a random seed. It is SYNTHETIC DEMO DATA and does not describe any
real county, township, village or facility. Names containing 示例 ("example") and zone codes
starting with 99 mark the data as synthetic. The roads beyond the county's border, one
middle school and one village clinic belong to an equally fictional neighbouring county
(邻县（合成）). Use it to try circle15, not for planning.

Files
-----
config.toml                 the run configuration (commented: a template for your own data)
network.graphml             walk network (OSMnx GraphML, WGS-84)
zones.geojson               township polygons (WGS-84)
villages.csv                villages and communities (村/社区): code, name, township, centre,
                            urban-rural code (城乡分类代码)
population.csv              people per building-sized point, with groups 0-3, 60+, disabled,
                            3-6, 6-12, 12-15, and the village they live in (村代码)
facilities/childcare.csv    托育 (UTF-8 with BOM, WGS-84)
facilities/clinic.csv       卫生 (UTF-8 with BOM, GCJ-02 coordinates as from Amap)
facilities/elderly.csv      养老 (GBK encoding, WGS-84)
facilities/fitness.csv      健身 (UTF-8, WGS-84)
facilities/disability.csv   残疾人之家 (UTF-8 with BOM, WGS-84)
facilities/schools.csv      幼儿园/小学/初中 in one table, 类型 = layer (UTF-8 with BOM, WGS-84)

Run:  circle15 run config.toml
"""


def write_demo_inputs(out_dir: Path, *, seed: int = 15, scale: float = 1.0) -> Path:
    """Write the synthetic demo county's input files and return the config path.

    Files (under ``out_dir``): ``network.graphml``, ``zones.geojson``, ``villages.csv``,
    ``population.csv``, ``facilities/<layer>.csv`` (and ``facilities/schools.csv`` holding
    three layers), ``config.toml`` and ``README.txt``. The
    same ``seed`` and ``scale`` give byte-identical files. The config's ``[output] dir =
    "../"`` makes ``circle15 run DIR/inputs/config.toml`` write its results into ``DIR``.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if needed; usually ``DIR/inputs``).
    seed : int
        Random seed.
    scale : float
        Size factor (see :func:`generate_demo`).

    Returns
    -------
    Path
        The written ``config.toml``.
    """
    from circle15.io import atomic_output_dir

    demo = generate_demo(seed, scale)
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        (tmp / "facilities").mkdir()
        ox.io.save_graphml(demo.graph, tmp / "network.graphml")
        (tmp / "zones.geojson").write_text(_geojson(demo.zones), encoding="utf-8")
        _population_csv(demo).to_csv(tmp / "population.csv", index=False, encoding="utf-8",
                                     lineterminator="\n")
        for layer, (src, enc, _crs, _group) in LAYER_FILES.items():
            _facility_csv(demo.facilities[layer], layer).to_csv(
                tmp / src, index=False, encoding=enc, lineterminator="\n")
        _schools_csv(demo.schools).to_csv(tmp / SCHOOL_FILE, index=False,
                                          encoding="utf-8-sig", lineterminator="\n")
        _villages_table(demo).to_csv(tmp / "villages.csv", index=False, encoding="utf-8",
                                     lineterminator="\n")
        (tmp / "config.toml").write_text(_config_text(seed, scale), encoding="utf-8")
        (tmp / "README.txt").write_text(_README, encoding="utf-8")
    return out_dir / "config.toml"


if __name__ == "__main__":  # pragma: no cover - manual use: python -m circle15.demo.county DIR
    import sys
    import time

    t0 = time.perf_counter()
    path = write_demo_inputs(Path(sys.argv[1] if len(sys.argv) > 1 else "demo/inputs"))
    print(f"wrote {path} in {time.perf_counter() - t0:.1f} s")
