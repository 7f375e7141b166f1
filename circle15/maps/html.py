"""The interactive map: one self-contained HTML file drawn from a run directory.

The page embeds every script, stylesheet, icon and font (see :mod:`circle15.maps.assets`),
so it works on an offline intranet; no request leaves the machine unless a basemap is
chosen. Basemaps: ``none`` (default; townships and main streets give context), ``osm``,
``tianditu`` (CGCS2000, drawn as WGS-84; needs a key) and ``amap`` (GCJ-02: every overlay
coordinate is shifted with :func:`circle15.geo.crs.wgs84_to_gcj02` so the data line
up with the basemap, and the map says so).
"""

from __future__ import annotations

import html
import logging
import math
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.plugins import Fullscreen, HeatMap

from circle15.config import BASEMAPS
from circle15.errors import InputError
from circle15.io import write_text
from circle15.maps import display, rundata
from circle15.maps.assets import MAP_CSS, MAP_JS, inline_assets
from circle15.maps.elements import (
    InfoBox,
    MarkerLayer,
    PageStyle,
    Register,
    ZoneSearch,
    ZoomControl,
    pin_html,
    popup_table,
    swatch_html,
)
from circle15.maps.labels import check_lang, t
from circle15.maps.zonestats import (
    CLOSE_MARGIN,
    STATUS_COLORS,
    ZoneStats,
    as_fraction,
    fmt_int,
    fmt_pct,
    layer_view,
    legend_entries,
    target_caption,
)
from circle15.report.labels import GROUPS, MODES
from circle15.report.labels import label as report_label

log = logging.getLogger(__name__)

#: Display simplification tolerances in metres.
ZONE_TOLERANCE_M = 30.0
ISO_TOLERANCE_M = 25.0
STREET_TOLERANCE_M = 10.0
#: Opacity of isochrone bands, nearest band most opaque.
#: Uncovered-population heat: purple, distinct from the red/amber/green status colours.
HEAT_GRADIENT = {0.2: "#e0ecf4", 0.45: "#9ebcda", 0.7: "#8856a7", 1.0: "#4d004b"}
_ISO_OPACITY = (0.22, 0.12, 0.06, 0.04, 0.03)

_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
_AMAP = ("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
         "&x={x}&y={y}&z={z}")


