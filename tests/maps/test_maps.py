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
from circle15.maps import render_map, render_png, rundata
from circle15.maps.zonestats import CLOSE_MARGIN, NEUTRAL_COLORS, classify, zone_stats
from circle15.report.pdf import find_chromium
from support import REPO

ARTIFACTS = REPO / "test-artifacts" / "maps"
CHROMIUM = find_chromium() or Path("/usr/bin/chromium")

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
            # an earlier plan year with a lower target, so the year switch shows
            t26 = 0.6
            trows.append({**trows[-1], "year": 2026, "target": t26,
                          "status": "met" if r["coverage_rate"] >= t26 else "not_met",
                          "gap_value": max(0.0, t26 - r["coverage_rate"]),
                          "gap_people": max(0.0, np.ceil(t26 * r["population"]
                                                         - r["covered_population"]))})
        for year in (2026, 2027):
            trows.append({"indicator_id": "beds", "name_zh": "每千人床位", "name_en": "beds",
                          "zone_id": "ALL", "zone_name": "全县", "year": year,
                          "target": 3.0, "value": "", "status": "not_measurable",
                          "gap_value": "", "gap_people": "", "layer": "", "minutes": ""})
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
    assert _has(page, "本年无规划目标")


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

    from circle15.fonts import bundled_font_path, find_cjk_font

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
    from importlib import resources

    from circle15 import fonts

    # a broken install: the font package's file is gone
    monkeypatch.setattr(fonts, "BUNDLED_FONT_FILE", "gone.ttc")
    assert not (resources.files(fonts.BUNDLED_FONT_PACKAGE) / "gone.ttc").is_file()
    with pytest.raises(InputError, match="bundled Chinese font"):
        render_png(run_dir, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_amap_shifts_every_overlay_to_gcj02(run_dir, map_html, tmp_path):
    from circle15.geo.crs import wgs84_to_gcj02

    page = render_map(run_dir, tmp_path / "amap.html", basemap="amap").read_text("utf-8")
    shifted, plain = page_data(page), page_data(map_html.read_text("utf-8"))
    assert "GCJ-02" in page
    fac = rundata.read_facilities(run_dir)
    lon, lat = wgs84_to_gcj02(fac.geometry.x.to_numpy(), fac.geometry.y.to_numpy())
    for f, g, x, y, x0, y0 in zip(shifted["fac"], plain["fac"], lon, lat, fac.geometry.x,
                                  fac.geometry.y):
        assert f[:2] == pytest.approx([y, x], abs=2e-5)        # shifted marker
        assert g[:2] == pytest.approx([y0, x0], abs=2e-5)      # the WGS-84 one
    # township polygons are shifted too (~500 m here): compare the label points
    a, b = shifted["zones"][0]["lab"], plain["zones"][0]["lab"]
    shift_m = math.hypot((a[1] - b[1]) * 96500, (a[0] - b[0]) * 111000)
    assert 200 < shift_m < 900


def test_two_renders_are_byte_identical(run_dir, tmp_path):
    a = render_map(run_dir, tmp_path / "a.html").read_bytes()
    b = render_map(run_dir, tmp_path / "b.html").read_bytes()
    assert a == b
    assert b'<meta name="renderer" content="webkit">' in a
    assert b"fontawesome" not in a.lower() and b"font awesome" not in a.lower()


def test_defaults_come_from_run_json(run_dir, tmp_path):
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    run["config"] = {"map": {"layer": "childcare", "minutes": 10}, "output": {"lang": "en"}}
    d = tmp_path / "run"
    d.mkdir()
    for f in run_dir.iterdir():
        if f.is_file() and f.name != "run.json":
            (d / f.name).write_bytes(f.read_bytes())
    (d / "run.json").write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
    data = page_data(render_map(d).read_text("utf-8"))
    assert (data["meta"]["layer"], data["meta"]["minutes"], data["meta"]["year"]) == (
        "childcare", 10, 2027)
    assert data["t"]["rate"] == "Coverage"
    assert data["years"] == [2026, 2027]
    with pytest.raises(InputError, match="no targets for 2031"):
        render_map(d, tmp_path / "x.html", year=2031)


def test_english_texts_are_ascii():
    from circle15.maps.pagetext import page_text
    from circle15.report.labels import GROUPS

    t = page_text("en", GROUPS)
    flat = [v for k, v in t.items() if isinstance(v, str) and k != "synthetic"]
    assert all(v.isascii() for v in flat), [v for v in flat if not v.isascii()]


def test_county_label_from_the_admin_level():
    from circle15.vocab import county_label

    assert county_label("诸暨市", "zh") == "全市"
    assert county_label("示例县", "zh") == "全县"
    assert county_label("示例县（合成）", "zh") == "全县"
    assert county_label("越城区", "zh") == "全区"
    assert county_label("诸暨市", "en") == "Citywide"
    assert county_label("", "zh") == "全域"


def page_data(page: str) -> dict:
    """The JSON data embedded in a map page."""
    m = re.search(r'<script type="application/json" id="c15-data">(.*?)</script>', page,
                  re.DOTALL)
    assert m, "no embedded data"
    return json.loads(m.group(1).replace("<\\/", "</"))


def expected_state(run_dir: Path, layer: str, minutes: float, year: int) -> dict:
    """What the page must show for a view, straight from the run's CSV tables."""
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    group = next((s["group"] for s in run["layers"] if s["key"] == layer), "total")
    cov = pd.read_csv(run_dir / "coverage_by_zone.csv", encoding="utf-8-sig",
                      dtype={"zone_id": str})
    c = cov[(cov["layer"] == layer) & (cov["minutes"] == minutes) & (cov["zone_id"] != "ALL")]
    if (c["group"] == group).any():
        c = c[c["group"] == group]
    else:
        c = c[c["group"] == "total"]
    tg = pd.read_csv(run_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str, "target": str})
    tg = tg[(tg["layer"].astype(str) == layer) & (pd.to_numeric(tg["minutes"]) == minutes)
            & (tg["year"] == year)]
    if "kind" in tg:
        tg = tg[tg["kind"] == "network_coverage"]
    tg = tg.set_index("zone_id")
    out = {}
    for _, r in c.iterrows():
        rate, target, status, gap = float(r["coverage_rate"]), None, "no_target", None
        if r["zone_id"] in tg.index:
            row = tg.loc[r["zone_id"]]
            tv = pd.to_numeric(row["target"], errors="coerce")
            if not pd.isna(tv) and row["status"] in ("met", "not_met"):
                target = tv / 100 if tv > 1 else tv
                status = ("met" if row["status"] == "met" else
                          "close" if target - rate <= 0.10 + 1e-12 else "far")
            gap = None if pd.isna(row["gap_people"]) else float(row["gap_people"])
        out[r["zone_id"]] = {"rate": rate, "target": target, "status": status,
                             "gap_people": gap}
    return out


