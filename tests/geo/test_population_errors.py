"""Bad population input: every error names the file, row and column and says what to do."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from circle15.errors import InputError
from circle15.geo.population import PopulationSource, load_population


def make_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"zone_id": ["A"], "zone_name": ["甲镇"]},
                            geometry=[box(120.20, 29.70, 120.21, 29.71)], crs="EPSG:4326")


GROUPS = {"age_0_3": "age_0_3"}

# (csv text, expected row, expected column, words in the message)
CASES = {
    "non-numeric count": ("lon,lat,population,age_0_3\n120.205,29.705,10,1\n"
                          "120.205,29.705,many,1\n", 2, "population", "not a number"),
    "negative count": ("lon,lat,population,age_0_3\n120.205,29.705,10,1\n"
                       "120.205,29.705,5,1\n120.205,29.705,-3,0\n", 3, "population", "negative"),
    "empty count": ("lon,lat,population,age_0_3\n120.205,29.705,,1\n", 1, "population",
                    "missing count"),
    "missing coordinate": ("lon,lat,population,age_0_3\n120.205,29.705,10,1\n,29.705,10,1\n",
                           2, "lon", "missing coordinate"),
    "non-numeric coordinate": ("lon,lat,population,age_0_3\n120.205,29.7o5,10,1\n", 1, "lat",
                               "not a number"),
    "longitude out of range": ("lon,lat,population,age_0_3\n120.205,29.705,10,1\n"
                               "1202.05,29.705,10,1\n", 2, "lon", "out of range"),
    "latitude out of range (swapped)": ("lon,lat,population,age_0_3\n29.705,120.205,10,1\n",
                                        1, "lat", "swapped"),
    "group above total": ("lon,lat,population,age_0_3\n120.205,29.705,10,1\n"
                          "120.205,29.705,10,11\n", 2, "age_0_3", "total is 10"),
    "negative group": ("lon,lat,population,age_0_3\n120.205,29.705,10,-1\n", 1, "age_0_3",
                       "negative"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_points_csv(tmp_path, name):
    text, row, column, words = CASES[name]
    path = tmp_path / "pop.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path, groups=GROUPS), make_zones())
    e = err.value
    assert (e.file, e.row, e.column) == (str(path), row, column)
    msg = str(e)
    assert str(path) in msg and f"row {row}" in msg and f"column '{column}'" in msg
    assert words in msg
    assert e.hint


def test_missing_file(tmp_path):
    path = tmp_path / "nope.csv"
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path), make_zones())
    assert err.value.file == str(path)
    assert "file not found" in str(err.value)
    assert err.value.hint


def test_missing_value_column_lists_columns(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("lon,lat,people\n120.205,29.705,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path), make_zones())
    e = err.value
    assert e.file == str(path) and e.column == "population"
    assert "columns found: lon, lat, people" in str(e)
    assert e.key == "population.value_column"


def test_missing_group_column_lists_columns(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("lon,lat,population\n120.205,29.705,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path, groups={"age_60p": "old"}), make_zones())
    e = err.value
    assert e.file == str(path) and e.column == "old"
    assert "columns found: lon, lat, population" in str(e)


def test_no_coordinate_columns(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("a,b,population\n1,2,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path), make_zones())
    assert "columns found: a, b, population" in str(err.value)
    assert "x_column" in err.value.hint


def test_projected_metres_declared_as_wgs84(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("x,y,population\n40512345.0,3287654.0,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path), make_zones())
    assert err.value.row == 1 and err.value.column == "x"
    assert "EPSG" in err.value.hint


def test_geojson_feature_numbers(tmp_path):
    path = tmp_path / "pop.geojson"
    gpd.GeoDataFrame({"population": [10, -2]},
                     geometry=[Point(120.205, 29.705), Point(120.206, 29.705)],
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path), make_zones())
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 2, "population")


def test_totals_group_above_total(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("zone_id,population,age_60p\nA,100,101\n", encoding="utf-8")
    nodes = gpd.GeoDataFrame(geometry=[Point(120.205, 29.705)], crs="EPSG:4326")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="zone_totals", totals=path,
                                          groups={"age_60p": "age_60p"}), make_zones(),
                        nodes=nodes)
    assert (err.value.file, err.value.row, err.value.column) == (str(path), 1, "age_60p")


def test_totals_no_row_matches(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("zone_id,population\n330681001,100\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="zone_totals", totals=path), make_zones(),
                        nodes=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"))
    assert err.value.column == "zone_id"
    assert "330681001" in str(err.value) and "A" in str(err.value)


def test_totals_duplicate_zone(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("zone_id,population\nA,100\nA,5\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="zone_totals", totals=path), make_zones(),
                        nodes=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"))
    assert (err.value.row, err.value.column) == (2, "zone_id")


def test_totals_without_places(tmp_path):
    path = tmp_path / "totals.csv"
    path.write_text("zone_id,population\nA,100\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="zone_totals", totals=path), make_zones())
    assert "buildings or network nodes" in str(err.value)


@pytest.mark.parametrize("shares,words", [(1.5, "not a fraction"), ("12%", "not found")])
def test_bad_share_value(tmp_path, shares, words):
    path = tmp_path / "pop.csv"
    path.write_text("lon,lat,population\n120.205,29.705,10\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path, group_shares={"age_60p": shares}),
                        make_zones())
    assert words in str(err.value)
    assert err.value.key == "population.group_shares.age_60p"


def test_share_csv_percent_and_missing_zone(tmp_path):
    pop = tmp_path / "pop.csv"
    pop.write_text("lon,lat,population\n120.205,29.705,10\n", encoding="utf-8")
    shares = tmp_path / "s.csv"
    shares.write_text("zone_id,share\nA,12\n", encoding="utf-8")
    cfg = PopulationSource(source=pop, group_shares={"age_60p": "s.csv"})
    with pytest.raises(InputError) as err:
        load_population(cfg, make_zones())
    assert (err.value.file, err.value.row, err.value.column) == (str(shares), 1, "share")
    shares.write_text("zone_id,share\nB,0.1\n", encoding="utf-8")
    zones = gpd.GeoDataFrame({"zone_id": ["A", "B"], "zone_name": ["甲", "乙"]},
                             geometry=[box(120.20, 29.70, 120.21, 29.71),
                                       box(120.21, 29.70, 120.22, 29.71)], crs="EPSG:4326")
    with pytest.raises(InputError) as err:
        load_population(cfg, zones)
    assert "no share for zone(s) A" in str(err.value)


def test_group_both_column_and_share(tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("lon,lat,population,old\n120.205,29.705,10,2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(source=path, groups={"age_60p": "old"},
                                         group_shares={"age_60p": 0.2}), make_zones())
    assert "both" in str(err.value)
