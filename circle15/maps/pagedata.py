"""Geometry and points of the map page, as compact JSON-ready structures.

Coordinates are ``[lat, lon]`` (Leaflet's order) rounded to 1e-5 degrees; polygons and
lines are simplified in a metric CRS first (:mod:`circle15.maps.display`). Streets come
twice: main roads coarsely simplified for zoomed-out views and every street finely
simplified for close views. Uncovered population is aggregated to a grid (one weight per
populated cell and view) so the heat map costs little however many origins the run has.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from circle15.maps import display
from circle15.vocab import COMPOSITE

#: Simplification tolerances (m): townships, isochrones, streets close up / zoomed out.
ZONE_TOLERANCE_M = 30.0
ISO_TOLERANCE_M = 30.0
STREET_FINE_M = 8.0
STREET_COARSE_M = 60.0
#: Main road classes drawn when zoomed out.
MAIN_ROADS = ("motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link",
              "primary_link")
#: Cell size (m) of the uncovered-population grid.
HEAT_CELL_M = 300.0
_D = display.DECIMALS


def _rings(geom) -> list:
    """A polygon or multipolygon as Leaflet latlng rings: ``[[[lat, lon], ...], ...]``
    per polygon (a list of polygons)."""
    polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
    out = []
    for p in polys:
        if p.is_empty or p.geom_type != "Polygon":
            continue
        rings = [p.exterior, *p.interiors]
        out.append([[[round(y, _D), round(x, _D)] for x, y in r.coords] for r in rings])
    return out


def _lines(geoms) -> list:
    out = []
    for g in geoms:
        parts = list(g.geoms) if g.geom_type.startswith("Multi") else [g]
        for ln in parts:
            if ln.geom_type == "LineString" and not ln.is_empty:
                out.append([[round(y, _D), round(x, _D)] for x, y in ln.coords])
    return out


def zones_data(zones: gpd.GeoDataFrame, crs: CRS, groups: list[str]) -> list[dict]:
    """Townships: id, name, population (total and per group), label point, polygons."""
    simp = display.simplify(zones, ZONE_TOLERANCE_M, crs, coverage=True)
    label = shapely.point_on_surface(zones.geometry.to_numpy())
    geom = dict(zip(simp["zone_id"], simp.geometry))
    out = []
    for (_, z), lp in zip(zones.iterrows(), label):
        pop = {g: _int(z.get(g)) for g in ["population", *groups] if g in zones.columns}
        g = geom.get(z["zone_id"])
        out.append({"id": z["zone_id"], "name": z["zone_name"], "pop": pop,
                    "lab": [round(lp.y, _D), round(lp.x, _D)],
                    "rings": _rings(g) if g is not None else []})
    return out


def _int(x: object) -> int | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else round(v)


def _text(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x).strip()


def facilities_data(fac: gpd.GeoDataFrame, layer_keys: list[str],
                    village_names: dict[str, str]) -> list[list]:
    """``[lat, lon, layer index, name, capacity, village, zone_id, linked, subtype,
    address]`` per facility of a known layer, in file order."""
    index = {k: i for i, k in enumerate(layer_keys)}
    out = []
    vill = fac["village_id"] if "village_id" in fac else pd.Series("", index=fac.index)
    for (_, f), vid in zip(fac.iterrows(), vill):
        if f["layer"] not in index:
            continue
        vid = _text(vid)
        village = village_names.get(vid, "") or _text(f.get("village"))
        out.append([round(f.geometry.y, _D), round(f.geometry.x, _D), index[f["layer"]],
                    _text(f["name"]), _int(f.get("capacity")), village,
                    _text(f.get("zone_id")), bool(f["linked"]), _text(f.get("subtype")),
                    _text(f.get("address"))])
    return out


def page_positions(fac: pd.DataFrame, layer_keys: list[str]) -> dict[int, int]:
    """Row position in ``fac`` -> index in :func:`facilities_data` (rows of a known layer)."""
    known = set(layer_keys)
    pos = [n for n, lay in enumerate(fac["layer"]) if lay in known]
    return {n: k for k, n in enumerate(pos)}


def proposed_data(prop: gpd.GeoDataFrame | None, layer_keys: list[str]) -> list[list]:
    """``[lat, lon, layer index, rank, zone_id, new covered, cumulative rate, name]``."""
    if prop is None or prop.empty:
        return []
    index = {k: i for i, k in enumerate(layer_keys)}
    out = []
    for _, p in prop.iterrows():
        if str(p["layer"]) not in index:
            continue
        rate = p.get("cumulative_rate")
        out.append([round(p.geometry.y, _D), round(p.geometry.x, _D), index[str(p["layer"])],
                    _int(p.get("rank")), _text(p.get("zone_id")), _int(p.get("new_covered")),
                    None if pd.isna(rate) else round(float(rate), 4), _text(p.get("name"))])
    return out


def isochrones_data(iso: gpd.GeoDataFrame | None, crs: CRS) -> dict[str, list]:
    """``layer -> [[minutes, polygons], ...]`` nearest band first."""
    if iso is None or iso.empty:
        return {}
    simp = display.simplify(iso, ISO_TOLERANCE_M, crs)
    out: dict[str, list] = {}
    for _, r in simp.sort_values(["layer", "minutes"]).iterrows():
        out.setdefault(str(r["layer"]), []).append([float(r["minutes"]), _rings(r.geometry)])
    return out


def streets_data(streets: gpd.GeoDataFrame | None, crs: CRS) -> dict[str, list]:
    """``{"main": lines for zoomed-out views, "all": every street for close views}``."""
    if streets is None or streets.empty:
        return {"main": [], "all": []}
    main = streets
    if "highway" in streets:
        hw = streets["highway"].astype(str)
        main = streets[hw.isin(MAIN_ROADS) | hw.str.contains("secondary|primary|trunk")]
    coarse = display.simplify(main, STREET_COARSE_M, crs) if not main.empty else main
    fine = display.simplify(streets, STREET_FINE_M, crs)
    return {"main": _lines(coarse.geometry), "all": _lines(fine.geometry)}


def heat_data(origins: gpd.GeoDataFrame, crs: CRS, views: list[tuple[str, str, float]]
              ) -> dict:
    """Uncovered people per grid cell for each ``(layer, group, minutes)``.

    Returns
    -------
    dict
        ``{"cells": [[lat, lon], ...], "<layer>|<minutes>": [[cell, people], ...]}``;
        the composite layer counts a point uncovered when any layer is out of reach.
    """
    pts = origins.to_crs(crs)
    x, y = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
    cx, cy = np.floor(x / HEAT_CELL_M), np.floor(y / HEAT_CELL_M)
    cells, inverse = np.unique(np.column_stack([cx, cy]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    centre = gpd.GeoSeries.from_xy((cells[:, 0] + 0.5) * HEAT_CELL_M,
                                   (cells[:, 1] + 0.5) * HEAT_CELL_M, crs=crs).to_crs(4326)
    out: dict = {"cells": [[round(p.y, 4), round(p.x, 4)] for p in centre]}
    layer_cols = [c for c in origins.columns if c.startswith("t_")]
    for lay, group, minutes in views:
        tt = _minutes(origins, lay, layer_cols)
        if tt is None:
            continue
        weight = origins[group] if group in origins else origins["population"]
        w = pd.to_numeric(weight, errors="coerce").fillna(0).to_numpy(dtype=float)
        unc = np.where(np.isnan(tt) | (tt > minutes + 1e-9), w, 0.0)
        per = np.bincount(inverse, weights=unc, minlength=len(cells))
        nz = np.flatnonzero(per >= 0.5)
        out[f"{lay}|{minutes:g}"] = [[int(i), round(per[i])] for i in nz]
    return out


def _minutes(origins: pd.DataFrame, layer: str, cols: list[str]) -> np.ndarray | None:
    if f"t_{layer}" in origins:
        return pd.to_numeric(origins[f"t_{layer}"], errors="coerce").to_numpy(dtype=float)
    if layer == COMPOSITE and cols:
        arr = np.column_stack([pd.to_numeric(origins[c], errors="coerce") for c in cols])
        worst = np.max(np.where(np.isnan(arr), np.inf, arr), axis=1)
        return np.where(np.isinf(worst), np.nan, worst)
    return None


def villages_data(villages: pd.DataFrame | None, fac: gpd.GeoDataFrame,
                  layer_keys: list[str]) -> list[list]:
    """``[village_id, name, zone_id, lat or None, lon or None, [layer indices with a
    facility]]`` per village. Location: the table's own lon/lat, else the mean of its
    facilities, else None (then listed in the township panel only)."""
    if villages is None or villages.empty:
        return []
    index = {k: i for i, k in enumerate(layer_keys)}
    by: dict[str, tuple[float, float, list[int]]] = {}
    if "village_id" in fac and len(fac):  # one pass over the facilities, not one per village
        f = pd.DataFrame({"v": fac["village_id"].fillna("").astype(str).to_numpy(),
                          "x": fac.geometry.x.to_numpy(), "y": fac.geometry.y.to_numpy(),
                          "i": [index.get(k, -1) for k in fac["layer"]]})
        for v, g in f[f["v"] != ""].groupby("v", sort=False):
            by[str(v)] = (g["y"].mean(), g["x"].mean(), sorted({int(i) for i in g["i"] if i >= 0}))
    out = []
    for v in villages.itertuples(index=False):
        lat, lon = getattr(v, "lat", None), getattr(v, "lon", None)
        mine = by.get(str(v.village_id))
        if (lat is None or pd.isna(lat)) and mine is not None:
            lat, lon = mine[0], mine[1]
        has = mine[2] if mine is not None else []
        out.append([v.village_id, v.village_name, v.zone_id,
                    None if lat is None or pd.isna(lat) else round(float(lat), _D),
                    None if lon is None or pd.isna(lon) else round(float(lon), _D), has])
    return out


def read_villages(run_dir: Path, config: dict, zones: pd.DataFrame) -> pd.DataFrame | None:
    """The run's villages table (``area.villages`` of the run's config), or None."""
    from circle15.geo.areas.villages import load_villages

    path = ((config.get("area") or {}).get("villages")) or ""
    candidates = [Path(path)] if path else []
    if path:
        candidates.append(Path(run_dir) / "inputs" / Path(path).name)
    for p in candidates:
        if p.is_file():
            return load_villages(p, zones,
                                 crs=(config.get("area") or {}).get("villages_crs", "wgs84"))
    return None
