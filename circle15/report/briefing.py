"""The briefing's content, computed from the numbers: conclusions, key figures, actions.

Everything an official reads on the first two pages is built here once, as plain data
(:class:`Briefing`), and rendered by :mod:`circle15.report.summary` (Markdown, HTML, PDF)
and :mod:`circle15.report.docx` (Word). Every number a sentence or a key figure quotes is
recorded as a :class:`Quote` (indicator, zone, column, value) so that it can be checked
against ``targets_by_zone.csv`` / ``coverage_by_zone.csv`` (``briefing.json``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from circle15.report import labels as L
from circle15.report.labels import number_or_none as _num
from circle15.report.labels import zh_en as _t
from circle15.vocab import COMPOSITE, COUNTY, county_label

#: Beijing time, for "generated at".
BEIJING = ZoneInfo("Asia/Shanghai")
#: Marks of the plan's indicator table.
CORE_MARK, OBSERVATIONAL_MARK = "*", "▲"


@dataclass(frozen=True)
class PlanInfo:
    """What the report says about the plan (from :class:`~circle15.coverage.plan.evaluate.Plan`)."""

    title: str = ""
    title_en: str = ""
    document: str = ""
    issuer: str = ""
    region: str = ""
    domains: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Any) -> PlanInfo:
        """From a loaded plan (or ``None``: an empty description)."""
        if plan is None:
            return cls()
        return cls(title=plan.title, title_en=plan.title_en, document=plan.document,
                   issuer=plan.issuer, region=plan.region, domains=dict(plan.domains))


@dataclass
class Quote:
    """A number quoted in the briefing and where it comes from."""

    file: str
    column: str
    value: float
    text: str
    indicator_id: str = ""
    zone_id: str = COUNTY
    layer: str = ""
    group: str = ""
    minutes: float | None = None


@dataclass
class Sentence:
    """One sentence of the conclusions with the numbers it quotes."""

    text: str
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class KeyFigure:
    """A headline number: label, formatted value and source."""

    label: str
    text: str
    quote: Quote | None = None


@dataclass
class Action:
    """An indicator not met, the department responsible, townships and what is missing."""

    responsible: str
    indicator: str
    townships: str
    missing: str


@dataclass
class DataNeed:
    """Indicators a department must supply data for before they can be assessed."""

    responsible: str
    need: str
    indicators: list[str]


@dataclass
class Briefing:
    """The front pages of the report."""

    title: str
    plan_line: str
    generated: str
    county_word: str
    year: int | str
    sentences: list[Sentence]
    figures: list[KeyFigure]
    actions: list[Action]
    needs: list[DataNeed]
    marks_note: str
    banners: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``briefing.json``)."""
        return asdict(self)


def _sep(lang: str) -> str:
    return ", " if lang == "en" else "、"



def beijing_time(stamp: Any, lang: str = "zh") -> str:
    """An ISO time stamp as Beijing time (``2026-12-01 16:33 北京时间``); naive = UTC."""
    if not stamp:
        return ""
    try:
        t = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return t.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + _t("（北京时间）",
                                                                 " (Beijing time)", lang)


def marked_name(r: Mapping[str, Any], lang: str) -> str:
    """``T01* 每千人口…（个）``: id, core/observational mark, name and unit."""
    mark = (CORE_MARK if bool(r.get("core")) else "") + \
        (OBSERVATIONAL_MARK if bool(r.get("observational")) else "")
    unit = L.unit_text(r, lang)
    unit = (f"（{unit}）" if lang != "en" else f" ({unit})") if unit else ""
    return f"{r['indicator_id']}{mark} {L.indicator_name(r, lang)}{unit}"


def marks_note(lang: str) -> str:
    """What ``*`` and ``▲`` mean."""
    return _t(f"{CORE_MARK} 省定核心指标；{OBSERVATIONAL_MARK} 观察性指标（只监测、不考核）。",
              f"{CORE_MARK} core indicator set by the province; {OBSERVATIONAL_MARK} "
              "observational indicator (monitored, no target).", lang)


