"""The 季度调度 pack (:func:`write_dispatch`) for one period, per 责任单位.

For each responsible unit of the plan: a workbook, a short HTML briefing and the same
briefing as a Word document, with

- its indicators (county and townships) against this year's target, the value in the
  previous recorded period and the change;
- its problems opened and closed in this period, the overdue ones, and all still open.

A problem is *overdue* when it is not rectified (nor deferred) and was found at least
:data:`OVERDUE_QUARTERS` quarters before the period (an annual period counts as its Q4).
``汇总.xlsx`` and ``index.html`` summarise every unit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from circle15.history import schema as S
from circle15.history.periods import Period, parse_period, previous_quarters
from circle15.history.problems import CLOSED, DEFERRED, list_problems
from circle15.history.query import period_info, period_table, previous, require_period
from circle15.history.sheets import html_page, html_table, safe_name, write_xlsx
from circle15.history.store import Store
from circle15.history.word import write_briefing_docx
from circle15.io import atomic_output_dir

#: Quarters after which an unrectified problem is overdue.
OVERDUE_QUARTERS = 2

_IND_COLS = {"indicator_id": "指标", "name_zh": "名称", "zone_name": "镇街", "target": "目标",
             "value_prev": "上期值", "value": "本期值", "change": "变化", "status": "状态"}
_PRB_COLS = {"id": "编号", "indicator_id": "指标", "name_zh": "名称", "zone_name": "镇街",
             "village_name": "村（社区）",
             "layer": "设施", "status": "整改状态", "period_found": "发现期",
             "value": "最新值", "target": "目标", "gap_people": "缺口人数",
             "gap_capacity": "缺口容量", "gap_units": "缺口个数",
             "closed_period": "整改期", "closed_value": "整改后值"}
_STATUS_ZH = {"met": "达标", "not_met": "未达标"}


def unit_indicators(store: Store, p: Period) -> pd.DataFrame:
    """Measurable plan-year indicators of ``p`` with the previous period's value."""
    year = period_info(store, p).get("plan_year")
    cur = period_table(store, S.indicators, p)
    cur = cur[(cur["year"] == year) & cur["status"].isin(["met", "not_met"])]
    prev_p = previous(store, p)
    if prev_p is not None:
        prev = period_table(store, S.indicators, prev_p)
        prev = prev[prev["year"] == year][["indicator_id", "zone_id", "value"]]
        cur = cur.merge(prev.rename(columns={"value": "value_prev"}),
                        on=["indicator_id", "zone_id"], how="left")
    else:
        cur = cur.assign(value_prev=float("nan"))
    cur["change"] = cur["value"] - cur["value_prev"]
    cur["responsible"] = cur["responsible"].fillna("").replace("", "（未指定）")
    return cur.sort_values(["indicator_id", "zone_id"]).reset_index(drop=True)


def classify_problems(store: Store, p: Period) -> pd.DataFrame:
    """Every problem with flags ``opened``, ``closed``, ``overdue`` and ``open`` for ``p``."""
    pr = list_problems(store)
    found = pr["period_found"].map(lambda k: previous_quarters(parse_period(k), p))
    pr["opened"] = pr["period_found"] == p.key
    pr["closed"] = pr["closed_period"] == p.key
    pr["open"] = pr["status"] != CLOSED
    pr["overdue"] = pr["open"] & (pr["status"] != DEFERRED) & (found >= OVERDUE_QUARTERS)
    pr["responsible"] = pr["responsible"].fillna("").replace("", "（未指定）")
    return pr


def _ind_view(df: pd.DataFrame) -> pd.DataFrame:
    v = df[list(_IND_COLS)].copy()
    v["status"] = v["status"].map(_STATUS_ZH).fillna(v["status"])
    return v.rename(columns=_IND_COLS)


def _prb_view(df: pd.DataFrame) -> pd.DataFrame:
    return df[list(_PRB_COLS)].rename(columns=_PRB_COLS)


def _unit_pack(tmp: Path, p: Period, unit: str, ind: pd.DataFrame, pr: pd.DataFrame,
               synthetic: bool) -> dict:
    parts = {"本期新发现问题": pr[pr["opened"]], "本期已整改问题": pr[pr["closed"]],
             "逾期未整改问题": pr[pr["overdue"]], "全部未整改问题": pr[pr["open"]]}
    write_xlsx(tmp / f"{safe_name(unit)}.xlsx",
               {"指标": _ind_view(ind), **{k: _prb_view(v) for k, v in parts.items()}})
    met = int((ind["status"] == "met").sum())
    summary = (f"{p.key} 季度调度：指标 {len(ind)} 项（含各镇街），达标 {met} 项；"
               f"问题新发现 {int(pr['opened'].sum())}、已整改 {int(pr['closed'].sum())}、"
               f"逾期 {int(pr['overdue'].sum())}、未整改合计 {int(pr['open'].sum())}。")
    body = f"<p>{summary}</p><h2>指标与本年目标</h2>" + html_table(_ind_view(ind), "无可计量指标")
    for title, df in parts.items():
        body += f"<h2>{title}</h2>" + html_table(_prb_view(df), "无")
    title = f"{unit} — {p.key} 季度调度简报"
    (tmp / f"{safe_name(unit)}.html").write_text(html_page(title, body, synthetic),
                                                 encoding="utf-8")
    write_briefing_docx(tmp / f"{safe_name(unit)}.docx", title, summary,
                        {"指标与本年目标": _ind_view(ind),
                         **{k: _prb_view(v) for k, v in parts.items()}}, synthetic)
    return {"责任单位": unit, "指标": len(ind), "达标": met,
            "新发现": int(pr["opened"].sum()), "已整改": int(pr["closed"].sum()),
            "逾期": int(pr["overdue"].sum()), "未整改": int(pr["open"].sum()),
            "简报": f"{safe_name(unit)}.html"}


def write_dispatch(store: Store, period: str, out_dir: str | Path) -> list[Path]:
    """Write the quarterly dispatch pack of ``period`` into ``out_dir`` (atomically).

    Returns
    -------
    list of Path
        The files written (``汇总.xlsx``, ``index.html``, and per unit ``<unit>.xlsx``,
        ``<unit>.html`` and ``<unit>.docx``).

    Raises
    ------
    InputError
        If the period is malformed or not recorded.
    """
    p = require_period(store, period)
    synthetic = bool(period_info(store, p).get("synthetic"))
    ind, pr = unit_indicators(store, p), classify_problems(store, p)
    every = period_table(store, S.indicators, p)["responsible"].dropna()
    units = sorted(set(every[every != ""]) | set(ind["responsible"]) | set(pr["responsible"]))
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        rows = [_unit_pack(tmp, p, u, ind[ind["responsible"] == u],
                           pr[pr["responsible"] == u], synthetic) for u in units]
        summary = pd.DataFrame(rows, columns=["责任单位", "指标", "达标", "新发现", "已整改",
                                              "逾期", "未整改", "简报"])
        write_xlsx(tmp / "汇总.xlsx", {"汇总": summary, "全部指标": _ind_view(ind),
                                      "全部问题": _prb_view(pr)})
        links = "".join(f'<li><a href="{r["简报"]}">{r["责任单位"]}</a></li>' for r in rows)
        (tmp / "index.html").write_text(html_page(
            f"{p.key} 季度调度", html_table(summary) + f"<ul>{links}</ul>", synthetic),
            encoding="utf-8")
        names = sorted(x.name for x in tmp.iterdir())
    return [out_dir / n for n in names]
