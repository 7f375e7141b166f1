"""Shared vocabulary: the one owner of every name that several stages must agree on.

- the county row and the composite layer of every table (:data:`COUNTY`, :data:`COMPOSITE`)
  and the county's display name (:func:`county_name`);
- the header spellings recognised for standard fields in users' tables
  (:data:`HEADER_ALIASES`, :func:`match_headers`), used by facility layers, population
  points and siting candidates alike;
- the columns of ``coverage_by_zone.csv`` (:data:`COVERAGE_COLUMNS`);
- the file names of a run folder (:class:`RunFiles`).

Nothing here imports another circle15 module: every stage may import it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

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
    "capacity": ("capacity", "容量", "托位", "托位数", "床位", "床位数", "规模", "beds", "places",
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
}


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


def county_name(synthetic: bool, lang: str) -> str:
    """Name of the county-wide rows of the tables (``zone_id`` = :data:`COUNTY`)."""
    if lang == "en":
        return "County (synthetic demo)" if synthetic else "County"
    return "示例县（合成）" if synthetic else "全县"


def county_label(title_or_area: str, lang: str) -> str:
    """The county-wide word for an area: 全市 / 全县 / 全区 from its admin level.

    The level is the last character of the area's name (诸暨市 -> 全市, 示例县 -> 全县,
    柯桥区 -> 全区); a title such as "示例县 15分钟公共服务圈" is read from its first word.
    Unknown levels give 全市 ("county-wide" in English, whatever the level).

    Parameters
    ----------
    title_or_area : str
        Area name (``诸暨市``) or a run title starting with it.
    lang : {"zh", "en"}
    """
    if lang == "en":
        return "county-wide"
    m = re.match(r"\s*[\u4e00-\u9fff]{1,8}?([市县区])", str(title_or_area or ""))
    if m:
        return "全" + m.group(1)
    return "全市"


class RunFiles:
    """File names inside a run's output folder (one place for writers and readers)."""

    RUN_JSON = "run.json"
    COVERAGE = "coverage_by_zone.csv"
    TARGETS = "targets_by_zone.csv"
    REPORTED_TEMPLATE = "reported_template.csv"
    FACILITY_ISSUES = "facility_issues.csv"
    ADMIN = "admin_coverage.csv"
    CAPACITY = "capacity_by_zone.csv"
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
