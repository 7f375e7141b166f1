"""Recording a finished run as one period of the history: :func:`record_run`.

Everything happens in one write transaction (:meth:`Store.write`): the area check, the
audit copy of a replaced period, the rows of the new period and the problem updates land
together, or nothing does.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.periods import Period, parse_period
from circle15.history.problems import ProblemChanges, update_problems
from circle15.history.snapshot import RunSnapshot, num, read_run, text
from circle15.history.store import Store

log = logging.getLogger(__name__)

_CHILDREN = (S.zones, S.indicators, S.coverage, S.facilities, S.village_targets)


def now() -> str:
    """The current time, ISO 8601 with offset, to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class RecordResult:
    """What :func:`record_run` stored."""

    period: str
    plan_year: int | None
    replaced: bool
    rows: dict[str, int] = field(default_factory=dict)
    problems: ProblemChanges = field(default_factory=ProblemChanges)


def plan_year(years: list[int], period: Period) -> int | None:
    """The plan year whose targets a period is judged by: its own year, else the nearest
    plan year (the first before the plan starts, the last after it ends)."""
    if not years:
        return None
    if period.year in years:
        return period.year
    return max(years) if period.year > max(years) else min(years)


def geom_value(geom: Any, dialect: str) -> str | None:
    """A geometry as the store keeps it: WKT (SQLite) or EWKT with SRID 4326 (PostGIS)."""
    if geom is None or geom.is_empty:
        return None
    return geom.wkt if dialect == "sqlite" else f"SRID=4326;{geom.wkt}"


def _check_area(conn: sa.engine.Connection, snap: RunSnapshot) -> None:
    ids = json.dumps(snap.zone_ids, ensure_ascii=False)
    have = conn.execute(sa.select(S.meta.c.value).where(S.meta.c.key == "area")).scalar()
    if have is None:
        conn.execute(S.meta.insert().values(key="area", value=ids))
        return
    if have != ids:
        old, new = set(json.loads(have)), set(snap.zone_ids)
        raise InputError(
            f"this run covers another area than the history: {len(new - old)} township(s) "
            f"not in the history (e.g. {sorted(new - old)[:3]}), {len(old - new)} missing "
            f"(e.g. {sorted(old - new)[:3]})",
            file=snap.run_dir, hint="use a separate history database for another area")


def _rows(conn: sa.engine.Connection, table: sa.Table, period: str) -> list[dict]:
    cols = [c for c in table.c if c.name != "geom"]
    res = conn.execute(sa.select(*cols).where(table.c.period == period))
    return [dict(r._mapping) for r in res]


def _replace(conn: sa.engine.Connection, period: str, replace: bool) -> bool:
    row = conn.execute(sa.select(S.periods).where(S.periods.c.period == period)).first()
    if row is None:
        return False
    if not replace:
        raise InputError(f"period {period} is already recorded", key="period",
                         hint="pass --replace to record it again (the old one is kept in "
                              "the audit table)")
    snap: dict[str, Any] = {"period": dict(row._mapping)}
    for t in _CHILDREN:
        snap[t.name] = _rows(conn, t, period)
    conn.execute(S.audit.insert().values(period=period, replaced_at=now(),
                                         snapshot=json.dumps(snap, ensure_ascii=False,
                                                             default=str)))
    for t in _CHILDREN:
        conn.execute(t.delete().where(t.c.period == period))
    conn.execute(S.periods.delete().where(S.periods.c.period == period))
    return True


def _zone_rows(snap: RunSnapshot, period: str, dialect: str) -> list[dict]:
    z = snap.zones
    return [{"period": period, "zone_id": str(r.zone_id), "zone_name": text(r.zone_name),
             "population": num(getattr(r, "population", None)),
             "geom": geom_value(r.geometry, dialect)} for r in z.itertuples()]


def _indicator_rows(snap: RunSnapshot, period: str) -> list[dict]:
    t = snap.indicators
    rows = []
    for r in t.to_dict("records"):
        rows.append({
            "period": period, "indicator_id": str(r["indicator_id"]),
            "zone_id": str(r["zone_id"]), "year": int(r["year"]),
            "zone_name": text(r.get("zone_name")), "domain": text(r.get("domain")),
            "domain_zh": text(r.get("domain_zh")), "name_zh": text(r.get("name_zh")),
            "name_en": text(r.get("name_en")), "kind": text(r.get("kind")),
            "layer": text(r.get("layer")), "level": text(r.get("level")),
            "scope": text(r.get("scope")), "core": str(r.get("core")).lower() == "true",
            "target": text(r.get("target")), "target_value": num(r.get("target_value")),
            "value": num(r.get("value")), "unit": text(r.get("unit")),
            "status": text(r.get("status")) or "not_measurable",
            "gap_value": num(r.get("gap_value")), "gap_people": num(r.get("gap_people")),
            "gap_capacity": num(r.get("gap_capacity")), "gap_units": num(r.get("gap_units")),
            "responsible": text(r.get("responsible")),
        })
    return rows


