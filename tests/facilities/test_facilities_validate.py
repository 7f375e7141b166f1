"""Validation helpers, the no-row-lost property, and real Zhuji data (when ../shared exists)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circle15.facilities import LayerSource
from circle15.facilities.loaders import load_layer
from circle15.facilities.validate import (
    find_duplicates,
    parse_bool,
    parse_coordinate,
    parse_number,
)
from circle15.geo.crs import to_wgs84
from support import SHARED


@pytest.mark.parametrize("text,value", [
    ("30", 30.0), ("３０", 30.0), ("1,200", 1200.0), ("-2.5", -2.5), ("", None), ("abc", None),
    (" 7 ", 7.0), ("nan", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_parse_number_units():
    assert parse_number("50床", allow_unit=True) == 50.0
    assert parse_number("120 m²", allow_unit=True) == 120.0
    assert parse_number("50床") is None
    assert parse_number("约50", allow_unit=True) is None


@pytest.mark.parametrize("text,value", [
    ("120.25", 120.25), ("120°15'E", 120.25), ("120°15′00″", 120.25), ("29度30分", 29.5),
    ("北纬29度30分36秒", 29.51), ("73°W", -73.0), ("12o.3", None),
])
def test_parse_coordinate(text, value):
    got = parse_coordinate(text)
    assert (got is None and value is None) or got == pytest.approx(value)


@pytest.mark.parametrize("text,value", [
    ("是", True), ("否", False), ("1", True), ("0", False), ("TRUE", True), ("关闭", False),
    ("开放", True), (1.0, True), ("maybe", None),
])
def test_parse_bool(text, value):
    assert parse_bool(text) is value


def test_find_duplicates_vs_brute_force():
    rng = np.random.default_rng(3)
    n = 300
    names = rng.choice(np.array(["a", "b", "c", ""], dtype=object), n)
    x = rng.uniform(0, 60, n)
    y = rng.uniform(0, 60, n)
    got = find_duplicates(names, x, y, 5.0)
    for j in range(n):
        earlier = [i for i in range(j) if names[i] and names[i] == names[j]
                   and np.hypot(x[i] - x[j], y[i] - y[j]) <= 5.0]
        assert (j in got) == bool(earlier)
        if earlier:
            assert got[j] not in got  # always points at a kept facility
            assert names[got[j]] == names[j]


CELLS_LON = st.sampled_from(["120.24", "120.26", "", "abc", "0", "29.7", "500", "120°15'E",
                             "512345"])
CELLS_LAT = st.sampled_from(["29.71", "29.73", "", "x", "0", "120.2", "95", "29度43分"])
CELLS_NAME = st.sampled_from(["甲", "乙", "", "丙站"])
CELLS_CAP = st.sampled_from(["", "10", "-1", "二十", "30个"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELLS_NAME, CELLS_LON, CELLS_LAT, CELLS_CAP), min_size=1, max_size=25),
       st.sampled_from(["wgs84", "gcj02", "bd09"]))
def test_every_row_used_or_listed(tmp_path, rows, crs_name):
    p = tmp_path / "h.csv"
    pd.DataFrame(rows, columns=["名称", "经度", "纬度", "容量"]).to_csv(p, index=False,
                                                                      encoding="gb18030")
    gdf, issues = load_layer(LayerSource(key="clinic", source=p, crs=crs_name))
    used = set(gdf["source_row"])
    dropped = issues.loc[issues["action"].isin(["skipped", "merged"]), "row"].astype(int)
    assert dropped.is_unique  # one reason per dropped row
    assert used.isdisjoint(set(dropped))
    assert used | set(dropped) == set(range(1, len(rows) + 1))
    qa = gdf.attrs["qa"]
    assert qa["loaded"] + qa["skipped"] + qa["merged_duplicates"] == len(rows)
    assert qa["warnings"] == int((issues["action"] == "warning").sum())
    assert gdf.geometry.x.between(-180, 180).all() and gdf.geometry.y.between(-90, 90).all()
    assert (gdf["capacity"].dropna() >= 0).all()


@pytest.mark.shared
def test_zhuji_township_centres_gcj02_inside_county():
    """Real data: 2016 township centres (GCJ-02) land inside the county outline (GCJ-02)."""
    src = SHARED / "data" / "zhuji" / "township_2016_to_2023.csv"
    outline = SHARED / "data" / "zhuji" / "county_outline_gcj02.geojson"
    if not src.is_file() or not outline.is_file():
        pytest.skip("../shared/data/zhuji not available")
    county = gpd.read_file(outline).geometry.union_all()
    county_wgs = shapely.transform(
        county, lambda c: np.column_stack(to_wgs84(c[:, 0], c[:, 1], "gcj02")))
    lay = LayerSource(key="townhall", source=src, crs="gcj02",
                      columns={"name2016": "name",
                               "town2016_center_lon_gcj02": "lon", "code2016": "id",
                               "town2016_center_lat_gcj02": "lat"})
    gdf, issues = load_layer(lay, study_area=county_wgs)
    raw = pd.read_csv(src)
    # 暨阳街道 (2016) is listed twice (split between two 2023 towns): one real duplicate.
    dup = raw.index[raw["name2016"].duplicated()].to_numpy() + 1
    assert issues["issue"].tolist() == ["duplicate"] * len(dup) and len(dup) >= 1
    assert issues["row"].tolist() == dup.tolist()
    assert len(gdf) == len(raw) - len(dup) and gdf["facility_id"].is_unique
    raw = raw.iloc[gdf["source_row"].to_numpy() - 1]
    # The GCJ-02 -> WGS-84 shift in Zhuji is a few hundred metres.
    shift = np.hypot((raw["town2016_center_lon_gcj02"].to_numpy() - gdf.geometry.x.to_numpy())
                     * 96_500,
                     (raw["town2016_center_lat_gcj02"].to_numpy() - gdf.geometry.y.to_numpy())
                     * 110_900)
    assert ((shift > 300) & (shift < 700)).all()
    assert gdf.geometry.within(county_wgs).all()
