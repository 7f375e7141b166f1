"""Stream an OSMnx GraphML file straight into numpy arrays (no networkx graph).

:func:`read_graphml_arrays` reads the files networkx/OSMnx write — the same values as
:func:`circle15.geo.streets.graphml.read_graphml_text` (OSMnx's conversions) — but keeps only
what routing needs: node ids and coordinates, each edge's ends, and a few edge attributes
(``length``, ``geometry``, ``maxspeed`` and the tags the mode filter reads). A 201,000-node
county costs a few hundred bytes per node instead of the ~6 KB of networkx dicts.

It is strict: anything it does not recognise (a layout other than networkx's, nodes after
edges, repeated node ids or edge keys, missing coordinates, unusual keys...) returns
``None`` and the caller uses the graph path, which handles (or reports) it.
"""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import shapely

from circle15.geo.streets._files import open_text
from circle15.geo.streets.graphml import (
    _CHUNK_CHARS,
    _RX_FIRST_ELEMENT,
    _literal,
    _NotPlainGraphML,
    _read_head,
    _skeleton,
    _unescape,
)
from circle15.geo.streets.modes import _DECIDING_TAGS

log = logging.getLogger(__name__)

#: Edge attributes kept (everything else in the file is skipped).
EDGE_ATTRS = ("length", "geometry", "maxspeed", *_DECIDING_TAGS)

_ELEMENT_ATTRS = {"node": r'id="([^"&<>]*)"',
                  "edge": r'source="([^"&<>]*)" target="([^"&<>]*)" id="([^"&<>]*)"'}


def _element_rx(tag: str, key_ids: list[str]) -> re.Pattern:
    """One ``<node>``/``<edge>`` start tag and, by look-ahead inside the element, the value of
    each key in ``key_ids`` (two groups per key: the data tag when present, and the text)."""
    looks = "".join(
        r'(?:(?=(?:[^<]*<(?!data key="{k}">|/{t}>))*[^<]*(<data key="{k}">)([^<]*)))?'
        .format(k=re.escape(k), t=tag) for k in key_ids)
    return re.compile(f"<{tag} {_ELEMENT_ATTRS[tag]}>" + looks)


@dataclass
class GraphArrays:
    """A GraphML street graph as arrays, nodes and edges in document order.

    Attributes
    ----------
    graph : dict
        Graph attributes (text, as in the file).
    node_ids : numpy.ndarray
        int64 node ids.
    x, y : numpy.ndarray
        Node coordinates (floats, as in the file).
    u, v : numpy.ndarray
        Each edge's end nodes as node positions (int64).
    key : numpy.ndarray
        Each edge's key (int64).
    attrs : dict
        Edge attribute name -> object array (``None`` where an edge lacks it), values
        converted as OSMnx does (``length`` float, stringified lists evaluated, ``geometry``
        shapely). Only names in :data:`EDGE_ATTRS` that the file has.
    """

    graph: dict[str, str]
    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    u: np.ndarray
    v: np.ndarray
    key: np.ndarray
    attrs: dict[str, np.ndarray]


