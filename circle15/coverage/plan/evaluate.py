"""Evaluation of a plan's targets per township and county-wide.

:func:`evaluate_targets` compares every indicator of a :class:`~circle15.coverage.plan.Plan`
with its target for one year, per township and county-wide, and says what input is missing
where an indicator cannot be computed; :func:`evaluate_all_years` does it for every plan
year (the ``targets_by_zone.csv`` of a run).

Examples
--------
>>> import pandas as pd
>>> from circle15.coverage.plan import load_plan
>>> zones = pd.DataFrame({"zone_id": ["A"], "zone_name": ["甲镇"], "population": [100]})
>>> df = evaluate_targets(load_plan("zhuji-2023"), 2027, coverage=pd.DataFrame(),
...                       zones=zones, county_name="County")
>>> sorted(set(df["zone_name"]))
['County', '甲镇']
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from circle15.coverage.plan.model import (
    COLUMNS,
    Bound,
    Indicator,
    Measure,
    Plan,
    check_year,
    required_count,
)
from circle15.coverage.plan.reported import reported_lookup
from circle15.errors import InputError
from circle15.vocab import COMPOSITE, COUNTY
from circle15.vocab import county_name as _county_name

#: Name of the county rows when the caller gives none (a real county, Chinese).
DEFAULT_COUNTY_NAME = _county_name(False, "zh")


@dataclass
class _Res:
    """One evaluated cell (indicator × zone)."""

    value: float = np.nan
    status: str = "not_measurable"
    gap_value: float = np.nan
    gap_people: float = np.nan
    gap_capacity: float = np.nan
    gap_units: float = np.nan
    needs: str = ""
    source: str = ""
    note: str = ""


def _status(bound: Bound, value: float) -> str:
    if bound.op == "none":
        return "no_target"
    if value is None or not np.isfinite(value):
        return "not_measurable"
    return "met" if bound.met(value) else "not_met"


def _gap_value(bound: Bound, value: float) -> float:
    """Distance to the target in the indicator's unit (0 when met; positive = short)."""
    if bound.op == "none" or not np.isfinite(value):
        return np.nan
    if bound.met(value):
        return 0.0
    return abs(bound.number - value)


