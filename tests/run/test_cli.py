"""End-to-end CLI runs: the tiny hand-checked county and failure handling."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from circle15 import __version__
from circle15.cli import app
from support.tiny import EXPECTED, write_tiny_inputs

runner = CliRunner()


def test_version():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and __version__ in res.output


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("tiny")
    cfg = write_tiny_inputs(d / "in")
    res = runner.invoke(app, ["run", str(cfg), "--out", str(d / "out")])
    assert res.exit_code == 0, res.output
    return d / "out"


def test_tiny_run_hand_checked_coverage(tiny_run: Path):
    raw = (tiny_run / "coverage_by_zone.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must be UTF-8 with BOM for Excel"
    df = pd.read_csv(tiny_run / "coverage_by_zone.csv", encoding="utf-8-sig",
                     dtype={"zone_id": str})
    clinic = df[(df["layer"] == "clinic") & (df["group"] == "total")]
    for (zone, minutes), (covered, pop) in EXPECTED.items():
        row = clinic[(clinic["zone_id"] == zone) & (clinic["minutes"] == minutes)]
        assert len(row) == 1, (zone, minutes)
        assert row["population"].iloc[0] == pytest.approx(pop)
        assert row["covered_population"].iloc[0] == pytest.approx(covered), (zone, minutes)
        assert row["coverage_rate"].iloc[0] == pytest.approx(covered / pop)
    assert set(df.columns) >= {"zone_id", "zone_name", "layer", "minutes", "population",
                               "covered_population", "coverage_rate"}


def test_tiny_run_outputs_and_provenance(tiny_run: Path):
    for name in ("coverage_by_zone.csv", "coverage.xlsx", "map.html", "run.json",
                 "origins.gpkg", "facilities.geojson", "zones.geojson", "targets_by_zone.csv",
                 "facility_issues.csv", "report.md", "report.html"):
        assert (tiny_run / name).is_file(), name
    run = json.loads((tiny_run / "run.json").read_text(encoding="utf-8"))
    assert run["params"]["synthetic"] is True
    assert run["params"]["speed_kmh"] == 4.5
    assert {Path(i["path"]).name for i in run["inputs"]} >= {
        "config.toml", "network.graphml", "population.csv", "clinic.csv", "zones.geojson"}
    assert all(len(i["sha256"]) == 64 for i in run["inputs"])
    assert run["timings_s"]["total"] > 0
    assert run["versions"]["circle15"] == __version__
    assert not list(tiny_run.parent.glob(".out.tmp-*")), "temporary directory left behind"


def test_failure_leaves_no_partial_outputs(tmp_path: Path, monkeypatch):
    cfg = write_tiny_inputs(tmp_path / "in")
    import circle15.maps

    def boom(*a, **k):
        raise RuntimeError("simulated crash while drawing the map")

    monkeypatch.setattr(circle15.maps, "render_map", boom)
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 1
    assert "internal error" in res.output and "-v" in res.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_bad_facility_row_strict_exit_2(tmp_path: Path):
    cfg = write_tiny_inputs(tmp_path / "in")
    clinic = tmp_path / "in" / "clinic.csv"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "C2,坏数据,村卫生室,abc,29.0,无\n",
                      encoding="utf-8")
    text = cfg.read_text(encoding="utf-8").replace("isochrones = true",
                                                   "isochrones = true\nstrict = true")
    cfg.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 2, res.output
    assert "clinic.csv" in res.output and "row 2" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_bad_facility_row_lenient_is_listed(tmp_path: Path):
    cfg = write_tiny_inputs(tmp_path / "in")
    clinic = tmp_path / "in" / "clinic.csv"
    clinic.write_text(clinic.read_text(encoding="utf-8") + "C2,坏数据,村卫生室,abc,29.0,无\n",
                      encoding="utf-8")
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    issues = pd.read_csv(tmp_path / "out" / "facility_issues.csv", encoding="utf-8-sig")
    assert (issues["row"] == 2).any() and (issues["action"] == "skipped").any()


def test_targets_command_prints_the_plan():
    res = runner.invoke(app, ["targets", "--year", "2027"])
    assert res.exit_code == 0, res.output
    assert "每千人口拥有3岁以下婴幼儿托位数" in res.output and "5.5" in res.output
    res = runner.invoke(app, ["targets", "--plan", "nope"])
    assert res.exit_code == 2 and "unknown plan" in res.output


def test_map_command_redraws_from_a_finished_run(tiny_run: Path, tmp_path: Path):
    before = {n: (tiny_run / n).read_bytes() for n in ("map.html", "coverage_map.png")}
    out = tmp_path / "en"
    res = runner.invoke(app, ["map", str(tiny_run), "--lang", "en", "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "synthetic" in html and "leaflet" in html.lower()
    assert (out / "coverage_map.png").read_bytes()[:4] == b"\x89PNG"
    # everything redrawn went to --out: the run folder is untouched
    assert before == {n: (tiny_run / n).read_bytes() for n in before}
    res = runner.invoke(app, ["map", str(tiny_run), "--layer", "nope"])
    assert res.exit_code == 2 and "nope" in res.output


def test_workbook_sheets_have_chinese_headers_and_labels(tiny_run: Path):
    import openpyxl

    wb = openpyxl.load_workbook(tiny_run / "coverage.xlsx")
    assert {"说明", "覆盖率", "行政覆盖"} <= set(wb.sheetnames)
    admin = wb["行政覆盖"]
    assert [c.value for c in admin[1]][:2] == ["设施类型", "乡镇（街道）数"]
    assert admin[2][0].value == "卫生"  # the clinic layer, labelled
    cov = wb["覆盖率"]
    assert "覆盖率" in [c.value for c in cov[1]]


def test_reported_template_round_trip(tiny_run: Path, tmp_path: Path):
    """The template lists reported indicators; filled in, they get a status."""
    tpl = pd.read_csv(tiny_run / "reported_template.csv", encoding="utf-8-sig", dtype=str,
                      keep_default_na=False)
    assert {"T10", "T08"} <= set(tpl["indicator_id"]) and (tpl["value"] == "").all()
    cfg = write_tiny_inputs(tmp_path / "in")
    tpl.loc[tpl["indicator_id"] == "T10", "value"] = "83.5"  # life expectancy, years
    tpl[tpl["value"] != ""].to_csv(tmp_path / "in" / "reported.csv", index=False)
    text = cfg.read_text(encoding="utf-8").replace("year = 2027",
                                                   'year = 2027\nreported = "reported.csv"')
    cfg.write_text(text, encoding="utf-8")
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(tmp_path / "out" / "targets_by_zone.csv", encoding="utf-8-sig",
                    dtype={"zone_id": str})
    # every plan year is evaluated; the reported value is for the selected year 2027
    assert sorted(t["year"].dropna().unique()) == [2023, 2024, 2025, 2026, 2027]
    row = t[(t["indicator_id"] == "T10") & (t["zone_id"] == "ALL") & (t["year"] == 2027)].iloc[0]
    assert row["value"] == 83.5 and row["status"] in ("met", "not_met")
    tpl2 = pd.read_csv(tmp_path / "out" / "reported_template.csv", encoding="utf-8-sig")
    assert "T10" not in set(tpl2["indicator_id"])
