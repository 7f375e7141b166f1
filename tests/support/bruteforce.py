"""Brute-force references for the routing engine: every point becomes a node.

Independent of :mod:`circle15.coverage.travel`: each linked point splits its segment into
pieces (in both directions where allowed) and hangs from it on a connector edge, and plain
networkx Dijkstra answers.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import shapely


def random_graph(seed: int, n_nodes: int = 12, n_edges: int = 20, oneway_share: float = 0.3,
                 speed: float = 1.25, bends: bool = True) -> nx.MultiDiGraph:
    """A random projected MultiDiGraph in the osmnx style (metres, seconds)."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs="EPSG:4549")
    xy = rng.uniform(0, 1000, size=(n_nodes, 2))
    for i, (x, y) in enumerate(xy):
        G.add_node(100 + i, x=float(x), y=float(y))
    for _ in range(n_edges):
        a, b = rng.choice(n_nodes, 2, replace=False)
        pa, pb = xy[a], xy[b]
        pts = [pa, pb]
        if bends and rng.random() < 0.5:
            mid = (pa + pb) / 2 + rng.normal(0, 60, 2)
            pts = [pa, mid, pb]
        geom = shapely.LineString(pts)
        length = geom.length
        data = dict(length=length, travel_time=length / speed, highway="residential")
        G.add_edge(100 + a, 100 + b, geometry=geom, **data)
        if rng.random() >= oneway_share:
            G.add_edge(100 + b, 100 + a, geometry=shapely.reverse(geom), **data)
    return G


def brute_force_times(net, fac_links, org_links) -> np.ndarray:
    """Seconds from each origin to its nearest facility via networkx on a split graph."""
    D = nx.DiGraph()

    def add(a, b, w):
        if not np.isfinite(w):
            return
        if D.has_edge(a, b):
            D[a][b]["w"] = min(D[a][b]["w"], w)
        else:
            D.add_edge(a, b, w=w)

    on_seg: dict[int, list] = {}
    for kind, links in (("f", fac_links), ("o", org_links)):
        for i in range(len(links)):
            s = links.segment[i]
            if s >= 0:
                on_seg.setdefault(int(s), []).append((links.frac[i], (kind, i), links.offset[i]))
    for u in range(net.n_nodes):
        D.add_node(("n", u))
    # all directed node-to-node edges of the matrix (includes any not covered by segments)
    coo = net.matrix.tocoo()
    for a, b, w in zip(coo.row, coo.col, coo.data):
        add(("n", a), ("n", b), w)
    for s in range(net.n_segments):
        chain = [(0.0, ("n", int(net.seg_u[s])))]
        for frac, key, off in sorted(on_seg.get(s, []), key=lambda t: t[0]):
            q = ("q",) + key
            chain.append((frac, q))
            add(key, q, off / net.access_speed)
            add(q, key, off / net.access_speed)
        chain.append((1.0, ("n", int(net.seg_v[s]))))
        for (f0, n0), (f1, n1) in zip(chain[:-1], chain[1:]):
            if f1 == f0:  # same spot: no travel needed in either direction
                add(n0, n1, 0.0)
                add(n1, n0, 0.0)
                continue
            add(n0, n1, net.seg_time_fwd[s] * (f1 - f0))
            add(n1, n0, net.seg_time_bwd[s] * (f1 - f0))
    R = D.reverse(copy=True)
    srcs = [("f", i) for i in range(len(fac_links)) if fac_links.segment[i] >= 0]
    out = np.full(len(org_links), np.inf)
    if not srcs:
        return out
    dist = nx.multi_source_dijkstra_path_length(R, srcs, weight="w")
    for i in range(len(org_links)):
        out[i] = dist.get(("o", i), np.inf)
    return out
