"""Each period's facilities on the 一张图: registers matched as ``compare`` matches them,
embedded as differences from the run's facilities, and the changes since the previous
period — on hand-built registers whose answer is written out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from circle15.history.compare import compare_facilities, facility_changes, match_facilities
from circle15.history.mapview import changes_table
from circle15.maps.pagedata import page_positions
from circle15.maps.timeline import (
    PeriodTables,
    RunFacilities,
    Timeline,
    _problems,
    facilities_data,
)

D = 60 / 111_195.08  # 60 m north, in degrees of latitude
COLS = ["facility_id", "name", "layer", "subtype", "capacity", "zone_id", "lon", "lat"]
LAYERS = ["clinic", "elderly"]


def _reg(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLS)


#: The run: 甲 and 乙 (clinics, ids), 丙 (elderly, no id) and a pool the page does not draw.
RUN = _reg([["A1", "甲", "clinic", "卫生院", 10, "Z1", 120.0, 29.0],
            ["A2", "乙", "clinic", "卫生室", 10, "Z1", 120.01, 29.0],
            ["P9", "泳池", "pool", None, None, "Z2", 120.03, 29.0],
            [None, "丙", "elderly", "照料中心", 5, "Z2", 120.02, 29.0]])
#: P1: 丙 absent, 己 new (not in the run), the pool still there.
P1 = _reg([["A1", "甲", "clinic", "卫生院", 10, "Z1", 120.0, 29.0],
           ["A2", "乙", "clinic", "卫生室", 10, "Z1", 120.01, 29.0],
           ["B1", "己", "elderly", "照料中心", 8, "Z2", 120.05, 29.0],
           ["P9", "泳池", "pool", None, None, "Z2", 120.03, 29.0]])
#: P2: 甲 moved 60 m, 乙 20 beds, 丙 back (by name and place), 己 closed.
P2 = _reg([["A1", "甲", "clinic", "卫生院", 10, "Z1", 120.0, 29.0 + D],
           ["A2", "乙", "clinic", "卫生室", 20, "Z1", 120.01, 29.0],
           [None, "丙", "elderly", "照料中心", 5, "Z2", 120.02, 29.0],
           ["P9", "泳池", "pool", None, None, "Z2", 120.03, 29.0]])


def _page_rows(run: pd.DataFrame) -> list[list]:
    """The run's rows as the page embeds them (pagedata.facilities_data's form)."""
    known = run[run["layer"].isin(LAYERS)]
    return [[round(r.lat, 5), round(r.lon, 5), LAYERS.index(r.layer), r.name,
             None if pd.isna(r.capacity) else int(r.capacity), "", r.zone_id, True,
             r.subtype, ""] for r in known.itertuples()]


def _period(key: str, reg: pd.DataFrame, prev: pd.DataFrame | None) -> PeriodTables:
    fac = reg.copy()
    fac["run_row"] = -1
    for i, j in match_facilities(RUN, reg):
        fac.loc[j, "run_row"] = i
    empty = pd.DataFrame()
    return PeriodTables(key=key, plan_year=2025, zone_ids=("Z1", "Z2"), coverage=empty,
                        indicators=empty, problems=empty, facilities=fac,
                        facility_changes=None if prev is None else changes_table(prev, reg))


def _timeline() -> Timeline:
    return Timeline(periods=(_period("2025Q1", P1, None), _period("2025Q2", P2, P1)),
                    run_period=None, source="test")


def _run() -> RunFacilities:
    return RunFacilities(_page_rows(RUN), page_positions(RUN, LAYERS), LAYERS)


def test_page_positions_skip_layers_the_page_does_not_draw():
    assert page_positions(RUN, LAYERS) == {0: 0, 1: 1, 3: 2}


def test_match_facilities_by_id_then_name_and_place():
    assert match_facilities(RUN, P2) == [(0, 0), (1, 1), (2, 3), (3, 2)]
    assert match_facilities(RUN, P1) == [(0, 0), (1, 1), (2, 3)]  # 丙 is not 己


def test_facility_changes_are_compare_facilities_with_positions():
    ch = facility_changes(P1, P2)
    assert ch == [("moved", 0, 0, pytest.approx(60.0, abs=0.1)),
                  ("capacity", 1, 1, None), ("added", None, 2, None),
                  ("closed", 2, None, None)]
    table = compare_facilities(P1, P2)
    assert sorted(zip(table["change"], table["name"], strict=True)) == sorted(
        [("moved", "甲"), ("capacity", "乙"), ("added", "丙"), ("closed", "己")])


def test_periods_are_embedded_as_differences_from_the_run():
    got = facilities_data(_timeline(), _run())
    # P1: 丙 (page index 2) is not there, 己 is added; the pool is not drawn at all
    assert got["2025Q1"] == {"drop": [2],
                             "add": [[29.0, 120.05, 1, "己", 8, "Z2", "照料中心"]]}
    # P2: the run's own three, 甲 elsewhere and 乙 with 20 beds; changes against P1:
    # 甲 moved 60 m, 乙 10 -> 20, 丙 added (the run's 丙), 己 closed (its P1 row)
    assert got["2025Q2"] == {
        "mod": [[0, round(29 + D, 5), 120.0, 10, "甲", "Z1"],
                [1, 29.0, 120.01, 20, "乙", "Z1"]],
        "chg": [[2, 0, 10, 60], [3, 1, 10, None], [0, 2, None, None],
                [1, [29.0, 120.05, 1, "己", 8, "Z2", "照料中心"], 8, None]]}


def test_a_period_like_the_run_costs_nothing_and_unknown_registers_are_left_out():
    same = _period("2025Q3", RUN, None)
    unknown = PeriodTables(key="2025Q4", plan_year=2025, zone_ids=("Z1", "Z2"),
                           coverage=pd.DataFrame(), indicators=pd.DataFrame(),
                           problems=pd.DataFrame())
    got = facilities_data(Timeline(periods=(same, unknown), run_period="2025Q3",
                                   source="test"), _run())
    assert got == {"2025Q3": {}}


def test_added_facilities_get_the_pages_gcj02_shift():
    def shift(lon, lat):
        return lon + 0.001, lat - 0.002

    run = RunFacilities(_page_rows(RUN), page_positions(RUN, LAYERS), LAYERS, shift)
    got = facilities_data(_timeline(), run)
    assert got["2025Q1"]["add"] == [[28.998, 120.051, 1, "己", 8, "Z2", "照料中心"]]
    # the run's rows are shifted too (the page shifts them): unshifted P1 rows now differ
    assert [m[0] for m in got["2025Q1"]["mod"]] == [0, 1]


def _problems_frame(village: bool) -> pd.DataFrame:
    df = pd.DataFrame({"id": [1, 2], "indicator_id": ["T1", "T2"], "name_zh": ["甲", "乙"],
                       "zone_id": ["Z1", "ALL"], "responsible": ["卫健", "民政"],
                       "period_found": ["2025Q1", "2025Q1"], "status": ["待整改", "已整改"],
                       "closed_period": [None, "2025Q1"], "value": [0.5, 1.0],
                       "gap_value": [0.1, None], "gap_people": [10, None]})
    if village:
        df["village_id"] = ["V1", None]
        df["village_name"] = ["东村", None]
    return df


@pytest.mark.parametrize("village", [False, True])
def test_problems_carry_the_village_when_the_store_has_one(village):
    empty = pd.DataFrame()
    p = PeriodTables(key="2025Q1", plan_year=2025, zone_ids=("Z1",), coverage=empty,
                     indicators=empty, problems=_problems_frame(village))
    static, states = _problems(Timeline(periods=(p,), run_period=None, source="t"),
                               {"T1": 0}, {"Z1"})
    assert static == [[1, 0, "T1", "甲", "Z1", "卫健", "2025Q1", "东村" if village else ""],
                      [2, -1, "T2", "乙", "", "民政", "2025Q1", ""]]
    assert states["2025Q1"] == [[0, 0, "", 0.5, 0.1, 10], [1, 3, "2025Q1", 1.0, None, None]]


def _patch(base, d):
    """time.js's patch, in Python: what the page rebuilds from a diff."""
    out = dict(base)
    for k, v in d.items():
        if v is None:
            out.pop(k, None)
        elif isinstance(v, dict) and "~" in v and isinstance(base.get(k), list):
            lst = list(base[k])
            for i, item in v["~"]:
                lst[i] = item
            out[k] = lst
        elif isinstance(v, dict):
            out[k] = _patch(base.get(k) if isinstance(base.get(k), dict) else {}, v)
        else:
            out[k] = v
    return out