def _id_str(v: Any) -> str | None:
    """An identifier as text: ``330681001.0`` -> ``"330681001"``; missing -> None."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    t = str(v).strip()
    return t or None


def _zone_str(s: pd.Series) -> pd.Series:
    return s.astype(object).map(_id_str)


def evaluate_targets(
    plan: Plan,
    year: int,
    *,
    coverage: pd.DataFrame,
    zones: pd.DataFrame,
    facilities: pd.DataFrame | None = None,
    villages: pd.DataFrame | None = None,
    reported: pd.DataFrame | None = None,
    county_name: str = DEFAULT_COUNTY_NAME,
) -> pd.DataFrame:
    """Evaluate every indicator of ``plan`` for ``year``, per township and county-wide.

    Parameters
    ----------
    plan : Plan
    year : int
        Target year; must be one of ``plan.years``.
    coverage : pandas.DataFrame
        ``zone_id, zone_name, layer, group, minutes, population, covered_population,
        coverage_rate`` (rate in 0..1; ``zone_id == "ALL"`` county rows; ``layer == "ALL"``
        the composite full circle).
    zones : pandas.DataFrame
        ``zone_id, zone_name, population`` and one column per population group.
    facilities : pandas.DataFrame, optional
        ``facility_id, layer, subtype, capacity, staff, zone_id, village_id`` (+ any
        quantity column a per-capita indicator names, e.g. ``area_m2``).
    villages : pandas.DataFrame, optional
        ``village_id, village_name, zone_id``: every village, for village-level coverage.
    reported : pandas.DataFrame, optional
        ``indicator_id, zone_id, value`` (and optionally ``year``), see
        :func:`~circle15.coverage.plan.read_reported`.
    county_name : str
        ``zone_name`` of the county rows; a run passes
        :func:`circle15.vocab.county_name` so it matches the coverage table.

    Returns
    -------
    pandas.DataFrame
        One row per indicator × zone, plus county rows (``zone_id == "ALL"``), columns
        :data:`~circle15.coverage.plan.COLUMNS`. ``status`` is ``met``, ``not_met``,
        ``no_target`` or ``not_measurable`` (then ``needs`` says what input would make it
        computable). Rates are in percent and gaps in percentage points. For
        ``scope == "zone"`` indicators the county gaps are the sums of the township gaps
        and the county is met only when every township is.

    Raises
    ------
    InputError
        If ``year`` is outside the plan or required columns are missing.
    """
    check_year(plan, year)
    for col in ("zone_id", "zone_name", "population"):
        if col not in zones.columns:
            raise InputError(f"zones table lacks column {col!r}", column=col)
    zt = zones.copy()
    zt["zone_id"] = _zone_str(zt["zone_id"])
    ctx = _Context(zt, coverage, facilities, villages, reported_lookup(reported, year))
    rows = []
    for ind in plan.indicators:
        bound = ind.bound(year)
        per_zone, county = _evaluate(ind, bound, ctx)
        for zid, zname in [*zip(ctx.zone_ids, ctx.zone_names, strict=True),
                           (COUNTY, county_name)]:
            res = county if zid == COUNTY else per_zone[zid]
            rows.append(_row(ind, year, bound, zid, zname, res))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["number"] = df["number"].astype("Int64")
    for c in ("target_value", "value", "gap_value", "gap_people", "gap_capacity", "gap_units",
              "minutes"):
        df[c] = df[c].astype(float)
    df["core"] = df["core"].astype(bool)
    df["observational"] = df["observational"].astype(bool)
    df.attrs.update(plan=plan.name, year=year)
    return df


def evaluate_all_years(plan: Plan, **kwargs: Any) -> pd.DataFrame:
    """:func:`evaluate_targets` for every year of ``plan.years``, one table.

    Parameters
    ----------
    plan : Plan
    **kwargs
        The keyword arguments of :func:`evaluate_targets` (``coverage``, ``zones``,
        ``facilities``, ``villages``, ``reported``, ``county_name``).

    Returns
    -------
    pandas.DataFrame
        The tables of the years in order, concatenated (``year`` column set per row);
        ``attrs`` are ``plan`` and ``years``.

    Examples
    --------
    >>> import pandas as pd
    >>> from circle15.coverage.plan import load_plan
    >>> zones = pd.DataFrame({"zone_id": ["A"], "zone_name": ["甲镇"], "population": [100]})
    >>> df = evaluate_all_years(load_plan("zhuji-2023"), coverage=pd.DataFrame(), zones=zones)
    >>> sorted(set(df["year"]))
    [2023, 2024, 2025, 2026, 2027]
    """
    tables = [evaluate_targets(plan, y, **kwargs) for y in plan.years]
    df = pd.concat(tables, ignore_index=True)
    df.attrs = {"plan": plan.name, "years": tuple(plan.years)}
    return df


def _row(ind: Indicator, year: int, bound: Bound, zid: str, zname: str, res: _Res
         ) -> dict[str, Any]:
    """One row of the targets table."""
    m = ind.measure
    net = m.kind == "network_coverage"
    return {
        "indicator_id": ind.id, "number": ind.number, "domain": ind.domain,
        "domain_zh": ind.domain_zh, "domain_en": ind.domain_en,
        "name_zh": ind.name_zh, "name_en": ind.name_en, "zone_id": zid,
        "zone_name": zname, "year": year, "target": ind.target_text(year),
        "bound": bound.op, "target_value": bound.value if bound.value is not None
        else np.nan, "value": res.value, "unit": ind.unit, "unit_en": ind.unit_en,
        "status": res.status, "gap_value": res.gap_value, "gap_people": res.gap_people,
        "gap_capacity": res.gap_capacity, "gap_units": res.gap_units,
        "needs": res.needs, "source": res.source, "kind": m.kind,
        # what the indicator is measured on (maps and siting read these)
        "layer": m.layer,
        "minutes": m.minutes if net and m.minutes is not None else np.nan,
        "group": m.group if net else "",
        "level": m.level if m.kind == "admin_coverage" else "",
        "scope": ind.scope, "core": ind.core, "observational": ind.observational,
        "direction": ind.direction, "responsible": ind.responsible, "note": res.note,
    }


class _Context:
    """Inputs normalised once for all indicators."""

    def __init__(self, zones: pd.DataFrame, coverage: pd.DataFrame,
                 facilities: pd.DataFrame | None, villages: pd.DataFrame | None,
                 reported: dict[tuple[str, str], float]) -> None:
        self.zones = zones.set_index("zone_id")
        if self.zones.index.has_duplicates:
            dup = self.zones.index[self.zones.index.duplicated()][0]
            raise InputError(f"duplicate zone id {dup!r} in the zones table", column="zone_id")
        self.zone_ids = zones["zone_id"].tolist()
        self.zone_names = zones["zone_name"].astype(str).tolist()
        cov = coverage.copy() if coverage is not None else pd.DataFrame()
        if len(cov):
            missing = {"zone_id", "layer", "group", "minutes", "population",
                       "covered_population"} - set(cov.columns)
            if missing:
                raise InputError(f"coverage table lacks columns {sorted(missing)}",
                                 column=min(missing))
            cov["zone_id"] = _zone_str(cov["zone_id"])
            cov["layer"] = cov["layer"].astype(str)
            cov["group"] = cov["group"].astype(str)
            cov["minutes"] = cov["minutes"].astype(float)
        self.coverage = cov
        #: Layers the run was configured with (those with coverage rows).
        self.layers = set(cov["layer"]) if len(cov) else set()
        fac = facilities.copy() if facilities is not None else None
        if fac is not None:
            if "layer" not in fac.columns:
                raise InputError("facilities table lacks column 'layer'", column="layer")
            fac["layer"] = fac["layer"].astype(str)
            for col in ("zone_id", "village_id"):
                if col in fac.columns:
                    fac[col] = _zone_str(fac[col])
        self.facilities = fac
        vil = villages.copy() if villages is not None else None
        if vil is not None:
            for col in ("village_id", "zone_id"):
                if col not in vil.columns:
                    raise InputError(f"villages table lacks column {col!r}", column=col)
            vil["village_id"] = _zone_str(vil["village_id"])
            vil["zone_id"] = _zone_str(vil["zone_id"])
        self.villages = vil
        self.reported = reported

    def group_population(self, group: str) -> pd.Series | None:
        col = "population" if group == "total" else group
        if col not in self.zones.columns:
            return None
        return pd.to_numeric(self.zones[col], errors="coerce").astype(float)

    def layer_facilities(self, layer: str, subtypes: tuple[str, ...], missing: str) -> tuple[
            pd.DataFrame | None, str]:
        """Facilities of a layer (and subtypes), or None with what is missing.

        ``missing`` is what is missing when no facilities table was given at all.
        """
        fac = self.facilities
        if fac is None:
            return None, missing
        sel = fac[fac["layer"] == layer]
        if sel.empty and layer not in self.layers:
            return None, f"facility layer '{layer}' (a [[layers]] entry with key = '{layer}')"
        if subtypes and "subtype" not in fac.columns:
            return None, (f"a 'subtype' column in facility layer '{layer}' "
                          f"({' / '.join(subtypes)})")
        return of_subtypes(sel, subtypes), ""


def of_subtypes(fac: pd.DataFrame, subtypes: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``fac`` whose ``subtype`` is one of ``subtypes`` (case-insensitive,
    trimmed); every row when ``subtypes`` is empty."""
    if not subtypes:
        return fac
    wanted = {s.casefold() for s in subtypes}
    sub = fac["subtype"].astype(object).map(
        lambda v: "" if pd.isna(v) else str(v).strip().casefold())
    return fac[sub.isin(wanted)]


