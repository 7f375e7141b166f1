"""The standards in a run, on the tiny hand-checked street (tests/support/tiny.py).

Walking at 4.5 km/h = 75 m/min along one 2 km street (x = 0 … 2000 m); people at x = 100,
300, 500, 800 (zone W, x < 1000) and 1200 (zone E) with 10, 20, 30, 40, 50 people, and
60+ counts 5, 10, 15, 20, 25. Villages: A 江东社区 (urban) centre x = 300, B 上塘村 (rural)
centre x = 800, both in W; C 下塘村 (rural) centre x = 1200 in E. With 村代码 on the points,
100 and 300 live in A, 500 and 800 in B, 1200 in C.

Every expected number below is worked out by hand in the test's comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import circle15 as c15
from support.tiny import lonlat, write_tiny_inputs

PEOPLE = [(100, 10, 5, "V_A"), (300, 20, 10, "V_A"), (500, 30, 15, "V_B"), (800, 40, 20, "V_B"),
          (1200, 50, 25, "V_C")]


def _inputs(d: Path, *, village_codes: bool = True, layers: str = "", extra: str = "",
            zones_east_to: float = 2500.0) -> Path:
    cfg = write_tiny_inputs(d)
    head = "lon,lat,population,age_60p" + (",村代码" if village_codes else "")
    lines = [head]
    for x, n, old, v in PEOPLE:
        lon, lat = lonlat(x)
        lines.append(f"{lon:.10f},{lat:.10f},{n},{old}" + (f",{v}" if village_codes else ""))
    (d / "population.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    vil = ["村代码,村名称,乡镇代码,经度,纬度"]
    for code, name, zone, x in (("V_A", "江东社区", "W", 300), ("V_B", "上塘村", "W", 800),
                                ("V_C", "下塘村", "E", 1200)):
        lon, lat = lonlat(x)
        vil.append(f"{code},{name},{zone},{lon:.10f},{lat:.10f}")
    (d / "villages.csv").write_text("\n".join(vil) + "\n", encoding="utf-8")
    if zones_east_to != 2500.0:
        z = json.loads((d / "zones.geojson").read_text(encoding="utf-8"))
        ring = [[*lonlat(1000, -500)], [*lonlat(zones_east_to, -500)],
                [*lonlat(zones_east_to, 500)], [*lonlat(1000, 500)], [*lonlat(1000, -500)]]
        z["features"][1]["geometry"]["coordinates"] = [ring]
        (d / "zones.geojson").write_text(json.dumps(z, ensure_ascii=False), encoding="utf-8")
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('name_column = "zone_name"\n',
                        'name_column = "zone_name"\nvillages = "villages.csv"\n')
    text = text.replace('y_column = "lat"\n', 'y_column = "lat"\ngroups = { age_60p = "age_60p" }\n')
    text = text.replace('plan = "zhuji-2023"', 'plan = "none"')
    text = text.replace("[coverage]", layers + "\n[coverage]")
    text = text.replace('source = "clinic.csv"\n',
                        'source = "clinic.csv"\nstandard = ["health_station"]\n')
    cfg.write_text(text + "\n" + extra, encoding="utf-8")
    return cfg


def _facility(d: Path, name: str, rows: list[tuple[str, float, float | None]]) -> None:
    lines = ["编号,名称,经度,纬度,容量"]
    for fid, x, cap in rows:
        lon, lat = lonlat(x)
        lines.append(f"{fid},{fid}号,{lon:.10f},{lat:.10f},{'' if cap is None else cap}")
    (d / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _run(cfg: Path) -> tuple[pd.DataFrame, c15.RunResult]:
    res = c15.compute(c15.load_config(cfg))
    assert res.standards is not None
    return res.standards, res


def _pick(t: pd.DataFrame, entry: str, level: str, den: str) -> dict[str, tuple[float, float]]:
    rows = t[(t.entry == entry) & (t.level == level) & (t.denominator == den)]
    return {r.zone_id: (r.covered, r.total) for r in rows.itertuples()}


LAYERS = '''
[[layers]]
key = "kindergarten"
source = "k.csv"

[[layers]]
key = "middle_school"
source = "m.csv"
'''


def test_each_layer_at_its_own_threshold_and_level(tmp_path: Path):
    cfg = _inputs(tmp_path, layers=LAYERS)
    _facility(tmp_path, "k.csv", [("K1", 0, None)])
    _facility(tmp_path, "m.csv", [("M1", 0, None)])
    t, res = _run(cfg)
    # classes from the points' villages: A urban (x=100, 300: 30 people), B rural (500, 800:
    # 70), C rural (1200: 50)
    # kindergarten: urban_5 only -> urban residents; 100 (1.3 min) and 300 (4 min) covered
    assert _pick(t, "kindergarten", "urban_5", "population") == {
        "W": (30, 30), "E": (0, 0), "ALL": (30, 30)}
    assert set(t[t.entry == "kindergarten"].level) == {"urban_5"}  # no rural rule
    # middle school: urban_15 for urban (30/30) and the 乡集镇 rule (20 min) for rural:
    # 500 (6.7), 800 (10.7) and 1200 (16 min) all within 20 min
    assert _pick(t, "middle_school", "urban_15", "population")["ALL"] == (30, 30)
    assert _pick(t, "middle_school", "town", "population") == {
        "W": (70, 70), "E": (50, 50), "ALL": (120, 120)}
    # health station (clinic layer): urban_5 for A, village level 15 min for B and C:
    # 500 and 800 within 15 min, 1200 (16 min) not
    assert _pick(t, "health_station", "village", "population") == {
        "W": (70, 70), "E": (0, 50), "ALL": (70, 120)}
    # villages by residents: B all covered, C none -> 1 of 2 rural villages
    assert _pick(t, "health_station", "village", "villages") == {
        "W": (1, 1), "E": (0, 1), "ALL": (1, 2)}
    assert set(t[(t.denominator == "villages")].basis) == {"residents"}
    # townships with a facility: only W has one
    assert _pick(t, "health_station", "village", "townships") == {
        "W": (1, 1), "E": (0, 1), "ALL": (1, 2)}
    # the composite 完整服务圈 of the village level is the only ▲ item there
    assert _pick(t, "ALL", "village", "population")["ALL"] == (70, 120)
    # the common 5/10/15 table is still there, unchanged
    cov = res.coverage
    row = cov[(cov.layer == "clinic") & (cov.zone_id == "ALL") & (cov.group == "total")
              & (cov.minutes == 5)]
    assert row.covered_population.item() == 30


def test_village_share_and_overrides(tmp_path: Path):
    # override every health_station rule to 8 min (600 m): B has 500 (covered, 30 people)
    # and 800 (10.7 min, not: 40) -> 30/70 = 43 % of its residents
    extra = '[standards]\noverrides = { health_station = { minutes = 8 } }\n'
    cfg = _inputs(tmp_path, layers=LAYERS, extra=extra)
    _facility(tmp_path, "k.csv", [("K1", 0, None)])
    _facility(tmp_path, "m.csv", [("M1", 0, None)])
    t, _ = _run(cfg)
    assert _pick(t, "health_station", "village", "population")["W"] == (30, 70)
    assert _pick(t, "health_station", "village", "villages")["W"] == (0, 1)  # 43 % < 50 %
    cfg.write_text(cfg.read_text(encoding="utf-8") + "village_share = 0.4\n", encoding="utf-8")
    t, _ = _run(cfg)
    assert _pick(t, "health_station", "village", "villages")["W"] == (1, 1)  # 43 % >= 40 %


def test_villages_by_centre_without_resident_codes(tmp_path: Path):
    cfg = _inputs(tmp_path, layers=LAYERS, village_codes=False)
    _facility(tmp_path, "k.csv", [("K1", 0, None)])
    _facility(tmp_path, "m.csv", [("M1", 0, None)])
    t, res = _run(cfg)
    assert res.report["standards"]["classes"] == "nearest_centre"
    # classes from the nearest centre in the township: 100, 300, 500 -> A (urban; 500 is
    # 200 m from A, 300 m from B), 800 -> B, 1200 -> C
    assert _pick(t, "health_station", "urban_5", "population")["W"] == (30, 60)
    assert _pick(t, "health_station", "village", "population")["ALL"] == (40, 90)
    # centres: B at 800 m (10.7 min) covered at 15 min, C at 1200 m (16 min) not
    assert _pick(t, "health_station", "village", "villages") == {
        "W": (1, 1), "E": (0, 1), "ALL": (1, 2)}
    assert set(t[t.denominator == "villages"].basis) == {"centre"}


def test_capacity_split_and_quota(tmp_path: Path):
    # childcare, quota overridden to 1 place per person, at the 5-minute level (375 m):
    # F1 at x=0 (W) has 20 places for x=100, 300 (30 people): 20/30 < 1 -> over capacity;
    # F2 at x=1100 (E) has 100 places for x=800 and 1200 (90 people; 300 m and 100 m):
    # 100/90 >= 1 -> within capacity; x=500 is 500 m from both -> uncovered.
    layers = '\n[[layers]]\nkey = "childcare"\nsource = "c.csv"\ngroup = "total"\n'
    extra = ('[standards]\noverrides = { childcare = { quota = { value = 1, per = 1, '
             'basis = "people", unit = "托位", unit_en = "places" } } }\n')
    cfg = _inputs(tmp_path, layers=layers, extra=extra)
    _facility(tmp_path, "c.csv", [("F1", 0, 20), ("F2", 1100, 100)])
    text = cfg.read_text(encoding="utf-8").replace('villages = "villages.csv"\n', "")
    cfg.write_text(text, encoding="utf-8")  # no villages: everyone judged by urban levels
    t, _ = _run(cfg)
    assert _pick(t, "childcare", "urban_5", "population")["ALL"] == (120, 150)
    assert _pick(t, "childcare", "urban_5", "capacity_within") == {
        "W": (40, 100), "E": (50, 50), "ALL": (90, 150)}
    assert _pick(t, "childcare", "urban_5", "capacity_over") == {
        "W": (30, 100), "E": (0, 50), "ALL": (30, 150)}
    # quota: places asked = 1 per person (W 100, E 50); supplied W 20, E 100
    assert _pick(t, "childcare", "urban_5", "quota") == {
        "W": (20, 100), "E": (100, 50), "ALL": (120, 150)}


def test_elderly_at_their_own_speed(tmp_path: Path):
    # day care (urban_5: 5 min) judged for age_60p at a 2.7 km/h profile (45 m/min: 225 m):
    # only x=100 (5 of the 60+) is covered, where walking speed covers 100 and 300 (15)
    layers = '\n[[layers]]\nkey = "day_care"\nsource = "d.csv"\ngroup = "age_60p"\n'
    cfg = _inputs(tmp_path, layers=layers)
    _facility(tmp_path, "d.csv", [("D1", 0, None)])
    t, _ = _run(cfg)
    assert _pick(t, "day_care", "urban_5", "group")["W"] == (15, 15)
    cfg.write_text(cfg.read_text(encoding="utf-8") + '[standards]\nprofiles = { age_60p = '
                   '"slow" }\nspeeds = { slow = 2.7 }\n', encoding="utf-8")
    t, _ = _run(cfg)
    assert _pick(t, "day_care", "urban_5", "group")["W"] == (5, 15)
    assert set(t[t.entry == "day_care"].profile) == {"slow"}


@pytest.mark.parametrize("count", [False, True])
def test_facility_across_the_boundary_counts_only_when_switched_on(tmp_path: Path, count):
    # zone E ends at x = 1900; a second clinic at x = 2000 (the street's east end) lies
    # outside the area. x=1200 is 16 min from C1 (x=0) and 800 m = 10.7 min from it.
    cfg = _inputs(tmp_path, zones_east_to=1900.0)
    text = cfg.read_text(encoding="utf-8").replace(
        "isochrones = true", f"isochrones = true\ncount_outside = {str(count).lower()}")
    cfg.write_text(text, encoding="utf-8")
    lon, lat = lonlat(2000.0)
    with (tmp_path / "clinic.csv").open("a", encoding="utf-8") as f:
        f.write(f"C2,邻县卫生院（合成）,乡镇卫生院,{lon:.10f},{lat:.10f},邻县（合成）\n")
    t, res = _run(cfg)
    fac = res.facilities.set_index("facility_id")
    assert bool(fac.loc["C2", "outside"]) and not bool(fac.loc["C1", "outside"])
    cov = res.coverage
    e15 = cov[(cov.layer == "clinic") & (cov.zone_id == "E") & (cov.minutes == 15)
              & (cov.group == "total")].covered_population.item()
    assert e15 == (50 if count else 0)
    # health station, village level (15 min) for C (rural, x=1200): only C2 reaches it
    assert _pick(t, "health_station", "village", "population")["E"] == (50 if count else 0, 50)
    assert _pick(t, "health_station", "village", "villages")["E"] == (1 if count else 0, 1)
    # townships with a facility: C2 is in no township either way
    assert _pick(t, "health_station", "village", "townships")["E"] == (0, 1)
    problems = {p["code"] for p in res.report["data_problems"]}
    assert ("facilities_outside_counted" if count else "facilities_outside") in problems


def test_on_foot_or_by_bike_with_a_second_network(tmp_path: Path):
    # 健身 (urban_15, walk or bike) at x = 0. On foot (75 m/min) x = 1200 is 16 min away;
    # by bike (12 km/h = 200 m/min) 6 min: with standards.modes = ["bike"] E is covered.
    layers = '\n[[layers]]\nkey = "fitness"\nsource = "f.csv"\n'
    cfg = _inputs(tmp_path, layers=layers)
    _facility(tmp_path, "f.csv", [("G1", 0, None)])
    text = cfg.read_text(encoding="utf-8").replace('villages = "villages.csv"\n', "")
    cfg.write_text(text, encoding="utf-8")
    t, _ = _run(cfg)
    assert _pick(t, "fitness", "urban_15", "population")["ALL"] == (100, 150)
    assert set(t[t.entry == "fitness"].modes) == {"walk"}
    cfg.write_text(text + '[standards]\nmodes = ["bike"]\n', encoding="utf-8")
    t, res = _run(cfg)
    assert _pick(t, "fitness", "urban_15", "population")["ALL"] == (150, 150)
    assert set(t[t.entry == "fitness"].modes) == {"walk+bike"}
    # the common table stays on foot
    cov = res.coverage
    assert cov[(cov.layer == "fitness") & (cov.zone_id == "ALL") & (cov.minutes == 15)
               & (cov.group == "total")].covered_population.item() == 100


@pytest.mark.parametrize(("extra", "words", "key"), [
    ('[standards]\noverrides = { kindergarten = { minutes = -1 } }\n', "", "standards.overrides"),
    ('[standards]\noverrides = { nosuch = { minutes = 5 } }\n', "no catalogue entry",
     "standards.overrides.nosuch"),
    ('[standards]\ncatalogue = "missing.toml"\n', "file not found", "standards.catalogue"),
    ('[standards]\nprofiles = { age_60p = "jogger" }\n', "unknown speed profile",
     "standards.profiles.age_60p"),
])
def test_bad_standards_input_exits_2_naming_the_key(tmp_path: Path, extra, words, key):
    from typer.testing import CliRunner

    from circle15.cli import app

    cfg = _inputs(tmp_path, layers=LAYERS, extra=extra)
    _facility(tmp_path, "k.csv", [("K1", 0, None)])
    _facility(tmp_path, "m.csv", [("M1", 0, None)])
    for cmd in (["check", str(cfg)], ["run", str(cfg)]):
        r = CliRunner().invoke(app, cmd)
        assert r.exit_code == 2, r.output
        assert key in r.output and words in r.output
    assert not (tmp_path / "out").exists()


def test_layer_standard_naming_no_entry(tmp_path: Path):
    cfg = _inputs(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        'standard = ["health_station"]', 'standard = ["clinics"]'), encoding="utf-8")
    with pytest.raises(c15.InputError) as info:
        c15.compute(c15.load_config(cfg))
    assert info.value.key == "layers[0].standard[0]" and "clinics" in str(info.value)


def _square(x0: float, x1: float, y0: float, y1: float) -> list[list[float]]:
    return [[*lonlat(x0, y0)], [*lonlat(x1, y0)], [*lonlat(x1, y1)], [*lonlat(x0, y1)],
            [*lonlat(x0, y0)]]


def test_buildings_floor_area_and_compounds(tmp_path: Path):
    # four 20 m x 20 m two-storey homes 5..25 m north of the street at x = 100, 500, 800,
    # 1200 (800 m² each, 40 m² per person: 20 people each); a kindergarten at x = 0, 5 min
    # = 375 m. The home at 100 is 100 m along + 15 m to its centre: 1.5 min, covered; the
    # others are more than 375 m away.
    cfg = write_tiny_inputs(tmp_path)
    feats = [{"type": "Feature", "properties": {"building": "residential", "building:levels": 2},
              "geometry": {"type": "Polygon", "coordinates": [_square(x - 10, x + 10, 5, 25)]}}
             for x in (100, 500, 800, 1200)]
    (tmp_path / "homes.geojson").write_text(json.dumps(
        {"type": "FeatureCollection", "features": feats}), encoding="utf-8")
    comps = [("H1", "花园小区", 0, 600), ("H2", "河畔小区", 700, 900), ("H3", "东苑", 1100, 1300)]
    (tmp_path / "compounds.geojson").write_text(json.dumps({
        "type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"小区编号": cid, "小区名称": name},
             "geometry": {"type": "Polygon", "coordinates": [_square(a, b, -100, 100)]}}
            for cid, name, a, b in comps]}, ensure_ascii=False), encoding="utf-8")
    _facility(tmp_path, "k.csv", [("K1", 0, None)])
    text = cfg.read_text(encoding="utf-8")
    start, end = text.index("[population]"), text.index("[[layers]]")
    text = (text[:start] + '[population]\nkind = "buildings"\nsource = "homes.geojson"\n'
            'm2_per_person = 40\n\n' + text[end:])
    text = text.replace('name_column = "zone_name"\n',
                        'name_column = "zone_name"\ncompounds = "compounds.geojson"\n')
    text = text.replace('plan = "zhuji-2023"', 'plan = "none"')
    text = text.replace("[coverage]", '[[layers]]\nkey = "kindergarten"\nsource = "k.csv"\n\n'
                                      "[coverage]")
    cfg.write_text(text + "\n[standards]\nvillage_share = 0.4\n", encoding="utf-8")
    t, _ = _run(cfg)
    pop = _pick(t, "kindergarten", "urban_5", "population")  # areas within 0.1 % (projection)
    assert {z: pytest.approx(v, rel=1e-3) for z, v in pop.items()} == {
        "W": (20, 60), "E": (0, 20), "ALL": (20, 80)}
    assert _pick(t, "kindergarten", "urban_5", "buildings") == {
        "W": (1, 3), "E": (0, 1), "ALL": (1, 4)}
    fa = _pick(t, "kindergarten", "urban_5", "floor_area")
    assert fa["W"] == pytest.approx((800, 2400), rel=1e-3)
    assert fa["ALL"] == pytest.approx((800, 3200), rel=1e-3)
    # 花园小区 holds the homes at 100 (covered) and 500: 20 of 40 residents, 50 % >= 40 %
    assert _pick(t, "kindergarten", "urban_5", "compounds") == {
        "W": (1, 2), "E": (0, 1), "ALL": (1, 3)}


def test_one_layer_split_by_type_into_two_entries(tmp_path: Path):
    # clinic layer: C1 乡镇卫生院 at x = 0 and C2 村卫生室 at x = 1100 (zone E). As
    # health_centre (15 min) only C1 counts: x = 100..800 reach it, 1200 (16 min) does not.
    # As health_station (5 min, stations and centres): 100, 300 via C1; 800 (300 m) and
    # 1200 (100 m) via C2.
    cfg = write_tiny_inputs(tmp_path)
    text = cfg.read_text(encoding="utf-8").replace('plan = "zhuji-2023"', 'plan = "none"')
    cfg.write_text(text.replace('source = "clinic.csv"\n', 'source = "clinic.csv"\n'
                                'standard = ["health_centre", "health_station"]\n'),
                   encoding="utf-8")
    lon, lat = lonlat(1100.0)
    with (tmp_path / "clinic.csv").open("a", encoding="utf-8") as f:
        f.write(f"C2,东村卫生室,村卫生室,{lon:.10f},{lat:.10f},东村\n")
    t, res = _run(cfg)
    assert _pick(t, "health_centre", "urban_15", "population") == {
        "W": (100, 100), "E": (0, 50), "ALL": (100, 150)}
    assert _pick(t, "health_centre", "urban_15", "townships")["ALL"] == (1, 2)
    assert _pick(t, "health_station", "urban_5", "population") == {
        "W": (70, 100), "E": (50, 50), "ALL": (120, 150)}
    assert _pick(t, "health_station", "urban_5", "townships")["ALL"] == (2, 2)
    # the common table takes the whole layer: x = 1200 is covered at 5 min by C2
    cov = res.coverage
    assert cov[(cov.layer == "clinic") & (cov.zone_id == "E") & (cov.minutes == 5)
               & (cov.group == "total")].covered_population.item() == 50
