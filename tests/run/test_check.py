"""``circle15 check`` and the checks a run makes before its heavy stages (issue 12, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from circle15.cli import app
from support.tiny import write_tiny_inputs

runner = CliRunner()


@pytest.fixture()
def cfg(tmp_path: Path) -> Path:
    return write_tiny_inputs(tmp_path / "in")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_check_lists_every_input_and_writes_nothing(cfg: Path, tmp_path: Path):
    res = runner.invoke(app, ["check", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    for words in ("zones", "2 zones", "layer clinic", "1 facilities", "5 points, 150 people",
                  "zhuji-2023, year 2027", "graphml"):
        assert words in res.output, words
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("old", "new", "words"), [
    ('plan = "zhuji-2023"', 'plan = "nosuch-plan"', "nosuch-plan"),
    ('value_column = "population"', 'value_column = "people"', "people"),
])
def test_input_errors_come_before_the_network_stage(cfg: Path, tmp_path: Path, old, new,
                                                    words):
    _edit(cfg, old, new)
    for cmd in (["check", str(cfg)], ["run", str(cfg), "--out", str(tmp_path / "o")]):
        res = runner.invoke(app, cmd)
        assert res.exit_code == 2, res.output
        assert words in res.output
        assert "· network" not in res.output  # nothing heavy ran
    assert not (tmp_path / "o").exists()


def test_year_outside_the_plan_names_the_option(cfg: Path, tmp_path: Path):
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o"), "--year", "2030"])
    assert res.exit_code == 2
    assert "option --year" in res.output and "plan years: 2023" in res.output
    assert "· network" not in res.output
def test_plan_none_evaluates_no_plan(cfg: Path, tmp_path: Path):
    _edit(cfg, 'plan = "zhuji-2023"', 'plan = "none"')
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "o" / "coverage_by_zone.csv").is_file()
    assert not (tmp_path / "o" / "targets_by_zone.csv").exists()


def _case(tmp_path: Path, mutate) -> tuple[int, str]:
    cfg = write_tiny_inputs(tmp_path / "in")
    mutate(cfg)
    res = runner.invoke(app, ["run", str(cfg), "--out", str(tmp_path / "o")])
    return res.exit_code, res.output


def test_messages_that_used_to_mislead(tmp_path: Path):
    """GDAL advice, a truncated GraphML, an Excel file whose data are on another sheet and a
    CSV with a stray field each get a message that says what is wrong (issue 12, item 5)."""
    import pandas as pd

    def txt_zones(cfg: Path) -> None:
        (cfg.parent / "zones.txt").write_text("hello", encoding="utf-8")
        _edit(cfg, 'zones = "zones.geojson"', 'zones = "zones.txt"')

    code, out = _case(tmp_path / "a", txt_zones)
    assert code == 2 and "not a vector file" in out and "<DRIVER>" not in out

    def truncated(cfg: Path) -> None:
        raw = (cfg.parent / "network.graphml").read_bytes()
        (cfg.parent / "network.graphml").write_bytes(raw[:len(raw) // 2])

    code, out = _case(tmp_path / "b", truncated)
    assert code == 2 and "truncated" in out

    def second_sheet(cfg: Path) -> None:
        df = pd.read_csv(cfg.parent / "clinic.csv")
        with pd.ExcelWriter(cfg.parent / "clinic.xlsx") as w:
            pd.DataFrame({"说明": ["见第二页"]}).to_excel(w, sheet_name="封面", index=False)
            df.to_excel(w, sheet_name="数据", index=False)
        _edit(cfg, 'source = "clinic.csv"', 'source = "clinic.xlsx"')

    code, out = _case(tmp_path / "c", second_sheet)
    assert code == 2 and 'sheet = "数据"' in out

    def stray_field(cfg: Path) -> None:
        with (cfg.parent / "population.csv").open("a", encoding="utf-8") as fh:
            fh.write("1,2,3,4,5\n")

    code, out = _case(tmp_path / "d", stray_field)
    assert code == 2 and "line 7 of the file (data row 6)" in out and "row 6" in out
