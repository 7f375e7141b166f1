"""Config sections → the stages' own option dataclasses (the config stops at this door).

Each stage package defines the frozen options it takes (``ZoneSource``, ``LayerSource``,
``PopulationSource``, ...), with fields named like the config keys; this module builds them
from a :class:`~circle15.config.Config`, naming the config key each error should point at.
"""

from __future__ import annotations

import dataclasses
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
