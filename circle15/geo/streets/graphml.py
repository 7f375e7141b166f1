"""Street networks from OpenStreetMap: XML, PBF, GraphML files or an online download.

``NetworkConfig.source`` chooses the reader:

``*.osm``, ``*.osm.gz``, ``*.osm.bz2`` (OSM XML)
    Streamed; only ``highway`` ways the mode may use (:func:`circle15.geo.streets.modes.way_allowed`)
    and whose nodes are all in the file are kept (clipped extracts load), then built with
    :func:`osmnx.graph_from_xml`.
``*.osm.pbf``
    Read with pyrosm, restricted to the bounding box of the buffered study area (a province
    extract is never read into memory whole), filtered by mode, built the way OSMnx builds
    graphs from OSM ways.
``*.graphml``, ``*.graphml.gz``
    A graph saved by OSMnx (gzip files are decompressed to a temporary file). Graphs
    without ``highway`` tags (e.g. a car network from a routing engine) are used as they are.
``place:<name>`` / ``polygon:[WKT | file]``
    Downloaded with OSMnx once and saved in ``cache_dir`` under a name made of the query and
    the date; later runs read the newest cached copy and never touch the network.
    ``polygon:`` with nothing after it downloads the buffered study area.

Every reader returns an OSMnx-style ``MultiDiGraph`` in WGS-84 (node ``x`` = longitude,
``y`` = latitude, ``G.graph["crs"] == "epsg:4326"``) with ``length`` (m) on every edge,
clipped to the study area plus ``buffer_m`` and simplified (OSMnx topology
simplification). ``G.graph["load_report"]`` says what was read and dropped.
"""

from __future__ import annotations

import ast
import bz2
import contextlib
import datetime as _dt
import gzip
import hashlib
import io
import itertools
import json
import logging
import operator
import os
import re
import shutil
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

import networkx as nx
import numpy as np
import osmnx as ox
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from circle15.config import NetworkConfig
from circle15.errors import InputError
from circle15.geo.streets import modes
from circle15.geo.streets.connectivity import isolated_nodes
from circle15.geo.crs import choose_crs
from circle15.geo.streets.project import add_edges_uncopied, gc_paused, node_xy

log = logging.getLogger(__name__)

WGS84 = "epsg:4326"
#: Way tags kept on edges (OSMnx's useful tags plus the ones the mode filters read).
EDGE_TAGS = tuple(dict.fromkeys([*ox.settings.useful_tags_way, *modes.FILTER_TAGS]))
_ONEWAY_VALUES = {"yes", "true", "1", "-1", "reverse", "T", "F"}
_REVERSED_VALUES = {"-1", "reverse", "T"}
_HINT_FORMATS = "use an OpenStreetMap extract (.osm, .osm.gz, .osm.bz2, .osm.pbf), an OSMnx " \
                "GraphML file (.graphml, .graphml.gz), or place:<name>"


# --------------------------------------------------------------------------- entry point


def source_kind(source: str) -> str:
    """Reader for a source string: ``"xml"``, ``"pbf"``, ``"graphml"`` or ``"online"``.

    Files are recognised by extension, and otherwise by their first bytes.

    Raises
    ------
    InputError
        If the file is missing or is neither OSM nor GraphML.
    """
    if source.startswith(("place:", "polygon:")):
        return "online"
    path = Path(source).expanduser()
    if not path.is_file():
        raise InputError("network file not found", file=path, key="network.source",
                         hint="check the path (relative to the config file)")
    name = path.name.lower()
    if name.endswith((".osm.pbf", ".pbf")):
        return "pbf"
    if name.endswith((".graphml", ".graphml.gz", ".graphml.xml")):
        return "graphml"
    if name.endswith((".osm", ".osm.gz", ".osm.bz2", ".osm.xml", ".osm.xml.gz")):
        return "xml"
    head = _head_text(path)
    if "<graphml" in head:
        return "graphml"
    if "<osm" in head:
        return "xml"
    with open(path, "rb") as fh:
        raw = fh.read(64)
    if b"OSMHeader" in raw:
        return "pbf"
    raise InputError("not an OpenStreetMap or GraphML file", file=path, key="network.source",
                     hint=_HINT_FORMATS)


def _open_text(path: Path) -> IO[bytes]:
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic[:2] == b"\x1f\x8b":
        return gzip.open(path, "rb")
    if magic == b"BZh":
        return bz2.open(path, "rb")
    return open(path, "rb")


def _head_text(path: Path, n: int = 2048) -> str:
    try:
        with _open_text(path) as fh:
            return fh.read(n).decode("utf-8", "replace")
    except (OSError, EOFError, ValueError):
        return ""


