"""The Excel workbook for officials (``coverage.xlsx``) and the targets CSV.

Sheets: a front sheet with the run parameters (and the synthetic-data banner when the
data are generated), coverage per township, layer, group and threshold, then the targets
county-wide and per township with met / not met colours (a fill on each status cell plus a
conditional-formatting rule, so the colour follows edits). Headers are Chinese by default,
English with ``lang="en"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from circle15.io import atomic_file, write_csv
from circle15.report import labels as L

SHEETS = {
    "about": ("说明", "About"),
    "coverage": ("覆盖率", "Coverage"),
    "county": ("目标-全市", "Targets - county"),
    "zones": ("目标-乡镇", "Targets - townships"),
}
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BANNER_FILL = PatternFill("solid", fgColor="FFC7CE")


# --------------------------------------------------------------------------- tables


def write_targets_csv(path: str | Path, targets: pd.DataFrame) -> Path:
    """Write ``targets_by_zone.csv`` (UTF-8 with BOM, machine-readable column names)."""
    return write_csv(targets, path)


def coverage_display(coverage: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Coverage table with labelled values and headers (rates stay fractions 0..1)."""
    df = coverage.copy()
    if "layer" in df.columns:
        df["layer"] = df["layer"].map(lambda v: L.label(L.LAYERS, v, lang))
    if "group" in df.columns:
        df["group"] = df["group"].map(lambda v: L.label(L.GROUPS, v, lang))
    if "zone_id" in df.columns and "zone_name" in df.columns:
        county = L.pick(("全市", "County"), lang)
        df.loc[df["zone_id"].astype(str) == "ALL", "zone_name"] = county
    return df.rename(columns={k: L.pick(v, lang) for k, v in L.COVERAGE_HEADERS.items()})


def targets_display(targets: pd.DataFrame, lang: str = "zh", *, zones: bool = True
                    ) -> pd.DataFrame:
    """Targets table for people: labelled statuses, one language, human headers."""
    cols = [c for c in L.TARGET_HEADERS if zones or c not in ("zone_id", "zone_name")]
    out = pd.DataFrame(index=targets.index)
    for c in cols:
        if c == "domain":
            out[c] = targets.apply(lambda r: L.domain_text(r, lang), axis=1) if len(targets) \
                else []
        elif c == "name":
            out[c] = targets.apply(lambda r: L.indicator_name(r, lang), axis=1) if len(targets) \
                else []
        elif c == "unit":
            out[c] = targets.apply(lambda r: L.unit_text(r, lang), axis=1) if len(targets) \
                else []
        elif c == "status":
            out[c] = targets["status"].map(lambda v: L.label(L.STATUS, v, lang))
        elif c == "source":
            out[c] = targets["source"].map(lambda v: L.label(L.SOURCES, v, lang))
        elif c == "scope":
            out[c] = targets["scope"].map(lambda v: L.label(L.SCOPES, v, lang))
        elif c == "core":
            yes = L.pick(("是", "yes"), lang)
            out[c] = targets["core"].map(lambda v: yes if bool(v) else "")
        elif c == "number":
            out[c] = targets["number"].astype(object).map(lambda v: "" if pd.isna(v) else int(v))
        elif c in targets.columns:
            out[c] = targets[c]
        else:
            out[c] = ""
    return out.rename(columns={k: L.pick(v, lang) for k, v in L.TARGET_HEADERS.items()})


# --------------------------------------------------------------------------- workbook


def _cell_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, (float, np.floating)):
        return None if np.isnan(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (list, tuple, dict)):
        return str(v)
    return v


def _write_table(ws: Worksheet, df: pd.DataFrame, *, start_row: int = 1,
                 number_formats: Mapping[str, str] | None = None) -> None:
    """A header row and data rows, with widths, frozen header and a filter."""
    cols = [str(c) for c in df.columns]
    for j, c in enumerate(cols, start=1):
        cell = ws.cell(row=start_row, column=j, value=c)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for i, row in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=_cell_value(v))
    fmts = number_formats or {}
    n = len(df)
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        if c in fmts:
            for i in range(start_row + 1, start_row + 1 + n):
                ws.cell(row=i, column=j).number_format = fmts[c]
        width = max([len(c)] + [len(str(v)) for v in df.iloc[:200, j - 1].tolist()])
        ws.column_dimensions[letter].width = min(max(8, width * 1.6 + 2), 60)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    if n:
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(cols))}{start_row + n}"


def _colour_status(ws: Worksheet, df: pd.DataFrame, status_col: str, raw: pd.Series,
                   lang: str) -> None:
    """Fill each status cell by status, plus conditional rules that follow edits."""
    if status_col not in df.columns or not len(df):
        return
    j = list(df.columns).index(status_col) + 1
    letter = get_column_letter(j)
    for i, st in enumerate(raw.tolist(), start=2):
        fill, font = L.STATUS_COLOURS.get(st, ("FFFFFF", "000000"))
        cell = ws.cell(row=i, column=j)
        cell.fill = PatternFill("solid", fgColor=fill)
        cell.font = Font(color=font, bold=st == "not_met")
    rng = f"{letter}2:{letter}{len(df) + 1}"
    for st, (fill, font) in L.STATUS_COLOURS.items():
        text = L.label(L.STATUS, st, lang).replace('"', '""')
        ws.conditional_formatting.add(rng, FormulaRule(
            formula=[f'${letter}2="{text}"'], fill=PatternFill("solid", bgColor=fill),
            font=Font(color=font)))


