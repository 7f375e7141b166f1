"""Coordinate systems: WGS-84, GCJ-02 (Amap/Gaode), BD-09 (Baidu), CGCS2000 and EPSG codes.

Import from this package, not from its modules: the public names are re-exported here.

- :mod:`~circle15.geo.crs.transforms`: GCJ-02 / BD-09 maths (exact iterative inverses);
- :mod:`~circle15.geo.crs.declared`: named systems, EPSG codes and :class:`pyproj.CRS`
  objects (:func:`normalize_crs`, :func:`is_geographic`, :func:`to_wgs84`);
- :mod:`~circle15.geo.crs.metric`: the metric CRS of a study area (:func:`choose_crs`);
- :mod:`~circle15.geo.crs.checks`: swapped longitude/latitude, undeclared GCJ-02 offsets,
  points in an area.
"""

from circle15.geo.crs.checks import (
    as_area_wgs84,
    detect_gcj02_offset,
    likely_swapped,
    points_in_area,
)
from circle15.geo.crs.declared import (
    NAMED_CRS,
    is_geographic,
    normalize_crs,
    to_wgs84,
    transform_to_wgs84,
)
from circle15.geo.crs.metric import ZHUJI_CRS, choose_crs
from circle15.geo.crs.transforms import (
    CHINA_BBOX,
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

__all__ = [
    "CHINA_BBOX", "NAMED_CRS", "ZHUJI_CRS", "as_area_wgs84", "bd09_to_gcj02", "bd09_to_wgs84",
    "choose_crs", "detect_gcj02_offset", "gcj02_to_bd09", "gcj02_to_wgs84", "is_geographic",
    "likely_swapped", "normalize_crs", "out_of_china", "points_in_area", "to_wgs84",
    "transform_to_wgs84", "wgs84_to_bd09", "wgs84_to_gcj02",
]