def load_graph(net_cfg: NetworkConfig, study_area: BaseGeometry | None = None,
               buffer_m: float = 2000.0) -> nx.MultiDiGraph:
    """Load the street network named by ``net_cfg.source`` for ``net_cfg.mode``.

    Parameters
    ----------
    net_cfg : NetworkConfig
        ``source`` (file or ``place:``/``polygon:`` query), ``mode``, ``cache_dir``.
    study_area : shapely geometry, optional
        Study area in WGS-84. When given, the network is clipped to it plus ``buffer_m``.
    buffer_m : float
        Buffer (m) kept around the study area (``AreaConfig.buffer_m``), so that trips
        leaving the area briefly are still routed.

    Returns
    -------
    networkx.MultiDiGraph
        In WGS-84 (``G.graph["crs"] == "epsg:4326"``), ``length`` (m) on every edge,
        ``G.graph["load_report"]`` a dict (source, kind, ways/edges read and dropped).

    Raises
    ------
    InputError
        Missing file; a file that is neither OSM nor GraphML; an extract that does not
        intersect the study area; a GraphML file without node coordinates; no streets
        usable by the mode.
    """
    kind = source_kind(net_cfg.source)
    clip = _buffered_area(study_area, buffer_m) if study_area is not None else None
    t0 = time.perf_counter()
    report: dict[str, Any] = {"source": net_cfg.source, "kind": kind, "mode": net_cfg.mode}
    if kind == "xml":
        G = _load_xml(Path(net_cfg.source), net_cfg, clip, report)
    elif kind == "pbf":
        G = _load_pbf(Path(net_cfg.source), net_cfg, clip, report)
    elif kind == "graphml":
        G = _load_graphml_file(Path(net_cfg.source), net_cfg, clip, report)
    else:
        G = _load_online(net_cfg, clip, report)
    G.graph["crs"] = WGS84
    n_edges = n_edges_of(G)
    report.update(nodes=len(G), edges=n_edges,
                  seconds=round(time.perf_counter() - t0, 3))
    G.graph["load_report"] = report
    log.info("network %s: %d nodes, %d edges (%s)", net_cfg.source, len(G), n_edges, kind)
    return G


# --------------------------------------------------------------------------- clipping


def _buffered_area(area: BaseGeometry, buffer_m: float) -> BaseGeometry:
    """``area`` (WGS-84) buffered by ``buffer_m`` metres, in WGS-84."""
    if area.is_empty:
        raise InputError("the study area is empty", key="area.zones")
    if buffer_m <= 0:
        return area
    crs = choose_crs(area)
    fwd = pyproj.Transformer.from_crs(WGS84, crs, always_xy=True)
    back = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
    metric = shapely.transform(area, lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))
    buf = metric.buffer(buffer_m, quad_segs=4)
    return shapely.transform(buf, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))


def n_edges_of(G: nx.MultiDiGraph) -> int:
    """``G.number_of_edges()``, counted from the adjacency (networkx sums degrees: slow)."""
    return len(G.edges)


def _extent_text(xs: np.ndarray, ys: np.ndarray) -> str:
    return f"lon {xs.min():.4f}–{xs.max():.4f}, lat {ys.min():.4f}–{ys.max():.4f}"


def clip_graph(G: nx.MultiDiGraph, polygon: BaseGeometry, file: Any = None
               ) -> tuple[nx.MultiDiGraph, int]:
    """Keep the nodes of ``G`` inside ``polygon`` (both WGS-84), and the edges between them.

    Returns
    -------
    (networkx.MultiDiGraph, int)
        The clipped graph and the number of nodes removed.

    Raises
    ------
    InputError
        If no node of ``G`` lies inside ``polygon``.
    """
    ids, xs, ys = node_xy(G)
    if not ids:
        raise InputError("the network has no streets", file=file, key="network.source")
    shapely.prepare(polygon)
    inside = shapely.contains_xy(polygon, xs, ys)
    if not inside.any():
        b = polygon.bounds
        raise InputError(
            f"the network ({_extent_text(xs, ys)}) does not intersect the study area "
            f"(lon {b[0]:.4f}–{b[2]:.4f}, lat {b[1]:.4f}–{b[3]:.4f})", file=file,
            key="network.source", hint="use an extract that covers the study area")
    drop = [n for n, ok in zip(ids, inside, strict=True) if not ok]
    if drop:
        G = G.copy()
        G.remove_nodes_from(drop)
    return G, len(drop)


def _finish(G: nx.MultiDiGraph, clip: BaseGeometry | None, report: dict[str, Any],
            file: Any, simplify: bool = True) -> nx.MultiDiGraph:
    """Clip to the buffered area, drop isolated nodes, simplify."""
    if n_edges_of(G) == 0:
        raise InputError("no streets usable for this travel mode in the file", file=file,
                         key="network.source", hint="check the extract and network.mode")
    if clip is not None:
        G, removed = clip_graph(G, clip, file=file)
        report["nodes_outside_area"] = removed
    G.remove_nodes_from(isolated_nodes(G))
    if n_edges_of(G) == 0:
        raise InputError("no streets of the file lie inside the study area", file=file,
                         key="network.source", hint="use an extract that covers the study area")
    if simplify and not G.graph.get("simplified"):
        G = ox.simplify_graph(G)
    return G


# --------------------------------------------------------------------------- graph building


def _path_attrs(way_id: int, tags: dict[str, Any]) -> dict[str, Any]:
    attrs: dict[str, Any] = {"osmid": int(way_id)}
    for key in EDGE_TAGS:
        val = tags.get(key)
        if val is not None and not (isinstance(val, float) and np.isnan(val)):
            attrs[key] = str(val)
    return attrs


def _is_one_way(attrs: dict[str, Any], bidirectional: bool) -> bool:
    """OSMnx's one-way rules (``osmnx.graph._is_path_one_way``)."""
    if bidirectional:
        return False
    if attrs.get("oneway") in _ONEWAY_VALUES:
        return True
    return attrs.get("junction") == "roundabout"


