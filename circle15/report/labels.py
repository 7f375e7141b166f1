"""Headers, labels and colours shared by the workbook and the officials' report (zh / en)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from circle15.vocab import COMPOSITE, GROUP_LABELS, MODE_LABELS

#: Label of the composite layer (people who reach every required layer).
COMPOSITE_LABEL = ("完整服务圈（全部设施）", "Full circle (all services)")

#: Status -> (Chinese, English) label.
STATUS = {
    "met": ("达标", "Met"),
    "not_met": ("未达标", "Not met"),
    "no_target": ("无目标", "No target"),
    "not_measurable": ("无法测算", "Not measurable"),
}
#: Status -> (fill colour, font colour), Excel-style hex without '#'.
STATUS_COLOURS = {
    "met": ("C6EFCE", "006100"),
    "not_met": ("FFC7CE", "9C0006"),
    "no_target": ("EDEDED", "404040"),
    "not_measurable": ("FFEB9C", "9C5700"),
}

GROUPS = GROUP_LABELS

#: Coverage table columns.
COVERAGE_HEADERS = {
    "zone_id": ("乡镇（街道）代码", "Zone ID"),
    "zone_name": ("乡镇（街道）", "Township"),
    "layer": ("设施类型", "Service"),
    "group": ("人群", "Population group"),
    "minutes": ("时间阈值（分钟）", "Minutes"),
    "population": ("人口", "Population"),
    "covered_population": ("覆盖人口", "Covered"),
    "coverage_rate": ("覆盖率", "Coverage rate"),
    "note": ("备注", "Note"),
}

#: Columns of the other tables written to the workbook (capacity, administrative coverage).
EXTRA_HEADERS = {
    "facilities": ("设施数", "Facilities"),
    "capacity": ("容量（托位/床位）", "Capacity"),
    "capacity_missing": ("缺容量数据的设施", "Facilities without capacity"),
    "per_1000_total": ("每千常住人口容量", "Capacity per 1,000 residents"),
    "group_population": ("目标人群人口", "Target group population"),
    "per_1000_group": ("每千目标人群容量", "Capacity per 1,000 of the group"),
    "sfca_minutes": ("2SFCA服务半径（分钟）", "2SFCA catchment (min)"),
    "sfca_per_1000": ("2SFCA可达供给（每千人）", "2SFCA supply per 1,000"),
    "zones": ("乡镇（街道）数", "Townships"),
    "zones_with_facility": ("有设施的乡镇（街道）数", "Townships with a facility"),
    "share": ("覆盖比例", "Share"),
    "zones_without": ("无设施的乡镇（街道）", "Townships without"),
}

#: Targets table columns (the ones shown to people, in order).
TARGET_HEADERS = {
    "domain": ("领域", "Domain"),
    "indicator_id": ("编号", "ID"),
    "number": ("表内序号", "Table No."),
    "name": ("指标", "Indicator"),
    "zone_id": ("乡镇（街道）代码", "Zone ID"),
    "zone_name": ("乡镇（街道）", "Township"),
    "year": ("目标年份", "Year"),
    "target": ("目标值", "Target"),
    "value": ("现状值", "Value"),
    "unit": ("单位", "Unit"),
    "status": ("达标情况", "Status"),
    "gap_value": ("差距（指标单位/百分点）", "Gap (unit / points)"),
    "gap_people": ("需覆盖人口缺口（人）", "People to cover"),
    "gap_capacity": ("需新增配置", "Capacity to add"),
    "gap_units": ("需新增覆盖单位（镇/村）", "Townships/villages to add"),
    "needs": ("测算所需数据", "Input needed"),
    "source": ("数据来源", "Source"),
    "core": ("省定核心指标", "Core"),
    "scope": ("目标适用范围", "Target applies to"),
    "responsible": ("责任单位", "Responsible"),
    "note": ("说明", "Note"),
}
SOURCES = {"computed": ("测算", "computed"), "reported": ("上报", "reported"), "": ("", "")}
SCOPES = {"zone": ("每个乡镇", "every township"), "county": ("全市", "county-wide")}

PARAMS = {
    "title": ("标题", "Title"),
    "synthetic": ("数据性质", "Data"),
    "plan": ("规划", "Plan"),
    "year": ("目标年份", "Target year"),
    "mode": ("出行方式", "Travel mode"),
    "speed_kmh": ("速度（公里/小时）", "Speed (km/h)"),
    "thresholds": ("时间阈值（分钟）", "Thresholds (minutes)"),
    "data_date": ("数据日期", "Data date"),
    "generated_at": ("生成时间", "Generated"),
    "circle15_version": ("circle15 版本", "circle15 version"),
}
MODES = MODE_LABELS

SYNTHETIC_BANNER = (("示例数据（合成）/ synthetic demo data：本结果由程序生成的合成数据计算，"
                     "不代表任何真实地区的实际情况"),
                    ("Synthetic demo data / 示例数据（合成）: computed from generated data; it "
                     "does not describe any real place"))
REAL_DATA = ("实际数据", "real data")


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Chinese (``lang="zh"``) or English member of a label pair."""
    return pair[1] if lang == "en" else pair[0]


