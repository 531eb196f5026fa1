"""Compiled counting loops (numba). Imported only when counts are first needed.

Each kernel reads its two label arrays once, in one pass, and writes into small
histograms: no one-hot encoding, no temporary arrays of the input's size.

The fast path (``count_offset``) first finds the value range of both arrays
(``value_range``, a vectorised read) and then counts every (target, pred) pair into a
histogram that covers that range, with no per-pixel checks; the caller reads invalid
labels off the histogram afterwards. ``count_pairs`` is the fallback for value ranges
too wide for a dense histogram.

Histogram layout for ``count_pairs``: ``C * C`` cells (``target * C + pred``), then one
cell counting out-of-range pairs and one counting ``ignore_index`` pixels. Out-of-range
pairs land in their own cell instead of branching, so the loop stays branch-free; the
caller raises if that cell is non-zero.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["count_binary", "count_offset", "count_pairs", "value_range"]

# Several sub-histograms break the store-to-load dependency between neighbouring pixels
# that fall into the same cell (the common case in segmentation maps).
_LANES = 4


@njit(cache=True, nogil=True, boundscheck=False)
def count_pairs(pred, target, num_classes, ignore, use_ignore, hist):  # pragma: no cover
    """Add the (target, pred) pairs of two 1-D arrays to ``hist`` (shape (LANES, C*C+2))."""
    n = pred.size
    c = np.int64(num_classes)
    bad_cell = c * c
    ignore_cell = bad_cell + 1
    lanes = hist.shape[0]
    stop = n - n % lanes
    i = 0
    while i < stop:
        for k in range(lanes):
            t = np.int64(target[i + k])
            p = np.int64(pred[i + k])
            ok = (np.uint64(t) < np.uint64(c)) & (np.uint64(p) < np.uint64(c))
            cell = t * c + p if ok else bad_cell
            if use_ignore and t == ignore:
                cell = ignore_cell
            hist[k, cell] += 1
        i += lanes
    while i < n:
        t = np.int64(target[i])
        p = np.int64(pred[i])
        ok = (np.uint64(t) < np.uint64(c)) & (np.uint64(p) < np.uint64(c))
        cell = t * c + p if ok else bad_cell
        if use_ignore and t == ignore:
            cell = ignore_cell
        hist[0, cell] += 1
        i += 1


@njit(cache=True, nogil=True, boundscheck=False)
def count_binary(pred, target, out):  # pragma: no cover
    """Add (sum pred, sum target, sum pred*target, n, bits) of two 0/1 arrays to ``out``.

    ``bits`` is the OR of every value: any bit above the lowest one means a value
    outside {0, 1}, which the caller reports.
    """
    n = pred.size
    sp = np.int64(0)
    st = np.int64(0)
    spt = np.int64(0)
    bits = np.uint64(0)
    for i in range(n):
        p = np.uint64(pred[i])
        t = np.uint64(target[i])
        sp += p
        st += t
        spt += p & t
        bits |= p | t
    out[0] += sp
    out[1] += st
    out[2] += spt
    out[3] += n
    out[4] |= np.int64(bits)


@njit(cache=True, nogil=True, boundscheck=False)
def value_range(pred, target):  # pragma: no cover
    """(min pred, max pred, min target, max target) in one pass over both arrays."""
    pmin = np.int64(pred[0])
    pmax = pmin
    tmin = np.int64(target[0])
    tmax = tmin
    for i in range(pred.size):
        p = np.int64(pred[i])
        t = np.int64(target[i])
        pmin = min(pmin, p)
        pmax = max(pmax, p)
        tmin = min(tmin, t)
        tmax = max(tmax, t)
    return pmin, pmax, tmin, tmax


@njit(cache=True, nogil=True, boundscheck=False)
def count_offset(pred, target, pmin, tmin, width, hist):  # pragma: no cover
    """Add pairs to ``hist`` (shape (4, rows*width)), cell ``(t-tmin)*width + (p-pmin)``.

    The caller guarantees every value lies in the histogram's range.
    """
    n = pred.size
    stop = n - n % 4
    w = np.int64(width)
    base = np.int64(tmin) * w + np.int64(pmin)
    for i in range(0, stop, 4):
        hist[0, np.int64(target[i]) * w + np.int64(pred[i]) - base] += 1
        hist[1, np.int64(target[i + 1]) * w + np.int64(pred[i + 1]) - base] += 1
        hist[2, np.int64(target[i + 2]) * w + np.int64(pred[i + 2]) - base] += 1
        hist[3, np.int64(target[i + 3]) * w + np.int64(pred[i + 3]) - base] += 1
    for i in range(stop, n):
        hist[0, np.int64(target[i]) * w + np.int64(pred[i]) - base] += 1
