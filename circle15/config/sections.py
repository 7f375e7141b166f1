"""The sections of a run's TOML config, as frozen typed dataclasses.

Each field carries its documentation (``metadata["doc"]``): the README's config reference is
generated from it (:func:`circle15.config.docs.config_reference`), so it cannot drift. Values
are validated once on load (:mod:`circle15.config.validate`) and never changed afterwards.
Stage code never sees these classes: :mod:`circle15.run` turns them into plain arguments.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circle15.geo.streets.speeds import DEFAULT_SPEEDS_KMH  # the streets own them

#: Named coordinate systems (besides ``EPSG:<code>``).
CRS_NAMES = ("wgs84", "gcj02", "bd09", "cgcs2000")
LANGS = ("zh", "en")
POPULATION_KINDS = ("points", "raster", "buildings", "zone_totals")
SITING_METHODS = ("auto", "greedy", "exact")
#: ``targets.plan`` values that switch the plan evaluation off.
NO_PLAN = ("", "none")


def _f(default: Any, doc: str) -> Any:
    """A dataclass field with its documentation."""
    if isinstance(default, (dict, list)):
        def copy() -> Any:
            return type(default)(default)

        return field(default_factory=copy, metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class ProjectConfig:
    """``[project]``: labels shown to people."""

    title: str = _f("circle15", "Title on maps and reports.")
    synthetic: bool = _f(False, "True for generated data: every output a person sees then says "
                                "\"synthetic\" (合成示例数据). Real data: leave false.")
    data_date: str = _f("", "Date the input data describe, free text such as \"2024-06\" "
                            "(shown on maps and reports).")


@dataclass(frozen=True)
class AreaConfig:
    """``[area]``: the study area and its zones (townships)."""

    zones: Path | None = _f(None, "Polygon file of the zones: GeoJSON, GeoPackage or Shapefile.")
    place: str = _f("", "Instead of a file: a place whose OpenStreetMap township boundaries "
                        "(admin_level 8) are downloaded once and cached, e.g. \"诸暨市, 绍兴市, "
                        "浙江省\".")
    id_column: str = _f("id", "Column with the zone id (e.g. the 9-digit township code).")
    name_column: str = _f("name", "Column with the zone name.")
    crs: str = _f("wgs84", "Coordinate system of the zones file when it declares none "
                           "(wgs84, gcj02, bd09, cgcs2000 or EPSG:<code>).")
    layer: str = _f("", "Layer name inside a GeoPackage.")
    profile: str = _f("", "Built-in profile (\"zhuji\") to check zone ids against the official "
                          "list.")
    buffer_m: float = _f(2000.0, "Buffer (m) around the study area kept when clipping networks.")
    villages: Path | None = _f(None, "Table of administrative villages (code, name, township) "
                                     "for village-level targets; facilities are matched by "
                                     "their 所属村 column or address. Optional columns: "
                                     "the centre (经度/纬度) and 城乡分类代码 (1xx urban, "
                                     "2xx rural; else 社区 urban, 村 rural).")
    villages_crs: str = _f("wgs84", "Coordinate system of the village centres in "
                                    "area.villages (gcj02 for Amap/Gaode).")
    compounds: Path | None = _f(None, "Polygons of residential compounds (居住小区) with an "
                                      "id and/or name: the standards table then gives the "
                                      "share of compounds whose residents are covered.")
    compounds_crs: str = _f("wgs84", "Coordinate system of area.compounds when the file "
                                     "declares none.")


@dataclass(frozen=True)
class NetworkConfig:
    """``[network]``: the street network and the travel mode."""

    source: str = _f("", "Network file (.osm, .osm.gz, .osm.bz2, .osm.pbf, .graphml, "
                         ".graphml.gz) or \"place:<name>\" / \"polygon:<file>\" to download "
                         "from OpenStreetMap (cached).")
    mode: str = _f("walk", "Travel mode: walk, bike, ebike or drive.")
    speed_kmh: float | None = _f(None, "Travel speed in km/h (default: walk 4.5, bike 12, "
                                       "ebike 18, drive 30; 3.6 for an elderly scenario).")
    speeds_by_class: dict[str, float] = _f({}, "Drive mode: km/h per OSM highway class, "
                                               "overriding the defaults.")
    crs: str = _f("", "Metric CRS for routing (EPSG:4549 for Zhuji); empty = chosen "
                      "automatically (CGCS2000 3° zone in China, else UTM).")
    max_link_m: float = _f(300.0, "Points farther than this (m) from any usable street are "
                                  "not linked (reported, not counted).")
    cache_dir: Path | None = _f(None, "Cache folder: downloaded networks (online sources) and, "
                                      "in networks/, prepared networks (default "
                                      "~/.cache/circle15; `circle15 cache clear` empties it).")
    cache: bool = _f(True, "Reuse the prepared network (mode filtering, travel times, "
                           "projection, largest component) when the same file is prepared "
                           "the same way again (keyed by its SHA-256 and every parameter), "
                           "and the loaded population and point links (same folder).")
    undirected: bool | None = _f(None, "Treat the network as two-way regardless of mode "
                                       "(e.g. a car graph used for walking).")

    @property
    def speed_mps(self) -> float:
        """Travel speed in metres per second."""
        kmh = self.speed_kmh if self.speed_kmh is not None else DEFAULT_SPEEDS_KMH[self.mode]
        return kmh / 3.6


@dataclass(frozen=True)
class PopulationConfig:
    """``[population]``: where people live."""

    kind: str = _f("points", "points (CSV/GeoJSON/GPKG), raster (GeoTIFF), buildings "
                             "(polygons with storeys) or zone_totals (a count per zone, "
                             "spread over the street nodes).")
    source: Path | None = _f(None, "The population file.")
    crs: str = _f("wgs84", "Coordinate system of CSV points (or of a file that declares none).")
    value_column: str = _f("population", "Column with the number of people at each point.")
    x_column: str = _f("", "Longitude/x column of CSV points (auto-detected when empty).")
    y_column: str = _f("", "Latitude/y column of CSV points (auto-detected when empty).")
    groups: dict[str, str] = _f({}, "Population groups: group name -> column with counts, e.g. "
                                    "{ age_0_3 = \"age_0_3\", age_60p = \"age_60p\" }.")
    group_shares: dict[str, Any] = _f({}, "Group shares of the total per zone when no count "
                                          "columns exist: group -> share (0-1) or a CSV of "
                                          "zone_id, share.")
    totals: Path | None = _f(None, "For zone_totals: CSV with zone id and totals.")
    m2_per_person: float = _f(35.0, "For buildings: floor area (m²) per person.")
    default_levels: float = _f(2.0, "For buildings: storeys where the data give none.")
    village_column: str = _f("", "Column with each point's administrative village code "
                                 "(村代码), matching area.villages: villages are then judged "
                                 "by their residents (empty: a 村代码/village_id column is "
                                 "used when present, else the village centres).")


@dataclass(frozen=True)
class LayerConfig:
    """``[[layers]]``: one facility layer."""

    key: str = _f("", "Layer key: built-in childcare, clinic, elderly, fitness, disability, or "
                      "your own (lower-case ASCII).")
    source: Path | None = _f(None, "Facility file: CSV (UTF-8/GBK), XLSX, GeoJSON, GeoPackage, "
                                   "Shapefile, or an .osm.pbf (facilities from OSM tags).")
    label_zh: str = _f("", "Chinese label (default: the built-in layer's).")
    label_en: str = _f("", "English label (default: the built-in layer's).")
    crs: str = _f("wgs84", "Coordinate system of the coordinates (gcj02 for Amap/Gaode, bd09 "
                           "for Baidu).")
    sheet: str = _f("", "Sheet of an XLSX file (default: the first).")
    columns: dict[str, str] = _f({}, "Input column -> standard field (name, lon, lat, address, "
                                     "subtype, capacity, ...), when the headers are not "
                                     "recognised.")
    group: str = _f("", "Population group this layer is judged by (\"total\", \"age_0_3\", "
                        "...); empty: the built-in layer's group when defined, else total.")
    color: str = _f("", "Marker colour on the map (#rrggbb).")
    icon: str = _f("", "Marker icon name.")
    osm_tags: Path | None = _f(None, "With an .osm.pbf source: a TOML tag mapping overriding the "
                                     "bundled one.")
    required: bool = _f(True, "Whether the layer counts for the composite full-circle rate.")
    standard: tuple[str, ...] = _f((), "Catalogue entries this layer is judged by (e.g. "
                                      "[\"health_station\"] for a clinic layer); empty: the "
                                      "entries whose key or layer is the layer's key.")


@dataclass(frozen=True)
class CoverageConfig:
    """``[coverage]``: how coverage is computed."""

    thresholds: tuple[float, ...] = _f((5.0, 10.0, 15.0), "Travel-time thresholds in minutes.")
    own_zone_only: bool = _f(False, "Count only facilities in the person's own township.")
    sfca_minutes: float = _f(15.0, "Catchment (minutes) of the 2SFCA supply-to-demand ratio.")
    isochrones: bool = _f(True, "Build isochrone polygons for the map (display only).")
    strict: bool = _f(False, "Make any facility issue fatal (exit code 2) instead of skipping "
                             "the bad rows.")
    max_unlinked_share: float = _f(0.5, "Stop the run (exit code 2) when more than this share "
                                        "of the people or of the facilities is off the "
                                        "network; 1 accepts any share.")
    count_outside: bool = _f(False, "Count facilities outside the study area (a neighbouring "
                                    "county's school or hospital within reach) for coverage; "
                                    "they are loaded, linked and flagged `outside` either way.")


#: ``standards.catalogue`` values that switch the standards evaluation off.
NO_CATALOGUE = ("", "none")


@dataclass(frozen=True)
class StandardsConfig:
    """``[standards]``: each layer judged by its standard's circle levels (catalogue)."""

    catalogue: str = _f("national", "Bundled catalogue name (national), a county's own "
                                    "catalogue TOML, or \"none\" (no standards table); "
                                    "`circle15 standards` prints it.")
    overrides: dict[str, Any] = _f({}, "Per-run values replacing the catalogue's: entry -> "
                                       "{ field = value }, e.g. { kindergarten = { minutes "
                                       "= 6 } } (minutes, metres, modes, required set every "
                                       "rule of the entry).")
    modes: tuple[str, ...] = _f((), "Further travel modes computed for rules reached by "
                                    "several modes (e.g. [\"bike\"] for 健身 on foot or by "
                                    "bike); each is a second network preparation. Empty: "
                                    "only network.mode.")
    profiles: dict[str, str] = _f({}, "Walking speed profile per population group, e.g. "
                                      "{ age_60p = \"elderly\" }: that group's layers are "
                                      "judged at the profile's speed (walking only).")
    speeds: dict[str, float] = _f({}, "Speed profiles in km/h, adding to or replacing the "
                                      "built-in elderly = 3.6 and wheelchair = 3.0.")
    village_share: float = _f(0.5, "A village counts as covered when at least this share of "
                                   "its residents is covered (with resident points; else its "
                                   "centre decides).")
    household_size: float = _f(2.62, "People per household, for quotas per household (2.62: "
                                     "national mean household size, 2020 census).")

    @property
    def enabled(self) -> bool:
        """Whether the standards are evaluated."""
        return self.catalogue.strip().lower() not in NO_CATALOGUE


