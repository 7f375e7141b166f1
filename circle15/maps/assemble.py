"""Assemble the map page's embedded data (one JSON object) and its texts."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from circle15.maps import display, indicators, pagedata, rundata
from circle15.maps import timeline as tl
from circle15.maps.icons import facility_color, glyph, glyph_svg
from circle15.maps.page import PageParts
from circle15.maps.pagetext import page_text, time_text
from circle15.maps.zonestats import (
    FAR_SHADES,
    NEUTRAL_BINS,
    NEUTRAL_COLORS,
    STATUS_COLORS,
)
from circle15.vocab import COMPOSITE, county_label
from circle15.vocab import GROUP_LABELS as GROUPS
from circle15.vocab import MODE_LABELS as MODES

log = logging.getLogger(__name__)


def _ascii(s: str) -> str:
    return s.replace("–", "-").replace("—", "-")


def area_name(params: dict, cfg: dict, plan) -> str:
    """The area's name: the configured OSM place's first part, else the title's leading
    name ending in 市/县/区, else the plan's region."""
    place = str((cfg.get("area") or {}).get("place") or "")
    if place:
        return re.split(r"[,，\s]+", place.strip())[0]
    m = re.match(r"\s*(\S+?[市县区旗])", str(params.get("title") or ""))
    if m:
        return m.group(1)
    return plan.region if plan is not None and not params.get("synthetic") else ""


def _layers(info: rundata.RunInfo, lang: str) -> list[dict]:
    out = []
    for i, lay in enumerate(info.layers):
        g = GROUPS.get(lay.group, (lay.group, lay.group))[1 if lang == "en" else 0]
        out.append({"key": lay.key, "label": lay.label(lang), "color": facility_color(i),
                    "svg": glyph_svg(glyph(lay.key, lay.icon)), "group": lay.group,
                    "groupLabel": _ascii(g) if lang == "en" else g})
    return out


def _legend(t: dict, lang: str) -> dict:
    far = []
    lo = 10
    for limit, color in FAR_SHADES:
        if limit == float("inf"):
            text = f"差距>{lo}个百分点" if lang == "zh" else f"more than {lo} points below"
        else:
            hi = round(limit * 100)
            text = f"差距{lo}-{hi}个百分点" if lang == "zh" else f"{lo}-{hi} points below"
            lo = hi
        far.append([color, (t["csv_not_met"] + "，" if lang == "zh" else "Not met, ") + text])
    status = [[STATUS_COLORS["met"], t["st_met"]], [STATUS_COLORS["close"], t["st_close"]],
              *far, [STATUS_COLORS["no_target"], t["st_no_target"]]]
    neutral = [[c, f"{NEUTRAL_BINS[i] * 100:.0f}-{min(NEUTRAL_BINS[i + 1], 1.0) * 100:.0f}%"]
               for i, c in enumerate(NEUTRAL_COLORS)]
    ov = [[c, t[f"ov_{i}"]] for i, c in enumerate(indicators.OVERVIEW_COLORS)]
    ov.append([indicators.OVERVIEW_NONE, t["ov_none"]])
    return {"status": status, "neutral": neutral, "overview": ov}


def _shifted(shift, *frames):
    return [display.shift_frame(g, shift) for g in frames]


def _heat_views(sels, thresholds) -> list[tuple[str, str, float]]:
    return [(s.key, s.group, m) for s in sels for m in thresholds]


def _texts(info, cfg, plan, lang, t, tiles, year) -> tuple[dict, PageParts]:
    p = info.params
    en = lang == "en"
    name = area_name(p, cfg, plan)
    if en:
        title = str(p.get("title_en") or "15-minute public-service circle map")
        plan_line = ((plan.title_en or plan.name) + (f" ({_doc_ascii(plan.document)})"
                                                     if plan.document else "")
                     if plan else str(p.get("plan") or ""))
    else:
        title = str(p.get("title") or "circle15")
        plan_line = ((plan.title + (f"（{plan.document}）" if plan.document else ""))
                     if plan else str(p.get("plan") or ""))
    mode = MODES.get(str(p.get("mode") or ""), (p.get("mode") or "", p.get("mode") or ""))
    foot = [f"{t['plan']}: {plan_line}", f"{t['data_date']}: {_clean(p.get('data_date'), en)}",
            f"{t['mode']}: {mode[1 if en else 0]} {p.get('speed_kmh', '')} km/h",
            f"{t['generated']}: {str(p.get('generated_at') or '')[:10]}",
            f"{t['producer']}: circle15 {p.get('circle15_version') or ''}".strip()]
    if p.get("synthetic"):
        foot.append(t["synthetic"])
    warning = t["amap_warning"] if tiles.get("gcj02") else ""
    parts = PageParts(lang=lang, title=title, plan_line=plan_line,
                      synthetic=bool(p.get("synthetic")), warning=warning,
                      foot="  |  ".join(foot))
    meta = {"county_label": county_label(name, lang), "area": name, "title": title,
            "plan": plan_line, "synthetic": bool(p.get("synthetic")),
            "data_date": _clean(p.get("data_date"), en), "year": year}
    return meta, parts


