"""The whole computation, in memory: inputs → network → links → times → coverage → targets.

:func:`compute` runs the stages in order and returns a :class:`~circle15.run.result.RunResult`
(no files written). Each stage below is a short function that reads the :class:`Config`,
calls the stage packages with plain arguments, and records what it found in the report;
the numbers come from the same public functions that scripts call (``circle15.travel_times``,
``circle15.coverage``, ...).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from circle15.config import Config
from circle15.coverage.capacity import capacity_table
from circle15.coverage.nearest import facility_labels, layer_times
from circle15.coverage.travel import SourceGraph
from circle15.coverage.zonal import admin_coverage, coverage_table
from circle15.facilities import Layer
from circle15.geo.routing.context import main_streets
from circle15.geo.routing.linking import Links, link_report
from circle15.geo.routing.network import RoutingNetwork
from circle15.run import options, provenance, qa
from circle15.run.cache_links import LinkCache, link_cache_dir
from circle15.run.problems import check_linking, find_problems, problems_json
from circle15.run.result import RunResult
from circle15.run.standards import StandardsInputs, load_run_catalogue
from circle15.vocab import county_name

log = logging.getLogger(__name__)

#: A progress callback: called with a stage name when it starts.
Progress = Callable[[str], None]


@dataclass
class _Clock:
    """Times stages and reports their start to the progress callback."""

    progress: Progress | None
    timings: dict[str, float] = field(default_factory=dict)
    start: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name)
        log.info("%s ...", name)
        t0 = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - t0, 3)
        log.info("%s done in %.2f s", name, self.timings[name])


def read_zones(cfg: Config) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """The townships: the zones file, or OpenStreetMap boundaries of ``area.place``."""
    from circle15.geo.areas import load_zones, zones_from_osm
    from circle15.geo.streets.download import default_cache_dir

    if cfg.area.zones is None and cfg.area.place:
        return zones_from_osm(cfg.area.place, cfg.network.cache_dir or default_cache_dir())
    return load_zones(options.zone_source(cfg))


def _network(cfg: Config, area: BaseGeometry) -> tuple[RoutingNetwork, dict[str, Any]]:
    """The prepared routing network: from the prepared-network cache when the same file was
    prepared the same way before (``[network] cache``), else built and cached."""
    from circle15.geo.routing import access_speed, load_network
    from circle15.geo.routing.cache import cached_network, network_cache_dir, network_key

    n = cfg.network

    def build() -> tuple[RoutingNetwork, dict[str, Any]]:
        net = load_network(n.source, mode=n.mode, speed_kmh=n.speed_kmh, area=area,
                           crs=n.crs or None, buffer_m=cfg.area.buffer_m,
                           cache_dir=n.cache_dir, undirected=n.undirected,
                           speeds_by_class=n.speeds_by_class)
        return net, net.report

    if not n.cache:
        return build()
    key = network_key(n.source, clip=area, access_speed=access_speed(n.mode, n.speed_kmh),
                      mode=n.mode, speed_kmh=n.speed_kmh, crs=n.crs or None,
                      buffer_m=cfg.area.buffer_m, undirected=n.undirected,
                      speeds_by_class=n.speeds_by_class)
    built = cached_network(key, build, network_cache_dir(n.cache_dir))
    assert isinstance(built, tuple)  # build returns (network, report)
    return built


def read_facilities(cfg: Config, area: BaseGeometry, zones: gpd.GeoDataFrame
                    ) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame | None, dict]:
    """Every facility layer, placed in its township (and village, with a villages table)."""
    from circle15.facilities import load_layers
    from circle15.geo.areas import assign_zones, load_villages, match_villages

    fac, issues = load_layers(options.layer_sources(cfg), area, strict=cfg.coverage.strict)
    fac = fac.reset_index(drop=True)
    fac["zone_id"] = assign_zones(fac.to_crs(zones.crs), zones)
    fac["outside"] = (fac["zone_id"] == "").to_numpy(bool)
    if cfg.area.villages is None:
        return fac, issues, None, {}
    villages = load_villages(cfg.area.villages, zones, crs=cfg.area.villages_crs)
    fac["village_id"], matched = match_villages(fac, villages)
    return fac, issues, villages, {"villages": len(villages), "facilities": matched}


def read_population(cfg: Config, zones: gpd.GeoDataFrame, net: RoutingNetwork | None
                    ) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """People as origin points (zone totals are spread over the network's nodes)."""
    from circle15.geo.population import load_population

    nodes = None
    if net is not None and cfg.population.kind == "zone_totals":
        nodes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(net.x, net.y), crs=net.crs)
    src = options.population_source(cfg)
    if nodes is not None or not cfg.network.cache:
        origins, report = load_population(src, zones, nodes=nodes)
        return origins.reset_index(drop=True), report
    from circle15.geo.population.cache import cached_population, population_key
    from circle15.geo.routing.cache import network_cache_dir

    origins, report = cached_population(population_key(src, zones),
                                        lambda: load_population(src, zones),
                                        network_cache_dir(cfg.network.cache_dir))
    return origins.reset_index(drop=True), report


