"""The whole run: inputs → network → links → travel times → coverage → targets → outputs.

:func:`compute` does the work and returns a :class:`RunResult` (pure: no files written);
:func:`write_outputs` writes every output atomically; :func:`run` does both. Each stage lives
in its own module; this file only wires them together and records provenance.
"""

from __future__ import annotations

import datetime as _dt
import logging
import platform
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from circle15 import __version__
from circle15.config import Config
from circle15.coverage.travel import SourceGraph, nearest_facility
from circle15.coverage.zonal import admin_coverage, coverage_table
from circle15.errors import InputError
from circle15.geo.routing.linking import Links, SegmentIndex, link_report, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.geo.streets.project import projected_xy
from circle15.geo.areas.villages import load_villages, match_villages
from circle15.io import atomic_output_dir, file_sha256, write_csv, write_json
from circle15.report.labels import county_name

log = logging.getLogger(__name__)

#: A progress callback: called with a stage name when it starts.
Progress = Callable[[str], None]

_VERSIONED = ("numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj", "networkx",
              "osmnx", "folium", "pyrosm", "openpyxl")


@dataclass
class RunResult:
    """Everything a run computed, in memory.

    Attributes
    ----------
    config : Config
    zones : geopandas.GeoDataFrame
        EPSG:4326; ``zone_id``, ``zone_name``, population columns, geometry.
    network : RoutingNetwork
    facilities : geopandas.GeoDataFrame
        EPSG:4326, all layers, with ``zone_id`` and ``linked``.
    facility_issues : pandas.DataFrame
    origins : geopandas.GeoDataFrame
        EPSG:4326, with ``t_<layer>`` minutes (``inf`` = beyond the largest threshold).
    origin_links, facility_links : Links
    coverage : pandas.DataFrame
        ``coverage_by_zone`` table.
    admin : pandas.DataFrame
        Administrative coverage per layer.
    targets : pandas.DataFrame or None
    layers : list of dict
        Layer specs (key, labels, colour, icon, group).
    report : dict
        Provenance and QA for ``run.json``.
    """

    config: Config
    zones: gpd.GeoDataFrame
    network: RoutingNetwork
    facilities: gpd.GeoDataFrame
    facility_issues: pd.DataFrame
    origins: gpd.GeoDataFrame
    origin_links: Links
    facility_links: Links
    coverage: pd.DataFrame
    admin: pd.DataFrame
    targets: pd.DataFrame | None
    layers: list[dict]
    streets: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    report: dict[str, Any] = field(default_factory=dict)
    #: Siting results (``circle15.run.siting.SitingRunResult``) for ``[siting] layers``.
    siting: list = field(default_factory=list)
    #: Capacity per 1,000 people and 2SFCA per zone for layers with capacities.
    capacity: pd.DataFrame | None = None
    #: The targets of every plan year (``year`` column); ``targets`` is the selected year.
    targets_all: pd.DataFrame | None = None

    @property
    def params(self) -> dict[str, Any]:
        """Run parameters shown on maps and reports."""
        return self.report["params"]


@contextmanager
def _stage(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    if progress:
        progress(name)
    log.info("%s ...", name)
    t0 = time.perf_counter()
    yield
    timings[name] = round(time.perf_counter() - t0, 3)
    log.info("%s done in %.2f s", name, timings[name])


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "circle15": __version__}
    for pkg in _VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def _input_files(cfg: Config) -> list[Path]:
    files = [cfg.path, cfg.area.zones, cfg.area.villages, cfg.population.source,
             cfg.population.totals, cfg.targets.reported, cfg.siting.candidates]
    files += [lay.source for lay in cfg.layers]
    src = cfg.network.source
    if src and not src.startswith(("place:", "polygon:")):
        files.append(Path(src))
    return [Path(f) for f in files if f is not None and Path(f).is_file()]


