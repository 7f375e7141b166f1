"""The 一张图 over time: recorded periods, their township status and problems, for the page.

The history (:mod:`circle15.history`) hands the map a :class:`Timeline` of plain tables —
per recorded period its coverage, indicator rows and problems as they stood then — and
:func:`timeline_data` turns it into the page's ``hist`` object. Each period's views,
county rows, indicator rows and 达标总览 are computed by the same functions as the run's
own (:func:`circle15.maps.indicators.page_tables`) and embedded only where they differ
from the run's (:func:`diff`), so a period equal to the run costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.maps import indicators
from circle15.maps.display import DECIMALS
from circle15.maps.indicators import Selector
from circle15.maps.pagedata import _int
from circle15.maps.pagedata import _text as _clean

#: Problem statuses in the page's order (code = index); the last one is rectified.
PROBLEM_STATUSES = ("待整改", "整改中", "暂缓", "已整改")
#: Value of ``meta``/``state().period`` for the run itself when it is not recorded.
RUN = "run"
#: Columns of a period's facility register (rows of ``history_facilities``).
FACILITY_COLUMNS = ("facility_id", "name", "layer", "subtype", "capacity", "zone_id", "lon",
                    "lat")
#: Facility change kinds in the page's order (code = index), as
#: :data:`circle15.history.compare.CHANGES` names them.
FACILITY_CHANGES = ("added", "closed", "moved", "capacity")


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
    facilities : pandas.DataFrame, optional
        The period's facility register (:data:`FACILITY_COLUMNS`) and ``run_row``: the
        position of the same facility among the run's facilities (in the order
        :func:`circle15.maps.rundata.read_facilities` reads them), -1 when the run has
        no such facility. None: not known (the page then shows the run's facilities).
    facility_changes : pandas.DataFrame, optional
        What changed since the previous recorded period: ``change`` (one of
        :data:`FACILITY_CHANGES`), ``row`` (position in ``facilities``, -1 for a closed
        one), ``prev_row`` (position in the previous period's register, -1 for an added
        one), ``moved_m``. None for the first period.
    """

    key: str
    plan_year: int | None
    zone_ids: tuple[str, ...]
    coverage: pd.DataFrame
    indicators: pd.DataFrame
    problems: pd.DataFrame
    facilities: pd.DataFrame | None = None
    facility_changes: pd.DataFrame | None = None


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
    levels into dicts), ``None`` for keys ``cur`` lacks. At the last level but one, a
    list as long as the base's becomes ``{"~": [[position, item], ...]}`` (the items that
    differ). The page applies it back (``patch`` in ``time.js``)."""
    out: dict = {}
    for k in base.keys() | cur.keys():
        if k not in cur:
            out[k] = None
        elif k not in base:
            out[k] = cur[k]
        elif cur[k] != base[k]:
            out[k] = _changed(base[k], cur[k], depth)
    return dict(sorted(out.items()))


def _changed(b: object, c: object, depth: int) -> object:
    if depth > 1 and isinstance(c, dict) and isinstance(b, dict):
        return diff(b, c, depth - 1)
    if depth > 1 and isinstance(c, list) and isinstance(b, list) and len(b) == len(c):
        return {"~": [[i, y] for i, (x, y) in enumerate(zip(b, c)) if x != y]}
    return c


#: How deep :func:`diff` goes per table: views are two levels of dicts; rows two levels
#: of dicts and then each township's list of indicator rows, patched row by row.
_DEPTH = {"views": 2, "county": 1, "rows": 3, "overview": 2}


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
    "" when not a township (the county), 责任单位, period found, village name or ""]``;
    the village of a village-level target's problem, when the store has that column) and
    per period ``[[problem index, status code, closed period, value, gap_value,
    gap_people]]``."""
    every = pd.concat([p.problems for p in tl.periods], ignore_index=True)
    every = every.drop_duplicates("id", keep="last").sort_values("id")
    pos = {int(i): n for n, i in enumerate(every["id"])}
    village = (every["village_name"] if "village_name" in every
               else pd.Series(None, index=every.index, dtype=object))
    static = [[int(r.id), index.get(str(r.indicator_id), -1), str(r.indicator_id),
               _text(r.name_zh), str(r.zone_id) if str(r.zone_id) in zone_ids else "",
               _text(r.responsible), str(r.period_found), _text(v)]
              for r, v in zip(every.itertuples(), village)]
    states: dict[str, list[list]] = {}
    for p in tl.periods:
        states[p.key] = [
            [pos[int(r.id)], _code(r.status), _text(r.closed_period),
             indicators._num(r.value), indicators._num(r.gap_value),
             indicators._num(r.gap_people)] for r in p.problems.itertuples()]
    return static, states


@dataclass(frozen=True)
class RunFacilities:
    """The run's facilities as the page embeds them (``data["fac"]``).

    Attributes
    ----------
    rows : list of list
        :func:`circle15.maps.pagedata.facilities_data` rows.
    page_index : dict of int to int
        Position among the run's facilities (``run_row``) -> index in ``rows``.
    layer_keys : list of str
    shift : callable, optional
        The lon/lat transform the page's overlays get (GCJ-02), or None.
    """

    rows: list[list]
    page_index: dict[int, int]
    layer_keys: list[str]
    shift: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None


