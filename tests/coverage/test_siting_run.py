"""The siting command's logic on a small hand-built run (synthetic grid town, not a real place)."""

from __future__ import annotations

import dataclasses
import json

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely

from circle15.config import (
    Config,
    CoverageConfig,
    LayerConfig,
    NetworkConfig,
    OutputConfig,
    SitingConfig,
    TargetsConfig,
)
from circle15.coverage.nearest import layer_times
from circle15.coverage.siting import grid_candidates, load_candidates
from circle15.coverage.siting.solvers import spopt_mclp
from circle15.coverage.travel import SourceGraph, nearest_facility
from circle15.coverage.zonal import coverage_table
from circle15.errors import InputError
from circle15.facilities import Layer
from circle15.geo.routing.linking import Links, link_points, usable_segments
from circle15.geo.routing.network import RoutingNetwork
from circle15.run.result import RunResult
from circle15.run.siting import run_siting, site_layer, siting_options

CRS = "EPSG:4549"
X0, Y0 = 500_000.0, 3_290_000.0  # near 120 E, 29.7 N
SPEED = 1.25


def _grid(n: int = 13, step: float = 100.0) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(crs=CRS)
    for i in range(n):
        for j in range(n):
            G.add_node(i * n + j, x=X0 + i * step, y=Y0 + j * step)
    for i in range(n):
        for j in range(n):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < n and j + dj < n:
                    a, b = i * n + j, (i + di) * n + j + dj
                    for u, v in ((a, b), (b, a)):
                        G.add_edge(u, v, length=step, travel_time=step / SPEED,
                                   highway="residential")
    return G


def _to4326(xy: np.ndarray) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.points(xy), crs=CRS).to_crs(4326)


def fake_run(tmp_path, *, seed: int = 7, layer: str = "clinic", targets=None,
             own_zone_only: bool = False, facilities_xy=None, n_origins: int = 300,
             siting: SitingConfig | None = None) -> RunResult:
    """A 1.2 km grid town split into two townships (W/E), random people, one facility."""
    rng = np.random.default_rng(seed)
    net = RoutingNetwork.from_graph(_grid(), access_speed=SPEED)
    cfg = Config(layers=[LayerConfig(key=layer)],
                 network=NetworkConfig(source="synthetic", mode="walk", speed_kmh=4.5),
                 coverage=CoverageConfig(thresholds=[5, 10, 15], own_zone_only=own_zone_only),
                 siting=siting or SitingConfig(spacing_m=200.0, max_sites=10, minutes=5.0),
                 targets=TargetsConfig(plan="zhuji-2023"),
                 output=OutputConfig(dir=tmp_path / "out"))
    zpolys = [shapely.box(X0 - 50, Y0 - 50, X0 + 600, Y0 + 1250),
              shapely.box(X0 + 600, Y0 - 50, X0 + 1250, Y0 + 1250)]
    zones = gpd.GeoDataFrame({"zone_id": ["330681001", "330681002"],
                              "zone_name": ["西镇（合成）", "东镇（合成）"]},
                             geometry=zpolys, crs=CRS).to_crs(4326)
    oxy = rng.uniform([X0, Y0], [X0 + 1200, Y0 + 1200], (n_origins, 2))
    pop = rng.integers(0, 40, n_origins).astype(float)
    origins = gpd.GeoDataFrame({"population": pop,
                                "age_60p": np.floor(pop * 0.3),
                                "zone_id": np.where(oxy[:, 0] < X0 + 600, "330681001",
                                                    "330681002")},
                               geometry=_to4326(oxy).values, crs=4326)
    usable = usable_segments(net)
    org_links = link_points(net, oxy, max_distance=300, usable=usable)
    fxy = np.array([[X0 + 150, Y0 + 130]]) if facilities_xy is None else facilities_xy
    fac = gpd.GeoDataFrame({"facility_id": [f"F{i}" for i in range(len(fxy))],
                            "name": [f"诊所{i}" for i in range(len(fxy))],
                            "layer": layer, "zone_id": "330681001", "linked": True},
                           geometry=_to4326(fxy).values, crs=4326)
    fac_links = link_points(net, fxy, max_distance=300, usable=usable)
    zone_of = (fac["zone_id"].astype(str).to_numpy(), origins["zone_id"].astype(str).to_numpy()) \
        if own_zone_only else (None, None)
    t = layer_times(SourceGraph(net, fac_links), fac["layer"].to_numpy(), fac_links, layer,
                    org_links, 60.0 * 15, fac_zone=zone_of[0], org_zone=zone_of[1]).minutes
    origins[f"t_{layer}"] = t
    cov = coverage_table(origins, {layer: t}, zones, [5, 10, 15],
                         layer_groups={layer: "total"})
    layers = [Layer(key=layer, label_zh="诊所", label_en="clinic", color="", icon="",
                    group="total", required=True)]
    return RunResult(config=cfg, zones=zones, network=net, facilities=fac,
                     facility_issues=pd.DataFrame(), origins=origins, origin_links=org_links,
                     facility_links=fac_links, coverage=cov, admin=pd.DataFrame(),
                     layers=layers, targets=targets)


