"""The officials' report: ``report.md`` and a self-contained ``report.html``.

The report opens with the briefing (:mod:`circle15.report.briefing`): conclusions, key
figures, the overview map, one chart per domain and the actions by 责任单位, one or two
printed pages. The appendix follows: every indicator per domain, the siting scenario
(labelled as a scenario, after the assessment), the data the departments must supply,
one page per township, and the run parameters. Synthetic runs carry the banner
"示例数据（合成）/ synthetic demo data" on top and, printed, on every page. The HTML embeds
its images (data URIs) and its font (a subset of the bundled Noto Sans CJK SC), so it
looks the same offline, printed and as PDF.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.io import write_text
from circle15.report import labels as L
from circle15.report.briefing import (
    Briefing,
    Context,
    KeyFigure,
    beijing_time,
    marked_name,
    marks_note,
)
from circle15.report.labels import zh_en as _t
from circle15.vocab import COMPOSITE, COUNTY, RunFiles

#: Kinds of indicator computed from facilities and the network (shown per township).
SPATIAL_KINDS = ("network_coverage", "admin_coverage", "per_capita")


# --------------------------------------------------------------------------- content model


@dataclass
class Table:
    """A table: header texts, rows of cells; a cell is text or (text, status)."""

    header: list[str]
    rows: list[list[Any]]


@dataclass
class Image:
    """A PNG shown in the report (embedded in HTML, linked from Markdown).

    ``wide`` charts carry their title in the picture (no caption line under them).
    """

    path: Path
    caption: str = ""
    wide: bool = False


@dataclass
class Figures:
    """The key figures row."""

    items: list[KeyFigure]


@dataclass
class Bullets:
    """A numbered list (the conclusions)."""

    items: list[str]


Block = str | Table | Image | Figures | Bullets


@dataclass
class Section:
    """A titled block of paragraphs, tables and images; ``part`` = briefing | appendix."""

    title: str
    level: int = 2
    blocks: list[Block] = field(default_factory=list)
    page_break: bool = False
    part: str = "appendix"

    @property
    def tables(self) -> list[Table]:
        """The section's tables."""
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[str]:
        """The section's paragraphs."""
        return [b for b in self.blocks if isinstance(b, str)]


def _sep(lang: str) -> str:
    return ", " if lang == "en" else "、"


# --------------------------------------------------------------------------- tables


def gap_text(r: Mapping[str, Any], lang: str) -> str:
    """The gap of one targets row as short text, with units."""
    if r["status"] != "not_met":
        return ""
    parts = []
    if pd.notna(r.get("gap_value")) and r["gap_value"] > 0:
        v = L.fmt_num(float(r["gap_value"]), 1)
        unit = L.unit_text(r, "zh")
        if unit == "%":
            parts.append(_t(f"差 {v} 个百分点", f"{v} points short", lang))
        else:
            parts.append(_t(f"差 {v} {unit}", f"{v} {L.unit_text(r, lang)} short", lang))
    if pd.notna(r.get("gap_people")) and r["gap_people"] > 0:
        n = L.fmt_int(r["gap_people"])
        parts.append(_t(f"需覆盖 {n} 人", f"{n} people to cover", lang))
    if pd.notna(r.get("gap_capacity")) and r["gap_capacity"] > 0:
        n = L.fmt_int(r["gap_capacity"])
        parts.append(_t(f"需新增容量 {n} {L.unit_text(r, 'zh')}", f"add {n} places", lang))
    if pd.notna(r.get("gap_units")) and r["gap_units"] > 0:
        n = L.fmt_int(r["gap_units"])
        if r.get("level") == "village":
            parts.append(_t(f"还需 {n} 个村（社区）", f"{n} more villages", lang))
        else:
            parts.append(_t(f"还需 {n} 个乡镇（街道）", f"{n} more townships", lang))
    return "；".join(parts) if lang != "en" else "; ".join(parts)


