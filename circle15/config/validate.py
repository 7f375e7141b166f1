"""Cross-field checks of a parsed config, one function per section.

Each check reads its section, reports problems to a :class:`Collector` (file + dotted key),
and returns the section unchanged or with paths resolved (a new object: nothing is mutated).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from circle15.config.sections import (
    CRS_NAMES,
    LANGS,
    POPULATION_KINDS,
    SITING_METHODS,
    Config,
)
from circle15.errors import InputError
from circle15.geo.streets.speeds import MODES, SPEED_PROFILES_KMH
from circle15.maps.basemaps import basemap_spec

_EPSG_RE = re.compile(r"^(epsg:)?\d{4,6}$", re.IGNORECASE)
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
_CRS_HINT = f"one of {', '.join(CRS_NAMES)} or EPSG:<code>"
_PATH_HINT = "paths are relative to the config file"


class Collector:
    """Problems found in one config file."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.errors: list[InputError] = []

    def add(self, key: str, message: str, hint: str | None = None) -> None:
        """Record a problem at dotted ``key``."""
        self.errors.append(InputError(message, file=self.file, key=key, hint=hint))

    def file_exists(self, value: Path | None, key: str) -> None:
        """Record a problem unless ``value`` is ``None`` or an existing file."""
        if value is None:
            return
        if value.is_dir():
            self.add(key, f"is a folder, not a file: {value}", hint=_PATH_HINT)
        elif not value.exists():
            self.add(key, f"file not found: {value}", hint=_PATH_HINT)

    def in_range(self, value: float | None, key: str, lo: float, hi: float, *,
                 lo_open: bool = False) -> None:
        """Record a problem unless ``value`` is ``None`` or within ``[lo, hi]``."""
        if value is None:
            return
        if value < lo or value > hi or (lo_open and value == lo):
            bound = "(" if lo_open else "["
            self.add(key, f"{value:g} is out of range {bound}{lo:g}, {hi:g}]")

    def one_of(self, value: str, allowed: tuple[str, ...], key: str, what: str) -> None:
        """Record a problem unless ``value`` is one of ``allowed``."""
        if value not in allowed:
            self.add(key, f"unknown {what} {value!r}", hint=f"one of {', '.join(allowed)}")

    def crs(self, value: str, key: str) -> None:
        """Record a problem unless ``value`` names a coordinate system."""
        if not is_crs(value):
            self.add(key, f"unknown coordinate system {value!r}", hint=_CRS_HINT)


def is_crs(value: str) -> bool:
    """Whether ``value`` is a named coordinate system or an EPSG code."""
    return value.lower() in CRS_NAMES or bool(_EPSG_RE.match(value))


