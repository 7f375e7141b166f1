"""Siting speed on synthetic networks (SYNTHETIC data, not a real place).

Two cases, printed as a table:

``demo``
    The synthetic demo county (``circle15.demo.county.generate_demo``: about 23,000 nodes,
    56,000 population points, 11 townships): grid candidates (500 m) and siting of each layer
    to 90 % of its group within 15 minutes in every township.
``large``
    A 200,000-node synthetic region (``circle15.demo.synthetic.generate_region`` as
    ``synthetic_network`` sizes it; a perturbed grid when that module is absent) with
    5,000 candidate nodes, 200,000 population points, 100 existing facilities; greedy
    maximal coverage for 50 sites (no targets) and to 90 % of people.

Times exclude building the network arrays (done by the pipeline). Run:

    python benchmarks/bench_siting.py [--case demo|large|all] [--nodes 200000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely

#: This checkout's circle15 (not another installed copy).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circle15.coverage.siting import grid_candidates  # noqa: E402
from circle15.coverage.siting.solvers import greedy_sites, problem_size, reach_sets  # noqa: E402
from circle15.coverage.travel import nearest_facility  # noqa: E402
from circle15.geo.routing.linking import link_points  # noqa: E402
from circle15.geo.routing.network import RoutingNetwork  # noqa: E402

SPEED = 4.5 / 3.6


def network_from_region(region) -> RoutingNetwork:
    """RoutingNetwork straight from a synthetic region's arrays (local metres, walking)."""
    from circle15.demo.synthetic import HIGHWAYS

    u, v = region.edge_u.astype(np.int64), region.edge_v.astype(np.int64)
    keep = u != v
    u, v, length = u[keep], v[keep], region.edge_length[keep].astype(float)
    x, y = region.node_x.astype(float), region.node_y.astype(float)
    t = length / SPEED
    n = len(x)
    m = sp.coo_matrix((np.concatenate([t, t]), (np.concatenate([u, v]),
                                                 np.concatenate([v, u]))), shape=(n, n))
    m = m.tocsr()
    m.sum_duplicates()
    # duplicates (parallel streets) were summed: take the minimum instead
    order = np.lexsort((np.concatenate([t, t]), np.concatenate([v, u]), np.concatenate([u, v])))
    rr = np.concatenate([u, v])[order]
    cc = np.concatenate([v, u])[order]
    tt = np.concatenate([t, t])[order]
    first = np.ones(len(rr), bool)
    first[1:] = (rr[1:] != rr[:-1]) | (cc[1:] != cc[:-1])
    m = sp.csr_matrix((tt[first], (rr[first], cc[first])), shape=(n, n))
    geom = shapely.linestrings(np.stack([np.column_stack([x[u], y[u]]),
                                         np.column_stack([x[v], y[v]])], axis=1))
    hw = np.array([HIGHWAYS[h] for h in region.edge_highway[keep]], dtype=object)
    return RoutingNetwork(crs="local", node_ids=np.arange(n), x=x, y=y, matrix=m,
                          seg_u=u, seg_v=v, seg_length=length, seg_time_fwd=t, seg_time_bwd=t,
                          seg_geometry=geom, seg_highway=hw, access_speed=SPEED)


def grid_network(n_target: int, seed: int = 15, step: float = 90.0) -> RoutingNetwork:
    """Fallback: a perturbed square grid with about ``n_target`` nodes."""
    rng = np.random.default_rng(seed)
    k = int(np.sqrt(n_target))
    ii, jj = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    x = (ii * step + rng.normal(0, step / 6, ii.shape)).ravel()
    y = (jj * step + rng.normal(0, step / 6, jj.shape)).ravel()
    idx = (ii * k + jj)
    u = np.concatenate([idx[:-1, :].ravel(), idx[:, :-1].ravel()])
    v = np.concatenate([idx[1:, :].ravel(), idx[:, 1:].ravel()])
    drop = rng.random(len(u)) < 0.1
    u, v = u[~drop], v[~drop]
    length = np.hypot(x[u] - x[v], y[u] - y[v])

    class _R:
        pass

    r = _R()
    r.edge_u, r.edge_v, r.edge_length, r.node_x, r.node_y = u, v, length, x, y
    r.edge_highway = np.zeros(len(u), np.int64)
    return network_from_region(r)


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def _zone_need(w, covered, zc, nz, rate):
    pop = np.bincount(zc, weights=w, minlength=nz)
    cov = np.bincount(zc, weights=np.where(covered, w, 0.0), minlength=nz)
    return np.maximum(np.ceil(rate * pop - 1e-9) - cov, 0.0)


