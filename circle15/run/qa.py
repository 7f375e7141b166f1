"""Data-quality findings of a run: unlinked facilities, undeclared GCJ-02, per-layer counts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd

from circle15.config import Config
from circle15.errors import InputError
from circle15.geo.crs import detect_gcj02_offset
from circle15.geo.routing.network import RoutingNetwork

log = logging.getLogger(__name__)


def link_issues(fac: gpd.GeoDataFrame, issues: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """``issues`` plus one ``not_linked`` row per facility too far from every street."""
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


def require_linked(fac: gpd.GeoDataFrame, cfg: Config) -> None:
    """With ``coverage.strict``, stop at the first facility too far from every street."""
    if not cfg.coverage.strict or fac["linked"].all():
        return
    row = fac[~fac["linked"]].iloc[0]
    raise InputError(
        f"facility {row['name']!r} is farther than {cfg.network.max_link_m:g} m from any "
        "usable street", file=cfg.layer(row["layer"]).source, row=int(row["source_row"]),
        hint="fix its coordinates or raise network.max_link_m")


def gcj02_suspects(fac: gpd.GeoDataFrame, net: RoutingNetwork, cfg: Config
                   ) -> dict[str, Any]:
    """Layers whose points sit 300-700 m off the streets the GCJ-02 way: declared WGS-84
    but probably GCJ-02 (Amap), or declared GCJ-02 but probably WGS-84 already."""
    edges = gpd.GeoDataFrame(geometry=net.seg_geometry, crs=net.crs)
    found = {}
    for lay in cfg.layers:
        pts = fac[fac["layer"] == lay.key]
        declared = lay.crs.lower()
        if declared not in ("wgs84", "gcj02") or len(pts) < 5:
            continue
        hit = detect_gcj02_offset(pts, edges, net.crs, declared=declared)
        if hit:
            found[lay.key] = hit
            log.warning("%s (%s)", hit["message"], lay.source)
    return found


def facility_qa(fac: gpd.GeoDataFrame, issues: pd.DataFrame, layer_keys: Iterable[str]
                ) -> dict[str, dict[str, int]]:
    """Per layer: rows used, loaded, skipped, merged, warned about and not linked."""
    qa = {}
    for key in layer_keys:
        f = fac[fac["layer"] == key]
        iss = issues[issues["layer"] == key] if len(issues) else issues

        def count(action: str, iss: pd.DataFrame = iss) -> int:
            return int((iss["action"] == action).sum()) if len(iss) else 0

        qa[key] = {"used": int(f["linked"].sum()), "loaded": int(len(f)),
                   "skipped": count("skipped"), "merged_duplicates": count("merged"),
                   "warnings": count("warning"), "not_linked": int((~f["linked"]).sum())}
    return qa
