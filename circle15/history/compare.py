"""What changed between two periods: :func:`compare_periods`.

Indicators: per township (and county) and indicator, the value in A and in B (both for
B's plan year) and the change. Facilities, per layer: matched by the register's
``facility_id`` when both have one, else by name and location (same name within
:data:`MOVE_M`); a matched facility more than :data:`MOVE_M` metres away has *moved*, one
with another capacity has *changed capacity*; the rest of A *closed*, of B was *added*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from circle15.history import schema as S
from circle15.history.query import period_info, period_table, require_period
from circle15.history.store import Store

#: A facility farther than this (metres) from its earlier location has moved.
MOVE_M = 50.0
#: Change kinds of the facility table, and their Chinese words.
CHANGES = {"added": "新增", "closed": "关闭", "moved": "迁址", "capacity": "容量变化"}


@dataclass
class Comparison:
    """Result of :func:`compare_periods`.

    Attributes
    ----------
    a, b : str
        The periods compared.
    year : int or None
        The plan year the targets are taken from (B's).
    indicators : pandas.DataFrame
        ``indicator_id, name_zh, zone_id, zone_name, year, target, value_a, value_b,
        change, status_a, status_b``.
    facilities : pandas.DataFrame
        ``layer, change, facility_id, name, zone_id, capacity_a, capacity_b, moved_m,
        lon, lat``.
    """

    a: str
    b: str
    year: int | None
    indicators: pd.DataFrame
    facilities: pd.DataFrame


def metres(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine, R = 6 371 008.8 m)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float))
                              for v in (lon1, lat1, lon2, lat2))
    h = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))


def compare_indicators(ia: pd.DataFrame, ib: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Values of A and B for plan year ``year``, joined per indicator × zone."""
    key = ["indicator_id", "zone_id"]
    ia = ia[ia["year"] == year] if year is not None else ia.iloc[0:0]
    ib = ib[ib["year"] == year] if year is not None else ib.iloc[0:0]
    keep = ["indicator_id", "name_zh", "zone_id", "zone_name", "year", "target", "unit",
            "responsible", "domain", "value", "status"]
    m = ib[keep].merge(ia[key + ["value", "status"]], on=key, how="outer",
                       suffixes=("_b", "_a"))
    m["change"] = m["value_b"] - m["value_a"]
    cols = ["indicator_id", "name_zh", "domain", "responsible", "zone_id", "zone_name",
            "year", "target", "unit", "value_a", "value_b", "change", "status_a", "status_b"]
    return m[cols].sort_values(key, kind="stable").reset_index(drop=True)


def _row(change: str, f: pd.Series, cap_a=None, cap_b=None, moved=None) -> dict:
    return {"layer": f["layer"], "change": change, "facility_id": f["facility_id"],
            "name": f["name"], "zone_id": f["zone_id"], "capacity_a": cap_a,
            "capacity_b": cap_b, "moved_m": moved, "lon": f["lon"], "lat": f["lat"]}


def match_facilities(fa: pd.DataFrame, fb: pd.DataFrame) -> list[tuple[int, int]]:
    """Pairs ``(i, j)`` of row positions of the same facility in two registers.

    First by ``facility_id`` within a layer, then, for the rest, by the same name within
    :data:`MOVE_M` metres (the nearest). Each row is in at most one pair.

    Parameters
    ----------
    fa, fb : pandas.DataFrame
        Registers with ``layer``, ``facility_id``, ``name``, ``lon``, ``lat`` (rows of
        ``history_facilities``); missing ids and names are None or NaN.

    Returns
    -------
    list of tuple of int
        Positions (0-based row numbers) in ``fa`` and ``fb``.
    """
    return _pairs(_plain(fa), _plain(fb))


def _plain(f: pd.DataFrame) -> pd.DataFrame:
    return f.reset_index(drop=True).replace({np.nan: None})


def _pairs(fa: pd.DataFrame, fb: pd.DataFrame) -> list[tuple[int, int]]:
    """Index pairs (A, B) of the same facility: by id, then by name within MOVE_M."""
    pairs: list[tuple[int, int]] = []
    used_a: set[int] = set()
    used_b: set[int] = set()
    ida = {(r.layer, r.facility_id): i for i, r in fa.iterrows() if r.facility_id}
    for j, r in fb.iterrows():
        i = ida.get((r.layer, r.facility_id)) if r.facility_id else None
        if i is not None and i not in used_a:
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    for j, r in fb.iterrows():
        if j in used_b or not r["name"]:
            continue
        cand = fa[(fa["layer"] == r.layer) & (fa["name"] == r["name"]) & ~fa.index.isin(used_a)]
        if not len(cand):
            continue
        d = metres(cand["lon"], cand["lat"], r.lon, r.lat)
        if d.min() <= MOVE_M:
            i = cand.index[int(np.argmin(d))]
            pairs.append((i, j))
            used_a.add(i)
            used_b.add(j)
    return pairs


def facility_changes(fa: pd.DataFrame, fb: pd.DataFrame
                     ) -> list[tuple[str, int | None, int | None, float | None]]:
    """What changed from register A to register B, one tuple per change.

    Returns
    -------
    list of tuple
        ``(change, i, j, moved_m)``: ``change`` one of :data:`CHANGES`; ``i``, ``j`` the
        row positions in ``fa`` and ``fb`` (``None`` for an added facility's ``i`` and a
        closed one's ``j``); ``moved_m`` the distance of a moved one, else None. Matched
        pairs first (moved before capacity), then added, then closed.
    """
    fa, fb = _plain(fa), _plain(fb)
    pairs = _pairs(fa, fb)
    out: list[tuple[str, int | None, int | None, float | None]] = []
    for i, j in pairs:
        a, b = fa.loc[i], fb.loc[j]
        d = float(metres(a["lon"], a["lat"], b["lon"], b["lat"]))
        if d > MOVE_M:
            out.append(("moved", i, j, round(d, 1)))
        if (a["capacity"] is None) != (b["capacity"] is None) or (
                a["capacity"] is not None and abs(a["capacity"] - b["capacity"]) > 1e-9):
            out.append(("capacity", i, j, None))
    matched_a = {i for i, _ in pairs}
    matched_b = {j for _, j in pairs}
    out += [("added", None, j, None) for j in fb.index if j not in matched_b]
    out += [("closed", i, None, None) for i in fa.index if i not in matched_a]
    return out


def compare_facilities(fa: pd.DataFrame, fb: pd.DataFrame) -> pd.DataFrame:
    """Facilities added, closed, moved (> :data:`MOVE_M`) or with another capacity."""
    fa, fb = _plain(fa), _plain(fb)
    rows = []
    for change, i, j, moved in facility_changes(fa, fb):
        cap_a = fa.loc[i, "capacity"] if i is not None else None
        cap_b = fb.loc[j, "capacity"] if j is not None else None
        rows.append(_row(change, fb.loc[j] if j is not None else fa.loc[i], cap_a, cap_b,
                         moved))
    out = pd.DataFrame(rows, columns=["layer", "change", "facility_id", "name", "zone_id",
                                      "capacity_a", "capacity_b", "moved_m", "lon", "lat"])
    out["_order"] = out["change"].map({k: n for n, k in enumerate(CHANGES)})
    out = out.sort_values(["layer", "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def compare_periods(store: Store, a: str, b: str) -> Comparison:
    """Compare two recorded periods (see the module docstring).

    Raises
    ------
    InputError
        If either period is malformed or not recorded.
    """
    pa, pb = require_period(store, a, "a"), require_period(store, b, "b")
    year = period_info(store, pb).get("plan_year")
    ind = compare_indicators(period_table(store, S.indicators, pa),
                             period_table(store, S.indicators, pb), year)
    fac = compare_facilities(period_table(store, S.facilities, pa),
                             period_table(store, S.facilities, pb))
    return Comparison(pa.key, pb.key, year, ind, fac)
