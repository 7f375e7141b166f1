"""The briefing (issue 14), read back from the demo run: every number it quotes, every
chart bar, the Word document, the workbook and the printed PDF agree with the CSVs."""

from __future__ import annotations

import json
import logging
import math
import os
import re
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from circle15.io import read_csv
from circle15.report import labels as L
from circle15.report.charts import write_charts
from circle15.report.pdf import find_chromium, html_to_pdf, pdf_page_count
from circle15.vocab import county_label

#: Four or more Latin words in a row: an English sentence (codes such as "T01", "EPSG:4549",
#: "2SFCA" or one-word names are not).
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;'’-]+[A-Za-z]{2,}){3,}")
#: The bilingual synthetic-data label is the one allowed English phrase.
ALLOWED = "synthetic demo data"


@pytest.fixture(scope="module")
def run(demo_dir: Path) -> dict:
    info = json.loads((demo_dir / "run.json").read_text(encoding="utf-8"))
    t = read_csv(demo_dir / "targets_by_zone.csv", dtype={"zone_id": str})
    year = int(info["params"]["year"])
    return {"dir": demo_dir, "info": info, "all": t, "year": year,
            "targets": t[t["year"] == year].reset_index(drop=True),
            "coverage": read_csv(demo_dir / "coverage_by_zone.csv", dtype={"zone_id": str}),
            "briefing": json.loads((demo_dir / "briefing.json").read_text(encoding="utf-8")),
            "charts": json.loads((demo_dir / "charts.json").read_text(encoding="utf-8"))}


def _row(t: pd.DataFrame, ind: str, zone: str) -> pd.Series:
    r = t[(t["indicator_id"] == ind) & (t["zone_id"] == zone)]
    assert len(r) == 1, (ind, zone)
    return r.iloc[0]


def _quoted(run: dict, q: dict) -> float:
    """The CSV value a quote names."""
    if q["file"] == "coverage_by_zone.csv":
        c = run["coverage"]
        r = c[(c["zone_id"] == q["zone_id"]) & (c["layer"] == q["layer"])
              & (c["group"] == q["group"]) & (c["minutes"] == q["minutes"])]
        return float(r[q["column"]].iloc[0])
    return float(_row(run["targets"], q["indicator_id"], q["zone_id"])[q["column"]])


def test_conclusions_quote_the_csv_values(run):
    b = run["briefing"]
    assert 3 <= len(b["sentences"]) <= 5
    quotes = [q for s in b["sentences"] for q in s["quotes"]]
    assert len(quotes) >= 5
    for s in b["sentences"]:
        for q in s["quotes"]:
            v = _quoted(run, q)
            assert q["value"] == pytest.approx(v), q
            assert q["text"] in s["text"], (q, s["text"])
            # The text shows the CSV number in the one format (thousands, one decimal).
            shown = float(re.sub(r"[^\d.]", "", q["text"]))
            assert shown == pytest.approx(v, abs=0.051 if "." in q["text"] or "%" in q["text"]
                                          else 0.5), q
    # Sentence 1 counts the county rows of the selected year.
    county = run["targets"][run["targets"]["zone_id"] == "ALL"]
    measured = county[county["value"].notna()]
    m = re.search(r"(\d+)项指标中(\d+)项可由设施和路网测算：达标(\d+)项、未达标(\d+)项；(\d+)项",
                  b["sentences"][0]["text"])
    assert m, b["sentences"][0]["text"]
    assert [int(x) for x in m.groups()] == [
        len(county), len(measured), (measured["status"] == "met").sum(),
        (measured["status"] == "not_met").sum(), (county["status"] == "not_measurable").sum()]
    # The plan is named by its title and document number; the county word from the area.
    assert "诸政办发〔2023〕10号" in b["sentences"][0]["text"]
    assert b["county_word"] == county_label(run["info"]["params"]["title"], "zh") == "全县"
    assert b["generated"].endswith("（北京时间）")


