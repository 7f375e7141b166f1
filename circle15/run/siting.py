"""The ``site`` command's logic: where to add facilities of one layer to reach its target.

:func:`run_siting` takes a config (or a finished :class:`~circle15.run.compute.RunResult`),
picks the target per township for the layer (from the plan's ``network_coverage`` indicator
evaluated in ``result.targets``, or a rate given by the caller), builds candidate sites
(a user file, or network nodes on a grid over the populated area), computes each
candidate's reach set exactly (:func:`circle15.coverage.siting.solvers.reach_sets`), adds sites
greedily (:func:`~circle15.coverage.siting.solvers.greedy_sites`), solves the problem exactly when
it is small (:func:`~circle15.coverage.siting.solvers.exact_mclp`) and reports the greedy's gap, and
writes (atomically):

``proposed_sites.csv`` / ``proposed_sites.gpkg`` (layer ``proposed_sites``, EPSG:4326)
    One row per proposed site in order: ``layer, rank, candidate_id, name, lon, lat,
    zone_id, zone_name, new_covered, counted, cumulative_covered, cumulative_rate, cost,
    method``.
``siting_before_after.csv``
    Per township and county-wide: people, covered before/after, rates, target, status.
``siting_curve.csv``
    The marginal curve: coverage after 0, 1, 2, ... sites (the cost of the last percent).
``siting_report.json``
    Target source, candidates, method, stop reason, exact-check gap, timings.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from circle15.config import Config
from circle15.coverage.siting import solvers as S
from circle15.coverage.plan.evaluate import Bound, _required_count
from circle15.coverage.zonal import COUNTY
from circle15.errors import InputError
from circle15.geo.routing.linking import link_points, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.geo.streets.project import projected_xy
from circle15.io import atomic_output_dir, read_csv, write_csv, write_json
from circle15.report.labels import county_name

log = logging.getLogger(__name__)

#: Exact solver used automatically up to this many candidates and demand points.
EXACT_MAX_CANDIDATES = 300
EXACT_MAX_DEMAND = 5000
#: Seconds allowed per exact solve.
EXACT_TIME_LIMIT = 5.0

_NAME_COLS = ("name", "名称", "站点名称", "地点", "site")
_ID_COLS = ("candidate_id", "id", "编号", "code")
_LON_COLS = ("lon", "lng", "longitude", "经度", "x")
_LAT_COLS = ("lat", "latitude", "纬度", "y")
_COST_COLS = ("cost", "费用", "成本", "造价")
_CAP_COLS = ("capacity", "容量")
_CRS_COLS = ("crs", "坐标系")


@dataclass(frozen=True)
class TargetSpec:
    """What the siting aims at.

    Attributes
    ----------
    minutes : float
        Travel-time threshold.
    group : str
        Population group (``"total"`` or a group column).
    scope : str
        ``"zone"`` (every township must reach the rate) or ``"county"`` (county-wide rate).
    op : str
        ``"ge"``, ``"gt"`` or ``"none"`` (no target: maximise coverage up to ``max_sites``).
    rate : dict
        Zone id (or ``"ALL"`` for county scope) -> target rate in percent.
    source : str
        Where the target came from (indicator id, ``"target_rate"`` or ``"none"``).
    """

    minutes: float
    group: str
    scope: str = "zone"
    op: str = "none"
    rate: dict = field(default_factory=dict)
    source: str = "none"


@dataclass
class SitingRunResult:
    """What :func:`run_siting` computed (and wrote).

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
    report : dict
    out_dir : Path or None
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


# --------------------------------------------------------------------------- candidates


def _pick(columns: list[str], names: tuple[str, ...]) -> str | None:
    low = {c.lower(): c for c in columns}
    for n in names:
        if n.lower() in low:
            return low[n.lower()]
    return None


def _numbers(df: pd.DataFrame, col: str, path: Path, *, positive: bool = False,
             default: float = np.nan) -> np.ndarray:
    raw = df[col]
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    bad = ~np.isfinite(vals) & ~blank
    if positive:
        bad |= np.isfinite(vals) & (vals <= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"not a {'positive ' if positive else ''}number: {raw.iloc[i]!r}",
                         file=path, row=i + 1, column=col)
    return np.where(blank, default, vals)