def render_map(run_dir: Path, out_path: Path | None = None, *, layer: str = "",
               minutes: float = 15, lang: str = "zh", basemap: str = "none",
               tianditu_key: str = "") -> Path:
    """Draw the coverage map of a finished run as one self-contained HTML file.

    Parameters
    ----------
    run_dir : Path
        Run directory written by the pipeline (``run.json``, ``zones.geojson``,
        ``coverage_by_zone.csv``, ``facilities.geojson``, ``origins.gpkg``; optional
        ``targets_by_zone.csv``, ``isochrones.gpkg``, ``streets.geojson``,
        ``proposed_sites.gpkg``).
    out_path : Path, optional
        Output file; default ``run_dir / "map.html"``.
    layer : str
        Facility layer the townships are coloured by; default the first in ``run.json``.
    minutes : float
        Travel-time threshold; must be one the run computed.
    lang : {"zh", "en"}
        Label language.
    basemap : {"none", "osm", "tianditu", "amap"}
        Background tiles. Only a basemap makes the page use the network.
    tianditu_key : str
        Tianditu API key (required for ``basemap="tianditu"``).

    Returns
    -------
    Path
        The HTML file written (atomically).

    Raises
    ------
    InputError
        If a required file is missing (named in the message), the layer or threshold is
        unknown, or the options are invalid.
    """
    run_dir = Path(run_dir)
    out_path = Path(out_path) if out_path is not None else run_dir / "map.html"
    check_lang(lang)
    if basemap not in BASEMAPS:
        raise InputError(f"unknown basemap {basemap!r}", key="map.basemap",
                         hint="one of " + ", ".join(BASEMAPS))
    if basemap == "tianditu" and not tianditu_key:
        raise InputError("the Tianditu basemap needs an API key", key="map.tianditu_key",
                         hint="get a browser key at console.tianditu.gov.cn, or use "
                              "basemap = \"none\"")
    view = layer_view(run_dir, layer, minutes)
    info, lay, minutes, zones, stats = (view.info, view.layer, view.minutes, view.zones,
                                        view.stats)
    facilities = rundata.read_facilities(run_dir)
    origins = rundata.read_origins(run_dir)
    isochrones = rundata.read_isochrones(run_dir)
    streets = rundata.read_streets(run_dir)
    proposed = rundata.read_proposed(run_dir)

    crs = display.metric_crs(zones, info.params.get("crs"))
    zones_d = display.simplify(zones, ZONE_TOLERANCE_M, crs, coverage=True)
    iso_d = display.simplify(isochrones, ISO_TOLERANCE_M, crs) if isochrones is not None \
        else None
    streets_d = display.simplify(streets, STREET_TOLERANCE_M, crs) if streets is not None \
        else None
    shift = display.gcj02_shift() if basemap == "amap" else None
    if shift is not None:
        log.warning("Amap basemap: overlays shifted from WGS-84 to GCJ-02 to match it")
    zones_d, iso_d, streets_d, facilities, origins, proposed = (
        display.shift_frame(g, shift) for g in
        (zones_d, iso_d, streets_d, facilities, origins, proposed))

    fmap = _base_map(zones_d, basemap, tianditu_key, lang)
    title = str(info.params.get("title") or "circle15")
    if info.params.get("synthetic"):
        title += " — " + t("synthetic", lang)
    fmap.get_root().title = html.escape(title)
    fmap.add_child(PageStyle())
    fmap.add_child(InfoBox(_title_html(info, lay, minutes, stats, basemap, lang),
                           "topleft", "c15-title"))
    b = zones_d.total_bounds
    fmap.add_child(ZoomControl([[b[1], b[0]], [b[3], b[2]]]))
    Fullscreen(position="topleft", title=t("fullscreen", lang),
               title_cancel=t("exit_fullscreen", lang)).add_to(fmap)
    for name, z in (("c15zones", 350), ("c15iso", 420), ("c15streets", 430)):
        folium.map.CustomPane(name, z_index=z, pointer_events=(name == "c15zones")
                              ).add_to(fmap)

    choropleth = _choropleth(zones_d, stats, lay, minutes, lang)
    choropleth.add_to(fmap)
    fmap.add_child(Register(choropleth, "zones"))
    fmap.add_child(ZoneSearch(choropleth, t("search", lang), t("search_none", lang),
                              _search_popup_js(lang)))
    if streets_d is not None and not streets_d.empty:
        g = folium.GeoJson(_strip(streets_d, []), name=t("streets", lang),
                           style_function=lambda f: {"color": "#8a8a8a", "weight": 1,
                                                     "opacity": 0.8},
                           interactive=False, pane="c15streets", show=basemap == "none")
        g.add_to(fmap)
        fmap.add_child(Register(g, "streets"))
    if iso_d is not None:
        for lk in info.layers:
            _isochrones(fmap, iso_d, lk, lang, show=lk.key == lay.key)
    heat = _uncovered_heat(origins, lay, minutes, lang)
    if heat is not None:
        heat.add_to(fmap)
        fmap.add_child(Register(heat, "uncovered"))
    fmap.add_child(_zone_labels(zones_d, stats, lang))
    for lk in info.layers:
        _facility_layer(facilities, lk, lang).add_to(fmap)
    if proposed is not None:
        for lk in info.layers:
            sites = _proposed_layer(proposed, lk, lang, show=lk.key == lay.key)
            if sites is not None:
                sites.add_to(fmap)
    fmap.add_child(InfoBox(_legend_html(info, lay, minutes, stats, origins, heat, lang),
                           "bottomright", "c15-legend"))
    folium.LayerControl(position="topright", collapsed=False).add_to(fmap)

    page = fmap.get_root().render()
    page = inline_assets(page).replace('<html>', f'<html lang="{"zh-CN" if lang == "zh" else "en"}">', 1)
    write_text(out_path, page)
    log.info("map written: %s (%.1f MB)", out_path, out_path.stat().st_size / 1e6)
    return out_path


# --------------------------------------------------------------------------- pieces


