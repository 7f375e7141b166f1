"""Where people live: population origins from points, rasters, buildings or zone totals.

The run stage calls :func:`load_population` with a :class:`PopulationSource` (fields named
like the ``[population]`` config keys) and the zones, and gets one GeoDataFrame of *origins*
(places where people live, in EPSG:4326) plus a report dict; :func:`zone_population` sums
origins per zone.

Sources (``PopulationSource.kind``):

``points``
    CSV (coordinates in ``x_column``/``y_column`` or the facility layers' coordinate
    headers: 经度/东经/lon/lng/x and 纬度/北纬/lat/y...), GeoJSON or GeoPackage points with a
    total column and group columns.
``raster``
    GeoTIFF of people per cell (e.g. WorldPop 100 m), read only over the study area; one
    origin per populated cell centre.
``buildings``
    Footprints; residents = area × storeys / ``m2_per_person``, non-residential types
    excluded; origin at the representative point.
``zone_totals``
    A CSV of totals per zone spread over residential buildings (if a buildings source is
    given, as a vector ``source`` or the ``buildings`` argument) or over network nodes in the
    zone, proportionally; whole numbers stay whole (largest remainder).

Groups (children 0-3, elderly 60+, ...) come from count columns (``groups``) or as shares of
the total (``group_shares``).

Outside the zones
    Points and buildings outside every zone are kept as origins with ``zone_id == ""`` (they
    can be mapped and linked) but are left out of every zone table and so of the county
    totals, which are sums over zones; their number and people are in
    ``report["outside_zones"]``. Raster cells outside the zones are clipped (dropped) and
    counted there the same way, with ``kept: False``. Origins with zero people are dropped
    (``report["empty_dropped"]``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.geo.areas.assign import assign_zones
from circle15.geo.population import buildings as _buildings
from circle15.geo.population import groups as _groups
from circle15.geo.population import points as _points
from circle15.geo.population import raster as _raster
from circle15.geo.population import totals as _totals
from circle15.geo.population.allocate import largest_remainder, spread
from circle15.geo.population.source import KINDS, PopulationSource
from circle15.geo.vectors import check_file, is_vector

__all__ = [
    "KINDS",
    "PopulationSource",
    "group_names",
    "largest_remainder",
    "load_population",
    "spread",
    "zone_population",
]


def group_names(source: PopulationSource) -> list[str]:
    """Group names in output order: count-column groups, then share groups."""
    return source.group_names()


def _check_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in ("zone_id", "zone_name") if c not in zones.columns]
    if missing:
        raise ValueError(f"zones lack column(s) {missing}")
    z = zones[["zone_id", "zone_name", "geometry"]].copy()
    if z.crs is None:
        z = z.set_crs("EPSG:4326")
    elif z.crs.to_epsg() != 4326:
        z = z.to_crs("EPSG:4326")
    z["zone_id"] = z["zone_id"].astype(str)
    z["zone_name"] = z["zone_name"].astype(str)
    return z.reset_index(drop=True)


def _places_for_totals(src: PopulationSource, zones: gpd.GeoDataFrame,
                       nodes: gpd.GeoDataFrame | None, buildings: gpd.GeoDataFrame | None,
                       warnings: list[str], report: dict) -> tuple[gpd.GeoDataFrame, str]:
    """Weighted places to spread totals over: residential buildings, else network nodes."""
    if buildings is None and src.source is not None and is_vector(Path(src.source)):
        buildings = _buildings.read_buildings(Path(src.source), src.crs, warnings,
                                              key=src.key("source"), crs_key=src.key("crs"))
    if buildings is not None:
        res, stats = _buildings.residential(buildings, src.m2_per_person, src.default_levels,
                                            warnings, key_prefix=src.config_key)
        report["buildings"] = stats
        places = gpd.GeoDataFrame({"weight": res["floor_area"].to_numpy()},
                                  geometry=res.geometry.to_numpy(), crs="EPSG:4326")
        method = "residential buildings (by floor area)"
    elif nodes is not None:
        n = nodes if nodes.crs is None or nodes.crs.to_epsg() == 4326 else nodes.to_crs(4326)
        places = gpd.GeoDataFrame({"weight": np.ones(len(n))}, geometry=n.geometry.to_numpy(),
                                  crs="EPSG:4326")
        method = "network nodes (equal shares)"
    else:
        raise InputError("zone totals need buildings or network nodes to spread over",
                         key=src.key("source"),
                         hint=f"set {src.key('source')} to a building footprint file")
    places["zone_id"] = assign_zones(places, zones)
    return places, method


def _from_buildings(src: PopulationSource, buildings: gpd.GeoDataFrame | None,
                    warnings: list[str], report: dict) -> tuple[gpd.GeoDataFrame, dict]:
    """Origins of kind ``buildings``: residents of each residential footprint."""
    if src.groups:
        raise InputError("building footprints have no group counts", key=src.key("groups"),
                         hint=f"use {src.key('group_shares')}")
    if src.source is not None:
        bld = _buildings.read_buildings(src.source, src.crs, warnings, key=src.key("source"),
                                        crs_key=src.key("crs"))
    elif buildings is not None:
        bld = buildings
    else:
        raise InputError("missing: the building footprint file", key=src.key("source"))
    res, stats = _buildings.residential(bld, src.m2_per_person, src.default_levels, warnings,
                                        key_prefix=src.config_key)
    report["buildings"] = stats
    return res[["population", "floor_area", "geometry"]], {
        "encoding": None, "integer": False, "allocation": "building floor area / m2_per_person"}


def _from_zone_totals(src: PopulationSource, zones: gpd.GeoDataFrame,
                      nodes: gpd.GeoDataFrame | None, buildings: gpd.GeoDataFrame | None,
                      warnings: list[str], report: dict) -> tuple[gpd.GeoDataFrame, dict]:
    """Origins of kind ``zone_totals``: each zone's total spread over places inside it."""
    path = src.totals or src.source
    if path is not None and src.totals is None and is_vector(Path(path)):
        path = None
    path = check_file(path, src.key("totals"))
    tot, tinfo = _totals.read_totals(path, src, zones, warnings)
    report["totals"] = str(path)
    report["unmatched_totals"] = tinfo["unmatched"]
    places, method = _places_for_totals(src, zones, nodes, buildings, warnings, report)
    raw, fallback = _totals.spread_totals(tot, places, zones, integer=tinfo["integer"])
    if fallback:
        warnings.append(f"{len(fallback)} zone(s) have no {method.split(' (')[0]} inside; "
                        f"their people are placed at the zone's centre point: "
                        f"{', '.join(fallback[:10])}")
    report["allocation_fallback_zones"] = fallback
    return raw, {"encoding": tinfo["encoding"], "integer": tinfo["integer"],
                 "allocation": f"zone totals spread over {method}"}


