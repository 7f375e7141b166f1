"""Coverage judged by the standards: each layer at its own circle level, by every denominator.

A :class:`Criterion` is one facility layer judged at one circle level of its standard
(幼儿园 at the 5-minute level, 小学 at the 10-minute level and, for rural residents, at the
乡集镇 level...): its own threshold, the travel modes it may be reached by (any of them), the
walking-speed profile of its group, and which residents it judges (urban, rural or all).
:func:`standards_table` counts, per zone and for the county, how much of each denominator
the bureau reports is covered, one labelled row each:

``population``
    People (of the criterion's residents) reaching a facility within the threshold.
``group``
    The same for the layer's own group (children 0–3, people aged 60+, ...).
``villages``
    Villages/社区 counted as covered: with residents' village codes, those where at least
    ``village_share`` of the residents are covered (``basis = "residents"``); else those
    whose centre is covered (``basis = "centre"``).
``compounds``
    Residential compounds (小区) where at least ``village_share`` of the residents are
    covered (points inside the compound polygons).
``buildings``, ``floor_area``
    Residential buildings and their floor area covered (population from buildings).
``townships``
    Townships with at least one counted facility of the layer (admin coverage).
``quota``
    Per-capita quota: ``total`` the supply the quota asks for, ``covered`` the capacity
    provided, ``rate`` their ratio (may exceed 1).
``capacity_within``, ``capacity_over``
    People of the group covered at a facility set with enough capacity (2SFCA supply per
    unit of demand ``>= 1``, demand from the quota) and covered but over capacity; the rest of
    ``total`` is uncovered.

The composite 完整服务圈 of each level (``entry = layer = "ALL"``): the share of the level's
residents who reach every required (▲) item of that level, each at its own threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from circle15.coverage.zonal import zone_codes
from circle15.vocab import CIRCLE_LEVELS, COMPOSITE, COUNTY
from circle15.vocab import county_name as _county_name

#: Columns of ``standards_by_zone.csv``.
STANDARD_COLUMNS = ["zone_id", "zone_name", "entry", "entry_name", "layer", "level",
                    "residents", "minutes", "modes", "profile", "required", "group",
                    "denominator", "total", "covered", "rate", "basis", "verified"]

#: Travel times: (layer, mode, speed profile) -> minutes per point (``inf`` = not reached);
#: the profile is ``""`` at the network's own speed.
Times = Mapping[tuple[str, str, str], np.ndarray]


@dataclass(frozen=True)
class Criterion:
    """One facility layer judged at one circle level.

    Attributes
    ----------
    entry : str
        Catalogue entry key (``"kindergarten"``).
    layer : str
        Facility layer it is measured on.
    level : str
        Circle level (:data:`circle15.vocab.CIRCLE_LEVELS`).
    minutes : float
        Threshold.
    modes : tuple of str
        Travel modes used, any of which counts (each must be in the times).
    required : bool
        ▲ (counts for the level's composite) or △.
    group : str
        Population group of the layer (``"total"`` or a group column).
    residents : str
        ``"urban"``, ``"rural"`` or ``"all"``: whose coverage it judges.
    profile : str
        Walking-speed profile of the group (``""``: the network's speed).
    quota_rate : float, optional
        Supply the quota asks for per unit of ``quota_basis`` (4.5 places per 1,000 people
        -> 0.0045).
    quota_basis : str
        Column of the points the quota counts over (``"population"`` or a group).
    quota_unit : str
        Unit of the supply, for the ``basis`` column (``"托位"``).
    name : str
        The entry's name, for people.
    subtypes : tuple of str
        Only the layer's facilities of these types (类型) count (a facility without a type
        counts); empty: all of them.
    verified : bool
        Whether the rule's values were checked against the standard's text.
    source : str
        Key of the criterion's travel times (default: ``layer``; ``"clinic:health_centre"``
        when the layer is split by type).
    """

    entry: str
    layer: str
    level: str
    minutes: float
    modes: tuple[str, ...] = ("walk",)
    required: bool = True
    group: str = "total"
    residents: str = "all"
    profile: str = ""
    quota_rate: float | None = None
    quota_basis: str = "population"
    quota_unit: str = ""
    name: str = ""
    subtypes: tuple[str, ...] = ()
    verified: bool = False
    source: str = ""

    @property
    def times_key(self) -> str:
        """The first part of its :data:`Times` keys."""
        return self.source or self.layer

    def counts(self, layer: np.ndarray, subtype: np.ndarray) -> np.ndarray:
        """Which facilities (of ``layer`` and ``subtype`` arrays) count for it."""
        ok = np.asarray(layer, dtype=object) == self.layer
        if self.subtypes:
            st = np.asarray(subtype, dtype=object)
            ok &= np.isin(st, list(self.subtypes)) | (st == "") | pd.isna(st)
        return ok


def criterion_minutes(times: Times, c: Criterion) -> np.ndarray:
    """Minutes to the nearest facility of ``c``'s layer by the fastest of its modes."""
    arrays = [times[(c.times_key, m, c.profile if m == "walk" else "")] for m in c.modes]
    return np.min(np.vstack(arrays), axis=0)