def site(run: RunResult, layer: str, **options):
    """Site ``layer`` of a run with the config's [siting] options, some overridden."""
    return site_layer(run, layer, siting_options(run.config, **options))


def _concat(a: Links, b: Links) -> Links:
    return Links(np.concatenate([a.segment, b.segment]), np.concatenate([a.frac, b.frac]),
                 np.concatenate([a.offset, b.offset]))


def test_sites_reproduce_predicted_coverage_when_added(tmp_path):
    run = fake_run(tmp_path)
    sr = site(run, "clinic", target_rate=0.9, method="greedy")
    assert len(sr.sites) >= 1
    # add the proposed sites as facilities and recompute exactly as the pipeline does
    cand = sr.candidates
    xy = np.column_stack([cand.to_crs(CRS).geometry.x, cand.to_crs(CRS).geometry.y])
    cl = link_points(run.network, xy, max_distance=300,
                     usable=usable_segments(run.network))
    chosen = cand.index.get_indexer(cand.index[cand["candidate_id"].isin(
        sr.sites["candidate_id"])])
    t = nearest_facility(run.network, _concat(run.facility_links, cl.subset(chosen)),
                         run.origin_links, 60.0 * 15).minutes
    cov = coverage_table(run.origins.assign(t_clinic=t), {"clinic": t}, run.zones,
                         [5, 10, 15], layer_groups={"clinic": "total"})
    c5 = cov[(cov["minutes"] == 5) & (cov["group"] == "total")].set_index("zone_id")
    ba = sr.before_after.set_index("zone_id")
    np.testing.assert_allclose(ba.loc[c5.index, "covered_after"],
                               c5["covered_population"].round(3))
    assert sr.sites["cumulative_covered"].iloc[-1] == pytest.approx(
        c5.loc["ALL", "covered_population"], abs=1e-3)
    # the target is met in both townships (or the report says why not)
    if sr.report["stop_reason"] == "targets_met":
        assert (ba["status_after"] == "met").all()
        assert (ba["rate_after"].iloc[:-1] >= 0.9 - 1e-9).all()


def test_run_siting_writes_outputs(tmp_path):
    run = fake_run(tmp_path)
    out = tmp_path / "run"
    sr = run_siting(run, "clinic", siting_options(run.config, target_rate=0.8), out_dir=out)
    names = {p.name for p in out.iterdir()}
    assert {"proposed_sites.csv", "proposed_sites.gpkg", "siting_before_after.csv",
            "siting_curve.csv", "siting_report.json"} <= names
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run.tmp")]
    raw = (out / "proposed_sites.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(out / "proposed_sites.csv", encoding="utf-8-sig",
                        dtype={"zone_id": str})
    for col in ("layer", "rank", "lon", "lat", "zone_id", "zone_name", "new_covered",
                "cumulative_covered", "cumulative_rate", "candidate_id", "name"):
        assert col in table.columns
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert set(table["zone_name"]) <= {"西镇（合成）", "东镇（合成）"}
    g = gpd.read_file(out / "proposed_sites.gpkg", layer="proposed_sites")
    assert g.crs.to_epsg() == 4326 and len(g) == len(table)
    np.testing.assert_allclose(g.geometry.x, table["lon"], atol=1e-6)
    curve = pd.read_csv(out / "siting_curve.csv", encoding="utf-8-sig")
    assert curve["sites"].tolist() == list(range(len(table) + 1))
    assert (np.diff(curve["cumulative_covered"]) > 0).all()
    assert curve["cumulative_rate"].iloc[-1] == pytest.approx(
        table["cumulative_rate"].iloc[-1], abs=1e-6)
    rep = json.loads((out / "siting_report.json").read_text(encoding="utf-8"))["clinic"]
    assert rep["layer"] == "clinic" and rep["target"]["source"] == "target_rate"
    assert rep["sites"] == len(table) == len(sr.sites)


