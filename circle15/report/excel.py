"""The officials' workbook (``coverage.xlsx``) and the targets CSV.

Sheets: a front sheet (run parameters as people read them, the synthetic-data banner,
the status legend), the township × indicator matrix of the selected year coloured by
status, the targets of every plan year, coverage per township, layer, group and
threshold, the targets county-wide and per township, the siting scenario, then extra
tables (administrative coverage, capacity). Numbers are stored as numbers with formats
(percent, integer, one decimal), units sit in the headers, every cell is Chinese in
``lang="zh"`` (English in ``"en"``), and every sheet prints on A4 landscape, fitted to
the width, with its header row repeated and the first row and column frozen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from circle15.io import atomic_file, write_csv
from circle15.report import labels as L
from circle15.report.briefing import beijing_time, marked_name, marks_note
from circle15.report.standards import RATE_COLUMNS, STANDARD_HEADERS
from circle15.vocab import COUNTY, county_label

SHEETS = {
    "about": ("说明", "About"),
    "matrix": ("指标矩阵", "Matrix"),
    "years": ("历年目标", "Plan years"),
    "coverage": ("覆盖率", "Coverage"),
    "county": ("目标-全市", "Targets - county"),
    "zones": ("目标-乡镇", "Targets - townships"),
    "siting": ("选址情景", "Siting scenario"),
    "admin": ("行政覆盖", "Admin coverage"),
    "capacity": ("设施容量", "Capacity"),
    "standards": ("按标准评价", "By the standards"),
    "villages": ("村级指标", "Villages"),
}
#: Font of every cell: a CJK font (Chinese township names appear in both languages).
CJK_FONT = "宋体"
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_BANNER_FILL = PatternFill("solid", fgColor="FFC7CE")
PCT, INT, ONE, TWO = "0.0%", "#,##0", "#,##0.0", "#,##0.00"

#: Formats of known columns (after relabelling, by the machine name).
_FORMATS = {"coverage_rate": PCT, "population": INT, "covered_population": INT,
            "minutes": "0", "target_value": ONE, "value": TWO, "gap_value": ONE,
            "gap_people": INT, "gap_capacity": INT, "gap_units": INT, "number": "0",
            "facilities": INT, "capacity": INT, "capacity_missing": INT,
            "per_1000_total": ONE, "group_population": INT, "per_1000_group": ONE,
            "sfca_minutes": "0", "sfca_per_1000": ONE, "zones": INT,
            "zones_with_facility": INT, "share": PCT, "rate_before": PCT, "target_rate": PCT,
            "rate_after": PCT, "covered_before": INT, "covered_after": INT, "required": INT,
            "new_sites": INT, "year": "0",
            **{c: PCT for c in RATE_COLUMNS}, "std_minutes": "General"}

SITING_HEADERS = {
    "zone_id": ("乡镇（街道）代码", "Zone ID"), "zone_name": ("乡镇（街道）", "Township"),
    "layer": ("设施类型", "Service"), "group": ("人群", "Population group"),
    "minutes": ("时间阈值（分钟）", "Minutes"), "population": ("人口（人）", "Population"),
    "covered_before": ("现状覆盖人口（人）", "Covered now"),
    "rate_before": ("现状覆盖率", "Rate now"), "target_rate": ("情景目标覆盖率", "Scenario target"),
    "required": ("情景目标所需覆盖人口（人）", "People required"),
    "new_sites": ("新增设施（处）", "New sites"),
    "covered_after": ("新增后覆盖人口（人）", "Covered after"),
    "rate_after": ("新增后覆盖率", "Rate after"),
    "status_before": ("现状（对照情景目标）", "Now vs scenario target"),
    "status_after": ("情景结果", "Scenario result"),
}
_SCENARIO_STATUS = {"met": ("情景下达标", "met in the scenario"),
                    "not_met": ("情景下未达标", "short in the scenario"), "": ("", "")}
_BOOL = {True: ("是", "yes"), False: ("否", "no")}
_PARAMS_MORE = {"own_zone_only": ("仅计本乡镇（街道）设施", "Own township's facilities only"),
                "max_link_m": ("住处到道路最大距离（米）", "Largest distance to a street (m)"),
                "crs": ("投影坐标系", "Projected CRS")}


# --------------------------------------------------------------------------- tables


def write_targets_csv(path: str | Path, targets: pd.DataFrame) -> Path:
    """Write ``targets_by_zone.csv`` (UTF-8 with BOM, machine-readable column names)."""
    return write_csv(targets, path)


def _county_name(df: pd.DataFrame, lang: str, word: str) -> pd.DataFrame:
    if "zone_id" in df.columns and "zone_name" in df.columns:
        df.loc[df["zone_id"].astype(str) == COUNTY, "zone_name"] = word
    return df


def coverage_display(coverage: pd.DataFrame, lang: str = "zh",
                     layers: Sequence[Mapping[str, Any]] = (), county: str = "") -> pd.DataFrame:
    """Coverage table with labelled values (rates stay fractions 0..1), machine headers."""
    df = coverage.copy()
    names = L.layer_labels(layers)
    if "layer" in df.columns:
        df["layer"] = df["layer"].map(lambda v: L.label(names, v, lang))
    if "group" in df.columns:
        df["group"] = df["group"].map(lambda v: L.label(L.GROUPS, v, lang))
    if "note" in df.columns:
        df["note"] = df["note"].map(lambda v: L.note_text(v, lang))
    return _county_name(df, lang, county or L.pick(("全市", "County"), lang))


def targets_display(targets: pd.DataFrame, lang: str = "zh", *, zones: bool = True,
                    layers: Sequence[Mapping[str, Any]] = (), county: str = ""
                    ) -> pd.DataFrame:
    """Targets table for people: labelled statuses, one language, machine headers."""
    heads = {**L.TARGET_HEADERS, "target_value": ("目标值", "Target"),
             "bound": ("目标条件", "Condition")}
    cols = ["domain", "indicator_id", "name", "unit", "zone_id", "zone_name", "year", "bound",
            "target_value", "value", "status", "gap_value", "gap_people", "gap_capacity",
            "gap_units", "needs", "source", "core", "scope", "responsible", "note"]
    cols = [c for c in cols if zones or c not in ("zone_id", "zone_name")]
    rec = targets.to_dict("records")
    out = pd.DataFrame(index=range(len(rec)))
    fmt = {
        "domain": lambda r: L.domain_text(r, lang),
        "name": lambda r: L.indicator_name(r, lang),
        "unit": lambda r: L.unit_text(r, lang),
        "status": lambda r: L.label(L.STATUS, r["status"], lang),
        "source": lambda r: L.label(L.SOURCES, r.get("source"), lang),
        "scope": lambda r: L.label(L.SCOPES, r.get("scope"), lang),
        "core": lambda r: L.pick(("是", "yes"), lang) if bool(r.get("core")) else "",
        "bound": lambda r: {"ge": "≥", "gt": ">", "le": "≤", "lt": "<"}.get(
            str(r.get("bound")), ""),
        "needs": lambda r: L.needs_text(r.get("needs"), lang, layers),
        "note": lambda r: L.note_text(r.get("note"), lang),
    }
    for c in cols:
        if c in fmt:
            out[c] = [fmt[c](r) for r in rec]
        else:
            out[c] = [r.get(c) for r in rec]
    out = _county_name(out, lang, county or L.pick(("全市", "County"), lang))
    out.attrs["headers"] = {c: L.pick(heads[c], lang) if c in heads else c for c in cols}
    return out


# --------------------------------------------------------------------------- cells


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


def _header(ws: Worksheet, row: int, texts: Sequence[str]) -> None:
    for j, c in enumerate(texts, start=1):
        cell = ws.cell(row=row, column=j, value=c)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _write_table(ws: Worksheet, df: pd.DataFrame, headers: Mapping[str, str], *,
                 start_row: int = 1) -> None:
    """A header row and data rows with number formats, widths, a filter, frozen panes."""
    cols = list(df.columns)
    _header(ws, start_row, [headers.get(c, str(c)) for c in cols])
    for i, row in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=_cell_value(v))
            if cols[j - 1] in _FORMATS and isinstance(cell.value, (int, float)):
                cell.number_format = _FORMATS[cols[j - 1]]
    for j, c in enumerate(cols, start=1):
        texts = [headers.get(c, str(c))] + [str(v) for v in df.iloc[:200, j - 1].tolist()]
        width = max(len(t) for t in texts)
        ws.column_dimensions[get_column_letter(j)].width = min(max(8, width * 1.5 + 2), 50)
    ws.freeze_panes = ws.cell(row=start_row + 1, column=2)
    if len(df):
        ws.auto_filter.ref = f"A{start_row}:{get_column_letter(len(cols))}{start_row + len(df)}"
    _print_setup(ws, f"{start_row}:{start_row}")


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    """A4 landscape, fitted to the page width, header rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def _fill_status(cell: Any, status: str) -> None:
    fill, font = L.STATUS_COLOURS.get(status, ("FFFFFF", "000000"))
    cell.fill = PatternFill("solid", fgColor=fill)
    cell.font = Font(color=font, bold=status == "not_met")