@dataclass(frozen=True)
class TargetsConfig:
    """``[targets]``: the plan whose targets are evaluated."""

    plan: str = _f("none", "Built-in plan name (zhuji-2023), a plan TOML file of your own, or "
                           "\"none\" (the default: no plan is evaluated — an area is never "
                           "scored against another county's plan).")
    year: int = _f(2027, "Target year.")
    reported: Path | None = _f(None, "CSV of reported values for non-spatial indicators "
                                     "(indicator_id, zone_id, value); see "
                                     "reported_template.csv.")

    @property
    def enabled(self) -> bool:
        """Whether a plan is evaluated."""
        return self.plan.strip().lower() not in NO_PLAN


@dataclass(frozen=True)
class SitingConfig:
    """``[siting]``: proposing new sites."""

    layers: tuple[str, ...] = _f((), "Layers to site as part of `circle15 run`.")
    candidates: Path | None = _f(None, "Candidate sites (CSV/GeoJSON/GPKG); empty = street "
                                       "nodes on a grid over populated cells.")
    candidates_crs: str = _f("wgs84", "Coordinate system of a CSV candidates file.")
    spacing_m: float = _f(500.0, "Grid spacing (m) of generated candidates.")
    max_sites: int = _f(50, "Most new sites per layer.")
    minutes: float = _f(15.0, "Threshold when no plan indicator gives one.")
    target_rate: float | None = _f(None, "Coverage rate (0-1) every township should reach; "
                                         "empty = the plan's target.")
    indicator: str = _f("", "Plan indicator id to site for (e.g. X02); empty = the layer's.")
    zone_cap: int | None = _f(None, "Most new sites per township (e.g. 1 for 残疾人之家).")
    budget: float | None = _f(None, "Total cost allowed (candidate cost column; 1 per site by "
                                    "default).")
    capacity: bool = _f(False, "Limit each new site to its candidate capacity (nearest people "
                               "first).")
    method: str = _f("auto", "auto (exact when small), greedy or exact.")


