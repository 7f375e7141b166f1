"""Provenance of a run for ``run.json``: parameters, input files, package versions."""

from __future__ import annotations

import datetime as _dt
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from circle15 import __version__
from circle15.config import Config
from circle15.io import file_sha256

_VERSIONED = ("numpy", "scipy", "pandas", "geopandas", "shapely", "pyproj", "networkx",
              "osmnx", "folium", "pyrosm", "openpyxl")


def versions() -> dict[str, str]:
    """Python, circle15 and the versions of the packages the numbers depend on."""
    out = {"python": platform.python_version(), "circle15": __version__}
    for pkg in _VERSIONED:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "absent"
    return out


def input_files(cfg: Config) -> list[Path]:
    """Every input file of the run that exists (config included)."""
    files = [cfg.path, cfg.area.zones, cfg.area.villages, cfg.population.source,
             cfg.population.totals, cfg.targets.reported, cfg.siting.candidates]
    files += [lay.source for lay in cfg.layers]
    src = cfg.network.source
    if src and not src.startswith(("place:", "polygon:")):
        files.append(Path(src))
    return [Path(f) for f in files if f is not None and Path(f).is_file()]


def input_hashes(cfg: Config) -> list[dict[str, str]]:
    """``[{path, sha256}]`` of :func:`input_files`."""
    return [{"path": str(p), "sha256": file_sha256(p)} for p in input_files(cfg)]


def params(cfg: Config, crs: str) -> dict[str, Any]:
    """Run parameters shown on maps and reports."""
    speed = cfg.network.speed_kmh if cfg.network.speed_kmh is not None else round(
        cfg.network.speed_mps * 3.6, 3)
    return {
        "title": cfg.project.title,
        "synthetic": cfg.project.synthetic,
        "data_date": cfg.project.data_date,
        "plan": cfg.targets.plan,
        "year": cfg.targets.year,
        "mode": cfg.network.mode,
        "speed_kmh": speed,
        "thresholds": list(cfg.coverage.thresholds),
        "own_zone_only": cfg.coverage.own_zone_only,
        "count_outside": cfg.coverage.count_outside,
        "standards_catalogue": cfg.standards.catalogue if cfg.standards.enabled else "",
        "max_link_m": cfg.network.max_link_m,
        "crs": crs,
        "lang": cfg.output.lang,
        "generated_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "circle15_version": __version__,
    }
