"""Where to add facilities: maximal-coverage expansion with the existing facilities fixed.

Three pieces, all pure (arrays in, arrays out):

:func:`reach_sets`
    Which origins each candidate site would serve within ``minutes``, exactly as
    :func:`circle15.coverage.travel.nearest_facility` would count them if the candidate were
    a facility: one virtual node per candidate on the *reversed* street graph, joined to the
    ends of the candidate's segment; capped :func:`scipy.sparse.csgraph.dijkstra` runs over
    batches of nearby candidates, each on the sub-graph within reach of the batch (a
    straight-line window of ``limit x`` the fastest edge's speed, so nothing reachable is
    cut off) to bound memory and time; each origin adds its own leg to either end of its
    segment; origins on the candidate's own segment are also reached along it directly.
    The result is a sparse boolean *candidates × origins* matrix.
:func:`greedy_sites`
    Adds sites one at a time, each time the candidate that brings in the most people still
    counted by the objective (per unit cost when costs are given).
:func:`exact_mclp`
    The same problem solved exactly as an integer programme (PuLP + its bundled CBC), for
    small instances and to measure the greedy's gap; :func:`spopt_mclp` solves the plain
    maximal-covering problem with :class:`spopt.locate.MCLP` as an independent check.

Objective
---------
Let ``new_z(S)`` be the people of the target group in zone ``z`` who are not covered today
and are within ``minutes`` of at least one site of ``S``. With per-zone targets, ``need_z``
is the number of people zone ``z`` still lacks to reach its target (0 for zones already at
target), and the greedy maximises

    F(S) = sum_z min(need_z, new_z(S))

i.e. only people in zones still below target count, and only up to what each zone needs.
``F`` is monotone and submodular (a concave truncation of a coverage function), so the
greedy keeps the classic ``1 - 1/e`` guarantee for a fixed number of sites; in practice
the exact check (:func:`exact_mclp`) usually shows a gap of a few percent at most. Ties in
``F`` are broken by the total number of newly covered people, then by candidate order.
Without targets ``need_z`` is infinite and ``F`` is plain coverage.

Capacity-aware variant: a site serves at most its capacity, assigning the nearest
uncovered people first (people may be served in part); its gain is then recomputed for
every candidate at each step (the incremental update of the plain case does not apply).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from circle15.coverage.reach import pair_times
from circle15.geo.routing.linking import Links
from circle15.geo.routing.network import RoutingNetwork

log = logging.getLogger(__name__)

#: Stop reasons reported by :func:`greedy_sites`.
STOP_REASONS = ("targets_met", "max_sites", "no_gain", "budget", "no_candidates")


# --------------------------------------------------------------------------- reach sets


def _covers(seconds: np.ndarray, minutes: float) -> np.ndarray:
    """The coverage test of the pipeline: capped at ``60 * minutes`` seconds, then
    ``seconds / 60 <= minutes`` (the same float operations, so results agree exactly)."""
    return (seconds <= 60.0 * minutes) & (seconds / 60.0 <= minutes)


def reach_sets(net: RoutingNetwork, cand_links: Links, org_links: Links, minutes: float, *,
               with_times: bool = False, max_batch_bytes: float = 1.5e8
               ) -> sp.csr_matrix | tuple[sp.csr_matrix, np.ndarray]:
    """Which origins each candidate would serve within ``minutes``.

    Parameters
    ----------
    net : RoutingNetwork
    cand_links : Links
        Linked candidate sites (unlinked candidates get empty rows).
    org_links : Links
        Linked origins (unlinked origins are never reached).
    minutes : float
        Travel-time threshold.
    with_times : bool
        Also return each pair's travel time in seconds.
    max_batch_bytes : float
        Memory bound of one Dijkstra batch (its dense distance block).

    Returns
    -------
    reach : scipy.sparse.csr_matrix
        Boolean, ``len(cand_links) x len(org_links)``; ``reach[c, o]`` is true exactly when
        ``nearest_facility`` with ``c`` among the facilities would give ``o`` a time of at
        most ``minutes`` through ``c`` (same float operations).
    seconds : numpy.ndarray
        Only with ``with_times``: seconds per stored entry, aligned with ``reach.data``.
    """
    k_all, n_o = len(cand_links), len(org_links)
    rows, cols, secs = pair_times(net, cand_links, org_links, 60.0 * minutes,
                                  max_batch_bytes=max_batch_bytes)
    keep = _covers(secs, minutes)
    rows, cols, secs = rows[keep], cols[keep], secs[keep]
    # pairs are sorted by (candidate, origin): build CSR directly so data aligns with secs
    indptr = np.searchsorted(rows, np.arange(k_all + 1), "left")
    reach = sp.csr_matrix((np.ones(len(cols), bool), cols, indptr), shape=(k_all, n_o))
    if with_times:
        return reach, secs
    return reach


# --------------------------------------------------------------------------- greedy


@dataclass(frozen=True, eq=False)
class SitingResult:
    """Sites added, in order, and what each brings in.

    Attributes
    ----------
    sites : numpy.ndarray
        Candidate indices, in the order they were added.
    new_covered : numpy.ndarray
        People of the target group newly covered by each site (all zones).
    gain : numpy.ndarray
        Objective gain of each site (people counted toward zone targets; equals
        ``new_covered`` without targets).
    cumulative_covered : numpy.ndarray
        Covered people after each site, existing coverage included.
    covered_before : float
        Covered people before any site.
    total : float
        All people of the group (the rate denominator).
    covered : numpy.ndarray
        Per origin, the covered share (0..1) after all sites (0/1 unless capacities apply).
    assigned : numpy.ndarray
        Per origin, the position in ``sites`` of the site that newly covers it, ``-1`` when
        none (covered before, or still uncovered).
    zone_covered_before, zone_covered_after : numpy.ndarray
        Covered people per zone code (of ``report_zones``; empty without zones).
    stop_reason : str
        One of :data:`STOP_REASONS`.
    cost : numpy.ndarray
        Cost of each site (1 per site without costs).
    zone_new : numpy.ndarray
        ``sites x zones``: people newly covered by each site in each zone (of
        ``report_zones``).
    method : str
        ``"greedy"`` or ``"exact"``.
    info : dict
        Extra facts (exact objective, gap, solve time).
    """

    sites: np.ndarray
    new_covered: np.ndarray
    gain: np.ndarray
    cumulative_covered: np.ndarray
    covered_before: float
    total: float
    covered: np.ndarray
    assigned: np.ndarray
    zone_covered_before: np.ndarray
    zone_covered_after: np.ndarray
    stop_reason: str
    cost: np.ndarray
    zone_new: np.ndarray
    method: str = "greedy"
    info: dict = field(default_factory=dict)

    @property
    def cumulative_rate(self) -> np.ndarray:
        """Coverage rate (0..1) after each site."""
        return self.cumulative_covered / self.total if self.total > 0 else \
            np.full(len(self.sites), np.nan)

    @property
    def objective(self) -> float:
        """Total objective value ``F`` of the sites."""
        return float(self.gain.sum())


def _zone_setup(n_o: int, zone_codes: np.ndarray | None, zone_need: np.ndarray | None
                ) -> tuple[np.ndarray, np.ndarray, int]:
    """Zone code per origin in 0..Z (Z = "no zone" bucket) and need per bucket."""
    if zone_codes is None:
        return np.zeros(n_o, np.int64), np.array([np.inf]), 0
    zc = np.asarray(zone_codes, np.int64)
    n_z = int(max(zc.max(initial=-1) + 1, len(zone_need) if zone_need is not None else 0))
    zc = np.where(zc >= 0, zc, n_z)
    if zone_need is None:
        need = np.full(n_z + 1, np.inf)
    else:
        # zones without a stated need, and people outside every zone, count nothing
        need = np.zeros(n_z + 1)
        zn = np.asarray(zone_need, float)
        need[:len(zn)] = np.where(np.isnan(zn), 0.0, np.maximum(zn, 0.0))
    return zc, need, n_z


def greedy_sites(  # noqa: PLR0913 - keyword-only options, the same as exact_mclp's
    reach: sp.csr_matrix,
    weights: np.ndarray,
    covered: np.ndarray,
    *,
    zone_codes: np.ndarray | None = None,
    zone_need: np.ndarray | None = None,
    caps: int | np.ndarray | None = None,
    cand_zone: np.ndarray | None = None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    capacity: np.ndarray | None = None,
    times: np.ndarray | None = None,
    max_sites: int = 50,
    report_zones: np.ndarray | None = None,
) -> SitingResult:
    """Add sites one at a time, greedily (see the module docstring for the objective).

    Parameters
    ----------
    reach : scipy.sparse.csr_matrix
        Boolean ``candidates x origins`` (from :func:`reach_sets`).
    weights : numpy.ndarray
        People of the target group per origin.
    covered : numpy.ndarray
        Boolean per origin: covered by existing facilities.
    zone_codes : numpy.ndarray, optional
        Zone code (0..Z-1, ``-1`` = none) per origin.
    zone_need : numpy.ndarray, optional
        People each zone still needs to reach its target (0 = at target). Without it every
        newly covered person counts. Origins with code ``-1`` never count toward targets.
    caps : int or numpy.ndarray, optional
        Most new sites per zone (one number for all zones, or one per zone code).
    cand_zone : numpy.ndarray, optional
        Zone code per candidate (needed with ``caps``; ``-1`` = no cap applies).
    costs : numpy.ndarray, optional
        Cost per candidate (positive); the greedy then maximises gain per unit cost.
    budget : float, optional
        Total cost allowed.
    capacity : numpy.ndarray, optional
        People each candidate can serve; needs ``times`` (seconds aligned with
        ``reach.data``) for nearest-first assignment.
    times : numpy.ndarray, optional
        Seconds per stored entry of ``reach`` (from ``reach_sets(..., with_times=True)``).
    max_sites : int
        Most sites to add.
    report_zones : numpy.ndarray, optional
        Zone code per origin for :attr:`SitingResult.zone_new` (default ``zone_codes``),
        e.g. townships when the target is county-wide.

    Returns
    -------
    SitingResult
    """
    reach = sp.csr_matrix(reach)
    w, cov0, cost = _check_inputs(reach, weights, covered, costs)
    n_o = reach.shape[1]
    zc, need, n_z = _zone_setup(n_o, zone_codes, zone_need)
    rz, n_rz = (_zone_setup(n_o, report_zones, None)[0::2] if report_zones is not None
                else (zc, n_z))
    limits = _Limits(cost, budget, caps, cand_zone, n_z)
    # remaining uncovered people per origin (fractions only with capacities)
    rem = np.where(cov0, 0.0, w)
    gains: _PlainGains | _CapacityGains
    if capacity is None:
        gains = _PlainGains(reach, w, rem, zc, len(need))
    elif times is None:
        raise ValueError("capacity needs times (reach_sets(..., with_times=True))")
    else:
        gains = _CapacityGains(reach, times, capacity, zc, len(need))
    picks = _Picks(n_o, zc, rz, n_rz)
    stop = _add_sites(gains, limits, rem, need, n_z, picks, max_sites, zone_need is not None)
    return _greedy_result(reach, w, cov0, rem, picks, rz, n_rz, stop)


def _add_sites(gains: _PlainGains | _CapacityGains, limits: _Limits, rem: np.ndarray,
               need: np.ndarray, n_z: int, picks: _Picks, max_sites: int, has_targets: bool
               ) -> str:
    """The greedy loop: add the best site until a stop reason; ``rem`` (people still
    uncovered per origin) and ``picks`` are updated in place. Returns the stop reason."""
    stop = "max_sites"
    while len(picks.sites) < max_sites:
        if has_targets and not (need[:n_z] > 0).any():
            stop = "targets_met"
            break
        c, why = _next_site(gains, limits, rem, need)
        if c is None:
            stop = why
            break
        o_new, amount = gains.take(c, rem)
        rem[o_new] -= amount
        need = picks.add(c, o_new, amount, need, float(limits.cost[c]))
        limits.add(c)
    if len(picks.sites) == max_sites and has_targets and not (need[:n_z] > 0).any():
        stop = "targets_met"
    return stop


def _check_inputs(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray,
                  costs: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights, coverage and costs as arrays, checked against ``reach``."""
    k, n_o = reach.shape
    w = np.asarray(weights, float)
    cov0 = np.asarray(covered, bool)
    if len(w) != n_o or len(cov0) != n_o:
        raise ValueError("weights and covered must have one value per origin (reach columns)")
    cost = np.ones(k) if costs is None else np.asarray(costs, float)
    if (cost <= 0).any() or not np.isfinite(cost).all():
        raise ValueError("costs must be positive and finite")
    return w, cov0, cost


