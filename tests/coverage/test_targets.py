"""Plan targets: the Zhuji plan file against the printed table, and evaluation by hand."""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.plan import (
    Bound,
    available_plans,
    evaluate_all_years,
    evaluate_targets,
    load_plan,
    parse_bound,
    plan_from_dict,
    read_reported,
    target_table,
)
from circle15.errors import InputError
from support import SHARED

SEED = SHARED / "seed" / \
    "zhuji-public-services-plan-2023-2027.txt"

# The plan's table, typed by hand from the printed document (not from the plan file):
# number: (mark, baseline, 2023, 2024, 2025, 2026, 2027, responsible unit)
TABLE = {
    1: ("*", "3.5", "4.0", "4.3", "4.6", "5.0", "5.5", "卫生健康局"),
    2: ("", "60", "63", "65", "68", "70", "72", "卫生健康局"),
    3: ("", "93", "95", "95", "95", "95", "95", "卫生健康局"),
    4: ("", "100", "100", "100", "100", "100", "100", "教体局"),
    5: ("*", "100", "100", "100", "100", "100", "100", "教体局"),
    6: ("", "/", "70", "71", "72", "73", "74", "教体局"),
    7: ("▲", "/", "/", "/", "/", "/", "/", "人力社保局"),
    8: ("*", "93.0", "94.0", "94.5", "95.0", "95.5", "96.0", "人力社保局"),
    9: ("", "4.3", "6.8", "9", "11", "13", "15", "人力社保局"),
    10: ("*", "82.12", "82.36", "82.45", "83.00", "83.01", "83.05", "卫生健康局"),
    11: ("", "9.64", "9.40", "9.20", "9.00", "8.70", "8.50", "卫生健康局"),
    12: ("", "72.66", ">70", ">70", ">70", ">70", ">70", "医保局"),
    13: ("*", "22", "23", "24", "25", "26", "27", "民政局"),
    14: ("", "83.0", "83.6", "84.2", "84.8", "85.4", "86.0", "人力社保局"),
    15: ("▲", "/", "/", "/", "/", "/", "/", "医保局"),
    16: ("", "/", "16", "17", "19", "20", "21", "建设局"),
    17: ("*", "/", "0.90", "1.12", "1.36", "1.36", "1.36", "建设局"),
    18: ("", "/", "85.0", "87.5", "90.0", "92.5", "95.0", "建设局"),
    19: ("*", "12600", "13200", ">14000", ">15000", ">16000", ">17000", "民政局"),
    20: ("", "80", "82", "83", "85", "87", "90", "医保局"),
    21: ("", "86.9", "94", "94", "94", "94", "95", "残联"),
}
DOMAINS = {1: "幼有善育", 2: "幼有善育", 3: "幼有善育", 4: "学有优教", 5: "学有优教",
           6: "学有优教", 7: "劳有所得", 8: "劳有所得", 9: "劳有所得", 10: "病有良医",
           11: "病有良医", 12: "病有良医", 13: "老有康养", 14: "老有康养", 15: "老有康养",
           16: "住有宜居", 17: "住有宜居", 18: "住有宜居", 19: "弱有众扶", 20: "弱有众扶",
           21: "弱有众扶"}
NAME_PARTS = {1: "托位数", 2: "普惠托位", 3: "发育监测筛查率", 4: "学前教育普及普惠",
              5: "义务教育优质均衡", 6: "高等教育毛入学率", 7: "城镇调查失业率",
              8: "欠薪线索", 9: "职业技能培训", 10: "人均预期寿命", 11: "重大慢病过早死亡率",
              12: "浙里惠民保", 13: "持证养老护理员", 14: "基本养老保险参保人数",
              15: "长期护理保险", 16: "城镇住房保障", 17: "保障性租赁住房",
              18: "专业物业服务", 19: "最低生活保障", 20: "医疗费用综合保障率",
              21: "残疾人之家"}


@pytest.fixture(scope="module")
def plan():
    return load_plan("zhuji-2023")