def test_diff_patches_lists_of_rows_item_by_item():
    from circle15.maps.timeline import diff

    base = {"2025": {"Z1": [[0, 1.0], [1, 2.0], [2, 3.0]], "Z2": [[0, 5.0]]}}
    cur = {"2025": {"Z1": [[0, 1.0], [1, 2.5], [2, 3.0]], "Z2": [[0, 5.0], [1, 6.0]]},
           "2026": {"Z1": []}}
    d = diff(base, cur, 3)
    assert d == {"2025": {"Z1": {"~": [[1, [1, 2.5]]]}, "Z2": [[0, 5.0], [1, 6.0]]},
                 "2026": {"Z1": []}}
    assert _patch(base, d) == cur
    assert diff(base, base, 3) == {}
    # two levels only: the township's list is replaced whole
    assert diff(base, cur, 2)["2025"]["Z1"] == [[0, 1.0], [1, 2.5], [2, 3.0]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from support.history import tiny_two_runs

    return tiny_two_runs(tmp_path_factory.mktemp("tiny-mapfac"))


def test_registers_from_the_store(db, runs, tmp_path):
    """Either backend: the tiny county's P2 adds the east clinic C2. Read back, P1's
    register matches the run (P2) but C2, P2 is the run's, and the page embeds P1 as
    "without C2" and P2 as "C2 is new"."""
    import json
    import re

    from circle15.maps import render_map
    from support.history import P1, P2, cli
    from support.timeline import read_timeline

    run1, run2 = runs
    cli("record", "--from-run", str(run1), "--period", P1, "--db", db)
    cli("record", "--from-run", str(run2), "--period", P2, "--db", db)
    tl = read_timeline(db, run2)
    p1, p2 = tl.periods
    assert len(p2.facilities) == len(p1.facilities) + 1
    assert sorted(p2.facilities["run_row"]) == list(range(len(p2.facilities)))
    c2 = int(p2.facilities.index[p2.facilities["facility_id"] == "C2"][0])
    assert set(p1.facilities["run_row"]) == set(range(len(p2.facilities))) - {
        int(p2.facilities.loc[c2, "run_row"])}
    assert p1.facility_changes is None
    assert p2.facility_changes.to_dict("records") == [
        {"change": "added", "row": c2, "prev_row": -1, "moved_m": None}]
    page = render_map(run2, tmp_path / "map.html", timeline=tl).read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="c15-data">(.*?)</script>', page,
                  re.DOTALL)
    data = json.loads(m.group(1).replace("<\\/", "</"))
    at = next(i for i, f in enumerate(data["fac"]) if f[3].startswith("东区卫生服务站"))
    assert data["hist"]["fac"] == {P1: {"drop": [at]}, P2: {"chg": [[0, at, None, None]]}}
