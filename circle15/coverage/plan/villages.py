"""Village-level targets village by village: :func:`village_targets`.

A village-level ``admin_coverage`` indicator (e.g. "administrative villages with sports
facilities") is a share of villages per township; the targets table gives the share.
Which villages lack the service is what a department works from, so this table lists,
per such indicator, every village with the number of its facilities of the indicator's
layer and subtypes (the run's ``targets_by_village.csv``; the history opens one problem
per village without the service in a township that misses the target).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from circle15.coverage.plan.evaluate import of_subtypes
from circle15.coverage.plan.model import Plan

#: Columns of :func:`village_targets`.
VILLAGE_COLUMNS = ["indicator_id", "layer", "zone_id", "village_id", "village_name",
                   "lon", "lat", "population", "facilities", "has_service"]


def _ids(s: pd.Series) -> pd.Series:
    return s.astype(object).map(lambda v: None if pd.isna(v) or str(v).strip() == ""
                                else str(v).strip())


def village_targets(plan: Plan, *, facilities: pd.DataFrame | None,
                    villages: pd.DataFrame | None) -> pd.DataFrame:
    """Every village × village-level indicator of ``plan``: has the village the service?

    Parameters
    ----------
    plan : Plan
    facilities : pandas.DataFrame or None
        ``layer``, ``village_id`` and (for indicators with subtypes) ``subtype``.
    villages : pandas.DataFrame or None
        ``village_id``, ``village_name``, ``zone_id`` and optionally ``population``
        (residents of the village) and ``lon``/``lat`` (its centre, WGS-84).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VILLAGE_COLUMNS`, sorted by indicator and village; empty when the
        plan has no village-level indicator or the inputs cannot place facilities in
        villages (the targets table then says what is missing).

    Examples
    --------
    >>> from circle15.coverage.plan import load_plan
    >>> plan = load_plan("zhuji-2023")  # X06: villages with sports facilities
    >>> fac = pd.DataFrame({"layer": ["fitness"], "village_id": ["a1"]})
    >>> vil = pd.DataFrame({"village_id": ["a1", "a2"], "village_name": ["甲村", "乙村"],
    ...                     "zone_id": ["A", "A"]})
    >>> t = village_targets(plan, facilities=fac, villages=vil)
    >>> print(t[t["indicator_id"] == "X06"][["village_id", "facilities"]].to_string(index=False))
    village_id  facilities
            a1           1
            a2           0
    """
    inds = [i for i in plan.indicators
            if i.measure.kind == "admin_coverage" and i.measure.level == "village"]
    if (not inds or villages is None or facilities is None or not len(villages)
            or "village_id" not in facilities.columns):
        return pd.DataFrame(columns=VILLAGE_COLUMNS)
    vil = villages.assign(village_id=_ids(villages["village_id"]),
                          zone_id=_ids(villages["zone_id"]))
    def numbers(col: str) -> pd.Series:
        return (pd.to_numeric(vil[col], errors="coerce").astype(float) if col in vil
                else pd.Series(np.nan, index=vil.index))

    fac = facilities.assign(layer=facilities["layer"].astype(str),
                            village_id=_ids(facilities["village_id"]))
    tables = []
    for ind in inds:
        m = ind.measure
        if m.subtypes and "subtype" not in fac.columns:
            continue
        sel = of_subtypes(fac[fac["layer"] == m.layer], m.subtypes)
        n = sel["village_id"].dropna().value_counts()
        count = vil["village_id"].map(n).fillna(0).astype(int)
        tables.append(pd.DataFrame({
            "indicator_id": ind.id, "layer": m.layer, "zone_id": vil["zone_id"],
            "village_id": vil["village_id"], "village_name": vil["village_name"].astype(str),
            "lon": numbers("lon"), "lat": numbers("lat"), "population": numbers("population"),
            "facilities": count, "has_service": count > 0}))
    if not tables:
        return pd.DataFrame(columns=VILLAGE_COLUMNS)
    out = pd.concat(tables, ignore_index=True)[VILLAGE_COLUMNS]
    return out.sort_values(["indicator_id", "zone_id", "village_id"], kind="stable"
                           ).reset_index(drop=True)