def build_graph(nodes: dict[int, tuple[float, float]],
                paths: Iterator[tuple[int, list[int], dict[str, Any]]],
                bidirectional: bool) -> nx.MultiDiGraph:
    """Build an unsimplified OSMnx-style graph from OSM nodes and ways.

    Follows ``osmnx.graph._create_graph``: one edge per consecutive node pair, ``osmid`` the
    way id, the way's useful tags on each edge, ``oneway``/``reversed`` as OSMnx sets them,
    ``length`` the great-circle distance.

    Parameters
    ----------
    nodes : dict
        OSM node id -> (lon, lat); must contain every node the paths use.
    paths : iterable of (way id, node ids, tags)
    bidirectional : bool
        Add every way in both directions (walking networks).

    Returns
    -------
    networkx.MultiDiGraph
    """
    G = nx.MultiDiGraph(created_with=f"circle15 / OSMnx {ox.__version__}", crs=WGS84)
    for way_id, refs, tags in paths:
        refs = [k for k, _ in itertools.groupby(refs)]
        if len(refs) < 2:
            continue
        attrs = _path_attrs(way_id, tags)
        one_way = _is_one_way(attrs, bidirectional)
        if one_way and attrs.get("oneway") in _REVERSED_VALUES:
            refs = refs[::-1]
        attrs["oneway"] = one_way
        for n in refs:
            if n not in G:
                lon, lat = nodes[n]
                G.add_node(n, x=float(lon), y=float(lat))
        edges = list(itertools.pairwise(refs))
        G.add_edges_from(edges, **attrs, reversed=False)
        if not one_way:
            G.add_edges_from([(v, u) for u, v in edges], **attrs, reversed=True)
    if G.number_of_edges():
        G = ox.distance.add_edge_lengths(G)
    return G


# --------------------------------------------------------------------------- OSM XML


def _iter_osm_xml(path: Path) -> Iterator[tuple[str, Any]]:
    """Stream ``("node", (id, lon, lat))`` and ``("way", (id, refs, tags))`` from OSM XML."""
    try:
        with _open_text(path) as fh:
            ctx = ET.iterparse(fh, events=("start", "end"))
            _, root = next(ctx)
            if root.tag != "osm":
                raise InputError(f"not an OpenStreetMap XML file (root element <{root.tag}>)",
                                 file=path, key="network.source", hint=_HINT_FORMATS)
            for event, el in ctx:
                if event != "end":
                    continue
                if el.tag == "node":
                    yield "node", (int(el.get("id")), float(el.get("lon")), float(el.get("lat")))
                    el.clear()
                elif el.tag == "way":
                    refs = [int(nd.get("ref")) for nd in el.iter("nd")]
                    tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
                    yield "way", (int(el.get("id")), refs, tags)
                    el.clear()
                elif el.tag == "relation":
                    el.clear()
                if el.tag in ("node", "way", "relation"):
                    root.clear()
    except ET.ParseError as exc:
        raise InputError(f"not a readable OpenStreetMap XML file ({exc})", file=path,
                         key="network.source", hint=_HINT_FORMATS) from None
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file ({exc})", file=path,
                         key="network.source") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"malformed OpenStreetMap XML ({exc})", file=path,
                         key="network.source") from None


def _write_osm_xml(path: Path, nodes: dict[int, tuple[float, float]],
                   ways: list[tuple[int, list[int], dict[str, Any]]]) -> None:
    """Write nodes and ways as minimal OSM XML (input for :func:`osmnx.graph_from_xml`)."""
    used = sorted({n for _, refs, _ in ways for n in refs})
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" '
                 'generator="circle15">\n')
        for n in used:
            lon, lat = nodes[n]
            fh.write(f'<node id="{n}" lat="{lat!r}" lon="{lon!r}"/>\n')
        for wid, refs, tags in ways:
            fh.write(f'<way id="{wid}">')
            fh.write("".join(f'<nd ref="{r}"/>' for r in refs))
            fh.write("".join(f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>"
                             for k, v in tags.items() if k in EDGE_TAGS))
            fh.write("</way>\n")
        fh.write("</osm>\n")


def _load_xml(path: Path, net_cfg: NetworkConfig, clip: BaseGeometry | None,
              report: dict[str, Any]) -> nx.MultiDiGraph:
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[tuple[int, list[int], dict[str, Any]]] = []
    n_highway = 0
    for kind, item in _iter_osm_xml(path):
        if kind == "node":
            nid, lon, lat = item
            nodes[nid] = (lon, lat)
        else:
            wid, refs, tags = item
            if "highway" not in tags:
                continue
            n_highway += 1
            if modes.way_allowed(tags, net_cfg.mode):
                ways.append(item)
    complete = [w for w in ways if all(r in nodes for r in w[1])]
    report.update(highway_ways=n_highway, ways_for_mode=len(ways),
                  ways_incomplete_dropped=len(ways) - len(complete))
    if len(ways) != len(complete):
        log.warning("%s: dropped %d ways whose nodes are not all in the extract", path,
                    len(ways) - len(complete))
    if not complete:
        raise InputError(f"no streets usable for mode {net_cfg.mode!r} in the file "
                         f"({n_highway} highway ways)", file=path, key="network.source",
                         hint="check that it is a street extract covering the study area")
    with tempfile.TemporaryDirectory(prefix="circle15-osm-") as tmp:
        filtered = Path(tmp) / "streets.osm"
        _write_osm_xml(filtered, nodes, complete)
        del nodes
        with _osmnx_tags():
            G = ox.graph_from_xml(filtered, bidirectional=modes.is_two_way(net_cfg),
                                  simplify=False, retain_all=True)
    G.graph["mode_filter"] = net_cfg.mode
    return _finish(G, clip, report, path)


# --------------------------------------------------------------------------- PBF


def _pbf_paths(edges: Any, mode: str) -> tuple[list[tuple[int, list[int], dict]], int, int]:
    """Turn pyrosm's per-segment edges back into OSM ways (one path per run of segments)."""
    tag_cols = [c for c in EDGE_TAGS if c in edges.columns]
    ways_df = edges.drop_duplicates("id")
    records = ways_df[["id", *tag_cols]].to_dict("records")
    tags_by_way: dict[int, dict[str, Any]] = {}
    n_ways = len(records)
    for rec in records:
        wid = int(rec.pop("id"))
        tags = {k: v for k, v in rec.items()
                if v is not None and not (isinstance(v, float) and np.isnan(v))}
        if modes.way_allowed(tags, mode):
            tags_by_way[wid] = tags
    ids = edges["id"].to_numpy()
    us = edges["u"].to_numpy()
    vs = edges["v"].to_numpy()
    paths: list[tuple[int, list[int], dict]] = []
    cur_id, cur = None, []
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


