"""Problems as they stood in a recorded period: :func:`problems_as_of`.

The problems table holds each problem's *current* state; its change log says when each
change happened. Replaying the log up to a period gives the state in that period:

- an automatic change (opened, closed, reopened by recording a period) belongs to the
  period it was recorded for;
- a change made by a person (``circle15 problems set``) belongs to the newest period
  recorded at the time of the change, and to every later one (times are kept to the
  second: a change in the very second a period is recorded counts from that period).

A problem exists in a period from the period it was found in. The value and gaps are the
period's own (its indicator row for its plan year; for a village's problem, the village's
number of facilities), else the problem's latest ones.
"""

from __future__ import annotations

import datetime as _dt

import pandas as pd
import sqlalchemy as sa

from circle15.history import schema as S
from circle15.history.periods import Period, parse_period
from circle15.history.problems import CLOSED
from circle15.history.store import Store

#: Columns of :func:`problems_as_of`, in order (those of ``history_problems``).
COLUMNS = [c.name for c in S.problems.c]
_GAPS = ("value", "gap_value", "gap_people", "gap_capacity", "gap_units")


def _time(text: str) -> _dt.datetime:
    t = _dt.datetime.fromisoformat(str(text))
    return t if t.tzinfo else t.replace(tzinfo=_dt.UTC)


def _manual_sort(at: str, recorded: list[tuple[_dt.datetime, int]]) -> int:
    """Sort key of the newest period recorded by time ``at`` (0 when none was)."""
    when = _time(at)
    before = [s for t, s in recorded if t <= when]
    return max(before) if before else 0


def _log_frame(conn: sa.engine.Connection) -> pd.DataFrame:
    """The problem log with ``sort``: the period order each change belongs to."""
    recorded = [(_time(r.recorded_at), int(r.sort)) for r in
                conn.execute(sa.select(S.periods.c.recorded_at, S.periods.c.sort))]
    keys = {r.period: int(r.sort) for r in conn.execute(sa.select(S.periods.c.period,
                                                                  S.periods.c.sort))}
    log = pd.DataFrame(conn.execute(sa.select(S.problem_log).order_by(S.problem_log.c.id)
                                    ).mappings().all(),
                       columns=[c.name for c in S.problem_log.c])
    log["sort"] = [keys.get(p, parse_period(p).sort) if isinstance(p, str) and p
                   else _manual_sort(a, recorded) for p, a in zip(log["period"], log["at"])]
    log["period_key"] = [p if isinstance(p, str) and p else None for p in log["period"]]
    return log


def problems_as_of(store: Store, period: str | Period) -> pd.DataFrame:
    """Every problem found by ``period`` with its state in that period.

    Parameters
    ----------
    store : Store
    period : str or Period
        A recorded period.

    Returns
    -------
    pandas.DataFrame
        The columns of ``history_problems`` (:data:`COLUMNS`) in id order; ``status``,
        ``closed_period``, ``closed_value``, ``last_period``, ``value`` and the gaps as
        they stood in ``period``.

    Raises
    ------
    InputError
        If the period is malformed or not recorded.
    """
    from circle15.history.query import period_info, require_period

    p = require_period(store, period)
    year = period_info(store, p).get("plan_year")
    with store.read() as conn:
        pr = pd.DataFrame(conn.execute(sa.select(S.problems).order_by(S.problems.c.id)
                                       ).mappings().all(), columns=COLUMNS)
        log = _log_frame(conn)
        keys = {int(r.sort): r.period for r in conn.execute(
            sa.select(S.periods.c.period, S.periods.c.sort))}
        ind = pd.DataFrame(conn.execute(sa.select(
            S.indicators.c.indicator_id, S.indicators.c.zone_id,
            *[S.indicators.c[c] for c in _GAPS]).where(
            S.indicators.c.period == p.key, S.indicators.c.year == year)).mappings().all(),
            columns=["indicator_id", "zone_id", *_GAPS])
        vt = S.village_targets
        vil = pd.DataFrame(conn.execute(sa.select(vt.c.indicator_id, vt.c.village_id,
                                                  vt.c.facilities).where(
            vt.c.period == p.key)).mappings().all(),
            columns=["indicator_id", "village_id", "facilities"])
    found = pr["period_found"].map(lambda k: parse_period(k).sort)
    pr = pr[found <= p.sort].copy()
    applied = log[log["sort"] <= p.sort]
    last = applied.groupby("problem_id").tail(1).set_index("problem_id")
    pr = pr[pr["id"].isin(last.index)].copy()
    mine = last.loc[pr["id"]]
    pr["status"] = mine["status_to"].to_numpy()
    closed = pr["status"] == CLOSED
    when = [k if isinstance(k, str) else keys.get(int(s))
            for k, s in zip(mine["period_key"], mine["sort"])]
    pr["closed_period"] = [w if c else None for w, c in zip(when, closed)]
    pr["last_period"] = p.key
    pr = _period_values(pr, ind, vil, closed)
    return pr[COLUMNS].reset_index(drop=True)


def _period_values(pr: pd.DataFrame, ind: pd.DataFrame, vil: pd.DataFrame,
                   closed: pd.Series) -> pd.DataFrame:
    """Value and gaps from the period's own rows where it has them: the indicator row of
    a township's problem, the village row (its facilities) of a village's problem."""
    town = pr["village_id"].fillna("").astype(str) == ""
    own = pr[["indicator_id", "zone_id"]].merge(ind, on=["indicator_id", "zone_id"],
                                                how="left")
    has = town.to_numpy() & (own["value"].notna().to_numpy()
                             | own["gap_value"].notna().to_numpy())
    for c in _GAPS:
        pr[c] = pr[c].astype(object).where(~has, own[c].to_numpy())
        pr[c] = pr[c].where(pd.notna(pr[c]), None)
    if len(vil):
        n = pr[["indicator_id", "village_id"]].merge(
            vil, on=["indicator_id", "village_id"], how="left")["facilities"].to_numpy()
        pr["value"] = [float(k) if not t and pd.notna(k) else v
                       for v, k, t in zip(pr["value"], n, town, strict=True)]
    pr["closed_value"] = [v if c else None for v, c in zip(pr["value"], closed)]
    return pr