def residents_mask(residents: str, urban_rural: np.ndarray) -> np.ndarray:
    """Which points (or villages) of class ``urban_rural`` a criterion judges.

    ``"rural"`` is the rural class only; ``"urban"`` everything not rural (an unknown class
    is judged as urban); ``"all"`` everything.
    """
    cls = np.asarray(urban_rural, dtype=object)
    if residents == "rural":
        return cls == "rural"
    if residents == "urban":
        return cls != "rural"
    return np.ones(len(cls), dtype=bool)


@dataclass(frozen=True)
class _Zones:
    """Zone codes of a set of points and the per-zone + county sum over them."""

    ids: list[str]
    code: np.ndarray

    @classmethod
    def of(cls, ids: list[str], zone_of: Sequence) -> _Zones:
        return cls(ids, zone_codes(zone_of, ids))

    def sums(self, weights: np.ndarray, mask: np.ndarray) -> np.ndarray:
        inz = self.code >= 0
        w = np.where(mask & inz, np.asarray(weights, float), 0.0)
        per = np.bincount(self.code[inz], weights=w[inz], minlength=len(self.ids))
        return np.append(per, per.sum())


@dataclass(frozen=True)
class _Units:
    """Villages or compounds: which one each point lives in, and their zones (built once)."""

    point_unit: np.ndarray
    zones: _Zones
    n: int

    @classmethod
    def of(cls, unit_of_point: Sequence, unit_ids: Sequence, unit_zone: Sequence,
           zone_ids: list[str]) -> _Units:
        idx = pd.Index(pd.Series(unit_ids).astype(str)).get_indexer(
            pd.Series(unit_of_point).astype(str))
        return cls(idx, _Zones.of(zone_ids, unit_zone), len(unit_ids))


