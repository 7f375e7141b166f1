"""A cache of prepared routing networks: a warm rerun skips parsing and preparation.

A prepared :class:`~circle15.geo.routing.network.RoutingNetwork` (after mode filtering,
travel times, projection and the connected-component cut) is stored as one uncompressed
``.npz`` of its arrays — the CSR matrix's three arrays, the segment table, the segment
geometries as flat coordinates with offsets — plus a JSON header (CRS, access speed, any
other fields such as a ``report`` dict, and the preparation report the caller hands over).
Loading it takes a fraction of a second where parsing a county's GraphML takes many.

Where: ``<cache_dir>/networks/`` with ``cache_dir`` the ``[network] cache_dir`` config key,
by default the platform cache folder of :func:`circle15.geo.streets.download.default_cache_dir`
without its ``osm`` part (``~/.cache/circle15/networks``, or under ``$XDG_CACHE_HOME``).
``circle15 cache clear`` empties it, together with the population origins and point links
cached in the same folder (``population-*.npz``, ``links-*.npz``).

Key: :func:`network_key` hashes the network file's SHA-256 (or the online query), the
preparation parameters (mode, speed, CRS, ...), the clip area's WKB, the package version and
the cache format, so any change of input or parameters is a different file.

Writes are atomic (a temporary file in the same folder, then :func:`os.replace`); an
unreadable or inconsistent cache file is dropped with a warning and the network rebuilt.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import shapely

from circle15 import __version__
from circle15.geo.routing.network import RoutingNetwork
from circle15.io import npz_header, write_npz

log = logging.getLogger(__name__)

#: Bump when the file layout changes (old files are then simply not found).
FORMAT = 1
#: Sub-folder of the cache folder holding the networks.
SUBDIR = "networks"
_ARRAY_FIELDS = ("node_ids", "x", "y", "seg_u", "seg_v", "seg_length", "seg_time_fwd",
                 "seg_time_bwd", "seg_highway")
_SPECIAL = {"matrix", "seg_geometry", *_ARRAY_FIELDS}


def network_cache_dir(cache_dir: str | Path | None = None) -> Path:
    """The folder of cached networks: ``<cache_dir>/networks``.

    Parameters
    ----------
    cache_dir : str or Path, optional
        The ``[network] cache_dir`` config value; default the platform cache folder
        (``~/.cache/circle15``, or ``$XDG_CACHE_HOME/circle15``).
    """
    if cache_dir is None:
        from circle15.geo.streets.download import default_cache_dir

        return default_cache_dir().parent / SUBDIR
    return Path(cache_dir) / SUBDIR


def network_key(source: str | Path, *, clip: shapely.Geometry | None = None,
                **params: Any) -> str:
    """Cache key of a prepared network.

    Parameters
    ----------
    source : str or Path
        The network file (its SHA-256 is hashed, not its name) or an online query string.
    clip : shapely.Geometry, optional
        The area the network was clipped to (its WKB is hashed).
    **params
        Every preparation parameter that changes the network (``mode``, ``speed_kmh``,
        ``crs``, ``access_speed``, ``undirected``, ``speeds_by_class``, ...); JSON-able.

    Returns
    -------
    str
        A hex digest (the cache file's name).
    """
    from circle15.io import file_sha256

    path = Path(source) if str(source) else None
    src = {"sha256": file_sha256(path)} if path is not None and path.is_file() \
        else {"query": str(source)}
    parts = {"format": FORMAT, "version": __version__, "source": src,
             "clip": hashlib.sha256(shapely.to_wkb(clip)).hexdigest() if clip is not None
             else None, "params": params}
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- save / load


def _geometry_arrays(geoms: np.ndarray) -> dict[str, np.ndarray]:
    kind, coords, offsets = shapely.to_ragged_array(geoms)
    if kind != shapely.GeometryType.LINESTRING:
        raise ValueError("segment geometries must all be LineStrings")
    return {"geom_coords": coords, "geom_offsets": offsets[0]}


def save_network(net: RoutingNetwork, path: str | Path,
                 report: Mapping[str, Any] | None = None) -> Path:
    """Write ``net`` (and a JSON-able ``report``) to ``path`` atomically (``.npz``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    m = net.matrix.tocsr()
    arrays: dict[str, np.ndarray] = {
        "m_data": m.data, "m_indices": m.indices, "m_indptr": m.indptr,
        **_geometry_arrays(net.seg_geometry),
    }
    header: dict[str, Any] = {"format": FORMAT, "n_nodes": int(m.shape[0]), "fields": {},
                              "report": dict(report or {}), "object": []}
    for f in dataclasses.fields(net):
        value = getattr(net, f.name)
        if f.name in _ARRAY_FIELDS:
            arr = np.asarray(value)
            if arr.dtype == object:  # strings (highway classes, text node ids): codes
                header["object"].append(f.name)
                labels, codes = np.unique(arr.astype(str), return_inverse=True)
                arrays[f"{f.name}__labels"] = labels
                arr = codes.astype(np.int32)
            arrays[f.name] = arr
        elif f.name not in _SPECIAL:
            header["fields"][f.name] = value
    return write_npz(path, arrays, header)


def load_network(path: str | Path) -> tuple[RoutingNetwork, dict[str, Any]]:
    """Read a network written by :func:`save_network`; returns it and its report.

    Raises
    ------
    ValueError, OSError, KeyError, zipfile.BadZipFile
        For an unreadable or inconsistent file.
    """
    with np.load(path, allow_pickle=False) as z:
        header = npz_header(z, FORMAT)
        n = int(header["n_nodes"])
        matrix = sp.csr_matrix((z["m_data"], z["m_indices"], z["m_indptr"]), shape=(n, n))
        geoms = shapely.from_ragged_array(shapely.GeometryType.LINESTRING,
                                          z["geom_coords"], (z["geom_offsets"],))
        kw: dict[str, Any] = {name: z[name] for name in _ARRAY_FIELDS}
        for name in header["object"]:
            kw[name] = z[f"{name}__labels"].astype(object)[kw[name]]
    kw.update(header["fields"])
    net = RoutingNetwork(matrix=matrix, seg_geometry=geoms, **kw)
    if len(net.seg_u) != len(geoms) or len(net.x) != n:
        raise ValueError("inconsistent array lengths")
    return net, header["report"]


# --------------------------------------------------------------------------- the cache


_BadCache = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)

Built = RoutingNetwork | tuple[RoutingNetwork, dict]


def cached_network(key: str, build: Callable[[], Built], cache_dir: str | Path) -> Built:
    """The network for ``key`` from the cache, else ``build()`` it and store it.

    Parameters
    ----------
    key : str
        From :func:`network_key`.
    build : callable
        Returns the prepared network, or ``(network, report)`` with a JSON-able report
        dict (stored with it and handed back on a hit).
    cache_dir : str or Path
        The networks folder (:func:`network_cache_dir`).

    Returns
    -------
    RoutingNetwork or (RoutingNetwork, dict)
        Whatever ``build`` returns (from the cache on a hit; ``report["cache"]`` then says
        ``"hit"``, else ``"miss"``).
    """
    path = Path(cache_dir) / f"{key}.npz"
    if path.is_file():
        try:
            net, report = load_network(path)
        except _BadCache as exc:
            log.warning("cached network %s is unreadable (%s); rebuilding it", path, exc)
            path.unlink(missing_ok=True)
        else:
            log.info("network from the cache: %s", path)
            pair = report.pop("_pair", False)
            return (net, {**report, "cache": "hit"}) if pair else net
    built = build()
    pair = isinstance(built, tuple)
    net, report = built if isinstance(built, tuple) else (built, {})
    try:
        save_network(net, path, {**report, "_pair": pair})
    except (OSError, ValueError) as exc:  # a full or read-only disk must not stop a run
        log.warning("could not cache the network in %s (%s)", path, exc)
    return (net, {**report, "cache": "miss"}) if pair else net


def clear_cache(cache_dir: str | Path) -> tuple[int, int]:
    """Delete every cached file in ``cache_dir``; returns ``(files, bytes)`` removed.

    That is every ``.npz`` there: the prepared networks, and the population origins
    (:mod:`circle15.geo.population.cache`) and point links (:mod:`circle15.run.cache_links`)
    cached in the same folder.
    """
    folder = Path(cache_dir)
    n = size = 0
    if not folder.is_dir():
        return 0, 0
    for p in folder.iterdir():
        if p.is_file() and (p.suffix == ".npz" or p.name.endswith(".tmp")):
            size += p.stat().st_size
            p.unlink(missing_ok=True)
            n += 1
    return n, size
