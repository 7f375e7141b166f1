"""The standards catalogue: bundled file, required fields, overrides, errors naming file + key."""

from __future__ import annotations

from pathlib import Path

import pytest

from circle15.errors import InputError, InputErrors
from circle15.facilities.osm import load_tag_mapping
from circle15.facilities.schema import BUILTIN_LAYERS
from circle15.standards import (
    DOMAINS,
    LEVELS,
    MODES,
    available_catalogues,
    catalogue_table,
    entry_details,
    load_catalogue,
)
from circle15.standards.load import _catalogue_dir

#: Facility types the issue asks the catalogue to cover, by layer key.
REQUIRED_TYPES = {
    "kindergarten": "幼儿园", "primary_school": "小学", "middle_school": "初中",
    "health_centre": "社区卫生服务中心", "health_station": "社区卫生服务站",
    "nursing_home": "养老院", "day_care": "日间照料", "canteen": "社区食堂",
    "market": "菜市场", "culture": "文化活动中心", "culture_station": "文化活动站",
    "community_service": "社区服务站", "bus_stop": "公交", "childcare": "托育",
    "fitness": "健身", "disability": "残疾人之家",
}


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_bundled_catalogue_covers_the_types_with_every_field(cat):
    assert "national" in available_catalogues()
    assert cat.path == _catalogue_dir() / "national.toml"
    assert set(REQUIRED_TYPES) <= set(cat.keys)
    for key, word in REQUIRED_TYPES.items():
        assert word in cat.entry(key).name_zh, key
    for e in cat.entries:
        assert e.name_zh and e.name_en and e.domain in DOMAINS and e.responsible, e.key
        assert e.responsible_en != e.responsible, e.key  # translated via [responsible]
        assert e.rules and e.osm and e.clause and e.group, e.key
        assert e.source in cat.sources, e.key
        for r in e.rules:
            assert r.level in LEVELS and set(r.modes) <= set(MODES), e.key
            assert r.minutes is not None or r.metres is not None, e.key
    # nothing here was checked against the standards' texts: the file must say so
    assert not any(e.verified for e in cat.entries)


def test_known_values_and_levels(cat):
    k, p, m = (cat.entry(x) for x in ("kindergarten", "primary_school", "middle_school"))
    assert (k.rules[0].level, k.rules[0].minutes, k.rules[0].metres) == ("urban_5", 5.0, 300.0)
    assert (p.rules[0].level, p.rules[0].minutes, p.rules[0].metres) == ("urban_10", 10.0, 500.0)
    assert (m.rules[0].level, m.rules[0].minutes, m.rules[0].metres) == ("urban_15", 15.0, 1000.0)
    assert {k.domain, p.domain, m.domain} == {"education"}
    # two levels each of 卫生 and 养老, and a rural (村/组) rule for the village clinic
    assert cat.entry("health_station").rule("village") is not None
    assert cat.entry("health_centre").rule("town") is not None
    assert {cat.entry(x).domain for x in ("nursing_home", "day_care")} == {"elderly"}
    # 15分钟健身圈: on foot or by bike; 托育 is △ with a per-1,000-people quota
    assert cat.entry("fitness").rules[0].modes == ("walk", "bike")
    c = cat.entry("childcare")
    assert not c.rules[0].required and c.rules[0].mark == "△"
    assert c.quota is not None and (c.quota.value, c.quota.per, c.quota.basis) == \
        (4.5, 1000.0, "people")
    assert c.quota.text("zh") == "4.5 托位/1000人"
    assert c.quota.text("en") == "4.5 places per 1000 people"
    q = cat.entry("community_service").quota
    assert q is not None and q.text("en") == "30 m² floor area per 100 households"


def test_every_entry_is_a_builtin_layer_with_matching_osm_rules(cat):
    mapping = load_tag_mapping()
    for e in cat.entries:
        assert e.layer in BUILTIN_LAYERS, e.key
        rules = [{k: tuple(v) for k, v in r["tags"].items()} for r in mapping[e.layer]]
        for tags in e.osm:
            assert tags in rules, (e.key, tags)


def test_table_rows_and_languages(cat):
    zh, en = catalogue_table(cat, "zh"), catalogue_table(cat, "en")
    assert len(zh) == len(en) == sum(len(e.rules) for e in cat.entries)
    assert list(en.columns) == ["key", "name", "domain", "level", "threshold", "mode",
                                "required", "quota", "group", "responsible", "source",
                                "verified"]
    assert "已核对原文" in zh.columns and "七优享领域" in zh.columns
    row = en[en["key"] == "primary_school"].iloc[0]
    assert (row["name"], row["domain"], row["level"], row["threshold"], row["mode"],
            row["required"]) == ("Primary school", "Quality education", "10-minute circle",
                                 "10 min / 500 m", "walking", "▲")
    assert row["verified"] == "NO (not checked)"
    assert set(zh["已核对原文"]) == {"否（未核对）"}
    zrow = zh[zh["代码"] == "kindergarten"].iloc[0]
    assert (zrow["设施"], zrow["阈值"], zrow["七优享领域"]) == \
        ("幼儿园", "5分钟 / 300米", "学有优教")
    details = dict(entry_details(cat, "bus_stop", "en"))
    assert details["OSM tags"] == "highway=bus_stop; public_transport=platform + bus=yes"
    assert "GB 50180" in details["source"] and "500m" in details["clause"]
    assert details["verified"] == "NO (not checked)"
    with pytest.raises(KeyError):
        entry_details(cat, "nope")


