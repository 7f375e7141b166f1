"""Administrative villages (行政村/社区): the list, and which village each facility serves.

Village-level targets of the plan ("助餐服务行政村覆盖率 85%", "sports facilities in every
administrative village") count villages with at least one facility. Village boundaries are
rarely published, so villages come as a table (code, name, township) and facilities are
matched to them by the register's village column (所属村) — a code or a name — or else by a
village name inside the facility's address, always within the facility's own township.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.geo.vectors import xy_to_wgs84
from circle15.io import read_csv
from circle15.vocab import (
    URBAN_RURAL_HEADERS,
    VILLAGE_ID_HEADERS,
    VILLAGE_NAME_HEADERS,
    VILLAGE_ZONE_HEADERS,
    match_headers,
    pick_header,
)

#: Suffixes ignored when comparing village names (上塘村 = 上塘, 江东社区 = 江东).
_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会|社区|村)$")


def code_text(values: pd.Series) -> pd.Series:
    """Codes as text: ``330681001001.0`` -> ``330681001001``."""
    s = values.astype(str).str.strip()
    return s.str.replace(r"^(\d+)\.0$", r"\1", regex=True)


def _bare(name: str) -> str:
    return _SUFFIX.sub("", str(name).strip())


def urban_rural(codes: pd.Series, names: pd.Series) -> pd.Series:
    """Each village's class, ``"urban"`` or ``"rural"`` (``""`` when unknown).

    From the NBS urban–rural code (统计用区划和城乡划分代码 城乡分类代码: 1xx urban — 111
    主城区 … 123 —, 2xx rural — 210 乡中心区, 220 村庄) when given, else from the name: a
    社区/居委会 is urban, a 村/村委会 rural.
    """
    code = codes.fillna("").astype(str).str.strip().str.removesuffix(".0")
    by_code = np.where(code.str.fullmatch(r"1\d\d"), "urban",
                       np.where(code.str.fullmatch(r"2\d\d"), "rural", ""))
    name = names.fillna("").astype(str).str.strip()
    by_name = np.where(name.str.contains(r"(?:社区|居委会|居民委员会)$"), "urban",
                       np.where(name.str.contains(r"(?:村|村委会|村民委员会)$"), "rural", ""))
    return pd.Series(np.where(by_code != "", by_code, by_name), index=codes.index, dtype=str)


def _centres(df: pd.DataFrame, crs: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 village centres from recognised lon/lat columns (NaN where absent)."""
    cols = match_headers(list(df.columns), ("lon", "lat"))
    nan = np.full(len(df), np.nan)
    if "lon" not in cols or "lat" not in cols:
        return nan, nan.copy()
    x = pd.to_numeric(df[cols["lon"]].replace("", np.nan), errors="coerce").to_numpy(float)
    y = pd.to_numeric(df[cols["lat"]].replace("", np.nan), errors="coerce").to_numpy(float)
    bad = np.flatnonzero(np.isfinite(x) != np.isfinite(y))
    if len(bad):
        raise InputError("a village centre needs both coordinates", file=path,
                         row=int(bad[0]) + 1, column=cols["lon"])
    lon, lat = xy_to_wgs84(x, y, crs)
    return lon, lat


