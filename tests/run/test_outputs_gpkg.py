"""GeoPackage outputs written through Arrow hold exactly what the feature-by-feature path
writes: columns, types, NULL times and facility ids, Chinese text, coordinates."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from circle15.run.outputs import write_gpkg

pytest.importorskip("pyarrow")


def _origins(n: int = 500) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(7)
    t = rng.random(n) * 900.0
    t[::7] = np.nan  # not reached
    fac = np.array([f"卫生{j}" for j in rng.integers(0, 20, n)], dtype=object)
    fac[::7] = None
    df = pd.DataFrame({"origin_id": [f"p{i}" for i in range(n)],
                       "zone_id": rng.integers(0, 5, n).astype(str),
                       "population": rng.integers(0, 50, n).astype(float),
                       "n": rng.integers(0, 9, n), "t_clinic": np.round(t, 3), "f_clinic": fac})
    return gpd.GeoDataFrame(df, geometry=shapely.points(rng.random((n, 2)) * 1e4 + 4e5),
                            crs="EPSG:4549")


def test_arrow_gpkg_equals_the_feature_path(tmp_path):
    g = _origins()
    write_gpkg(g, tmp_path / "a.gpkg", "origins")
    g.to_file(tmp_path / "b.gpkg", layer="origins", driver="GPKG", engine="pyogrio",
              use_arrow=False)
    ia, ib = (pyogrio.read_info(tmp_path / f, layer="origins") for f in ("a.gpkg", "b.gpkg"))
    assert list(ia["fields"]) == list(ib["fields"]) == list(g.columns[:-1])
    assert list(ia["dtypes"]) == list(ib["dtypes"])
    assert ia["geometry_type"] == ib["geometry_type"] == "Point" and ia["features"] == 500
    a, b = (gpd.read_file(tmp_path / f, layer="origins") for f in ("a.gpkg", "b.gpkg"))
    pd.testing.assert_frame_equal(a, b)
    assert a["t_clinic"].isna().sum() == 72 and a["f_clinic"].isna().sum() == 72
    assert a.loc[1, "f_clinic"] == g.loc[1, "f_clinic"] and a.crs == g.crs
    np.testing.assert_array_equal(shapely.get_coordinates(a.geometry.values),
                                  shapely.get_coordinates(g.geometry.values))
