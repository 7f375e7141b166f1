"""One normalize_crs for config names, EPSG codes and CRSs declared by files."""

import numpy as np
import pyproj
import pytest

from circle15.errors import InputError
from circle15.geo import crs


def test_names_codes_and_pyproj_crs():
    assert crs.normalize_crs("GCJ-02") == "gcj02"
    assert crs.normalize_crs("baidu") == "bd09"
    assert crs.normalize_crs("4549") == "EPSG:4549"
    assert crs.normalize_crs("epsg:4326") == "wgs84"
    assert crs.normalize_crs("EPSG:4490") == "cgcs2000"
    assert crs.normalize_crs("EPSG:4490", cgcs2000_as_wgs84=True) == "wgs84"
    assert crs.normalize_crs(None) == "wgs84"
    assert crs.normalize_crs(pyproj.CRS.from_epsg(4549)) == "EPSG:4549"
    assert crs.normalize_crs(pyproj.CRS.from_epsg(4490), cgcs2000_as_wgs84=True) == "wgs84"
    custom = pyproj.CRS.from_proj4("+proj=tmerc +lon_0=120.3 +ellps=GRS80 +units=m")
    assert crs.normalize_crs(custom) is custom
    with pytest.raises(InputError):
        crs.normalize_crs("mercator-ish")


def test_to_wgs84_from_a_crs_without_epsg_code():
    custom = pyproj.CRS.from_proj4("+proj=tmerc +lon_0=120.3 +ellps=GRS80 +units=m")
    x, y = pyproj.Transformer.from_crs(4326, custom, always_xy=True).transform(120.25, 29.7)
    lon, lat = crs.to_wgs84([x], [y], custom)
    assert np.allclose([lon[0], lat[0]], [120.25, 29.7], atol=1e-9)
    assert not crs.is_geographic(custom)
    assert crs.is_geographic(pyproj.CRS.from_epsg(4490))
    assert crs.is_geographic("gcj02") and not crs.is_geographic("EPSG:4549")