def read_compounds(cfg: Config, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The residential compounds (``area.compounds``), or ``None``."""
    if cfg.area.compounds is None:
        return None
    from circle15.geo.areas import load_compounds

    return load_compounds(cfg.area.compounds, zones, crs=cfg.area.compounds_crs)


def needs_network_for_population(cfg: Config) -> bool:
    """Whether the population is placed on the network's nodes (``zone_totals``)."""
    return cfg.population.kind == "zone_totals"


def _link(cfg: Config, net: RoutingNetwork, fac: gpd.GeoDataFrame,
          origins: gpd.GeoDataFrame) -> tuple[Links, Links, dict[str, Any]]:
    links = LinkCache(net, link_cache_dir(cfg))  # a warm rerun reads the same links back
    fac_links = links.link(fac, cfg.network.max_link_m)
    org_links = links.link(origins, cfg.network.max_link_m)
    fac["linked"] = fac_links.linked
    fac["link_m"] = np.round(fac_links.offset, 1)
    report = {
        "facilities": {lay.key: link_report(fac_links.subset((fac["layer"] == lay.key)
                                                             .to_numpy()))
                       for lay in cfg.layers},
        "population": {**link_report(org_links),
                       "people_not_linked": float(origins.loc[~org_links.linked,
                                                              "population"].sum())},
    }
    return fac_links, org_links, report


def counted_layers(cfg: Config, fac: gpd.GeoDataFrame) -> np.ndarray:
    """Each facility's layer, ``""`` for one outside the area that is not counted."""
    counted = ~fac["outside"].to_numpy(bool) | cfg.coverage.count_outside
    return np.where(counted, fac["layer"].to_numpy(dtype=object), "")


def _outside_report(cfg: Config, fac: gpd.GeoDataFrame) -> dict[str, Any]:
    return {"facilities": int(fac["outside"].sum()), "total": len(fac),
            "counted": cfg.coverage.count_outside}


def _travel_times(cfg: Config, net: RoutingNetwork, fac: gpd.GeoDataFrame, fac_links: Links,
                  origins: gpd.GeoDataFrame, org_links: Links) -> dict[str, np.ndarray]:
    """``t_<layer>``/``f_<layer>`` columns on ``origins``; minutes per layer."""
    graph = SourceGraph(net, fac_links)  # one matrix for every layer and township
    cutoff = 60.0 * max(cfg.coverage.thresholds)
    own = cfg.coverage.own_zone_only
    zones = ((fac["zone_id"].astype(str).to_numpy(), origins["zone_id"].astype(str).to_numpy())
             if own else (None, None))
    layer_of = counted_layers(cfg, fac)
    ids = fac["facility_id"].to_numpy()
    minutes = {}
    for lay in cfg.layers:
        res = layer_times(graph, layer_of, fac_links, lay.key, org_links, cutoff,
                          fac_zone=zones[0], org_zone=zones[1])
        origins[f"t_{lay.key}"] = minutes[lay.key] = res.minutes
        origins[f"f_{lay.key}"] = facility_labels(ids, res.nearest)
    return minutes


def _coverage(cfg: Config, layers: list[Layer], origins: gpd.GeoDataFrame,
              minutes: dict[str, np.ndarray], zones: gpd.GeoDataFrame
              ) -> pd.DataFrame:
    groups = {lay.key: lay.group for lay in layers}
    required = [lay.key for lay in layers if lay.required]
    return coverage_table(origins, minutes, zones, cfg.coverage.thresholds, layer_groups=groups,
                          required=required,
                          county_name=county_name(cfg.project.synthetic, cfg.output.lang))


def _zone_population(layers: list[Layer], origins: gpd.GeoDataFrame,
                     zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from circle15.geo.population import zone_population

    groups = sorted({lay.group for lay in layers} - {"total"})
    zpop = zone_population(origins, zones, groups)
    return zones.merge(zpop.drop(columns=["zone_name"], errors="ignore"), on="zone_id",
                       how="left")


def load_plan_for(cfg: Config) -> Any:
    """The config's plan, checked against the target year (``None`` without a plan)."""
    if not cfg.targets.enabled:
        return None
    from circle15.coverage.plan import check_year, load_plan

    plan = load_plan(cfg.targets.plan)
    check_year(plan, cfg.targets.year)
    return plan


def reported_values(cfg: Config, plan: Any) -> pd.DataFrame | None:
    """The ``[targets] reported`` values, checked against the plan (``None`` when none)."""
    if plan is None or cfg.targets.reported is None:
        return None
    from circle15.coverage.plan import read_reported

    return read_reported(cfg.targets.reported, plan)


def _targets(cfg: Config, plan: Any, reported: pd.DataFrame | None, cov: pd.DataFrame,
             zones: gpd.GeoDataFrame, fac: gpd.GeoDataFrame, villages: pd.DataFrame | None
             ) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The selected year's targets and every plan year's (``None`` without a plan)."""
    if plan is None:
        return None, None
    from circle15.coverage.plan import evaluate_all_years

    every = evaluate_all_years(
        plan, coverage=cov, zones=pd.DataFrame(zones.drop(columns="geometry")),
        facilities=pd.DataFrame(fac.drop(columns="geometry")), villages=villages,
        reported=reported, county_name=county_name(cfg.project.synthetic, cfg.output.lang))
    selected = every[every["year"] == cfg.targets.year].reset_index(drop=True)
    selected.attrs = {**every.attrs, "year": cfg.targets.year}
    return selected, every


def _village_targets(plan: Any, fac: gpd.GeoDataFrame, villages: pd.DataFrame | None,
                     origins: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Village-level indicators village by village, with each village's residents when
    the points name their village (``None`` without a plan)."""
    if plan is None:
        return None
    from circle15.coverage.plan import village_targets

    if villages is not None and "village_id" in origins:
        people = origins.groupby(origins["village_id"].astype(str))["population"].sum()
        villages = villages.assign(population=villages["village_id"].astype(str).map(people))
    return village_targets(plan, facilities=pd.DataFrame(fac.drop(columns="geometry")),
                           villages=villages)


def _isochrones(net: RoutingNetwork, layer_of: np.ndarray, fac_links: Links,
                thresholds: tuple[float, ...]) -> gpd.GeoDataFrame:
    from circle15.coverage.isochrones import layer_isochrones

    return layer_isochrones(net, fac_links, layer_of, list(thresholds))


def _standards(cfg: Config, cat: Any, si: Any, area: BaseGeometry
               ) -> tuple[pd.DataFrame | None, dict[str, Any] | None]:
    """The standards table (``None`` with ``standards.catalogue = "none"``)."""
    from circle15.run.standards import judge_standards, other_mode_config

    if cat is None:
        return None, None
    return judge_standards(cfg, cat, si,
                           lambda mode: _network(other_mode_config(cfg, mode), area)[0])


def compute(cfg: Config, progress: Progress | None = None) -> RunResult:
    """Run every stage in memory.

    Parameters
    ----------
    cfg : Config
        The validated configuration (:func:`circle15.load_config`).
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
    clock = _Clock(progress)
    report: dict[str, Any] = {}
    layers = options.layers(cfg)
    keys = [lay.key for lay in layers]
    with clock.stage("zones"):
        zones, report["zones"] = read_zones(cfg)
        area = shapely.union_all(zones.geometry.values)
    # every input that can be checked without the network, before the network stage
    with clock.stage("facilities"):
        fac, issues, villages, village_report = read_facilities(cfg, area, zones)
        if village_report:
            report["villages"] = village_report
    late_population = needs_network_for_population(cfg)
    if not late_population:
        with clock.stage("population"):
            origins, report["population"] = read_population(cfg, zones, None)
    plan = load_plan_for(cfg)
    reported = reported_values(cfg, plan)
    catalogue = load_run_catalogue(cfg)
    compounds = read_compounds(cfg, zones)
    with clock.stage("network"):
        net, report["network"] = _network(cfg, area)
    if late_population:
        with clock.stage("population"):
            origins, report["population"] = read_population(cfg, zones, net)
    with clock.stage("linking"):
        fac_links, org_links, report["linking"] = _link(cfg, net, fac, origins)
        issues = qa.link_issues(fac, issues, cfg)
        qa.require_linked(fac, cfg)
        check_linking(float(origins["population"].sum()),
                      report["linking"]["population"]["people_not_linked"], len(fac),
                      int((~fac["linked"]).sum()), cfg.coverage.max_unlinked_share)
        report["gcj02_suspects"] = qa.gcj02_suspects(fac, net, cfg)
    with clock.stage("travel times"):
        minutes = _travel_times(cfg, net, fac, fac_links, origins, org_links)
    with clock.stage("coverage"):
        cov = _coverage(cfg, layers, origins, minutes, zones)
        admin = admin_coverage(fac, zones, keys)
        zones = _zone_population(layers, origins, zones)
    layer_of = counted_layers(cfg, fac)
    with clock.stage("capacity"):
        capacity = capacity_table(net, fac.assign(layer=layer_of), fac_links, origins,
                                  org_links, zones, {lay.key: lay.group for lay in layers},
                                  60.0 * cfg.coverage.sfca_minutes)
    with clock.stage("standards"):
        standards, report["standards"] = _standards(cfg, catalogue, StandardsInputs(
            net, fac, fac_links, origins, org_links, zones, villages, layers,
            layer_of != "", compounds), area)
    with clock.stage("targets"):
        targets, targets_all = _targets(cfg, plan, reported, cov, zones, fac, villages)
        village_rows = _village_targets(plan, fac, villages, origins)
    with clock.stage("context"):
        streets = main_streets(net)
    isochrones = None
    if cfg.coverage.isochrones:
        with clock.stage("isochrones"):
            isochrones = _isochrones(net, layer_of, fac_links, cfg.coverage.thresholds)
    clock.timings["total"] = round(time.perf_counter() - clock.start, 3)
    report.update({"params": provenance.params(cfg, net.crs),
                   "layers": [dataclasses.asdict(lay) for lay in layers],
                   "facility_qa": qa.facility_qa(fac, issues, keys),
                   "admin_coverage": admin.to_dict(orient="records"),
                   "outside_facilities": _outside_report(cfg, fac),
                   "timings_s": clock.timings, "versions": provenance.versions()})
    report["data_problems"] = problems_json(find_problems(report, origins))
    return RunResult(config=cfg, zones=zones, network=net, facilities=fac,
                     facility_issues=issues, origins=origins, origin_links=org_links,
                     facility_links=fac_links, coverage=cov, admin=admin, layers=layers,
                     targets=targets, targets_all=targets_all, capacity=capacity,
                     village_targets=village_rows,
                     standards=standards,
                     streets=streets, isochrones=isochrones, report=report)
