"""Reading periods back: :func:`periods`, :func:`period_table`, :func:`zones_frame`,
:func:`facilities_frame`, and the headline figures of :func:`overview`."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely
import sqlalchemy as sa
from shapely.geometry.base import BaseGeometry

from circle15.errors import InputError
from circle15.history import schema as S
from circle15.history.periods import Period, parse_period
from circle15.history.problems import CLOSED
from circle15.history.store import Store
from circle15.vocab import COMPOSITE, COUNTY


def periods(store: Store) -> list[Period]:
    """Recorded periods, oldest first."""
    with store.read() as conn:
        keys = conn.execute(sa.select(S.periods.c.period)).scalars().all()
    return sorted(parse_period(k) for k in keys)


def require_period(store: Store, period: str | Period, key: str = "period") -> Period:
    """``period`` parsed and known to the store, else :class:`InputError`."""
    p = period if isinstance(period, Period) else parse_period(period, key)
    have = periods(store)
    if p not in have:
        known = ", ".join(x.key for x in have) or "none yet"
        raise InputError(f"period {p.key} is not recorded", key=key,
                         hint=f"recorded periods: {known}")
    return p


def previous(store: Store, period: Period) -> Period | None:
    """The recorded period just before ``period``."""
    before = [p for p in periods(store) if p < period]
    return before[-1] if before else None


def period_table(store: Store, table: sa.Table, period: str | Period) -> pd.DataFrame:
    """Every row of ``table`` for a period (geometries excluded)."""
    key = str(period)
    cols = [c for c in table.c if c.name != "geom"]
    with store.read() as conn:
        rows = conn.execute(sa.select(*cols).where(table.c.period == key)).mappings().all()
    return pd.DataFrame(rows, columns=[c.name for c in cols])


def period_info(store: Store, period: str | Period) -> dict:
    """The ``history_periods`` row of a period."""
    with store.read() as conn:
        row = conn.execute(sa.select(S.periods).where(S.periods.c.period == str(period))
                           ).mappings().first()
    return dict(row) if row else {}


def _geoms(values: pd.Series) -> list:
    """Geometries from the store: WKT text (SQLite) or hex EWKB (PostGIS)."""
    out: list[BaseGeometry | None] = []
    for v in values:
        if v is None:
            out.append(None)
        elif isinstance(v, bytes | memoryview):
            out.append(shapely.from_wkb(bytes(v)))
        elif str(v)[:2] in ("00", "01"):  # hex WKB starts with its byte-order byte
            out.append(shapely.from_wkb(str(v)))
        else:
            out.append(shapely.from_wkt(str(v).split(";", 1)[-1]))
    return out


def _geo_table(store: Store, table: sa.Table, period: str | Period) -> gpd.GeoDataFrame:
    with store.read() as conn:
        rows = conn.execute(sa.select(table).where(table.c.period == str(period))
                            ).mappings().all()
    df = pd.DataFrame(rows, columns=[c.name for c in table.c])
    geom = _geoms(df.pop("geom"))
    return gpd.GeoDataFrame(df, geometry=geom, crs=4326)


def zones_frame(store: Store, period: str | Period) -> gpd.GeoDataFrame:
    """Township geometries of a period (EPSG:4326)."""
    return _geo_table(store, S.zones, period)


def facilities_frame(store: Store, period: str | Period) -> gpd.GeoDataFrame:
    """The facility register of a period (EPSG:4326)."""
    return _geo_table(store, S.facilities, period)


def headline(store: Store, p: Period) -> dict:
    """Headline figures of one period: facilities, county full-circle coverage at the
    largest threshold, targets met / measurable (county rows, plan year), open problems."""
    info = period_info(store, p)
    cov = period_table(store, S.coverage, p)
    c = cov[(cov["zone_id"] == COUNTY) & (cov["layer"] == COMPOSITE) & (cov["group"] == "total")]
    full = c.loc[c["minutes"].idxmax(), "coverage_rate"] if len(c) else None
    ind = period_table(store, S.indicators, p)
    ind = ind[(ind["zone_id"] == COUNTY) & (ind["year"] == info.get("plan_year"))]
    with store.read() as conn:
        nfac = conn.execute(sa.select(sa.func.count()).select_from(S.facilities).where(
            S.facilities.c.period == p.key)).scalar_one()
        opened = conn.execute(sa.select(sa.func.count()).select_from(S.problems).where(
            S.problems.c.period_found == p.key)).scalar_one()
    return {"period": p.key, "plan_year": info.get("plan_year"),
            "recorded_at": info.get("recorded_at"), "synthetic": bool(info.get("synthetic")),
            "facilities": int(nfac), "full_circle_rate": full,
            "targets_met": int((ind["status"] == "met").sum()),
            "targets_measurable": int(ind["status"].isin(["met", "not_met"]).sum()),
            "problems_found": int(opened)}


def overview(store: Store) -> pd.DataFrame:
    """One row of :func:`headline` figures per recorded period, oldest first, plus the
    problems still open now."""
    rows = [headline(store, p) for p in periods(store)]
    df = pd.DataFrame(rows, columns=["period", "plan_year", "recorded_at", "synthetic",
                                     "facilities", "full_circle_rate", "targets_met",
                                     "targets_measurable", "problems_found"])
    with store.read() as conn:
        still = conn.execute(sa.select(S.problems.c.period_found, sa.func.count()).where(
            S.problems.c.status != CLOSED).group_by(S.problems.c.period_found)).all()
    df["problems_open"] = df["period"].map(dict(still)).fillna(0).astype(int)
    return df
