"""The site step: where to add facilities of one layer so that townships reach a target.

:func:`site` picks the target per township (:mod:`~circle15.coverage.siting.goals`), builds
candidate sites (:mod:`~circle15.coverage.siting.candidates`), computes each candidate's
reach set exactly (:func:`~circle15.coverage.siting.solvers.reach_sets`), adds sites
greedily (:func:`~circle15.coverage.siting.solvers.greedy_sites`), solves the problem
exactly when it is small (:func:`~circle15.coverage.siting.solvers.exact_mclp`) and reports
the greedy's gap, and builds the tables (:mod:`~circle15.coverage.siting.tables`). It takes
plain inputs (a routing network, origins with travel times, zones) and a frozen
:class:`SitingOptions`; nothing here reads a config or writes a file.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from circle15.coverage.plan import Plan
from circle15.coverage.siting import solvers as S
from circle15.coverage.siting.candidates import (
    candidate_zones,
    grid_candidates,
    load_candidates,
    node_candidates,
)
from circle15.coverage.siting.goals import (
    TargetSpec,
    county_rate,
    required_people,
    target_for_layer,
)
from circle15.coverage.siting.tables import before_after_table, curve_table, sites_table
from circle15.coverage.zonal import zone_codes
from circle15.errors import InputError
from circle15.geo.routing.linking import Links, link_points, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.geo.streets.project import projected_xy
from circle15.vocab import county_name

#: Exact solver used automatically up to this many candidates and demand points.
EXACT_MAX_CANDIDATES = 300
EXACT_MAX_DEMAND = 5000
#: Seconds allowed per exact solve.
EXACT_TIME_LIMIT = 5.0
#: Siting methods.
METHODS = ("auto", "greedy", "exact")


@dataclass(frozen=True)
class SitingOptions:
    """How to site one layer (the ``[siting]`` keys of a config, plus how the inputs were
    computed).

    Attributes
    ----------
    max_sites : int
        Most new sites.
    target_rate : float, optional
        Rate in (0, 1] every township should reach; overrides the plan.
    minutes : float
        Threshold when no plan indicator gives one.
    indicator : str, optional
        Plan indicator id to site for (e.g. ``"X02"``); default: the layer's indicator.
    zone_cap : int, optional
        Most new sites per township (e.g. one 残疾人之家 per township).
    budget : float, optional
        Total cost allowed (candidate ``cost`` column; 1 per site by default).
    capacity : bool
        Limit each site to its candidate ``capacity`` (nearest people first).
    method : {"auto", "greedy", "exact"}
        ``auto`` solves exactly when the instance is small (at most
        :data:`EXACT_MAX_CANDIDATES` useful candidates and :data:`EXACT_MAX_DEMAND` demand
        points) and the solve finishes within :data:`EXACT_TIME_LIMIT` s.
    spacing_m : float
        Grid spacing of the network-node candidates used without a candidate file.
    candidates : str or Path or geopandas.GeoDataFrame, optional
        A candidate file (:func:`~circle15.coverage.siting.load_candidates`) or table.
    candidates_crs : str
        Coordinate system of a CSV candidate file without a ``crs`` column.
    max_link_m : float
        Farthest a candidate may be from a street (as for facilities).
    own_zone_only : bool
        Count a site only for people of its own township (as the coverage did).
    computed_minutes : float, optional
        The largest threshold the origins' travel times were computed to (later times
        are ``inf``); siting for more minutes is refused.
    lang : {"zh", "en"}
        Language of generated candidate names and of the county row.
    synthetic : bool
        Synthetic inputs (named so in the county row and the report).
    """

    max_sites: int = 50
    target_rate: float | None = None
    minutes: float = 15.0
    indicator: str | None = None
    zone_cap: int | None = None
    budget: float | None = None
    capacity: bool = False
    method: str = "auto"
    spacing_m: float = 500.0
    candidates: str | Path | gpd.GeoDataFrame | None = None
    candidates_crs: str = "wgs84"
    max_link_m: float = 300.0
    own_zone_only: bool = False
    computed_minutes: float | None = None
    lang: str = "zh"
    synthetic: bool = False


@dataclass
class ProposedSites:
    """What :func:`site` computed for one layer.

    Attributes
    ----------
    layer : str
    target : TargetSpec
    candidates : geopandas.GeoDataFrame
        Every candidate (EPSG:4326) with ``candidate_id, name, cost, zone_id, linked``.
    sites : geopandas.GeoDataFrame
        The proposed sites in order (the ``proposed_sites`` table).
    before_after : pandas.DataFrame
    curve : pandas.DataFrame
    siting : SitingResult
        The solver's result (candidate indices, gains, coverage per origin).
    report : dict
        For ``siting_report.json``.
    out_dir : Path or None
        Where :func:`~circle15.coverage.siting.write_siting_outputs` wrote it.
    """

    layer: str
    target: TargetSpec
    candidates: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    before_after: pd.DataFrame
    curve: pd.DataFrame
    siting: S.SitingResult
    report: dict[str, Any]
    out_dir: Path | None = None


@dataclass(frozen=True)
class _Demand:
    """The people to cover: per origin, and per zone."""

    w: np.ndarray
    covered: np.ndarray
    zcode: np.ndarray
    zone_ids: list[str]
    zone_names: dict[str, str]
    pop_z: np.ndarray
    cov_z: np.ndarray


@dataclass(frozen=True)
class _Candidates:
    """Candidate sites, linked to the network and placed in zones."""

    frame: gpd.GeoDataFrame
    links: Links
    source: str
    zone: np.ndarray
    zone_within: np.ndarray


@dataclass(frozen=True)
class _Goal:
    """The greedy's zone targets (all ``None`` without a target)."""

    zone_codes: np.ndarray | None = None
    zone_need: np.ndarray | None = None
    required: np.ndarray | None = None


