"""A run without a plan still writes report.md/html: coverage and the standards."""

from __future__ import annotations

from pathlib import Path

import circle15 as c15
from support.tiny import write_tiny_inputs


def test_no_plan_run_writes_a_coverage_report_with_the_standards(tmp_path: Path):
    cfg = write_tiny_inputs(tmp_path)
    text = cfg.read_text(encoding="utf-8").replace('plan = "zhuji-2023"', 'plan = "none"')
    text = text.replace('source = "clinic.csv"\n',
                        'source = "clinic.csv"\nstandard = ["health_station"]\n')
    cfg.write_text(text.replace('lang = "zh"', 'lang = "en"') + '\n', encoding="utf-8")
    c15.run(cfg)
    out = tmp_path / "out"
    md = (out / "report.md").read_text(encoding="utf-8")
    # county row of the tiny street (support/tiny.py): 30, 60, 100 of 150 people
    assert "| 20% | 40% | 66.7% |" in md
    # the standards appendix: health station at the 5-minute level, 30 of 150 = 20 %;
    # townships with a facility: 1 of 2
    line = next(li for li in md.splitlines() if li.startswith("| 社区卫生服务站")
                or li.startswith("| Community health station"))
    assert "| 5 |" in line and "| 20% |" in line and "| 50% |" in line
    assert (out / "report.html").is_file()
    assert not (out / "briefing.pdf").exists()  # nothing to brief against without a plan
    assert "合成" in md or "synthetic" in md.lower()
