"""The plan: targets as data, their loading, and their evaluation per township.

- :mod:`~circle15.coverage.plan.model`: :class:`Plan`, :class:`Indicator`,
  :class:`Measure`, :class:`Bound` and :func:`parse_bound`;
- :mod:`~circle15.coverage.plan.load`: :func:`available_plans`, :func:`load_plan`,
  :func:`plan_from_dict`;
- :mod:`~circle15.coverage.plan.table`: :func:`target_table` (``circle15 targets``);
- :mod:`~circle15.coverage.plan.reported`: :func:`read_reported`,
  :func:`reported_template`;
- :mod:`~circle15.coverage.plan.evaluate`: :func:`evaluate_targets`,
  :func:`evaluate_all_years`;
- :mod:`~circle15.coverage.plan.villages`: :func:`village_targets` (village-level targets
  village by village).

Examples
--------
>>> from circle15.coverage.plan import load_plan
>>> plan = load_plan("zhuji-2023")
>>> plan.indicator("T01").target_text(2027)
'5.5'
"""

from circle15.coverage.plan.evaluate import evaluate_all_years, evaluate_targets
from circle15.coverage.plan.load import available_plans, load_plan, plan_from_dict
from circle15.coverage.plan.model import (
    BOUNDS,
    COLUMNS,
    DIRECTIONS,
    KINDS,
    SCOPES,
    STATUSES,
    Bound,
    Indicator,
    Measure,
    Plan,
    check_year,
    parse_bound,
    required_count,
)
from circle15.coverage.plan.reported import read_reported, reported_template
from circle15.coverage.plan.table import KIND_LABELS, target_table
from circle15.coverage.plan.villages import VILLAGE_COLUMNS, village_targets

__all__ = [
    "BOUNDS", "COLUMNS", "DIRECTIONS", "KINDS", "KIND_LABELS", "SCOPES", "STATUSES",
    "VILLAGE_COLUMNS",
    "Bound", "Indicator", "Measure", "Plan", "available_plans", "check_year", "evaluate_all_years",
    "evaluate_targets", "load_plan", "parse_bound", "plan_from_dict", "read_reported",
    "reported_template", "required_count", "target_table", "village_targets",
]