def site(
    net: RoutingNetwork,
    origins: gpd.GeoDataFrame,
    origin_links: Links,
    zones: gpd.GeoDataFrame,
    layer: str,
    *,
    targets: pd.DataFrame | None = None,
    plan: Plan | str | Path | None = None,
    options: SitingOptions = SitingOptions(),
    group: str = "total",
    progress: Callable[[str], None] | None = None,
) -> ProposedSites:
    """Propose new facilities of ``layer`` (no files written).

    Parameters
    ----------
    net : RoutingNetwork
    origins : geopandas.GeoDataFrame
        People: ``population`` (and group columns), ``zone_id`` and ``t_<layer>``, the
        minutes to the nearest existing facility (``inf`` beyond the computed threshold),
        as from :func:`circle15.coverage.travel.nearest_facility`.
    origin_links : Links
        The origins' links to ``net``.
    zones : geopandas.GeoDataFrame
        ``zone_id``, ``zone_name`` and polygons.
    layer : str
        Layer key.
    targets : pandas.DataFrame, optional
        An evaluated targets table (:func:`circle15.coverage.plan.evaluate_targets`): the
        layer's ``network_coverage`` indicator gives the rate per township.
    plan : Plan or str or Path, optional
        The plan, for a targets table without ``layer``/``minutes`` columns.
    options : SitingOptions
    group : str
        The layer's population group when the indicator names none.
    progress : callable, optional
        Called with a stage name when it starts.

    Returns
    -------
    ProposedSites

    Raises
    ------
    InputError
        Bad options (keys ``siting.*``), a layer without travel times (key ``layer``), a
        threshold beyond the computed one or a population group missing from ``origins``.

    Examples
    --------
    A 2 km street (EPSG:4549, walking 75 m a minute), two townships; the west is
    covered by a clinic at its end, the east by none:

    >>> import geopandas as gpd, networkx as nx, numpy as np, shapely
    >>> from circle15.geo.routing.linking import link_points
    >>> G = nx.MultiDiGraph(crs="EPSG:4549")
    >>> for i in range(9):
    ...     G.add_node(i, x=450_000.0 + 250 * i, y=3_205_000.0)
    >>> for i in range(8):
    ...     _ = G.add_edge(i, i + 1, length=250.0, travel_time=200.0)
    ...     _ = G.add_edge(i + 1, i, length=250.0, travel_time=200.0)
    >>> net = RoutingNetwork.from_graph(G, access_speed=1.25)
    >>> xy = np.array([[450_000.0 + x, 3_205_000.0] for x in (100, 300, 1200, 1800)])
    >>> origins = gpd.GeoDataFrame(
    ...     {"population": [10, 20, 30, 40], "zone_id": ["W", "W", "E", "E"],
    ...      "t_clinic": [1.3, 4.0, np.inf, np.inf]},
    ...     geometry=shapely.points(xy), crs="EPSG:4549").to_crs(4326)
    >>> zones = gpd.GeoDataFrame(
    ...     {"zone_id": ["W", "E"], "zone_name": ["西镇", "东镇"]},
    ...     geometry=[shapely.box(449_000, 3_204_000, 451_000, 3_206_000),
    ...               shapely.box(451_000, 3_204_000, 453_000, 3_206_000)],
    ...     crs="EPSG:4549").to_crs(4326)
    >>> opts = SitingOptions(target_rate=1.0, minutes=5, spacing_m=1000, max_sites=3)
    >>> ps = site(net, origins, link_points(net, xy, max_distance=300), zones, "clinic",
    ...           options=opts)
    >>> len(ps.sites), ps.report["stop_reason"]
    (1, 'targets_met')
    >>> ps.before_after[["zone_id", "covered_before", "covered_after", "status_after"]]
      zone_id  covered_before  covered_after status_after
    0       W            30.0           30.0          met
    1       E             0.0           70.0          met
    2     ALL            30.0          100.0          met
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    _check_options(options, origins, layer)
    target = target_for_layer(targets, layer, zone_ids=zones["zone_id"].astype(str).tolist(),
                              group=group, target_rate=options.target_rate,
                              minutes=options.minutes, indicator=options.indicator, plan=plan)
    demand = _demand(origins, zones, layer, target, options)
    _say(progress, "siting candidates")
    t1 = time.perf_counter()
    cands = _candidate_sites(net, origins, zones, options)
    timings["candidates"] = round(time.perf_counter() - t1, 3)
    _say(progress, "siting reach sets")
    t1 = time.perf_counter()
    reach, secs = _reach(net, cands, origin_links, target.minutes, demand.zcode,
                         options.own_zone_only)
    timings["reach_sets"] = round(time.perf_counter() - t1, 3)
    goal = _zone_goal(target, demand)
    _say(progress, "siting")
    res, exact_info, size = _solve(reach, secs, demand, cands, goal, options, timings)
    return _proposed(layer, target, demand, cands, goal, res, size, exact_info, options,
                     timings, t0)


def _proposed(layer: str, target: TargetSpec, d: _Demand, cands: _Candidates, goal: _Goal,
              res: S.SitingResult, size: tuple[int, int], exact_info: dict[str, Any],
              options: SitingOptions, timings: dict[str, float], t0: float) -> ProposedSites:
    """The tables and the report of a solved layer (``timings["total"]`` from ``t0``)."""
    sites = sites_table(res, cands.frame, d.zone_names, layer)
    before_after = before_after_table(res, d.zone_ids, d.zone_names, layer, target, d.pop_z,
                                      d.cov_z, goal.required, cands.zone,
                                      county_name(options.synthetic, options.lang))
    curve = curve_table(res, cands.frame, d.zone_ids, d.cov_z, goal.required, target, layer)
    timings["total"] = round(time.perf_counter() - t0, 3)
    report = _report(layer, target, cands, size, options, res, before_after, exact_info,
                     timings, goal)
    return ProposedSites(layer, target, cands.frame, sites, before_after, curve, res, report)


def _say(progress: Callable[[str], None] | None, stage: str) -> None:
    if progress:
        progress(stage)


def _check_options(options: SitingOptions, origins: gpd.GeoDataFrame, layer: str) -> None:
    """Refuse bad options and a layer without travel times."""
    if options.method not in METHODS:
        raise InputError(f"unknown method {options.method!r}", key="siting.method",
                         hint="auto, greedy or exact")
    if f"t_{layer}" not in origins.columns:
        raise InputError(f"no layer {layer!r}: the origins have no travel times "
                         f"t_{layer}", key="layer")
    if int(options.max_sites) < 1:
        raise InputError("max_sites must be at least 1", key="siting.max_sites")


def _demand(origins: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, layer: str,
            target: TargetSpec, options: SitingOptions) -> _Demand:
    """The people of the target group, who is covered today, and both per zone."""
    if options.computed_minutes is not None and \
            target.minutes > options.computed_minutes + 1e-9:
        raise InputError(f"siting for {target.minutes:g} minutes needs coverage computed to "
                         f"{target.minutes:g} minutes", key="coverage.thresholds",
                         hint=f"add {target.minutes:g} to coverage.thresholds")
    wcol = "population" if target.group == "total" else target.group
    if wcol not in origins.columns:
        raise InputError(f"population group {target.group!r} is not in the population data",
                         key="population.groups")
    w = pd.to_numeric(origins[wcol], errors="coerce").fillna(0.0).to_numpy(float)
    covered = origins[f"t_{layer}"].to_numpy(float) <= target.minutes
    zone_ids = zones["zone_id"].astype(str).tolist()
    zone_names = dict(zip(zone_ids, zones["zone_name"].astype(str), strict=True))
    zcode = zone_codes(origins["zone_id"], zone_ids)
    nz = len(zone_ids)
    bucket = np.where(zcode >= 0, zcode, nz)
    pop_z = np.bincount(bucket, weights=w, minlength=nz + 1)[:nz]
    cov_z = np.bincount(bucket, weights=np.where(covered, w, 0.0), minlength=nz + 1)[:nz]
    return _Demand(w, covered, zcode, zone_ids, zone_names, pop_z, cov_z)


def _candidate_sites(net: RoutingNetwork, origins: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                     options: SitingOptions) -> _Candidates:
    """The candidates (a file, a table, or grid nodes), linked and placed in zones."""
    usable = usable_segments(net)
    given = options.candidates
    if isinstance(given, (str, Path)):
        candidates = load_candidates(given, crs=options.candidates_crs)
        source = str(given)
    elif given is not None:
        candidates, source = given, "given"
    else:
        nodes = grid_candidates(net, projected_xy(origins, net.crs),
                                origins["population"].to_numpy(float), options.spacing_m,
                                usable)
        candidates = node_candidates(net, nodes, options.lang)
        source = f"grid {options.spacing_m:g} m"
    candidates = candidates.reset_index(drop=True).to_crs(4326)
    # Round to the 7 decimals (about 1 cm) written to proposed_sites: the reach sets are
    # then computed from exactly the coordinates a later run reads back as facilities.
    candidates["geometry"] = shapely.points(
        np.round(shapely.get_x(candidates.geometry.values), 7),
        np.round(shapely.get_y(candidates.geometry.values), 7))
    links = link_points(net, projected_xy(candidates, net.crs),
                        max_distance=options.max_link_m, usable=usable)
    candidates = candidates.copy()
    candidates["linked"] = links.linked
    within, nearest = candidate_zones(candidates, zones, net.crs,
                                      max(options.spacing_m, options.max_link_m))
    candidates["zone_id"] = nearest
    zone_ids = zones["zone_id"].astype(str).tolist()
    zone = zone_codes(candidates["zone_id"], zone_ids)
    # own-zone-only runs count a facility only inside its polygon, as the pipeline does
    zone_within = zone_codes(within, zone_ids)
    return _Candidates(candidates, links, source, zone, zone_within)


def _reach(net: RoutingNetwork, cands: _Candidates, origin_links: Links, minutes: float,
           zcode: np.ndarray, own_zone_only: bool) -> tuple[sp.csr_matrix, np.ndarray]:
    """Reach sets and their travel times (own township only when asked)."""
    reach, secs = S.reach_sets(net, cands.links, origin_links, minutes, with_times=True)
    if own_zone_only:
        rows = np.repeat(np.arange(reach.shape[0]), np.diff(reach.indptr))
        zw = cands.zone_within
        keep = (zw[rows] == zcode[reach.indices]) & (zw[rows] >= 0)
        reach = _filter_entries(reach, keep)
        secs = secs[keep]
    return reach, secs


def _filter_entries(m: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    """The stored entries of ``m`` where ``keep`` is true."""
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[keep]
    indptr = np.searchsorted(rows, np.arange(m.shape[0] + 1), "left")
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def _zone_goal(target: TargetSpec, d: _Demand) -> _Goal:
    """People each zone must cover (``required``) and still needs (``zone_need``)."""
    if target.op not in ("ge", "gt"):
        return _Goal()
    if target.scope == "county":
        rate = county_rate(target)
        req_c = required_people(target.op, rate, float(d.pop_z.sum()))
        required = np.array([required_people(target.op, target.rate.get(z, rate), p)
                             for z, p in zip(d.zone_ids, d.pop_z, strict=True)], float)
        return _Goal(np.where(d.zcode >= 0, 0, -1),
                     np.array([max(0.0, req_c - float(d.cov_z.sum()))]), required)
    required = np.array([
        required_people(target.op, target.rate[z], p) if z in target.rate and p > 0
        else np.nan for z, p in zip(d.zone_ids, d.pop_z, strict=True)], float)
    need = np.where(np.isfinite(required), np.maximum(required - d.cov_z, 0.0), 0.0)
    return _Goal(d.zcode, need, required)


def _solve(reach: sp.csr_matrix, secs: np.ndarray, d: _Demand, cands: _Candidates,
           goal: _Goal, options: SitingOptions, timings: dict[str, float]
           ) -> tuple[S.SitingResult, dict[str, Any], tuple[int, int]]:
    """The greedy, then the exact check: (result, exact-check facts, problem size)."""
    costs = cands.frame["cost"].to_numpy(float)
    use_costs = not np.allclose(costs, 1.0) or options.budget is not None
    cap_arr = None
    if options.capacity:
        cap_arr = cands.frame["capacity"].to_numpy(float)
        if not np.isfinite(cap_arr).any():
            raise InputError("capacity-aware siting needs a capacity column in the "
                             "candidate file", key="siting.candidates", column="capacity")
        cap_arr = np.where(np.isfinite(cap_arr), cap_arr, np.inf)
    kw: dict[str, Any] = {
        "zone_codes": goal.zone_codes, "zone_need": goal.zone_need, "caps": options.zone_cap,
        "cand_zone": cands.zone if options.zone_cap is not None else None,
        "costs": costs if use_costs else None, "budget": options.budget,
        "report_zones": d.zcode}
    max_sites = int(options.max_sites)
    t1 = time.perf_counter()
    res = S.greedy_sites(reach, d.w, d.covered, capacity=cap_arr,
                         times=secs if options.capacity else None, max_sites=max_sites, **kw)
    timings["greedy"] = round(time.perf_counter() - t1, 3)
    size = S.problem_size(reach, d.w, d.covered)
    t1 = time.perf_counter()
    res, exact_info = _exact_check(res, reach, d.w, d.covered, options.method, max_sites, kw,
                                   options.capacity, use_costs, size=size)
    timings["exact"] = round(time.perf_counter() - t1, 3)
    return res, exact_info, size


def _exact_check(res: S.SitingResult, reach: sp.csr_matrix, w: np.ndarray,
                 covered: np.ndarray, method: str, max_sites: int, kw: dict[str, Any],
                 capacity: bool, use_costs: bool, size: tuple[int, int] | None = None
                 ) -> tuple[S.SitingResult, dict[str, Any]]:
    """Solve exactly when asked or small enough; keep the better solution; report the gap.

    ``size`` is :func:`~circle15.coverage.siting.solvers.problem_size` when the caller has it.
    """
    info: dict[str, Any] = {"run": False}
    if capacity or (use_costs and kw.get("budget") is None):
        info["why_not"] = "capacity-aware or cost-ratio siting has no exact counterpart here"
        if method == "exact":
            raise InputError("exact siting does not support capacities or costs without a "
                             "budget", key="siting.method", hint='use method "greedy"')
        return res, info
    n_c, n_d = size if size is not None else S.problem_size(reach, w, covered)
    small = n_c <= EXACT_MAX_CANDIDATES and n_d <= EXACT_MAX_DEMAND
    if method == "greedy" or (method == "auto" and not small):
        info["why_not"] = "greedy requested" if method == "greedy" else \
            f"instance too large for the exact check ({n_c} candidates x {n_d} demand points)"
        return res, info
    limit = EXACT_TIME_LIMIT if method == "auto" else 600.0
    kx = {k: v for k, v in kw.items() if k != "report_zones"}
    p = max_sites if kw.get("budget") is not None else max(1, len(res.sites))
    ex = S.exact_mclp(reach, w, covered, p, time_limit=limit, **kx)
    if ex is None:
        info["why_not"] = f"no proven optimum within {limit:g} s"
        return res, info
    info.update(run=True, p=p, greedy_objective=res.objective,
                exact_objective=ex["objective"], seconds=round(ex["seconds"], 3))
    gap = (ex["objective"] - res.objective) / ex["objective"] if ex["objective"] > 0 else 0.0
    info["gap"] = max(0.0, gap)
    best = res
    if ex["objective"] > res.objective + 1e-6:
        best = S.order_sites(reach, w, covered, ex["sites"], **kw)
    best = _fewer_sites(best, reach, w, covered, kw, kx, limit, info)
    if best is not res:
        # the exact sites end the search for the same reason as the greedy did, unless
        # they meet every target
        best = dataclasses.replace(best, method="exact", stop_reason="targets_met" if
                                   best.stop_reason == "targets_met" else res.stop_reason)
    return best, info


def _fewer_sites(best: S.SitingResult, reach: sp.csr_matrix, w: np.ndarray,
                 covered: np.ndarray, kw: dict[str, Any], kx: dict[str, Any], limit: float,
                 info: dict[str, Any]) -> S.SitingResult:
    """Fewer sites may reach every target: shrink while the optimum still meets them all
    (``info["fewer_sites"]`` is the smallest count found)."""
    if kw.get("zone_need") is None or best.stop_reason != "targets_met":
        return best
    full = float(np.sum(kw["zone_need"]))
    q = len(best.sites) - 1
    while q >= 1:
        ex2 = S.exact_mclp(reach, w, covered, q, time_limit=limit, **kx)
        if ex2 is None or ex2["objective"] < full - 1e-9 * max(1.0, full):
            break
        best = S.order_sites(reach, w, covered, ex2["sites"], **kw)
        info["fewer_sites"] = q
        q -= 1
    return best


def _report(layer: str, target: TargetSpec, cands: _Candidates, size: tuple[int, int],
            options: SitingOptions, res: S.SitingResult, before_after: pd.DataFrame,
            exact_info: dict[str, Any], timings: dict[str, float], goal: _Goal
            ) -> dict[str, Any]:
    """The ``siting_report.json`` entry of the layer."""
    n_sc, n_sd = size
    return {
        "layer": layer, "target": dataclasses.asdict(target),
        "candidates": {"source": cands.source, "count": len(cands.frame),
                       "linked": int(cands.links.linked.sum()),
                       "useful": n_sc, "demand_points": n_sd},
        "max_sites": int(options.max_sites), "zone_cap": options.zone_cap,
        "budget": options.budget, "capacity_aware": bool(options.capacity),
        "method": res.method, "stop_reason": res.stop_reason, "sites": len(res.sites),
        "covered_before": res.covered_before, "covered_after":
            float(res.cumulative_covered[-1]) if len(res.sites) else res.covered_before,
        "total": res.total, "synthetic": bool(options.synthetic),
        "zones_below_target_before": int((before_after["status_before"].iloc[:-1]
                                          == "not_met").sum()),
        "zones_below_target_after": int((before_after["status_after"].iloc[:-1]
                                         == "not_met").sum()),
        "exact": exact_info, "timings_s": timings,
        "objective": ("people newly covered in townships still below target, up to what "
                      "each township needs" if goal.zone_need is not None else
                      "people newly covered"),
    }
