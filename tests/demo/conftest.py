"""Fixtures of the demo tests: the full-size synthetic county (seed 15), written once."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest

from circle15.demo.county import write_demo_inputs


@pytest.fixture(scope="session")
def full(tmp_path_factory) -> Path:
    """The full-size demo's ``config.toml`` (seed 15, scale 1), written once per session."""
    return write_demo_inputs(tmp_path_factory.mktemp("demo") / "inputs", seed=15)


@pytest.fixture(scope="session")
def graph(full) -> nx.MultiDiGraph:
    """The demo's network as OSMnx reads it."""
    return ox.load_graphml(full.parent / "network.graphml")


@pytest.fixture(scope="session")
def zones(full) -> gpd.GeoDataFrame:
    """The demo's townships."""
    return gpd.read_file(full.parent / "zones.geojson")
