"""A recorded period as a GeoPackage (QGIS, GDAL): :func:`export_gpkg`.

Layers: ``facilities`` (the register, points), ``townships`` (township polygons with every
indicator of the period's plan year as columns ``<indicator_id>_value`` and
``<indicator_id>_status``, plus the full-circle coverage at each threshold), and
``indicators`` (the long table, no geometry: every plan year), and, when the run listed
villages for village-level targets, ``villages`` (one row per indicator × village: its
number of the indicator's facilities and ``has_service``; points at the village centre
where the villages table gave one, else without geometry).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.query import (
    facilities_frame,
    period_info,
    period_table,
    require_period,
    zones_frame,
)
from circle15.history.store import Store
from circle15.vocab import COMPOSITE

#: Layer names of the exported GeoPackage (``villages`` only when the period has them).
LAYERS = ("facilities", "townships", "indicators", "villages")


def township_indicators(store: Store, period: str) -> gpd.GeoDataFrame:
    """Township polygons with the period's plan-year indicators and full-circle coverage
    as columns."""
    zones = zones_frame(store, period).drop(columns=["period"])
    year = period_info(store, period).get("plan_year")
    ind = period_table(store, S.indicators, period)
    ind = ind[ind["year"] == year]
    if len(ind):
        wide = ind.pivot_table(index="zone_id", columns="indicator_id",
                               values=["value", "status"], aggfunc="first")
        wide.columns = [f"{i}_{v}" for v, i in wide.columns]
        wide = wide[sorted(wide.columns)].reset_index()
        zones = zones.merge(wide, on="zone_id", how="left")
    cov = period_table(store, S.coverage, period)
    cov = cov[(cov["layer"] == COMPOSITE) & (cov["group"] == "total")]
    if len(cov):
        c = cov.pivot_table(index="zone_id", columns="minutes", values="coverage_rate")
        c.columns = [f"full_circle_{m:g}min" for m in c.columns]
        zones = zones.merge(c.reset_index(), on="zone_id", how="left")
    zones.insert(0, "period", period)
    zones["plan_year"] = year
    return zones


def village_points(store: Store, period: str) -> gpd.GeoDataFrame:
    """The period's village-level targets village by village, as points (EPSG:4326) at
    the village centres (no geometry where the centre is unknown)."""
    vil = period_table(store, S.village_targets, period)
    xy = vil[["lon", "lat"]].astype(float)
    known = xy.notna().all(axis=1).to_numpy()
    geom = gpd.points_from_xy(xy["lon"].fillna(0.0), xy["lat"].fillna(0.0))
    return gpd.GeoDataFrame(vil, geometry=[g if k else None for g, k in zip(geom, known)],
                            crs=4326)


def export_gpkg(store: Store, period: str, out: str | Path) -> Path:
    """Write a period as a GeoPackage with the :data:`LAYERS` layers.

    The file is written next to ``out`` and renamed into place, so a failure leaves no
    half-written GeoPackage.

    Raises
    ------
    InputError
        Unknown period, or ``out`` not ending in ``.gpkg``.
    """
    out = Path(out)
    if out.suffix.lower() != ".gpkg":
        raise InputError("the export must be a .gpkg file", file=out, key="out")
    p = require_period(store, period)
    fac = facilities_frame(store, p).drop(columns=["seq"])
    town = township_indicators(store, p.key)
    ind = period_table(store, S.indicators, p)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    try:
        fac.to_file(tmp, layer="facilities", driver="GPKG")
        town.to_file(tmp, layer="townships", driver="GPKG")
        pyogrio.write_dataframe(ind, tmp, layer="indicators", driver="GPKG")
        vil = village_points(store, p.key)
        if len(vil):
            vil.to_file(tmp, layer="villages", driver="GPKG")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return out
