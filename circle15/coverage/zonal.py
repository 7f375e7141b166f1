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

from circle15.errors import InputError
from circle15.vocab import COMPOSITE, COUNTY, COVERAGE_COLUMNS
from circle15.vocab import county_name as _county_name

COLUMNS = COVERAGE_COLUMNS


def zone_codes(values: Sequence | np.ndarray | pd.Series, zone_ids: Sequence[str]) -> np.ndarray:
    """Position of each value in ``zone_ids`` (``-1`` for none: outside every zone)."""
    return pd.Index(list(zone_ids)).get_indexer(pd.Series(values).astype(str)).astype(np.int64)


def coverage_table(
    origins: pd.DataFrame,
    minutes: Mapping[str, np.ndarray],
    zones: pd.DataFrame,
    thresholds: Sequence[float],
    *,
    layer_groups: Mapping[str, str],
    required: Sequence[str] | None = None,
    county_name: str = _county_name(False, "zh"),
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
        Name of the county-wide rows (``zone_id`` = :data:`~circle15.vocab.COUNTY`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; county rows last within each layer/group/threshold.
    """
    zone_ids = zones["zone_id"].astype(str).tolist()
    names = dict(zip(zone_ids, zones["zone_name"].astype(str), strict=True))
    all_ids = [*zone_ids, COUNTY]
    names[COUNTY] = county_name
    zcode = zone_codes(origins["zone_id"], zone_ids)
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


def _zone_frame(zones: pd.DataFrame, zone_id: str, zone_name: str | None) -> pd.DataFrame:
    if zone_id not in zones.columns:
        raise InputError(f"the zones have no {zone_id!r} column", key="zone_id",
                         hint=f"columns are: {', '.join(map(str, zones.columns))}")
    if zone_name is not None and zone_name not in zones.columns:
        raise InputError(f"the zones have no {zone_name!r} column", key="zone_name")
    ids = zones[zone_id].astype(str)
    names = zones[zone_name].astype(str) if zone_name else ids
    return pd.DataFrame({"zone_id": ids.to_numpy(), "zone_name": names.to_numpy()})


def _origin_zones(origins: pd.DataFrame, zones: pd.DataFrame, zone_id: str) -> np.ndarray:
    """Zone of each origin: its ``zone_id`` column, else the polygon it lies in."""
    if zone_id in origins.columns:
        return origins[zone_id].astype(str).to_numpy()
    if "geometry" not in origins.columns or "geometry" not in zones.columns:
        raise InputError(f"the origins have no {zone_id!r} column and no geometry to place "
                         "them in the zones", key="origins")
    from circle15.geo.population import assign_zones

    z = zones[[zone_id, "geometry"]].rename(columns={zone_id: "zone_id"})
    return assign_zones(origins.to_crs(z.crs), z)


def coverage(origins: pd.DataFrame, zones: pd.DataFrame,
             thresholds: Sequence[float] = (5, 10, 15), population: str = "population",
             zone_id: str = "zone_id", zone_name: str | None = None, *,
             groups: Mapping[str, str] | None = None, required: Sequence[str] | None = None,
             county_name: str | None = None) -> pd.DataFrame:
    """The coverage table of ``coverage_by_zone.csv`` from per-origin travel times.

    Parameters
    ----------
    origins : pandas.DataFrame or geopandas.GeoDataFrame
        One row per origin with ``t_<layer>`` minutes (as from :func:`circle15.travel_times`),
        a ``population`` column and, for each group in ``groups``, a count column.
    zones : pandas.DataFrame or geopandas.GeoDataFrame
        Every zone gets rows, with or without people.
    thresholds : sequence of float
        Minutes.
    population : str
        Column with the number of people at each origin.
    zone_id : str
        Zone id column of ``zones`` and, when present, of ``origins`` (otherwise origins are
        placed in the zone polygon they lie in).
    zone_name : str, optional
        Zone name column of ``zones`` (default: the id).
    groups : mapping, optional
        Layer -> population group column it is also judged by (every layer gets ``total``
        rows).
    required : sequence of str, optional
        Layers of the composite "full circle" rows (default: all).
    county_name : str, optional
        Name of the county rows (``zone_id`` ``ALL``); default ``全县``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~circle15.vocab.COVERAGE_COLUMNS`, county rows ``zone_id == "ALL"``,
        composite rows ``layer == "ALL"``.

    Examples
    --------
    >>> table = c15.coverage(c15.travel_times(net, fac, homes), townships)  # doctest: +SKIP
    """
    layers = [c[2:] for c in origins.columns if str(c).startswith("t_")]
    if not layers:
        raise InputError("the origins have no t_<layer> columns", key="origins",
                         hint="compute them with circle15.travel_times")
    if population not in origins.columns:
        raise InputError(f"the origins have no {population!r} column", key="population")
    frame = pd.DataFrame({"zone_id": _origin_zones(origins, zones, zone_id),
                          "population": origins[population].to_numpy(float)})
    for g in set((groups or {}).values()) - {"total"}:
        frame[g] = origins[g].to_numpy(float)
    minutes = {k: origins[f"t_{k}"].to_numpy(float) for k in layers}
    return coverage_table(frame, minutes, _zone_frame(zones, zone_id, zone_name), thresholds,
                          layer_groups=dict(groups or {}), required=required,
                          county_name=county_name or _county_name(False, "zh"))
