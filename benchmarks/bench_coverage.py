"""Benchmark of the coverage engine (SYNTHETIC network and people; plus the real Hangzhou graph).

Times, on a generated network of about 200,000 nodes / 500,000 directed edges with 5 layers
of 100-500 facilities and 1,000,000 population points:

* ``RoutingNetwork.from_graph``;
* linking (facilities + people);
* Dijkstra: ``nearest_facility`` for all 5 layers (cut off at the largest threshold);
* aggregation: ``coverage_table`` for all layers and thresholds;
* isochrones: ``layer_isochrones`` for all 5 layers, the grid method (pipeline default) and
  the exact vector union it replaced, side by side (``--no-vector-isochrones`` skips it);
* 2SFCA for the 500-facility layer;
* networkx ``multi_source_dijkstra_path_length`` with the same cutoff for every layer,
  against ``node_times_to`` for the same layers (the side-by-side baseline);
* peak memory (``ru_maxrss``, the whole process including the networkx graph).

Then the same on the real Hangzhou drive graph (``../shared/data/hangzhou``; skipped when
absent), treated as undirected for walking and projected to EPSG:4549.

Usage::

    python benchmarks/bench_coverage.py            # full run (a few minutes)
    python benchmarks/bench_coverage.py --quick    # small smoke run (seconds)
    python benchmarks/bench_coverage.py --markdown # print the table as Markdown
"""

from __future__ import annotations

import argparse
import gzip
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import shapely

#: This checkout's circle15 (not another installed copy).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from circle15.coverage.capacity import two_step_fca  # noqa: E402
from circle15.coverage.isochrones import layer_isochrones  # noqa: E402
from circle15.coverage.travel import SourceGraph, nearest_facility  # noqa: E402
from circle15.coverage.zonal import coverage_table  # noqa: E402
from circle15.geo.routing.linking import SegmentIndex, usable_segments  # noqa: E402
from circle15.geo.routing.network import RoutingNetwork  # noqa: E402

SPEED = 4.5 / 3.6
THRESHOLDS = [5, 10, 15]
CRS = "EPSG:4549"
HANGZHOU = Path(__file__).resolve().parents[2] / "shared" / "data" / "hangzhou" \
    / "hangzhou_drive.graphml.gz"


def peak_gb() -> float:
    """Peak resident memory of this process so far (GB; Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def perturbed_grid(n_nodes: int, seed: int = 0, spacing: float = 120.0) -> nx.MultiDiGraph:
    """A SYNTHETIC osmnx-style walk graph: a jittered grid with ~38% of the links removed
    (about 2.5 directed edges per node), both directions of every street, metres."""
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_nodes)))
    ii, jj = np.divmod(np.arange(side * side), side)
    x = 500_000 + jj * spacing + rng.normal(0, spacing * 0.15, side * side)
    y = 3_300_000 + ii * spacing + rng.normal(0, spacing * 0.15, side * side)
    idx = np.arange(side * side).reshape(side, side)
    a = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    b = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    keep = rng.random(len(a)) < 0.625
    a, b = a[keep], b[keep]
    length = np.hypot(x[a] - x[b], y[a] - y[b])
    G = nx.MultiDiGraph(crs=CRS, synthetic=True)
    G.add_nodes_from((int(i), {"x": float(x[i]), "y": float(y[i])}) for i in range(len(x)))
    attrs = [{"length": float(L), "travel_time": float(L / SPEED), "highway": "residential"}
             for L in length]
    G.add_edges_from(zip(a.tolist(), b.tolist(), attrs, strict=True))
    G.add_edges_from(zip(b.tolist(), a.tolist(), [dict(d) for d in attrs], strict=True))
    return G


def synthetic_graph(n_nodes: int) -> tuple[nx.MultiDiGraph, str]:
    """The repo's synthetic county generator when available, else the perturbed grid."""
    try:
        import osmnx as ox

        from circle15.demo.synthetic import synthetic_network
    except ImportError:
        return perturbed_grid(n_nodes), "perturbed grid (synthetic)"
    G = ox.project_graph(synthetic_network(n_nodes), to_crs=CRS)
    for _, _, d in G.edges(data=True):
        d["travel_time"] = d["length"] / SPEED
    return G, "circle15.demo.synthetic (synthetic)"


