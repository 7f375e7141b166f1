"""OpenStreetMap XML extracts (``.osm``, ``.osm.gz``, ``.osm.bz2``), streamed.

Only ``highway`` ways the mode may use (:func:`circle15.geo.streets.modes.way_allowed`) and
whose nodes are all in the file are kept (clipped extracts load); the graph is then built
with :func:`osmnx.graph_from_xml` from a small filtered copy of the file.
"""

from __future__ import annotations

import logging
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import networkx as nx

from circle15.errors import InputError
from circle15.geo.streets import modes
from circle15.geo.streets._files import HINT_FORMATS, open_text
from circle15.geo.streets.ways import EDGE_TAGS, osmnx_edge_tags

log = logging.getLogger(__name__)

Way = tuple[int, list[int], dict[str, Any]]


def iter_osm_xml(path: Path) -> Iterator[tuple[str, Any]]:
    """Stream ``("node", (id, lon, lat))`` and ``("way", (id, refs, tags))`` from OSM XML.

    Raises
    ------
    InputError
        If the file is not OSM XML, cannot be read or is malformed.
    """
    try:
        with open_text(path) as fh:
            ctx = ET.iterparse(fh, events=("start", "end"))
            _, root = next(ctx)
            if root.tag != "osm":
                raise InputError(f"not an OpenStreetMap XML file (root element <{root.tag}>)",
                                 file=path, key="network.source", hint=HINT_FORMATS)
            yield from _elements(ctx, root)
    except ET.ParseError as exc:
        raise InputError(f"not a readable OpenStreetMap XML file ({exc})", file=path,
                         key="network.source", hint=HINT_FORMATS) from None
    except (OSError, EOFError) as exc:
        raise InputError(f"cannot read the file ({exc})", file=path,
                         key="network.source") from None
    except (TypeError, ValueError) as exc:
        raise InputError(f"malformed OpenStreetMap XML ({exc})", file=path,
                         key="network.source") from None


def _elements(ctx: Iterator[tuple[str, ET.Element]], root: ET.Element
              ) -> Iterator[tuple[str, Any]]:
    """Nodes and ways of an ``iterparse`` stream, freeing each element once read."""
    # a missing id, lon, lat or ref reads as "" and fails int()/float() like a malformed one
    for event, el in ctx:
        if event != "end":
            continue
        if el.tag == "node":
            yield "node", (int(el.get("id", "")), float(el.get("lon", "")),
                           float(el.get("lat", "")))
            el.clear()
        elif el.tag == "way":
            refs = [int(nd.get("ref", "")) for nd in el.iter("nd")]
            tags = {t.get("k"): t.get("v") for t in el.iter("tag")}
            yield "way", (int(el.get("id", "")), refs, tags)
            el.clear()
        elif el.tag == "relation":
            el.clear()
        if el.tag in ("node", "way", "relation"):
            root.clear()


def _write_osm_xml(path: Path, nodes: dict[int, tuple[float, float]], ways: list[Way]) -> None:
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


def _ways_for_mode(path: Path, mode: str, report: dict[str, Any]
                   ) -> tuple[dict[int, tuple[float, float]], list[Way]]:
    """All nodes of the file and the complete ways ``mode`` may use."""
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[Way] = []
    n_highway = 0
    for kind, item in iter_osm_xml(path):
        if kind == "node":
            nid, lon, lat = item
            nodes[nid] = (lon, lat)
            continue
        if "highway" not in item[2]:
            continue
        n_highway += 1
        if modes.way_allowed(item[2], mode):
            ways.append(item)
    complete = [w for w in ways if all(r in nodes for r in w[1])]
    report.update(highway_ways=n_highway, ways_for_mode=len(ways),
                  ways_incomplete_dropped=len(ways) - len(complete))
    if len(ways) != len(complete):
        log.warning("%s: dropped %d ways whose nodes are not all in the extract", path,
                    len(ways) - len(complete))
    if not complete:
        raise InputError(f"no streets usable for mode {mode!r} in the file "
                         f"({n_highway} highway ways)", file=path, key="network.source",
                         hint="check that it is a street extract covering the study area")
    return nodes, complete


def read_osm_xml(path: Path, *, mode: str, two_way: bool, report: dict[str, Any]
                 ) -> nx.MultiDiGraph:
    """The unsimplified street graph of an OSM XML file for ``mode``.

    Parameters
    ----------
    path : Path
    mode : str
        Travel mode whose ways are kept.
    two_way : bool
        Build every way in both directions (:func:`circle15.geo.streets.modes.is_two_way`).
    report : dict
        Updated with ``highway_ways``, ``ways_for_mode``, ``ways_incomplete_dropped``.

    Returns
    -------
    networkx.MultiDiGraph
        WGS-84, ``G.graph["mode_filter"] == mode``.
    """
    import osmnx as ox

    nodes, complete = _ways_for_mode(path, mode, report)
    with tempfile.TemporaryDirectory(prefix="circle15-osm-") as tmp:
        filtered = Path(tmp) / "streets.osm"
        _write_osm_xml(filtered, nodes, complete)
        del nodes
        with osmnx_edge_tags():
            G = ox.graph_from_xml(filtered, bidirectional=two_way, simplify=False,
                                  retain_all=True)
    G.graph["mode_filter"] = mode
    return G