def load_candidates(path: str | Path, *, crs: str = "wgs84") -> gpd.GeoDataFrame:
    """Read a file of candidate sites (村委会, 社区用房, idle schools, public parcels ...).

    Parameters
    ----------
    path : str or Path
        CSV (``name``, ``lon``, ``lat``; optional ``candidate_id``, ``cost``, ``capacity``,
        ``crs``; Chinese headers 名称/经度/纬度/费用/容量/坐标系 accepted; UTF-8 or GBK) or a
        point GeoJSON/GeoPackage/Shapefile with the same attribute columns.
    crs : str
        Coordinate system of CSV coordinates when the file has no ``crs`` column
        (``wgs84``, ``gcj02``, ``bd09``, ``cgcs2000`` or ``EPSG:xxxx``).

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns ``candidate_id, name, cost, capacity, source_row, geometry``.

    Raises
    ------
    InputError
        Missing columns, bad numbers or coordinates, with file, row and column.
    """
    from circle15.geo.crs import to_wgs84

    path = Path(path)
    if not path.is_file():
        raise InputError("candidate file not found", file=path, key="siting.candidates")
    if path.suffix.lower() in (".csv", ".txt"):
        df = read_csv(path, dtype=str, keep_default_na=False)
        cols = list(df.columns)
        lon_c, lat_c = _pick(cols, _LON_COLS), _pick(cols, _LAT_COLS)
        if lon_c is None or lat_c is None:
            raise InputError("no coordinate columns", file=path,
                             column="lon" if lon_c is None else "lat",
                             hint="columns: name, lon, lat (optional cost, capacity, crs)")
        lon = _numbers(df, lon_c, path)
        lat = _numbers(df, lat_c, path)
        missing = ~np.isfinite(lon) | ~np.isfinite(lat)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError("missing coordinates", file=path, row=i + 1,
                             column=lon_c if not np.isfinite(lon[i]) else lat_c)
        crs_c = _pick(cols, _CRS_COLS)
        out_lon, out_lat = np.empty(len(df)), np.empty(len(df))
        per_row = df[crs_c].astype(str).str.strip().replace("", crs).to_numpy() if crs_c \
            else np.full(len(df), crs, dtype=object)
        for c in pd.unique(per_row):
            sel = per_row == c
            try:
                out_lon[sel], out_lat[sel] = to_wgs84(lon[sel], lat[sel], str(c))
            except (InputError, ValueError) as exc:
                i = int(np.flatnonzero(sel)[0])
                raise InputError(f"unknown coordinate system {c!r}", file=path, row=i + 1,
                                 column=crs_c or None, hint="wgs84, gcj02, bd09, cgcs2000 or "
                                 "EPSG:<code>") from exc
        bad = ~np.isfinite(out_lon) | (np.abs(out_lat) > 90) | (np.abs(out_lon) > 180)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"coordinates out of range: {lon[i]}, {lat[i]}", file=path,
                             row=i + 1, column=lon_c, hint="lon/lat in degrees, or set crs")
        geom = shapely.points(out_lon, out_lat)
    else:
        try:
            gdf = gpd.read_file(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is bad input
            raise InputError(f"cannot read the candidate file: {exc}", file=path) from None
        if gdf.crs is None:
            gdf = gdf.set_crs(4326)
        gdf = gdf.to_crs(4326)
        if not gdf.geom_type.isin(["Point"]).all():
            i = int(np.flatnonzero(~gdf.geom_type.isin(["Point"]).to_numpy())[0])
            if gdf.geometry.iloc[i] is None or gdf.geometry.iloc[i].is_empty:
                raise InputError("missing geometry", file=path, row=i + 1)
            gdf["geometry"] = gdf.geometry.representative_point()
        df = pd.DataFrame(gdf.drop(columns="geometry")).astype(str).replace(
            {"None": "", "nan": ""})
        cols = list(df.columns)
        geom = gdf.geometry.to_numpy()
    name_c, id_c = _pick(cols, _NAME_COLS), _pick(cols, _ID_COLS)
    cost_c, cap_c = _pick(cols, _COST_COLS), _pick(cols, _CAP_COLS)
    n = len(df)
    if n == 0:
        raise InputError("the candidate file has no rows", file=path)
    ids = df[id_c].astype(str).str.strip().to_numpy() if id_c else \
        np.array([f"C{i + 1:05d}" for i in range(n)], dtype=object)
    if id_c and pd.Series(ids).duplicated().any():
        i = int(np.flatnonzero(pd.Series(ids).duplicated().to_numpy())[0])
        raise InputError(f"duplicate candidate id {ids[i]!r}", file=path, row=i + 1,
                         column=id_c)
    names = df[name_c].astype(str).str.strip().to_numpy() if name_c else ids
    cost = _numbers(df, cost_c, path, positive=True, default=1.0) if cost_c else np.ones(n)
    cap = _numbers(df, cap_c, path, positive=True) if cap_c else np.full(n, np.nan)
    return gpd.GeoDataFrame({"candidate_id": ids.astype(str), "name": names.astype(str),
                             "cost": cost, "capacity": cap,
                             "source_row": np.arange(1, n + 1)},
                            geometry=np.asarray(geom), crs=4326)


def grid_candidates(net: RoutingNetwork, origin_xy: np.ndarray, people: np.ndarray,
                    spacing_m: float, usable: np.ndarray | None = None) -> np.ndarray:
    """Network nodes nearest the centre of each ``spacing_m`` grid cell with people.

    Parameters
    ----------
    net : RoutingNetwork
    origin_xy : numpy.ndarray
        ``(n, 2)`` origin coordinates in ``net.crs``.
    people : numpy.ndarray
        People per origin (cells without people get no candidate).
    spacing_m : float
        Cell size in metres.
    usable : numpy.ndarray, optional
        Mask of segments that may be linked to; only their end nodes are candidates.

    Returns
    -------
    numpy.ndarray
        Sorted unique node indices.
    """
    from scipy.spatial import cKDTree

    if spacing_m <= 0:
        raise InputError("siting spacing must be positive", key="siting.spacing_m")
    seg = np.arange(net.n_segments) if usable is None else np.flatnonzero(usable)
    nodes = np.unique(np.concatenate([net.seg_u[seg], net.seg_v[seg]]))
    xy = np.asarray(origin_xy, float)
    has = (np.asarray(people, float) > 0) & np.isfinite(xy).all(axis=1)
    if not len(nodes) or not has.any():
        return np.empty(0, np.int64)
    x0, y0 = xy[has].min(axis=0)
    cell = np.floor((xy[has] - [x0, y0]) / spacing_m).astype(np.int64)
    cells = np.unique(cell, axis=0)
    centres = (cells + 0.5) * spacing_m + [x0, y0]
    tree = cKDTree(np.column_stack([net.x[nodes], net.y[nodes]]))
    _, j = tree.query(centres)
    return np.unique(nodes[j])


def _zone_of(points: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, crs: str,
             max_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Zone id of each point: (in a polygon, by the pipeline's own
    :func:`~circle15.geo.population.assign_zones`; and that or else the nearest zone
    within ``max_m`` metres). ``""`` when none."""
    from circle15.geo.population import assign_zones

    if points.empty:
        e = np.empty(0, dtype=object)
        return e, e
    pts = points[["geometry"]].reset_index(drop=True)
    within = assign_zones(pts.to_crs(zones.crs), zones)
    out = within.copy()
    miss = out == ""
    if miss.any():
        pm = pts[miss].to_crs(crs)
        k = gpd.sjoin_nearest(pm, zones[["zone_id", "geometry"]].to_crs(crs), how="left",
                              max_distance=max_m)
        k = k[~k.index.duplicated(keep="first")]
        near = k["zone_id"].astype(object).reindex(pm.index).to_numpy()
        out[miss] = ["" if pd.isna(v) else str(v) for v in near]
    return within.astype(str).astype(object), out.astype(str).astype(object)


# --------------------------------------------------------------------------- targets


def _required(op: str, rate_pct: float, n: float) -> float:
    """Smallest number of people out of ``n`` meeting a rate bound: the targets table's
    own rule, so that siting's "met" is the targets table's "met"."""
    return _required_count(Bound(op, rate_pct), n)


def _county_rate(target: TargetSpec) -> float:
    """The county-wide rate of a county-scope target (the mean of the per-zone rates when
    the plan states it per zone only)."""
    rate = target.rate.get(COUNTY)
    return float(np.mean(list(target.rate.values()))) if rate is None else rate


def target_for_layer(result: Any, layer: str, *, target_rate: float | None = None,
                     minutes: float | None = None, indicator: str | None = None
                     ) -> TargetSpec:
    """The siting target of ``layer``.

    An explicit ``target_rate`` (0..1, every township) wins. Otherwise the plan's
    ``network_coverage`` indicator for the layer, as evaluated in ``result.targets`` (the
    one named by ``indicator``, else the first with a target this year, township-scope
    first) gives the minutes, the population group and the rate per township. Without
    either, no target: coverage is maximised up to ``max_sites``.
    """
    cfg: Config = result.config
    spec = {s["key"]: s for s in result.layers}[layer]
    default_minutes = float(minutes if minutes is not None else cfg.siting.minutes)
    if target_rate is not None:
        if not 0 < target_rate <= 1:
            raise InputError(f"target rate {target_rate} is not in (0, 1]",
                             key="--target-rate", hint="e.g. 0.9 for 90 %")
        zone_ids = result.zones["zone_id"].astype(str).tolist()
        return TargetSpec(default_minutes, spec["group"], "zone", "ge",
                          {z: 100.0 * target_rate for z in zone_ids}, "target_rate")
    tg = result.targets
    if tg is None or not len(tg) or "kind" not in tg.columns:
        return TargetSpec(default_minutes, spec["group"])
    rows = tg[tg["kind"].astype(str) == "network_coverage"]
    if indicator:
        rows = rows[rows["indicator_id"].astype(str) == indicator]
        if rows.empty:
            raise InputError(f"no network_coverage indicator {indicator!r} in the targets",
                             key="--indicator")
    measures = _measures(result, rows)
    chosen = None
    for iid, grp in rows.groupby("indicator_id", sort=False):
        m = measures.get(str(iid))
        if m is None or m["layer"] != layer:
            continue
        ops = set(grp["bound"].astype(str)) - {"none"}
        if not ops & {"ge", "gt"}:
            continue
        scope = str(grp["scope"].iloc[0]) if "scope" in grp.columns else "zone"
        if chosen is None or (chosen[2] != "zone" and scope == "zone"):
            chosen = (str(iid), grp, scope, m)
    if chosen is None:
        if indicator:
            raise InputError(f"indicator {indicator!r} has no rate target for layer {layer!r}",
                             key="--indicator")
        return TargetSpec(default_minutes, spec["group"])
    iid, grp, scope, m = chosen
    op = [b for b in grp["bound"].astype(str) if b in ("ge", "gt")][0]
    rate = {str(z): float(v) for z, v, b in zip(grp["zone_id"], grp["target_value"],
                                                grp["bound"], strict=True)
            if str(b) in ("ge", "gt") and np.isfinite(v)}
    return TargetSpec(float(m["minutes"]) if m["minutes"] is not None else default_minutes,
                      m["group"] or spec["group"], scope, op, rate, iid)


def _measures(result: Any, rows: pd.DataFrame) -> dict[str, dict]:
    """Layer, minutes and group of each indicator: from the table, else from the plan."""
    out: dict[str, dict] = {}
    if {"layer", "minutes"} <= set(rows.columns):
        for iid, grp in rows.groupby("indicator_id", sort=False):
            r = grp.iloc[0]
            out[str(iid)] = {"layer": str(r["layer"]), "minutes": float(r["minutes"]),
                             "group": str(r["group"]) if "group" in grp.columns else ""}
        return out
    from circle15.coverage.plan.evaluate import load_plan

    plan = load_plan(result.config.targets.plan)
    for iid in pd.unique(rows["indicator_id"].astype(str)):
        try:
            m = plan.indicator(iid).measure
        except KeyError:
            continue
        out[iid] = {"layer": m.layer, "minutes": m.minutes, "group": m.group}
    return out


# --------------------------------------------------------------------------- run


def _recompute_targets(result: Any, year: int) -> pd.DataFrame:
    from circle15.coverage.plan.evaluate import evaluate_targets, load_plan

    cfg = result.config
    return evaluate_targets(load_plan(cfg.targets.plan), year, coverage=result.coverage,
                            zones=pd.DataFrame(result.zones.drop(columns="geometry")),
                            facilities=pd.DataFrame(result.facilities.drop(
                                columns="geometry")))


def site(
    result: Any,
    layer: str,
    *,
    max_sites: int | None = None,
    target_rate: float | None = None,
    minutes: float | None = None,
    indicator: str | None = None,
    candidates: gpd.GeoDataFrame | None = None,
    zone_cap: int | None = None,
    budget: float | None = None,
    capacity: bool = False,
    method: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> SitingRunResult:
    """Site new facilities of ``layer`` on a computed run (no files written).

    Parameters
    ----------
    result : circle15.run.compute.RunResult
    layer : str
        Layer key.
    max_sites : int, optional
        Most sites (default ``cfg.siting.max_sites``).
    target_rate, minutes, indicator
        See :func:`target_for_layer`.
    candidates : geopandas.GeoDataFrame, optional
        Candidate sites (as from :func:`load_candidates`); default: the config's candidate
        file, else network nodes on a ``cfg.siting.spacing_m`` grid over cells with people.
    zone_cap : int, optional
        Most new sites per township (e.g. one 残疾人之家 per township).
    budget : float, optional
        Total cost allowed (candidate ``cost`` column; 1 per site by default).
    capacity : bool
        Limit each site to its ``capacity`` column (nearest people first).
    method : {"auto", "greedy", "exact"}
        ``auto`` solves exactly when the instance is small (at most
        :data:`EXACT_MAX_CANDIDATES` useful candidates and :data:`EXACT_MAX_DEMAND` demand
        points) and the solve finishes within :data:`EXACT_TIME_LIMIT` s.

    Returns
    -------
    SitingRunResult
    """
    if method not in ("auto", "greedy", "exact"):
        raise InputError(f"unknown method {method!r}", key="--method",
                         hint="auto, greedy or exact")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    cfg: Config = result.config
    keys = [s["key"] for s in result.layers]
    if layer not in keys:
        raise InputError(f"no layer {layer!r} in this run", key="--layer",
                         hint=f"layers: {', '.join(keys)}")
    max_sites = int(max_sites if max_sites is not None else cfg.siting.max_sites)
    if max_sites < 1:
        raise InputError("max_sites must be at least 1", key="siting.max_sites")
    net: RoutingNetwork = result.network
    target = target_for_layer(result, layer, target_rate=target_rate, minutes=minutes,
                              indicator=indicator)
    thresholds = [float(t) for t in cfg.coverage.thresholds]
    if target.minutes > max(thresholds) + 1e-9:
        raise InputError(f"siting for {target.minutes:g} minutes needs coverage computed to "
                         f"{target.minutes:g} minutes", key="coverage.thresholds",
                         hint=f"add {target.minutes:g} to coverage.thresholds")
    origins = result.origins
    wcol = "population" if target.group == "total" else target.group
    if wcol not in origins.columns:
        raise InputError(f"population group {target.group!r} is not in the population data",
                         key="population.groups")
    w = pd.to_numeric(origins[wcol], errors="coerce").fillna(0.0).to_numpy(float)
    t_now = origins[f"t_{layer}"].to_numpy(float)
    covered = t_now <= target.minutes
    zones = result.zones
    zone_ids = zones["zone_id"].astype(str).tolist()
    zone_names = dict(zip(zone_ids, zones["zone_name"].astype(str), strict=True))
    zcode = pd.Categorical(origins["zone_id"].astype(str), categories=zone_ids).codes \
        .astype(np.int64)

    # ---- candidates
    if progress:
        progress("siting candidates")
    t1 = time.perf_counter()
    usable = usable_segments(net)
    if candidates is None and cfg.siting.candidates is not None:
        candidates = load_candidates(cfg.siting.candidates, crs=cfg.siting.candidates_crs)
    if candidates is None:
        nodes = grid_candidates(net, projected_xy(origins, net.crs),
                                origins["population"].to_numpy(float),
                                cfg.siting.spacing_m, usable)
        lon, lat = _to_lonlat(net.x[nodes], net.y[nodes], net.crs)
        label = "grid node" if cfg.output.lang == "en" else "网格候选点"
        candidates = gpd.GeoDataFrame(
            {"candidate_id": [f"N{net.node_ids[i]}" for i in nodes],
             "name": [f"{label} {k + 1}" for k in range(len(nodes))],
             "cost": np.ones(len(nodes)), "capacity": np.full(len(nodes), np.nan),
             "source_row": np.arange(1, len(nodes) + 1)},
            geometry=shapely.points(lon, lat), crs=4326)
        cand_source = f"grid {cfg.siting.spacing_m:g} m"
    else:
        cand_source = str(cfg.siting.candidates) if cfg.siting.candidates else "given"
    candidates = candidates.reset_index(drop=True).to_crs(4326)
    # Round to the 7 decimals (about 1 cm) written to proposed_sites: the reach sets are
    # then computed from exactly the coordinates a later run reads back as facilities.
    candidates["geometry"] = shapely.points(
        np.round(shapely.get_x(candidates.geometry.values), 7),
        np.round(shapely.get_y(candidates.geometry.values), 7))
    cand_links = link_points(net, projected_xy(candidates, net.crs),
                             max_distance=cfg.network.max_link_m, usable=usable)
    candidates = candidates.copy()
    candidates["linked"] = cand_links.linked
    within, nearest = _zone_of(candidates, zones, net.crs,
                               max(cfg.siting.spacing_m, cfg.network.max_link_m))
    candidates["zone_id"] = nearest
    cand_zone = pd.Categorical(candidates["zone_id"], categories=zone_ids).codes \
        .astype(np.int64)
    # own-zone-only runs count a facility only inside its polygon, as the pipeline does
    cand_zone_within = pd.Categorical(within, categories=zone_ids).codes.astype(np.int64)
    timings["candidates"] = round(time.perf_counter() - t1, 3)

    # ---- reach sets
    if progress:
        progress("siting reach sets")
    t1 = time.perf_counter()
    reach, secs = S.reach_sets(net, cand_links, result.origin_links, target.minutes,
                               with_times=True)
    if cfg.coverage.own_zone_only:
        rows = np.repeat(np.arange(reach.shape[0]), np.diff(reach.indptr))
        keep = (cand_zone_within[rows] == zcode[reach.indices]) & \
            (cand_zone_within[rows] >= 0)
        reach = _filter_entries(reach, keep)
        secs = secs[keep]
    timings["reach_sets"] = round(time.perf_counter() - t1, 3)

    # ---- needs per zone
    pop_z = np.bincount(np.where(zcode >= 0, zcode, len(zone_ids)), weights=w,
                        minlength=len(zone_ids) + 1)[:len(zone_ids)]
    cov_z = np.bincount(np.where(zcode >= 0, zcode, len(zone_ids)),
                        weights=np.where(covered, w, 0.0), minlength=len(zone_ids) + 1
                        )[:len(zone_ids)]
    zone_codes, zone_need, required = None, None, None
    if target.op in ("ge", "gt"):
        if target.scope == "county":
            rate = _county_rate(target)
            zone_codes = np.where(zcode >= 0, 0, -1)
            req_c = _required(target.op, rate, float(pop_z.sum()))
            zone_need = np.array([max(0.0, req_c - float(cov_z.sum()))])
            required = np.array([_required(target.op, target.rate.get(z, rate), p)
                                 for z, p in zip(zone_ids, pop_z, strict=True)], float)
        else:
            zone_codes = zcode
            required = np.array([
                _required(target.op, target.rate[z], p) if z in target.rate and p > 0
                else np.nan for z, p in zip(zone_ids, pop_z, strict=True)], float)
            zone_need = np.where(np.isfinite(required), np.maximum(required - cov_z, 0.0), 0.0)

    costs = candidates["cost"].to_numpy(float)
    use_costs = not np.allclose(costs, 1.0) or budget is not None
    cap_arr = None
    if capacity:
        cap_arr = candidates["capacity"].to_numpy(float)
        if not np.isfinite(cap_arr).any():
            raise InputError("capacity-aware siting needs a capacity column in the "
                             "candidate file", key="siting.candidates", column="capacity")
        cap_arr = np.where(np.isfinite(cap_arr), cap_arr, np.inf)
    kw: dict[str, Any] = dict(
        zone_codes=zone_codes, zone_need=zone_need,
        caps=zone_cap, cand_zone=cand_zone if zone_cap is not None else None,
        costs=costs if use_costs else None, budget=budget, report_zones=zcode)

    # ---- greedy, then the exact check
    if progress:
        progress("siting")
    t1 = time.perf_counter()
    res = S.greedy_sites(reach, w, covered, capacity=cap_arr, times=secs if capacity else
                         None, max_sites=max_sites, **kw)
    timings["greedy"] = round(time.perf_counter() - t1, 3)
    n_sc, n_sd = S.problem_size(reach, w, covered)
    t1 = time.perf_counter()
    res, exact_info = _exact_check(res, reach, w, covered, method, max_sites, kw,
                                   capacity, use_costs, size=(n_sc, n_sd))
    timings["exact"] = round(time.perf_counter() - t1, 3)

    # ---- tables
    sites = _sites_table(res, candidates, zone_names, layer, zcode)
    before_after = _before_after(res, zone_ids, zone_names, layer, target, pop_z, cov_z,
                                 required, cand_zone, county_name(cfg.project.synthetic, cfg.output.lang))
    curve = _curve(res, candidates, zone_ids, cov_z, required, target, layer)
    timings["total"] = round(time.perf_counter() - t0, 3)
    report = {
        "layer": layer, "target": dataclasses.asdict(target),
        "candidates": {"source": cand_source, "count": int(len(candidates)),
                       "linked": int(cand_links.linked.sum()),
                       "useful": n_sc, "demand_points": n_sd},
        "max_sites": max_sites, "zone_cap": zone_cap, "budget": budget,
        "capacity_aware": bool(capacity), "method": res.method,
        "stop_reason": res.stop_reason, "sites": int(len(res.sites)),
        "covered_before": res.covered_before, "covered_after":
            float(res.cumulative_covered[-1]) if len(res.sites) else res.covered_before,
        "total": res.total, "synthetic": bool(cfg.project.synthetic),
        "zones_below_target_before": int((before_after["status_before"].iloc[:-1]
                                          == "not_met").sum()),
        "zones_below_target_after": int((before_after["status_after"].iloc[:-1]
                                         == "not_met").sum()),
        "exact": exact_info, "timings_s": timings,
        "objective": ("people newly covered in townships still below target, up to what "
                      "each township needs" if zone_need is not None else
                      "people newly covered"),
    }
    return SitingRunResult(layer, target, candidates, sites, before_after, curve, res, report)


def _to_lonlat(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    g = gpd.GeoSeries(shapely.points(x, y), crs=crs).to_crs(4326)
    return g.x.to_numpy(), g.y.to_numpy()


def _filter_entries(m, keep: np.ndarray):
    import scipy.sparse as sp

    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[keep]
    indptr = np.searchsorted(rows, np.arange(m.shape[0] + 1), "left")
    return sp.csr_matrix((m.data[keep], m.indices[keep], indptr), shape=m.shape)


def _exact_check(res: S.SitingResult, reach, w, covered, method: str, max_sites: int,
                 kw: dict, capacity: bool, use_costs: bool,
                 size: tuple[int, int] | None = None) -> tuple[S.SitingResult, dict]:
    """Solve exactly when asked or small enough; keep the better solution; report the gap.

    ``size`` is :func:`~circle15.coverage.siting.solvers.problem_size` when the caller has it.
    """
    info: dict[str, Any] = {"run": False}
    if capacity or (use_costs and kw.get("budget") is None):
        info["why_not"] = "capacity-aware or cost-ratio siting has no exact counterpart here"
        if method == "exact":
            raise InputError("exact siting does not support capacities or costs without a "
                             "budget", key="--method", hint="use --method greedy")
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
    # fewer sites may reach every target: shrink while the optimum still meets them all
    if kw.get("zone_need") is not None and best.stop_reason == "targets_met":
        full = float(np.sum(kw["zone_need"]))
        q = len(best.sites) - 1
        while q >= 1:
            ex2 = S.exact_mclp(reach, w, covered, q, time_limit=limit, **kx)
            if ex2 is None or ex2["objective"] < full - 1e-9 * max(1.0, full):
                break
            best = S.order_sites(reach, w, covered, ex2["sites"], **kw)
            info["fewer_sites"] = q
            q -= 1
    if best is not res:
        # the exact sites end the search for the same reason as the greedy did, unless
        # they meet every target
        best = dataclasses.replace(best, method="exact", stop_reason="targets_met" if
                                   best.stop_reason == "targets_met" else res.stop_reason)
    return best, info


def _sites_table(res: S.SitingResult, cand: gpd.GeoDataFrame, zone_names: dict,
                 layer: str, zcode: np.ndarray) -> gpd.GeoDataFrame:
    c = cand.iloc[res.sites]
    geom = c.geometry.to_numpy()
    zid = c["zone_id"].astype(str).to_numpy()
    df = gpd.GeoDataFrame({
        "layer": layer,
        "rank": np.arange(1, len(res.sites) + 1),
        "candidate_id": c["candidate_id"].astype(str).to_numpy(),
        "name": c["name"].astype(str).to_numpy(),
        "lon": np.round(shapely.get_x(geom), 7) if len(geom) else np.empty(0),
        "lat": np.round(shapely.get_y(geom), 7) if len(geom) else np.empty(0),
        "zone_id": zid,
        "zone_name": [zone_names.get(z, "") for z in zid],
        "new_covered": np.round(res.new_covered, 3),
        "counted": np.round(res.gain, 3),
        "cumulative_covered": np.round(res.cumulative_covered, 3),
        "cumulative_rate": np.round(res.cumulative_rate, 6),
        "cost": res.cost,
        "method": res.method,
    }, geometry=geom, crs=4326)
    return df


def _status(covered: float, required: float) -> str:
    if not np.isfinite(required):
        return "no_target"
    return "met" if covered >= required - 1e-9 else "not_met"


def _before_after(res: S.SitingResult, zone_ids: list[str], zone_names: dict, layer: str,
                  target: TargetSpec, pop_z: np.ndarray, cov_z: np.ndarray,
                  required: np.ndarray | None, cand_zone: np.ndarray, county_name: str
                  ) -> pd.DataFrame:
    nz = len(zone_ids)
    after = cov_z + res.zone_new.sum(axis=0)
    sites_z = np.bincount(cand_zone[res.sites][cand_zone[res.sites] >= 0], minlength=nz)[:nz] \
        if len(res.sites) else np.zeros(nz, int)
    req = required if required is not None else np.full(nz, np.nan)
    rows = []
    for i, z in enumerate(zone_ids):
        rate_t = target.rate.get(z, np.nan) if target.scope == "zone" else np.nan
        rows.append(_ba_row(z, zone_names[z], layer, target, pop_z[i], cov_z[i], after[i],
                            rate_t, req[i], int(sites_z[i])))
    tot_req = np.nan
    rate_c = np.nan
    if target.op in ("ge", "gt"):
        if target.scope == "county":
            rate_c = _county_rate(target)
            tot_req = _required(target.op, rate_c, float(pop_z.sum()))
    df = pd.DataFrame(rows)
    county = _ba_row(COUNTY, county_name, layer, target, float(pop_z.sum()),
                     float(cov_z.sum()), float(after.sum()), rate_c, tot_req,
                     int(len(res.sites)))
    if target.scope == "zone" and target.op in ("ge", "gt"):
        # the county is met only when every township is
        county["status_before"] = "met" if (df["status_before"] != "not_met").all() else \
            "not_met"
        county["status_after"] = "met" if (df["status_after"] != "not_met").all() else \
            "not_met"
    return pd.concat([df, pd.DataFrame([county])], ignore_index=True)


def _ba_row(z, name, layer, target, pop, before, after, rate_t, req, n_sites) -> dict:
    return {
        "zone_id": z, "zone_name": name, "layer": layer, "group": target.group,
        "minutes": target.minutes, "population": round(float(pop), 3),
        "covered_before": round(float(before), 3),
        "rate_before": float(before) / pop if pop > 0 else np.nan,
        "target_rate": rate_t / 100.0 if np.isfinite(rate_t) else np.nan,
        "required": req, "new_sites": n_sites,
        "covered_after": round(float(after), 3),
        "rate_after": float(after) / pop if pop > 0 else np.nan,
        "status_before": _status(before, req), "status_after": _status(after, req),
    }


def _curve(res: S.SitingResult, cand: gpd.GeoDataFrame, zone_ids: list[str],
           cov_z: np.ndarray, required: np.ndarray | None, target: TargetSpec,
           layer: str) -> pd.DataFrame:
    nz = len(zone_ids)
    n = len(res.sites)
    zc = np.zeros((n + 1, nz))
    zc[0] = cov_z
    if n:
        zc[1:] = cov_z + np.cumsum(res.zone_new, axis=0)
    if required is not None and target.scope == "zone":
        has = np.isfinite(required)
        met = (zc[:, has] >= required[has] - 1e-9).sum(axis=1)
        with_t = int(has.sum())
    else:
        met = np.full(n + 1, np.nan)
        with_t = 0
    cum = np.concatenate([[res.covered_before], res.cumulative_covered])
    ids = cand["candidate_id"].astype(str).to_numpy()
    return pd.DataFrame({
        "layer": layer,
        "sites": np.arange(n + 1),
        "candidate_id": ["", *ids[res.sites]],
        "new_covered": np.concatenate([[0.0], res.new_covered]).round(3),
        "cumulative_covered": cum.round(3),
        "cumulative_rate": cum / res.total if res.total > 0 else np.nan,
        "cumulative_cost": np.concatenate([[0.0], np.cumsum(res.cost)]),
        "zones_met": met,
        "zones_with_target": with_t,
    })


def _merge(old: pd.DataFrame | None, new: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Rows of other layers from an earlier siting run, then this layer's rows."""
    if old is None or "layer" not in old.columns:
        return new
    keep = old[old["layer"].astype(str) != layer]
    if keep.empty:
        return new
    return pd.concat([keep, new], ignore_index=True)


def _read_old_csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return read_csv(path, dtype={"zone_id": str, "candidate_id": str})
    except InputError:
        return None


def write_siting_outputs(sr: SitingRunResult, out_dir: str | Path) -> Path:
    """Write the siting outputs into ``out_dir`` atomically (other files are left alone).

    Siting one layer keeps the rows of other layers sited earlier into the same directory
    (each table has a ``layer`` column; ``siting_report.json`` maps layer -> report), so
    the map shows the proposed sites of every layer.
    """
    out_dir = Path(out_dir)
    layer = sr.layer
    old_gpkg = None
    if (out_dir / "proposed_sites.gpkg").is_file():
        try:
            old_gpkg = gpd.read_file(out_dir / "proposed_sites.gpkg", layer="proposed_sites")
            old_gpkg["zone_id"] = old_gpkg["zone_id"].astype(str)
            old_gpkg["candidate_id"] = old_gpkg["candidate_id"].astype(str)
        except Exception:  # noqa: BLE001 - an unreadable old file is replaced
            old_gpkg = None
    sites = _merge(old_gpkg, sr.sites, layer)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=4326)
    before_after = _merge(_read_old_csv(out_dir / "siting_before_after.csv"),
                          sr.before_after, layer)
    curve = _merge(_read_old_csv(out_dir / "siting_curve.csv"), sr.curve, layer)
    reports: dict[str, Any] = {}
    rp = out_dir / "siting_report.json"
    if rp.is_file():
        try:
            old = json.loads(rp.read_text(encoding="utf-8"))
            if isinstance(old, dict) and all(isinstance(v, dict) for v in old.values()):
                reports = {k: v for k, v in old.items() if k != layer}
        except (ValueError, OSError):
            reports = {}
    reports[layer] = sr.report
    with atomic_output_dir(out_dir) as tmp:
        write_csv(pd.DataFrame(sites.drop(columns="geometry")), tmp / "proposed_sites.csv")
        sites.to_file(tmp / "proposed_sites.gpkg", layer="proposed_sites", driver="GPKG")
        write_csv(before_after, tmp / "siting_before_after.csv")
        write_csv(curve, tmp / "siting_curve.csv")
        write_json(reports, tmp / "siting_report.json")
    sr.out_dir = out_dir
    return out_dir


def run_siting(
    cfg: Config,
    *,
    layer: str,
    year: int | None = None,
    max_sites: int | None = None,
    out_dir: Path | None = None,
    result: Any = None,
    target_rate: float | None = None,
    minutes: float | None = None,
    indicator: str | None = None,
    zone_cap: int | None = None,
    budget: float | None = None,
    capacity: bool = False,
    method: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> SitingRunResult:
    """Load-compute-site-write: the ``circle15 site`` command.

    Parameters
    ----------
    cfg : Config
    layer : str
        Layer key to site.
    year : int, optional
        Target year (default ``cfg.targets.year``).
    max_sites : int, optional
        Default ``cfg.siting.max_sites``.
    out_dir : Path, optional
        Default ``cfg.output.dir``.
    result : RunResult, optional
        A computed run to reuse (otherwise :func:`circle15.run.compute.compute` runs).
    target_rate, minutes, indicator, zone_cap, budget, capacity, method, progress
        See :func:`site`.

    Returns
    -------
    SitingRunResult
    """
    out = Path(out_dir) if out_dir is not None else cfg.output.dir
    if out is None:
        raise InputError("no output directory: pass --out DIR or set [output] dir",
                         key="output.dir", file=cfg.path)
    if year is not None and year != cfg.targets.year:
        cfg = dataclasses.replace(cfg, targets=dataclasses.replace(cfg.targets, year=year))
    if result is None:
        from circle15.run.compute import compute

        result = compute(cfg, progress)
    elif year is not None and result.targets is not None and \
            result.targets.attrs.get("year", year) != year:
        result = dataclasses.replace(result, config=cfg,
                                     targets=_recompute_targets(result, year))
    sr = site(result, layer, max_sites=max_sites, target_rate=target_rate, minutes=minutes,
              indicator=indicator, zone_cap=zone_cap, budget=budget, capacity=capacity,
              method=method, progress=progress)
    if progress:
        progress("writing outputs")
    write_siting_outputs(sr, out)
    return sr