def _load_pbf(path: Path, net_cfg: NetworkConfig, clip: BaseGeometry | None,
              report: dict[str, Any]) -> nx.MultiDiGraph:
    import pyrosm

    bbox = list(clip.bounds) if clip is not None else None
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
                         key="network.source", hint=_HINT_FORMATS) from None
    if result is None or result[1] is None or len(result[1]) == 0:
        if clip is not None:
            b = clip.bounds
            raise InputError(
                "the extract has no streets inside the study area "
                f"(lon {b[0]:.4f}–{b[2]:.4f}, lat {b[1]:.4f}–{b[3]:.4f})", file=path,
                key="network.source", hint="use an extract that covers the study area")
        raise InputError("the extract has no streets", file=path, key="network.source")
    nodes_gdf, edges = result
    paths, n_ways, n_kept = _pbf_paths(edges, net_cfg.mode)
    report.update(highway_ways=n_ways, ways_for_mode=n_kept, bounding_box=bbox)
    nodes = dict(zip(nodes_gdf["id"].to_numpy().tolist(),
                     zip(nodes_gdf["lon"].to_numpy().tolist(),
                         nodes_gdf["lat"].to_numpy().tolist(), strict=True), strict=True))
    known = [p for p in paths if all(n in nodes for n in p[1])]
    report["ways_incomplete_dropped"] = len(paths) - len(known)
    del edges, nodes_gdf
    G = build_graph(nodes, iter(known), bidirectional=modes.is_two_way(net_cfg))
    G.graph["mode_filter"] = net_cfg.mode
    return _finish(G, clip, report, path)


# --------------------------------------------------------------------------- GraphML


@contextlib.contextmanager
def _plain_file(path: Path) -> Iterator[Path]:
    """Yield a plain-text path for ``path``, decompressing gzip/bz2 to a temporary file."""
    with open(path, "rb") as fh:
        magic = fh.read(3)
    if magic[:2] != b"\x1f\x8b" and magic != b"BZh":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="circle15-graphml-") as tmp:
        out = Path(tmp) / "graph.graphml"
        try:
            with _open_text(path) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except (OSError, EOFError) as exc:
            raise InputError(f"cannot decompress the file ({exc})", file=path,
                             key="network.source") from None
        yield out


def _check_coordinates(G: nx.Graph, path: Path) -> None:
    if len(G) == 0:
        raise InputError("the GraphML file has no nodes", file=path, key="network.source")
    missing = sum(1 for _, d in G.nodes(data=True) if "x" not in d or "y" not in d)
    if missing:
        raise InputError(
            f"{missing} of {len(G)} nodes have no x/y coordinates", file=path,
            key="network.source",
            hint="save the graph with osmnx.save_graphml (nodes need x=lon, y=lat)")


#: GraphML namespace and element tags (as ElementTree spells them).
_GML = "{http://graphml.graphdrawing.org/xmlns}"
_GML_KEY, _GML_GRAPH, _GML_NODE, _GML_EDGE, _GML_DATA = (
    _GML + t for t in ("key", "graph", "node", "edge", "data"))


def _bool_text(value: Any) -> bool:
    """``"True"``/``"False"`` to bool (``osmnx.io._convert_bool_string``)."""
    if isinstance(value, bool):
        return value
    if value in ("True", "False"):
        return value == "True"
    raise ValueError(f"Invalid literal for boolean: {value!r}.")


#: The converters :func:`osmnx.load_graphml` applies by default (osmnx 2.x).
_GRAPH_DTYPES: dict[str, Any] = {"consolidated": _bool_text, "simplified": _bool_text}
_NODE_DTYPES: dict[str, Any] = {"elevation": float, "elevation_res": float, "osmid": int,
                                "street_count": int, "x": float, "y": float}
_EDGE_DTYPES: dict[str, Any] = {"bearing": float, "grade": float, "grade_abs": float,
                                "length": float, "oneway": _bool_text, "osmid": int,
                                "reversed": _bool_text, "speed_kph": float,
                                "travel_time": float}


class _NotPlainGraphML(Exception):
    """GraphML the streaming reader leaves to :func:`osmnx.load_graphml`."""


def _literal(value: str) -> Any:
    """OSMnx's reading of a stringified list/dict/set (``ast.literal_eval``, else as is)."""
    if value and ((value[0] == "[" and value[-1] == "]")
                  or (value[0] == "{" and value[-1] == "}")):
        try:
            return ast.literal_eval(value)
        except (SyntaxError, ValueError):
            return value
    return value


def _converted(text: str, conv: Any, per_item: bool) -> Any:
    """A GraphML text value with OSMnx's conversion (see :func:`read_graphml_stream`)."""
    value = _literal(text)
    if conv is None:
        return value
    if per_item and isinstance(value, list):
        return [conv(v) for v in value]
    return conv(value)


def _element_data(el: ET.Element, keys: dict[str, tuple[str, Any]], what: str
                  ) -> dict[str, Any]:
    """Attributes of a GraphML ``<node>`` or ``<edge>`` element, converted as OSMnx does.

    ``what`` is ``"node"`` or ``"edge"``; on edges stringified lists are converted item by
    item.
    """
    per_item = what == "edge"
    data: dict[str, Any] = {}
    for child in el:
        if child.tag != _GML_DATA or len(child):
            raise _NotPlainGraphML(f"<{child.tag}> inside a {what}")
        name, conv = keys[child.get("key")]
        text = child.text or ""
        if text and (text[0] == "[" or text[0] == "{"):
            data[name] = _converted(text, conv, per_item)
        else:
            data[name] = conv(text) if conv is not None else text
    if len(data) != len(el):
        raise _NotPlainGraphML(f"repeated {what} attribute")
    return data