def test_plan_table_matches_print(plan):
    table = [i for i in plan.indicators if i.number is not None]
    assert sorted(i.number for i in table) == list(range(1, 22))
    for ind in table:
        mark, base, *targets, resp = TABLE[ind.number]
        assert ind.baseline == base, ind.id
        assert [ind.targets[y] for y in range(2023, 2028)] == targets, ind.id
        assert ind.core == (mark == "*"), ind.id
        assert ind.observational == (mark == "▲"), ind.id
        assert ind.responsible == resp, ind.id
        assert ind.domain_zh == DOMAINS[ind.number], ind.id
        assert NAME_PARTS[ind.number] in ind.name_zh, ind.id
        assert ind.name_en and ind.unit


def test_plan_metadata_and_measures(plan):
    assert plan.name == "zhuji-2023" and "七优享" in plan.title
    assert plan.years == (2023, 2024, 2025, 2026, 2027)
    assert "zhuji-2023" in available_plans()
    t01, t13, t21 = plan.indicator("T01"), plan.indicator("T13"), plan.indicator("T21")
    assert (t01.measure.kind, t01.measure.layer, t01.measure.per) == ("per_capita", "childcare",
                                                                      1000)
    assert (t13.measure.group, t13.measure.per, t13.measure.quantity) == ("age_60p", 10000,
                                                                          "staff")
    assert t21.measure.kind == "admin_coverage" and t21.note
    assert plan.indicator("T11").direction == "lower"
    # Spatial targets from the text, each with its year.
    kinds = {i.id: (i.measure.kind, i.target_text(2027)) for i in plan.indicators
             if i.number is None and i.measure.kind != "reported"}
    assert ("network_coverage", "100") in kinds.values()          # full circle, fitness
    assert ("admin_coverage", "85") in kinds.values()             # meal service villages
    assert ("per_capita", "3.22") in kinds.values()               # sports area
    assert plan.indicator("X01").measure.layer == "ALL"
    # Every text target quotes its sentence.
    assert all(i.quote for i in plan.indicators if i.number is None)


@pytest.mark.skipif(not SEED.is_file(), reason="../shared seed plan not available")
def test_quotes_are_in_the_plan_text(plan):
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for ind in plan.indicators:
        for part in filter(None, re.sub(r"\s+", "", ind.quote).split("……")):
            assert part in text, (ind.id, part)


def test_target_years_and_carry_forward(plan):
    assert plan.indicator("X09").target_text(2024) == "/"      # due 2025
    assert plan.indicator("X09").target_text(2026) == "90"     # still applies
    assert plan.indicator("X36").target_text(2024) == "/"      # 2023 only
    assert plan.indicator("T07").bound(2027) == Bound("none", None)


def test_parse_bound():
    assert parse_bound(">70") == Bound("gt", 70.0)
    assert parse_bound("5.5") == Bound("ge", 5.5)
    assert parse_bound("8.50", "lower") == Bound("le", 8.5)
    assert parse_bound("94. 5") == Bound("ge", 94.5)
    assert parse_bound("<=1") == Bound("le", 1.0)
    assert parse_bound("/").op == "none"
    with pytest.raises(ValueError):
        parse_bound("about 5")
    assert not Bound("gt", 70).met(70) and Bound("ge", 70).met(70)


def test_target_table(plan):
    t = target_table(plan)
    assert len(t) == len(plan.indicators)
    row = t[t["编号"] == "T12"].iloc[0]
    assert row["2027年"] == ">70" and row["基础值"] == "72.66"
    assert t[t["编号"] == "T07"].iloc[0]["序号"] == "▲7"
    en = target_table(plan, 2027, lang="en")
    assert list(en.columns)[:3] == ["ID", "No.", "Domain"]
    assert en[en["ID"] == "T19"].iloc[0]["Target 2027"] == ">17000"
    with pytest.raises(InputError):
        target_table(plan, 2030)


