"""Shared vocabulary: the one owner of every name that several stages must agree on.

- the county row and the composite layer of every table (:data:`COUNTY`, :data:`COMPOSITE`)
  and the county's display name (:func:`county_name`);
- the header spellings recognised for standard fields in users' tables
  (:data:`HEADER_ALIASES`, :func:`match_headers`), used by facility layers, population
  points and siting candidates alike;
- the header spellings of zone keys, villages and shares in per-zone tables
  (:data:`ZONE_ID_HEADERS`, ..., :func:`pick_header`);
- the columns of ``coverage_by_zone.csv`` (:data:`COVERAGE_COLUMNS`);
- the file names of a run folder (:class:`RunFiles`).

Nothing here imports another circle15 module: every stage may import it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

#: ``zone_id`` of the county-wide rows of every table.
COUNTY = "ALL"
#: ``layer`` of the composite "full circle" rows (people who reach every required layer).
COMPOSITE = "ALL"

#: Columns of the coverage table (``coverage_by_zone.csv``), in order.
COVERAGE_COLUMNS = ["zone_id", "zone_name", "layer", "group", "minutes", "population",
                    "covered_population", "coverage_rate", "note"]

#: Header spellings recognised for each standard field (compared after
#: :func:`norm_header`). The same table serves facility layers, population points and
#: siting candidates, so a file that loads as one loads as the others.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "机构编号", "设施编号", "编码", "代码", "code", "facility_id", "fid_code",
           "ref", "candidate_id"),
    "name": ("name", "名称", "机构名称", "设施名称", "单位名称", "站点名称", "场馆名称", "场地名称",
             "名字", "机构", "title", "地点", "site"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "经度坐标", "gcj_lon",
            "gcj02_lon", "bd_lon", "wgs84_lon", "point_x"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "纬度坐标", "gcj_lat", "gcj02_lat",
            "bd_lat", "wgs84_lat", "point_y"),
    "lonlat": ("经纬度", "坐标", "lonlat", "lnglat", "location", "coordinates", "经纬度坐标"),
    "address": ("address", "addr", "地址", "详细地址", "机构地址", "设施地址", "位置", "所在地址"),
    "subtype": ("subtype", "type", "category", "类型", "类别", "分类", "设施类型", "机构类型",
                "机构类别", "设施类别", "子类"),
    "capacity": ("capacity", "容量", "托位", "托位数", "床位", "床位数", "学位", "学位数", "规模",
                 "beds", "places",
                 "核定托位", "核定床位", "设计床位"),
    "cost": ("cost", "费用", "成本", "造价"),
    "crs": ("crs", "坐标系"),
    "town": ("town", "township", "所属镇街", "镇街", "乡镇", "街道", "乡镇街道", "镇(街道)",
             "所属乡镇", "所属街道", "所属镇(街道)", "乡镇(街道)"),
    "village": ("village", "village_id", "所属村", "所属村(社区)", "村(社区)", "村社区", "村居",
                "所属村居", "所属社区", "行政村", "村名"),
    "staff": ("staff", "人员", "人员数", "工作人员", "员工", "员工数", "职工数", "从业人员"),
    "area_m2": ("area_m2", "area", "面积", "建筑面积", "使用面积", "占地面积", "场地面积"),
    "open": ("open", "is_open", "status", "是否开放", "开放", "状态", "运营状态", "开放状态"),
    "layer": ("layer", "图层", "设施大类", "服务类型"),
    "population": ("population", "人口", "人口数", "人数", "常住人口", "pop"),
}

#: Header spellings of the columns that name a zone in per-zone tables (population totals,
#: group shares), tried in this order: an id column, else a name column.
ZONE_ID_HEADERS = ("zone_id", "id", "code", "区划代码", "代码", "编码", "乡镇代码", "街道代码",
                   "adcode")
ZONE_NAME_HEADERS = ("zone_name", "name", "名称", "乡镇", "乡镇街道", "街道", "镇街")
#: Header spellings of the villages table (code, name, township), tried in this order.
VILLAGE_ID_HEADERS = ("village_id", "code", "村代码", "村编码", "村级代码", "行政区划代码",
                      "区划代码", "编码", "代码")
#: Headers of a villages table's urban–rural class code (NBS 城乡分类代码: 1xx urban, 2xx rural).
URBAN_RURAL_HEADERS = ("urban_rural_code", "urban_rural", "城乡分类代码", "城乡分类", "城乡代码")
#: Headers of a population table's village code column (narrower than the villages
#: table's own: a population file's plain ``code`` is no village code).
POINT_VILLAGE_HEADERS = ("village_id", "village_code", "村代码", "所属村代码", "村编码",
                         "村级代码")
VILLAGE_NAME_HEADERS = ("village_name", "name", "村名称", "村名", "名称", "村(社区)")
VILLAGE_ZONE_HEADERS = ("zone_id", "streetcode", "street_code", "town_code", "township_code",
                        "乡镇代码", "镇街代码", "所属乡镇代码", "zone", "township", "town",
                        "所属乡镇", "所属镇街", "乡镇", "镇街")
#: Header spellings of a share column in group-share tables.
SHARE_HEADERS = ("share", "比例", "占比", "比重")


def norm_header(text: object) -> str:
    """A header as compared with :data:`HEADER_ALIASES`.

    NFKC-normalised (full-width letters and brackets become ASCII), lower case, without
    white space, and without a trailing unit or note in brackets (``床位数(张)``,
    ``面积（平方米）``).
    """
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    t = re.sub(r"\s+", "", t)
    t2 = re.sub(r"[(\[][^()\[\]]*[)\]]$", "", t)
    return t2 or t


_ALIAS_INDEX = {norm_header(a): f for f, names in HEADER_ALIASES.items() for a in names}


def header_field(column: object) -> str | None:
    """The standard field a header names (``"东经"`` -> ``"lon"``), or ``None``."""
    return _ALIAS_INDEX.get(norm_header(column))


def match_headers(columns: Iterable[object], fields: Iterable[str] | None = None,
                  given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Standard field -> input column for the recognised headers of a table.

    Parameters
    ----------
    columns : iterable
        The table's column names, in order (the first match of a field wins).
    fields : iterable of str, optional
        Only these standard fields (default: every field of :data:`HEADER_ALIASES`).
    given : mapping, optional
        Field -> column already decided (e.g. from the user's config); kept, and those
        columns are not matched again.

    Returns
    -------
    dict
        ``{field: column}``.
    """
    wanted = set(HEADER_ALIASES if fields is None else fields)
    out: dict[str, str] = dict(given or {})
    used = set(out.values())
    for col in columns:
        fld = header_field(col)
        if fld and fld in wanted and fld not in out and col not in used:
            out[fld] = str(col)
            used.add(str(col))
    return out