def _about_sheet(ws: Worksheet, params: Mapping[str, Any], targets: pd.DataFrame | None,
                 lang: str) -> None:
    title = str(params.get("title") or "circle15")
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=16)
    row = 2
    if params.get("synthetic"):
        ws.cell(row=row, column=1, value=L.pick(L.SYNTHETIC_BANNER, lang))
        ws.cell(row=row, column=1).font = Font(bold=True, color="9C0006", size=13)
        ws.cell(row=row, column=1).fill = _BANNER_FILL
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
    row += 1
    hdr = (L.pick(("参数", "Parameter"), lang), L.pick(("取值", "Value"), lang))
    for j, h in enumerate(hdr, start=1):
        c = ws.cell(row=row, column=j, value=h)
        c.font = Font(bold=True)
        c.fill = _HEADER_FILL
    keys = [k for k in L.PARAMS if k in params] + [k for k in params if k not in L.PARAMS]
    for k in keys:
        row += 1
        ws.cell(row=row, column=1, value=L.pick(L.PARAMS[k], lang) if k in L.PARAMS else k)
        ws.cell(row=row, column=2, value=L.param_text(k, params[k], lang))
    row += 2
    ws.cell(row=row, column=1, value=L.pick(("达标情况图例", "Status legend"), lang)).font = \
        Font(bold=True)
    expl = {
        "met": ("现状值满足规划目标", "the value meets the plan target"),
        "not_met": ("现状值未达到规划目标", "the value falls short of the plan target"),
        "no_target": ("该年份无规划目标（或为观察性指标）",
                      "no target for this year (or an observational indicator)"),
        "not_measurable": ("缺少测算所需数据，见“测算所需数据”列",
                           "inputs missing: see the 'Input needed' column"),
    }
    for st, (fill, font) in L.STATUS_COLOURS.items():
        row += 1
        c = ws.cell(row=row, column=1, value=L.label(L.STATUS, st, lang))
        c.fill = PatternFill("solid", fgColor=fill)
        c.font = Font(color=font)
        n = int((targets["status"] == st).sum()) if targets is not None and "zone_id" in \
            targets.columns else None
        text = L.pick(expl[st], lang)
        if n is not None:
            county_n = int(((targets["status"] == st) & (targets["zone_id"] == "ALL")).sum())
            text += L.pick((f"（全市 {county_n} 项）", f" (county: {county_n})"), lang)
        ws.cell(row=row, column=2, value=text)
    row += 2
    notes = L.pick((
        "覆盖率按路网出行时间计算：居民从住处沿道路到最近设施的时间不超过阈值即为覆盖。"
        "差距：比例类指标为百分点，其他为指标单位。",
        "Coverage uses travel time on the street network: a resident is covered when the "
        "nearest facility is within the threshold. Gaps: percentage points for rates, "
        "otherwise the indicator's unit."), lang)
    ws.cell(row=row, column=1, value=notes).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    ws.row_dimensions[row].height = 48
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 70


def write_workbook(
    path: str | Path,
    *,
    coverage: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    params: Mapping[str, Any],
    lang: str = "zh",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> Path:
    """Write the officials' workbook atomically.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    coverage : pandas.DataFrame
        Coverage per zone, layer, group and threshold (rate in 0..1).
    targets : pandas.DataFrame, optional
        From :func:`circle15.coverage.plan.evaluate.evaluate_targets`.
    params : mapping
        Run parameters (title, synthetic, plan, year, mode, speed_kmh, thresholds,
        data_date, generated_at, circle15_version, ...), shown on the front sheet.
    lang : {"zh", "en"}
    extra_sheets : mapping, optional
        Sheet name -> table, appended as is (headers translated where known).

    Returns
    -------
    Path
    """
    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = L.pick(SHEETS["about"], lang)
    _about_sheet(ws, params, targets, lang)

    cov = coverage_display(coverage, lang)
    ws = wb.create_sheet(L.pick(SHEETS["coverage"], lang))
    rate_h = L.pick(L.COVERAGE_HEADERS["coverage_rate"], lang)
    pop_fmt = "#,##0"
    _write_table(ws, cov, number_formats={
        rate_h: "0.0%", L.pick(L.COVERAGE_HEADERS["population"], lang): pop_fmt,
        L.pick(L.COVERAGE_HEADERS["covered_population"], lang): pop_fmt})

    if targets is not None:
        status_h = L.pick(L.TARGET_HEADERS["status"], lang)
        fmts = {L.pick(L.TARGET_HEADERS[k], lang): f for k, f in
                (("value", "0.00"), ("gap_value", "0.00"), ("gap_people", "#,##0"),
                 ("gap_capacity", "#,##0"), ("gap_units", "#,##0"))}
        county = targets[targets["zone_id"] == "ALL"]
        zones = targets[targets["zone_id"] != "ALL"].sort_values(
            ["zone_id", "indicator_id"], kind="stable")
        for key, part, with_zone in (("county", county, False), ("zones", zones, True)):
            ws = wb.create_sheet(L.pick(SHEETS[key], lang))
            disp = targets_display(part, lang, zones=with_zone)
            _write_table(ws, disp, number_formats=fmts)
            _colour_status(ws, disp, status_h, part["status"], lang)

    for name, df in (extra_sheets or {}).items():
        ws = wb.create_sheet(str(name)[:31])
        # labelled layers, groups and headers, as in the coverage sheet
        disp = coverage_display(df, lang)
        heads = {k: L.pick(v, lang) for table in (L.TARGET_HEADERS, L.EXTRA_HEADERS)
                 for k, v in table.items()}
        _write_table(ws, disp.rename(columns={c: heads.get(c, c) for c in disp.columns}))

    with atomic_file(path) as tmp:
        wb.save(tmp)
    return path
