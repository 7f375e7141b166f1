"""Villages table and facility -> village matching (code, name, address; own township)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from circle15.coverage.plan import evaluate_targets, load_plan
from circle15.errors import InputError
from circle15.geo.areas.villages import load_villages, match_villages

ZONES = pd.DataFrame({"zone_id": ["990001001", "990001002"], "zone_name": ["甲镇", "乙镇"]})


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_load_gbk_with_chinese_headers_and_township_names(tmp_path: Path):
    p = _write(tmp_path / "v.csv", "村代码,村名称,所属乡镇\n990001001001,上塘村,甲镇\n"
               "990001001002,江东社区,990001001\n990001002001,上塘村,乙镇\n", "gbk")
    v = load_villages(p, ZONES)
    assert v.drop(columns=["lon", "lat"]).to_dict("list") == {
        "village_id": ["990001001001", "990001001002", "990001002001"],
        "village_name": ["上塘村", "江东社区", "上塘村"],
        "zone_id": ["990001001", "990001001", "990001002"],
        "urban_rural": ["rural", "urban", "rural"]}  # 村 rural, 社区 urban by name
    assert v["lon"].isna().all() and v["lat"].isna().all()  # no centre columns


def test_centres_converted_and_class_code_wins_over_name(tmp_path: Path):
    from circle15.geo.crs import wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(120.25, 29.7)
    p = _write(tmp_path / "v.csv", "村代码,村名称,乡镇代码,经度,纬度,城乡分类代码\n"
               f"990001001001,上塘村,990001001,{glon:.7f},{glat:.7f},121\n"
               "990001001002,江东社区,990001001,,,\n"
               "990001002001,下塘村,990001002,120.3,29.8,220\n")
    v = load_villages(p, ZONES, crs="gcj02")
    assert v["urban_rural"].tolist() == ["urban", "urban", "rural"]  # 121 镇中心区 is urban
    assert abs(v["lon"][0] - 120.25) < 1e-5 and abs(v["lat"][0] - 29.7) < 1e-5  # GCJ-02 off
    assert v["lon"].isna().tolist() == [False, True, False]


def test_centre_with_one_coordinate_names_row(tmp_path: Path):
    p = _write(tmp_path / "v.csv", "code,name,zone_id,lon,lat\n1,a,990001001,120.1,\n")
    with pytest.raises(InputError, match="both coordinates") as info:
        load_villages(p, ZONES)
    assert info.value.row == 1 and info.value.column == "lon"


@pytest.mark.parametrize(("text", "words", "row", "column"), [
    ("code,name,zone_id\n1,a,990001001\n1,b,990001001\n", "appears twice", 2, "code"),
    ("code,name,zone_id\n1,a,990001001\n2,b,丙镇\n", "'丙镇' is not one of the zones", 2,
     "zone_id"),
])
def test_bad_tables_name_row_and_column(tmp_path: Path, text, words, row, column):
    p = _write(tmp_path / "v.csv", text)
    with pytest.raises(InputError) as info:
        load_villages(p, ZONES)
    e = info.value
    assert words in str(e) and e.row == row and e.column == column and e.file == str(p)


def test_missing_column(tmp_path: Path):
    p = _write(tmp_path / "v.csv", "code,zone_id\n1,990001001\n")
    with pytest.raises(InputError, match="no village name column"):
        load_villages(p, ZONES)


def test_match_by_code_name_and_address_within_own_township():
    villages = pd.DataFrame({"village_id": ["V1", "V2", "V3"],
                             "village_name": ["上塘村", "江东社区", "上塘村"],
                             "zone_id": ["990001001", "990001001", "990001002"]})
    fac = pd.DataFrame({
        "village": ["V2", "上塘", "", "", "不存在村"],
        "zone_id": ["990001001", "990001002", "990001001", "990001001", "990001001"],
        "address": ["", "", "甲镇江东社区8号", "甲镇河边路1号", ""],
    })
    vid, counts = match_villages(fac, villages)
    # "上塘" in 乙镇 is V3, not 甲镇's 上塘村 (V1): names only match in the own township
    assert vid.tolist() == ["V2", "V3", "V2", "", ""]
    assert counts == {"by_code": 1, "by_name": 1, "by_address": 1, "unmatched": 2}


def test_village_targets_become_measurable():
    plan = load_plan("zhuji-2023")
    villages = pd.DataFrame({"village_id": ["V1", "V2", "V3", "V4"],
                             "village_name": ["a", "b", "c", "d"],
                             "zone_id": ["990001001", "990001001", "990001002", "990001002"]})
    fac = pd.DataFrame({"facility_id": ["f1", "f2"], "layer": ["fitness", "fitness"],
                        "subtype": ["健身广场", "健身广场"], "capacity": [float("nan")] * 2,
                        "staff": [float("nan")] * 2, "zone_id": ["990001001", "990001001"],
                        "village_id": ["V1", "V2"]})
    zones = ZONES.assign(population=[100.0, 100.0])
    cov = pd.DataFrame(columns=["zone_id", "zone_name", "layer", "group", "minutes",
                                "population", "covered_population", "coverage_rate"])
    t = evaluate_targets(plan, 2027, coverage=cov, zones=zones, facilities=fac,
                         villages=villages)
    sport = t[(t["level"] == "village") & (t["layer"] == "fitness")].set_index("zone_id")
    assert len(sport) == 3
    assert sport.loc["990001001", "value"] == pytest.approx(100.0)
    assert sport.loc["990001001", "status"] == "met"
    assert sport.loc["990001002", "value"] == 0 and sport.loc["990001002", "status"] == "not_met"
    assert sport.loc["ALL", "value"] == pytest.approx(50.0)
