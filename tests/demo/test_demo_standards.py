"""Issue 16's Done-when on the demo: education layers, a rural-village rule, and coverage by
population, villages and townships side by side for each layer at its own threshold."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from circle15.io import read_csv


def _table(demo_dir: Path) -> pd.DataFrame:
    return read_csv(demo_dir / "standards_by_zone.csv", dtype={"zone_id": str},
                    keep_default_na=False)


def test_every_layer_at_its_own_threshold_by_three_denominators(demo_dir: Path):
    t = _table(demo_dir)
    county = t[t.zone_id == "ALL"]
    own = {  # the urban level of each education entry, and its threshold
        ("kindergarten", "urban_5"): 5, ("primary_school", "urban_10"): 10,
        ("middle_school", "urban_15"): 15}
    for (entry, level), minutes in own.items():
        rows = county[(county.entry == entry) & (county.level == level)]
        assert set(rows.minutes.astype(float)) == {minutes}
        assert {"population", "villages", "townships"} <= set(rows.denominator)
        assert set(rows.residents) == {"urban"}  # the demo's villages have classes
    # a rural-village rule: the village level judges rural residents
    rural = county[(county.level == "village") & (county.entry == "health_station")]
    assert set(rural.residents) == {"rural"} and set(rural.minutes.astype(float)) == {15}
    # every layer of the run is judged
    assert {"childcare", "clinic", "elderly", "fitness", "disability", "kindergarten",
            "primary_school", "middle_school"} <= set(t.layer)
    # the rates are consistent with their counts, zone rows sum to the county row
    for (entry, level, den), g in t[t.entry != "ALL"].groupby(["entry", "level",
                                                                 "denominator"]):
        zones = g[g.zone_id != "ALL"]
        total = g[g.zone_id == "ALL"].iloc[0]
        assert abs(zones.covered.astype(float).sum() - float(total.covered)) < 1e-6, (
            entry, level, den)
        if den != "quota":
            assert (zones.covered.astype(float) <= zones.total.astype(float) + 1e-9).all()


def test_the_bike_mode_and_the_elderly_profile_are_used(demo_dir: Path):
    t = _table(demo_dir)
    assert set(t[t.entry == "fitness"].modes) == {"walk+bike"}
    assert set(t[t.entry == "day_care"].profile) == {"elderly"}
    assert set(t[t.denominator == "villages"].basis) == {"residents"}


def test_workbook_sheet_and_report_show_them_side_by_side(demo_dir: Path):
    wb = openpyxl.load_workbook(demo_dir / "coverage.xlsx", read_only=True)
    ws = wb["按标准评价"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    for col in ("人口覆盖率", "村/社区覆盖率", "有设施的镇街比例", "时间阈值（分钟）",
                "标准值已核对原文"):
        assert col in header
    md = (demo_dir / "report.md").read_text(encoding="utf-8")
    assert "按标准评价（多口径）" in md and "幼儿园" in md
