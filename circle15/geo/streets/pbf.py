"""OpenStreetMap PBF extracts (``.osm.pbf``), read with pyrosm and clipped while reading.

Only the bounding box of the buffered study area is read (a province extract is never read
into memory whole); ways are filtered by mode and built the way OSMnx builds graphs from
OSM ways (:func:`circle15.geo.streets.ways.build_graph`).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from circle15.errors import InputError
from circle15.geo.streets import modes
from circle15.geo.streets._files import HINT_FORMATS
from circle15.geo.streets.ways import EDGE_TAGS, build_graph

Path_ = tuple[int, list[int], dict]


def _way_tags(edges: Any, mode: str) -> tuple[dict[int, dict[str, Any]], int]:
    """Tags of the ways ``mode`` may use (way id -> tags), and the number of ways read."""
    tag_cols = [c for c in EDGE_TAGS if c in edges.columns]
    records = edges.drop_duplicates("id")[["id", *tag_cols]].to_dict("records")
    tags_by_way: dict[int, dict[str, Any]] = {}
    for rec in records:
        wid = int(rec.pop("id"))
        tags = {k: v for k, v in rec.items()
                if v is not None and not (isinstance(v, float) and np.isnan(v))}
        if modes.way_allowed(tags, mode):
            tags_by_way[wid] = tags
    return tags_by_way, len(records)


def _pbf_paths(edges: Any, mode: str) -> tuple[list[Path_], int, int]:
    """Turn pyrosm's per-segment edges back into OSM ways (one path per run of segments)."""
    tags_by_way, n_ways = _way_tags(edges, mode)
    ids = edges["id"].to_numpy()
    us = edges["u"].to_numpy()
    vs = edges["v"].to_numpy()
    paths: list[Path_] = []
    cur: list[int] = []
    cur_id = 0  # read only while cur holds a way's nodes
    for wid, u, v in zip(ids.tolist(), us.tolist(), vs.tolist(), strict=True):
        if wid not in tags_by_way:
            continue
        if wid == cur_id and cur and cur[-1] == u:
            cur.append(v)
            continue
        if cur:
            paths.append((cur_id, cur, tags_by_way[cur_id]))
        cur_id, cur = wid, [u, v]
    if cur:
        paths.append((cur_id, cur, tags_by_way[cur_id]))
    return paths, n_ways, len(tags_by_way)


def _read_network(path: Path, bbox: list[float] | None) -> tuple[Any, Any]:
    """pyrosm's ``(nodes, edges)`` of every street in ``bbox`` (lon/lat bounds)."""
    import pyrosm

    try:
        osm = pyrosm.OSM(str(path), bounding_box=bbox, keep_metadata=False)
        extra = [t for t in EDGE_TAGS if t not in ("highway",)]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Could not find any edges")
            result = osm.get_network(network_type="all", nodes=True, extra_attributes=extra)
    except InputError:
        raise
    except Exception as exc:  # pyrosm raises many types for corrupt input
        raise InputError(f"cannot read the PBF file ({type(exc).__name__}: {exc})", file=path,
                         key="network.source", hint=HINT_FORMATS) from None
    if result is None or result[1] is None or len(result[1]) == 0:
        if bbox is not None:
            b = bbox
            raise InputError(
                "the extract has no streets inside the study area "
                f"(lon {b[0]:.4f}–{b[2]:.4f}, lat {b[1]:.4f}–{b[3]:.4f})", file=path,
                key="network.source", hint="use an extract that covers the study area")
        raise InputError("the extract has no streets", file=path, key="network.source")
    return result


def read_pbf(path: Path, *, mode: str, two_way: bool, bbox: list[float] | None,
             report: dict[str, Any]) -> nx.MultiDiGraph:
    """The unsimplified street graph of a PBF extract for ``mode``.

    Parameters
    ----------
    path : Path
    mode : str
        Travel mode whose ways are kept.
    two_way : bool
        Build every way in both directions.
    bbox : list of float or None
        ``[lon_min, lat_min, lon_max, lat_max]`` read from the file (None: all of it).
    report : dict
        Updated with ``highway_ways``, ``ways_for_mode``, ``bounding_box``,
        ``ways_incomplete_dropped``.

    Returns
    -------
    networkx.MultiDiGraph
        WGS-84, ``G.graph["mode_filter"] == mode``.
    """
    nodes_gdf, edges = _read_network(path, bbox)
    paths, n_ways, n_kept = _pbf_paths(edges, mode)
    report.update(highway_ways=n_ways, ways_for_mode=n_kept, bounding_box=bbox)
    nodes = dict(zip(nodes_gdf["id"].to_numpy().tolist(),
                     zip(nodes_gdf["lon"].to_numpy().tolist(),
                         nodes_gdf["lat"].to_numpy().tolist(), strict=True), strict=True))
    known = [p for p in paths if all(n in nodes for n in p[1])]
    report["ways_incomplete_dropped"] = len(paths) - len(known)
    del edges, nodes_gdf
    G = build_graph(nodes, iter(known), bidirectional=two_way)
    G.graph["mode_filter"] = mode
    return G
