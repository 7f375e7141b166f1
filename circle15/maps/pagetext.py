"""Every text of the map page, in Chinese and in English (English uses ASCII punctuation
only; :func:`page_text` checks that)."""

from __future__ import annotations

from circle15.maps.zonestats import CLOSE_MARGIN

_M = round(CLOSE_MARGIN * 100)

_TEXT: dict[str, tuple[str, str]] = {
    "zone": ("乡镇（街道）", "Township"),
    "village": ("村（社区）", "Village"),
    "facility": ("设施", "Facility"),
    "population": ("人口", "Population"),
    "rate": ("覆盖率", "Coverage"),
    "target": ("目标", "Target"),
    "gap": ("缺口", "Gap"),
    "status": ("达标情况", "Status"),
    "indicator": ("指标", "Indicator"),
    "value": ("现状值", "Value"),
    "responsible": ("责任单位", "Responsible unit"),
    "st_met": ("已达标", "Target met"),
    "st_close": (f"未达标，差距≤{_M}个百分点", f"Not met, within {_M} points"),
    "st_far": (f"未达标，差距>{_M}个百分点", f"Not met, more than {_M} points below"),
    "st_no_target": ("本年无目标", "No target this year"),
    "csv_met": ("已达标", "met"),
    "csv_not_met": ("未达标", "not met"),
    "csv_not_measurable": ("需上报数据", "needs reported data"),
    "csv_no_target": ("本年无目标", "no target this year"),
    "no_target": ("无目标", "No target"),
    "status_rule": ((f"红/黄/绿只表示达标情况：绿=已达标；黄=未达标但差距≤{_M}个百分点；"
                    f"红=差距>{_M}个百分点，差距越大颜色越深（>30、>60个百分点）"),
                    (f"Red/amber/green show target status only: green = met; amber = not met, "
                    f"within {_M} points; red = more than {_M} points below, darker the "
                    f"further below (>30, >60 points)")),
    "no_target_note": ("本年无规划目标：按覆盖率以蓝色深浅着色",
                       "No plan target this year: shaded blue by coverage"),
    "legend_title": ("{layer} {minutes}分钟覆盖率", "{layer}: coverage within {minutes} min"),
    "legend_group": ("按{group}计，{year}年目标", "Counting {group}, {year} targets"),
    "year_n": ("{year}年", "{year}"),
    "minutes_unit": ("{minutes}分钟", "{minutes} min"),
    "group_people": ("{group}", "{group}"),
    "uncovered_n": ("未覆盖 {n} 人", "{n} people not covered"),
    "overview_title": ("达标总览（{year}年）", "Targets overview ({year})"),
    "overview_rule": (("按乡镇未达标的可测算指标个数着色：绿=全部达标，黄=1项，红=2项及以上"
                      "（越多越深）；灰=无可测算指标"),
                      ("Coloured by the number of measurable targets a township misses: "
                      "green = none, amber = 1, red = 2 or more (darker = more); grey = "
                      "nothing measurable")),
    "ov_0": ("全部达标", "All met"),
    "ov_1": ("1项未达标", "1 missed"),
    "ov_2": ("2项未达标", "2 missed"),
    "ov_3": ("3项未达标", "3 missed"),
    "ov_4": ("4项及以上未达标", "4 or more missed"),
    "ov_none": ("无可测算指标", "Nothing measurable"),
    "missed_short": ("{n}/{m}项未达标", "{n}/{m} missed"),
    "missed_long": ("可测算指标{m}项，未达标{n}项", "{n} of {m} measurable targets missed"),
    "no_measurable": ("无可测算指标", "No measurable target"),
    "indicators_year": ("{year}年指标", "Indicators, {year}"),
    "unjudged": ("其余{n}项（无目标或需上报数据）", "{n} more (no target or reported data needed)"),
    "people_unit": ("人", "people"),
    "points_unit": ("个百分点", "points"),
    "facilities": ("设施", "Facilities"),
    "layer_name": ("类别", "Layer"),
    "subtype": ("类型", "Type"),
    "capacity": ("规模", "Capacity"),
    "address": ("地址", "Address"),
    "unlinked": ("未接入路网（未计入覆盖）", "Not linked to the network (not counted)"),
    "unlinked_short": ("未接入路网", "not linked"),
    "proposed_one": ("建议新增{layer}", "Proposed {layer} site"),
    "new_covered": ("新增覆盖", "Newly covered"),
    "cumulative_rate": ("累计覆盖率", "Cumulative coverage"),
    "villages_n": ("村（社区）{n}个", "{n} villages"),
    "village_has": ("有{layer}设施：{k}/{n}（{pct}%）", "With {layer}: {k} of {n} ({pct}%)"),
    "village_legend": ("村（社区）：已定位{k}个/共{n}个（按村内设施位置），点击查看各类设施",
                       "Villages: {k} of {n} placed (at their facilities); click for the "
                       "services each has"),
    "village_list": ("各村（社区）设施", "Facilities by village"),
    "report_link": ("查看报告中的本乡镇章节", "This township in the report"),
    "iso_rule": ("等时圈：由深到浅为{list}分钟内可达", ("Isochrones: darkest to lightest = "
                 "reached within {list} min")),
    "heat_rule": ("{minutes}分钟未覆盖{group}（紫色越深越密）",
                  "{group} not covered within {minutes} min (darker purple = more)"),
    "soft_note": ("叠加图层时乡镇颜色变浅", "Township colours are lighter while overlays are on"),
    "view": ("视图", "View"),
    "view_layer": ("单项指标", "One indicator"),
    "view_overview": ("达标总览", "Targets overview"),
    "domain": ("服务类别", "Service"),
    "threshold": ("时间", "Time"),
    "year": ("目标年份", "Target year"),
    "show": ("显示", "Show"),
    "fac_layers": ("设施", "Facilities"),
    "overlays": ("叠加", "Overlays"),
    "sites": ("建议新增点位", "Proposed sites"),
    "iso": ("等时圈", "Isochrones"),
    "heat": ("未覆盖人口热力", "Uncovered people (heat)"),
    "streets": ("道路", "Streets"),
    "labels": ("乡镇名称", "Township names"),
    "villages": ("村（社区）点位", "Villages"),
    "basemap": ("底图", "Basemap"),
    "controls": ("图层与指标", "Layers and indicators"),
    "legend": ("图例", "Legend"),
    "search": ("搜索乡镇、村、设施", "Search townships, villages, facilities"),
    "search_none": ("未找到", "Not found"),
    "print": ("打印/导出", "Print / export"),
    "close": ("关闭", "Close"),
    "zoom_in": ("放大", "Zoom in"),
    "zoom_out": ("缩小", "Zoom out"),
    "north": ("北", "N"),
    "data_date": ("数据日期", "Data date"),
    "generated": ("生成时间", "Generated"),
    "producer": ("制图", "Made with"),
    "plan": ("规划", "Plan"),
    "mode": ("出行方式", "Travel mode"),
    "synthetic": ("合成示例数据 / synthetic demo data", "synthetic demo data / 合成示例数据"),
    "old_ie": (("当前浏览器使用旧版IE内核，地图可能无法显示。请使用Chrome、Edge、Firefox，"
               "或将360/QQ浏览器切换到“极速模式”。"),
               ("This browser runs an old Internet Explorer engine and may not show the "
               "map. Use Chrome, Edge or Firefox, or switch 360/QQ Browser to its fast "
               "(Chromium) mode.")),
    "amap_warning": ("高德底图为GCJ-02坐标，叠加数据已偏移以与底图对齐；请勿从此地图读取坐标",
                     ("Amap uses GCJ-02: overlays are shifted to match it; do not read "
                     "coordinates off this map")),
    "na": ("—", "-"),
    "sep": (" · ", ", "),
    "composite": ("完整服务圈（全部设施）", "Full circle (every layer)"),
}