def _scalar_cap(caps: int | np.ndarray) -> int | None:
    """``caps`` as the one cap of every zone, or None when it is a cap per zone code."""
    return int(caps) if isinstance(caps, (int, float, np.number)) else None


class _Limits:
    """Which candidates may still be added: not yet added, within the zone caps and the
    budget."""

    def __init__(self, cost: np.ndarray, budget: float | None,
                 caps: int | np.ndarray | None, cand_zone: np.ndarray | None,
                 n_z: int) -> None:
        self.cost = cost
        self.budget = budget
        self.spent = 0.0
        self.available = np.ones(len(cost), bool)
        self.caps = caps
        if caps is not None:
            if cand_zone is None:
                raise ValueError("caps need cand_zone")
            self.cz = np.asarray(cand_zone, np.int64)
            one = _scalar_cap(caps)
            self.cap_arr = np.full(max(n_z, self.cz.max(initial=-1) + 1), one) \
                if one is not None else np.asarray(caps, np.int64)
            self.used = np.zeros(len(self.cap_arr), np.int64)

    def allowed(self) -> np.ndarray:
        """Mask of the candidates that may be added next."""
        ok = self.available.copy()
        if self.caps is not None:
            z = np.maximum(self.cz, 0)
            ok &= ~((self.cz >= 0) & (self.used[z] >= self.cap_arr[z]))
        if self.budget is not None:
            ok &= self.spent + self.cost <= self.budget + 1e-9
        return ok

    def why_none(self) -> str:
        """The stop reason when no candidate is allowed."""
        av = self.available
        if self.budget is not None and av.any() and \
                (self.spent + self.cost[av] > self.budget + 1e-9).all():
            return "budget"
        return "no_candidates"

    def add(self, c: int) -> None:
        """Record candidate ``c`` as added."""
        self.spent += self.cost[c]
        self.available[c] = False
        if self.caps is not None and self.cz[c] >= 0:
            self.used[self.cz[c]] += 1


