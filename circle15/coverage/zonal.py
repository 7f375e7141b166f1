"""Coverage per zone, layer, population group and threshold.

Coverage numbers come only from per-origin travel times (never from isochrone polygons):
an origin is covered within ``m`` minutes when its time to the nearest facility is at most
``m`` minutes. Rates are covered / population; a zone without people of a group gets an
explicit empty rate (``NaN``, written as a blank cell) and the note ``no_population``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Layer key of the composite "full circle" rows: people who reach every required layer.
COMPOSITE = "ALL"
#: Zone id of county-wide rows.
COUNTY = "ALL"

COLUMNS = ["zone_id", "zone_name", "layer", "group", "minutes", "population",
           "covered_population", "coverage_rate", "note"]


def coverage_table(
    origins: pd.DataFrame,
    minutes: Mapping[str, np.ndarray],
    zones: pd.DataFrame,
    thresholds: Sequence[float],
    *,
    layer_groups: Mapping[str, str],
    required: Sequence[str] | None = None,
    county_name: str = "全县",
) -> pd.DataFrame:
    """Covered population and rate for every zone × layer × group × threshold.

    Parameters
    ----------
    origins : pandas.DataFrame
        One row per origin with ``zone_id``, ``population`` and one column per population
        group named in ``layer_groups``.
    minutes : mapping
        Layer key -> minutes to the nearest facility per origin (``inf`` = not reached).
    zones : pandas.DataFrame
        ``zone_id``, ``zone_name``: every zone gets rows, with or without people.
    thresholds : sequence of float
        Minutes.
    layer_groups : mapping
        Layer key -> the population group it is judged by (``"total"`` or a group column).
        Every layer gets ``total`` rows, plus rows for its own group.
    required : sequence of str, optional
        Layers making up the composite "full circle" (default: all layers).
    county_name : str
        Name of the county-wide rows (``zone_id`` = ``"ALL"``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; county rows last within each layer/group/threshold.
    """
    zone_ids = zones["zone_id"].astype(str).tolist()
    names = dict(zip(zone_ids, zones["zone_name"].astype(str), strict=True))
    all_ids = [*zone_ids, COUNTY]
    names[COUNTY] = county_name
    zcode = pd.Categorical(origins["zone_id"].astype(str), categories=zone_ids).codes
    inzone = zcode >= 0
    nz = len(zone_ids)

    def sums(weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        w = np.where(mask & inzone, weights, 0.0)
        per_zone = np.bincount(zcode[inzone], weights=w[inzone], minlength=nz)
        return np.append(per_zone, per_zone.sum())

    req = list(required) if required is not None else list(minutes)
    rows = []
    for layer, t in [*minutes.items(), (COMPOSITE, None)]:
        if layer == COMPOSITE:
            if not req:
                continue
            t = np.max(np.vstack([minutes[k] for k in req]), axis=0)
            groups = ["total"]
        else:
            g = layer_groups.get(layer, "total")
            groups = ["total"] if g == "total" else ["total", g]
        for group in groups:
            w = origins["population" if group == "total" else group].to_numpy(float)
            pop = sums(w, np.ones(len(w), bool))
            for m in thresholds:
                cov = sums(w, np.asarray(t) <= m)
                for zi, zid in enumerate(all_ids):
                    p, c = pop[zi], cov[zi]
                    rows.append((zid, names[zid], layer, group, float(m), p, c,
                                 c / p if p > 0 else np.nan,
                                 "" if p > 0 else "no_population"))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["minutes"] = df["minutes"].map(lambda v: int(v) if float(v).is_integer() else v)
    return df


def admin_coverage(facilities: pd.DataFrame, zones: pd.DataFrame, layers: Sequence[str]
                   ) -> pd.DataFrame:
    """Administrative coverage: which zones have at least one facility of each layer.

    This is the indicator official statistics use ("share of townships with a ...").

    Returns
    -------
    pandas.DataFrame
        ``layer, zones, zones_with_facility, share, zones_without`` (names, ``、``-joined).
    """
    rows = []
    ids = zones["zone_id"].astype(str)
    names = dict(zip(ids, zones["zone_name"].astype(str), strict=True))
    for layer in layers:
        have = set(facilities.loc[facilities["layer"] == layer, "zone_id"].astype(str))
        with_f = [z for z in ids if z in have]
        without = [names[z] for z in ids if z not in have]
        rows.append((layer, len(ids), len(with_f), len(with_f) / len(ids) if len(ids) else
                     np.nan, "、".join(without)))
    return pd.DataFrame(rows, columns=["layer", "zones", "zones_with_facility", "share",
                                       "zones_without"])