def test_second_plan_by_path(tmp_path, plan):
    src = plan.path
    other = tmp_path / "other-2024.toml"
    shutil.copy(src, other)
    text = other.read_text(encoding="utf-8").replace('name = "zhuji-2023"',
                                                     'name = "other-2024"')
    other.write_text(text, encoding="utf-8")
    p2 = load_plan(str(other))
    assert p2.name == "other-2024" and len(p2.indicators) == len(plan.indicators)
    with pytest.raises(InputError, match="available plans"):
        load_plan("no-such-plan")


def test_bad_plan_file_lists_problems(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("""
[plan]
name = "bad"
years = [2025]
[domains.x]
zh = "X"
[[indicator]]
id = "A1"
domain = "x"
targets = { 2025 = "about 3" }
measure = { kind = "network_coverage", layer = "fitness" }
[[indicator]]
id = "A1"
domain = "y"
""", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_plan(bad)
    msg = str(exc.value)
    assert "not a target value" in msg and "minutes" in msg and "duplicate" in msg
    assert "unknown domain" in msg


# --------------------------------------------------------------------------- evaluation

ZONES = pd.DataFrame({
    "zone_id": ["Z1", "Z2", "Z3"],
    "zone_name": ["甲镇", "乙镇", "丙街道"],
    "population": [1000, 2000, 3000],
    "age_0_3": [30, 60, 90],
    "age_60p": [200, 500, 1000],
})


def _cov(layer, minutes, covered, group="total", pops=(1000, 2000, 3000), county=True):
    rows = [dict(zone_id=z, zone_name=n, layer=layer, group=group, minutes=minutes,
                 population=p, covered_population=c, coverage_rate=c / p)
            for z, n, p, c in zip(ZONES.zone_id, ZONES.zone_name, pops, covered, strict=True)]
    if county:
        rows.append(dict(zone_id="ALL", zone_name="全市", layer=layer, group=group,
                         minutes=minutes, population=sum(pops), covered_population=sum(covered),
                         coverage_rate=sum(covered) / sum(pops)))
    return rows


@pytest.fixture(scope="module")
def coverage():
    return pd.DataFrame(
        _cov("ALL", 15, [900, 2000, 2850])          # full circle: Z1 and Z3 short
        + _cov("ALL", 10, [500, 1500, 2000])
        + _cov("fitness", 15, [1000, 1990, 3000])   # Z2 short by 10
    )


@pytest.fixture(scope="module")
def facilities():
    return pd.DataFrame({
        "facility_id": ["c1", "c2", "c3", "e1", "e2", "e3", "d1", "d2", "f1", "f2", "k1"],
        "layer": ["childcare", "childcare", "childcare", "elderly", "elderly", "elderly",
                  "disability", "disability", "fitness", "fitness", "clinic"],
        "subtype": ["", "", "", "助餐", "康养联合体", "Meal", None, None, "", "", "child_health"],
        "capacity": [10.0, 5.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                     np.nan, np.nan],
        "staff": [np.nan, np.nan, np.nan, 2.0, 1.0, 1.0, np.nan, np.nan, np.nan, np.nan, 3.0],
        "zone_id": ["Z1", "Z2", "Z3", "Z1", "Z2", "Z3", "Z1", "Z2", "Z1", "Z3", "Z1"],
        "village_id": [None, None, None, "V11", "V21", "V31", None, None, "V11", "V31", None],
    })


VILLAGES = pd.DataFrame({
    "village_id": ["V11", "V12", "V21", "V22", "V31", "V32", "V33", "V34"],
    "village_name": list("ABCDEFGH"),
    "zone_id": ["Z1", "Z1", "Z2", "Z2", "Z3", "Z3", "Z3", "Z3"],
})


def _row(df, iid, zone):
    r = df[(df.indicator_id == iid) & (df.zone_id == zone)]
    assert len(r) == 1, (iid, zone)
    return r.iloc[0]


@pytest.fixture(scope="module")
def evaluated(plan, coverage, facilities):
    return evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES, facilities=facilities,
                            villages=VILLAGES)


def test_every_indicator_and_zone_has_a_row(plan, evaluated):
    assert len(evaluated) == len(plan.indicators) * 4
    assert set(evaluated.status) <= {"met", "not_met", "no_target", "not_measurable"}
    nm = evaluated[evaluated.status == "not_measurable"]
    assert (nm.needs.str.len() > 0).all()
    assert (evaluated.loc[evaluated.value.notna(), "needs"] == "").all()
    assert evaluated.loc[evaluated.status.isin(["met", "not_met"]), "value"].notna().all()


def test_full_circle_network_coverage(evaluated):
    # Target 100%: gaps are the uncovered people; the county gap is their sum.
    z1, z2, z3 = (_row(evaluated, "X01", z) for z in ("Z1", "Z2", "Z3"))
    assert (z1.status, z1.value, z1.gap_people, z1.gap_value) == ("not_met", 90.0, 100, 10.0)
    assert (z2.status, z2.gap_people) == ("met", 0)
    assert (z3.status, z3.gap_people) == ("not_met", 150)
    c = _row(evaluated, "X01", "ALL")
    assert c.status == "not_met" and c.gap_people == 250
    assert c.value == pytest.approx(5750 / 6000 * 100)
    fit = _row(evaluated, "X02", "ALL")
    assert (fit.status, fit.gap_people) == ("not_met", 10)
    assert _row(evaluated, "X02", "Z1").status == "met"


def test_per_capita_childcare_and_carers(evaluated):
    # T01 target 5.5 places per 1000 people; county: 15 places / 6000 people = 2.5.
    c = _row(evaluated, "T01", "ALL")
    assert c.value == pytest.approx(2.5) and c.status == "not_met"
    assert c.gap_capacity == 18           # 5.5 * 6 = 33 places needed, 15 exist
    assert c.gap_value == pytest.approx(3.0)
    z1 = _row(evaluated, "T01", "Z1")
    assert z1.value == pytest.approx(10.0) and z1.status == "met" and z1.gap_capacity == 0
    z3 = _row(evaluated, "T01", "Z3")
    assert z3.value == 0 and z3.gap_capacity == math.ceil(5.5 * 3)
    assert "without capacity" in z3.note
    # T13 27 carers per 10,000 aged 60+: county 4 staff / 1700 -> 23.5.
    t13 = _row(evaluated, "T13", "ALL")
    assert t13.value == pytest.approx(4 / 1700 * 1e4) and t13.status == "not_met"
    assert t13.gap_capacity == 1          # 27 * 0.17 = 4.59 -> 5 needed
    assert _row(evaluated, "T13", "Z1").status == "met"   # 2 / 200 -> 100


def test_admin_coverage(evaluated):
    # T21: disability homes in Z1, Z2 of 3 townships -> 66.7% < 95; 95% of 3 needs 3.
    c = _row(evaluated, "T21", "ALL")
    assert c.value == pytest.approx(200 / 3) and c.status == "not_met" and c.gap_units == 1
    assert "丙街道" in c.note
    assert _row(evaluated, "T21", "Z1").value == 100
    # X05 康养联合体 in every township: only Z2 -> zone scope, people gap = Z1 + Z3.
    x05 = _row(evaluated, "X05", "ALL")
    assert x05.status == "not_met" and x05.gap_units == 2 and x05.gap_people == 4000
    # X03 child health: clinic subtype child_health only in Z1.
    assert _row(evaluated, "X03", "Z1").status == "met"
    assert _row(evaluated, "X03", "Z2").gap_people == 2000
    # X04 meal service villages (85%, subtype match is case-insensitive): V11, V31 of 8;
    # 85% of 8 = 6.8 -> 7 villages needed.
    x04 = _row(evaluated, "X04", "ALL")
    assert x04.value == pytest.approx(25) and x04.gap_units == 5
    assert _row(evaluated, "X04", "Z3").value == 25
    # X06 sports facilities in every village: V11, V31 -> per-township gaps 1 + 2 + 3.
    x06 = _row(evaluated, "X06", "ALL")
    assert x06.gap_units == 6 and x06.status == "not_met"
    assert [_row(evaluated, "X06", z).gap_units for z in ("Z1", "Z2", "Z3")] == [1, 2, 3]


def test_not_measurable_lists_inputs(plan, coverage):
    df = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES)
    x04 = _row(df, "X04", "ALL")
    assert x04.status == "not_measurable" and "facilities" in x04.needs
    df = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES,
                          facilities=pd.DataFrame({"layer": ["fitness"], "subtype": [""],
                                                   "zone_id": ["Z1"]}))
    assert "villages table" in _row(df, "X06", "ALL").needs
    assert "'area_m2' column" in _row(df, "X07", "ALL").needs
    # A layer the run has neither facilities nor coverage for is missing, not 0%.
    assert "facility layer 'elderly'" in _row(df, "X04", "ALL").needs
    assert "facility layer 'elderly'" in _row(df, "T13", "Z1").needs
    assert "reported value" in _row(df, "T10", "ALL").needs
    assert "zone_id ALL" in _row(df, "T10", "ALL").needs
    df = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES,
                          facilities=pd.DataFrame({"layer": ["elderly"], "zone_id": ["Z1"]}))
    assert "'staff' column" in _row(df, "T13", "Z1").needs
    # Coverage without the 15-minute threshold.
    df = evaluate_targets(plan, 2027, coverage=coverage[coverage.minutes == 10], zones=ZONES)
    assert "coverage.thresholds" in _row(df, "X01", "Z2").needs
    # Population group missing from the zones table.
    df = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES.drop(columns="age_60p"),
                          facilities=pd.DataFrame({"layer": ["elderly"], "staff": [1.0],
                                                   "zone_id": ["Z1"]}))
    assert "age_60p" in _row(df, "T13", "ALL").needs


