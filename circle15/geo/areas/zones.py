"""Study-area zones (townships): load, convert to WGS-84, repair, check overlaps and gaps.

Zones come from a polygon file (GeoJSON, GeoPackage, Shapefile; anything pyogrio reads)
with an id and a name column (``ZoneSource.id_column`` / ``name_column``), read by
:func:`circle15.geo.vectors.read_vector`, which converts to WGS-84 by the one rule for every
vector file: a projected CRS declared by the file is used; GCJ-02 and BD-09, which no file
can declare, are taken from ``ZoneSource.crs`` and converted vertex by vertex.

Checks, in order: every id present and unique (else :class:`InputError` naming file, row
and column); geometries polygonal (invalid ones repaired with ``make_valid`` and
reported); overlaps between zones resolved (the area goes to the zone listed first, so no
person is counted twice) and reported above :data:`OVERLAP_TOL_M2`; holes enclosed by the
zones (gaps) reported above :data:`GAP_TOL_M2`; with ``profile = "zhuji"`` ids compared
with the 23 official township codes.

:func:`zones_from_osm` builds zones from OpenStreetMap administrative boundaries
(``admin_level = 8``: townships in China) for online runs, with an offline cache.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError
from circle15.geo.areas.source import ZoneSource
from circle15.geo.crs import choose_crs
from circle15.geo.vectors import read_vector

log = logging.getLogger(__name__)

#: Overlaps between two zones larger than this (m²) are reported (all are resolved).
OVERLAP_TOL_M2 = 1000.0
#: Holes enclosed by the zones larger than this (m², 1 ha) are reported as gaps.
GAP_TOL_M2 = 10_000.0
PROFILES = ("zhuji",)


# --------------------------------------------------------------------------- helpers


def _id_text(value: Any) -> str | None:
    """Zone id as text; ``None`` when missing. ``330681001.0`` becomes ``"330681001"``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    text = str(value).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Polygonal part of a geometry (after make_valid a collection may hold lines)."""
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, (Polygon, MultiPolygon))]
    polys: list[Polygon] = []
    for p in parts:
        polys.extend(shapely.get_parts(p))
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def _check_source(src: ZoneSource) -> None:
    if src.zones is None:
        raise InputError(f"no zones file: set {src.key('zones')} to a polygon file of "
                         "townships", key=src.key("zones"))
    if src.profile and src.profile not in PROFILES:
        raise InputError(f"unknown profile {src.profile!r}", key=src.key("profile"),
                         hint=f"one of {', '.join(PROFILES)}, or leave it empty")


def _check_columns(raw: gpd.GeoDataFrame, src: ZoneSource, path: Path) -> None:
    for key, col in ((src.key("id_column"), src.id_column),
                     (src.key("name_column"), src.name_column)):
        if col not in raw.columns:
            cols = ", ".join(str(c) for c in raw.columns if c != raw.geometry.name)
            raise InputError(f"no column {col!r} in the zones file", file=path, column=col,
                             key=key, hint=f"columns are: {cols}")


def _zone_ids(values: list[Any], path: Path, column: str) -> list[str]:
    """Zone ids as text; a missing or repeated id is an error naming its row."""
    ids: list[str] = []
    seen: dict[str, int] = {}
    for i, value in enumerate(values, start=1):
        zid = _id_text(value)
        if zid is None:
            raise InputError("zone id is missing", file=path, row=i, column=column)
        if zid in seen:
            raise InputError(f"duplicate zone id {zid!r} (also in row {seen[zid]})", file=path,
                             row=i, column=column, hint="every zone needs its own id")
        seen[zid] = i
        ids.append(zid)
    return ids


def _zone_names(ids: list[str], values: list[Any]) -> tuple[list[str], list[str]]:
    """Zone names (the id where missing) and the ids whose name was missing."""
    names, missing = [], []
    for zid, value in zip(ids, values, strict=True):
        name = _id_text(value) if not isinstance(value, str) else value.strip()
        if not name:
            missing.append(zid)
            name = zid
        names.append(name)
    return names, missing


def _check_polygons(geoms: gpd.GeoSeries, path: Path) -> None:
    for i, geom in enumerate(geoms, start=1):
        if geom is None or geom.is_empty:
            raise InputError("zone has no geometry", file=path, row=i, column="geometry")
        if not isinstance(geom, (Polygon, MultiPolygon)):
            raise InputError(f"zone geometry is a {geom.geom_type}, not a polygon", file=path,
                             row=i, column="geometry", hint="zones must be (multi)polygons")


def _repair(geoms: list[BaseGeometry], ids: list[str], path: Path
            ) -> tuple[list[BaseGeometry], list[str]]:
    """Invalid geometries made valid (their polygonal part); the ids repaired."""
    out, repaired = list(geoms), []
    for k, geom in enumerate(out):
        if not geom.is_valid:
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed.is_empty:
                raise InputError("zone geometry is invalid and cannot be repaired", file=path,
                                 row=k + 1, column="geometry")
            out[k] = fixed
            repaired.append(ids[k])
    if repaired:
        log.warning("%s: repaired %d invalid zone geometries: %s", path, len(repaired),
                    ", ".join(repaired[:10]))
    return out, repaired


def _log_problems(path: Path, overlaps: list[dict[str, Any]], gaps: list[dict[str, Any]]
                  ) -> None:
    for o in overlaps:
        log.warning("%s: zones %s and %s overlap by %.0f m² (given to %s)", path, o["a"],
                    o["b"], o["area_m2"], o["a"])
    for g in gaps:
        log.warning("%s: gap of %.0f m² between zones near (%.5f, %.5f)", path, g["area_m2"],
                    g["lon"], g["lat"])


# --------------------------------------------------------------------------- main entry


def load_zones(source: ZoneSource) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Read, convert, check and repair the zones of the study area.

    Parameters
    ----------
    source : ZoneSource
        ``zones`` (file), ``id_column``, ``name_column``, ``crs``, ``layer``, ``profile``.

    Returns
    -------
    (geopandas.GeoDataFrame, dict)
        Zones in EPSG:4326 with columns ``zone_id`` (str), ``zone_name`` (str),
        ``geometry`` (Polygon/MultiPolygon), in file order; and a report: ``file``,
        ``zones``, ``crs``, ``repaired`` (ids), ``names_missing`` (ids), ``overlaps``
        (list of ``{a, b, area_m2}`` above the tolerance), ``overlaps_resolved``,
        ``gaps`` (list of ``{area_m2, lon, lat}``), ``area_km2`` and ``profile`` (for
        ``"zhuji"``: ``unknown``, ``missing``, ``name_mismatch``, ``ok``).

    Raises
    ------
    InputError
        Missing or unreadable file; missing id/name column; missing or duplicate id; empty
        or non-polygon geometry; unknown profile; coordinates that are not
        longitude/latitude after conversion. Keys name ``<config_key>.zones`` etc.
    """
    src = source
    _check_source(src)
    raw = read_vector(src.zones, declared_crs=src.crs, key=src.key("zones"),
                      crs_key=src.key("crs"), layer=src.layer or None, what="polygons")
    path = Path(src.zones)  # type: ignore[arg-type]
    _check_columns(raw, src, path)
    ids = _zone_ids(raw[src.id_column].tolist(), path, src.id_column)
    names, names_missing = _zone_names(ids, raw[src.name_column].tolist())
    _check_polygons(raw.geometry, path)
    geoms, repaired = _repair(list(raw.geometry), ids, path)
    zones = gpd.GeoDataFrame({"zone_id": pd.Series(ids, dtype=object),
                              "zone_name": pd.Series(names, dtype=object)},
                             geometry=geoms, crs="EPSG:4326")
    zones, overlaps, n_resolved = resolve_overlaps(zones)
    metric = choose_crs(shapely.union_all(zones.geometry.to_numpy()))
    gaps = find_gaps(zones, metric)
    _log_problems(path, overlaps, gaps)
    report: dict[str, Any] = {
        "file": str(path), "zones": len(zones), "crs": raw.attrs.get("crs_used"),
        "repaired": repaired, "names_missing": names_missing,
        "overlaps": overlaps, "overlaps_resolved": n_resolved, "gaps": gaps,
        "area_km2": round(float(zones.to_crs(metric).area.sum()) / 1e6, 3),
    }
    if src.profile == "zhuji":
        report["profile"] = check_zhuji(zones)
    return zones, report