def _parse_geometries(geom_dicts: list[dict[str, Any]]) -> None:
    """Replace the WKT ``geometry`` text of each dict by its shapely geometry (one call)."""
    if geom_dicts:
        wkts = np.array([d["geometry"] for d in geom_dicts], dtype=object)
        for d, g in zip(geom_dicts, shapely.from_wkt(wkts).tolist(), strict=True):
            d["geometry"] = g


def _set_graph_attrs(G: nx.MultiDiGraph, graph_data: dict[str, str]) -> None:
    """Graph attributes with OSMnx's conversions (``simplified``, ``consolidated``)."""
    for name, value in graph_data.items():
        conv = _GRAPH_DTYPES.get(name)
        G.graph[name] = conv(value) if conv is not None else value


def read_graphml_stream(fh: IO[bytes]) -> nx.MultiDiGraph:
    """Read an OSMnx GraphML stream the way :func:`osmnx.load_graphml` does, streaming.

    The document is parsed element by element (``ElementTree.iterparse``; each node and
    edge is freed once read), attribute values get OSMnx's type conversions (stringified
    lists evaluated; ``x``, ``y``, ``length``, ``travel_time``... floats; ``osmid``,
    ``street_count`` ints; ``oneway``, ``reversed`` bools) and edge geometries are parsed
    from WKT in one vectorised call. Nodes are added before edges, in document order, so
    the graph (node order, edge order and keys, attributes) is the one OSMnx builds.

    Parameters
    ----------
    fh : binary file object
        Plain GraphML text (decompress first).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    _NotPlainGraphML
        For GraphML this reader does not handle (typed keys, key defaults, undirected or
        several graphs, yFiles extensions, nested graphs, ports...): read it with
        :func:`osmnx.load_graphml`. Malformed input raises what the parser raises.
    """
    G = nx.MultiDiGraph()
    node_keys: dict[str, tuple[str, Any]] = {}
    edge_keys: dict[str, tuple[str, Any]] = {}
    key_names: dict[str, str] = {}
    edges: list[tuple[int, int, Any, dict[str, Any]]] = []
    geom_dicts: list[dict[str, Any]] = []
    graph_data: dict[str, Any] | None = None
    add_node = G.add_node
    DATA, NODE, EDGE = _GML_DATA, _GML_NODE, _GML_EDGE
    for _event, el in ET.iterparse(fh, events=("end",)):
        tag = el.tag
        if tag == DATA:
            continue
        if tag == NODE:
            if graph_data is not None or el.get("yfiles.foldertype") is not None:
                raise _NotPlainGraphML("nested or second graph")
            add_node(int(el.get("id")), **_element_data(el, node_keys, "node"))
            el.clear()
        elif tag == EDGE:
            if graph_data is not None or el.get("directed") == "false":
                raise _NotPlainGraphML("undirected edge or second graph")
            edge_id: Any = el.get("id")
            if not edge_id:
                raise _NotPlainGraphML("edge without id")
            try:
                edge_id = int(edge_id)
            except ValueError:
                pass
            data = _element_data(el, edge_keys, "edge")
            data.pop("id", None)
            if "geometry" in data:
                if not isinstance(data["geometry"], str):
                    raise _NotPlainGraphML("geometry is not WKT text")
                geom_dicts.append(data)
            edges.append((int(el.get("source")), int(el.get("target")), edge_id, data))
            el.clear()
        elif tag == _GML_KEY:
            name = el.get("attr.name")
            if el.get("attr.type") != "string" or el.get("yfiles.type") is not None \
                    or name is None or len(el):
                raise _NotPlainGraphML("typed key, key default or yFiles key")
            kid = el.get("id")
            key_names[kid] = name
            node_keys[kid] = (name, _NODE_DTYPES.get(name))
            edge_keys[kid] = (name, _EDGE_DTYPES.get(name))
        elif tag == _GML_GRAPH:
            if graph_data is not None or el.get("edgedefault") != "directed":
                raise _NotPlainGraphML("undirected, nested or second graph")
            graph_data = {}
            for child in el:
                if child.tag == DATA:
                    if len(child):
                        raise _NotPlainGraphML("yFiles graph data")
                    graph_data[key_names[child.get("key")]] = child.text or ""
                elif child.tag not in (NODE, EDGE):
                    raise _NotPlainGraphML(f"<{child.tag}> in the graph")
            el.clear()
        elif tag != _GML + "graphml":
            raise _NotPlainGraphML(f"unexpected element <{tag}>")
    if graph_data is None:
        raise _NotPlainGraphML("no graph")
    _parse_geometries(geom_dicts)
    del geom_dicts
    G.add_edges_from(edges)
    del edges
    _set_graph_attrs(G, graph_data)
    return G


#: One ``<node>``/``<edge>`` element as networkx's GraphML writer lays it out.
_RX_ELEMENT = re.compile(
    r'\s*<(?:node id="([^"&<>]*)"|edge source="([^"&<>]*)" target="([^"&<>]*)" '
    r'id="([^"&<>]*)")(?: />|>((?:\s*<data key="[^"<>]*"(?: />|>[^<]*</data>))*)'
    r'\s*</(?:node|edge)>)')