def test_key_figures_and_actions_equal_the_csv(run):
    b = run["briefing"]
    for f in b["figures"]:
        if f["quote"]:
            assert f["quote"]["value"] == pytest.approx(_quoted(run, f["quote"]))
            assert f["quote"]["text"] in f["text"]
    t = run["targets"]
    county = t[t["zone_id"] == "ALL"]
    short = set(county.loc[county["status"] == "not_met", "indicator_id"]) | set(
        t.loc[(t["zone_id"] != "ALL") & (t["status"] == "not_met"), "indicator_id"])
    acts = b["actions"]
    assert {a["indicator"].split(" ")[0].rstrip("*▲") for a in acts} == short
    for a in acts:
        r = _row(t, a["indicator"].split(" ")[0].rstrip("*▲"), "ALL")
        assert a["responsible"] == r["responsible"]
        if pd.notna(r["gap_people"]) and r["gap_people"] > 0:
            assert f"{int(r['gap_people']):,} 人" in a["missing"]
    # Reported-only indicators are listed with their department.
    listed = {i.split(" ")[0].rstrip("*▲") for d in b["needs"] for i in d["indicators"]}
    assert listed == set(county.loc[county["status"] == "not_measurable", "indicator_id"])
    md = (run["dir"] / "report.md").read_text(encoding="utf-8")
    for s in b["sentences"]:
        assert s["text"] in md
    assert "* 省定核心指标；▲ 观察性指标" in md


def test_every_chart_exists_and_its_bars_equal_the_csv(run):
    t, charts = run["targets"], run["charts"]
    domains = {c["key"] for c in charts.values() if c["kind"] == "domain"}
    measured = t[(t["zone_id"] != "ALL") & t["value"].notna()
                 & t["kind"].isin(["network_coverage", "admin_coverage", "per_capita"])]
    assert domains == {f"domain_{d}" for d in measured["domain"].unique()}
    for c in charts.values():
        png = run["dir"] / c["path"]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
        for p in c["panels"]:
            assert p["bars"], c["key"]
            for zone, v in p["bars"].items():
                csv = _row(t, p["indicator_id"], zone)["value"]
                assert v == pytest.approx(0.0 if pd.isna(csv) else csv), (c["key"], zone)
            if c["kind"] == "domain":
                assert p["target"] == pytest.approx(_row(t, p["indicator_id"], "ALL")
                                                    ["target_value"])
                years = run["all"][(run["all"]["indicator_id"] == p["indicator_id"])
                                   & (run["all"]["zone_id"] == "ALL")]
                expect = {str(y): v for y, v in zip(years["year"], years["target_value"],
                                                    strict=True) if not math.isnan(v)}
                assert p["yearly_targets"] == pytest.approx(expect)
    county = t[t["zone_id"] == "ALL"]
    for d, counts in charts["status"]["counts"].items():
        for st, n in counts.items():
            assert n == ((county["domain"] == d) & (county["status"] == st)).sum(), (d, st)


def test_charts_are_deterministic(run, tmp_path):
    a = write_charts(tmp_path / "a", run["targets"], targets_all=run["all"])
    b = write_charts(tmp_path / "b", run["targets"], targets_all=run["all"])
    assert [x.path.read_bytes() for x in a] == [y.path.read_bytes() for y in b]


def test_html_embeds_images_and_font(run):
    page = (run["dir"] / "report.html").read_text(encoding="utf-8")
    srcs = re.findall(r'src="([^"]+)"', page)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)
    assert "@font-face" in page and "data:font/otf;base64," in page
    assert "<script" not in page and "<link" not in page
    # Printed: the synthetic banner in the top margin of every page, page numbers below.
    assert "@top-center" in page and "counter(pages)" in page
    # Scenario after the assessment, labelled, with the reason for gains next door.
    assert page.index("附录一 各领域指标") < page.index("选址情景（模拟测算") < \
        page.index("各乡镇（街道）</h2>")
    ba = read_csv(run["dir"] / "siting_before_after.csv", dtype={"zone_id": str})
    nextdoor = ba[(ba["zone_id"] != "ALL") & (ba["new_sites"] == 0)
                  & (ba["rate_after"] > ba["rate_before"])]
    md = (run["dir"] / "report.md").read_text(encoding="utf-8")
    for name in nextdoor["zone_name"]:
        line = next(x for x in md.splitlines() if x.startswith(f"| {name} |") and "情景" in x)
        assert "相邻乡镇" in line


