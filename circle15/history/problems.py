"""Problems found → rectified (整改闭环).

Every measurable target not met in a recorded period opens a problem, one per indicator
× place (township, or the county row ``ALL``; for a village-level target each village of
the township without the service), judged against the period's plan year. When the newest
period is recorded:

- a target still not met updates the open problem (latest value and gaps);
- a target met closes an open problem automatically (``已整改``, with the period and value);
- a target not met again after closing reopens the problem (``待整改``: a regression).

A period recorded out of order (older than the newest one) only opens problems not yet
known; it never closes or reopens. People set ``整改中``, ``暂缓`` or ``已整改`` with
:func:`set_status`; every change, automatic or manual, is kept in the problem log with
time, who and note.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.periods import Period
from circle15.history.store import Store

log = logging.getLogger(__name__)

OPEN = "待整改"
IN_PROGRESS = "整改中"
DEFERRED = "暂缓"
CLOSED = "已整改"
#: Every status, and the English word for each.
STATUSES = {OPEN: "open", IN_PROGRESS: "in progress", DEFERRED: "deferred", CLOSED: "rectified"}
#: Statuses a person may set.
SETTABLE = (IN_PROGRESS, DEFERRED, CLOSED)
#: Who the automatic changes are logged by.
SYSTEM = "circle15"


@dataclass
class ProblemChanges:
    """Problem ids opened, closed, reopened and still open by one recorded period."""

    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    still_open: list[int] = field(default_factory=list)


def _responsible(plan_name: str | None) -> dict[str, str]:
    if not plan_name:
        return {}
    from circle15.coverage.plan import load_plan

    try:
        plan = load_plan(plan_name)
    except InputError:
        log.warning("plan %s not found; 责任单位 taken from the run's targets table", plan_name)
        return {}
    return {i.id: i.responsible for i in plan.indicators if i.responsible}


def _log(conn: sa.engine.Connection, pid: int, at: str, by: str, period: str | None,
         old: str | None, new: str, note: str) -> None:
    conn.execute(S.problem_log.insert().values(problem_id=pid, at=at, by=by, period=period,
                                               status_from=old, status_to=new, note=note))


def _insert_one(conn: sa.engine.Connection, stmt: sa.Insert) -> int:
    """Run a one-row insert and return the new row's primary key."""
    key = conn.execute(stmt).inserted_primary_key
    if key is None:  # typed Optional by SQLAlchemy; a one-row insert always has its key
        raise RuntimeError("the insert returned no primary key")
    return key[0]


def _gaps(r: sa.Row) -> dict:
    return {"value": r.value, "target": r.target, "gap_value": r.gap_value,
            "gap_people": r.gap_people, "gap_capacity": r.gap_capacity,
            "gap_units": r.gap_units}


@dataclass
class _Case:
    """One place judged in a period: a township's (or the county's) indicator row, or one
    village of a village-level indicator's township row."""

    row: sa.Row
    not_met: bool
    values: dict
    why_open: str
    why_closed: str
    village_id: str = ""
    village_name: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.row.indicator_id, self.row.zone_id, self.village_id)


def _row_case(r: sa.Row) -> _Case:
    return _Case(r, r.status == "not_met", _gaps(r),
                 f"未达标：{_fmt(r.value)} / 目标 {r.target}",
                 f"已达标：{_fmt(r.value)} / 目标 {r.target}")


def _village_case(r: sa.Row, v: sa.Row) -> _Case:
    """A village lacks the service while its township misses the target: one problem of
    one place (one facility short, the village's residents)."""
    n = int(v.facilities)
    town = f"所在镇街 {_fmt(r.value)} / 目标 {r.target}"
    if r.status != "not_met":
        closed = f"所在镇街已达标：{_fmt(r.value)} / 目标 {r.target}"
    else:
        closed = f"本村已有 {n} 处相应设施；{town}"
    lacks = r.status == "not_met" and n == 0
    values = {"value": float(n), "target": "≥ 1", "gap_value": None,
              "gap_people": v.population if lacks else 0.0, "gap_capacity": None,
              "gap_units": 1.0 if lacks else 0.0}
    return _Case(r, lacks, values, f"本村无相应设施（{v.village_name or v.village_id}）；{town}",
                 closed, village_id=str(v.village_id), village_name=v.village_name)


def _cases(conn: sa.engine.Connection, period: Period, rows: Sequence[sa.Row],
           known: set[tuple[str, str, str]]) -> list[_Case]:
    """Every place judged: township/county rows, and for a village-level indicator's
    township row (when the run listed its villages) each of its villages instead; a
    township problem of such an indicator recorded before stays judged by its row."""
    vt = S.village_targets
    by_zone: dict[tuple[str, str], list[sa.Row]] = {}
    for v in conn.execute(sa.select(vt).where(vt.c.period == period.key)
                          .order_by(vt.c.indicator_id, vt.c.village_id)):
        by_zone.setdefault((v.indicator_id, v.zone_id), []).append(v)
    out = []
    for r in rows:
        vil = by_zone.get((r.indicator_id, r.zone_id)) if r.level == "village" else None
        if vil is None or (r.indicator_id, r.zone_id, "") in known:
            out.append(_row_case(r))
        out.extend(_village_case(r, v) for v in vil or ())
    return out


