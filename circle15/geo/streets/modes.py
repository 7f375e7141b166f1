"""Travel modes: which ways each mode may use, direction rules, speeds and travel times.

Modes (:data:`MODES`; config key ``network.mode``):

``walk``
    4.5 km/h by default (``speed_kmh``; :data:`ELDERLY_WALK_KMH` = 3.6 km/h for an elderly
    scenario). Every street is two-way.
``bike`` / ``ebike``
    12 / 18 km/h; two-way (Chinese non-motor lanes are used both ways in practice; set
    ``undirected = false`` to honour one-way tags).
``drive``
    Speed by road class (:data:`DRIVE_SPEEDS_KMH`, typical urban travel speeds rather than
    legal limits), overridable per class with ``speeds_by_class``, capped by a lower
    ``maxspeed`` tag; classes without a speed use ``speed_kmh`` (default 30). One-way
    streets are honoured.

Which ways a mode may use follows OSMnx's network filters (``walk``, ``bike``, ``drive``)
with OSM's access hierarchy (a mode tag such as ``foot=yes`` overrides ``access=no``) and
one addition: walking and cycling skip ``trunk`` roads (expressways, 国道 through-roads)
unless a ``foot``/``bicycle`` tag or a mapped sidewalk allows it. Filters apply only where
the tags exist: a graph without ``highway`` tags (a car network from a routing engine) is
used as it is.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import shapely

from circle15.geo.streets import _nx
from circle15.geo.streets.connectivity import isolated_nodes, reverse_partners
from circle15.geo.streets.speeds import DEFAULT_SPEEDS_KMH, MODES

log = logging.getLogger(__name__)



#: Typical driving speeds (km/h) per OSM highway class in a Chinese county town.
DRIVE_SPEEDS_KMH: dict[str, float] = {
    "motorway": 90.0, "motorway_link": 40.0,
    "trunk": 50.0, "trunk_link": 30.0,
    "primary": 35.0, "primary_link": 25.0,
    "secondary": 30.0, "secondary_link": 25.0,
    "tertiary": 25.0, "tertiary_link": 20.0,
    "unclassified": 20.0, "road": 20.0,
    "residential": 15.0, "living_street": 10.0, "service": 10.0,
}

#: Highway values that are never part of a routable network (not built, or not a way).
_ALWAYS_EXCLUDED = frozenset({
    "abandoned", "construction", "no", "planned", "platform", "proposed", "raceway",
    "razed", "rest_area", "services", "disused", "dismantled", "bus_stop", "elevator",
})
_MOTOR = frozenset({"motor", "motorway", "motorway_link"})
_TRUNK = frozenset({"trunk", "trunk_link"})
_EXCLUDED = {
    "walk": frozenset({"bus_guideway", "busway", "cycleway"}) | _MOTOR,
    "bike": frozenset({"bus_guideway", "busway", "corridor", "escalator", "footway",
                       "steps"}) | _MOTOR,
    "drive": frozenset({"bridleway", "bus_guideway", "busway", "corridor", "cycleway",
                        "escalator", "footway", "ladder", "path", "pedestrian", "steps",
                        "track", "trail", "service"}),
}
_EXCLUDED["ebike"] = _EXCLUDED["bike"]
#: Access keys from the most specific to the general one, per mode.
_ACCESS_KEYS = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "ebike": ("bicycle", "vehicle", "access"),
    "drive": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
_CLOSED = frozenset({"no", "private"})
_ALLOWED = frozenset({"yes", "designated", "permissive", "official"})
_SIDEWALK = frozenset({"yes", "both", "left", "right"})
_EXCLUDED_SERVICE = {
    "walk": frozenset({"private"}),
    "bike": frozenset({"private"}),
    "ebike": frozenset({"private"}),
    "drive": frozenset({"alley", "driveway", "emergency_access", "parking", "parking_aisle",
                        "private"}),
}

#: Tags :func:`way_allowed` reads.
_DECIDING_TAGS = ("highway", "area", "access", "foot", "bicycle", "vehicle", "motor_vehicle",
                  "motorcar", "service", "sidewalk", "sidewalk:both", "sidewalk:left",
                  "sidewalk:right")
#: OSM tag keys a filter or the graph needs; loaders read at least these.
FILTER_TAGS = (*_DECIDING_TAGS, "oneway", "junction")


def _values(value: Any) -> list[str]:
    """Tag value(s) as a list of strings (``a;b`` and simplified-edge lists split)."""
    if value is None:
        return []
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for v in value:
            out.extend(_values(v))
        return out
    return [p.strip() for p in str(value).split(";") if p.strip()]


def _mode_key(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
    return mode


def _closed(tags: Mapping[str, Any], mode: str) -> bool:
    """Closed to ``mode`` by access tags, an excluded service kind or a separate sidewalk."""
    # access hierarchy: the most specific key present decides whether the way is closed
    for key in _ACCESS_KEYS[mode]:
        vals = _values(tags.get(key))
        if vals:
            if any(v in _CLOSED for v in vals):
                return True
            break
    if any(v in _EXCLUDED_SERVICE[mode] for v in _values(tags.get("service"))):
        return True
    if mode == "walk":
        for key in ("sidewalk", "sidewalk:both", "sidewalk:left", "sidewalk:right"):
            if "separate" in _values(tags.get(key)):
                return True
    return False


def way_allowed(tags: Mapping[str, Any], mode: str) -> bool:
    """Whether a way with OSM ``tags`` may be used by ``mode``.

    Parameters
    ----------
    tags : mapping
        OSM tags of the way (missing keys, ``None`` and NaN mean "not tagged"). Lists (as
        on simplified edges) count as allowed if any element is.
    mode : {"walk", "bike", "ebike", "drive"}

    Returns
    -------
    bool
        ``False`` for ways without a ``highway`` tag.
    """
    mode = _mode_key(mode)
    highways = _values(tags.get("highway"))
    if not highways:
        return False
    if "yes" in _values(tags.get("area")):
        return False
    if _closed(tags, mode):
        return False
    mode_tag = _values(tags.get(_ACCESS_KEYS[mode][0]))
    explicitly_allowed = any(v in _ALLOWED for v in mode_tag)
    for hw in highways:
        if hw in _ALWAYS_EXCLUDED:
            continue
        if hw in _EXCLUDED[mode] and not (explicitly_allowed and mode != "drive"):
            continue
        if mode != "drive" and hw in _TRUNK and not explicitly_allowed:
            if mode == "walk" and any(v in _SIDEWALK for v in _values(tags.get("sidewalk"))):
                return True
            continue
        return True
    return False


def _hashable(value: Any) -> Any:
    """A tag value as a dict key that tells ``"1"``, ``1``, ``1.0`` and ``True`` apart."""
    if value is None or type(value) is str:
        return value
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    return (type(value), value)


def filter_graph(G: nx.MultiDiGraph, mode: str, *, copy: bool = True
                 ) -> tuple[nx.MultiDiGraph, int]:
    """Remove edges ``mode`` may not use, judged on the tags the edges carry.

    Edges without a ``highway`` attribute are kept (nothing to judge on); nodes left
    without edges are removed.

    Parameters
    ----------
    G : networkx.MultiDiGraph
    mode : str
    copy : bool
        Filter a copy (default) or ``G`` itself (no copy of a large graph).

    Returns
    -------
    (networkx.MultiDiGraph, int)
        The filtered graph and the number of edges removed.
    """
    verdicts: dict[tuple, bool] = {}  # edges share few distinct tag combinations
    drop = []
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("highway") is None:
            continue
        sig = tuple(map(d.get, _DECIDING_TAGS))
        try:
            key: tuple = (sig, tuple(map(type, sig)))  # "1", 1 and True differ
            ok = verdicts[key]
        except KeyError:
            ok = verdicts[key] = way_allowed(d, mode)
        except TypeError:  # a list (simplified edge) or another unhashable value
            try:
                key = tuple(map(_hashable, sig))
                cached = verdicts.get(key)
                if cached is None:
                    cached = verdicts[key] = way_allowed(d, mode)
                ok = cached
            except TypeError:  # a set or a dict
                ok = way_allowed(d, mode)
        if not ok:
            drop.append((u, v, k))
    H = G.copy() if copy else G
    H.remove_edges_from(drop)
    H.remove_nodes_from(isolated_nodes(H))
    return H, len(drop)


def is_two_way(mode: str, undirected: bool | None = None) -> bool:
    """Whether every street is traversable both ways.

    Parameters
    ----------
    mode : {"walk", "bike", "ebike", "drive"}
    undirected : bool, optional
        Overrides the mode's rule (only drive honours one-way streets).
    """
    if undirected is not None:
        return bool(undirected)
    return mode != "drive"


def make_two_way(G: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, int]:
    """Add the reverse of every edge that has no reverse twin.

    Twins are paired by :func:`circle15.geo.streets.connectivity.reverse_partners` (the
    same rule that counts street kilometres); loops are their own reverse. The added edge
    copies the attributes, reverses ``geometry`` when present and sets ``reversed`` to the
    negation of the original and ``oneway`` to False.

    Returns
    -------
    (networkx.MultiDiGraph, int)
        The graph (modified in place) and the number of edges added.
    """
    edges = _nx.edge_quads(G)
    if not edges:
        return G, 0
    _, partner = reverse_partners(G, edges)
    to_add = []
    for i in np.flatnonzero(partner < 0).tolist():
        u, v, _k, d = edges[i]
        if u == v:
            continue
        rd = dict(d)
        rd["oneway"] = False
        rd["reversed"] = not bool(d.get("reversed", False))
        to_add.append((v, u, rd))
    with_geom = [rd for _, _, rd in to_add if rd.get("geometry") is not None]
    if with_geom:
        rev = shapely.reverse(np.array([rd["geometry"] for rd in with_geom], dtype=object))
        for rd, g in zip(with_geom, rev.tolist(), strict=True):
            rd["geometry"] = g
    G.add_edges_from(to_add)
    for _u, _v, d in _nx.edge_rows(G):
        d["oneway"] = False
    return G, len(to_add)


_MAXSPEED_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(mph)?", re.IGNORECASE)


def parse_maxspeed(value: Any) -> float | None:
    """A ``maxspeed`` tag in km/h (``"60"``, ``"30 mph"``, lists → the minimum), or None."""
    speeds = []
    for v in _values(value):
        m = _MAXSPEED_RE.match(v)
        if m:
            s = float(m.group(1)) * (1.609344 if m.group(2) else 1.0)
            if s > 0:
                speeds.append(s)
    return min(speeds) if speeds else None


def drive_speed_table(speeds_by_class: Mapping[str, float] | None = None) -> dict[str, float]:
    """Speeds (km/h) by highway class: :data:`DRIVE_SPEEDS_KMH` updated with ``speeds_by_class``."""
    table = dict(DRIVE_SPEEDS_KMH)
    for k, v in (speeds_by_class or {}).items():
        table[str(k)] = float(v)
    return table


def _drive_kmh(highway: Any, maxspeed: Any, table: dict[str, float], base_kmh: float,
               user: set[str]) -> float:
    """Driving speed of one edge: class speed, capped by a lower ``maxspeed`` tag."""
    hws = _values(highway)
    hw = hws[0] if hws else ""
    kmh = table.get(hw, base_kmh)
    cap = parse_maxspeed(maxspeed)
    if cap is not None and hw not in user:
        kmh = min(kmh, cap)
    return float(kmh)


def add_travel_times(G: nx.MultiDiGraph, *, mode: str, speed_kmh: float | None = None,
                     speeds_by_class: Mapping[str, float] | None = None,
                     undirected: bool | None = None) -> nx.MultiDiGraph:
    """Set ``speed_kph`` and ``travel_time`` (s) on every edge, and apply direction rules.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        Graph with ``length`` (m) on every edge (osmnx convention); modified in place.
    mode : {"walk", "bike", "ebike", "drive"}
    speed_kmh : float, optional
        Travel speed; default :data:`DEFAULT_SPEEDS_KMH` of the mode. For drive, the speed
        of classes without a class speed.
    speeds_by_class : mapping, optional
        Drive only: km/h per highway class, overriding :data:`DRIVE_SPEEDS_KMH` (and not
        capped by ``maxspeed``).
    undirected : bool, optional
        Overrides the mode's direction rule (:func:`is_two_way`).

    Returns
    -------
    networkx.MultiDiGraph
        ``G``. For walk/bike/ebike (or ``undirected=True``) every edge has a reverse twin;
        for drive one-way edges stay one-way. ``G.graph["mode"]`` and
        ``G.graph["speed_kmh"]`` record the settings.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_edge(1, 2, length=450.0)
    0
    >>> G = add_travel_times(G, mode="walk")
    >>> G[2][1][0]["travel_time"]  # 450 m at 4.5 km/h, the reverse edge added
    360.0
    """
    mode = _mode_key(mode)
    added = 0
    if is_two_way(mode, undirected):
        G, added = make_two_way(G)
    base_kmh = speed_kmh if speed_kmh is not None else DEFAULT_SPEEDS_KMH[mode]
    datas = [d for _u, _v, d in _nx.edge_rows(G)]
    length = _edge_lengths(datas)
    if mode == "drive":
        kmh_arr = _drive_speeds(datas, drive_speed_table(speeds_by_class), base_kmh,
                                {str(k) for k in (speeds_by_class or {})})
    else:
        kmh_arr = np.full(len(datas), float(base_kmh))
    tt = (length / (kmh_arr / 3.6)).tolist()
    for d, k, t in zip(datas, kmh_arr.tolist(), tt, strict=True):
        d["speed_kph"] = k
        d["travel_time"] = t
    G.graph["mode"] = mode
    G.graph["speed_kmh"] = float(base_kmh)
    G.graph["reverse_edges_added"] = added
    log.info("travel times for %s at %.1f km/h on %d edges (%d reverse edges added)",
             mode, base_kmh, len(datas), added)
    return G


def _edge_lengths(datas: list[dict[str, Any]]) -> np.ndarray:
    """Every edge's ``length`` as floats; ValueError if one is missing or not finite."""
    raw: list[Any] = [d.get("length") for d in datas]  # None is rejected below
    try:
        if any(x is None for x in raw):
            raise ValueError
        length = np.array([float(x) for x in raw], dtype=float)
    except (TypeError, ValueError):
        length = np.array([np.nan])
    if not np.isfinite(length).all():
        raise ValueError("every edge needs a 'length' in metres before travel times")
    return length


def _drive_speeds(datas: list[dict[str, Any]], table: dict[str, float], base_kmh: float,
                  user: set[str]) -> np.ndarray:
    """Driving km/h of each edge (:func:`_drive_kmh`, memoised on highway and maxspeed)."""
    memo: dict[Any, float] = {}
    kmh_list = []
    for d in datas:
        hw_val, ms_val = d.get("highway"), d.get("maxspeed")
        try:
            key = (type(hw_val), hw_val, type(ms_val), ms_val)
            kmh = memo[key]
        except (KeyError, TypeError):
            kmh = _drive_kmh(hw_val, ms_val, table, base_kmh, user)
            with contextlib.suppress(TypeError):
                memo[key] = kmh
        kmh_list.append(kmh)
    return np.array(kmh_list, dtype=float)