def _target_text(r: Mapping[str, Any], lang: str) -> str:
    tv = r.get("target_value")
    if tv is None or pd.isna(tv):
        return _t("无", "none", lang)
    op = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}.get(str(r.get("bound")), "")
    return op + L.fmt_value(tv, L.unit_text(r, "zh"), lang)


def _indicator_row(r: Mapping[str, Any], lang: str, ctx: Context | None) -> list[Any]:
    status = (L.label(L.STATUS, r["status"], lang), r["status"])
    if r["status"] == "not_measurable":
        status = (_t("待部门数据", "awaiting data", lang), r["status"])
    return [marked_name(r, lang), _target_text(r, lang),
            L.fmt_value(r.get("value"), L.unit_text(r, "zh"), lang), status,
            gap_text(r, lang) or L.note_text(r.get("note"), lang)]


def indicator_table(rows: pd.DataFrame, lang: str, ctx: Context | None = None) -> Table:
    """Targets rows as a table: indicator, target, value, status, gap."""
    return Table([_t("指标（单位）", "Indicator (unit)", lang), _t("目标", "Target", lang),
                  _t("现状", "Value", lang), _t("达标情况", "Status", lang),
                  _t("差距 / 说明", "Gap / note", lang)],
                 [_indicator_row(r, lang, ctx) for r in rows.to_dict("records")])


def coverage_table(coverage: pd.DataFrame | None, zone: str, lang: str,
                   layers: Sequence[Mapping[str, Any]] = ()) -> Table | None:
    """Coverage by layer (rows) and threshold (columns) for one zone, own group per layer."""
    if coverage is None or not len(coverage):
        return None
    c = coverage[coverage["zone_id"].astype(str) == zone]
    if c.empty:
        return None
    names = L.layer_labels(layers)
    mins = sorted({float(m) for m in c["minutes"]})
    header = [_t("设施类型", "Service", lang), _t("人群", "Group", lang)] + \
        [_t(f"{L.fmt_num(m)}分钟", f"{L.fmt_num(m)} min", lang) for m in mins]
    rows = []
    lay, grp = c["layer"].astype(str).to_numpy(), c["group"].astype(str).to_numpy()
    minutes, rate = c["minutes"].astype(float).to_numpy(), c["coverage_rate"].to_numpy()
    keys = list(dict.fromkeys(lay))
    keys = [x for x in keys if x != COMPOSITE] + ([COMPOSITE] if COMPOSITE in keys else [])
    for layer in keys:
        for group in dict.fromkeys(grp[lay == layer]):
            sub = (lay == layer) & (grp == group)
            cells = []
            for m in mins:  # the first row of the layer, group and threshold
                hit = np.flatnonzero(sub & np.isclose(minutes, m))
                cells.append("—" if not len(hit) else L.fmt_pct(rate[hit[0]]))
            rows.append([L.label(names, layer, lang), L.label(L.GROUPS, group, lang), *cells])
    return Table(header, rows)


# --------------------------------------------------------------------------- briefing part


