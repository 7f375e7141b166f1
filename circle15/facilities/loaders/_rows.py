"""The rows of one layer file while it is loaded: cells, kept rows and the issues log."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from circle15.facilities.validate import IssueLog, clean_text


@dataclass
class LayerRows:
    """Input rows being loaded: each step reads cells and drops rows with a reason.

    Attributes
    ----------
    table : pandas.DataFrame
        Cells as read.
    mapping : dict
        Standard field -> input column.
    issues : IssueLog
        Where every skipped, merged or changed row is recorded.
    keep : numpy.ndarray
        Rows still in use.
    rows : numpy.ndarray
        1-based data row numbers.
    """

    table: pd.DataFrame
    mapping: dict[str, str]
    issues: IssueLog
    keep: np.ndarray = field(init=False)
    rows: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.keep = np.ones(self.n, dtype=bool)
        self.rows = np.arange(1, self.n + 1)

    @property
    def n(self) -> int:
        """Number of input rows."""
        return len(self.table)

    def col(self, fld: str) -> list[str]:
        """Cleaned text of the column mapped to ``fld`` (empty strings when unmapped)."""
        c = self.mapping.get(fld)
        if c is None:
            return [""] * self.n
        return [clean_text(v) for v in self.table[c].tolist()]

    def add(self, i: int | np.integer, column: str, issue: str, message: str, action: str,
            hint: str | None = None) -> None:
        """Record an issue on row index ``i``; ``skipped`` and ``merged`` drop the row."""
        self.issues.add(int(self.rows[i]), column, issue, message, action, hint=hint)
        if action in ("skipped", "merged"):
            self.keep[i] = False

    def kept(self) -> np.ndarray:
        """Indices of the rows still in use."""
        return np.flatnonzero(self.keep)
