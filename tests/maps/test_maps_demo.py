"""The demo county's own map.html in headless Chromium with every request blocked: the map
an official would open, spot-checked against the run's tables (the exhaustive
layer x threshold x year loop runs on the small fixture in test_maps.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from test_maps import (  # noqa: F401 (pw is a fixture)
    ARTIFACTS,
    _layer_count,
    _Page,
    assert_state,
    csv_indicator_ids,
    drilldown_ids,
    expected_state,
    page_data,
    pw,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_demo_map_offline(pw, demo_dir: Path, tmp_path):  # noqa: F811
    html_path = demo_dir / "map.html"
    # 3 MB for the five original layers; the three school layers (about 200 schools with
    # their isochrones) add some 0.9 MB
    assert html_path.stat().st_size <= 3.5e6
    run = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    data = page_data(html_path.read_text(encoding="utf-8"))
    fac = json.loads((demo_dir / "facilities.geojson").read_text(encoding="utf-8"))["features"]
    n_by_layer = pd.Series([f["properties"]["layer"] for f in fac]).value_counts()
    # the title card: the plan's title and document number, 全县 for 示例县
    assert "诸政办发〔2023〕10号" in data["meta"]["plan"]
    assert data["meta"]["county_label"] == "全县"
    assert data["years"] == [2023, 2024, 2025, 2026, 2027]

    pg = _Page(pw, html_path.as_uri())
    try:
        assert pg.blocked == [], "the page tried to reach the network"
        assert pg.errors == []
        st = pg.js("() => window.circle15.state()")
        cfg = run["config"]["map"]
        assert st["layer"] == cfg["layer"] and st["minutes"] == cfg["minutes"]
        assert st["year"] == run["params"]["year"] and st["view"] == "layer"
        assert_state(st, expected_state(demo_dir, st["layer"], st["minutes"], st["year"]))
        # every layer's facilities are there; only the shown layer's are drawn
        for spec in run["layers"]:
            key = spec["key"]
            n = pg.js("k => window.circle15.layers['fac:' + k].getLayers().length", key)
            assert n == n_by_layer[key], key
        assert _layer_count(pg, cfg["layer"]) == n_by_layer[cfg["layer"]]
        assert _layer_count(pg, "clinic") == 0
        assert "全县" in pg.page.locator("#c15-legend").inner_text()
        assert pg.page.locator("#c15-badge").is_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(ARTIFACTS / "demo_map_zh.png"))

        for layer, minutes, year in (("ALL", 15, 2027), ("childcare", 5, 2023),
                                     ("disability", 10, 2025), ("fitness", 15, 2026)):
            pg.js("o => window.circle15.show(o)",
                  {"layer": layer, "minutes": minutes, "year": year, "view": "layer"})
            assert_state(pg.js("() => window.circle15.state()"),
                         expected_state(demo_dir, layer, minutes, year))

        # drill-down of a township: every indicator of the CSV for that year
        zid = data["zones"][1]["id"]
        for year in (2023, 2027):
            pg.js("y => window.circle15.show({year: y})", year)
            assert sorted(drilldown_ids(pg, zid)) == sorted(csv_indicator_ids(demo_dir, zid,
                                                                              year))
        text = pg.page.locator("#c15-panel").inner_text()
        assert "卫生健康局" in text and "report.html" in pg.page.locator(
            "#c15-panel a.rep").get_attribute("href")
        # 达标总览: missed counts from the CSV
        tg = pd.read_csv(demo_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                         dtype={"zone_id": str})
        ov = pg.js("() => window.circle15.show({view: 'overview', year: 2027})")
        t27 = tg[(tg["year"] == 2027) & (tg["zone_id"] == zid)]
        assert ov["zones"][zid]["missed"] == (t27["status"] == "not_met").sum()
        assert ov["zones"][zid]["measured"] == t27["status"].isin(["met", "not_met"]).sum()
        # village level: the villages table of the run, searchable, counted per township
        villages = pd.read_csv(demo_dir / "inputs" / "villages.csv", encoding="utf-8-sig",
                               dtype=str)
        assert len(data["villages"]) == len(villages)
        mine = villages[villages["乡镇代码"] == zid]
        pg.js("z => window.circle15.open(z)", zid)
        assert f"村（社区）{len(mine)}个" in pg.page.locator("#c15-panel").inner_text()
        names = pd.Series([v[1] for v in data["villages"]]).value_counts()
        located = [v for v in data["villages"] if v[3] is not None and names[v[1]] == 1
                   and not any(z["name"].find(v[1]) >= 0 for z in data["zones"])]
        assert located, "no village could be placed"
        v = located[0]
        # a located village has a facility of each layer it lists, in that village
        fac_v = {f[2] for f in data["fac"] if f[5] == v[1] and f[6] == v[2]}
        assert set(v[5]) == fac_v
        pg.page.fill("#c15-search", v[1])
        assert "村（社区）" in pg.page.locator("#c15-results").inner_text()
        pg.page.press("#c15-search", "Enter")
        assert pg.page.locator("#c15-panel").get_attribute("data-zone") == v[2]
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


def test_demo_map_in_english(demo_dir: Path, tmp_path):
    from circle15.maps import render_map

    out = render_map(demo_dir, tmp_path / "en.html", lang="en")
    page = out.read_text(encoding="utf-8")
    data = page_data(page)
    assert '<html lang="en">' in page
    assert data["meta"]["county_label"] == "Countywide"
    title = re.search(r"<header.*?</header>", page, re.DOTALL).group(0)
    visible = re.sub(r"<[^>]+>", " ", title).replace("合成示例数据", "")
    assert visible.isascii(), visible
    for s in data["selectors"]:
        assert s["label"].isascii()
    # the same default view as in Chinese
    zh = page_data((demo_dir / "map.html").read_text(encoding="utf-8"))
    assert (data["meta"]["layer"], data["meta"]["minutes"]) == (zh["meta"]["layer"],
                                                                zh["meta"]["minutes"])