def test_siting_another_layer_keeps_the_first_layers_sites(tmp_path):
    run = fake_run(tmp_path)
    run.layers.append(dataclasses.replace(run.layers[0], key="elderly"))
    run.origins["t_elderly"] = run.origins["t_clinic"]
    out = tmp_path / "run"
    a = run_siting(run, "clinic", siting_options(run.config, max_sites=2), out_dir=out)
    b = run_siting(run, "elderly", siting_options(run.config, max_sites=3), out_dir=out)
    again = run_siting(run, "clinic", siting_options(run.config, max_sites=1), out_dir=out)
    g = gpd.read_file(out / "proposed_sites.gpkg", layer="proposed_sites")
    assert g["layer"].tolist() == ["elderly"] * len(b.sites) + ["clinic"] * len(again.sites)
    assert len(a.sites) == 2 and len(again.sites) == 1
    csv = pd.read_csv(out / "proposed_sites.csv", encoding="utf-8-sig", dtype={"zone_id": str})
    assert csv["layer"].tolist() == g["layer"].tolist()
    assert set(csv["zone_id"]) <= {"330681001", "330681002"}
    curve = pd.read_csv(out / "siting_curve.csv", encoding="utf-8-sig")
    assert (curve["layer"] == "elderly").sum() == 4 and (curve["layer"] == "clinic").sum() == 2
    ba = pd.read_csv(out / "siting_before_after.csv", encoding="utf-8-sig")
    assert sorted(set(ba["layer"])) == ["clinic", "elderly"]
    rep = json.loads((out / "siting_report.json").read_text(encoding="utf-8"))
    assert sorted(rep) == ["clinic", "elderly"] and rep["clinic"]["sites"] == 1


def test_exact_check_reports_the_gap_to_the_spopt_optimum(tmp_path):
    run = fake_run(tmp_path, n_origins=200)
    # no target: plain maximal covering of 3 sites, small enough for the exact solver
    greedy = site(run, "clinic", max_sites=3, method="greedy")
    auto = site(run, "clinic", max_sites=3, method="auto")
    ex = auto.report["exact"]
    assert ex["run"] is True
    w = run.origins["population"].to_numpy(float)
    covered = run.origins["t_clinic"].to_numpy() <= 5.0
    from circle15.coverage.siting.solvers import reach_sets

    cl = link_points(run.network, np.column_stack([
        auto.candidates.to_crs(CRS).geometry.x, auto.candidates.to_crs(CRS).geometry.y]),
        max_distance=300, usable=usable_segments(run.network))
    reach = reach_sets(run.network, cl, run.origin_links, 5.0)
    _, opt = spopt_mclp(reach, w, covered, 3)
    assert ex["exact_objective"] == pytest.approx(opt)
    g_obj = greedy.siting.objective
    assert ex["greedy_objective"] == pytest.approx(g_obj)
    assert g_obj == pytest.approx(opt * (1 - ex["gap"]))
    # auto keeps the better of the two
    assert auto.siting.objective == pytest.approx(opt)


def test_zone_cap_and_grid_candidates(tmp_path):
    run = fake_run(tmp_path, facilities_xy=np.array([[X0 + 1150, Y0 + 1150]]))
    sr = site(run, "clinic", target_rate=1.0, zone_cap=1, method="greedy")
    assert sr.sites["zone_id"].value_counts().max() == 1
    assert sr.report["stop_reason"] in ("no_candidates", "no_gain", "targets_met")
    # grid: one candidate per populated 200 m cell at most, at network nodes
    assert sr.report["candidates"]["source"].startswith("grid")
    assert sr.candidates["linked"].all()
    assert (sr.candidates.to_crs(CRS).geometry.distance(
        gpd.GeoSeries(shapely.points(run.network.x, run.network.y), crs=CRS).union_all())
        < 0.02).all()  # nodes, to the 1 cm of 7-decimal lon/lat


