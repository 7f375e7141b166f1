"""Checks on facility rows, and the issues table that lists every row not used as given.

Every problem found is one :class:`Issue`: the file, the 1-based data row (header
excluded; feature number in vector files), the column, the layer, a short code, a message a
planner can act on, and what was done:

``skipped``
    The row is not used (e.g. missing or impossible coordinates).
``merged``
    The row repeats an earlier facility (same name within a few metres) and is dropped.
``warning``
    The row is used, but something was changed or looks wrong (value left empty, swapped
    coordinates corrected, point outside the study area...).

With ``strict=True`` any issue is fatal: :meth:`IssueLog.raise_if_strict` raises
:class:`~circle15.errors.InputError` naming file, row and column.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from circle15.errors import InputError, InputErrors
from circle15.facilities.schema import ISSUE_COLUMNS

#: Two facilities of one layer with the same name closer than this (m) are one facility.
DUPLICATE_DISTANCE_M = 5.0


@dataclass(frozen=True)
class Issue:
    """One problem with one input row (or the whole file when ``row`` is None)."""

    file: str
    row: int | None
    column: str
    layer: str
    issue: str
    message: str
    action: str
    #: The message without the location prefix (used for :class:`InputError`).
    text: str = ""
    hint: str | None = None

    def error(self) -> InputError:
        """This issue as an :class:`InputError`."""
        # strict mode stops the run, so "row skipped" would be untrue here
        text = (self.text or self.message).removesuffix("; row skipped")
        hint = self.hint or "coverage.strict = true makes every facility issue fatal"
        return InputError(text, file=self.file, row=self.row, column=self.column or None,
                          hint=hint)


class IssueLog:
    """Collects the issues of one layer file."""

    def __init__(self, file: str | Path, layer: str) -> None:
        self.file = str(file)
        self.name = Path(file).name
        self.layer = layer
        self.items: list[Issue] = []

    def add(self, row: int | None, column: str, issue: str, message: str, action: str,
            hint: str | None = None) -> None:
        """Record an issue; the message is prefixed with file name, row and column."""
        where = [self.name]
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        full = f"{', '.join(where)}: {message}" + (f" ({hint})" if hint else "")
        self.items.append(Issue(self.file, row, column or "", self.layer, issue, full, action,
                                message, hint))

    def frame(self) -> pd.DataFrame:
        """The issues as a DataFrame with :data:`~circle15.facilities.schema.ISSUE_COLUMNS`."""
        order = sorted(range(len(self.items)),
                       key=lambda k: (self.items[k].row is not None, self.items[k].row or 0, k))
        return issues_frame([self.items[k] for k in order])

    def count(self, action: str) -> int:
        """Number of issues with ``action``."""
        return sum(1 for i in self.items if i.action == action)

    def raise_if_strict(self, strict: bool) -> None:
        """Raise every recorded issue as :class:`InputError` when ``strict``."""
        if not strict or not self.items:
            return
        if len(self.items) == 1:
            raise self.items[0].error()
        raise InputErrors([i.error() for i in self.items])


def issues_frame(items: list[Issue] | None = None) -> pd.DataFrame:
    """A DataFrame of issues (empty with the right columns and dtypes when none)."""
    items = items or []
    df = pd.DataFrame({
        "file": pd.Series([i.file for i in items], dtype="str"),
        "row": pd.array([i.row for i in items], dtype="Int64"),
        "column": pd.Series([i.column for i in items], dtype="str"),
        "layer": pd.Series([i.layer for i in items], dtype="str"),
        "issue": pd.Series([i.issue for i in items], dtype="str"),
        "message": pd.Series([i.message for i in items], dtype="str"),
        "action": pd.Series([i.action for i in items], dtype="str"),
    })
    return df[list(ISSUE_COLUMNS)]


# --------------------------------------------------------------------------- parsing

_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_NUM_UNIT_RE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*([^\d.+\-\s].*)$")
_DMS_RE = re.compile(
    r"^([NSEW东西南北]?)\s*(\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′’分])?\s*"
    r"(?:(\d+(?:\.\d+)?)\s*(?:[\"″”秒]|''|′′)?)?\s*([NSEW东西南北]?)$", re.IGNORECASE)


def clean_text(value: Any) -> str:
    """A cell as stripped NFKC text ("" for missing values)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return "" if text.lower() in ("nan", "none", "null", "<na>") else text


def parse_number(value: Any, *, allow_unit: bool = False) -> float | None:
    """Parse a number written by a person; ``None`` if it is not one.

    Full-width digits and thousands separators are accepted. With ``allow_unit``, a
    trailing unit ("30个", "120 m²", "50床") is ignored.
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        v = float(value)
        return v if math.isfinite(v) else None
    text = clean_text(value).replace(",", "").replace(" ", "")
    if not text:
        return None
    if _NUM_RE.match(text):
        v = float(text)
        return v if math.isfinite(v) else None
    if allow_unit:
        m = _NUM_UNIT_RE.match(text)
        if m:
            return float(m.group(1))
    return None


def parse_coordinate(value: Any) -> float | None:
    """Parse a decimal or degree-minute-second coordinate (120°14'30\"E, 北纬29度43分)."""
    v = parse_number(value)
    if v is not None:
        return v
    text = clean_text(value).replace("北纬", "N").replace("南纬", "S").replace("东经", "E") \
        .replace("西经", "W")
    m = _DMS_RE.match(text)
    if not m:
        return None
    deg = float(m.group(2)) + float(m.group(3) or 0) / 60 + float(m.group(4) or 0) / 3600
    hemi = (m.group(1) or m.group(5) or "").upper()
    if hemi in ("S", "W", "南", "西"):
        deg = -deg
    return deg


_TRUE = {"1", "true", "t", "yes", "y", "是", "开放", "正常", "运营", "在营", "营业", "启用", "有"}
_FALSE = {"0", "false", "f", "no", "n", "否", "关闭", "停业", "停用", "未开放", "暂停", "歇业",
          "无", "closed"}


def parse_bool(value: Any) -> bool | None:
    """Parse an open flag (是/否, true/false, 1/0, 开放/关闭...); ``None`` if unrecognised."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.integer, np.floating)) and value in (0, 1):
        return bool(value)
    text = clean_text(value).lower()
    text = text.removesuffix(".0")
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


# --------------------------------------------------------------------------- duplicates


def find_duplicates(names: np.ndarray, x: np.ndarray, y: np.ndarray,
                    distance_m: float = DUPLICATE_DISTANCE_M) -> dict[int, int]:
    """Later facilities repeating an earlier one: same name within ``distance_m``.

    Parameters
    ----------
    names : array of str
        Normalised names ("" never matches).
    x, y : array of float
        Projected coordinates in metres.
    distance_m : float

    Returns
    -------
    dict
        Position of each duplicate -> position of the first facility it repeats.
    """
    from scipy.spatial import cKDTree

    out: dict[int, int] = {}
    if len(names) < 2:
        return out
    tree = cKDTree(np.column_stack([x, y]))
    for i, j in sorted(tree.query_pairs(distance_m)):
        if names[i] and names[i] == names[j]:
            first = out.get(i, i)
            if j not in out:
                out[j] = first
    return out


def normalise_name(name: str) -> str:
    """Name key for duplicate detection (NFKC, no spaces or brackets, lower case)."""
    text = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[\s()（）\[\]【】·.\-_]", "", text)
