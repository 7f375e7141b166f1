"""The plan's targets as a printable table (``circle15 targets``)."""

from __future__ import annotations

import pandas as pd

from circle15.coverage.plan.model import Plan, check_year

_TABLE_HEADERS = {
    "indicator_id": ("编号", "ID"), "number": ("序号", "No."), "domain": ("领域", "Domain"),
    "name": ("指标", "Indicator"), "unit": ("单位", "Unit"),
    "baseline": ("基础值", "Baseline"), "target": ("目标", "Target"),
    "core": ("核心指标", "Core"), "observational": ("观察性指标", "Observational"),
    "kind": ("测算方式", "Measured by"), "responsible": ("责任单位", "Responsible"),
}
KIND_LABELS = {
    "network_coverage": ("路网可达覆盖", "network coverage"),
    "admin_coverage": ("行政区覆盖", "administrative coverage"),
    "per_capita": ("人均配置", "per capita"),
    "reported": ("上报数据", "reported value"),
}


def target_table(plan: Plan, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """The plan's targets as a table for printing (``circle15 targets``).

    Parameters
    ----------
    plan : Plan
    year : int, optional
        Only this year's target; default: the baseline and every plan year.
    lang : {"zh", "en"}
        Column headers and labels.

    Returns
    -------
    pandas.DataFrame
        One row per indicator, all cells as text (``/`` for none).
    """
    zh = lang != "en"
    if year is not None:
        check_year(plan, year)
    h = {k: v[0] if zh else v[1] for k, v in _TABLE_HEADERS.items()}
    rows = []
    for ind in plan.indicators:
        num = "" if ind.number is None else ("*" if ind.core else "▲" if ind.observational
                                             else "") + str(ind.number)
        unit = ind.unit if zh else ind.unit_en
        row = {h["indicator_id"]: ind.id, h["number"]: num,
               h["domain"]: ind.domain_zh if zh else ind.domain_en,
               h["name"]: f"{ind.name_zh if zh else ind.name_en}" + (f" ({unit})" if unit else ""),
               h["baseline"]: ind.baseline}
        years = [year] if year is not None else list(plan.years)
        for y in years:
            label = h["target"] + f" {y}" if year is not None else (f"{y}年" if zh else str(y))
            row[label] = ind.target_text(y)
        row[h["kind"]] = KIND_LABELS[ind.measure.kind][0 if zh else 1]
        row[h["responsible"]] = ind.responsible if zh else ind.responsible_en
        rows.append(row)
    return pd.DataFrame(rows).astype(str)

