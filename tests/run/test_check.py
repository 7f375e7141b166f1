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
