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

import threading
import warnings
from collections.abc import Iterator, Sequence

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio.errors import NotGeoreferencedWarning
from rasterio.features import shapes

#: Band value of a cell that no threshold reaches.
NO_BAND = 255
#: Side of the square tiles polygonised one by one (cells).
TILE = 128
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


def band_polygons(band: np.ndarray, n_bands: int) -> tuple[list[np.ndarray], np.ndarray]:
    """Polygons of each band, in grid units, edge-matched (a polygonal coverage).

    Returns
    -------
    polygons : list of numpy.ndarray
        Per band, its polygons with every cell corner on their boundary as a vertex
        (integer coordinates), so that neighbouring polygons share their boundary vertex
        for vertex.
    corners : numpy.ndarray
        Sorted keys (:func:`_keys`) of the corners: the points where some band's boundary
        turns (the vertices of the polygonisation).
    """
    out: list[list] = [[] for _ in range(n_bands)]
    for geom, value in _tile_shapes(band):
        out[int(value)].append(shapely.geometry.shape(geom))
    res, corners = [], []
    for polys in out:
        arr = np.empty(len(polys), dtype=object)
        arr[:] = polys
        if len(arr):
            corners.append(_keys(shapely.get_coordinates(arr)))
            arr = shapely.transform(shapely.segmentize(arr, 1.0), np.round)
        res.append(arr)
    keys = np.unique(np.concatenate(corners)) if corners else np.empty(0, np.int64)
    return res, keys


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


def _keys(xy: np.ndarray) -> np.ndarray:
    """One int64 per integer grid point."""
    ij = np.round(xy).astype(np.int64)
    return ij[:, 0] * (1 << 31) + ij[:, 1]


def keep_corners(geoms: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """Drop every vertex that is not a corner of the band coverage.

    Applied to cumulative polygons (unions of bands, every cell corner a vertex) it
    removes the straight runs' inner vertices and keeps exactly the corners on each
    boundary: a part of boundary that two polygons share keeps the same vertices in both,
    so they stay edge-matched through any later vertex-by-vertex transformation. Each
    ring starts at its smallest vertex (``shapely.normalize``), always a corner, so rings
    stay closed.
    """
    geoms = shapely.normalize(geoms)
    full = ~shapely.is_empty(geoms)
    if not full.any():
        return geoms
    kind, xy, offsets = shapely.to_ragged_array(geoms[full])
    ring_off = offsets[0]
    keep = np.isin(_keys(xy), corners)
    counts = np.add.reduceat(keep.astype(np.int64), ring_off[:-1]) if len(xy) else []
    new_ring = np.concatenate([[0], np.cumsum(counts)])
    out = geoms.copy()
    out[full] = shapely.from_ragged_array(kind, xy[keep], (new_ring, *offsets[1:]))
    return out


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
    parts, corners = band_polygons(band, n)
    if simplify_m > 0:
        sizes = np.cumsum([len(p) for p in parts])
        flat = shapely.coverage_simplify(np.concatenate(parts), simplify_m / cell_m)
        parts = np.split(flat, sizes[:-1])
    # each union adds the next band to the previous union: still edge-matched (the union
    # keeps every vertex), so a coverage union, linear in the vertices
    polys, prev = [], shapely.Polygon()
    for p in parts:
        acc = np.concatenate([[prev], p]) if not prev.is_empty else p
        prev = shapely.coverage_union_all(acc) if len(acc) else prev
        polys.append(prev)
    polys = np.array(polys, dtype=object)
    if simplify_m <= 0:
        polys = keep_corners(polys, corners)
    polys = grid.to_metres(polys)
    if dst is not None:
        # vertex by vertex (geopandas keeps its transformers: building one takes 0.1 s)
        polys = gpd.GeoSeries(polys, crs=src).to_crs(dst).values
    return list(polys)
