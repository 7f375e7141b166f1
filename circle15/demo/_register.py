"""The demo county's villages and communities (村/社区): codes, centres, urban–rural class.

The register lists, per township, the administrative villages generated with the streets
(one row per distinct name in a township, as before) and the communities (社区) of the
towns' built-up areas, each with its centre (WGS-84) and the urban–rural code of the NBS
统计用区划和城乡划分代码 (:data:`URBAN_RURAL`): communities of the county seat are 111
主城区, villages next to it 112 城乡结合区, communities of a 镇 121 镇中心区, villages next to
a 镇 122 镇乡结合区, the seat of a 乡 210 乡中心区, every other village 220 村庄. Urban units
(1xx) are called 社区, rural ones (2xx) 村. Every population point belongs to the nearest
unit centre of its township (:func:`residents`). Everything here is *synthetic*.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from circle15.demo._frame import CENTRE, TOWN
from circle15.demo.synthetic import Region

#: NBS urban–rural code -> (Chinese, English) class. Urban: 1xx, rural: 2xx.
URBAN_RURAL = {
    "111": ("主城区", "main urban area"),
    "112": ("城乡结合区", "urban-rural fringe"),
    "121": ("镇中心区", "town centre"),
    "122": ("镇乡结合区", "town-rural fringe"),
    "210": ("乡中心区", "township (乡) centre"),
    "220": ("村庄", "village"),
}

#: Villages whose centre is within this distance (m) of a town's edge are its fringe.
FRINGE_M = {"街道": 1200.0, "镇": 700.0}
#: People per community in the county seat and in a 镇.
_PER_COMMUNITY = {"街道": 9000, "镇": 7000}
_SEAT_WORDS = ("新华", "解放", "人民", "中山", "和平", "文化", "建设", "光明", "胜利", "朝阳",
               "兴华", "府前", "江滨", "北门", "西门", "东门", "南门", "青年", "长安", "学府")
#: Names of a 镇's communities and of a 乡's seat. Not the township's own name: a name
#: found in an address places a facility in that village, and every address of a
#: township holds its name.
_TOWN_WORDS = {"镇": ("新街", "老街", "前街", "后街", "镇中", "镇东", "镇西", "镇南", "镇北"),
               "乡": ("新街", "老街", "前街")}


def _kind(zone: dict) -> str:
    """街道, 镇 or 乡, from the township's name."""
    return str(zone["base"])[-2:] if str(zone["base"]).endswith("街道") else \
        str(zone["base"])[-1]


def _villages(region: Region, zones: list[dict], zone_of: np.ndarray) -> pd.DataFrame:
    """The generated villages, one per distinct (township, name), in generation order:
    ``zone``, ``name`` (bare), ``x``, ``y``."""
    vill = region.villages
    df = pd.DataFrame({"zone": zone_of, "name": vill.name.to_numpy(), "x": vill.x.to_numpy(),
                       "y": vill.y.to_numpy()})
    df = df[df.zone >= 0]
    return df.drop_duplicates(subset=["zone", "name"]).reset_index(drop=True)


def _village_codes(region: Region, zones: list[dict], v: pd.DataFrame) -> np.ndarray:
    """112 / 122 for villages near the county seat / a 镇, else 220."""
    towns = region.towns
    out = np.full(len(v), "220", dtype=object)
    for i, (zi, x, y) in enumerate(zip(v.zone, v.x, v.y, strict=True)):
        z = zones[zi]
        kind = _kind(z)
        if kind not in FRINGE_M:
            continue
        t = z["town"]
        gap = np.hypot(x - towns.x[t], y - towns.y[t]) - towns.radius[t]
        if gap < FRINGE_M[kind]:
            out[i] = "112" if kind == "街道" else "122"
    return out


def _spread(xy: np.ndarray, n: int) -> list[int]:
    """``n`` rows of ``xy`` spread apart (deterministic farthest-point sampling from the
    row nearest their mean)."""
    if not len(xy):
        return []
    chosen = [int(np.argmin(np.hypot(*(xy - xy.mean(axis=0)).T)))]
    dmin = np.hypot(*(xy - xy[chosen[0]]).T)
    while len(chosen) < min(n, len(xy)) and dmin.max() > 0:
        j = int(np.argmax(dmin))
        chosen.append(j)
        dmin = np.minimum(dmin, np.hypot(*(xy - xy[j]).T))
    return chosen


def _town_names(xy: np.ndarray, taken: set[str], kind: str) -> list[str]:
    """Names of a 镇's communities (the first, nearest the middle, 镇中; the others by
    their direction from it: 镇东, 镇西, 镇南, 镇北) or of a 乡's seat (新街); a name a
    village of the township has is skipped for the next of :data:`_TOWN_WORDS`."""
    spare = iter(w for w in _TOWN_WORDS[kind] if w not in taken)
    if kind == "乡":
        return [next(spare) for _ in range(len(xy))]
    names: list[str] = []
    for k, (x, y) in enumerate(xy):
        dx, dy = x - xy[0, 0], y - xy[0, 1]
        word = "镇中" if k == 0 else ("镇东" if dx > 0 else "镇西") if abs(dx) >= abs(dy) \
            else ("镇北" if dy > 0 else "镇南")
        names.append(word if word not in taken and word not in names else next(spare))
    return names


def _seat_names() -> Iterator[str]:
    """Community names of the county seat: the words, then numbered (新华二, ...) for a
    county larger than the words (the benchmark's 201k-node county)."""
    yield from _SEAT_WORDS
    for k in itertools.count(2):
        num = "二三四五六七八九"[k - 2] if k <= 9 else str(k)
        for w in _SEAT_WORDS:
            yield f"{w}{num}"


