"""Every indicator of a run for the map page: layer x threshold x year views, the plan's
indicators per township and year, and the 达标总览 (overview of missed targets).

Everything here is computed once in Python and embedded in the page, so the browser only
looks values up (switching is instant) and ``window.circle15.state()`` returns exactly
these numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circle15.maps.rundata import LayerInfo
from circle15.maps.zonestats import as_fraction, classify, neutral_color, shaded_color
from circle15.vocab import COMPOSITE, COUNTY

#: Statuses of ``targets_by_zone.csv`` that count as measurable (judged) targets.
MEASURED = ("met", "not_met")
#: Overview colours: no missed target, one, and the red shades for two, three, four or more.
OVERVIEW_COLORS = ("#1a9850", "#fdae61", "#fb6a4a", "#de2d26", "#a50f15")
OVERVIEW_NONE = "#bdbdbd"


@dataclass(frozen=True)
class Selector:
    """A layer the townships can be coloured by (a facility layer or the composite)."""

    key: str
    label: str
    group: str


def _num(x: object) -> float | None:
    """A finite float rounded for the page, or None."""
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) or math.isinf(v) else round(v, 6)


def key(layer: str, minutes: float, year: int | None = None) -> str:
    """Page key of a view: ``"fitness|15"`` or ``"fitness|15|2027"``."""
    base = f"{layer}|{minutes:g}"
    return base if year is None else f"{base}|{year}"


def coverage_rows(cov: pd.DataFrame, layer: str, group: str, minutes: float
                  ) -> pd.DataFrame:
    """Rows of ``coverage_by_zone.csv`` for a layer at a threshold, for the layer's group
    (falling back to ``total``), one per zone."""
    rows = cov[(cov["layer"].astype(str) == layer) & np.isclose(cov["minutes"], minutes)]
    for g in (group, "total"):
        sel = rows[rows["group"].fillna("total").astype(str) == g]
        if not sel.empty:
            return sel.drop_duplicates("zone_id")
    return rows.drop_duplicates("zone_id")


def target_rows(targets: pd.DataFrame | None, layer: str, minutes: float, year: int
                ) -> pd.DataFrame | None:
    """The network-coverage indicator rows for a layer, threshold and year (the first
    indicator id when several apply), or None."""
    if targets is None or targets.empty:
        return None
    sel = targets[(targets["layer"].astype(str) == layer)
                  & np.isclose(pd.to_numeric(targets["minutes"], errors="coerce"), minutes)]
    if "kind" in sel:
        net = sel[sel["kind"].astype(str) == "network_coverage"]
        sel = net if not net.empty else sel
    if "year" in sel and sel["year"].notna().any():
        sel = sel[sel["year"] == year]
    if sel.empty:
        return None
    first = min(sel["indicator_id"].astype(str).unique())
    return sel[sel["indicator_id"].astype(str) == first].drop_duplicates("zone_id")


def zone_view(cov: pd.DataFrame, targets: pd.DataFrame | None, sel: Selector,
              minutes: float, year: int) -> dict[str, list]:
    """``zone_id -> [rate, target, status, gap_people, colour, population, covered]`` for
    one layer, threshold and year; rates and targets as fractions, None where missing."""
    rows = coverage_rows(cov, sel.key, sel.group, minutes)
    trows = target_rows(targets, sel.key, minutes, year)
    t = trows.set_index("zone_id") if trows is not None else None
    out: dict[str, list] = {}
    for r in rows.itertuples(index=False):
        zid = str(r.zone_id)
        rate = _num(r.coverage_rate)
        target, gap, csv_status = None, None, ""
        if t is not None and zid in t.index:
            target = _num(as_fraction(t.at[zid, "target"]))
            gap = _num(t.at[zid, "gap_people"]) if "gap_people" in t else None
            csv_status = str(t.at[zid, "status"])
        status = classify(math.nan if rate is None else rate,
                          math.nan if target is None else target, csv_status)
        if status == "no_target":
            target = None if csv_status in ("no_target", "not_measurable", "") else target
            color = neutral_color(math.nan if rate is None else rate)
        else:
            color = shaded_color(status, rate, target)
        out[zid] = [rate, target, status, gap, color, _num(r.population),
                    _num(r.covered_population)]
    return out


def all_views(cov: pd.DataFrame, targets: pd.DataFrame | None, selectors: list[Selector],
              thresholds: list[float], years: list[int]) -> dict[str, dict[str, list]]:
    """Every ``layer|minutes|year`` view (see :func:`zone_view`)."""
    return {key(s.key, m, y): zone_view(cov, targets, s, m, y)
            for s in selectors for m in thresholds for y in years}


def page_tables(cov: pd.DataFrame, targets: pd.DataFrame | None, sels: list[Selector],
                thresholds: list[float], years: list[int], index: dict[str, int]) -> dict:
    """The page's ``views`` (townships), ``county``, ``rows`` and ``overview`` of one set of
    coverage and targets tables (the run's, or a recorded period's)."""
    views = all_views(cov, targets, sels, thresholds, years)
    county = {k: v.pop(COUNTY) for k, v in views.items() if COUNTY in v}
    rows = indicator_rows(targets, index)
    return {"views": views, "county": county, "rows": rows, "overview": overview(rows)}


def selectors(layers: tuple[LayerInfo, ...], cov: pd.DataFrame, lang: str
              ) -> list[Selector]:
    """The facility layers, then the composite 完整服务圈 when the run computed it."""
    out = [Selector(lay.key, lay.label(lang), lay.group) for lay in layers]
    if (cov["layer"].astype(str) == COMPOSITE).any():
        out.append(Selector(COMPOSITE, "完整服务圈（全部设施）" if lang == "zh"
                            else "Full circle (every layer)", "total"))
    return out


def plan_years(targets: pd.DataFrame | None, plan_years_: tuple[int, ...],
               year: int | None) -> list[int]:
    """Years the page offers: those of the targets table, else the plan's, else ``year``."""
    if targets is not None and "year" in targets and targets["year"].notna().any():
        return sorted(int(y) for y in targets["year"].dropna().unique())
    if plan_years_:
        return sorted(plan_years_)
    return [int(year)] if year else [0]


