"""Township totals (``zone_totals``) spread over places inside each zone.

The totals CSV has one row per zone: a zone key (id column such as ``zone_id``/``code``/
``区划代码``, or a name column such as ``name``/``乡镇``), the total in ``value_column`` and
optional group columns (``groups``). Each zone's total is spread over the residential
buildings in it (weight = estimated floor area) or, without buildings, equally over the
network nodes in it. A zone with people but no building/node gets one origin at its
representative point (reported). Whole-number totals stay whole: largest-remainder rounding,
groups capped by the people placed at each origin, so sums per zone are exact.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.geo.population import tables
from circle15.geo.population.allocate import spread
from circle15.geo.population.source import PopulationSource
from circle15.vocab import ZONE_ID_HEADERS, ZONE_NAME_HEADERS, pick_header


def match_zone_keys(df: pd.DataFrame, zones: gpd.GeoDataFrame, path: Path
                    ) -> tuple[pd.Series, str]:
    """Map each row of ``df`` to a zone id using an id column, else a name column.

    Returns
    -------
    (pandas.Series, str)
        Zone id per row (``None`` where unmatched) and the column used.
    """
    ids = set(zones["zone_id"])
    names = dict(zip(zones["zone_name"].astype(str), zones["zone_id"], strict=False))
    cols = [c for c in df.columns if c != "geometry"]
    idcol = pick_header(cols, ZONE_ID_HEADERS)
    namecol = pick_header(cols, ZONE_NAME_HEADERS)
    if idcol is None and namecol is None:
        raise InputError("no zone column found (zone_id/id/code/区划代码 or name/乡镇); columns "
                         f"found: {', '.join(map(str, df.columns))}", file=path,
                         hint="add a zone_id column with the zone ids of the zones file")
    cands = []
    if idcol is not None:
        key = df[idcol].astype(object).map(lambda v: str(v).strip() if not pd.isna(v) else None)
        key = key.map(lambda v: v[:-2] if v and v.endswith(".0") else v)
        cands.append((key.map(lambda v: v if v in ids else None), idcol))
    if namecol is not None:
        key = df[namecol].astype(object).map(lambda v: str(v).strip() if not pd.isna(v) else None)
        cands.append((key.map(names.get), namecol))
    best = max(cands, key=lambda c: int(c[0].notna().sum()))
    if best[0].notna().sum() == 0:
        sample = ", ".join(map(str, df[best[1]].head(3)))
        raise InputError(f"no row matches a zone (values such as {sample}; zone ids such as "
                         f"{', '.join(list(zones['zone_id'])[:3])})", file=path, column=best[1],
                         hint="use the same ids (or names) as the zones file")
    dup = best[0][best[0].notna() & best[0].duplicated()]
    if len(dup):
        i = int(dup.index[0])
        raise InputError(f"zone {dup.iloc[0]!r} appears more than once", file=path, row=i + 1,
                         column=best[1], hint="give one row per zone")
    return best[0], best[1]


def read_totals(path: Path, src: PopulationSource, zones: gpd.GeoDataFrame,
                warnings: list[str]) -> tuple[pd.DataFrame, dict]:
    """Read and check a totals CSV.

    Returns
    -------
    (pandas.DataFrame, dict)
        Indexed by matched zone id, columns ``population`` and the groups; and report
        fields (``encoding``, ``integer``, ``unmatched``).
    """
    df = tables.read_table(path)
    vcol = tables.value_column(df, src.value_column, path, key=src.key("value_column"))
    total = tables.numbers(df, vcol, path)
    groups, gcols = {}, {}
    for g, col in src.groups.items():
        gcols[g] = tables.find_column(df, col, path, f"group {g!r}",
                                      key=src.key(f"groups.{g}"))
        groups[g] = tables.numbers(df, gcols[g], path)
    tables.check_groups_within(total, groups, gcols, path)
    zid, _ = match_zone_keys(df, zones, path)
    matched = zid.notna().to_numpy()
    out = pd.DataFrame({"population": total, **groups})[matched]
    out.index = pd.Index(zid[matched].astype(str).to_numpy(), name="zone_id")
    unmatched = {"rows": int((~matched).sum()), "people": float(total[~matched].sum())}
    if unmatched["rows"]:
        warnings.append(f"{path}: {unmatched['rows']} row(s) with {unmatched['people']:g} people "
                        "match no zone and were not placed")
    absent = [z for z in zones["zone_id"] if z not in out.index]
    if absent:
        warnings.append(f"{path}: {len(absent)} zone(s) have no row and get no people: "
                        f"{', '.join(absent[:10])}")
    integer = tables.all_integer(total) and all(tables.all_integer(v) for v in groups.values())
    return out, {"encoding": df.attrs.get("encoding"), "integer": integer,
                 "unmatched": unmatched}


def spread_totals(totals: pd.DataFrame, places: gpd.GeoDataFrame, zones: gpd.GeoDataFrame,
                  *, integer: bool) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Spread each zone's total (and groups) over ``places`` in that zone.

    Parameters
    ----------
    totals : pandas.DataFrame
        Indexed by zone id; ``population`` and group columns.
    places : geopandas.GeoDataFrame
        EPSG:4326 points with ``zone_id`` and ``weight`` (non-negative).
    zones : geopandas.GeoDataFrame
        EPSG:4326 zones with ``zone_id`` (for the fallback point).
    integer : bool
        Whole-number totals: spread with largest-remainder rounding.

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        Origins with ``zone_id``, ``population``, group columns; and the ids of zones that
        fell back to their representative point.
    """
    groups = [c for c in totals.columns if c != "population"]
    by_zone = {z: idx for z, idx in places.groupby("zone_id").groups.items()}
    zone_geom = dict(zip(zones["zone_id"], zones.geometry, strict=False))
    parts, fallback = [], []
    for zid, row in totals.iterrows():
        if row["population"] <= 0:
            continue
        idx = by_zone.get(zid)
        w = places.loc[idx, "weight"].to_numpy(dtype=float) if idx is not None else np.zeros(0)
        if idx is None or w.sum() <= 0:
            fallback.append(zid)
            geom = [zone_geom[zid].representative_point()]
            w = np.ones(1)
        else:
            geom = places.loc[idx].geometry.to_numpy()
        pop = spread(row["population"], w, integer=integer)
        data = {"zone_id": zid, "population": pop}
        for g in groups:
            data[g] = spread(row[g], w, integer=integer, caps=pop)
        parts.append(gpd.GeoDataFrame(data, geometry=list(geom), crs="EPSG:4326"))
    if not parts:
        return gpd.GeoDataFrame({"zone_id": pd.Series(dtype=str),
                                 "population": pd.Series(dtype=float),
                                 **{g: pd.Series(dtype=float) for g in groups}},
                                geometry=[], crs="EPSG:4326"), fallback
    return pd.concat(parts, ignore_index=True), fallback