def _q(r: Mapping[str, Any], column: str, text: str) -> Quote:
    return Quote(file="targets_by_zone.csv", column=column, value=float(r[column]), text=text,
                 indicator_id=str(r["indicator_id"]), zone_id=str(r["zone_id"]))


def _value_quote(r: Mapping[str, Any], lang: str) -> Quote:
    return _q(r, "value", L.fmt_value(r["value"], L.unit_text(r, "zh"), lang))


# --------------------------------------------------------------------------- the sentences


def _overview(county: pd.DataFrame, ctx: Context) -> Sentence:
    lang = ctx.lang
    measured = county[county["value"].notna()]
    met = int((measured["status"] == "met").sum())
    not_met = int((measured["status"] == "not_met").sum())
    nm = int((county["status"] == "not_measurable").sum())
    idle = len(county) - len(measured) - nm
    plan = f"《{ctx.plan.title}》（{ctx.plan.document}）" if ctx.plan.title else ""
    if lang == "en":
        plan = f"the plan '{ctx.plan.title_en}' ({ctx.plan.document})" if ctx.plan.title else \
            "the plan"
        text = (f"Against {plan} for {ctx.year}, {len(measured)} of the {len(county)} "
                f"indicators can be measured from facilities and the street network: {met} "
                f"met, {not_met} not met; {nm} need data from the departments"
                + (f" and {idle} have no target this year." if idle else "."))
    else:
        text = (f"对照{plan}{ctx.year}年目标，{ctx.county_word}{len(county)}项指标中"
                f"{len(measured)}项可由设施和路网测算：达标{met}项、未达标{not_met}项；"
                f"{nm}项需相关部门提供数据后评估" + (f"，{idle}项本年度无目标。" if idle else "。"))
    return Sentence(text)


def _met_sentence(county: pd.DataFrame, zones: pd.DataFrame, ctx: Context) -> Sentence:
    lang = ctx.lang
    met = county[(county["status"] == "met") & county["value"].notna()]
    if len(met):
        quotes = [_value_quote(r, lang) for r in met.to_dict("records")]
        parts = [f"{L.indicator_name(r, lang)}（{q.text}）" if lang != "en" else
                 f"{L.indicator_name(r, lang)} ({q.text})"
                 for r, q in zip(met.to_dict("records"), quotes, strict=True)]
        return Sentence(_t(f"已达标：{_sep(lang).join(parts)}。",
                           f"Met: {_sep(lang).join(parts)}.", lang), quotes)
    zm = zones[(zones["status"] == "met") & zones["value"].notna()]
    if not len(zm):
        return Sentence(_t(f"{ctx.county_word}和各乡镇（街道）尚无可测算指标达标。",
                           "No measured indicator is met, county-wide or in any township.",
                           lang))
    best = zm.groupby("indicator_id", sort=False).size().sort_values(ascending=False,
                                                                    kind="stable")
    ind = str(best.index[0])
    rows = zm[zm["indicator_id"] == ind]
    names = _sep(lang).join(rows["zone_name"].astype(str).head(4))
    more = _t("等", " and others", lang) if len(rows) > 4 else ""
    name = L.indicator_name(rows.iloc[0], lang)
    return Sentence(_t(f"{ctx.county_word}层面尚无测算指标达标；{name}已有{len(rows)}个乡镇（街道）"
                       f"达标：{names}{more}。",
                       f"No measured indicator is met county-wide; {name} is met in "
                       f"{len(rows)} townships ({names}{more}).", lang))