def _layer_specs(cfg: Config) -> list[dict]:
    from circle15.facilities.schema import layer_spec

    defined = {"total", *cfg.population.groups, *cfg.population.group_shares}
    specs = []
    for lay in cfg.layers:
        s = layer_spec(lay)
        group = lay.group or (s.default_group if s.default_group in defined else "total")
        specs.append({"key": s.key, "label_zh": s.label_zh, "label_en": s.label_en,
                      "color": s.color, "icon": s.icon, "group": group,
                      "required": lay.required})
    return specs


def _streets(net: RoutingNetwork) -> gpd.GeoDataFrame:
    """Main streets for map context (all streets when the graph has no road classes)."""
    main = np.isin(net.seg_highway.astype(str),
                   ["motorway", "trunk", "primary", "secondary", "tertiary"])
    if main.sum() < 50:
        main = np.ones(net.n_segments, bool)
    geom = shapely.simplify(net.seg_geometry[main], 5.0)
    gdf = gpd.GeoDataFrame({"highway": net.seg_highway[main].astype(str)}, geometry=geom,
                           crs=net.crs)
    return gdf.to_crs(4326)


def compute(cfg: Config, progress: Progress | None = None) -> RunResult:
    """Run every stage in memory.

    Parameters
    ----------
    cfg : Config
        The validated configuration.
    progress : callable, optional
        Called with each stage name as it starts (the CLI drives a progress bar with it).

    Returns
    -------
    RunResult

    Raises
    ------
    InputError
        For any input the user must fix.
    """
    from circle15.geo.population import (
        assign_zones,
        load_population,
        zone_population,
    )
    from circle15.facilities.loaders import load_layers
    from circle15.geo.streets.prepare import prepare_network
    from circle15.geo.areas.zones import load_zones

    timings: dict[str, float] = {}
    report: dict[str, Any] = {}
    t_start = time.perf_counter()
    layers = _layer_specs(cfg)
    layer_groups = {s["key"]: s["group"] for s in layers}

    with _stage("zones", timings, progress):
        if cfg.area.zones is None and cfg.area.place:
            from circle15.geo.streets.sources import default_cache_dir
            from circle15.geo.areas.zones import zones_from_osm

            zones, zone_report = zones_from_osm(
                cfg.area.place, cfg.network.cache_dir or default_cache_dir())
        else:
            zones, zone_report = load_zones(cfg.area)
        study_area = shapely.union_all(zones.geometry.values)
        report["zones"] = zone_report

    with _stage("network", timings, progress):
        G, crs, net_report = prepare_network(cfg, study_area)
        net = RoutingNetwork.from_graph(G, access_speed=_access_speed(cfg), crs=crs)
        del G
        report["network"] = {**net_report, "segments": net.n_segments,
                             "km": round(net.total_km, 3)}

    with _stage("facilities", timings, progress):
        fac, fac_issues = load_layers(cfg, study_area)
        fac = fac.reset_index(drop=True)
        fac["zone_id"] = assign_zones(fac.to_crs(zones.crs), zones)
        villages = None
        if cfg.area.villages is not None:
            villages = load_villages(cfg.area.villages, zones)
            fac["village_id"], matched = match_villages(fac, villages)
            report["villages"] = {"villages": len(villages), "facilities": matched}

    with _stage("population", timings, progress):
        nodes = None
        if cfg.population.kind == "zone_totals":
            nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(net.x, net.y), crs=net.crs)
        origins, pop_report = load_population(cfg.population, zones, nodes=nodes)
        origins = origins.reset_index(drop=True)
        report["population"] = pop_report

    with _stage("linking", timings, progress):
        index = SegmentIndex(net, usable_segments(net))
        fac_links = index.link(projected_xy(fac, crs), max_distance=cfg.network.max_link_m)
        org_links = index.link(projected_xy(origins, crs), max_distance=cfg.network.max_link_m)
        fac["linked"] = fac_links.linked
        fac["link_m"] = np.round(fac_links.offset, 1)
        fac_issues = _link_issues(fac, fac_issues, cfg)
        if cfg.coverage.strict and (~fac_links.linked).any():
            row = fac[~fac_links.linked].iloc[0]
            raise InputError(
                f"facility {row['name']!r} is farther than {cfg.network.max_link_m:g} m from "
                "any usable street", file=cfg.layer(row["layer"]).source,
                row=int(row["source_row"]), hint="fix its coordinates or raise "
                "network.max_link_m")
        report["linking"] = {
            "facilities": {k: link_report(fac_links.subset((fac["layer"] == k).to_numpy()))
                           for k in layer_groups},
            "population": {**link_report(org_links),
                           "people_not_linked": float(origins.loc[~org_links.linked,
                                                                  "population"].sum())},
        }
        _warn_gcj02(fac, net, cfg, report)

    cutoff = 60.0 * max(cfg.coverage.thresholds)
    minutes: dict[str, np.ndarray] = {}
    with _stage("travel times", timings, progress):
        graph = SourceGraph(net, fac_links)  # one matrix for every layer and township
        for key in layer_groups:
            minutes[key], nearest = layer_minutes(graph, fac, fac_links, origins, org_links,
                                                   key, cutoff, cfg.coverage.own_zone_only)
            origins[f"t_{key}"] = minutes[key]
            origins[f"f_{key}"] = np.where(
                nearest >= 0, fac["facility_id"].to_numpy()[np.maximum(nearest, 0)], "")

    groups = sorted({g for g in layer_groups.values() if g != "total"})
    with _stage("coverage", timings, progress):
        county = county_name(cfg.project.synthetic, cfg.output.lang)
        required = [s["key"] for s in layers if s["required"]]
        cov = coverage_table(origins, minutes, zones, cfg.coverage.thresholds,
                             layer_groups=layer_groups, required=required, county_name=county)
        admin = admin_coverage(fac, zones, list(layer_groups))
        zpop = zone_population(origins, zones, groups)
        zones = zones.merge(zpop.drop(columns=["zone_name"], errors="ignore"), on="zone_id",
                            how="left")

    with _stage("capacity", timings, progress):
        capacity = capacity_table(net, fac, fac_links, origins, org_links, zones, layers,
                                  60.0 * cfg.coverage.sfca_minutes)

    with _stage("targets", timings, progress):
        from circle15.coverage.plan.evaluate import evaluate_targets, load_plan, read_reported

        plan = load_plan(cfg.targets.plan)
        reported = (read_reported(cfg.targets.reported, plan) if cfg.targets.reported
                    else None)
        inputs = dict(coverage=cov, zones=pd.DataFrame(zones.drop(columns="geometry")),
                      facilities=pd.DataFrame(fac.drop(columns="geometry")),
                      villages=villages, reported=reported)
        # every plan year (the map switches between them); the selected one for the rest
        targets = evaluate_targets(plan, cfg.targets.year, **inputs)
        by_year = {y: targets if y == cfg.targets.year else evaluate_targets(plan, y, **inputs)
                   for y in plan.years}
        targets_all = pd.concat([by_year[y] for y in sorted(by_year)], ignore_index=True)
        targets_all.attrs = dict(targets.attrs)

    with _stage("context", timings, progress):
        streets = _streets(net)

    isochrones = None
    if cfg.coverage.isochrones:
        with _stage("isochrones", timings, progress):
            from circle15.coverage.isochrones import layer_isochrones

            isochrones = layer_isochrones(net, fac_links, fac["layer"].to_numpy(),
                                          cfg.coverage.thresholds)

    timings["total"] = round(time.perf_counter() - t_start, 3)
    report.update({
        "params": _params(cfg, crs),
        "layers": layers,
        "facility_qa": _facility_qa(fac, fac_issues, layer_groups),
        "admin_coverage": admin.to_dict(orient="records"),
        "timings_s": timings,
        "versions": _versions(),
    })
    return RunResult(cfg, zones, net, fac, fac_issues, origins, org_links, fac_links, cov,
                     admin, targets, layers, streets, isochrones, report, capacity=capacity,
                     targets_all=targets_all)


