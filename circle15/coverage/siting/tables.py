"""The siting tables (proposed sites, before/after, marginal curve) and writing them.

Written atomically into a run folder (other files are left alone):

``proposed_sites.csv`` / ``proposed_sites.gpkg`` (layer ``proposed_sites``, EPSG:4326)
    One row per proposed site in order: ``layer, rank, candidate_id, name, lon, lat,
    zone_id, zone_name, new_covered, counted, cumulative_covered, cumulative_rate, cost,
    method``.
``siting_before_after.csv``
    Per township and county-wide: people, covered before/after, rates, target, status.
``siting_curve.csv``
    The marginal curve: coverage after 0, 1, 2, ... sites (the cost of the last percent).
``siting_report.json``
    Target source, candidates, method, stop reason, exact-check gap, timings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from circle15.coverage.siting.goals import TargetSpec, county_rate, required_people
from circle15.coverage.siting.solvers import SitingResult
from circle15.errors import InputError
from circle15.io import atomic_output_dir, read_csv, write_csv, write_json
from circle15.vocab import COUNTY, RunFiles

if TYPE_CHECKING:
    from circle15.coverage.siting.site import ProposedSites


def sites_table(res: SitingResult, cand: gpd.GeoDataFrame, zone_names: dict[str, str],
                layer: str) -> gpd.GeoDataFrame:
    """The ``proposed_sites`` table: one row per site, in the order they were added.

    Parameters
    ----------
    res : SitingResult
    cand : geopandas.GeoDataFrame
        The candidates (EPSG:4326) with ``candidate_id, name, zone_id``.
    zone_names : dict
        Zone id -> name.
    layer : str

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, columns ``layer, rank, candidate_id, name, lon, lat, zone_id,
        zone_name, new_covered, counted, cumulative_covered, cumulative_rate, cost,
        method``.
    """
    c = cand.iloc[res.sites]
    geom = c.geometry.to_numpy()
    zid = c["zone_id"].astype(str).to_numpy()
    df = gpd.GeoDataFrame({
        "layer": layer,
        "rank": np.arange(1, len(res.sites) + 1),
        "candidate_id": c["candidate_id"].astype(str).to_numpy(),
        "name": c["name"].astype(str).to_numpy(),
        "lon": np.round(shapely.get_x(geom), 7) if len(geom) else np.empty(0),
        "lat": np.round(shapely.get_y(geom), 7) if len(geom) else np.empty(0),
        "zone_id": zid,
        "zone_name": [zone_names.get(z, "") for z in zid],
        "new_covered": np.round(res.new_covered, 3),
        "counted": np.round(res.gain, 3),
        "cumulative_covered": np.round(res.cumulative_covered, 3),
        "cumulative_rate": np.round(res.cumulative_rate, 6),
        "cost": res.cost,
        "method": res.method,
    }, geometry=geom, crs=4326)
    return df


def _status(covered: float, required: float) -> str:
    """``met``/``not_met`` against ``required`` people; ``no_target`` without one."""
    if not np.isfinite(required):
        return "no_target"
    return "met" if covered >= required - 1e-9 else "not_met"


def before_after_table(res: SitingResult, zone_ids: list[str], zone_names: dict[str, str],
                       layer: str, target: TargetSpec, pop_z: np.ndarray, cov_z: np.ndarray,
                       required: np.ndarray | None, cand_zone: np.ndarray, county_name: str
                       ) -> pd.DataFrame:
    """The ``siting_before_after`` table: per township and county-wide, people, covered
    before and after, rates, target and status.

    Parameters
    ----------
    res : SitingResult
    zone_ids : list of str
    zone_names : dict
        Zone id -> name.
    layer : str
    target : TargetSpec
    pop_z, cov_z : numpy.ndarray
        People of the target group and those covered today, per zone.
    required : numpy.ndarray or None
        People each zone must cover to meet its target (``nan`` = no target).
    cand_zone : numpy.ndarray
        Zone code per candidate (``-1`` = none).
    county_name : str
        ``zone_name`` of the county row (:func:`circle15.vocab.county_name`).

    Returns
    -------
    pandas.DataFrame
    """
    nz = len(zone_ids)
    # no site at all (e.g. no candidate): nobody new, whatever shape the empty table has
    after = cov_z + (res.zone_new.sum(axis=0) if len(res.sites) else 0.0)
    sites_z = np.bincount(cand_zone[res.sites][cand_zone[res.sites] >= 0], minlength=nz)[:nz] \
        if len(res.sites) else np.zeros(nz, int)
    req = required if required is not None else np.full(nz, np.nan)
    rows = []
    for i, z in enumerate(zone_ids):
        rate_t = target.rate.get(z, np.nan) if target.scope == "zone" else np.nan
        rows.append(_ba_row(z, zone_names[z], layer, target, pop_z[i], cov_z[i], after[i],
                            rate_t, req[i], int(sites_z[i])))
    tot_req = np.nan
    rate_c = np.nan
    if target.op in ("ge", "gt") and target.scope == "county":
        rate_c = county_rate(target)
        tot_req = required_people(target.op, rate_c, float(pop_z.sum()))
    df = pd.DataFrame(rows)
    county = _ba_row(COUNTY, county_name, layer, target, float(pop_z.sum()),
                     float(cov_z.sum()), float(after.sum()), rate_c, tot_req,
                     len(res.sites))
    if target.scope == "zone" and target.op in ("ge", "gt"):
        # the county is met only when every township is
        county["status_before"] = "met" if (df["status_before"] != "not_met").all() else \
            "not_met"
        county["status_after"] = "met" if (df["status_after"] != "not_met").all() else \
            "not_met"
    return pd.concat([df, pd.DataFrame([county])], ignore_index=True)


def _ba_row(z: str, name: str, layer: str, target: TargetSpec, pop: float, before: float,
            after: float, rate_t: float, req: float, n_sites: int) -> dict[str, Any]:
    return {
        "zone_id": z, "zone_name": name, "layer": layer, "group": target.group,
        "minutes": target.minutes, "population": round(float(pop), 3),
        "covered_before": round(float(before), 3),
        "rate_before": float(before) / pop if pop > 0 else np.nan,
        "target_rate": rate_t / 100.0 if np.isfinite(rate_t) else np.nan,
        "required": req, "new_sites": n_sites,
        "covered_after": round(float(after), 3),
        "rate_after": float(after) / pop if pop > 0 else np.nan,
        "status_before": _status(before, req), "status_after": _status(after, req),
    }


def curve_table(res: SitingResult, cand: gpd.GeoDataFrame, zone_ids: list[str],
                cov_z: np.ndarray, required: np.ndarray | None, target: TargetSpec,
                layer: str) -> pd.DataFrame:
    """The ``siting_curve`` table: coverage after 0, 1, 2, ... sites (the cost of the last
    percent), with the townships meeting their target at each step."""
    nz = len(zone_ids)
    n = len(res.sites)
    zc = np.zeros((n + 1, nz))
    zc[0] = cov_z
    if n:
        zc[1:] = cov_z + np.cumsum(res.zone_new, axis=0)
    if required is not None and target.scope == "zone":
        has = np.isfinite(required)
        met = (zc[:, has] >= required[has] - 1e-9).sum(axis=1)
        with_t = int(has.sum())
    else:
        met = np.full(n + 1, np.nan)
        with_t = 0
    cum = np.concatenate([[res.covered_before], res.cumulative_covered])
    ids = cand["candidate_id"].astype(str).to_numpy()
    return pd.DataFrame({
        "layer": layer,
        "sites": np.arange(n + 1),
        "candidate_id": ["", *ids[res.sites]],
        "new_covered": np.concatenate([[0.0], res.new_covered]).round(3),
        "cumulative_covered": cum.round(3),
        "cumulative_rate": cum / res.total if res.total > 0 else np.nan,
        "cumulative_cost": np.concatenate([[0.0], np.cumsum(res.cost)]),
        "zones_met": met,
        "zones_with_target": with_t,
    })


def _merge(old: pd.DataFrame | None, new: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Rows of other layers from an earlier siting run, then this layer's rows."""
    if old is None or "layer" not in old.columns:
        return new
    keep = old[old["layer"].astype(str) != layer]
    if keep.empty:
        return new
    return pd.concat([keep, new], ignore_index=True)


