"""OSMnx GraphML files (``.graphml``, ``.graphml.gz``, ``.graphml.bz2``).

One hand-written reader, :func:`read_graphml_text`, reads what networkx/OSMnx write (the
same graph as :func:`osmnx.load_graphml` in a fraction of the time); anything laid out
differently is read with :func:`osmnx.load_graphml` (:func:`read_graphml_osmnx`). Graphs
without ``highway`` tags (e.g. a car network from a routing engine) are used as they are.
"""

from __future__ import annotations

import ast
import io
import logging
import operator
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, Any

import networkx as nx
import numpy as np
import shapely

from circle15.errors import InputError
from circle15.geo.streets import _nx
from circle15.geo.streets._files import HINT_FORMATS, open_text, plain_file

log = logging.getLogger(__name__)


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
            names[el.get("id", "")] = name
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
        graph_data[names[el.get("key", "")]] = el.text or ""
    return names, graph_data


def _layout(names: dict[str, str], is_node: bool, key_ids: tuple[str, ...]
            ) -> tuple[tuple[str, ...], tuple[Any, ...], bool, bool]:
    """Attribute names and OSMnx converters (``str`` = none) for a sequence of key ids."""
    attr_names = tuple(names[k] for k in key_ids)
    dtypes = _NODE_DTYPES if is_node else _EDGE_DTYPES
    convs = tuple(_BOOL_LOOKUP if dtypes.get(n) is _bool_text
                  else dtypes.get(n, str) for n in attr_names)
    return attr_names, convs, "id" in attr_names and not is_node, "geometry" in attr_names




def _read_head(fh: IO[str]) -> tuple[str, str, int]:
    """The first chunk(s) of text, the header before the first node/edge, and its end."""
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
    return buf, head, first.start()


def _special_data(attr_names: tuple[str, ...], convs: tuple[Any, ...], values: Any,
                  is_node: bool) -> dict[str, Any]:
    """Attribute values with entities or stringified lists/dicts, converted as OSMnx does."""
    data = {}
    for name, conv, v in zip(attr_names, convs, values, strict=True):
        value = _literal(_unescape(v) if "&" in v else v)
        if conv is _BOOL_LOOKUP:
            conv = _bool_text  # also takes evaluated bools
        if conv is not str:
            value = [conv(x) for x in value] if not is_node and isinstance(
                value, list) else conv(value)
        data[name] = value
    return data


Chunk = tuple[int, list[tuple[int, dict[str, Any]]],
              list[tuple[int, int, Any, dict[str, Any]]], list[dict[str, Any]]]


def _parse_chunk(buf: str, pos: int, names: dict[str, str], layouts: dict[tuple, Any]
                 ) -> Chunk:
    """Nodes, edges and edge dicts with WKT geometry of the complete elements from ``pos``.

    Returns the position after the last complete element, where the next chunk resumes.
    """
    nodes: list[tuple[int, dict[str, Any]]] = []
    edges: list[tuple[int, int, Any, dict[str, Any]]] = []
    geom_dicts: list[dict[str, Any]] = []
    match, findall, special = _RX_ELEMENT.match, _RX_DATA.findall, _RX_SPECIAL.search
    call = operator.call
    while (m := match(buf, pos)) is not None:
        pos = m.end()
        node_id, source, target, key, body = m.groups()
        body = body or ""
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
            data = _special_data(attr_names, convs, raw.values(), is_node)
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
    return pos, nodes, edges, geom_dicts


def _add_chunk(G: nx.MultiDiGraph, nodes: list[tuple[int, dict[str, Any]]],
               edges: list[tuple[int, int, Any, dict[str, Any]]], edges_added: bool) -> bool:
    """Add a chunk's nodes and edges to ``G``; whether ``G`` has edges now."""
    if nodes:
        if edges_added and any(n in G for n, _ in nodes):
            raise _NotPlainGraphML("node declared after an edge that uses it")
        G.add_nodes_from(nodes)
    if edges:
        has = _nx.has_node(G)
        if not (all(map(has, (e[0] for e in edges))) and all(map(has, (e[1] for e in edges)))):
            raise _NotPlainGraphML("edge to an undeclared node")
        _nx.add_edges_uncopied(G, edges)
        return True
    return edges_added


def read_graphml_text(fh: IO[str]) -> nx.MultiDiGraph:
    """Read GraphML written by networkx/OSMnx, as :func:`osmnx.load_graphml` would.

    Node and edge elements are matched with regular expressions in chunks of text
    (networkx's writer lays them out the same way every time) and turned into attribute
    dicts with OSMnx's conversions (stringified lists evaluated; ``x``, ``y``, ``length``,
    ``travel_time``... floats; ``osmid``, ``street_count`` ints; ``oneway``, ``reversed``
    bools); geometries are parsed from WKT in one vectorised call per chunk; everything else
    (keys, graph attributes) is parsed as XML. Nodes and edges are added per chunk in
    document order, so the graph (node order, edge order and keys, attributes) is the one
    OSMnx builds and memory stays near the size of the graph.

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
        :func:`osmnx.load_graphml`.
    """
    buf, head, pos = _read_head(fh)
    names, _ = _skeleton(head + "</graph></graphml>")
    G = nx.MultiDiGraph()
    layouts: dict[tuple, Any] = {}
    eof = False
    edges_added = False
    while True:
        pos, nodes, edges, geom_dicts = _parse_chunk(buf, pos, names, layouts)
        _parse_geometries(geom_dicts)
        edges_added = _add_chunk(G, nodes, edges, edges_added)
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

    None if :func:`read_graphml_text` declines (the caller then uses osmnx itself).
    """
    try:
        with open_text(path) as raw, \
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None) as fh:
            return read_graphml_text(fh)
    except _NotPlainGraphML as exc:
        log.info("%s: %s (read with osmnx)", path, exc)
    except Exception as exc:  # noqa: BLE001 - malformed input: osmnx reports it
        log.debug("%s: read_graphml_text failed (%s: %s)", path, type(exc).__name__, exc)
    return None


def read_graphml(path: Path) -> nx.MultiDiGraph:
    """Read an OSMnx GraphML file (plain, gzip or bzip2) as saved by :func:`osmnx.save_graphml`.

    OSMnx-style files are read with :func:`read_graphml_text` (the same graph as
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
    import osmnx as ox

    with plain_file(path) as plain:
        try:
            G = ox.load_graphml(plain)
        except Exception as exc:  # osmnx/networkx raise ParseError, KeyError, ValueError...
            try:
                raw = nx.read_graphml(plain)
            except Exception as exc2:
                if "no element found" in str(exc2) or "unclosed token" in str(exc2):
                    raise InputError(
                        f"the GraphML file is truncated: it ends in the middle ({exc2})",
                        file=path, key="network.source",
                        hint="the download or copy did not finish: fetch or save the file "
                             "again") from None
                raise InputError(f"not a readable GraphML file ({type(exc2).__name__}: {exc2})",
                                 file=path, key="network.source", hint=HINT_FORMATS) from None
            _check_coordinates(raw, path)
            raise InputError(f"not an OSMnx GraphML file ({type(exc).__name__}: {exc})",
                             file=path, key="network.source",
                             hint="save the graph with osmnx.save_graphml") from None
    _check_coordinates(G, path)
    return G