def _gap_clause(r: Mapping[str, Any], lang: str) -> tuple[str, list[Quote]]:
    quotes = []
    parts = []
    gv = _num(r.get("gap_value"))
    if gv is not None and gv > 0:
        unit = L.unit_text(r, "zh")
        text = L.fmt_num(gv, 1)
        quotes.append(_q(r, "gap_value", text))
        parts.append(_t(f"差{text}个百分点" if unit == "%" else f"差{text}{unit}",
                        f"{text} {'points' if unit == '%' else L.unit_text(r, lang)} short",
                        lang))
    gp = _num(r.get("gap_people"))
    if gp is not None and gp > 0:
        text = L.fmt_int(gp)
        quotes.append(_q(r, "gap_people", text))
        parts.append(_t(f"还需覆盖{text}人", f"{text} more people to reach", lang))
    return ("，" if lang != "en" else ", ").join(parts), quotes


def _behind_sentence(county: pd.DataFrame, ctx: Context) -> Sentence | None:
    lang = ctx.lang
    nm = county[(county["status"] == "not_met") & county["value"].notna()
                & (county["target_value"].astype(float) > 0)]
    if not len(nm):
        return None
    rel = nm["gap_value"].astype(float) / nm["target_value"].astype(float)
    r = nm.loc[rel.sort_values(ascending=False, kind="stable").index[0]].to_dict()
    vq = _value_quote(r, lang)
    tq = _q(r, "target_value", L.fmt_value(r["target_value"], L.unit_text(r, "zh"), lang))
    gap, gq = _gap_clause(r, lang)
    name = L.indicator_name(r, lang)
    text = _t(f"差距最大的是{name}：{ctx.county_word}现状{vq.text}，{ctx.year}年目标{tq.text}"
              f"（{gap}）。",
              f"Furthest behind: {name}, {vq.text} against a {ctx.year} target of {tq.text} "
              f"({gap}).", lang)
    return Sentence(text, [vq, tq, *gq])


def headline_indicator(targets: pd.DataFrame) -> pd.Series | None:
    """The county row of the full-circle network indicator (else the first network one)."""
    county = targets[(targets["zone_id"] == COUNTY) & (targets["kind"] == "network_coverage")
                     & targets["value"].notna()]
    if not len(county):
        return None
    full = county[county["layer"].astype(str) == COMPOSITE]
    return (full if len(full) else county).iloc[0]


def _townships_sentence(targets: pd.DataFrame, ctx: Context) -> Sentence | None:
    lang = ctx.lang
    head = headline_indicator(targets)
    if head is None:
        return None
    rows = targets[(targets["indicator_id"] == head["indicator_id"])
                   & (targets["zone_id"] != COUNTY) & targets["value"].notna()]
    if not len(rows):
        return None
    low = rows.sort_values("value", kind="stable").head(3).to_dict("records")
    quotes = [_value_quote(r, lang) for r in low]
    below = int((rows["status"] == "not_met").sum())
    names = _sep(lang).join(f"{r['zone_name']}（{q.text}）" if lang != "en" else
                            f"{r['zone_name']} ({q.text})"
                            for r, q in zip(low, quotes, strict=True))
    name = L.indicator_name(head, lang)
    return Sentence(_t(f"{len(rows)}个乡镇（街道）中{below}个未达到{name}目标，最低的是{names}。",
                       f"{below} of {len(rows)} townships fall short on {name}; the lowest are "
                       f"{names}.", lang), quotes)


def _needs_sentence(needs: Sequence[DataNeed], ctx: Context) -> Sentence | None:
    if not needs:
        return None
    n = len({i for d in needs for i in d.indicators})
    depts = list(dict.fromkeys(d.responsible for d in needs))
    lang = ctx.lang
    return Sentence(_t(f"另有{n}项指标需{_sep(lang).join(depts)}等{len(depts)}个部门提供数据后"
                       "才能评估，清单见附录。",
                       f"{n} more indicators can be assessed once {len(depts)} departments "
                       f"({_sep(lang).join(depts)}) supply data; see the appendix.", lang))


# --------------------------------------------------------------------------- the tables


