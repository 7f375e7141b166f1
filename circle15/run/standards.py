"""The standards stage of a run: every layer judged by its catalogue entries' circle levels.

Reads ``[standards]``; loads the catalogue (before the network, so a bad catalogue or
override fails fast); computes the travel times the criteria need — each further mode of
``standards.modes`` on its own prepared network, each walking-speed profile by scaling the
walking times (exact: on foot every street and the access leg share one speed), with a
cutoff at the largest threshold — then the village centres' times, the 2SFCA supply for the
capacity split, and the table of :func:`circle15.coverage.levels.standards_table`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from circle15.config import Config
from circle15.coverage.capacity import two_step_fca
from circle15.coverage.levels import Criterion, standards_table
from circle15.coverage.nearest import layer_times, link_points
from circle15.coverage.travel import SourceGraph
from circle15.errors import InputError
from circle15.facilities import Layer
from circle15.geo.areas import assign_compounds
from circle15.geo.routing.linking import Links, SegmentIndex, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.geo.streets.speeds import DEFAULT_SPEEDS_KMH, SPEED_PROFILES_KMH
from circle15.run import cache_links
from circle15.standards import Catalogue, load_catalogue
from circle15.standards.criteria import CriteriaOptions, RunLayer, entries_for, run_criteria
from circle15.vocab import county_name

#: Builds the prepared network of a travel mode (the run's own for its mode).
NetworkFor = Callable[[str], RoutingNetwork]


def load_run_catalogue(cfg: Config) -> Catalogue | None:
    """The run's catalogue with its overrides, checked against the layers (None when off).

    Raises
    ------
    InputError
        A missing or bad catalogue or override (file and key named), or a layer's
        ``standard`` naming no entry.
    """
    if not cfg.standards.enabled:
        return None
    cat = load_catalogue(cfg.standards.catalogue, cfg.standards.overrides or None,
                         overrides_file=cfg.path)
    for i, lay in enumerate(cfg.layers):
        for j, key in enumerate(lay.standard):
            if key not in cat.keys:
                raise InputError(f"no catalogue entry {key!r}", file=cfg.path,
                                 key=f"layers[{i}].standard[{j}]",
                                 hint=f"entries: {', '.join(cat.keys)}")
    return cat


def profile_kmh(cfg: Config) -> dict[str, float]:
    """Every speed profile's walking speed: the built-in ones and ``standards.speeds``."""
    return {**SPEED_PROFILES_KMH, **{k: float(v) for k, v in cfg.standards.speeds.items()}}


def walk_kmh(cfg: Config) -> float:
    """The run's walking speed (the network's when it is a walking network)."""
    if cfg.network.mode == "walk":
        return cfg.network.speed_mps * 3.6
    return DEFAULT_SPEEDS_KMH["walk"]


def criteria(cfg: Config, cat: Catalogue, layers: Sequence[Layer], classes_known: bool,
             groups: Sequence[str]) -> list[Criterion]:
    """The run's criteria (see :mod:`circle15.standards.criteria`)."""
    given = {lay.key: lay.standard for lay in cfg.layers}
    run_layers = [RunLayer(lay.key, lay.group, given.get(lay.key, ())) for lay in layers]
    modes = tuple(dict.fromkeys((cfg.network.mode, *cfg.standards.modes)))
    opts = CriteriaOptions(modes=modes, walk_kmh=walk_kmh(cfg),
                           profiles=dict(cfg.standards.profiles), groups=tuple(groups),
                           classes_known=classes_known,
                           household_size=cfg.standards.household_size, lang=cfg.output.lang)
    return run_criteria(cat, run_layers, opts)


def resident_classes(origins: gpd.GeoDataFrame, villages: pd.DataFrame | None,
                     crs: str) -> tuple[np.ndarray, str]:
    """Each point's urban–rural class and how it was found.

    From the point's own village (``village_id``) when given, else from the nearest village
    centre in the same township, else unknown (``""``).
    """
    n = len(origins)
    if villages is None or not (villages["urban_rural"] != "").any():
        return np.full(n, "", dtype=object), "none"
    cls = dict(zip(villages["village_id"], villages["urban_rural"], strict=True))
    if "village_id" in origins:
        return origins["village_id"].map(cls).fillna("").to_numpy(dtype=object), "village"
    placed = villages[np.isfinite(villages["lon"].to_numpy(float))]
    if placed.empty:
        return np.full(n, "", dtype=object), "none"
    out = np.full(n, "", dtype=object)
    vxy = gpd.GeoSeries(gpd.points_from_xy(placed["lon"], placed["lat"]), crs=4326).to_crs(crs)
    pxy = origins.geometry.to_crs(crs)
    for zid in placed["zone_id"].unique():
        vmask = (placed["zone_id"] == zid).to_numpy()
        pmask = (origins["zone_id"].astype(str) == zid).to_numpy()
        if not pmask.any():
            continue
        tree = cKDTree(np.column_stack([vxy.x.to_numpy()[vmask], vxy.y.to_numpy()[vmask]]))
        _, k = tree.query(np.column_stack([pxy.x.to_numpy()[pmask], pxy.y.to_numpy()[pmask]]))
        out[pmask] = placed["urban_rural"].to_numpy(dtype=object)[vmask][k]
    return out, "nearest_centre"