def _coverage_rows(snap: RunSnapshot, period: str) -> list[dict]:
    return [{"period": period, "zone_id": str(r["zone_id"]), "layer": str(r["layer"]),
             "group": str(r["group"]), "minutes": float(r["minutes"]),
             "population": num(r["population"]),
             "covered_population": num(r["covered_population"]),
             "coverage_rate": num(r["coverage_rate"])}
            for r in snap.coverage.to_dict("records")]


def _facility_rows(snap: RunSnapshot, period: str, dialect: str) -> list[dict]:
    rows = []
    for i, r in enumerate(snap.facilities.itertuples(), start=1):
        g = r.geometry
        if g is None or g.is_empty:
            continue
        pt = g if g.geom_type == "Point" else g.representative_point()
        rows.append({"period": period, "seq": i, "facility_id": text(getattr(r, "facility_id",
                                                                              None)),
                     "name": text(getattr(r, "name", None)), "layer": str(r.layer),
                     "subtype": text(getattr(r, "subtype", None)),
                     "capacity": num(getattr(r, "capacity", None)),
                     "zone_id": text(getattr(r, "zone_id", None)),
                     "village_id": text(getattr(r, "village_id", None)),
                     "lon": float(pt.x), "lat": float(pt.y), "geom": geom_value(pt, dialect)})
    return rows


def _village_rows(snap: RunSnapshot, period: str) -> list[dict]:
    return [{"period": period, "indicator_id": str(r["indicator_id"]),
             "village_id": str(r["village_id"]), "zone_id": str(r["zone_id"]),
             "village_name": text(r.get("village_name")), "layer": text(r.get("layer")),
             "lon": num(r.get("lon")), "lat": num(r.get("lat")),
             "population": num(r.get("population")), "facilities": int(r["facilities"]),
             "has_service": int(r["facilities"]) > 0}
            for r in snap.villages.to_dict("records")]


def _insert(conn: sa.engine.Connection, table: sa.Table, rows: list[dict]) -> int:
    if rows:
        conn.execute(table.insert(), rows)
    return len(rows)


def record_snapshot(store: Store, snap: RunSnapshot, period: str | Period, *,
                    replace: bool = False, by: str | None = None) -> RecordResult:
    """Store a read run folder as ``period`` (see :func:`record_run`)."""
    p = period if isinstance(period, Period) else parse_period(period)
    year = plan_year(snap.plan_years, p)
    with store.write() as conn:
        _check_area(conn, snap)
        replaced = _replace(conn, p.key, replace)
        params = snap.params
        conn.execute(S.periods.insert().values(
            period=p.key, sort=p.sort, kind=p.kind, plan_year=year, recorded_at=now(),
            recorded_by=by, run_dir=str(snap.run_dir), title=text(params.get("title")),
            synthetic=bool(params.get("synthetic", False)), plan=text(params.get("plan")),
            provenance=json.dumps(snap.provenance, ensure_ascii=False, default=str)))
        res = RecordResult(p.key, year, replaced)
        res.rows = {
            "zones": _insert(conn, S.zones, _zone_rows(snap, p.key, store.dialect)),
            "indicators": _insert(conn, S.indicators, _indicator_rows(snap, p.key)),
            "coverage": _insert(conn, S.coverage, _coverage_rows(snap, p.key)),
            "facilities": _insert(conn, S.facilities,
                                  _facility_rows(snap, p.key, store.dialect)),
            "villages": _insert(conn, S.village_targets, _village_rows(snap, p.key)),
        }
        if year is not None:
            res.problems = update_problems(conn, p, year, params.get("plan"), at=now())
    log.info("recorded %s: %s", p.key, res.rows)
    return res


def record_run(store: Store, run_dir: str | Path, period: str | Period, *,
               replace: bool = False, by: str | None = None) -> RecordResult:
    """Record a finished run folder as one period.

    Parameters
    ----------
    store : Store
        From :func:`circle15.history.store.open_store`.
    run_dir : str or Path
        A finished run's output folder.
    period : str or Period
        ``YYYYQn`` or ``YYYY``.
    replace : bool
        Replace an already recorded period (its old rows go to the audit table).
    by : str, optional
        Who recorded it.

    Returns
    -------
    RecordResult

    Raises
    ------
    InputError
        Malformed period, period already recorded without ``replace``, a run of another
        area than the history's, or an incomplete run folder. Nothing is written then.
    """
    p = period if isinstance(period, Period) else parse_period(period)
    return record_snapshot(store, read_run(run_dir), p, replace=replace, by=by)