#: Texts of the time dimension, only in pages drawn with a history (so a page without one
#: stays exactly as it was: its texts decide the embedded font's glyphs).
_TIME_TEXT: dict[str, tuple[str, str]] = {
    "period": ("时期", "Period"),
    "period_run": ("本次计算（未入库）", "This run (not recorded)"),
    "period_line": ("时期：{period}（按{year}年目标）",
                    "Period: {period} (against {year} targets)"),
    "period_line_run": ("本次计算结果（未入库，按{year}年目标）",
                        "This run, not recorded (against {year} targets)"),
    "trend": ("历次记录趋势（按{year}年目标）", "Trend over the recorded periods ({year} targets)"),
    "trend_rule": ("点：各期现状值（绿=达标，红=未达标，灰=不可判定）；虚线：目标",
                   "Dots: value in each period (green = met, red = not met, grey = not "
                   "judged); dashed line: target"),
    "trend_more": ("其余{n}项指标的趋势", "Trends of {n} more indicators"),
    "not_recorded": ("未记录", "not recorded"),
    "values": ("各期现状值", "Value in each period"),
    "pstatus": ("整改状态", "Status"),
    "problems_title": ("未整改问题（{period}）", "Open problems ({period})"),
    "problems_zone": ("本乡镇问题（{period}）", "Problems of this township ({period})"),
    "problems_n": ("未整改问题{n}个", "{n} open problems"),
    "problem_badges": ("未整改问题", "Open problems"),
    "badge_legend": ("乡镇未整改问题数（{period}）", "Open problems of the township ({period})"),
    "all_units": ("全部责任单位", "All responsible units"),
    "no_problems": ("无未整改问题", "No open problems"),
    "no_zone_problems": ("本期无问题记录", "No problems recorded in this period"),
    "found": ("发现期", "Found"),
    "closed_in": ("整改期", "Rectified"),
    "ps_0": ("待整改", "open"),
    "ps_1": ("整改中", "in progress"),
    "ps_2": ("暂缓", "deferred"),
    "ps_3": ("已整改", "rectified"),
    "fac_marks": ("设施变化（新增/已关闭）", "Facility changes (new / closed)"),
    "fac_added_mark": ("新增", "new"),
    "fac_closed_mark": ("已关闭", "closed"),
    "fac_note_added": ("{period}新增（{prev}时尚无）", "New in {period} (not there in {prev})"),
    "fac_note_closed": ("{period}已关闭（{prev}时仍在册）",
                        "Closed by {period} (still listed in {prev})"),
    "fac_note_moved": ("{period}迁址，距原址约{m}米", "Moved in {period}, about {m} m"),
    "fac_note_capacity": ("{period}规模由{a}变为{b}", "Capacity in {period}: {a} -> {b}"),
    "fac_legend_added": ("新增设施（较{prev}）", "New facility (since {prev})"),
    "fac_legend_closed": ("已关闭设施（{prev}时仍在册，灰色）",
                          "Closed facility (listed in {prev}; grey)"),
    "fac_legend_other": ("另有迁址{moved}处、规模变化{capacity}处（见乡镇详情）",
                         "also {moved} moved, {capacity} with another capacity (see the "
                         "township panel)"),
    "fac_first": ("{period}为首次记录，无上一期可比较",
                  "{period} is the first recorded period: nothing to compare with"),
    "fac_changes_title": ("设施变化（{period}较{prev}）", "Facility changes ({period} vs {prev})"),
    "fac_changes_title0": ("设施变化", "Facility changes"),
    "no_fac_changes": ("本乡镇设施无变化", "No facility changes in this township"),
    "fac_ch_added": ("新增", "new"),
    "fac_ch_closed": ("关闭", "closed"),
    "fac_ch_moved": ("迁址", "moved"),
    "fac_ch_capacity": ("规模变化", "capacity"),
    "fac_moved_m": ("约{m}米", "about {m} m"),
    "fac_arrow": ("→", "->"),
    "iso_run_only": (("服务圈范围为本次运行（{run}）的计算结果：各期未记录等时圈，"
                      "所选时期的设施可能与之不同"),
                     "Isochrones are this run's ({run}): they are not recorded per period, "
                     "so the selected period's facilities may differ"),
}

