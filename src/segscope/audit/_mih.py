"""Compiled multi-index hashing: exact Hamming-radius search over 64-bit codes.

Norouzi, Punjani & Fleet, *Fast search in Hamming space with multi-index hashing*, CVPR
2012: cut each code into ``m`` substrings; two codes within distance ``r`` agree to within
``r // m`` bits on at least one substring (pigeonhole), so looking up every key within
``r // m`` of each query substring in a table sorted by that substring finds every pair,
and only those are compared in full. A pair met through several substrings is counted on
the first one only, so each is emitted once.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["build_tables", "popcount64", "search", "search_table"]

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


@njit(cache=True, nogil=True, inline="always")
def popcount64(x):  # pragma: no cover - compiled
    """Set bits of a uint64 (the SWAR count of Hacker's Delight, 5-2)."""
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return (x * _H01) >> np.uint64(56)


@njit(cache=True, nogil=True)
def build_tables(codes, m, bits):  # pragma: no cover - compiled
    """Per substring: the order of ``codes`` sorted by it, and bucket starts."""
    n = codes.size
    size = 1 << bits
    mask = np.uint64(size - 1)
    order = np.empty((m, n), np.int64)
    starts = np.zeros((m, size + 1), np.int64)
    for k in range(m):
        shift = np.uint64(k * bits)
        counts = np.zeros(size + 1, np.int64)
        for i in range(n):
            counts[((codes[i] >> shift) & mask) + 1] += 1
        for b in range(size):
            counts[b + 1] += counts[b]
        starts[k] = counts
        fill = counts[:size].copy()
        for i in range(n):  # stable: equal keys keep their input order
            key = (codes[i] >> shift) & mask
            order[k, fill[key]] = i
            fill[key] += 1
    return order, starts


@njit(cache=True, nogil=True)
def search_table(codes, order, starts, k, m, bits, flips, queries, radius):  # pragma: no cover
    """The ``(query index, code index, distance)`` with distance ``<= radius`` met first in
    table ``k``: the query's substring ``k`` is within ``radius // m`` bits of the code's,
    and no earlier substring is.

    ``flips`` holds every ``bits``-bit mask with at most ``radius // m`` set bits.
    """
    cap = 1024
    out_q = np.empty(cap, np.int64)
    out_t = np.empty(cap, np.int64)
    out_d = np.empty(cap, np.int64)
    count = 0
    mask = np.uint64((1 << bits) - 1)
    sub_r = radius // m
    shift = np.uint64(k * bits)
    for qi in range(queries.size):
        q = queries[qi]
        key_q = (q >> shift) & mask
        for f in range(flips.size):
            key = key_q ^ flips[f]
            for pos in range(starts[k, key], starts[k, key + 1]):
                ti = order[k, pos]
                x = q ^ codes[ti]
                d = popcount64(x)
                if d > radius:
                    continue
                first = True  # was this pair already met on an earlier substring?
                for kk in range(k):
                    part = (x >> np.uint64(kk * bits)) & mask
                    if popcount64(part) <= sub_r:
                        first = False
                        break
                if not first:
                    continue
                if count == cap:
                    cap *= 2
                    grow_q = np.empty(cap, np.int64)
                    grow_t = np.empty(cap, np.int64)
                    grow_d = np.empty(cap, np.int64)
                    grow_q[:count] = out_q[:count]
                    grow_t[:count] = out_t[:count]
                    grow_d[:count] = out_d[:count]
                    out_q, out_t, out_d = grow_q, grow_t, grow_d
                out_q[count] = qi
                out_t[count] = ti
                out_d[count] = d
                count += 1
    return out_q[:count], out_t[:count], out_d[:count]


@njit(cache=True, nogil=True)
def search(codes, order, starts, m, bits, flips, queries, radius):  # pragma: no cover
    """Every ``(query index, code index, distance)`` with distance ``<= radius``, each once
    (the pairs met first in each of the ``m`` tables)."""
    parts = [search_table(codes, order, starts, k, m, bits, flips, queries, radius)
             for k in range(m)]
    total = 0
    for p in parts:
        total += p[0].size
    out_q = np.empty(total, np.int64)
    out_t = np.empty(total, np.int64)
    out_d = np.empty(total, np.int64)
    at = 0
    for p in parts:
        n = p[0].size
        out_q[at:at + n] = p[0]
        out_t[at:at + n] = p[1]
        out_d[at:at + n] = p[2]
        at += n
    return out_q, out_t, out_d