def briefing_sections(b: Briefing, lang: str, *, overview: Path | None = None,
                      charts: Sequence[Any] = ()) -> list[Section]:
    """The front pages: conclusions, key figures, map, charts, actions."""
    meta = [x for x in (b.plan_line, _t(f"生成时间：{b.generated}", f"Generated: {b.generated}",
                                        lang) if b.generated else "") if x]
    head = Section(_t("主要结论", "Conclusions", lang), part="briefing",
                   blocks=[*meta, Bullets([s.text for s in b.sentences]), Figures(b.figures)])
    if overview is not None:
        head.blocks.append(Image(Path(overview), _t(
            "图1 各乡镇（街道）15分钟服务圈人口覆盖率与设施分布", "Figure 1 Full-circle coverage "
            "within 15 minutes per township, and the facilities", lang)))
    secs = [head]
    imgs = [Image(Path(c.path), c.title, wide=True) for c in charts if c.kind == "domain"]
    if imgs:
        secs.append(Section(_t("各领域：乡镇（街道）与目标", "Domains: townships against the "
                               "targets", lang), part="briefing", blocks=[*imgs, _t(
                                   "图中每条为一个乡镇（街道）的现状值；竖实线为目标年份目标值，"
                                   f"点线为规划其他年份目标值，虚线为{b.county_word}现状值。",
                                   "Each bar is a township; solid line: the year's target; "
                                   "dotted: the plan's other years; dashed: county value.",
                                   lang)]))
    rows = [[a.responsible, a.indicator, a.townships, a.missing] for a in b.actions]
    acts = Section(_t("整改任务（按责任单位）", "Actions by responsible department", lang),
                   part="briefing")
    if rows:
        acts.blocks.append(Table([_t("责任单位", "Responsible", lang),
                                  _t("未达标指标", "Indicator not met", lang),
                                  _t("未达标乡镇（街道）", "Townships short", lang),
                                  _t("缺口", "What is missing", lang)], rows))
    else:
        acts.blocks.append(_t("可测算指标均已达标。", "Every measured indicator is met.", lang))
    acts.blocks.append(b.marks_note)
    secs.append(acts)
    return secs


# --------------------------------------------------------------------------- appendix


def _domain_order(county: pd.DataFrame, ctx: Context) -> list[str]:
    doms = list(dict.fromkeys([*ctx.plan.domains, *county["domain"]]))
    return [d for d in doms if (county["domain"] == d).any()]


def domain_sections(targets: pd.DataFrame, ctx: Context) -> list[Section]:
    """Appendix 1: every county-wide indicator, per domain."""
    lang = ctx.lang
    county = targets[targets["zone_id"] == COUNTY]
    secs = [Section(_t("附录一 各领域指标（" + ctx.county_word + "）",
                       "Appendix 1 Indicators by domain (county-wide)", lang), page_break=True,
                    blocks=[marks_note(lang)])]
    for d in _domain_order(county, ctx):
        part = county[county["domain"] == d]
        secs.append(Section(L.domain_text(part.iloc[0], lang), level=3,
                            blocks=[indicator_table(part, lang, ctx)]))
    return secs


def _scenario_text(info: Mapping[str, Any], layer_name: str, part: pd.DataFrame,
                   ctx: Context, plan_target: str) -> str:
    lang = ctx.lang
    tgt = info.get("target", {}) or {}
    rates = [float(v) for v in (tgt.get("rate") or {}).values()] or \
        [100 * float(x) for x in part["target_rate"].dropna()]
    rate = L.fmt_num(max(rates), 1) + "%" if rates else "—"
    minutes = L.fmt_num(tgt.get("minutes", part["minutes"].iloc[0]))
    group = L.label(L.GROUPS, tgt.get("group", part["group"].iloc[0]), lang)
    method = {"greedy": ("逐个选址（贪心法）", "greedy, one site at a time"),
              "exact": ("精确优化", "exact optimisation")}.get(str(info.get("method")),
                                                           (str(info.get("method", "")),) * 2)
    cand = info.get("candidates", {}) or {}
    before = info.get("zones_below_target_before")
    after = info.get("zones_below_target_after")
    text = _t(f"情景设定：{layer_name}，每个乡镇（街道）{minutes}分钟内{group}覆盖率达到{rate}"
              f"（情景目标，由配置设定；{plan_target}）。方法：{L.pick(method, 'zh')}；"
              f"候选点 {L.fmt_int(cand.get('count'))} 个；最多新增 "
              f"{L.fmt_int(info.get('max_sites'))} 处。结果：建议新增设施 "
              f"{L.fmt_int(info.get('sites'))} 处，"
              f"未达情景目标的乡镇（街道）由 {L.fmt_int(before)} 个减至 {L.fmt_int(after)} 个。",
              f"Scenario: {layer_name}, {rate} of {group} within {minutes} min in every "
              f"township (a scenario target set in the configuration; {plan_target}). Method: "
              f"{method[1]}; {L.fmt_int(cand.get('count'))} candidate sites; at most "
              f"{L.fmt_int(info.get('max_sites'))} new sites. Result: "
              f"{L.fmt_int(info.get('sites'))} new sites; townships below the scenario target "
              f"from {L.fmt_int(before)} to {L.fmt_int(after)}.", lang)
    return text