def _colour_status(ws: Worksheet, df: pd.DataFrame, raw: pd.Series, lang: str) -> None:
    """Fill each status cell by status, plus conditional rules that follow edits."""
    if "status" not in df.columns or not len(df):
        return
    j = list(df.columns).index("status") + 1
    letter = get_column_letter(j)
    for i, st in enumerate(raw.tolist(), start=2):
        _fill_status(ws.cell(row=i, column=j), st)
    rng = f"{letter}2:{letter}{len(df) + 1}"
    for st, (fill, font) in L.STATUS_COLOURS.items():
        text = L.label(L.STATUS, st, lang).replace('"', '""')
        ws.conditional_formatting.add(rng, FormulaRule(
            formula=[f'${letter}2="{text}"'], fill=PatternFill("solid", bgColor=fill),
            font=Font(color=font)))


# --------------------------------------------------------------------------- sheets


def _param_value(k: str, v: Any, lang: str, plan: Any) -> Any:
    if k == "generated_at":
        return beijing_time(v, lang)
    if k == "plan" and plan is not None:
        return f"{plan.title if lang != 'en' else plan.title_en}（{plan.document}）"
    if isinstance(v, bool) and k != "synthetic":
        return L.pick(_BOOL[v], lang)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v
    return L.param_text(k, v, lang)


