"""The Word version of a unit's 季度调度 briefing (python-docx): :func:`write_briefing_docx`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from circle15.history.sheets import cell_text

#: East Asian font named in the document (Word substitutes an installed one if absent).
EAST_ASIAN_FONT = "Microsoft YaHei"
_MAX_ROWS = 60


def _east_asian(doc) -> None:  # noqa: ANN001 - a docx Document
    from docx.oxml.ns import qn

    style = doc.styles["Normal"]
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _table(doc, df: pd.DataFrame, empty: str) -> None:  # noqa: ANN001
    if not len(df):
        doc.add_paragraph(empty)
        return
    t = doc.add_table(rows=1, cols=len(df.columns))
    t.style = "Table Grid"
    for c, name in zip(t.rows[0].cells, df.columns, strict=True):
        c.text = str(name)
    for row in df.head(_MAX_ROWS).itertuples(index=False):
        cells = t.add_row().cells
        for c, v in zip(cells, row, strict=True):
            c.text = cell_text(v)
    if len(df) > _MAX_ROWS:
        doc.add_paragraph(f"……另有 {len(df) - _MAX_ROWS} 行，见工作簿。")


def write_briefing_docx(path: Path, title: str, summary: str,
                        sections: dict[str, pd.DataFrame], synthetic: bool) -> Path:
    """Write a short briefing: title, synthetic label, summary, one table per section."""
    from docx import Document

    doc = Document()
    _east_asian(doc)
    doc.add_heading(title, level=1)
    if synthetic:
        doc.add_paragraph("合成示例数据，非真实地点 (synthetic demo data, not a real place)")
    doc.add_paragraph(summary)
    for name, df in sections.items():
        doc.add_heading(name, level=2)
        _table(doc, df, "无")
    doc.save(str(path))
    return path