def _plan_target_text(targets: pd.DataFrame, layer: str, ctx: Context) -> str:
    lang = ctx.lang
    rows = targets[(targets["zone_id"] == COUNTY) & (targets["kind"] == "network_coverage")
                   & (targets["layer"].astype(str) == layer)]
    if not len(rows):
        return _t("规划未设该类设施的路网覆盖率目标", "the plan sets no network-coverage target "
                  "for this service", lang)
    r = rows.iloc[0]
    return _t(f"规划{ctx.year}年目标为{_target_text(r, lang)}（{r['indicator_id']}）",
              f"the plan's {ctx.year} target is {_target_text(r, lang)} ({r['indicator_id']})",
              lang)


def _scenario_row(r: Mapping[str, Any], lang: str, county_word: str) -> list[Any]:
    name = county_word if str(r["zone_id"]) == COUNTY else str(r["zone_name"])
    after = str(r.get("status_after"))
    status = (_t("情景下达标", "met in the scenario", lang) if after == "met" else
              _t("情景下仍未达标", "still short", lang), after)
    why = ""
    gain = float(r.get("rate_after") or 0) - float(r.get("rate_before") or 0)
    if str(r["zone_id"]) != COUNTY and int(r.get("new_sites") or 0) == 0 and gain > 1e-9:
        why = _t("本乡镇未新增设施，覆盖率提高来自相邻乡镇（街道）新增的设施",
                 "no new site here: the gain comes from sites placed in neighbouring townships",
                 lang)
    return [name, L.fmt_pct(r.get("rate_before")), L.fmt_pct(r.get("target_rate")),
            L.fmt_int(r.get("new_sites") or 0), L.fmt_pct(r.get("rate_after")), status, why]


def scenario_sections(siting: pd.DataFrame | None, siting_info: Mapping[str, Any] | None,
                      targets: pd.DataFrame, ctx: Context) -> list[Section]:
    """Appendix 2: siting as a labelled scenario, with its own target and parameters."""
    if siting is None or not len(siting):
        return []
    lang = ctx.lang
    names = L.layer_labels(ctx.layers)
    secs = [Section(_t("附录二 选址情景（模拟测算，非评估结论）",
                       "Appendix 2 Siting scenario (a simulation, not part of the assessment)",
                       lang), page_break=True, blocks=[_t(
                           "以下为按设定目标模拟新增设施的情景，用于比较方案；情景目标不是规划目标，"
                           "“情景下达标”不代表现状达标。选址位置见 proposed_sites.csv 与地图。",
                           "A simulation of new sites against a scenario target, to compare "
                           "options; the scenario target is not the plan's and 'met in the "
                           "scenario' does not mean met today. Locations: proposed_sites.csv "
                           "and the map.", lang)])]
    for layer, part in siting.groupby("layer", sort=False):
        name = L.label(names, layer, lang)
        info = (siting_info or {}).get(str(layer), {})
        rows = [_scenario_row(r, lang, ctx.county_word) for r in part.to_dict("records")]
        secs.append(Section(_t(f"情景：{name}", f"Scenario: {name}", lang), level=3, blocks=[
            _scenario_text(info, name, part, ctx, _plan_target_text(targets, str(layer), ctx)),
            Table([_t("乡镇（街道）", "Township", lang), _t("现状", "Now", lang),
                   _t("情景目标", "Scenario target", lang), _t("新增设施（处）", "New sites", lang),
                   _t("新增后", "After", lang), _t("情景结果", "Scenario result", lang),
                   _t("说明", "Note", lang)], rows)]))
    return secs


