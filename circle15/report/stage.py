"""The report stage: one call writes every document an official reads.

:func:`write_briefing` writes ``report.md``, ``report.html`` (briefing + appendix),
``briefing.pdf`` (the briefing, at most two A4 pages; skipped with a warning without
Chromium), ``briefing.docx``, the charts (``chart_*.png``, ``overview_map.png``) with their
numbers (``charts.json``), the briefing's quoted numbers (``briefing.json``) and
``coverage.xlsx``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from circle15.io import write_text
from circle15.report import summary as S
from circle15.report.briefing import Briefing, Context, build_briefing, make_context
from circle15.report.charts import Chart, overview_map, write_charts, write_charts_json
from circle15.report.standards import standards_section, standards_wide
from circle15.report.villages import villages_display
from circle15.vocab import RunFiles

log = logging.getLogger(__name__)

#: Most printed pages of ``briefing.pdf``.
BRIEFING_PAGES = 2


def _load_plan(params: Mapping[str, Any], plan: Any) -> Any:
    if plan is not None or not params.get("plan"):
        return plan
    from circle15.coverage.plan import load_plan
    from circle15.errors import InputError

    try:
        return load_plan(params["plan"])
    except (InputError, OSError) as exc:  # the report still renders without the metadata
        log.warning("plan %s not loaded for the report (%s)", params["plan"], exc)
        return None


def build_report(targets: pd.DataFrame, params: Mapping[str, Any], ctx: Context, *,
                 coverage: pd.DataFrame | None = None, charts: Sequence[Chart] = (),
                 overview: Path | None = None, siting: pd.DataFrame | None = None,
                 siting_info: Mapping[str, Any] | None = None,
                 problems: Sequence[Mapping[str, Any]] = (),
                 standards: pd.DataFrame | None = None, layers: Sequence[Mapping[str, Any]] = ()
                 ) -> tuple[Briefing, list[S.Section], list[S.Section]]:
    """The briefing and the two parts of the report (front pages, appendix)."""
    b = build_briefing(targets, params, ctx, coverage=coverage)
    front = S.briefing_sections(b, ctx.lang, overview=overview, charts=charts)
    status = next((Path(c.path) for c in charts if c.kind == "status"), None)
    scen = S.scenario_sections(siting, siting_info, targets, ctx)
    numerals = iter(("二", "三", "四", "五", "六", "七") if ctx.lang != "en"
                    else ("2", "3", "4", "5", "6", "7"))
    if scen:
        next(numerals)  # the scenario section numbers itself 二
    std = standards_section(standards, ctx.lang, next(numerals), layers, ctx.county_word,
                            str(params.get("standards_catalogue") or "")) \
        if standards is not None and len(standards) else None
    appendix = [*S.domain_sections(targets, ctx), *scen, *([std] if std else []),
                S.needs_section(b, ctx.lang, next(numerals)),
                *S.township_sections(targets, coverage, ctx, next(numerals)),
                S.params_section(params, ctx.lang, next(numerals), status, problems)]
    return b, front, appendix


@dataclass(frozen=True)
class BriefingInputs:
    """What the report stage reads: a run's tables and parameters.

    Attributes
    ----------
    coverage : pandas.DataFrame
        ``coverage_by_zone`` table (rates 0..1).
    targets : pandas.DataFrame
        The selected year's targets (:func:`~circle15.coverage.plan.evaluate_targets`).
    params : mapping
        Run parameters (title, synthetic, plan, year, mode, ..., generated_at).
    layers : sequence of dict
        The run's layer specs (``key``, ``label_zh``, ``label_en``, ``color``, ...): the one
        source of layer names.
    targets_all : pandas.DataFrame, optional
        Every plan year (``year`` column) for the trajectories and the workbook.
    plan : Plan, optional
        Default: ``load_plan(params["plan"])`` (title, document number, domains).
    siting : pandas.DataFrame, optional
        Before/after table of the siting scenario (every layer).
    siting_info : mapping, optional
        Layer -> siting report (target, method, candidates, sites ...).
    capacity, admin : pandas.DataFrame, optional
        Extra workbook sheets.
    standards : pandas.DataFrame, optional
        ``standards_by_zone``: a report section (county rows) and a workbook sheet.
    villages : pandas.DataFrame, optional
        Village-level targets village by village
        (:func:`circle15.coverage.plan.village_targets`): the workbook's 村级指标 sheet.
    zones, facilities : geopandas.GeoDataFrame, optional
        For the overview map (no map without ``zones``).
    lang : {"zh", "en"}
    problems : sequence of dict
        The run's data problems (``run.json`` ``data_problems``: ``text_zh``, ``text_en``,
        ``look_at``), listed in the appendix.
    """

    coverage: pd.DataFrame
    targets: pd.DataFrame
    params: Mapping[str, Any]
    layers: Sequence[Mapping[str, Any]]
    targets_all: pd.DataFrame | None = None
    plan: Any = None
    siting: pd.DataFrame | None = None
    siting_info: Mapping[str, Any] | None = None
    capacity: pd.DataFrame | None = None
    admin: pd.DataFrame | None = None
    standards: pd.DataFrame | None = None
    villages: pd.DataFrame | None = None
    zones: Any = None
    facilities: Any = None
    lang: str = "zh"
    problems: Sequence[Mapping[str, Any]] = ()


def write_briefing(out_dir: str | Path, inputs: BriefingInputs, *, pdf: bool = True,
                   chromium: str | Path | None = None) -> list[Path]:
    """Write the whole report stage into ``out_dir``.

    Parameters
    ----------
    out_dir : str or Path
    inputs : BriefingInputs
        The run's tables and parameters.
    pdf : bool
        Print ``briefing.pdf`` with Chromium (``chromium``: its path; a warning when absent).

    Returns
    -------
    list of Path
        Every file written.
    """
    from circle15.forked import Job, can_fork
    from circle15.report.docx import write_docx
    from circle15.report.excel import write_workbook
    from circle15.report.pdf import font_face_css

    out_dir = Path(out_dir)
    coverage, targets, params, layers, lang = (inputs.coverage, inputs.targets, inputs.params,
                                               inputs.layers, inputs.lang)
    targets_all, siting = inputs.targets_all, inputs.siting
    plan = _load_plan(params, inputs.plan)
    ctx = make_context(params, targets, plan=plan, layers=layers, lang=lang)
    charts = write_charts(out_dir, targets, targets_all=targets_all, lang=lang,
                          domains=ctx.plan.domains, county=ctx.county_word)
    ov = overview_map(out_dir / RunFiles.OVERVIEW_PNG, inputs.zones, targets,
                      facilities=inputs.facilities,
                      layers=layers, crs=params.get("crs"), lang=lang)
    if ov is not None:
        charts = [ov, *charts]
        write_charts_json(out_dir / RunFiles.CHARTS_JSON, charts)
    b, front, appendix = build_report(targets, params, ctx, coverage=coverage, charts=charts,
                                      overview=ov.path if ov else None, siting=siting,
                                      siting_info=inputs.siting_info,
                                      problems=inputs.problems, standards=inputs.standards,
                                      layers=layers)
    text = S.report_text(b.title, b.banners, [*front, *appendix])
    font_css = font_face_css(text)
    written = [*(Path(c.path) for c in charts), out_dir / RunFiles.CHARTS_JSON]
    written += S.write_report_files(out_dir, b.title, b.banners, [*front, *appendix], lang,
                                    font_css)
    written.append(write_text(out_dir / RunFiles.BRIEFING_JSON, json.dumps(
        b.to_dict(), ensure_ascii=False, indent=1, default=str) + "\n"))
    printing = None
    if pdf:  # Chromium prints in a forked process while Word and the workbook are written
        page = S.render_html(b.title, b.banners, front, lang, font_css=font_css, brief=True)
        printing = Job(_print_pdf, (page, out_dir / RunFiles.BRIEFING_PDF, chromium),
                       concurrent=can_fork())
    after_pdf = [write_docx(out_dir / RunFiles.BRIEFING_DOCX, b, front, appendix, lang)]
    extra = {k: v for k, v in (("admin", inputs.admin), ("capacity", inputs.capacity))
             if v is not None and len(v)}
    if inputs.standards is not None and len(inputs.standards):
        extra["standards"] = standards_wide(inputs.standards, lang, layers, ctx.county_word)
    if inputs.villages is not None and len(inputs.villages):
        extra["villages"] = villages_display(inputs.villages, targets, lang)
    after_pdf.append(write_workbook(out_dir / RunFiles.WORKBOOK, coverage=coverage,
                                    targets=targets, targets_all=targets_all, params=params,
                                    lang=lang, layers=layers, siting=siting,
                                    extra_sheets=extra, plan=plan))
    printed = printing.result() if printing is not None else None
    return [*written, *([printed] if printed is not None else []), *after_pdf]


def _print_pdf(page: str, path: Path, chromium: str | Path | None) -> Path | None:
    """``briefing.pdf`` from the brief page (:func:`circle15.report.pdf.html_to_pdf`)."""
    from circle15.report.pdf import html_to_pdf

    return html_to_pdf(page, path, chromium=chromium, max_pages=BRIEFING_PAGES)


def write_reports(out_dir: str | Path, *, targets: pd.DataFrame, coverage: pd.DataFrame,
                  params: Mapping[str, Any], lang: str = "zh",
                  siting: pd.DataFrame | None = None,
                  layers: Sequence[Mapping[str, Any]] = ()) -> list[Path]:
    """Write ``report.md`` and ``report.html`` only (no charts, PDF, Word or workbook)."""
    ctx = make_context(params, targets, plan=_load_plan(params, None), layers=layers, lang=lang)
    b, front, appendix = build_report(targets, params, ctx, coverage=coverage, siting=siting)
    return S.write_report_files(out_dir, b.title, b.banners, [*front, *appendix], lang)