@dataclass(frozen=True)
class MapConfig:
    """``[map]``: the HTML map."""

    layer: str = _f("", "Layer shown first (default: the first layer).")
    minutes: float | None = _f(None, "Threshold shown first (one of coverage.thresholds; "
                                     "default the largest).")
    basemap: str = _f("none", "none (offline, the default), osm, tianditu, amap, custom (a tile "
                              "server in WGS-84/CGCS2000, e.g. an intranet 政务网 server) or "
                              "custom-gcj02 (tiles in GCJ-02).")
    tianditu_key: str = _f("", "Tianditu key for basemap = \"tianditu\".")
    tile_url: str = _f("", "Tile URL template with {z}, {x}, {y} for basemap = \"custom\".")


@dataclass(frozen=True)
class OutputConfig:
    """``[output]``: where and how outputs are written."""

    dir: Path | None = _f(None, "Output folder (relative to the config file).")
    lang: str = _f("zh", "Language of every output: zh or en.")


@dataclass(frozen=True)
class HistoryConfig:
    """``[history]``: the store of recorded periods (``circle15 record``, ``history``, ...)."""

    db: str = _f("history.sqlite", "SQLite file (relative to the config) or a postgresql:// "
                                   "URL (PostGIS) shared by the departments; the password "
                                   "comes from PGPASSWORD or ~/.pgpass, never the URL in "
                                   "outputs.")