class _PlainGains:
    """People each candidate would newly cover per zone bucket, updated incrementally as
    sites are added (the uncapacitated case)."""

    def __init__(self, reach: sp.csr_matrix, w: np.ndarray, rem: np.ndarray,
                 zc: np.ndarray, n_b: int) -> None:
        self.k, self.n_b, self.w = reach.shape[0], n_b, w
        self.live = np.flatnonzero(rem > 0)
        self.R = reach[:, self.live].tocsr()
        self.Rc = self.R.tocsc()
        self.Wz = sp.csr_matrix((w[self.live], (np.arange(len(self.live)), zc[self.live])),
                                shape=(len(self.live), n_b))
        self.G = np.asarray((self.R @ self.Wz).todense(), float).reshape(self.k, n_b)
        self.alive = np.ones(len(self.live), bool)

    def by_zone(self, rem: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(gain per candidate and zone bucket, capped by ``need``; people newly covered
        per candidate)."""
        return np.minimum(self.G, need), self.G.sum(axis=1)

    def take(self, c: int, rem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add candidate ``c``: the origins it newly covers and their people."""
        cols = self.R.indices[self.R.indptr[c]:self.R.indptr[c + 1]]
        newly = cols[self.alive[cols]]
        self.alive[newly] = False
        o_new = self.live[newly]
        sub = self.Rc[:, newly]
        self.G -= np.asarray((sub @ self.Wz[newly]).todense(), float).reshape(self.k, self.n_b)
        return o_new, self.w[o_new]


class _CapacityGains:
    """People each candidate would take, nearest first up to its capacity, recomputed for
    every candidate at each step."""

    def __init__(self, reach: sp.csr_matrix, times: np.ndarray, capacity: np.ndarray,
                 zc: np.ndarray, n_b: int) -> None:
        self.k, self.n_b, self.zc = reach.shape[0], n_b, zc
        self.cap = np.asarray(capacity, float)
        # entries of each row sorted by time, for nearest-first assignment
        rr = np.repeat(np.arange(self.k), np.diff(reach.indptr))
        o_sort = np.lexsort((times, rr))
        self.e_row = rr[o_sort]
        self.e_col = reach.indices[o_sort]
        self.row_start = np.searchsorted(self.e_row, np.arange(self.k), "left")

    def by_zone(self, rem: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """As :meth:`_PlainGains.by_zone`."""
        take = _capacity_take(self.e_row, self.e_col, self.row_start, rem, self.cap, self.k)
        by_zone = np.zeros((self.k, self.n_b))
        np.add.at(by_zone, (self.e_row, self.zc[self.e_col]), take)
        return np.minimum(by_zone, need), by_zone.sum(axis=1)

    def take(self, c: int, rem: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Add candidate ``c``: the origins it takes people from and how many."""
        take = _capacity_take(self.e_row, self.e_col, self.row_start, rem, self.cap, self.k,
                              only=c)
        sel = take > 0
        start = self.row_start[c]
        return self.e_col[start:start + len(take)][sel], take[sel]


def _next_site(gains: _PlainGains | _CapacityGains, limits: _Limits, rem: np.ndarray,
               need: np.ndarray) -> tuple[int | None, str]:
    """The best allowed candidate (ties: most people newly covered, then the first), or
    ``None`` and the stop reason."""
    by_zone, tot_new = gains.by_zone(rem, need)
    gain = by_zone.sum(axis=1)
    ok = limits.allowed()
    if not ok.any():
        return None, limits.why_none()
    score = np.where(ok, gain / limits.cost, -np.inf)
    best = score.max()
    if not best > 1e-12:
        return None, "no_gain"
    tied = np.flatnonzero(score >= best - 1e-12 * max(1.0, abs(best)))
    return int(tied[np.argmax(tot_new[tied])]), ""


class _Picks:
    """The sites added so far and what each brought in."""

    def __init__(self, n_o: int, zc: np.ndarray, rz: np.ndarray, n_rz: int) -> None:
        self.zc, self.rz, self.n_rz = zc, rz, n_rz
        self.sites: list[int] = []
        self.gains: list[float] = []
        self.news: list[float] = []
        self.costs: list[float] = []
        self.zone_rows: list[np.ndarray] = []
        self.assigned = np.full(n_o, -1, np.int64)

    def add(self, c: int, o_new: np.ndarray, amount: np.ndarray, need: np.ndarray,
            cost: float) -> np.ndarray:
        """Record site ``c`` newly covering ``amount`` people at origins ``o_new``; return
        the need per zone bucket that is left."""
        per_zone = np.bincount(self.zc[o_new], weights=amount, minlength=len(need))
        self.assigned[o_new] = np.where(self.assigned[o_new] < 0, len(self.sites),
                                        self.assigned[o_new])
        self.sites.append(c)
        self.gains.append(float(np.minimum(per_zone, need).sum()))
        self.news.append(float(amount.sum()))
        self.costs.append(cost)
        self.zone_rows.append(np.bincount(self.rz[o_new], weights=amount,
                                          minlength=self.n_rz + 1)[:self.n_rz])
        return np.maximum(need - per_zone, 0.0)


def _greedy_result(reach: sp.csr_matrix, w: np.ndarray, cov0: np.ndarray, rem: np.ndarray,
                   picks: _Picks, rz: np.ndarray, n_rz: int, stop: str) -> SitingResult:
    """The :class:`SitingResult` of a finished greedy run."""
    sites = picks.sites
    with np.errstate(invalid="ignore", divide="ignore"):
        cov_share = np.where(w > 0, 1.0 - rem / np.where(w > 0, w, 1.0), cov0.astype(float))
    if len(sites) and (w <= 0).any():
        # origins without people: covered when a chosen site reaches them
        hit = np.asarray(reach[np.asarray(sites)].sum(axis=0)).ravel() > 0
        cov_share = np.where((w <= 0) & hit, 1.0, cov_share)
    zone_before = np.bincount(rz, weights=np.where(cov0, w, 0.0), minlength=n_rz + 1)[:n_rz]
    zone_after = np.bincount(rz, weights=w - rem, minlength=n_rz + 1)[:n_rz]
    news_a = np.asarray(picks.news, float)
    before = float(w[cov0].sum())
    return SitingResult(
        sites=np.asarray(sites, np.int64), new_covered=news_a,
        gain=np.asarray(picks.gains, float), cumulative_covered=before + np.cumsum(news_a),
        covered_before=before, total=float(w.sum()), covered=np.clip(cov_share, 0.0, 1.0),
        assigned=picks.assigned, zone_covered_before=zone_before,
        zone_covered_after=zone_after, stop_reason=stop,
        cost=np.asarray(picks.costs, float),
        zone_new=np.asarray(picks.zone_rows, float).reshape(len(sites), n_rz))


def _capacity_take(e_row: np.ndarray, e_col: np.ndarray, row_start: np.ndarray,
                   rem: np.ndarray, cap: np.ndarray, k: int, only: int | None = None
                   ) -> np.ndarray:
    """People each candidate would take, nearest first, up to its capacity (per entry)."""
    if only is not None:
        lo = row_start[only]
        hi = row_start[only + 1] if only + 1 < k else len(e_row)
        r = rem[e_col[lo:hi]]
        before = np.cumsum(r) - r
        return np.clip(cap[only] - before, 0.0, r)
    r = rem[e_col]
    cs = np.cumsum(r)
    start_cs = np.where(row_start < len(cs), np.concatenate([[0.0], cs])[row_start], cs[-1]
                        if len(cs) else 0.0)
    before = cs - r - start_cs[e_row]
    return np.clip(cap[e_row] - before, 0.0, r)


# --------------------------------------------------------------------------- exact


def _reduce(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray
            ) -> tuple[sp.csr_matrix, np.ndarray]:
    """Columns of uncovered origins with people, reached by some candidate."""
    w = np.asarray(weights, float)
    cols = np.flatnonzero(~np.asarray(covered, bool) & (w > 0))
    R = sp.csr_matrix(reach)[:, cols].tocsc()
    hit = np.diff(R.indptr) > 0
    return R[:, hit].tocsr(), cols[hit]


def problem_size(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray
                 ) -> tuple[int, int]:
    """(candidates that reach anyone uncovered, uncovered origins some candidate reaches)."""
    R, cols = _reduce(reach, weights, covered)
    return int((np.diff(R.indptr) > 0).sum()), len(cols)


def exact_mclp(
    reach: sp.csr_matrix,
    weights: np.ndarray,
    covered: np.ndarray,
    p: int,
    *,
    zone_codes: np.ndarray | None = None,
    zone_need: np.ndarray | None = None,
    caps: int | np.ndarray | None = None,
    cand_zone: np.ndarray | None = None,
    costs: np.ndarray | None = None,
    budget: float | None = None,
    time_limit: float = 10.0,
) -> dict | None:
    """The optimum of the greedy's objective for at most ``p`` sites, as an integer
    programme solved by CBC (through PuLP).

    Variables: ``x_c`` (site opened), ``y_o`` in [0, 1] (origin newly covered, at most the
    number of open sites reaching it) and, with targets, ``g_z <= need_z`` (people counted
    in zone ``z``, at most the covered people of that zone). Maximise ``sum g_z`` (or
    ``sum w_o y_o`` without targets) subject to ``sum x_c <= p``, the per-zone caps and the
    budget.

    Returns
    -------
    dict or None
        ``sites`` (sorted candidate indices), ``objective``, ``covered`` (newly covered
        people), ``seconds``, ``optimal``; ``None`` when CBC finds no proven optimum in
        ``time_limit`` seconds.
    """
    import pulp

    t0 = time.perf_counter()
    w = np.asarray(weights, float)
    R, cols = _reduce(reach, w, covered)
    k = R.shape[0]
    cand = np.flatnonzero(np.diff(R.indptr) > 0)
    if p <= 0 or not len(cand):
        return {"sites": np.empty(0, np.int64), "objective": 0.0, "covered": 0.0,
                "seconds": 0.0, "optimal": True}
    prob = pulp.LpProblem("siting", pulp.LpMaximize)
    x = {int(c): pulp.LpVariable(f"x{c}", cat="Binary") for c in cand}
    y = [pulp.LpVariable(f"y{j}", lowBound=0, upBound=1) for j in range(len(cols))]
    Rc = R.tocsc()
    for j in range(len(cols)):
        rows = Rc.indices[Rc.indptr[j]:Rc.indptr[j + 1]]
        prob += y[j] <= pulp.lpSum(x[int(c)] for c in rows)
    prob += _mclp_objective(prob, w, cols, y, zone_codes, zone_need)
    prob += pulp.lpSum(x.values()) <= int(p)
    _mclp_limits(prob, x, cand, k, caps=caps, cand_zone=cand_zone, costs=costs, budget=budget)
    status = prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))
    seconds = time.perf_counter() - t0
    # with a time limit CBC may stop at a feasible, unproven solution (sol_status 2)
    proven = pulp.LpStatus[status] == "Optimal" and getattr(prob, "sol_status", 1) == 1
    if not proven or seconds > time_limit:
        log.info("exact siting: no proven optimum within %.1f s (%s)", time_limit,
                 pulp.LpStatus[status])
        return None
    sites = np.array(sorted(c for c, v in x.items() if (v.value() or 0) > 0.5), np.int64)
    # evaluate the chosen sites exactly (the solver's objective is rounded in its LP file)
    obj, cov_new = objective_of(reach, w, covered, sites, zone_codes=zone_codes,
                                zone_need=zone_need)
    return {"sites": sites, "objective": obj, "covered": cov_new,
            "solver_objective": float(pulp.value(prob.objective) or 0.0),
            "seconds": seconds, "optimal": True}


def _mclp_objective(prob, w: np.ndarray, cols: np.ndarray, y: list, zone_codes: np.ndarray | None,
                    zone_need: np.ndarray | None):
    """The objective of :func:`exact_mclp`: people counted toward the zone targets (each
    ``g_z <= need_z`` and at most the covered people of zone ``z``), or all newly covered
    people without targets."""
    import pulp

    if zone_need is None:
        return pulp.lpSum(w[o] * y[j] for j, o in enumerate(cols))
    zc, need, n_z = _zone_setup(len(w), zone_codes, zone_need)
    g = []
    for z in range(n_z):
        members = [j for j, o in enumerate(cols) if zc[o] == z]
        if not members or not need[z] > 0:
            continue
        gz = pulp.LpVariable(f"g{z}", lowBound=0, upBound=float(need[z]))
        prob += gz <= pulp.lpSum(w[cols[j]] * y[j] for j in members)
        g.append(gz)
    return pulp.lpSum(g)


def _mclp_limits(prob, x: dict, cand: np.ndarray, k: int, *, caps: int | np.ndarray | None,
                 cand_zone: np.ndarray | None, costs: np.ndarray | None,
                 budget: float | None) -> None:
    """The per-zone caps and the budget of :func:`exact_mclp`."""
    import pulp

    if caps is not None:
        cz = np.asarray(cand_zone, np.int64)
        for z in np.unique(cz[cand]):
            if z < 0:
                continue
            one = _scalar_cap(caps)
            cap = one if one is not None else int(np.asarray(caps)[z])
            prob += pulp.lpSum(x[int(c)] for c in cand if cz[c] == z) <= cap
    if budget is not None:
        cost = np.ones(k) if costs is None else np.asarray(costs, float)
        prob += pulp.lpSum(float(cost[c]) * x[int(c)] for c in cand) <= float(budget)


def objective_of(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray,
                 sites: np.ndarray, *, zone_codes: np.ndarray | None = None,
                 zone_need: np.ndarray | None = None) -> tuple[float, float]:
    """Objective ``F`` of a set of sites and the people it newly covers."""
    w = np.asarray(weights, float)
    sites = np.asarray(sites, np.int64)
    hit = np.zeros(len(w), bool)
    if len(sites):
        hit = np.asarray(sp.csr_matrix(reach)[sites].sum(axis=0)).ravel() > 0
    newly = hit & ~np.asarray(covered, bool)
    zc, need, _ = _zone_setup(len(w), zone_codes, zone_need)
    per_zone = np.bincount(zc, weights=np.where(newly, w, 0.0), minlength=len(need))
    return float(np.minimum(per_zone, need).sum()), float(w[newly].sum())


def spopt_mclp(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray, p: int
               ) -> tuple[np.ndarray, float]:
    """Plain maximal covering with :class:`spopt.locate.MCLP` (CBC): exactly ``p`` sites
    maximising newly covered people. Returns (sorted candidate indices, covered people)."""
    import pulp
    from spopt.locate import MCLP

    w = np.asarray(weights, float)
    R, cols = _reduce(reach, w, covered)
    if not len(cols):
        return np.empty(0, np.int64), 0.0
    cost = np.where(R.T.toarray(), 0.0, 2.0)  # origins x candidates
    p = min(int(p), R.shape[0])
    model = MCLP.from_cost_matrix(cost, w[cols], service_radius=1.0, p_facilities=p)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    sites = np.array([i for i, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5],
                     np.int64)
    return sites, float(pulp.value(model.problem.objective))


def order_sites(reach: sp.csr_matrix, weights: np.ndarray, covered: np.ndarray,
                sites: np.ndarray, **kwargs) -> SitingResult:
    """Order a given set of sites by marginal gain (the greedy run on those sites only),
    so that an exact solution also gets a marginal curve."""
    sites = np.asarray(sites, np.int64)
    mask = np.zeros(reach.shape[0], bool)
    mask[sites] = True
    R = sp.csr_matrix(reach).multiply(mask[:, None]).tocsr()
    R.eliminate_zeros()
    kw = dict(kwargs)
    kw["max_sites"] = len(sites)
    kw.pop("budget", None)
    res = greedy_sites(R.astype(bool), weights, covered, **kw)
    return res