def _read_source(src: PopulationSource, zones: gpd.GeoDataFrame,
                 nodes: gpd.GeoDataFrame | None, buildings: gpd.GeoDataFrame | None,
                 warnings: list[str], report: dict) -> tuple[gpd.GeoDataFrame, dict, bool]:
    """Raw origins of the source's kind, report fields, and whether to clip to the zones."""
    if src.kind == "points":
        raw, info = _points.read_points(src, warnings)
        return raw, info, False
    if src.kind == "raster":
        raw, info = _raster.read_raster(src, zones, warnings)
        report["raster"] = info.pop("raster")
        return raw, info, True
    if src.kind == "buildings":
        raw, info = _from_buildings(src, buildings, warnings, report)
        return raw, info, False
    raw, info = _from_zone_totals(src, zones, nodes, buildings, warnings, report)
    return raw, info, False


def _outside_zones(raw: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, drop_outside: bool,
                   warnings: list[str], report: dict) -> gpd.GeoDataFrame:
    """Assign zones; count (and for rasters drop) the origins outside every zone."""
    if "zone_id" not in raw.columns:
        raw = raw.copy()
        raw["zone_id"] = assign_zones(raw, zones)
    outside = raw["zone_id"].to_numpy() == ""
    report["outside_zones"] = {"points": int(outside.sum()),
                               "people": float(raw["population"].to_numpy()[outside].sum()),
                               "kept": not drop_outside}
    if outside.any():
        warnings.append(f"{int(outside.sum())} origin(s) with "
                        f"{report['outside_zones']['people']:g} people lie outside every zone"
                        + (" and were clipped" if drop_outside else
                           " (kept with zone_id \"\", left out of zone tables)"))
    return raw[~outside] if drop_outside else raw