def hangzhou_graph() -> nx.MultiDiGraph | None:
    """The real Hangzhou drive graph, undirected for walking, projected to EPSG:4549."""
    if not HANGZHOU.is_file():
        return None
    import osmnx as ox

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.graphml"
        with gzip.open(HANGZHOU, "rb") as src, open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        G = ox.load_graphml(path)
    G = ox.project_graph(G, to_crs=CRS)
    extra = []
    for u, v, d in G.edges(data=True):
        d["travel_time"] = d["length"] / SPEED
        if not G.has_edge(v, u):
            r = dict(d)
            if "geometry" in r:
                r["geometry"] = shapely.reverse(r["geometry"])
            extra.append((v, u, r))
    G.add_edges_from(extra)
    return G


def points_along(net: RoutingNetwork, n: int, rng: np.random.Generator, sd: float = 25.0
                 ) -> np.ndarray:
    """Points scattered around the streets (length-weighted), ``sd`` metres off."""
    p = net.seg_length / net.seg_length.sum()
    seg = rng.choice(net.n_segments, n, p=p)
    pts = shapely.line_interpolate_point(net.seg_geometry[seg], rng.random(n), normalized=True)
    return shapely.get_coordinates(pts) + rng.normal(0, sd, (n, 2))


def run_case(name: str, G: nx.MultiDiGraph, n_fac: list[int], n_people: int, seed: int = 1,
             skip_vector: bool = False) -> dict:
    """Time every stage on one graph; returns one table row."""
    rng = np.random.default_rng(seed)
    row = {"case": name, "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}
    t = time.perf_counter()
    net = RoutingNetwork.from_graph(G, access_speed=SPEED, crs=CRS)
    row["from_graph_s"] = time.perf_counter() - t

    fac_xy = [points_along(net, k, rng, sd=15.0) for k in n_fac]
    people_xy = points_along(net, n_people, rng)
    pop = rng.integers(1, 12, n_people).astype(float)
    xq = np.quantile(people_xy[:, 0], np.linspace(0, 1, 6)[1:-1])
    yq = np.quantile(people_xy[:, 1], np.linspace(0, 1, 6)[1:-1])
    zone = np.searchsorted(xq, people_xy[:, 0]) * 5 + np.searchsorted(yq, people_xy[:, 1])
    origins = pd.DataFrame({"zone_id": zone.astype(str), "population": pop,
                            "age_60p": np.floor(pop * 0.2)})
    zones = pd.DataFrame({"zone_id": [str(i) for i in range(25)],
                          "zone_name": [f"合成{i}" for i in range(25)]})

    t = time.perf_counter()
    # as the pipeline does: one segment index, all facilities in one call, then people
    index = SegmentIndex(net, usable_segments(net))
    all_fac = index.link(np.vstack(fac_xy))
    bounds = np.cumsum([0, *n_fac])
    fac_links = [all_fac.subset(np.arange(a, b)) for a, b in zip(bounds[:-1], bounds[1:])]
    org_links = index.link(people_xy)
    row["linking_s"] = time.perf_counter() - t

    cutoff = 60.0 * max(THRESHOLDS)
    t = time.perf_counter()
    # as the pipeline does: one source graph with every facility, one Dijkstra per layer
    graph = SourceGraph(net, all_fac)
    layer_idx = [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
    minutes = {f"L{i}": nearest_facility(net, fl, org_links, cutoff, graph=graph,
                                         which=ix).minutes
               for i, (fl, ix) in enumerate(zip(fac_links, layer_idx))}
    row["dijkstra_5_layers_s"] = time.perf_counter() - t

    t = time.perf_counter()
    coverage_table(origins, minutes, zones, THRESHOLDS,
                   layer_groups={k: "age_60p" for k in minutes})
    row["aggregation_s"] = time.perf_counter() - t
    row["coverage_total_s"] = row["linking_s"] + row["dijkstra_5_layers_s"] \
        + row["aggregation_s"]

    big = int(np.argmax(n_fac))
    # isochrones for every layer, as the pipeline does: the grid method (default) and,
    # side by side, the exact vector union it replaced (grows faster than the network)
    layer_keys = np.repeat([f"L{i}" for i in range(len(n_fac))], n_fac)
    for method in ("grid", *(() if skip_vector else ("vector",))):
        t = time.perf_counter()
        iso = layer_isochrones(net, all_fac, layer_keys, THRESHOLDS, method=method)
        row[f"isochrones_{len(n_fac)}_layers_{method}_s"] = time.perf_counter() - t
        row[f"isochrone_vertices_{method}"] = int(
            shapely.get_num_coordinates(iso.geometry.values).sum())

    t = time.perf_counter()
    two_step_fca(net, fac_links[big], np.full(n_fac[big], 50.0), org_links, pop, cutoff)
    row[f"2sfca_{n_fac[big]}_fac_s"] = time.perf_counter() - t

    # side by side, every layer: scipy (node_times_to, exact virtual facility nodes) vs
    # networkx from the facilities' nearest segment ends (its usual node-snapped set-up,
    # slightly less work), same graph, same cutoff
    R = G.reverse(copy=False)
    t_scipy = t_nx = 0.0
    reached = 0
    t = time.perf_counter()
    graph = SourceGraph(net, all_fac)  # built once for all layers, as in the pipeline
    t_scipy += time.perf_counter() - t
    for fl, ix in zip(fac_links, layer_idx):
        t = time.perf_counter()
        node_t, _ = graph.node_times_to(ix, cutoff)
        t_scipy += time.perf_counter() - t
        reached += int(np.isfinite(node_t).sum())
        ends = np.where(fl.frac[fl.linked] <= 0.5, net.seg_u[fl.segment[fl.linked]],
                        net.seg_v[fl.segment[fl.linked]])
        sources = {net.node_ids[i].item() if hasattr(net.node_ids[i], "item")
                   else net.node_ids[i] for i in ends}
        t = time.perf_counter()
        nx.multi_source_dijkstra_path_length(R, sources, cutoff=cutoff, weight="travel_time")
        t_nx += time.perf_counter() - t
    row["dijkstra_5_layers_scipy_s"] = t_scipy
    row["dijkstra_5_layers_networkx_s"] = t_nx
    row["speedup_x"] = t_nx / t_scipy
    row["reached_nodes_5_layers"] = reached
    row["peak_mem_gb"] = peak_gb()
    return row


def main(argv: list[str] | None = None) -> pd.DataFrame:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (seconds)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--nodes", type=int, default=200_000)
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--no-hangzhou", action="store_true")
    ap.add_argument("--no-vector-isochrones", action="store_true",
                    help="skip the old exact isochrone method (slow on large networks)")
    args = ap.parse_args(argv)
    n_nodes, n_people = (3_000, 20_000) if args.quick else (args.nodes, args.people)
    n_fac = [10, 20, 30, 40, 50] if args.quick else [100, 200, 300, 400, 500]

    t = time.perf_counter()
    G, kind = (perturbed_grid(n_nodes), "perturbed grid (synthetic)") if args.quick \
        else synthetic_graph(n_nodes)
    gen_s = time.perf_counter() - t
    rows = [run_case(f"synthetic: {kind}", G, n_fac, n_people,
                     skip_vector=args.no_vector_isochrones)]
    rows[0]["generate_s"] = gen_s
    del G
    if not args.quick and not args.no_hangzhou:
        G = hangzhou_graph()
        if G is not None:
            rows.append(run_case("real: Hangzhou drive graph as walk", G,
                                 [20, 40, 60, 80, 100], 200_000,
                                 skip_vector=args.no_vector_isochrones))
    df = pd.DataFrame(rows).set_index("case").T
    print(f"# circle15 coverage benchmark — {platform.node()} ({_cores()} cores, "
          f"python {platform.python_version()})")
    print(format_table(df, markdown=args.markdown))
    return df


def _fmt(v) -> str:
    if isinstance(v, float) and np.isnan(v):
        return ""
    if isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer()
                                            and abs(v) >= 100):
        return f"{int(v):,}"
    return f"{v:.2f}"


def format_table(df: pd.DataFrame, markdown: bool = False) -> str:
    """Plain-text or Markdown table (no extra dependency)."""
    head = ["metric", *map(str, df.columns)]
    body = [[str(i), *(_fmt(v) for v in r)] for i, r in zip(df.index, df.values, strict=True)]
    if markdown:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    w = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i])
                               for i, c in enumerate(r)) for r in [head, *body])


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


if __name__ == "__main__":
    main()
