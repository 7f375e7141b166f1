"""The briefing as a Word document (``briefing.docx``), for offices that edit in Word/WPS.

Same content as the report (briefing, then the appendix), A4 portrait, headings in 黑体
and body text in 宋体 (East-Asian font names set on every style and run, with a Latin
fallback), the charts as pictures, page numbers in the footer (a ``PAGE`` field) and,
for synthetic runs, the synthetic-data banner in the header of every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from circle15.io import atomic_file
from circle15.report.briefing import Briefing
from circle15.report.summary import Bullets, Figures, Image, Section, Table

#: East-Asian font of body text and of headings; Latin fallbacks.
BODY_FONT, HEADING_FONT = "宋体", "黑体"
BODY_LATIN, HEADING_LATIN = "Times New Roman", "Arial"
_STATUS_FILL = {"met": "C6EFCE", "not_met": "FFC7CE", "no_target": "EDEDED",
                "not_measurable": "FFEB9C"}


def _set_fonts(target: Any, east_asia: str, latin: str) -> None:
    """Set the Latin and East-Asian font names of a style or run (w:rFonts w:eastAsia)."""
    target.font.name = latin
    rpr = target.element.get_or_add_rPr() if hasattr(target.element, "get_or_add_rPr") else \
        target.element.rPr
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


#: Chinese font names -> the English names Word/WPS also look for (w:altName): the fallback.
FONT_ALT_NAMES = {BODY_FONT: "SimSun", HEADING_FONT: "SimHei"}


def _font_table(doc: Any) -> None:
    """Declare 宋体 / 黑体 in the font table, GB2312 charset, with their English alt names."""
    part = next((r.target_part for r in doc.part.rels.values()
                 if r.reltype.endswith("/fontTable")), None)
    if part is None or not hasattr(part, "_blob"):
        return
    entries = "".join(f'<w:font w:name="{zh}"><w:altName w:val="{en}"/><w:charset w:val="86"/>'
                      '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
                      for zh, en in FONT_ALT_NAMES.items())
    blob = part._blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _styles(doc: Any) -> None:
    normal = doc.styles["Normal"]
    _set_fonts(normal, BODY_FONT, BODY_LATIN)
    normal.font.size = Pt(10.5)
    for level, size in ((0, 18), (1, 15), (2, 12.5), (3, 11)):
        st = doc.styles["Title" if level == 0 else f"Heading {level}"]
        _set_fonts(st, HEADING_FONT, HEADING_LATIN)
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x4E, 0x79)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in a paragraph."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _page_setup(doc: Any, banner: str, lang: str) -> None:
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(sec, side, Cm(2.0))
    sec.top_margin, sec.bottom_margin = Cm(2.2), Cm(2.0)
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("第 " if lang != "en" else "Page ")
    _field(foot, "PAGE")
    foot.add_run(" 页，共 " if lang != "en" else " of ")
    _field(foot, "NUMPAGES")
    foot.add_run(" 页" if lang != "en" else "")
    if banner:
        head = sec.header.paragraphs[0]
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run("⚠ " + banner)
        run.font.size = Pt(8.5)
        run.font.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
        _set_fonts(run, HEADING_FONT, HEADING_LATIN)


def _shade(cell: Any, fill: str) -> None:
    tc = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc.append(shd)


def _table(doc: Any, t: Table) -> None:
    tab = doc.add_table(rows=1, cols=len(t.header))
    tab.style = "Table Grid"
    for cell, h in zip(tab.rows[0].cells, t.header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(h))
        run.font.bold = True
        run.font.size = Pt(9)
        _set_fonts(run, HEADING_FONT, HEADING_LATIN)
        _shade(cell, "DDEBF7")
    trpr = tab.rows[0]._tr.get_or_add_trPr()  # repeat the header row on every page
    rep = OxmlElement("w:tblHeader")
    rep.set(qn("w:val"), "true")
    trpr.append(rep)
    for row in t.rows:
        cells = tab.add_row().cells
        for cell, c in zip(cells, row, strict=True):
            text, status = (c if isinstance(c, tuple) else (str(c), None))
            run = cell.paragraphs[0].add_run(str(text))
            run.font.size = Pt(9)
            if status in _STATUS_FILL:
                _shade(cell, _STATUS_FILL[status])
    doc.add_paragraph()


def _block(doc: Any, b: Any, width_cm: float) -> None:
    if isinstance(b, str):
        doc.add_paragraph(b)
    elif isinstance(b, Bullets):
        for item in b.items:
            doc.add_paragraph(item, style="List Number")
    elif isinstance(b, Figures):
        _table(doc, Table([f.label for f in b.items], [[f.text for f in b.items]]))
    elif isinstance(b, Image):
        doc.add_picture(str(b.path), width=Cm(width_cm))
        cap = doc.add_paragraph(b.caption)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in cap.runs:
            run.font.size = Pt(9)
    elif isinstance(b, Table):
        _table(doc, b)


def write_docx(path: str | Path, briefing: Briefing, front: Sequence[Section],
               appendix: Sequence[Section], lang: str = "zh") -> Path:
    """Write ``briefing.docx``: the briefing, then the appendix (each part from a new page).

    Parameters
    ----------
    path : str or Path
    briefing : Briefing
        Title and banner.
    front, appendix : sequence of Section
        The report's two parts (:func:`circle15.report.stage.build_report`).
    lang : {"zh", "en"}

    Returns
    -------
    Path
    """
    doc = Document()
    _styles(doc)
    _font_table(doc)
    _page_setup(doc, briefing.banners[0] if briefing.banners else "", lang)
    doc.add_heading(briefing.title, level=0)
    for banner in briefing.banners:
        p = doc.add_paragraph()
        run = p.add_run("⚠ " + banner)
        run.font.bold = True
        run.font.color.rgb = RGBColor(0x9C, 0x00, 0x06)
    for s in [*front, *appendix]:
        if s.page_break:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(s.title, level=min(s.level - 1, 3) or 1)
        n_img = sum(isinstance(b, Image) for b in s.blocks)
        for b in s.blocks:
            _block(doc, b, 16.5 if n_img == 1 or s.part != "briefing" else 15.5)
    path = Path(path)
    with atomic_file(path) as tmp:
        doc.save(str(tmp))
    return path
