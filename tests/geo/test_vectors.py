"""geo.vectors.read_vector: the one reader of vector files and its coordinate-system rule."""

from __future__ import annotations

import ast

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from circle15.errors import InputError
from circle15.facilities import LayerSource, load_layer
from circle15.geo.areas import ZoneSource, load_zones
from circle15.geo.crs import wgs84_to_gcj02
from circle15.geo.population import PopulationSource, load_population
from circle15.geo.vectors import read_vector, source_crs
from support import REPO

PTS = [(120.2051, 29.7052), (120.2149, 29.7081)]
M = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E (metres)


def points(crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame({"name": ["甲", "乙"], "population": [10, 20]},
                         geometry=[Point(x, y) for x, y in PTS], crs="EPSG:4326")
    return g.to_crs(crs)


def zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_id": ["A"], "zone_name": ["甲"]},
                            geometry=[box(120.20, 29.70, 120.22, 29.71)], crs="EPSG:4326")


def test_projected_file_crs_is_used_and_result_is_wgs84(tmp_path):
    path = tmp_path / "p.gpkg"
    points(M).to_file(path)
    warnings: list[str] = []
    gdf = read_vector(path, key="population.source", warnings=warnings)
    assert gdf.crs.to_epsg() == 4326 and gdf.attrs["crs_used"] == M
    np.testing.assert_allclose(np.c_[gdf.geometry.x, gdf.geometry.y], PTS, atol=1e-9)
    assert warnings == []
    # a different projected system in the config: the file's wins, and it is reported
    gdf = read_vector(path, declared_crs="EPSG:32651", key="population.source",
                      warnings=warnings)
    np.testing.assert_allclose(np.c_[gdf.geometry.x, gdf.geometry.y], PTS, atol=1e-9)
    assert len(warnings) == 1 and "population.crs" in warnings[0]


def test_geojson_claims_wgs84_but_declared_gcj02_is_converted(tmp_path):
    lon, lat = wgs84_to_gcj02(np.array([p[0] for p in PTS]), np.array([p[1] for p in PTS]))
    path = tmp_path / "p.geojson"
    gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_file(path)
    gdf = read_vector(path, declared_crs="gcj02")
    assert gdf.attrs["crs_used"] == "gcj02"
    np.testing.assert_allclose(np.c_[gdf.geometry.x, gdf.geometry.y], PTS, atol=1e-6)


def test_gcj02_declared_for_a_projected_file_is_an_error(tmp_path):
    path = tmp_path / "p.gpkg"
    points(M).to_file(path)
    with pytest.raises(InputError, match="projected CRS") as ei:
        read_vector(path, declared_crs="gcj02", key="layers.clinic.source",
                    crs_key="layers.clinic.crs")
    assert ei.value.key == "layers.clinic.crs"


def test_same_messages_for_every_reader(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    calls = [
        lambda: load_zones(ZoneSource(zones=bad)),
        lambda: load_population(PopulationSource(source=bad), zones()),
        lambda: load_population(PopulationSource(kind="buildings", source=bad), zones()),
        lambda: load_layer(LayerSource(key="clinic", source=bad)),
    ]
    keys = []
    for call in calls:
        with pytest.raises(InputError, match=r"cannot read \w+ from the file") as ei:
            call()
        assert ei.value.file == str(bad)
        keys.append(ei.value.key)
    assert keys == ["area.zones", "population.source", "population.source",
                    "layers.clinic.source"]


def test_every_reader_agrees_on_a_metric_file(tmp_path):
    """Facilities, population points and the reader itself put the same file in one place."""
    path = tmp_path / "p.gpkg"
    points(M).to_file(path)
    fac, _ = load_layer(LayerSource(key="fitness", source=path))
    origins, _ = load_population(PopulationSource(source=path), zones())
    direct = read_vector(path)
    for gdf in (fac, origins, direct):
        np.testing.assert_allclose(np.c_[gdf.geometry.x, gdf.geometry.y], PTS, atol=1e-9)


def test_source_crs_rule():
    import pyproj

    wgs, metric = pyproj.CRS(4326), pyproj.CRS(M)
    assert source_crs("wgs84", None, path="f", crs_key="k") == "wgs84"
    assert source_crs("EPSG:4549", None, path="f", crs_key="k") == "EPSG:4549"
    assert source_crs("wgs84", metric, path="f", crs_key="k") == "EPSG:4549"
    assert source_crs("EPSG:4549", wgs, path="f", crs_key="k") == "EPSG:4549"
    assert source_crs("gcj02", wgs, path="f", crs_key="k") == "gcj02"
    assert source_crs("cgcs2000", pyproj.CRS(4490), path="f", crs_key="k") == "cgcs2000"
    with pytest.raises(InputError) as ei:
        source_crs("mercator", None, path="f", crs_key="area.crs")
    assert ei.value.key == "area.crs"


INPUT_PACKAGES = ["circle15/facilities", "circle15/geo/areas", "circle15/geo/population",
                  "circle15/geo/vectors.py"]


@pytest.mark.parametrize("where", INPUT_PACKAGES)
def test_input_stages_do_not_import_the_config(where):
    root = REPO / where
    files = [root] if root.suffix == ".py" else sorted(root.rglob("*.py"))
    assert files
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "circle15.config" or n.startswith("circle15.config.")
                           for n in names), f