def test_docx_has_the_briefing(run):
    d = docx.Document(str(run["dir"] / "briefing.docx"))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for h in ("主要结论", "整改任务（按责任单位）", "附录一 各领域指标（全县）"):
        assert h in heads
    body = "\n".join(p.text for p in d.paragraphs)
    for s in run["briefing"]["sentences"]:
        assert s["text"] in body
    acts = next(t for t in d.tables if t.rows[0].cells[0].text == "责任单位"
                and t.rows[0].cells[1].text == "未达标指标")
    got = [[c.text for c in r.cells] for r in acts.rows[1:]]
    want = [[a["responsible"], a["indicator"], a["townships"], a["missing"]]
            for a in run["briefing"]["actions"]]
    assert got == want
    figs = next(t for t in d.tables if t.rows[0].cells[0].text == "常住人口")
    assert [c.text for c in figs.rows[1].cells] == [f["text"] for f in run["briefing"]["figures"]]
    charts_in_briefing = sum(c["kind"] in ("domain", "map") for c in run["charts"].values())
    assert len(d.inline_shapes) >= charts_in_briefing
    sec = d.sections[0]
    assert round(sec.page_width.cm, 1) == 21.0 and round(sec.page_height.cm, 1) == 29.7
    assert "PAGE" in sec.footer._element.xml and "示例数据（合成）" in sec.header.paragraphs[0].text
    assert 'w:eastAsia="宋体"' in d.styles["Normal"].element.xml
    assert 'w:eastAsia="黑体"' in d.styles["Heading 1"].element.xml
    import zipfile

    fonts = zipfile.ZipFile(run["dir"] / "briefing.docx").read("word/fontTable.xml").decode()
    assert 'w:name="宋体"><w:altName w:val="SimSun"/>' in fonts  # the fallback name


def test_workbook_matrix_equals_the_csv(run):
    wb = openpyxl.load_workbook(run["dir"] / "coverage.xlsx")
    assert {"指标矩阵", "历年目标", "选址情景", "目标-全县", "目标-乡镇"} <= set(wb.sheetnames)
    ws = wb["指标矩阵"]
    t = run["targets"]
    head = [c.value for c in ws[1]]
    ids = [h.split(" ")[0].rstrip("*▲") for h in head[2:]]
    assert ids == [i for i, g in t.groupby("indicator_id", sort=False) if g["value"].notna().any()]
    n = 0
    for row in ws.iter_rows(min_row=3):
        zone = row[0].value
        for cell, ind in zip(row[2:], ids, strict=True):
            r = _row(t, ind, zone)
            if pd.isna(r["value"]):
                assert cell.value is None
                continue
            assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(r["value"])
            assert cell.fill.fgColor.rgb.endswith(L.STATUS_COLOURS[r["status"]][0])
            n += 1
    assert n == t[t["indicator_id"].isin(ids)]["value"].notna().sum()
    for cell, ind in zip(ws[2][2:], ids, strict=True):
        assert cell.value == pytest.approx(_row(t, ind, "ALL")["target_value"])
    assert ws.freeze_panes == "C3" and ws.print_title_rows == "$1:$2"
    years = wb["历年目标"]
    yh = [c.value for c in years[1]]
    for row in years.iter_rows(min_row=2, values_only=True):
        for h, v in zip(yh[4:], row[4:], strict=True):
            y = int(h[:4])
            csv = run["all"][(run["all"]["indicator_id"] == row[0]) & (run["all"]["zone_id"] == "ALL")
                             & (run["all"]["year"] == y)]["target_value"].iloc[0]
            assert (v is None and pd.isna(csv)) or v == pytest.approx(csv)


