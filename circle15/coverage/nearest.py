"""Minutes from every origin to the nearest facility of each layer (GeoDataFrames in and out).

:func:`travel_times` is the public entry point for scripts: facilities and origins in any
CRS, linked exactly to the network, one capped Dijkstra per layer. The run computes its
``origins.gpkg`` columns with the same :func:`link_points` and :func:`layer_times`, so the
Python API and ``circle15 run`` cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np

from circle15.coverage.travel import SourceGraph, nearest_facility
from circle15.errors import InputError
from circle15.geo.routing.linking import Links, SegmentIndex, usable_segments
from circle15.geo.routing.network import RoutingNetwork


@dataclass(frozen=True, eq=False)
class LayerTimes:
    """Per-origin minutes to the nearest facility of one layer, and that facility's row.

    Attributes
    ----------
    minutes : numpy.ndarray
        ``inf`` beyond the cap or when the origin is not linked.
    nearest : numpy.ndarray
        Row (into the facilities frame) of the nearest facility, ``-1`` when none.
    """

    minutes: np.ndarray
    nearest: np.ndarray


def points_xy(gdf: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """``(n, 2)`` coordinates of a point GeoDataFrame in ``crs`` (empty input: ``(0, 2)``)."""
    if gdf.empty:
        return np.empty((0, 2))
    if gdf.crs is None:
        raise InputError("the points have no CRS", key="crs",
                         hint="set one with GeoDataFrame.set_crs (EPSG:4326 for lon/lat)")
    g = gdf.geometry.to_crs(crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])


def link_points(index: SegmentIndex, points: gpd.GeoDataFrame, max_link_m: float) -> Links:
    """Link the points of ``points`` exactly to the nearest usable segment of the index."""
    return index.link(points_xy(points, index.net.crs), max_distance=max_link_m)


def _own_zone_times(graph: SourceGraph, fac_links: Links, in_layer: np.ndarray,
                    fac_zone: np.ndarray, org_links: Links, org_zone: np.ndarray,
                    cutoff: float) -> LayerTimes:
    seconds = np.full(len(org_zone), np.inf)
    nearest = np.full(len(org_zone), -1, np.int64)
    for z in np.unique(org_zone):
        sel_f = np.flatnonzero(in_layer & (fac_zone == z))
        sel_o = np.flatnonzero(org_zone == z)
        if not len(sel_f) or not len(sel_o):
            continue
        r = nearest_facility(graph.net, fac_links.subset(sel_f), org_links.subset(sel_o),
                             cutoff, graph=graph, which=sel_f)
        seconds[sel_o] = r.seconds
        nearest[sel_o] = _rows_of(sel_f, r.facility)
    return LayerTimes(seconds / 60.0, nearest)


def layer_times(graph: SourceGraph, fac_layer: np.ndarray, fac_links: Links, key: str,
                org_links: Links, cutoff_s: float, *, fac_zone: np.ndarray | None = None,
                org_zone: np.ndarray | None = None) -> LayerTimes:
    """Minutes to the nearest facility of layer ``key`` per origin.

    Parameters
    ----------
    graph : SourceGraph
        Built once over every facility (``fac_links``).
    fac_layer : numpy.ndarray
        Layer key of each facility.
    fac_links, org_links : Links
        Facilities and origins linked to the network.
    key : str
        The layer.
    cutoff_s : float
        Largest time of interest (seconds); longer is ``inf``.
    fac_zone, org_zone : numpy.ndarray, optional
        Zone of each facility and origin: when given, only facilities in the origin's own
        zone count.

    Returns
    -------
    LayerTimes
    """
    in_layer = np.asarray(fac_layer) == key
    if fac_zone is not None and org_zone is not None:
        return _own_zone_times(graph, fac_links, in_layer, np.asarray(fac_zone), org_links,
                               np.asarray(org_zone), cutoff_s)
    sel_f = np.flatnonzero(in_layer)
    r = nearest_facility(graph.net, fac_links.subset(sel_f), org_links, cutoff_s, graph=graph,
                         which=sel_f)
    return LayerTimes(r.seconds / 60.0, _rows_of(sel_f, r.facility))


def _rows_of(rows: np.ndarray, found: np.ndarray) -> np.ndarray:
    """``rows[found]`` where ``found >= 0``, else ``-1`` (also for an empty layer)."""
    out = np.full(len(found), -1, np.int64)
    ok = found >= 0
    out[ok] = np.asarray(rows)[found[ok]]
    return out


def facility_labels(ids: np.ndarray, nearest: np.ndarray) -> np.ndarray:
    """The ``f_<layer>`` column: the nearest facility's id, ``""`` when none."""
    out = np.full(len(nearest), "", dtype=object)
    ok = nearest >= 0
    out[ok] = np.asarray(ids, dtype=object)[nearest[ok]]
    return out