#: Capacity units by layer key.
_CAP_UNITS = {"childcare": ("托位", "places"), "elderly": ("床位", "beds"),
              "clinic": ("床位", "beds")}


def page_text(lang: str, groups: dict[str, tuple[str, str]]) -> dict:
    """Every page text in ``lang``, with ``groups`` (population group labels) and the
    capacity units by layer.

    Raises
    ------
    ValueError
        If an English text contains a non-ASCII character (a defect of this module).
    """
    i = 1 if lang == "en" else 0
    out: dict = {k: v[i] for k, v in _TEXT.items() if k != "synthetic"}
    out["synthetic"] = _TEXT["synthetic"][i]
    out["groups"] = {g: v[i] for g, v in groups.items()}
    out["groups"]["population"] = "总人口" if i == 0 else "Total"
    out["cap_units"] = {k: v[i] for k, v in _CAP_UNITS.items()}
    if lang == "en":
        bad = [k for k, v in _TEXT.items() if k not in ("synthetic",) and not v[1].isascii()]
        if bad:
            raise ValueError(f"English map texts with non-ASCII characters: {bad}")
    return out


def time_text(lang: str) -> dict[str, str]:
    """The time dimension's texts in ``lang`` (:data:`_TIME_TEXT`).

    Raises
    ------
    ValueError
        If an English text contains a non-ASCII character (a defect of this module).
    """
    i = 1 if lang == "en" else 0
    if lang == "en":
        bad = [k for k, v in _TIME_TEXT.items() if not v[1].isascii()]
        if bad:
            raise ValueError(f"English map texts with non-ASCII characters: {bad}")
    return {k: v[i] for k, v in _TIME_TEXT.items()}