def _clean(text: object, en: bool) -> str:
    s = str(text or "")
    if en:
        s = re.sub(r"[（(][^）)]*(合成|synthetic)[^）)]*[）)]", "(synthetic)", s)
        s = s.replace("（", "(").replace("）", ")").replace("，", ", ").replace("：", ": ")
    return s


def _doc_ascii(doc: str) -> str:
    """An official document number in English: 诸政办发〔2023〕10号 -> "document [2023]
    No. 10" (the issuer's abbreviation has no standard English form)."""
    m = re.search(r"[〔\[(（](\d{4})[〕\])）]\s*(\d+)\s*号", doc)
    if m:
        return f"document [{m.group(1)}] No. {m.group(2)}"
    return doc if doc.isascii() else "official document"


@dataclass(frozen=True, eq=False)
class RunTables:
    """The run folder's tables a page shows (read with :mod:`circle15.maps.rundata`)."""

    zones: gpd.GeoDataFrame
    coverage: pd.DataFrame
    targets: pd.DataFrame | None
    facilities: gpd.GeoDataFrame
    origins: gpd.GeoDataFrame


@dataclass(frozen=True)
class PageView:
    """What the page opens on: language, layer, threshold, plan year, and the basemap."""

    lang: str
    layer: str
    minutes: float
    year: int
    years: list[int]
    tiles: dict


def page_data(*, run_dir: Path, out_path: Path, info: rundata.RunInfo, cfg: dict,
              view: PageView, tables: RunTables, plan, selectors: list,
              timeline: tl.Timeline | None = None) -> tuple[dict, PageParts]:
    """The embedded data of the page and its texts (with ``timeline``, the recorded
    periods as ``data["hist"]``: :mod:`circle15.maps.timeline`)."""
    lang, layer, minutes, year, years, tiles = (
        view.lang, view.layer, view.minutes, view.year, view.years, view.tiles)
    zones, cov, targets, fac, origins = (
        tables.zones, tables.coverage, tables.targets, tables.facilities, tables.origins)
    t = page_text(lang, GROUPS)
    if lang == "en":
        t["groups"] = {k: _ascii(v) for k, v in t["groups"].items()}
    crs = display.metric_crs(zones, info.params.get("crs"))
    keys = [lay.key for lay in info.layers]
    thresholds = info.thresholds or sorted(cov["minutes"].dropna().unique().tolist())
    resp_en = {i.id: i.responsible_en for i in plan.indicators} if plan else {}
    ind_meta, index = indicators.indicator_table(targets, lang, resp_en)
    tab = indicators.page_tables(cov, targets, selectors, thresholds, years, index)
    villages = pagedata.read_villages(run_dir, cfg, zones)
    vnames = dict(zip(villages["village_id"], villages["village_name"])) \
        if villages is not None else {}
    shift = display.gcj02_shift() if tiles.get("gcj02") else None
    zones_s, fac_s, prop_s, iso_s, streets_s, origins_s = _shifted(
        shift, zones, fac, rundata.read_proposed(run_dir), rundata.read_isochrones(run_dir),
        rundata.read_streets(run_dir), origins)
    groups = [g for g in GROUPS if g != "total" and g in zones.columns]
    meta, parts = _texts(info, cfg, plan, lang, t, tiles, year)
    meta.update({"layer": layer, "minutes": minutes, "composite": COMPOSITE,
                 "basemap": tiles, "streets_on": not tiles.get("url"),
                 "report": report_href(run_dir, out_path)})
    data = {
        "meta": meta, "t": t, "layers": _layers(info, lang),
        "selectors": [{"key": s.key, "label": s.label, "groupLabel": _group(s.group, t)}
                      for s in selectors],
        "thresholds": [float(m) if m % 1 else int(m) for m in thresholds], "years": years,
        "zones": pagedata.zones_data(zones_s, crs, groups),
        "views": tab["views"], "county": tab["county"], "ind": ind_meta, "rows": tab["rows"],
        "overview": tab["overview"],
        "fac": pagedata.facilities_data(fac_s, keys, vnames),
        "prop": pagedata.proposed_data(prop_s, keys),
        "iso": pagedata.isochrones_data(iso_s, crs),
        "streets": pagedata.streets_data(streets_s, crs),
        "heat": pagedata.heat_data(origins_s, crs, _heat_views(selectors, thresholds)),
        "villages": pagedata.villages_data(villages, fac_s, keys),
        "legend": _legend(t, lang), "star": glyph_svg("star"),
    }
    if timeline is not None:
        spec = tl.ViewSpec(selectors, thresholds, years, index, zones["zone_id"].tolist())
        run_fac = tl.RunFacilities(data["fac"], pagedata.page_positions(fac, keys), keys, shift)
        data["hist"] = tl.timeline_data(timeline, spec, tab, targets, lang, run_fac)
        t.update(time_text(lang))
    return data, parts


def _group(group: str, t: dict) -> str:
    return t["groups"].get(group, group)


def report_href(run_dir: Path, out_path: Path) -> str:
    """Relative link from the map to the run's ``report.html`` ("" when there is none)."""
    rep = Path(run_dir) / "report.html"
    if not rep.is_file():
        return ""
    rel = os.path.relpath(rep.resolve(), Path(out_path).resolve().parent)
    return re.sub(r"\\", "/", rel)