_RX_DATA = re.compile(r'<data key="([^"<>]*)"(?: />|>([^<]*)</data>)')
_RX_ENTITY = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));")
_RX_FIRST_ELEMENT = re.compile(r"<(?:node|edge)[\s/>]")
_RX_SPECIAL = re.compile(r"&|>[\[{]")
_RX_ENCODING = re.compile(r"""^\s*<\?xml[^>]*encoding=["']([^"']+)["']""")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_BOOL_TEXT = {"True": True, "False": False}
_BOOL_LOOKUP = _BOOL_TEXT.__getitem__
_CHUNK_CHARS = 1 << 23


def _unescape(text: str) -> str:
    """XML character and entity references of a text value (the five named ones only)."""
    if text.count("&") != len(_RX_ENTITY.findall(text)):
        raise _NotPlainGraphML("unknown entity")

    def _sub(m: re.Match) -> str:
        if m.group(3):
            return _NAMED_ENTITIES[m.group(3)]
        return chr(int(m.group(1), 16) if m.group(1) else int(m.group(2)))

    return _RX_ENTITY.sub(_sub, text)


def _skeleton(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """Keys (id -> name) and graph attributes of a GraphML document without its elements."""
    root = ET.fromstring(text.encode("utf-8"))
    if root.tag != _GML + "graphml":
        raise _NotPlainGraphML("not GraphML")
    names: dict[str, str] = {}
    graphs = []
    for el in root:
        if el.tag == _GML_KEY:
            name = el.get("attr.name")
            if el.get("attr.type") != "string" or el.get("yfiles.type") is not None \
                    or name is None or len(el) or name in names.values():
                raise _NotPlainGraphML("typed, defaulted, yFiles or repeated key")
            names[el.get("id")] = name
        elif el.tag == _GML_GRAPH:
            graphs.append(el)
        else:
            raise _NotPlainGraphML(f"<{el.tag}> in the document")
    if len(graphs) != 1 or graphs[0].get("edgedefault") != "directed":
        raise _NotPlainGraphML("not one directed graph")
    graph_data: dict[str, str] = {}
    for el in graphs[0]:
        if el.tag != _GML_DATA or len(el):
            raise _NotPlainGraphML(f"<{el.tag}> in the graph")
        graph_data[names[el.get("key")]] = el.text or ""
    return names, graph_data


def _layout(names: dict[str, str], is_node: bool, key_ids: tuple[str, ...]
            ) -> tuple[tuple[str, ...], tuple[Any, ...], bool, bool]:
    """Attribute names and OSMnx converters (``str`` = none) for a sequence of key ids."""
    attr_names = tuple(names[k] for k in key_ids)
    dtypes = _NODE_DTYPES if is_node else _EDGE_DTYPES
    convs = tuple(_BOOL_LOOKUP if dtypes.get(n) is _bool_text
                  else dtypes.get(n, str) for n in attr_names)
    return attr_names, convs, "id" in attr_names and not is_node, "geometry" in attr_names


def read_graphml_text(fh: IO[str]) -> nx.MultiDiGraph:
    """Read GraphML written by networkx/OSMnx, as :func:`osmnx.load_graphml` would.

    The fastest reader: node and edge elements are matched with regular expressions in
    chunks of text (networkx's writer lays them out the same way every time) and turned into
    attribute dicts with OSMnx's conversions (see :func:`read_graphml_stream`); geometries
    are parsed from WKT in one vectorised call per chunk; everything else (keys, graph
    attributes) is parsed as XML. Edges are added per chunk, so memory stays near the size
    of the graph.

    Parameters
    ----------
    fh : text file object
        Opened with ``encoding="utf-8"`` and universal newlines (XML's line-end rule).

    Returns
    -------
    networkx.MultiDiGraph

    Raises
    ------
    _NotPlainGraphML
        For anything laid out differently, or not handled (typed keys, key defaults,
        undirected or several graphs, nested graphs, comments, CDATA...): read it with
        :func:`read_graphml_stream` or :func:`osmnx.load_graphml`.
    """
    buf = fh.read(_CHUNK_CHARS)
    m = _RX_ENCODING.match(buf)
    if m and m.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise _NotPlainGraphML(f"encoding {m.group(1)}")
    first = _RX_FIRST_ELEMENT.search(buf)
    while first is None:  # a long header
        more = fh.read(_CHUNK_CHARS)
        if not more:
            raise _NotPlainGraphML("no node or edge")
        buf += more
        first = _RX_FIRST_ELEMENT.search(buf)
    head = buf[:first.start()]
    if head.count("<graph ") + head.count("<graph>") != 1 or "<!--" in head:
        raise _NotPlainGraphML("unusual header")
    names, _ = _skeleton(head + "</graph></graphml>")
    G = nx.MultiDiGraph()
    match = _RX_ELEMENT.match
    call = operator.call
    findall = _RX_DATA.findall
    special = _RX_SPECIAL.search
    layouts: dict[tuple, tuple[tuple[str, ...], tuple[Any, ...], bool, bool]] = {}
    pos = first.start()
    eof = False
    edges_added = False
    while True:
        nodes: list[tuple[int, dict[str, Any]]] = []
        edges: list[tuple[int, int, Any, dict[str, Any]]] = []
        geom_dicts: list[dict[str, Any]] = []
        while (m := match(buf, pos)) is not None:
            pos = m.end()
            node_id, source, target, key, body = m.groups()
            if body is None:
                body = ""
            raw = dict(findall(body))
            if len(raw) != body.count("<data "):
                raise _NotPlainGraphML("repeated attribute")
            is_node = node_id is not None
            sig = (is_node, *raw)
            layout = layouts.get(sig)
            if layout is None:
                layout = layouts[sig] = _layout(names, is_node, tuple(raw))
            attr_names, convs, has_id, has_geom = layout
            if special(body) is not None:
                data = {}
                for name, conv, v in zip(attr_names, convs, raw.values(), strict=True):
                    value = _literal(_unescape(v) if "&" in v else v)
                    if conv is _BOOL_LOOKUP:
                        conv = _bool_text  # noqa: PLW2901 - also takes evaluated bools
                    if conv is not str:
                        value = [conv(x) for x in value] if not is_node and isinstance(
                            value, list) else conv(value)
                    data[name] = value
            else:
                data = dict(zip(attr_names, map(call, convs, raw.values())))
            if is_node:
                nodes.append((int(node_id), data))
                continue
            if has_id:
                del data["id"]
            if has_geom:
                if not isinstance(data["geometry"], str):
                    raise _NotPlainGraphML("geometry is not WKT text")
                geom_dicts.append(data)
            if not key:
                raise _NotPlainGraphML("edge without id")
            try:
                key = int(key)
            except ValueError:
                pass
            edges.append((int(source), int(target), key, data))
        _parse_geometries(geom_dicts)
        if nodes:
            if edges_added and any(n in G for n, _ in nodes):
                raise _NotPlainGraphML("node declared after an edge that uses it")
            G.add_nodes_from(nodes)
        if edges:
            has = G._node.__contains__
            if not (all(map(has, (e[0] for e in edges)))
                    and all(map(has, (e[1] for e in edges)))):
                raise _NotPlainGraphML("edge to an undeclared node")
            add_edges_uncopied(G, edges)
            edges_added = True
        del nodes, edges, geom_dicts
        if eof:
            break
        more = fh.read(_CHUNK_CHARS)
        eof = not more
        buf = buf[pos:] + more
        pos = 0
    tail = buf[pos:]
    if _RX_FIRST_ELEMENT.search(tail) or "<!--" in tail or "<![CDATA[" in tail:
        raise _NotPlainGraphML("unusual element layout")
    _set_graph_attrs(G, _skeleton(head + tail)[1])
    return G


def _read_graphml_fast(path: Path) -> nx.MultiDiGraph | None:
    """The graph :func:`osmnx.load_graphml` reads from ``path`` (plain, gzip or bz2), fast.

    :func:`read_graphml_text` first, then :func:`read_graphml_stream`; None if both decline
    (the caller then uses osmnx itself).
    """
    for reader in (read_graphml_text, read_graphml_stream):
        try:
            with _open_text(path) as raw, gc_paused():
                if reader is read_graphml_text:
                    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None) as fh:
                        return reader(fh)
                return reader(raw)
        except _NotPlainGraphML as exc:
            log.info("%s: %s (%s)", path, exc, reader.__name__)
        except Exception as exc:  # noqa: BLE001 - malformed input: osmnx reports it
            log.debug("%s: %s failed (%s: %s)", path, reader.__name__,
                      type(exc).__name__, exc)
    return None


