"""The population cache: a hit gives the same origins and report as reading the file; any
change of the file, a parameter or the zones is a miss; a broken file is rebuilt;
``clear_cache`` removes it with the networks."""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd
import shapely

from circle15.geo.population import PopulationSource, load_population
from circle15.geo.population.cache import (
    PREFIX,
    cached_population,
    load_origins,
    population_key,
    save_origins,
)
from circle15.geo.routing.cache import clear_cache
from support.population import CSV, make_zones

VILLAGES = """lon,lat,population,age_0_3,age_60p,村代码
120.205,29.705,100,5,20,V1
120.215,29.705,50,2,10,V2
120.206,29.706,30,0,30,村3
120.300,29.700,7,0,1,
"""


def _source(tmp_path, text: str = CSV, **kw) -> PopulationSource:
    path = tmp_path / "pop.csv"
    path.write_text(text, encoding="utf-8")
    return PopulationSource(kind="points", source=path,
                            groups={"age_0_3": "age_0_3", "age_60p": "age_60p"}, **kw)


def _assert_same(a, b) -> None:
    pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"),
                                  check_exact=True)
    assert a.crs == b.crs and list(a.columns) == list(b.columns)
    np.testing.assert_array_equal(shapely.get_coordinates(a.geometry.values),
                                  shapely.get_coordinates(b.geometry.values))


def test_hit_equals_reading_the_file(tmp_path):
    src, zones = _source(tmp_path, group_shares={"disabled": 0.05}), make_zones()
    key = population_key(src, zones)
    calls = []

    def build():
        calls.append(1)
        return load_population(src, zones)

    fresh, rep = load_population(src, zones)
    a, ra = cached_population(key, build, tmp_path / "cache")
    b, rb = cached_population(key, build, tmp_path / "cache")
    assert len(calls) == 1 and ra["cache"] == "miss" and rb["cache"] == "hit"
    assert {k: v for k, v in rb.items() if k != "cache"} == rep
    _assert_same(b, fresh)
    _assert_same(a, fresh)
    assert b["zone_id"].tolist() == ["A", "B", "A", ""] and "disabled" in b.columns


def test_text_columns_round_trip(tmp_path):
    src = _source(tmp_path, VILLAGES)
    fresh, rep = load_population(src, make_zones())
    assert fresh["village_id"].tolist() == ["V1", "V2", "村3", ""]
    save_origins(fresh, rep, tmp_path / "o.npz")
    back, rback = load_origins(tmp_path / "o.npz")
    _assert_same(back, fresh)
    assert rback == rep


def test_every_input_is_in_the_key(tmp_path):
    src, zones = _source(tmp_path), make_zones()
    key = population_key(src, zones)
    assert key == population_key(src, make_zones())
    assert key != population_key(dataclasses.replace(src, crs="gcj02"), zones)
    assert key != population_key(dataclasses.replace(src, groups={"age_0_3": "age_0_3"}),
                                 zones)
    moved = make_zones()
    moved.geometry = moved.geometry.translate(0.001)
    assert key != population_key(src, moved)
    renamed = make_zones()
    renamed.loc[0, "zone_name"] = "丁镇"
    assert key != population_key(src, renamed)
    src.source.write_text(CSV.replace("100,5,20", "101,5,20"), encoding="utf-8")
    assert key != population_key(src, zones)
    assert population_key(dataclasses.replace(src, kind="zone_totals"), zones) is None


def test_broken_file_is_rebuilt_and_clear_cache_removes_it(tmp_path, caplog):
    src, zones = _source(tmp_path), make_zones()
    key = population_key(src, zones)
    folder = tmp_path / "networks"
    cached_population(key, lambda: load_population(src, zones), folder)
    path = folder / f"{PREFIX}{key}.npz"
    path.write_bytes(b"not a zip")
    with caplog.at_level(logging.WARNING):
        o, rep = cached_population(key, lambda: load_population(src, zones), folder)
    assert rep["cache"] == "miss" and "unreadable" in caplog.text and len(o) == 4
    load_origins(path)  # rewritten whole
    assert clear_cache(folder)[0] == 1 and not path.exists()


def test_no_key_means_no_cache(tmp_path):
    src, zones = _source(tmp_path), make_zones()
    o, rep = cached_population(None, lambda: load_population(src, zones), tmp_path / "c")
    assert rep["cache"] == "off" and len(o) == 4 and not (tmp_path / "c").exists()