def test_grid_candidates_only_in_cells_with_people():
    net = RoutingNetwork.from_graph(_grid(), access_speed=SPEED)
    xy = np.array([[X0 + 10, Y0 + 10], [X0 + 30, Y0 + 20], [X0 + 1110, Y0 + 1110],
                   [X0 + 600, Y0 + 600]])
    nodes = grid_candidates(net, xy, np.array([5, 3, 7, 0.0]), 200.0)
    # cell 1 (two people points) and the cell at (1110, 1110): the zero cell gets nothing
    assert len(nodes) == 2
    got = {(net.x[i] - X0, net.y[i] - Y0) for i in nodes}
    assert (100.0, 100.0) in got
    with pytest.raises(InputError):
        grid_candidates(net, xy, np.ones(4), 0.0)


def test_target_from_the_plan_indicator(tmp_path):
    # X02: 15-minute fitness circle, 100 % of residents in every township by 2027
    zones = ["330681001", "330681002", "ALL"]
    targets = pd.DataFrame({"indicator_id": "X02", "kind": "network_coverage",
                            "zone_id": zones, "bound": "ge", "target_value": 100.0,
                            "scope": "zone", "value": np.nan, "status": "not_met"})
    run = fake_run(tmp_path, layer="fitness", targets=targets,
                   facilities_xy=np.array([[X0 + 1150, Y0 + 1150]]))
    sr = site(run, "fitness", method="greedy")
    assert sr.target.source == "X02" and sr.target.minutes == 15.0
    assert sr.report["stop_reason"] == "targets_met"
    ba = sr.before_after
    assert (ba["status_after"] == "met").all()
    assert ba["rate_after"].iloc[-1] == pytest.approx(
        1.0 - run.origins.loc[~run.origin_links.linked, "population"].sum()
        / run.origins["population"].sum())


def test_costs_from_candidate_file_and_budget(tmp_path):
    run = fake_run(tmp_path)
    pts = _to4326(np.array([[X0 + 1000, Y0 + 1000], [X0 + 1000, Y0 + 300],
                            [X0 + 300, Y0 + 1000]]))
    path = tmp_path / "cands.csv"
    pd.DataFrame({"名称": ["甲村委会", "乙社区用房", "丙闲置校舍"],
                  "经度": pts.x.round(7), "纬度": pts.y.round(7),
                  "费用": [3, 1, 1]}).to_csv(path, index=False, encoding="gbk")
    cands = load_candidates(path)
    assert cands["name"].tolist() == ["甲村委会", "乙社区用房", "丙闲置校舍"]
    assert cands["cost"].tolist() == [3.0, 1.0, 1.0]
    sr = site(run, "clinic", candidates=cands, budget=2.0, method="greedy")
    assert sr.sites["cost"].sum() <= 2.0
    assert "甲村委会" not in sr.sites["name"].tolist() or len(sr.sites) == 1


