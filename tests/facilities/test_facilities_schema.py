"""Layer schema: built-in layers, config overrides, user layers, sub-types."""

from __future__ import annotations

import re

import pytest

from circle15.facilities import LayerSource
from circle15.facilities.schema import BUILTIN_LAYERS, layer_spec, match_layer

# Font Awesome 4 names (folium.Icon(prefix="fa")) used by the built-in layers.
FA4 = {"child", "plus-square", "home", "heartbeat", "wheelchair", "map-marker", "book",
       "graduation-cap", "hospital-o", "medkit", "bed", "sun-o", "cutlery", "shopping-basket",
       "music", "users", "flag", "bus"}
#: The first five layers; the standards catalogue's layers follow them.
FIVE = ["childcare", "clinic", "elderly", "fitness", "disability"]


def test_builtin_layers():
    assert list(BUILTIN_LAYERS)[:5] == FIVE
    labels = {k: s.label_zh for k, s in BUILTIN_LAYERS.items() if k in FIVE}
    assert labels == {"childcare": "托育", "clinic": "卫生", "elderly": "养老", "fitness": "健身",
                      "disability": "残疾人之家"}
    groups = {k: s.default_group for k, s in BUILTIN_LAYERS.items() if k in FIVE}
    assert groups == {"childcare": "age_0_3", "clinic": "total", "elderly": "age_60p",
                      "fitness": "total", "disability": "disabled"}
    for s in BUILTIN_LAYERS.values():
        assert re.fullmatch(r"#[0-9a-f]{6}", s.color) and s.icon in FA4 and s.label_en
    assert len({s.color for s in BUILTIN_LAYERS.values()}) == len(BUILTIN_LAYERS)
    assert len({s.label_zh for s in BUILTIN_LAYERS.values()}) == len(BUILTIN_LAYERS)
    assert "村卫生室" in BUILTIN_LAYERS["clinic"].subtypes
    assert BUILTIN_LAYERS["elderly"].subtypes == ("居家养老服务照料中心", "养老机构", "助餐点",
                                                  "康养联合体")
    assert "儿童健康管理中心" in BUILTIN_LAYERS["clinic"].subtypes


def test_layer_spec_overrides_and_frozen():
    s = layer_spec(LayerSource(key="clinic", label_zh="医疗", color="#000000", group="age_60p"))
    assert (s.label_zh, s.label_en, s.color, s.icon, s.default_group) == \
        ("医疗", "Health", "#000000", "plus-square", "age_60p")
    assert layer_spec(LayerSource(key="childcare")).default_group == "age_0_3"
    with pytest.raises(AttributeError):
        s.color = "#ffffff"  # type: ignore[misc]


def test_user_layer_deterministic_colour():
    a = layer_spec(LayerSource(key="library", label_zh="图书馆", label_en="Library"))
    b = layer_spec(LayerSource(key="library"))
    assert a.color == b.color and re.fullmatch(r"#[0-9a-f]{6}", a.color)
    assert (a.label_zh, a.icon, a.subtypes, a.default_group) == ("图书馆", "map-marker", (), "total")
    assert b.label_zh == "library"
    colours = {layer_spec(LayerSource(key=k)).color for k in ("a", "b", "c", "d", "e", "f")}
    assert len(colours) > 1
    assert layer_spec(LayerSource(key="library", icon="book")).icon == "book"


@pytest.mark.parametrize("value,expected", [
    ("村卫生室", "村卫生室"), ("卫生室", "村卫生室"), (" 卫生院 ", "乡镇卫生院"),
    ("社区卫生服务中心", "社区卫生服务中心"), ("社区卫生服务站", "社区卫生服务站"),
    ("", ""), ("宠物医院", None),
])
def test_clinic_subtypes(value, expected):
    assert BUILTIN_LAYERS["clinic"].canonical_subtype(value) == expected


def test_no_subtypes_accepts_anything():
    assert BUILTIN_LAYERS["disability"].canonical_subtype("康复站") == "康复站"


def test_match_layer():
    assert match_layer("托育") == "childcare" and match_layer("Health") == "clinic"
    assert match_layer("残疾人之家") == "disability" and match_layer("火星") is None


def test_resolve_layers_group_rule_and_labels():
    from circle15.facilities import Layer, resolve_layers

    sources = [LayerSource(key="childcare"), LayerSource(key="elderly"),
               LayerSource(key="clinic", group="age_60p"),
               LayerSource(key="disability", group="total"),
               LayerSource(key="library", label_zh="图书馆", label_en="Library", required=False)]
    # age_0_3 is defined, age_60p and disabled are not
    layers = resolve_layers(sources, ["age_0_3"])
    assert [lay.group for lay in layers] == ["age_0_3", "total", "age_60p", "total", "total"]
    assert [lay.required for lay in layers] == [True, True, True, True, False]
    lib = layers[-1]
    assert isinstance(lib, Layer)
    assert (lib.label("zh"), lib.label("en")) == ("图书馆", "Library")
    assert layers[2].label("en") == "Health" and layers[2].label() == "卫生"
    assert lib.color == layer_spec(sources[-1]).color and lib.icon == "map-marker"
    # with every group defined, the built-in groups are used
    assert [lay.group for lay in resolve_layers(sources[:2], ["age_0_3", "age_60p"])] == \
        ["age_0_3", "age_60p"]
    with pytest.raises(AttributeError):
        lib.group = "x"  # frozen


def test_user_layer_label_reaches_the_run_layers():
    """Regression: a user layer's label_zh from the config is carried by the layer list."""
    from dataclasses import asdict

    from circle15.config import LayerConfig
    from circle15.facilities import resolve_layers

    cfg = LayerConfig(key="library", label_zh="图书馆", label_en="Library")
    (lay,) = resolve_layers([LayerSource(**asdict(cfg))], [])
    assert (lay.label_zh, lay.label_en) == ("图书馆", "Library")


@pytest.mark.parametrize("section, option", [
    ("LayerConfig", "circle15.facilities:LayerSource"),
    ("AreaConfig", "circle15.geo.areas:ZoneSource"),
    ("PopulationConfig", "circle15.geo.population:PopulationSource"),
])
def test_option_dataclasses_take_the_config_sections_fields(section, option):
    """``Source(**asdict(section))`` works: every config key is a field of the option."""
    import importlib
    from dataclasses import asdict, fields

    import circle15.config as config

    mod, name = option.split(":")
    cls = getattr(importlib.import_module(mod), name)
    sec = getattr(config, section)
    assert {f.name for f in fields(sec)} <= {f.name for f in fields(cls)}
    kwargs = {"key": "clinic"} if section == "LayerConfig" else {}
    built = cls(**asdict(sec(**kwargs)))
    assert built.__dataclass_params__.frozen