def _about_sheet(ws: Worksheet, params: Mapping[str, Any], targets: pd.DataFrame | None,
                 lang: str, plan: Any, county: str) -> None:
    ws["A1"] = str(params.get("title") or "circle15")
    ws["A1"].font = Font(bold=True, size=16)
    row = 2
    if params.get("synthetic"):
        ws.cell(row=row, column=1, value=L.pick(L.SYNTHETIC_BANNER, lang))
        ws.cell(row=row, column=1).font = Font(bold=True, color="9C0006", size=13)
        ws.cell(row=row, column=1).fill = _BANNER_FILL
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
    row += 1
    _header(ws, row, (L.pick(("参数", "Parameter"), lang), L.pick(("取值", "Value"), lang)))
    labels = {**L.PARAMS, **_PARAMS_MORE}
    for k in [k for k in labels if k in params]:
        row += 1
        ws.cell(row=row, column=1, value=L.pick(labels[k], lang))
        ws.cell(row=row, column=2, value=_param_value(k, params[k], lang, plan)).alignment = \
            Alignment(horizontal="left")
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
    for st in L.STATUS_COLOURS:
        row += 1
        c = ws.cell(row=row, column=1, value=L.label(L.STATUS, st, lang))
        _fill_status(c, st)
        text = L.pick(expl[st], lang)
        if targets is not None and "zone_id" in targets.columns:
            n = int(((targets["status"] == st) & (targets["zone_id"] == COUNTY)).sum())
            text += L.pick((f"（{county} {n} 项）", f" (county: {n})"), lang)
        ws.cell(row=row, column=2, value=text)
    row += 2
    notes = L.pick((
        "覆盖率按路网出行时间计算：居民从住处沿道路到最近设施的时间不超过阈值即为覆盖。"
        "差距：比例类指标为百分点，其他为指标单位。" + marks_note("zh"),
        "Coverage uses travel time on the street network: a resident is covered when the "
        "nearest facility is within the threshold. Gaps: percentage points for rates, "
        "otherwise the indicator's unit. " + marks_note("en")), lang)
    ws.cell(row=row, column=1, value=notes).alignment = Alignment(wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    ws.row_dimensions[row].height = 60
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 70
    _print_setup(ws, "1:1")


def matrix_columns(targets: pd.DataFrame) -> list[str]:
    """Indicators in the matrix: those with a value somewhere (plan order)."""
    return [i for i, g in targets.groupby("indicator_id", sort=False) if g["value"].notna().any()]


def _matrix_sheet(ws: Worksheet, targets: pd.DataFrame, lang: str, county: str) -> None:
    """Township (rows) × indicator (columns), values coloured by status; row 2 = targets."""
    inds = matrix_columns(targets)
    first = {i: targets[targets["indicator_id"] == i].iloc[0] for i in inds}
    year = int(targets["year"].iloc[0])
    _header(ws, 1, [L.pick(("乡镇（街道）代码", "Zone ID"), lang),
                    L.pick(("乡镇（街道）", "Township"), lang)]
            + [marked_name(first[i], lang) for i in inds])
    ws.cell(row=2, column=2, value=L.pick((f"{year}年目标值", f"{year} target"), lang))
    for j, i in enumerate(inds, start=3):
        tv = _cell_value(first[i].get("target_value"))
        cell = ws.cell(row=2, column=j, value=tv)
        cell.number_format = ONE
        cell.font = Font(bold=True)
    zones = list(dict.fromkeys([COUNTY, *targets["zone_id"].astype(str)]))
    by = targets.set_index(["zone_id", "indicator_id"])
    for r, z in enumerate(zones, start=3):
        part = targets[targets["zone_id"] == z]
        ws.cell(row=r, column=1, value=z)
        ws.cell(row=r, column=2, value=county if z == COUNTY else str(part["zone_name"].iloc[0]))
        for j, i in enumerate(inds, start=3):
            if (z, i) not in by.index:
                continue
            rec = by.loc[(z, i)]
            cell = ws.cell(row=r, column=j, value=_cell_value(rec["value"]))
            cell.number_format = ONE
            _fill_status(cell, str(rec["status"]))
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 20
    for j in range(3, len(inds) + 3):
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.row_dimensions[1].height = 75
    ws.freeze_panes = "C3"
    _print_setup(ws, "1:2")


def _years_sheet(ws: Worksheet, targets_all: pd.DataFrame, lang: str) -> None:
    """County targets of every plan year (numbers), coloured by that year's status."""
    county = targets_all[targets_all["zone_id"] == COUNTY]
    years = sorted({int(y) for y in county["year"]})
    heads = [L.pick(("编号", "ID"), lang), L.pick(("指标（单位）", "Indicator (unit)"), lang),
             L.pick(("责任单位", "Responsible"), lang), L.pick(("现状值", "Value"), lang)]
    _header(ws, 1, heads + [L.pick((f"{y}年目标", f"{y} target"), lang) for y in years])
    for r, (ind, g) in enumerate(county.groupby("indicator_id", sort=False), start=2):
        g = g.set_index(g["year"].astype(int))
        rec = g.iloc[0]
        ws.cell(row=r, column=1, value=ind)
        ws.cell(row=r, column=2, value=marked_name(rec, lang).split(" ", 1)[-1])
        ws.cell(row=r, column=3, value=str(rec.get("responsible") or ""))
        v = ws.cell(row=r, column=4, value=_cell_value(rec["value"]))
        v.number_format = ONE
        for j, y in enumerate(years, start=5):
            if y not in g.index:
                continue
            cell = ws.cell(row=r, column=j, value=_cell_value(g.loc[y, "target_value"]))
            cell.number_format = ONE
            _fill_status(cell, str(g.loc[y, "status"]))
    for letter, w in zip("ABCD", (8, 50, 14, 10), strict=True):
        ws.column_dimensions[letter].width = w
    ws.freeze_panes = "C2"
    _print_setup(ws, "1:1")


def _siting_display(siting: pd.DataFrame, lang: str, layers: Sequence[Mapping[str, Any]],
                    county: str) -> pd.DataFrame:
    df = coverage_display(siting[[c for c in SITING_HEADERS if c in siting.columns]], lang,
                          layers, county)
    for c in ("status_before", "status_after"):
        if c in df.columns:
            df[c] = df[c].map(lambda v: L.pick(_SCENARIO_STATUS.get(str(v), ("", "")), lang))
    return df


def _headers(lang: str) -> dict[str, str]:
    tables = (L.COVERAGE_HEADERS, L.EXTRA_HEADERS, L.TARGET_HEADERS, SITING_HEADERS,
              STANDARD_HEADERS)
    out = {k: L.pick(v, lang) for t in tables for k, v in t.items()}
    out.update({"target_value": L.pick(("目标值", "Target"), lang),
                "bound": L.pick(("目标条件", "Condition"), lang),
                "population": L.pick(("人口（人）", "Population"), lang),
                "covered_population": L.pick(("覆盖人口（人）", "Covered"), lang),
                "zones_without": L.pick(("无设施的乡镇（街道）", "Townships without"), lang),
                "facilities": L.pick(("设施数（处）", "Facilities"), lang)})
    return out


def _targets_sheets(wb: Workbook, targets: pd.DataFrame, lang: str,
                    layers: Sequence[Mapping[str, Any]], county: str) -> None:
    """The targets county-wide and per township, statuses coloured."""
    county_rows = targets[targets["zone_id"] == COUNTY]
    zone_rows = targets[targets["zone_id"] != COUNTY].sort_values(
        ["zone_id", "indicator_id"], kind="stable")
    for key, part, with_zone in (("county", county_rows, False), ("zones", zone_rows, True)):
        name = L.pick(SHEETS[key], lang)
        ws = wb.create_sheet(name.replace("全市", county) if key == "county" else name)
        disp = targets_display(part, lang, zones=with_zone, layers=layers, county=county)
        _write_table(ws, disp, disp.attrs["headers"])
        _colour_status(ws, disp, part["status"], lang)


def _set_font(wb: Workbook) -> None:
    """Every written cell in the CJK font (Calibri has no Chinese glyphs).

    One new font per distinct font of the workbook, added to the workbook's fonts once
    (cached by the cell's font id; a cell without a style of its own has the default font,
    id 0); each cell then gets the new font's id, as ``cell.font = f`` would give it
    without hashing ``f`` again: copying and hashing a font per cell took seconds on a
    county's workbook.
    """
    new_ids: dict[int, int | None] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                fid = cell._style.fontId if cell._style is not None else 0
                if fid not in new_ids:
                    f = copy(cell.font)
                    f.name = CJK_FONT
                    new_ids[fid] = None if cell.font.name == CJK_FONT else wb._fonts.add(f)
                new = new_ids[fid]
                if new is not None:
                    if cell._style is None:
                        cell._style = StyleArray()
                    cell._style.fontId = new


def write_workbook(
    path: str | Path,
    *,
    coverage: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    params: Mapping[str, Any],
    lang: str = "zh",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
    targets_all: pd.DataFrame | None = None,
    layers: Sequence[Mapping[str, Any]] = (),
    siting: pd.DataFrame | None = None,
    plan: Any = None,
) -> Path:
    """Write the officials' workbook atomically.

    Parameters
    ----------
    path : str or Path
        The ``.xlsx`` file.
    coverage : pandas.DataFrame
        Coverage per zone, layer, group and threshold (rate in 0..1).
    targets : pandas.DataFrame, optional
        The selected year's targets (:func:`circle15.coverage.plan.evaluate.evaluate_targets`).
    params : mapping
        Run parameters, shown on the front sheet with people's labels.
    lang : {"zh", "en"}
    extra_sheets : mapping, optional
        Extra tables: key ``"admin"`` / ``"capacity"`` (named sheets) or any sheet name ->
        table (headers and layer/group values translated where known).
    targets_all : pandas.DataFrame, optional
        Every plan year: adds the plan-years sheet.
    layers : sequence of dict
        The run's layer specs (layer names).
    siting : pandas.DataFrame, optional
        Before/after table of the siting scenario: adds the siting sheet.
    plan : Plan, optional
        For the plan's title and document number on the front sheet.

    Returns
    -------
    Path
    """
    path = Path(path)
    county = county_label(str(params.get("title") or ""), lang)
    heads = _headers(lang)
    wb = Workbook()
    ws = wb.active
    ws.title = L.pick(SHEETS["about"], lang)
    _about_sheet(ws, params, targets, lang, plan, county)
    if targets is not None and len(targets):
        _matrix_sheet(wb.create_sheet(L.pick(SHEETS["matrix"], lang)), targets, lang, county)
    if targets_all is not None and len(targets_all):
        _years_sheet(wb.create_sheet(L.pick(SHEETS["years"], lang)), targets_all, lang)
    ws = wb.create_sheet(L.pick(SHEETS["coverage"], lang))
    _write_table(ws, coverage_display(coverage, lang, layers, county), heads)
    if targets is not None:
        _targets_sheets(wb, targets, lang, layers, county)
    if siting is not None and len(siting):
        ws = wb.create_sheet(L.pick(SHEETS["siting"], lang))
        _write_table(ws, _siting_display(siting, lang, layers, county), heads)
    for name, df in (extra_sheets or {}).items():
        title = L.pick(SHEETS[name], lang) if name in SHEETS else str(name)
        ws = wb.create_sheet(title[:31])
        _write_table(ws, coverage_display(df, lang, layers, county), heads)
    _set_font(wb)
    if params.get("synthetic"):  # printed: the synthetic-data label on every page
        for ws in wb.worksheets:
            ws.oddHeader.center.text = L.pick(L.SYNTHETIC_BANNER, lang)
            ws.oddHeader.center.size = 9
            ws.oddHeader.center.color = "9C0006"
    with atomic_file(path) as tmp:
        wb.save(tmp)
    return path