def _unmeasurable(ctx: _Context, need: str) -> tuple[dict[str, _Res], _Res]:
    """Every zone and the county not measurable for want of ``need``."""
    return {z: _Res(needs=need) for z in ctx.zone_ids}, _Res(needs=need)


def _evaluate(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    kind = ind.measure.kind
    if kind == "network_coverage":
        per_zone, county = _eval_network(ind, bound, ctx)
    elif kind == "admin_coverage":
        per_zone, county = _eval_admin(ind, bound, ctx)
    elif kind == "per_capita":
        per_zone, county = _eval_per_capita(ind, bound, ctx)
    else:
        per_zone = {z: _Res() for z in ctx.zone_ids}
        county = _Res()
    # Reported values fill what could not be computed (and are the only source for
    # reported indicators).
    for zid, res in [*per_zone.items(), (COUNTY, county)]:
        key = (ind.id, zid)
        if not np.isfinite(res.value) and key in ctx.reported:
            what = res.needs
            res.value = ctx.reported[key]
            res.source = "reported"
            res.needs = ""
            res.gap_people = res.gap_capacity = res.gap_units = np.nan
            res.status = _status(bound, res.value)
            res.gap_value = _gap_value(bound, res.value)
            if what:
                res.note = (res.note + " " if res.note else "") + \
                    f"reported value used (not computable: needs {what})"
        elif not np.isfinite(res.value) and not res.needs:
            res.needs = f"a reported value (targets.reported CSV, zone_id {zid})"
        if not np.isfinite(res.value):
            res.status = "no_target" if bound.op == "none" else "not_measurable"
        elif bound.op == "none":
            res.status = "no_target"
    if ind.scope == "zone" and kind != "reported":
        _sum_zone_gaps(bound, per_zone, county)
    return per_zone, county


def _sum_zone_gaps(bound: Bound, per_zone: dict[str, _Res], county: _Res) -> None:
    """County gaps for township-scope targets: the sums of the township gaps."""
    if bound.op == "none":
        return
    statuses = [r.status for r in per_zone.values()]
    for attr in ("gap_people", "gap_capacity", "gap_units"):
        vals = [getattr(r, attr) for r in per_zone.values() if r.status in ("met", "not_met")]
        if vals and any(np.isfinite(v) for v in vals):
            setattr(county, attr, float(np.nansum(vals)))
    if "not_met" in statuses:
        county.status = "not_met"
        if county.note == "" or "township" not in county.note:
            n = statuses.count("not_met")
            county.note = (county.note + "; " if county.note else "") + \
                f"{n} township(s) below target; the target applies to every township"
    elif statuses and all(s == "met" for s in statuses) and np.isfinite(county.value):
        county.status = "met"


def _minutes(m: Measure) -> float:
    """The threshold of a network-coverage measure (``load_plan`` rejects one without)."""
    if m.minutes is None:
        raise ValueError(f"measure of layer {m.layer!r} has no minutes")
    return m.minutes


def _eval_network(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    m = ind.measure
    cov = ctx.coverage
    layer_txt = "the full circle (every required layer)" if m.layer == COMPOSITE else \
        f"layer '{m.layer}'"
    need = ""
    sel = None
    if not len(cov):
        need = f"a coverage table ({layer_txt}, {m.minutes:g} min, group '{m.group}')"
    else:
        by_layer = cov[cov["layer"] == m.layer]
        if by_layer.empty:
            need = (f"coverage of {layer_txt}: add a [[layers]] entry with key = '{m.layer}'"
                    if m.layer != COMPOSITE else
                    "composite coverage rows (layer 'ALL'): configure required layers")
        else:
            by_group = by_layer[by_layer["group"] == m.group]
            if by_group.empty:
                need = f"coverage of {layer_txt} for population group '{m.group}' " \
                    f"(define it under [population] groups)"
            else:
                sel = by_group[np.isclose(by_group["minutes"], _minutes(m))]
                if sel.empty:
                    need = f"coverage within {m.minutes:g} minutes (add {m.minutes:g} to " \
                        "coverage.thresholds)"
    per_zone: dict[str, _Res] = {}
    if need or sel is None:
        return _unmeasurable(ctx, need)
    rows = {r["zone_id"]: r for r in sel.to_dict("records")}

    def one(r: dict | None, where: str) -> _Res:
        if r is None:
            return _Res(needs=f"coverage rows for {where}")
        pop = float(r["population"])
        cov_p = float(r["covered_population"])
        if not pop > 0:
            return _Res(needs=f"people of group '{m.group}' in this zone (none in the inputs)",
                        note="no population of this group")
        value = 100.0 * cov_p / pop
        res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
                   source="computed")
        if bound.op in ("ge", "gt"):
            need_n = required_count(bound, pop)
            res.gap_people = float(max(0, math.ceil(need_n - cov_p - 1e-9))) \
                if res.status == "not_met" else 0.0
        return res

    for z in ctx.zone_ids:
        per_zone[z] = one(rows.get(z), f"zone {z}")
    if COUNTY in rows:
        county = one(rows[COUNTY], "the county")
    else:  # sum of zones
        zs = [rows[z] for z in ctx.zone_ids if z in rows]
        county = one({"population": sum(float(r["population"]) for r in zs),
                      "covered_population": sum(float(r["covered_population"]) for r in zs)}
                     if zs else None, "the county")
    return per_zone, county


def _eval_admin(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[dict[str, _Res], _Res]:
    m = ind.measure
    what = f"facility layer '{m.layer}'" + (f" (subtype {' / '.join(m.subtypes)})"
                                          if m.subtypes else "")
    fac, need = ctx.layer_facilities(m.layer, m.subtypes, f"facilities of {what}")
    if fac is None:
        return _unmeasurable(ctx, need)
    if m.level == "township":
        if "zone_id" not in fac.columns:
            need = f"zone_id of each facility of {what}"
            return _unmeasurable(ctx, need)
        have = set(fac["zone_id"].dropna())
        units = {z: [z] for z in ctx.zone_ids}
        unit_has = {z: z in have for z in ctx.zone_ids}
        unit_word = "township"
    else:
        if ctx.villages is None:
            need = "a villages table (village_id, village_name, zone_id) listing every village"
            return _unmeasurable(ctx, need)
        if "village_id" not in fac.columns or (len(fac) and fac["village_id"].isna().all()):
            need = f"village_id of each facility of {what}"
            return _unmeasurable(ctx, need)
        have = set(fac["village_id"].dropna())
        vil = ctx.villages
        units = {z: vil.loc[vil["zone_id"] == z, "village_id"].tolist() for z in ctx.zone_ids}
        unit_has = {v: v in have for v in vil["village_id"]}
        unit_word = "village"
    pops = ctx.group_population("total")
    per_zone: dict[str, _Res] = {}
    tot_n = tot_have = 0
    for z in ctx.zone_ids:
        ids = units[z]
        n = len(ids)
        k = sum(unit_has[u] for u in ids)
        tot_n += n
        tot_have += k
        if n == 0:
            per_zone[z] = _Res(needs=f"the {unit_word}s of zone {z} in the villages table")
            continue
        per_zone[z] = _admin_res(bound, k, n, ind.scope,
                                 pops.get(z, np.nan) if pops is not None else np.nan,
                                 level=m.level)
    county = _admin_res(bound, tot_have, tot_n, "county", np.nan, level=m.level) if tot_n \
        else _Res(needs="a non-empty villages table")
    if m.level == "township" and tot_n:
        missing = [ctx.zones.loc[z, "zone_name"] for z in ctx.zone_ids if not unit_has[z]]
        if missing:
            county.note = "without: " + "、".join(map(str, missing))
    return per_zone, county


def _admin_res(bound: Bound, k: int, n: int, scope: str, pop: float, *, level: str) -> _Res:
    value = 100.0 * k / n
    res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
               source="computed", note=f"{k} of {n} {level}s")
    if bound.op in ("ge", "gt"):
        if res.status == "not_met":
            need_n = required_count(bound, n)
            res.gap_units = float(max(0, min(need_n, n) - k))
            # People: for a township that must itself have the service, everyone living there.
            if level == "township" and scope == "zone" and k == 0 and np.isfinite(pop):
                res.gap_people = float(pop)
        else:
            res.gap_units = 0.0
            if level == "township" and scope == "zone":
                res.gap_people = 0.0
    return res


def _eval_per_capita(ind: Indicator, bound: Bound, ctx: _Context) -> tuple[
        dict[str, _Res], _Res]:
    m = ind.measure
    pops = ctx.group_population(m.group)
    fac, need = ctx.layer_facilities(
        m.layer, m.subtypes, f"facilities of layer '{m.layer}' with a '{m.quantity}' column")
    if pops is None:
        need = f"population of group '{m.group}' per zone (a '{m.group}' column in the zones " \
            "table; define it under [population] groups)"
    elif fac is not None and (m.quantity not in fac.columns or (
            len(fac) and pd.to_numeric(fac[m.quantity], errors="coerce").isna().all())):
        need = f"a '{m.quantity}' column in facility layer '{m.layer}'"
    if need or fac is None or pops is None:  # fac and pops are set whenever need is empty
        return _unmeasurable(ctx, need)
    qty = pd.to_numeric(fac[m.quantity], errors="coerce").astype(float)
    n_missing = int(qty.isna().sum())
    zone_of = fac["zone_id"] if "zone_id" in fac.columns else \
        pd.Series([None] * len(fac), index=fac.index, dtype=object)
    supply = qty.fillna(0.0).groupby(zone_of.fillna("__none__")).sum()
    note = f"{n_missing} facilities without {m.quantity} counted as 0" if n_missing else ""

    def one(s: float, pop: float) -> _Res:
        if not pop > 0:
            return _Res(needs=f"people of group '{m.group}' in this zone (none in the inputs)",
                        note="no population of this group")
        value = s / pop * m.per
        res = _Res(value=value, status=_status(bound, value), gap_value=_gap_value(bound, value),
                   source="computed", note=note)
        if bound.op in ("ge", "gt"):
            if res.status == "not_met":
                need_s = bound.number * pop / m.per
                add = need_s - s
                res.gap_capacity = float(math.floor(add + 1e-9) + 1) if bound.op == "gt" \
                    else float(math.ceil(add - 1e-9))
            else:
                res.gap_capacity = 0.0
        return res

    if "zone_id" in fac.columns:
        per_zone = {z: one(float(supply.get(z, 0.0)), float(pops.get(z, np.nan)))
                    for z in ctx.zone_ids}
    else:
        per_zone = {z: _Res(needs=f"zone_id of each facility of layer '{m.layer}'")
                    for z in ctx.zone_ids}
    county = one(float(qty.fillna(0.0).sum()), float(pops.sum()))
    unzoned = float(supply.get("__none__", 0.0))
    if unzoned:
        county.note = (county.note + "; " if county.note else "") + \
            f"{unzoned:g} {m.quantity} at facilities outside every zone counted county-wide only"
    return per_zone, county
