"""The run configuration: one TOML file, validated on load into one frozen object.

Every stage receives the :class:`Config` (or the section it needs); nothing reads global
state. Relative paths resolve against the directory of the config file. Validation
collects every problem (unknown keys, wrong types, missing files) and raises one
:class:`~circle15.errors.InputErrors` naming the file and key of each.

Example
-------
.. code-block:: toml

    [project]
    title = "诸暨市 15分钟公共服务圈"

    [area]
    zones = "zones.geojson"       # polygons: GeoJSON, GeoPackage or Shapefile
    id_column = "code"
    name_column = "name"
    crs = "wgs84"                 # wgs84 | gcj02 | bd09 | cgcs2000 | EPSG:xxxx
    profile = "zhuji"             # optional: check zones against the official list

    [network]
    source = "zhuji.osm.pbf"      # .osm(.gz/.bz2), .osm.pbf, .graphml(.gz), or "place:..."
    mode = "walk"                 # walk | bike | ebike | drive
    speed_kmh = 4.5

    [population]
    source = "population.csv"
    value_column = "population"
    groups = { age_0_3 = "age_0_3", age_60p = "age_60p" }

    [[layers]]
    key = "clinic"
    source = "clinics.xlsx"
    crs = "gcj02"

    [coverage]
    thresholds = [5, 10, 15]

    [targets]
    plan = "zhuji-2023"
    year = 2027

    [output]
    dir = "out"
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from circle15.errors import InputError, InputErrors

MODES = ("walk", "bike", "ebike", "drive")
#: Default travel speeds in km/h per mode (drive uses road-class speeds, this is the fallback).
DEFAULT_SPEEDS_KMH = {"walk": 4.5, "bike": 12.0, "ebike": 18.0, "drive": 30.0}
CRS_NAMES = ("wgs84", "gcj02", "bd09", "cgcs2000")
LANGS = ("zh", "en")
BASEMAPS = ("none", "osm", "tianditu", "amap")

_EPSG_RE = re.compile(r"^(epsg:)?\d{4,6}$", re.IGNORECASE)


def _is_crs(value: str) -> bool:
    return value.lower() in CRS_NAMES or bool(_EPSG_RE.match(value))


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True)
class ProjectConfig:
    """Labels shown to people."""

    title: str = "circle15"
    #: True for generated data: every output a person sees then says "synthetic".
    synthetic: bool = False
    #: Date the input data describe (shown on maps and reports), free text such as "2024-06".
    data_date: str = ""


@dataclass(frozen=True)
class AreaConfig:
    """Study area and zones (townships)."""

    #: Polygon file of zones (GeoJSON, GeoPackage, Shapefile).
    zones: Path | None = None
    #: Instead of a file: a place whose OpenStreetMap township boundaries (admin_level 8)
    #: are downloaded once and cached (network.cache_dir), e.g. "诸暨市, 绍兴市, 浙江省".
    place: str = ""
    id_column: str = "id"
    name_column: str = "name"
    #: Coordinate system of the zones file when it does not declare one.
    crs: str = "wgs84"
    #: Optional layer name inside a GeoPackage.
    layer: str = ""
    #: Optional built-in profile ("zhuji") to check zone ids against the official list.
    profile: str = ""
    #: Buffer (m) around the study area kept when clipping networks.
    buffer_m: float = 2000.0
    #: Optional table of administrative villages (code, name, township) for village-level
    #: targets; facilities are matched by their 所属村 column or address.
    villages: Path | None = None


@dataclass(frozen=True)
class NetworkConfig:
    """Street network source and travel mode."""

    #: Path to .osm/.osm.gz/.osm.bz2/.osm.pbf/.graphml(.gz), or "place:<name>" for a download.
    source: str = ""
    mode: str = "walk"
    #: Travel speed in km/h; default depends on the mode.
    speed_kmh: float | None = None
    #: Per-highway-class speeds (km/h) overriding the defaults for drive mode.
    speeds_by_class: dict = field(default_factory=dict)
    #: Metric CRS for projected work ("EPSG:4549"); empty = automatic (local UTM zone).
    crs: str = ""
    #: Points farther than this from any usable edge are not linked (reported).
    max_link_m: float = 300.0
    #: Folder for downloaded networks (online sources).
    cache_dir: Path | None = None
    #: Treat the network as undirected regardless of mode (e.g. a car graph used for walking).
    undirected: bool | None = None

    @property
    def speed_mps(self) -> float:
        """Travel speed in metres per second."""
        kmh = self.speed_kmh if self.speed_kmh is not None else DEFAULT_SPEEDS_KMH[self.mode]
        return kmh / 3.6


@dataclass(frozen=True)
class PopulationConfig:
    """Where people live."""

    #: points (CSV/GeoJSON/GPKG), raster (GeoTIFF), buildings, or zone_totals.
    kind: str = "points"
    source: Path | None = None
    crs: str = "wgs84"
    #: Column with the total number of people at each point.
    value_column: str = "population"
    #: Coordinate columns for CSV points (auto-detected when empty).
    x_column: str = ""
    y_column: str = ""
    #: Population groups: group name -> column with counts (e.g. age_0_3 = "age_0_3").
    groups: dict = field(default_factory=dict)
    #: Group shares of the total per zone when no count columns exist: group -> share or CSV.
    group_shares: dict = field(default_factory=dict)
    #: For zone_totals: CSV with zone id and totals.
    totals: Path | None = None
    #: For buildings: square metres of floor area per person, and default storeys.
    m2_per_person: float = 35.0
    default_levels: float = 2.0


@dataclass(frozen=True)
class LayerConfig:
    """One facility layer."""

    key: str
    source: Path | None = None
    #: Chinese and English labels (default from the built-in layer schema).
    label_zh: str = ""
    label_en: str = ""
    crs: str = "wgs84"
    #: Sheet name for XLSX inputs (default: first sheet).
    sheet: str = ""
    #: Input column -> standard field (name, lon, lat, address, subtype, capacity, ...).
    columns: dict = field(default_factory=dict)
    #: Population group whose coverage this layer is judged by ("total", "age_0_3", ...).
    #: Empty: the built-in layer's group (childcare: age_0_3, elderly: age_60p, disability:
    #: disabled) when the population defines it, else "total".
    group: str = ""
    color: str = ""
    icon: str = ""
    #: With an .osm.pbf source: a TOML tag mapping overriding the bundled one for this layer.
    osm_tags: Path | None = None
    #: Whether this layer is required for the composite "full circle" rate.
    required: bool = True


@dataclass(frozen=True)
class CoverageConfig:
    """Coverage computation."""

    thresholds: list = field(default_factory=lambda: [5, 10, 15])
    #: Count only facilities in the person's own zone.
    own_zone_only: bool = False
    #: Catchment (minutes) for the 2SFCA supply-to-demand ratio.
    sfca_minutes: float = 15.0
    #: Build isochrone polygons for display.
    isochrones: bool = True
    #: Make any facility issue fatal (exit 2) instead of skipping the bad rows.
    strict: bool = False


@dataclass(frozen=True)
class TargetsConfig:
    """Plan targets to compare with."""

    plan: str = "zhuji-2023"
    year: int = 2027
    #: CSV of user-supplied values for non-spatial indicators (indicator id, zone id, value).
    reported: Path | None = None


@dataclass(frozen=True)
class SitingConfig:
    """Where to add facilities."""

    #: Layers to site as part of ``circle15 run`` (proposed sites appear on the map).
    layers: list = field(default_factory=list)
    #: Candidate sites file (CSV/GeoJSON/GPKG); empty = network nodes on a spacing grid.
    candidates: Path | None = None
    #: Coordinate system of a CSV candidates file.
    candidates_crs: str = "wgs84"
    spacing_m: float = 500.0
    max_sites: int = 50
    #: Threshold when no plan indicator gives one.
    minutes: float = 15.0
    #: Coverage rate (0-1) every township should reach; empty = the plan's target.
    target_rate: float | None = None
    #: Plan indicator id to site for (e.g. "X02"); empty = the layer's indicator.
    indicator: str = ""
    #: Most new sites per township (e.g. 1 for 残疾人之家).
    zone_cap: int | None = None
    #: Total cost allowed (candidate "cost" column; 1 per site by default).
    budget: float | None = None
    #: Limit each new site to its candidate "capacity" (nearest people first).
    capacity: bool = False
    #: auto (exact when small), greedy or exact.
    method: str = "auto"


@dataclass(frozen=True)
class MapConfig:
    """The HTML map."""

    layer: str = ""
    #: Threshold shown (one of coverage.thresholds); empty = the largest.
    minutes: float | None = None
    basemap: str = "none"
    tianditu_key: str = ""


@dataclass(frozen=True)
class OutputConfig:
    """Where and how to write outputs."""

    dir: Path | None = None
    lang: str = "zh"


@dataclass(frozen=True)
class Config:
    """A whole run, as read from one TOML file."""

    path: Path | None = None
    project: ProjectConfig = field(default_factory=ProjectConfig)
    area: AreaConfig = field(default_factory=AreaConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    population: PopulationConfig = field(default_factory=PopulationConfig)
    layers: list = field(default_factory=list)
    coverage: CoverageConfig = field(default_factory=CoverageConfig)
    targets: TargetsConfig = field(default_factory=TargetsConfig)
    siting: SitingConfig = field(default_factory=SitingConfig)
    map: MapConfig = field(default_factory=MapConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

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
        """Plain-JSON form (paths as strings), for ``run.json``."""
        return _jsonable(dataclasses.asdict(self))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    return obj


# --------------------------------------------------------------------------- loading

_SECTIONS: dict[str, type] = {
    "project": ProjectConfig,
    "area": AreaConfig,
    "network": NetworkConfig,
    "population": PopulationConfig,
    "coverage": CoverageConfig,
    "targets": TargetsConfig,
    "siting": SitingConfig,
    "map": MapConfig,
    "output": OutputConfig,
}

#: Keys whose values are input files that must exist.
_MUST_EXIST = {
    "area.zones",
    "area.villages",
    "population.source",
    "population.totals",
    "targets.reported",
    "siting.candidates",
    "layers.source",
}


class _Collector:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.errors: list[InputError] = []

    def add(self, key: str, message: str, hint: str | None = None) -> None:
        self.errors.append(InputError(message, file=self.file, key=key, hint=hint))


def _type_name(tp: Any) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
             list: "a list", dict: "a table", Path: "a file path"}
    args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
    return " or ".join(names.get(a, getattr(a, "__name__", str(a))) for a in args)


def _coerce(value: Any, tp: Any, key: str, base: Path, col: _Collector) -> Any:
    """Check ``value`` against the annotation ``tp``; return the converted value."""
    origin = typing.get_origin(tp)
    allowed = [a for a in typing.get_args(tp) if a is not type(None)] if origin in (
        typing.Union, types.UnionType) else [tp]
    for a in allowed:
        if a is Path and isinstance(value, str):
            if value == "":
                return None
            p = Path(value).expanduser()
            return p if p.is_absolute() else (base / p).resolve()
        if a is bool and isinstance(value, bool):
            return value
        if a is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if a is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if a in (str, list, dict) and isinstance(value, a):
            return value
    col.add(key, f"expected {_type_name(tp)}, got {type(value).__name__} {value!r}")
    return None


def _build(cls: type, data: Any, prefix: str, base: Path, col: _Collector) -> Any:
    if not isinstance(data, dict):
        col.add(prefix, f"expected a table ([{prefix}]), got {type(data).__name__}")
        return cls() if cls is not LayerConfig else None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for k, v in data.items():
        key = f"{prefix}.{k}"
        if k not in fields or k == "path":
            known = ", ".join(n for n in fields if n != "path")
            col.add(key, "unknown key", hint=f"known keys: {known}")
            continue
        coerced = _coerce(v, hints[k], key, base, col)
        if coerced is not None or v == "":
            kwargs[k] = coerced
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    for name in required:
        if name not in kwargs:
            col.add(f"{prefix}.{name}", "missing required key")
            return None
    return cls(**kwargs)


def _check_file(value: Path | None, key: str, col: _Collector) -> None:
    if value is not None and not value.exists():
        col.add(key, f"file not found: {value}", hint="paths are relative to the config file")


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> Config:
    """Read and validate a TOML config.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    overrides : dict, optional
        Dotted keys set after reading (``{"output.dir": Path("out"), "targets.year": 2025}``),
        as the CLI options do.

    Returns
    -------
    Config

    Raises
    ------
    InputErrors
        Listing every problem found, each naming the file and key.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise InputError("config file not found", file=path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("the config must be UTF-8 text", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=path) from None
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        section, _, key = dotted.partition(".")
        raw.setdefault(section, {})[key] = str(value) if isinstance(value, Path) else value
    return config_from_dict(raw, path)


def config_from_dict(raw: dict[str, Any], path: Path | None = None) -> Config:
    """Validate a parsed config mapping (see :func:`load_config`)."""
    file = path or Path("<config>")
    base = path.parent if path else Path.cwd()
    col = _Collector(file)
    kwargs: dict[str, Any] = {"path": path}
    for name, data in raw.items():
        if name == "layers":
            if not isinstance(data, list):
                col.add("layers", "expected an array of tables ([[layers]])")
                continue
            layers = []
            for i, item in enumerate(data):
                lay = _build(LayerConfig, item, f"layers[{i}]", base, col)
                if lay is not None:
                    layers.append(lay)
            kwargs["layers"] = layers
        elif name in _SECTIONS:
            kwargs[name] = _build(_SECTIONS[name], data, name, base, col)
        else:
            col.add(name, "unknown section",
                    hint=f"known sections: {', '.join([*_SECTIONS, 'layers'])}")
    cfg = Config(**{k: v for k, v in kwargs.items() if v is not None or k == "path"})
    _validate(cfg, col)
    if col.errors:
        raise InputErrors(col.errors)
    return cfg


def _validate(cfg: Config, col: _Collector) -> None:
    """Cross-field checks after types are known."""
    net, area, pop, cov = cfg.network, cfg.area, cfg.population, cfg.coverage
    if not net.source:
        col.add("network.source", "missing: a network file or 'place:<name>'")
    elif not net.source.startswith(("place:", "polygon:")):
        p = Path(net.source).expanduser()
        p = p if p.is_absolute() else (cfg.base_dir / p)
        if not p.exists():
            col.add("network.source", f"file not found: {p}",
                    hint="paths are relative to the config file")
        else:
            object.__setattr__(net, "source", str(p.resolve()))
    if net.mode not in MODES:
        col.add("network.mode", f"unknown mode {net.mode!r}", hint=f"one of {', '.join(MODES)}")
    if net.speed_kmh is not None and not 0.5 <= net.speed_kmh <= 150:
        col.add("network.speed_kmh", f"speed {net.speed_kmh} km/h is out of range 0.5-150")
    if net.crs and not _is_crs(net.crs):
        col.add("network.crs", f"not a CRS: {net.crs!r}", hint="e.g. EPSG:4549")
    if net.max_link_m <= 0:
        col.add("network.max_link_m", "must be positive")
    for key, value in (("area.crs", area.crs), ("population.crs", pop.crs)):
        if not _is_crs(value):
            col.add(key, f"unknown coordinate system {value!r}",
                    hint=f"one of {', '.join(CRS_NAMES)} or EPSG:<code>")
    if area.zones is None and not area.place:
        col.add("area.zones", "missing: a polygon file of zones (townships)",
                hint="or set area.place to download OpenStreetMap township boundaries")
    _check_file(area.zones, "area.zones", col)
    _check_file(area.villages, "area.villages", col)
    if pop.kind not in ("points", "raster", "buildings", "zone_totals"):
        col.add("population.kind", f"unknown kind {pop.kind!r}",
                hint="points, raster, buildings or zone_totals")
    if pop.source is None and pop.kind != "zone_totals":
        col.add("population.source", "missing: the population file")
    _check_file(pop.source, "population.source", col)
    _check_file(pop.totals, "population.totals", col)
    for g, share in pop.group_shares.items():
        if isinstance(share, str):
            sp = Path(share).expanduser()
            sp = sp if sp.is_absolute() else (cfg.base_dir / sp).resolve()
            if not sp.is_file():
                col.add(f"population.group_shares.{g}", f"file not found: {sp}",
                        hint="a share (0-1) or a CSV of zone_id, share")
            else:
                pop.group_shares[g] = str(sp)
        elif isinstance(share, bool) or not isinstance(share, (int, float)) or \
                not 0 <= share <= 1:
            col.add(f"population.group_shares.{g}", f"expected a share in 0-1 or a CSV path, "
                    f"got {share!r}")
    for g, c in pop.groups.items():
        if not isinstance(c, str):
            col.add(f"population.groups.{g}", "expected a column name (string)")
    ths = cov.thresholds
    if not ths or not all(isinstance(t, (int, float)) and not isinstance(t, bool) and 0 < t <= 240
                          for t in ths):
        col.add("coverage.thresholds", f"expected a list of minutes in (0, 240], got {ths!r}")
    if not cfg.layers:
        col.add("layers", "no facility layers: add at least one [[layers]] table")
    seen: set[str] = set()
    for i, lay in enumerate(cfg.layers):
        if not re.fullmatch(r"[a-z][a-z0-9_]*", lay.key):
            col.add(f"layers[{i}].key", f"layer key {lay.key!r} must be lower-case ASCII, "
                    "digits or _")
        if lay.key in seen:
            col.add(f"layers[{i}].key", f"duplicate layer key {lay.key!r}")
        seen.add(lay.key)
        if lay.source is None:
            col.add(f"layers[{i}].source", "missing: the facility file")
        _check_file(lay.source, f"layers[{i}].source", col)
        _check_file(lay.osm_tags, f"layers[{i}].osm_tags", col)
        if not _is_crs(lay.crs):
            col.add(f"layers[{i}].crs", f"unknown coordinate system {lay.crs!r}",
                    hint=f"one of {', '.join(CRS_NAMES)} or EPSG:<code>")
        if lay.group not in ("", "total") and lay.group not in pop.groups and \
                lay.group not in pop.group_shares:
            col.add(f"layers[{i}].group", f"population group {lay.group!r} is not defined",
                    hint="add it under [population] groups, or use \"total\"")
    if not 2000 <= cfg.targets.year <= 2100:
        col.add("targets.year", f"year {cfg.targets.year} is out of range")
    _check_file(cfg.targets.reported, "targets.reported", col)
    _check_file(cfg.siting.candidates, "siting.candidates", col)
    sit = cfg.siting
    for i, key in enumerate(sit.layers):
        if key not in seen:
            col.add(f"siting.layers[{i}]", f"no layer {key!r} to site",
                    hint=f"one of {', '.join(sorted(seen))}")
    if sit.method not in ("auto", "greedy", "exact"):
        col.add("siting.method", f"unknown method {sit.method!r}", hint="auto, greedy or exact")
    if sit.target_rate is not None and not 0 < sit.target_rate <= 1:
        col.add("siting.target_rate", f"expected a rate in (0, 1], got {sit.target_rate}")
    if sit.max_sites < 1:
        col.add("siting.max_sites", "must be at least 1")
    if not _is_crs(sit.candidates_crs):
        col.add("siting.candidates_crs", f"unknown coordinate system {sit.candidates_crs!r}")
    if cfg.output.lang not in LANGS:
        col.add("output.lang", f"unknown language {cfg.output.lang!r}", hint="zh or en")
    if cfg.map.basemap not in BASEMAPS:
        col.add("map.basemap", f"unknown basemap {cfg.map.basemap!r}",
                hint=f"one of {', '.join(BASEMAPS)}")
    if cfg.map.minutes is not None and isinstance(ths, list) and cfg.map.minutes not in ths:
        col.add("map.minutes", f"{cfg.map.minutes:g} is not one of coverage.thresholds "
                f"{ths}")
    if cfg.map.layer and cfg.map.layer not in seen:
        col.add("map.layer", f"no layer {cfg.map.layer!r}")