def pick_header(columns: Iterable[object], names: Iterable[str]) -> str | None:
    """The first of ``names`` (in their order) that is one of ``columns``, else ``None``.

    Headers are compared after :func:`norm_header`, as :func:`match_headers` does; use it
    for tables whose keys are tried in a priority order (:data:`ZONE_ID_HEADERS`, ...).
    """
    index: dict[str, Any] = {}
    for col in columns:
        index.setdefault(norm_header(col), col)
    for name in names:
        hit = index.get(norm_header(name))
        if hit is not None:
            return hit
    return None


def county_name(synthetic: bool, lang: str) -> str:
    """Name of the county-wide rows of the tables (``zone_id`` = :data:`COUNTY`)."""
    if lang == "en":
        return "County (synthetic demo)" if synthetic else "County"
    return "示例县（合成）" if synthetic else "全县"


#: Name of the whole area by the admin level of its name's last character.
_ADMIN_WHOLE = {"市": ("全市", "Citywide"), "县": ("全县", "Countywide"),
                "区": ("全区", "Districtwide"), "旗": ("全旗", "Bannerwide")}


def county_label(area_name: str, lang: str) -> str:
    """The label of the area-wide row on maps and reports: 全市, 全县 or 全区.

    Parameters
    ----------
    area_name : str
        The area's name, e.g. "诸暨市" (a county-level city: 全市) or "示例县" (全县), or a
        run title starting with it ("示例县 15分钟公共服务圈": its first word). A trailing
        parenthetical note such as "（合成）" is ignored.
    lang : {"zh", "en"}

    Returns
    -------
    str
        "全市" / "全县" / "全区" (English "Citywide" / "Countywide" / "Districtwide");
        "全域" / "Whole area" when the level cannot be read from the name.
    """
    words = str(area_name or "").split()
    name = re.sub(r"[（(][^（）()]*[）)]\s*$", "", words[0] if words else "").strip()
    zh, en = _ADMIN_WHOLE.get(name[-1:], ("全域", "Whole area"))
    return en if lang == "en" else zh


