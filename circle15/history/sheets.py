"""Small output helpers shared by the history's tables: xlsx sheets, HTML tables, file names."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd


def safe_name(text: str) -> str:
    """``text`` usable as a file name (Chinese kept; path separators and controls dropped)."""
    s = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", str(text)).strip(" .")
    return s or "_"


def sheet_name(text: str, used: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, no ``[]:*?/\\``, unique in ``used``."""
    base = re.sub(r"[\[\]:*?/\\]", "_", str(text))[:31] or "Sheet"
    name, n = base, 2
    while name in used:
        name = f"{base[:28]}~{n}"
        n += 1
    used.add(name)
    return name


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write tables as sheets of one workbook (header row frozen, columns sized)."""
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for title, df in sheets.items():
            name = sheet_name(title, used)
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            ws.freeze_panes = "A2"
            for i, col in enumerate(df.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)])
                ws.column_dimensions[ws.cell(1, i).column_letter].width = min(40, width + 2)
    return path


def html_table(df: pd.DataFrame, empty: str = "—") -> str:
    """A plain escaped HTML table (``<p>`` with ``empty`` when there are no rows)."""
    if not len(df):
        return f"<p>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def cell_text(v: object) -> str:
    """A table cell as text: blanks for missing values, 4 significant digits for floats."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


CSS = ("body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;}"
       "table{border-collapse:collapse;margin:1em 0;}td,th{border:1px solid #bbb;"
       "padding:3px 8px;font-size:13px;}th{background:#eee;}.synthetic{color:#b00;"
       "font-weight:bold;}")


def html_page(title: str, body: str, synthetic: bool) -> str:
    """A small standalone HTML page; synthetic data are labelled at the top."""
    warn = ('<p class="synthetic">合成示例数据，非真实地点 (synthetic demo data, not a real '
            'place)</p>') if synthetic else ""
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>'
            f"{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{html.escape(title)}</h1>{warn}{body}</body></html>")