#: Section name -> dataclass (``layers`` is an array of :class:`LayerConfig`).
SECTIONS: dict[str, type] = {
    "project": ProjectConfig,
    "area": AreaConfig,
    "network": NetworkConfig,
    "population": PopulationConfig,
    "coverage": CoverageConfig,
    "standards": StandardsConfig,
    "targets": TargetsConfig,
    "siting": SitingConfig,
    "map": MapConfig,
    "output": OutputConfig,
    "history": HistoryConfig,
}


@dataclass(frozen=True)
class Config:
    """A whole run, as read from one TOML file (immutable after validation)."""

    path: Path | None = None
    project: ProjectConfig = field(default_factory=ProjectConfig)
    area: AreaConfig = field(default_factory=AreaConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    layers: tuple[LayerConfig, ...] = ()
    coverage: CoverageConfig = field(default_factory=CoverageConfig)
    standards: StandardsConfig = field(default_factory=StandardsConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    siting: SitingConfig = field(default_factory=SitingConfig)
    map: MapConfig = field(default_factory=MapConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    history: HistoryConfig = field(default_factory=HistoryConfig)

    @property
    def base_dir(self) -> Path:
        """Directory that relative paths resolve against."""
        return self.path.parent if self.path else Path.cwd()

    def layer(self, key: str) -> LayerConfig:
        """The layer config with ``key``."""
        for lay in self.layers:
            if lay.key == key:
                return lay
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (paths as strings) for ``run.json``, with no password in it."""
        out = _jsonable(dataclasses.asdict(self))
        out["history"]["db"] = _no_password(out["history"]["db"])
        return out


def _no_password(url: str) -> str:
    """``url`` with the password of ``scheme://user:password@host`` replaced by ``***``."""
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in creds:
        return url
    return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj
