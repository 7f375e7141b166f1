"""Reported values: indicator values the user supplies, and the template to fill in.

Indicators no network or facility table can measure (life expectancy, enrolment rates)
come from a CSV (``[targets] reported``): :func:`read_reported` reads it,
:func:`reported_lookup` picks one year's values, and :func:`reported_template` builds the
``reported_template.csv`` a run writes for the values still missing.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from circle15.coverage.plan.model import Plan
from circle15.errors import InputError
from circle15.io import read_csv
from circle15.vocab import COUNTY


def read_reported(path: str | Path, plan: Plan | None = None) -> pd.DataFrame:
    """Read user-supplied indicator values (UTF-8, UTF-8-BOM, GBK or GB18030 CSV).

    Columns: ``indicator_id``, ``value`` and optionally ``zone_id`` (blank or ``ALL`` =
    county-wide) and ``year`` (blank = any year). Other columns (names, notes) are ignored.

    Parameters
    ----------
    path : str or Path
    plan : Plan, optional
        When given, indicator ids are checked against it.

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, zone_id, year, value`` (year may be missing, ``<NA>``).

    Raises
    ------
    InputError
        Naming the file, row (1-based data row) and column of the first bad cell.
    """
    path = Path(path)
    df = read_csv(path, dtype=str, keep_default_na=False)
    for col in ("indicator_id", "value"):
        if col not in df.columns:
            raise InputError(f"missing column {col!r}", file=path, column=col,
                             hint="columns: indicator_id, zone_id (optional), year (optional), "
                             "value")
    ids: set[str] = set(plan.ids) if plan is not None else set()
    out = []
    seen: dict[tuple, int] = {}
    for i, r in enumerate(df.to_dict("records"), start=1):
        iid = str(r["indicator_id"]).strip()
        raw_val = str(r["value"]).strip()
        zone = str(r.get("zone_id", "") or "").strip() or COUNTY
        yr_txt = str(r.get("year", "") or "").strip()
        if not iid and not raw_val:
            continue  # blank line
        if not iid:
            raise InputError("empty indicator id", file=path, row=i, column="indicator_id")
        if plan is not None and iid not in ids:
            raise InputError(f"unknown indicator {iid!r}", file=path, row=i,
                             column="indicator_id",
                             hint=f"see `circle15 targets --plan {plan.name}` for ids")
        val_txt = raw_val.replace(",", "").rstrip("%").strip()
        try:
            value = float(val_txt)
        except ValueError:
            raise InputError(f"not a number: {raw_val!r}", file=path, row=i, column="value",
                             hint="write the value as a plain number (e.g. 82.4)") from None
        if not math.isfinite(value):
            raise InputError(f"not a finite number: {raw_val!r}", file=path, row=i,
                             column="value")
        year: int | None = None
        if yr_txt:
            try:
                year = int(float(yr_txt))
            except ValueError:
                raise InputError(f"not a year: {yr_txt!r}", file=path, row=i,
                                 column="year") from None
        key = (iid, zone, year)
        if key in seen:
            raise InputError(f"duplicate value for {iid} in zone {zone}"
                             + (f" for {year}" if year else ""), file=path, row=i,
                             hint=f"first given in row {seen[key]}")
        seen[key] = i
        out.append({"indicator_id": iid, "zone_id": zone, "year": year, "value": value})
    res = pd.DataFrame(out, columns=["indicator_id", "zone_id", "year", "value"])
    res["year"] = res["year"].astype("Int64")
    res["value"] = res["value"].astype(float)
    res.attrs["source"] = str(path)
    return res


def reported_lookup(reported: pd.DataFrame | None, year: int) -> dict[tuple[str, str], float]:
    """(indicator_id, zone_id) -> value for ``year`` (a row for the exact year beats a blank)."""
    if reported is None or len(reported) == 0:
        return {}
    missing = {"indicator_id", "value"} - set(reported.columns)
    if missing:
        raise InputError(f"reported values lack columns {sorted(missing)}",
                         column=min(missing))
    out: dict[tuple[str, str], float] = {}
    exact: set[tuple[str, str]] = set()
    has_zone = "zone_id" in reported.columns
    has_year = "year" in reported.columns
    for r in reported.to_dict("records"):
        z = str(r["zone_id"]) if has_zone and not pd.isna(r["zone_id"]) and str(r["zone_id"]) \
            else COUNTY
        y = r["year"] if has_year else None
        k = (str(r["indicator_id"]), z)
        if y is None or pd.isna(y):
            if k not in exact:
                out[k] = float(r["value"])
        elif int(y) == year:
            out[k] = float(r["value"])
            exact.add(k)
    return out


def reported_template(targets: pd.DataFrame) -> pd.DataFrame:
    """A CSV to fill in for ``[targets] reported``.

    Parameters
    ----------
    targets : pandas.DataFrame
        A targets table (:func:`circle15.coverage.plan.evaluate_targets`).

    Returns
    -------
    pandas.DataFrame
        ``indicator_id, name_zh, unit, zone_id, year, value``: one county row per
        indicator that only a reported value can measure and that has none yet (value
        left blank).
    """
    t = targets[(targets["zone_id"] == COUNTY) & (targets["kind"] == "reported")
                & (targets["status"] == "not_measurable")]
    return pd.DataFrame({"indicator_id": t["indicator_id"].to_numpy(),
                         "name_zh": t["name_zh"].to_numpy(), "unit": t["unit"].to_numpy(),
                         "zone_id": COUNTY, "year": t["year"].to_numpy(), "value": ""})
