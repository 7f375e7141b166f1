"""Load facility layers from CSV, Excel, GeoJSON, GeoPackage or Shapefile.

Each layer file is read, its columns mapped to the standard fields (from
``LayerConfig.columns`` and common Chinese/English headers), coordinates converted from
the declared system to WGS-84, and every row checked. The result is one GeoDataFrame of
facilities in EPSG:4326 with the columns of
:data:`~circle15.facilities.schema.FACILITY_COLUMNS`, and an issues table listing every
input row that was skipped, merged or changed (see :mod:`circle15.facilities.validate`).
Nothing is dropped silently: ``rows == loaded + skipped + merged`` for every file.

Recognised headers (case, spaces, full-width characters and a trailing unit in brackets
are ignored): 编号/id, 名称/机构名称/name, 经度/lon/lng/longitude/x, 纬度/lat/latitude/y,
经纬度/坐标 ("120.1,29.7" in one cell), 地址/address, 类型/类别/subtype/type,
容量/托位/托位数/床位/床位数/capacity, 所属镇街/乡镇/街道/town, 所属村/村(社区)/village,
人员/staff, 面积/area_m2, 是否开放/open, 图层/layer (files holding several layers).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.config import Config, LayerConfig
from circle15.errors import InputError
from circle15.geo import crs as crsmod
from circle15.facilities.schema import (
    BUILTIN_LAYERS,
    FACILITY_COLUMNS,
    ISSUE_COLUMNS,
    STANDARD_FIELDS,
    LayerSpec,
    empty_facilities,
    layer_spec,
    match_layer,
)
from circle15.facilities.validate import (
    DUPLICATE_DISTANCE_M,
    IssueLog,
    clean_text,
    find_duplicates,
    issues_frame,
    normalise_name,
    parse_bool,
    parse_coordinate,
    parse_number,
)
from circle15.io import read_csv

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".fgb")

#: Header spellings recognised for each standard field (compared after normalisation).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "机构编号", "设施编号", "编码", "代码", "code", "facility_id", "fid_code",
           "ref"),
    "name": ("name", "名称", "机构名称", "设施名称", "单位名称", "站点名称", "场馆名称", "场地名称",
             "名字", "机构", "title"),
    "lon": ("lon", "lng", "long", "longitude", "x", "经度", "东经", "x坐标", "经度坐标", "gcj_lon",
            "gcj02_lon", "bd_lon", "wgs84_lon", "point_x"),
    "lat": ("lat", "latitude", "y", "纬度", "北纬", "y坐标", "纬度坐标", "gcj_lat", "gcj02_lat",
            "bd_lat", "wgs84_lat", "point_y"),
    "lonlat": ("经纬度", "坐标", "lonlat", "lnglat", "location", "coordinates", "经纬度坐标"),
    "address": ("address", "addr", "地址", "详细地址", "机构地址", "设施地址", "位置", "所在地址"),
    "subtype": ("subtype", "type", "category", "类型", "类别", "分类", "设施类型", "机构类型",
                "机构类别", "设施类别", "子类"),
    "capacity": ("capacity", "容量", "托位", "托位数", "床位", "床位数", "规模", "beds", "places",
                 "核定托位", "核定床位", "设计床位"),
    "town": ("town", "township", "所属镇街", "镇街", "乡镇", "街道", "乡镇街道", "镇(街道)",
             "所属乡镇", "所属街道", "所属镇(街道)", "乡镇(街道)"),
    "village": ("village", "village_id", "所属村", "所属村(社区)", "村(社区)", "村社区", "村居",
                "所属村居", "所属社区", "行政村", "村名"),
    "staff": ("staff", "人员", "人员数", "工作人员", "员工", "员工数", "职工数", "从业人员"),
    "area_m2": ("area_m2", "area", "面积", "建筑面积", "使用面积", "占地面积", "场地面积"),
    "open": ("open", "is_open", "status", "是否开放", "开放", "状态", "运营状态", "开放状态"),
    "layer": ("layer", "图层", "设施大类", "服务类型"),
}


def _norm_header(text: Any) -> str:
    t = unicodedata.normalize("NFKC", str(text)).strip().lower()
    t = re.sub(r"\s+", "", t)
    # Drop a trailing unit or note in brackets: 床位数(张), 面积(m2), 面积（平方米）.
    t2 = re.sub(r"[(\[][^()\[\]]*[)\]]$", "", t)
    return t2 or t


_ALIAS_INDEX = {_norm_header(a): f for f, names in HEADER_ALIASES.items() for a in names}


def _map_columns(columns: list[str], user: dict, file: Path, key_prefix: str
                 ) -> dict[str, str]:
    """Standard field -> input column, from the config mapping then known headers."""
    out: dict[str, str] = {}
    for col, fld in (user or {}).items():
        if fld not in STANDARD_FIELDS:
            raise InputError(f"unknown standard field {fld!r} for column {col!r}",
                             file=file, key=f"{key_prefix}.columns",
                             hint=f"one of {', '.join(STANDARD_FIELDS)}")
        if col not in columns:
            raise InputError(f"column {col!r} (mapped to {fld!r}) is not in the file",
                             file=file, column=str(col), key=f"{key_prefix}.columns",
                             hint=f"columns are: {', '.join(map(str, columns))}")
        out.setdefault(fld, col)
    for col in columns:
        fld = _ALIAS_INDEX.get(_norm_header(col))
        if fld and fld not in out and col not in out.values():
            out[fld] = col
    return out


def _has_coords(mapping: dict[str, str]) -> bool:
    return ("lon" in mapping and "lat" in mapping) or "lonlat" in mapping


# --------------------------------------------------------------------------- reading


def _read_table(path: Path, sheet: str, user_cols: dict) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV or Excel table as text cells, finding the header row (title rows above)."""
    suffix = path.suffix.lower()
    enc = None

    def _read(skip: int) -> pd.DataFrame:
        nonlocal enc
        if suffix in TABLE_SUFFIXES:
            df = read_csv(path, dtype=str, keep_default_na=False, skiprows=skip,
                          sep="\t" if suffix == ".tsv" else ",", skip_blank_lines=True)
            enc = df.attrs.get("encoding")
            return df
        try:
            df = pd.read_excel(path, sheet_name=sheet or 0, dtype=object, skiprows=skip)
        except ValueError as exc:
            if sheet:
                import openpyxl

                names = openpyxl.load_workbook(path, read_only=True).sheetnames
                raise InputError(f"no sheet {sheet!r} in the workbook", file=path,
                                 hint=f"sheets are: {', '.join(names)}") from None
            raise InputError(f"cannot read the workbook: {exc}", file=path) from None
        except Exception as exc:  # noqa: BLE001 - corrupt or non-Excel file
            raise InputError(f"cannot read the workbook: {exc}", file=path) from None
        df.columns = [str(c).strip() for c in df.columns]
        return df

    first = _read(0)
    for skip in range(0, 6):
        df = first if skip == 0 else _read(skip)
        try:
            mapping = _map_columns(list(df.columns), {}, path, "")
        except InputError:
            mapping = {}
        if _has_coords(mapping) or all(c in df.columns for c in (user_cols or {})) and \
                user_cols:
            if skip:
                log.info("%s: header found on line %d (title rows above skipped)", path,
                         skip + 1)
            return df, enc
        if len(df) <= skip:
            break
    return first, enc


