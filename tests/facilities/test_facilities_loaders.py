"""Facility loaders: encodings, formats, coordinate systems, bad rows, strict mode."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from circle15.errors import InputError
from circle15.facilities import LayerSource
from circle15.facilities.loaders import load_layer, load_layers
from circle15.facilities.schema import FACILITY_COLUMNS, ISSUE_COLUMNS
from circle15.geo import crs

# Synthetic facility positions (WGS-84 truth) around central Zhuji; labelled synthetic.
TRUTH = [
    ("F01", "暨阳托育中心", 120.2401, 29.7102),
    ("F02", "浣东社区托育点", 120.2752, 29.7155),
    ("F03", "陶朱幼儿园托班", 120.2133, 29.7345),
    ("F04", "大唐托育机构", 120.1676, 29.6948),
]


def metres(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))


def assert_truth(gdf: gpd.GeoDataFrame, tol_m: float = 1.0) -> None:
    assert list(gdf.columns) == list(FACILITY_COLUMNS)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(TRUTH)
    for (fid, name, lon, lat), (_, row) in zip(TRUTH, gdf.iterrows()):
        assert row["name"] == name
        assert metres(row.geometry.x, row.geometry.y, lon, lat) < tol_m, fid


def assert_accounted(gdf: gpd.GeoDataFrame, issues: pd.DataFrame, n_rows: int) -> None:
    """Every input row is used, or listed as skipped/merged in the issues table."""
    used = set(gdf["source_row"])
    dropped = set(issues.loc[issues["action"].isin(["skipped", "merged"]), "row"].dropna()
                  .astype(int))
    assert used.isdisjoint(dropped)
    assert used | dropped == set(range(1, n_rows + 1))
    qa = gdf.attrs["qa"]
    assert qa["loaded"] + qa["skipped"] + qa["merged_duplicates"] == n_rows


def truth_frame(crs_name: str = "wgs84") -> pd.DataFrame:
    lon = np.array([t[2] for t in TRUTH])
    lat = np.array([t[3] for t in TRUTH])
    if crs_name == "gcj02":
        lon, lat = crs.wgs84_to_gcj02(lon, lat)
    elif crs_name == "bd09":
        lon, lat = crs.wgs84_to_bd09(lon, lat)
    return pd.DataFrame({"编号": [t[0] for t in TRUTH], "机构名称": [t[1] for t in TRUTH],
                         "经度": np.round(lon, 7), "纬度": np.round(lat, 7),
                         "托位数": [30, 45, 20, 60], "所属镇街": ["暨阳街道", "浣东街道",
                                                                "陶朱街道", "大唐街道"],
                         "地址": ["诸暨市某路1号"] * 4})


# --------------------------------------------------------------------------- formats


def test_gbk_csv_chinese_headers(tmp_path):
    p = tmp_path / "托育.csv"
    truth_frame().to_csv(p, index=False, encoding="gbk")
    assert "机构名称".encode("gbk") in p.read_bytes()
    gdf, issues = load_layer(LayerSource(key="childcare", source=p))
    assert_truth(gdf)
    assert gdf.attrs["encoding"] == "gb18030"
    assert issues.empty and list(issues.columns) == list(ISSUE_COLUMNS)
    assert gdf["facility_id"].tolist() == ["F01", "F02", "F03", "F04"]
    assert gdf["capacity"].tolist() == [30.0, 45.0, 20.0, 60.0]
    assert gdf["town"].iloc[1] == "浣东街道" and gdf["address"].iloc[0] == "诸暨市某路1号"
    assert gdf["open"].all() and gdf["source_row"].tolist() == [1, 2, 3, 4]
    assert gdf.attrs["qa"] == {**gdf.attrs["qa"], "loaded": 4, "skipped": 0,
                               "merged_duplicates": 0, "warnings": 0}


def test_utf8_bom_csv_english_headers_gcj02(tmp_path):
    df = truth_frame("gcj02").rename(columns={"编号": "ID", "机构名称": "Name", "经度": "lng",
                                              "纬度": "Latitude", "托位数": "capacity"})
    p = tmp_path / "childcare.csv"
    df.to_csv(p, index=False, encoding="utf-8-sig")
    gdf, issues = load_layer(LayerSource(key="childcare", source=p, crs="gcj02"))
    assert gdf.attrs["encoding"] == "utf-8-sig"
    assert_truth(gdf)
    assert issues.empty


def test_xlsx_bd09_named_sheet_and_title_row(tmp_path):
    p = tmp_path / "clinics.xlsx"
    df = truth_frame("bd09")
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"x": [1]}).to_excel(xw, sheet_name="说明", index=False)
        # A title row above the header, as in many official spreadsheets.
        pd.DataFrame([["诸暨市卫生机构名单（合成数据）"]]).to_excel(
            xw, sheet_name="名单", index=False, header=False)
        df.to_excel(xw, sheet_name="名单", index=False, startrow=1)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p, crs="bd09", sheet="名单"))
    assert_truth(gdf)
    assert "encoding" not in gdf.attrs
    with pytest.raises(InputError, match="no sheet 'nope'") as ei:
        load_layer(LayerSource(key="clinic", source=p, sheet="nope"))
    assert "名单" in str(ei.value)


def test_xlsx_first_sheet(tmp_path):
    p = tmp_path / "a.xlsx"
    truth_frame().to_excel(p, index=False)
    gdf, _ = load_layer(LayerSource(key="elderly", source=p))
    assert_truth(gdf)
    assert gdf["facility_id"].iloc[0] == "F01"


def test_geojson_gcj02_and_polygons(tmp_path):
    lon, lat = crs.wgs84_to_gcj02([t[2] for t in TRUTH], [t[3] for t in TRUTH])
    geoms = [shapely.Point(x, y) for x, y in zip(lon, lat)]
    # Last facility as a small square polygon around its point: reduced to a point inside.
    x, y = lon[-1], lat[-1]
    geoms[-1] = shapely.box(x - 2e-6, y - 2e-6, x + 2e-6, y + 2e-6)
    g = gpd.GeoDataFrame({"name": [t[1] for t in TRUTH], "type": ["健身房"] * 4},
                         geometry=geoms, crs="EPSG:4326")
    p = tmp_path / "fitness.geojson"
    g.to_file(p, driver="GeoJSON")
    gdf, issues = load_layer(LayerSource(key="fitness", source=p, crs="gcj02"))
    assert_truth(gdf)
    assert set(gdf["subtype"]) == {"百姓健身房"}  # alias 健身房 -> canonical sub-type
    assert gdf["facility_id"].tolist() == [f"fitness-{i}" for i in range(1, 5)]


def test_geopackage_projected_file_crs(tmp_path):
    g = gpd.GeoDataFrame({"名称": [t[1] for t in TRUTH]},
                         geometry=gpd.points_from_xy([t[2] for t in TRUTH],
                                                     [t[3] for t in TRUTH]), crs="EPSG:4326")
    p = tmp_path / "clinic.gpkg"
    g.to_crs("EPSG:4549").to_file(p, driver="GPKG")
    gdf, issues = load_layer(LayerSource(key="clinic", source=p))
    assert_truth(gdf, tol_m=0.01)


def test_shapefile(tmp_path):
    g = gpd.GeoDataFrame({"name": [t[1] for t in TRUTH]},
                         geometry=gpd.points_from_xy([t[2] for t in TRUTH],
                                                     [t[3] for t in TRUTH]), crs="EPSG:4326")
    p = tmp_path / "elderly.shp"
    g.to_file(p, encoding="utf-8")
    gdf, _ = load_layer(LayerSource(key="elderly", source=p))
    assert_truth(gdf, tol_m=0.01)


def test_projected_csv_epsg4549_and_column_mapping(tmp_path):
    pts = gpd.GeoSeries(gpd.points_from_xy([t[2] for t in TRUTH], [t[3] for t in TRUTH]),
                        crs="EPSG:4326").to_crs("EPSG:4549")
    df = pd.DataFrame({"设施": [t[1] for t in TRUTH], "E": pts.x.round(3), "N": pts.y.round(3),
                       "beds_total": ["50床", "1,200", "", "30"]})
    p = tmp_path / "beds.csv"
    df.to_csv(p, index=False)
    lay = LayerSource(key="elderly", source=p, crs="EPSG:4549",
                      columns={"设施": "name", "E": "lon", "N": "lat", "beds_total": "capacity"})
    gdf, issues = load_layer(lay)
    assert_truth(gdf, tol_m=0.01)
    assert gdf["capacity"].iloc[:2].tolist() == [50.0, 1200.0]
    assert np.isnan(gdf["capacity"].iloc[2])
    assert issues.empty


def test_lonlat_in_one_cell_and_dms(tmp_path):
    df = pd.DataFrame({"名称": ["甲", "乙"], "经纬度": ["120.2401,29.7102", "120.2752，29.7155"]})
    p = tmp_path / "a.csv"
    df.to_csv(p, index=False)
    gdf, issues = load_layer(LayerSource(key="disability", source=p))
    assert len(gdf) == 2 and issues.empty
    assert gdf.geometry.x.round(4).tolist() == [120.2401, 120.2752]
    df = pd.DataFrame({"名称": ["甲"], "经度": ["120°14'24\"E"], "纬度": ["北纬29度42分36秒"]})
    df.to_csv(p, index=False)
    gdf, issues = load_layer(LayerSource(key="disability", source=p))
    assert gdf.geometry.x.iloc[0] == pytest.approx(120.24)
    assert gdf.geometry.y.iloc[0] == pytest.approx(29.71)


# --------------------------------------------------------------------------- bad rows


def _bad_csv(tmp_path: Path) -> Path:
    rows = [
        # 1 good
        ["C1", "城东卫生服务站", "120.2401", "29.7102", "社区卫生服务站", "10", "是"],
        # 2 missing longitude
        ["C2", "缺经度", "", "29.7102", "村卫生室", "", ""],
        # 3 non-numeric latitude
        ["C3", "坏纬度", "120.25", "29.7x", "村卫生室", "", ""],
        # 4 latitude out of range (and not a swap)
        ["C4", "越界", "120.25", "129.7", "村卫生室", "", ""],
        # 5 negative capacity: kept, capacity left empty
        ["C5", "负床位", "120.26", "29.72", "乡镇卫生院", "-5", ""],
        # 6 unknown sub-type: kept
        ["C6", "宠物医院", "120.27", "29.73", "宠物医院", "", ""],
        # 7 duplicate of row 1 (same name, ~1 m away)
        ["C7", "城东卫生服务站", "120.24011", "29.71020", "社区卫生服务站", "10", ""],
        # 8 lat/lon swapped: used swapped, warned
        ["C8", "交换", "29.7402", "120.2201", "村卫生室", "", "否"],
        # 9 0,0 placeholder
        ["C9", "零点", "0", "0", "村卫生室", "", ""],
        # 10 outside the study area: kept, warned
        ["C10", "杭州某站", "120.16", "30.27", "社区卫生服务站", "", ""],
        # 11 unrecognised open flag
        ["C11", "状态怪", "120.28", "29.74", "村卫生室", "", "也许"],
    ]
    df = pd.DataFrame(rows, columns=["编号", "名称", "经度", "纬度", "类别", "床位数", "是否开放"])
    p = tmp_path / "clinics.csv"
    df.to_csv(p, index=False, encoding="gbk")
    return p


AREA = shapely.box(120.0, 29.5, 120.5, 29.95)


def _issue(issues: pd.DataFrame, code: str) -> pd.Series:
    hit = issues[issues["issue"] == code]
    assert len(hit) == 1, (code, issues)
    return hit.iloc[0]


@pytest.mark.parametrize("code,row,column,action,words", [
    ("missing_coordinate", 2, "经度", "skipped", "longitude is empty"),
    ("non_numeric_coordinate", 3, "纬度", "skipped", "'29.7x' is not a number"),
    ("coordinate_out_of_range", 4, "纬度", "skipped", "latitude 129.7 is out of range"),
    ("negative_value", 5, "床位数", "warning", "capacity '-5' is negative"),
    ("unknown_subtype", 6, "类别", "warning", "unknown sub-type '宠物医院'"),
    ("duplicate", 7, "名称", "merged", "repeats row 1"),
    ("swapped_coordinates", 8, "经度/纬度", "warning", "look swapped"),
    ("outside_study_area", 10, "经度", "warning", "outside the study area"),
    ("unrecognised_open_flag", 11, "是否开放", "warning", "'也许' not understood"),
])
def test_bad_rows_reported(tmp_path, code, row, column, action, words):
    p = _bad_csv(tmp_path)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p), study_area=AREA)
    it = _issue(issues, code)
    assert (it["file"], it["row"], it["column"], it["action"]) == (str(p), row, column, action)
    assert it["layer"] == "clinic"
    assert it["message"].startswith(f"clinics.csv, row {row}, column '{column}': ")
    assert words in it["message"]
    # Skipped/merged rows are absent; warned rows are present.
    assert (row in set(gdf["source_row"])) == (action == "warning")
    # strict: the same input is fatal, and the error names file, row and column.
    with pytest.raises(InputError) as ei:
        load_layer(LayerSource(key="clinic", source=p), study_area=AREA, strict=True)
    text = str(ei.value)
    assert f"{p}, row {row}, column '{column}': " in text and words in text


def test_bad_rows_accounted_and_values(tmp_path):
    p = _bad_csv(tmp_path)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p), study_area=AREA)
    assert_accounted(gdf, issues, 11)
    assert gdf["source_row"].tolist() == [1, 5, 6, 8, 10, 11]
    assert _issue(issues, "missing_coordinate")["row"] == 2  # 0,0 is reported too:
    zero = _issue(issues, "zero_coordinate")
    assert zero["row"] == 9 and zero["action"] == "skipped" and "0,0" in zero["message"]
    r = gdf.set_index("source_row")
    assert np.isnan(r.loc[5, "capacity"]) and r.loc[1, "capacity"] == 10.0
    assert r.loc[6, "subtype"] == "宠物医院"
    assert r.loc[8].geometry.x == pytest.approx(120.2201) and not r.loc[8, "open"]
    assert r.loc[11, "open"]
    assert gdf.attrs["qa"] == {**gdf.attrs["qa"], "loaded": 6, "skipped": 4,
                               "merged_duplicates": 1, "warnings": 5}
    # strict raises every issue at once
    with pytest.raises(InputError) as ei:
        load_layer(LayerSource(key="clinic", source=p), study_area=AREA, strict=True)
    assert len(ei.value.errors) == len(issues)


def test_single_strict_error_is_plain_input_error(tmp_path):
    df = truth_frame().astype({"经度": object})
    df.loc[2, "经度"] = "abc"
    p = tmp_path / "one.csv"
    df.to_csv(p, index=False)
    with pytest.raises(InputError) as ei:
        load_layer(LayerSource(key="childcare", source=p), strict=True)
    e = ei.value
    assert (e.file, e.row, e.column) == (str(p), 3, "经度")
    assert "'abc' is not a number" in e.message


def test_empty_layer(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("名称,经度,纬度\n", encoding="utf-8")
    gdf, issues = load_layer(LayerSource(key="fitness", source=p))
    assert len(gdf) == 0 and list(gdf.columns) == list(FACILITY_COLUMNS)
    assert _issue(issues, "empty_layer")["action"] == "warning"
    with pytest.raises(InputError, match="no usable facilities"):
        load_layer(LayerSource(key="fitness", source=p), strict=True)


def test_no_coordinate_columns_is_fatal(tmp_path):
    p = tmp_path / "nocoords.csv"
    pd.DataFrame({"名称": ["a"], "地址": ["b"]}).to_csv(p, index=False)
    with pytest.raises(InputError, match="no coordinate columns") as ei:
        load_layer(LayerSource(key="clinic", source=p))
    assert "名称" in str(ei.value)


def test_mapped_column_missing_is_fatal(tmp_path):
    p = tmp_path / "a.csv"
    truth_frame().to_csv(p, index=False)
    with pytest.raises(InputError) as ei:
        load_layer(LayerSource(key="clinic", source=p, columns={"Lng": "lon"}))
    assert ei.value.column == "Lng" and "机构名称" in str(ei.value)
    with pytest.raises(InputError, match="unknown standard field"):
        load_layer(LayerSource(key="clinic", source=p, columns={"经度": "longitude"}))


def test_projected_values_declared_wgs84_hint(tmp_path):
    p = tmp_path / "a.csv"
    pd.DataFrame({"名称": ["a"], "x": [512345.0], "y": [3289000.0]}).to_csv(p, index=False)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p))
    it = _issue(issues, "coordinate_out_of_range")
    assert "EPSG" in it["message"] and it["row"] == 1


def test_unknown_layer_and_multi_layer_file(tmp_path):
    df = pd.DataFrame({"图层": ["卫生", "托育", "火星站", "健身"], "名称": list("abcd"),
                       "经度": [120.24, 120.25, 120.26, 120.27], "纬度": [29.71] * 4})
    p = tmp_path / "all.csv"
    df.to_csv(p, index=False)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p))
    assert gdf["name"].tolist() == ["a"]
    assert _issue(issues, "unknown_layer")["row"] == 3
    assert set(issues.loc[issues["issue"] == "other_layer", "row"]) == {2, 4}
    assert_accounted(gdf, issues, 4)
    # load_layers: rows used by another configured layer are not reported; others are.
    fac, issues = load_layers(_sources([{"key": "clinic", "source": str(p)},
                                        {"key": "childcare", "source": str(p)}]))
    assert sorted(fac["name"]) == ["a", "b"]
    assert sorted(issues["row"].tolist()) == [3, 3, 4, 4]
    assert fac.attrs["qa"]["loaded"] == 2


def _sources(layers: list[dict]) -> list[LayerSource]:
    return [LayerSource(**{**d, "source": Path(d["source"])}) for d in layers]


def test_load_layers_concatenates_and_strict(tmp_path):
    a = tmp_path / "a.csv"
    truth_frame().to_csv(a, index=False, encoding="gbk")
    b = tmp_path / "b.csv"
    bad = truth_frame("gcj02").astype({"纬度": object})
    bad.loc[0, "纬度"] = ""
    bad.to_csv(b, index=False, encoding="utf-8-sig")
    srcs = _sources([{"key": "childcare", "source": str(a)},
                     {"key": "clinic", "source": str(b), "crs": "gcj02"}])
    fac, issues = load_layers(srcs)
    assert list(fac.columns) == list(FACILITY_COLUMNS) and fac.crs.to_epsg() == 4326
    assert fac["layer"].value_counts().to_dict() == {"childcare": 4, "clinic": 3}
    assert len(issues) == 1 and issues["row"].iloc[0] == 1 and issues["file"].iloc[0] == str(b)
    assert fac.attrs["qa"]["loaded"] == 7 and fac.attrs["qa"]["skipped"] == 1
    assert fac.attrs["encoding_by_layer"] == {"childcare": "gb18030", "clinic": "utf-8-sig"}
    with pytest.raises(InputError) as ei:
        load_layers(srcs, strict=True)
    assert (ei.value.file, ei.value.row, ei.value.column) == (str(b), 1, "纬度")


def test_duplicate_ids_renamed(tmp_path):
    df = truth_frame()
    df["编号"] = ["X", "X", "Y", ""]
    p = tmp_path / "a.csv"
    df.to_csv(p, index=False)
    gdf, issues = load_layer(LayerSource(key="clinic", source=p))
    assert gdf["facility_id"].tolist() == ["X", "X-2", "Y", "clinic-4"]
    assert _issue(issues, "duplicate_id")["row"] == 2
    assert gdf["facility_id"].is_unique