def read_graphml(path: Path) -> nx.MultiDiGraph:
    """Read an OSMnx GraphML file (plain or gzip) as saved by :func:`osmnx.save_graphml`.

    OSMnx-style files are streamed (:func:`read_graphml_stream`, the same graph as
    :func:`osmnx.load_graphml` in a fraction of the time and memory); anything unusual is
    read with :func:`osmnx.load_graphml`.

    Raises
    ------
    InputError
        If it is not GraphML or its nodes lack ``x``/``y`` coordinates.
    """
    G = _read_graphml_fast(path)
    if G is not None:
        _check_coordinates(G, path)
        return G
    return read_graphml_osmnx(path)


def read_graphml_osmnx(path: Path) -> nx.MultiDiGraph:
    """Read an OSMnx GraphML file with :func:`osmnx.load_graphml` (the reference reader).

    Raises
    ------
    InputError
        If it is not GraphML or its nodes lack ``x``/``y`` coordinates.
    """
    with _plain_file(path) as plain:
        try:
            G = ox.load_graphml(plain)
        except Exception as exc:  # osmnx/networkx raise ParseError, KeyError, ValueError...
            try:
                raw = nx.read_graphml(plain)
            except Exception as exc2:
                raise InputError(f"not a readable GraphML file ({type(exc2).__name__}: {exc2})",
                                 file=path, key="network.source", hint=_HINT_FORMATS) from None
            _check_coordinates(raw, path)
            raise InputError(f"not an OSMnx GraphML file ({type(exc).__name__}: {exc})",
                             file=path, key="network.source",
                             hint="save the graph with osmnx.save_graphml") from None
    _check_coordinates(G, path)
    return G


def _load_graphml_file(path: Path, net_cfg: NetworkConfig, clip: BaseGeometry | None,
                       report: dict[str, Any]) -> nx.MultiDiGraph:
    G = read_graphml(path)
    if not isinstance(G, nx.MultiDiGraph):
        G = nx.MultiDiGraph(G)
    crs = G.graph.get("crs")
    if crs is None:
        _, xs, ys = node_xy(G)
        if not (np.all(np.abs(xs) <= 180) and np.all(np.abs(ys) <= 90)):
            raise InputError("the GraphML file declares no crs and its coordinates are not "
                             "longitude/latitude", file=path, key="network.source",
                             hint="save it with osmnx (graph attribute crs)")
        G.graph["crs"] = WGS84
    else:
        try:
            declared = pyproj.CRS.from_user_input(crs)
        except pyproj.exceptions.CRSError as exc:
            raise InputError(f"the GraphML file declares an unknown crs {crs!r} ({exc})",
                             file=path, key="network.source",
                             hint="set the graph attribute crs to an EPSG code such as "
                                  "epsg:4326, or save the graph with osmnx") from None
        if not declared.equals(pyproj.CRS.from_epsg(4326)):
            G = ox.projection.project_graph(G, to_latlong=True)
    if any("length" not in d for _, _, d in G.edges(data=True)):
        G = ox.distance.add_edge_lengths(G)
    has_highway = any("highway" in d for _, _, d in G.edges(data=True))
    report["highway_tags"] = has_highway
    if has_highway and G.graph.get("mode_filter") != net_cfg.mode:
        G, dropped = modes.filter_graph(G, net_cfg.mode, copy=False)  # G is ours
        G.graph["mode_filter"] = net_cfg.mode
        report["edges_dropped_by_mode"] = dropped
    elif not has_highway:
        log.info("%s: edges have no highway tags; no mode filter applied", path)
    return _finish(G, clip, report, path, simplify=False)


