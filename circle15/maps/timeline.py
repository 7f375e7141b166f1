"""The 一张图 over time: recorded periods, their township status and problems, for the page.

The history (:mod:`circle15.history`) hands the map a :class:`Timeline` of plain tables —
per recorded period its coverage, indicator rows and problems as they stood then — and
:func:`timeline_data` turns it into the page's ``hist`` object. Each period's views,
county rows, indicator rows and 达标总览 are computed by the same functions as the run's
own (:func:`circle15.maps.indicators.page_tables`) and embedded only where they differ
from the run's (:func:`diff`), so a period equal to the run costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from circle15.errors import InputError
from circle15.maps import indicators
from circle15.maps.indicators import Selector

#: Problem statuses in the page's order (code = index); the last one is rectified.
PROBLEM_STATUSES = ("待整改", "整改中", "暂缓", "已整改")
#: Value of ``meta``/``state().period`` for the run itself when it is not recorded.
RUN = "run"


@dataclass(frozen=True, eq=False)
class PeriodTables:
    """One recorded period as the map needs it.

    Attributes
    ----------
    key : str
        ``"2025Q3"`` or ``"2025"``.
    plan_year : int or None
        The plan year the period is judged by.
    zone_ids : tuple of str
        Its township ids (must be the run's).
    coverage : pandas.DataFrame
        Columns of ``coverage_by_zone.csv``: zone_id, layer, group, minutes, population,
        covered_population, coverage_rate.
    indicators : pandas.DataFrame
        Rows of ``history_indicators``: indicator_id, zone_id, year, kind, layer, target
        (text), value, status, gap_value, gap_people.
    problems : pandas.DataFrame
        The problems as they stood in the period (columns of ``history_problems``).
    """

    key: str
    plan_year: int | None
    zone_ids: tuple[str, ...]
    coverage: pd.DataFrame
    indicators: pd.DataFrame
    problems: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Timeline:
    """Every recorded period of a history store, oldest first.

    Attributes
    ----------
    periods : tuple of PeriodTables
    run_period : str or None
        The period the run was recorded as (``None``: the run is not in the history).
    source : str
        Where the history came from (the database, password masked), for messages.
    synthetic : bool
        Whether any period is synthetic.
    """

    periods: tuple[PeriodTables, ...]
    run_period: str | None
    source: str
    synthetic: bool = False

    @property
    def newest(self) -> PeriodTables:
        """The newest recorded period."""
        return self.periods[-1]


def check_zones(tl: Timeline, zone_ids: list[str]) -> None:
    """Every period must cover exactly the run's townships.

    Raises
    ------
    InputError
        Naming the first period whose townships differ, or when nothing is recorded.
    """
    if not tl.periods:
        raise InputError(f"the history {tl.source} has no recorded period", key="db",
                         hint="record one first: circle15 record CONFIG --period 2025Q3")
    run = set(zone_ids)
    for p in tl.periods:
        have = set(p.zone_ids)
        if have != run:
            extra, missing = sorted(have - run), sorted(run - have)
            raise InputError(
                f"history period {p.key} covers other townships than this run: "
                f"{len(extra)} not in the run (e.g. {extra[:3]}), {len(missing)} of the "
                f"run's missing (e.g. {missing[:3]})", key="db",
                hint=f"use the history database of this area (not {tl.source})")


def period_targets(ind: pd.DataFrame, run_targets: pd.DataFrame | None,
                   known: dict[str, int]) -> pd.DataFrame | None:
    """A period's indicator rows shaped like the run's ``targets_by_zone.csv`` (as
    :func:`circle15.maps.rundata.read_targets` reads it), restricted to the run's
    indicators; ``minutes`` comes from the run's table."""
    if ind is None or ind.empty or run_targets is None:
        return None
    df = ind[ind["indicator_id"].astype(str).isin(known)].copy()
    df["indicator_id"] = df["indicator_id"].astype(str)
    df["zone_id"] = df["zone_id"].astype(str)
    minutes = run_targets.drop_duplicates("indicator_id").set_index("indicator_id")["minutes"]
    df["minutes"] = pd.to_numeric(df["indicator_id"].map(minutes), errors="coerce")
    df["target_text"] = ["/" if v is None or pd.isna(v) else str(v) for v in df["target"]]
    for col in ("target", "value", "gap_value", "gap_people", "year"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    df["layer"] = df["layer"].astype(object).where(df["layer"].notna(), None)
    return df.reset_index(drop=True)


def diff(base: dict, cur: dict, depth: int) -> dict:
    """What ``cur`` changes in ``base``: keys whose value differs (recursing ``depth``
    levels into dicts), ``None`` for keys ``cur`` lacks. The page applies it back."""
    out: dict = {}
    for k in base.keys() | cur.keys():
        if k not in cur:
            out[k] = None
        elif k not in base:
            out[k] = cur[k]
        elif cur[k] != base[k]:
            both = isinstance(cur[k], dict) and isinstance(base[k], dict)
            out[k] = diff(base[k], cur[k], depth - 1) if both and depth > 1 else cur[k]
    return dict(sorted(out.items()))


#: How deep :func:`diff` goes per table: views and rows are two levels of dicts.
_DEPTH = {"views": 2, "county": 1, "rows": 2, "overview": 2}


@dataclass(frozen=True)
class ViewSpec:
    """What every period's views are computed for: the run's selectors, thresholds, plan
    years, indicator index and township ids."""

    selectors: list[Selector]
    thresholds: list[float]
    years: list[int]
    index: dict[str, int]
    zone_ids: list[str]


def _problems(tl: Timeline, index: dict[str, int], zone_ids: set[str]
              ) -> tuple[list[list], dict[str, list[list]]]:
    """Every problem once (``[id, indicator index or -1, indicator id, name, zone_id or
    "" when not a township (the county), 责任单位, period found]``) and per period
    ``[[problem index, status code, closed period, value, gap_value, gap_people]]``."""
    every = pd.concat([p.problems for p in tl.periods], ignore_index=True)
    every = every.drop_duplicates("id", keep="last").sort_values("id")
    pos = {int(i): n for n, i in enumerate(every["id"])}
    static = [[int(r.id), index.get(str(r.indicator_id), -1), str(r.indicator_id),
               _text(r.name_zh), str(r.zone_id) if str(r.zone_id) in zone_ids else "",
               _text(r.responsible), str(r.period_found)] for r in every.itertuples()]
    states: dict[str, list[list]] = {}
    for p in tl.periods:
        states[p.key] = [
            [pos[int(r.id)], _code(r.status), _text(r.closed_period),
             indicators._num(r.value), indicators._num(r.gap_value),
             indicators._num(r.gap_people)] for r in p.problems.itertuples()]
    return static, states


def period_label(key: str, lang: str) -> str:
    """``"2025Q3"`` -> "2025年第3季度" / "2025 Q3"; ``"2025"`` -> "2025年" / "2025"."""
    year, _, q = key.partition("Q")
    if lang == "en":
        return f"{year} Q{q}" if q else year
    return f"{year}年第{q}季度" if q else f"{year}年"


def _code(status: object) -> int:
    s = str(status)
    return PROBLEM_STATUSES.index(s) if s in PROBLEM_STATUSES else 0


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and v != v) else str(v)


def timeline_data(tl: Timeline, spec: ViewSpec, base: dict,
                  run_targets: pd.DataFrame | None, lang: str = "zh") -> dict:
    """The page's ``hist`` object.

    Parameters
    ----------
    tl : Timeline
    spec : ViewSpec
    base : dict
        The run's ``views``, ``county``, ``rows`` and ``overview`` as embedded.
    run_targets : pandas.DataFrame or None
        The run's targets table (for each indicator's threshold).
    lang : {"zh", "en"}
        Language of the period labels.

    Returns
    -------
    dict
        ``{"periods": [[key, plan year, label], ...], "run": the run's period or null,
        "default": key, "data": {key: {table: diff}}, "problems": [...],
        "pstate": {key: [...]}}`` (problems and states: :func:`_problems`).

    Raises
    ------
    InputError
        If a period covers other townships than the run (:func:`check_zones`).
    """
    check_zones(tl, spec.zone_ids)
    data = {}
    for p in tl.periods:
        targets = period_targets(p.indicators, run_targets, spec.index)
        cur = indicators.page_tables(p.coverage, targets, spec.selectors, spec.thresholds,
                                     spec.years, spec.index)
        data[p.key] = {k: diff(base[k], cur[k], _DEPTH[k]) for k in _DEPTH}
    static, states = _problems(tl, spec.index, set(spec.zone_ids))
    return {"periods": [[p.key, p.plan_year, period_label(p.key, lang)] for p in tl.periods],
            "run": tl.run_period, "default": tl.newest.key, "data": data,
            "problems": static, "pstate": states}