def _base_map(zones: gpd.GeoDataFrame, basemap: str, key: str, lang: str) -> folium.Map:
    b = zones.total_bounds
    fmap = folium.Map(location=[(b[1] + b[3]) / 2, (b[0] + b[2]) / 2], zoom_start=10,
                      tiles=None, control_scale=False, zoom_control=False)
    fmap.options.update(maxZoom=18, minZoom=5)
    fmap.default_js = list(MAP_JS)
    fmap.default_css = list(MAP_CSS)
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name=t("basemap_osm", lang)).add_to(fmap)
    elif basemap == "tianditu":
        attr = '&copy; <a href="https://www.tianditu.gov.cn/">天地图</a>'
        folium.TileLayer(_TIANDITU.format(s="{s}", layer="vec", key=key), attr=attr,
                         name=t("basemap_tianditu", lang), subdomains="01234567",
                         max_zoom=18).add_to(fmap)
        folium.TileLayer(_TIANDITU.format(s="{s}", layer="cva", key=key), attr=attr,
                         name=t("basemap_tianditu_labels", lang), subdomains="01234567",
                         overlay=True, max_zoom=18).add_to(fmap)
    elif basemap == "amap":
        folium.TileLayer(_AMAP, attr="&copy; 高德地图 AutoNavi", name=t("basemap_amap", lang),
                         subdomains="1234", max_zoom=18).add_to(fmap)
    return fmap


def _strip(gdf: gpd.GeoDataFrame, keep: list[str]) -> gpd.GeoDataFrame:
    """Only ``keep`` columns + geometry (smaller GeoJSON)."""
    return gpd.GeoDataFrame(gdf[keep].copy(), geometry=gdf.geometry.to_numpy(), crs=gdf.crs)


def _choropleth(zones: gpd.GeoDataFrame, stats: ZoneStats, lay: rundata.LayerInfo,
                minutes: float, lang: str) -> folium.GeoJson:
    tab = stats.table.set_index("zone_id")
    z = zones[["zone_id", "zone_name", "geometry"]].copy()
    get = lambda col: [tab[col].get(i, np.nan) for i in z["zone_id"]]  # noqa: E731
    z["pop_s"] = [fmt_int(v) for v in get("population")]
    z["covered_s"] = [fmt_int(v) for v in get("covered")]
    z["rate_s"] = [fmt_pct(v) for v in get("rate")]
    z["target_s"] = [fmt_pct(v) if not math.isnan(v) else t("no_target", lang)
                     for v in get("target")]
    z["gap_s"] = [fmt_int(v) for v in get("gap_people")]
    z["status"] = [s if isinstance(s, str) else "no_target" for s in get("status")]
    z["status_s"] = [t(s, lang, margin=round(CLOSE_MARGIN * 100)) for s in z["status"]]
    z["color"] = [c if isinstance(c, str) else STATUS_COLORS["no_target"]
                  for c in get("color")]
    fields = ["zone_name", "pop_s", "covered_s", "rate_s", "target_s", "gap_s"]
    aliases = [t(k, lang) for k in ("zone", "population", "covered", "rate", "target", "gap")]
    if stats.has_target:
        fields.append("status_s")
        aliases.append(t("status", lang))
    name = t("choropleth", lang, layer=lay.label(lang), minutes=f"{minutes:g}")
    return folium.GeoJson(
        z, name=name, pane="c15zones",
        style_function=lambda f: {"fillColor": f["properties"]["color"], "color": "#444",
                                  "weight": 1.2, "fillOpacity": 0.5},
        highlight_function=lambda f: {"weight": 3, "color": "#000", "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases, sticky=True,
                                      localize=False, labels=True),
    )


def _zone_labels(zones: gpd.GeoDataFrame, stats: ZoneStats, lang: str) -> MarkerLayer:
    """Township name and coverage rate at a point inside each township."""
    rate = stats.table.set_index("zone_id")["rate"]
    pts = shapely.get_coordinates(shapely.point_on_surface(zones.geometry.to_numpy()))
    icons, points = [], []
    for i, ((x, y), zid, name) in enumerate(zip(pts, zones["zone_id"], zones["zone_name"])):
        icons.append(f'<div class="c15-label">{html.escape(str(name))}<br>'
                     f'<small>{fmt_pct(rate.get(zid, float("nan")))}</small></div>')
        points.append([round(y, 5), round(x, 5), "", i])
    return MarkerLayer(points, icons, key="labels", color="#000", name=t("labels", lang),
                       cluster=False, icon_size=(0, 0))


def _search_popup_js(lang: str) -> str:
    """JS expression (with ``p`` = feature properties) for the search-result popup."""
    def row(label: str, field: str) -> str:
        return f"'<tr><td class=\"k\">{html.escape(label)}</td><td>' + p.{field} + '</td></tr>'"
    rows = " + ".join(row(t(k, lang), f) for k, f in (
        ("rate", "rate_s"), ("target", "target_s"), ("population", "pop_s"),
        ("gap", "gap_s")))
    return f"'<b>' + p.zone_name + '</b><table>' + {rows} + '</table>'"