def _communities(region: Region, zones: list[dict], node_zone: np.ndarray,
                 pop: pd.DataFrame, taken: dict[int, set[str]]) -> list[dict]:
    """The communities of each township's town: centres spread over its town nodes."""
    out = []
    seat_words = _seat_names()
    for zi, z in enumerate(zones):
        kind = _kind(z)
        t = z["town"]
        nodes = np.nonzero((node_zone == zi) & np.isin(region.node_kind, [CENTRE, TOWN])
                           & (region.node_settlement == t))[0]
        if kind == "乡":
            n, code = 1, "210"
        else:
            people = pop.loc[(pop.zone_id == z["zone_id"]) & (pop.kind <= TOWN),
                             "population"].sum()
            n = int(np.clip(round(people / _PER_COMMUNITY[kind]), 1, 14 if kind == "街道"
                            else 3))
            code = "111" if kind == "街道" else "121"
        xy = np.column_stack([region.node_x[nodes], region.node_y[nodes]])
        picks = _spread(xy, n)
        if kind == "街道":
            names = [next(w for w in seat_words if w not in taken[zi]) for _ in picks]
        else:
            names = _town_names(xy[picks], taken[zi], kind)
        for name, j in zip(names, picks, strict=True):
            taken[zi].add(name)
            out.append({"zone": zi, "name": name, "x": float(xy[j, 0]), "y": float(xy[j, 1]),
                        "code": code})
    return out


def village_register(region: Region, zones: list[dict],
                     zone_of_xy: Callable[[list[dict], np.ndarray, np.ndarray], np.ndarray],
                     pop: pd.DataFrame) -> pd.DataFrame:
    """Every village and community of the county.

    Parameters
    ----------
    region : Region
        The county's region (without the streets across the border).
    zones : list of dict
        The townships (``zone_id``, ``base``, ``town``, ``geom`` in local metres).
    zone_of_xy : callable
        ``(zones, x, y) -> zone index`` (-1 outside every township).
    pop : pandas.DataFrame
        The population points (``zone_id``, ``kind``, ``population``).

    Returns
    -------
    pandas.DataFrame
        ``village_id`` (12 digits: township code + 3), ``name`` (with 村/社区),
        ``zone_id``, ``x``, ``y`` (local m), ``code`` (urban–rural), ``site`` (index into
        ``region.villages``, -1 for communities). The generated villages come first, in
        the order and with the codes they had before communities were listed; each
        township's communities follow with the next numbers.
    """
    vill = region.villages
    v = _villages(region, zones, zone_of_xy(zones, vill.x.to_numpy(), vill.y.to_numpy()))
    v["code"] = _village_codes(region, zones, v)
    taken = {zi: set(g) for zi, g in v.groupby("zone")["name"]}
    for zi in range(len(zones)):
        taken.setdefault(zi, set())
    node_zone = zone_of_xy(zones, region.node_x, region.node_y)
    c = pd.DataFrame(_communities(region, zones, node_zone, pop, taken),
                     columns=["zone", "name", "x", "y", "code"])
    both = pd.concat([v.assign(site=_site_index(region, v)), c.assign(site=-1)],
                     ignore_index=True)
    zid = np.array([zones[i]["zone_id"] for i in both.zone], dtype=object)
    num = both.groupby("zone").cumcount() + 1
    both["village_id"] = [f"{z}{k:03d}" for z, k in zip(zid, num, strict=True)]
    both["zone_id"] = zid
    urban = both.code.str.startswith("1")
    both["name"] = both.name + np.where(urban, "社区", "村")
    return both[["village_id", "name", "zone_id", "x", "y", "code", "site"]]


def _site_index(region: Region, v: pd.DataFrame) -> np.ndarray:
    """Index into ``region.villages`` of each listed village (matched by position)."""
    vill = region.villages
    tree = cKDTree(np.column_stack([vill.x.to_numpy(), vill.y.to_numpy()]))
    _, j = tree.query(np.column_stack([v.x.to_numpy(), v.y.to_numpy()]))
    return np.asarray(j, np.int64)


def residents(register: pd.DataFrame, pop: pd.DataFrame, zone_ids: np.ndarray) -> np.ndarray:
    """The village code of each population point: the nearest unit centre in its township.

    A unit no point is nearest to takes the point nearest its centre from a unit that keeps
    others, so every village and community has residents.

    Parameters
    ----------
    register : pandas.DataFrame
        From :func:`village_register`.
    pop : pandas.DataFrame
        The points, with local ``x``, ``y``.
    zone_ids : numpy.ndarray
        The township of each point (as the written files place it).
    """
    out = np.empty(len(pop), dtype=object)
    for zid, sel in pd.Series(zone_ids).groupby(zone_ids, sort=True).indices.items():
        units = register[register.zone_id == zid]
        uxy = units[["x", "y"]].to_numpy()
        pxy = pop[["x", "y"]].to_numpy()[sel]
        _, j = cKDTree(uxy).query(pxy)
        j = np.asarray(j, np.int64)
        for u in range(len(units)):
            if (j == u).any():
                continue
            d = np.hypot(*(pxy - uxy[u]).T)
            for i in np.argsort(d, kind="stable"):
                if np.count_nonzero(j == j[i]) > 1:
                    j[i] = u
                    break
        out[sel] = units.village_id.to_numpy()[j]
    return out

