"""Reading population tables and checking their values, with errors naming file, row, column.

Rows are numbered as :class:`~circle15.errors.InputError` requires: 1-based data rows with
the header excluded (CSV), or 1-based feature numbers (vector files).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from circle15 import io
from circle15.errors import InputError
from circle15.vocab import header_field, match_headers


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV as text (every column ``str``), keeping ``attrs["encoding"]``."""
    df = io.read_csv(path, dtype=str, skipinitialspace=True)
    if len(df) == 0:
        raise InputError("the table has no data rows", file=path)
    return df


def find_column(df: pd.DataFrame, wanted: str, path: Path, what: str, *,
                key: str | None = None) -> str:
    """Return ``wanted`` if it is a column of ``df`` (exact, then case-insensitive)."""
    cols = [c for c in df.columns if c != "geometry"]
    if wanted in cols:
        return wanted
    for c in cols:
        if str(c).strip().lower() == wanted.strip().lower():
            return c
    raise InputError(f"no {what} column {wanted!r}; columns found: {', '.join(map(str, cols))}",
                     file=path, column=wanted, key=key,
                     hint=f"set {key} to one of the columns found" if key else None)


def value_column(df: pd.DataFrame, wanted: str, path: Path, *, key: str) -> str:
    """The column of people: ``wanted``, else another spelling of the population field.

    ``wanted`` is looked up as :func:`find_column` does; when it is absent and names the
    population field (``population``, ``人口``, ...), the first column spelled as that
    field (:data:`circle15.vocab.HEADER_ALIASES`) is used.
    """
    cols = [c for c in df.columns if c != "geometry"]
    if header_field(wanted) == "population" and wanted not in cols:
        found = match_headers(cols, ("population",)).get("population")
        if found is not None:
            return found
    return find_column(df, wanted, path, "population", key=key)


def _parse(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(numbers, missing mask, unparseable mask) of a column given as text or numbers."""
    nums = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()
    missing = values.isna().to_numpy().copy()
    redo = np.flatnonzero(~np.isfinite(nums) & ~missing)
    if len(redo):  # slow path only for cells that need cleaning ("1,234", " 12 ", "")
        obj = values.iloc[redo].astype(object)
        text = obj.map(lambda v: v.strip().replace(",", "") if isinstance(v, str) else v)
        missing[redo] = (text.astype(str) == "").to_numpy()
        nums[redo] = pd.to_numeric(text.where(text.astype(str) != "", None),
                                   errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    nums[missing] = np.nan
    bad = ~missing & ~np.isfinite(nums)
    return nums, missing, bad


def numbers(df: pd.DataFrame, column: str, path: Path, *, what: str = "count",
            allow_missing: bool = False, nonnegative: bool = True,
            hint: str | None = None) -> np.ndarray:
    """Parse a numeric column, raising on the first missing, non-numeric or negative value.

    Parameters
    ----------
    df : pandas.DataFrame
        The table (row ``i`` of the frame is data row ``i + 1``).
    column : str
        Column to parse.
    path : Path
        The file, for messages.
    what : str
        What the values are ("count", "coordinate", "share"), for messages.
    allow_missing : bool
        Return NaN for empty cells instead of raising.
    nonnegative : bool
        Reject negative values.
    hint : str, optional
        Extra advice in the message.

    Returns
    -------
    numpy.ndarray
        Float values.
    """
    nums, missing, bad = _parse(df[column])
    if missing.any() and not allow_missing:
        i = int(np.flatnonzero(missing)[0])
        raise InputError(f"missing {what} ({int(missing.sum())} empty cell(s) in this column)",
                         file=path, row=i + 1, column=column,
                         hint=hint or f"fill in the {what} (0 if none) or delete the row")
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"{what} {df[column].iloc[i]!r} is not a number "
                         f"({int(bad.sum())} such cell(s) in this column)",
                         file=path, row=i + 1, column=column,
                         hint=hint or "use plain numbers such as 1234 or 12.5")
    if nonnegative:
        neg = np.flatnonzero(nums < 0)
        if len(neg):
            i = int(neg[0])
            raise InputError(f"negative {what} {nums[i]:g} ({len(neg)} negative value(s) in "
                             "this column)", file=path, row=i + 1, column=column,
                             hint=hint or f"a {what} cannot be negative")
    return nums


def all_integer(values: np.ndarray) -> bool:
    """True when every (finite) value is a whole number."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return bool(np.all(v == np.round(v)))


def check_groups_within(total: np.ndarray, groups: dict[str, np.ndarray],
                        columns: dict[str, str], path: Path) -> None:
    """Raise when a group count exceeds the total on some row."""
    for g, vals in groups.items():
        over = np.flatnonzero(vals > total + 1e-9)
        if len(over):
            i = int(over[0])
            raise InputError(f"group {g!r} has {vals[i]:g} people but the total is "
                             f"{total[i]:g} ({len(over)} such row(s))", file=path, row=i + 1,
                             column=columns[g],
                             hint="a group is part of the total: check the columns")
