"""A short synthetic history of the demo county (示例县, not a real place).

:func:`build_demo_history` writes the demo inputs, then for each quarter of 2025 edits the
facility tables, runs the config and records the run:

- 2025Q1: the demo county as generated (baseline);
- 2025Q2: two 残疾人之家 open in townships that had none (their T21 problems close);
- 2025Q3: a large 托育 centre opens in the township closest to the T01 target (closes it);
- 2025Q4: one of the new 残疾人之家 closes again (its problem reopens: a regression).

``map.html`` beside the database is the newest run's map with all four quarters: the
whole loop on the 一张图.

Every period is labelled synthetic (the demo config says ``synthetic = true``). Running a
config belongs to :mod:`circle15.run`, so the caller passes ``run(config, out_dir)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd

from circle15.demo.county import LAYER_FILES, write_demo_inputs
from circle15.errors import InputError
from circle15.history.mapview import write_history_map
from circle15.history.record import record_run
from circle15.history.store import open_store
from circle15.io import read_csv
from circle15.vocab import COUNTY, RunFiles

#: Who the demo's records are logged by.
DEMO_BY = "circle15 demo (synthetic)"
QUARTERS = ("2025Q1", "2025Q2", "2025Q3", "2025Q4")
_OFFSET_DEG = 0.0002  # about 20 m east of an existing facility: on the streets, same township


def _facility_table(inputs: Path, layer: str) -> tuple[Path, pd.DataFrame, str]:
    rel, enc, _crs, _group = LAYER_FILES[layer]
    path = inputs / rel
    return path, read_csv(path, dtype=str, keep_default_na=False), enc


def _write_table(path: Path, df: pd.DataFrame, enc: str) -> None:
    df.to_csv(path, index=False, encoding=enc, lineterminator="\n")


def _spot(run_dir: Path, zone_id: str) -> tuple[float, float]:
    """A lon/lat next to a WGS-84 facility of the township (on its streets)."""
    fac = gpd.read_file(run_dir / RunFiles.FACILITIES)
    wgs = [k for k, v in LAYER_FILES.items() if v[2] == "wgs84"]
    f = fac[(fac["zone_id"].astype(str) == zone_id) & fac["layer"].isin(wgs)]
    if len(f):
        pt = f.geometry.iloc[0]
        return pt.x + _OFFSET_DEG, pt.y
    zones = gpd.read_file(run_dir / RunFiles.ZONES)
    pt = zones[zones["zone_id"].astype(str) == zone_id].geometry.iloc[0].representative_point()
    return pt.x, pt.y


def _not_met(run_dir: Path, indicator: str, year: int) -> pd.DataFrame:
    t = read_csv(run_dir / RunFiles.TARGETS, dtype={"zone_id": str})
    t = t[(t["indicator_id"] == indicator) & (t["year"] == year) & (t["zone_id"] != COUNTY)]
    return t[t["status"] == "not_met"].sort_values("zone_id")


def _add(inputs: Path, layer: str, code: str, name: str, kind: str, lonlat: tuple[float, float],
         zone_name: str, capacity: int | None = None) -> None:
    path, df, enc = _facility_table(inputs, layer)
    cols = list(df.columns)
    row = dict.fromkeys(cols, "")
    row.update({cols[0]: code, cols[1]: name, cols[2]: kind, cols[3]: f"{lonlat[0]:.6f}",
                cols[4]: f"{lonlat[1]:.6f}", cols[5]: f"示例县{zone_name}新建点（合成）",
                cols[6]: zone_name})
    if capacity is not None and len(cols) > 7:
        row[cols[7]] = str(capacity)
    _write_table(path, pd.concat([df, pd.DataFrame([row])], ignore_index=True), enc)


def open_disability_homes(inputs: Path, run_dir: Path, year: int, n: int = 2) -> list[str]:
    """Open ``n`` 残疾人之家 in townships without one; return their codes."""
    codes = []
    for i, r in enumerate(_not_met(run_dir, "T21", year).head(n).itertuples(), start=1):
        code = f"CJ9{i:02d}"
        _add(inputs, "disability", code, f"{r.zone_name}残疾人之家（新建，示例）", "残疾人之家",
             _spot(run_dir, r.zone_id), str(r.zone_name))
        codes.append(code)
    return codes


def open_childcare_centre(inputs: Path, run_dir: Path, year: int) -> str | None:
    """Open a 托育 centre big enough for the township nearest the T01 target."""
    t = _not_met(run_dir, "T01", year).dropna(subset=["gap_capacity"])
    if not len(t):
        return None
    r = t.sort_values(["gap_capacity", "zone_id"]).iloc[0]
    places = int(math.ceil(float(r["gap_capacity"]) * 1.1)) + 10
    _add(inputs, "childcare", "TY901", f"{r['zone_name']}普惠托育中心（新建，示例）", "托育机构",
         _spot(run_dir, r["zone_id"]), str(r["zone_name"]), capacity=places)
    return "TY901"


def close_facility(inputs: Path, layer: str, code: str) -> None:
    """Remove facility ``code`` from a layer's table."""
    path, df, enc = _facility_table(inputs, layer)
    _write_table(path, df[df[df.columns[0]] != code], enc)


def build_demo_history(out_dir: str | Path, run: Callable[[Path, Path], Path], *,
                       quarters: int = 4, seed: int = 15, year: int = 2025) -> Path:
    """Build the synthetic history (see the module docstring) under ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
        Gets ``inputs/``, ``runs/<period>/``, ``history.sqlite`` and ``map.html``: the
        newest run's map page with every recorded period (:func:`write_history_map`).
    run : callable
        ``run(config_path, out_dir) -> out_dir`` runs a config (the CLI passes the pipeline).
    quarters : int
        How many of the four quarters to build (2-4).
    seed : int
        Demo generator seed.
    year : int
        Plan year the changes aim at.

    Returns
    -------
    Path
        The history database.
    """
    if not 2 <= quarters <= 4:
        raise InputError("quarters must be 2, 3 or 4", key="quarters")
    out_dir = Path(out_dir)
    db = out_dir / "history.sqlite"
    if db.exists():
        raise InputError("a demo history is already here", file=db,
                         hint="remove it or pick another --out")
    config = write_demo_inputs(out_dir / "inputs", seed=seed)
    inputs = config.parent
    store = open_store(db)
    try:
        new_homes: list[str] = []
        runs: list[Path] = []  # the run folder of each quarter so far
        for i, period in enumerate(QUARTERS[:quarters]):
            if i == 1:
                new_homes = open_disability_homes(inputs, runs[-1], year)
            elif i == 2:
                open_childcare_centre(inputs, runs[-1], year)
            elif i == 3 and new_homes:
                close_facility(inputs, "disability", new_homes[0])
            runs.append(Path(run(config, out_dir / "runs" / period)))
            record_run(store, runs[-1], period, by=DEMO_BY)
        write_history_map(store, runs[-1], out_dir / "map.html")
    finally:
        store.dispose()
    return db
