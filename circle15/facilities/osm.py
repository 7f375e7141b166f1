"""Facility layers from OpenStreetMap (.osm.pbf) with pyrosm.

The tag mapping is data: ``circle15/data/osm_facility_tags.toml`` lists, per layer, rules
of OSM tags (``amenity=kindergarten`` -> childcare 幼儿园托班, ``leisure=fitness_station``
-> fitness 健身广场 ...). A user TOML of the same form replaces the layers it defines.
Polygons (buildings, sites) are reduced to a representative point inside them; a node and
a polygon of one layer with the same name within :data:`OSM_DUPLICATE_M` are one
facility.
"""

from __future__ import annotations

import json
import logging
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.facilities.schema import FACILITY_COLUMNS, empty_facilities
from circle15.facilities.validate import find_duplicates, normalise_name, parse_number

log = logging.getLogger(__name__)

#: Same-name features of one layer closer than this (m) are one facility (node + building).
OSM_DUPLICATE_M = 60.0


def default_tag_mapping_path() -> Path:
    """Path of the bundled tag mapping TOML."""
    return Path(str(resources.files("circle15.data").joinpath("osm_facility_tags.toml")))


def load_tag_mapping(path: str | Path | None = None) -> dict[str, list[dict]]:
    """The tag mapping: layer -> list of rules ``{"tags": {key: [values]}, "subtype": str}``.

    Parameters
    ----------
    path : str or Path, optional
        A user TOML; its layers replace the bundled ones of the same key.

    Raises
    ------
    InputError
        If the user file is missing, not TOML, or a rule is malformed.
    """
    mapping = _read_mapping(default_tag_mapping_path())
    if path is not None:
        mapping.update(_read_mapping(Path(path)))
    return mapping


