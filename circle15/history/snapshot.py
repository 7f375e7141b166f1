"""What a finished run folder holds for the history: :func:`read_run`.

Only the run folder's files are read (``run.json``, ``coverage_by_zone.csv``,
``targets_by_zone.csv``, ``targets_by_village.csv`` when the run has one,
``facilities.geojson``, ``zones.geojson``; names from
:class:`circle15.vocab.RunFiles`), never the pipeline's internals.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from circle15.coverage.plan.villages import VILLAGE_COLUMNS
from circle15.errors import InputError
from circle15.io import read_csv
from circle15.vocab import RunFiles

_SECRET = re.compile(r"(key|password|passwd|secret|token)$", re.I)


@dataclass
class RunSnapshot:
    """One run folder, as the history stores it.

    Attributes
    ----------
    run_dir : Path
    provenance : dict
        ``run.json`` with secrets (keys, passwords, tokens, URL passwords) removed.
    zones : geopandas.GeoDataFrame
        ``zone_id``, ``zone_name``, ``population``, geometry (EPSG:4326).
    indicators : pandas.DataFrame
        ``targets_by_zone.csv`` (every plan year; empty without a plan).
    coverage : pandas.DataFrame
        ``coverage_by_zone.csv``.
    facilities : geopandas.GeoDataFrame
        The facility register of every layer (EPSG:4326).
    villages : pandas.DataFrame
        ``targets_by_village.csv``: village-level indicators village by village (empty
        when the run has none, e.g. runs before circle15 wrote it).
    """

    run_dir: Path
    provenance: dict[str, Any]
    zones: gpd.GeoDataFrame
    indicators: pd.DataFrame
    coverage: pd.DataFrame
    facilities: gpd.GeoDataFrame
    villages: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=VILLAGE_COLUMNS))

    @property
    def params(self) -> dict[str, Any]:
        """``run.json`` params."""
        return self.provenance.get("params", {})

    @property
    def zone_ids(self) -> list[str]:
        """Sorted township ids (the area's identity)."""
        return sorted(self.zones["zone_id"].astype(str))

    @property
    def plan_years(self) -> list[int]:
        """Years present in the indicators."""
        if not len(self.indicators):
            return []
        return sorted({int(y) for y in self.indicators["year"].dropna()})


def scrub(obj: Any) -> Any:
    """``obj`` without secrets: values of keys named like ``*key``/``*password``/``*token``
    blanked, passwords in URLs masked."""
    from circle15.history.store import mask_url

    if isinstance(obj, dict):
        return {k: ("***" if _SECRET.search(str(k)) and v not in ("", None) else scrub(v))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    if isinstance(obj, str) and "://" in obj and "@" in obj:
        return mask_url(obj)
    return obj


def _need(run_dir: Path, name: str) -> Path:
    path = run_dir / name
    if not path.is_file():
        raise InputError(f"not a finished run: {name} is missing", file=path,
                         hint="pass the output folder of a finished 'circle15 run'")
    return path


def read_run(run_dir: str | Path) -> RunSnapshot:
    """Read a finished run folder.

    Raises
    ------
    InputError
        If a required file is missing or unreadable.
    """
    run_dir = Path(run_dir)
    rj = _need(run_dir, RunFiles.RUN_JSON)
    try:
        prov = json.loads(rj.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"run.json is not valid JSON: {exc}", file=rj) from None
    cov = read_csv(_need(run_dir, RunFiles.COVERAGE), dtype={"zone_id": str})
    tpath = run_dir / RunFiles.TARGETS
    ind = read_csv(tpath, dtype={"zone_id": str, "indicator_id": str}) if tpath.is_file() \
        else pd.DataFrame(columns=["indicator_id", "zone_id", "year", "status"])
    zones = gpd.read_file(_need(run_dir, RunFiles.ZONES)).to_crs(4326)
    zones["zone_id"] = zones["zone_id"].astype(str)
    fac = gpd.read_file(_need(run_dir, RunFiles.FACILITIES))
    fac = fac.to_crs(4326) if fac.crs is not None else fac.set_crs(4326)
    vpath = run_dir / RunFiles.VILLAGE_TARGETS
    vil = read_csv(vpath, dtype={"zone_id": str, "village_id": str, "indicator_id": str}) \
        if vpath.is_file() else pd.DataFrame(columns=VILLAGE_COLUMNS)
    return RunSnapshot(run_dir.resolve(), scrub(prov), zones, ind, cov, fac, vil)


def num(v: Any) -> float | None:
    """A float for the database, ``None`` for blanks and NaN."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def text(v: Any) -> str | None:
    """A string for the database, ``None`` for blanks and NaN."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    s = str(v)
    return s if s.strip() and s != "nan" else None

