"""A cache of point links: a warm rerun skips projecting and linking the same points again.

Linking a county's population points to the nearest usable segment (exact, every point)
takes seconds per network; the result (:class:`~circle15.geo.routing.linking.Links`: three
arrays) is stored as ``links-<key>.npz`` in the prepared-network cache folder
(:func:`circle15.geo.routing.cache.network_cache_dir`; ``circle15 cache clear`` empties it).

Key: :func:`links_key` hashes the network's arrays (:func:`network_digest`: nodes, segments,
their geometries and usable directions, CRS), the points' coordinates and CRS, the link
distance, the package version and the cache format: the same points on the same prepared
network give the same links, anything else is a different file. Writes are atomic; an
unreadable file is dropped with a warning and the points linked again.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from circle15 import __version__
from circle15.config import Config
from circle15.coverage.nearest import link_points
from circle15.geo.routing.linking import Links, SegmentIndex, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.io import write_npz

log = logging.getLogger(__name__)

#: Bump when the file layout changes.
FORMAT = 1
#: File name prefix in the cache folder.
PREFIX = "links-"


def link_cache_dir(cfg: Config) -> Path | None:
    """Where a run's links are cached: the prepared-network cache folder of ``[network]
    cache_dir``, or ``None`` (no caching) with ``[network] cache = false``."""
    if not cfg.network.cache:
        return None
    from circle15.geo.routing.cache import network_cache_dir

    return network_cache_dir(cfg.network.cache_dir)


def network_digest(net: RoutingNetwork) -> str:
    """SHA-256 of everything of ``net`` that linking reads (hash it once per network)."""
    h = hashlib.sha256(f"{FORMAT}|{__version__}|{net.crs}".encode())
    for arr in (net.x, net.y, net.seg_u, net.seg_v, net.seg_length, usable_segments(net),
                shapely.get_coordinates(net.seg_geometry),
                shapely.get_num_coordinates(net.seg_geometry)):
        a = np.ascontiguousarray(arr)
        h.update(f"{a.dtype.str}{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def links_key(net_digest: str, points: gpd.GeoDataFrame, max_link_m: float) -> str:
    """Cache key of the links of ``points`` on the network of ``net_digest``."""
    xy = np.ascontiguousarray(shapely.get_coordinates(points.geometry.to_numpy()))
    h = hashlib.sha256(f"{FORMAT}|{net_digest}|{points.crs}|{float(max_link_m)!r}|"
                       f"{len(points)}".encode())
    h.update(xy.tobytes())
    return h.hexdigest()


def save_links(links: Links, path: str | Path) -> Path:
    """Write ``links`` to ``path`` atomically (``.npz``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_npz(path, {"format": np.array(FORMAT), "segment": links.segment,
                            "frac": links.frac, "offset": links.offset})


def load_links(path: str | Path, n: int) -> Links:
    """Read links written by :func:`save_links` (``n`` points expected).

    Raises
    ------
    ValueError, OSError, KeyError, zipfile.BadZipFile
        For an unreadable or inconsistent file.
    """
    with np.load(path, allow_pickle=False) as z:
        if int(z["format"]) != FORMAT:
            raise ValueError(f"cache format {int(z['format'])} is not {FORMAT}")
        links = Links(z["segment"], z["frac"], z["offset"])
    if not len(links.segment) == len(links.frac) == len(links.offset) == n:
        raise ValueError("inconsistent array lengths")
    return links


_BadCache = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


class LinkCache:
    """Links of point sets on one network, from the cache folder or linked and stored.

    Parameters
    ----------
    net : RoutingNetwork
    cache_dir : str or Path or None
        The cache folder (:func:`circle15.geo.routing.cache.network_cache_dir`); ``None``
        links without caching.

    Notes
    -----
    The network is hashed and its segment index built only when needed (the first point
    set to look up; the first miss).
    """

    def __init__(self, net: RoutingNetwork, cache_dir: str | Path | None) -> None:
        self.net = net
        self.folder = Path(cache_dir) if cache_dir is not None else None
        self._digest: str | None = None
        self._index: SegmentIndex | None = None
        self.hits = 0

    @property
    def index(self) -> SegmentIndex:
        """The network's segment index of usable segments (built once)."""
        if self._index is None:
            self._index = SegmentIndex(self.net, usable_segments(self.net))
        return self._index

    def link(self, points: gpd.GeoDataFrame, max_link_m: float) -> Links:
        """:func:`circle15.coverage.nearest.link_points` of ``points``, cached."""
        if self.folder is None:
            return link_points(self.index, points, max_link_m)
        if self._digest is None:
            self._digest = network_digest(self.net)
        path = self.folder / f"{PREFIX}{links_key(self._digest, points, max_link_m)}.npz"
        if path.is_file():
            try:
                links = load_links(path, len(points))
            except _BadCache as exc:
                log.warning("cached links %s are unreadable (%s); linking again", path, exc)
                path.unlink(missing_ok=True)
            else:
                self.hits += 1
                return links
        links = link_points(self.index, points, max_link_m)
        try:
            save_links(links, path)
        except (OSError, ValueError) as exc:  # a full or read-only disk must not stop a run
            log.warning("could not cache the links in %s (%s)", path, exc)
        return links