def _read_old_csv(path: Path) -> pd.DataFrame | None:
    """An earlier siting table in the output folder (``None`` when absent or unreadable)."""
    if not path.is_file():
        return None
    try:
        return read_csv(path, dtype={"zone_id": str, "candidate_id": str})
    except InputError:
        return None


def write_siting_outputs(sr: ProposedSites, out_dir: str | Path) -> Path:
    """Write the siting outputs into ``out_dir`` atomically (other files are left alone).

    Siting one layer keeps the rows of other layers sited earlier into the same directory
    (each table has a ``layer`` column; ``siting_report.json`` maps layer -> report), so
    the map shows the proposed sites of every layer.
    """
    out_dir = Path(out_dir)
    layer = sr.layer
    old_gpkg = None
    if (out_dir / RunFiles.PROPOSED_GPKG).is_file():
        try:
            old_gpkg = gpd.read_file(out_dir / RunFiles.PROPOSED_GPKG, layer="proposed_sites")
            old_gpkg["zone_id"] = old_gpkg["zone_id"].astype(str)
            old_gpkg["candidate_id"] = old_gpkg["candidate_id"].astype(str)
        except Exception:  # noqa: BLE001 - an unreadable old file is replaced
            old_gpkg = None
    sites = _merge(old_gpkg, sr.sites, layer)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=4326)
    before_after = _merge(_read_old_csv(out_dir / RunFiles.SITING_BEFORE_AFTER),
                          sr.before_after, layer)
    curve = _merge(_read_old_csv(out_dir / RunFiles.SITING_CURVE), sr.curve, layer)
    reports: dict[str, Any] = {}
    rp = out_dir / RunFiles.SITING_REPORT
    if rp.is_file():
        try:
            old = json.loads(rp.read_text(encoding="utf-8"))
            if isinstance(old, dict) and all(isinstance(v, dict) for v in old.values()):
                reports = {k: v for k, v in old.items() if k != layer}
        except (ValueError, OSError):
            reports = {}
    reports[layer] = sr.report
    with atomic_output_dir(out_dir) as tmp:
        write_csv(pd.DataFrame(sites.drop(columns="geometry")), tmp / RunFiles.PROPOSED_CSV)
        sites.to_file(tmp / RunFiles.PROPOSED_GPKG, layer="proposed_sites", driver="GPKG")
        write_csv(before_after, tmp / RunFiles.SITING_BEFORE_AFTER)
        write_csv(curve, tmp / RunFiles.SITING_CURVE)
        write_json(reports, tmp / RunFiles.SITING_REPORT)
    sr.out_dir = out_dir
    return out_dir
