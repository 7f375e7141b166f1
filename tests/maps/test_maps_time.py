"""The 一张图 over time (issue 15 item 6) on the synthetic history demo (示例县, four
quarters of 2025: Q2 opens two 残疾人之家, Q3 a 托育 centre, Q4 closes one home again),
in headless Chromium with every request blocked. Everything the page shows for a period is
compared with the history store's own rows, read here with plain SQL."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_maps import (  # noqa: F401 (pw is a fixture)
    ARTIFACTS,
    _Page,
    assert_state,
    expected_state,
    page_data,
    pw,
)
from typer.testing import CliRunner

from circle15.cli import app
from support.history import tiny_two_runs

pytestmark = [pytest.mark.slow]
runner = CliRunner()
PERIODS = ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
YEAR = 2025  # the plan year every demo quarter is judged by


def cli(*args: str, code: int = 0) -> str:
    res = runner.invoke(app, list(args))
    assert res.exit_code == code, res.output
    return " ".join(res.output.split())


@pytest.fixture(scope="module")
def dh(tmp_path_factory) -> Path:
    """``circle15 history demo --out DIR`` (four quarters); returns DIR."""
    out = tmp_path_factory.mktemp("history-demo") / "dh"
    cli("-q", "history", "demo", "--out", str(out))
    return out


def sql(db: Path, query: str, *args) -> pd.DataFrame:
    with sqlite3.connect(db) as conn:
        return pd.read_sql_query(query, conn, params=args)


def expected_period_state(dh: Path, period: str, layer: str, minutes: float) -> dict:
    """What the page must show for a period's view, from the store's rows (the plan year's
    network-coverage target of the layer at that threshold; the lowest indicator id when
    several apply)."""
    db = dh / "history.sqlite"
    run = json.loads((dh / "runs" / "2025Q4" / "run.json").read_text(encoding="utf-8"))
    group = next((s["group"] for s in run["layers"] if s["key"] == layer), "total")
    cov = sql(db, 'SELECT * FROM history_coverage WHERE period = ? AND layer = ? AND '
                  'minutes = ? AND zone_id != \'ALL\'', period, layer, minutes)
    cov = cov[cov["group"] == group] if (cov["group"] == group).any() else \
        cov[cov["group"] == "total"]
    tg = pd.read_csv(dh / "runs" / "2025Q4" / "targets_by_zone.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str})
    ids = sorted(set(tg[(tg["layer"].astype(str) == layer)
                        & (pd.to_numeric(tg["minutes"]) == minutes)
                        & (tg["kind"] == "network_coverage")]["indicator_id"]))
    ind = sql(db, "SELECT * FROM history_indicators WHERE period = ? AND year = ?", period,
              YEAR)
    ind = ind[ind["indicator_id"] == ids[0]].set_index("zone_id") if ids else ind.iloc[0:0]
    out = {}
    for r in cov.itertuples():
        rate, target, status, gap = float(r.coverage_rate), None, "no_target", None
        if r.zone_id in ind.index:
            row = ind.loc[r.zone_id]
            tv = pd.to_numeric(row["target"], errors="coerce")
            if not pd.isna(tv) and row["status"] in ("met", "not_met"):
                target = tv / 100 if tv > 1 else tv
                status = ("met" if row["status"] == "met" else
                          "close" if target - rate <= 0.10 + 1e-12 else "far")
            gap = None if pd.isna(row["gap_people"]) else float(row["gap_people"])
        out[r.zone_id] = {"rate": rate, "target": target, "status": status,
                          "gap_people": gap}
    return out


def open_counts_from_cli(dh: Path, period: str, tmp_path: Path, db: Path | None = None
                         ) -> dict[str, int]:
    """Open problems per township from ``circle15 problems --period P --out F.xlsx``."""
    out = tmp_path / f"problems_{period}.xlsx"
    cli("-q", "problems", "--period", period, "--db", str(db or dh / "history.sqlite"),
        "--out", str(out))
    df = pd.read_excel(out, sheet_name="问题清单", dtype={"zone_id": str})
    df = df[(df["status"] != "已整改") & (df["zone_id"] != "ALL")]
    return df.groupby("zone_id").size().to_dict()


def not_met_counts(dh: Path, period: str) -> dict[str, int]:
    """Brute force for the demo (nobody set a status by hand): a township's open problems
    in a period are its measurable targets not met in that period."""
    ind = sql(dh / "history.sqlite", "SELECT zone_id FROM history_indicators WHERE period = ? "
              "AND year = ? AND status = 'not_met' AND zone_id != 'ALL'", period, YEAR)
    return ind.groupby("zone_id").size().to_dict()


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def _badges(pg: _Page) -> dict[str, int]:
    return pg.js("() => { const o = {}; window.circle15.layers.problems.eachLayer(m => {"
                 " o[m.zid] = Number(m.getElement().textContent); }); return o; }")


# the tests without a browser first: the module's Playwright must not be running while
# they run the pipeline (its PDF uses Playwright too)


def test_history_of_other_townships_exits_2(dh, tmp_path):
    run1, _ = tiny_two_runs(tmp_path / "tiny")
    db = tmp_path / "tiny.sqlite"
    cli("-q", "record", "--from-run", str(run1), "--period", "2027Q1", "--db", str(db))
    out = tmp_path / "m"
    msg = cli("map", str(dh / "runs" / "2025Q4"), "--history", "--db", str(db), "--out",
              str(out), code=2)
    assert "2027Q1" in msg and "other townships" in msg
    assert not (out / "map.html").exists()
    msg = cli("map", str(dh / "runs" / "2025Q4"), "--db", str(db), "--out", str(out),
              code=2)
    assert "--history" in msg and not (out / "map.html").exists()


def test_without_history_the_page_is_unchanged(dh, tmp_path):
    from circle15.maps import render_map

    run = dh / "runs" / "2025Q2"
    again = render_map(run, run / "again.html")  # beside it: the same link to report.html
    try:
        assert again.read_bytes() == (run / "map.html").read_bytes()
    finally:
        again.unlink()
    cli("-q", "map", str(run), "--out", str(tmp_path / "plain"))
    plain = (tmp_path / "plain" / "map.html").read_text(encoding="utf-8")
    assert "c15/time.js" not in plain and "c15-period" not in plain
    assert "hist" not in page_data(plain)
    size = {"without history": (run / "map.html").stat().st_size,
            "with history": (dh / "map.html").stat().st_size}
    assert size["with history"] < 1.25 * size["without history"], size
    print("demo page size (bytes):", size)


@pytest.mark.browser
def test_a_run_not_recorded_is_offered_as_this_run(demo_dir, dh, pw, tmp_path):  # noqa: F811
    # the session's demo run: the same 示例县 as the history, but not recorded in it
    cli("-q", "map", str(demo_dir), "--history", "--db", str(dh / "history.sqlite"),
        "--out", str(tmp_path / "m"))
    page = (tmp_path / "m" / "map.html").read_text(encoding="utf-8")
    data = page_data(page)
    assert data["hist"]["run"] is None
    assert '<option value="run">本次计算（未入库）</option>' in page
    pg = _Page(pw, (tmp_path / "m" / "map.html").as_uri())
    try:
        assert pg.js("() => window.circle15.state().period") == "2025Q4"  # still the newest
        st = pg.js("() => window.circle15.show({period: 'run', layer: 'ALL', minutes: 15})")
        assert st["period"] == "run" and st["year"] == YEAR  # the year stays
        assert_state(st, expected_state(demo_dir, "ALL", 15, YEAR))  # the run's own tables
        assert not any(st["problems"].values())  # nothing recorded for it
        assert "本次计算结果" in pg.page.locator("#c15-period-line").inner_text()
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_history_map_periods_trend_and_problems(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    html = dh / "map.html"  # written by `circle15 history demo`
    data = page_data(html.read_text(encoding="utf-8"))
    assert [p[0] for p in data["hist"]["periods"]] == PERIODS
    assert data["hist"]["run"] == "2025Q4"  # the map is the newest run's, recorded as Q4
    zones = [z["id"] for z in data["zones"]]
    pg = _Page(pw, html.as_uri())
    try:
        st = pg.js("() => window.circle15.state()")
        assert (st["period"], st["year"]) == ("2025Q4", YEAR)  # newest, its plan year
        assert "2025年第4季度" in pg.page.locator("#c15-period-line").inner_text()
        assert "2025年第4季度" in pg.page.locator("#c15-legend").inner_text()
        # two periods, every layer x threshold: the store's status for every township
        for period in ("2025Q1", "2025Q2"):
            for sel in data["selectors"]:
                for minutes in data["thresholds"]:
                    st = pg.js("o => window.circle15.show(o)",
                               {"period": period, "layer": sel["key"], "minutes": minutes,
                                "view": "layer"})
                    assert (st["period"], st["year"]) == (period, YEAR)
                    assert_state(st, expected_period_state(dh, period, sel["key"], minutes))
                    fills = pg.js("() => { const o = {}; window.circle15.layers.zones"
                                  ".eachLayer(l => { o[l.zid] = l.options.fillColor; });"
                                  " return o; }")
                    assert fills == {z: v["color"] for z, v in st["zones"].items()}
            # 达标总览 of the period: missed / measured per township from the store
            ov = pg.js("p => window.circle15.show({period: p, view: 'overview'})", period)
            ind = sql(dh / "history.sqlite", "SELECT * FROM history_indicators WHERE "
                      "period = ? AND year = ?", period, YEAR)
            for zid in zones:
                mine = ind[ind["zone_id"] == zid]
                assert ov["zones"][zid]["missed"] == (mine["status"] == "not_met").sum()
                assert ov["zones"][zid]["measured"] == mine["status"].isin(
                    ["met", "not_met"]).sum()
            pg.js("() => window.circle15.show({view: 'layer'})")
        # Q1 and Q2 differ where the two new 残疾人之家 opened (T21 met in Q2 only)
        ind = sql(dh / "history.sqlite", "SELECT period, zone_id, status FROM "
                  "history_indicators WHERE indicator_id = 'T21' AND year = ?", YEAR)
        fixed = set(ind[(ind["period"] == "2025Q2") & (ind["status"] == "met")]["zone_id"]) \
            - set(ind[(ind["period"] == "2025Q1") & (ind["status"] == "met")]["zone_id"])
        assert len(fixed) == 2

        # the drill-down trend: exactly the recorded values of every indicator
        zid = sorted(fixed)[0]
        pg.js("() => window.circle15.show({period: '2025Q4'})")
        pg.js("z => window.circle15.open(z)", zid)
        trend = pg.js("z => window.circle15.trend(z)", zid)
        rec = sql(dh / "history.sqlite", "SELECT period, indicator_id, value, status FROM "
                  "history_indicators WHERE zone_id = ? AND year = ?", zid, YEAR)
        shown = rec[rec["value"].notna() | rec["status"].isin(["met", "not_met"])]
        assert set(trend) == set(shown["indicator_id"])  # the rest has nothing to plot
        for iid, pts in trend.items():
            mine = rec[rec["indicator_id"] == iid].set_index("period")
            assert [p[0] for p in pts] == PERIODS
            for period, value, _target, status in pts:
                v = mine.loc[period, "value"]
                assert (value is None) == pd.isna(v), (iid, period)
                if value is not None:
                    assert value == pytest.approx(v, abs=1e-6), (iid, period)
                assert status == mine.loc[period, "status"], (iid, period)
        dots = pg.js("() => [...document.querySelectorAll('#c15-panel tr[data-trend=\"T21\"] "
                     "circle')].map(c => [c.dataset.p, Number(c.dataset.v), c.dataset.s])")
        t21 = rec[rec["indicator_id"] == "T21"].set_index("period")
        assert dots == [[p, pytest.approx(t21.loc[p, "value"]), t21.loc[p, "status"]]
                        for p in PERIODS]
        assert [d[2] for d in dots][:3] == ["not_met", "met", "met"]  # opened in Q2
        panel = pg.page.locator("#c15-panel").inner_text()
        assert "本乡镇问题" in panel and "残联" in panel and "2025年第1季度" in panel
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_drilldown_zh.png"))

        # open problems per township = `circle15 problems --period P` (and the brute force)
        for period in PERIODS:
            st = pg.js("p => window.circle15.show({period: p})", period)
            cli_counts = open_counts_from_cli(dh, period, tmp_path)
            assert _nonzero(st["problems"]) == cli_counts == not_met_counts(dh, period)
            assert _badges(pg) == cli_counts, period
        # a rectified (已整改) problem is not open: T21 of the fixed townships in Q2
        q2 = pg.js("() => window.circle15.show({period: '2025Q2'})")
        q1 = pg.js("() => window.circle15.show({period: '2025Q1'})")
        for z in fixed:
            assert q2["problems"][z] == q1["problems"][z] - 1

        # the list panel: filter by 责任单位, click zooms to the township and opens it
        pg.js("() => window.circle15.show({period: '2025Q2'})")
        pg.page.select_option("#c15-punit", "残联")
        items = pg.page.locator("#c15-plist button")
        t21_open = sql(dh / "history.sqlite", "SELECT zone_id FROM history_indicators WHERE "
                       "period = '2025Q2' AND year = ? AND indicator_id = 'T21' AND status "
                       "= 'not_met'", YEAR)
        assert items.count() == len(t21_open)  # the county row included
        assert all("残联" in t for t in items.all_inner_texts())
        first = items.nth(0)
        target = first.get_attribute("data-zone")
        zoom = pg.js("() => window.circle15.maps[0].getZoom()")
        first.click()
        pg.page.wait_for_timeout(400)
        assert pg.page.locator("#c15-panel").get_attribute("data-zone") == target
        assert pg.js("() => window.circle15.maps[0].getZoom()") > zoom
        # the township lies between the left cards and the drill-down panel
        box = pg.js("z => { const m = window.circle15.maps[0]; let b; window.circle15.layers"
                    ".zones.eachLayer(l => { if (l.zid === z) b = l.getBounds(); });"
                    " const a = m.latLngToContainerPoint(b.getNorthWest()),"
                    " c = m.latLngToContainerPoint(b.getSouthEast());"
                    " return [a.x, a.y, c.x, c.y]; }", target)
        left, panel = pg.box("#c15-top"), pg.box("#c15-panel")
        assert left["x"] + left["width"] <= box[0] and box[2] <= panel["x"], box
        assert box[1] >= 0 and box[3] <= 900, box
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_list_zh.png"))

        # keyboard: the period selector is a native select
        pg.page.focus("#c15-period")
        pg.page.keyboard.press("ArrowDown")
        assert pg.js("() => window.circle15.state().period") == "2025Q3"
        # the badges can be switched off and on
        pg.page.uncheck("#c15-problems")
        assert not pg.js("() => window.circle15.maps[0].hasLayer("
                         "window.circle15.layers.problems)")
        assert not pg.page.locator("#c15-pcard").is_visible()
        pg.page.check("#c15-problems")
        with pytest.raises(Exception, match="unknown period"):
            pg.js("() => window.circle15.show({period: '2024Q1'})")
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_history_map_english_phone_and_print(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    run = dh / "runs" / "2025Q4"
    cli("-q", "map", str(run), "--history", "--db", str(dh / "history.sqlite"), "--lang",
        "en", "--out", str(tmp_path / "en"))
    page = (tmp_path / "en" / "map.html").read_text(encoding="utf-8")
    data = page_data(page)
    for k in ("period", "period_line", "trend", "problems_title", "ps_3", "values",
              "fac_note_added", "fac_note_closed", "fac_changes_title", "iso_run_only",
              "fac_marks", "fac_legend_closed", "fac_arrow"):
        assert data["t"][k].isascii(), k
    assert [p[2] for p in data["hist"]["periods"]] == ["2025 Q1", "2025 Q2", "2025 Q3",
                                                       "2025 Q4"]
    url = (tmp_path / "en" / "map.html").as_uri()
    pg = _Page(pw, url)
    try:
        pg.js("() => window.circle15.show({period: '2025Q2', layer: 'disability'})")
        assert "Period: 2025 Q2" in pg.page.locator("#c15-period-line").inner_text()
        zid = data["zones"][1]["id"]
        pg.js("z => window.circle15.open(z)", zid)
        text = pg.page.locator("#c15-panel").inner_text()
        assert "Trend over the recorded periods" in text
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_en.png"))
        pg.js("() => window.circle15.close()")
        # print view: the period is in the title, the list and the controls are not
        pg.page.emulate_media(media="print")
        pg.js("() => window.circle15.preparePrint()")
        pg.page.wait_for_timeout(300)
        assert pg.page.locator("#c15-period-line").is_visible()
        assert "2025 Q2" in pg.page.locator("#c15-title").inner_text()
        assert not pg.page.locator("#c15-pcard").is_visible()
        assert pg.page.locator(".c15-pb").count() > 0  # badges print
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_print_en.png"))
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()
    pg = _Page(pw, (dh / "map.html").as_uri(), viewport=(390, 844))
    try:
        assert not pg.page.locator("#c15-plist").is_visible()  # folded on a phone
        assert pg.box("#c15-pcard")["height"] < 50  # to one line
        pg.page.click("#c15-ptoggle")
        assert pg.page.locator("#c15-plist").is_visible()
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_phone.png"))
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_problems_set_by_hand_show_from_the_newest_period(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    db = tmp_path / "h.sqlite"
    shutil.copy(dh / "history.sqlite", db)
    pr = sql(db, "SELECT id, zone_id FROM history_problems WHERE status = '待整改' AND "
                 "zone_id != 'ALL' ORDER BY id")
    done, busy = pr.iloc[0], pr.iloc[1]
    cli("problems", "set", str(done["id"]), "--status", "已整改", "--by", "测试",
        "--db", str(db))
    cli("problems", "set", str(busy["id"]), "--status", "整改中", "--by", "测试",
        "--db", str(db))
    cli("-q", "map", str(dh / "runs" / "2025Q4"), "--history", "--db", str(db), "--out",
        str(tmp_path / "m"))
    pg = _Page(pw, (tmp_path / "m" / "map.html").as_uri())
    try:
        q4 = pg.js("() => window.circle15.show({period: '2025Q4'})")
        before = not_met_counts(dh, "2025Q4")
        assert int(done["id"]) not in q4["open_problems"]
        assert int(busy["id"]) in q4["open_problems"]  # 整改中 is still open
        want = dict(before)
        want[done["zone_id"]] -= 1
        assert _nonzero(q4["problems"]) == _nonzero(want)
        assert _nonzero(q4["problems"]) == open_counts_from_cli(dh, "2025Q4", tmp_path, db)
        q3 = pg.js("() => window.circle15.show({period: '2025Q3'})")
        assert _nonzero(q3["problems"]) == not_met_counts(dh, "2025Q3")  # not back in time
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


def _store_changes(dh: Path, a: str, b: str) -> pd.DataFrame:
    """``compare_periods`` of the store: the facility changes from A to B."""
    from circle15.history.compare import compare_periods
    from circle15.history.store import open_store

    store = open_store(dh / "history.sqlite", create=False)
    try:
        return compare_periods(store, a, b).facilities
    finally:
        store.dispose()


def _markers(pg: _Page, key: str, cls: str = "") -> int:
    """Facility markers of a layer drawn now (``cls``: only those with that mark)."""
    return pg.js("([k, c]) => document.querySelectorAll('.c15-m-' + k + c).length",
                 [key, cls])


@pytest.mark.browser
def test_history_map_shows_each_periods_facilities(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    html = dh / "map.html"
    data = page_data(html.read_text(encoding="utf-8"))
    keys = [lay["key"] for lay in data["layers"]]
    reg = sql(dh / "history.sqlite", "SELECT period, layer, name, zone_id FROM "
              "history_facilities")
    pg = _Page(pw, html.as_uri())
    try:
        seen_changes = 0
        for n, period in enumerate(PERIODS):
            st = pg.js("p => window.circle15.show({period: p, layer: 'ALL'})", period)
            mine = reg[reg["period"] == period]
            want = {k: int((mine["layer"] == k).sum()) for k in keys}
            assert st["facilities"] == want, period  # the period's register, per layer
            ch = _store_changes(dh, PERIODS[n - 1], period) if n else pd.DataFrame(
                columns=["change", "name", "zone_id", "layer"])
            for k in keys:
                # drawn: the register (not marked closed) and those closed since then
                mine_ch = ch[ch["layer"] == k]["change"]
                assert _markers(pg, k, ":not(.c15-closed)") == want[k], (period, k)
                assert _markers(pg, k, ".c15-closed") == (mine_ch == "closed").sum()
                assert _markers(pg, k, ".c15-added") == (mine_ch == "added").sum()
            got = sorted(tuple(c) for c in st["fac_changes"])
            assert got == sorted(zip(ch["change"], ch["name"], ch["zone_id"], ch["layer"],
                                     strict=True)), period
            seen_changes += len(got)
            # the drill-down of every township with a change lists exactly its changes
            for zid in sorted(set(ch["zone_id"])):
                pg.js("z => window.circle15.open(z)", zid)
                items = pg.js("() => [...document.querySelectorAll('#c15-panel li"
                              "[data-change]')].map(li => [li.dataset.change, li.dataset"
                              ".layer, li.textContent])")
                here = ch[ch["zone_id"] == zid]
                assert sorted((c, lay) for c, lay, _ in items) == sorted(
                    zip(here["change"], here["layer"], strict=True)), (period, zid)
                assert all(name in " ".join(t for *_, t in items) for name in here["name"])
                head = pg.page.locator("#c15-fchanges-h").inner_text()
                assert f"较{data['hist']['periods'][n - 1][2]}" in head
                pg.js("() => window.circle15.close()")
        assert seen_changes == 4  # Q2 two homes, Q3 a 托育 centre, Q4 one home closed

        # Q2: a new home is ringed and badged; its popup says when it appeared
        pg.js("() => window.circle15.show({period: '2025Q2', layer: 'disability'})")
        new = pg.page.locator(".c15-m-disability.c15-added").first
        assert "新增" in new.inner_text()
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_facilities_q2.png"))
        new.focus()  # keyboard: markers are focusable and Enter opens the popup
        pg.page.keyboard.press("Enter")
        pop = pg.page.locator(".leaflet-popup-content")
        assert "2025年第2季度新增（2025年第1季度时尚无）" in pop.inner_text()
        # the legend explains the marks; the toggle hides them and the closed ones
        legend = pg.page.locator("#c15-legend-time").inner_text()
        assert "新增设施（较2025年第1季度）" in legend and "(2)" in legend
        q4 = pg.js("() => window.circle15.show({period: '2025Q4'})")
        pg.page.wait_for_timeout(300)  # the Q2 popup fades out
        assert q4["closed"]["disability"] == 1
        closed = pg.page.locator(".c15-m-disability.c15-closed")
        assert closed.count() == 1 and "已关闭" in closed.inner_text()
        closed.click()
        assert "2025年第4季度已关闭（2025年第3季度时仍在册）" in pop.inner_text()
        pg.page.uncheck("#c15-fchanges")
        assert closed.count() == 0 and "新增设施" not in pg.page.locator(
            "#c15-legend-time").inner_text()
        assert _markers(pg, "disability") == q4["facilities"]["disability"]
        pg.page.check("#c15-fchanges")
        assert closed.count() == 1
        # the first period has nothing to compare with
        pg.js("() => window.circle15.show({period: '2025Q1'})")
        assert "首次记录" in pg.page.locator("#c15-legend-time").inner_text()

        # isochrones are the run's (Q4): other periods say so in the legend
        pg.page.check("#c15-iso")
        pg.js("() => window.circle15.show({period: '2025Q2'})")
        note = pg.page.locator("#c15-iso-note")
        assert note.is_visible() and "服务圈范围为本次运行（2025年第4季度）" in note.inner_text()
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_iso_note.png"))
        pg.js("() => window.circle15.show({period: '2025Q4'})")
        assert note.count() == 0
        pg.page.uncheck("#c15-iso")

        # print view: the period's marks print
        pg.js("() => window.circle15.show({period: '2025Q2'})")
        pg.page.emulate_media(media="print")
        pg.js("() => window.circle15.preparePrint()")
        pg.page.wait_for_timeout(300)
        assert pg.page.locator(".c15-added .mk").first.is_visible()
        pg.page.screenshot(path=str(ARTIFACTS / "history_map_facilities_print.png"))
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


def test_page_size_grows_little_per_period(dh, tmp_path):
    """The demo page with its 4 recorded periods and with 12 (synthetic registers that
    change every quarter): what each period adds, and what its facilities add."""
    from circle15.maps import render_map
    from support.timeline import read_timeline

    run = dh / "runs" / "2025Q4"
    tl4 = read_timeline(dh / "history.sqlite", run)
    tl12 = _twelve(dh)
    assert [p.key for p in tl12.periods][-4:] == PERIODS and tl12.periods[0].key == "2023Q1"
    size, fac = {}, {}
    for name, tl in (("4", tl4), ("12", tl12)):
        out = render_map(run, tmp_path / f"map{name}.html", timeline=tl)
        size[name] = out.stat().st_size
        hist = page_data(out.read_text(encoding="utf-8"))["hist"]
        fac[name] = len(json.dumps(hist["fac"], ensure_ascii=False).encode())
        assert len(hist["fac"]) == int(name)
    plain = (run / "map.html").stat().st_size  # the run's page without a history
    per_period = (size["12"] - size["4"]) / 8
    fac_per_period = (fac["12"] - fac["4"]) / 8
    print(f"page bytes: without history {plain}, 4 periods {size['4']}, 12 periods "
          f"{size['12']}; per period {per_period:.0f}, of which facilities "
          f"{fac_per_period:.0f}; facilities of the 4 demo periods {fac['4']}")
    registers = sql(dh / "history.sqlite", "SELECT * FROM history_facilities WHERE period "
                    "= '2025Q4'")
    whole = len(registers.to_json(orient="values", force_ascii=False).encode())
    assert fac_per_period < whole / 20  # not the register again
    assert per_period < 0.01 * plain, (per_period, plain)


@pytest.mark.browser
def test_problems_of_villages_name_the_village(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    """Village-level targets open one problem per village (``village_id``,
    ``village_name`` of ``history_problems``, zone_id = its township): the list and the
    drill-down name the village. Built here by adding the columns to the periods'
    problems, as the store will hand them over."""
    from dataclasses import replace

    from circle15.maps import render_map
    from circle15.maps.timeline import Timeline
    from support.timeline import read_timeline

    run = dh / "runs" / "2025Q4"
    tl = read_timeline(dh / "history.sqlite", run)
    q4 = tl.newest.problems
    mine = q4[(q4["status"] == "待整改") & (q4["zone_id"] != "ALL")].iloc[0]
    periods = []
    for p in tl.periods:
        pr = p.problems.copy()
        pr["village_id"] = np.where(pr["id"] == mine["id"], "V0001", None)
        pr["village_name"] = np.where(pr["id"] == mine["id"], "东坞村（示例）", None)
        periods.append(replace(p, problems=pr))
    out = render_map(run, tmp_path / "map.html",
                     timeline=Timeline(tuple(periods), tl.run_period, tl.source, True))
    pg = _Page(pw, out.as_uri())
    try:
        pg.js("() => window.circle15.show({period: '2025Q4'})")
        item = pg.page.locator(f"#c15-plist button[data-problem='{int(mine['id'])}']")
        assert item.get_attribute("data-village") == "东坞村（示例）"
        assert "东坞村（示例）" in item.inner_text()
        assert pg.page.locator("#c15-plist button[data-village]").count() == 1
        pg.js("z => window.circle15.open(z)", str(mine["zone_id"]))
        row = pg.page.locator(f"#c15-panel tr[data-problem='{int(mine['id'])}']")
        assert "东坞村（示例）" in row.inner_text()
        head = pg.page.locator("#c15-panel table.prob th").all_inner_texts()
        assert "村（社区）" in head
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


def _twelve(dh: Path):
    from circle15.history.mapview import run_facilities
    from support.timeline import read_timeline, synthetic_timeline

    run = dh / "runs" / "2025Q4"
    tl4 = read_timeline(dh / "history.sqlite", run)
    return synthetic_timeline(tl4, run_facilities(run), 12)


@pytest.mark.browser
def test_synthetic_periods_moves_and_capacity(dh, pw, tmp_path):  # noqa: F811 (dh first: its runs use Playwright)
    """12 synthetic quarters (a facility closed, one opened, one moved 200 m and one with
    10 more places every quarter): the page draws each quarter's register where it
    stood, and its changes are ``compare_facilities`` of the two registers."""
    from circle15.history.compare import compare_facilities
    from circle15.maps import render_map

    tl = _twelve(dh)
    out = render_map(dh / "runs" / "2025Q4", tmp_path / "map.html", timeline=tl)
    data = page_data(out.read_text(encoding="utf-8"))
    keys = [lay["key"] for lay in data["layers"]]
    pg = _Page(pw, out.as_uri())
    try:
        kinds = set()
        for n, p in enumerate(tl.periods):
            reg = p.facilities[p.facilities["layer"].isin(keys)]
            st = pg.js("k => window.circle15.show({period: k, layer: 'ALL'})", p.key)
            assert st["facilities"] == {k: int((reg["layer"] == k).sum()) for k in keys}
            # every facility where the register has it (rounded as the page rounds)
            drawn = pg.js("() => { const o = []; Object.keys(window.circle15.layers).forEach("
                          "k => { if (k.startsWith('fac:')) window.circle15.layers[k]"
                          ".eachLayer(m => { const l = m.getLatLng(); o.push([m.c15[3], "
                          "l.lat, l.lng]); }); }); return o; }")
            want = [(r.name, round(r.lat, 5), round(r.lon, 5)) for r in reg.itertuples()]
            assert sorted(map(tuple, drawn)) == sorted(want), p.key
            if not n:
                continue
            prev = tl.periods[n - 1].facilities
            ch = compare_facilities(prev, p.facilities)
            ch = ch[ch["layer"].isin(keys)]
            assert sorted(map(tuple, st["fac_changes"])) == sorted(
                zip(ch["change"], ch["name"], ch["zone_id"], ch["layer"], strict=True))
            kinds |= set(ch["change"])
            for r in ch[ch["change"] == "capacity"].itertuples():
                pg.js("z => window.circle15.open(z)", r.zone_id)
                li = pg.page.locator(f"#c15-panel li[data-change='capacity']"
                                     f"[data-layer='{r.layer}']", has_text=r.name)
                a, b = ("—" if pd.isna(x) else str(round(x)) for x in (r.capacity_a,
                                                                      r.capacity_b))
                assert f"{a} → {b}" in li.first.inner_text()
            for r in ch[ch["change"] == "moved"].itertuples():
                pg.js("z => window.circle15.open(z)", r.zone_id)
                li = pg.page.locator("#c15-panel li[data-change='moved']", has_text=r.name)
                assert f"约{round(r.moved_m)}米" in li.first.inner_text()
        assert kinds == {"added", "closed", "moved", "capacity"}
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()
