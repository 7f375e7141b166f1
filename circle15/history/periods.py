"""Recording periods: ``YYYYQn`` (a quarter, for the 季度调度) or ``YYYY`` (a year).

Examples
--------
>>> p = parse_period("2025q3")
>>> p.key, p.kind, p.year, p.quarter
('2025Q3', 'quarter', 2025, 3)
>>> parse_period("2025") < parse_period("2025Q1")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from circle15.errors import InputError

_RE = re.compile(r"^\s*(\d{4})\s*(?:[Qq]\s*([1-4]))?\s*$")


@dataclass(frozen=True, order=True)
class Period:
    """One recording period.

    Ordered in time: a year sorts as its fourth quarter (an annual record closes the year).

    Attributes
    ----------
    sort : int
        ``year * 10 + quarter`` (``quarter`` 4 for a year), the order in time.
    key : str
        Canonical text, ``"2025Q3"`` or ``"2025"``.
    """

    sort: int
    key: str

    @property
    def year(self) -> int:
        """Calendar year."""
        return self.sort // 10

    @property
    def quarter(self) -> int | None:
        """Quarter 1-4, or ``None`` for an annual period."""
        return int(self.key[-1]) if "Q" in self.key else None

    @property
    def kind(self) -> str:
        """``"quarter"`` or ``"year"``."""
        return "quarter" if self.quarter else "year"

    def __str__(self) -> str:
        return self.key


def parse_period(text: object, key: str = "period") -> Period:
    """Parse ``"2025Q3"``, ``"2025q3"`` or ``"2025"``.

    Parameters
    ----------
    text : object
        The period as typed.
    key : str
        Argument named in the error message.

    Raises
    ------
    InputError
        For anything else (``2025Q5``, ``25Q1``, ``2025-09``), or a year outside 2000-2100.
    """
    m = _RE.match(str(text))
    year = int(m.group(1)) if m else 0
    if not m or not 2000 <= year <= 2100:
        raise InputError(f"malformed period {text!r}", key=key,
                         hint="write a quarter as YYYYQn (2025Q3) or a year as YYYY (2025)")
    if m.group(2):
        q = int(m.group(2))
        return Period(year * 10 + q, f"{year}Q{q}")
    return Period(year * 10 + 4, str(year))


def previous_quarters(a: Period, b: Period) -> int:
    """Quarters from ``a`` to ``b`` (a year counts as its fourth quarter)."""
    return (b.year - a.year) * 4 + (b.sort % 10) - (a.sort % 10)
