"""Load a street network from any source: dispatch by kind, clip to the study area, finish.

``source`` chooses the reader:

``*.osm``, ``*.osm.gz``, ``*.osm.bz2`` (OSM XML)
    :func:`circle15.geo.streets.osm_xml.read_osm_xml` (streamed).
``*.osm.pbf``
    :func:`circle15.geo.streets.pbf.read_pbf` (pyrosm, only the buffered study area's box).
``*.graphml``, ``*.graphml.gz``
    :func:`circle15.geo.streets.graphml.read_graphml` (a graph saved by OSMnx). Graphs
    without ``highway`` tags (e.g. a car network from a routing engine) are used as they are.
``place:<name>`` / ``polygon:[WKT | file]``
    :func:`circle15.geo.streets.download.read_online` (downloaded once, then cached).

Every source gives an OSMnx-style ``MultiDiGraph`` in WGS-84 (node ``x`` = longitude,
``y`` = latitude, ``G.graph["crs"] == "epsg:4326"``) with ``length`` (m) on every edge,
clipped to the study area plus ``buffer_m`` and simplified (OSMnx topology
simplification). ``G.graph["load_report"]`` says what was read and dropped.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError
from circle15.geo.crs import choose_crs
from circle15.geo.streets import modes
from circle15.geo.streets._files import HINT_FORMATS, head_text
from circle15.geo.streets.connectivity import isolated_nodes
from circle15.geo.streets.project import node_xy
from circle15.geo.streets.ways import WGS84

log = logging.getLogger(__name__)

_GRAPHML_ENDINGS = (".graphml", ".graphml.gz", ".graphml.xml")
_XML_ENDINGS = (".osm", ".osm.gz", ".osm.bz2", ".osm.xml", ".osm.xml.gz")


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
    if name.endswith(_GRAPHML_ENDINGS):
        return "graphml"
    if name.endswith(_XML_ENDINGS):
        return "xml"
    head = head_text(path)
    if "<graphml" in head:
        return "graphml"
    if "<osm" in head:
        return "xml"
    with open(path, "rb") as fh:
        raw = fh.read(64)
    if b"OSMHeader" in raw:
        return "pbf"
    raise InputError("not an OpenStreetMap or GraphML file", file=path, key="network.source",
                     hint=HINT_FORMATS)


def load_graph(source: str, *, mode: str, area: BaseGeometry | None = None,
               buffer_m: float = 2000.0, cache_dir: Path | str | None = None,
               undirected: bool | None = None) -> nx.MultiDiGraph:
    """Load the street network ``source`` for travel ``mode``.

    Parameters
    ----------
    source : str
        A file (OSM XML, PBF, GraphML; see the module docstring) or an online query
        (``place:<name>``, ``polygon:[WKT | file]``).
    mode : {"walk", "bike", "ebike", "drive"}
        Which ways are kept (:func:`circle15.geo.streets.modes.way_allowed`).
    area : shapely geometry, optional
        Study area in WGS-84. When given, the network is clipped to it plus ``buffer_m``.
    buffer_m : float
        Buffer (m) kept around the study area, so that trips leaving the area briefly are
        still routed.
    cache_dir : path, optional
        Folder of online downloads (default
        :func:`circle15.geo.streets.download.default_cache_dir`).
    undirected : bool, optional
        Overrides the mode's direction rule when building from OSM ways
        (:func:`circle15.geo.streets.modes.is_two_way`).

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

    Examples
    --------
    >>> import pyrosm
    >>> G = load_graph(pyrosm.get_data("test_pbf"), mode="walk")  # doctest: +SKIP
    >>> G.graph["load_report"]["kind"]  # doctest: +SKIP
    'pbf'
    """
    kind = source_kind(source)
    clip = buffered_area(area, buffer_m) if area is not None else None
    t0 = time.perf_counter()
    report: dict[str, Any] = {"source": source, "kind": kind, "mode": mode}
    G, file = _read(kind, source, mode, modes.is_two_way(mode, undirected), clip, cache_dir,
                    report)
    G = finish_graph(G, clip, report, file, simplify=kind != "graphml")
    G.graph["crs"] = WGS84
    n_edges = n_edges_of(G)
    report.update(nodes=len(G), edges=n_edges, seconds=round(time.perf_counter() - t0, 3))
    G.graph["load_report"] = report
    log.info("network %s: %d nodes, %d edges (%s)", source, len(G), n_edges, kind)
    return G


def _read(kind: str, source: str, mode: str, two_way: bool, clip: BaseGeometry | None,
          cache_dir: Path | str | None, report: dict[str, Any]
          ) -> tuple[nx.MultiDiGraph, Path]:
    """The unfinished graph of one source kind, and the file it came from."""
    if kind == "online":
        from circle15.geo.streets.download import read_online

        return read_online(source, mode=mode, cache_dir=cache_dir, clip=clip, report=report)
    path = Path(source)
    if kind == "xml":
        from circle15.geo.streets.osm_xml import read_osm_xml

        return read_osm_xml(path, mode=mode, two_way=two_way, report=report), path
    if kind == "pbf":
        from circle15.geo.streets.pbf import read_pbf

        bbox = list(clip.bounds) if clip is not None else None
        return read_pbf(path, mode=mode, two_way=two_way, bbox=bbox, report=report), path
    from circle15.geo.streets.graphml import read_graphml

    return standard_graph(read_graphml(path), mode=mode, report=report, file=path), path


def standard_graph(G: nx.Graph, *, mode: str, report: dict[str, Any] | None = None,
                   file: Any = None) -> nx.MultiDiGraph:
    """An OSMnx-style graph as every reader returns it: WGS-84, lengths, filtered by mode.

    A graph in another declared CRS is projected to WGS-84; edges without ``length`` get
    great-circle lengths; if any edge has a ``highway`` tag, edges ``mode`` may not use are
    removed (:func:`circle15.geo.streets.modes.filter_graph`), unless
    ``G.graph["mode_filter"]`` says that was done. A ``MultiDiGraph`` is modified in
    place (the caller owns it); other graph types are converted.

    Raises
    ------
    InputError
        If the graph declares no CRS and its coordinates are not longitude/latitude, or
        declares an unknown CRS (``file`` names the source in the message).
    """
    report = {} if report is None else report
    if not isinstance(G, nx.MultiDiGraph):
        G = nx.MultiDiGraph(G)
    G = _as_wgs84(G, file)
    if any("length" not in d for _, _, d in G.edges(data=True)):
        import osmnx as ox

        G = ox.distance.add_edge_lengths(G)
    has_highway = any("highway" in d for _, _, d in G.edges(data=True))
    report["highway_tags"] = has_highway
    if has_highway and G.graph.get("mode_filter") != mode:
        G, dropped = modes.filter_graph(G, mode, copy=False)  # G is ours
        G.graph["mode_filter"] = mode
        report["edges_dropped_by_mode"] = dropped
    elif not has_highway:
        log.info("%s: edges have no highway tags; no mode filter applied", file or "graph")
    return G


def _as_wgs84(G: nx.MultiDiGraph, file: Any) -> nx.MultiDiGraph:
    """``G`` with WGS-84 coordinates and ``G.graph["crs"]`` set."""
    crs = G.graph.get("crs")
    if crs is None:
        _, xs, ys = node_xy(G)
        if not (np.all(np.abs(xs) <= 180) and np.all(np.abs(ys) <= 90)):
            raise InputError("the GraphML file declares no crs and its coordinates are not "
                             "longitude/latitude", file=file, key="network.source",
                             hint="save it with osmnx (graph attribute crs)")
        G.graph["crs"] = WGS84
        return G
    try:
        declared = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(f"the GraphML file declares an unknown crs {crs!r} ({exc})",
                         file=file, key="network.source",
                         hint="set the graph attribute crs to an EPSG code such as "
                              "epsg:4326, or save the graph with osmnx") from None
    if not declared.equals(pyproj.CRS.from_epsg(4326)):
        import osmnx as ox

        G = ox.projection.project_graph(G, to_latlong=True)
    return G


# --------------------------------------------------------------------------- clipping


def buffered_area(area: BaseGeometry, buffer_m: float) -> BaseGeometry:
    """``area`` (WGS-84) buffered by ``buffer_m`` metres, in WGS-84 (the clip of a load).

    Raises
    ------
    InputError
        If ``area`` is empty.
    """
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


def finish_graph(G: nx.MultiDiGraph, clip: BaseGeometry | None = None,
                 report: dict[str, Any] | None = None, file: Any = None,
                 simplify: bool = True) -> nx.MultiDiGraph:
    """Clip to the buffered area, drop isolated nodes, simplify (unless already simplified).

    Raises
    ------
    InputError
        If no edge is left before or after clipping.
    """
    report = {} if report is None else report
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
        import osmnx as ox

        G = ox.simplify_graph(G)
    return G
