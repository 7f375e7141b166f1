"""Target groups given as shares of the total (``group_shares``).

``group_shares`` maps a group name to either one number (the same share everywhere) or a CSV
with a zone key column and a ``share`` column (one row per zone). Shares are fractions in
[0, 1]. Origins outside every zone get share 0 for per-zone shares (they are left out of zone
tables anyway).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from circle15.errors import InputError
from circle15.geo.population import tables
from circle15.geo.population.source import PopulationSource
from circle15.geo.population.totals import match_zone_keys
from circle15.geo.vectors import check_file
from circle15.vocab import SHARE_HEADERS, pick_header


def resolve_path(value: str, src: PopulationSource) -> Path:
    """Resolve a relative shares path: next to the population source/totals file, else cwd."""
    p = Path(value).expanduser()
    if p.is_absolute():
        return p
    for base in (src.source, src.totals):
        if base is not None and (Path(base).parent / p).is_file():
            return Path(base).parent / p
    return p.resolve()


def _share_value(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def read_shares(g: str, value, src: PopulationSource, zones: gpd.GeoDataFrame
                ) -> float | pd.Series:
    """One share for group ``g``: a float, or a Series of shares indexed by zone id."""
    key = src.key(f"group_shares.{g}")
    num = _share_value(value)
    if num is not None:
        if not 0 <= num <= 1:
            raise InputError(f"share {num:g} is not a fraction between 0 and 1", key=key,
                             hint="write 12% as 0.12")
        return num
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"expected a share (0-1) or a CSV path, got {value!r}", key=key)
    path = check_file(resolve_path(value, src), key)
    df = tables.read_table(path)
    scol = pick_header([c for c in df.columns if c != "geometry"], (*SHARE_HEADERS, g))
    if scol is None:
        raise InputError(f"no share column (share/比例/{g}); columns found: "
                         f"{', '.join(map(str, df.columns))}", file=path, column="share",
                         hint="add a column named share with fractions 0-1")
    share = tables.numbers(df, scol, path, what="share")
    over = np.flatnonzero(share > 1)
    if len(over):
        i = int(over[0])
        raise InputError(f"share {share[i]:g} is more than 1", file=path, row=i + 1,
                         column=scol, hint="shares are fractions: write 12% as 0.12")
    zid, _ = match_zone_keys(df, zones, path)
    ok = zid.notna().to_numpy()
    out = pd.Series(share[ok], index=zid[ok].astype(str).to_numpy())
    missing = [z for z in zones["zone_id"] if z not in out.index]
    if missing:
        raise InputError(f"no share for zone(s) {', '.join(missing[:10])}", file=path,
                         column=scol, hint="give one row per zone of the zones file")
    return out


def apply_shares(origins: gpd.GeoDataFrame, src: PopulationSource,
                 zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add one column per ``group_shares`` group: share of the zone × population."""
    clash = sorted(set(src.group_shares) & set(src.groups))
    if clash:
        raise InputError(f"group {clash[0]!r} is given both as a column and as a share",
                         key=src.key(f"group_shares.{clash[0]}"),
                         hint=f"keep only one of {src.key('groups')} / "
                              f"{src.key('group_shares')}")
    out = origins.copy()
    for g, value in src.group_shares.items():
        share = read_shares(g, value, src, zones)
        if isinstance(share, float):
            s = np.full(len(out), share)
        else:
            s = out["zone_id"].map(share).astype(float).fillna(0.0).to_numpy()
        out[g] = out["population"].to_numpy(dtype=float) * s
    return out