def key_figures(targets: pd.DataFrame, coverage: pd.DataFrame | None, ctx: Context
                ) -> list[KeyFigure]:
    """Population, the full circle's coverage, people not reached, indicators met."""
    lang = ctx.lang
    out: list[KeyFigure] = []
    if coverage is not None and len(coverage):
        c = coverage[(coverage["zone_id"].astype(str) == COUNTY)
                     & (coverage["group"].astype(str) == "total")]
        if len(c):
            r = c.iloc[0]
            out.append(KeyFigure(_t("常住人口", "Residents", lang),
                                 _t(f"{L.fmt_int(r['population'])} 人",
                                    f"{L.fmt_int(r['population'])}", lang),
                                 Quote("coverage_by_zone.csv", "population",
                                       float(r["population"]), L.fmt_int(r["population"]),
                                       layer=str(r["layer"]), group="total",
                                       minutes=float(r["minutes"]))))
    head = headline_indicator(targets)
    if head is not None:
        h = head.to_dict()
        q = _value_quote(h, lang)
        out.append(KeyFigure(L.indicator_name(h, lang), q.text, q))
        gp = _num(h.get("gap_people"))
        if gp is not None:
            out.append(KeyFigure(_t("尚未覆盖人口", "People not yet reached", lang),
                                 _t(f"{L.fmt_int(gp)} 人", L.fmt_int(gp), lang),
                                 _q(h, "gap_people", L.fmt_int(gp))))
    county = targets[targets["zone_id"] == COUNTY]
    measured = county[county["value"].notna()]
    met = int((measured["status"] == "met").sum())
    out.append(KeyFigure(_t("可测算指标达标", "Measured indicators met", lang),
                         _t(f"{met} / {len(measured)} 项", f"{met} of {len(measured)}", lang)))
    nm = int((county["status"] == "not_measurable").sum())
    out.append(KeyFigure(_t("需部门提供数据", "Awaiting department data", lang),
                         _t(f"{nm} 项", f"{nm}", lang)))
    return out


def _missing_text(r: Mapping[str, Any], zone_rows: pd.DataFrame, lang: str) -> str:
    parts = []
    gp = _num(r.get("gap_people"))
    if gp is None and len(zone_rows):
        gp = _num(zone_rows["gap_people"].sum(min_count=1))
    if gp:
        parts.append(_t(f"需再覆盖 {L.fmt_int(gp)} 人", f"{L.fmt_int(gp)} people to reach", lang))
    gc = _num(r.get("gap_capacity"))
    if gc:
        unit = L.unit_text(r, lang)
        parts.append(_t(f"需新增容量 {L.fmt_int(gc)} {unit}", f"{L.fmt_int(gc)} places to add",
                        lang))
    gu = _num(r.get("gap_units"))
    if gu:
        village = r.get("level") == "village"
        parts.append(_t(f"还需 {L.fmt_int(gu)} 个{'村（社区）' if village else '乡镇（街道）'}",
                        f"{L.fmt_int(gu)} more {'villages' if village else 'townships'}", lang))
    if not parts:
        gap, _ = _gap_clause(r, lang)
        parts.append(gap)
    return ("；" if lang != "en" else "; ").join(p for p in parts if p)


def actions(targets: pd.DataFrame, ctx: Context) -> list[Action]:
    """One row per indicator not met: department, indicator, townships short, what is missing."""
    lang = ctx.lang
    county = targets[targets["zone_id"] == COUNTY]
    zones = targets[targets["zone_id"] != COUNTY]
    out = []
    for r in county.to_dict("records"):
        zr = zones[(zones["indicator_id"] == r["indicator_id"]) & (zones["status"] == "not_met")]
        if r["status"] != "not_met" and not len(zr):
            continue
        names = list(zr["zone_name"].astype(str))
        if not names:
            towns = "—"
        elif len(names) == len(zones["zone_id"].unique()):
            towns = _t(f"全部{len(names)}个", f"all {len(names)}", lang)
        else:
            more = _t("等", " ...", lang) if len(names) > 4 else ""
            towns = _t(f"{len(names)}个：", f"{len(names)}: ", lang) + \
                _sep(lang).join(names[:4]) + more
        resp = str(r.get("responsible") or "") if lang != "en" else \
            str(ctx.responsible_en.get(str(r["indicator_id"])) or r.get("responsible") or "")
        out.append(Action(resp or "—", marked_name(r, lang), towns, _missing_text(r, zr, lang)))
    return sorted(out, key=lambda a: a.responsible)


