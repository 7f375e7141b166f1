"""A cache of loaded population origins: a warm rerun skips reading and placing the points.

:func:`~circle15.geo.population.load_population` on a county's point file (hundreds of
thousands of rows: parsing, reprojection, the point-in-township test) takes seconds; the
result — the origins table and its report — is stored as one uncompressed ``.npz`` (one
array per column, the point coordinates, the report as JSON) and read back in a fraction
of that.

Where: the prepared-network cache folder (:func:`circle15.geo.routing.cache.network_cache_dir`),
as ``population-<key>.npz``, so ``circle15 cache clear`` empties both.

Key: :func:`population_key` hashes every field of the :class:`PopulationSource` — with the
SHA-256 of each file it names (the points, a totals table, group share tables) — the zones
(ids, names and other columns, geometry WKB, CRS), the package version and the cache
format. Sources placed on other inputs (``zone_totals`` on network nodes, buildings) are
not cached. Writes are atomic; an unreadable file is dropped with a warning and rebuilt.
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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from circle15 import __version__
from circle15.geo.population.source import PopulationSource
from circle15.io import npz_header, write_npz

log = logging.getLogger(__name__)

#: Bump when the file layout changes (old files are then simply not found).
FORMAT = 1
#: File name prefix in the cache folder.
PREFIX = "population-"
#: Origins' CRS (what :func:`load_population` returns).
CRS = "EPSG:4326"

Loaded = tuple[gpd.GeoDataFrame, dict[str, Any]]


def _hashed(value: Any) -> Any:
    """``value`` with each existing file it names replaced by its SHA-256."""
    from circle15.io import file_sha256

    if isinstance(value, Mapping):
        return {str(k): _hashed(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_hashed(v) for v in value]
    if isinstance(value, (str, Path)) and str(value):
        p = Path(value)
        try:
            if p.is_file():
                return {"path": str(p.resolve()), "sha256": file_sha256(p)}
        except OSError:
            pass
    return value


def _zones_digest(zones: gpd.GeoDataFrame) -> str:
    h = hashlib.sha256(str(zones.crs).encode())
    for col in zones.columns:
        if col != zones.geometry.name:
            h.update(json.dumps([str(col), zones[col].astype(str).tolist()],
                                ensure_ascii=False).encode("utf-8"))
    for wkb in shapely.to_wkb(zones.geometry.to_numpy()):
        h.update(wkb)
    return h.hexdigest()


def population_key(source: PopulationSource, zones: gpd.GeoDataFrame) -> str | None:
    """Cache key of the origins :func:`load_population` makes from ``source`` and ``zones``.

    Returns
    -------
    str or None
        A hex digest; ``None`` for a ``zone_totals`` source (placed on network nodes or
        buildings, which the key does not cover) and a ``buildings`` source.
    """
    if source.kind in ("zone_totals", "buildings"):
        return None
    fields = {f.name: _hashed(getattr(source, f.name)) for f in dataclasses.fields(source)}
    parts = {"format": FORMAT, "version": __version__, "source": fields,
             "zones": _zones_digest(zones)}
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def save_origins(origins: gpd.GeoDataFrame, report: Mapping[str, Any],
                 path: str | Path) -> Path:
    """Write origins (points, EPSG:4326) and a JSON-able report to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    geom = origins.geometry.to_numpy()
    if len(geom) and not bool(np.all(shapely.get_type_id(geom) == 0)):
        raise ValueError("origins must all be points")
    arrays: dict[str, np.ndarray] = {"xy": shapely.get_coordinates(geom)}
    columns: list[list[str]] = []
    for i, col in enumerate(c for c in origins.columns if c != origins.geometry.name):
        s = origins[col]
        text = s.dtype == object or pd.api.types.is_string_dtype(s.dtype)
        arrays[f"c{i}"] = s.to_numpy(dtype=str) if text else s.to_numpy()
        columns.append([str(col), "text" if text else "number"])
    header = {"format": FORMAT, "columns": columns, "crs": str(origins.crs),
              "rows": len(origins), "report": dict(report)}
    return write_npz(path, arrays, header)


def load_origins(path: str | Path) -> Loaded:
    """Read origins written by :func:`save_origins`; returns them and their report.

    Raises
    ------
    ValueError, OSError, KeyError, zipfile.BadZipFile
        For an unreadable or inconsistent file.
    """
    with np.load(path, allow_pickle=False) as z:
        header = npz_header(z, FORMAT)
        xy = z["xy"]
        data: dict[str, Any] = {}
        for i, (name, kind) in enumerate(header["columns"]):
            arr = z[f"c{i}"]
            data[name] = pd.Series(arr.astype(object), dtype=str) if kind == "text" else arr
    if len(xy) != header["rows"] or any(len(v) != len(xy) for v in data.values()):
        raise ValueError("inconsistent array lengths")
    geometry = shapely.points(xy) if len(xy) else np.array([], dtype=object)
    return gpd.GeoDataFrame(data, geometry=geometry, crs=header["crs"]), header["report"]


_BadCache = (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile)


def cached_population(key: str | None, build: Callable[[], Loaded],
                      cache_dir: str | Path) -> Loaded:
    """The origins for ``key`` from the cache, else ``build()`` them and store them.

    Parameters
    ----------
    key : str or None
        From :func:`population_key`; ``None`` builds without caching.
    build : callable
        Returns ``(origins, report)`` as :func:`load_population` does.
    cache_dir : str or Path
        The cache folder (:func:`circle15.geo.routing.cache.network_cache_dir`).

    Returns
    -------
    origins : geopandas.GeoDataFrame
    report : dict
        As ``build`` returns them, with ``report["cache"]`` ``"hit"`` or ``"miss"``
        (``"off"`` without a key).
    """
    if key is None:
        origins, report = build()
        return origins, {**report, "cache": "off"}
    path = Path(cache_dir) / f"{PREFIX}{key}.npz"
    if path.is_file():
        try:
            origins, report = load_origins(path)
        except _BadCache as exc:
            log.warning("cached population %s is unreadable (%s); reading it again", path, exc)
            path.unlink(missing_ok=True)
        else:
            log.info("population from the cache: %s", path)
            return origins, {**report, "cache": "hit"}
    origins, report = build()
    try:
        save_origins(origins, report, path)
    except (OSError, ValueError) as exc:  # a full or read-only disk must not stop a run
        log.warning("could not cache the population in %s (%s)", path, exc)
    return origins, {**report, "cache": "miss"}