def _read_vector(path: Path, sheet: str) -> gpd.GeoDataFrame:
    try:
        return gpd.read_file(path, layer=sheet or None)
    except Exception as exc:  # noqa: BLE001 - pyogrio raises several types
        raise InputError(f"cannot read the vector file: {exc}", file=path,
                         hint="GeoJSON, GeoPackage or Shapefile expected") from None


# --------------------------------------------------------------------------- loading


def _layer_of(value: str, spec: LayerSpec) -> str | None:
    """Layer a "layer" cell names: this layer's key, another built-in key, or None."""
    text = clean_text(value)
    if not text:
        return spec.key
    low = text.lower()
    if low in (spec.key, spec.label_zh.lower(), spec.label_en.lower()):
        return spec.key
    return match_layer(text)


def load_layer(layer_cfg: LayerConfig, *, study_area: Any = None, strict: bool = False
               ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load one facility layer.

    Parameters
    ----------
    layer_cfg : LayerConfig
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
        a column that does not exist, or (``strict``) any row has an issue.
    """
    spec = layer_spec(layer_cfg)
    path = layer_cfg.source
    key_prefix = f"layers.{layer_cfg.key}"
    if path is None:
        raise InputError(f"layer {layer_cfg.key!r} has no source file", key=f"{key_prefix}.source")
    path = Path(path)
    if not path.is_file():
        raise InputError("file not found", file=path, key=f"{key_prefix}.source",
                         hint="check the path in the config")
    try:
        declared = crsmod.normalize_crs(layer_cfg.crs)
    except InputError as exc:
        raise InputError(exc.message, file=path, key=f"{key_prefix}.crs", hint=exc.hint) from None
    area = crsmod.as_area_wgs84(study_area)
    if path.name.lower().endswith(".osm.pbf"):
        return _load_osm_layer(layer_cfg, path, area)
    issues = IssueLog(path, spec.key)
    suffix = path.suffix.lower()
    encoding = None
    geoms = None
    if suffix in TABLE_SUFFIXES or suffix in EXCEL_SUFFIXES:
        table, encoding = _read_table(path, layer_cfg.sheet, layer_cfg.columns)
    elif suffix in VECTOR_SUFFIXES:
        gdf_in = _read_vector(path, layer_cfg.sheet)
        table = pd.DataFrame(gdf_in.drop(columns=gdf_in.geometry.name))
        table.columns = [str(c) for c in table.columns]
        geoms = gdf_in.geometry
    else:
        raise InputError(f"unsupported file type {suffix!r}", file=path,
                         hint="use CSV, XLSX, GeoJSON, GeoPackage or Shapefile")
    mapping = _map_columns(list(table.columns), layer_cfg.columns, path, key_prefix)

    use_geometry = geoms is not None and geoms.notna().any() and not (
        geoms.isna() | geoms.is_empty).all()
    if geoms is not None and not use_geometry and not _has_coords(mapping):
        raise InputError("the vector file has no geometries and no coordinate columns",
                         file=path)
    if not use_geometry and not _has_coords(mapping):
        raise InputError(
            "no coordinate columns found", file=path,
            hint="name them 经度/纬度 (or lon/lat), or map them in the layer's columns = "
                 "{\"<column>\" = \"lon\", ...}; columns are: "
                 + ", ".join(map(str, table.columns)))

    n = len(table)
    rows = np.arange(1, n + 1)

    def col(field: str) -> list[str]:
        c = mapping.get(field)
        return [clean_text(v) for v in table[c].tolist()] if c is not None else [""] * n

    # ---- which rows belong to this layer
    keep = np.ones(n, dtype=bool)
    if "layer" in mapping:
        lc = mapping["layer"]
        for i, v in enumerate(col("layer")):
            which = _layer_of(v, spec)
            if which != spec.key:
                keep[i] = False
                if which is None:
                    issues.add(int(rows[i]), lc, "unknown_layer",
                               f"unknown layer {v!r}; row skipped", "skipped",
                               hint=f"known layers: {', '.join(BUILTIN_LAYERS)}")
                else:
                    issues.add(int(rows[i]), lc, "other_layer",
                               f"row belongs to layer {which!r}, not {spec.key!r}", "skipped")

    # ---- coordinates as given
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    geographic = crsmod.is_geographic(declared)
    from_file_crs = None
    if use_geometry:
        ccol = "geometry"
        file_crs = geoms.crs
        # A projected file CRS wins over a geographic default or a different EPSG code.
        if file_crs is not None and not file_crs.is_geographic and (
                declared in ("wgs84", "cgcs2000")
                or (declared.startswith("EPSG:") and not file_crs.equals(declared))):
            from_file_crs = file_crs
        for i, g in enumerate(geoms):
            if not keep[i]:
                continue
            if g is None or g.is_empty:
                issues.add(int(rows[i]), ccol, "missing_coordinate",
                           "feature has no geometry; row skipped", "skipped")
                keep[i] = False
                continue
            p = g if g.geom_type == "Point" else g.representative_point()
            x[i], y[i] = p.x, p.y
        if from_file_crs is not None:
            lon, lat = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=from_file_crs).to_crs(
                "EPSG:4326").pipe(lambda s: (s.x.to_numpy(), s.y.to_numpy()))
            x, y, geographic, declared = lon.copy(), lat.copy(), True, "wgs84"
        xcol = ycol = ccol
    else:
        if "lonlat" in mapping and not ("lon" in mapping and "lat" in mapping):
            xcol = ycol = mapping["lonlat"]
            pairs = col("lonlat")
            xs, ys = [], []
            for v in pairs:
                parts = [p for p in re.split(r"[,;，；\s]+", v) if p]
                xs.append(parts[0] if len(parts) == 2 else (v if v else ""))
                ys.append(parts[1] if len(parts) == 2 else ("?" if v else ""))
        else:
            xcol, ycol = mapping["lon"], mapping["lat"]
            xs, ys = col("lon"), col("lat")
        for i in range(n):
            if not keep[i]:
                continue
            for raw, c, what, arr in ((xs[i], xcol, "longitude" if geographic else "x", x),
                                      (ys[i], ycol, "latitude" if geographic else "y", y)):
                if raw == "":
                    issues.add(int(rows[i]), c, "missing_coordinate",
                               f"{what} is empty; row skipped", "skipped")
                    keep[i] = False
                    break
                v = parse_coordinate(raw) if geographic else parse_number(raw)
                if v is None:
                    issues.add(int(rows[i]), c, "non_numeric_coordinate",
                               f"{what} {raw!r} is not a number; row skipped", "skipped")
                    keep[i] = False
                    break
                arr[i] = v
    for i in np.flatnonzero(keep & (x == 0) & (y == 0)):
        issues.add(int(rows[i]), xcol, "zero_coordinate",
                   "coordinates are 0,0 (a placeholder for unknown); row skipped", "skipped")
        keep[i] = False

    # ---- swapped / out of range (geographic input)
    if geographic:
        sw = keep & crsmod.likely_swapped(x, y, area)
        for i in np.flatnonzero(sw):
            issues.add(int(rows[i]), f"{xcol}/{ycol}" if xcol != ycol else xcol,
                       "swapped_coordinates",
                       f"longitude {x[i]:g} and latitude {y[i]:g} look swapped; "
                       "used them the other way round", "warning",
                       hint="check the column order")
        x[sw], y[sw] = y[sw].copy(), x[sw].copy()
        for i in np.flatnonzero(keep):
            if not -180 <= x[i] <= 180 or not -90 <= y[i] <= 90:
                bad_x = not -180 <= x[i] <= 180
                hint = ("the values look like projected metres: declare the layer's crs as "
                        "EPSG:<code>, e.g. EPSG:4549") if max(abs(x[i]), abs(y[i])) > 1000 \
                    else None
                issues.add(int(rows[i]), xcol if bad_x else ycol, "coordinate_out_of_range",
                           f"{'longitude' if bad_x else 'latitude'} "
                           f"{x[i] if bad_x else y[i]:g} is out of range; row skipped",
                           "skipped", hint=hint)
                keep[i] = False
    else:
        for i in np.flatnonzero(keep):
            if abs(x[i]) <= 180 and abs(y[i]) <= 90:
                issues.add(int(rows[i]), xcol, "coordinate_out_of_range",
                           f"({x[i]:g}, {y[i]:g}) looks like degrees, but the layer declares "
                           f"{declared} (metres); row skipped", "skipped",
                           hint="declare crs = \"wgs84\" (or gcj02/bd09) for this layer")
                keep[i] = False

    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if keep.any():
        lon[keep], lat[keep] = crsmod.to_wgs84(x[keep], y[keep], declared)
    for i in np.flatnonzero(keep):
        if not (np.isfinite(lon[i]) and np.isfinite(lat[i]) and -180 <= lon[i] <= 180
                and -90 <= lat[i] <= 90):
            issues.add(int(rows[i]), xcol, "coordinate_out_of_range",
                       f"({x[i]:g}, {y[i]:g}) in {declared} is not a valid position; "
                       "row skipped", "skipped")
            keep[i] = False
    if area is not None:
        inside = crsmod.points_in_area(lon, lat, area)
        for i in np.flatnonzero(keep & ~inside):
            issues.add(int(rows[i]), xcol, "outside_study_area",
                       f"point ({lon[i]:.6f}, {lat[i]:.6f}) is outside the study area; kept",
                       "warning", hint=f"check the coordinates and the declared crs "
                                       f"({layer_cfg.crs})")

    # ---- attributes
    ids_raw, names = col("id"), col("name")
    subtypes, addresses, towns = col("subtype"), col("address"), col("town")
    villages = col("village")
    ids: list[str] = []
    for i in range(n):
        fid = ids_raw[i]
        if fid.endswith(".0") and fid[:-2].isdigit():
            fid = fid[:-2]
        ids.append(fid or f"{spec.key}-{rows[i]}")
    for i in np.flatnonzero(keep):
        if not names[i]:
            issues.add(int(rows[i]), mapping.get("name", ""), "missing_name",
                       f"no name; using the id {ids[i]!r}", "warning")
            names[i] = ids[i]
        if subtypes[i]:
            canon = spec.canonical_subtype(subtypes[i])
            if canon is None:
                issues.add(int(rows[i]), mapping["subtype"], "unknown_subtype",
                           f"unknown sub-type {subtypes[i]!r} for layer {spec.key!r}; kept as "
                           "given", "warning", hint=f"known: {', '.join(spec.subtypes)}")
            else:
                subtypes[i] = canon

    numbers = {}
    for fld in ("capacity", "staff", "area_m2"):
        vals = np.full(n, np.nan)
        raw = col(fld)
        c = mapping.get(fld, "")
        for i in np.flatnonzero(keep):
            if not raw[i]:
                continue
            v = parse_number(raw[i], allow_unit=True)
            if v is None:
                issues.add(int(rows[i]), c, "non_numeric_value",
                           f"{fld} {raw[i]!r} is not a number; left empty", "warning")
            elif v < 0:
                issues.add(int(rows[i]), c, "negative_value",
                           f"{fld} {raw[i]!r} is negative; left empty", "warning")
            else:
                vals[i] = v
        numbers[fld] = vals
    open_flag = np.ones(n, dtype=bool)
    raw_open = col("open")
    for i in np.flatnonzero(keep):
        if raw_open[i]:
            b = parse_bool(raw_open[i])
            if b is None:
                issues.add(int(rows[i]), mapping["open"], "unrecognised_open_flag",
                           f"open flag {raw_open[i]!r} not understood (是/否, 1/0); taken as open",
                           "warning")
            else:
                open_flag[i] = b

    # ---- duplicates: same name within a few metres
    idx = np.flatnonzero(keep)
    if len(idx) > 1:
        lat0 = np.nanmean(lat[idx])
        px = lon[idx] * 111_320.0 * np.cos(np.radians(lat0))
        py = lat[idx] * 110_574.0
        keys = np.array([normalise_name(names[i]) for i in idx], dtype=object)
        for dup, first in find_duplicates(keys, px, py, DUPLICATE_DISTANCE_M).items():
            i, j = idx[dup], idx[first]
            issues.add(int(rows[i]), mapping.get("name", ""), "duplicate",
                       f"{names[i]!r} repeats row {rows[j]} (same name within "
                       f"{DUPLICATE_DISTANCE_M:g} m); merged into it", "merged")
            keep[i] = False

    seen_ids: set[str] = set()
    for i in np.flatnonzero(keep):
        if ids[i] in seen_ids:
            new = f"{ids[i]}-{rows[i]}"
            issues.add(int(rows[i]), mapping.get("id", ""), "duplicate_id",
                       f"id {ids[i]!r} is used by an earlier row; renamed {new!r}", "warning")
            ids[i] = new
        seen_ids.add(ids[i])

    sel = np.flatnonzero(keep)
    if len(sel) == 0:
        issues.add(None, "", "empty_layer",
                   f"layer {spec.key!r} has no usable facilities ({n} rows read)", "warning")
    issues.raise_if_strict(strict)

    gdf = gpd.GeoDataFrame({
        "facility_id": pd.Series([ids[i] for i in sel], dtype="str"),
        "name": pd.Series([names[i] for i in sel], dtype="str"),
        "layer": pd.Series([spec.key] * len(sel), dtype="str"),
        "subtype": pd.Series([subtypes[i] for i in sel], dtype="str"),
        "address": pd.Series([addresses[i] for i in sel], dtype="str"),
        "town": pd.Series([towns[i] for i in sel], dtype="str"),
        "village": pd.Series([villages[i] for i in sel], dtype="str"),
        "capacity": numbers["capacity"][sel].astype("float64"),
        "staff": numbers["staff"][sel].astype("float64"),
        "area_m2": numbers["area_m2"][sel].astype("float64"),
        "open": open_flag[sel].astype(bool),
        "source_row": rows[sel].astype("int64"),
    }, geometry=gpd.points_from_xy(lon[sel], lat[sel]), crs="EPSG:4326")
    gdf = gdf[list(FACILITY_COLUMNS)] if len(gdf) else empty_facilities()
    skipped, merged = issues.count("skipped"), issues.count("merged")
    qa = {"loaded": int(len(gdf)), "skipped": skipped, "merged_duplicates": merged,
          "warnings": issues.count("warning"), "rows": int(n), "file": str(path),
          "crs": layer_cfg.crs}
    if len(gdf) + skipped + merged != n:  # pragma: no cover - an internal invariant
        raise RuntimeError(f"{path}: {n} rows but {len(gdf)} loaded + {skipped} skipped + "
                           f"{merged} merged")
    gdf.attrs["qa"] = qa
    if encoding:
        gdf.attrs["encoding"] = encoding
    log.info("%s: layer %s: %d facilities (%d skipped, %d merged, %d warnings)", path,
             spec.key, len(gdf), skipped, merged, qa["warnings"])
    return gdf, issues.frame()


def load_layers(cfg: Config, study_area: Any = None) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Load every configured layer (strict = ``cfg.coverage.strict``).

    Rows of a multi-layer file (with a 图层/layer column) that another configured layer
    uses are not reported as issues of the others.

    Returns
    -------
    facilities : geopandas.GeoDataFrame
        All layers, EPSG:4326. ``attrs["qa"]`` sums the per-layer counts;
        ``attrs["qa_by_layer"]`` and ``attrs["encoding_by_layer"]`` give them per layer.
    issues : pandas.DataFrame
    """
    frames, issue_frames, qa_by, enc_by = [], [], {}, {}
    for lay in cfg.layers:
        g, iss = load_layer(lay, study_area=study_area, strict=cfg.coverage.strict)
        frames.append(g)
        issue_frames.append(iss)
        qa_by[lay.key] = g.attrs.get("qa", {})
        if "encoding" in g.attrs:
            enc_by[lay.key] = g.attrs["encoding"]
    if frames:
        used = {(str(Path(lay.source)), int(r)) for lay, g in zip(cfg.layers, frames)
                for r in g["source_row"]}
        fac = pd.concat([f for f in frames if len(f)] or [frames[0]], ignore_index=True)
        fac = gpd.GeoDataFrame(fac, geometry="geometry", crs="EPSG:4326")
        issues = pd.concat(issue_frames, ignore_index=True)
        if len(issues):
            other = issues["issue"] == "other_layer"
            taken = np.array([(f, int(r)) in used if o else False for f, r, o in
                              zip(issues["file"], issues["row"].fillna(0), other)], dtype=bool)
            issues = issues[~taken].reset_index(drop=True)
            n_taken = int(taken.sum())
        else:
            n_taken = 0
        issues = issues[list(ISSUE_COLUMNS)]
    else:
        fac, issues, n_taken = empty_facilities(), issues_frame(), 0
    fac.attrs = {}
    fac.attrs["qa"] = {k: sum(int(q.get(k, 0)) for q in qa_by.values())
                       for k in ("loaded", "skipped", "merged_duplicates", "warnings", "rows")}
    fac.attrs["qa"]["skipped"] -= n_taken  # rows used by another configured layer
    fac.attrs["qa_by_layer"] = qa_by
    fac.attrs["encoding_by_layer"] = enc_by
    return fac, issues


def _load_osm_layer(layer_cfg: LayerConfig, path: Path, area) -> tuple[gpd.GeoDataFrame,
                                                                       pd.DataFrame]:
    """A layer taken from an OpenStreetMap extract by the tag mapping (``source`` = .osm.pbf).

    Only the study area's bounding box is read; ``osm_tags`` in the layer's config points at
    a user tag mapping.
    """
    from circle15.facilities.osm import extract_osm_facilities

    tags = layer_cfg.osm_tags
    bbox = list(area.bounds) if area is not None else None
    gdf = extract_osm_facilities(path, layers=[layer_cfg.key], bounding_box=bbox,
                                 tag_mapping_path=tags)
    if area is not None and len(gdf):
        gdf = gdf[gdf.geometry.within(area)].reset_index(drop=True)
    issues = IssueLog(path, layer_cfg.key)
    if gdf.empty:
        issues.add(None, "", "empty_layer",
                   f"no OpenStreetMap features of layer {layer_cfg.key!r} in the study area",
                   "warning")
    gdf.attrs["qa"] = {"loaded": int(len(gdf)), "skipped": 0, "merged_duplicates": 0,
                       "warnings": issues.count("warning"), "source": "openstreetmap"}
    return gdf, issues.frame()