def test_intermediate_year_has_no_target_for_2027_goals(plan, coverage):
    df = evaluate_targets(plan, 2025, coverage=coverage, zones=ZONES)
    r = _row(df, "X01", "Z1")
    assert r.status == "no_target" and r.value == 90 and r.target == "/"
    assert _row(df, "T12", "ALL").target == ">70"


def test_year_outside_plan(plan, coverage):
    with pytest.raises(InputError, match="2030"):
        evaluate_targets(plan, 2030, coverage=coverage, zones=ZONES)


# --------------------------------------------------------------------------- reported values


def _write(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reported_values_get_status(plan, coverage, tmp_path):
    csv = _write(tmp_path / "reported.csv",
                 "indicator_id,zone_id,value,说明\n"
                 "T10,,83.10,人均预期寿命\n"
                 "T11,ALL,8.6,重大慢病过早死亡率\n"
                 "T12,ALL,70,惠民保\n"
                 "T19,,17000.5,低保\n"
                 "T07,,2.1,失业率\n"
                 "T03,Z1,94%,筛查率\n", "utf-8-sig")
    rep = read_reported(csv, plan)
    df = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES, reported=rep)
    assert (_row(df, "T10", "ALL").status, _row(df, "T10", "ALL").source) == ("met", "reported")
    t11 = _row(df, "T11", "ALL")           # lower is better: 8.6 > 8.50
    assert t11.status == "not_met" and t11.gap_value == pytest.approx(0.1)
    assert _row(df, "T12", "ALL").status == "not_met"    # strictly greater than 70
    assert _row(df, "T19", "ALL").status == "met"        # > 17000
    assert _row(df, "T07", "ALL").status == "no_target" and _row(df, "T07", "ALL").value == 2.1
    assert _row(df, "T03", "Z1").status == "not_met" and _row(df, "T03", "Z1").value == 94
    missing = _row(df, "T20", "ALL")
    assert missing.status == "not_measurable" and "reported value" in missing.needs