def load_villages(path: str | Path, zones: pd.DataFrame, *, crs: str = "wgs84"
                  ) -> pd.DataFrame:
    """Read the villages table.

    Parameters
    ----------
    path : str or Path
        CSV (UTF-8/GBK) with a village code, a name and the township (code or name);
        the headers of :data:`circle15.vocab.VILLAGE_ID_HEADERS`, ``VILLAGE_NAME_HEADERS``
        and ``VILLAGE_ZONE_HEADERS`` are recognised (村代码/code, 村名称/name,
        乡镇代码/streetCode/zone_id or 所属乡镇).
    zones : pandas.DataFrame
        ``zone_id``, ``zone_name`` of the run.
    crs : str, default "wgs84"
        Coordinate system of the village centres (经度/纬度 or lon/lat columns), when given.

    Returns
    -------
    pandas.DataFrame
        ``village_id, village_name, zone_id, lon, lat`` (WGS-84 centre, NaN when not
        given) and ``urban_rural`` (:func:`urban_rural`).

    Raises
    ------
    InputError
        Missing columns, duplicate codes, or a township that is not one of the zones (naming
        the row and column).
    """
    path = Path(path)
    df = read_csv(path, dtype=str, keep_default_na=False)
    cols = list(df.columns)
    vid = pick_header(cols, VILLAGE_ID_HEADERS)
    name = pick_header(cols, VILLAGE_NAME_HEADERS)
    zone = pick_header(cols, VILLAGE_ZONE_HEADERS)
    for what, col, names in (("village code", vid, VILLAGE_ID_HEADERS),
                             ("village name", name, VILLAGE_NAME_HEADERS),
                             ("township", zone, VILLAGE_ZONE_HEADERS)):
        if col is None:
            raise InputError(f"no {what} column", file=path,
                             hint=f"name it one of {', '.join(names[:4])}; columns are: "
                                  + ", ".join(map(str, cols)))
    out = pd.DataFrame({"village_id": code_text(df[vid]), "village_name": df[name].str.strip(),
                        "zone_raw": code_text(df[zone])})
    dup = out["village_id"].duplicated(keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        raise InputError(f"village code {out['village_id'].iloc[i]!r} appears twice",
                         file=path, row=i + 1, column=vid)
    ids = zones["zone_id"].astype(str)
    by_name = dict(zip(zones["zone_name"].astype(str), ids, strict=True))
    known = set(ids)
    zone_id = [z if z in known else by_name.get(z, "") for z in out["zone_raw"]]
    bad = [i for i, z in enumerate(zone_id) if not z]
    if bad:
        i = bad[0]
        raise InputError(
            f"township {out['zone_raw'].iloc[i]!r} is not one of the zones "
            f"({len(bad)} rows)", file=path, row=i + 1, column=zone,
            hint="use the zone ids (or names) of the zones file")
    out["zone_id"] = zone_id
    out["lon"], out["lat"] = _centres(df, crs, path)
    ucol = pick_header(cols, URBAN_RURAL_HEADERS)
    out["urban_rural"] = urban_rural(df[ucol] if ucol else pd.Series("", index=df.index),
                                     out["village_name"])
    return out[["village_id", "village_name", "zone_id", "lon", "lat", "urban_rural"]]


def match_villages(facilities: pd.DataFrame, villages: pd.DataFrame
                   ) -> tuple[pd.Series, dict[str, int]]:
    """The village each facility belongs to, within its own township.

    Matched in order: the ``village`` column as a village code; as a village name (with or
    without 村/社区); else the longest village name found in the ``address``.

    Returns
    -------
    village_id : pandas.Series
        Aligned with ``facilities`` (``""`` when no village matched).
    counts : dict
        How many facilities matched ``by_code``, ``by_name``, ``by_address``, ``unmatched``.
    """
    ids = set(villages["village_id"])
    names: dict[str, dict[str, str]] = {}
    for v in villages.itertuples(index=False):
        names.setdefault(v.zone_id, {})[_bare(v.village_name)] = v.village_id
    out, counts = [], {"by_code": 0, "by_name": 0, "by_address": 0, "unmatched": 0}
    vill_col = facilities["village"] if "village" in facilities.columns else \
        pd.Series("", index=facilities.index)
    for given, zone, address in zip(vill_col.fillna("").astype(str),
                                    facilities["zone_id"].astype(str),
                                    facilities["address"].fillna("").astype(str), strict=True):
        given = given.strip()
        in_zone = names.get(zone, {})
        if given.removesuffix(".0") in ids:
            out.append(given.removesuffix(".0"))
            counts["by_code"] += 1
        elif given and _bare(given) in in_zone:
            out.append(in_zone[_bare(given)])
            counts["by_name"] += 1
        else:
            hits = [n for n in in_zone if n and n in address]
            if hits:
                out.append(in_zone[max(hits, key=len)])
                counts["by_address"] += 1
            else:
                out.append("")
                counts["unmatched"] += 1
    return pd.Series(out, index=facilities.index, dtype=str), counts
