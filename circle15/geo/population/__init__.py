"""Where people live: population origins from points, rasters, buildings or zone totals.

The pipeline calls :func:`load_population` with the ``[population]`` config section and the
zones, and gets one GeoDataFrame of *origins* (places where people live, in EPSG:4326) plus
a report dict; :func:`zone_population` sums origins per zone.

Sources (``PopulationConfig.kind``):

``points``
    CSV (coordinates in ``x_column``/``y_column`` or auto-detected lon/lng/经度/x and
    lat/纬度/y), GeoJSON or GeoPackage points with a total column and group columns.
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

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.config import PopulationConfig
from circle15.geo.population import buildings as _buildings
from circle15.geo.population import groups as _groups
from circle15.geo.population import points as _points
from circle15.geo.population import raster as _raster
from circle15.geo.population import tables
from circle15.geo.population import totals as _totals
from circle15.geo.population.allocate import largest_remainder, spread
from circle15.errors import InputError

__all__ = ["load_population", "zone_population", "assign_zones", "largest_remainder",
           "spread", "group_names"]

KINDS = ("points", "raster", "buildings", "zone_totals")


def group_names(pop_cfg: PopulationConfig) -> list[str]:
    """Group names in output order: count-column groups, then share groups."""
    return [*pop_cfg.groups, *[g for g in pop_cfg.group_shares if g not in pop_cfg.groups]]


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


def assign_zones(pts: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Zone id of each point (``""`` outside every zone; the first zone where zones overlap).

    Parameters
    ----------
    pts : geopandas.GeoDataFrame
        Points in the CRS of ``zones``.
    zones : geopandas.GeoDataFrame
        Polygons with ``zone_id``.

    Returns
    -------
    numpy.ndarray
        Object array of zone ids.
    """
    out = np.full(len(pts), "", dtype=object)
    if len(pts) == 0 or len(zones) == 0:
        return out
    left = gpd.GeoDataFrame(geometry=pts.geometry.to_numpy(), crs=zones.crs)
    hits = gpd.sjoin(left, zones[["zone_id", "geometry"]].reset_index(drop=True),
                     predicate="intersects", how="inner")
    hits = hits.sort_values("index_right", kind="stable")
    hits = hits[~hits.index.duplicated(keep="first")]
    out[hits.index.to_numpy()] = hits["zone_id"].to_numpy(dtype=object)
    return out


def _places_for_totals(pop_cfg: PopulationConfig, zones: gpd.GeoDataFrame,
                       nodes: gpd.GeoDataFrame | None, buildings: gpd.GeoDataFrame | None,
                       warnings: list[str], report: dict) -> tuple[gpd.GeoDataFrame, str]:
    """Weighted places to spread totals over: residential buildings, else network nodes."""
    src = pop_cfg.source
    if buildings is None and src is not None and tables.is_vector(Path(src)):
        buildings = _buildings.read_buildings(Path(src), pop_cfg.crs, warnings)
    if buildings is not None:
        res, stats = _buildings.residential(buildings, pop_cfg.m2_per_person,
                                            pop_cfg.default_levels, warnings)
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
                         key="population.source",
                         hint="set population.source to a building footprint file")
    places["zone_id"] = assign_zones(places, zones)
    return places, method


def load_population(pop_cfg: PopulationConfig, zones: gpd.GeoDataFrame, *,
                    nodes: gpd.GeoDataFrame | None = None,
                    buildings: gpd.GeoDataFrame | None = None
                    ) -> tuple[gpd.GeoDataFrame, dict]:
    """Load population origins from the configured source.

    Parameters
    ----------
    pop_cfg : PopulationConfig
        The ``[population]`` section.
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
        ``population`` and one float column per group.
    report : dict
        ``kind``, ``source``, ``points``, ``people``, ``people_in_zones``,
        ``people_by_group``, ``outside_zones`` (``points``, ``people``, ``kept``),
        ``allocation``, ``encoding``, ``integer``, ``empty_dropped``, ``warnings`` and
        source-specific details.

    Raises
    ------
    InputError
        Naming the file, row and column of bad input.
    """
    if pop_cfg.kind not in KINDS:
        raise InputError(f"unknown kind {pop_cfg.kind!r}", key="population.kind",
                         hint=", ".join(KINDS))
    zones = _check_zones(zones)
    warnings: list[str] = []
    report: dict = {"kind": pop_cfg.kind,
                    "source": str(pop_cfg.source) if pop_cfg.source else None,
                    "crs": pop_cfg.crs}
    gnames = group_names(pop_cfg)
    drop_outside = False
    if pop_cfg.kind == "points":
        raw, info = _points.read_points(pop_cfg, warnings)
    elif pop_cfg.kind == "raster":
        raw, info = _raster.read_raster(pop_cfg, zones, warnings)
        drop_outside = True
        report["raster"] = info.pop("raster")
    elif pop_cfg.kind == "buildings":
        if pop_cfg.groups:
            raise InputError("building footprints have no group counts",
                             key="population.groups", hint="use population.group_shares")
        if pop_cfg.source is not None:
            bld = _buildings.read_buildings(pop_cfg.source, pop_cfg.crs, warnings)
        elif buildings is not None:
            bld = buildings
        else:
            raise InputError("missing: the building footprint file", key="population.source")
        res, stats = _buildings.residential(bld, pop_cfg.m2_per_person,
                                            pop_cfg.default_levels, warnings)
        report["buildings"] = stats
        raw = res[["population", "geometry"]]
        info = {"encoding": None, "integer": False,
                "allocation": "building floor area / m2_per_person"}
    else:
        path = pop_cfg.totals or pop_cfg.source
        if path is not None and pop_cfg.totals is None and tables.is_vector(Path(path)):
            path = None
        path = tables.check_exists(path, "population.totals")
        tot, tinfo = _totals.read_totals(path, pop_cfg, zones, warnings)
        report["totals"] = str(path)
        report["unmatched_totals"] = tinfo["unmatched"]
        places, method = _places_for_totals(pop_cfg, zones, nodes, buildings, warnings, report)
        raw, fallback = _totals.spread_totals(tot, places, zones, integer=tinfo["integer"])
        if fallback:
            warnings.append(f"{len(fallback)} zone(s) have no {method.split(' (')[0]} inside; "
                            f"their people are placed at the zone's centre point: "
                            f"{', '.join(fallback[:10])}")
        report["allocation_fallback_zones"] = fallback
        info = {"encoding": tinfo["encoding"], "integer": tinfo["integer"],
                "allocation": f"zone totals spread over {method}"}
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
    if drop_outside:
        raw = raw[~outside]
    raw = _groups.apply_shares(raw.reset_index(drop=True), pop_cfg, zones)
    empty = raw["population"].to_numpy() <= 0
    report["empty_dropped"] = int(empty.sum())
    raw = raw[~empty].reset_index(drop=True)

    origins = gpd.GeoDataFrame(
        {"origin_id": np.arange(len(raw), dtype=np.int64),
         "zone_id": pd.Series(raw["zone_id"].to_numpy(dtype=object), dtype=str),
         "population": raw["population"].to_numpy(dtype=float),
         **{g: raw[g].to_numpy(dtype=float) for g in gnames}},
        geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    in_zone = origins["zone_id"] != ""
    report.update({
        "points": int(len(origins)),
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
