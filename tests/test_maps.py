"""Tests of circle15.maps: the officials' HTML map (in real headless Chromium, offline)
and the static PNG.

The run directories are synthetic (seeded builder below, labelled synthetic): a grid of
rectangular townships near (120.25 E, 29.7 N), facilities, population points with travel
minutes (straight-line distance x 1.3 at walking speed; enough for drawing), coverage
tables computed from those points, targets, isochrone bands, streets and proposed sites.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, box

from circle15.errors import InputError
from circle15.maps import render_map, render_png
from circle15.maps import rundata
from circle15.maps.zonestats import CLOSE_MARGIN, NEUTRAL_COLORS, classify, zone_stats

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts" / "maps"
CHROMIUM = Path("/usr/bin/chromium")

# --------------------------------------------------------------------------- run-dir builder

ZONE_NAMES = ["甲山镇", "乙水街道", "丙桥乡", "丁湖镇", "戊岭镇", "己港街道", "庚田乡", "辛塘镇",
              "壬溪镇", "癸峰乡", "子城街道", "丑林镇"]
LAYERS = [
    {"key": "clinic", "label_zh": "卫生服务站", "label_en": "Clinics", "color": "#d62728",
     "icon": "house-medical", "group": "total"},
    {"key": "childcare", "label_zh": "托育机构", "label_en": "Childcare", "color": "#1f77b4",
     "icon": "baby", "group": "total"},
]
THRESHOLDS = [5, 10, 15]
SPEED_KMH = 4.5


def make_run_dir(path: Path, *, n_zones: int = 4, n_origins: int = 400, n_fac: int = 12,
                 street_nodes: int = 200, targets: bool = True, seed: int = 7,
                 zone_km: float = 3.0) -> Path:
    """Write a synthetic run directory into ``path`` and return it."""
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    crs_m = "EPSG:32651"
    ncol = int(np.ceil(np.sqrt(n_zones)))
    x0, y0 = gpd.GeoSeries.from_xy([120.25], [29.7], crs=4326).to_crs(crs_m).iloc[0].coords[0]
    size = zone_km * 1000
    polys, ids, names = [], [], []
    for i in range(n_zones):
        r, c = divmod(i, ncol)
        polys.append(box(x0 + c * size, y0 - (r + 1) * size, x0 + (c + 1) * size, y0 - r * size))
        ids.append(f"3306810{i + 1:02d}")
        names.append(ZONE_NAMES[i % len(ZONE_NAMES)] + ("" if i < len(ZONE_NAMES) else str(i)))
    zones_m = gpd.GeoDataFrame({"zone_id": ids, "zone_name": names}, geometry=polys, crs=crs_m)

    # Population points, denser near each zone centre.
    zi = rng.integers(0, n_zones, n_origins)
    cx = np.array([p.centroid.x for p in polys])[zi]
    cy = np.array([p.centroid.y for p in polys])[zi]
    ox = np.clip(cx + rng.normal(0, size / 5, n_origins), cx - size / 2 + 1, cx + size / 2 - 1)
    oy = np.clip(cy + rng.normal(0, size / 5, n_origins), cy - size / 2 + 1, cy + size / 2 - 1)
    pop = rng.integers(5, 60, n_origins).astype(float)
    origins = gpd.GeoDataFrame({"origin_id": np.arange(n_origins),
                                "zone_id": np.array(ids)[zi], "population": pop},
                               geometry=gpd.points_from_xy(ox, oy), crs=crs_m)

    # Facilities: more in the first zones, none of the second layer in the last zone.
    rows = []
    for k, lay in enumerate(LAYERS):
        for j in range(n_fac // len(LAYERS)):
            z = int(rng.integers(0, max(1, n_zones - k)))
            p = polys[z].centroid
            fx, fy = p.x + rng.normal(0, size / 6), p.y + rng.normal(0, size / 6)
            rows.append({"facility_id": f"{lay['key']}-{j}", "layer": lay["key"],
                         "name": f"{names[z]}{lay['label_zh']}{j + 1}号",
                         "subtype": "社区" if j % 2 else "村级",
                         "capacity": float(20 + j) if j % 3 else None,
                         "address": f"{names[z]}人民路{j + 1}号", "town": names[z],
                         "zone_id": ids[z], "linked": j != 1, "x": fx, "y": fy})
    fac = pd.DataFrame(rows)
    fac_m = gpd.GeoDataFrame(fac.drop(columns=["x", "y"]),
                             geometry=gpd.points_from_xy(fac["x"], fac["y"]), crs=crs_m)

    speed = SPEED_KMH * 1000 / 60  # m per minute
    cov_rows = []
    for lay in LAYERS:
        f = fac_m[(fac_m["layer"] == lay["key"]) & fac_m["linked"]]
        fxy = np.column_stack([f.geometry.x, f.geometry.y])
        d = np.sqrt(((np.column_stack([ox, oy])[:, None, :] - fxy[None, :, :]) ** 2).sum(-1))
        tmin = d.min(axis=1) * 1.3 / speed
        tmin[tmin > max(THRESHOLDS)] = np.nan
        origins[f"t_{lay['key']}"] = tmin
        for m in THRESHOLDS:
            cov = (~np.isnan(tmin)) & (tmin <= m)
            for zid, zname in [*zip(ids, names), ("ALL", "全县")]:
                sel = np.ones(n_origins, bool) if zid == "ALL" else (np.array(ids)[zi] == zid)
                P, C = pop[sel].sum(), pop[sel & cov].sum()
                cov_rows.append({"zone_id": zid, "zone_name": zname, "layer": lay["key"],
                                 "group": "total", "minutes": m, "population": P,
                                 "covered_population": C,
                                 "coverage_rate": C / P if P else np.nan})
    cov_df = pd.DataFrame(cov_rows)
    cov_df.to_csv(path / "coverage_by_zone.csv", index=False, encoding="utf-8-sig")

    if targets:
        tg = cov_df[(cov_df["layer"] == "clinic") & (cov_df["minutes"] == 15)]
        trows = []
        for _, r in tg.iterrows():
            target = 0.8
            met = r["coverage_rate"] >= target
            trows.append({"indicator_id": "clinic_15min", "name_zh": "15分钟卫生服务覆盖率",
                          "name_en": "15-min clinic coverage", "zone_id": r["zone_id"],
                          "zone_name": r["zone_name"], "year": 2027, "target": target,
                          "value": r["coverage_rate"], "status": "met" if met else "not_met",
                          "gap_value": max(0.0, target - r["coverage_rate"]),
                          "gap_people": max(0.0, np.ceil(target * r["population"]
                                                         - r["covered_population"])),
                          "layer": "clinic", "minutes": 15})
        trows.append({"indicator_id": "beds", "name_zh": "每千人床位", "name_en": "beds",
                      "zone_id": "ALL", "zone_name": "全县", "year": 2027, "target": 3.0,
                      "value": "", "status": "not_measurable", "gap_value": "",
                      "gap_people": "", "layer": "", "minutes": ""})
        pd.DataFrame(trows).to_csv(path / "targets_by_zone.csv", index=False,
                                   encoding="utf-8-sig")

    # Isochrone bands: rings around linked facilities at straight-line reach.
    iso = []
    for lay in LAYERS:
        f = fac_m[(fac_m["layer"] == lay["key"]) & fac_m["linked"]]
        prev = None
        for m in THRESHOLDS:
            u = shapely.union_all(f.geometry.buffer(m * speed / 1.3).to_numpy())
            band = u if prev is None else u.difference(prev)
            prev = u
            iso.append({"layer": lay["key"], "minutes": m,
                        "geometry": shapely.MultiPolygon([band]) if band.geom_type == "Polygon"
                        else band})
    iso_m = gpd.GeoDataFrame(iso, geometry="geometry", crs=crs_m)

    # Streets: a lattice of polylines with about street_nodes vertices in total.
    minx, miny, maxx, maxy = zones_m.total_bounds
    nl = max(2, int(np.sqrt(street_nodes / 10)))
    per = max(2, street_nodes // (2 * nl))
    lines = []
    for v in np.linspace(0.05, 0.95, nl):
        xs = np.linspace(minx, maxx, per)
        ys = miny + v * (maxy - miny) + rng.normal(0, 40, per)
        lines.append(LineString(np.column_stack([xs, ys])))
        ys2 = np.linspace(miny, maxy, per)
        xs2 = minx + v * (maxx - minx) + rng.normal(0, 40, per)
        lines.append(LineString(np.column_stack([xs2, ys2])))
    streets = gpd.GeoDataFrame({"highway": ["primary"] * len(lines)}, geometry=lines,
                               crs=crs_m)

    last = polys[-1].centroid
    prop = gpd.GeoDataFrame(
        {"layer": ["clinic", "clinic", "childcare"], "rank": [1, 2, 1],
         "zone_id": [ids[-1]] * 3, "zone_name": [names[-1]] * 3,
         "new_covered": [812.0, 433.0, 120.0], "cumulative_rate": [0.86, 0.91, 0.7]},
        geometry=gpd.points_from_xy([last.x, last.x + 900, last.x - 900],
                                    [last.y, last.y + 600, last.y]), crs=crs_m)

    zones = zones_m.to_crs(4326)
    zones["population"] = [pop[np.array(ids)[zi] == z].sum() for z in ids]
    zones.to_file(path / "zones.geojson", driver="GeoJSON")
    fac_m.to_crs(4326).to_file(path / "facilities.geojson", driver="GeoJSON")
    origins.to_crs(4326).to_file(path / "origins.gpkg", layer="origins", driver="GPKG")
    iso_m.to_crs(4326).to_file(path / "isochrones.gpkg", layer="isochrones", driver="GPKG")
    streets.to_crs(4326).to_file(path / "streets.geojson", driver="GeoJSON")
    prop.to_crs(4326).to_file(path / "proposed_sites.gpkg", layer="proposed_sites",
                              driver="GPKG")
    run = {"params": {"title": "示例县 15分钟公共服务圈（合成数据）", "synthetic": True,
                      "plan": "示例规划 2023–2027", "year": 2027, "mode": "walk",
                      "speed_kmh": SPEED_KMH, "thresholds": THRESHOLDS,
                      "data_date": "2024-06", "generated_at": "2024-07-01T10:00:00",
                      "circle15_version": "0.1.0", "crs": "EPSG:32651"},
           "layers": LAYERS}
    (path / "run.json").write_text(json.dumps(run, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return path


def _has(page: str, text: str) -> bool:
    """``text`` appears in the page, literally or JSON-escaped inside a script."""
    return text in page or json.dumps(text)[1:-1] in page


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return make_run_dir(tmp_path_factory.mktemp("maps") / "run", n_fac=16)


@pytest.fixture(scope="module")
def map_html(run_dir) -> Path:
    return render_map(run_dir)


# --------------------------------------------------------------------------- HTML, no browser


def test_html_is_self_contained(map_html, run_dir):
    page = map_html.read_text(encoding="utf-8")
    assert map_html == run_dir / "map.html"
    # No external script, stylesheet or image: only the attribution link points outside.
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert not re.search(r"url\((?!['\"]?(data:|#))", page)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page and "jquery" not in page.lower()
    assert re.search(r"<title>[^<]*合成示例数据 / synthetic demo data</title>", page)
    assert _has(page, "合成示例数据 / synthetic demo data")  # in the title block too
    assert '<html lang="zh-CN">' in page
    print(f"map.html on the 4-zone fixture: {map_html.stat().st_size / 1e6:.2f} MB")
    assert map_html.stat().st_size < 3e6


def test_english_labels(run_dir, tmp_path):
    page = render_map(run_dir, tmp_path / "en.html", lang="en").read_text(encoding="utf-8")
    assert "Township" in page and "Coverage" in page and "Target met" in page
    assert '<html lang="en">' in page


def test_zone_stats_match_brute_force(run_dir):
    info = rundata.read_run_json(run_dir)
    lay = info.layer("clinic")
    st = zone_stats(info, rundata.read_coverage(run_dir), rundata.read_targets(run_dir),
                    lay, 15)
    origins = rundata.read_origins(run_dir)
    assert st.has_target and st.year == 2027
    assert len(st.table) == 4 and st.county["zone_id"] == "ALL"
    for _, row in st.table.iterrows():
        o = origins[origins["zone_id"] == row["zone_id"]]
        covered = o.loc[o["t_clinic"] <= 15, "population"].sum()
        assert row["rate"] == pytest.approx(covered / o["population"].sum())
        expect = ("met" if row["rate"] >= 0.8 else
                  "close" if 0.8 - row["rate"] <= CLOSE_MARGIN else "far")
        assert row["status"] == expect
        assert row["gap_people"] == max(0, math.ceil(0.8 * row["population"] - covered))
    # The fixture has all three outcomes, so the legend and colours are exercised.
    assert set(st.table["status"]) == {"met", "close", "far"}


def test_classify_edges():
    assert classify(0.80, 0.80) == "met"
    assert classify(0.70, 0.80, "not_met") == "close"  # exactly 10 points below
    assert classify(0.6999, 0.80, "not_met") == "far"
    assert classify(0.95, 0.80, "met") == "met"
    assert classify(0.5, float("nan")) == "no_target"
    assert classify(0.5, 0.8, "not_measurable") == "no_target"


def test_no_targets_uses_neutral_scale(tmp_path):
    d = make_run_dir(tmp_path / "run", targets=False)
    info = rundata.read_run_json(d)
    st = zone_stats(info, rundata.read_coverage(d), None, info.layer(""), 10)
    assert not st.has_target
    assert set(st.table["color"]) <= set(NEUTRAL_COLORS)
    page = render_map(d, minutes=10).read_text(encoding="utf-8")
    assert _has(page, "本指标无规划目标")


def test_bad_inputs_raise_input_error(run_dir, tmp_path):
    with pytest.raises(InputError, match="unknown layer 'pool'"):
        render_map(run_dir, tmp_path / "x.html", layer="pool")
    with pytest.raises(InputError, match="no 12-minute threshold"):
        render_map(run_dir, tmp_path / "x.html", minutes=12)
    with pytest.raises(InputError, match="Tianditu"):
        render_map(run_dir, tmp_path / "x.html", basemap="tianditu")
    with pytest.raises(InputError, match="unknown basemap"):
        render_map(run_dir, tmp_path / "x.html", basemap="google")
    for name in ("coverage_by_zone.csv", "zones.geojson", "origins.gpkg", "run.json",
                 "facilities.geojson"):
        d = make_run_dir(tmp_path / f"miss-{name}", n_origins=50)
        (d / name).unlink()
        with pytest.raises(InputError, match=re.escape(name)):
            render_map(d)
    assert not (tmp_path / "x.html").exists()


def test_optional_files_may_be_absent(tmp_path):
    d = make_run_dir(tmp_path / "run", n_origins=80)
    for name in ("targets_by_zone.csv", "isochrones.gpkg", "streets.geojson",
                 "proposed_sites.gpkg"):
        (d / name).unlink()
    assert render_map(d).stat().st_size > 0


def test_amap_shifts_every_overlay_to_gcj02(run_dir, tmp_path):
    from circle15.geo.crs import wgs84_to_gcj02

    page = render_map(run_dir, tmp_path / "amap.html", basemap="amap").read_text("utf-8")
    plain = (run_dir / "map.html").read_text("utf-8")
    assert "GCJ-02" in page
    fac = rundata.read_facilities(run_dir)
    lon, lat = wgs84_to_gcj02(fac.geometry.x.to_numpy(), fac.geometry.y.to_numpy())
    for x, y, x0, y0 in zip(lon, lat, fac.geometry.x, fac.geometry.y):
        assert f"[{round(y, 6)}, {round(x, 6)}," in page          # shifted marker
        assert f"[{round(y0, 6)}, {round(x0, 6)}," not in page    # not the WGS-84 one
        assert f"[{round(y0, 6)}, {round(x0, 6)}," in plain
    # Township polygons are shifted too (~500 m here): compare the first vertex.
    zones = rundata.read_zones(run_dir)
    x0, y0 = zones.geometry.iloc[0].exterior.coords[0]
    gx, gy = wgs84_to_gcj02(np.array([x0]), np.array([y0]))
    assert f"[{gx[0]:.5f}".rstrip("0") in page
    shift_m = math.hypot((gx[0] - x0) * 96500, (gy[0] - y0) * 111000)
    assert 200 < shift_m < 900


def test_demo_scale_html_under_15_mb(tmp_path):
    d = make_run_dir(tmp_path / "big", n_zones=10, n_origins=60_000, n_fac=100,
                     street_nodes=20_000, zone_km=8.0)
    t0 = time.perf_counter()
    out = render_map(d)
    secs = time.perf_counter() - t0
    size = out.stat().st_size
    print(f"demo-scale map.html: {size / 1e6:.2f} MB in {secs:.1f} s")
    assert size < 15e6
    assert secs < 60


# --------------------------------------------------------------------------- PNG


def test_png_renders_chinese_with_the_bundled_font(run_dir, tmp_path):
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from circle15.maps.static import bundled_font_path, find_cjk_font

    font = find_cjk_font()
    path = font_manager.findfont(font, fallback_to_default=False)
    # the font installed with the package, not whatever the system has
    assert Path(path) == bundled_font_path()
    ft = FT2Font(path, face_index=2)
    assert ft.family_name == "Noto Sans CJK SC"
    assert all(ft.get_char_index(ord(c)) for c in "覆盖率甲山镇")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = render_png(run_dir, tmp_path / "cov.png")
    missing = [str(w.message) for w in rec if "missing from font" in str(w.message)]
    assert not missing, missing
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "coverage_map.png").write_bytes(out.read_bytes())


def test_png_without_the_bundled_font_fails_clearly(run_dir, tmp_path, monkeypatch):
    from circle15.maps import static

    monkeypatch.setattr(static, "bundled_font_path", lambda: tmp_path / "gone.ttc")
    with pytest.raises(InputError, match="bundled Chinese font"):
        render_png(run_dir, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


# --------------------------------------------------------------------------- real browser

_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


class _Page:
    """Headless Chromium page with every non-file request aborted and console captured."""

    def __init__(self, pw, url: str):
        self.browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_function("window.circle15 && window.circle15.maps.length > 0")
        self.page.wait_for_timeout(600)

    def _route(self, route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def js(self, code: str, arg=None):
        return self.page.evaluate(code, arg)


@pytest.fixture(scope="module")
def pw():
    if not CHROMIUM.exists():
        why = ("Debian chromium not installed at /usr/bin/chromium "
               "(apt-get install chromium fonts-noto-cjk)")
        if os.environ.get("CI"):  # CI installs it (.ci/run): a skip there would hide a defect
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _layer_count(pg: _Page, key: str) -> int:
    """Markers or cluster icons of a layer currently in the DOM."""
    return pg.js("k => document.getElementsByClassName('c15-m-' + k).length", key)


@pytest.mark.browser
def test_map_in_browser_offline(pw, map_html, run_dir):
    pg = _Page(pw, map_html.as_uri())
    try:
        assert pg.blocked == [], "the page tried to use the network"
        assert pg.errors == []
        assert pg.js("() => document.querySelectorAll('.leaflet-container').length") == 1
        # Choropleth: one SVG path per township in its pane, coloured by status.
        assert pg.js("() => document.querySelectorAll('.leaflet-c15zones-pane path').length") == 4
        fills = pg.js("() => [...document.querySelectorAll('.leaflet-c15zones-pane path')]"
                      ".map(p => p.getAttribute('fill'))")
        assert set(fills) == {"#1a9850", "#fdae61", "#d73027"}
        # Every facility layer drawn, with the right number of facilities.
        fac = rundata.read_facilities(run_dir)
        for key in ("clinic", "childcare"):
            assert _layer_count(pg, f"fac:{key}") > 0
            n = pg.js("k => window.circle15.layers['fac:' + k].getLayers().length", key)
            assert n == (fac["layer"] == key).sum()
        # Font Awesome glyphs really render (the inlined woff2 font loaded).
        assert pg.js("() => document.fonts.check('900 12px \"Font Awesome 6 Free\"')")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(ARTIFACTS / "map_zh.png"))

        # Toggling a layer in the layer control hides its markers.
        label = pg.page.locator(".leaflet-control-layers-overlays label",
                                has_text="托育机构（8处）")
        label.locator("input").click()
        assert _layer_count(pg, "fac:childcare") == 0
        assert _layer_count(pg, "fac:clinic") > 0
        label.locator("input").click()
        assert _layer_count(pg, "fac:childcare") > 0

        # Hovering a township shows its Chinese name and rate.
        st = zone_stats(rundata.read_run_json(run_dir), rundata.read_coverage(run_dir),
                        rundata.read_targets(run_dir), rundata.read_run_json(run_dir)
                        .layer("clinic"), 15).table.set_index("zone_name")
        pt = pg.js("""() => { const m = window.circle15.maps[0]; let out = null;
            window.circle15.layers.zones.eachLayer(l => { if (l.feature.properties.zone_name
                === '丙桥乡') { const b = l.getBounds();
                out = m.latLngToContainerPoint([b.getSouth() + 0.06 * (b.getNorth() - b.getSouth()),
                                                b.getWest() + 0.06 * (b.getEast() - b.getWest())]); } });
            return out; }""")
        pg.page.mouse.move(pt["x"], pt["y"])
        tip = pg.page.locator(".leaflet-tooltip")
        tip.wait_for(timeout=3000)
        text = tip.inner_text()
        assert "丙桥乡" in text and f"{100 * st.loc['丙桥乡', 'rate']:.1f}%" in text
        assert "覆盖率" in text and "目标" in text and "80.0%" in text

        # Search by township name zooms there and shows its numbers.
        pg.page.fill(".c15-search input", "乙水")
        pg.page.press(".c15-search input", "Enter")
        popup = pg.page.locator(".leaflet-popup-content")
        popup.wait_for(timeout=3000)
        assert "乙水街道" in popup.inner_text()
        assert f"{100 * st.loc['乙水街道', 'rate']:.1f}%" in popup.inner_text()
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_map_with_basemap_but_no_network(pw, run_dir, tmp_path):
    out = render_map(run_dir, tmp_path / "osm.html", basemap="osm")
    pg = _Page(pw, out.as_uri())
    try:
        assert pg.blocked and all("openstreetmap" in u for u in pg.blocked)
        # Only failed tile loads may complain; the map itself works.
        other = [e for e in pg.errors if "ERR_FAILED" not in e and "Failed to load" not in e]
        assert other == []
        assert pg.js("() => document.querySelectorAll('.leaflet-c15zones-pane path').length") == 4
        assert _layer_count(pg, "fac:clinic") > 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(ARTIFACTS / "map_osm_offline.png"))
    finally:
        pg.browser.close()
