"""Property tests of :func:`circle15.coverage.levels.standards_table` against brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from circle15.coverage.levels import Criterion, standards_table
from circle15.coverage.zonal import coverage_table

ZONES = pd.DataFrame({"zone_id": ["A", "B", "C"], "zone_name": ["甲", "乙", "丙"]})


@st.composite
def cases(draw):
    n = draw(st.integers(1, 40))
    zone = draw(st.lists(st.sampled_from(["A", "B", "C", ""]), min_size=n, max_size=n))
    pop = draw(st.lists(st.integers(0, 50), min_size=n, max_size=n))
    t = draw(st.lists(st.one_of(st.floats(0, 30), st.just(np.inf)), min_size=n, max_size=n))
    tb = draw(st.lists(st.one_of(st.floats(0, 30), st.just(np.inf)), min_size=n, max_size=n))
    cls = draw(st.lists(st.sampled_from(["urban", "rural", ""]), min_size=n, max_size=n))
    minutes = draw(st.sampled_from([5, 10, 15, 20]))
    return (pd.DataFrame({"zone_id": zone, "population": np.array(pop, float)}),
            np.array(t), np.array(tb), np.array(cls, dtype=object), minutes)


@settings(max_examples=60, deadline=None)
@given(cases())
def test_population_rows_equal_the_common_table_and_brute_force(case):
    origins, t, tb, cls, minutes = case
    crit = [Criterion("e", "lay", "urban_10", float(minutes), modes=("walk",)),
            Criterion("e", "lay", "town", float(minutes), modes=("walk", "bike"),
                      residents="rural")]
    times = {("lay", "walk", ""): t, ("lay", "bike", ""): tb}
    out = standards_table(origins, times, crit, ZONES, urban_rural=cls)
    common = coverage_table(origins, {"lay": t}, ZONES, [minutes], layer_groups={})
    common = common[common.layer == "lay"].set_index("zone_id")
    out = out[out.entry == "e"]  # not the composites
    first = out[(out.level == "urban_10") & (out.denominator == "population")]
    for r in first.itertuples():  # residents "all", walking only: the common table's rows
        assert r.covered == common.loc[r.zone_id, "covered_population"]
        assert r.total == common.loc[r.zone_id, "population"]
    rural = out[(out.level == "town") & (out.denominator == "population")].set_index("zone_id")
    best = np.minimum(t, tb)
    for z in ["A", "B", "C"]:  # brute force: rural people reaching on foot or by bike
        mask = (origins.zone_id.to_numpy() == z) & (cls == "rural")
        pop = origins.population.to_numpy()
        assert rural.loc[z, "total"] == pop[mask].sum()
        assert rural.loc[z, "covered"] == pop[mask & (best <= minutes)].sum()
    inz = origins.zone_id.to_numpy() != ""
    assert rural.loc["ALL", "covered"] == origins.population.to_numpy()[
        inz & (cls == "rural") & (best <= minutes)].sum()


@settings(max_examples=40, deadline=None)
@given(cases(), st.floats(0.05, 1.0))
def test_villages_by_residents_brute_force(case, share):
    origins, t, _tb, _cls, minutes = case
    n = len(origins)
    rng = np.random.default_rng(n)
    villages = pd.DataFrame({"village_id": ["v1", "v2", "v3", "v4"],
                             "zone_id": ["A", "A", "B", "C"],
                             "lon": np.nan, "urban_rural": ["urban", "rural", "rural", "urban"]})
    origins = origins.assign(village_id=rng.choice(["v1", "v2", "v3", "v4", "x"], size=n))
    crit = [Criterion("e", "lay", "urban_10", float(minutes))]
    out = standards_table(origins, {("lay", "walk", ""): t}, crit, ZONES, villages=villages,
                          village_share=share)
    vil = out[(out.denominator == "villages") & (out.entry == "e")].set_index("zone_id")
    pop = origins.population.to_numpy()
    covered = 0
    counted = 0
    for v in villages.itertuples():
        mine = origins.village_id.to_numpy() == v.village_id
        if pop[mine].sum() <= 0:
            continue
        counted += 1
        covered += pop[mine & (t <= minutes)].sum() >= share * pop[mine].sum() - 1e-9
    assert vil.loc["ALL", "total"] == counted
    assert vil.loc["ALL", "covered"] == covered
