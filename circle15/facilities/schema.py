"""Facility layers: the five built-in service kinds, user layers, and the standard columns.

Built-in layers follow the 15-minute public-service circle (15分钟公共服务圈) plans:

========== ============ =================================================================
key        label        sub-types
========== ============ =================================================================
childcare  托育          托育机构, 幼儿园托班, 社区托育点
clinic     卫生          乡镇卫生院, 社区卫生服务中心, 社区卫生服务站, 村卫生室, 儿童健康管理中心
elderly    养老          居家养老服务照料中心, 养老机构, 助餐点, 康养联合体
fitness    健身          百姓健身房, 体育场地, 健身广场
disability 残疾人之家    (none)
========== ============ =================================================================

Icons are Font Awesome 4 names accepted by :class:`folium.Icon` (``prefix="fa"``).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from circle15.facilities.source import LayerSource


@dataclass(frozen=True)
class LayerSpec:
    """How one facility layer is labelled, drawn and judged.

    Attributes
    ----------
    key : str
        Layer key (``"clinic"``).
    label_zh, label_en : str
        Labels for maps and tables.
    color : str
        Hex colour (``"#e6550d"``).
    icon : str
        Font Awesome 4 icon name usable by :class:`folium.Icon`.
    subtypes : tuple of str
        Known sub-types (empty: any sub-type accepted).
    default_group : str
        Population group the layer's coverage is judged by.
    subtype_aliases : tuple of (str, str)
        Other spellings mapped to a canonical sub-type.
    """

    key: str
    label_zh: str
    label_en: str
    color: str
    icon: str
    subtypes: tuple[str, ...] = ()
    default_group: str = "total"
    subtype_aliases: tuple[tuple[str, str], ...] = ()

    def canonical_subtype(self, value: str) -> str | None:
        """The canonical sub-type for ``value``, or ``None`` if it is not known.

        An empty value is always accepted (returns ``""``); a layer without sub-types
        accepts anything unchanged.
        """
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not text or not self.subtypes:
            return text
        norm = text.lower().replace(" ", "")
        for s in self.subtypes:
            if norm == s.lower().replace(" ", ""):
                return s
        for alias, s in self.subtype_aliases:
            if norm == alias.lower().replace(" ", ""):
                return s
        return None


BUILTIN_LAYERS: dict[str, LayerSpec] = {
    "childcare": LayerSpec(
        key="childcare", label_zh="托育", label_en="Childcare", color="#e377c2", icon="child",
        subtypes=("托育机构", "幼儿园托班", "社区托育点"), default_group="age_0_3",
        subtype_aliases=(("托育", "托育机构"), ("托育中心", "托育机构"), ("托班", "幼儿园托班"),
                         ("幼儿园", "幼儿园托班"), ("托育点", "社区托育点"),
                         ("childcare", "托育机构"), ("nursery", "托育机构"),
                         ("kindergarten", "幼儿园托班")),
    ),
    "clinic": LayerSpec(
        key="clinic", label_zh="卫生", label_en="Health", color="#d62728", icon="plus-square",
        # 儿童健康管理中心: the plan's "医、防、护"三位一体 child health service (X03)
        subtypes=("乡镇卫生院", "社区卫生服务中心", "社区卫生服务站", "村卫生室",
                  "儿童健康管理中心"),
        default_group="total",
        subtype_aliases=(("卫生院", "乡镇卫生院"), ("中心卫生院", "乡镇卫生院"),
                         ("社区卫生服务中心/站", "社区卫生服务中心"),
                         ("社区卫生服务中心（站）", "社区卫生服务中心"),
                         ("卫生服务中心", "社区卫生服务中心"), ("卫生服务站", "社区卫生服务站"),
                         ("卫生室", "村卫生室"), ("村卫生站", "村卫生室"),
                         ("township health center", "乡镇卫生院"),
                         ("community health center", "社区卫生服务中心"),
                         ("community health station", "社区卫生服务站"),
                         ("village clinic", "村卫生室")),
    ),
    "elderly": LayerSpec(
        key="elderly", label_zh="养老", label_en="Elderly care", color="#ff7f0e", icon="home",
        # 康养联合体: the plan's township care-and-health consortium (X05)
        subtypes=("居家养老服务照料中心", "养老机构", "助餐点", "康养联合体"),
        default_group="age_60p",
        subtype_aliases=(("照料中心", "居家养老服务照料中心"),
                         ("居家养老服务中心", "居家养老服务照料中心"),
                         ("养老服务照料中心", "居家养老服务照料中心"),
                         ("日间照料中心", "居家养老服务照料中心"), ("养老院", "养老机构"),
                         ("敬老院", "养老机构"), ("老年食堂", "助餐点"), ("助餐服务点", "助餐点"),
                         ("day care centre", "居家养老服务照料中心"),
                         ("nursing home", "养老机构"), ("meal point", "助餐点")),
    ),
    "fitness": LayerSpec(
        key="fitness", label_zh="健身", label_en="Fitness", color="#2ca02c", icon="heartbeat",
        subtypes=("百姓健身房", "体育场地", "健身广场"), default_group="total",
        subtype_aliases=(("健身房", "百姓健身房"), ("体育场", "体育场地"), ("体育馆", "体育场地"),
                         ("运动场", "体育场地"), ("健身点", "健身广场"), ("健身路径", "健身广场"),
                         ("gym", "百姓健身房"), ("sports ground", "体育场地"),
                         ("fitness square", "健身广场")),
    ),
    "disability": LayerSpec(
        key="disability", label_zh="残疾人之家", label_en="Disability services",
        color="#9467bd", icon="wheelchair", subtypes=(), default_group="disabled",
    ),
    # ---- catalogue layers (circle15/data/standards/national.toml): one facility type each.
    # School layers are judged by all residents by default: the run's population has no
    # school-age groups unless a county adds them (then set ``group`` in the config).
    "kindergarten": LayerSpec(
        key="kindergarten", label_zh="幼儿园", label_en="Kindergartens", color="#f7b6d2",
        icon="child", subtypes=(), default_group="total",
    ),
    "primary_school": LayerSpec(
        key="primary_school", label_zh="小学", label_en="Primary schools", color="#1f4e9c",
        icon="book", subtypes=(), default_group="total",
    ),
    "middle_school": LayerSpec(
        key="middle_school", label_zh="初中", label_en="Middle schools", color="#6baed6",
        icon="graduation-cap", subtypes=(), default_group="total",
    ),
    "health_centre": LayerSpec(
        key="health_centre", label_zh="社区卫生服务中心/乡镇卫生院",
        label_en="Community / township health centres", color="#a50f15", icon="hospital-o",
        subtypes=("社区卫生服务中心", "乡镇卫生院"), default_group="total",
        subtype_aliases=(("卫生院", "乡镇卫生院"), ("中心卫生院", "乡镇卫生院"),
                         ("卫生服务中心", "社区卫生服务中心"),
                         ("community health center", "社区卫生服务中心"),
                         ("township health center", "乡镇卫生院")),
    ),
    "health_station": LayerSpec(
        key="health_station", label_zh="社区卫生服务站/村卫生室",
        label_en="Community health stations / village clinics", color="#fc9272", icon="medkit",
        subtypes=("社区卫生服务站", "村卫生室"), default_group="total",
        subtype_aliases=(("卫生服务站", "社区卫生服务站"), ("卫生室", "村卫生室"),
                         ("村卫生站", "村卫生室"),
                         ("community health station", "社区卫生服务站"),
                         ("village clinic", "村卫生室")),
    ),
    "nursing_home": LayerSpec(
        key="nursing_home", label_zh="养老院", label_en="Nursing homes", color="#a63603",
        icon="bed", subtypes=(), default_group="age_60p",
    ),
    "day_care": LayerSpec(
        key="day_care", label_zh="日间照料/居家养老服务中心",
        label_en="Elderly day-care centres", color="#fdae6b", icon="sun-o", subtypes=(),
        default_group="age_60p",
    ),
    "canteen": LayerSpec(
        key="canteen", label_zh="社区食堂/助餐点", label_en="Community canteens / meal points",
        color="#e6550d", icon="cutlery", subtypes=(), default_group="age_60p",
    ),
    "market": LayerSpec(
        key="market", label_zh="菜市场/生鲜超市", label_en="Food markets / fresh-food shops",
        color="#31a354", icon="shopping-basket", subtypes=("菜市场", "生鲜超市"),
        default_group="total",
        subtype_aliases=(("农贸市场", "菜市场"), ("菜场", "菜市场"), ("超市", "生鲜超市"),
                         ("marketplace", "菜市场"), ("supermarket", "生鲜超市"),
                         ("greengrocer", "生鲜超市")),
    ),
    "culture": LayerSpec(
        key="culture", label_zh="文化活动中心", label_en="Cultural activity centres",
        color="#756bb1", icon="music", subtypes=(), default_group="total",
    ),
    "culture_station": LayerSpec(
        key="culture_station", label_zh="文化活动站", label_en="Cultural activity stations",
        color="#bcbddc", icon="users", subtypes=(), default_group="total",
    ),
    "community_service": LayerSpec(
        key="community_service", label_zh="社区服务站", label_en="Community service stations",
        color="#636363", icon="flag", subtypes=(), default_group="total",
    ),
    "bus_stop": LayerSpec(
        key="bus_stop", label_zh="公交站", label_en="Bus stops", color="#3182bd", icon="bus",
        subtypes=(), default_group="total",
    ),
}

#: Colours for user layers (picked deterministically from the key).
USER_COLORS = ("#1f77b4", "#8c564b", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
               "#637939", "#8c6d31", "#843c39", "#7b4173")

#: Columns of every facility GeoDataFrame, in order.
FACILITY_COLUMNS = ("facility_id", "name", "layer", "subtype", "address", "town", "village",
                    "capacity", "staff", "area_m2", "open", "source_row", "geometry")


def empty_facilities() -> gpd.GeoDataFrame:
    """A facility GeoDataFrame with no rows: :data:`FACILITY_COLUMNS`, their dtypes, EPSG:4326."""
    gdf = gpd.GeoDataFrame({
        "facility_id": pd.Series(dtype="str"), "name": pd.Series(dtype="str"),
        "layer": pd.Series(dtype="str"), "subtype": pd.Series(dtype="str"),
        "address": pd.Series(dtype="str"), "town": pd.Series(dtype="str"),
        "village": pd.Series(dtype="str"),
        "capacity": pd.Series(dtype="float64"), "staff": pd.Series(dtype="float64"),
        "area_m2": pd.Series(dtype="float64"), "open": pd.Series(dtype="bool"),
        "source_row": pd.Series(dtype="int64"),
    }, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
    return gdf[list(FACILITY_COLUMNS)]


#: Columns of every issues table, in order.
ISSUE_COLUMNS = ("file", "row", "column", "layer", "issue", "message", "action")

#: Standard fields a facility input column can be mapped to (``LayerSource.columns``).
STANDARD_FIELDS = ("id", "name", "lon", "lat", "lonlat", "address", "subtype", "town", "village",
                   "capacity", "staff", "area_m2", "open", "layer")


def layer_spec(source: LayerSource) -> LayerSpec:
    """The :class:`LayerSpec` of a configured layer.

    Built-in layers take their defaults from :data:`BUILTIN_LAYERS`; labels, colour, icon
    and group set in the config override them. A user layer (unknown key) is labelled by
    its key unless labels are given, and gets a colour chosen deterministically from its
    key, a ``"map-marker"`` icon and no sub-type list.

    Parameters
    ----------
    source : LayerSource

    Returns
    -------
    LayerSpec
    """
    base = BUILTIN_LAYERS.get(source.key)
    if base is None:
        digest = hashlib.sha1(source.key.encode("utf-8")).digest()
        base = LayerSpec(key=source.key, label_zh=source.key, label_en=source.key,
                         color=USER_COLORS[digest[0] % len(USER_COLORS)], icon="map-marker")
    group = source.group if source.group and source.group != "total" else \
        base.default_group
    return LayerSpec(
        key=base.key,
        label_zh=source.label_zh or base.label_zh,
        label_en=source.label_en or base.label_en,
        color=source.color or base.color,
        icon=source.icon or base.icon,
        subtypes=base.subtypes,
        default_group=group,
        subtype_aliases=base.subtype_aliases,
    )


@dataclass(frozen=True)
class Layer:
    """A layer of a run as every later stage sees it (tables, maps, report).

    Attributes
    ----------
    key : str
        Layer key.
    label_zh, label_en : str
        Labels: the config's when given (user layers too), else the built-in ones.
    color : str
        Hex colour.
    icon : str
        Font Awesome 4 icon name.
    group : str
        Population group whose coverage the layer is judged by (``"total"`` when the
        population defines no such group).
    required : bool
        Whether the layer counts for the composite "full circle" rate.
    """

    key: str
    label_zh: str
    label_en: str
    color: str
    icon: str
    group: str
    required: bool = True

    def label(self, lang: str = "zh") -> str:
        """The label in ``lang`` (``"en"``: English, anything else: Chinese)."""
        return self.label_en if lang == "en" else self.label_zh


def resolve_layers(sources: Sequence[LayerSource], defined_groups: Iterable[str]
                   ) -> list[Layer]:
    """The :class:`Layer` of each configured layer, in config order.

    A layer's group is the one set in the config; else the built-in layer's group
    (childcare: ``age_0_3``, elderly: ``age_60p``, disability: ``disabled``) when the
    population defines it, else ``"total"``.

    Parameters
    ----------
    sources : sequence of LayerSource
        The configured layers.
    defined_groups : iterable of str
        Population groups the population source defines (``"total"`` is always defined).

    Returns
    -------
    list of Layer
    """
    defined = {"total", *defined_groups}
    out = []
    for src in sources:
        spec = layer_spec(src)
        group = src.group or (spec.default_group if spec.default_group in defined else "total")
        out.append(Layer(key=spec.key, label_zh=spec.label_zh, label_en=spec.label_en,
                         color=spec.color, icon=spec.icon, group=group,
                         required=bool(src.required)))
    return out


def match_layer(value: str) -> str | None:
    """Built-in layer key named by ``value`` (key, Chinese or English label), else ``None``."""
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    if not text:
        return None
    for key, spec in BUILTIN_LAYERS.items():
        if text in (key, spec.label_zh.lower(), spec.label_en.lower()):
            return key
    extra = {"托育机构": "childcare", "卫生机构": "clinic", "医疗": "clinic", "医疗卫生": "clinic",
             "养老服务": "elderly", "体育健身": "fitness", "残疾人": "disability",
             "health": "clinic", "elderly": "elderly", "sports": "fitness"}
    return extra.get(text)