@dataclass
class _ModeTimes:
    """Times of one travel mode: its network, links and the per-layer minutes."""

    net: RoutingNetwork
    fac_links: Links
    org_links: Links
    village_links: Links | None


def _link_mode(net: RoutingNetwork, fac: gpd.GeoDataFrame, origins: gpd.GeoDataFrame,
               centres: gpd.GeoDataFrame | None, max_link_m: float,
               cache_dir: Path | None = None) -> _ModeTimes:
    """Facilities, points and village centres linked to another mode's network (the links
    from the link cache on a rerun: :class:`circle15.run.cache_links.LinkCache`)."""
    from circle15.run.cache_links import LinkCache

    links = LinkCache(net, cache_dir)
    return _ModeTimes(net, links.link(fac, max_link_m), links.link(origins, max_link_m),
                      links.link(centres, max_link_m) if centres is not None else None)


def _times(mt: _ModeTimes, which: Mapping[str, np.ndarray], cutoff_min: float,
           villages: bool) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Minutes over the points (and the village centres) per times key, from the facilities
    ``which[key]`` selects."""
    graph = SourceGraph(mt.net, mt.fac_links)
    out = {}
    for key, mask in which.items():
        sel = np.where(mask, key, "")
        pts = layer_times(graph, sel, mt.fac_links, key, mt.org_links, 60.0 * cutoff_min)
        vil = (layer_times(graph, sel, mt.fac_links, key, mt.village_links,
                           60.0 * cutoff_min).minutes
               if villages and mt.village_links is not None else None)
        out[key] = (pts.minutes, vil)
    return out


def _selections(si: StandardsInputs, crit: Sequence[Criterion]) -> dict[str, np.ndarray]:
    """Times key -> which facilities count for it (counted ones of its layer and types)."""
    layer = si.fac["layer"].to_numpy(dtype=object)
    sub = si.fac["subtype"].to_numpy(dtype=object) if "subtype" in si.fac else \
        np.full(len(si.fac), "", dtype=object)
    return {c.times_key: c.counts(layer, sub) & si.counted for c in crit}


def _scaled(times: dict[tuple[str, str, str], np.ndarray], crit: Sequence[Criterion],
            factor: Mapping[str, float]) -> dict[tuple[str, str, str], np.ndarray]:
    """Add each (layer, walk, profile) the criteria use, scaled from the walking times."""
    for c in crit:
        k = c.times_key
        if c.profile and (k, "walk", "") in times:
            times[(k, "walk", c.profile)] = times[(k, "walk", "")] * factor[c.profile]
    return times


@dataclass
class StandardsInputs:
    """What the standards stage takes from the rest of the run."""

    net: RoutingNetwork
    fac: gpd.GeoDataFrame
    fac_links: Links
    origins: gpd.GeoDataFrame
    org_links: Links
    zones: gpd.GeoDataFrame
    villages: pd.DataFrame | None
    layers: list[Layer]
    counted: np.ndarray
    compounds: gpd.GeoDataFrame | None = None


def _mode_times(cfg: Config, si: StandardsInputs, crit: Sequence[Criterion],
                network_for: NetworkFor, centres: gpd.GeoDataFrame | None
                ) -> tuple[dict, dict]:
    """Point and village-centre times for every (layer, mode, profile) the criteria use."""
    select = _selections(si, crit)
    base = walk_kmh(cfg)
    factor = {p: base / kmh for p, kmh in profile_kmh(cfg).items()}
    # a faster profile than the network's needs the walking times further out
    cutoff = max(c.minutes / min(1.0, factor.get(c.profile, 1.0)) for c in crit)
    pts: dict[tuple[str, str, str], np.ndarray] = {}
    vil: dict[tuple[str, str, str], np.ndarray] = {}
    for mode in dict.fromkeys(m for c in crit for m in c.modes):
        which = {k: select[k] for k in sorted({c.times_key for c in crit if mode in c.modes})}
        if mode == cfg.network.mode:
            mt = _ModeTimes(si.net, si.fac_links, si.org_links, None)
            if centres is not None:
                idx = SegmentIndex(si.net, usable_segments(si.net))
                mt.village_links = link_points(idx, centres, cfg.network.max_link_m)
        else:
            mt = _link_mode(network_for(mode), si.fac, si.origins, centres,
                            cfg.network.max_link_m, cache_links.link_cache_dir(cfg))
        for key, (t, tv) in _times(mt, which, cutoff, centres is not None).items():
            pts[(key, mode, "")] = t
            if tv is not None:
                vil[(key, mode, "")] = tv
    return _scaled(pts, crit, factor), _scaled(vil, crit, factor)


def _accessibility(cfg: Config, si: StandardsInputs, crit: Sequence[Criterion]
                   ) -> dict[int, np.ndarray]:
    """2SFCA supply per unit of the quota's demand, for criteria with a quota and capacities."""
    out = {}
    base = walk_kmh(cfg)
    kmh = profile_kmh(cfg)
    for i, c in enumerate(crit):
        if c.quota_rate is None:
            continue
        sel = np.flatnonzero(_selections(si, [c])[c.times_key])
        cap = si.fac["capacity"].to_numpy(float)[sel] if "capacity" in si.fac else np.array([])
        if not len(sel) or not np.isfinite(cap).any():
            continue
        demand = si.origins[c.quota_basis].to_numpy(float) * c.quota_rate
        scale = kmh[c.profile] / base if c.profile else 1.0
        out[i] = two_step_fca(si.net, si.fac_links.subset(sel), cap, si.org_links, demand,
                              60.0 * c.minutes * scale)
    return out


