"""The hand-checked population inputs shared by the population tests: three townships
and four points (one outside every township)."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box


def make_zones() -> gpd.GeoDataFrame:
    """Three 0.01° squares at Zhuji: A and B get people in the tests, C stays empty."""
    return gpd.GeoDataFrame(
        {"zone_id": ["A", "B", "C"], "zone_name": ["甲镇", "乙镇", "丙镇"]},
        geometry=[box(120.20, 29.70, 120.21, 29.71), box(120.21, 29.70, 120.22, 29.71),
                  box(120.22, 29.70, 120.23, 29.71)], crs="EPSG:4326")


#: Points in A, B, A and outside every township (lon/lat, people, two groups).
CSV = """lon,lat,population,age_0_3,age_60p
120.205,29.705,100,5,20
120.215,29.705,50,2,10
120.206,29.706,30,0,30
120.300,29.700,7,0,1
"""
