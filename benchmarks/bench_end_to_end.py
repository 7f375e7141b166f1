"""End-to-end benchmark: ``circle15 run`` on a SYNTHETIC 201k-node county, cold and warm.

Everything here is synthetic (``circle15.demo``: seeded generators, no real place). Measured:

* the county (``write_demo_inputs(scale=...)``, about 201,000 nodes at the default scale);
* a **cold** run (empty network cache) and a **warm** run (network from the cache), each
  in its own process: imports, every stage of ``run/compute.py`` (its ``timings_s``),
  siting, writing every output, the total, and the process's peak memory. The network stage
  goes through :func:`circle15.geo.routing.cache.cached_network` exactly as the one call
  proposed for ``run/compute.py`` (until that call is wired, this script installs it);
* the side-by-side baseline in the same benchmark: per layer, nearest-facility times with
  circle15's scipy engine against networkx ``multi_source_dijkstra_path_length`` (same
  prepared graph, same cutoff; networkx from the facilities' nearest segment ends);
* the batch speed-up: 8 demo-size counties (seeds 1-8) on a ``LocalCluster`` of 1 and of 2
  worker processes, and each worker's peak memory.

Usage::

    python benchmarks/bench_end_to_end.py              # full (about 10 minutes)
    python benchmarks/bench_end_to_end.py --quick      # small smoke run
    python benchmarks/bench_end_to_end.py --markdown   # tables as Markdown
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this checkout's circle15 (not another installed copy), here, in children and dask workers
sys.path.insert(0, str(ROOT))
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
#: Demo scale giving about 201,000 nodes (scale 1 is about 22,000).
SCALE_201K = 9.1


def peak_gb() -> float:
    """Peak resident memory of this process so far (GB).

    ``VmHWM`` of ``/proc/self/status`` where there is one: ``ru_maxrss`` of a process
    started from a large parent includes the parent's memory at the fork.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


# --------------------------------------------------------------------------- child: one run


def _time_writers(times: dict[str, float]) -> None:
    """Time each part of ``write_outputs`` and each vector file into ``times`` (seconds).

    Wraps the writer functions of :mod:`circle15.run.outputs` and ``GeoDataFrame.to_file``
    for this benchmark process only: ``run.json`` does not time the outputs one by one.
    The documents are written in a forked child (``write_outputs(concurrent=None)``), so
    their time is not seen here; it is ``run.json``'s ``output_timings_s["documents"]``.
    """
    import importlib

    import geopandas as gpd

    outputs = importlib.import_module("circle15.run.outputs")

    def timed(label, f):
        def g(*a, **k):
            t = time.perf_counter()
            try:
                return f(*a, **k)
            finally:
                times[label] = times.get(label, 0.0) + time.perf_counter() - t
        return g

    for name, label in (("_write_tables", "CSV tables"), ("_write_documents",
                        "briefing, workbook, charts"), ("_write_maps", "map.html and PNG maps")):
        setattr(outputs, name, timed(label, getattr(outputs, name)))
    to_file = gpd.GeoDataFrame.to_file

    def file_timed(self, path, *a, **k):
        return timed(Path(path).name, to_file)(self, path, *a, **k)

    gpd.GeoDataFrame.to_file = file_timed  # type: ignore[method-assign]


def child_run(config: Path, out: Path, cache_dir: Path) -> dict:
    """One timed ``circle15 run`` (this process); returns the measurements."""
    info: dict = {}
    t0 = time.perf_counter()
    from circle15.config import load_config
    from circle15.run.compute import compute
    from circle15.run.outputs import write_outputs
    from circle15.run.siting import site_layers

    info["imports_s"] = time.perf_counter() - t0
    info["outputs_by_file_s"] = writers = {}
    _time_writers(writers)
    cfg = load_config(config, {"output.dir": out, "network.cache_dir": cache_dir})
    t = time.perf_counter()
    result = compute(cfg)
    info["compute_s"] = time.perf_counter() - t
    info["network_cache"] = result.report["network"].get("cache", "off")
    info["network_stage_s"] = result.report["timings_s"].get("network")
    t = time.perf_counter()
    result.siting = site_layers(result)
    info["siting_s"] = time.perf_counter() - t
    t = time.perf_counter()
    written = write_outputs(result, out)
    info["outputs_s"] = time.perf_counter() - t
    # the documents are written in a forked child: their time comes from run.json
    info["output_parts_s"] = dict(written.get("output_timings_s", {}))
    info["population_cache"] = result.report.get("population", {}).get("cache", "off")
    info["total_s"] = time.perf_counter() - t0
    info["stages_s"] = {k: v for k, v in result.report.get("timings_s", {}).items()}
    info["nodes"] = int(result.network.n_nodes)
    info["people"] = float(result.origins["population"].sum())
    info["origins"] = len(result.origins)
    info["facilities"] = len(result.facilities)
    info["peak_gb"] = peak_gb()
    return info


