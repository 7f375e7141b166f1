"""The history for the 一张图 (issue 15 item 6): :func:`map_timeline` reads every recorded
period into a :class:`circle15.maps.timeline.Timeline`, :func:`write_history_map` draws a
run's map page with it (period selector, township trends, open problems, each period's
facilities).

Facilities are matched as :mod:`circle15.history.compare` matches them
(:func:`~circle15.history.compare.match_facilities`): each period's register against the
run's facilities (so the page embeds only what differs from the run) and against the
previous recorded period (:func:`~circle15.history.compare.facility_changes`: what was
added, closed, moved or changed capacity)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.compare import facility_changes, match_facilities
from circle15.history.query import period_info, period_table, periods
from circle15.history.snapshot import scrub
from circle15.history.store import Store
from circle15.history.timeline import problems_as_of
from circle15.maps.rundata import read_facilities
from circle15.maps.timeline import FACILITY_COLUMNS, PeriodTables, Timeline
from circle15.vocab import RunFiles

_COVERAGE = ["zone_id", "layer", "group", "minutes", "population", "covered_population",
             "coverage_rate"]


def _zone_ids(store: Store, key: str) -> tuple[str, ...]:
    with store.read() as conn:
        ids = conn.execute(sa.select(S.zones.c.zone_id).where(S.zones.c.period == key)
                           ).scalars().all()
    return tuple(sorted(str(i) for i in ids))


def _run_params(run_dir: Path) -> dict | None:
    try:
        raw = json.loads((Path(run_dir) / RunFiles.RUN_JSON).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    return scrub(raw).get("params")


def recorded_as(store: Store, run_dir: str | Path) -> str | None:
    """The period a run folder was recorded as (same ``run.json`` params, which include
    the time the run was made), or None."""
    mine = _run_params(Path(run_dir))
    if not mine:
        return None
    found = None
    for p in periods(store):
        prov = json.loads(period_info(store, p).get("provenance") or "{}")
        if prov.get("params") == mine:
            found = p.key
    return found


def period_tables(store: Store, key: str, run_facilities: pd.DataFrame | None = None,
                  previous: pd.DataFrame | None = None) -> PeriodTables:
    """One recorded period: coverage, indicator rows, problems and facility register as
    they stood then.

    Parameters
    ----------
    store : Store
    key : str
        The period.
    run_facilities : pandas.DataFrame, optional
        The run's facilities (``layer, facility_id, name, capacity, lon, lat`` in the
        order of :func:`circle15.maps.rundata.read_facilities`): each register row gets
        ``run_row``, the position of the same facility there (-1: not in the run).
        Without it ``run_row`` is -1 throughout.
    previous : pandas.DataFrame, optional
        The previous recorded period's register: ``facility_changes`` are against it
        (None for the first period).
    """
    info = period_info(store, key)
    cov = period_table(store, S.coverage, key)[_COVERAGE]
    cov = cov.astype({"zone_id": str, "layer": str, "group": str})
    ind = period_table(store, S.indicators, key)
    year = info.get("plan_year")
    fac = register(store, key)
    fac["run_row"] = -1
    if run_facilities is not None and len(run_facilities) and len(fac):
        for i, j in match_facilities(run_facilities, fac):
            fac.iloc[j, fac.columns.get_loc("run_row")] = i
    changes = None if previous is None else changes_table(previous, fac)
    return PeriodTables(key=key, plan_year=int(year) if year is not None else None,
                        zone_ids=_zone_ids(store, key), coverage=cov, indicators=ind,
                        problems=problems_as_of(store, key), facilities=fac,
                        facility_changes=changes)


def register(store: Store, key: str) -> pd.DataFrame:
    """A period's facility register (:data:`~circle15.maps.timeline.FACILITY_COLUMNS`), in
    its recorded order."""
    fac = period_table(store, S.facilities, key)
    fac = fac.sort_values("seq", kind="stable") if len(fac) else fac
    return fac.reindex(columns=list(FACILITY_COLUMNS)).reset_index(drop=True)


def changes_table(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """:func:`~circle15.history.compare.facility_changes` as a table: ``change, row,
    prev_row, moved_m`` (rows: positions in ``current`` and ``previous``, -1 for none)."""
    rows = [(c, -1 if j is None else j, -1 if i is None else i, m)
            for c, i, j, m in facility_changes(previous, current)]
    return pd.DataFrame(rows, columns=["change", "row", "prev_row", "moved_m"])


def run_facilities(run_dir: str | Path) -> pd.DataFrame | None:
    """The run's facilities as the map page reads them, with ``lon``/``lat`` columns (None
    when the run folder has none)."""
    try:
        gdf = read_facilities(Path(run_dir))
    except InputError:
        return None
    df = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    df["lon"], df["lat"] = gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()
    ids = df["facility_id"]
    df["facility_id"] = [None if v is None or pd.isna(v) or str(v).strip() == "" else
                         str(v).strip() for v in ids]  # as recorded (text)
    return df.reset_index(drop=True)


def map_timeline(store: Store, run_dir: str | Path) -> Timeline:
    """Every recorded period of ``store`` for the map page of ``run_dir``.

    The townships are checked against the run's when the page is built
    (:func:`circle15.maps.timeline.check_zones`).
    """
    run_fac = run_facilities(run_dir)
    tables: list[PeriodTables] = []
    for p in periods(store):
        prev = tables[-1].facilities if tables else None
        tables.append(period_tables(store, p.key, run_fac, prev))
    synthetic = any(bool(period_info(store, t.key).get("synthetic")) for t in tables)
    return Timeline(periods=tuple(tables), run_period=recorded_as(store, run_dir),
                    source=store.shown, synthetic=synthetic)


def write_history_map(store: Store, run_dir: str | Path, out_path: str | Path | None = None,
                      **options) -> Path:
    """Draw ``run_dir``'s map page with the time dimension of ``store``.

    Parameters
    ----------
    store : Store
    run_dir : str or Path
        A finished run folder (any run of the history's area).
    out_path : str or Path, optional
        Default ``run_dir / "map.html"``.
    **options
        Further arguments of :func:`circle15.maps.html.render_map` (layer, minutes, year,
        lang, basemap, ...).

    Raises
    ------
    InputError
        If nothing is recorded or a period covers other townships than the run.
    """
    from circle15.maps.html import render_map

    run_dir = Path(run_dir)
    return render_map(run_dir, Path(out_path) if out_path else None,
                      timeline=map_timeline(store, run_dir), **options)


__all__ = ["changes_table", "map_timeline", "period_tables", "recorded_as", "register",
           "run_facilities", "write_history_map"]
