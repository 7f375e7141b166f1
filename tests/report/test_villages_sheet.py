"""The workbook's 村级指标 sheet: village-level targets village by village."""

from __future__ import annotations

import pandas as pd

from circle15.report.villages import villages_display


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    vil = pd.DataFrame({
        "indicator_id": ["X06", "X06", "X06"], "layer": "fitness",
        "zone_id": ["A", "A", "B"], "village_id": ["a1", "a2", "b1"],
        "village_name": ["甲村", "乙村", "丙村"], "lon": float("nan"), "lat": float("nan"),
        "population": [float("nan")] * 3, "facilities": [2, 0, 0],
        "has_service": [True, False, False]})
    targets = pd.DataFrame({"indicator_id": ["X06", "X06"], "zone_id": ["A", "B"],
                            "zone_name": ["甲镇", "乙镇"],
                            "name_zh": ["行政村体育设施覆盖率"] * 2,
                            "name_en": ["Villages with sports facilities"] * 2})
    return vil, targets


def test_villages_without_the_service_come_first_with_their_township():
    vil, targets = _tables()
    d = villages_display(vil, targets, "zh")
    assert list(d.columns) == ["指标", "指标名称", "镇街", "村代码", "村（社区）", "相应设施数",
                               "有无服务"]  # no residents column: none known
    assert d["村（社区）"].tolist() == ["乙村", "丙村", "甲村"]
    assert d["镇街"].tolist() == ["甲镇", "乙镇", "甲镇"]
    assert d["有无服务"].tolist() == ["无", "无", "有"]
    assert d["指标名称"].iloc[0] == "行政村体育设施覆盖率"


def test_english_headers_and_values_and_residents_when_known():
    vil, targets = _tables()
    vil["population"] = [100.0, 50.0, 0.0]
    d = villages_display(vil, targets, "en")
    assert d.columns[-1] == "Residents" and d["Residents"].tolist() == [50.0, 0.0, 100.0]
    assert d["Has the service"].tolist() == ["no", "no", "yes"]
    assert d["Indicator name"].iloc[0] == "Villages with sports facilities"