def bench_demo(rows: list) -> None:
    import pandas as pd

    from circle15.demo.county import generate_demo

    d = generate_demo()
    net = network_from_region(d.region)
    px, py = d.region.to_local(d.population["lon"].to_numpy(), d.population["lat"].to_numpy())
    pxy = np.column_stack([px, py])
    org, t_link = _timed(lambda: link_points(net, pxy))
    zones = d.zones["zone_id"].astype(str).tolist()
    zc = pd.Categorical(d.population["zone_id"].astype(str), categories=zones).codes
    nodes, t_grid = _timed(lambda: grid_candidates(
        net, pxy, d.population["population"].to_numpy(float), 500.0))
    cand, t_cl = _timed(lambda: link_points(net, np.column_stack([net.x[nodes],
                                                                  net.y[nodes]])))
    groups = {"childcare": "age_0_3", "clinic": "population", "elderly": "age_60p",
              "fitness": "population", "disability": "disabled"}
    reach, t_reach = _timed(lambda: reach_sets(net, cand, org, 15.0))
    for layer, fac_df in d.facilities.items():
        fx, fy = d.region.to_local(fac_df["lon"].to_numpy(), fac_df["lat"].to_numpy())
        fac = link_points(net, np.column_stack([fx, fy]))
        (near, t_near) = _timed(nearest_facility, net, fac, org, 900.0)
        covered = near.minutes <= 15.0
        w = d.population[groups[layer]].to_numpy(float)
        need = _zone_need(w, covered, zc, len(zones), 0.9)
        res, t_g = _timed(greedy_sites, reach, w, covered, zone_codes=zc, zone_need=need,
                          max_sites=300)
        n_c, n_d = problem_size(reach, w, covered)
        rows.append(("demo 23k nodes", layer, net.n_nodes, len(org), len(nodes), reach.nnz,
                     len(res.sites), res.stop_reason,
                     f"{res.covered_before / res.total:.1%}→{res.cumulative_rate[-1]:.1%}"
                     if len(res.sites) else "-",
                     t_grid + t_cl, t_reach, t_g,
                     t_grid + t_cl + t_reach + t_g + t_near))


def bench_large(rows: list, n_nodes: int, n_cand: int = 5000) -> None:
    try:
        from circle15.demo.synthetic import (
            _FIXED_NODES,
            _NODES_PER_DENSITY,
            generate_region,
            synthetic_population,
        )

        area = (n_nodes - _FIXED_NODES) / (_NODES_PER_DENSITY - _FIXED_NODES)
        region, t_gen = _timed(lambda: generate_region(15, area_factor=max(area, 1.0)))
        net = network_from_region(region)
        pop = synthetic_population(region, 200_000, seed=15)
        pxy = pop[["x", "y"]].to_numpy(float)
        w = pop["population"].to_numpy(float)
        label = f"synthetic region {net.n_nodes // 1000}k nodes"
    except ImportError:
        net = grid_network(n_nodes)
        rng = np.random.default_rng(1)
        pxy = np.column_stack([rng.uniform(net.x.min(), net.x.max(), 200_000),
                               rng.uniform(net.y.min(), net.y.max(), 200_000)])
        w = rng.integers(1, 20, len(pxy)).astype(float)
        label = f"perturbed grid {net.n_nodes // 1000}k nodes"
    rng = np.random.default_rng(2)
    org, t_link = _timed(lambda: link_points(net, pxy))
    fac = link_points(net, pxy[rng.choice(len(pxy), 100, replace=False)])
    covered = nearest_facility(net, fac, org, 900.0).minutes <= 15.0
    nodes = rng.choice(net.n_nodes, n_cand, replace=False)
    cand, t_cl = _timed(lambda: link_points(net, np.column_stack([net.x[nodes],
                                                                  net.y[nodes]])))
    reach, t_reach = _timed(lambda: reach_sets(net, cand, org, 15.0))
    res, t_g = _timed(lambda: greedy_sites(reach, w, covered, max_sites=50))
    rows.append((label, "50 sites", net.n_nodes, len(org), n_cand, reach.nnz, len(res.sites),
                 res.stop_reason, f"{res.covered_before / res.total:.1%}→"
                 f"{res.cumulative_rate[-1]:.1%}", t_cl, t_reach, t_g, t_cl + t_reach + t_g))
    zc = np.zeros(len(w), np.int64)
    need = _zone_need(w, covered, zc, 1, 0.9)
    res2, t_g2 = _timed(lambda: greedy_sites(reach, w, covered, zone_codes=zc,
                                             zone_need=need, max_sites=5000))
    rows.append((label, "to 90 %", net.n_nodes, len(org), n_cand, reach.nnz, len(res2.sites),
                 res2.stop_reason, f"{res2.covered_before / res2.total:.1%}→"
                 f"{res2.cumulative_rate[-1]:.1%}", t_cl, t_reach, t_g2,
                 t_cl + t_reach + t_g2))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", default="all", choices=["demo", "large", "all"])
    ap.add_argument("--nodes", type=int, default=200_000)
    ap.add_argument("--candidates", type=int, default=5000)
    a = ap.parse_args()
    rows: list = []
    if a.case in ("demo", "all"):
        bench_demo(rows)
    if a.case in ("large", "all"):
        bench_large(rows, a.nodes, a.candidates)
    head = ("network", "run", "nodes", "origins", "cands", "reach nnz", "sites", "stop",
            "coverage", "cands s", "reach s", "greedy s", "siting s")
    print("SYNTHETIC data; times in seconds. siting s = candidates (grid + linking) + reach "
          "sets + greedy (+ the layer's current nearest-facility times for demo rows); "
          "linking the origins is the pipeline's and not counted")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in r))


if __name__ == "__main__":
    main()
