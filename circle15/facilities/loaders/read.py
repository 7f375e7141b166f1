"""Step 1 of loading a layer: read the file as a table of text cells (and geometries).

CSV/TXT/TSV (UTF-8 or GBK, via :func:`circle15.io.read_csv`) and Excel are read as text
with the header row found below up to five title rows; vector files go through
:func:`circle15.geo.vectors.read_vector`, which decides their coordinate system.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

from circle15.errors import InputError
from circle15.facilities.loaders.columns import has_coords
from circle15.geo.vectors import VECTOR_SUFFIXES, read_vector
from circle15.io import read_csv
from circle15.vocab import match_headers

log = logging.getLogger(__name__)

TABLE_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Title rows above the header that are skipped when looking for it.
MAX_TITLE_ROWS = 5


@dataclass
class RawLayer:
    """A layer file as read: text cells, and the geometries of a vector file."""

    table: pd.DataFrame
    geoms: gpd.GeoSeries | None = None
    encoding: str | None = None
    #: The system a vector file's coordinates are in (:func:`~circle15.geo.vectors.source_crs`).
    source_crs: str | pyproj.CRS | None = None


def _read_excel(path: Path, sheet: str, skip: int) -> pd.DataFrame:
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


def _read_rows(path: Path, sheet: str, skip: int) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return read_csv(path, dtype=str, keep_default_na=False, skiprows=skip,
                        sep="\t" if suffix == ".tsv" else ",", skip_blank_lines=True)
    return _read_excel(path, sheet, skip)


def _is_header(df: pd.DataFrame, user_cols: Mapping[str, str]) -> bool:
    if has_coords(match_headers(list(df.columns))):
        return True
    return bool(user_cols) and all(c in df.columns for c in user_cols)


def read_table(path: Path, sheet: str, user_cols: Mapping[str, str]
               ) -> tuple[pd.DataFrame, str | None]:
    """Read a CSV or Excel table as text cells, finding the header row (title rows above).

    Returns
    -------
    (pandas.DataFrame, str or None)
        The table and the CSV's encoding.
    """
    first = _read_rows(path, sheet, 0)
    for skip in range(MAX_TITLE_ROWS + 1):
        df = first if skip == 0 else _read_rows(path, sheet, skip)
        if _is_header(df, user_cols):
            if skip:
                log.info("%s: header found on line %d (title rows above skipped)", path,
                         skip + 1)
            return df, df.attrs.get("encoding")
        if len(df) <= skip:
            break
    return first, first.attrs.get("encoding")


def read_layer_file(path: Path, *, sheet: str, columns: Mapping[str, str], crs: str,
                    key_prefix: str) -> RawLayer:
    """Read a layer file of any supported type.

    Parameters
    ----------
    path : Path
        The layer's file (existing).
    sheet : str
        Excel sheet or GeoPackage layer (empty: the first).
    columns : mapping
        The layer's ``columns`` mapping (helps find the header row).
    crs : str
        The declared coordinate system (for vector files).
    key_prefix : str
        Config key prefix of the layer (``"layers.clinic"``).

    Raises
    ------
    InputError
        Unsupported or unreadable file.
    """
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES or suffix in EXCEL_SUFFIXES:
        table, encoding = read_table(path, sheet, columns)
        return RawLayer(table, encoding=encoding)
    if suffix in VECTOR_SUFFIXES:
        gdf = read_vector(path, declared_crs=crs, key=f"{key_prefix}.source",
                          crs_key=f"{key_prefix}.crs", layer=sheet or None,
                          allow_empty=True, to_wgs84=False)
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
        table.columns = [str(c) for c in table.columns]
        return RawLayer(table, geoms=gdf.geometry, source_crs=gdf.attrs["source_crs"])
    raise InputError(f"unsupported file type {suffix!r}", file=path,
                     hint="use CSV, XLSX, GeoJSON, GeoPackage or Shapefile")
