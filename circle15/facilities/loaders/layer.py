"""Load facility layers from CSV, Excel, GeoJSON, GeoPackage or Shapefile.

Each layer file is read (:mod:`.read`), its columns mapped to the standard fields
(:mod:`.columns`: the layer's ``columns`` then the headers of
:data:`circle15.vocab.HEADER_ALIASES`), coordinates checked and converted from the declared
system to WGS-84 (:mod:`.coords`), and every row checked (:mod:`.rows`). The result is one
GeoDataFrame of facilities in EPSG:4326 with the columns of
:data:`~circle15.facilities.schema.FACILITY_COLUMNS`, and an issues table listing every
input row that was skipped, merged or changed (see :mod:`circle15.facilities.validate`).
Nothing is dropped silently: ``rows == loaded + skipped + merged`` for every file.

Recognised headers (case, spaces, full-width characters and a trailing unit in brackets
are ignored): 编号/id, 名称/机构名称/name, 经度/东经/lon/lng/longitude/x, 纬度/北纬/lat/y,
经纬度/坐标 ("120.1,29.7" in one cell), 地址/address, 类型/类别/subtype/type,
容量/托位/托位数/床位/床位数/capacity, 所属镇街/乡镇/街道/town, 所属村/村(社区)/village,
人员/staff, 面积/area_m2, 是否开放/open, 图层/layer (files holding several layers).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.facilities.loaders import rows as rowsmod
from circle15.facilities.loaders._rows import LayerRows
from circle15.facilities.loaders.columns import has_coords, map_columns
from circle15.facilities.loaders.coords import coordinates, use_geometry
from circle15.facilities.loaders.read import RawLayer, read_layer_file
from circle15.facilities.schema import (
    FACILITY_COLUMNS,
    ISSUE_COLUMNS,
    LayerSpec,
    empty_facilities,
    layer_spec,
)
from circle15.facilities.source import LayerSource
from circle15.facilities.validate import IssueLog, issues_frame
from circle15.geo import crs as crsmod

log = logging.getLogger(__name__)

#: Counts of ``attrs["qa"]`` summed over layers by :func:`load_layers`.
QA_COUNTS = ("loaded", "skipped", "merged_duplicates", "warnings", "rows")


def _layer_path(src: LayerSource) -> Path:
    if src.source is None:
        raise InputError(f"layer {src.key!r} has no source file", key=f"{src.prefix}.source")
    path = Path(src.source)
    if not path.is_file():
        raise InputError("file not found", file=path, key=f"{src.prefix}.source",
                         hint="check the path in the config")
    return path


def _declared_crs(src: LayerSource, path: Path) -> str:
    try:
        return crsmod.normalize_crs(src.crs)
    except InputError as exc:
        raise InputError(exc.message, file=path, key=f"{src.prefix}.crs",
                         hint=exc.hint) from None


def _check_has_coords(raw: RawLayer, mapping: dict[str, str], path: Path) -> None:
    if use_geometry(raw) or has_coords(mapping):
        return
    if raw.geoms is not None:
        raise InputError("the vector file has no geometries and no coordinate columns",
                         file=path)
    hint = ("name them 经度/纬度 (or lon/lat), or map them in the layer's columns = "
            "{\"<column>\" = \"lon\", ...}; columns are: " + ", ".join(map(str, raw.table.columns)))
    sheets = _other_sheets(path)
    if sheets:
        hint = (f"the workbook has other sheets: {', '.join(sheets)} — set sheet = "
                f"\"{sheets[0]}\" for this layer if the data are there; or {hint}")
    raise InputError("no coordinate columns found", file=path, hint=hint)


def _other_sheets(path: Path) -> list[str]:
    """The sheets after the first of an Excel workbook (none for other files)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import openpyxl

    try:
        return list(openpyxl.load_workbook(path, read_only=True).sheetnames[1:])
    except Exception:  # noqa: BLE001 - only a hint: an unreadable workbook gives none
        return []