def _centres(villages: pd.DataFrame | None, origins: gpd.GeoDataFrame
             ) -> gpd.GeoDataFrame | None:
    """Village centres as points, when the points do not name their village."""
    if villages is None or "village_id" in origins:
        return None
    lon = villages["lon"].to_numpy(float)
    if not np.isfinite(lon).any():
        return None
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(np.nan_to_num(lon, nan=0.0),
                                                        np.nan_to_num(villages["lat"], nan=0.0)),
                            crs=4326)


def judge_standards(cfg: Config, cat: Catalogue, si: StandardsInputs, network_for: NetworkFor
                    ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The standards table of the run and its report entry."""
    cls, how = resident_classes(si.origins, si.villages, si.net.crs)
    groups = [c for c in si.origins.columns if c in cfg.population.groups
              or c in cfg.population.group_shares]
    crit = criteria(cfg, cat, si.layers, how != "none", groups)
    report: dict[str, Any] = {"catalogue": cat.name, "classes": how,
                              "criteria": [dataclasses.asdict(c) for c in crit],
                              "unjudged_layers": [lay.key for lay in si.layers
                                                  if not entries_for(cat, RunLayer(
                                                      lay.key, lay.group,
                                                      cfg.layer(lay.key).standard))]}
    if not crit:
        return standards_table(si.origins, {}, [], si.zones), report
    centres = _centres(si.villages, si.origins)
    pts, vil = _mode_times(cfg, si, crit, network_for, centres)
    fac = pd.DataFrame({"layer": si.fac["layer"], "zone_id": si.fac["zone_id"],
                        "capacity": si.fac["capacity"] if "capacity" in si.fac else np.nan,
                        "subtype": si.fac["subtype"] if "subtype" in si.fac else "",
                        "counted": si.counted})
    origins = si.origins
    if si.compounds is not None:
        origins = pd.DataFrame(origins.drop(columns="geometry")).assign(
            compound_id=assign_compounds(si.origins, si.compounds))
    table = standards_table(
        origins, pts, crit, si.zones, urban_rural=cls, villages=si.villages,
        village_times=vil or None, village_share=cfg.standards.village_share,
        compounds=si.compounds, facilities=fac, accessibility=_accessibility(cfg, si, crit),
        county_name=county_name(cfg.project.synthetic, cfg.output.lang))
    report["villages_basis"] = ("residents" if "village_id" in si.origins else
                                "centre" if centres is not None else "none")
    return table, report


def other_mode_config(cfg: Config, mode: str) -> Config:
    """``cfg`` with the network prepared for ``mode`` at its default speed."""
    net = dataclasses.replace(cfg.network, mode=mode, speed_kmh=None, speeds_by_class={})
    return dataclasses.replace(cfg, network=net)