_IND_COLS = ("indicator_id", "name_zh", "name_en", "unit", "unit_en", "kind", "layer",
             "minutes", "scope", "level", "domain_zh", "domain_en", "responsible")


def indicator_table(targets: pd.DataFrame | None, lang: str,
                    responsible_en: dict[str, str]) -> tuple[list[dict], dict[str, int]]:
    """The indicators of ``targets_by_zone.csv`` in file order, with their display fields,
    and ``indicator_id -> index``."""
    if targets is None or targets.empty:
        return [], {}
    first = targets.drop_duplicates("indicator_id")
    meta: list[dict] = []
    index: dict[str, int] = {}
    for r in first.itertuples(index=False):
        d = {c: getattr(r, c, None) for c in _IND_COLS}
        iid = str(d["indicator_id"])
        en = lang == "en"
        resp = str(d["responsible"] or "") if isinstance(d["responsible"], str) else ""
        name = d["name_en"] if en and isinstance(d["name_en"], str) else d["name_zh"]
        unit = d["unit_en"] if en and isinstance(d["unit_en"], str) else d["unit"]
        index[iid] = len(meta)
        meta.append({"id": iid, "name": str(name if isinstance(name, str) else iid),
                     "unit": unit if isinstance(unit, str) else "",
                     "kind": str(d["kind"] or ""),
                     "resp": responsible_en.get(iid, resp) if en else resp})
    return meta, index


def indicator_rows(targets: pd.DataFrame | None, index: dict[str, int]
                   ) -> dict[str, dict[str, list]]:
    """``year -> zone_id -> [[indicator index, value, target as printed, status,
    gap_value, gap_people], ...]`` for every row of ``targets_by_zone.csv``."""
    out: dict[str, dict[str, list]] = {}
    if targets is None or targets.empty:
        return out
    raw_target = targets["target_text"] if "target_text" in targets else targets["target"]
    years = targets["year"] if "year" in targets else pd.Series(0, index=targets.index)
    for r, tt, y in zip(targets.itertuples(index=False), raw_target, years):
        yk = str(int(y)) if not pd.isna(y) else "0"
        tt = "/" if tt is None or (isinstance(tt, float) and math.isnan(tt)) else str(tt)
        if tt.endswith(".0") and tt[:-2].isdigit():
            tt = tt[:-2]
        out.setdefault(yk, {}).setdefault(str(r.zone_id), []).append(
            [index[str(r.indicator_id)], _num(r.value), tt, str(r.status),
             _num(getattr(r, "gap_value", None)), _num(getattr(r, "gap_people", None))])
    return out


def overview(rows: dict[str, dict[str, list]]) -> dict[str, dict[str, list]]:
    """``year -> zone_id -> [missed, measured, colour, [indices missed]]`` (达标总览)."""
    out: dict[str, dict[str, list]] = {}
    for y, zones in rows.items():
        for zid, items in zones.items():
            if zid == COUNTY:
                continue
            measured = [it for it in items if it[3] in MEASURED]
            missed = [it[0] for it in measured if it[3] == "not_met"]
            if not measured:
                color = OVERVIEW_NONE
            else:
                color = OVERVIEW_COLORS[min(len(missed), len(OVERVIEW_COLORS) - 1)]
            out.setdefault(y, {})[zid] = [len(missed), len(measured), color, missed]
    return out