def _frame(st: LayerRows, spec: LayerSpec, attrs: dict[str, Any], lon: np.ndarray,
           lat: np.ndarray) -> gpd.GeoDataFrame:
    """The facilities of the kept rows, :data:`FACILITY_COLUMNS`, EPSG:4326."""
    sel = st.kept()

    def text(values: list[str]) -> pd.Series:
        return pd.Series([values[i] for i in sel], dtype="str")

    gdf = gpd.GeoDataFrame({
        "facility_id": text(attrs["ids"]), "name": text(attrs["names"]),
        "layer": pd.Series([spec.key] * len(sel), dtype="str"),
        "subtype": text(attrs["subtypes"]), "address": text(st.col("address")),
        "town": text(st.col("town")), "village": text(st.col("village")),
        **{f: attrs[f][sel].astype("float64") for f in rowsmod.NUMBER_FIELDS},
        "open": attrs["open"][sel].astype(bool),
        "source_row": st.rows[sel].astype("int64"),
    }, geometry=gpd.points_from_xy(lon[sel], lat[sel]), crs="EPSG:4326")
    return gdf[list(FACILITY_COLUMNS)] if len(gdf) else empty_facilities()


def _attributes(st: LayerRows, spec: LayerSpec, lon: np.ndarray, lat: np.ndarray
                ) -> dict[str, Any]:
    """Ids, names, sub-types, numbers and open flags; duplicates merged, ids made unique."""
    ids = rowsmod.facility_ids(st, spec.key)
    names, subtypes = rowsmod.names_and_subtypes(st, spec, ids)
    attrs: dict[str, Any] = {f: rowsmod.number_column(st, f) for f in rowsmod.NUMBER_FIELDS}
    attrs["open"] = rowsmod.open_flags(st)
    rowsmod.merge_duplicates(st, names, lon, lat)
    rowsmod.unique_ids(st, ids)
    attrs.update(ids=ids, names=names, subtypes=subtypes)
    return attrs


def _finish(gdf: gpd.GeoDataFrame, st: LayerRows, src: LayerSource, path: Path,
            encoding: str | None) -> gpd.GeoDataFrame:
    """Attach ``attrs["qa"]`` (and the encoding) and check the row accounting."""
    issues, n = st.issues, st.n
    skipped, merged = issues.count("skipped"), issues.count("merged")
    qa = {"loaded": len(gdf), "skipped": skipped, "merged_duplicates": merged,
          "warnings": issues.count("warning"), "rows": int(n), "file": str(path),
          "crs": src.crs}
    if len(gdf) + skipped + merged != n:  # pragma: no cover - an internal invariant
        raise RuntimeError(f"{path}: {n} rows but {len(gdf)} loaded + {skipped} skipped + "
                           f"{merged} merged")
    gdf.attrs["qa"] = qa
    if encoding:
        gdf.attrs["encoding"] = encoding
    log.info("%s: layer %s: %d facilities (%d skipped, %d merged, %d warnings)", path,
             src.key, len(gdf), skipped, merged, qa["warnings"])
    return gdf


