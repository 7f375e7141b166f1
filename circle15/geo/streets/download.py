"""Online street networks (``place:<name>``, ``polygon:[WKT | file]``) and their on-disk cache.

A query is downloaded with OSMnx once and saved in the cache folder under a name made of
the query and the date (``<slug>-<key>-<YYYYMMDD>.graphml.gz`` plus a ``.json`` note); later
runs read the newest cached copy and never touch the network. ``polygon:`` with nothing
after it downloads the buffered study area.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import networkx as nx
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError
from circle15.geo.streets import modes
from circle15.geo.streets.graphml import read_graphml
from circle15.geo.streets.ways import WGS84, osmnx_edge_tags

log = logging.getLogger(__name__)


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


def _online_polygon(spec: str, clip: BaseGeometry | None) -> Polygon | MultiPolygon:
    geom = _online_geometry(spec, clip)
    if not isinstance(geom, (Polygon, MultiPolygon)):
        raise InputError(f"polygon: gives a {geom.geom_type}, not a polygon",
                         key="network.source", hint="give a Polygon or MultiPolygon")
    return geom


def _online_geometry(spec: str, clip: BaseGeometry | None) -> BaseGeometry:
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
    import osmnx as ox

    with osmnx_edge_tags():
        if query.startswith("place:"):
            return ox.graph_from_place(query[len("place:"):].strip(), network_type="all",
                                       simplify=False, retain_all=True, truncate_by_edge=True)
        polygon = _online_polygon(query[len("polygon:"):], clip)
        return ox.graph_from_polygon(polygon, network_type="all", simplify=False,
                                     retain_all=True, truncate_by_edge=True)


def _save_cache(G: nx.MultiDiGraph, target: Path, query: str) -> None:
    import osmnx as ox

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


def _cached_or_downloaded(query: str, cache_dir: Path, clip: BaseGeometry | None,
                          report: dict[str, Any]) -> tuple[nx.MultiDiGraph, Path]:
    hits = cached_files(cache_dir, query)
    if hits:
        path = hits[0]
        report.update(cache="hit", cache_file=str(path))
        log.info("network: using cached download %s (no network access)", path)
        return read_graphml(path), path
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
    return G, path


def read_online(source: str, *, mode: str, cache_dir: Path | str | None,
                clip: BaseGeometry | None, report: dict[str, Any]
                ) -> tuple[nx.MultiDiGraph, Path]:
    """The street graph of an online query, from the cache or downloaded, filtered by mode.

    Parameters
    ----------
    source : str
        ``place:<name>`` or ``polygon:[WKT | file]``.
    mode : str
    cache_dir : Path, optional
        Cache folder; default :func:`default_cache_dir`.
    clip : shapely geometry, optional
        Buffered study area (WGS-84): what ``polygon:`` alone downloads.
    report : dict
        Updated with ``cache`` (``"hit"``/``"miss"``), ``cache_file`` and
        ``edges_dropped_by_mode``.

    Returns
    -------
    (networkx.MultiDiGraph, Path)
        The unsimplified graph (``mode_filter`` set) and the cache file.
    """
    query = source.strip()
    if query == "polygon:" and clip is not None:
        query = "polygon:" + shapely.to_wkt(clip, rounding_precision=5)
    folder = Path(cache_dir) if cache_dir else default_cache_dir()
    G, path = _cached_or_downloaded(query, folder, clip, report)
    G.graph.pop("simplified", None)
    G, dropped = modes.filter_graph(G, mode)
    report["edges_dropped_by_mode"] = dropped
    G.graph["mode_filter"] = mode
    return G, path
