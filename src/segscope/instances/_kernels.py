"""Compiled loops (numba) that read two instance label maps once. Imported on first use.

Label maps are read as flat arrays in runs: a run is a stretch of pixels where neither
map changes value, and object maps are made of long runs. Per run, each raw id is turned
into a compact index (a look-up table when ids are small, a binary search into the sorted
ids otherwise, cached while the value does not change), sizes grow by the run's length,
and a run inside two objects adds its length to its pair's counter in a hash table
(open addressing, doubled when half full), so memory stays a few times the number of
overlapping pairs, never objects × objects.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["mark_present", "overlap_pairs", "run_heads"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, nogil=True, boundscheck=False)
def mark_present(x, present):  # pragma: no cover
    """Set ``present[v] = 1`` for every value ``v`` of the flat array ``x``."""
    prev = x[0]
    present[prev] = 1
    for i in range(1, x.size):
        v = x[i]
        if v != prev:
            present[v] = 1
            prev = v


@njit(cache=True, nogil=True, boundscheck=False)
def run_heads(x):  # pragma: no cover
    """The value of ``x`` at every position where it differs from its left neighbour.

    Two passes (count, then fill) so that no array is reassigned inside a loop.
    """
    m = 1
    prev = x[0]
    for i in range(1, x.size):
        v = x[i]
        if v != prev:
            m += 1
            prev = v
    out = np.empty(m, dtype=x.dtype)
    out[0] = x[0]
    j = 1
    prev = x[0]
    for i in range(1, x.size):
        v = x[i]
        if v != prev:
            out[j] = v
            j += 1
            prev = v
    return out


@njit(cache=True, nogil=True, boundscheck=False)
def _slot(keys, key, shift):  # pragma: no cover
    """Slot of ``key`` in an open-addressing table (linear probing; empty slots hold -1)."""
    mask = np.uint64(keys.size - 1)
    h = (np.uint64(key) * _GOLDEN) >> np.uint64(shift)
    while True:
        k = keys[h]
        if k == key or k == -1:
            return h
        h = (h + np.uint64(1)) & mask


@njit(cache=True, nogil=True, boundscheck=False)
def _grow(keys, counts, shift):  # pragma: no cover
    """The table rehashed into twice the slots (``shift`` is the old table's)."""
    new_keys = np.full(2 * keys.size, -1, dtype=np.int64)
    new_counts = np.zeros(2 * keys.size, dtype=np.int64)
    for i in range(keys.size):
        if keys[i] != -1:
            h = _slot(new_keys, keys[i], shift - 1)
            new_keys[h] = keys[i]
            new_counts[h] = counts[i]
    return new_keys, new_counts


@njit(cache=True, nogil=True, boundscheck=False)
def _index(v, lut, ids):  # pragma: no cover
    if lut.size:
        return np.int64(lut[v])
    lo = 0
    hi = ids.size
    while lo < hi:  # the first position whose id is >= v (v is always present)
        mid = (lo + hi) >> 1
        if ids[mid] < v:
            lo = mid + 1
        else:
            hi = mid
    return np.int64(lo)


@njit(cache=True, nogil=True, boundscheck=False)
def _scan(pred, target, p_lut, p_ids, t_lut, t_ids, p_zero, t_zero, p_sizes, t_sizes,
          keys, counts, shift, m, begin):  # pragma: no cover
    """Count runs from pixel ``begin`` (a run start) on; stop early when the table fills.

    Returns ``(m, stop)``: the pairs in the table and the pixel where counting stopped
    (``pred.size`` when done). The arrays are never reassigned here, so the loop keeps
    their data pointers in registers.
    """
    n = pred.size
    width = np.int64(t_sizes.size)
    limit = keys.size // 2
    last_key = np.int64(-1)
    last_slot = np.uint64(0)
    pv = pred[begin]
    tv = target[begin]
    ip = _index(pv, p_lut, p_ids)
    it = _index(tv, t_lut, t_ids)
    start = begin
    for i in range(begin + 1, n + 1):
        if i < n:
            p = pred[i]
            t = target[i]
            if p == pv and t == tv:
                continue
        if ip != p_zero and it != t_zero:
            key = ip * width + it
            if key != last_key:
                slot = _slot(keys, key, shift)
                if keys[slot] == -1:
                    if m == limit:
                        return m, start  # this run is counted again after growing
                    keys[slot] = key
                    m += 1
                last_key = key
                last_slot = slot
            counts[last_slot] += i - start
        length = np.int64(i - start)
        p_sizes[ip] += length
        t_sizes[it] += length
        if i < n:
            if p != pv:
                pv = p
                ip = _index(pv, p_lut, p_ids)
            if t != tv:
                tv = t
                it = _index(tv, t_lut, t_ids)
            start = i
    return m, n


@njit(cache=True, nogil=True, boundscheck=False)
def overlap_pairs(pred, target, p_lut, p_ids, t_lut, t_ids, p_zero, t_zero,
                  p_sizes, t_sizes, cap):  # pragma: no cover
    """Sizes and overlapping pairs of two flat label maps of the same length.

    A map's ids are looked up in its ``lut`` (indexed by id) when that is not empty,
    else found by binary search in its sorted ``ids``. ``p_sizes`` / ``t_sizes``
    (int64, one per compact index) are added to. A pixel adds to the pair of its two
    compact indices unless one of them is ``p_zero`` / ``t_zero`` (the index of
    background, or -1 when there is none). Returns ``(keys, counts)`` sorted by
    ``key = p_index * len(t_sizes) + t_index``; ``cap`` is the number of pairs the hash
    table first makes room for.
    """
    slots = 2
    shift = 63
    while slots < 2 * cap:
        slots *= 2
        shift -= 1
    keys = np.full(slots, -1, dtype=np.int64)
    counts = np.zeros(slots, dtype=np.int64)
    m, pos = _scan(pred, target, p_lut, p_ids, t_lut, t_ids, p_zero, t_zero, p_sizes,
                   t_sizes, keys, counts, shift, 0, 0)
    while pos < pred.size:
        keys, counts = _grow(keys, counts, shift)
        shift -= 1
        m, pos = _scan(pred, target, p_lut, p_ids, t_lut, t_ids, p_zero, t_zero, p_sizes,
                       t_sizes, keys, counts, shift, m, pos)
    used = keys != -1
    out_keys = keys[used]
    out_counts = counts[used]
    order = np.argsort(out_keys)
    return out_keys[order], out_counts[order]
