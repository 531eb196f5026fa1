"""Candidate pairs: exact Hamming-radius search over 64-bit codes, sub-quadratic.

:class:`HammingIndex` holds the codes of a collection in four tables (one per 16-bit
substring, multi-index hashing); :meth:`HammingIndex.query` returns every code within the
radius of each query, exactly what a brute-force comparison of all pairs would
(:func:`brute_force` is that reference, used by the tests and the benchmark). Memory is
the codes plus four ``int64`` orders and four 65,537-entry bucket tables: about 40 bytes
per code.

Examples
--------
>>> import numpy as np
>>> codes = np.array([0b0000, 0b0111, 0b1111 << 60], dtype=np.uint64)
>>> index = HammingIndex(codes)
>>> q, t, d = index.query(np.array([0b0001], dtype=np.uint64), radius=2)
>>> sorted(zip(t.tolist(), d.tolist()))
[(0, 1), (1, 2)]
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

from ..errors import ParameterError

__all__ = ["TABLES", "HammingIndex", "brute_force", "check_radius", "key_ranges",
           "near_ranges"]

_M = 4
_BITS = 16
_CHUNK = 8192
#: Substrings (tables) of the multi-index hash; :meth:`HammingIndex.query` ``table=``.
TABLES = _M


def _flip_masks(bits: int, most: int) -> np.ndarray:
    masks = [0]
    for k in range(1, most + 1):
        for ones in combinations(range(bits), k):
            masks.append(sum(1 << b for b in ones))
    return np.array(masks, dtype=np.uint64)


def check_radius(radius: int) -> int:
    """``radius`` as an int, or a ParameterError unless it is an integer in [0, 24]."""
    if isinstance(radius, bool) or not isinstance(radius, (int, np.integer)) or \
            not 0 <= radius <= 24:
        raise ParameterError(f"radius must be an integer in [0, 24] (bits of 64); got "
                             f"{radius!r}")
    return int(radius)


class HammingIndex:
    """Exact search of 64-bit codes within a Hamming radius (multi-index hashing).

    Parameters
    ----------
    codes : (N,) uint64 ndarray
        The codes to search.
    threads : int
        Query chunks searched at once (the result does not depend on it).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> codes = rng.integers(0, 2**63, 500, dtype=np.uint64)
    >>> index = HammingIndex(codes)
    >>> q, t, d = index.query(codes[:3], radius=0)
    >>> t.tolist()
    [0, 1, 2]
    """

    def __init__(self, codes: np.ndarray, *, threads: int = 1) -> None:
        from ._mih import build_tables

        self.codes = np.ascontiguousarray(codes, dtype=np.uint64)
        if self.codes.ndim != 1:
            raise ParameterError(f"codes must be 1-D; got shape {self.codes.shape}")
        self.threads = max(1, int(threads))
        self._order, self._starts = build_tables(self.codes, _M, _BITS)

    def __len__(self) -> int:
        return int(self.codes.size)

    @property
    def nbytes(self) -> int:
        """Memory held by the index (codes and tables)."""
        return int(self.codes.nbytes + self._order.nbytes + self._starts.nbytes)

    def query(self, queries: np.ndarray, *, radius: int, table: int | None = None
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every ``(query index, code index, distance)`` with distance ``<= radius``.

        Sorted by query, then by code index. With ``table=k`` only the pairs met first in
        table ``k`` (their substring ``k`` within ``radius // 4`` bits, no earlier one):
        the results of the :data:`TABLES` tables are disjoint and together give the
        result without ``table``.
        """
        from ._mih import search, search_table

        radius = check_radius(radius)
        if table is not None and table not in range(_M):
            raise ParameterError(f"table must be one of 0..{_M - 1}; got {table!r}")
        qs = np.ascontiguousarray(queries, dtype=np.uint64).ravel()
        flips = _flip_masks(_BITS, radius // _M)
        chunks = [(s, qs[s:s + _CHUNK]) for s in range(0, qs.size, _CHUNK)]

        def run(item):
            start, block = item
            if table is None:
                q, t, d = search(self.codes, self._order, self._starts, _M, _BITS, flips,
                                 block, radius)
            else:
                q, t, d = search_table(self.codes, self._order, self._starts, table, _M,
                                       _BITS, flips, block, radius)
            return q + start, t, d

        if self.threads > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                parts = list(pool.map(run, chunks))
        else:
            parts = [run(c) for c in chunks]
        if not parts:
            empty = np.empty(0, np.int64)
            return empty, empty.copy(), empty.copy()
        q = np.concatenate([p[0] for p in parts])
        t = np.concatenate([p[1] for p in parts])
        d = np.concatenate([p[2] for p in parts])
        order = np.lexsort((t, q))
        return q[order], t[order], d[order]


def key_ranges(codes: np.ndarray, *, table: int, levels: int) -> np.ndarray:
    """The part of each code in table ``table`` when the 2¹⁶ values of its substring are
    cut into ``2**levels`` parts by their lowest ``levels`` bits.

    A multi-index hash split by substring value: the part ``r`` of table ``k`` asks the
    queries whose substring ``k`` falls in ``r``, of the codes whose part is within
    ``radius // 4`` bits of ``r`` (:func:`near_ranges`), with
    ``HammingIndex.query(table=k)``. A pair within ``radius`` is met first in one table
    ``k`` (pigeonhole), where the code's substring is within ``radius // 4`` bits of the
    query's, and so are their parts: the code is in the query's part. Any other part lacks
    one of them or has another table. So every pair is found, in exactly one part: the
    parts together give :meth:`HammingIndex.query`, and no part holds all codes. (The
    lowest bits, not the top ones: the top bit of the DCT hash, the mean's, is always set.)

    Examples
    --------
    >>> key_ranges(np.array([0xABCD], np.uint64), table=0, levels=4).tolist()
    [13]
    """
    if not 0 <= levels <= _BITS:
        raise ParameterError(f"levels must be in [0, {_BITS}]; got {levels!r}")
    shift = np.uint64(table * _BITS)
    mask = np.uint64((1 << levels) - 1)
    return ((np.asarray(codes, np.uint64) >> shift) & mask).astype(np.int64)


def near_ranges(ranges: np.ndarray, *, levels: int, radius: int
                ) -> tuple[np.ndarray, np.ndarray]:
    """``(row, range)``: every range within ``radius // 4`` bits of each of ``ranges``
    (themselves included), the parts a code must be sent to (see :func:`key_ranges`).

    Examples
    --------
    >>> row, near = near_ranges(np.array([0]), levels=3, radius=4)
    >>> near.tolist()
    [0, 1, 2, 4]
    """
    radius = check_radius(radius)
    masks = _flip_masks(levels, min(radius // _M, levels)).astype(np.int64)
    r = np.asarray(ranges, np.int64)
    near = (r[:, None] ^ masks[None, :]).ravel()
    row = np.repeat(np.arange(r.size), masks.size)
    return row, near


def brute_force(queries: np.ndarray, codes: np.ndarray, *, radius: int
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference: compare every query with every code (quadratic; for checks only).

    Examples
    --------
    >>> import numpy as np
    >>> q, t, d = brute_force(np.array([1], np.uint64), np.array([0, 3], np.uint64), radius=1)
    >>> t.tolist(), d.tolist()
    ([0, 1], [1, 1])
    """
    from .descriptors import hamming

    radius = check_radius(radius)
    qs = np.asarray(queries, dtype=np.uint64).ravel()
    cs = np.asarray(codes, dtype=np.uint64).ravel()
    out_q, out_t, out_d = [], [], []
    for start in range(0, qs.size, 1024):
        block = hamming(qs[start:start + 1024, None], cs[None, :])
        qi, ti = np.nonzero(block <= radius)
        out_q.append(qi + start)
        out_t.append(ti)
        out_d.append(block[qi, ti])
    if not out_q:
        empty = np.empty(0, np.int64)
        return empty, empty.copy(), empty.copy()
    return (np.concatenate(out_q).astype(np.int64), np.concatenate(out_t).astype(np.int64),
            np.concatenate(out_d).astype(np.int64))