def _origins(raw: gpd.GeoDataFrame, gnames: list[str]) -> gpd.GeoDataFrame:
    data: dict[str, Any] = {
        "origin_id": np.arange(len(raw), dtype=np.int64),
        "zone_id": pd.Series(raw["zone_id"].to_numpy(dtype=object), dtype=str),
        "population": raw["population"].to_numpy(dtype=float),
        **{g: raw[g].to_numpy(dtype=float) for g in gnames}}
    if "floor_area" in raw:
        data["floor_area"] = raw["floor_area"].to_numpy(dtype=float)
    if "village_id" in raw:
        data["village_id"] = pd.Series(raw["village_id"].to_numpy(dtype=object), dtype=str)
    return gpd.GeoDataFrame(data, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")


def load_population(source: PopulationSource, zones: gpd.GeoDataFrame, *,
                    nodes: gpd.GeoDataFrame | None = None,
                    buildings: gpd.GeoDataFrame | None = None
                    ) -> tuple[gpd.GeoDataFrame, dict]:
    """Load population origins from the configured source.

    Parameters
    ----------
    source : PopulationSource
        Kind, file, columns, groups (fields named like the ``[population]`` config keys).
    zones : geopandas.GeoDataFrame
        Zones with ``zone_id``, ``zone_name`` and polygon geometry (EPSG:4326).
    nodes : geopandas.GeoDataFrame, optional
        Network nodes (points, any CRS), for spreading ``zone_totals`` without buildings.
    buildings : geopandas.GeoDataFrame, optional
        Building footprints (any CRS), for ``zone_totals`` (used instead of a vector
        ``source``) or as the ``buildings`` source when ``source`` is empty.

    Returns
    -------
    origins : geopandas.GeoDataFrame
        EPSG:4326 points: ``origin_id`` (0..n-1), ``zone_id`` (``""`` outside every zone),
        ``population`` and one float column per group; ``village_id`` when the points
        name their village, ``floor_area`` (m²) for buildings.
    report : dict
        ``kind``, ``source``, ``points``, ``people``, ``people_in_zones``,
        ``people_by_group``, ``outside_zones`` (``points``, ``people``, ``kept``),
        ``allocation``, ``encoding``, ``integer``, ``empty_dropped``, ``warnings`` and
        source-specific details.

    Raises
    ------
    InputError
        Naming the file, row and column of bad input, and the config key
        (``<source.config_key>.value_column``...).
    """
    src = source
    if src.kind not in KINDS:
        raise InputError(f"unknown kind {src.kind!r}", key=src.key("kind"),
                         hint=", ".join(KINDS))
    zones = _check_zones(zones)
    warnings: list[str] = []
    report: dict[str, Any] = {"kind": src.kind,
                              "source": str(src.source) if src.source else None,
                              "crs": src.crs}
    raw, info, drop_outside = _read_source(src, zones, nodes, buildings, warnings, report)
    raw = _outside_zones(raw, zones, drop_outside, warnings, report)
    raw = _groups.apply_shares(raw.reset_index(drop=True), src, zones)
    empty = raw["population"].to_numpy() <= 0
    report["empty_dropped"] = int(empty.sum())
    gnames = src.group_names()
    origins = _origins(raw[~empty].reset_index(drop=True), gnames)
    in_zone = origins["zone_id"] != ""
    report.update({
        "points": len(origins),
        "people": float(origins["population"].sum()),
        "people_in_zones": float(origins.loc[in_zone, "population"].sum()),
        "people_by_group": {g: float(origins[g].sum()) for g in gnames},
        "allocation": info["allocation"],
        "encoding": info["encoding"],
        "integer": info["integer"],
        "warnings": warnings,
    })
    return origins, report


def zone_population(origins: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                    groups: list[str]) -> pd.DataFrame:
    """People per zone.

    Parameters
    ----------
    origins : geopandas.GeoDataFrame
        From :func:`load_population`.
    zones : geopandas.GeoDataFrame
        With ``zone_id`` and ``zone_name``.
    groups : list of str
        Group columns to sum.

    Returns
    -------
    pandas.DataFrame
        One row per zone in zone order (zones without people included with zeros):
        ``zone_id``, ``zone_name``, ``population``, the groups, ``points``. Origins outside
        every zone are not counted.
    """
    ids = zones["zone_id"].astype(str).to_numpy()
    o = pd.DataFrame({"zone_id": origins["zone_id"].astype(str).to_numpy(),
                      "population": origins["population"].to_numpy(dtype=float),
                      **{g: origins[g].to_numpy(dtype=float) for g in groups}})
    o = o[o["zone_id"] != ""]
    agg = o.groupby("zone_id", sort=False).agg(
        population=("population", "sum"), **{g: (g, "sum") for g in groups},
        points=("population", "size"))
    agg = agg.reindex(ids)
    out = pd.DataFrame({"zone_id": pd.Series(ids, dtype=str),
                        "zone_name": pd.Series(zones["zone_name"].astype(str).to_numpy(),
                                               dtype=str)})
    for c in ["population", *groups]:
        out[c] = agg[c].fillna(0.0).to_numpy(dtype=float)
    out["points"] = agg["points"].fillna(0).to_numpy().astype(np.int64)
    return out