def _isochrones(fmap: folium.Map, iso: gpd.GeoDataFrame, lay: rundata.LayerInfo,
                lang: str, show: bool) -> None:
    sel = iso[iso["layer"].astype(str) == lay.key].sort_values("minutes", ascending=False)
    if sel.empty:
        return
    mins = sorted(sel["minutes"].astype(float).unique())
    opacity = {m: _ISO_OPACITY[min(i, len(_ISO_OPACITY) - 1)] for i, m in enumerate(mins)}
    g = _strip(sel, ["minutes"])
    g["fill_opacity"] = [opacity[float(m)] for m in g["minutes"]]
    color = lay.color
    layer = folium.GeoJson(
        g, name=swatch_html(lay.icon, lay.color) + " " + t("isochrones", lang,
                                                            layer=lay.label(lang)),
        style_function=lambda f: {"fillColor": color, "color": color, "weight": 0.8,
                                  "fillOpacity": f["properties"]["fill_opacity"],
                                  "opacity": 0.6},
        interactive=False, pane="c15iso", show=show)
    layer.add_to(fmap)
    fmap.add_child(Register(layer, f"iso:{lay.key}"))


def _group_label(lay: rundata.LayerInfo, lang: str) -> str:
    """Name of the population group a layer is judged by ("人口" for everyone)."""
    if lay.group in ("", "total"):
        return "人口" if lang == "zh" else "People"
    zh, en = GROUPS.get(lay.group, (lay.group, lay.group))
    return (zh + "人口") if lang == "zh" else en


def _uncovered_heat(origins: gpd.GeoDataFrame, lay: rundata.LayerInfo, minutes: float,
                    lang: str) -> HeatMap | None:
    col = f"t_{lay.key}"
    if col not in origins.columns:
        raise InputError(f"missing column {col} (travel minutes to the nearest {lay.key})",
                         file=Path(rundata.ORIGINS), column=col)
    tt = pd.to_numeric(origins[col], errors="coerce").to_numpy(dtype=float)
    # people of the layer's own group (0-3 for childcare, 60+ for elderly care, ...), as
    # in the legend's coverage figure
    group = lay.group if lay.group in origins.columns else "population"
    pop = pd.to_numeric(origins[group], errors="coerce").fillna(0).to_numpy(float)
    unc = (np.isnan(tt) | (tt > minutes + 1e-9)) & (pop > 0)
    if not unc.any():
        return None
    pts = origins.geometry.to_numpy()[unc]
    xy = shapely.get_coordinates(shapely.centroid(pts))
    w = pop[unc]
    # Normalise weights so that the top 2 % of points saturate the colour ramp.
    scale = float(np.quantile(w, 0.98)) or 1.0
    data = np.column_stack([np.round(xy[:, 1], 5), np.round(xy[:, 0], 5),
                            np.round(np.minimum(w / scale, 1.0), 3)])
    heat = HeatMap(data.tolist(), name=t("uncovered", lang, minutes=f"{minutes:g}",
                                         layer=lay.label(lang), group=_group_label(lay, lang)),
                   radius=14, blur=12, min_opacity=0.25, max_zoom=18,
                   gradient=HEAT_GRADIENT)
    heat.uncovered_people = float(w.sum())
    return heat


def _facility_layer(fac: gpd.GeoDataFrame, lay: rundata.LayerInfo, lang: str
                    ) -> MarkerLayer:
    sel = fac[fac["layer"] == lay.key]
    xy = shapely.get_coordinates(shapely.centroid(sel.geometry.to_numpy())) if len(sel) \
        else np.zeros((0, 2))
    pts = []
    for (x, y), (_, r) in zip(xy, sel.iterrows()):
        rows = [(t("subtype", lang), _s(r["subtype"])), (t("capacity", lang), _s(r["capacity"])),
                (t("address", lang), _s(r["address"]))]
        if not r["linked"]:
            rows.append(("⚠", t("unlinked", lang)))
        title = _s(r["name"]) or _s(r["facility_id"])
        pts.append([round(y, 6), round(x, 6),
                    popup_table(rows, title=title) + f"<div class=\"k\">{html.escape(lay.label(lang))}</div>",
                    0 if r["linked"] else 1])
    icons = [pin_html(lay.icon, lay.color), pin_html(lay.icon, "#9e9e9e", "off")]
    name = swatch_html(lay.icon, lay.color) + " " + t("facilities", lang,
                                                      layer=lay.label(lang), n=len(pts))
    return MarkerLayer(pts, icons, key=f"fac:{lay.key}", color=lay.color, name=name)