def data_needs(targets: pd.DataFrame, ctx: Context) -> list[DataNeed]:
    """Indicators not measurable, grouped by department and by what is needed."""
    lang = ctx.lang
    county = targets[(targets["zone_id"] == COUNTY) & (targets["status"] == "not_measurable")]
    out: dict[tuple[str, str], DataNeed] = {}
    for r in county.to_dict("records"):
        resp = str(r.get("responsible") or "—")
        if lang == "en":
            resp = str(ctx.responsible_en.get(str(r["indicator_id"])) or resp)
        need = L.needs_text(r.get("needs"), lang, ctx.layers)
        if r.get("kind") == "reported":
            need = _t("部门上报现状值（填入上报数据表 reported_template.csv）",
                      "the current value, reported (reported_template.csv)", lang)
        out.setdefault((resp, need), DataNeed(resp, need, [])).indicators.append(
            marked_name(r, lang))
    return sorted(out.values(), key=lambda d: (d.responsible, d.need))


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Context:
    """What the content builders need besides the tables."""

    lang: str
    year: int | str
    county_word: str
    plan: PlanInfo
    layers: Sequence[Mapping[str, Any]] = ()
    responsible_en: Mapping[str, str] = field(default_factory=dict)


def make_context(params: Mapping[str, Any], targets: pd.DataFrame, *, plan: Any = None,
                 layers: Sequence[Mapping[str, Any]] = (), lang: str = "zh") -> Context:
    """The report context from the run parameters and the plan."""
    year = params.get("year") or (int(targets["year"].iloc[0]) if len(targets) else "")
    area = str(params.get("title") or "") or (plan.region if plan is not None else "")
    resp_en = {i.id: i.responsible_en for i in plan.indicators} if plan is not None else {}
    return Context(lang=lang, year=year, county_word=county_label(area, lang),
                   plan=PlanInfo.from_plan(plan), layers=tuple(layers), responsible_en=resp_en)


def build_briefing(targets: pd.DataFrame, params: Mapping[str, Any], ctx: Context, *,
                   coverage: pd.DataFrame | None = None) -> Briefing:
    """The briefing of the selected year (``targets``) for the report, the PDF and Word."""
    lang = ctx.lang
    county = targets[targets["zone_id"] == COUNTY]
    zones = targets[targets["zone_id"] != COUNTY]
    needs = data_needs(targets, ctx)
    sentences = [s for s in (_overview(county, ctx), _met_sentence(county, zones, ctx),
                             _behind_sentence(county, ctx), _townships_sentence(targets, ctx),
                             _needs_sentence(needs, ctx)) if s is not None]
    name = str(params.get("title") or "circle15")
    circle = "" if "15分钟" in name or "15-minute" in name else _t("15分钟公共服务圈",
                                                                   "15-minute circle ", lang)
    title = f"{name} " + _t(f"{circle}评估简报（{ctx.year}年目标）",
                            f"{circle}briefing ({ctx.year} targets)", lang)
    plan_line = ""
    if ctx.plan.title:
        plan_line = _t(f"依据：{ctx.plan.issuer}《{ctx.plan.title}》（{ctx.plan.document}）",
                       f"Plan: {ctx.plan.title_en} ({ctx.plan.document})", lang)
    banners = [L.pick(L.SYNTHETIC_BANNER, lang)] if params.get("synthetic") else []
    return Briefing(title=title, plan_line=plan_line,
                    generated=beijing_time(params.get("generated_at"), lang),
                    county_word=ctx.county_word, year=ctx.year, sentences=sentences,
                    figures=key_figures(targets, coverage, ctx), actions=actions(targets, ctx),
                    needs=needs, marks_note=marks_note(lang), banners=banners)
