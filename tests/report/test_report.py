"""The workbook, the targets CSV and the officials' summary (report.md / report.html)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import openpyxl
import pandas as pd
import pytest

from circle15.coverage.plan import COLUMNS, evaluate_targets, load_plan
from circle15.io import read_csv
from circle15.report import write_reports, write_targets_csv, write_workbook

ZONES = pd.DataFrame({"zone_id": ["330681001", "330681002"], "zone_name": ["暨阳街道", "浣东街道"],
                      "population": [1000, 3000], "age_60p": [100, 400]})


def _cov():
    rows = []
    for layer, covered in (("ALL", (800, 3000)), ("fitness", (1000, 2970))):
        for m in (10, 15):
            c = [round(x * (m / 15)) for x in covered]
            for z, n, p, cc in zip(ZONES.zone_id, ZONES.zone_name, ZONES.population, c,
                                   strict=True):
                rows.append(dict(zone_id=z, zone_name=n, layer=layer, group="total", minutes=m,
                                 population=p, covered_population=cc, coverage_rate=cc / p))
            rows.append(dict(zone_id="ALL", zone_name="全市", layer=layer, group="total",
                             minutes=m, population=4000, covered_population=sum(c),
                             coverage_rate=sum(c) / 4000))
    return pd.DataFrame(rows)


PARAMS = dict(title="合成示例县", synthetic=True, plan="zhuji-2023", year=2027, mode="walk",
              speed_kmh=4.5, thresholds=[10, 15], data_date="2024-06",
              generated_at="2025-01-01 08:00", circle15_version="0.1.0")


@pytest.fixture(scope="module")
def inputs():
    plan = load_plan("zhuji-2023")
    cov = _cov()
    fac = pd.DataFrame({"facility_id": ["c1", "e1"], "layer": ["childcare", "elderly"],
                        "subtype": ["", "康养联合体"], "capacity": [30.0, np.nan],
                        "staff": [np.nan, 2.0], "zone_id": ["330681001", "330681002"]})
    rep = pd.DataFrame({"indicator_id": ["T10"], "zone_id": ["ALL"], "value": [83.2]})
    targets = evaluate_targets(plan, 2027, coverage=cov, zones=ZONES, facilities=fac,
                               reported=rep)
    return cov, targets


def test_targets_csv_has_bom_and_round_trips(inputs, tmp_path):
    _, targets = inputs
    p = write_targets_csv(tmp_path / "targets_by_zone.csv", targets)
    assert p.read_bytes().startswith(b"\xef\xbb\xbf")
    back = read_csv(p, dtype={"zone_id": str})
    assert list(back.columns) == COLUMNS
    assert len(back) == len(targets)
    x01 = back[(back.indicator_id == "X01") & (back.zone_id == "ALL")].iloc[0]
    assert x01.status == "not_met" and x01.gap_people == 200
    assert "暨阳街道" in set(back.zone_name)


def test_workbook_chinese_headers_and_fills(inputs, tmp_path):
    cov, targets = inputs
    extra = {"选址建议": pd.DataFrame({"zone_id": ["330681001"], "site": ["A"]})}
    p = write_workbook(tmp_path / "coverage.xlsx", coverage=cov, targets=targets, params=PARAMS,
                       extra_sheets=extra)
    wb = openpyxl.load_workbook(p)
    # 全县 from the area's admin level (合成示例县)
    assert wb.sheetnames == ["说明", "指标矩阵", "覆盖率", "目标-全县", "目标-乡镇", "选址建议"]
    about = [c for row in wb["说明"].iter_rows(values_only=True) for c in row if c]
    assert any("示例数据（合成）" in str(c) for c in about)
    assert "步行" in about and "10, 15" in about
    cov_ws = wb["覆盖率"]
    head = [c.value for c in cov_ws[1]]
    assert head[:4] == ["乡镇（街道）代码", "乡镇（街道）", "设施类型", "人群"]
    rate_col = head.index("覆盖率") + 1
    assert cov_ws.cell(row=2, column=rate_col).number_format == "0.0%"
    assert cov_ws.cell(row=2, column=3).value == "完整服务圈（全部设施）"
    ws = wb["目标-全县"]
    head = [c.value for c in ws[1]]
    for h in ("领域", "指标", "目标值", "现状值", "达标情况", "需覆盖人口缺口（人）", "测算所需数据"):
        assert h in head
    st = head.index("达标情况") + 1
    ident = head.index("编号") + 1
    by_id = {ws.cell(row=i, column=ident).value: ws.cell(row=i, column=st)
             for i in range(2, ws.max_row + 1)}
    assert len(by_id) == len(load_plan("zhuji-2023").indicators)
    assert by_id["X01"].value == "未达标" and by_id["X01"].fill.fgColor.rgb.endswith("FFC7CE")
    assert by_id["T10"].value == "达标" and by_id["T10"].fill.fgColor.rgb.endswith("C6EFCE")
    assert by_id["T11"].value == "无法测算" and by_id["T11"].fill.fgColor.rgb.endswith("FFEB9C")
    assert by_id["T07"].value == "无目标"
    # Conditional rules colour the status column when people edit it.
    rules = [r for cf in ws.conditional_formatting for r in cf.rules]
    assert any("未达标" in r.formula[0] for r in rules)
    zones_ws = wb["目标-乡镇"]
    assert zones_ws.max_row - 1 == (targets.zone_id != "ALL").sum()
    assert [c.value for c in wb["选址建议"][1]] == ["乡镇（街道）代码", "site"]
    # No temporary files are left beside it.
    assert [f.name for f in tmp_path.iterdir()] == ["coverage.xlsx"]


def test_workbook_english(inputs, tmp_path):
    cov, targets = inputs
    p = write_workbook(tmp_path / "c.xlsx", coverage=cov, targets=targets,
                       params={**PARAMS, "synthetic": False}, lang="en")
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames[:3] == ["About", "Matrix", "Coverage"]
    head = [c.value for c in wb["Targets - county"][1]]
    assert "Status" in head and "Indicator" in head
    about = [c for row in wb["About"].iter_rows(values_only=True) for c in row if c]
    assert not any("synthetic" in str(c).lower() for c in about)


def test_workbook_without_targets(inputs, tmp_path):
    cov, _ = inputs
    p = write_workbook(tmp_path / "c.xlsx", coverage=cov, params={"title": "t"})
    assert openpyxl.load_workbook(p).sheetnames == ["说明", "覆盖率"]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.tags, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href"):
                self.refs.append(v)

    def handle_data(self, data):
        self.text.append(data)


def test_reports_synthetic_banner_and_content(inputs, tmp_path):
    cov, targets = inputs
    paths = write_reports(tmp_path, targets=targets, coverage=cov, params=PARAMS)
    assert [p.name for p in paths] == ["report.md", "report.html"]
    md, page = (p.read_text(encoding="utf-8") for p in paths)
    for text in (md, page):
        assert "示例数据（合成）" in text and "synthetic demo data" in text
        assert "2027" in text and "2024-06" in text and "步行" in text
        assert "暨阳街道" in text and "浣东街道" in text
    # The banner comes before any result.
    assert md.index("示例数据（合成）") < md.index("主要结论")
    assert page.index('class="banner"') < page.index("主要结论")
    c = _Collect()
    c.feed(page)
    assert c.refs == [] and "script" not in c.tags and "link" not in c.tags
    assert "style" in c.tags
    # County full-circle row: 3800 of 4000 -> 95%, 200 people to cover.
    assert re.search(r"X01.*95.*未达标.*需覆盖 200 人", md)
    assert "st-not_met" in page and "st-met" in page
    assert "上报数据表" in md                  # inputs needed, in Chinese
    assert md.count("\n### 暨阳街道") == 1


def test_reports_real_data_has_no_banner(inputs, tmp_path):
    cov, targets = inputs
    paths = write_reports(tmp_path, targets=targets, coverage=cov,
                          params={**PARAMS, "synthetic": False, "title": "县"}, lang="en")
    md, page = (p.read_text(encoding="utf-8") for p in paths)
    assert "synthetic" not in md.lower() and 'class="banner"' not in page
    assert "Conclusions" in md and "Not met" in page
    assert '<html lang="en">' in page


LAYERS = [{"key": "fitness", "label_zh": "全民健身点", "label_en": "Fitness spots",
           "color": "#2ca02c", "group": "total", "required": True}]


def test_layer_labels_come_from_the_run(inputs, tmp_path):
    """The run's layer specs are the one source of layer names (workbook and report)."""
    cov, targets = inputs
    p = write_workbook(tmp_path / "c.xlsx", coverage=cov, targets=targets, params=PARAMS,
                       layers=LAYERS)
    cells = {c for row in openpyxl.load_workbook(p)["覆盖率"].iter_rows(values_only=True)
             for c in row}
    assert "全民健身点" in cells and "健身" not in cells
    md, _ = write_reports(tmp_path, targets=targets, coverage=cov, params=PARAMS,
                          layers=LAYERS)
    assert "| 全民健身点 |" in md.read_text(encoding="utf-8")
    en = write_workbook(tmp_path / "e.xlsx", coverage=cov, targets=targets, params=PARAMS,
                        layers=LAYERS, lang="en")
    cells = {c for row in openpyxl.load_workbook(en)["Coverage"].iter_rows(values_only=True)
             for c in row}
    assert "Fitness spots" in cells


def test_write_briefing_english_without_zones(inputs, tmp_path):
    """The whole stage runs without a map (no zones) and in English."""
    from circle15.report import BriefingInputs, write_briefing

    cov, targets = inputs
    paths = write_briefing(tmp_path, BriefingInputs(coverage=cov, targets=targets,
                                                    params=PARAMS, layers=LAYERS, lang="en"),
                           pdf=False)
    names = {p.name for p in paths}
    assert {"report.md", "report.html", "briefing.docx", "coverage.xlsx", "charts.json",
            "briefing.json", "chart_status.png"} <= names
    assert "overview_map.png" not in names and "briefing.pdf" not in names
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "Conclusions" in md and "Actions by responsible department" in md
    assert "Municipal Government" in md or "Bureau" in md  # departments in English
