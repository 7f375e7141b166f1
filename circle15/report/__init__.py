"""circle15.report: the documents officials read and brief from.

- :func:`circle15.report.stage.write_briefing` -> the whole report stage: ``report.md``,
  ``report.html``, ``briefing.pdf``, ``briefing.docx``, charts, ``coverage.xlsx``
- :func:`circle15.report.excel.write_workbook` -> ``coverage.xlsx``
- :func:`circle15.report.excel.write_targets_csv` -> ``targets_by_zone.csv`` (UTF-8 BOM)
- :func:`circle15.report.stage.write_reports` -> ``report.md`` and ``report.html`` only
"""

from circle15.report.excel import write_targets_csv, write_workbook
from circle15.report.stage import BriefingInputs, write_briefing, write_reports

__all__ = ["BriefingInputs", "write_briefing", "write_reports", "write_targets_csv",
           "write_workbook"]
