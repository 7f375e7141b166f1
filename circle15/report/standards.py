"""The standards table for people: every denominator of a layer and level side by side.

``standards_by_zone.csv`` is long (one row per zone × entry × level × denominator) for
machines; :func:`standards_wide` lays it out one row per zone × entry × level with the rate
of each denominator in its own column (the workbook sheet), and :func:`standards_section`
gives the county rows as a report section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from circle15.report import labels as L
from circle15.report.summary import Section, Table
from circle15.vocab import (
    CIRCLE_LEVELS,
    COMPOSITE,
    COUNTY,
    MODE_LABELS,
    PROFILE_LABELS,
    RESIDENT_CLASSES,
)

#: Columns of the wide table -> (Chinese, English) header.
STANDARD_HEADERS = {
    "std_zone": ("乡镇（街道）", "Township"),
    "std_item": ("设施（标准条目）", "Facility (standard item)"),
    "std_layer": ("图层", "Layer"),
    "std_level": ("生活圈层级", "Circle level"),
    "std_residents": ("评价对象", "Judged residents"),
    "std_minutes": ("时间阈值（分钟）", "Minutes"),
    "std_modes": ("出行方式", "Modes"),
    "std_profile": ("步速档", "Speed profile"),
    "std_mark": ("▲必配/△宜配", "▲ required / △ recommended"),
    "std_verified": ("标准值已核对原文", "Values checked against the text"),
    "std_population": ("人口覆盖率", "People covered"),
    "std_group": ("服务人群覆盖率", "Target group covered"),
    "std_villages_n": ("覆盖村/社区", "Villages covered"),
    "std_villages": ("村/社区覆盖率", "Villages covered (share)"),
    "std_townships": ("有设施的镇街比例", "Townships with a facility"),
    "std_quota": ("千人指标达成率（供给/要求）", "Quota met (supply / required)"),
    "std_within": ("覆盖且容量充足", "Covered within capacity"),
    "std_over": ("覆盖但超容量", "Covered but over capacity"),
    "std_floor_area": ("住宅建筑面积覆盖率", "Floor area covered"),
}
#: Number format of each rate column (all fractions shown as %).
RATE_COLUMNS = ("std_population", "std_group", "std_villages", "std_townships", "std_quota",
                "std_within", "std_over", "std_floor_area")
_DEN_COLUMN = {"population": "std_population", "group": "std_group",
               "villages": "std_villages", "townships": "std_townships", "quota": "std_quota",
               "capacity_within": "std_within", "capacity_over": "std_over",
               "floor_area": "std_floor_area"}
_KEY = ["zone_id", "entry", "layer", "level"]


def _item(r: Mapping[str, Any], lang: str) -> str:
    if r["entry"] == COMPOSITE:
        return L.pick(("完整服务圈（全部▲项）", "Complete circle (every ▲ item)"), lang)
    return str(r.get("entry_name") or r["entry"])


def _modes(text: str, lang: str) -> str:
    return "/".join(L.label(MODE_LABELS, m, lang) for m in str(text).split("+") if m)


def _describe(first: pd.DataFrame, lang: str, names: dict[str, tuple[str, str]], county: str
              ) -> pd.DataFrame:
    """The descriptive columns of each zone × entry × level."""
    recs = first.to_dict("records")
    return pd.DataFrame({
        "std_zone": [county if r["zone_id"] == COUNTY else r["zone_name"] for r in recs],
        "std_item": [_item(r, lang) for r in recs],
        "std_layer": ["" if r["layer"] == COMPOSITE else L.label(names, r["layer"], lang)
                      for r in recs],
        "std_level": [L.label(CIRCLE_LEVELS, r["level"], lang) for r in recs],
        "std_residents": [L.pick(("全部居民", "All residents"), lang) if r["residents"] == "all"
                          else L.label(RESIDENT_CLASSES, r["residents"], lang) for r in recs],
        "std_minutes": [r["minutes"] for r in recs],
        "std_modes": [_modes(r["modes"], lang) for r in recs],
        "std_profile": [L.label(PROFILE_LABELS, r["profile"], lang) if r["profile"] else ""
                        for r in recs],
        "std_mark": ["" if r["entry"] == COMPOSITE else "▲" if r["required"] else "△"
                     for r in recs],
        "std_verified": ["" if r["entry"] == COMPOSITE else
                         L.pick(("是", "yes"), lang) if r.get("verified") else
                         L.pick(("否（未核对）", "no (not checked)"), lang) for r in recs],
    })


def standards_wide(table: pd.DataFrame, lang: str = "zh",
                   layers: Sequence[Mapping[str, Any]] = (), county: str = "") -> pd.DataFrame:
    """One row per zone × entry × level, each denominator's rate in its own column.

    Parameters
    ----------
    table : pandas.DataFrame
        ``standards_by_zone`` (:func:`circle15.coverage.levels.standards_table`).
    lang : {"zh", "en"}
    layers : sequence of dict
        The run's layer specs (layer names).
    county : str
        Name of the county rows.

    Returns
    -------
    pandas.DataFrame
        Columns of :data:`STANDARD_HEADERS` that have values; rates are fractions.
    """
    if table is None or table.empty:
        return pd.DataFrame(columns=list(STANDARD_HEADERS))
    t = table.copy()
    t["_order"] = np.arange(len(t))
    first = t.drop_duplicates(_KEY).sort_values("_order")
    out = _describe(first, lang, L.layer_labels(layers), county)
    idx = pd.MultiIndex.from_frame(first[_KEY].astype(str))
    for den, col in _DEN_COLUMN.items():
        part = t[t["denominator"] == den]
        if part.empty:
            continue
        rate = pd.Series(part["rate"].to_numpy(float),
                         index=pd.MultiIndex.from_frame(part[_KEY].astype(str)))
        out[col] = rate.reindex(idx).to_numpy()
        if den == "villages":
            n = part.apply(lambda r: f"{r['covered']:.0f}/{r['total']:.0f}", axis=1)
            out["std_villages_n"] = pd.Series(n.to_numpy(), index=rate.index).reindex(idx)\
                .to_numpy()
    cols = [c for c in STANDARD_HEADERS if c in out.columns]
    return out[cols].reset_index(drop=True)


def _cell(col: str, v: Any) -> str:
    if col in RATE_COLUMNS:
        return L.fmt_pct(v)
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    return L.fmt_num(float(v)) if col == "std_minutes" else str(v)


def standards_section(table: pd.DataFrame | None, lang: str, number: str,
                      layers: Sequence[Mapping[str, Any]] = (), county: str = "",
                      catalogue: str = "") -> Section | None:
    """The county rows side by side, as a report section (``None`` without a table)."""
    if table is None or table.empty:
        return None
    wide = standards_wide(table[table["zone_id"] == COUNTY], lang, layers, county)
    cols = [c for c in ("std_item", "std_level", "std_residents", "std_minutes", "std_modes",
                        "std_profile", "std_mark", "std_population", "std_group",
                        "std_villages_n", "std_villages", "std_townships") if c in wide.columns
            and (c != "std_profile" or (wide[c] != "").any())]
    rows = [[_cell(c, r[c]) for c in cols] for r in wide.to_dict("records")]
    note = L.pick((
        f"每类设施按其标准（目录：{catalogue}）各层级的时间阈值与出行方式评价；人口、村/社区、"
        "镇街三种口径并列。村/社区以居民（或村中心点）是否覆盖计；标准值未逐条核对原文"
        "（circle15 standards 查看）。", f"Each facility type judged at its standard's levels "
        f"(catalogue: {catalogue}), each at its own threshold and modes; people, villages "
        "and townships side by side. A village counts by its residents (or its centre). "
        "The standards' values are not checked against their texts (see circle15 "
        "standards)."), lang)
    title = L.pick((f"附录{number} 按标准评价（多口径）", f"Appendix {number} Judged by the "
                    "standards (every denominator)"), lang)
    header = [L.pick(STANDARD_HEADERS[c], lang) for c in cols]
    return Section(title, page_break=True, blocks=[note, Table(header, rows)])