def test_reported_gbk_csv(plan, tmp_path):
    csv = _write(tmp_path / "gbk.csv",
                 "indicator_id,zone_id,year,value,指标名称\n"
                 "T10,全市,2027,83.2,人均预期寿命（岁）\n"
                 "T10,全市,2026,82.9,人均预期寿命（岁）\n", "gbk")
    rep = read_reported(csv, plan)
    assert rep.attrs["source"] == str(csv)
    assert list(rep["value"]) == [83.2, 82.9] and list(rep["year"]) == [2027, 2026]
    # zone "全市" is not a zone id: it stays a zone row that matches nothing. Use ALL/blank.
    csv2 = _write(tmp_path / "gbk2.csv", "indicator_id,year,value,名称\nT10,2027,83.2,寿命\n"
                  "T10,2026,82.9,寿命\n", "gbk")
    rep2 = read_reported(csv2, plan)
    zones = ZONES
    cov = pd.DataFrame(_cov("ALL", 15, [1000, 2000, 3000]))
    df27 = evaluate_targets(plan, 2027, coverage=cov, zones=zones, reported=rep2)
    df26 = evaluate_targets(plan, 2026, coverage=cov, zones=zones, reported=rep2)
    assert _row(df27, "T10", "ALL").value == 83.2 and _row(df27, "T10", "ALL").status == "met"
    assert _row(df26, "T10", "ALL").value == 82.9
    assert _row(df26, "T10", "ALL").status == "not_met"   # 2026 target 83.01


