"""Read a finished run directory (the files the pipeline writes), for drawing maps.

Maps are drawn only from these files, so ``circle15 map RUN_DIR`` can redraw a map
without recomputing anything. Everything in the run directory is WGS-84.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.io import read_csv
from circle15.vocab import RunFiles

RUN_JSON = RunFiles.RUN_JSON
ZONES = RunFiles.ZONES
COVERAGE = RunFiles.COVERAGE
TARGETS = RunFiles.TARGETS
FACILITIES = RunFiles.FACILITIES
ORIGINS = RunFiles.ORIGINS
ISOCHRONES = RunFiles.ISOCHRONES
STREETS = RunFiles.STREETS
PROPOSED = RunFiles.PROPOSED_GPKG

_COVERAGE_COLUMNS = ("zone_id", "layer", "group", "minutes", "population",
                     "covered_population", "coverage_rate")


@dataclass(frozen=True)
class LayerInfo:
    """One facility layer as described in ``run.json``."""

    key: str
    label_zh: str
    label_en: str
    color: str
    icon: str
    group: str

    def label(self, lang: str) -> str:
        """The label in ``lang`` ("zh" or "en"), falling back to the other one or the key."""
        first, second = (self.label_zh, self.label_en) if lang == "zh" else (
            self.label_en, self.label_zh)
        return first or second or self.key


@dataclass(frozen=True)
class RunInfo:
    """``run.json``: run parameters and facility layers."""

    path: Path
    params: dict[str, Any]
    layers: tuple[LayerInfo, ...]

    def layer(self, key: str) -> LayerInfo:
        """The layer ``key``; the first layer when ``key`` is empty.

        Raises
        ------
        InputError
            If there is no such layer.
        """
        if not key:
            return self.layers[0]
        for lay in self.layers:
            if lay.key == key:
                return lay
        raise InputError(f"unknown layer {key!r}", file=self.path,
                         hint="layers in this run: " + ", ".join(x.key for x in self.layers))

    @property
    def thresholds(self) -> list[float]:
        """Travel-time thresholds (minutes) computed in the run."""
        return [float(t) for t in self.params.get("thresholds") or []]


_PALETTE = ("#e6550d", "#3182bd", "#31a354", "#756bb1", "#d6616b", "#8c6d31", "#17becf")


def read_run_json(run_dir: Path) -> RunInfo:
    """Read and check ``run.json``.

    Raises
    ------
    InputError
        If the file is missing, not JSON, or lists no layers.
    """
    path = Path(run_dir) / RUN_JSON
    _require(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid JSON: {exc}", file=path) from None
    params = raw.get("params") or {}
    layers = []
    for i, item in enumerate(raw.get("layers") or []):
        if not isinstance(item, dict) or not item.get("key"):
            raise InputError(f"layer {i + 1} has no key", file=path, key=f"layers[{i}]")
        layers.append(LayerInfo(
            key=str(item["key"]),
            label_zh=str(item.get("label_zh") or ""),
            label_en=str(item.get("label_en") or ""),
            color=str(item.get("color") or _PALETTE[i % len(_PALETTE)]),
            icon=str(item.get("icon") or "circle"),
            group=str(item.get("group") or "total"),
        ))
    if not layers:
        raise InputError("no facility layers listed", file=path, key="layers")
    return RunInfo(path=path, params=params, layers=tuple(layers))


def _require(path: Path) -> None:
    if not path.is_file():
        raise InputError(f"required file {path.name} is missing from the run directory",
                         file=path, hint="run `circle15 run` to completion first")


def _read_optional_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame | None:
    return _read_vector(path, layer) if path.is_file() else None


def _read_vector(path: Path, layer: str | None = None) -> gpd.GeoDataFrame:
    _require(path)
    try:
        gdf = gpd.read_file(path, layer=layer) if layer else gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad file
        raise InputError(f"cannot read the file: {exc}", file=path) from None
    if gdf.crs is None:
        gdf = gdf.set_crs(4326)
    elif not gdf.crs.equals("EPSG:4326"):
        gdf = gdf.to_crs(4326)
    return gdf


def _check_columns(df: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}", file=path,
                         column=missing[0])


def read_zones(run_dir: Path) -> gpd.GeoDataFrame:
    """Township polygons with ``zone_id`` (string), ``zone_name``, ``population``."""
    path = Path(run_dir) / ZONES
    gdf = _read_vector(path)
    _check_columns(gdf, ("zone_id", "zone_name"), path)
    gdf["zone_id"] = gdf["zone_id"].astype(str)
    gdf["zone_name"] = gdf["zone_name"].astype(str)
    return gdf


def read_coverage(run_dir: Path) -> pd.DataFrame:
    """``coverage_by_zone.csv`` with ``zone_id`` as string and numeric measures."""
    path = Path(run_dir) / COVERAGE
    _require(path)
    df = read_csv(path, dtype={"zone_id": str, "layer": str, "group": str})
    _check_columns(df, _COVERAGE_COLUMNS, path)
    for col in ("minutes", "population", "covered_population", "coverage_rate"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    return df


def read_targets(run_dir: Path) -> pd.DataFrame | None:
    """``targets_by_zone.csv``, or None when the run has no targets."""
    path = Path(run_dir) / TARGETS
    if not path.is_file():
        return None
    df = read_csv(path, dtype={"zone_id": str, "layer": str, "indicator_id": str,
                              "target": str})
    _check_columns(df, ("zone_id", "target", "value", "status"), path)
    raw = df["target"]
    df["target_text"] = ["/" if pd.isna(v) else str(v) for v in raw]
    for col in ("target", "value", "gap_value", "gap_people", "minutes", "year"):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce")
    for col in ("layer", "minutes", "year", "name_zh", "name_en", "indicator_id"):
        if col not in df.columns:
            df[col] = np.nan
    return df


def read_facilities(run_dir: Path) -> gpd.GeoDataFrame:
    """Facility points with ``layer``, ``name``, ``subtype``, ``capacity``, ``address``."""
    path = Path(run_dir) / FACILITIES
    gdf = _read_vector(path)
    if gdf.empty and "layer" not in gdf.columns:  # no facility at all: GeoJSON keeps no columns
        gdf["layer"] = pd.Series(dtype=str)
    _check_columns(gdf, ("layer",), path)
    for col in ("facility_id", "name", "subtype", "capacity", "address", "zone_id"):
        if col not in gdf.columns:
            gdf[col] = None
    if "linked" not in gdf.columns:
        gdf["linked"] = True
    gdf["linked"] = gdf["linked"].fillna(False).astype(bool)
    gdf["layer"] = gdf["layer"].astype(str)
    return gdf[~gdf.geometry.is_empty & gdf.geometry.notna()]


def read_origins(run_dir: Path) -> gpd.GeoDataFrame:
    """Population points with ``population`` and ``t_<layer>`` minutes."""
    path = Path(run_dir) / ORIGINS
    gdf = _read_vector(path, layer="origins")
    _check_columns(gdf, ("population",), path)
    return gdf


def read_isochrones(run_dir: Path) -> gpd.GeoDataFrame | None:
    """Isochrone bands (layer, minutes), or None when absent."""
    path = Path(run_dir) / ISOCHRONES
    gdf = _read_optional_vector(path, layer="isochrones")
    if gdf is not None:
        _check_columns(gdf, ("layer", "minutes"), path)
    return gdf


def read_streets(run_dir: Path) -> gpd.GeoDataFrame | None:
    """Simplified main streets, or None when absent."""
    return _read_optional_vector(Path(run_dir) / STREETS)


def read_proposed(run_dir: Path) -> gpd.GeoDataFrame | None:
    """Proposed new sites from siting, or None when siting did not run."""
    path = Path(run_dir) / PROPOSED
    gdf = _read_optional_vector(path, layer="proposed_sites")
    if gdf is not None:
        _check_columns(gdf, ("layer",), path)
        for col in ("rank", "zone_name", "new_covered", "cumulative_rate"):
            if col not in gdf.columns:
                gdf[col] = np.nan
    return gdf


def check_minutes(info: RunInfo, minutes: float) -> float:
    """Return ``minutes`` as float if the run computed that threshold.

    Raises
    ------
    InputError
        If ``minutes`` is not one of the run's thresholds.
    """
    minutes = float(minutes)
    ths = info.thresholds
    if ths and not any(math.isclose(minutes, t) for t in ths):
        raise InputError(f"the run has no {minutes:g}-minute threshold", file=info.path,
                         key="params.thresholds",
                         hint="choose one of " + ", ".join(f"{t:g}" for t in ths))
    return minutes
