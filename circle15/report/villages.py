"""Village-level targets village by village, for people: :func:`villages_display`.

The workbook's 村级指标 sheet: per village-level indicator (e.g. 行政村体育设施覆盖率) every
village with its township, its number of the indicator's facilities and whether it has
the service, villages without it first — the list a department works from.
"""

from __future__ import annotations

import pandas as pd

from circle15.report import labels as L

#: Column headers of the sheet (machine name -> zh, en).
VILLAGE_HEADERS = {
    "indicator_id": ("指标", "Indicator"), "name": ("指标名称", "Indicator name"),
    "zone_name": ("镇街", "Township"), "village_id": ("村代码", "Village code"),
    "village_name": ("村（社区）", "Village"), "facilities": ("相应设施数", "Facilities"),
    "has_service": ("有无服务", "Has the service"), "population": ("常住人口", "Residents"),
}


def villages_display(villages: pd.DataFrame, targets: pd.DataFrame | None,
                     lang: str = "zh") -> pd.DataFrame:
    """The village table with people's headers and values, villages lacking first.

    Parameters
    ----------
    villages : pandas.DataFrame
        :func:`circle15.coverage.plan.village_targets`.
    targets : pandas.DataFrame or None
        The run's targets table (indicator and township names).
    lang : {"zh", "en"}

    Returns
    -------
    pandas.DataFrame
        Columns labelled in ``lang`` (:data:`VILLAGE_HEADERS`); residents only when known.
    """
    df = villages.copy()
    names: dict[str, str] = {}
    towns: dict[str, str] = {}
    if targets is not None and len(targets):
        first = targets.drop_duplicates("indicator_id")
        names = {r["indicator_id"]: L.indicator_name(r, lang)
                 for r in first.to_dict("records")}
        towns = dict(zip(targets["zone_id"].astype(str), targets["zone_name"].astype(str),
                         strict=False))
    df["name"] = df["indicator_id"].map(names).fillna("")
    df["zone_name"] = df["zone_id"].astype(str).map(towns).fillna(df["zone_id"].astype(str))
    has = df["has_service"].astype(str).str.lower().isin(("true", "1"))
    df["has_service"] = [L.pick(("有", "yes") if h else ("无", "no"), lang) for h in has]
    df["_order"] = has.astype(int)
    df = df.sort_values(["indicator_id", "_order", "zone_id", "village_id"], kind="stable")
    cols = ["indicator_id", "name", "zone_name", "village_id", "village_name", "facilities",
            "has_service"]
    if "population" in df and pd.to_numeric(df["population"], errors="coerce").notna().any():
        cols.append("population")
    out = df[cols].reset_index(drop=True)
    return out.rename(columns={c: L.pick(VILLAGE_HEADERS[c], lang) for c in cols})