def _check_frames(facilities: gpd.GeoDataFrame, origins: gpd.GeoDataFrame, layer: str,
                  max_minutes: float, max_link_m: float) -> None:
    if layer not in facilities.columns:
        raise InputError(f"the facilities have no {layer!r} column", key="facilities",
                         hint="add a column naming each facility's layer")
    for name, frame in (("facilities", facilities), ("origins", origins)):
        if len(frame) and not frame.geom_type.eq("Point").all():
            raise InputError(f"{name} must be points", key=name)
    if not (np.isfinite(max_minutes) and max_minutes > 0):
        raise InputError(f"max_minutes must be a positive number, got {max_minutes!r}",
                         key="max_minutes")
    if not (np.isfinite(max_link_m) and max_link_m > 0):
        raise InputError(f"max_link_m must be a positive number, got {max_link_m!r}",
                         key="max_link_m")


def travel_times(net: RoutingNetwork, facilities: gpd.GeoDataFrame,
                 origins: gpd.GeoDataFrame, max_minutes: float = 15, max_link_m: float = 300,
                 *, layer: str = "layer", facility_id: str | None = "facility_id",
                 own_zone: str | None = None) -> gpd.GeoDataFrame:
    """Minutes from each origin to the nearest facility of every layer, on the network.

    Points are linked exactly to their nearest usable street segment (no snapping to
    nodes); one capped multi-source Dijkstra per layer gives exact times.

    Parameters
    ----------
    net : RoutingNetwork
        From :func:`circle15.routing_network` or :func:`circle15.load_network`.
    facilities : geopandas.GeoDataFrame
        Points (any CRS) with a ``layer`` column.
    origins : geopandas.GeoDataFrame
        Points (any CRS) where people are.
    max_minutes : float
        Cap: longer times are ``inf``.
    max_link_m : float
        Points farther than this from any usable street are not linked (``inf``).
    layer : str
        Name of the facilities' layer column.
    facility_id : str or None
        Column of facility ids written to ``f_<layer>`` (default: the row label when the
        column is absent).
    own_zone : str, optional
        A zone column present in both frames: only facilities in the origin's own zone count.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``origins`` with ``t_<layer>`` (minutes, ``inf`` beyond ``max_minutes`` or
        unlinked) and ``f_<layer>`` (nearest facility) for each layer, in order of first
        appearance.

    Examples
    --------
    >>> import circle15 as c15  # doctest: +SKIP
    >>> net = c15.routing_network(G, mode="walk", speed_kmh=4.5)  # doctest: +SKIP
    >>> out = c15.travel_times(net, facilities, homes)  # doctest: +SKIP
    >>> (out["t_clinic"] <= 15).mean()  # doctest: +SKIP
    """
    _check_frames(facilities, origins, layer, max_minutes, max_link_m)
    fac = facilities.reset_index(drop=False)
    index = SegmentIndex(net, usable_segments(net))
    fac_links = link_points(index, fac, max_link_m)
    org_links = link_points(index, origins, max_link_m)
    graph = SourceGraph(net, fac_links)
    zones = ((fac[own_zone].astype(str).to_numpy(), origins[own_zone].astype(str).to_numpy())
             if own_zone else (None, None))
    ids = (fac[facility_id] if facility_id and facility_id in fac.columns
           else fac[fac.columns[0]]).astype(str).to_numpy()
    out = origins.copy()
    for key in _layer_keys(fac[layer]):
        res = layer_times(graph, fac[layer].astype(str).to_numpy(), fac_links, key, org_links,
                          60.0 * max_minutes, fac_zone=zones[0], org_zone=zones[1])
        out[f"t_{key}"] = res.minutes
        out[f"f_{key}"] = facility_labels(ids, res.nearest)
    return out


def _layer_keys(values: Sequence[object]) -> list[str]:
    return [str(k) for k in dict.fromkeys(str(v) for v in values)]
