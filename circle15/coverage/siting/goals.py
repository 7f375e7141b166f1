"""What siting aims at: the target rate per township, from the plan or from the caller.

:func:`target_for_layer` reads the plan's ``network_coverage`` indicator for a layer from
an evaluated targets table (:func:`circle15.coverage.plan.evaluate_targets`), or takes an
explicit rate; :func:`required_people` turns a rate into people with the targets table's
own rounding rule, so that siting's "met" is the targets table's "met".

Examples
--------
>>> t = target_for_layer(None, "clinic", zone_ids=["A", "B"], target_rate=0.9)
>>> t.scope, t.op, t.rate
('zone', 'ge', {'A': 90.0, 'B': 90.0})
>>> required_people(t.op, t.rate["A"], 150)
135
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from circle15.coverage.plan import Bound, Plan, load_plan, required_count
from circle15.errors import InputError
from circle15.vocab import COUNTY


@dataclass(frozen=True)
class TargetSpec:
    """What the siting aims at.

    Attributes
    ----------
    minutes : float
        Travel-time threshold.
    group : str
        Population group (``"total"`` or a group column).
    scope : str
        ``"zone"`` (every township must reach the rate) or ``"county"`` (county-wide rate).
    op : str
        ``"ge"``, ``"gt"`` or ``"none"`` (no target: maximise coverage up to ``max_sites``).
    rate : dict
        Zone id (or ``"ALL"`` for county scope) -> target rate in percent.
    source : str
        Where the target came from (indicator id, ``"target_rate"`` or ``"none"``).
    """

    minutes: float
    group: str
    scope: str = "zone"
    op: str = "none"
    rate: dict = field(default_factory=dict)
    source: str = "none"


def required_people(op: str, rate_pct: float, n: float) -> float:
    """Smallest number of people out of ``n`` meeting a rate bound (``op`` ``ge``/``gt``,
    ``rate_pct`` in percent): :func:`circle15.coverage.plan.required_count`."""
    return required_count(Bound(op, rate_pct), n)


def county_rate(target: TargetSpec) -> float:
    """The county-wide rate of a county-scope target (the mean of the per-zone rates when
    the plan states it per zone only)."""
    rate = target.rate.get(COUNTY)
    return float(np.mean(list(target.rate.values()))) if rate is None else rate


def target_for_layer(
    targets: pd.DataFrame | None,
    layer: str,
    *,
    zone_ids: Sequence[str],
    group: str = "total",
    target_rate: float | None = None,
    minutes: float = 15.0,
    indicator: str | None = None,
    plan: Plan | str | Path | None = None,
) -> TargetSpec:
    """The siting target of ``layer``.

    An explicit ``target_rate`` (0..1, every township) wins. Otherwise the plan's
    ``network_coverage`` indicator for the layer, as evaluated in ``targets`` (the one
    named by ``indicator``, else the first with a target this year, township-scope first)
    gives the minutes, the population group and the rate per township. Without either, no
    target: coverage is maximised up to ``max_sites``.

    Parameters
    ----------
    targets : pandas.DataFrame or None
        An evaluated targets table (one year).
    layer : str
        The layer key.
    zone_ids : sequence of str
        The townships (each gets ``target_rate``).
    group : str
        The layer's population group, when the indicator names none.
    target_rate : float, optional
        Rate in (0, 1] every township should reach.
    minutes : float
        Threshold when no indicator gives one.
    indicator : str, optional
        The plan indicator to site for (e.g. ``"X02"``).
    plan : Plan or str or Path, optional
        The plan (or its name or path, loaded only when needed), for a targets table
        without ``layer``/``minutes`` columns.

    Returns
    -------
    TargetSpec

    Raises
    ------
    InputError
        A rate outside (0, 1] (key ``siting.target_rate``), or an ``indicator`` that is
        not a rate target of the layer (key ``siting.indicator``).
    """
    if target_rate is not None:
        if not 0 < target_rate <= 1:
            raise InputError(f"target rate {target_rate} is not in (0, 1]",
                             key="siting.target_rate", hint="e.g. 0.9 for 90 %")
        return TargetSpec(float(minutes), group, "zone", "ge",
                          {str(z): 100.0 * target_rate for z in zone_ids}, "target_rate")
    if targets is None or not len(targets) or "kind" not in targets.columns:
        return TargetSpec(float(minutes), group)
    rows = targets[targets["kind"].astype(str) == "network_coverage"]
    if indicator:
        rows = rows[rows["indicator_id"].astype(str) == indicator]
        if rows.empty:
            raise InputError(f"no network_coverage indicator {indicator!r} in the targets",
                             key="siting.indicator")
    chosen = _choose(rows, layer, _measures(rows, plan))
    if chosen is None:
        if indicator:
            raise InputError(f"indicator {indicator!r} has no rate target for layer {layer!r}",
                             key="siting.indicator")
        return TargetSpec(float(minutes), group)
    iid, grp, scope, m = chosen
    op = next(b for b in grp["bound"].astype(str) if b in ("ge", "gt"))
    rate = {str(z): float(v) for z, v, b in zip(grp["zone_id"], grp["target_value"],
                                                grp["bound"], strict=True)
            if str(b) in ("ge", "gt") and np.isfinite(v)}
    return TargetSpec(float(m["minutes"]) if m["minutes"] is not None else float(minutes),
                      m["group"] or group, scope, op, rate, iid)


def _choose(rows: pd.DataFrame, layer: str, measures: dict[str, dict]
            ) -> tuple[str, pd.DataFrame, str, dict] | None:
    """The layer's first indicator with a rate target, township scope first."""
    chosen = None
    for iid, grp in rows.groupby("indicator_id", sort=False):
        m = measures.get(str(iid))
        if m is None or m["layer"] != layer:
            continue
        ops = set(grp["bound"].astype(str)) - {"none"}
        if not ops & {"ge", "gt"}:
            continue
        scope = str(grp["scope"].iloc[0]) if "scope" in grp.columns else "zone"
        if chosen is None or (chosen[2] != "zone" and scope == "zone"):
            chosen = (str(iid), grp, scope, m)
    return chosen


def _measures(rows: pd.DataFrame, plan: Plan | str | Path | None) -> dict[str, dict]:
    """Layer, minutes and group of each indicator: from the table, else from the plan."""
    out: dict[str, dict] = {}
    if {"layer", "minutes"} <= set(rows.columns):
        for iid, grp in rows.groupby("indicator_id", sort=False):
            r = grp.iloc[0]
            out[str(iid)] = {"layer": str(r["layer"]), "minutes": float(r["minutes"]),
                             "group": str(r["group"]) if "group" in grp.columns else ""}
        return out
    if plan is None:
        return out
    if not isinstance(plan, Plan):
        plan = load_plan(plan)
    for iid in pd.unique(rows["indicator_id"].astype(str)):
        try:
            m = plan.indicator(iid).measure
        except KeyError:
            continue
        out[iid] = {"layer": m.layer, "minutes": m.minutes, "group": m.group}
    return out
