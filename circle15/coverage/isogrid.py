"""Display polygons of reached streets on a grid: linear in the size of the network.

The reached stretches of every threshold (see :mod:`circle15.coverage.isochrones`) are
sampled at half a grid cell and burnt into one grid of *bands* (per cell, the index of the
smallest threshold whose street passes within the buffer: every cell of a disc around each
sample's cell). The grid is polygonised tile by tile (only tiles with reached cells) with
``rasterio.features.shapes``; with every cell corner on a boundary as a vertex the band
polygons form a polygonal coverage (edge-matched), so the ``m``-minute polygon is the
*coverage* union of the bands up to ``m`` (linear, no overlay of overlapping buffers; the
unions of the earlier version grew faster than the network). Then only the corners are kept
(the points where some band's boundary turns), the same in every polygon, and the vertices
are moved into metres and the output CRS one by one.

Nesting ``poly(5) ⊆ poly(10) ⊆ poly(15)`` therefore holds exactly, not up to rounding: the
larger polygon is the smaller one plus more cells, and where their boundaries run together
they have the very same vertices, before and after reprojection. The boundary lies within
about one grid cell of the exact buffered streets, outwards and inwards (see
:data:`DISC_TRIM`); coverage numbers never come from these polygons. Optionally
(``simplify_m > 0``) the band coverage is simplified as a coverage before the unions
(shared edges stay shared), which trades time for fewer vertices.
"""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning
from rasterio.features import shapes
from shapely.geometry.base import BaseGeometry

#: Band value of a cell that no threshold reaches.
NO_BAND = 255
#: Side of the square tiles polygonised one by one (cells).
TILE = 256
#: The disc around a sample's cell is this many cells narrower than the buffer: a sample
#: lies anywhere in its cell, and the trim balances the boundary's error to within about
#: one cell outwards and inwards (measured against exact buffers in the tests).
DISC_TRIM = 0.25
#: Grid units of polygons: cell corners, column ``c`` / row ``r`` at ``c + SHIFT, r + SHIFT``.
SHIFT = 1


def sample_lines(lines: np.ndarray, step: float) -> np.ndarray:
    """Points along lines (and the points themselves), at most ``step`` apart.

    Parameters
    ----------
    lines : numpy.ndarray
        LineStrings and/or Points.
    step : float
        Largest distance between consecutive samples of a line.

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` coordinates: every vertex, plus evenly spaced points in between.
    """
    if not len(lines):
        return np.empty((0, 2))
    xy, gi = shapely.get_coordinates(lines, return_index=True)
    if len(xy) < 2:
        return xy
    same = gi[1:] == gi[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    n = np.maximum(np.ceil(np.hypot(*(b - a).T) / step).astype(np.int64), 1)
    # on each vertex pair, points a + (b - a) * k / n for k = 0 .. n - 1
    rep = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(rep)) - np.repeat(np.cumsum(n) - n, n)
    t = (k / n[rep])[:, None]
    inner = a[rep] + (b[rep] - a[rep]) * t
    return np.vstack([inner, xy])


def disc(radius_cells: float) -> np.ndarray:
    """Boolean footprint of the cells whose centres are within ``radius_cells``."""
    r = int(np.floor(radius_cells))
    d = np.arange(-r, r + 1)
    return (d[:, None] ** 2 + d[None, :] ** 2) <= radius_cells ** 2 + 1e-9