def capacity_table(net: RoutingNetwork, fac: gpd.GeoDataFrame, fac_links: Links,
                   origins: gpd.GeoDataFrame, org_links: Links, zones: gpd.GeoDataFrame,
                   layers: list[dict], catchment_s: float) -> pd.DataFrame:
    """Capacity indicators per zone for every layer whose facilities have capacities.

    ``per_1000_total`` is capacity per 1,000 residents (the plan's 托位 indicator);
    ``per_1000_group`` per 1,000 of the layer's own group; ``sfca_per_1000`` the two-step
    floating catchment supply per 1,000 of the group within ``catchment_s`` on the network.
    """
    from circle15.coverage.capacity import capacity_per_1000, sfca_by_zone, two_step_fca

    fac_df = pd.DataFrame(fac.drop(columns="geometry"))
    zone_df = pd.DataFrame(zones.drop(columns="geometry"))
    zone_ids = zone_df["zone_id"].astype(str).tolist()
    parts = []
    for spec in layers:
        key, group = spec["key"], spec["group"]
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
    cols = ["zone_id", "layer", "group", "facilities", "capacity", "capacity_missing",
            "population", "per_1000_total", "group_population", "per_1000_group",
            "sfca_minutes", "sfca_per_1000"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _access_speed(cfg: Config) -> float:
    """Speed (m/s) of the straight leg between a point and the street: walking for drive."""
    if cfg.network.mode == "drive":
        return 4.5 / 3.6
    return cfg.network.speed_mps


def layer_minutes(graph: SourceGraph, fac: gpd.GeoDataFrame, fac_links: Links,
                   origins: gpd.GeoDataFrame, org_links: Links, key: str, cutoff: float,
                   own_zone_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """Minutes to the nearest facility of ``key`` per origin, and that facility's row.

    With ``own_zone_only`` each origin only counts facilities in its own zone.
    """
    in_layer = (fac["layer"] == key).to_numpy()
    seconds = np.full(len(origins), np.inf)
    nearest = np.full(len(origins), -1, np.int64)
    if own_zone_only:
        zone_of_origin = origins["zone_id"].astype(str).to_numpy()
        for z in np.unique(zone_of_origin):
            sel_f = np.flatnonzero(in_layer & (fac["zone_id"].to_numpy() == z))
            sel_o = np.flatnonzero(zone_of_origin == z)
            if not len(sel_f) or not len(sel_o):
                continue
            r = nearest_facility(graph.net, fac_links.subset(sel_f), org_links.subset(sel_o),
                                 cutoff, graph=graph, which=sel_f)
            seconds[sel_o] = r.seconds
            nearest[sel_o] = np.where(r.facility >= 0, sel_f[np.maximum(r.facility, 0)], -1)
    else:
        sel_f = np.flatnonzero(in_layer)
        r = nearest_facility(graph.net, fac_links.subset(sel_f), org_links, cutoff,
                             graph=graph, which=sel_f)
        seconds = r.seconds
        nearest = np.where(r.facility >= 0, sel_f[np.maximum(r.facility, 0)], -1)
    return seconds / 60.0, nearest


def _link_issues(fac: gpd.GeoDataFrame, issues: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    bad = fac[~fac["linked"]]
    if bad.empty:
        return issues
    extra = pd.DataFrame({
        "file": [str(cfg.layer(k).source) for k in bad["layer"]],
        "row": bad["source_row"].astype(int).to_numpy(),
        "column": "",
        "layer": bad["layer"].to_numpy(),
        "issue": "not_linked",
        "message": [f"{n}: no usable street within {cfg.network.max_link_m:g} m; not counted"
                    for n in bad["name"]],
        "action": "skipped",
    })
    return pd.concat([issues, extra], ignore_index=True)


def _warn_gcj02(fac: gpd.GeoDataFrame, net: RoutingNetwork, cfg: Config, report: dict) -> None:
    """Flag layers that look like undeclared GCJ-02 (300-700 m off the streets)."""
    from circle15.geo.crs.convert import detect_gcj02_offset

    edges = gpd.GeoDataFrame(geometry=net.seg_geometry, crs=net.crs)
    found = {}
    for lay in cfg.layers:
        if lay.crs.lower() != "wgs84":
            continue
        pts = fac[fac["layer"] == lay.key]
        if len(pts) < 5:
            continue
        hit = detect_gcj02_offset(pts, edges, net.crs)
        if hit:
            found[lay.key] = hit
            log.warning("layer %s (%s): points sit off the streets in the GCJ-02 direction; "
                        "if the file comes from Amap/Gaode, set crs = \"gcj02\" for it",
                        lay.key, lay.source)
    report["gcj02_suspects"] = found


def _facility_qa(fac: gpd.GeoDataFrame, issues: pd.DataFrame, layer_keys) -> dict:
    qa = {}
    for key in layer_keys:
        f = fac[fac["layer"] == key]
        iss = issues[issues["layer"] == key] if len(issues) else issues
        qa[key] = {
            "used": int(f["linked"].sum()),
            "loaded": int(len(f)),
            "skipped": int((iss["action"] == "skipped").sum()) if len(iss) else 0,
            "merged_duplicates": int((iss["action"] == "merged").sum()) if len(iss) else 0,
            "warnings": int((iss["action"] == "warning").sum()) if len(iss) else 0,
            "not_linked": int((~f["linked"]).sum()),
        }
    return qa


def _params(cfg: Config, crs: str) -> dict[str, Any]:
    speed = cfg.network.speed_kmh if cfg.network.speed_kmh is not None else round(
        cfg.network.speed_mps * 3.6, 3)
    return {
        "title": cfg.project.title,
        "synthetic": cfg.project.synthetic,
        "data_date": cfg.project.data_date,
        "plan": cfg.targets.plan,
        "year": cfg.targets.year,
        "mode": cfg.network.mode,
        "speed_kmh": speed,
        "thresholds": list(cfg.coverage.thresholds),
        "own_zone_only": cfg.coverage.own_zone_only,
        "max_link_m": cfg.network.max_link_m,
        "crs": crs,
        "lang": cfg.output.lang,
        "generated_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "circle15_version": __version__,
    }


def reported_template(targets: pd.DataFrame) -> pd.DataFrame:
    """A CSV to fill in for ``[targets] reported``: one county row per indicator that only a
    reported value can measure and that has none yet (value left blank)."""
    t = targets[(targets["zone_id"] == "ALL") & (targets["kind"] == "reported")
                & (targets["status"] == "not_measurable")]
    return pd.DataFrame({"indicator_id": t["indicator_id"].to_numpy(),
                         "name_zh": t["name_zh"].to_numpy(), "unit": t["unit"].to_numpy(),
                         "zone_id": "ALL", "year": t["year"].to_numpy(), "value": ""})


def _extra_sheets(result: RunResult, lang: str) -> dict[str, pd.DataFrame]:
    zh = lang == "zh"
    sheets = {("行政覆盖" if zh else "Admin coverage"): result.admin}
    if result.capacity is not None and len(result.capacity):
        sheets["设施容量" if zh else "Capacity"] = result.capacity
    return sheets


def _origins_out(origins: gpd.GeoDataFrame, layer_keys) -> gpd.GeoDataFrame:
    out = origins.copy()
    for k in layer_keys:
        col = f"t_{k}"
        out[col] = np.where(np.isfinite(out[col]), np.round(out[col], 3), np.nan)
    return out


def write_outputs(result: RunResult, out_dir: str | Path) -> dict[str, Any]:
    """Write all outputs into ``out_dir`` atomically; return the final ``run.json`` content."""
    from circle15.report import write_briefing, write_workbook

    cfg = result.config
    lang = cfg.output.lang
    keys = [s["key"] for s in result.layers]
    report = dict(result.report)
    with atomic_output_dir(out_dir) as tmp:
        write_csv(result.coverage, tmp / "coverage_by_zone.csv")
        if result.targets is not None:
            every_year = result.targets_all if result.targets_all is not None else \
                result.targets
            write_csv(every_year, tmp / "targets_by_zone.csv")
            write_csv(reported_template(result.targets), tmp / "reported_template.csv")
        write_csv(result.facility_issues, tmp / "facility_issues.csv")
        write_csv(result.admin, tmp / "admin_coverage.csv")
        if result.capacity is not None and len(result.capacity):
            write_csv(result.capacity, tmp / "capacity_by_zone.csv")
        result.zones.to_file(tmp / "zones.geojson", driver="GeoJSON")
        fac = result.facilities.copy()
        fac.to_file(tmp / "facilities.geojson", driver="GeoJSON")
        _origins_out(result.origins, keys).to_file(tmp / "origins.gpkg", layer="origins",
                                                   driver="GPKG")
        if result.streets is not None:
            result.streets.to_file(tmp / "streets.geojson", driver="GeoJSON")
        if result.isochrones is not None and len(result.isochrones):
            result.isochrones.to_file(tmp / "isochrones.gpkg", layer="isochrones",
                                      driver="GPKG")
        siting = pd.concat([sr.before_after for sr in result.siting], ignore_index=True) \
            if result.siting else None
        if result.targets is not None:
            write_briefing(tmp, coverage=result.coverage, targets=result.targets,
                           targets_all=result.targets_all, params=result.params,
                           layers=result.layers, siting=siting,
                           siting_info={sr.layer: sr.report for sr in result.siting},
                           capacity=result.capacity, admin=result.admin, zones=result.zones,
                           facilities=result.facilities, lang=lang)
        else:
            write_workbook(tmp / "coverage.xlsx", coverage=result.coverage, params=result.params,
                           lang=lang, layers=result.layers,
                           extra_sheets={"admin": result.admin})
        report["inputs"] = [{"path": str(p), "sha256": file_sha256(p)}
                            for p in _input_files(cfg)]
        report["config"] = cfg.to_dict()
        # run.json first: the map reads params and layers from it
        write_json(report, tmp / "run.json")
        if result.siting:
            from circle15.run.siting import write_siting_outputs

            for sr in result.siting:
                write_siting_outputs(sr, tmp)
            report["siting"] = {sr.layer: sr.report for sr in result.siting}
        from circle15.maps import render_map, render_png

        minutes = cfg.map.minutes if cfg.map.minutes is not None else max(
            cfg.coverage.thresholds)
        mp = render_map(tmp, tmp / "map.html", layer=cfg.map.layer or keys[0],
                        minutes=minutes, lang=lang, basemap=cfg.map.basemap,
                        tianditu_key=cfg.map.tianditu_key)
        render_png(tmp, tmp / "coverage_map.png", layer=cfg.map.layer or keys[0],
                   minutes=minutes, lang=lang)
        report["outputs"] = {p.name: p.stat().st_size for p in sorted(tmp.iterdir())
                             if p.is_file()}
        report["map_html_mb"] = round(mp.stat().st_size / 1e6, 2)
        write_json(report, tmp / "run.json")
    return report


def run(cfg: Config, out_dir: str | Path | None = None, progress: Progress | None = None
        ) -> RunResult:
    """Compute and write a run. ``out_dir`` defaults to ``cfg.output.dir``."""
    out = Path(out_dir) if out_dir else cfg.output.dir
    if out is None:
        raise InputError("no output directory", key="output.dir",
                         file=cfg.path, hint="set [output] dir or pass --out")
    result = compute(cfg, progress)
    result.siting = site_layers(result, progress)
    if progress:
        progress("writing outputs")
    result.report = write_outputs(result, out)
    return result


def site_layers(result: RunResult, progress: Progress | None = None) -> list:
    """Propose sites for every layer in ``[siting] layers`` (see :mod:`circle15.run.siting`)."""
    sit = result.config.siting
    if not sit.layers:
        return []
    from circle15.run.siting import site

    out = []
    for layer in sit.layers:
        if progress:
            progress("siting")
        out.append(site(result, layer, max_sites=sit.max_sites, target_rate=sit.target_rate,
                        indicator=sit.indicator or None, zone_cap=sit.zone_cap,
                        budget=sit.budget, capacity=sit.capacity, method=sit.method))
    return out