def test_candidate_file_errors_and_crs(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("name,lon\nA,120.1\n", encoding="utf-8")
    with pytest.raises(InputError, match="coordinate"):
        load_candidates(p)
    p.write_text("name,lon,lat,cost\nA,120.1,29.7,1\nB,120.2,29.8,abc\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_candidates(p)
    assert e.value.row == 2 and e.value.column == "cost"
    p.write_text("name,lon,lat,crs\nA,120.1,29.7,gcj02\nB,120.1,29.7,\n", encoding="utf-8")
    c = load_candidates(p)
    # GCJ-02 points are shifted back by a few hundred metres; blank crs = wgs84
    d = c.to_crs(CRS).geometry.iloc[0].distance(c.to_crs(CRS).geometry.iloc[1])
    assert 100 < d < 1000
    gj = tmp_path / "c.geojson"
    gpd.GeoDataFrame({"name": ["X"], "cost": [2.0]}, geometry=[shapely.Point(120.1, 29.7)],
                     crs=4326).to_file(gj, driver="GeoJSON")
    g = load_candidates(gj)
    assert g["name"].tolist() == ["X"] and g["cost"].tolist() == [2.0]


def test_bad_requests_are_input_errors(tmp_path):
    run = fake_run(tmp_path)
    with pytest.raises(InputError, match="no layer"):
        site(run, "school")
    with pytest.raises(InputError, match="minutes"):
        site(run, "clinic", minutes=30.0)
    with pytest.raises(InputError):
        site(run, "clinic", target_rate=1.5)
    with pytest.raises(InputError):
        site(run, "clinic", method="magic")
    with pytest.raises(InputError, match="capacity"):
        site(run, "clinic", capacity=True)


def test_own_zone_only_keeps_sites_serving_their_township(tmp_path):
    from circle15.geo.areas import assign_zones

    run = fake_run(tmp_path, own_zone_only=True)
    sr = site(run, "clinic", max_sites=4, method="greedy")
    # every newly covered person lives in the site's township
    cz = sr.candidates["zone_id"].to_numpy()[sr.siting.sites]
    oz = run.origins["zone_id"].to_numpy()
    for rank, z in enumerate(cz):
        assert (oz[sr.siting.assigned == rank] == z).all()
    # and the pipeline's own-zone computation with the sites added agrees origin by origin
    new = gpd.GeoDataFrame({"facility_id": sr.sites["candidate_id"], "layer": "clinic"},
                           geometry=sr.sites.geometry.values, crs=4326)
    new["zone_id"] = assign_zones(new.to_crs(run.zones.crs), run.zones)
    fac = pd.concat([run.facilities, new], ignore_index=True)
    pts = fac.to_crs(CRS)
    fl = link_points(run.network, np.column_stack([pts.geometry.x, pts.geometry.y]),
                     max_distance=300, usable=usable_segments(run.network))
    t = layer_times(SourceGraph(run.network, fl), fac["layer"].to_numpy(), fl, "clinic",
                    run.origin_links, 60.0 * 15,
                    fac_zone=fac["zone_id"].astype(str).to_numpy(),
                    org_zone=run.origins["zone_id"].astype(str).to_numpy()).minutes
    np.testing.assert_array_equal(t <= 5.0, sr.siting.covered > 0.5)


def test_capacity_aware_siting_from_candidate_file(tmp_path):
    run = fake_run(tmp_path)
    pts = _to4326(np.array([[X0 + 1000, Y0 + 1000], [X0 + 1000, Y0 + 300]]))
    path = tmp_path / "cands.csv"
    pd.DataFrame({"name": ["A", "B"], "lon": pts.x.round(7), "lat": pts.y.round(7),
                  "capacity": [150, 400]}).to_csv(path, index=False)
    cands = load_candidates(path)
    free = site(run, "clinic", candidates=cands, method="greedy")
    capped = site(run, "clinic", candidates=cands, capacity=True, method="greedy")
    assert capped.report["exact"]["run"] is False
    by_name = dict(zip(capped.sites["name"], capped.sites["new_covered"], strict=True))
    assert by_name.get("A", 0) <= 150 + 1e-9 and by_name.get("B", 0) <= 400 + 1e-9
    assert capped.sites["new_covered"].sum() < free.sites["new_covered"].sum()


def test_written_sites_reproduce_the_prediction_when_read_back(tmp_path):
    """The CSV's lon/lat are the very coordinates the reach sets were computed from."""
    run = fake_run(tmp_path, seed=11)
    out = tmp_path / "o"
    sr = run_siting(run, "clinic", siting_options(run.config, target_rate=0.95,
                                              method="greedy"), out_dir=out)
    table = pd.read_csv(out / "proposed_sites.csv", encoding="utf-8-sig")
    pts = gpd.GeoSeries(gpd.points_from_xy(table["lon"], table["lat"]), crs=4326).to_crs(CRS)
    sl = link_points(run.network, np.column_stack([pts.x, pts.y]), max_distance=300,
                     usable=usable_segments(run.network))
    t = nearest_facility(run.network, _concat(run.facility_links, sl), run.origin_links,
                         60.0 * 15).minutes
    w = run.origins["population"].to_numpy(float)
    assert w[t <= 5.0].sum() == pytest.approx(sr.before_after["covered_after"].iloc[-1],
                                              abs=1e-6)
    np.testing.assert_array_equal(t <= 5.0, sr.siting.covered > 0.5)


def test_exact_check_finds_fewer_sites_that_meet_every_target():
    import scipy.sparse as sp

    from circle15.coverage.siting.site import _exact_check
    from circle15.coverage.siting.solvers import greedy_sites

    # greedy takes the attractive middle site M first and then needs both L and R
    R = sp.csr_matrix(np.array([[1, 1, 0, 1, 1, 0], [1, 1, 1, 0, 0, 0],
                                [0, 0, 0, 1, 1, 1]], bool))
    w, cov = np.ones(6), np.zeros(6, bool)
    kw = dict(zone_codes=np.zeros(6, np.int64), zone_need=np.array([6.0]), caps=None,
              cand_zone=None, costs=None, budget=None)
    g = greedy_sites(R, w, cov, max_sites=10, **kw)
    assert g.sites.tolist() == [0, 1, 2] and g.stop_reason == "targets_met"
    best, info = _exact_check(g, R, w, cov, "auto", 10, kw, False, False)
    assert info["run"] and info["gap"] == 0.0 and info["fewer_sites"] == 2
    assert best.method == "exact" and best.sites.tolist() == [1, 2]
    assert best.stop_reason == "targets_met" and best.cumulative_covered[-1] == 6.0
    same, info2 = _exact_check(g, R, w, cov, "greedy", 10, kw, False, False)
    assert same is g and info2["run"] is False


def test_candidates_headed_like_a_facility_layer_load(tmp_path):
    """Regression: a CSV headed 名称,东经,北纬 loaded as a facility layer but siting
    candidates rejected it ("no coordinate columns")."""
    from circle15.facilities import LayerSource, load_layer

    p = tmp_path / "c.csv"
    p.write_text("名称,东经,北纬,造价,床位数（张）\n甲村委会,120.1,29.7,3,20\n"
                 "乙社区用房,120.2,29.8,,\n", encoding="utf-8")
    fac, _ = load_layer(LayerSource(key="clinic", source=p))
    assert fac["name"].tolist() == ["甲村委会", "乙社区用房"]
    c = load_candidates(p)
    assert c["name"].tolist() == ["甲村委会", "乙社区用房"]
    assert c.geometry.x.tolist() == [120.1, 120.2] and c.geometry.y.tolist() == [29.7, 29.8]
    assert c["cost"].tolist() == [3.0, 1.0]
    assert c["capacity"].iloc[0] == 20.0 and np.isnan(c["capacity"].iloc[1])


def test_domain_site_needs_no_config(tmp_path):
    """coverage.siting.site on plain inputs gives what the run wiring gives."""
    from circle15.coverage.siting import SitingOptions
    from circle15.coverage.siting import site as domain_site

    run = fake_run(tmp_path)
    wired = site(run, "clinic", target_rate=0.9, method="greedy")
    opts = SitingOptions(target_rate=0.9, method="greedy", minutes=5.0, max_sites=10,
                         spacing_m=200.0, computed_minutes=15.0)
    plain = domain_site(run.network, run.origins, run.origin_links, run.zones, "clinic",
                        options=opts)
    pd.testing.assert_frame_equal(pd.DataFrame(plain.sites.drop(columns="geometry")),
                                  pd.DataFrame(wired.sites.drop(columns="geometry")))
    pd.testing.assert_frame_equal(plain.before_after, wired.before_after)
    pd.testing.assert_frame_equal(plain.curve, wired.curve)
    assert plain.target == wired.target
    # the county row is named as in the coverage table of a Chinese synthetic run
    assert plain.before_after["zone_name"].iloc[-1] == "全县"
    en = domain_site(run.network, run.origins, run.origin_links, run.zones, "clinic",
                     options=SitingOptions(max_sites=1, minutes=5.0, spacing_m=200.0,
                                           lang="en", synthetic=True))
    assert en.before_after["zone_name"].iloc[-1] == "County (synthetic demo)"
    assert en.candidates["name"].iloc[0] == "grid node 1"
    assert en.report["synthetic"] is True


def test_domain_errors_name_config_keys_not_cli_flags(tmp_path):
    from circle15.coverage.siting import SitingOptions
    from circle15.coverage.siting import site as domain_site

    run = fake_run(tmp_path)
    args = (run.network, run.origins, run.origin_links, run.zones)
    cases = [(SitingOptions(target_rate=1.5), "clinic", "siting.target_rate"),
             (SitingOptions(method="magic"), "clinic", "siting.method"),
             (SitingOptions(max_sites=0), "clinic", "siting.max_sites"),
             (SitingOptions(minutes=30.0, computed_minutes=15.0), "clinic",
              "coverage.thresholds"),
             (SitingOptions(), "school", "layer")]
    for opts, layer, key in cases:
        with pytest.raises(InputError) as e:
            domain_site(*args, layer, options=opts)
        assert e.value.key == key
    with pytest.raises(InputError) as e:
        site(run, "school")
    assert e.value.key == "layer" and "clinic" in str(e.value.hint)


def test_siting_package_imports_neither_run_nor_config():
    import subprocess
    import sys

    code = ("import sys, circle15.coverage.siting, circle15.coverage.plan; "
            "bad = sorted(m for m in sys.modules if m.startswith(('circle15.run', "
            "'circle15.config', 'circle15.cli', 'circle15.report', 'circle15.maps'))); "
            "print(bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert res.returncode == 0, res.stdout + res.stderr
