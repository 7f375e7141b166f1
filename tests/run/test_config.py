"""Config loading: every problem is reported with file and key; exit code 2 from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from circle15.cli import app
from circle15.config import load_config
from circle15.errors import InputError, InputErrors
from support import REPO
from support.tiny import write_tiny_inputs

runner = CliRunner()


@pytest.fixture()
def cfg_path(tmp_path: Path) -> Path:
    return write_tiny_inputs(tmp_path / "in")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_valid_config_resolves_relative_paths(cfg_path: Path):
    cfg = load_config(cfg_path)
    assert cfg.area.zones == (cfg_path.parent / "zones.geojson").resolve()
    assert Path(cfg.network.source) == (cfg_path.parent / "network.graphml").resolve()
    assert cfg.layers[0].source == (cfg_path.parent / "clinic.csv").resolve()
    assert cfg.output.dir == (cfg_path.parent / "out").resolve()
    assert cfg.network.speed_mps == pytest.approx(1.25)
    assert cfg.coverage.thresholds == (5, 10, 15)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ('mode = "walk"', 'mode = "fly"', "network.mode", "unknown mode"),
        ("speed_kmh = 4.5", 'speed_kmh = "fast"', "network.speed_kmh", "expected a number"),
        ('source = "clinic.csv"', 'source = "nope.csv"', "layers[0].source", "file not found"),
        ('zones = "zones.geojson"', 'zones = "missing.geojson"', "area.zones", "file not found"),
        ("[coverage]", "[coverage]\ncolour = 3", "coverage.colour", "unknown key"),
        ("thresholds = [5, 10, 15]", "thresholds = []", "coverage.thresholds", "list of minutes"),
        ("year = 2027", "year = 27", "targets.year", "out of range"),
        ("[project]", "[projekt]\n[project]", "projekt", "unknown section"),
        ('crs = "EPSG:4549"', 'crs = "UTM"', "network.crs", "not a CRS"),
        # numbers must be finite and in range (nan once gave 0 % everywhere, exit 0)
        ("[network]", "[network]\nmax_link_m = nan", "network.max_link_m", "not a finite"),
        ("[network]", "[network]\nmax_link_m = inf", "network.max_link_m", "not a finite"),
        ("thresholds = [5, 10, 15]", "thresholds = [5, nan]", "coverage.thresholds",
         "not finite"),
        ("[coverage]", "[coverage]\nsfca_minutes = -5", "coverage.sfca_minutes",
         "out of range"),
        ("[population]", "[population]\nm2_per_person = 0", "population.m2_per_person",
         "out of range"),
    ],
)
def test_each_error_names_file_and_key(cfg_path: Path, old, new, key, words):
    _edit(cfg_path, old, new)
    with pytest.raises(InputErrors) as info:
        load_config(cfg_path)
    errs = info.value.errors
    hit = [e for e in errs if e.key == key]
    assert hit, [str(e) for e in errs]
    assert words in str(hit[0])
    assert str(cfg_path) in str(hit[0])
    # and the CLI turns it into exit code 2 with the message, no traceback
    res = runner.invoke(app, ["run", str(cfg_path), "--out", str(cfg_path.parent / "o")])
    assert res.exit_code == 2, res.output
    assert key in res.output and "Traceback" not in res.output
    assert not (cfg_path.parent / "o").exists()


def test_several_errors_reported_at_once(cfg_path: Path):
    _edit(cfg_path, 'mode = "walk"', 'mode = "fly"')
    _edit(cfg_path, "year = 2027", "year = 1")
    with pytest.raises(InputErrors) as info:
        load_config(cfg_path)
    assert {e.key for e in info.value.errors} >= {"network.mode", "targets.year"}


def test_bad_toml_and_missing_file(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network\nsource=", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(bad)
    res = runner.invoke(app, ["run", str(tmp_path / "none.toml")])
    assert res.exit_code == 2 and "config file not found" in res.output


def test_layer_group_must_exist(cfg_path: Path):
    _edit(cfg_path, 'source = "clinic.csv"', 'source = "clinic.csv"\ngroup = "age_0_3"')
    with pytest.raises(InputErrors, match="population group 'age_0_3' is not defined"):
        load_config(cfg_path)


def test_overrides(cfg_path: Path, tmp_path: Path):
    cfg = load_config(cfg_path, {"output.dir": tmp_path / "x", "targets.year": 2025})
    assert cfg.output.dir == tmp_path / "x" and cfg.targets.year == 2025


def test_a_folder_is_not_called_a_missing_file(cfg_path: Path):
    (cfg_path.parent / "zones_dir").mkdir()
    _edit(cfg_path, 'zones = "zones.geojson"', 'zones = "zones_dir"')
    with pytest.raises(InputErrors, match="is a folder, not a file"):
        load_config(cfg_path)
    with pytest.raises(InputError, match="is a folder, not a config file"):
        load_config(cfg_path.parent)


def test_config_is_immutable(cfg_path: Path):
    import dataclasses

    cfg = load_config(cfg_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.network.mode = "drive"  # type: ignore[misc]
    assert isinstance(cfg.layers, tuple) and isinstance(cfg.coverage.thresholds, tuple)


def test_readme_config_reference_is_generated_from_the_schema():
    from circle15.config import docs

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert docs.with_reference(readme) == readme, \
        "regenerate it: python -m circle15.config.docs --write README.md"
    for section in ("[project]", "[area]", "[network]", "[population]", "[[layers]]",
                    "[coverage]", "[targets]", "[siting]", "[map]", "[output]"):
        assert f"**`{section}`**" in readme


def test_history_db_password_never_reaches_run_json(cfg_path: Path):
    _edit(cfg_path, "[output]", '[history]\ndb = "postgresql://planner:s3cret@db.local/c15"\n\n'
                                "[output]")
    cfg = load_config(cfg_path)
    assert cfg.history.db.endswith("@db.local/c15")
    dumped = str(cfg.to_dict())
    assert "s3cret" not in dumped and "planner:***@db.local" in dumped
