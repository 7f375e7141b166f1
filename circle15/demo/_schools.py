"""The demo county's schools (学有优教): kindergartens, primary and middle schools.

One table, ``类型`` = 幼儿园 / 小学 / 初中, placed like a county's schools: kindergartens in
every town and in the larger villages (central villages and those next to the towns),
primary schools in the towns and the largest rural villages, middle schools only in the
seats of the 镇 and the county seat (a 乡's children go to a 镇's middle school), so that
5-, 10- and 15-minute coverage differ from one another and between the towns and the
countryside. ``学位`` = places. Everything here is *synthetic*.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from circle15.demo._frame import CENTRE, TOWN, VILLAGE
from circle15.demo.synthetic import Region

#: Built-in layer key -> the 类型 value that selects it.
SCHOOL_TYPES = {"kindergarten": "幼儿园", "primary_school": "小学", "middle_school": "初中"}

#: Schools in the town of a township, by its service level: (幼儿园, 小学, 初中).
_IN_TOWN = {"seat_north": (16, 8, 4), "seat_south": (7, 4, 2), "good": (4, 2, 1),
            "medium": (3, 2, 1), "medium_plus": (3, 2, 1), "poor": (2, 1, 1)}
#: Share of a township's villages (largest first) with a kindergarten, and of its rural
#: villages with a primary school (a county of 400,000 has some 120 kindergartens and 50
#: primary schools: small village schools have been merged into the towns' and the
#: central villages' schools).
_IN_VILLAGES = {"seat_north": (0.25, 0.06), "seat_south": (0.25, 0.06),
                "good": (0.15, 0.05), "medium": (0.1, 0.04), "medium_plus": (0.1, 0.04),
                "poor": (0.06, 0.03)}
_KG_WORDS = ("实验", "机关", "阳光", "育才", "蓝天", "童心", "春晖", "启明", "东方", "新苗")


def _places(rng: np.random.Generator, kind: str, urban: bool) -> int:
    """学位 (places) of one school: classes × pupils per class."""
    if kind == "幼儿园":
        return int(rng.integers(9, 16) if urban else rng.integers(3, 7)) * 30
    if kind == "小学":
        return int(rng.integers(24, 37) if urban else rng.integers(6, 13)) * 45
    return int(rng.integers(24, 37) if urban else rng.integers(12, 25)) * 50


def _town_nodes(region: Region, node_zone: np.ndarray, zi: int, t: int, lim: float
                ) -> np.ndarray:
    """Town nodes of township ``zi`` within ``lim`` m of its town's centre."""
    tw = region.towns
    r = np.hypot(region.node_x - tw.x[t], region.node_y - tw.y[t])
    return np.nonzero((node_zone == zi) & np.isin(region.node_kind, [CENTRE, TOWN])
                      & (region.node_settlement == t) & (r < lim))[0]


def _village_node(region: Region, site: int) -> int | None:
    """The street node of village ``site`` nearest its centre (None: no streets left)."""
    cand = np.nonzero((region.node_kind == VILLAGE) & (region.node_settlement == site))[0]
    if not len(cand):
        return None
    v = region.villages
    return int(cand[np.argmin(np.hypot(region.node_x[cand] - v.x[site],
                                       region.node_y[cand] - v.y[site]))])


def _town_schools(region: Region, zones: list[dict], node_zone: np.ndarray,
                  rng: np.random.Generator, spread: Callable) -> list[tuple]:
    """(type, zone index, node, where) of the schools in the towns."""
    out = []
    for zi, z in enumerate(zones):
        t, tr = z["town"], float(region.towns.radius[z["town"]])
        used: set[int] = set()
        for kind, n in zip(("幼儿园", "小学", "初中"), _IN_TOWN[z["level"]], strict=True):
            if kind == "初中" and str(z["base"]).endswith("乡"):
                continue
            cand = _town_nodes(region, node_zone, zi, t, (0.5 if kind == "初中" else 0.9) * tr)
            cand = np.array([c for c in cand if c not in used], np.int64)
            for i in spread(rng, np.column_stack([region.node_x[cand], region.node_y[cand]]),
                            n):
                used.add(int(cand[i]))
                out.append((kind, zi, int(cand[i]), ""))
    return out


