"""One owner for header spellings: population points read the headers facility layers read.

Regression for issue 11: a CSV headed ``名称,东经,北纬`` loaded as a facility layer but not as
population points (their own, shorter list of coordinate names).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from circle15.errors import InputError
from circle15.facilities import LayerSource, load_layer
from circle15.geo.population import PopulationSource, load_population
from circle15.vocab import HEADER_ALIASES, pick_header

#: Hand-placed points: (name, lon, lat, people); the first two in zone A, the third in B.
ROWS = [("上塘村", 120.2051, 29.7052, 120), ("下湖村", 120.2072, 29.7031, 80),
        ("江东社区", 120.2149, 29.7081, 45)]


def make_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["A", "B"], "zone_name": ["甲镇", "乙镇"]},
        geometry=[box(120.20, 29.70, 120.21, 29.71), box(120.21, 29.70, 120.22, 29.71)],
        crs="EPSG:4326")


def write(tmp_path, header: tuple[str, str, str, str], name: str = "p.csv"):
    path = tmp_path / name
    lines = [",".join(header)] + [f"{n},{x},{y},{p}" for n, x, y, p in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_points_csv_headed_mingcheng_dongjing_beiwei_renkou_loads(tmp_path):
    path = write(tmp_path, ("名称", "东经", "北纬", "人口"))
    origins, report = load_population(PopulationSource(source=path), make_zones())
    assert origins["population"].tolist() == [120.0, 80.0, 45.0]
    assert origins["zone_id"].tolist() == ["A", "A", "B"]
    np.testing.assert_allclose(origins.geometry.x, [r[1] for r in ROWS], atol=1e-12)
    np.testing.assert_allclose(origins.geometry.y, [r[2] for r in ROWS], atol=1e-12)
    assert report["people_in_zones"] == 245.0


@pytest.mark.parametrize("lon_h, lat_h", [
    ("经度", "纬度"), ("东经", "北纬"), ("x坐标", "y坐标"), ("lng", "lat"),
    ("Longitude", "Latitude"), ("经度(°)", "纬度（°）"), ("ｌｏｎ", "ｌａｔ"), ("gcj02_lon", "gcj02_lat"),
    ("point_x", "point_y"),
])
def test_facility_layer_and_population_agree_on_coordinate_headers(tmp_path, lon_h, lat_h):
    path = write(tmp_path, ("名称", lon_h, lat_h, "population"))
    fac, issues = load_layer(LayerSource(key="fitness", source=path))
    origins, _ = load_population(PopulationSource(source=path), make_zones())
    assert len(issues) == 0
    assert fac["name"].tolist() == [r[0] for r in ROWS]
    np.testing.assert_array_equal(fac.geometry.x.to_numpy(), origins.geometry.x.to_numpy())
    np.testing.assert_array_equal(fac.geometry.y.to_numpy(), origins.geometry.y.to_numpy())
    np.testing.assert_allclose(origins.geometry.x, [r[1] for r in ROWS], atol=1e-12)


def test_both_refuse_a_table_without_coordinate_headers(tmp_path):
    path = write(tmp_path, ("名称", "经", "纬", "population"))
    with pytest.raises(InputError, match="no coordinate columns"):
        load_layer(LayerSource(key="fitness", source=path))
    with pytest.raises(InputError, match="no longitude"):
        load_population(PopulationSource(source=path), make_zones())


def test_every_coordinate_spelling_is_shared():
    # the population reader has no list of its own: every lon/lat alias of the vocabulary
    # is found by the same lookup the facility loader uses
    for field in ("lon", "lat"):
        for alias in HEADER_ALIASES[field]:
            assert pick_header(["名称", alias], HEADER_ALIASES[field]) == alias


def test_explicit_value_column_still_wins_and_errors_name_the_key(tmp_path):
    path = write(tmp_path, ("名称", "东经", "北纬", "人数"))
    origins, _ = load_population(PopulationSource(source=path, value_column="人数"),
                                 make_zones())
    assert origins["population"].sum() == 245.0
    with pytest.raises(InputError) as ei:
        load_population(PopulationSource(source=path, value_column="居民"), make_zones())
    assert ei.value.key == "population.value_column"
    with pytest.raises(InputError) as ei:
        load_population(PopulationSource(source=path, value_column="居民", config_key="pop"),
                        make_zones())
    assert ei.value.key == "pop.value_column"


def test_points_with_one_jingweidu_column_and_their_village(tmp_path):
    path = tmp_path / "p.csv"
    lines = ["名称,经纬度,人口,村代码"] + [f'{n},"{x},{y}",{p},V{i}'
                                         for i, (n, x, y, p) in enumerate(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    origins, _ = load_population(PopulationSource(source=path), make_zones())
    np.testing.assert_allclose(origins.geometry.x, [r[1] for r in ROWS], atol=1e-12)
    np.testing.assert_allclose(origins.geometry.y, [r[2] for r in ROWS], atol=1e-12)
    assert origins["zone_id"].tolist() == ["A", "A", "B"]
    assert origins["village_id"].tolist() == ["V0", "V1", "V2"]


def test_a_jingweidu_cell_that_is_not_two_numbers_names_the_row(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text('经纬度,人口\n"120.2051,29.7052",5\n120.2072,6\n', encoding="utf-8")
    with pytest.raises(InputError, match="not two numbers") as info:
        load_population(PopulationSource(source=path), make_zones())
    assert info.value.row == 2 and info.value.column == "经纬度"
