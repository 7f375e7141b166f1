"""Problems as they stood in a recorded period (``circle15 problems --period``), on both
backends, on the tiny county of test_history.py: P1 misses X01 (east, county) and X03
(west, east, county); P2 adds the east clinic, which closes both X01 problems; P3 is P1
again (X01 east and county reopen)."""

from __future__ import annotations

import time

import pandas as pd
import pytest

from circle15.history.problems import list_problems
from circle15.history.store import open_store
from circle15.history.timeline import problems_as_of
from support.history import P1, P2, P3, cli, tiny_two_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return tiny_two_runs(tmp_path_factory.mktemp("tiny-asof"))


def _as_of(db: str, period: str) -> pd.DataFrame:
    store = open_store(db, create=False)
    try:
        return problems_as_of(store, period).set_index(["indicator_id", "zone_id"])
    finally:
        store.dispose()


def test_problems_as_of_each_period(db, runs, tmp_path):
    run1, run2 = runs
    cli("record", "--from-run", str(run1), "--period", P1, "--db", db)
    # a person's change belongs to the newest period recorded at the time (second
    # resolution: keep it out of the second P2 is recorded in)
    time.sleep(1.1)
    store = open_store(db, create=False)
    wx03 = int(list_problems(store).set_index(["indicator_id", "zone_id"]).loc[
        ("X03", "W"), "id"])
    store.dispose()
    cli("problems", "set", str(wx03), "--status", "整改中", "--by", "王五", "--db", db)
    time.sleep(1.1)
    cli("record", "--from-run", str(run2), "--period", P2, "--db", db)
    time.sleep(1.1)
    cli("record", "--from-run", str(run1), "--period", P3, "--db", db)

    first = _as_of(db, P1)
    assert set(first.index) == {("X01", "E"), ("X01", "ALL"), ("X03", "W"), ("X03", "E"),
                                ("X03", "ALL")}
    assert first.loc[("X03", "W"), "status"] == "整改中"  # set during P1
    assert (first.drop(index=[("X03", "W")])["status"] == "待整改").all()
    assert first["closed_period"].isna().all()
    assert first.loc[("X01", "E"), "gap_people"] == 50  # P1's own gap

    second = _as_of(db, P2)
    closed = second[second["status"] == "已整改"]
    assert set(closed.index) == {("X01", "E"), ("X01", "ALL")}
    assert (closed["closed_period"] == P2).all()
    assert closed["closed_value"].tolist() == pytest.approx([100.0, 100.0])
    assert second.loc[("X03", "W"), "status"] == "整改中"  # still in progress

    third = _as_of(db, P3)
    assert third.loc[("X01", "E"), "status"] == "待整改"  # the regression reopened it
    assert pd.isna(third.loc[("X01", "E"), "closed_period"])
    assert third.loc[("X01", "E"), "value"] == 0.0

    # now (no period) = the newest period, for the statuses
    now = _as_of(db, P3)["status"].sort_index()
    store = open_store(db, create=False)
    cur = list_problems(store).set_index(["indicator_id", "zone_id"])["status"].sort_index()
    store.dispose()
    assert now.tolist() == cur.tolist()

    # the CLI: --period, with the filters applied to that period's statuses
    out = tmp_path / "p2.xlsx"
    cli("problems", "--period", P2, "--status", "已整改", "--out", str(out), "--db", db)
    df = pd.read_excel(out, sheet_name="问题清单", dtype={"zone_id": str})
    assert sorted(zip(df["indicator_id"], df["zone_id"])) == [("X01", "ALL"), ("X01", "E")]
    cli("problems", "--period", "2027Q4", "--db", db, code=2)  # not recorded


def test_a_person_closing_a_problem_counts_from_the_newest_period(db, runs):
    run1, _ = runs
    cli("record", "--from-run", str(run1), "--period", P1, "--db", db)
    time.sleep(1.1)
    cli("record", "--from-run", str(run1), "--period", P2, "--db", db)
    time.sleep(1.1)
    pid = int(_as_of(db, P2).loc[("X03", "E"), "id"])
    cli("problems", "set", str(pid), "--status", "已整改", "--by", "李四", "--db", db)
    assert _as_of(db, P2).loc[("X03", "E"), "status"] == "已整改"
    assert _as_of(db, P2).loc[("X03", "E"), "closed_period"] == P2
    assert _as_of(db, P1).loc[("X03", "E"), "status"] == "待整改"  # not back in time


def test_map_page_data_from_the_store(db, runs, tmp_path):
    """The map's time dimension read from either backend: periods, the run's own period,
    problem states per period (X01 east closed in P2 only), no other townships."""
    import json
    import re

    from circle15.maps import render_map
    from support.timeline import read_timeline

    run1, run2 = runs
    cli("record", "--from-run", str(run1), "--period", P1, "--db", db)
    cli("record", "--from-run", str(run2), "--period", P2, "--db", db)
    tl = read_timeline(db, run2)
    assert [p.key for p in tl.periods] == [P1, P2] and tl.run_period == P2
    assert all(p.zone_ids == ("E", "W") for p in tl.periods)
    page = render_map(run2, tmp_path / "map.html", timeline=tl).read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="c15-data">(.*?)</script>', page,
                  re.DOTALL)
    hist = json.loads(m.group(1).replace("<\\/", "</"))["hist"]
    assert hist["default"] == P2 and hist["run"] == P2
    assert hist["data"][P2] == {"views": {}, "county": {}, "rows": {}, "overview": {}}
    assert hist["data"][P1]["views"]  # P1 lacks the east clinic
    probs = {p[0]: (p[2], p[4]) for p in hist["problems"]}
    status = {k: {hist["problems"][s[0]][0]: s[1] for s in hist["pstate"][k]}
              for k in (P1, P2)}
    east = next(i for i, v in probs.items() if v == ("X01", "E"))
    assert status[P1][east] == 0 and status[P2][east] == 3  # 待整改 -> 已整改
    county = next(i for i, v in probs.items() if v[0] == "X01" and v[1] == "")
    assert status[P2][county] == 3  # the county row has no township badge ("")
