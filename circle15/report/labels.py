"""Headers, labels and colours shared by the workbook and the officials' report (zh / en)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from circle15.vocab import GROUP_LABELS, MODE_LABELS

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

LAYERS = {
    "ALL": ("全部设施（完整服务圈）", "All services (full circle)"),
    "childcare": ("托育", "Childcare"),
    "clinic": ("卫生", "Clinics"),
    "elderly": ("养老", "Elderly care"),
    "fitness": ("健身", "Fitness"),
    "disability": ("残疾人之家", "Disability homes"),
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

SYNTHETIC_BANNER = ("示例数据（合成）/ synthetic demo data：本结果由程序生成的合成数据计算，"
                    "不代表任何真实地区的实际情况",
                    "Synthetic demo data / 示例数据（合成）: computed from generated data; it "
                    "does not describe any real place")
REAL_DATA = ("实际数据", "real data")


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Chinese (``lang="zh"``) or English member of a label pair."""
    return pair[1] if lang == "en" else pair[0]


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


def fmt_num(v: Any, digits: int = 2) -> str:
    """A number as text: integers plain, others with up to ``digits`` decimals; NaN -> ''."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int,)) or (isinstance(v, float) and float(v).is_integer()):
        return f"{int(v):,}" if abs(v) >= 10000 else str(int(v))
    if isinstance(v, float):
        return f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return str(v)


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