@pytest.mark.parametrize("body, column, row", [
    ("indicator_id,value\nT10,abc\n", "value", 1),
    ("indicator_id,value\nT10,83\nT99,1\n", "indicator_id", 2),
    ("indicator_id,year,value\nT10,20x7,83\n", "year", 1),
    ("indicator_id,val\nT10,83\n", "value", None),
])
def test_reported_errors(plan, tmp_path, body, column, row):
    csv = _write(tmp_path / "bad.csv", body, "utf-8")
    with pytest.raises(InputError) as exc:
        read_reported(csv, plan)
    assert exc.value.column == column and exc.value.row == row
    assert exc.value.file == str(csv)


def test_reported_duplicate(plan, tmp_path):
    csv = _write(tmp_path / "dup.csv", "indicator_id,value\nT10,83\nT10,84\n", "utf-8")
    with pytest.raises(InputError, match="duplicate") as exc:
        read_reported(csv, plan)
    assert exc.value.row == 2


# --------------------------------------------------------------------------- property


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), st.floats(0, 1)), min_size=1, max_size=8),
       st.sampled_from(["100", "95", ">90", "72.5"]))
def test_county_gap_is_sum_of_township_gaps(rows, target):
    """For township-scope targets, county gap = sum of township gaps, and each township gap
    is the fewest extra people that meet the target (checked by brute force)."""
    plan = load_plan("zhuji-2023")
    ind = plan.indicator("X01")
    ind.targets[2027] = target            # the dataclass is frozen, its dict is not
    try:
        zones = pd.DataFrame({"zone_id": [f"Z{i}" for i in range(len(rows))],
                              "zone_name": [f"镇{i}" for i in range(len(rows))],
                              "population": [p for p, _ in rows]})
        cov = pd.DataFrame([dict(zone_id=f"Z{i}", zone_name=f"镇{i}", layer="ALL",
                                 group="total", minutes=15, population=p,
                                 covered_population=math.floor(p * f), coverage_rate=f)
                            for i, (p, f) in enumerate(rows)])
        df = evaluate_targets(plan, 2027, coverage=cov, zones=zones)
    finally:
        ind.targets[2027] = "100"
    x = df[df.indicator_id == "X01"]
    towns, county = x[x.zone_id != "ALL"], x[x.zone_id == "ALL"].iloc[0]
    measured = towns[towns.status.isin(["met", "not_met"])]
    if measured.empty:
        assert np.isnan(county.gap_people)
    else:
        assert county.gap_people == pytest.approx(measured.gap_people.sum())
    b = parse_bound(target)
    for (p, f), (_, r) in zip(rows, towns.iterrows(), strict=True):
        if p == 0:
            assert r.status == "not_measurable"
            continue
        c = math.floor(p * f)
        g = int(r.gap_people)
        assert (g == 0) == (r.status == "met")
        if c + g <= p:   # reachable targets: c+g meets, c+g-1 does not
            assert b.met(100 * (c + g) / p)
            if g:
                assert not b.met(100 * (c + g - 1) / p)
    if (towns.status == "not_met").any():
        assert county.status == "not_met"


