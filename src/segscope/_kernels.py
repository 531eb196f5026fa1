"""Compiled counting loops (numba). Imported only when counts are first needed.

Each kernel reads its two label arrays once, in one pass, and writes into small
histograms: no one-hot encoding, no temporary arrays of the input's size.

The fast path first finds the value range of both arrays (``value_range``, a
vectorised read) and then counts every (target, pred) pair into a histogram that covers
that range, with no per-pixel checks (``count_offset``); the caller reads invalid labels
off the histogram afterwards. Several sub-histograms ("lanes") break the store-to-load
dependency between neighbouring pixels that fall into the same cell, the common case
in segmentation maps. ``count_pairs`` is the fallback for value ranges too wide for a
dense histogram.

Histogram layout for ``count_pairs``: ``C * C`` cells (``target * C + pred``), then one
cell counting out-of-range pairs and one counting ``ignore_index`` pixels. Out-of-range
pairs land in their own cell instead of branching, so the loop stays branch-free; the
caller raises if that cell is non-zero.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "count_binary",
    "count_images",
    "count_offset",
    "count_pairs",
    "fold_lanes",
    "value_range",
]


@njit(cache=True, nogil=True, boundscheck=False)
def count_pairs(pred, target, num_classes, ignore, use_ignore, hist):  # pragma: no cover
    """Add the (target, pred) pairs of two 1-D arrays to ``hist`` (shape (lanes, C*C+2))."""
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
    """(min pred, max pred, min target, max target) in one pass over both arrays.

    Comparisons stay in the arrays' own dtypes so that the loop vectorises.
    """
    pmin = pred[0]
    pmax = pmin
    tmin = target[0]
    tmax = tmin
    for i in range(pred.size):
        p = pred[i]
        t = target[i]
        pmin = min(pmin, p)
        pmax = max(pmax, p)
        tmin = min(tmin, t)
        tmax = max(tmax, t)
    return pmin, pmax, tmin, tmax  # in the arrays' dtypes: exact for any uint64 value


# Histogram of the fast path: ``lanes`` sub-histograms of ``cells`` counters one after
# the other in a flat array; eight neighbouring pixels go to eight lanes (or to four
# lanes twice, when the table is large and its cache footprint matters more). Cell
# indices are computed in unsigned 64-bit arithmetic: the offset ``t*width + p - base``
# is exact modulo 2**64 even for negative labels, and unsigned indices skip numba's
# check for negative (wrap-around) indexing.


@njit(cache=True, nogil=True, boundscheck=False)
def count_offset(pred, target, pmin, tmin, width, hist, cells):  # pragma: no cover
    """Add pairs to ``hist`` (``lanes * cells`` counters), cell ``(t-tmin)*width + (p-pmin)``.

    ``lanes = hist.size // cells`` must divide 8. The caller guarantees every value lies
    in the histogram's range.
    """
    n = pred.size
    w = np.uint64(width)
    lanes = hist.size // cells
    base = np.uint64(tmin) * w + np.uint64(pmin)
    h0 = -base
    h1 = np.uint64(1 % lanes * cells) - base
    h2 = np.uint64(2 % lanes * cells) - base
    h3 = np.uint64(3 % lanes * cells) - base
    h4 = np.uint64(4 % lanes * cells) - base
    h5 = np.uint64(5 % lanes * cells) - base
    h6 = np.uint64(6 % lanes * cells) - base
    h7 = np.uint64(7 % lanes * cells) - base
    stop = n - n % 8
    for i in range(0, stop, 8):
        hist[np.uint64(target[i]) * w + np.uint64(pred[i]) + h0] += 1
        hist[np.uint64(target[i + 1]) * w + np.uint64(pred[i + 1]) + h1] += 1
        hist[np.uint64(target[i + 2]) * w + np.uint64(pred[i + 2]) + h2] += 1
        hist[np.uint64(target[i + 3]) * w + np.uint64(pred[i + 3]) + h3] += 1
        hist[np.uint64(target[i + 4]) * w + np.uint64(pred[i + 4]) + h4] += 1
        hist[np.uint64(target[i + 5]) * w + np.uint64(pred[i + 5]) + h5] += 1
        hist[np.uint64(target[i + 6]) * w + np.uint64(pred[i + 6]) + h6] += 1
        hist[np.uint64(target[i + 7]) * w + np.uint64(pred[i + 7]) + h7] += 1
    for i in range(stop, n):
        hist[np.uint64(target[i]) * w + np.uint64(pred[i]) + h0] += 1


@njit(cache=True, nogil=True, boundscheck=False)
def fold_lanes(hist, cells):  # pragma: no cover
    """Sum the lanes of a fast-path histogram into one ``int64`` table of ``cells``."""
    out = np.zeros(cells, dtype=np.int64)
    for k in range(hist.size // cells):
        lane = hist[k * cells:(k + 1) * cells]
        for i in range(cells):
            out[i] += lane[i]
    return out


@njit(cache=True, nogil=True, boundscheck=False)
def count_images(pred, target, pmin, tmin, width, hist, cells, out):  # pragma: no cover
    """Per-image tables: row ``k`` of ``out`` (int64) gets the cells of image ``k``.

    ``pred`` and ``target`` are ``(images, pixels)`` and C-contiguous; ``hist`` is a
    scratch histogram for :func:`count_offset`, cleared before each image.
    """
    lanes = hist.size // cells
    for k in range(pred.shape[0]):
        hist[:] = 0
        count_offset(pred[k], target[k], pmin, tmin, width, hist, cells)
        row = out[k]
        for lane in range(lanes):
            for i in range(cells):
                row[i] += hist[lane * cells + i]
