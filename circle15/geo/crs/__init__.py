"""Coordinate systems: WGS-84, GCJ-02 (Amap/Gaode), BD-09 (Baidu), CGCS2000 and EPSG codes.

Import from this package, not from its modules: the public names are re-exported here.
"""

from circle15.geo.crs.convert import (
    CHINA_BBOX,
    NAMED_CRS,
    as_area_wgs84,
    bd09_to_gcj02,
    bd09_to_wgs84,
    detect_gcj02_offset,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    is_geographic,
    likely_swapped,
    normalize_crs,
    out_of_china,
    points_in_area,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

__all__ = [
    "CHINA_BBOX", "NAMED_CRS", "as_area_wgs84", "bd09_to_gcj02", "bd09_to_wgs84",
    "detect_gcj02_offset", "gcj02_to_bd09", "gcj02_to_wgs84", "is_geographic",
    "likely_swapped", "normalize_crs", "out_of_china", "points_in_area", "to_wgs84",
    "wgs84_to_bd09", "wgs84_to_gcj02",
]
