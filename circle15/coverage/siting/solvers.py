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


def greedy_sites(
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
    k, n_o = reach.shape
    w = np.asarray(weights, float)
    cov0 = np.asarray(covered, bool)
    if len(w) != n_o or len(cov0) != n_o:
        raise ValueError("weights and covered must have one value per origin (reach columns)")
    zc, need, n_z = _zone_setup(n_o, zone_codes, zone_need)
    if report_zones is not None:
        rz, _, n_rz = _zone_setup(n_o, report_zones, None)
    else:
        rz, n_rz = zc, n_z
    has_targets = zone_need is not None
    n_b = len(need)
    total = float(w.sum())
    zone_before = np.bincount(rz, weights=np.where(cov0, w, 0.0), minlength=n_rz + 1)[:n_rz]
    cost = np.ones(k) if costs is None else np.asarray(costs, float)
    if (cost <= 0).any() or not np.isfinite(cost).all():
        raise ValueError("costs must be positive and finite")
    if caps is not None:
        if cand_zone is None:
            raise ValueError("caps need cand_zone")
        cz = np.asarray(cand_zone, np.int64)
        cap_arr = np.full(max(n_z, cz.max(initial=-1) + 1), int(caps)) if np.isscalar(caps) \
            else np.asarray(caps, np.int64)
        used = np.zeros(len(cap_arr), np.int64)
    available = np.ones(k, bool)
    if capacity is not None and times is None:
        raise ValueError("capacity needs times (reach_sets(..., with_times=True))")

    # remaining uncovered people per origin (fractions only with capacities)
    rem = np.where(cov0, 0.0, w)
    assigned = np.full(n_o, -1, np.int64)
    sites, gains, news, costs_out, zone_rows = [], [], [], [], []
    spent = 0.0
    stop = "max_sites"

    # incremental state for the plain (uncapacitated) case
    live = np.flatnonzero(rem > 0)
    R = reach[:, live].tocsr()
    Rc = R.tocsc()
    Wz = sp.csr_matrix((w[live], (np.arange(len(live)), zc[live])), shape=(len(live), n_b))
    if capacity is None:
        G = np.asarray((R @ Wz).todense(), float).reshape(k, n_b)
    else:
        cap = np.asarray(capacity, float)
        # entries of each row sorted by time, for nearest-first assignment
        rr = np.repeat(np.arange(k), np.diff(reach.indptr))
        o_sort = np.lexsort((times, rr))
        e_row = rr[o_sort]
        e_col = reach.indices[o_sort]
        row_start = np.searchsorted(e_row, np.arange(k), "left")
    alive = np.ones(len(live), bool)

    while len(sites) < max_sites:
        if has_targets and not (need[:n_z] > 0).any():
            stop = "targets_met"
            break
        if capacity is None:
            by_zone = np.minimum(G, need)
            tot_new = G.sum(axis=1)
        else:
            take = _capacity_take(e_row, e_col, row_start, rem, cap, k)
            by_zone = np.zeros((k, n_b))
            np.add.at(by_zone, (e_row, zc[e_col]), take)
            tot_new = by_zone.sum(axis=1)
            by_zone = np.minimum(by_zone, need)
        gain = by_zone.sum(axis=1)
        ok = available.copy()
        if caps is not None:
            capped = (cz >= 0) & (used[np.maximum(cz, 0)] >= cap_arr[np.maximum(cz, 0)])
            ok &= ~capped
        if budget is not None:
            ok &= spent + cost <= budget + 1e-9
        if not ok.any():
            stop = "budget" if budget is not None and available.any() and \
                (spent + cost[available] > budget + 1e-9).all() else "no_candidates"
            break
        score = np.where(ok, gain / cost, -np.inf)
        best = score.max()
        if not best > 1e-12:
            stop = "no_gain"
            break
        tied = np.flatnonzero(score >= best - 1e-12 * max(1.0, abs(best)))
        c = int(tied[np.argmax(tot_new[tied])])
        # apply
        if capacity is None:
            cols = R.indices[R.indptr[c]:R.indptr[c + 1]]
            newly = cols[alive[cols]]
            alive[newly] = False
            o_new = live[newly]
            amount = w[o_new]
            sub = Rc[:, newly]
            G -= np.asarray((sub @ Wz[newly]).todense(), float).reshape(k, n_b)
        else:
            take = _capacity_take(e_row, e_col, row_start, rem, cap, k, only=c)
            sel = take > 0
            o_new = e_col[row_start[c]:row_start[c] + len(take)][sel]
            amount = take[sel]
        rem[o_new] -= amount
        assigned[o_new] = np.where(assigned[o_new] < 0, len(sites), assigned[o_new])
        per_zone = np.bincount(zc[o_new], weights=amount, minlength=n_b)
        g = float(np.minimum(per_zone, need).sum())
        need = np.maximum(need - per_zone, 0.0)
        zone_rows.append(np.bincount(rz[o_new], weights=amount, minlength=n_rz + 1)[:n_rz])
        sites.append(c)
        gains.append(g)
        news.append(float(amount.sum()))
        costs_out.append(float(cost[c]))
        spent += cost[c]
        available[c] = False
        if caps is not None and cz[c] >= 0:
            used[cz[c]] += 1
    else:
        stop = "max_sites"
    if len(sites) == max_sites and has_targets and not (need[:n_z] > 0).any():
        stop = "targets_met"

    with np.errstate(invalid="ignore", divide="ignore"):
        cov_share = np.where(w > 0, 1.0 - rem / np.where(w > 0, w, 1.0), cov0.astype(float))
    if len(sites) and (w <= 0).any():
        # origins without people: covered when a chosen site reaches them
        hit = np.asarray(reach[np.asarray(sites)].sum(axis=0)).ravel() > 0
        cov_share = np.where((w <= 0) & hit, 1.0, cov_share)
    zone_after = np.bincount(rz, weights=w - rem, minlength=n_rz + 1)[:n_rz]
    news_a = np.asarray(news, float)
    before = float(w[cov0].sum())
    return SitingResult(
        sites=np.asarray(sites, np.int64), new_covered=news_a, gain=np.asarray(gains, float),
        cumulative_covered=before + np.cumsum(news_a), covered_before=before, total=total,
        covered=np.clip(cov_share, 0.0, 1.0), assigned=assigned,
        zone_covered_before=zone_before, zone_covered_after=zone_after, stop_reason=stop,
        cost=np.asarray(costs_out, float),
        zone_new=np.asarray(zone_rows, float).reshape(len(sites), n_rz))


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
    covered_expr = pulp.lpSum(w[o] * y[j] for j, o in enumerate(cols))
    if zone_need is not None:
        zc, need, n_z = _zone_setup(len(w), zone_codes, zone_need)
        g = []
        for z in range(n_z):
            members = [j for j, o in enumerate(cols) if zc[o] == z]
            if not members or not need[z] > 0:
                continue
            gz = pulp.LpVariable(f"g{z}", lowBound=0, upBound=float(need[z]))
            prob += gz <= pulp.lpSum(w[cols[j]] * y[j] for j in members)
            g.append(gz)
        prob += pulp.lpSum(g)
    else:
        prob += covered_expr
    prob += pulp.lpSum(x.values()) <= int(p)
    if caps is not None:
        cz = np.asarray(cand_zone, np.int64)
        for z in np.unique(cz[cand]):
            if z < 0:
                continue
            cap = int(caps) if np.isscalar(caps) else int(np.asarray(caps)[z])
            prob += pulp.lpSum(x[int(c)] for c in cand if cz[c] == z) <= cap
    if budget is not None:
        cost = np.ones(k) if costs is None else np.asarray(costs, float)
        prob += pulp.lpSum(float(cost[c]) * x[int(c)] for c in cand) <= float(budget)
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
