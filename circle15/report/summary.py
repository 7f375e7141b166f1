"""The officials' summary: ``report.md`` and a self-contained ``report.html``.

One page for the county (run parameters, coverage at each threshold, then each domain's
indicators with target, value, status and gap), the inputs that would make the remaining
indicators measurable, then one section per township. Synthetic runs carry a banner
"示例数据（合成）/ synthetic demo data" at the top of both files. The HTML has inline CSS
only: no scripts, fonts or images from anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.io import write_text
from circle15.report import labels as L

#: Kinds of indicator computed from facilities and the network (shown per township).
SPATIAL_KINDS = ("network_coverage", "admin_coverage", "per_capita")


# --------------------------------------------------------------------------- content model


@dataclass
class Table:
    """A table: header texts, rows of cells; a cell is text or (text, status)."""

    header: list[str]
    rows: list[list[Any]]


@dataclass
class Section:
    """A titled block of paragraphs and tables."""

    title: str
    level: int = 2
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    page_break: bool = False


def _t(zh: str, en: str, lang: str) -> str:
    return en if lang == "en" else zh


def _gap_text(r: Mapping[str, Any], lang: str) -> str:
    """The gap of one targets row as short text."""
    if r["status"] != "not_met":
        return ""
    parts = []
    if pd.notna(r.get("gap_value")) and r["gap_value"] > 0:
        v = L.fmt_num(float(r["gap_value"]))
        if r.get("unit") == "%":
            parts.append(_t(f"差 {v} 个百分点", f"{v} points short", lang))
        else:
            parts.append(_t(f"差 {v}", f"{v} short", lang))
    if pd.notna(r.get("gap_people")) and r["gap_people"] > 0:
        parts.append(_t(f"需覆盖 {L.fmt_num(float(r['gap_people']))} 人",
                        f"{L.fmt_num(float(r['gap_people']))} people to cover", lang))
    if pd.notna(r.get("gap_capacity")) and r["gap_capacity"] > 0:
        parts.append(_t(f"需新增配置 {L.fmt_num(float(r['gap_capacity']))}",
                        f"add {L.fmt_num(float(r['gap_capacity']))} capacity", lang))
    if pd.notna(r.get("gap_units")) and r["gap_units"] > 0:
        n = L.fmt_num(float(r["gap_units"]))
        if r.get("level") == "village":
            parts.append(_t(f"还需 {n} 个村（社区）", f"{n} more villages", lang))
        else:
            parts.append(_t(f"还需 {n} 个乡镇（街道）", f"{n} more townships", lang))
    return "；".join(parts) if lang != "en" else "; ".join(parts)


def needs_text(need: str, lang: str) -> str:
    """A ``needs`` entry for people (the common ones in Chinese)."""
    if lang == "en":
        return need
    if need.startswith("a reported value"):
        zone = need.rsplit("zone_id", 1)[-1].strip(" )")
        where = "全市数值（zone_id 填 ALL 或留空）" if zone == "ALL" else f"乡镇 {zone} 的数值"
        return f"上报数据表（targets.reported CSV）中填写{where}"
    if need.startswith("a villages table"):
        return "村（社区）名录：village_id, village_name, zone_id"
    if need.startswith("facility layer"):
        layer = need.split("'")[1]
        return f"设施图层“{L.label(L.LAYERS, layer, 'zh')}”（配置 [[layers]] key = \"{layer}\"）"
    return need


def _value_text(r: Mapping[str, Any]) -> str:
    v = r.get("value")
    if v is None or pd.isna(v):
        return "—"
    return L.fmt_num(float(v), 2)


def _indicator_row(r: Mapping[str, Any], lang: str) -> list[Any]:
    unit = L.unit_text(r, lang)
    name = L.indicator_name(r, lang) + (f"（{unit}）" if unit and lang != "en" else
                                        f" ({unit})" if unit else "")
    mark = "*" if r.get("core") else ""
    return [f"{r['indicator_id']}{mark}", name, str(r["target"]), _value_text(r),
            (L.label(L.STATUS, r["status"], lang), r["status"]), _gap_text(r, lang)]


def _indicator_table(rows: pd.DataFrame, lang: str) -> Table:
    """Targets rows as a table: id, indicator, target, value, status, gap."""
    return Table([_t("编号", "ID", lang), _t("指标", "Indicator", lang),
                  _t("目标", "Target", lang), _t("现状", "Value", lang),
                  _t("达标情况", "Status", lang), _t("差距", "Gap", lang)],
                 [_indicator_row(r, lang) for r in rows.to_dict("records")])


def _coverage_table(coverage: pd.DataFrame, zone: str, lang: str) -> Table | None:
    """Coverage by layer (rows) and threshold (columns) for one zone, own group per layer."""
    if coverage is None or not len(coverage):
        return None
    c = coverage[coverage["zone_id"].astype(str) == zone]
    if c.empty:
        return None
    mins = sorted({float(m) for m in c["minutes"]})
    header = [_t("设施类型", "Service", lang), _t("人群", "Group", lang)] + \
        [_t(f"{L.fmt_num(m)}分钟", f"{L.fmt_num(m)} min", lang) for m in mins]
    rows = []
    layers = list(dict.fromkeys(c["layer"].astype(str)))
    layers = [x for x in layers if x != "ALL"] + (["ALL"] if "ALL" in layers else [])
    for layer in layers:
        for group in dict.fromkeys(c.loc[c["layer"].astype(str) == layer, "group"].astype(str)):
            sub = c[(c["layer"].astype(str) == layer) & (c["group"].astype(str) == group)]
            cells = []
            for m in mins:
                s = sub[np.isclose(sub["minutes"].astype(float), m)]
                if s.empty or pd.isna(s["coverage_rate"].iloc[0]):
                    cells.append("—")
                else:
                    cells.append(f"{100 * float(s['coverage_rate'].iloc[0]):.1f}%")
            rows.append([L.label(L.LAYERS, layer, lang), L.label(L.GROUPS, group, lang), *cells])
    return Table(header, rows)


def _siting_section(siting: pd.DataFrame, lang: str) -> Section:
    """Proposed sites per layer: townships before and after, with the new sites each gets."""
    sec = Section(_t("建议新增设施（选址）", "Proposed new sites", lang), paragraphs=[_t(
        "按路网可达性逐个选址，每次选择能新覆盖最多未达标乡镇（街道）人口的位置；"
        "位置与新增覆盖人口见 proposed_sites.csv 和地图。",
        "Sites are added one at a time where they newly cover the most people in townships "
        "still below target; locations and people covered are in proposed_sites.csv and on "
        "the map.", lang)])

    def pct(v: Any) -> str:
        return "—" if v is None or v != v else f"{100 * float(v):.1f}%"

    for layer, part in siting.groupby("layer", sort=False):
        total = part[part["zone_id"] == "ALL"]
        n = int(total["new_sites"].iloc[0]) if len(total) else int(part["new_sites"].sum())
        sec.paragraphs.append(_t(f"{L.label(L.LAYERS, layer, lang)}：建议新增 {n} 处。",
                                 f"{L.label(L.LAYERS, layer, lang)}: {n} new sites.", lang))
        rows = []
        for r in part.to_dict("records"):
            name = L.pick(("全市", "County"), lang) if r["zone_id"] == "ALL" else r["zone_name"]
            rows.append([name, pct(r.get("rate_before")), pct(r.get("target_rate")),
                         int(r.get("new_sites", 0)), pct(r.get("rate_after")),
                         (L.label(L.STATUS, r.get("status_after"), lang), r.get("status_after"))])
        sec.tables.append(Table([_t("乡镇（街道）", "Township", lang), _t("现状", "Now", lang),
                                 _t("目标", "Target", lang), _t("新增", "New sites", lang),
                                 _t("新增后", "After", lang), _t("达标情况", "Status", lang)],
                                rows))
    return sec


def build_sections(targets: pd.DataFrame, coverage: pd.DataFrame, params: Mapping[str, Any],
                   lang: str = "zh", siting: pd.DataFrame | None = None
                   ) -> tuple[str, list[str], list[Section]]:
    """Title, banner lines and sections of the report (shared by Markdown and HTML).

    ``siting`` (before/after table of :mod:`circle15.run.siting`, any number of layers)
    adds a section on proposed sites after the county summary.
    """
    year = params.get("year", targets["year"].iloc[0] if len(targets) else "")
    title = f"{params.get('title') or 'circle15'} — " + _t(
        f"15分钟公共服务圈目标评估（{year}年）",
        f"15-minute public-service circle: targets for {year}", lang)
    banners = [L.pick(L.SYNTHETIC_BANNER, lang)] if params.get("synthetic") else []
    secs: list[Section] = []

    # Parameters.
    keys = [k for k in L.PARAMS if k in params and k != "title"]
    secs.append(Section(_t("运行参数", "Run parameters", lang), tables=[Table(
        [_t("参数", "Parameter", lang), _t("取值", "Value", lang)],
        [[L.pick(L.PARAMS[k], lang), L.param_text(k, params[k], lang)] for k in keys])]))

    county = targets[targets["zone_id"] == "ALL"] if len(targets) else targets
    # Headline counts.
    counts = {st: int((county["status"] == st).sum()) for st in L.STATUS} if len(county) \
        else {st: 0 for st in L.STATUS}
    core = county[county["core"].astype(bool)] if len(county) else county
    head = _t(
        f"全市共 {len(county)} 项指标：达标 {counts['met']} 项，未达标 {counts['not_met']} 项，"
        f"无目标 {counts['no_target']} 项，无法测算 {counts['not_measurable']} 项"
        f"（其中省定核心指标 {len(core)} 项，达标 {int((core['status'] == 'met').sum())} 项）。",
        f"{len(county)} indicators county-wide: {counts['met']} met, {counts['not_met']} not "
        f"met, {counts['no_target']} without a target, {counts['not_measurable']} not "
        f"measurable (core indicators: {len(core)}, of which "
        f"{int((core['status'] == 'met').sum())} met).", lang)
    summary = Section(_t("全市概况", "County summary", lang), paragraphs=[head])
    cov_t = _coverage_table(coverage, "ALL", lang)
    if cov_t is not None:
        summary.paragraphs.append(_t("路网可达覆盖率（全市）：", "Coverage on the street network "
                                     "(county):", lang))
        summary.tables.append(cov_t)
    secs.append(summary)
    if siting is not None and len(siting):
        secs.append(_siting_section(siting, lang))

    # Per domain, county rows: measured indicators in a table, the rest counted.
    if len(county):
        doms = list(dict.fromkeys(county["domain"]))
        doms = [d for d in doms if d == "overall"] + [d for d in doms if d != "overall"]
        for d in doms:
            part = county[county["domain"] == d]
            shown = part[part["status"].isin(["met", "not_met"]) | part["value"].notna()]
            rest = part.drop(shown.index)
            sec = Section(L.domain_text(part.iloc[0], lang), level=3)
            if len(shown):
                sec.tables.append(_indicator_table(shown, lang))
            if len(rest):
                ids = "、".join(rest["indicator_id"]) if lang != "en" else \
                    ", ".join(rest["indicator_id"])
                sec.paragraphs.append(_t(f"未测算 {len(rest)} 项（{ids}），所需数据见下文。",
                                         f"{len(rest)} not measured ({ids}); inputs needed "
                                         "are listed below.", lang))
            secs.append(sec)

        # Inputs that would make indicators measurable, grouped by what is needed.
        nm = county[county["status"] == "not_measurable"]
        if len(nm):
            rows = []
            for need, g in nm.groupby("needs", sort=False):
                rows.append([needs_text(str(need), lang),
                             ("、" if lang != "en" else ", ").join(g["indicator_id"])])
            secs.append(Section(_t("需补充的数据", "Inputs needed", lang), paragraphs=[_t(
                "以下指标缺少测算所需数据；补充后重新运行即可评估。",
                "These indicators lack inputs; add them and run again.", lang)],
                tables=[Table([_t("所需数据", "Input needed", lang),
                               _t("指标", "Indicators", lang)], rows)]))

    # Townships: overview, then one section each.
    zones = targets[targets["zone_id"] != "ALL"] if len(targets) else targets
    if len(zones):
        spatial = zones[zones["kind"].isin(SPATIAL_KINDS) | zones["value"].notna()]
        ov_rows = []
        order = list(dict.fromkeys(zones["zone_id"]))
        for z in order:
            zz = spatial[spatial["zone_id"] == z]
            name = str(zones.loc[zones["zone_id"] == z, "zone_name"].iloc[0])
            gap = zz.loc[(zz["status"] == "not_met") & (zz["kind"] == "network_coverage"),
                         "gap_people"].sum()
            ov_rows.append([name, str((zz["status"] == "met").sum()),
                            (str((zz["status"] == "not_met").sum()),
                             "not_met" if (zz["status"] == "not_met").any() else "met"),
                            L.fmt_num(float(gap)) if gap else "0"])
        secs.append(Section(_t("各乡镇（街道）概况", "Townships at a glance", lang),
                            page_break=True, paragraphs=[_t(
                                "按乡镇统计可由设施与路网测算的指标；未覆盖人口为路网覆盖类指标的缺口之和。",
                                "Indicators computed from facilities and the network, per "
                                "township; people not covered = sum of the network-coverage "
                                "gaps.", lang)],
                            tables=[Table([_t("乡镇（街道）", "Township", lang),
                                           _t("达标", "Met", lang), _t("未达标", "Not met", lang),
                                           _t("未覆盖人口（人）", "People not covered", lang)],
                                          ov_rows)]))
        for z in order:
            zz = spatial[spatial["zone_id"] == z]
            name = str(zones.loc[zones["zone_id"] == z, "zone_name"].iloc[0])
            sec = Section(f"{name}（{z}）" if lang != "en" else f"{name} ({z})", level=3)
            cov_t = _coverage_table(coverage, str(z), lang)
            if cov_t is not None:
                sec.tables.append(cov_t)
            if len(zz):
                sec.tables.append(_indicator_table(zz, lang))
            secs.append(sec)
    return title, banners, secs


# --------------------------------------------------------------------------- renderers


def _md_cell(c: Any) -> str:
    text = c[0] if isinstance(c, tuple) else str(c)
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(title: str, banners: Sequence[str], sections: Sequence[Section]) -> str:
    """The report as Markdown."""
    out = [f"# {title}", ""]
    for b in banners:
        out += [f"> **⚠ {b}**", ""]
    for s in sections:
        out += [f"{'#' * s.level} {s.title}", ""]
        for p in s.paragraphs:
            out += [p, ""]
        for t in s.tables:
            out.append("| " + " | ".join(_md_cell(h) for h in t.header) + " |")
            out.append("|" + "---|" * len(t.header))
            for r in t.rows:
                out.append("| " + " | ".join(_md_cell(c) for c in r) + " |")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em auto;
max-width:1100px;color:#222;line-height:1.45;padding:0 1em}
h1{font-size:1.6em;border-bottom:3px solid #1f4e79;padding-bottom:.2em}
h2{font-size:1.3em;color:#1f4e79;margin-top:1.6em}
h3{font-size:1.1em;margin-top:1.2em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em}
th,td{border:1px solid #bbb;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#ddebf7}
.banner{background:#ffc7ce;color:#9c0006;font-weight:bold;font-size:1.15em;padding:.7em 1em;
border:2px solid #9c0006;margin:1em 0}
.st{font-weight:bold;white-space:nowrap}
.st-met{background:#c6efce;color:#006100}.st-not_met{background:#ffc7ce;color:#9c0006}
.st-no_target{background:#ededed;color:#404040}.st-not_measurable{background:#ffeb9c;color:#9c5700}
.pb{page-break-before:always}
@media print{body{margin:0;max-width:none}.banner{-webkit-print-color-adjust:exact}}
"""