def _points(fac: pd.DataFrame, shift) -> list[tuple[float, float]]:
    lon = pd.to_numeric(fac["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(fac["lat"], errors="coerce").to_numpy(dtype=float)
    if shift is not None and len(lon):
        lon, lat = shift(lon, lat)
    return [(round(float(y), DECIMALS), round(float(x), DECIMALS)) for x, y in zip(lon, lat)]


def _register_rows(fac: pd.DataFrame, run: RunFacilities) -> list[list | None]:
    """Each register row as ``[lat, lon, layer index, name, capacity, zone_id, subtype]``
    (None for a layer the page does not draw)."""
    index = {k: i for i, k in enumerate(run.layer_keys)}
    out: list[list | None] = []
    for (lat, lon), r in zip(_points(fac, run.shift), fac.itertuples(index=False)):
        lay = index.get(str(r.layer))
        out.append(None if lay is None else
                   [lat, lon, lay, _clean(r.name), _int(r.capacity), _clean(r.zone_id),
                    _clean(r.subtype)])
    return out


def period_facilities(p: PeriodTables, prev: PeriodTables | None, run: RunFacilities
                      ) -> dict[str, list]:
    """A period's facilities as differences from the run's.

    Returns
    -------
    dict
        Only the non-empty of: ``"drop"``: indices of the run's facilities not in the
        period; ``"mod"``: ``[index, lat, lon, capacity, name, zone_id]`` of the run's
        facilities that stood elsewhere, had another capacity, name or township;
        ``"add"``: register rows (:func:`_register_rows`) of facilities the run lacks;
        ``"chg"``: ``[code, ref, capacity before, metres moved]`` per change since the
        previous period (code: index in :data:`FACILITY_CHANGES`; ref: the facility as
        shown in the period, an index of the run's (>= 0) or ``-1 - k`` for ``add[k]``;
        for a closed one, its register row in the previous period).
    """
    fac = p.facilities
    assert fac is not None
    rows = _register_rows(fac, run)
    refs: list[int | None] = []
    out: dict[str, list] = {"drop": [], "mod": [], "add": [], "chg": []}
    for row, run_row in zip(rows, fac["run_row"].astype(int)):
        k = run.page_index.get(run_row) if row is not None else None
        if row is None:
            refs.append(None)
        elif k is None:
            out["add"].append(row)
            refs.append(-len(out["add"]))
        else:
            base = run.rows[k]
            if [base[0], base[1], base[4], base[3], base[6]] != [row[0], row[1], row[4],
                                                                 row[3], row[5]]:
                out["mod"].append([k, row[0], row[1], row[4], row[3], row[5]])
            refs.append(k)
    seen = {r for r in refs if r is not None and r >= 0}
    out["drop"] = [k for k in range(len(run.rows)) if k not in seen]
    out["chg"] = _changes(p, prev, run, refs)
    return {k: v for k, v in out.items() if v}


def _changes(p: PeriodTables, prev: PeriodTables | None, run: RunFacilities,
             refs: list[int | None]) -> list[list]:
    ch = p.facility_changes
    if ch is None or prev is None or prev.facilities is None or ch.empty:
        return []
    before = prev.facilities
    old = _register_rows(before, run)
    out = []
    for c in ch.itertuples(index=False):
        code = FACILITY_CHANGES.index(str(c.change))
        i, j = int(c.prev_row), int(c.row)
        cap = _int(before["capacity"].iloc[i]) if i >= 0 else None
        moved = None if c.moved_m is None or pd.isna(c.moved_m) else round(float(c.moved_m))
        ref = old[i] if j < 0 else refs[j]
        if ref is not None:
            out.append([code, ref, cap, moved])
    return out


def facilities_data(tl: Timeline, run: RunFacilities) -> dict[str, dict]:
    """``{period: period_facilities(...)}`` for every period whose register is known."""
    out = {}
    for n, p in enumerate(tl.periods):
        if p.facilities is not None:
            out[p.key] = period_facilities(p, tl.periods[n - 1] if n else None, run)
    return out


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
                  run_targets: pd.DataFrame | None, lang: str = "zh",
                  run_facilities: RunFacilities | None = None) -> dict:
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
    run_facilities : RunFacilities, optional
        The run's facilities as embedded: with it, each period with a known register gets
        its facilities (``"fac"``, :func:`facilities_data`).

    Returns
    -------
    dict
        ``{"periods": [[key, plan year, label], ...], "run": the run's period or null,
        "default": key, "data": {key: {table: diff}}, "problems": [...],
        "pstate": {key: [...]}, "fac": {key: facilities}}`` (problems and states:
        :func:`_problems`; ``fac`` only with ``run_facilities``).

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
    out = {"periods": [[p.key, p.plan_year, period_label(p.key, lang)] for p in tl.periods],
           "run": tl.run_period, "default": tl.newest.key, "data": data,
           "problems": static, "pstate": states}
    if run_facilities is not None:
        out["fac"] = facilities_data(tl, run_facilities)
    return out