def resolve_overlaps(zones: gpd.GeoDataFrame, tol_m2: float = OVERLAP_TOL_M2
                     ) -> tuple[gpd.GeoDataFrame, list[dict[str, Any]], int]:
    """Make zones disjoint: an overlap belongs to the zone listed first.

    Parameters
    ----------
    zones : GeoDataFrame
        EPSG:4326 zones with ``zone_id``.
    tol_m2 : float
        Overlaps larger than this are returned for reporting.

    Returns
    -------
    (GeoDataFrame, list of dict, int)
        The disjoint zones, the reportable overlaps (``a`` keeps the area, ``b`` loses it,
        ``area_m2``), and how many overlapping pairs were resolved in all.
    """
    if len(zones) < 2:
        return zones, [], 0
    metric = choose_crs(shapely.union_all(zones.geometry.to_numpy()))
    proj = zones.geometry.to_crs(metric).to_numpy()
    tree = shapely.STRtree(proj)
    left, right = tree.query(proj, predicate="intersects")
    pairs = sorted({(int(a), int(b)) for a, b in zip(left, right, strict=True) if a < b})
    geoms = list(proj)
    overlaps, resolved = [], 0
    for a, b in pairs:
        inter = shapely.intersection(geoms[a], geoms[b])
        area = float(shapely.area(inter))
        if area <= 1e-6:
            continue
        resolved += 1
        geoms[b] = _polygonal(shapely.difference(geoms[b], geoms[a]))
        if area > tol_m2:
            overlaps.append({"a": zones["zone_id"].iat[a], "b": zones["zone_id"].iat[b],
                             "area_m2": round(area, 1)})
    if resolved:
        out = zones.copy()
        out["geometry"] = gpd.GeoSeries(geoms, index=zones.index, crs=metric).to_crs(
            "EPSG:4326")
        return out, overlaps, resolved
    return zones, overlaps, 0