#: Population group -> (Chinese, English) label (maps, reports and workbooks share them).
GROUP_LABELS = {
    "total": ("全部人口", "All residents"),
    "age_0_3": ("0–3岁", "Aged 0–3"),
    "age_60p": ("60岁及以上", "Aged 60+"),
    "disabled": ("残疾人", "People with disabilities"),
    "age_3_6": ("3–6岁", "Aged 3–6"),
    "age_6_12": ("6–12岁", "Aged 6–12"),
    "age_12_15": ("12–15岁", "Aged 12–15"),
}
#: Travel mode -> (Chinese, English) label.
MODE_LABELS = {"walk": ("步行", "walking"), "bike": ("自行车", "cycling"),
               "ebike": ("电动自行车", "e-bike"), "drive": ("驾车", "driving")}

#: Circle levels of the standards (GB 50180-2018 urban 5/10/15-minute circles, TD/T
#: 1062-2021 rural 乡集镇 and 村/组 levels) -> (Chinese, English) label.
CIRCLE_LEVELS = {
    "urban_5": ("5分钟生活圈", "5-minute circle"),
    "urban_10": ("10分钟生活圈", "10-minute circle"),
    "urban_15": ("15分钟生活圈", "15-minute circle"),
    "town": ("乡集镇层级", "Rural township level"),
    "village": ("村/组层级", "Village level"),
}
#: Which residents a circle level judges: urban levels the urban residents, the rural
#: levels the rural ones (urban–rural class from the villages table).
LEVEL_RESIDENTS = {"urban_5": "urban", "urban_10": "urban", "urban_15": "urban",
                   "town": "rural", "village": "rural"}
#: Walking-speed profiles -> (Chinese, English) label (speeds: geo.streets.speeds).
PROFILE_LABELS = {"elderly": ("老年人步速", "older people's pace"),
                  "wheelchair": ("轮椅", "wheelchair")}
#: Urban–rural class of residents -> (Chinese, English) label.
RESIDENT_CLASSES = {"urban": ("城镇居民", "Urban residents"),
                    "rural": ("乡村居民", "Rural residents")}
#: What a standards coverage rate is counted over -> (Chinese, English) label.
DENOMINATORS = {
    "population": ("人口", "People"),
    "group": ("服务人群", "Target group"),
    "villages": ("村/社区", "Villages/communities"),
    "compounds": ("居住小区", "Residential compounds"),
    "buildings": ("住宅建筑", "Residential buildings"),
    "floor_area": ("住宅建筑面积", "Residential floor area"),
    "townships": ("镇街（至少一处设施）", "Townships with a facility"),
    "quota": ("千人指标（供给/配置要求）", "Per-capita quota (supply / required)"),
    "capacity_within": ("覆盖且容量充足", "Covered within capacity"),
    "capacity_over": ("覆盖但超容量", "Covered but over capacity"),
}


class RunFiles:
    """File names inside a run's output folder (one place for writers and readers)."""

    @classmethod
    def names(cls) -> list[str]:
        """Every output file name a run (or ``circle15 site``) may write."""
        return [v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str)]

    RUN_JSON = "run.json"
    COVERAGE = "coverage_by_zone.csv"
    TARGETS = "targets_by_zone.csv"
    VILLAGE_TARGETS = "targets_by_village.csv"
    REPORTED_TEMPLATE = "reported_template.csv"
    FACILITY_ISSUES = "facility_issues.csv"
    ADMIN = "admin_coverage.csv"
    CAPACITY = "capacity_by_zone.csv"
    STANDARDS = "standards_by_zone.csv"
    ZONES = "zones.geojson"
    FACILITIES = "facilities.geojson"
    ORIGINS = "origins.gpkg"
    STREETS = "streets.geojson"
    ISOCHRONES = "isochrones.gpkg"
    WORKBOOK = "coverage.xlsx"
    REPORT_MD = "report.md"
    REPORT_HTML = "report.html"
    BRIEFING_PDF = "briefing.pdf"
    BRIEFING_DOCX = "briefing.docx"
    BRIEFING_JSON = "briefing.json"
    CHARTS_JSON = "charts.json"
    OVERVIEW_PNG = "overview_map.png"
    MAP_HTML = "map.html"
    MAP_PNG = "coverage_map.png"
    PROPOSED_CSV = "proposed_sites.csv"
    PROPOSED_GPKG = "proposed_sites.gpkg"
    SITING_BEFORE_AFTER = "siting_before_after.csv"
    SITING_CURVE = "siting_curve.csv"
    SITING_REPORT = "siting_report.json"