def _html_cell(c: Any, tag: str = "td") -> str:
    if isinstance(c, tuple):
        text, st = c
        return f'<{tag} class="st st-{html.escape(st)}">{html.escape(text)}</{tag}>'
    return f"<{tag}>{html.escape(str(c))}</{tag}>"


def render_html(title: str, banners: Sequence[str], sections: Sequence[Section],
                lang: str = "zh") -> str:
    """The report as one self-contained HTML page (inline CSS, no external assets)."""
    out = ["<!DOCTYPE html>", f'<html lang="{"en" if lang == "en" else "zh-CN"}">', "<head>",
           '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{html.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>",
           "<body>", f"<h1>{html.escape(title)}</h1>"]
    for b in banners:
        out.append(f'<div class="banner" role="alert">⚠ {html.escape(b)}</div>')
    for s in sections:
        cls = ' class="pb"' if s.page_break else ""
        out.append(f"<h{s.level}{cls}>{html.escape(s.title)}</h{s.level}>")
        for p in s.paragraphs:
            out.append(f"<p>{html.escape(p)}</p>")
        for t in s.tables:
            out.append("<table><thead><tr>" + "".join(_html_cell(h, "th") for h in t.header)
                       + "</tr></thead><tbody>")
            for r in t.rows:
                out.append("<tr>" + "".join(_html_cell(c) for c in r) + "</tr>")
            out.append("</tbody></table>")
    if banners:
        out.append(f'<div class="banner">⚠ {html.escape(banners[0])}</div>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_reports(out_dir: str | Path, *, targets: pd.DataFrame, coverage: pd.DataFrame,
                  params: Mapping[str, Any], lang: str = "zh",
                  siting: pd.DataFrame | None = None) -> list[Path]:
    """Write ``report.md`` and ``report.html`` into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
    targets : pandas.DataFrame
        From :func:`circle15.coverage.plan.evaluate.evaluate_targets`.
    coverage : pandas.DataFrame
        Coverage per zone, layer, group and threshold (rate 0..1).
    params : mapping
        Run parameters; ``synthetic = True`` puts the synthetic-data banner on top.
    lang : {"zh", "en"}
    siting : pandas.DataFrame, optional
        Before/after table of proposed sites (adds a section).

    Returns
    -------
    list of Path
        ``[report.md, report.html]``.
    """
    out_dir = Path(out_dir)
    title, banners, secs = build_sections(targets, coverage, params, lang, siting)
    md = write_text(out_dir / "report.md", render_markdown(title, banners, secs))
    page = write_text(out_dir / "report.html", render_html(title, banners, secs, lang))
    return [md, page]