# --------------------------------------------------------------------------- county name, years


def test_county_row_is_named_by_the_caller(coverage, facilities):
    plan = load_plan("zhuji-2023")
    named = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES, facilities=facilities,
                             county_name="County (synthetic demo)")
    county = named[named.zone_id == "ALL"]
    assert len(county) == len(plan.indicators)
    assert set(county.zone_name) == {"County (synthetic demo)"}
    assert set(named[named.zone_id != "ALL"].zone_name) == {"甲镇", "乙镇", "丙街道"}
    default = evaluate_targets(plan, 2027, coverage=coverage, zones=ZONES, facilities=facilities)
    assert set(default[default.zone_id == "ALL"].zone_name) == {"全县"}
    # the name changes nothing else
    pd.testing.assert_frame_equal(named.drop(columns="zone_name"),
                                  default.drop(columns="zone_name"))


def test_every_plan_year_evaluated_and_concatenated(coverage, facilities):
    plan = load_plan("zhuji-2023")
    assert plan.years == plan.target_years == (2023, 2024, 2025, 2026, 2027)
    kw = dict(coverage=coverage, zones=ZONES, facilities=facilities, villages=VILLAGES,
              county_name="全市")
    every = evaluate_all_years(plan, **kw)
    assert every["year"].tolist() == [y for y in plan.years
                                      for _ in range(len(plan.indicators) * 4)]
    for y in plan.years:
        one = evaluate_targets(plan, y, **kw)
        part = every[every.year == y].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one, check_like=False)
    # T01 (4.0 ... 5.5 per 1,000) is stated per year, so the targets differ by year
    t01 = every[(every.indicator_id == "T01") & (every.zone_id == "ALL")]
    assert t01["target"].tolist() == ["4.0", "4.3", "4.6", "5.0", "5.5"]
    assert every.attrs["years"] == plan.years


def test_target_years_skip_years_without_any_target():
    raw = {"plan": {"name": "p", "years": [2026, 2025, 2027]},
           "domains": {"d": {"zh": "领域", "en": "Domain"}},
           "indicator": [{"id": "A1", "domain": "d", "targets": {"2025": "/", "2026": "90"}},
                         {"id": "A2", "domain": "d", "targets": {"2026": ">5", "2027": "/"}}]}
    plan = plan_from_dict(raw)
    assert plan.years == (2025, 2026, 2027)      # declared, sorted
    assert plan.target_years == (2026,)


def test_english_synthetic_run_names_the_county_row_alike(tmp_path):
    """Regression: coverage_by_zone.csv said "County (synthetic demo)" and
    targets_by_zone.csv said "全市" for the same county row."""
    from circle15.config import load_config
    from circle15.run import run
    from support.tiny import write_tiny_inputs

    cfg = load_config(write_tiny_inputs(tmp_path / "in", lang='"en"'))
    run(cfg, tmp_path / "out")
    read = {"encoding": "utf-8-sig", "dtype": {"zone_id": str}}
    cov = pd.read_csv(tmp_path / "out" / "coverage_by_zone.csv", **read)
    tg = pd.read_csv(tmp_path / "out" / "targets_by_zone.csv", **read)
    assert set(cov.loc[cov.zone_id == "ALL", "zone_name"]) == {"County (synthetic demo)"}
    assert set(tg.loc[tg.zone_id == "ALL", "zone_name"]) == {"County (synthetic demo)"}
    assert sorted(set(tg["year"])) == [2023, 2024, 2025, 2026, 2027]