# --------------------------------------------------------------------------- online


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/circle15/osm`` (``~/.cache/circle15/osm``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "circle15" / "osm"


def cache_key(query: str) -> str:
    """Stable short key of an online query (place name or polygon WKT)."""
    return hashlib.sha256(query.strip().encode("utf-8")).hexdigest()[:16]


def _slug(text: str) -> str:
    s = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-")
    return s[:40] or "area"


def cached_files(cache_dir: Path, query: str) -> list[Path]:
    """Cached downloads of ``query``, newest date first."""
    key = cache_key(query)
    files = list(Path(cache_dir).glob(f"*-{key}-*.graphml.gz"))
    return sorted(files, key=lambda p: p.name.rsplit("-", 1)[-1], reverse=True)


def cache_path(cache_dir: Path, query: str, date: _dt.date) -> Path:
    """File name of a download: ``<slug>-<key>-<YYYYMMDD>.graphml.gz``."""
    label = query.split(":", 1)[-1] if query.startswith("place:") else "polygon"
    return Path(cache_dir) / f"{_slug(label)}-{cache_key(query)}-{date:%Y%m%d}.graphml.gz"


@contextlib.contextmanager
def _osmnx_tags() -> Iterator[None]:
    """Temporarily keep the tags the mode filters need on downloaded edges."""
    old = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = list(EDGE_TAGS)
    try:
        yield
    finally:
        ox.settings.useful_tags_way = old


def _online_polygon(spec: str, clip: BaseGeometry | None) -> BaseGeometry:
    text = spec.strip()
    if not text:
        if clip is None:
            raise InputError("polygon: needs a study area, a WKT polygon or a polygon file",
                             key="network.source")
        return clip
    if text.upper().startswith(("POLYGON", "MULTIPOLYGON")):
        try:
            return shapely.from_wkt(text)
        except shapely.errors.GEOSException as exc:
            raise InputError(f"not a valid WKT polygon: {exc}", key="network.source") from None
    import geopandas as gpd

    path = Path(text).expanduser()
    if not path.is_file():
        raise InputError("polygon file not found", file=path, key="network.source")
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise InputError(f"cannot read a polygon from the file ({type(exc).__name__}: {exc})",
                         file=path, key="network.source",
                         hint="use GeoJSON, GeoPackage or Shapefile") from None
    if gdf.crs is not None:
        gdf = gdf.to_crs(WGS84)
    return shapely.union_all(gdf.geometry.to_numpy())


def download_graph(query: str, clip: BaseGeometry | None) -> nx.MultiDiGraph:
    """Download an unsimplified ``all`` street network with OSMnx (needs the internet)."""
    with _osmnx_tags():
        if query.startswith("place:"):
            return ox.graph_from_place(query[len("place:"):].strip(), network_type="all",
                                       simplify=False, retain_all=True, truncate_by_edge=True)
        polygon = _online_polygon(query[len("polygon:"):], clip)
        return ox.graph_from_polygon(polygon, network_type="all", simplify=False,
                                     retain_all=True, truncate_by_edge=True)


def _save_cache(G: nx.MultiDiGraph, target: Path, query: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".download-") as tmp:
        plain = Path(tmp) / "graph.graphml"
        ox.save_graphml(G, plain)
        packed = Path(tmp) / target.name
        with open(plain, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.replace(packed, target)
    meta = {"query": query, "downloaded": _dt.datetime.now().isoformat(timespec="seconds"),
            "osmnx": ox.__version__, "nodes": len(G), "edges": G.number_of_edges(),
            "note": "Data (c) OpenStreetMap contributors, ODbL"}
    target.with_suffix("").with_suffix(".json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


def _load_online(net_cfg: NetworkConfig, clip: BaseGeometry | None,
                 report: dict[str, Any]) -> nx.MultiDiGraph:
    query = net_cfg.source.strip()
    if query == "polygon:" and clip is not None:
        query = "polygon:" + shapely.to_wkt(clip, rounding_precision=5)
    cache_dir = Path(net_cfg.cache_dir) if net_cfg.cache_dir else default_cache_dir()
    hits = cached_files(cache_dir, query)
    if hits:
        path = hits[0]
        report.update(cache="hit", cache_file=str(path))
        log.info("network: using cached download %s (no network access)", path)
        G = read_graphml(path)
    else:
        path = cache_path(cache_dir, query, _dt.date.today())
        log.info("network: downloading %s from OpenStreetMap (saved to %s)", query, path)
        try:
            G = download_graph(query, clip)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"download failed ({type(exc).__name__}: {exc})",
                             key="network.source",
                             hint="check the internet connection and the place name, or use "
                                  "an OSM extract file") from None
        _save_cache(G, path, query)
        report.update(cache="miss", cache_file=str(path))
    G.graph.pop("simplified", None)
    G, dropped = modes.filter_graph(G, net_cfg.mode)
    report["edges_dropped_by_mode"] = dropped
    G.graph["mode_filter"] = net_cfg.mode
    return _finish(G, clip, report, path)
