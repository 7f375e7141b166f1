"""The demo's data for the standards catalogue (issue 16): schools in three layers, villages
and communities with centres and urban–rural codes, residents' villages, and facilities
across the border in a neighbouring synthetic county."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.spatial import cKDTree

from circle15.config import load_config
from circle15.demo.county import (
    LAYER_FILES,
    NEIGHBOUR_ZH,
    SCHOOL_FILE,
    SCHOOL_LAYERS,
    URBAN_RURAL,
    write_demo_inputs,
)
from circle15.facilities import LayerSource, load_layers
from circle15.geo.areas import load_villages
from circle15.geo.crs import gcj02_to_wgs84
from circle15.io import read_csv

METRIC = "EPSG:4549"
SCHOOL_HEADERS = ["编号", "名称", "类型", "经度", "纬度", "地址", "所属镇街", "学位"]
VILLAGE_HEADERS = ["村代码", "村名称", "乡镇代码", "经度", "纬度", "城乡分类代码"]
#: sha256 of the seed-15 demo's files at 89b3620, before schools, communities and the border
#: were added: the five original layers (clinic: its first 29 lines), the zones, the
#: population's first six columns and the villages' first three (社区 read as 村).
BEFORE = {
    "facilities/childcare.csv": "1ab1e8dbe2f36fa555b1fae038b476b1f5ba5cbdf45959cc99778bf7837cd62a",
    "facilities/elderly.csv": "c62f516120d4f1dbf99a1f976f5f820ae3a0e216160d0dc5231150708b7f6930",
    "facilities/fitness.csv": "a82e0e0eb21a713e177f979c90a0300094a43ce67efd25952df5fa07dbe59960",
    "facilities/disability.csv": "eb6e816d89ce136a64d285f83f07bb502e1e73104a751948b45499139705217a",
    "zones.geojson": "f45203e860554fe8c48171757eadafe8725565e799cb545cfdbc672c8b5ba192",
    "facilities/clinic.csv": "9f965713b74c5a415ed93164ec59572d77c41551d6d390fd1d306aa20d673272",
    "population.csv": "f18e599d563af67527c87d8a5d7d9a7d9b9261a35fb29b5241ab06f69872319a",
    "villages.csv": "4b8bb9cfde7471164b22c6b0c23daaa9c5c9802cee6d780bfd3e1908a4f0996b",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _lines(path: Path, n: int | None = None) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()[:n]


@pytest.fixture(scope="module")
def villages(full) -> pd.DataFrame:
    return read_csv(full.parent / "villages.csv", dtype={"村代码": str, "乡镇代码": str,
                                                         "城乡分类代码": str})


@pytest.fixture(scope="module")
def population(full) -> pd.DataFrame:
    return pd.read_csv(full.parent / "population.csv", dtype={"村代码": str})


@pytest.fixture(scope="module")
def schools(full) -> pd.DataFrame:
    return read_csv(full.parent / SCHOOL_FILE)


def _outline_m(zones: gpd.GeoDataFrame):
    return zones.to_crs(METRIC).union_all()


def _metric_points(lon, lat) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(METRIC)


# --------------------------------------------------------------------------- unchanged


def test_the_five_original_layers_and_the_people_are_those_of_before(full):
    """The new data come from a second random stream: the files of before are unchanged
    (the clinic file gains one row at its end, the population and villages columns)."""
    d = full.parent
    for name in ("facilities/childcare.csv", "facilities/elderly.csv",
                 "facilities/fitness.csv", "facilities/disability.csv", "zones.geojson"):
        assert _sha((d / name).read_bytes()) == BEFORE[name], name
    clinic = (d / "facilities/clinic.csv").read_bytes().split(b"\n")
    assert _sha(b"\n".join(clinic[:29]) + b"\n") == BEFORE["facilities/clinic.csv"]
    pop = [",".join(r.split(",")[:6]) for r in _lines(d / "population.csv")]
    assert _sha(("\n".join(pop) + "\n").encode()) == BEFORE["population.csv"]
    vill = [",".join(r.split(",")[:3]) for r in _lines(d / "villages.csv", 678)]
    vill = [r.replace("社区,", "村,") for r in vill]
    assert _sha(("\n".join(vill) + "\n").encode()) == BEFORE["villages.csv"]


# --------------------------------------------------------------------------- schools


def test_schools_file_columns_and_values(schools, zones):
    assert list(schools.columns) == SCHOOL_HEADERS
    assert set(schools["类型"]) == {"幼儿园", "小学", "初中"}
    assert schools["编号"].is_unique and schools["名称"].is_unique
    prefix = schools["编号"].str[:2].map({"YE": "幼儿园", "XX": "小学", "CZ": "初中"})
    assert (prefix == schools["类型"]).all()
    places = schools["学位"]
    assert pd.api.types.is_integer_dtype(places) and (places > 0).all()
    for kind, lo, hi in (("幼儿园", 90, 450), ("小学", 270, 1620), ("初中", 600, 1800)):
        p = places[schools["类型"] == kind]
        assert p.between(lo, hi).all(), kind
    inside = ~schools["地址"].str.startswith(NEIGHBOUR_ZH)
    assert schools["名称"][inside].str.endswith("（示例）").all()
    assert schools["地址"][inside].str.startswith("示例县").all()
    assert set(schools["所属镇街"][inside]) <= set(zones.zone_name)
    assert 119.1 < schools["经度"].min() and schools["经度"].max() < 119.8
    assert 28.6 < schools["纬度"].min() and schools["纬度"].max() < 29.3


def test_schools_load_as_three_layers_with_the_expected_counts(full, schools, zones):
    """The config's three layers, loaded by load_layers: the 类型 column picks the layer
    (rows of the other two are not reported), 学位 is the capacity."""
    cfg = load_config(full)
    src = [LayerSource(key=lay.key, source=lay.source, crs=lay.crs, columns=lay.columns,
                       group=lay.group) for lay in cfg.layers if lay.key in SCHOOL_LAYERS]
    assert [s.key for s in src] == ["kindergarten", "primary_school", "middle_school"]
    fac, issues = load_layers(src, zones)
    counts = fac["layer"].value_counts().to_dict()
    assert counts == {"kindergarten": 127, "primary_school": 54, "middle_school": 14}
    want = schools["类型"].map({v: k for k, (v, _g) in SCHOOL_LAYERS.items()})
    assert counts == want.value_counts().to_dict()
    # every row is loaded by exactly one layer, with its places as capacity
    assert sorted(fac["source_row"]) == list(range(1, len(schools) + 1))
    by_id = schools.set_index("编号")
    assert (fac["capacity"].to_numpy() == by_id.loc[fac["facility_id"], "学位"].to_numpy()).all()
    assert (by_id.loc[fac["facility_id"], "类型"].map(
        {v: k for k, (v, _g) in SCHOOL_LAYERS.items()}).to_numpy() == fac["layer"]).all()
    # the only issue: the middle school across the border is outside the study area
    assert issues[["layer", "issue"]].values.tolist() == [["middle_school",
                                                           "outside_study_area"]]
    assert fac.attrs["qa"]["skipped"] == 0


def test_schools_are_placed_like_a_countys(schools, zones):
    """Kindergartens and primary schools in every township, middle schools only in the
    seats of the 镇 and the county seat (one per 镇), more schools per person in towns."""
    inside = schools[~schools["地址"].str.startswith(NEIGHBOUR_ZH)]
    zid = dict(zip(zones.zone_name, zones.zone_id, strict=True))
    kind_of = {name: zid[name][6] for name in zid}  # 0 街道, 1 镇, 2 乡
    for kind in ("幼儿园", "小学"):
        assert set(inside.loc[inside["类型"] == kind, "所属镇街"]) == set(zones.zone_name)
    mid = inside[inside["类型"] == "初中"]["所属镇街"].value_counts()
    assert {kind_of[n] for n in mid.index} == {"0", "1"}
    assert all(mid[n] == 1 for n in mid.index if kind_of[n] == "1")
    assert len([n for n in mid.index if kind_of[n] == "1"]) == 7
    assert mid[[n for n in mid.index if kind_of[n] == "0"]].sum() == 6
    # kindergartens: the most; middle schools: the fewest
    n = inside["类型"].value_counts()
    assert n["幼儿园"] > 2 * n["小学"] > 4 * n["初中"]
    # village schools are named after their village (村 or 社区)
    village_kg = inside[(inside["类型"] == "幼儿园") & inside["名称"].str.contains("(?:村|社区)幼儿园")]
    assert len(village_kg) > 50


# --------------------------------------------------------------------------- villages


def test_villages_file_columns_codes_and_names(villages, zones):
    assert list(villages.columns) == VILLAGE_HEADERS
    assert villages["村代码"].str.fullmatch(r"99\d{10}").all() and villages["村代码"].is_unique
    assert (villages["村代码"].str[:9] == villages["乡镇代码"]).all()
    assert set(villages["乡镇代码"]) == set(zones.zone_id)
    assert set(villages["城乡分类代码"]) == set(URBAN_RURAL)
    urban = villages["城乡分类代码"].str.startswith("1")
    assert villages["村名称"][urban].str.endswith("社区").all()
    assert villages["村名称"][~urban].str.endswith("村").all()
    assert not villages["村名称"][~urban].str.endswith("社区").any()
    # names are unique within a township, also without 村/社区 (facilities are matched so)
    bare = villages["村名称"].str.replace(r"(社区|村)$", "", regex=True)
    assert not pd.DataFrame({"z": villages["乡镇代码"], "b": bare}).duplicated().any()
    # the class fits the township: 111/112 in the 街道, 121/122 in a 镇, 210 once per 乡
    kind = villages["乡镇代码"].str[6]
    code = villages["城乡分类代码"]
    assert set(code[kind == "0"]) == {"111", "112", "220"}
    assert set(code[kind == "1"]) == {"121", "122", "220"}
    assert set(code[kind == "2"]) == {"210", "220"}
    assert villages[code == "210"]["乡镇代码"].value_counts().eq(1).all()
    assert (code[kind == "1"] == "121").groupby(villages["乡镇代码"]).sum().ge(1).all()


def test_every_village_centre_lies_in_its_township(villages, zones):
    pts = gpd.GeoDataFrame(villages, geometry=gpd.points_from_xy(villages["经度"],
                                                                  villages["纬度"]), crs=4326)
    j = gpd.sjoin(pts, zones[["zone_id", "geometry"]], predicate="within", how="left")
    j = j[~j.index.duplicated()]
    assert (j["zone_id"].astype(str) == j["乡镇代码"]).all()
    # not on a border: over 1 m inside the township (6 decimals of a degree are 0.1 m)
    m = _metric_points(villages["经度"], villages["纬度"])
    edges = zones.to_crs(METRIC).set_index("zone_id").boundary
    d = np.array([m.iloc[i].distance(edges[z]) for i, z in enumerate(villages["乡镇代码"])])
    assert d.min() > 1


def test_load_villages_reads_centres_and_classes(full, zones, villages):
    v = load_villages(full.parent / "villages.csv", zones[["zone_id", "zone_name"]])
    assert list(v.columns) == ["village_id", "village_name", "zone_id", "lon", "lat",
                               "urban_rural"]
    assert list(v["village_id"]) == list(villages["村代码"])
    assert list(v["village_name"]) == list(villages["村名称"])
    np.testing.assert_allclose(v["lon"], villages["经度"])
    code = villages["城乡分类代码"].astype(str)
    assert (v["urban_rural"] == np.where(code.str.startswith("1"), "urban", "rural")).all()


# --------------------------------------------------------------------------- residents


def test_every_village_has_residents_from_its_own_township(population, villages, zones):
    assert population["村代码"].str.fullmatch(r"99\d{10}").all()
    people = population.groupby("村代码")["population"].sum()
    assert set(people.index) == set(villages["村代码"])
    assert (people > 0).all()
    # the village is in the point's township
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(population.lon, population.lat),
                           crs=4326)
    j = gpd.sjoin(pts, zones[["zone_id", "geometry"]], predicate="within", how="left")
    j = j[~j.index.duplicated()].sort_index()
    assert (population["村代码"].str[:9].to_numpy() == j["zone_id"].astype(str).to_numpy()).all()
    # brute force: nearly every point belongs to its township's nearest unit centre (the
    # few others were moved to a unit no point was nearest to)
    pm = _metric_points(population.lon, population.lat)
    vm = _metric_points(villages["经度"], villages["纬度"])
    nearest_ok = 0
    for zid, idx in population.groupby(population["村代码"].str[:9]).indices.items():
        units = np.flatnonzero(villages["乡镇代码"].to_numpy() == zid)
        tree = cKDTree(np.column_stack([vm.x.to_numpy()[units], vm.y.to_numpy()[units]]))
        _, k = tree.query(np.column_stack([pm.x.to_numpy()[idx], pm.y.to_numpy()[idx]]))
        nearest_ok += int((villages["村代码"].to_numpy()[units][k]
                           == population["村代码"].to_numpy()[idx]).sum())
    assert nearest_ok >= 0.999 * len(population)
    # communities are the towns' people: urban units hold most residents of the 街道
    urban = set(villages.loc[villages["城乡分类代码"].str.startswith("1"), "村代码"])
    seat = population["村代码"].str[:9].isin(["990001001", "990001002"])
    in_urban = population["村代码"].isin(urban)
    assert population.population[seat & in_urban].sum() > 0.8 * population.population[seat].sum()


def test_school_age_groups(population, zones):
    pop = population
    for g in ("age_3_6", "age_6_12", "age_12_15"):
        assert pd.api.types.is_integer_dtype(pop[g]) and (pop[g] >= 0).all()
    rest = np.maximum(pop.population - pop.age_0_3 - pop.age_60p, 0)
    assert ((pop.age_3_6 + pop.age_6_12 + pop.age_12_15) <= rest).all()  # no one twice
    tot = pop[["population", "age_3_6", "age_6_12", "age_12_15"]].sum()
    assert 0.02 < tot.age_3_6 / tot.population < 0.04
    assert 0.045 < tot.age_6_12 / tot.population < 0.075
    assert 0.02 < tot.age_12_15 / tot.population < 0.04
    by = pop.groupby(pop["村代码"].str[6])[["population", "age_6_12"]].sum()
    share = by.age_6_12 / by.population
    assert share["0"] > share["1"] > share["2"]  # more children in the 街道, fewest in 乡


# --------------------------------------------------------------------------- border


def _outside_rows(full) -> pd.DataFrame:
    d = full.parent
    s = read_csv(d / SCHOOL_FILE)
    c = read_csv(d / LAYER_FILES["clinic"][0])
    lon, lat = gcj02_to_wgs84(c["经度"].to_numpy(float), c["纬度"].to_numpy(float))
    c = c.assign(经度=lon, 纬度=lat)
    both = pd.concat([s.assign(layer="schools"), c.assign(layer="clinic")], ignore_index=True)
    return both[both["地址"].str.startswith(NEIGHBOUR_ZH)].reset_index(drop=True)


def test_facilities_across_the_border_are_outside_within_1_km_on_the_network(
        full, zones, graph):
    out = _outside_rows(full)
    assert out[["layer", "类型"]].values.tolist() == [["schools", "初中"],
                                                    ["clinic", "村卫生室"]]
    assert out["名称"].str.endswith("（邻县，合成）").all()
    assert out["所属镇街"].str.startswith(NEIGHBOUR_ZH).all()
    outline = _outline_m(zones)
    pts = _metric_points(out["经度"], out["纬度"])
    d = pts.distance(outline).to_numpy()
    assert ((d > 150) & (d <= 1000)).all(), d
    assert not pts.within(outline).any()
    # on the network: a street node within 60 m, joined to the county's streets
    ids = np.array(list(graph.nodes))
    nm = _metric_points([graph.nodes[n]["x"] for n in ids], [graph.nodes[n]["y"] for n in ids])
    tree = cKDTree(np.column_stack([nm.x, nm.y]))
    dn, k = tree.query(np.column_stack([pts.x, pts.y]))
    assert (dn < 60).all()
    in_county = dict(zip(ids.tolist(), nm.within(outline).to_numpy().tolist(), strict=True))
    und = graph.to_undirected(as_view=True)
    for n in ids[k]:
        # within walking reach of the county: a county node within 1.5 km along the streets
        lengths = nx.single_source_dijkstra_path_length(und, n, cutoff=1500, weight="length")
        assert any(in_county[m] for m in lengths), n


def test_the_network_runs_on_beyond_the_county_and_beyond_the_buffer(full, zones, graph):
    cfg = load_config(full)
    outline = _outline_m(zones)
    ids = np.array(list(graph.nodes))
    nm = _metric_points([graph.nodes[n]["x"] for n in ids], [graph.nodes[n]["y"] for n in ids])
    d = nm.distance(outline).to_numpy()
    assert ((d > 0) & (d <= 1000)).sum() >= 50
    assert (d > cfg.area.buffer_m).sum() >= 10  # the run's clipping has something to clip
    assert d.max() < 5000


def test_the_border_streets_join_the_county_at_single_nodes(full, graph):
    """Each piece of streets outside joins the county's network at one node: no route
    between two places of the county is shortened through the neighbouring county."""
    n_county = 23_251  # the county's nodes come first (ids 1..23,251), then the border's
    border = [n for n in graph.nodes if n > n_county]
    assert len(border) == 163
    und = nx.Graph(graph.to_undirected())
    pieces = list(nx.connected_components(und.subgraph(border)))
    assert len(pieces) >= 4
    for piece in pieces:
        joins = {m for n in piece for m in und.neighbors(n) if m <= n_county}
        assert len(joins) == 1, joins
    # and the border's streets are geodesic like the others (ends on the nodes)
    for u, v, data in graph.edges(border, data=True):
        if "geometry" in data:
            c = np.asarray(data["geometry"].coords)
            assert tuple(c[0]) == (graph.nodes[u]["x"], graph.nodes[u]["y"])
            assert tuple(c[-1]) == (graph.nodes[v]["x"], graph.nodes[v]["y"])


@pytest.mark.parametrize(("seed", "scale"), [(3, 0.1), (8, 0.3)])
def test_other_seeds_and_sizes_keep_border_schools_and_residents(tmp_path, seed, scale):
    d = write_demo_inputs(tmp_path / "inputs", seed=seed, scale=scale).parent
    zones = gpd.read_file(d / "zones.geojson")
    out = _outside_rows(d / "config.toml")
    assert out["类型"].tolist() == ["初中", "村卫生室"]
    dist = _metric_points(out["经度"], out["纬度"]).distance(_outline_m(zones))
    assert ((dist > 150) & (dist <= 1000)).all()
    s = read_csv(d / SCHOOL_FILE)
    assert set(s["类型"]) == {"幼儿园", "小学", "初中"}
    v = read_csv(d / "villages.csv", dtype=str)
    pop = pd.read_csv(d / "population.csv", dtype={"村代码": str})
    assert set(pop["村代码"]) == set(v["村代码"])
    urban = v["城乡分类代码"].str.startswith("1")
    assert (v["村名称"][urban].str.endswith("社区")).all()
    assert (v["村名称"][~urban].str.endswith("村")).all()
