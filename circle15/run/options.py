"""Config sections → the stages' own option dataclasses (the config stops at this door).

Each stage package defines the frozen options it takes (``ZoneSource``, ``LayerSource``,
``PopulationSource``, ...), with fields named like the config keys; this module builds them
from a :class:`~circle15.config.Config`, naming the config key each error should point at.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from circle15.config import Config
from circle15.facilities import Layer, LayerSource, resolve_layers
from circle15.geo.areas import ZoneSource
from circle15.geo.population import PopulationSource


def fields_for(section: Any, cls: type) -> dict[str, Any]:
    """The fields of option dataclass ``cls`` taken from a config section."""
    return {f.name: getattr(section, f.name) for f in dataclasses.fields(cls)
            if hasattr(section, f.name)}


def zone_source(cfg: Config) -> ZoneSource:
    """``[area]`` as the zone loader's options."""
    return ZoneSource(**fields_for(cfg.area, ZoneSource))


def layer_sources(cfg: Config) -> list[LayerSource]:
    """``[[layers]]`` as the facility loader's options (errors name ``layers[i]``)."""
    return [LayerSource(**{**fields_for(lay, LayerSource), "config_key": f"layers[{i}]"})
            for i, lay in enumerate(cfg.layers)]


def population_source(cfg: Config) -> PopulationSource:
    """``[population]`` as the population loader's options."""
    return PopulationSource(**fields_for(cfg.population, PopulationSource))


def layers(cfg: Config) -> list[Layer]:
    """Each layer's key, labels, colour, icon, judged group and whether it is required."""
    return resolve_layers(layer_sources(cfg),
                          [*cfg.population.groups, *cfg.population.group_shares])


def history_db(config: str | Path) -> str:
    """``[history] db`` of a config file (default ``history.sqlite``): a URL as given, a
    file path made absolute relative to the config's folder.

    Raises
    ------
    InputError
        If the config cannot be read or ``history.db`` is blank.
    """
    from circle15.config.load import load_section
    from circle15.errors import InputError

    path = Path(config).resolve()
    db = load_section(path, "history").db
    if not db.strip():
        raise InputError("must be a file name or a postgresql:// URL", file=path,
                         key="history.db")
    return db if "://" in db else str((path.parent / db).resolve())
