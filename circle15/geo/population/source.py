"""Where the people come from: :class:`PopulationSource`, the population loader's option.

Its fields are named like the keys of the config's ``[population]`` section, so the run
stage builds one with ``PopulationSource(**fields)``; stage code never sees the config.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Kinds of population source.
KINDS = ("points", "raster", "buildings", "zone_totals")


@dataclass(frozen=True)
class PopulationSource:
    """The population source.

    Attributes
    ----------
    kind : str, default "points"
        One of :data:`KINDS`.
    source : Path, optional
        Points (CSV/GeoJSON/GPKG), raster (GeoTIFF) or building footprints.
    crs : str, default "wgs84"
        Coordinate system of the coordinates (see :func:`circle15.geo.vectors.source_crs`
        for vector files and rasters that declare their own).
    value_column : str, default "population"
        Column with the people at each point or zone. Another spelling of the same field
        (人口, 人数, ...; :data:`circle15.vocab.HEADER_ALIASES`) is found when it is absent.
    x_column, y_column : str
        Coordinate columns of CSV points (empty: recognised headers such as 经度/东经/lon).
    groups : mapping
        Group name -> column with counts (``{"age_0_3": "age_0_3"}``).
    group_shares : mapping
        Group name -> share of the total (a number) or a CSV of shares per zone.
    totals : Path, optional
        For ``zone_totals``: CSV with one row per zone.
    m2_per_person, default_levels : float
        For buildings: floor area per resident and storeys assumed when none are given.
    village_column : str
        Column with each point's village code (empty: a recognised 村代码/village_id
        header when present).
    config_key : str, default "population"
        Config key prefix named in errors (``"population.value_column"``).
    """

    kind: str = "points"
    source: Path | None = None
    crs: str = "wgs84"
    value_column: str = "population"
    x_column: str = ""
    y_column: str = ""
    groups: Mapping[str, str] = field(default_factory=dict)
    group_shares: Mapping[str, Any] = field(default_factory=dict)
    totals: Path | None = None
    m2_per_person: float = 35.0
    default_levels: float = 2.0
    village_column: str = ""
    config_key: str = "population"

    def key(self, name: str) -> str:
        """The config key of field ``name`` (``"population.crs"``)."""
        return f"{self.config_key}.{name}"

    def group_names(self) -> list[str]:
        """Group names in output order: count-column groups, then share groups."""
        return [*self.groups, *[g for g in self.group_shares if g not in self.groups]]