def test_overrides_replace_values_and_are_validated(cat):
    o = load_catalogue(overrides={"primary_school": {"minutes": 12, "required": False},
                                  "kindergarten": {"quota": {"value": 30, "unit": "学位",
                                                             "per": 1000}}})
    assert [r.minutes for r in o.entry("primary_school").rules] == [12.0, 12.0]
    assert not any(r.required for r in o.entry("primary_school").rules)
    assert o.entry("primary_school").rules[0].metres == 500.0  # untouched
    kq = o.entry("kindergarten").quota
    assert kq is not None and kq.text("zh") == "30 学位/1000人"
    assert cat.entry("primary_school").rules[0].minutes == 10.0  # the bundled file unchanged
    with pytest.raises(InputErrors) as ei:
        load_catalogue(overrides={"primary_school": {"minutes": -1, "colour": "red"},
                                  "library": {"minutes": 5},
                                  "kindergarten": {"quota": {"value": 0, "unit": "x"}}},
                       overrides_file="county.toml", overrides_key="standards.overrides")
    keys = {e.key for e in ei.value.errors}
    assert keys == {"standards.overrides.primary_school.minutes",
                    "standards.overrides.primary_school.colour",
                    "standards.overrides.library",
                    "standards.overrides.kindergarten.quota.value"}
    assert {e.file for e in ei.value.errors} == {"county.toml"}


GOOD = '''
[catalogue]
name = "county"
[sources.S]
zh = "某标准"
[[entry]]
key = "library"
name_zh = "图书馆"
name_en = "Library"
domain = "overall"
source = "S"
verified = true
osm = [{ amenity = ["library"] }]
[[entry.rule]]
level = "urban_15"
minutes = 15
'''


def test_a_county_catalogue_file(tmp_path):
    f = tmp_path / "county.toml"
    f.write_text(GOOD, encoding="utf-8")
    c = load_catalogue(f)
    e = c.entry("library")
    assert (c.name, e.verified, e.layer, e.rules[0].modes, e.rules[0].required) == \
        ("county", True, "library", ("walk",), True)
    assert catalogue_table(c, "en")["verified"].tolist() == ["yes"]


@pytest.mark.parametrize(("change", "key"), [
    (("domain = \"overall\"", "domain = \"sports\""), "entry[0] (library).domain"),
    (("minutes = 15", "minutes = \"15\""), "entry[0] (library).rule[0].minutes"),
    (("minutes = 15", "modes = [\"walk\"]"), "entry[0] (library).rule[0].minutes"),
    (("level = \"urban_15\"", "level = \"urban_20\""), "entry[0] (library).rule[0].level"),
    (("verified = true", "verified = \"yes\""), "entry[0] (library).verified"),
    (("source = \"S\"", "source = \"T\""), "entry[0] (library).source"),
    (("key = \"library\"", "key = \"1lib\""), "entry[0] (1lib).key"),
    (("osm = [{ amenity = [\"library\"] }]", "osm = [{ amenity = [1] }]"),
     "entry[0] (library).osm[0].amenity"),
    (("name_en = \"Library\"", "name_en = \"Library\"\nthreshold = 3"),
     "entry[0] (library).threshold"),
])
def test_bad_file_names_file_and_key(tmp_path, change, key):
    f = tmp_path / "county.toml"
    f.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_catalogue(f)
    errors = ei.value.errors if isinstance(ei.value, InputErrors) else [ei.value]
    assert [e.key for e in errors] == [key]
    assert errors[0].file == str(f) and str(f) in str(ei.value)


def test_unreadable_or_unknown_catalogues(tmp_path):
    with pytest.raises(InputError, match="unknown standards catalogue") as ei:
        load_catalogue("atlantis")
    assert ei.value.key == "standards.catalogue" and "national" in (ei.value.hint or "")
    with pytest.raises(InputError, match="not found"):
        load_catalogue(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[entry]\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML") as ei:
        load_catalogue(bad)
    assert ei.value.file == str(bad)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[catalogue]\nname = "诸暨"\n'.encode("gbk"))
    with pytest.raises(InputError, match="UTF-8"):
        load_catalogue(gbk)
    empty = tmp_path / "empty.toml"
    empty.write_text("[catalogue]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_catalogue(Path(empty))
    assert [e.key for e in ei.value.errors] == ["entry"]  # type: ignore[attr-defined]