def needs_section(b: Briefing, lang: str, number: str) -> Section:
    """The indicators awaiting department data, with the department and indicator names."""
    rows = [[d.responsible, d.need, _sep(lang).join(d.indicators)] for d in b.needs]
    return Section(_t(f"附录{number} 需部门提供的数据", f"Appendix {number} Data needed from "
                      "the departments", lang), page_break=True, blocks=[_t(
                          "以下指标缺少现状值，需责任单位提供数据（填入 reported_template.csv 后"
                          "作为 targets.reported 重新运行）后评估。",
                          "These indicators have no current value; the department responsible "
                          "supplies it (fill in reported_template.csv, pass it as "
                          "targets.reported and run again).", lang),
                          Table([_t("责任单位", "Responsible", lang),
                                 _t("所需数据", "Data needed", lang),
                                 _t("指标", "Indicators", lang)], rows)])


def township_sections(targets: pd.DataFrame, coverage: pd.DataFrame | None, ctx: Context,
                      number: str) -> list[Section]:
    """One section (one printed page) per township: coverage and computed indicators."""
    lang = ctx.lang
    zones = targets[targets["zone_id"] != COUNTY]
    if not len(zones):
        return []
    secs = [Section(_t(f"附录{number} 各乡镇（街道）", f"Appendix {number} Townships", lang),
                    page_break=True, blocks=[_t(
                        "每个乡镇（街道）一页：路网覆盖率，以及可由设施与路网测算的指标。",
                        "One page per township: coverage on the street network and the "
                        "indicators computed from facilities and the network.", lang)])]
    spatial = zones[zones["kind"].isin(SPATIAL_KINDS) | zones["value"].notna()]
    first = True
    for z in dict.fromkeys(zones["zone_id"]):
        name = str(zones.loc[zones["zone_id"] == z, "zone_name"].iloc[0])
        sec = Section(f"{name}（{z}）" if lang != "en" else f"{name} ({z})", level=3,
                      page_break=not first)
        first = False
        cov_t = coverage_table(coverage, str(z), lang, ctx.layers)
        if cov_t is not None:
            sec.blocks.append(cov_t)
        zz = spatial[spatial["zone_id"] == z]
        if len(zz):
            sec.blocks.append(indicator_table(zz, lang, ctx))
        secs.append(sec)
    return secs


def params_section(params: Mapping[str, Any], lang: str, number: str,
                   status_chart: Path | None = None,
                   problems: Sequence[Mapping[str, Any]] = ()) -> Section:
    """Run parameters (people's labels only), the data problems found, the status chart."""
    rows = []
    for k in L.PARAMS:
        if k in params and k != "title":
            v = beijing_time(params[k], lang) if k == "generated_at" else \
                L.param_text(k, params[k], lang)
            rows.append([L.pick(L.PARAMS[k], lang), v])
    sec = Section(_t(f"附录{number} 运行参数", f"Appendix {number} Run parameters", lang),
                  page_break=True, blocks=[Table([_t("参数", "Parameter", lang),
                                                  _t("取值", "Value", lang)], rows)])
    if problems:
        sec.blocks.append(_t("数据问题（影响测算结果，请核查所列文件）：",
                             "Data problems (they change the numbers; check the files listed):",
                             lang))
        sec.blocks.append(Table([_t("问题", "Problem", lang), _t("查看", "Look at", lang)],
                                [[str(p.get("text_en" if lang == "en" else "text_zh", "")),
                                  str(p.get("look_at", ""))] for p in problems]))
    if status_chart is not None:
        sec.blocks.append(Image(Path(status_chart), _t("各领域指标达标情况（项）",
                                                      "Indicators by status", lang)))
    return sec


# --------------------------------------------------------------------------- renderers


def _md_cell(c: Any) -> str:
    text = c[0] if isinstance(c, tuple) else str(c)
    return text.replace("|", "\\|").replace("\n", " ")