def child_baseline(config: Path) -> dict:
    """Per-layer nearest-facility times: circle15 (scipy) against networkx."""
    import networkx as nx
    import numpy as np
    import shapely

    from circle15.config import load_config
    from circle15.coverage.travel import SourceGraph
    from circle15.facilities import load_layers
    from circle15.geo.areas import load_zones
    from circle15.geo.routing import access_speed
    from circle15.geo.routing.linking import SegmentIndex, usable_segments
    from circle15.geo.routing.network import RoutingNetwork
    from circle15.geo.streets.prepare import prepare_graph
    from circle15.run import options

    cfg = load_config(config)
    zones, _ = load_zones(options.zone_source(cfg))
    area = shapely.union_all(zones.geometry.values)
    n = cfg.network
    G, crs, _ = prepare_graph(n.source, mode=n.mode, speed_kmh=n.speed_kmh, area=area,
                              crs=n.crs or None, buffer_m=cfg.area.buffer_m,
                              undirected=n.undirected, speeds_by_class=n.speeds_by_class)
    net = RoutingNetwork.from_graph(G, access_speed=access_speed(n.mode, n.speed_kmh), crs=crs)
    fac, _ = load_layers(options.layer_sources(cfg), area)
    xy = shapely.get_coordinates(fac.to_crs(crs).geometry.values)
    links = SegmentIndex(net, usable_segments(net)).link(xy)
    cutoff = 60.0 * max(cfg.coverage.thresholds)
    layers = fac["layer"].to_numpy()
    t = time.perf_counter()
    graph = SourceGraph(net, links)
    t_scipy = time.perf_counter() - t
    t_nx = 0.0
    R = G.reverse(copy=False)
    for key in dict.fromkeys(layers):
        ix = np.flatnonzero((layers == key) & links.linked)
        t = time.perf_counter()
        graph.node_times_to(ix, cutoff)
        t_scipy += time.perf_counter() - t
        fl = links.subset(ix)
        ends = np.where(fl.frac <= 0.5, net.seg_u[fl.segment], net.seg_v[fl.segment])
        sources = {net.node_ids[i].item() if hasattr(net.node_ids[i], "item")
                   else net.node_ids[i] for i in ends}
        t = time.perf_counter()
        nx.multi_source_dijkstra_path_length(R, sources, cutoff=cutoff, weight="travel_time")
        t_nx += time.perf_counter() - t
    return {"layers": len(set(layers)), "scipy_s": t_scipy, "networkx_s": t_nx}


# --------------------------------------------------------------------------- parent


def _child(*args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"child {args[0]} failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _inputs(folder: Path, seed: int, scale: float, reuse: bool) -> Path:
    """The demo county's inputs (generated, or kept from an earlier run with ``reuse``)."""
    from circle15.demo.county import write_demo_inputs

    if reuse and (folder / "config.toml").is_file():
        return folder / "config.toml"
    return write_demo_inputs(folder, seed=seed, scale=scale)


def county_rows(work: Path, scale: float, reuse: bool = False
                ) -> tuple[list[tuple[str, str, str]], dict]:
    """Generate the county, run it cold and warm, run the baseline; table rows."""
    t = time.perf_counter()
    config = _inputs(work / "county" / "inputs", 15, scale, reuse)
    gen_s = time.perf_counter() - t
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)  # the cold run starts without a cache
    cold = _child("run", str(config), str(work / "cold"), str(cache))
    warm = _child("run", str(config), str(work / "warm"), str(cache))
    base = _child("baseline", str(config))
    desc = (f"{cold['nodes']:,} nodes, {cold['people']:,.0f} people, "
            f"{cold['origins']:,} points, {cold['facilities']} facilities")
    rows = [("county (SYNTHETIC)", desc, ""),
            ("generate inputs" + (" (kept)" if reuse else ""), f"{gen_s:.1f}", "")]
    rows.append(("imports", f"{cold['imports_s']:.2f}", f"{warm['imports_s']:.2f}"))
    rows.append((f"network ({cold['network_cache']} / {warm['network_cache']})",
                 f"{cold['network_stage_s']:.2f}", f"{warm['network_stage_s']:.2f}"))
    for k in cold["stages_s"]:
        if k == "network":
            continue
        label = k if k != "population" else \
            f"population ({cold['population_cache']} / {warm['population_cache']})"
        rows.append((label, f"{cold['stages_s'][k]:.2f}",
                     f"{warm['stages_s'].get(k, 0):.2f}"))
    for k, label in (("siting_s", "siting"), ("outputs_s", "writing every output")):
        rows.append((label, f"{cold[k]:.2f}", f"{warm[k]:.2f}"))
    for k in cold["outputs_by_file_s"]:
        rows.append((f"  {k}", f"{cold['outputs_by_file_s'][k]:.2f}",
                     f"{warm['outputs_by_file_s'].get(k, 0):.2f}"))
    for k in cold.get("output_parts_s", {}):  # run.json output_timings_s (in parallel)
        rows.append((f"  run.json: {k}", f"{cold['output_parts_s'][k]:.2f}",
                     f"{warm['output_parts_s'].get(k, 0):.2f}"))
    rows.append(("**total**", f"{cold['total_s']:.2f}", f"{warm['total_s']:.2f}"))
    rows.append(("peak memory (GB)", f"{cold['peak_gb']:.2f}", f"{warm['peak_gb']:.2f}"))
    rows.append((f"nearest times, {base['layers']} layers: circle15 (scipy)",
                 f"{base['scipy_s']:.2f}", ""))
    rows.append((f"nearest times, {base['layers']} layers: networkx",
                 f"{base['networkx_s']:.2f}", f"({base['networkx_s'] / base['scipy_s']:.0f}x)"))
    return rows, {"cold": cold, "warm": warm, "baseline": base}