def find_gaps(zones: gpd.GeoDataFrame, metric_crs: str, tol_m2: float = GAP_TOL_M2
              ) -> list[dict[str, Any]]:
    """Holes enclosed by the zones' union (land belonging to no zone) larger than ``tol_m2``.

    Returns
    -------
    list of dict
        ``area_m2`` and a point inside the gap (``lon``, ``lat``, WGS-84), largest first.
    """
    union = shapely.union_all(zones.geometry.to_crs(metric_crs).to_numpy())
    holes = []
    for poly in shapely.get_parts(union):
        for ring in poly.interiors:
            hole = Polygon(ring)
            if hole.area > tol_m2:
                holes.append(hole)
    if not holes:
        return []
    pts = gpd.GeoSeries([h.representative_point() for h in holes], crs=metric_crs
                        ).to_crs("EPSG:4326")
    gaps = [{"area_m2": round(h.area, 1), "lon": round(p.x, 6), "lat": round(p.y, 6)}
            for h, p in zip(holes, pts, strict=True)]
    return sorted(gaps, key=lambda g: -g["area_m2"])


def check_zhuji(zones: gpd.GeoDataFrame) -> dict[str, Any]:
    """Compare zone ids (and names) with Zhuji's 23 official township codes.

    Returns
    -------
    dict
        ``profile``, ``unknown`` (zone ids not official), ``missing`` (official codes with
        no zone, with names), ``name_mismatch`` (``{code, name, official}``), ``ok``.
    """
    from circle15.geo.areas.zhuji import normalize_code, townships

    official = townships()
    names = dict(zip(official["code"], official["name"], strict=True))
    codes = [normalize_code(z) for z in zones["zone_id"]]
    unknown = [z for z, c in zip(zones["zone_id"], codes, strict=True) if c not in names]
    present = set(codes)
    missing = [{"code": c, "name": n} for c, n in names.items() if c not in present]
    mismatch = [{"code": c, "name": n, "official": names[c]}
                for c, n in zip(codes, zones["zone_name"], strict=True)
                if c in names and n != names[c] and n != c]
    if unknown:
        log.warning("zones: %d ids are not official Zhuji township codes: %s", len(unknown),
                    ", ".join(unknown[:10]))
    if missing:
        log.warning("zones: %d official Zhuji townships have no zone: %s", len(missing),
                    ", ".join(f"{m['code']} {m['name']}" for m in missing[:10]))
    return {"profile": "zhuji", "official": len(names), "unknown": unknown,
            "missing": missing, "name_mismatch": mismatch,
            "ok": not unknown and not missing}


