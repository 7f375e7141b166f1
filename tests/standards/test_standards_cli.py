"""``circle15 standards``: zh and en tables, one entry in full, exit 2 on bad input."""

from __future__ import annotations

from typer.testing import CliRunner

from circle15.cli import app

runner = CliRunner()


def test_prints_zh_catalogue_unsqueezed_with_verified_flags():
    r = runner.invoke(app, ["standards"])
    assert r.exit_code == 0, r.output
    out = r.output
    for word in ("幼儿园", "小学", "初中", "社区卫生服务站/村卫生室", "残疾人之家", "公交车站",
                 "学有优教", "5分钟 / 300米", "▲", "△", "4.5 托位/1000人", "已核对原文",
                 "GB 50180-2018 城市居住区规划设计标准", "否（未核对）"):
        assert word in out, word
    # piped: rows are not folded into 80 columns, so a row keeps its cells on one line
    line = next(x for x in out.splitlines() if "primary_school" in x)
    assert "小学" in line and "10分钟 / 500米" in line and "否（未核对）" in line
    assert "16 项中 16 项未核对标准原文" in out


def test_prints_english_and_one_entry_in_full():
    r = runner.invoke(app, ["standards", "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert "Kindergarten" in r.output and "NO (not checked)" in r.output
    assert "幼儿园" not in r.output
    assert "16 of 16 entries are not verified" in r.output
    r = runner.invoke(app, ["standards", "--lang", "en", "--layer", "middle_school"])
    assert r.exit_code == 0, r.output
    assert "amenity=school + isced:level=2" in r.output  # the OSM tags
    assert "1000m" in r.output  # the clause
    assert "NO (not checked)" in r.output


def test_county_file_and_bad_input_exit_2(tmp_path):
    good = tmp_path / "county.toml"
    good.write_text('[catalogue]\nname = "c"\ntitle = "某县目录"\n[sources.S]\nzh = "县标准"\n'
                    '[[entry]]\nkey = "library"\nname_zh = "图书馆"\nname_en = "Library"\n'
                    'domain = "overall"\nsource = "S"\nverified = true\n'
                    '[[entry.rule]]\nlevel = "urban_15"\nminutes = 15\n', encoding="utf-8")
    r = runner.invoke(app, ["standards", "--file", str(good)])
    assert r.exit_code == 0, r.output
    assert "图书馆" in r.output and "某县目录" in r.output and "未核对标准原文" not in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text(encoding="utf-8").replace("minutes = 15", "minutes = -5"),
                   encoding="utf-8")
    r = runner.invoke(app, ["standards", "--file", str(bad)])
    assert r.exit_code == 2
    assert str(bad) in r.output and "entry[0] (library).rule[0].minutes" in r.output
    r = runner.invoke(app, ["standards", "--file", str(tmp_path / "missing.toml")])
    assert r.exit_code == 2 and "option --file" in r.output
    r = runner.invoke(app, ["standards", "--layer", "atlantis"])
    assert r.exit_code == 2 and "option --layer" in r.output and "kindergarten" in r.output
