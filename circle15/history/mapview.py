"""The history for the 一张图 (issue 15 item 6): :func:`map_timeline` reads every recorded
period into a :class:`circle15.maps.timeline.Timeline`, :func:`write_history_map` draws a
run's map page with it (period selector, township trends, open problems)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from circle15.history import schema as S
from circle15.history.query import period_info, period_table, periods
from circle15.history.snapshot import scrub
from circle15.history.store import Store
from circle15.history.timeline import problems_as_of
from circle15.maps.timeline import PeriodTables, Timeline
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


def period_tables(store: Store, key: str) -> PeriodTables:
    """One recorded period: coverage, indicator rows and problems as they stood then."""
    info = period_info(store, key)
    cov = period_table(store, S.coverage, key)[_COVERAGE]
    cov = cov.astype({"zone_id": str, "layer": str, "group": str})
    ind = period_table(store, S.indicators, key)
    year = info.get("plan_year")
    return PeriodTables(key=key, plan_year=int(year) if year is not None else None,
                        zone_ids=_zone_ids(store, key), coverage=cov, indicators=ind,
                        problems=problems_as_of(store, key))


def map_timeline(store: Store, run_dir: str | Path) -> Timeline:
    """Every recorded period of ``store`` for the map page of ``run_dir``.

    The townships are checked against the run's when the page is built
    (:func:`circle15.maps.timeline.check_zones`).
    """
    tables = tuple(period_tables(store, p.key) for p in periods(store))
    synthetic = any(bool(period_info(store, t.key).get("synthetic")) for t in tables)
    return Timeline(periods=tables, run_period=recorded_as(store, run_dir),
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


__all__ = ["map_timeline", "period_tables", "recorded_as", "write_history_map"]
