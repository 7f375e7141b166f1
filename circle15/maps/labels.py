"""Text shown on maps, in Chinese (default) and English."""

from __future__ import annotations

from circle15.errors import InputError

_TEXT: dict[str, tuple[str, str]] = {
    "zone": ("乡镇（街道）", "Township"),
    "population": ("人口", "Population"),
    "covered": ("覆盖人口", "Covered"),
    "rate": ("覆盖率", "Coverage"),
    "target": ("目标", "Target"),
    "gap": ("缺口（人）", "Gap (people)"),
    "status": ("达标情况", "Status"),
    "met": ("已达标", "Target met"),
    "close": ("接近目标（差距≤{margin}个百分点）", "Close (within {margin} points)"),
    "far": ("差距较大", "Far from target"),
    "no_target": ("无目标", "No target"),
    "no_target_note": ("本指标无规划目标，按覆盖率着色", "No plan target: coloured by coverage"),
    "choropleth": ("乡镇覆盖率：{layer} {minutes}分钟",
                   "Township coverage: {layer}, {minutes} min"),
    "legend_title": ("{layer} {minutes}分钟覆盖率", "{layer}: coverage within {minutes} min"),
    "legend_target": ("目标 {target}（{year}年）", "Target {target} ({year})"),
    "legend_target_varies": ("目标因乡镇而异（{year}年）", "Targets vary by township ({year})"),
    "county": ("全市（县）", "County"),
    "facilities": ("{layer}（{n}处）", "{layer} ({n})"),
    "name": ("名称", "Name"),
    "subtype": ("类型", "Type"),
    "capacity": ("规模", "Capacity"),
    "address": ("地址", "Address"),
    "unlinked": ("未接入路网（未计入覆盖）", "Not linked to the network (not counted)"),
    "isochrones": ("等时圈：{layer}", "Isochrones: {layer}"),
    "iso_band": ("{minutes}分钟", "{minutes} min"),
    "uncovered": ("{minutes}分钟未覆盖{group}：{layer}",
                  "{group} not covered within {minutes} min: {layer}"),
    "proposed": ("建议新增：{layer}", "Proposed sites: {layer}"),
    "rank": ("序号", "Rank"),
    "new_covered": ("新增覆盖人口", "Newly covered"),
    "cumulative_rate": ("累计覆盖率", "Cumulative coverage"),
    "streets": ("主要道路", "Main streets"),
    "labels": ("乡镇名称与覆盖率", "Township names and coverage"),
    "plan": ("规划", "Plan"),
    "year": ("目标年份", "Target year"),
    "mode": ("出行方式", "Travel mode"),
    "speed": ("速度", "Speed"),
    "threshold": ("时间阈值", "Threshold"),
    "data_date": ("数据日期", "Data date"),
    "generated": ("生成时间", "Generated"),
    "minutes_unit": ("{minutes}分钟", "{minutes} min"),
    "speed_unit": ("{speed} 公里/小时", "{speed} km/h"),
    "synthetic": ("合成示例数据 / synthetic demo data", "synthetic demo data / 合成示例数据"),
    "search": ("搜索乡镇（街道）名称", "Search township name"),
    "search_none": ("未找到", "Not found"),
    "fullscreen": ("全屏", "Full screen"),
    "exit_fullscreen": ("退出全屏", "Exit full screen"),
    "basemap_osm": ("OpenStreetMap 底图", "OpenStreetMap"),
    "basemap_tianditu": ("天地图", "Tianditu"),
    "basemap_tianditu_labels": ("天地图注记", "Tianditu labels"),
    "basemap_amap": ("高德地图", "Amap (Gaode)"),
    "amap_warning": ("高德底图为GCJ-02坐标，叠加数据已偏移以与底图对齐；请勿从此地图读取坐标",
                     ("Amap uses GCJ-02: overlays are shifted to match it; do not read "
                     "coordinates off this map")),
    "none": ("—", "—"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if supported.

    Raises
    ------
    InputError
        For anything but "zh" or "en".
    """
    if lang not in ("zh", "en"):
        raise InputError(f"unknown language {lang!r}", key="lang", hint="zh or en")
    return lang


def t(key: str, lang: str, **fmt: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``fmt``."""
    zh, en = _TEXT[key]
    text = zh if lang == "zh" else en
    return text.format(**fmt) if fmt else text