def assert_state(state: dict, expect: dict) -> None:
    assert set(state["zones"]) == set(expect)
    for zid, e in expect.items():
        got = state["zones"][zid]
        assert got["rate"] == pytest.approx(e["rate"], abs=1e-6), zid
        assert got["status"] == e["status"], (zid, got, e)
        if e["target"] is None:
            assert got["target"] is None, zid
        else:
            assert got["target"] == pytest.approx(e["target"], abs=1e-9), zid
        assert (got["gap_people"] is None) == (e["gap_people"] is None), zid
        if e["gap_people"] is not None:
            assert got["gap_people"] == pytest.approx(e["gap_people"]), zid


# --------------------------------------------------------------------------- real browser

_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"]


class _Page:
    """Headless Chromium page with every non-file request aborted and console captured."""

    def __init__(self, pw, url: str, viewport: tuple[int, int] = (1400, 900)):
        self.browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=_ARGS)
        self.page = self.browser.new_page(viewport={"width": viewport[0],
                                                    "height": viewport[1]})
        self.errors: list[str] = []
        self.blocked: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_function("window.circle15 && window.circle15.ready")
        self.page.wait_for_timeout(300)

    def _route(self, route):
        if route.request.url.startswith(("file://", "data:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def js(self, code: str, arg=None):
        return self.page.evaluate(code, arg)

    def box(self, selector: str) -> dict | None:
        loc = self.page.locator(selector)
        return loc.first.bounding_box() if loc.count() and loc.first.is_visible() else None


@pytest.fixture(scope="module")
def pw():
    if find_chromium() is None:
        why = "Debian chromium not installed at /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("CI"):  # CI installs it (.ci/run): a skip there would hide a defect
            pytest.fail(why)
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _layer_count(pg: _Page, key: str) -> int:
    """Markers of a layer currently in the DOM."""
    return pg.js("k => document.getElementsByClassName('c15-m-' + k).length", key)


def _overlap(a: dict, b: dict) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def check_every_view(pg: _Page, run_dir: Path, data: dict) -> int:
    """show() every layer x threshold x year and compare state() with the CSV tables."""
    n = 0
    for sel in data["selectors"]:
        for minutes in data["thresholds"]:
            for year in data["years"]:
                st = pg.js("o => window.circle15.show(o)",
                           {"layer": sel["key"], "minutes": minutes, "year": year,
                            "view": "layer"})
                assert (st["layer"], st["minutes"], st["year"], st["view"]) == (
                    sel["key"], minutes, year, "layer")
                assert_state(pg.js("() => window.circle15.state()"),
                             expected_state(run_dir, sel["key"], minutes, year))
                # the drawn fills are the state's colours
                fills = pg.js("() => { const o = {}; window.circle15.layers.zones.eachLayer("
                              "l => { o[l.zid] = l.options.fillColor; }); return o; }")
                assert fills == {z: v["color"] for z, v in st["zones"].items()}
                n += 1
    return n


def drilldown_ids(pg: _Page, zone_id: str) -> list[str]:
    pg.js("z => window.circle15.open(z)", zone_id)
    return pg.js("() => [...document.querySelectorAll('#c15-panel tr[data-ind]')]"
                 ".map(r => r.dataset.ind)")


def csv_indicator_ids(run_dir: Path, zone_id: str, year: int) -> list[str]:
    tg = pd.read_csv(run_dir / "targets_by_zone.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str, "indicator_id": str})
    return tg[(tg["zone_id"] == zone_id) & (tg["year"] == year)]["indicator_id"].tolist()


@pytest.mark.browser
def test_map_in_browser_offline(pw, map_html, run_dir):
    data = page_data(map_html.read_text(encoding="utf-8"))
    pg = _Page(pw, map_html.as_uri())
    try:
        assert pg.blocked == [] and pg.errors == []
        # default view: the run's layer, choropleth in status colours, its facilities only,
        # heat map and isochrones off
        st = pg.js("() => window.circle15.state()")
        assert (st["layer"], st["minutes"], st["year"], st["view"]) == ("clinic", 15, 2027,
                                                                         "layer")
        assert pg.js("() => document.querySelectorAll('.leaflet-c15zones-pane path')"
                     ".length") == 4
        fills = pg.js("() => [...document.querySelectorAll('.leaflet-c15zones-pane path')]"
                      ".map(p => p.getAttribute('fill'))")
        assert set(fills) <= {"#1a9850", "#fdae61", "#fb6a4a", "#de2d26", "#a50f15"}
        assert {"#1a9850", "#fdae61"} <= set(fills)
        fac = rundata.read_facilities(run_dir)
        assert _layer_count(pg, "clinic") == (fac["layer"] == "clinic").sum()
        assert _layer_count(pg, "childcare") == 0
        assert not pg.js("() => window.circle15.maps[0].hasLayer(window.circle15.layers"
                         ".uncovered)")
        assert not pg.js("() => window.circle15.maps[0].hasLayer(window.circle15.layers"
                         "['iso:clinic'])")
        # no icon font: the glyphs are inline SVG
        assert pg.js("() => document.querySelectorAll('.c15-pin svg').length") > 0
        # township labels sit above the markers
        z = pg.js("() => [getComputedStyle(window.circle15.maps[0].getPane('c15labels'))"
                  ".zIndex, getComputedStyle(window.circle15.maps[0].getPane('markerPane'))"
                  ".zIndex]")
        assert int(z[0]) > int(z[1])
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.page.screenshot(path=str(ARTIFACTS / "map_zh.png"))

        # every layer x threshold x year matches the tables
        n = check_every_view(pg, run_dir, data)
        assert n == len(data["selectors"]) * 3 * 2

        # the year matters: 2026's target is 60 %, 2027's 80 %
        s26 = pg.js("() => window.circle15.show({layer: 'clinic', minutes: 15, year: 2026})")
        assert {v["target"] for v in s26["zones"].values()} == {0.6}

        # 达标总览: each township by its missed measurable targets
        ov = pg.js("() => window.circle15.show({view: 'overview', year: 2027})")
        e = expected_state(run_dir, "clinic", 15, 2027)
        for zid, v in ov["zones"].items():
            assert v["measured"] == 1
            assert v["missed"] == (0 if e[zid]["status"] == "met" else 1)
        pg.js("() => window.circle15.show({view: 'layer', year: 2027})")

        # drill-down lists the same indicators as the CSV, with the plan fields
        zid = "330681002"
        assert sorted(drilldown_ids(pg, zid)) == sorted(csv_indicator_ids(run_dir, zid, 2027))
        text = pg.page.locator("#c15-panel").inner_text()
        assert "乙水街道" in text and "15分钟卫生服务覆盖率" in text
        assert "卫生服务站" in text and "号" in text   # facilities by layer with names
        pg.page.click("#c15-panel-close")
        assert not pg.page.locator("#c15-panel").is_visible()

        # clicking a township opens its panel
        pt = pg.js("""() => { const m = window.circle15.maps[0]; let out = null;
            window.circle15.layers.zones.eachLayer(l => { if (l.zid === '330681003') {
              const b = l.getBounds(); out = m.latLngToContainerPoint([
                b.getSouth() + 0.1 * (b.getNorth() - b.getSouth()),
                b.getWest() + 0.1 * (b.getEast() - b.getWest())]); } }); return out; }""")
        pg.page.mouse.click(pt["x"], pt["y"])
        assert pg.page.locator("#c15-panel").get_attribute("data-zone") == "330681003"

        # search finds townships and facilities
        pg.page.fill("#c15-search", "乙水")
        assert "乙水街道" in pg.page.locator("#c15-results").inner_text()
        pg.page.press("#c15-search", "Enter")
        assert pg.page.locator("#c15-panel").get_attribute("data-zone") == zid
        pg.page.fill("#c15-search", "托育机构3号")
        pg.page.locator("#c15-results li").first.click()
        pg.page.locator(".leaflet-popup-content").wait_for(timeout=3000)
        assert "托育机构3号" in pg.page.locator(".leaflet-popup-content").inner_text()

        # overlays on demand: isochrones and the uncovered heat map
        pg.page.check("#c15-iso")
        assert pg.js("() => window.circle15.maps[0].hasLayer(window.circle15.layers"
                     "['iso:clinic'])")
        pg.page.check("#c15-heat")
        assert "未覆盖" in pg.page.locator("#c15-legend").inner_text()
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_phone_layout(pw, map_html):
    pg = _Page(pw, map_html.as_uri(), viewport=(390, 844))
    try:
        title, badge = pg.box("#c15-title"), pg.box("#c15-badge")
        assert title and badge and title["height"] < 60     # one line
        for sel in ("#c15-controls", "#c15-legend", ".leaflet-control-zoom",
                    ".leaflet-control-scale", ".leaflet-control-attribution"):
            b = pg.box(sel)
            if b:
                assert not _overlap(b, title), sel
                assert not _overlap(b, badge), sel
        # the controls open and close
        assert not pg.page.locator("#c15-layer").is_visible()
        pg.page.click("#c15-toggle")
        assert pg.page.locator("#c15-layer").is_visible()
        pg.page.click("#c15-toggle")
        # the drill-down is a bottom sheet that closes
        pg.js("() => window.circle15.open('330681001')")
        sheet = pg.box("#c15-panel")
        assert sheet and sheet["y"] + sheet["height"] == pytest.approx(844, abs=1)
        assert sheet["width"] == pytest.approx(390, abs=1)
        pg.page.screenshot(path=str(ARTIFACTS / "map_phone.png"))
        pg.page.click("#c15-panel-close")
        assert not pg.page.locator("#c15-panel").is_visible()
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_print_is_one_a4_page_with_the_legend(pw, map_html, tmp_path):
    pg = _Page(pw, map_html.as_uri())
    try:
        pg.page.emulate_media(media="print")
        pg.js("() => window.circle15.preparePrint()")
        pg.page.wait_for_timeout(300)
        page_px = {"x": 0, "y": 0, "width": 1061, "height": 720}
        for sel in ("#c15-legend", "#c15-title", "#c15-north", "#c15-foot",
                    ".leaflet-control-scale"):
            b = pg.box(sel)
            assert b, sel
            assert b["x"] >= 0 and b["y"] >= 0, sel
            assert b["x"] + b["width"] <= page_px["width"] + 1, sel
            assert b["y"] + b["height"] <= page_px["height"] + 1, sel
        assert not pg.page.locator("#c15-controls").is_visible()
        assert not pg.page.locator(".leaflet-control-zoom").is_visible()
        foot = pg.page.locator("#c15-foot").inner_text()
        assert "数据日期" in foot and "circle15" in foot and "规划" in foot
        pdf = pg.page.pdf(format="A4", landscape=True, prefer_css_page_size=True,
                          print_background=True)
        (tmp_path / "map.pdf").write_bytes(pdf)
        pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
        assert len(pages) == 1
        assert pg.errors == [] and pg.blocked == []
    finally:
        pg.browser.close()


@pytest.mark.browser
def test_map_with_basemap_but_no_network(pw, run_dir, tmp_path):
    out = render_map(run_dir, tmp_path / "osm.html", basemap="osm")
    pg = _Page(pw, out.as_uri())
    try:
        assert pg.blocked and all("openstreetmap" in u for u in pg.blocked)
        other = [e for e in pg.errors if "ERR_FAILED" not in e and "Failed to load" not in e]
        assert other == []
        assert pg.js("() => document.querySelectorAll('.leaflet-c15zones-pane path').length") == 4
        assert _layer_count(pg, "clinic") > 0
    finally:
        pg.browser.close()


def test_custom_basemap_for_an_intranet(run_dir, map_html, tmp_path):
    url = "http://tiles.zwy.example/{z}/{x}/{y}.png"
    with pytest.raises(InputError, match="tile URL template"):
        render_map(run_dir, tmp_path / "x.html", basemap="custom")
    plain = page_data(map_html.read_text("utf-8"))
    wgs = page_data(render_map(run_dir, tmp_path / "c.html", basemap="custom",
                               tile_url=url).read_text("utf-8"))
    gcj = page_data(render_map(run_dir, tmp_path / "g.html", basemap="custom-gcj02",
                               tile_url=url).read_text("utf-8"))
    assert wgs["meta"]["basemap"]["url"] == url == gcj["meta"]["basemap"]["url"]
    assert wgs["fac"] == plain["fac"]             # WGS-84/CGCS2000 tiles: no shift
    assert gcj["fac"][0][:2] != plain["fac"][0][:2]  # GCJ-02 tiles: overlays shifted
    assert plain["meta"]["basemap"]["url"] == ""  # default: no tiles, no network
