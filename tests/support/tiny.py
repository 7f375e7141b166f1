"""A tiny, hand-checkable input set: one straight 2 km street, two zones, one clinic.

Walking at 4.5 km/h is 75 m per minute, so 5/10/15 minutes reach 375/750/1125 m.
The clinic sits on the street at x = 0; people stand on the street at x = 100, 300, 500,
800 (west zone) and 1200 m (east zone) with 10, 20, 30, 40 and 50 people:

=========  ======  =======  =======
zone       5 min   10 min   15 min
=========  ======  =======  =======
west       30/100  60/100   100/100
east       0/50    0/50     0/50
county     30/150  60/150   100/150
=========  ======  =======  =======
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import osmnx as ox
from pyproj import Transformer

ORIGIN = (450_000.0, 3_205_000.0)  # EPSG:4549 metres, a synthetic spot near 119.5E 28.95N
TO_LONLAT = Transformer.from_crs(4549, 4326, always_xy=True)

PEOPLE = [(100, 10), (300, 20), (500, 30), (800, 40), (1200, 50)]
EXPECTED = {  # (zone, minutes) -> (covered, population)
    ("W", 5): (30, 100), ("W", 10): (60, 100), ("W", 15): (100, 100),
    ("E", 5): (0, 50), ("E", 10): (0, 50), ("E", 15): (0, 50),
    ("ALL", 5): (30, 150), ("ALL", 10): (60, 150), ("ALL", 15): (100, 150),
}


def lonlat(x: float, y: float = 0.0) -> tuple[float, float]:
    """Lon/lat of a point ``x`` m east and ``y`` m north of the street's west end."""
    return TO_LONLAT.transform(ORIGIN[0] + x, ORIGIN[1] + y)


def write_tiny_inputs(d: Path, **config_extra: str) -> Path:
    """Write the tiny input set into ``d``; return the config path."""
    d.mkdir(parents=True, exist_ok=True)
    G = nx.MultiDiGraph(crs="epsg:4326")
    for i in range(9):
        lon, lat = lonlat(250.0 * i)
        G.add_node(i + 1, x=lon, y=lat, street_count=2)
    for i in range(1, 9):
        for u, v in ((i, i + 1), (i + 1, i)):
            G.add_edge(u, v, osmid=1000 + i, highway="residential", length=250.0,
                       oneway=False, reversed=u > v, name="示例街")
    ox.io.save_graphml(G, d / "network.graphml")

    def square(x0: float, x1: float) -> list[list[float]]:
        ring = [lonlat(x0, -500), lonlat(x1, -500), lonlat(x1, 500), lonlat(x0, 500),
                lonlat(x0, -500)]
        return [[list(p) for p in ring]]

    zones = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"zone_id": "W", "zone_name": "西区（测试）"},
         "geometry": {"type": "Polygon", "coordinates": square(-500, 1000)}},
        {"type": "Feature", "properties": {"zone_id": "E", "zone_name": "东区（测试）"},
         "geometry": {"type": "Polygon", "coordinates": square(1000, 2500)}},
    ]}
    (d / "zones.geojson").write_text(json.dumps(zones, ensure_ascii=False), encoding="utf-8")
    lines = ["lon,lat,population"]
    for x, n in PEOPLE:
        lon, lat = lonlat(x)
        lines.append(f"{lon:.10f},{lat:.10f},{n}")
    (d / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    lon, lat = lonlat(0.0)
    (d / "clinic.csv").write_text(
        f"编号,名称,类型,经度,纬度,地址\nC1,测试卫生院,乡镇卫生院,{lon:.10f},{lat:.10f},示例街1号\n",
        encoding="utf-8")
    extra = "\n".join(f"{k} = {v}" for k, v in config_extra.items())
    cfg = f'''[project]
title = "测试区（合成）"
synthetic = true

[area]
zones = "zones.geojson"
id_column = "zone_id"
name_column = "zone_name"

[network]
source = "network.graphml"
mode = "walk"
speed_kmh = 4.5
crs = "EPSG:4549"

[population]
source = "population.csv"
value_column = "population"
x_column = "lon"
y_column = "lat"

[[layers]]
key = "clinic"
source = "clinic.csv"

[coverage]
thresholds = [5, 10, 15]
isochrones = true

[targets]
plan = "zhuji-2023"
year = 2027

[output]
dir = "out"
{extra}
'''
    path = d / "config.toml"
    path.write_text(cfg, encoding="utf-8")
    return path
