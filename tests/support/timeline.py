"""More recorded periods than the demo history has, for the map's page-size test: a
:class:`circle15.maps.timeline.Timeline` of ``n`` quarters whose facility registers
evolve (seeded, synthetic) and whose tables are the recorded periods' in turn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from circle15.history.compare import match_facilities
from circle15.history.mapview import changes_table, map_timeline
from circle15.history.store import open_store
from circle15.maps.timeline import FACILITY_COLUMNS, PeriodTables, Timeline


def read_timeline(db: str | Path, run: str | Path) -> Timeline:
    """The recorded periods of the store ``db`` for the map page of run folder ``run``."""
    store = open_store(db, create=False)
    try:
        return map_timeline(store, run)
    finally:
        store.dispose()


def quarters(n: int, last: str) -> list[str]:
    """``n`` quarter keys ending with ``last`` ("2025Q4"), oldest first."""
    y, q = int(last[:4]), int(last[-1])
    out = []
    for _ in range(n):
        out.append(f"{y}Q{q}")
        y, q = (y, q - 1) if q > 1 else (y - 1, 4)
    return out[::-1]


def _evolve(reg: pd.DataFrame, rng: np.random.Generator, k: int) -> pd.DataFrame:
    """One quarter later: one facility closed, one opened 300 m east of another (new id),
    one with 10 more places, one with an id moved 200 m north."""
    reg = reg.drop(index=reg.index[rng.integers(len(reg))]).reset_index(drop=True)
    new = reg.iloc[[int(rng.integers(len(reg)))]].copy()
    new["facility_id"] = f"SYN{k:03d}"
    new["name"] = f"新建设施{k}（合成）"
    new["lon"] = new["lon"] + 300 / 97_000  # about 300 m at 29 N
    reg = pd.concat([reg, new], ignore_index=True)
    j = int(rng.integers(len(reg)))
    reg.loc[j, "capacity"] = (0 if pd.isna(reg.loc[j, "capacity"])
                              else reg.loc[j, "capacity"]) + 10
    with_id = reg.index[reg["facility_id"].notna()]
    m = with_id[int(rng.integers(len(with_id)))]
    reg.loc[m, "lat"] = reg.loc[m, "lat"] + 200 / 111_195
    return reg


def synthetic_timeline(tl: Timeline, run_facilities: pd.DataFrame, n: int, seed: int = 15
                       ) -> Timeline:
    """``n`` quarters ending with ``tl``'s newest: period ``i`` has the coverage,
    indicators and problems of ``tl.periods[i % len]``; its register starts from the
    oldest recorded one and changes every quarter (:func:`_evolve`).

    ``run_facilities`` as :func:`circle15.history.mapview.run_facilities` reads them.
    """
    rng = np.random.default_rng(seed)
    keys = quarters(n, tl.newest.key)
    reg = tl.periods[0].facilities[list(FACILITY_COLUMNS)].copy()
    out: list[PeriodTables] = []
    prev = None
    for i, key in enumerate(keys):
        if i:
            reg = _evolve(reg, rng, i)
        fac = reg.copy()
        fac["run_row"] = -1
        for a, b in match_facilities(run_facilities, reg):
            fac.loc[b, "run_row"] = a
        src = tl.periods[i % len(tl.periods)]
        out.append(replace(src, key=key, facilities=fac,
                           facility_changes=None if prev is None else changes_table(prev, reg)))
        prev = reg
    return Timeline(periods=tuple(out), run_period=tl.run_period if tl.run_period in keys
                    else None, source=tl.source + " (synthetic periods)", synthetic=True)
