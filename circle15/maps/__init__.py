"""circle15.maps: the officials' 一张图 map page (self-contained offline HTML) and a static PNG.

``render_map(run_dir)`` draws ``map.html`` (every layer, threshold, target year and
township in one page; JavaScript API ``window.circle15.show()`` / ``state()``) and
``render_png(run_dir)`` draws ``coverage_map.png``, both only from the files of a finished
run directory.
"""

from circle15.maps.html import render_map
from circle15.maps.static import render_png

__all__ = ["render_map", "render_png"]