def _judge(conn: sa.engine.Connection, c: _Case, p: sa.Row | None, ctx: dict,
           ch: ProblemChanges) -> None:
    """Open, update, close or reopen the problem ``p`` of case ``c`` (see the module)."""
    r, period, at = c.row, ctx["period"], ctx["at"]
    if c.not_met and p is None:
        pid = _insert_one(conn, S.problems.insert().values(
            indicator_id=r.indicator_id, zone_id=r.zone_id, zone_name=r.zone_name,
            village_id=c.village_id, village_name=c.village_name,
            name_zh=r.name_zh, domain=r.domain, layer=r.layer, level=r.level,
            responsible=ctx["units"].get(r.indicator_id) or r.responsible, status=OPEN,
            period_found=period, last_period=period, updated_at=at, **c.values))
        _log(conn, pid, at, SYSTEM, period, None, OPEN, c.why_open)
        ch.opened.append(pid)
    elif p is None or not ctx["newest"]:
        return
    elif c.not_met:
        new = OPEN if p.status == CLOSED else p.status
        conn.execute(S.problems.update().where(S.problems.c.id == p.id).values(
            status=new, last_period=period, updated_at=at, closed_period=None,
            closed_value=None, **c.values))
        if p.status == CLOSED:
            _log(conn, p.id, at, SYSTEM, period, CLOSED, OPEN, f"再次未达标（反弹）：{c.why_open}")
            ch.reopened.append(p.id)
        else:
            ch.still_open.append(p.id)
    elif p.status != CLOSED or p.closed_period is None:
        conn.execute(S.problems.update().where(S.problems.c.id == p.id).values(
            status=CLOSED, last_period=period, closed_period=period,
            closed_value=c.values["value"], value=c.values["value"], gap_value=0,
            gap_people=0, gap_capacity=0, gap_units=0, updated_at=at))
        _log(conn, p.id, at, SYSTEM, period, p.status, CLOSED, c.why_closed)
        ch.closed.append(p.id)


def update_problems(conn: sa.engine.Connection, period: Period, year: int,
                    plan_name: str | None, *, at: str) -> ProblemChanges:
    """Open, update, close or reopen problems from the indicators of ``period`` (already
    inserted, same transaction) judged against plan year ``year``.

    A village-level indicator (``level == "village"``) whose villages the run listed
    (``history_village_targets``) has one problem per village: open while the village has
    none of the indicator's facilities and its township misses the target; closed when
    the village gets one or the township meets the target.
    """
    latest = conn.execute(sa.select(sa.func.max(S.periods.c.sort))).scalar_one()
    ind = S.indicators
    rows = conn.execute(sa.select(ind).where(ind.c.period == period.key, ind.c.year == year,
                                             ind.c.status.in_(("met", "not_met")))).all()
    known = {(r.indicator_id, r.zone_id, r.village_id): r
             for r in conn.execute(sa.select(S.problems))}
    ctx = {"period": period.key, "at": at, "units": _responsible(plan_name),
           "newest": latest is None or latest <= period.sort}
    ch = ProblemChanges()
    for c in _cases(conn, period, rows, set(known)):
        _judge(conn, c, known.get(c.key), ctx, ch)
    return ch


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def set_status(store: Store, problem_id: int, status: str, *, by: str, note: str = "",
               at: str | None = None) -> None:
    """Set a problem's status by hand (``整改中``, ``暂缓`` or ``已整改``) and log it.

    Raises
    ------
    InputError
        Unknown problem id, a status not in :data:`SETTABLE`, or no ``by``.
    """
    from circle15.history.record import now

    if status not in SETTABLE:
        raise InputError(f"unknown status {status!r}", key="status",
                         hint=f"one of {', '.join(SETTABLE)}")
    if not by or not by.strip():
        raise InputError("who made the change is required", key="by")
    at = at or now()
    with store.write() as conn:
        p = conn.execute(sa.select(S.problems).where(S.problems.c.id == problem_id)).first()
        if p is None:
            raise InputError(f"no problem with id {problem_id}", key="id",
                             hint="list them with: circle15 problems")
        conn.execute(S.problems.update().where(S.problems.c.id == problem_id).values(
            status=status, updated_at=at))
        _log(conn, problem_id, at, by.strip(), None, p.status, status, note)


def _status_word(status: str) -> str:
    words = {v: k for k, v in STATUSES.items()}
    status = words.get(status, status)
    if status not in STATUSES:
        raise InputError(f"unknown status {status!r}", key="status",
                         hint=f"one of {', '.join(STATUSES)}")
    return status


def list_problems(store: Store, *, unit: str | None = None, status: str | None = None,
                  period: str | Period | None = None) -> pd.DataFrame:
    """Problems in id order; ``unit`` filters by 责任单位 (substring), ``status`` by status
    (Chinese or English word).

    With ``period``, the problems as they stood in that recorded period
    (:func:`problems_as_of`): only those found by then, with the status, closing period,
    value and gaps of that period; ``status`` then filters on that status.
    """
    if status is not None:
        status = _status_word(status)
    if period is not None:
        from circle15.history.timeline import problems_as_of

        df = problems_as_of(store, period)
        if status:
            df = df[df["status"] == status]
        if unit:
            df = df[df["responsible"].fillna("").str.contains(unit, regex=False)]
        return df.reset_index(drop=True)
    q = sa.select(S.problems).order_by(S.problems.c.id)
    if status:
        q = q.where(S.problems.c.status == status)
    if unit:
        q = q.where(S.problems.c.responsible.contains(unit))
    with store.read() as conn:
        df = pd.DataFrame(conn.execute(q).mappings().all(), columns=[c.name for c in
                                                                     S.problems.c])
    return df


def problem_log(store: Store, problem_ids: list[int] | None = None) -> pd.DataFrame:
    """The change log (time, who, period, from → to, note) of some or all problems."""
    q = sa.select(S.problem_log).order_by(S.problem_log.c.id)
    if problem_ids is not None:
        q = q.where(S.problem_log.c.problem_id.in_(problem_ids))
    with store.read() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(),
                            columns=[c.name for c in S.problem_log.c])