def _by_residents(units: _Units, unit_mask: np.ndarray, covered: np.ndarray,
                  res: np.ndarray, pop: np.ndarray, share: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Units (villages, compounds) with residents, and those where at least ``share`` of
    the residents judged are covered, per zone + county."""
    idx = units.point_unit
    ok = (idx >= 0) & res
    people = np.bincount(idx[ok], weights=pop[ok], minlength=units.n)
    reached = np.bincount(idx[ok], weights=pop[ok] * covered[ok], minlength=units.n)
    has = people > 0
    good = has & (reached >= share * people - 1e-9)
    ones = np.ones(units.n)
    return units.zones.sums(ones, unit_mask & has), units.zones.sums(ones, unit_mask & good)


def _village_counts(c: Criterion, covered: np.ndarray, res: np.ndarray, pop: np.ndarray,
                    villages: pd.DataFrame, units: _Units, village_times: Times | None,
                    share: float, by_residents: bool
                    ) -> tuple[np.ndarray, np.ndarray, str] | None:
    """Villages of the criterion's residents, and those covered, per zone + county."""
    vres = residents_mask(c.residents, villages["urban_rural"].to_numpy())
    if by_residents:
        total, cov = _by_residents(units, vres, covered, res, pop, share)
        return total, cov, "residents"
    if village_times is None:
        return None
    t = criterion_minutes(village_times, c)
    placed = np.isfinite(villages["lon"].to_numpy(float))
    ones = np.ones(len(villages))
    return (units.zones.sums(ones, vres & placed),
            units.zones.sums(ones, vres & placed & (t <= c.minutes)), "centre")


def _facility_counts(c: Criterion, facilities: pd.DataFrame, zones: _Zones,
                     quota_need: np.ndarray | None) -> list[tuple[str, np.ndarray, np.ndarray,
                                                                  str]]:
    """The ``townships`` and ``quota`` rows of a criterion."""
    sub = facilities["subtype"] if "subtype" in facilities else \
        pd.Series("", index=facilities.index)
    mine = facilities[c.counts(facilities["layer"].to_numpy(), sub.to_numpy(dtype=object))
                      & facilities["counted"].to_numpy(bool)]
    fz = _Zones.of(zones.ids, mine["zone_id"].fillna(""))
    n = len(zones.ids)
    has = fz.sums(np.ones(len(mine)), np.ones(len(mine), bool))[:n] > 0
    out = [("townships", np.append(np.ones(n), n), np.append(has, has.sum()).astype(float),
            "")]
    cap = mine["capacity"].to_numpy(float) if "capacity" in mine else np.full(len(mine), np.nan)
    if quota_need is not None and np.isfinite(cap).any():
        supply = fz.sums(np.nan_to_num(cap, nan=0.0), np.ones(len(mine), bool))
        out.append(("quota", quota_need, supply, c.quota_unit))
    return out


def _point_rows(c: Criterion, t: np.ndarray, res: np.ndarray, origins: pd.DataFrame,
                zones: _Zones, accessibility: np.ndarray | None
                ) -> list[tuple[str, np.ndarray, np.ndarray, str]]:
    """The rows counted over the points: people, group, buildings, capacity split."""
    pop = origins["population"].to_numpy(float)
    cov = t <= c.minutes
    rows = [("population", zones.sums(pop, res), zones.sums(pop, res & cov), "")]
    w = pop if c.group == "total" else origins[c.group].to_numpy(float)
    if c.group != "total":
        rows.append(("group", zones.sums(w, res), zones.sums(w, res & cov), c.group))
    if "floor_area" in origins:
        ones = np.ones(len(origins))
        fa = origins["floor_area"].to_numpy(float)
        rows += [("buildings", zones.sums(ones, res), zones.sums(ones, res & cov), ""),
                 ("floor_area", zones.sums(fa, res), zones.sums(fa, res & cov), "m²")]
    if accessibility is not None:
        enough = np.asarray(accessibility, float) >= 1.0 - 1e-9
        total = zones.sums(w, res)
        rows += [("capacity_within", total, zones.sums(w, res & cov & enough), c.group),
                 ("capacity_over", total, zones.sums(w, res & cov & ~enough), c.group)]
    return rows


def _frame(c: Criterion, names: list[str], ids: list[str],
           rows: list[tuple[str, np.ndarray, np.ndarray, str]]) -> pd.DataFrame:
    parts = []
    for den, total, covered, basis in rows:
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(total > 0, covered / np.where(total > 0, total, 1.0), np.nan)
        parts.append(pd.DataFrame({
            "zone_id": ids, "zone_name": names, "entry": c.entry, "entry_name": c.name,
            "layer": c.layer,
            "level": c.level, "residents": c.residents, "minutes": c.minutes,
            "modes": "+".join(c.modes), "profile": c.profile, "required": c.required,
            "group": c.group, "denominator": den, "total": total, "covered": covered,
            "rate": rate, "basis": basis, "verified": c.verified}))
    return pd.concat(parts, ignore_index=True)


def _composites(criteria: Sequence[Criterion], covered: list[np.ndarray],
                residents: list[np.ndarray], origins: pd.DataFrame, zones: _Zones,
                names: list[str], ids: list[str]) -> list[pd.DataFrame]:
    """The 完整服务圈 of each level: residents reaching every required item of it."""
    pop = origins["population"].to_numpy(float)
    out = []
    order = list(CIRCLE_LEVELS)
    for level in sorted(dict.fromkeys(c.level for c in criteria),
                        key=lambda lv: order.index(lv) if lv in order else len(order)):
        idx = [i for i, c in enumerate(criteria) if c.level == level and c.required]
        if not idx:
            continue
        res = residents[idx[0]]
        every = np.logical_and.reduce([covered[i] for i in idx])
        c0 = criteria[idx[0]]
        comp = Criterion(entry=COMPOSITE, layer=COMPOSITE, level=level, minutes=np.nan,
                         modes=tuple(dict.fromkeys(m for i in idx for m in criteria[i].modes)),
                         residents=c0.residents)
        out.append(_frame(comp, names, ids, [
            ("population", zones.sums(pop, res), zones.sums(pop, res & every),
             "+".join(criteria[i].entry for i in idx))]))
    return out


def standards_table(origins: pd.DataFrame, times: Times, criteria: Sequence[Criterion],
                    zones: pd.DataFrame, *, urban_rural: np.ndarray | None = None,
                    villages: pd.DataFrame | None = None, village_times: Times | None = None,
                    village_share: float = 0.5, compounds: pd.DataFrame | None = None,
                    facilities: pd.DataFrame | None = None,
                    accessibility: Mapping[int, np.ndarray] | None = None,
                    county_name: str = _county_name(False, "zh")) -> pd.DataFrame:
    """Every criterion's coverage per zone and county, by every denominator available.

    Parameters
    ----------
    origins : pandas.DataFrame
        Points with ``zone_id``, ``population``, the criteria's group columns and,
        optionally, ``village_id`` (the resident's village) and ``floor_area``.
    times : mapping
        :data:`Times` over the points for every (layer, mode, profile) the criteria use.
    criteria : sequence of Criterion
    zones : pandas.DataFrame
        ``zone_id``, ``zone_name``: every zone gets rows.
    urban_rural : numpy.ndarray, optional
        Class of each point (``"urban"``, ``"rural"``, ``""``); default all unknown (urban).
    villages : pandas.DataFrame, optional
        ``village_id``, ``zone_id``, ``lon`` (NaN without a centre), ``urban_rural``.
    village_times : mapping, optional
        :data:`Times` over the village centres (used when points carry no ``village_id``).
    village_share : float, default 0.5
        Share of a village's (or compound's) residents that must be covered for it to count
        as covered.
    compounds : pandas.DataFrame, optional
        Residential compounds (小区): ``compound_id``, ``zone_id``; counted by the residents
        of the points carrying a ``compound_id``.
    facilities : pandas.DataFrame, optional
        ``layer``, ``zone_id``, ``capacity``, ``counted`` (bool) and optionally ``subtype``:
        for the townships and quota rows.
    accessibility : mapping, optional
        Criterion index -> 2SFCA supply per unit of demand per point, for the capacity split.
    county_name : str
        Name of the county rows (``zone_id`` = :data:`~circle15.vocab.COUNTY`).

    Returns
    -------
    pandas.DataFrame
        :data:`STANDARD_COLUMNS`; per criterion and denominator one row per zone, then the
        county; the composites of each level last.
    """
    ids = zones["zone_id"].astype(str).tolist()
    names = [*zones["zone_name"].astype(str), county_name]
    all_ids = [*ids, COUNTY]
    pz = _Zones.of(ids, origins["zone_id"])
    pop = origins["population"].to_numpy(float)
    cls = np.full(len(origins), "", dtype=object) if urban_rural is None else urban_rural
    vu = cu = None
    if villages is not None and not villages.empty:
        vu = _Units.of(origins["village_id"] if "village_id" in origins else [],
                       villages["village_id"], villages["zone_id"], ids)
    if compounds is not None and not compounds.empty and "compound_id" in origins:
        cu = _Units.of(origins["compound_id"], compounds["compound_id"], compounds["zone_id"],
                       ids)
    frames, covered, residents = [], [], []
    for i, c in enumerate(criteria):
        t = criterion_minutes(times, c)
        res = residents_mask(c.residents, cls)
        covered.append(t <= c.minutes)
        residents.append(res)
        rows = _point_rows(c, t, res, origins, pz,
                           (accessibility or {}).get(i))
        if vu is not None:
            got = _village_counts(c, t <= c.minutes, res, pop, villages, vu, village_times,
                                  village_share, "village_id" in origins)
            if got is not None:
                rows.append(("villages", got[0], got[1], got[2]))
        if cu is not None:
            total, cov = _by_residents(cu, np.ones(cu.n, bool), t <= c.minutes, res, pop,
                                       village_share)
            rows.append(("compounds", total, cov, "residents"))
        if facilities is not None:
            need = None
            if c.quota_rate is not None:
                basis = origins[c.quota_basis].to_numpy(float)
                need = pz.sums(basis * c.quota_rate, np.ones(len(origins), bool))
            rows += _facility_counts(c, facilities, pz, need)
        frames.append(_frame(c, names, all_ids, rows))
    frames += _composites(criteria, covered, residents, origins, pz, names, all_ids)
    if not frames:
        return pd.DataFrame(columns=STANDARD_COLUMNS)
    out = pd.concat(frames, ignore_index=True)[STANDARD_COLUMNS]
    out["minutes"] = pd.Series(  # as written: 5 stays 5, like coverage_by_zone.csv
        [int(v) if np.isfinite(v) and float(v).is_integer() else v for v in out["minutes"]],
        index=out.index, dtype=object)
    return out
