"""The yearly evaluation (分年度总体评价和分领域评价): :func:`evaluate_year`, :func:`write_yearly`.

Scoring rule (documented, deliberately simple):

- the basis is the latest period recorded in the year (an annual period ``YYYY`` sorts as
  its Q4) and the county-wide rows (``zone_id == "ALL"``) of that year's targets;
- a target counts when it is *measurable* (status ``met`` or ``not_met``); targets that
  cannot be measured from the inputs or have no value for the year are listed, not scored;
- per domain: score = 100 × met ÷ measurable (blank when none is measurable);
- overall: score = 100 × all met ÷ all measurable (every measurable target weighs the same,
  so large domains weigh more);
- trend: the same score for each recorded period up to the end of the year, judged by the
  year's targets.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.query import period_info, period_table, periods
from circle15.history.sheets import html_page, html_table, write_xlsx
from circle15.history.store import Store
from circle15.io import atomic_output_dir
from circle15.vocab import COUNTY

OVERALL = "全部领域合计"


@dataclass
class YearEvaluation:
    """Result of :func:`evaluate_year`.

    Attributes
    ----------
    year : int
    basis : str
        The period evaluated.
    domains : pandas.DataFrame
        ``domain, domain_zh, met, measurable, not_measurable, score``; last row overall.
    detail : pandas.DataFrame
        The county indicator rows behind it.
    trend : pandas.DataFrame
        ``period, domain_zh, score`` for every period up to the year's end.
    """

    year: int
    basis: str
    domains: pd.DataFrame
    detail: pd.DataFrame
    trend: pd.DataFrame


def score_table(ind: pd.DataFrame) -> pd.DataFrame:
    """Per-domain and overall counts and scores of county indicator rows."""
    ind = ind.assign(measurable=ind["status"].isin(["met", "not_met"]),
                     met=ind["status"] == "met")
    g = ind.groupby(["domain", "domain_zh"], sort=True, dropna=False).agg(
        met=("met", "sum"), measurable=("measurable", "sum"), total=("status", "size"))
    g = g.reset_index()
    tot = pd.DataFrame([{"domain": "TOTAL", "domain_zh": OVERALL, "met": g["met"].sum(),
                         "measurable": g["measurable"].sum(), "total": g["total"].sum()}])
    out = pd.concat([g, tot], ignore_index=True)
    out["not_measurable"] = out["total"] - out["measurable"]
    out["score"] = (100 * out["met"] / out["measurable"].where(out["measurable"] > 0)).round(1)
    return out[["domain", "domain_zh", "met", "measurable", "not_measurable", "score"]]


def _county(store: Store, period: str, year: int) -> pd.DataFrame:
    ind = period_table(store, S.indicators, period)
    return ind[(ind["zone_id"] == COUNTY) & (ind["year"] == year)]


def evaluate_year(store: Store, year: int) -> YearEvaluation:
    """Evaluate ``year`` (see the module docstring for the rule).

    Raises
    ------
    InputError
        If no period of that year is recorded.
    """
    ps = [p for p in periods(store) if p.year <= year]
    in_year = [p for p in ps if p.year == year]
    if not in_year:
        known = ", ".join(p.key for p in periods(store)) or "none yet"
        raise InputError(f"no period of {year} is recorded", key="year",
                         hint=f"recorded periods: {known}")
    basis = in_year[-1]
    plan_year = period_info(store, basis).get("plan_year") or year
    detail = _county(store, basis.key, plan_year)
    trend = []
    for p in ps:
        t = score_table(_county(store, p.key, plan_year))
        trend += [{"period": p.key, "domain_zh": r.domain_zh, "score": r.score}
                  for r in t.itertuples()]
    return YearEvaluation(year, basis.key, score_table(detail), detail.reset_index(drop=True),
                          pd.DataFrame(trend, columns=["period", "domain_zh", "score"]))


def trend_chart(ev: YearEvaluation, path: Path, synthetic: bool = False) -> Path:
    """A line chart of the scores per period (matplotlib OO API, bundled CJK font);
    domains with no measurable target are left out."""
    from matplotlib.figure import Figure

    from circle15.fonts import find_cjk_font

    font = find_cjk_font()
    fig = Figure(figsize=(8, 4.5), dpi=120)
    ax = fig.add_subplot()
    order = list(dict.fromkeys(ev.trend["period"]))
    for dom, g in ev.trend.groupby("domain_zh", sort=False):
        if g["score"].isna().all():
            continue
        x = [order.index(p) for p in g["period"]]
        ax.plot(x, g["score"], marker="o", linewidth=3 if dom == OVERALL else 1.2,
                label=str(dom))
    ax.set_xticks(range(len(order)), order)
    ax.set_ylim(-5, 105)
    ax.set_ylabel("得分（达标目标占比，%）", fontproperties=font)
    ax.set_title(f"{ev.year} 年度评价趋势" + ("（合成示例数据 synthetic）" if synthetic else ""),
                 fontproperties=font)
    ax.legend(prop=font, fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    return path


def write_yearly(store: Store, year: int, out_dir: str | Path) -> list[Path]:
    """Write the yearly evaluation (workbook, HTML with the trend chart, PNG) atomically."""
    ev = evaluate_year(store, year)
    synthetic = bool(period_info(store, ev.basis).get("synthetic"))
    out_dir = Path(out_dir)
    stem = f"年度评价_{year}"
    with atomic_output_dir(out_dir) as tmp:
        write_xlsx(tmp / f"{stem}.xlsx", {"分领域评价": ev.domains, "指标明细": ev.detail,
                                          "趋势": ev.trend})
        trend_chart(ev, tmp / f"{stem}_趋势.png", synthetic)
        body = (f"<p>评价依据：{html.escape(ev.basis)} 期全县指标。得分 = 达标目标数 ÷ "
                "可计量目标数 × 100；总体得分按全部可计量目标计算。</p>"
                + html_table(ev.domains) + f'<img src="{stem}_趋势.png" alt="趋势" '
                'style="max-width:100%">')
        (tmp / f"{stem}.html").write_text(html_page(f"{year} 年度总体评价和分领域评价", body,
                                                    synthetic), encoding="utf-8")
        names = sorted(x.name for x in tmp.iterdir())
    return [out_dir / n for n in names]
