"""The history end to end on both backends (SQLite file and PostgreSQL + PostGIS).

Scenario (the issue's "Done when", on the tiny county whose numbers are hand-checked in
``_tiny.py``): period 1 has one clinic in the west zone, so the east zone and the county
miss the full-circle target X01 (100 % within 15 min in 2027) and every place misses X03;
period 2 adds a clinic in the east zone (x = 1500 m, 300 m from the east people), which
fixes X01 for the east zone and the county and nothing else.
"""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
import pytest
import sqlalchemy as sa

from circle15.history import schema as S
from circle15.history.store import open_store
from support.history import P1, P2, P3, cli, tiny_two_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return tiny_two_runs(tmp_path_factory.mktemp("tiny-history"))


def problems(db: str) -> pd.DataFrame:
    store = open_store(db, create=False)
    from circle15.history.problems import list_problems

    try:
        return list_problems(store).set_index(["indicator_id", "zone_id"])
    finally:
        store.dispose()


def test_done_when_scenario(db, runs, tmp_path):
    run1, run2 = runs
    out = cli("record", "--from-run", str(run1), "--period", P1, "--db", db)
    assert "problems opened 5" in out
    first = problems(db)
    assert set(first.index) == {("X01", "E"), ("X01", "ALL"), ("X03", "W"), ("X03", "E"),
                                ("X03", "ALL")}
    assert first.loc[("X01", "E"), "gap_people"] == 50  # the east zone's 50 people
    assert first.loc[("X01", "E"), "responsible"] == "市政府"
    assert (first["status"] == "待整改").all() and (first["period_found"] == P1).all()

    cli("record", "--from-run", str(run2), "--period", P2, "--db", db)
    second = problems(db)
    closed = second[second["status"] == "已整改"]
    assert set(closed.index) == {("X01", "E"), ("X01", "ALL")}
    assert (closed["closed_period"] == P2).all()
    assert closed["closed_value"].tolist() == pytest.approx([100.0, 100.0])
    still = second[second["status"] != "已整改"]
    assert set(still.index) == {("X03", "W"), ("X03", "E"), ("X03", "ALL")}
    assert (still["last_period"] == P2).all() and (still["period_found"] == P1).all()

    cmp_file = tmp_path / "cmp.xlsx"
    out = cli("compare", P1, P2, "--db", db, "--out", str(cmp_file))
    fac = pd.read_csv(tmp_path / "cmp_facilities.csv", encoding="utf-8-sig")
    assert fac[["change", "facility_id", "layer"]].values.tolist() == [["added", "C2",
                                                                         "clinic"]]
    assert (tmp_path / "cmp.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    ind = pd.read_csv(tmp_path / "cmp.csv", encoding="utf-8-sig", dtype={"zone_id": str})
    x01 = ind[ind["indicator_id"] == "X01"].set_index("zone_id")
    assert x01.loc["E", ["value_a", "value_b", "change"]].tolist() == [0.0, 100.0, 100.0]
    assert x01.loc["ALL", "value_a"] == pytest.approx(100 * 100 / 150)
    assert set(pd.ExcelFile(cmp_file).sheet_names) == {"指标变化", "设施变化"}
    assert "C2" in out

    pack = tmp_path / "pack"
    cli("dispatch", "--period", P2, "--out", str(pack), "--db", db)
    names = {p.name for p in pack.iterdir()}
    assert {"汇总.xlsx", "index.html", "市政府.html", "市政府.xlsx", "卫生健康局.html",
            "卫生健康局.xlsx"} <= names
    summary = pd.read_excel(pack / "汇总.xlsx", sheet_name="汇总").set_index("责任单位")
    assert summary.loc["市政府", ["新发现", "已整改", "未整改"]].tolist() == [0, 2, 0]
    assert summary.loc["卫生健康局", ["已整改", "未整改"]].tolist() == [0, 3]
    html = (pack / "卫生健康局.html").read_text(encoding="utf-8")
    assert "合成示例数据" in html and "X03" in html
    import docx

    word = docx.Document(str(pack / "卫生健康局.docx"))
    assert "合成示例数据" in "\n".join(par.text for par in word.paragraphs)
    assert any("X03" in c.text for t in word.tables for row in t.rows for c in row.cells)

    year = tmp_path / "year"
    cli("dispatch", "--year", "2027", "--out", str(year), "--db", db)
    ev = pd.read_excel(year / "年度评价_2027.xlsx", sheet_name="分领域评价")
    total = ev[ev["domain"] == "TOTAL"].iloc[0]
    # county rows in P2: X01 met, X03 not met -> 1 of 2 -> 50
    assert (total["met"], total["measurable"], total["score"]) == (1, 2, 50.0)
    assert (year / "年度评价_2027_趋势.png").stat().st_size > 5_000

    # a regression reopens: period 3 looks like period 1 again
    cli("record", "--from-run", str(run1), "--period", P3, "--db", db)
    third = problems(db)
    assert third.loc[("X01", "E"), "status"] == "待整改"
    assert pd.isna(third.loc[("X01", "E"), "closed_period"])
    store = open_store(db, create=False)
    from circle15.history.problems import problem_log

    log = problem_log(store, [int(third.loc[("X01", "E"), "id"])])
    store.dispose()
    assert log["status_to"].tolist() == ["待整改", "已整改", "待整改"]
    assert log["period"].tolist() == [P1, P2, P3]


def test_problems_set_logs_who_and_note_and_filters(db, runs, tmp_path):
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    pid = str(int(problems(db).loc[("X03", "W"), "id"]))
    cli("problems", "set", pid, "--status", "整改中", "--by", "王五", "--note", "已选址",
        "--db", db)
    cli("problems", "set", pid, "--status", "办结", "--by", "王五", "--db", db, code=2)
    assert problems(db).loc[("X03", "W"), "status"] == "整改中"
    out_file = tmp_path / "list.xlsx"
    out = cli("problems", "--unit", "卫生健康局", "--status", "整改中", "--out", str(out_file),
              "--db", db)
    df = pd.read_excel(out_file, sheet_name="问题清单")
    assert df["id"].tolist() == [int(pid)]
    log = pd.read_excel(out_file, sheet_name="整改记录")
    assert log[["by", "status_from", "status_to", "note"]].values.tolist()[-1] == [
        "王五", "待整改", "整改中", "已选址"]
    assert "X03" in out
    # the next period, still not met, keeps the person's status
    cli("record", "--from-run", str(runs[0]), "--period", P2, "--db", db)
    assert problems(db).loc[("X03", "W"), "status"] == "整改中"


def test_history_list_and_replace_keeps_audit(db, runs):
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    cli("record", "--from-run", str(runs[1]), "--period", P1, "--db", db, code=2)
    cli("record", "--from-run", str(runs[1]), "--period", P1, "--db", db, "--replace")
    out = cli("history", "--db", db)
    assert P1 in out and "合成" in out
    store = open_store(db, create=False)
    with store.read() as conn:
        audit = conn.execute(sa.select(S.audit)).all()
        nfac = conn.execute(sa.select(sa.func.count()).select_from(S.facilities)).scalar()
    store.dispose()
    assert len(audit) == 1 and audit[0].period == P1
    old = json.loads(audit[0].snapshot)
    assert len(old["history_facilities"]) == 1 and nfac == 2  # C1 before; C1 + C2 now


def test_export_geopackage_layers(db, runs, tmp_path):
    cli("record", "--from-run", str(runs[1]), "--period", P2, "--db", db)
    gpkg = tmp_path / "p2.gpkg"
    cli("history", "export", "--period", P2, "--out", str(gpkg), "--db", db)
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    assert set(layers) == {"facilities", "townships", "indicators"}
    fac = pyogrio.read_dataframe(gpkg, layer="facilities")
    assert sorted(fac["facility_id"]) == ["C1", "C2"] and fac.crs.to_epsg() == 4326
    town = pyogrio.read_dataframe(gpkg, layer="townships").set_index("zone_id")
    assert town.loc["E", "X01_value"] == pytest.approx(100.0)
    assert town.loc["W", "full_circle_15min"] == pytest.approx(1.0)
    assert town.loc["W", "full_circle_5min"] == pytest.approx(30 / 100)  # as in _tiny
    assert town.loc["E", "full_circle_5min"] == pytest.approx(1.0)  # 300 m = 4 min to C2
    assert town.geometry.is_valid.all() and not town.geometry.is_empty.any()
    ind = pyogrio.read_dataframe(gpkg, layer="indicators", read_geometry=False)
    assert len(ind) and set(ind["zone_id"]) == {"W", "E", "ALL"}
    cli("history", "export", "--period", "2020Q1", "--out", str(tmp_path / "x.gpkg"),
        "--db", db, code=2)


def test_other_area_is_refused_and_nothing_written(db, runs, tmp_path):
    import shutil

    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    other = tmp_path / "other"
    shutil.copytree(runs[0], other)
    z = json.loads((other / "zones.geojson").read_text(encoding="utf-8"))
    z["features"][1]["properties"]["zone_id"] = "X"
    (other / "zones.geojson").write_text(json.dumps(z, ensure_ascii=False), encoding="utf-8")
    out = cli("record", "--from-run", str(other), "--period", P2, "--db", db, code=2)
    assert "another area" in out
    store = open_store(db, create=False)
    with store.read() as conn:
        assert conn.execute(sa.select(S.periods.c.period)).scalars().all() == [P1]
        assert conn.execute(sa.select(sa.func.count()).select_from(S.zones)).scalar() == 2
    store.dispose()


def test_bad_periods_exit_2(db, runs, tmp_path):
    for bad in ("2025Q5", "25Q1", "2025-09", ""):
        out = cli("record", "--from-run", str(runs[0]), "--period", bad, "--db", db, code=2)
        assert "period" in out
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db", db)
    cli("compare", P1, "2027Q4", "--db", db, code=2)
    cli("dispatch", "--period", "2027Q9", "--out", str(tmp_path / "d"), "--db", db, code=2)
    cli("dispatch", "--year", "2030", "--out", str(tmp_path / "d"), "--db", db, code=2)
    assert not (tmp_path / "d").exists()


def test_sqlite_malformed_period_creates_no_database(tmp_path, runs):
    cli("record", "--from-run", str(runs[0]), "--period", "2025Q0", "--db",
        str(tmp_path / "h.sqlite"), code=2)
    assert not (tmp_path / "h.sqlite").exists()
    cli("history", "--db", str(tmp_path / "none.sqlite"), code=2)


def test_config_names_the_database(runs, tmp_path):
    """``[history] db`` is relative to the config file; ``--db`` overrides it."""
    cfg = tmp_path / "cfg" / "config.toml"
    cfg.parent.mkdir()
    cfg.write_text('[history]\ndb = "store/h.sqlite"\n', encoding="utf-8")
    from circle15.run.options import history_db

    assert history_db(cfg) == str((cfg.parent / "store" / "h.sqlite").resolve())
    # only [history] is read: the config names no inputs, and a bad key there is named
    bad = tmp_path / "bad.toml"
    bad.write_text('[history]\ndb = 5\n', encoding="utf-8")
    assert "history.db" in cli("history", "--config", str(bad), code=2)
    cli("record", "--from-run", str(runs[0]), "--period", P1, "--db",
        str(cfg.parent / "store" / "h.sqlite"))
    assert P1 in cli("history", "--config", str(cfg))
    cli("history", "--config", str(cfg), "--db", str(tmp_path / "other.sqlite"), code=2)


def test_record_runs_a_config(tmp_path):
    """``record CONFIG`` runs it into --out, then records it into the config's default
    store ``history.sqlite`` beside the config."""
    from support.tiny import write_tiny_inputs

    cfg = write_tiny_inputs(tmp_path / "in")
    out = cli("record", str(cfg), "--period", P1, "--out", str(tmp_path / "run"))
    assert "recorded 2027Q1" in out
    assert (tmp_path / "run" / "run.json").is_file()
    assert (cfg.parent / "history.sqlite").is_file()
    assert P1 in cli("history", "--config", str(cfg))
    # already recorded: refused before running anything
    cli("record", str(cfg), "--period", P1, "--out", str(tmp_path / "run2"), code=2)
    assert not (tmp_path / "run2").exists()