def _proposed_layer(prop: gpd.GeoDataFrame, lay: rundata.LayerInfo, lang: str, show: bool
                    ) -> MarkerLayer | None:
    sel = prop[prop["layer"].astype(str) == lay.key].sort_values("rank")
    if sel.empty:
        return None
    xy = shapely.get_coordinates(shapely.centroid(sel.geometry.to_numpy()))
    pts = []
    for (x, y), (_, r) in zip(xy, sel.iterrows()):
        rows = [(t("zone", lang), _s(r["zone_name"])),
                (t("new_covered", lang), fmt_int(_f(r["new_covered"]))),
                (t("cumulative_rate", lang), fmt_pct(as_fraction(_f(r["cumulative_rate"]))))]
        pts.append([round(y, 6), round(x, 6),
                    popup_table(rows, title=f"{t('proposed', lang, layer=lay.label(lang))} "
                                            f"#{_s(r['rank'])}"), 0])
    icons = [pin_html("plus", lay.color, "site")]
    name = swatch_html("plus", lay.color) + " " + t("proposed", lang, layer=lay.label(lang))
    return MarkerLayer(pts, icons, key=f"site:{lay.key}", color=lay.color, name=name,
                       cluster=False, show=show)


def _f(v: object) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _s(v: object) -> str:
    """Display string of a cell; empty for missing values, integers without ".0"."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _title_html(info: rundata.RunInfo, lay: rundata.LayerInfo, minutes: float,
                stats: ZoneStats, basemap: str, lang: str) -> str:
    p = info.params
    e = html.escape
    mode = str(p.get("mode") or "")
    speed = p.get("speed_kmh")
    rows = [
        (t("plan", lang), str(p.get("plan") or "")),
        (t("year", lang), str(stats.year or p.get("year") or "")),
        (t("mode", lang), report_label(MODES, mode, lang)
         + (f"，{t('speed_unit', lang, speed=f'{float(speed):g}')}"
            if speed not in (None, "") else "")),
        (t("threshold", lang), t("minutes_unit", lang, minutes=f"{minutes:g}")),
        (t("data_date", lang), str(p.get("data_date") or "")),
    ]
    body = "".join(f'<tr><td class="k">{e(k)}</td><td>{e(v)}</td></tr>' for k, v in rows if v)
    out = f"<h1>{e(str(p.get('title') or 'circle15'))}</h1><table>{body}</table>"
    if p.get("synthetic"):
        out += f'<div class="c15-synthetic">{e(t("synthetic", lang))}</div>'
    if basemap == "amap":
        out += f'<div class="c15-warning">{e(t("amap_warning", lang))}</div>'
    return out


def _legend_html(info: rundata.RunInfo, lay: rundata.LayerInfo, minutes: float,
                 stats: ZoneStats, origins: gpd.GeoDataFrame, heat: HeatMap | None,
                 lang: str) -> str:
    e = html.escape
    label = lay.label(lang)
    out = f"<h2>{e(t('legend_title', lang, layer=label, minutes=f'{minutes:g}'))}</h2>"
    county = stats.county
    out += f'<div class="sub">{e(target_caption(stats, info, lang))}</div>'
    for color, text, n in legend_entries(stats, lang):
        out += (f'<div class="row"><span class="sw" style="background:{color}"></span>'
                f'{e(text)}{"" if n is None else f"（{n}）"}</div>')
    if county:
        out += (f'<div class="sub" style="margin-top:4px">{e(t("county", lang))}：'
                f'{e(t("rate", lang))} {fmt_pct(county.get("rate", float("nan")))}，'
                f'{e(t("covered", lang))} {fmt_int(county.get("covered", float("nan")))} / '
                f'{fmt_int(county.get("population", float("nan")))}</div>')
    if heat is not None:
        text = t("uncovered", lang, minutes=f"{minutes:g}", layer=label,
                 group=_group_label(lay, lang))
        out += (f'<div class="row" style="margin-top:4px"><span class="sw heat"></span>'
                f'{e(text)}：{fmt_int(heat.uncovered_people)}</div>')
    return out
