"""Village-level targets in the history: one problem per village (issue 15 item 4), on both
backends, with the tiny county given four villages and a fitness layer.

X06 (行政村体育设施覆盖率, 100 % of villages in every township by 2027, 教体局) is judged
per township. Villages: 甲村 and 乙村 in the west, 丙村 and 丁村 in the east.

======  ==================  =====================  =======================================
period  fitness sites in    townships (X06)        village problems
======  ==================  =====================  =======================================
P1      甲村                 W 50 %, E 0 %, all 25 %  乙村, 丙村, 丁村 open
P2      甲村, 丙村, 丁村      W 50 %, E 100 %          乙村 open; 丙村, 丁村 closed (E met)
P3      甲村, 丁村           W 50 %, E 50 %           乙村 open; 丙村 reopened; 丁村 closed
======  ==================  =====================  =======================================
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from circle15.history.problems import list_problems, problem_log
from circle15.history.store import Store, _upgrade, open_store
from circle15.history.timeline import problems_as_of
from circle15.io import read_csv
from support.history import P1, P2, P3, cli
from support.tiny import lonlat, write_tiny_inputs

VILLAGES = [("W01", "甲村", "W"), ("W02", "乙村", "W"), ("E01", "丙村", "E"),
            ("E02", "丁村", "E")]
#: Fitness site of each village: x along the street (m), inside the village's township.
SITES = {"甲村": 200.0, "丙村": 1300.0, "丁村": 1700.0}


def _run(root: Path, name: str, villages_with_site: list[str]) -> Path:
    cfg = write_tiny_inputs(root / f"in-{name}")
    d = cfg.parent
    # centres for the western villages only (the export has no point for the others)
    rows = ["村代码,村名称,乡镇代码,经度,纬度"] + [
        f"{c},{n},{z}," + (",".join(f"{t:.8f}" for t in lonlat(SITES.get(n, 600.0), 100.0))
                           if z == "W" else ",") for c, n, z in VILLAGES]
    (d / "villages.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = ["编号,名称,类型,经度,纬度,地址"]
    for i, v in enumerate(villages_with_site, start=1):
        lon, lat = lonlat(SITES[v])
        lines.append(f"F{i},{v}健身点（测试）,健身点,{lon:.10f},{lat:.10f},{v}文化广场")
    (d / "fitness.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = cfg.read_text(encoding="utf-8")
    text = text.replace('name_column = "zone_name"\n',
                        'name_column = "zone_name"\nvillages = "villages.csv"\n')
    text = text.replace('[coverage]', '[[layers]]\nkey = "fitness"\nsource = "fitness.csv"\n\n'
                                      '[coverage]')
    cfg.write_text(text, encoding="utf-8")
    out = root / f"run-{name}"
    cli("-q", "run", str(cfg), "--out", str(out))
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-villages")
    return (_run(root, "a", ["甲村"]), _run(root, "b", ["甲村", "丙村", "丁村"]),
            _run(root, "c", ["甲村", "丁村"]))


def _problems(db: str) -> pd.DataFrame:
    store = open_store(db, create=False)
    try:
        df = list_problems(store)
    finally:
        store.dispose()
    return df[df["indicator_id"] == "X06"].set_index(["zone_id", "village_id"])


def test_the_run_lists_every_village_of_each_village_level_indicator(runs):
    t = read_csv(runs[0] / "targets_by_village.csv", dtype={"village_id": str})
    x06 = t[t["indicator_id"] == "X06"].set_index("village_name")
    assert x06["facilities"].to_dict() == {"甲村": 1, "乙村": 0, "丙村": 0, "丁村": 0}
    assert x06.loc["乙村", "zone_id"] == "W" and x06.loc["丙村", "zone_id"] == "E"
    zone = read_csv(runs[0] / "targets_by_zone.csv", dtype={"zone_id": str})
    z = zone[(zone["indicator_id"] == "X06") & (zone["year"] == 2027)].set_index("zone_id")
    assert z["value"].to_dict() == pytest.approx({"W": 50.0, "E": 0.0, "ALL": 25.0})
    # the workbook's 村级指标 sheet: villages without a site first
    sheet = pd.read_excel(runs[0] / "coverage.xlsx", sheet_name="村级指标", dtype=str)
    x06 = sheet[sheet["指标"] == "X06"]
    assert x06["村（社区）"].tolist() == ["丙村", "丁村", "乙村", "甲村"]
    assert x06["有无服务"].tolist() == ["无", "无", "无", "有"]


def test_village_problems_open_close_and_reopen(db, runs):
    a, b, c = runs
    cli("record", "--from-run", str(a), "--period", P1, "--db", db)
    first = _problems(db)
    # one problem per village without a site; the county keeps its own; no township rows
    assert set(first.index) == {("W", "W02"), ("E", "E01"), ("E", "E02"), ("ALL", "")}
    assert first.loc[("E", "E01"), "village_name"] == "丙村"
    assert first.loc[("E", "E01"), "responsible"] == "教体局"
    assert first.loc[("W", "W02"), "gap_units"] == 1 and first.loc[("W", "W02"), "value"] == 0
    assert (first["status"] == "待整改").all()

    cli("record", "--from-run", str(b), "--period", P2, "--db", db)
    second = _problems(db)
    assert second.loc[("E", "E01"), "status"] == "已整改"
    assert second.loc[("E", "E02"), "status"] == "已整改"
    assert second.loc[("E", "E01"), "closed_period"] == P2
    assert second.loc[("W", "W02"), "status"] == "待整改"  # W still at 50 %
    assert second.loc[("ALL", ""), "status"] == "待整改"   # county at 75 %

    cli("record", "--from-run", str(c), "--period", P3, "--db", db)
    third = _problems(db)
    assert third.loc[("E", "E01"), "status"] == "待整改"   # its site closed: regression
    assert third.loc[("E", "E02"), "status"] == "已整改"   # still has its site
    store = open_store(db, create=False)
    try:
        log = problem_log(store, [int(third.loc[("E", "E01"), "id"])])
        was = problems_as_of(store, P2)
    finally:
        store.dispose()
    assert log["status_to"].tolist() == ["待整改", "已整改", "待整改"]
    assert "丙村" in log["note"].iloc[0] and "已达标" in log["note"].iloc[1]
    assert "反弹" in log["note"].iloc[2]
    was = was[was["indicator_id"] == "X06"].set_index(["zone_id", "village_id"])
    assert was.loc[("E", "E01"), "status"] == "已整改"
    assert was.loc[("E", "E01"), "value"] == 1  # the village's own sites in P2


def test_the_problem_list_names_the_village(db, runs, tmp_path):
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    out = cli("problems", "--unit", "教体局", "--db", db)
    assert "乙村" in out and "丙村" in out and "甲村" not in out
    cli("dispatch", "--period", P1, "--out", str(tmp_path / "pack"), "--db", db)
    books = list((tmp_path / "pack").rglob("*教体局*.xlsx"))
    assert books, sorted(p.name for p in (tmp_path / "pack").rglob("*"))
    sheets = pd.read_excel(books[0], sheet_name=None)
    text = " ".join(str(v) for df in sheets.values() for v in df.to_numpy().ravel())
    assert "丁村" in text


def test_export_has_the_villages_layer(db, runs, tmp_path):
    import pyogrio

    cli("record", "--from-run", str(runs[1]), "--period", P2, "--db", db)
    gpkg = tmp_path / "p2.gpkg"
    cli("history", "export", "--period", P2, "--out", str(gpkg), "--db", db)
    assert "villages" in dict(pyogrio.list_layers(gpkg).tolist())
    vil = pyogrio.read_dataframe(gpkg, layer="villages")
    x06 = vil[vil["indicator_id"] == "X06"].set_index("village_name")
    assert x06["facilities"].to_dict() == {"甲村": 1, "乙村": 0, "丙村": 1, "丁村": 1}
    assert vil.crs.to_epsg() == 4326
    placed = x06.geometry.notna() & ~x06.geometry.is_empty
    assert placed.to_dict() == {"甲村": True, "乙村": True, "丙村": False, "丁村": False}
    lon, lat = lonlat(SITES["甲村"], 100.0)
    assert x06.geometry["甲村"].x == pytest.approx(lon) and x06.geometry["甲村"].y == \
        pytest.approx(lat)


def test_a_store_of_revision_0003_is_upgraded_with_its_problems_and_log(db, runs):
    """Revision 0004 rebuilds the problems table on SQLite (its unique key gains the
    village); the problems, their ids and their change log survive."""
    from circle15.history.store import database_url

    eng = sa.create_engine(database_url(db))
    if eng.dialect.name == "sqlite":
        from circle15.history.store import _sqlite_events

        _sqlite_events(eng)
    _upgrade(Store(eng, "test"), "0003")
    with eng.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO history_problems (indicator_id, zone_id, status, period_found, "
            "last_period, updated_at) VALUES ('X01', 'E', '整改中', '2026Q4', '2026Q4', "
            "'2026-12-01T10:00:00+00:00')"))
        pid = conn.execute(sa.text("SELECT id FROM history_problems")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO history_problem_log (problem_id, at, by, status_to, note) VALUES "
            "(:pid, '2026-12-01T10:00:00+00:00', '王五', '整改中', '已开工')"), {"pid": pid})
    eng.dispose()
    store = open_store(db, create=False)
    try:
        df = list_problems(store)
        log = problem_log(store, [pid])
    finally:
        store.dispose()
    assert df["id"].tolist() == [pid] and df["village_id"].tolist() == [""]
    assert log["note"].tolist() == ["已开工"] and log["by"].tolist() == ["王五"]
    # the new key holds: the same indicator and township once more, for a village
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    assert {("E", "E01"), ("E", "E02")} <= set(_problems(db).index)
