"""The run configuration: one TOML file, validated on load into one frozen object.

Only :mod:`circle15.run` (and the CLI) read a :class:`Config`; every stage receives plain
arguments. Relative paths resolve against the directory of the config file.

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

    [network]
    source = "zhuji.osm.pbf"      # .osm(.gz/.bz2), .osm.pbf, .graphml(.gz), or "place:..."
    mode = "walk"                 # walk | bike | ebike | drive

    [population]
    source = "population.csv"

    [[layers]]
    key = "clinic"
    source = "clinics.xlsx"
    crs = "gcj02"

    [output]
    dir = "out"
"""

from circle15.config.load import config_from_dict, load_config
from circle15.config.sections import (
    CRS_NAMES,
    LANGS,
    AreaConfig,
    Config,
    CoverageConfig,
    HistoryConfig,
    LayerConfig,
    MapConfig,
    NetworkConfig,
    OutputConfig,
    PopulationConfig,
    ProjectConfig,
    SitingConfig,
    TargetsConfig,
)
from circle15.geo.streets.speeds import DEFAULT_SPEEDS_KMH, MODES
from circle15.maps.basemaps import BASEMAPS

__all__ = [
    "BASEMAPS", "CRS_NAMES", "DEFAULT_SPEEDS_KMH", "LANGS", "MODES", "AreaConfig", "Config",
    "CoverageConfig", "HistoryConfig", "LayerConfig", "MapConfig", "NetworkConfig", "OutputConfig",
    "PopulationConfig", "ProjectConfig", "SitingConfig", "TargetsConfig", "config_from_dict",
    "load_config",
]