class _Columns:
    """The wanted values of every node and edge, chunk by chunk."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        ids = {name: k for k, name in names.items()}
        if "x" not in ids or "y" not in ids:
            raise _NotPlainGraphML("no x/y keys")
        self.node_keys = {"x": ids["x"], "y": ids["y"]}
        self.edge_keys = {name: ids[name] for name in EDGE_ATTRS if name in ids}
        self.node_rx = _element_rx("node", list(self.node_keys.values()))
        self.edge_rx = _element_rx("edge", list(self.edge_keys.values()))
        self.node_ids: list[str] = []
        self.edges: list[tuple[str, str, str]] = []
        self.node_vals: dict[str, list[str | None]] = {k: [] for k in self.node_keys}
        self.edge_vals: dict[str, list[str | None]] = {k: [] for k in self.edge_keys}

    def add(self, region: str) -> None:
        """The elements of one region of complete elements."""
        nodes = self.node_rx.findall(region)
        edges = self.edge_rx.findall(region)
        if nodes and self.edges:
            raise _NotPlainGraphML("node after an edge")
        if nodes and edges and region.rfind("<node ") > region.find("<edge "):
            raise _NotPlainGraphML("node after an edge")
        self._check(region, len(nodes), len(edges))
        for found, wanted, vals, n_head in ((nodes, self.node_keys, self.node_vals, 1),
                                            (edges, self.edge_keys, self.edge_vals, 3)):
            if not found:
                continue
            cols = list(zip(*found, strict=True))
            for j, (name, k) in enumerate(wanted.items()):
                tags, texts = cols[n_head + 2 * j], cols[n_head + 2 * j + 1]
                if sum(map(bool, tags)) != region.count(f'<data key="{k}">'):
                    raise _NotPlainGraphML("repeated or misplaced attribute")
                vals[name].extend([x if t else None for t, x in zip(tags, texts, strict=True)])
            if n_head == 1:
                self.node_ids.extend(cols[0])
            else:
                self.edges.extend(zip(cols[0], cols[1], cols[2], strict=True))

    def _check(self, region: str, n_nodes: int, n_edges: int) -> None:
        """The region is nothing but node/edge elements with data children."""
        n_elem = n_nodes + n_edges
        n_data = region.count("<data ")
        if (region.count("<node ") != n_nodes or region.count("<edge ") != n_edges
                or region.count("<") != 2 * (n_elem + n_data)
                or region.count("</node>") + region.count("</edge>") != n_elem
                or region.count("</data>") != n_data):
            raise _NotPlainGraphML("unusual element layout")


def _tokens(fh: IO[str]) -> tuple[_Columns, dict[str, str]]:
    """Read the whole document into columns; returns them and the graph attributes."""
    buf, head, pos = _read_head(fh)
    names, _ = _skeleton(head + "</graph></graphml>")
    cols = _Columns(names)
    buf = buf[pos:]
    while True:
        more = fh.read(_CHUNK_CHARS)
        if more:
            buf += more
        cut = max(buf.rfind("</node>"), buf.rfind("</edge>"))
        if cut >= 0:
            cols.add(buf[:cut + 7])
            buf = buf[cut + 7:]
        if not more:
            break
    if _RX_FIRST_ELEMENT.search(buf) or "<!--" in buf or "<![CDATA[" in buf:
        raise _NotPlainGraphML("unusual element layout")
    return cols, _skeleton(head + buf)[1]


def _value(v: str) -> Any:
    """A text value as OSMnx reads a string attribute (entities, stringified lists)."""
    if "&" in v:
        v = _unescape(v)
    return _literal(v)


def _floats(texts: list[str]) -> list[float]:
    """:func:`_float_value` of each text; plain numbers in one ``map(float)``."""
    joined = "\x00".join(texts)
    if "&" in joined or "[" in joined or "{" in joined:
        return [_float_value(s) for s in texts]
    return list(map(float, texts))


def _float_value(v: str) -> float:
    value = _value(v) if ("&" in v or v[:1] in "[{") else v
    if isinstance(value, (list, dict, set, tuple)):
        raise _NotPlainGraphML("a list where a number is expected")
    return float(value)


def _edge_column(name: str, texts: list[str | None]) -> np.ndarray:
    """One edge attribute as OSMnx converts it (None where missing)."""
    if name == "length":
        if None in texts:
            vals: list[Any] = [None if s is None else _float_value(s) for s in texts]
        else:
            vals = _floats(texts)  # type: ignore[arg-type]  # no None
    else:
        vals = [s if s is None or not ("&" in s or s[:1] in "[{") else _value(s)
                for s in texts]
    out = np.empty(len(vals), dtype=object)
    out[:] = vals
    if name == "geometry":
        present = np.flatnonzero(out != None)  # noqa: E711 - elementwise
        if not all(isinstance(g, str) for g in out[present].tolist()):
            raise _NotPlainGraphML("geometry is not WKT text")
        out[present] = shapely.from_wkt(out[present])
    return out


def _node_coord(texts: list[str | None]) -> np.ndarray:
    if any(s is None for s in texts):
        raise _NotPlainGraphML("nodes without coordinates")
    return np.array(_floats(texts), dtype=float)  # type: ignore[arg-type]


def _ints(texts: list[str] | tuple[str, ...]) -> np.ndarray:
    try:
        return np.array([int(t) for t in texts], dtype=np.int64)
    except (ValueError, OverflowError):
        raise _NotPlainGraphML("ids or keys that are not integers") from None


def _to_arrays(cols: _Columns, graph: dict[str, str]) -> GraphArrays:
    n = len(cols.node_ids)
    if n == 0:
        raise _NotPlainGraphML("no nodes")
    node_ids = _ints(cols.node_ids)
    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]
    if (sorted_ids[1:] == sorted_ids[:-1]).any():
        raise _NotPlainGraphML("repeated node id")
    m = len(cols.edges)
    src, tgt, keys = zip(*cols.edges) if m else ((), (), ())
    ends = []
    for texts in (src, tgt):
        ids = _ints(texts)
        pos = np.minimum(np.searchsorted(sorted_ids, ids), n - 1)
        if m and not (sorted_ids[pos] == ids).all():
            raise _NotPlainGraphML("edge to an undeclared node")
        ends.append(order[pos].astype(np.int64))
    key = _ints(keys)
    if m:
        s = np.lexsort((key, ends[1], ends[0]))
        dup = (np.diff(ends[0][s]) == 0) & (np.diff(ends[1][s]) == 0) & (np.diff(key[s]) == 0)
        if dup.any():
            raise _NotPlainGraphML("repeated edge key")
    attrs = {name: _edge_column(name, texts) for name, texts in cols.edge_vals.items()
             if any(t is not None for t in texts)}
    return GraphArrays(graph=graph, node_ids=node_ids, x=_node_coord(cols.node_vals["x"]),
                       y=_node_coord(cols.node_vals["y"]), u=ends[0], v=ends[1], key=key,
                       attrs=attrs)


def read_graphml_arrays(path: Path) -> GraphArrays | None:
    """The arrays of an OSMnx GraphML file (plain, gzip or bz2), or None if it is unusual.

    Parameters
    ----------
    path : Path

    Returns
    -------
    GraphArrays or None
        None when the file is laid out otherwise than networkx writes it, or is not
        readable as such: the caller then reads it as a graph
        (:func:`circle15.geo.streets.graphml.read_graphml`), which reports real errors.
    """
    try:
        with open_text(path) as raw, \
                io.TextIOWrapper(raw, encoding="utf-8-sig", newline=None) as fh:
            cols, graph = _tokens(fh)
        return _to_arrays(cols, graph)
    except _NotPlainGraphML as exc:
        log.info("%s: %s (read as a graph)", path, exc)
    except Exception as exc:  # noqa: BLE001 - malformed input: the graph path reports it
        log.debug("%s: read_graphml_arrays failed (%s: %s)", path, type(exc).__name__, exc)
    return None
