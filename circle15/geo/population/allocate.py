"""Spreading a total over places in proportion to weights, preserving the total exactly.

Integer totals are split with the largest-remainder (Hamilton) method: every place gets the
floor of its quota and the people left over go one each to the largest fractional parts
(ties to the earlier place). An optional per-place cap keeps a sub-group (children, elderly)
within the people already placed there.
"""

from __future__ import annotations

import numpy as np


def largest_remainder(total: int, weights: np.ndarray,
                      caps: np.ndarray | None = None) -> np.ndarray:
    """Split an integer ``total`` over places in proportion to ``weights``.

    Parameters
    ----------
    total : int
        Non-negative number of people to place.
    weights : numpy.ndarray
        Non-negative weights, one per place, not all zero unless ``total`` is 0.
    caps : numpy.ndarray, optional
        Most people each place may receive (integers). Their sum must be at least ``total``.

    Returns
    -------
    numpy.ndarray
        ``int64`` counts summing to ``total``; without caps each differs from its exact
        quota ``total * w / sum(w)`` by less than 1.

    Raises
    ------
    ValueError
        On negative inputs, all-zero weights with a positive total, or too small caps.
    """
    total = int(total)
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or not np.isfinite(w).all():
        raise ValueError("total and weights must be non-negative and finite")
    n = len(w)
    if total == 0:
        return np.zeros(n, dtype=np.int64)
    wsum = w.sum()
    if n == 0 or wsum <= 0:
        raise ValueError("cannot spread a positive total over zero weight")
    quota = total * (w / wsum)
    alloc = np.floor(quota).astype(np.int64)
    cap = None
    if caps is not None:
        cap = np.asarray(caps, dtype=np.int64)
        if cap.sum() < total:
            raise ValueError("caps sum to less than the total")
        alloc = np.minimum(alloc, cap)
    rem = quota - alloc
    left = total - int(alloc.sum())
    order = np.argsort(-rem, kind="stable")
    while left < 0:  # only through floating-point error: take back from the smallest parts
        for i in order[::-1]:
            if left == 0:
                break
            if alloc[i] > 0:
                alloc[i] -= 1
                left += 1
    while left > 0:
        room = order if cap is None else order[alloc[order] < cap[order]]
        take = room[:left]
        alloc[take] += 1
        left -= len(take)
    return alloc


def spread(total: float, weights: np.ndarray, *, integer: bool,
           caps: np.ndarray | None = None) -> np.ndarray:
    """Spread ``total`` over weights: integers by largest remainder, else proportionally.

    Parameters
    ----------
    total : float
        People to place.
    weights : numpy.ndarray
        Non-negative weights.
    integer : bool
        Whether ``total`` is a whole number of people (then the result is whole numbers).
    caps : numpy.ndarray, optional
        Per-place maximum (used for groups, capped by the total placed there).

    Returns
    -------
    numpy.ndarray
        Float array summing to ``total`` (exactly for integers).
    """
    if integer:
        return largest_remainder(int(round(total)), weights,
                                 None if caps is None else np.round(caps)).astype(float)
    w = np.asarray(weights, dtype=float)
    if total == 0:
        return np.zeros(len(w))
    out = total * (w / w.sum())
    return out if caps is None else np.minimum(out, caps)