def _resolve(value: str, base: Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _network(cfg: Config, col: Collector) -> Any:
    net = cfg.network
    if not net.source:
        col.add("network.source", "missing: a network file or 'place:<name>'")
    elif not net.source.startswith(("place:", "polygon:")):
        p = _resolve(net.source, cfg.base_dir)
        if p.exists():
            net = dataclasses.replace(net, source=str(p))
        else:
            col.add("network.source", f"file not found: {p}", hint=_PATH_HINT)
    col.one_of(net.mode, MODES, "network.mode", "mode")
    col.in_range(net.speed_kmh, "network.speed_kmh", 0.5, 150)
    if net.crs and not is_crs(net.crs):
        col.add("network.crs", f"not a CRS: {net.crs!r}", hint="e.g. EPSG:4549")
    col.in_range(net.max_link_m, "network.max_link_m", 0, 10_000, lo_open=True)
    for cls, kmh in net.speeds_by_class.items():
        if isinstance(kmh, bool) or not isinstance(kmh, (int, float)):
            col.add(f"network.speeds_by_class.{cls}", f"expected km/h, got {kmh!r}")
        else:
            col.in_range(float(kmh), f"network.speeds_by_class.{cls}", 0.5, 150)
    return net


def _area(cfg: Config, col: Collector) -> Any:
    area = cfg.area
    col.crs(area.crs, "area.crs")
    if area.zones is None and not area.place:
        col.add("area.zones", "missing: a polygon file of zones (townships)",
                hint="or set area.place to download OpenStreetMap township boundaries")
    col.file_exists(area.zones, "area.zones")
    col.file_exists(area.villages, "area.villages")
    col.crs(area.villages_crs, "area.villages_crs")
    col.file_exists(area.compounds, "area.compounds")
    col.crs(area.compounds_crs, "area.compounds_crs")
    col.in_range(area.buffer_m, "area.buffer_m", 0, 100_000)
    return area


def _share(g: str, share: Any, base: Path, col: Collector) -> Any:
    key = f"population.group_shares.{g}"
    if isinstance(share, str):
        sp = _resolve(share, base)
        if not sp.is_file():
            col.add(key, f"file not found: {sp}", hint="a share (0-1) or a CSV of zone_id, share")
        return str(sp)
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 <= share <= 1:
        col.add(key, f"expected a share in 0-1 or a CSV path, got {share!r}")
    return share


def _population(cfg: Config, col: Collector) -> Any:
    pop = cfg.population
    col.crs(pop.crs, "population.crs")
    col.one_of(pop.kind, POPULATION_KINDS, "population.kind", "kind")
    if pop.source is None and pop.kind != "zone_totals":
        col.add("population.source", "missing: the population file")
    col.file_exists(pop.source, "population.source")
    col.file_exists(pop.totals, "population.totals")
    for g, c in pop.groups.items():
        if not isinstance(c, str):
            col.add(f"population.groups.{g}", "expected a column name (string)")
    col.in_range(pop.m2_per_person, "population.m2_per_person", 0, 10_000, lo_open=True)
    col.in_range(pop.default_levels, "population.default_levels", 0, 200, lo_open=True)
    shares = {g: _share(g, s, cfg.base_dir, col) for g, s in pop.group_shares.items()}
    return dataclasses.replace(pop, group_shares=shares)


def _coverage(cfg: Config, col: Collector) -> Any:
    cov = cfg.coverage
    if not cov.thresholds or not all(0 < t <= 240 for t in cov.thresholds):
        col.add("coverage.thresholds",
                f"expected a list of minutes in (0, 240], got {list(cov.thresholds)!r}")
    col.in_range(cov.sfca_minutes, "coverage.sfca_minutes", 0, 240, lo_open=True)
    col.in_range(cov.max_unlinked_share, "coverage.max_unlinked_share", 0, 1)
    return cov


def _layers(cfg: Config, col: Collector) -> Any:
    pop = cfg.population
    if not cfg.layers:
        col.add("layers", "no facility layers: add at least one [[layers]] table")
    seen: set[str] = set()
    for i, lay in enumerate(cfg.layers):
        key = f"layers[{i}]"
        if not _KEY_RE.fullmatch(lay.key):
            col.add(f"{key}.key", f"layer key {lay.key!r} must be lower-case ASCII, digits or _")
        if lay.key in seen:
            col.add(f"{key}.key", f"duplicate layer key {lay.key!r}")
        seen.add(lay.key)
        if lay.source is None:
            col.add(f"{key}.source", "missing: the facility file")
        col.file_exists(lay.source, f"{key}.source")
        col.file_exists(lay.osm_tags, f"{key}.osm_tags")
        col.crs(lay.crs, f"{key}.crs")
        if lay.group not in ("", "total", *pop.groups, *pop.group_shares):
            col.add(f"{key}.group", f"population group {lay.group!r} is not defined",
                    hint="add it under [population] groups, or use \"total\"")
    return cfg.layers


def _standards(cfg: Config, col: Collector) -> Any:
    std = cfg.standards
    cat = std.catalogue.strip()
    if cat.lower().endswith(".toml"):
        path = _resolve(cat, cfg.base_dir)
        col.file_exists(path, "standards.catalogue")
        std = dataclasses.replace(std, catalogue=str(path))
    for i, m in enumerate(std.modes):
        col.one_of(m, MODES, f"standards.modes[{i}]", "mode")
    for name, kmh in std.speeds.items():
        if isinstance(kmh, bool) or not isinstance(kmh, (int, float)):
            col.add(f"standards.speeds.{name}", f"expected km/h, got {kmh!r}")
        else:
            col.in_range(float(kmh), f"standards.speeds.{name}", 0.5, 30)
    profiles = (*SPEED_PROFILES_KMH, *std.speeds)
    groups = ("total", *cfg.population.groups, *cfg.population.group_shares)
    for g, prof in std.profiles.items():
        if g not in groups:
            col.add(f"standards.profiles.{g}", f"population group {g!r} is not defined",
                    hint=f"one of {', '.join(groups)}")
        if not isinstance(prof, str) or prof not in profiles:
            col.add(f"standards.profiles.{g}", f"unknown speed profile {prof!r}",
                    hint=f"one of {', '.join(profiles)}, or add it under standards.speeds")
    col.in_range(std.village_share, "standards.village_share", 0, 1, lo_open=True)
    col.in_range(std.household_size, "standards.household_size", 0, 20, lo_open=True)
    return std


def _targets(cfg: Config, col: Collector) -> Any:
    col.in_range(cfg.targets.year, "targets.year", 2000, 2100)
    col.file_exists(cfg.targets.reported, "targets.reported")
    return cfg.targets


def _siting(cfg: Config, col: Collector) -> Any:
    sit = cfg.siting
    keys = [lay.key for lay in cfg.layers]
    for i, key in enumerate(sit.layers):
        if key not in keys:
            col.add(f"siting.layers[{i}]", f"no layer {key!r} to site",
                    hint=f"one of {', '.join(sorted(keys))}")
    col.file_exists(sit.candidates, "siting.candidates")
    col.crs(sit.candidates_crs, "siting.candidates_crs")
    col.one_of(sit.method, SITING_METHODS, "siting.method", "method")
    col.in_range(sit.target_rate, "siting.target_rate", 0, 1, lo_open=True)
    col.in_range(sit.max_sites, "siting.max_sites", 1, 100_000)
    col.in_range(sit.spacing_m, "siting.spacing_m", 0, 100_000, lo_open=True)
    col.in_range(sit.minutes, "siting.minutes", 0, 240, lo_open=True)
    col.in_range(sit.zone_cap, "siting.zone_cap", 1, 100_000)
    col.in_range(sit.budget, "siting.budget", 0, 1e12, lo_open=True)
    return sit


def _map_output(cfg: Config, col: Collector) -> None:
    col.one_of(cfg.output.lang, LANGS, "output.lang", "language")
    try:
        basemap_spec(cfg.map.basemap, cfg.map.tianditu_key, cfg.map.tile_url, cfg.output.lang)
    except InputError as exc:
        key = "map.tile_url" if exc.key == "tile_url" else exc.key or "map.basemap"
        col.add(key, exc.message, hint=exc.hint)
    ths = cfg.coverage.thresholds
    if cfg.map.minutes is not None and cfg.map.minutes not in ths:
        col.add("map.minutes", f"{cfg.map.minutes:g} is not one of coverage.thresholds "
                f"{[float(t) for t in ths]}")
    if cfg.map.layer and cfg.map.layer not in [lay.key for lay in cfg.layers]:
        col.add("map.layer", f"no layer {cfg.map.layer!r}")


def validate(cfg: Config, col: Collector) -> Config:
    """Check every section of ``cfg``; return it with paths resolved.

    Problems are added to ``col``; the caller raises them together.
    """
    checked = dataclasses.replace(
        cfg, network=_network(cfg, col), area=_area(cfg, col),
        population=_population(cfg, col), coverage=_coverage(cfg, col),
        layers=_layers(cfg, col), standards=_standards(cfg, col), targets=_targets(cfg, col),
        siting=_siting(cfg, col))
    _map_output(checked, col)
    return checked
