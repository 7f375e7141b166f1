"""Capacity indicators: capacity per 1,000 people per zone, and the 2SFCA ratio.

* :func:`capacity_per_1000` is the plan's administrative indicator (e.g. childcare places
  per 1,000 people, indicator 1 of the Zhuji plan, whose denominator is the *total*
  population; the denominator can also be a target group such as ``age_0_3``).
* :func:`two_step_fca` is the two-step floating catchment area supply-to-demand ratio on the
  same exact network times as the coverage engine (:mod:`circle15.coverage.travel`):

  1. each facility ``j`` gets ``R_j = capacity_j / sum(demand_i : t_ij <= catchment)``;
  2. each origin ``i`` gets ``A_i = sum(R_j : t_ij <= catchment)``.

  ``t_ij`` is the time **from origin i to facility j** (the direction people travel: one-way
  streets are honoured as in coverage), every pair within the catchment found exactly by
  :func:`circle15.coverage.reach.pair_times` (capped Dijkstra runs from the facilities'
  virtual nodes on the reversed graph, plus each origin's own leg to its segment and the
  direct path along a shared segment).
* :func:`sfca_by_zone` aggregates ``A_i`` per zone as the demand-weighted mean.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.coverage.reach import pair_times
from circle15.errors import InputError
from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork
from circle15.vocab import COUNTY

CAPACITY_COLUMNS = ["zone_id", "facilities", "capacity", "capacity_missing", "group",
                    "population", "per_1000"]
SFCA_COLUMNS = ["zone_id", "population", "ratio", "per_1000"]


# --------------------------------------------------------------------------- per 1,000


def capacity_per_1000(facilities: pd.DataFrame, zones: pd.DataFrame, layer: str,
                      group: str = "total") -> pd.DataFrame:
    """Capacity of one layer per 1,000 people of ``group``, per zone and county-wide.

    Parameters
    ----------
    facilities : pandas.DataFrame
        ``layer``, ``zone_id``, ``capacity`` (places, beds ...; ``NaN`` = unknown, counted in
        ``capacity_missing`` and not in ``capacity``). Facilities whose ``zone_id`` is not a
        zone (e.g. ``""``: outside every zone) are left out of every row, the county row
        included.
    zones : pandas.DataFrame
        ``zone_id``, ``population`` and one column per population group.
    layer : str
        Layer key.
    group : str
        ``"total"`` (the plan's indicator: per 1,000 residents) or a group column such as
        ``"age_0_3"``.

    Returns
    -------
    pandas.DataFrame
        :data:`CAPACITY_COLUMNS`, one row per zone then the county row ``zone_id="ALL"``.
        ``per_1000`` is ``NaN`` where the denominator is 0.

    Raises
    ------
    InputError
        When a needed column is missing.
    """
    col = "population" if group == "total" else group
    for name, df, need in (("facilities", facilities, ("layer", "zone_id", "capacity")),
                           ("zones", zones, ("zone_id", col))):
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise InputError(f"{name} table lacks column(s) {', '.join(missing)}",
                             column=missing[0],
                             hint="population groups come from [population] groups")
    zone_ids = zones["zone_id"].astype(str).tolist()
    nz = len(zone_ids)
    f = facilities[facilities["layer"].astype(str) == layer]
    code = pd.Index(zone_ids).get_indexer(f["zone_id"].astype(str))
    cap = pd.to_numeric(f["capacity"], errors="coerce").to_numpy(float)
    inz = code >= 0
    known = inz & np.isfinite(cap)
    n_fac = np.bincount(code[inz], minlength=nz)
    n_missing = np.bincount(code[inz & ~np.isfinite(cap)], minlength=nz)
    cap_sum = np.bincount(code[known], weights=cap[known], minlength=nz)
    pop = pd.to_numeric(zones[col], errors="coerce").fillna(0.0).to_numpy(float)

    def add_total(a):
        return np.append(a, a.sum())

    n_fac, n_missing, cap_sum, pop = map(add_total, (n_fac, n_missing, cap_sum, pop))
    with np.errstate(divide="ignore", invalid="ignore"):
        per = np.where(pop > 0, cap_sum / pop * 1000.0, np.nan)
    return pd.DataFrame({
        "zone_id": [*zone_ids, COUNTY],
        "facilities": n_fac.astype(np.int64),
        "capacity": cap_sum,
        "capacity_missing": n_missing.astype(np.int64),
        "group": group,
        "population": pop,
        "per_1000": per,
    }, columns=CAPACITY_COLUMNS)


# --------------------------------------------------------------------------- reach sets


def reach_pairs(net: RoutingNetwork, fac: Links, origins: Links, cutoff: float, *,
                batch_size: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (facility, origin) pair with origin -> facility time within ``cutoff``.

    Times are exact (as :func:`~circle15.coverage.travel.nearest_facility` for one facility);
    see :func:`circle15.coverage.reach.pair_times`.

    Returns
    -------
    fac_idx, org_idx : numpy.ndarray
        Indices into ``fac`` and ``origins``.
    seconds : numpy.ndarray
        Travel time of each pair (``<= cutoff``).
    """
    return pair_times(net, fac, origins, cutoff, batch_size=batch_size)


# --------------------------------------------------------------------------- 2SFCA


def two_step_fca(net: RoutingNetwork, fac_links: Links, capacity: np.ndarray,
                 org_links: Links, demand: np.ndarray, catchment_s: float, *,
                 batch_size: int = 64) -> np.ndarray:
    """Two-step floating catchment area (2SFCA) accessibility ratio per origin.

    Parameters
    ----------
    net : RoutingNetwork
    fac_links : Links
        Facilities of one layer (unlinked ones supply nothing).
    capacity : numpy.ndarray
        Capacity per facility (``NaN`` counts as 0).
    org_links : Links
        Origins (unlinked ones add no demand and get 0).
    demand : numpy.ndarray
        People of the group per origin.
    catchment_s : float
        Catchment in seconds (e.g. ``15 * 60``); a pair is in when ``t_ij <= catchment_s``.
    batch_size : int
        Facilities per Dijkstra call (memory ``batch_size * n_nodes * 8`` bytes).

    Returns
    -------
    numpy.ndarray
        ``A_i`` = sum over facilities ``j`` reached within the catchment of
        ``capacity_j / (demand within j's catchment)``: capacity per person of the group.
        A facility whose catchment holds no demand contributes nothing.
    """
    capacity = np.nan_to_num(np.asarray(capacity, float), nan=0.0)
    demand = np.nan_to_num(np.asarray(demand, float), nan=0.0)
    if len(capacity) != len(fac_links) or len(demand) != len(org_links):
        raise ValueError("capacity/demand must have one value per facility/origin")
    fi, oi, _ = reach_pairs(net, fac_links, org_links, catchment_s, batch_size=batch_size)
    fac_demand = np.bincount(fi, weights=demand[oi], minlength=len(fac_links))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(fac_demand > 0, capacity / fac_demand, 0.0)
    return np.bincount(oi, weights=ratio[fi], minlength=len(org_links))


def sfca_by_zone(accessibility: np.ndarray, demand: np.ndarray, origin_zone: Sequence,
                 zone_ids: Sequence) -> pd.DataFrame:
    """Demand-weighted mean of the 2SFCA ratio per zone, plus the county row.

    Parameters
    ----------
    accessibility : numpy.ndarray
        :func:`two_step_fca` result per origin.
    demand : numpy.ndarray
        People of the group per origin (the weights).
    origin_zone : sequence
        Zone id per origin (origins in no listed zone count only in no row).
    zone_ids : sequence
        All zones (each gets a row).

    Returns
    -------
    pandas.DataFrame
        :data:`SFCA_COLUMNS`: ``ratio`` is capacity per person, ``per_1000`` the same per
        1,000 people; ``NaN`` for a zone without demand.
    """
    zone_ids = [str(z) for z in zone_ids]
    nz = len(zone_ids)
    code = pd.Index(zone_ids).get_indexer(pd.Series(origin_zone).astype(str))
    inz = code >= 0
    d = np.nan_to_num(np.asarray(demand, float), nan=0.0)[inz]
    a = np.asarray(accessibility, float)[inz]
    pop = np.bincount(code[inz], weights=d, minlength=nz)
    num = np.bincount(code[inz], weights=d * a, minlength=nz)
    pop = np.append(pop, pop.sum())
    num = np.append(num, num.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(pop > 0, num / pop, np.nan)
    return pd.DataFrame({"zone_id": [*zone_ids, COUNTY], "population": pop, "ratio": ratio,
                         "per_1000": ratio * 1000.0}, columns=SFCA_COLUMNS)


#: Columns of ``capacity_by_zone.csv``.
CAPACITY_TABLE_COLUMNS = ["zone_id", "layer", "group", "facilities", "capacity",
                          "capacity_missing", "population", "per_1000_total",
                          "group_population", "per_1000_group", "sfca_minutes",
                          "sfca_per_1000"]


def capacity_table(net: RoutingNetwork, fac: gpd.GeoDataFrame, fac_links: Links,
                   origins: gpd.GeoDataFrame, org_links: Links, zones: gpd.GeoDataFrame,
                   layer_groups: Mapping[str, str], catchment_s: float) -> pd.DataFrame:
    """Capacity indicators per zone for every layer whose facilities have capacities.

    ``per_1000_total`` is capacity per 1,000 residents (the plan's 托位 indicator);
    ``per_1000_group`` per 1,000 of the layer's own group; ``sfca_per_1000`` the two-step
    floating catchment supply per 1,000 of the group within ``catchment_s`` on the network.
    ``layer_groups`` maps each layer key to the population group it is judged by.
    """
    fac_df = pd.DataFrame(fac.drop(columns="geometry"))
    zone_df = pd.DataFrame(zones.drop(columns="geometry"))
    zone_ids = zone_df["zone_id"].astype(str).tolist()
    parts = []
    for key, group in layer_groups.items():
        sel = np.flatnonzero((fac_df["layer"] == key).to_numpy())
        cap = fac_df["capacity"].to_numpy(float)[sel]
        if not len(sel) or not np.isfinite(cap).any():
            continue
        tot = capacity_per_1000(fac_df, zone_df, key, "total")
        grp = capacity_per_1000(fac_df, zone_df, key, group) if group != "total" else tot
        demand = origins[group if group != "total" else "population"].to_numpy(float)
        acc = two_step_fca(net, fac_links.subset(sel), cap, org_links, demand, catchment_s)
        sfca = sfca_by_zone(acc, demand, origins["zone_id"].astype(str), zone_ids)
        parts.append(pd.DataFrame({
            "zone_id": tot["zone_id"], "layer": key, "group": group,
            "facilities": tot["facilities"], "capacity": tot["capacity"],
            "capacity_missing": tot["capacity_missing"],
            "population": tot["population"], "per_1000_total": tot["per_1000"],
            "group_population": grp["population"], "per_1000_group": grp["per_1000"],
            "sfca_minutes": catchment_s / 60.0, "sfca_per_1000": sfca["per_1000"].to_numpy(),
        }))
    return pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame(columns=CAPACITY_TABLE_COLUMNS)