def _worker_peaks(client) -> list[float]:
    return sorted(client.run(peak_gb).values())


def batch_rows(work: Path, n: int, scale: float, reuse: bool = False
               ) -> list[tuple[str, str, str]]:
    """``n`` demo counties on 1 and on 2 worker processes."""
    from dask.distributed import Client, LocalCluster

    from circle15.run.batch import BatchSpec, BatchTask, run_batch

    configs = [_inputs(work / f"c{seed}" / "inputs", seed, scale, reuse)
               for seed in range(1, n + 1)]
    rows, times = [], {}
    for w in (1, 2):
        # each pass starts from an empty cache of its own (networks, population, links):
        # the second pass must not read what the first one cached
        cache = work / f"cache-batch{w}"
        shutil.rmtree(cache, ignore_errors=True)
        spec = BatchSpec(tuple(BatchTask(f"county{i}", cfg, (("network.cache_dir", str(cache)),))
                               for i, cfg in enumerate(configs, start=1)))
        with LocalCluster(n_workers=w, threads_per_worker=1, processes=True,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            t = time.perf_counter()
            res = run_batch(spec, work / f"batch{w}", scheduler=cluster.scheduler_address,
                            force=True)
            times[w] = time.perf_counter() - t
            peaks = _worker_peaks(client)
        failed = [r for r in res if r.status == "failed"]
        if failed:
            raise RuntimeError(f"batch task failed: {failed[0].message}")
        rows.append((f"batch of {n} demo counties, {w} worker(s)", f"{times[w]:.1f}",
                     "peak per worker " + ", ".join(f"{p:.2f}" for p in peaks) + " GB"))
    rows.append(("batch speed-up 2 vs 1 workers", f"{times[1] / times[2]:.2f}x", ""))
    return rows


def format_table(rows, head=("metric", "cold", "warm"), markdown: bool = False) -> str:
    """Plain-text or Markdown table."""
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|---|---:|---:|"]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    w = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    return "\n".join("  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i])
                               for i, c in enumerate(r)) for r in [head, *rows])


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        kind, *rest = argv[1:]
        info = child_run(Path(rest[0]), Path(rest[1]), Path(rest[2])) if kind == "run" \
            else child_baseline(Path(rest[0]))
        print(json.dumps(info))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--scale", type=float, default=None, help="county scale (default 9.1)")
    ap.add_argument("--batch", type=int, default=8, help="counties in the batch (0: none)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true",
                    help="keep generated inputs found in --workdir")
    args = ap.parse_args(argv)
    scale = args.scale or (0.2 if args.quick else SCALE_201K)
    n_batch, batch_scale = (2, 0.2) if args.quick else (args.batch, 1.0)
    with tempfile.TemporaryDirectory(prefix="c15-e2e-") as tmp:
        work = args.workdir or Path(tmp)
        rows, _ = county_rows(work, scale, args.reuse)
        if n_batch:
            rows += batch_rows(work, n_batch, batch_scale, args.reuse)
    print(f"# circle15 end-to-end benchmark — {platform.node()} ({_cores()} cores, "
          f"python {platform.python_version()}, {platform.machine()}); SYNTHETIC data")
    print(format_table(rows, markdown=args.markdown))


if __name__ == "__main__":
    main()
