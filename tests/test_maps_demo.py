"""The demo county's own map.html in headless Chromium with every request blocked: the map
an official would open, checked against the run's tables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import shapely.geometry

from test_maps import ARTIFACTS, _layer_count, _Page, pw  # noqa: F401 (pw is a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STATUS_FILLS = {"#1a9850", "#fdae61", "#d73027"}


def test_demo_map_offline(pw, demo_dir: Path):  # noqa: F811
    run = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    cfg_layer = run["config"]["map"]["layer"] or run["layers"][0]["key"]
    minutes = run["config"]["map"]["minutes"] or max(run["params"]["thresholds"])
    fac = json.loads((demo_dir / "facilities.geojson").read_text(encoding="utf-8"))["features"]
    n_by_layer = pd.Series([f["properties"]["layer"] for f in fac]).value_counts()
    zones = json.loads((demo_dir / "zones.geojson").read_text(encoding="utf-8"))["features"]
    cov = pd.read_csv(demo_dir / "coverage_by_zone.csv", encoding="utf-8-sig",
                      dtype={"zone_id": str})
    group = next(s["group"] for s in run["layers"] if s["key"] == cfg_layer)

    pg = _Page(pw, (demo_dir / "map.html").as_uri())
    try:
        assert pg.blocked == [], "the page tried to reach the network"
        assert pg.errors == []
        # township choropleth: every township drawn, coloured by its target status
        fills = pg.js("() => [...document.querySelectorAll('.leaflet-c15zones-pane path')]"
                      ".map(p => p.getAttribute('fill'))")
        assert len(fills) == len(zones)
        assert set(fills) <= STATUS_FILLS, fills
        # every facility layer, with all its facilities
        for spec in run["layers"]:
            key = spec["key"]
            n = pg.js("k => window.circle15.layers['fac:' + k].getLayers().length", key)
            assert n == n_by_layer[key], key
        # the proposed sites of the siting run are a layer of their own
        sites = pd.read_csv(demo_dir / "proposed_sites.csv", encoding="utf-8-sig")
        assert len(sites) > 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(ARTIFACTS / "demo_map_zh.png"))

        # toggling a facility layer hides its markers
        label = pg.page.locator(".leaflet-control-layers-overlays label", has_text="健身（")
        assert _layer_count(pg, "fac:fitness") > 0
        label.locator("input").click()
        assert _layer_count(pg, "fac:fitness") == 0
        label.locator("input").click()
        assert _layer_count(pg, "fac:fitness") > 0

        # a township's tooltip shows its Chinese name and the rate of coverage_by_zone.csv
        z = zones[0]["properties"]
        row = cov[(cov["zone_id"] == str(z["zone_id"])) & (cov["layer"] == cfg_layer)
                  & (cov["group"] == group) & (cov["minutes"] == minutes)].iloc[0]
        inside = shapely.geometry.shape(zones[0]["geometry"]).representative_point()
        pt = pg.js("""p => window.circle15.maps[0].latLngToContainerPoint([p[1], p[0]])""",
                   [inside.x, inside.y])
        pg.page.mouse.move(pt["x"], pt["y"])
        tip = pg.page.locator(".leaflet-tooltip", has_text=z["zone_name"])
        tip.first.wait_for(timeout=3000)
        text = tip.first.inner_text()
        assert f"{100 * row['coverage_rate']:.1f}%" in text, text

        # the legend's uncovered people = the table's population - covered, same group
        county = cov[(cov["zone_id"] == "ALL") & (cov["layer"] == cfg_layer)
                     & (cov["group"] == group) & (cov["minutes"] == minutes)].iloc[0]
        legend = pg.page.locator(".c15-legend").first.inner_text()
        unc = round(county["population"] - county["covered_population"])
        assert f"{unc:,}" in legend, legend
    finally:
        pg.browser.close()