def _read_mapping(path: Path) -> dict[str, list[dict]]:
    if not path.is_file():
        raise InputError("tag mapping file not found", file=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the tag mapping must be UTF-8 text", file=path,
                         hint="save the TOML file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    out: dict[str, list[dict]] = {}
    for layer, rules in raw.items():
        if not isinstance(rules, list) or not rules:
            raise InputError("expected an array of rules ([[layer]])", file=path, key=layer)
        clean = []
        for i, rule in enumerate(rules):
            tags = rule.get("tags") if isinstance(rule, dict) else None
            if not isinstance(tags, dict) or not tags:
                raise InputError("each rule needs tags = { key = [values] }", file=path,
                                 key=f"{layer}[{i}].tags")
            norm = {}
            for k, v in tags.items():
                vals = [v] if isinstance(v, str) else v
                if not isinstance(vals, list) or not all(isinstance(x, str) for x in vals):
                    raise InputError("tag values must be a string or a list of strings",
                                     file=path, key=f"{layer}[{i}].tags.{k}")
                norm[k] = [x.strip() for x in vals]
            clean.append({"tags": norm, "subtype": str(rule.get("subtype", ""))})
        out[layer] = clean
    return out


def _feature_tags(row: dict, columns: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    raw = row.get("tags")
    if isinstance(raw, str) and raw:
        try:
            tags.update({str(k): str(v) for k, v in json.loads(raw).items()})
        except (ValueError, AttributeError):
            pass
    elif isinstance(raw, dict):
        tags.update({str(k): str(v) for k, v in raw.items()})
    for c in columns:
        if c in ("tags", "geometry"):
            continue
        v = row.get(c)
        if v is not None and not (isinstance(v, float) and np.isnan(v)) and v != "":
            tags[c] = str(v)
    return tags


def _matches(rule: dict, tags: dict[str, str]) -> bool:
    for k, vals in rule["tags"].items():
        v = tags.get(k)
        if v is None:
            return False
        have = {p.strip() for p in v.split(";")}
        if "*" not in vals and not have.intersection(vals):
            return False
    return True


def _pyrosm_filter(mapping: dict, wanted: list[str]) -> dict[str, Any]:
    """pyrosm filter: the first key of every rule, with its values (True for "*")."""
    filt: dict[str, Any] = {}
    for k in wanted:
        for rule in mapping[k]:
            key, vals = next(iter(rule["tags"].items()))
            if "*" in vals or filt.get(key) is True:
                filt[key] = True
            else:
                filt[key] = sorted(set(filt.get(key, [])) | set(vals))
    return filt


def _record(row: dict, tags: dict, key: str, rule: dict, pos: int, area_m2: float
            ) -> dict[str, Any]:
    """One facility record of an OSM feature matched by ``rule`` of layer ``key``."""
    geom = row["geometry"]
    point = geom if geom.geom_type == "Point" else geom.representative_point()
    otype = str(row.get("osm_type") or "element")
    addr = " ".join(x for x in (tags.get("addr:street", ""),
                                tags.get("addr:housenumber", "")) if x)
    return {
        "facility_id": f"osm-{otype}-{int(row['id'])}",
        "name": tags.get("name:zh") or tags.get("name") or "",
        "layer": key,
        "subtype": rule["subtype"],
        "address": addr,
        "town": tags.get("addr:town") or tags.get("addr:city") or "",
        "village": tags.get("addr:village") or tags.get("addr:hamlet") or "",
        "capacity": parse_number(tags.get("capacity", ""), allow_unit=True),
        "staff": np.nan,
        "area_m2": float(area_m2) if geom.geom_type != "Point" else np.nan,
        "open": tags.get("disused") != "yes",
        "source_row": pos + 1,
        "geometry": point,
    }


def _records(raw: gpd.GeoDataFrame, mapping: dict, wanted: list[str]) -> list[dict]:
    cols = [str(c) for c in raw.columns]
    areas = raw.geometry.to_crs(raw.estimate_utm_crs()).area.to_numpy()
    recs = []
    for pos, row in enumerate(raw.to_dict("records")):
        geom = row["geometry"]
        if geom is None or geom.is_empty:
            continue
        tags = _feature_tags(row, cols)
        for key in wanted:
            rule = next((r for r in mapping[key] if _matches(r, tags)), None)
            if rule is not None:
                recs.append(_record(row, tags, key, rule, pos, areas[pos]))
    return recs


def _merge_osm_duplicates(gdf: gpd.GeoDataFrame, utm: Any) -> tuple[gpd.GeoDataFrame, int]:
    """Same facility mapped twice (node + building): keep the first, per layer."""
    drop = np.zeros(len(gdf), dtype=bool)
    xy = gdf.geometry.to_crs(utm)
    for idx in gdf.groupby("layer").indices.values():
        names = np.array([normalise_name(n) for n in gdf["name"].iloc[idx]], dtype=object)
        dups = find_duplicates(names, xy.x.to_numpy()[idx], xy.y.to_numpy()[idx],
                               OSM_DUPLICATE_M)
        drop[idx[list(dups)]] = True
    return gdf[~drop].reset_index(drop=True), int(drop.sum())


def extract_osm_facilities(
    pbf_path: str | Path,
    *,
    layers: list[str] | None = None,
    bounding_box: Any = None,
    tag_mapping_path: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Extract facility layers from an OpenStreetMap .osm.pbf file.

    Parameters
    ----------
    pbf_path : str or Path
        The .osm.pbf extract.
    layers : list of str, optional
        Layer keys to extract (default: every layer of the tag mapping).
    bounding_box : list or shapely geometry, optional
        ``[minx, miny, maxx, maxy]`` or a polygon (EPSG:4326), passed to pyrosm.
    tag_mapping_path : str or Path, optional
        User TOML overriding layers of the bundled mapping.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 points with the columns of
        :data:`~circle15.facilities.schema.FACILITY_COLUMNS`: ``facility_id`` is
        ``"osm-<type>-<id>"``, ``capacity`` from the ``capacity`` tag, ``area_m2`` the
        footprint of polygons, ``source_row`` the 1-based feature number in pyrosm's output.
        ``attrs["qa"]`` counts features per layer and merged duplicates.

    Raises
    ------
    InputError
        If the file is missing or unreadable, or a requested layer has no rules.
    """
    import pyrosm

    path = Path(pbf_path)
    if not path.is_file():
        raise InputError("OSM file not found", file=path)
    mapping = load_tag_mapping(tag_mapping_path)
    wanted = list(layers) if layers is not None else list(mapping)
    unknown = [k for k in wanted if k not in mapping]
    if unknown:
        raise InputError(f"no OSM tag rules for layer(s) {', '.join(unknown)}",
                         file=tag_mapping_path or default_tag_mapping_path(),
                         hint=f"layers with rules: {', '.join(mapping)}")
    try:
        osm = pyrosm.OSM(str(path), bounding_box=bounding_box)
        raw = osm.get_pois(custom_filter=_pyrosm_filter(mapping, wanted))
    except Exception as exc:  # noqa: BLE001 - pyrosm raises assorted errors
        raise InputError(f"cannot read the OSM file: {exc}", file=path) from None
    if raw is None or len(raw) == 0:
        log.warning("%s: no OSM features match the facility tags", path)
        return empty_facilities()
    raw = raw.reset_index(drop=True)
    recs = _records(raw, mapping, wanted)
    if not recs:
        return empty_facilities()
    df = pd.DataFrame(recs)
    df["capacity"] = pd.to_numeric(df["capacity"], errors="coerce")
    gdf = gpd.GeoDataFrame(df, geometry="geometry", crs="EPSG:4326")
    gdf, merged = _merge_osm_duplicates(gdf, raw.estimate_utm_crs())
    for c in ("facility_id", "name", "layer", "subtype", "address", "town", "village"):
        gdf[c] = gdf[c].astype("str")
    gdf["source_row"] = gdf["source_row"].astype("int64")
    gdf["open"] = gdf["open"].astype(bool)
    gdf = gdf[list(FACILITY_COLUMNS)]
    gdf.attrs["qa"] = {"features": len(raw), "merged_duplicates": merged,
                       "by_layer": gdf["layer"].value_counts().to_dict()}
    log.info("%s: %d OSM facilities (%s)", path, len(gdf), gdf.attrs["qa"]["by_layer"])
    return gdf
