"""The public Python API on the tiny county: a script using only ``import circle15 as c15``
gives exactly the table ``circle15 run`` writes for the same inputs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import osmnx as ox
import pandas as pd
import pytest

import circle15 as c15
from support.tiny import EXPECTED, lonlat, write_tiny_inputs


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("api")
    cfg = write_tiny_inputs(d / "in")
    # a second layer (one fitness site at the east end) and a population group
    lon, lat = lonlat(2000.0)
    (cfg.parent / "fitness.csv").write_text(
        f"编号,名称,经度,纬度\nJ1,测试健身点,{lon:.10f},{lat:.10f}\n", encoding="utf-8")
    pop = pd.read_csv(cfg.parent / "population.csv")
    pop["age_60p"] = [2, 4, 6, 8, 10]
    pop.to_csv(cfg.parent / "population.csv", index=False)
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('y_column = "lat"',
                        'y_column = "lat"\ngroups = { age_60p = "age_60p" }')
    text = text.replace('[coverage]', '[[layers]]\nkey = "fitness"\nsource = "fitness.csv"\n'
                        'group = "age_60p"\n\n[coverage]')
    cfg.write_text(text, encoding="utf-8")
    return cfg


def _script(cfg_dir: Path) -> pd.DataFrame:
    """What a user writes: their own GeoDataFrames, only the public API."""
    G = ox.load_graphml(cfg_dir / "network.graphml")
    net = c15.routing_network(G, mode="walk", speed_kmh=4.5, crs="EPSG:4549")
    zones = gpd.read_file(cfg_dir / "zones.geojson")
    pop = pd.read_csv(cfg_dir / "population.csv")
    homes = gpd.GeoDataFrame(pop, geometry=gpd.points_from_xy(pop.lon, pop.lat), crs=4326)
    frames = []
    for key, file in (("clinic", "clinic.csv"), ("fitness", "fitness.csv")):
        f = pd.read_csv(cfg_dir / file)
        frames.append(gpd.GeoDataFrame({"facility_id": f["编号"], "layer": key},
                                       geometry=gpd.points_from_xy(f["经度"], f["纬度"]),
                                       crs=4326))
    facilities = pd.concat(frames, ignore_index=True)
    times = c15.travel_times(net, facilities, homes, max_minutes=15, max_link_m=300)
    return c15.coverage(times, zones, thresholds=(5, 10, 15), zone_name="zone_name",
                        groups={"fitness": "age_60p"}, county_name="示例县（合成）")


def test_script_equals_circle15_run(tiny: Path, tmp_path: Path):
    result = c15.run(tiny, out=tmp_path / "out")
    table = _script(tiny.parent)
    written = pd.read_csv(tmp_path / "out" / "coverage_by_zone.csv", encoding="utf-8-sig",
                          dtype={"zone_id": str}, keep_default_na=False)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), result.coverage)
    # and byte for byte as written
    table.to_csv(tmp_path / "script.csv", index=False, encoding="utf-8-sig")
    assert (tmp_path / "script.csv").read_bytes() == \
        (tmp_path / "out" / "coverage_by_zone.csv").read_bytes()
    assert len(written) == len(table)


def test_script_numbers_are_the_hand_checked_ones(tiny: Path):
    table = _script(tiny.parent)
    clinic = table[(table["layer"] == "clinic") & (table["group"] == "total")]
    for (zone, minutes), (covered, population) in EXPECTED.items():
        row = clinic[(clinic["zone_id"] == zone) & (clinic["minutes"] == minutes)].iloc[0]
        assert (row["covered_population"], row["population"]) == (covered, population)


def test_compute_equals_run(tiny: Path, tmp_path: Path):
    cfg = c15.load_config(tiny)
    a = c15.compute(cfg)
    report = c15.write_outputs(a, tmp_path / "o")
    assert (tmp_path / "o" / "coverage_by_zone.csv").is_file() and report["params"]
    b = c15.run(cfg, out=tmp_path / "o2")
    pd.testing.assert_frame_equal(a.coverage, b.coverage)


def test_travel_times_columns_and_caps(tiny: Path):
    G = ox.load_graphml(tiny.parent / "network.graphml")
    net = c15.routing_network(G, mode="walk", speed_kmh=4.5)
    assert net.crs == "EPSG:4549"  # chosen as the pipeline does: CGCS2000 3° zone
    homes = gpd.GeoDataFrame({"n": [1, 2]}, geometry=gpd.points_from_xy(
        *zip(lonlat(100), lonlat(1200), strict=True)), crs=4326).to_crs(3857)
    fac = gpd.GeoDataFrame({"layer": ["clinic"]}, geometry=gpd.points_from_xy(
        [lonlat(0)[0]], [lonlat(0)[1]]), crs=4326)
    out = c15.travel_times(net, fac, homes, max_minutes=10)
    assert out.crs == homes.crs and list(out["n"]) == [1, 2]
    np.testing.assert_allclose(out["t_clinic"].iloc[0], 100 / 75, rtol=1e-9)
    assert np.isinf(out["t_clinic"].iloc[1])  # 1,200 m = 16 min > 10
    assert out["f_clinic"].iloc[1] == ""


def test_bad_arguments_name_the_argument(tiny: Path):
    G = ox.load_graphml(tiny.parent / "network.graphml")
    net = c15.routing_network(G)
    fac = gpd.GeoDataFrame({"kind": ["x"]}, geometry=gpd.points_from_xy([lonlat(0)[0]],
                                                                        [lonlat(0)[1]]), crs=4326)
    with pytest.raises(c15.InputError, match="'layer' column"):
        c15.travel_times(net, fac, fac)
    with pytest.raises(ValueError, match="max_minutes"):  # InputError is a ValueError
        c15.travel_times(net, fac.rename(columns={"kind": "layer"}), fac, max_minutes=float("nan"))


def test_public_names_are_documented():
    for name in c15.__all__:
        if name == "__version__":
            continue
        obj = getattr(c15, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
    assert issubclass(c15.InputError, c15.Circle15Error)


def test_import_is_light():
    import subprocess
    import sys

    code = ("import sys, circle15; "
            "print(any(m in sys.modules for m in ('geopandas', 'osmnx', 'scipy', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