def test_workbook_numbers_formats_print_and_no_english(run):
    wb = openpyxl.load_workbook(run["dir"] / "coverage.xlsx")
    county = wb["目标-全县"]
    head = [c.value for c in county[1]]
    for name, fmt in (("目标值", "#,##0.0"), ("现状值", "#,##0.00"), ("需覆盖人口缺口（人）", "#,##0")):
        j = head.index(name)
        cells = [r[j] for r in county.iter_rows(min_row=2) if r[j].value is not None]
        assert cells and all(isinstance(c.value, (int, float)) for c in cells), name
        assert {c.number_format for c in cells} == {fmt}, name
    cov = wb["覆盖率"]
    j = [c.value for c in cov[1]].index("覆盖率")
    assert all(r[j].number_format == "0.0%" and 0 <= r[j].value <= 1
               for r in cov.iter_rows(min_row=2) if r[j].value is not None)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    text = c.value.replace(ALLOWED, "")
                    assert not ENGLISH.search(text), (ws.title, c.coordinate, c.value)
                if c.value is not None:
                    assert c.font.name == "宋体", (ws.title, c.coordinate)


def test_zh_report_has_no_english_sentence(run):
    md = (run["dir"] / "report.md").read_text(encoding="utf-8").replace(ALLOWED, "")
    assert not ENGLISH.findall(md)


def _chromium_or_skip() -> None:
    if find_chromium() is None:
        why = "Debian chromium not installed at /usr/bin/chromium"
        if os.environ.get("CI"):  # CI installs it: a skip there would hide a defect
            pytest.fail(why)
        pytest.skip(why)


def test_briefing_pdf_is_at_most_two_pages(run):
    _chromium_or_skip()
    data = (run["dir"] / "briefing.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    assert 1 <= pdf_page_count(data) <= 2
    assert b"FontFile3" in data or b"FontFile2" in data  # the embedded CJK subset


def test_missing_chromium_is_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        out = html_to_pdf("<p>x</p>", tmp_path / "b.pdf", chromium=tmp_path / "no-chromium")
    assert out is None and not (tmp_path / "b.pdf").exists()
    assert "briefing.pdf skipped" in caplog.text


def test_a_chromium_that_does_not_start_is_a_warning(tmp_path, caplog):
    """A fresh machine may have Debian's launcher without the browser: no lost run."""
    broken = tmp_path / "chromium"
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    with caplog.at_level(logging.WARNING):
        out = html_to_pdf("<p>x</p>", tmp_path / "b.pdf", chromium=broken)
    assert out is None and not (tmp_path / "b.pdf").exists()
    assert "did not start" in caplog.text


def test_county_label_from_admin_level():
    assert county_label("诸暨市", "zh") == "全市"
    assert county_label("示例县 15分钟公共服务圈（合成示例数据）", "zh") == "全县"
    assert county_label("柯桥区", "zh") == "全区"
    assert county_label("诸暨市", "en") == "Citywide"


def test_number_format_is_one_everywhere():
    assert L.fmt_num(9437) == "9,437" and L.fmt_num(29666.0) == "29,666"
    assert L.fmt_int(1208.4) == "1,208" and L.fmt_pct(0.30519) == "30.5%"
    assert L.fmt_value(36.3636, "%", "zh") == "36.4%"
    assert L.fmt_value(2.6772, "个", "zh") == "2.68 个"
    assert L.fmt_value(float("nan"), "%", "zh") == "—"


def test_static_map_furniture_and_one_png_per_layer(run, tmp_path):
    from circle15.maps.static import _nice_length, render_png, render_png_sheet

    assert [_nice_length(x) for x in (23_000, 4_100, 700)] == [2_000, 500, 100]
    a = render_png(run["dir"], tmp_path / "a.png", layer="clinic")
    b = render_png(run["dir"], tmp_path / "b.png", layer="clinic")
    assert a.read_bytes() == b.read_bytes()  # no time stamp in the PNG
    required = [s["key"] for s in run["info"]["layers"] if s.get("required", True)]
    paths = render_png_sheet(run["dir"], tmp_path)
    assert [p.name for p in paths] == [f"coverage_map_{k}.png" for k in required]
    assert len({p.read_bytes() for p in paths}) == len(paths)


def test_workbook_prints_the_synthetic_label_on_every_page(run):
    wb = openpyxl.load_workbook(run["dir"] / "coverage.xlsx")
    for ws in wb.worksheets:
        assert "示例数据（合成）" in (ws.oddHeader.center.text or ""), ws.title
        assert ws.oddFooter.center.text == "&P / &N"
