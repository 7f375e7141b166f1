"""Basemaps for the map page: none (offline), OpenStreetMap, Tianditu, Amap, and a custom tile
server (e.g. a 政务网 intranet), with the GCJ-02 shift where the tiles need it.

Light on purpose (no heavy imports): the config validates ``[map] basemap`` with it before
any computing.
"""

from __future__ import annotations

from circle15.errors import InputError

#: Basemaps the page can draw under the data.
BASEMAPS = ("none", "osm", "tianditu", "amap", "custom", "custom-gcj02")
_TIANDITU = ("https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
_AMAP = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
         "&x={x}&y={y}&z={z}")
_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def basemap_spec(basemap: str, key: str, url: str, lang: str) -> dict:
    """``{name, url, subdomains, attr, labels, gcj02}`` of a basemap (``url`` empty for
    none).

    Raises
    ------
    InputError
        Unknown basemap, Tianditu without a key, a custom basemap without a URL template.
    """
    zh = lang == "zh"
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}", key="map.basemap",
                         hint="one of " + ", ".join(BASEMAPS))
    if basemap == "tianditu" and not key:
        raise InputError("the Tianditu basemap needs an API key", key="map.tianditu_key",
                         hint="get a browser key at console.tianditu.gov.cn, or use "
                              "basemap = \"none\"")
    if basemap.startswith("custom") and not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise InputError("a custom basemap needs a tile URL template with {z}, {x} and {y}",
                         key="tile_url", hint="e.g. http://tiles.example.gov.cn/{z}/{x}/{y}.png")
    if basemap == "none":
        return {"name": "", "url": "", "gcj02": False}
    if basemap == "osm":
        return {"name": "OpenStreetMap", "url": _OSM, "subdomains": "abc", "gcj02": False,
                "attr": "&copy; OpenStreetMap contributors"}
    if basemap == "tianditu":
        return {"name": "天地图" if zh else "Tianditu", "subdomains": "01234567",
                "url": _TIANDITU.format(layer="vec", key=key),
                "labels": _TIANDITU.format(layer="cva", key=key), "gcj02": False,
                "attr": "&copy; 天地图" if zh else "&copy; Tianditu"}
    if basemap == "amap":
        return {"name": "高德地图" if zh else "Amap", "url": _AMAP, "subdomains": "1234",
                "attr": "&copy; 高德地图" if zh else "&copy; Amap (AutoNavi)", "gcj02": True}
    return {"name": "自定义底图" if zh else "Custom tiles", "url": url, "subdomains": "abc",
            "attr": "", "gcj02": basemap == "custom-gcj02"}
