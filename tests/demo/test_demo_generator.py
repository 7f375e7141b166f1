"""The synthetic demo county generator (circle15.demo.county / circle15.demo.synthetic)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point

from circle15.config import load_config
from circle15.demo.county import (
    DEMO_CENTER,
    LAYER_FILES,
    SCHOOL_FILE,
    SCHOOL_LAYERS,
    generate_demo,
    write_demo_inputs,
)
from circle15.demo.synthetic import generate_region, great_circle_m, synthetic_network
from circle15.geo.crs import wgs84_to_gcj02
from circle15.io import read_csv

SUBTYPES = {
    "childcare": {"托育机构", "幼儿园托班", "社区托育点"},
    "clinic": {"乡镇卫生院", "社区卫生服务中心", "社区卫生服务站", "村卫生室", "儿童健康管理中心"},
    "elderly": {"居家养老服务照料中心", "养老机构", "助餐点", "康养联合体"},
    "fitness": {"百姓健身房", "体育场地", "健身广场"},
    "disability": {"残疾人之家"},
}


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# --------------------------------------------------------------------------- determinism


def test_same_seed_gives_byte_identical_files_and_other_seed_differs(tmp_path):
    a = _files(write_demo_inputs(tmp_path / "a" / "inputs", seed=7, scale=0.1).parent)
    b = _files(write_demo_inputs(tmp_path / "b" / "inputs", seed=7, scale=0.1).parent)
    c = _files(write_demo_inputs(tmp_path / "c" / "inputs", seed=8, scale=0.1).parent)
    expected = {"config.toml", "README.txt", "network.graphml", "zones.geojson", "villages.csv",
                "population.csv", SCHOOL_FILE, *(v[0] for v in LAYER_FILES.values())}
    assert set(a) == expected
    assert a == b
    for name in ("network.graphml", "zones.geojson", "population.csv", "villages.csv",
                 "facilities/clinic.csv", SCHOOL_FILE):
        assert a[name] != c[name], name


def test_config_validates_and_describes_the_inputs(full):
    cfg = load_config(full)
    assert cfg.project.synthetic is True
    assert "示例县" in cfg.project.title and "合成" in cfg.project.title
    assert cfg.area.id_column == "zone_id" and cfg.area.name_column == "zone_name"
    assert cfg.network.mode == "walk" and cfg.network.speed_kmh == 4.5
    assert cfg.network.crs == "EPSG:4549"
    assert Path(cfg.network.source) == (full.parent / "network.graphml").resolve()
    assert cfg.population.groups == {"age_0_3": "age_0_3", "age_60p": "age_60p",
                                     "disabled": "disabled", "age_3_6": "age_3_6",
                                     "age_6_12": "age_6_12", "age_12_15": "age_12_15"}
    layers = {lay.key: lay for lay in cfg.layers}
    assert set(layers) == set(SUBTYPES) | set(SCHOOL_LAYERS)
    assert layers["clinic"].crs == "gcj02" and layers["elderly"].crs == "wgs84"
    assert {k: v.group for k, v in layers.items()} == {
        "childcare": "age_0_3", "clinic": "total", "elderly": "age_60p", "fitness": "total",
        "disability": "disabled", "kindergarten": "age_3_6", "primary_school": "age_6_12",
        "middle_school": "age_12_15"}
    for key in SCHOOL_LAYERS:  # one file, split by its 类型 column; not in the composite
        assert Path(layers[key].source) == (full.parent / SCHOOL_FILE).resolve()
        assert dict(layers[key].columns) == {"类型": "layer"}  # 学位 is a capacity header
        assert layers[key].required is False
    assert all(layers[k].required for k in SUBTYPES)
    assert cfg.coverage.thresholds == (5, 10, 15)
    assert cfg.coverage.count_outside is True
    assert layers["clinic"].standard == ("health_centre", "health_station")
    assert layers["elderly"].standard == ("nursing_home", "day_care")
    assert cfg.standards.modes == ("bike",) and cfg.standards.profiles == {"age_60p": "elderly"}
    assert cfg.targets.plan == "zhuji-2023" and cfg.targets.year == 2027
    assert cfg.output.dir == full.parent.parent.resolve()
    readme = (full.parent / "README.txt").read_text(encoding="utf-8")
    assert "合成示例数据" in readme and "SYNTHETIC" in readme and "not describe any" in readme


def test_the_seed_15_demo_county_in_numbers(full, graph, zones):
    """What `circle15 demo` is (seed 15, scale 1): counts read back from the written files.

    A change to the generator that alters any of them changes the demo every user sees
    first (and the README's figures): it must be deliberate.
    """
    d = full.parent
    # 23,251 nodes and 32,588 streets in the county, 163 and 199 across the border
    assert graph.number_of_nodes() == 23_414
    assert graph.number_of_edges() == 65_574  # both directions of 32,787 streets
    assert len(zones) == 11
    assert sorted(zones.zone_id.str[6]) == ["0"] * 2 + ["1"] * 7 + ["2"] * 2  # 街道, 镇, 乡
    # 720 villages are generated; 677 distinct (township, name) pairs are listed, and
    # 34 communities (社区) of the towns and seats of the 乡
    vill = read_csv(d / "villages.csv", dtype=str)
    assert len(vill) == 711
    assert vill["城乡分类代码"].value_counts().to_dict() == {
        "220": 625, "112": 26, "122": 26, "111": 17, "121": 15, "210": 2}
    pop = pd.read_csv(d / "population.csv")
    assert int(pop.population.sum()) == 427_685 and len(pop) == 56_187
    counts = {k: len(read_csv(d / v[0])) for k, v in LAYER_FILES.items()}
    assert counts == {"childcare": 18, "clinic": 29, "elderly": 33, "fitness": 22,
                      "disability": 4}  # clinic: 28 in the county, 1 across the border
    assert sum(counts.values()) == 106
    schools = read_csv(d / SCHOOL_FILE)["类型"].value_counts().to_dict()
    assert schools == {"幼儿园": 127, "小学": 54, "初中": 14}  # 初中: 13 + 1 across the border


# --------------------------------------------------------------------------- network


def test_network_loads_with_osmnx_and_is_walkable_both_ways(graph):
    G = graph
    assert G.graph["crs"] == "epsg:4326"
    n = G.number_of_nodes()
    assert n >= 20_000
    xs = np.array([d["x"] for _, d in G.nodes(data=True)])
    ys = np.array([d["y"] for _, d in G.nodes(data=True)])
    # ~30-40 km across around (119.45, 28.95): inside the 3-degree zone of CM 120E
    assert 118.5 < xs.min() and xs.max() < 121.5
    span_km = (xs.max() - xs.min()) * 111.32 * np.cos(np.radians(28.95))
    assert 25 < span_km < 45
    assert 25 < (ys.max() - ys.min()) * 111.32 < 45
    edges = list(G.edges(keys=True, data=True))
    have = {(u, v) for u, v, _, _ in edges}
    assert all((v, u) in have for u, v, _, _ in edges)
    hw = {d["highway"] for _, _, _, d in edges}
    assert hw <= {"primary", "secondary", "tertiary", "residential", "unclassified", "track",
                  "footway", "service"}
    assert {"primary", "residential", "track", "footway"} <= hw
    assert all(isinstance(d["osmid"], int) and d["name"] and d["oneway"] is False
               for _, _, _, d in edges)


def test_edge_lengths_are_geodesic_along_the_geometry(graph):
    checked = curved = 0
    for u, v, d in list(graph.edges(data=True))[::25]:
        if "geometry" in d:
            c = np.asarray(d["geometry"].coords)
            assert tuple(c[0]) == (graph.nodes[u]["x"], graph.nodes[u]["y"])
            assert tuple(c[-1]) == (graph.nodes[v]["x"], graph.nodes[v]["y"])
            want = great_circle_m(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1]).sum()
            straight = great_circle_m(c[0, 0], c[0, 1], c[-1, 0], c[-1, 1])
            assert want >= straight - 1e-6
            curved += 1
        else:
            want = great_circle_m(graph.nodes[u]["x"], graph.nodes[u]["y"],
                                  graph.nodes[v]["x"], graph.nodes[v]["y"])
        assert d["length"] == pytest.approx(float(want), abs=0.01)
        checked += 1
    assert checked > 1000 and curved > 50


def test_network_is_one_strongly_connected_piece_with_dead_ends(graph):
    n = graph.number_of_nodes()
    largest = max(nx.strongly_connected_components(graph), key=len)
    assert len(largest) >= 0.95 * n
    deg = np.array([d["street_count"] for _, d in graph.nodes(data=True)])
    assert 0.03 < (deg == 1).mean() < 0.35  # some dead ends, not a tree


def _undirected_lines(G: nx.MultiDiGraph) -> list[LineString]:
    out = []
    for u, v, d in G.edges(data=True):
        if u < v:
            out.append(d.get("geometry") or LineString(
                [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]))
    return out


def test_river_crosses_the_county_with_few_bridges(graph, zones):
    region = generate_region(15, center=DEMO_CENTER)
    river = region.river_lonlat()
    county = zones.union_all()
    inside = river.intersection(county)
    assert gpd.GeoSeries([inside], crs=4326).to_crs(4549).length[0] > 25_000
    lines = np.array(_undirected_lines(graph), dtype=object)
    tree = shapely.STRtree(lines)
    crossing = len(tree.query(river, predicate="intersects"))
    assert 2 <= crossing <= 10
    assert crossing == region.bridges
    # a line parallel to the river 3 km north (same shape) is crossed by far more streets
    ca, sa = np.cos(region.river_params["alpha"]), np.sin(region.river_params["alpha"])
    xy = np.asarray(region.river.coords) + np.array([-sa, ca]) * 3000
    lon, lat = region.to_lonlat(xy[:, 0], xy[:, 1])
    control = LineString(np.column_stack([lon, lat])).intersection(county)
    assert len(tree.query(control, predicate="intersects")) > 10 * crossing


# --------------------------------------------------------------------------- zones, people


def test_zones_tile_the_county_and_cover_all_people(full, zones):
    assert 8 <= len(zones) <= 12
    assert zones.zone_id.str.fullmatch(r"99\d{7}").all()
    assert zones.zone_id.is_unique and zones.zone_name.is_unique
    assert zones.zone_name.str.contains("（示例）").all()
    assert zones.zone_name.str.endswith(("街道（示例）", "镇（示例）", "乡（示例）")).all()
    raw = json.loads((full.parent / "zones.geojson").read_text(encoding="utf-8"))
    assert "合成" in raw["name"]
    m = zones.to_crs(4549)
    assert m.is_valid.all()
    areas = m.area.to_numpy()
    assert areas.min() > 10e6  # every township at least 10 km2
    for i in range(len(m)):
        for j in range(i + 1, len(m)):
            assert m.geometry.iloc[i].intersection(m.geometry.iloc[j]).area < 1.0
    union = m.union_all()
    assert union.area == pytest.approx(areas.sum(), rel=1e-6)
    assert 700e6 < union.area < 1400e6
    pop = pd.read_csv(full.parent / "population.csv")
    pts = gpd.GeoSeries(gpd.points_from_xy(pop.lon, pop.lat), crs=4326)
    joined = gpd.sjoin(gpd.GeoDataFrame(geometry=pts), zones, predicate="within", how="left")
    assert joined.zone_id.notna().all()


def test_population_sizes_groups_and_ageing_villages(full, zones):
    pop = pd.read_csv(full.parent / "population.csv")
    assert list(pop.columns) == ["lon", "lat", "population", "age_0_3", "age_60p", "disabled",
                                 "age_3_6", "age_6_12", "age_12_15", "村代码"]
    assert all(pd.api.types.is_integer_dtype(pop[c]) for c in pop.columns[2:])
    assert 40_000 <= len(pop) <= 80_000
    assert 300_000 <= pop.population.sum() <= 500_000
    assert (pop.population >= 1).all()
    for g in ("age_0_3", "age_60p", "disabled"):
        assert ((pop[g] >= 0) & (pop[g] <= pop.population)).all()
    tot = pop[["population", "age_0_3", "age_60p", "disabled"]].sum()
    assert 0.015 < tot.age_0_3 / tot.population < 0.04
    assert 0.18 < tot.age_60p / tot.population < 0.32
    assert 0.03 < tot.disabled / tot.population < 0.07
    # no two points in the same building-sized (20 m) cell: points are ~20 m apart at least
    g = gpd.GeoSeries(gpd.points_from_xy(pop.lon, pop.lat), crs=4326).to_crs(4549)
    xy = np.column_stack([g.x, g.y])
    from scipy.spatial import cKDTree
    d, _ = cKDTree(xy).query(xy, k=2)
    assert np.median(d[:, 1]) > 10
    # older in townships (乡) than in the county seat's 街道; shares differ between zones
    j = gpd.sjoin(gpd.GeoDataFrame(pop, geometry=g.to_crs(4326).values, crs=4326), zones,
                  predicate="within")
    by = j.groupby("zone_id")[["population", "age_60p"]].sum()
    share = by.age_60p / by.population
    jiedao = share[share.index.str[6] == "0"]
    xiang = share[share.index.str[6] == "2"]
    assert len(jiedao) == 2 and len(xiang) >= 1
    assert xiang.min() > jiedao.max() + 0.03
    assert share.max() - share.min() > 0.08
    # the county seat is the densest township
    dens = by.population / zones.set_index("zone_id").to_crs(4549).area
    assert dens.idxmax() == "990001001"


# --------------------------------------------------------------------------- facilities


def test_facility_files_layers_headers_and_spread(full, zones):
    total = 0
    per_zone = {}
    for layer, (src, _enc, _crs, _group) in LAYER_FILES.items():
        path = full.parent / src
        df = read_csv(path)
        base = ["编号", "名称", "类型", "经度", "纬度", "地址", "所属镇街"]
        extra = {"childcare": ["托位"], "elderly": ["床位"]}.get(layer, [])
        assert list(df.columns) == base + extra
        assert set(df["类型"]) <= SUBTYPES[layer]
        assert df["编号"].is_unique and df["名称"].is_unique
        # across the border (only the clinic layer): the neighbouring synthetic county
        out = df["地址"].str.startswith("邻县（合成）")
        assert out.sum() == (1 if layer == "clinic" else 0)
        assert df["名称"][out].str.endswith("（邻县，合成）").all()
        df = df[~out]
        assert df["名称"].str.contains("示例").all() and df["地址"].str.startswith("示例县").all()
        assert set(df["所属镇街"]) <= set(zones.zone_name)
        total += len(df)
        per_zone[layer] = df["所属镇街"].value_counts()
        if extra:
            cap = df[extra[0]]
            assert cap.notna().sum() >= 3 and (cap.dropna() > 0).all()
    assert 50 <= total <= 150
    assert {k for k, v in per_zone.items() if len(v)} == set(SUBTYPES)
    # some townships lack a layer; disability homes only in a few towns
    assert len(per_zone["childcare"]) < len(zones)
    assert 2 <= len(per_zone["disability"]) <= len(zones) // 2
    assert (full.parent / "facilities/elderly.csv").read_bytes().decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        (full.parent / "facilities/elderly.csv").read_bytes().decode("utf-8")
    assert read_csv(full.parent / "facilities/elderly.csv").attrs["encoding"] == "gb18030"
    assert (full.parent / "facilities/childcare.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_clinic_file_is_gcj02_and_others_are_true_wgs84(tmp_path):
    demo = generate_demo(seed=3, scale=0.1)
    cfg = write_demo_inputs(tmp_path / "inputs", seed=3, scale=0.1)
    for layer, (src, _enc, crs, _g) in LAYER_FILES.items():
        true = demo.facilities[layer]
        df = read_csv(cfg.parent / src)
        assert list(df["编号"]) == list(true.id)
        if crs == "gcj02":
            d = great_circle_m(df["经度"], df["纬度"], true.lon, true.lat)
            assert ((d > 300) & (d < 700)).all()
            glon, glat = wgs84_to_gcj02(true.lon.to_numpy(), true.lat.to_numpy())
            assert np.allclose(df["经度"], glon, atol=2e-6)
            assert np.allclose(df["纬度"], glat, atol=2e-6)
        else:
            assert np.allclose(df["经度"], true.lon) and np.allclose(df["纬度"], true.lat)


def test_facilities_sit_close_to_the_street_network(graph, full):
    xs = np.array([d["x"] for _, d in graph.nodes(data=True)])
    ys = np.array([d["y"] for _, d in graph.nodes(data=True)])
    nodes = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=4326).to_crs(4549)
    from scipy.spatial import cKDTree
    tree = cKDTree(np.column_stack([nodes.x, nodes.y]))
    df = read_csv(full.parent / "facilities/fitness.csv")
    p = gpd.GeoSeries(gpd.points_from_xy(df["经度"], df["纬度"]), crs=4326).to_crs(4549)
    d, _ = tree.query(np.column_stack([p.x, p.y]))
    assert (d < 60).all()


# --------------------------------------------------------------------------- benchmarks


def test_synthetic_network_scales_and_is_deterministic():
    G = synthetic_network(3000, seed=4)
    H = synthetic_network(3000, seed=4)
    assert 0.75 * 3000 <= G.number_of_nodes() <= 1.25 * 3000
    assert list(G.edges(keys=True, data="length")) == list(H.edges(keys=True, data="length"))
    assert G.graph["crs"] == "epsg:4326"
    und = G.to_undirected()
    assert max(len(c) for c in nx.connected_components(und)) >= 0.95 * G.number_of_nodes()
    lon = np.array([d["x"] for _, d in G.nodes(data=True)])
    assert abs(np.median(lon) - 119.45) < 0.1
    x, y = next(iter(G.nodes(data=True)))[1]["x"], next(iter(G.nodes(data=True)))[1]["y"]
    assert Point(x, y).within(Point(119.45, 28.95).buffer(0.4))
