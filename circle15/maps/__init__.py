"""circle15.maps: the officials' 一张图 map page (self-contained offline HTML) and a static PNG.

``render_map(run_dir)`` draws ``map.html`` (every layer, threshold, target year and
township in one page; JavaScript API ``window.circle15.show()`` / ``state()``) and
``render_png(run_dir)`` draws ``coverage_map.png``, both only from the files of a finished
run directory. Both are imported on first use. ``render_map(run_dir, timeline=...)``
adds the time dimension of a history store (:mod:`circle15.maps.timeline`; the history
builds the timeline: :func:`circle15.history.mapview.map_timeline`).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["render_map", "render_png"]

_WHERE = {"render_map": "circle15.maps.html", "render_png": "circle15.maps.static"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'circle15.maps' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
