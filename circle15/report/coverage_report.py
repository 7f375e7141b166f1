"""The report of a run without a plan: coverage and the standards, no targets to brief against.

A run with ``[targets] plan = "none"`` (the default; the Helsinki example) has nothing to score,
so it gets no briefing, but still ``report.md``/``report.html``: the county-wide coverage by
layer and threshold, the layers judged by their standards (every denominator side by side),
one table per township and the run parameters with the data problems found.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from circle15.report import labels as L
from circle15.report import summary as S
from circle15.report.labels import zh_en as _t
from circle15.report.standards import standards_section
from circle15.vocab import COUNTY, county_label


def coverage_sections(coverage: pd.DataFrame, params: Mapping[str, Any],
                      layers: Sequence[Mapping[str, Any]], *,
                      standards: pd.DataFrame | None = None,
                      problems: Sequence[Mapping[str, Any]] = (), lang: str = "zh"
                      ) -> list[S.Section]:
    """The sections of a no-plan report."""
    county = county_label(str(params.get("title") or ""), lang)
    intro = _t("本次运行未指定规划（[targets] plan = \"none\"），只测算覆盖情况，不评价目标。"
               "覆盖率为在时限内经路网可到达最近设施的人口比例。",
               "This run names no plan ([targets] plan = \"none\"): it measures coverage and "
               "scores no target. A coverage rate is the share of people who reach the nearest "
               "facility on the street network within the time.", lang)
    first = S.Section(_t(f"{county}覆盖情况", f"Coverage ({county})", lang),
                      blocks=[intro], part="briefing")
    table = S.coverage_table(coverage, COUNTY, lang, layers)
    if table is not None:
        first.blocks.append(table)
    numerals = iter(("一", "二", "三") if lang != "en" else ("1", "2", "3"))
    out = [first]
    std = standards_section(standards, lang, next(numerals), layers, county,
                            str(params.get("standards_catalogue") or ""))
    if std is not None:
        out.append(std)
    zone_rows = coverage[coverage["zone_id"].astype(str) != COUNTY]
    number = next(numerals)
    zsec = [S.Section(_t(f"附录{number} 各乡镇（街道）", f"Appendix {number} Townships", lang),
                      page_break=True)]
    for zid, name in dict.fromkeys(zip(zone_rows["zone_id"].astype(str),
                                       zone_rows["zone_name"].astype(str), strict=True)):
        t = S.coverage_table(coverage, zid, lang, layers)
        zsec.append(S.Section(f"{name}（{zid}）" if lang != "en" else f"{name} ({zid})",
                              level=3, blocks=[t] if t is not None else []))
    return [*out, *zsec, S.params_section(params, lang, next(numerals), None, problems)]


def write_coverage_report(out_dir: str | Path, coverage: pd.DataFrame,
                          params: Mapping[str, Any], layers: Sequence[Mapping[str, Any]], *,
                          standards: pd.DataFrame | None = None,
                          problems: Sequence[Mapping[str, Any]] = (), lang: str = "zh"
                          ) -> list[Path]:
    """Write ``report.md`` and ``report.html`` of a run without a plan.

    Parameters
    ----------
    out_dir : str or Path
    coverage : pandas.DataFrame
        ``coverage_by_zone``.
    params : mapping
        Run parameters (title, synthetic, ...).
    layers : sequence of dict
        The run's layer specs (names).
    standards : pandas.DataFrame, optional
        ``standards_by_zone``.
    problems : sequence of dict
        The run's data problems.
    lang : {"zh", "en"}

    Returns
    -------
    list of Path
    """
    from circle15.report.pdf import font_face_css

    title = _t(f"{params.get('title') or 'circle15'}：15分钟公共服务圈覆盖测算",
               f"{params.get('title') or 'circle15'}: 15-minute service coverage", lang)
    banners = [L.pick(L.SYNTHETIC_BANNER, lang)] if params.get("synthetic") else []
    sections = coverage_sections(coverage, params, layers, standards=standards,
                                 problems=problems, lang=lang)
    css = font_face_css(S.report_text(title, banners, sections))
    return S.write_report_files(out_dir, title, banners, sections, lang, css)