def zh_en(zh: str, en: str, lang: str) -> str:
    """``zh`` or ``en`` by ``lang`` (:func:`pick` for two texts written in place)."""
    return en if lang == "en" else zh


def label(table: dict[str, tuple[str, str]], key: Any, lang: str) -> str:
    """Label of ``key`` in ``table``; the key itself when unknown."""
    k = "" if key is None or (isinstance(key, float) and math.isnan(key)) else str(key)
    return pick(table[k], lang) if k in table else k


def param_text(key: str, value: Any, lang: str) -> str:
    """A run parameter as shown to people."""
    if key == "synthetic":
        return pick(SYNTHETIC_BANNER, lang) if value else pick(REAL_DATA, lang)
    if key == "mode":
        return label(MODES, value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_num(v) for v in value)
    if value is None:
        return ""
    return fmt_num(value) if isinstance(value, float) else str(value)


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def fmt_num(v: Any, digits: int = 2) -> str:
    """A number as text, the one format of every output.

    Thousands separators always (``9,437``), at most ``digits`` decimals without
    trailing zeros (``2.68``, ``36.4`` with ``digits=1``); NaN -> ``""``.
    """
    if _missing(v):
        return ""
    if isinstance(v, bool):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if x.is_integer() or digits == 0:
        return f"{round(x):,}"
    text = f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_int(v: Any) -> str:
    """A count (people, places, sites) as text: rounded, with thousands separators."""
    return fmt_num(v, 0)


def fmt_pct(rate: Any, digits: int = 1) -> str:
    """A fraction 0..1 as a percentage (``0.3052`` -> ``30.5%``); NaN -> ``—``."""
    return "—" if _missing(rate) else f"{fmt_num(100 * float(rate), digits)}%"


def fmt_value(v: Any, unit: str, lang: str, digits: int = 1) -> str:
    """An indicator value with its unit (``36.4%``, ``2.68 个``, ``12 places``); NaN -> ``—``."""
    if _missing(v):
        return "—"
    text = fmt_num(v, digits if unit in ("%", "‰") else 2)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


def layer_labels(layers: Any) -> dict[str, tuple[str, str]]:
    """Layer key -> (Chinese, English) label, from the run's layer specs (the one source).

    ``layers`` are the run's layer dicts (``key``, ``label_zh``, ``label_en``, ...); the
    composite layer ``ALL`` is added as the full circle.
    """
    out = {str(s["key"]): (str(s.get("label_zh") or s["key"]), str(s.get("label_en") or s["key"]))
           for s in (layers or [])}
    out.setdefault(COMPOSITE, COMPOSITE_LABEL)
    return out


def indicator_name(row: Any, lang: str) -> str:
    """Indicator name in the language."""
    return str(row["name_en"] if lang == "en" else row["name_zh"])


def unit_text(row: Any, lang: str) -> str:
    """Unit in the language."""
    u = row.get("unit_en", "") if lang == "en" else row.get("unit", "")
    return "" if u is None or (isinstance(u, float) and math.isnan(u)) else str(u)


