"""Residential population estimated from building footprints.

People in a building = footprint area (m², measured in a local metric CRS) × storeys
(``building:levels`` or ``levels``; ``default_levels`` when absent or unreadable) /
``m2_per_person``. Buildings whose ``building`` type is clearly not housing (industrial,
commercial, school, ...) get nobody. The origin is the footprint's representative point
(always inside the polygon).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.geo.crs import normalize_crs, to_wgs84
from circle15.geo.population import points, tables
from circle15.errors import InputError

#: OSM ``building=*`` values that house nobody (or nobody counted as a resident).
NON_RESIDENTIAL = frozenset({
    "industrial", "commercial", "retail", "warehouse", "school", "kindergarten", "college",
    "university", "office", "hospital", "civic", "public", "government", "church", "chapel",
    "cathedral", "mosque", "temple", "shrine", "synagogue", "religious", "train_station",
    "transportation", "garage", "garages", "parking", "carport", "shed", "roof", "hangar",
    "barn", "cowshed", "stable", "sty", "greenhouse", "farm_auxiliary", "silo", "storage_tank",
    "service", "transformer_tower", "water_tower", "power", "substation", "toilets", "kiosk",
    "supermarket", "hotel", "sports_hall", "sports_centre", "stadium", "grandstand", "pavilion",
    "fire_station", "bunker", "ruins", "construction", "boathouse", "factory", "manufacture",
    "digester", "bridge", "gatehouse", "guardhouse", "military", "prison",
})
#: Columns read for storeys, in order.
LEVEL_COLUMNS = ("building:levels", "levels", "building_levels", "floors", "层数")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def read_buildings(path: Path, declared_crs: str, warnings: list[str]) -> gpd.GeoDataFrame:
    """Read a footprint file (GeoJSON/GPKG) and return it in EPSG:4326."""
    path = tables.check_exists(path, "population.source")
    if not tables.is_vector(path):
        raise InputError("building footprints must be a vector file", file=path,
                         hint="use GeoJSON or GeoPackage polygons")
    gdf = tables.read_vector(path)
    crs = points.effective_crs(declared_crs, gdf.crs, path, warnings)
    return to_wgs84_frame(gdf, crs)


def to_wgs84_frame(gdf: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    """Reproject a frame whose coordinates are in ``crs`` (incl. GCJ-02/BD-09) to EPSG:4326."""
    crs = normalize_crs(crs, cgcs2000_as_wgs84=True)
    if crs == "wgs84":
        return gdf.set_crs("EPSG:4326", allow_override=True)
    import shapely

    def conv(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs)
        return np.column_stack([lon, lat])

    geom = shapely.transform(gdf.geometry.to_numpy(), conv)
    return gpd.GeoDataFrame(gdf.drop(columns="geometry"), geometry=geom, crs="EPSG:4326")


def _levels(gdf: gpd.GeoDataFrame, default: float) -> tuple[np.ndarray, int]:
    """Storeys per building and the number that fell back to ``default``."""
    out = np.full(len(gdf), np.nan)
    for col in LEVEL_COLUMNS:
        if col not in gdf.columns:
            continue
        vals = gdf[col].astype(object).map(
            lambda v: float(m.group()) if isinstance(v, str) and (m := _NUM.search(v))
            else (float(v) if isinstance(v, (int, float)) and not pd.isna(v) else np.nan))
        vals = vals.to_numpy(dtype=float)
        take = np.isnan(out) & np.isfinite(vals) & (vals > 0)
        out[take] = vals[take]
    defaulted = int(np.isnan(out).sum())
    out[np.isnan(out)] = default
    return out, defaulted


def residential(buildings: gpd.GeoDataFrame, m2_per_person: float, default_levels: float,
                warnings: list[str]) -> tuple[gpd.GeoDataFrame, dict]:
    """Estimate residents per building.

    Parameters
    ----------
    buildings : geopandas.GeoDataFrame
        Footprints with a CRS (any); optional ``building`` type and storey columns.
    m2_per_person : float
        Floor area per resident.
    default_levels : float
        Storeys assumed when none are given.
    warnings : list of str
        Appended to.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        EPSG:4326 representative points of the residential buildings with ``floor_area`` (m²)
        and ``population`` (float), and counts for the report.
    """
    if m2_per_person <= 0 or default_levels <= 0:
        raise InputError("must be positive", key="population.m2_per_person" if
                         m2_per_person <= 0 else "population.default_levels")
    if buildings.crs is None:
        buildings = buildings.set_crs("EPSG:4326")
    b = buildings.to_crs("EPSG:4326").reset_index(drop=True)
    poly = b.geometry.notna() & b.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    n_nonpoly = int((~poly).sum())
    if n_nonpoly:
        warnings.append(f"{n_nonpoly} building feature(s) are not polygons and were skipped")
    btype = (b["building"].astype(object).fillna("yes").astype(str).str.strip().str.lower()
             if "building" in b.columns else pd.Series("yes", index=b.index))
    nonres = btype.isin(NON_RESIDENTIAL).to_numpy()
    keep = poly.to_numpy() & ~nonres
    b = b[keep].reset_index(drop=True)
    levels, defaulted = _levels(b, default_levels)
    if len(b):
        metric = b.estimate_utm_crs()
        area = b.geometry.to_crs(metric).area.to_numpy()
    else:
        area = np.zeros(0)
    floor = area * levels
    out = gpd.GeoDataFrame({"floor_area": floor, "population": floor / m2_per_person},
                           geometry=b.geometry.representative_point().to_numpy(),
                           crs="EPSG:4326")
    excluded = btype[nonres & poly.to_numpy()].value_counts()
    stats = {"buildings": int(len(buildings)), "residential": int(len(b)),
             "excluded_by_type": {str(k): int(v) for k, v in excluded.items()},
             "not_polygons": n_nonpoly, "default_levels_used": defaulted,
             "m2_per_person": m2_per_person, "default_levels": default_levels}
    return out, stats
