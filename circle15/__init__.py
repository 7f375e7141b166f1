"""circle15: planner for China's 15-minute public-service circle (15分钟公共服务圈).

For each township of a county, circle15 computes how many people reach each kind of
public service within 5/10/15 minutes on the street network, compares it with the targets
of the county plan, and proposes sites that close the gaps.

The public API is re-exported here and imported lazily (``import circle15`` stays fast):

>>> import circle15 as c15  # doctest: +SKIP
>>> net = c15.routing_network(G, mode="walk", speed_kmh=4.5)  # doctest: +SKIP
>>> times = c15.travel_times(net, facilities, homes, max_minutes=15)  # doctest: +SKIP
>>> table = c15.coverage(times, townships, zone_name="name")  # doctest: +SKIP

Whole runs: :func:`run`, :func:`load_config`, :func:`compute`, :func:`write_outputs`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("circle15")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

#: Public name -> module that defines it (imported on first use).
_API = {
    # whole runs
    "run": "circle15.run",  # the wiring package, callable as the function
    "load_config": "circle15.config",
    "compute": "circle15.run",
    "write_outputs": "circle15.run",
    "Config": "circle15.config",
    "RunResult": "circle15.run",
    # the network and the engine
    "routing_network": "circle15.geo.routing",
    "load_network": "circle15.geo.routing",
    "RoutingNetwork": "circle15.geo.routing.network",
    "travel_times": "circle15.coverage.nearest",
    "coverage": "circle15.coverage",  # the stage package, callable as the function
    # plan, siting, maps
    "load_plan": "circle15.coverage.plan",
    "evaluate_targets": "circle15.coverage.plan",
    "site": "circle15.coverage.siting",
    "SitingOptions": "circle15.coverage.siting",
    "render_map": "circle15.maps",
    # coordinates
    "gcj02_to_wgs84": "circle15.geo.crs",
    "wgs84_to_gcj02": "circle15.geo.crs",
    "bd09_to_wgs84": "circle15.geo.crs",
    "wgs84_to_bd09": "circle15.geo.crs",
    # errors
    "Circle15Error": "circle15.errors",
    "InputError": "circle15.errors",
    "InputErrors": "circle15.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'circle15' has no attribute {name!r}")
    mod = import_module(module)
    # ``coverage`` and ``run`` are stage packages and functions: the packages are callable
    return mod if module == f"{__name__}.{name}" else getattr(mod, name)


def __dir__() -> list[str]:
    return sorted(__all__)