def load_layer(source: LayerSource, *, study_area: Any = None, strict: bool = False
               ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load one facility layer.

    Parameters
    ----------
    source : LayerSource
        The layer: key, source file, declared ``crs``, ``sheet``, ``columns`` mapping.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        Points outside it are kept but reported (``outside_study_area``). A geometry is
        taken to be in EPSG:4326.
    strict : bool, default False
        Make any issue fatal.

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        EPSG:4326, columns :data:`~circle15.facilities.schema.FACILITY_COLUMNS`.
        ``attrs["qa"]`` holds ``loaded``, ``skipped``, ``merged_duplicates``, ``warnings``
        (and ``rows``, ``file``, ``crs``); ``attrs["encoding"]`` the CSV encoding.
    issues : pandas.DataFrame
        Columns :data:`~circle15.facilities.schema.ISSUE_COLUMNS`.

    Raises
    ------
    InputError
        If the file is missing or unreadable, has no coordinate columns, the config maps
        a column that does not exist, or (``strict``) any row has an issue. Keys name
        ``<prefix>.source``, ``<prefix>.crs`` or ``<prefix>.columns`` with the source's
        :attr:`~LayerSource.prefix`.
    """
    spec = layer_spec(source)
    path = _layer_path(source)
    declared = _declared_crs(source, path)
    area = crsmod.as_area_wgs84(study_area)
    if path.name.lower().endswith(".osm.pbf"):
        return _load_osm_layer(source, path, area)
    raw = read_layer_file(path, sheet=source.sheet, columns=source.columns, crs=source.crs,
                          key_prefix=source.prefix)
    mapping = map_columns(list(raw.table.columns), source.columns, path, source.prefix)
    _check_has_coords(raw, mapping, path)
    st = LayerRows(raw.table, mapping, IssueLog(path, spec.key))
    rowsmod.select_layer(st, spec)
    lon, lat = coordinates(st, raw, declared, area, source.crs)
    attrs = _attributes(st, spec, lon, lat)
    if not st.keep.any():
        st.issues.add(None, "", "empty_layer",
                      f"layer {spec.key!r} has no usable facilities ({st.n} rows read)",
                      "warning")
    st.issues.raise_if_strict(strict)
    gdf = _frame(st, spec, attrs, lon, lat)
    return _finish(gdf, st, source, path, raw.encoding), st.issues.frame()


def _drop_taken(issues: pd.DataFrame, sources: Sequence[LayerSource],
                frames: list[gpd.GeoDataFrame]) -> tuple[pd.DataFrame, int]:
    """Drop "other_layer" issues of rows that another configured layer loaded."""
    if not len(issues):
        return issues, 0
    used = {(str(Path(src.source)), int(r)) for src, g in zip(sources, frames, strict=True)
            if src.source is not None for r in g["source_row"]}
    other = issues["issue"] == "other_layer"
    taken = np.array([(f, int(r)) in used if o else False for f, r, o in
                      zip(issues["file"], issues["row"].fillna(0), other, strict=True)],
                     dtype=bool)
    return issues[~taken].reset_index(drop=True), int(taken.sum())


def load_layers(sources: Sequence[LayerSource], study_area: Any = None, *,
                strict: bool = False) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load every configured layer.

    Rows of a multi-layer file (with a 图层/layer column) that another configured layer
    uses are not reported as issues of the others.

    Parameters
    ----------
    sources : sequence of LayerSource
        The layers, in config order.
    study_area : shapely geometry, GeoSeries or GeoDataFrame, optional
        See :func:`load_layer`.
    strict : bool, default False
        Make any issue fatal (the config's ``coverage.strict``).

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        All layers, EPSG:4326. ``attrs["qa"]`` sums the per-layer counts;
        ``attrs["qa_by_layer"]`` and ``attrs["encoding_by_layer"]`` give them per layer.
    issues : pandas.DataFrame
    """
    frames, issue_frames = [], []
    for src in sources:
        g, iss = load_layer(src, study_area=study_area, strict=strict)
        frames.append(g)
        issue_frames.append(iss)
    qa_by = {src.key: g.attrs.get("qa", {}) for src, g in zip(sources, frames, strict=True)}
    enc_by = {src.key: g.attrs["encoding"] for src, g in zip(sources, frames, strict=True)
              if "encoding" in g.attrs}
    if frames:
        fac = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
        fac = gpd.GeoDataFrame(fac, geometry="geometry", crs="EPSG:4326")
        issues, n_taken = _drop_taken(pd.concat(issue_frames, ignore_index=True), sources,
                                      frames)
        issues = issues[list(ISSUE_COLUMNS)]
    else:
        fac, issues, n_taken = empty_facilities(), issues_frame(), 0
    fac.attrs = {}
    fac.attrs["qa"] = {k: sum(int(q.get(k, 0)) for q in qa_by.values()) for k in QA_COUNTS}
    fac.attrs["qa"]["skipped"] -= n_taken  # rows used by another configured layer
    fac.attrs["qa_by_layer"] = qa_by
    fac.attrs["encoding_by_layer"] = enc_by
    return fac, issues


def _load_osm_layer(source: LayerSource, path: Path, area: Any
                    ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """A layer taken from an OpenStreetMap extract by the tag mapping (``source`` = .osm.pbf).

    Only the study area's bounding box is read; ``osm_tags`` points at a user tag mapping.
    """
    from circle15.facilities.osm import extract_osm_facilities

    bbox = list(area.bounds) if area is not None else None
    gdf = extract_osm_facilities(path, layers=[source.key], bounding_box=bbox,
                                 tag_mapping_path=source.osm_tags)
    if area is not None and len(gdf):
        gdf = gdf[gdf.geometry.within(area)].reset_index(drop=True)
    issues = IssueLog(path, source.key)
    if gdf.empty:
        issues.add(None, "", "empty_layer",
                   f"no OpenStreetMap features of layer {source.key!r} in the study area",
                   "warning")
    gdf.attrs["qa"] = {"loaded": len(gdf), "skipped": 0, "merged_duplicates": 0,
                       "warnings": issues.count("warning"), "source": "openstreetmap"}
    return gdf, issues.frame()