# --------------------------------------------------------------------------- online (OSM)


def zones_from_osm(place: str, cache_dir: Path, admin_level: str = "8"
                   ) -> tuple[gpd.GeoDataFrame, dict[str, Any]]:
    """Zones from OpenStreetMap administrative boundaries (``admin_level`` 8 = townships).

    Downloaded with :func:`osmnx.features_from_place` once and cached as GeoJSON in
    ``cache_dir`` (``<key>-<YYYYMMDD>.geojson``); later calls read the newest cached copy
    without network access.

    Returns
    -------
    (GeoDataFrame, dict)
        ``zone_id`` (OSM ``ref`` when present, else ``osm-<id>``), ``zone_name`` (``name:zh``
        or ``name``), ``geometry`` in EPSG:4326; report with ``cache`` and ``file``.
    """
    import osmnx as ox

    key = hashlib.sha256(f"{place}|admin_level={admin_level}".encode()).hexdigest()[:16]
    cache_dir = Path(cache_dir)
    hits = sorted(cache_dir.glob(f"zones-{key}-*.geojson"), reverse=True)
    if hits:
        gdf = gpd.read_file(hits[0])
        gdf["zone_id"] = gdf["zone_id"].astype(str)
        return gdf, {"cache": "hit", "file": str(hits[0]), "zones": len(gdf)}
    try:
        feats = ox.features_from_place(place, tags={"boundary": "administrative",
                                                    "admin_level": admin_level})
    except Exception as exc:  # noqa: BLE001 - osmnx and requests raise many types
        raise InputError(f"download of boundaries failed ({type(exc).__name__}: {exc})",
                         hint="check the internet connection, or give area.zones") from None
    feats = feats[feats.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if "admin_level" in feats.columns:
        feats = feats[feats["admin_level"].astype(str) == str(admin_level)]
    if len(feats) == 0:
        raise InputError(f"OpenStreetMap has no admin_level={admin_level} boundaries for "
                         f"{place!r}", hint="give area.zones (a township polygon file)")
    osm_ids = [str(i[-1]) if isinstance(i, tuple) else str(i) for i in feats.index]
    ref = feats["ref"] if "ref" in feats.columns else pd.Series([None] * len(feats))
    name_zh = feats["name:zh"] if "name:zh" in feats.columns else pd.Series([None] * len(feats))
    name = feats["name"] if "name" in feats.columns else pd.Series([None] * len(feats))
    zid = [(_id_text(r) or f"osm-{o}") for r, o in zip(ref.tolist(), osm_ids, strict=True)]
    zname = [(z if isinstance(z, str) and z else (n if isinstance(n, str) and n else i))
             for z, n, i in zip(name_zh.tolist(), name.tolist(), zid, strict=True)]
    gdf = gpd.GeoDataFrame({"zone_id": zid, "zone_name": zname},
                           geometry=list(feats.geometry), crs=feats.crs or "EPSG:4326"
                           ).to_crs("EPSG:4326")
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / f"zones-{key}-{_dt.date.today():%Y%m%d}.geojson"
    tmp = out.with_suffix(".tmp")
    gdf.to_file(tmp, driver="GeoJSON")
    tmp.replace(out)
    return gdf, {"cache": "miss", "file": str(out), "zones": len(gdf)}
