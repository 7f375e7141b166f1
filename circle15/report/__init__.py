"""circle15.report: the Excel workbook, the targets CSV and the officials' summary.

- :func:`circle15.report.excel.write_workbook` -> ``coverage.xlsx``
- :func:`circle15.report.excel.write_targets_csv` -> ``targets_by_zone.csv`` (UTF-8 BOM)
- :func:`circle15.report.summary.write_reports` -> ``report.md`` and ``report.html``
"""

from circle15.report.excel import write_targets_csv, write_workbook
from circle15.report.summary import write_reports

__all__ = ["write_reports", "write_targets_csv", "write_workbook"]
