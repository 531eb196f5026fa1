"""Candidate pairs from the hashes: full frames, windows (crops), variants (flips, turns).

Every image's full-frame hash goes into one :class:`~segscope.audit.index.HammingIndex`.
The queries are the full-frame hashes (resized, re-encoded, re-toned, noisy copies), the
window hashes (one image is a crop of the other) and, when asked, the hashes of flipped or
rotated thumbnails. A pair is a candidate when any query of one image falls within
``radius`` bits of the other's full-frame hash; its distance is the smallest such.

Hashes are computed in blocks of thumbnails, so the memory beyond the thumbnails is a few
codes per image (8 bytes each) and the matches of one block of queries.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = rng.integers(0, 256, (1, 64, 64)).astype(np.uint8)
>>> pairs = candidate_pairs(np.concatenate([t, t, rng.integers(0, 256, (1, 64, 64))
...                                          .astype(np.uint8)]), radius=4)
>>> pairs[0].tolist(), pairs[1].tolist(), pairs[2].tolist()
([0], [1], [0])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .descriptors import DEFAULT_WINDOW_SCALES, frame_hashes, variant_thumbnails, window_hashes
from .index import HammingIndex

__all__ = ["candidate_pairs", "hash_all"]

_BLOCK = 2048


def hash_all(thumbs: np.ndarray, *, windows: Sequence[float] = DEFAULT_WINDOW_SCALES,
             flips: bool = False, rotations: bool = False
             ) -> tuple[np.ndarray, np.ndarray]:
    """``(frames, queries)``: ``(N,)`` full-frame hashes and ``(N, K)`` extra query hashes
    (windows, then variants)."""
    n = thumbs.shape[0]
    frames = np.empty(n, np.uint64)
    extra = []
    for start in range(0, n, _BLOCK):
        block = thumbs[start:start + _BLOCK]
        frames[start:start + len(block)] = frame_hashes(block)
        parts = [window_hashes(block, windows)] if windows else []
        if flips or rotations:
            variants = [np.stack(variant_thumbnails(t, flips=flips, rotations=rotations))
                        for t in block]
            v = np.stack(variants)  # (B, V, S, S)
            parts.append(frame_hashes(v.reshape(-1, *v.shape[2:])).reshape(len(block), -1))
        extra.append(np.concatenate(parts, axis=1) if parts else np.zeros((len(block), 0),
                                                                          np.uint64))
    queries = np.concatenate(extra) if extra else np.zeros((0, 0), np.uint64)
    return frames, queries


def candidate_pairs(thumbs: np.ndarray, *, radius: int = 10,
                    split_of: Sequence[int] | None = None, cross_only: bool = False,
                    windows: Sequence[float] = DEFAULT_WINDOW_SCALES, flips: bool = False,
                    rotations: bool = False, threads: int = 1
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(i, j, distance)`` of every candidate pair, ``i < j``, sorted.

    Parameters
    ----------
    thumbs : (N, S, S) uint8 ndarray
        The thumbnails.
    radius : int
        Largest Hamming distance (of 64 bits) of a candidate.
    split_of : sequence of int, optional
        The split of each thumbnail; with ``cross_only`` only pairs across splits are kept.
    windows : sequence of float
        Window scales queried for crops (empty: no crop queries).
    flips, rotations : bool
        Also query the mirrored / 90°-rotated thumbnails.
    threads : int
        Query chunks searched at once (the result does not depend on it).
    """
    frames, queries = hash_all(thumbs, windows=windows, flips=flips, rotations=rotations)
    return pairs_from_hashes(frames, queries, radius=radius, split_of=split_of,
                             cross_only=cross_only, threads=threads)


def pairs_from_hashes(frames: np.ndarray, queries: np.ndarray, *, radius: int,
                      split_of: Sequence[int] | None = None, cross_only: bool = False,
                      threads: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs of precomputed hashes (see :func:`candidate_pairs`)."""
    n = frames.size
    index = HammingIndex(frames, threads=threads)
    owners = [np.arange(n)]
    codes = [frames]
    if queries.size:
        owners.append(np.repeat(np.arange(n), queries.shape[1]))
        codes.append(queries.ravel())
    owner = np.concatenate(owners)
    q, t, d = index.query(np.concatenate(codes), radius=radius)
    a = owner[q]
    keep = a != t
    a, t, d = a[keep], t[keep], d[keep]
    if cross_only and split_of is not None:
        s = np.asarray(split_of)
        keep = s[a] != s[t]
        a, t, d = a[keep], t[keep], d[keep]
    lo, hi = np.minimum(a, t), np.maximum(a, t)
    order = np.lexsort((d, hi, lo))
    lo, hi, d = lo[order], hi[order], d[order]
    first = np.ones(lo.size, bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[first], hi[first], d[first]