def _md_block(b: Block) -> list[str]:
    if isinstance(b, str):
        return [b, ""]
    if isinstance(b, Bullets):
        return [f"{i}. {x}" for i, x in enumerate(b.items, start=1)] + [""]
    if isinstance(b, Figures):
        return ["| " + " | ".join(f.label for f in b.items) + " |",
                "|" + "---|" * len(b.items), "| " + " | ".join(f.text for f in b.items) + " |",
                ""]
    if isinstance(b, Image):
        return [f"![{b.caption}]({b.path.name})", ""]
    out = ["| " + " | ".join(_md_cell(h) for h in b.header) + " |", "|" + "---|" * len(b.header)]
    out += ["| " + " | ".join(_md_cell(c) for c in r) + " |" for r in b.rows]
    return [*out, ""]


def render_markdown(title: str, banners: Sequence[str], sections: Sequence[Section]) -> str:
    """The report as Markdown (images linked by file name, next to ``report.md``)."""
    out = [f"# {title}", ""]
    for banner in banners:
        out += [f"> **⚠ {banner}**", ""]
    for s in sections:
        out += [f"{'#' * s.level} {s.title}", ""]
        for b in s.blocks:
            out += _md_block(b)
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:"C15 Noto Sans CJK SC","Noto Sans CJK SC",sans-serif;margin:1.5em auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1em;font-size:15px}
h1{font-size:1.5em;border-bottom:3px solid #1f4e79;padding-bottom:.2em;margin:.2em 0 .3em}
h2{font-size:1.2em;color:#1f4e79;margin:1.1em 0 .4em}
h3{font-size:1.05em;margin:1em 0 .3em}
p{margin:.3em 0}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;margin:.4em 0 .8em;font-size:.9em}
th,td{border:1px solid #bbb;padding:.2em .5em;text-align:left;vertical-align:top}
th{background:#ddebf7}
tr{break-inside:avoid}
.banner{background:#ffc7ce;color:#9c0006;font-weight:bold;padding:.5em 1em;
border:2px solid #9c0006;margin:.6em 0}
.st{font-weight:bold;white-space:nowrap}
.st-met{background:#c6efce;color:#006100}.st-not_met{background:#ffc7ce;color:#9c0006}
.st-no_target{background:#ededed;color:#404040}.st-not_measurable{background:#ffeb9c;color:#9c5700}
.figs{display:flex;flex-wrap:wrap;gap:.5em;margin:.5em 0}
.fig{border:1px solid #9dc3e6;background:#f3f8fc;padding:.3em .7em;min-width:8em}
.fig b{display:block;font-size:1.3em;color:#1f4e79}.fig span{font-size:.8em;color:#444}
figure{margin:.4em 0;break-inside:avoid}figure img{max-width:100%}
.overview img{max-width:760px}
figcaption{font-size:.8em;color:#555}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:.3em .8em}
.pb{break-before:page}
ol{margin:.3em 0;padding-left:1.6em}li{margin:.15em 0}
@page{size:A4;margin:16mm 12mm 14mm 12mm;
@bottom-center{content:counter(page) " / " counter(pages);font-size:9pt;color:#555}}
@media print{body{margin:0;max-width:none;font-size:10.5pt}
.banner,.st,th,.fig{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.screen-only{display:none}}
"""
_CSS_SYNTHETIC = """
@page{@top-center{content:"%s";color:#9c0006;font-size:8.5pt;
font-family:"C15 Noto Sans CJK SC",sans-serif}}
"""
_CSS_BRIEF = """
@media print{body{font-size:9pt;line-height:1.35}h1{font-size:14pt}h2{font-size:11pt;
margin:.5em 0 .2em}table{font-size:8pt;margin:.2em 0 .4em}th,td{padding:.1em .35em}
.fig b{font-size:11pt}.overview img{max-height:88mm}.grid img{max-height:62mm}
td:first-child{white-space:nowrap}}
"""


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def _html_cell(c: Any, tag: str = "td") -> str:
    if isinstance(c, tuple):
        text, st = c
        return f'<{tag} class="st st-{html.escape(str(st))}">{html.escape(text)}</{tag}>'
    return f"<{tag}>{html.escape(str(c))}</{tag}>"


def _html_block(b: Block, meta: bool = False) -> list[str]:
    if isinstance(b, str):
        return [f'<p{" class=meta" if meta else ""}>{html.escape(b)}</p>']
    if isinstance(b, Bullets):
        return ["<ol>", *(f"<li>{html.escape(x)}</li>" for x in b.items), "</ol>"]
    if isinstance(b, Figures):
        return ['<div class="figs">', *(f'<div class="fig"><b>{html.escape(f.text)}</b>'
                                        f'<span>{html.escape(f.label)}</span></div>'
                                        for f in b.items), "</div>"]
    if isinstance(b, Image):
        cap = "" if b.wide else f"<figcaption>{html.escape(b.caption)}</figcaption>"
        img = f'<img src="{_data_uri(b.path)}" alt="{html.escape(b.caption)}">'
        return [f"<figure>{img}{cap}</figure>"]
    out = ["<table><thead><tr>" + "".join(_html_cell(h, "th") for h in b.header)
           + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(_html_cell(c) for c in r) + "</tr>" for r in b.rows]
    return [*out, "</tbody></table>"]


def _html_section(s: Section) -> list[str]:
    cls = ' class="pb"' if s.page_break else ""
    out = [f"<section{cls}>", f"<h{s.level}>{html.escape(s.title)}</h{s.level}>"]
    n_images = sum(isinstance(b, Image) for b in s.blocks)
    in_grid = False
    for i, b in enumerate(s.blocks):
        if isinstance(b, Image) and s.part == "briefing":
            if n_images == 1:
                out += ['<div class="overview">', *_html_block(b), "</div>"]
                continue
            if not in_grid:
                out.append('<div class="grid">')
                in_grid = True
        elif in_grid:
            out.append("</div>")
            in_grid = False
        out += _html_block(b, meta=s.part == "briefing" and isinstance(b, str) and i < 2)
    if in_grid:
        out.append("</div>")
    out.append("</section>")
    return out


def render_html(title: str, banners: Sequence[str], sections: Sequence[Section],
                lang: str = "zh", *, font_css: str = "", brief: bool = False) -> str:
    """The report as one self-contained HTML page (inline CSS, images and font embedded).

    ``font_css`` is an ``@font-face`` rule (see :func:`circle15.report.pdf.font_face_css`);
    ``brief`` makes the print layout compact (the briefing PDF).
    """
    css = font_css + _CSS + (_CSS_SYNTHETIC % banners[0].replace('"', "'") if banners else "") \
        + (_CSS_BRIEF if brief else "")
    out = ["<!DOCTYPE html>", f'<html lang="{"en" if lang == "en" else "zh-CN"}">', "<head>",
           '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(title)}</title>", f"<style>{css}</style>", "</head>",
           "<body>", f"<h1>{html.escape(title)}</h1>"]
    for b in banners:
        out.append(f'<div class="banner" role="alert">⚠ {html.escape(b)}</div>')
    for s in sections:
        out += _html_section(s)
    if banners:
        out.append(f'<div class="banner">⚠ {html.escape(banners[0])}</div>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def report_text(title: str, banners: Sequence[str], sections: Sequence[Section]) -> str:
    """Every character the report shows (for the font subset)."""
    return render_markdown(title, banners, sections)


def write_report_files(out_dir: str | Path, title: str, banners: Sequence[str],
                       sections: Sequence[Section], lang: str, font_css: str = ""
                       ) -> list[Path]:
    """Write ``report.md`` and ``report.html`` from built sections."""
    out_dir = Path(out_dir)
    md = write_text(out_dir / RunFiles.REPORT_MD, render_markdown(title, banners, sections))
    page = write_text(out_dir / RunFiles.REPORT_HTML,
                      render_html(title, banners, sections, lang, font_css=font_css))
    return [md, page]
