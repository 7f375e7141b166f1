"""The local metric frame and the shapes of a synthetic region (internal to circle15.demo).

Node/edge kinds and highway classes, the azimuthal-equidistant frame around a centre,
great-circle lengths, the river's centre line and offsets, smooth random radii and
Poisson-disk selection. Everything here is *synthetic*.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike
from pyproj import Transformer

#: Node / edge kinds (where a node lies).
CENTRE, TOWN, VILLAGE, ROAD = 0, 1, 2, 3
KIND_NAMES = ("centre", "town", "village", "road")

#: Highway classes used, as in OpenStreetMap.
HIGHWAYS = ("primary", "secondary", "tertiary", "residential", "unclassified", "track",
            "footway", "service")
_HW = {h: i for i, h in enumerate(HIGHWAYS)}

_EARTH_R = 6_371_009.0  # mean Earth radius (m), as OSMnx uses for great-circle lengths

# --------------------------------------------------------------------------- helpers


def _transformer(center: tuple[float, float], inverse: bool) -> Transformer:
    """Local azimuthal equidistant metres -> WGS-84 (``inverse``: WGS-84 -> local)."""
    local = (f"+proj=aeqd +lat_0={center[1]} +lon_0={center[0]} +x_0=0 +y_0=0 "
             "+datum=WGS84 +units=m +no_defs")
    if inverse:
        return Transformer.from_crs("EPSG:4326", local, always_xy=True)
    return Transformer.from_crs(local, "EPSG:4326", always_xy=True)


def great_circle_m(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike
                   ) -> np.ndarray:
    """Great-circle distance in metres (haversine, mean Earth radius as in OSMnx)."""
    x1, y1, x2, y2 = (np.radians(np.asarray(a, float)) for a in (lon1, lat1, lon2, lat2))
    h = (np.sin((y2 - y1) / 2) ** 2
         + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2)
    return 2 * _EARTH_R * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def _river_offset(p: dict, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Offset (m, across the river's axis) of points from the centre line; > 0 north."""
    ca, sa = np.cos(p["alpha"]), np.sin(p["alpha"])
    s = x * ca + y * sa
    t = -x * sa + y * ca
    return t - _river_t(p, s)


def _river_t(p: dict, s: np.ndarray) -> np.ndarray:
    """The centre line's cross-axis position at along-axis positions ``s`` (two sines)."""
    return (p["t0"] + p["a1"] * np.sin(2 * np.pi * s / p["l1"] + p["p1"])
            + p["a2"] * np.sin(2 * np.pi * s / p["l2"] + p["p2"]))


def _river_xy(p: dict, s: np.ndarray) -> np.ndarray:
    """Local ``(x, y)`` points of the centre line at along-axis positions ``s``."""
    t = _river_t(p, s)
    ca, sa = np.cos(p["alpha"]), np.sin(p["alpha"])
    return np.column_stack([s * ca - t * sa, s * sa + t * ca])


def _smooth_radius(rng: np.random.Generator, base: float, amp: float,
                   orders: tuple[int, ...] = (2, 3, 5)) -> Callable[[np.ndarray], np.ndarray]:
    """A random smooth periodic radius function r(phi)."""
    coef = [(k, rng.uniform(0.4, 1.0) * amp / np.sqrt(k), rng.uniform(0, 2 * np.pi))
            for k in orders]

    def r(phi: np.ndarray) -> np.ndarray:
        out = np.ones_like(phi, dtype=float)
        for k, a, ph in coef:
            out = out + a * np.sin(k * phi + ph)
        return base * out

    return r


def _dart(rng: np.random.Generator, cand: np.ndarray, min_dist: float, limit: int) -> np.ndarray:
    """Greedy Poisson-disk selection of candidate rows (in the given order)."""
    cell = min_dist / np.sqrt(2)
    grid: dict[tuple[int, int], int] = {}
    chosen: list[int] = []
    keys = np.floor(cand / cell).astype(np.int64)
    reach = int(np.ceil(min_dist / cell))
    for i in range(len(cand)):
        kx, ky = int(keys[i, 0]), int(keys[i, 1])
        ok = True
        for dx in range(-reach, reach + 1):
            for dy in range(-reach, reach + 1):
                j = grid.get((kx + dx, ky + dy))
                if j is not None and (cand[j, 0] - cand[i, 0]) ** 2 + \
                        (cand[j, 1] - cand[i, 1]) ** 2 < min_dist ** 2:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            grid[(kx, ky)] = i
            chosen.append(i)
            if len(chosen) >= limit:
                break
    return np.asarray(chosen, np.int64)
