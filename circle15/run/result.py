"""What a run computed, in memory: :class:`RunResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from circle15.config import Config
from circle15.facilities import Layer
from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork


@dataclass(kw_only=True)
class RunResult:
    """Everything a run computed (no files written).

    Attributes
    ----------
    config : Config
    zones : geopandas.GeoDataFrame
        EPSG:4326; ``zone_id``, ``zone_name``, population columns, geometry.
    network : RoutingNetwork
    facilities : geopandas.GeoDataFrame
        EPSG:4326, all layers, with ``zone_id``, ``linked`` and ``link_m``.
    facility_issues : pandas.DataFrame
        Every input row skipped, merged or warned about.
    origins : geopandas.GeoDataFrame
        EPSG:4326, with ``t_<layer>`` minutes (``inf`` = beyond the largest threshold) and
        ``f_<layer>`` (nearest facility id).
    origin_links, facility_links : Links
    coverage : pandas.DataFrame
        The ``coverage_by_zone`` table.
    admin : pandas.DataFrame
        Administrative coverage per layer.
    layers : list of Layer
        Each layer's key, labels, colour, icon, judged group and whether it is required.
    targets : pandas.DataFrame or None
        The plan's indicators for the selected year (None without a plan).
    targets_all : pandas.DataFrame or None
        The same for every plan year (``year`` column).
    village_targets : pandas.DataFrame or None
        Village-level indicators village by village
        (:func:`circle15.coverage.plan.village_targets`; None without a plan).
    capacity : pandas.DataFrame or None
        Capacity per 1,000 people and 2SFCA per zone, for layers with capacities.
    standards : pandas.DataFrame or None
        Each layer judged by its standard's circle levels, by every denominator
        (:func:`circle15.coverage.levels.standards_table`; None without a catalogue).
    streets, isochrones : geopandas.GeoDataFrame or None
        Map context and display polygons.
    report : dict
        Provenance and QA for ``run.json``.
    siting : list
        :class:`~circle15.run.siting.SitingRunResult` per ``[siting] layers`` entry.
    """

    config: Config
    zones: gpd.GeoDataFrame
    network: RoutingNetwork
    facilities: gpd.GeoDataFrame
    facility_issues: pd.DataFrame
    origins: gpd.GeoDataFrame
    origin_links: Links
    facility_links: Links
    coverage: pd.DataFrame
    admin: pd.DataFrame
    layers: list[Layer]
    targets: pd.DataFrame | None = None
    targets_all: pd.DataFrame | None = None
    village_targets: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None
    standards: pd.DataFrame | None = None
    streets: gpd.GeoDataFrame | None = None
    isochrones: gpd.GeoDataFrame | None = None
    report: dict[str, Any] = field(default_factory=dict)
    siting: list[Any] = field(default_factory=list)

    @property
    def params(self) -> dict[str, Any]:
        """Run parameters shown on maps and reports."""
        return self.report["params"]

    @property
    def layer_groups(self) -> dict[str, str]:
        """Layer key -> the population group it is judged by."""
        return {lay.key: lay.group for lay in self.layers}