def _village_schools(region: Region, zones: list[dict], register: pd.DataFrame,
                     people: pd.Series) -> list[tuple]:
    """(type, zone index, node, village name) in the largest villages of each township."""
    out = []
    zid = {z["zone_id"]: zi for zi, z in enumerate(zones)}
    vill = register[register.site >= 0].assign(people=lambda d: d.village_id.map(people))
    for z_id, g in vill.groupby("zone_id", sort=True):
        zi = zid[z_id]
        g = g.sort_values(["people", "village_id"], ascending=[False, True], kind="stable")
        rural = g[g.code.str.startswith("2")]
        kg, ps = _IN_VILLAGES[zones[zi]["level"]]
        for kind, share, rows in (("幼儿园", kg, g), ("小学", ps, rural)):
            for r in rows.head(int(round(share * len(rows)))).itertuples():
                node = _village_node(region, int(r.site))
                if node is not None:
                    out.append((kind, zi, node, str(r.name)))
    return out


def school_rows(region: Region, zones: list[dict], node_zone: np.ndarray,
                register: pd.DataFrame, people: pd.Series, rng: np.random.Generator,
                spread: Callable, street: np.ndarray, county: str) -> pd.DataFrame:
    """The schools of the county (true positions, local metres).

    Parameters
    ----------
    region : Region
    zones : list of dict
        The townships (``zone_id``, ``zone_name``, ``base``, ``level``, ``town``).
    node_zone : numpy.ndarray
        Township index of each node.
    register : pandas.DataFrame
        From :func:`~circle15.demo._register.village_register`.
    people : pandas.Series
        Residents per village code.
    rng : numpy.random.Generator
    spread : callable
        ``(rng, xy, n) -> rows`` picking ``n`` rows of ``xy`` spread apart.
    street : numpy.ndarray
        A street name per node (for addresses).
    county : str
        The county's name (addresses start with it).

    Returns
    -------
    pandas.DataFrame
        ``name, subtype, x, y, address, zone_id, zone_name, capacity`` (subtype = 类型).
    """
    rows = []
    seen: dict[str, int] = {}
    for kind, zi, node, vname in (_town_schools(region, zones, node_zone, rng, spread)
                                  + _village_schools(region, zones, register, people)):
        z = zones[zi]
        base = str(z["base"])
        if vname:
            name = f"{vname}{'幼儿园' if kind == '幼儿园' else '小学'}"
            address = f"{county}{base}{vname}{int(rng.integers(1, 199))}号"
        else:
            name = _town_school_name(rng, kind, base, county, seen)
            address = f"{county}{base}{street[node]}{int(rng.integers(1, 199))}号"
        k = seen.get(name, 0)
        seen[name] = k + 1
        if k:
            name = f"{name}{'二三四五六七八九十'[(k - 1) % 9]}部"
        ang, dist = rng.uniform(0, 2 * np.pi), rng.uniform(8, 30)
        rows.append({"name": f"{name}（示例）", "subtype": kind,
                     "x": region.node_x[node] + dist * np.cos(ang),
                     "y": region.node_y[node] + dist * np.sin(ang), "address": address,
                     "zone_id": z["zone_id"], "zone_name": z["zone_name"],
                     "capacity": _places(rng, kind, not vname)})
    return pd.DataFrame(rows, columns=["name", "subtype", "x", "y", "address", "zone_id",
                                       "zone_name", "capacity"])


def _town_school_name(rng: np.random.Generator, kind: str, base: str, county: str,
                      seen: dict[str, int]) -> str:
    """A town school's name: 城关街道实验幼儿园, 青石镇中心小学, 示例县第二初级中学 ..."""
    if kind == "幼儿园":
        return f"{base}{rng.choice(_KG_WORDS)}幼儿园"
    if kind == "小学":
        return f"{base}中心小学"
    if base.endswith("街道"):
        k = sum(v for n, v in seen.items() if n.startswith(f"{county}第")) + 1
        return f"{county}第{'一二三四五六七八九十'[(k - 1) % 10]}初级中学"
    return f"{base}初级中学"