def domain_text(row: Any, lang: str) -> str:
    """Domain label in the language."""
    return str(row.get("domain_en" if lang == "en" else "domain_zh", row.get("domain", "")))


def county_name(synthetic: bool, lang: str) -> str:
    """Name of the county-wide rows of the tables (``zone_id`` = ``ALL``)."""
    if lang == "en":
        return "County (synthetic demo)" if synthetic else "County"
    return "示例县（合成）" if synthetic else "全县"


_LEVEL_ZH = {"township": "乡镇（街道）", "village": "村（社区）", "zone": "乡镇（街道）"}
_QUANTITY_ZH = {"capacity": "容量（托位/床位）数据", "staff": "人员数", "area_m2": "面积（平方米）",
                "subtype": "设施类型"}


def needs_text(need: Any, lang: str, layers: Any = None) -> str:
    """What an unmeasurable indicator needs, for people: complete Chinese for every case.

    ``need`` is the evaluator's English description (``targets_by_zone.csv`` ``needs``);
    English runs show it as is. ``layers`` (the run's layer dicts) name the layers.
    """
    import re

    text = "" if _missing(need) else str(need)
    if lang == "en" or not text:
        return text
    names = layer_labels(layers)

    def lay(key: str) -> str:
        return pick(names[key], "zh") if key in names else key

    rules: list[tuple[str, Any]] = [
        (r"a reported value \(targets\.reported CSV, zone_id (\S+)\)",
         lambda m: "部门上报数值（上报数据表，" + ("全市一行" if m[1] == "ALL" else
                                                   f"乡镇 {m[1]}") + "）"),
        (r"a '(\w+)' column in facility layer '([^']+)'(?: \((.*)\))?",
         lambda m: f"设施图层“{lay(m[2])}”的{_QUANTITY_ZH.get(m[1], m[1])}"
                   + (f"（{m[3]}）" if m[3] else "")),
        (r"facility layer '([^']+)'.*", lambda m: f"设施图层“{lay(m[1])}”的设施名录"),
        (r"a villages table.*|a non-empty villages table|the \w+s of zone \S+ in the "
         + r"villages table", lambda m: "村（社区）名录（村代码、村名、所属乡镇）"),
        (r"a coverage table \((.*), ([\d.]+) min, group '(\w+)'\)",
         lambda m: f"{m[2]}分钟路网覆盖率（{label(GROUPS, m[3], 'zh')}）"),
        (r"coverage rows for .*", lambda m: "路网覆盖率测算结果"),
        (r"people of group '(\w+)' in this zone.*",
         lambda m: f"本乡镇{label(GROUPS, m[1], 'zh')}人口数"),
        (r"zone_id of each facility of layer '([^']+)'",
         lambda m: f"设施图层“{lay(m[1])}”各设施所属乡镇"),
    ]
    for pattern, make in rules:
        m = re.fullmatch(pattern, text)
        if m:
            return make(m)
    return "补充测算所需数据"


def note_text(note: Any, lang: str) -> str:
    """An evaluator note for people; in Chinese, the known notes translated, others dropped."""
    text = "" if _missing(note) else str(note)
    if lang == "en" or not text:
        return text
    parts = [_note_part(p.strip()) for p in text.split("; ")]
    return "；".join(p for p in parts if p)


def _note_part(text: str) -> str:
    import re

    m = re.fullmatch(r"(\d+) of (\d+) (\w+?)s", text)
    if m:
        return f"{m[2]} 个{_LEVEL_ZH.get(m[3], m[3])}中 {m[1]} 个有设施"
    m = re.fullmatch(r"without: (.*)", text)
    if m:
        return f"无设施：{m[1]}"
    m = re.fullmatch(r"(\d+) township\(s\) below target", text)
    if m:
        return f"{m[1]} 个乡镇（街道）未达标"
    known = {"no population of this group": "该人群无人口",
             "the target applies to every township": "目标适用于每个乡镇（街道）"}
    return known.get(text, "")


def number_or_none(v: Any) -> float | None:
    """``v`` as a float, or ``None`` when it is missing, NaN or not a number."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x