class Grid:
    """A grid of square cells aligned to multiples of ``cell`` in the network's CRS.

    Parameters
    ----------
    bounds : tuple of float
        ``minx, miny, maxx, maxy`` to cover.
    cell : float
        Cell size (metres).
    pad : float
        Margin added on every side (metres).
    """

    def __init__(self, bounds: Sequence[float], cell: float, pad: float) -> None:
        minx, miny, maxx, maxy = bounds
        self.cell = float(cell)
        self.x0 = np.floor((minx - pad) / cell) * cell
        self.y0 = np.floor((miny - pad) / cell) * cell
        self.ncol = int(np.floor((maxx + pad - self.x0) / cell)) + 1
        self.nrow = int(np.floor((maxy + pad - self.y0) / cell)) + 1

    def cells(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell of each point (row 0 at ``y0``)."""
        col = np.floor((xy[:, 0] - self.x0) / self.cell).astype(np.int64)
        row = np.floor((xy[:, 1] - self.y0) / self.cell).astype(np.int64)
        return row, col

    def to_metres(self, geoms: np.ndarray) -> np.ndarray:
        """From grid units (cell corners, shifted by :data:`SHIFT`) to the network's CRS."""
        return shapely.transform(geoms,
                                 lambda c: (c - SHIFT) * self.cell + (self.x0, self.y0))


def band_grid(samples: Sequence[np.ndarray], grid: Grid, radius_cells: float) -> np.ndarray:
    """Per cell, the first band whose samples lie within ``radius_cells`` of it.

    Parameters
    ----------
    samples : sequence of numpy.ndarray
        ``(k, 2)`` points per band, in increasing band order.
    grid : Grid
    radius_cells : float
        Buffer radius in cells.

    Returns
    -------
    numpy.ndarray
        ``(nrow, ncol)`` uint8: band index, :data:`NO_BAND` where none. The grid's margin
        must be at least ``radius_cells`` cells (no disc reaches past the edge).
    """
    band = np.full(grid.nrow * grid.ncol, NO_BAND, np.uint8)
    foot = disc(radius_cells) if radius_cells > 0 else np.ones((1, 1), bool)
    r = foot.shape[0] // 2
    dr, dc = np.nonzero(foot)
    offsets = (dr - r) * grid.ncol + (dc - r)
    for i in range(len(samples) - 1, -1, -1):  # smaller bands overwrite larger ones
        row, col = grid.cells(samples[i])
        # every cell of the disc around each sample's cell
        cells = row * grid.ncol + col
        band[(cells[:, None] + offsets[None, :]).ravel()] = i
    return band.reshape(grid.nrow, grid.ncol)


def band_polygons(band: np.ndarray, n_bands: int) -> list[np.ndarray]:
    """Polygons of each band, in grid units, edge-matched (a polygonal coverage).

    Every *corner* (a point where the boundary of some band's polygon turns) that lies on a
    polygon's boundary is a vertex of that polygon, so neighbouring polygons share their
    boundary vertex for vertex, with no more vertices than the corners.
    """
    out: list[list] = [[] for _ in range(n_bands)]
    for geom, value in _tile_shapes(band):
        out[int(value)].append(geom["coordinates"])  # rings of (x, y) tuples
    sizes = [len(p) for p in out]
    rings = [r for p in out for poly in p for r in poly]
    if not rings:
        return np.split(np.empty(0, dtype=object), np.cumsum(sizes)[:-1])
    # the polygons as ragged arrays straight from the rings (no shapely object per ring)
    ring_len = np.fromiter(map(len, rings), np.int64, len(rings))
    xy = np.fromiter(itertools.chain.from_iterable(itertools.chain.from_iterable(rings)),
                     float, 2 * int(ring_len.sum())).reshape(-1, 2)
    n_rings = np.fromiter((len(poly) for p in out for poly in p), np.int64, sum(sizes))
    ring_off = np.concatenate([[0], np.cumsum(ring_len)])
    poly_off = np.concatenate([[0], np.cumsum(n_rings)])
    flat = insert_corners_ragged(xy, ring_off, poly_off)
    return np.split(flat, np.cumsum(sizes)[:-1])


def insert_corners(polys: np.ndarray) -> np.ndarray:
    """Add to rectilinear integer polygons every vertex of the others lying on their edges.

    Parameters
    ----------
    polys : numpy.ndarray
        Polygons with integer, axis-parallel edges (a polygonisation of a grid).

    Returns
    -------
    numpy.ndarray
        The same polygons; each edge also passes through the corners of the others on it.
    """
    _, xy, (ring_off, poly_off) = shapely.to_ragged_array(polys)
    return insert_corners_ragged(xy, ring_off, poly_off)


def insert_corners_ragged(xy: np.ndarray, ring_off: np.ndarray, poly_off: np.ndarray
                          ) -> np.ndarray:
    """:func:`insert_corners` of polygons given as ragged arrays (coordinates, ring and
    polygon offsets, as :func:`shapely.to_ragged_array` gives them); returns polygons."""
    kind = shapely.GeometryType.POLYGON
    ij = np.round(xy).astype(np.int64)
    big = np.int64(1) << 31
    v_keys = np.unique(ij[:, 0] * big + ij[:, 1])  # by x, then y
    corners = np.column_stack(np.divmod(v_keys, big))
    h_keys = corners[:, 1] * big + corners[:, 0]  # by y, then x
    h_order = np.argsort(h_keys)
    h_keys = h_keys[h_order]
    # edges: every vertex but the last of its ring, to the next
    last = np.zeros(len(ij), bool)
    last[ring_off[1:] - 1] = True
    a = np.flatnonzero(~last)
    pa, pb = ij[a], ij[a + 1]
    horiz = pa[:, 1] == pb[:, 1]
    key_lo = np.where(horiz, pa[:, 1] * big + np.minimum(pa[:, 0], pb[:, 0]),
                      pa[:, 0] * big + np.minimum(pa[:, 1], pb[:, 1]))
    key_hi = np.where(horiz, pa[:, 1] * big + np.maximum(pa[:, 0], pb[:, 0]),
                      pa[:, 0] * big + np.maximum(pa[:, 1], pb[:, 1]))
    lo = np.where(horiz, np.searchsorted(h_keys, key_lo, "right"),
                  np.searchsorted(v_keys, key_lo, "right"))
    hi = np.where(horiz, np.searchsorted(h_keys, key_hi, "left"),
                  np.searchsorted(v_keys, key_hi, "left"))
    n_in = hi - lo
    # output: per edge its start vertex and the corners inside it, then each ring's end
    count = np.ones(len(ij), np.int64)
    count[a] += n_in
    start = np.cumsum(count) - count
    out = np.empty((int(count.sum()), 2))
    out[start] = xy
    e = np.repeat(np.arange(len(a)), n_in)
    k = np.arange(len(e)) - np.repeat(np.cumsum(n_in) - n_in, n_in) if len(e) else e
    falling = np.where(horiz, pb[:, 0] < pa[:, 0], pb[:, 1] < pa[:, 1])[e]
    pos = np.where(falling, hi[e] - 1 - k, lo[e] + k)
    pts = np.where(horiz[e][:, None], corners[h_order[np.minimum(pos, len(h_order) - 1)]],
                   corners[np.minimum(pos, len(corners) - 1)])
    out[start[a][e] + 1 + k] = pts
    new_ring = np.concatenate([[0], np.cumsum(np.add.reduceat(count, ring_off[:-1]))])
    return shapely.from_ragged_array(kind, out, (new_ring, poly_off))


def _tile_shapes(band: np.ndarray, tile: int = TILE) -> Iterator[tuple[dict, float]]:
    """``rasterio.features.shapes`` of the tiles that hold any band, in grid units.

    Reached cells are a few percent of a county's grid, so skipping empty tiles saves most
    of the scan. A polygon crossing a tile edge comes out in pieces that meet along the
    edge; the coverage union joins them again.
    """
    nr, nc = -(-band.shape[0] // tile), -(-band.shape[1] // tile)
    full = np.full((nr * tile, nc * tile), NO_BAND, np.uint8)
    full[:band.shape[0], :band.shape[1]] = band
    used = (full != NO_BAND).reshape(nr, tile, nc, tile).any(axis=(1, 3))
    for r, c in zip(*np.nonzero(used), strict=True):
        sub = full[r * tile:(r + 1) * tile, c * tile:(c + 1) * tile]
        # grid units are shifted by one cell (SHIFT) so that no tile has the identity
        # transform, which rasterio takes for "not georeferenced"
        yield from _shapes(sub, Affine.translation(float(c * tile + SHIFT),
                                                   float(r * tile + SHIFT)))


#: Serialises the warning filter around rasterio's polygonisation between threads.
_SHAPES_LOCK = threading.Lock()


def _shapes(sub: np.ndarray, transform: Affine) -> list[tuple[dict, float]]:
    """``shapes`` of one tile, without rasterio's warning that its mask (an in-memory
    raster it builds without a transform) is not georeferenced."""
    with _SHAPES_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        return list(shapes(sub, mask=sub != NO_BAND, connectivity=4, transform=transform))


def grid_polygons(samples: Sequence[np.ndarray], *, buffer_m: float, cell_m: float,
                  simplify_m: float, src: str, dst: str | None) -> list:
    """Cumulative, nested polygons from the samples of each band.

    Parameters
    ----------
    samples : sequence of numpy.ndarray
        ``(k, 2)`` points on the streets first reached in each band (increasing).
    buffer_m : float
        Buffer around the streets (metres).
    cell_m : float
        Grid cell (metres).
    simplify_m : float
        Coverage simplification tolerance (metres; about the square root of the area of
        the removed triangles); 0 (fastest) keeps the cells' outline, corners only.
    src, dst : str
        The samples' CRS and the output CRS (``None``: stay in ``src``).

    Returns
    -------
    list of shapely.Geometry
        Per band, everything reached up to and including that band.
    """
    n = len(samples)
    if n >= NO_BAND:
        raise ValueError(f"at most {NO_BAND - 1} thresholds, not {n}")
    allxy = [s for s in samples if len(s)]
    if not allxy:
        return [shapely.Polygon() for _ in range(n)]
    xy = np.vstack(allxy)
    bounds = (*xy.min(axis=0), *xy.max(axis=0))
    grid = Grid(bounds, cell_m, buffer_m + 2 * cell_m)
    band = band_grid(samples, grid, buffer_m / cell_m - DISC_TRIM)
    parts = band_polygons(band, n)
    if simplify_m > 0:
        sizes = np.cumsum([len(p) for p in parts])
        flat = shapely.coverage_simplify(np.concatenate(parts), simplify_m / cell_m)
        parts = np.split(flat, sizes[:-1])
    # each union adds the next band to the previous union: still edge-matched (the union
    # keeps every vertex of the boundary left), so a coverage union, linear in the vertices
    polys: list[BaseGeometry] = []
    prev: BaseGeometry = shapely.Polygon()
    for p in parts:
        acc = np.concatenate([[prev], p]) if not prev.is_empty else p
        prev = shapely.coverage_union_all(acc) if len(acc) else prev
        polys.append(prev)
    metres = grid.to_metres(np.array(polys, dtype=object))
    if dst is not None:
        # vertex by vertex (geopandas keeps its transformers: building one takes 0.1 s)
        metres = gpd.GeoSeries(metres, crs=src).to_crs(dst).values
    return list(metres)
