"""Population rasters: populated cells inside the study area become origins."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from pyproj import Transformer
from rasterio.transform import from_origin
from shapely.geometry import box

from circle15.errors import InputError
from circle15.geo.population import PopulationSource, load_population, zone_population

NODATA = -99999.0


def make_zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"zone_id": ["A", "B", "C"], "zone_name": ["甲镇", "乙镇", "丙镇"]},
        geometry=[box(120.20, 29.70, 120.21, 29.71), box(120.21, 29.70, 120.22, 29.71),
                  box(120.22, 29.70, 120.23, 29.71)], crs="EPSG:4326")


def write_tif(path, arr, transform, crs="EPSG:4326", nodata=NODATA):
    arr = np.asarray(arr, dtype="float32")
    with rasterio.open(path, "w", driver="GTiff", height=arr.shape[0], width=arr.shape[1],
                       count=1, dtype="float32", crs=crs, transform=transform,
                       nodata=nodata) as dst:
        dst.write(arr, 1)
    return path


def test_wgs84_raster_hand_checked(tmp_path):
    # 0.005° cells from 120.200 E, 29.710 N; columns 0-1 in A, 2-3 in B, 4-5 in C (whose
    # northern half is cut off here, so row 0 of columns 4-5 is inside the study area's
    # bounding box but outside every zone), column 6 beyond the bounding box (never read).
    arr = [[1.5, 0.0, 3.0, NODATA, 0.0, 9.0, 100.0],
           [2.0, 4.0, 0.0, 1.0, 0.0, 0.0, 0.0]]
    path = write_tif(tmp_path / "pop.tif", arr, from_origin(120.20, 29.71, 0.005, 0.005))
    zones = make_zones()
    zones.loc[2, "geometry"] = box(120.22, 29.70, 120.23, 29.705)
    origins, report = load_population(PopulationSource(kind="raster", source=path), zones)
    assert origins["population"].tolist() == [1.5, 3.0, 2.0, 4.0, 1.0]
    assert origins["zone_id"].tolist() == ["A", "B", "A", "A", "B"]
    np.testing.assert_allclose(origins.geometry.x, [120.2025, 120.2125, 120.2025, 120.2075,
                                                   120.2175])
    np.testing.assert_allclose(origins.geometry.y, [29.7075, 29.7075, 29.7025, 29.7025,
                                                   29.7025])
    assert report["outside_zones"] == {"points": 1, "people": 9.0, "kept": False}
    assert report["people"] == 11.5
    table = zone_population(origins, zones, [])
    assert table["population"].tolist() == [7.5, 4.0, 0.0]
    assert table["points"].tolist() == [3, 2, 0]


def test_large_raster_is_read_through_a_window(tmp_path):
    # 0.001° cells over 1° x 1°: the study area is a small part of it.
    arr = np.ones((1000, 1000), dtype="float32")
    path = write_tif(tmp_path / "big.tif", arr, from_origin(119.70, 30.20, 0.001, 0.001))
    origins, report = load_population(PopulationSource(kind="raster", source=path),
                                      make_zones(), )
    col_off, row_off, width, height = report["raster"]["window"]
    assert width * height < 1000 * 1000 / 100
    # 30 x 10 cells of 1 person lie inside the three zones.
    assert len(origins) == 300
    assert origins["population"].sum() == 300.0


def test_projected_raster_and_shares(tmp_path):
    to_utm = Transformer.from_crs(4326, 32651, always_xy=True)
    x, y = to_utm.transform(120.205, 29.705)
    # one 100 m cell centred on the point, the rest empty
    arr = np.zeros((3, 3))
    arr[1, 1] = 250.0
    path = write_tif(tmp_path / "utm.tif", arr, from_origin(x - 150, y + 150, 100, 100),
                     crs="EPSG:32651")
    cfg = PopulationSource(kind="raster", source=path, group_shares={"age_60p": 0.2})
    origins, _ = load_population(cfg, make_zones())
    assert len(origins) == 1
    assert origins["zone_id"].iloc[0] == "A"
    assert origins.geometry.iloc[0].x == pytest.approx(120.205, abs=1e-7)
    assert origins.geometry.iloc[0].y == pytest.approx(29.705, abs=1e-7)
    assert origins["age_60p"].iloc[0] == pytest.approx(50.0)


def test_raster_outside_study_area(tmp_path):
    path = write_tif(tmp_path / "far.tif", np.ones((2, 2)), from_origin(100.0, 40.0, 0.01, 0.01))
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="raster", source=path), make_zones())
    assert "does not overlap" in str(err.value)
    assert err.value.file == str(path)


def test_raster_rejects_group_columns(tmp_path):
    path = write_tif(tmp_path / "p.tif", np.ones((2, 2)), from_origin(120.2, 29.71, 0.005, 0.005))
    with pytest.raises(InputError) as err:
        load_population(PopulationSource(kind="raster", source=path, groups={"a": "a"}),
                        make_zones())
    assert err.value.key == "population.groups"
