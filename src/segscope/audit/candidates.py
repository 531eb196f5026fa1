"""Candidate pairs from the hashes: full frames, windows (crops), variants (flips, turns).

Every image's full-frame hashes go into two :class:`~segscope.audit.index.HammingIndex`
(the DCT hash, and the gradient hash, which a caption barely changes). The queries are the
full-frame hashes (resized, re-encoded, re-toned, noisy, captioned copies), the window hashes
(one image is a crop of the other) and, when asked, the DCT hashes of flipped or rotated
thumbnails. A pair is a candidate when any query of one image falls within ``radius`` bits
of the other's frame hash of the same kind; its distance is the smallest such, and ``via``
says which query it was (so that verification can start from the matching window).

Hashes are computed in blocks of thumbnails, so the memory beyond the thumbnails is a few
codes per image (8 bytes each) and the matches of one block of queries.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> t = rng.integers(0, 256, (1, 64, 64)).astype(np.uint8)
>>> found = candidate_pairs(np.concatenate([t, t, rng.integers(0, 256, (1, 64, 64))
...                                          .astype(np.uint8)]), radius=4)
>>> found.lo.tolist(), found.hi.tolist(), found.distance.tolist(), found.via.tolist()
([0], [1], [0], [0])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .descriptors import (
    DEFAULT_WINDOW_SCALES,
    frame_hashes,
    gradient_hashes,
    variant_thumbnails,
    window_hashes,
)
from .index import HammingIndex

__all__ = ["GRADIENT", "Candidates", "Hashes", "Search", "candidate_pairs", "hash_all",
           "merge_matches", "pairs_from_hashes", "searches"]

#: ``via`` of a pair found by the gradient (dHash) frame hashes.
GRADIENT = -1


class Hashes(NamedTuple):
    """The hashes of N thumbnails: frames ``(N,)``, gradients ``(N,)``, queries ``(N, K)``
    (the windows, then the variants)."""

    frames: np.ndarray
    gradients: np.ndarray
    queries: np.ndarray


class Candidates(NamedTuple):
    """Candidate pairs ``lo[k] < hi[k]``, sorted.

    ``distance`` is the smallest Hamming distance that made the pair; ``via`` the query
    that gave it (0: the DCT frame hash, :data:`GRADIENT`: the gradient hash, ``k >= 1``:
    column ``k - 1`` of :attr:`Hashes.queries`); ``owner`` the image whose query it was.
    """

    lo: np.ndarray
    hi: np.ndarray
    distance: np.ndarray
    via: np.ndarray
    owner: np.ndarray

_BLOCK = 2048


def hash_all(thumbs: np.ndarray, *, windows: Sequence[float] = DEFAULT_WINDOW_SCALES,
             flips: bool = False, rotations: bool = False) -> Hashes:
    """Every hash of ``(N, S, S)`` thumbnails (see :class:`Hashes`)."""
    n = thumbs.shape[0]
    frames = np.empty(n, np.uint64)
    gradients = np.empty(n, np.uint64)
    extra = []
    for start in range(0, n, _BLOCK):
        block = thumbs[start:start + _BLOCK]
        frames[start:start + len(block)] = frame_hashes(block)
        gradients[start:start + len(block)] = gradient_hashes(block)
        parts = [window_hashes(block, windows)] if windows else []
        if flips or rotations:
            variants = [np.stack(variant_thumbnails(t, flips=flips, rotations=rotations))
                        for t in block]
            v = np.stack(variants)  # (B, V, S, S)
            parts.append(frame_hashes(v.reshape(-1, *v.shape[2:])).reshape(len(block), -1))
        extra.append(np.concatenate(parts, axis=1) if parts else np.zeros((len(block), 0),
                                                                          np.uint64))
    queries = np.concatenate(extra) if extra else np.zeros((0, 0), np.uint64)
    return Hashes(frames, gradients, queries)


def candidate_pairs(thumbs: np.ndarray, *, radius: int = 10,
                    split_of: Sequence[int] | None = None, cross_only: bool = False,
                    windows: Sequence[float] = DEFAULT_WINDOW_SCALES, flips: bool = False,
                    rotations: bool = False, threads: int = 1) -> Candidates:
    """Every candidate pair (see :class:`Candidates`).

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
    hashes = hash_all(thumbs, windows=windows, flips=flips, rotations=rotations)
    return pairs_from_hashes(hashes, radius=radius, split_of=split_of,
                             cross_only=cross_only, threads=threads)


class Search(NamedTuple):
    """One exact radius search of an audit: ``queries[q]`` (asked by image ``owner[q]``,
    query ``via[q]``) against the frame hashes ``targets`` (one per image)."""

    targets: np.ndarray
    queries: np.ndarray
    owner: np.ndarray
    via: np.ndarray


def searches(hashes: Hashes) -> tuple[Search, Search]:
    """The two searches behind the candidates: every DCT query (frames, windows, variants)
    against the DCT frame hashes, and the gradient hashes against themselves."""
    n = hashes.frames.size
    ids = np.arange(n)
    k = hashes.queries.shape[1] if hashes.queries.size else 0
    owner = np.concatenate([ids, np.repeat(ids, k)])
    via = np.concatenate([np.zeros(n, np.int64), np.tile(np.arange(1, k + 1), n)])
    codes = np.concatenate([hashes.frames, hashes.queries.ravel()])
    return (Search(hashes.frames, codes, owner, via),
            Search(hashes.gradients, hashes.gradients, ids, np.full(n, GRADIENT, np.int64)))


def pairs_from_hashes(hashes: Hashes, *, radius: int, split_of: Sequence[int] | None = None,
                      cross_only: bool = False, threads: int = 1) -> Candidates:
    """Candidate pairs of precomputed hashes (see :func:`candidate_pairs`)."""
    found = []
    for s in searches(hashes):
        q, t, d = HammingIndex(s.targets, threads=threads).query(s.queries, radius=radius)
        found.append((s.owner[q], t, d, s.via[q]))
    a, t, d, v = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return merge_matches(a, t, d, v, hashes, split_of=split_of, cross_only=cross_only)


def merge_matches(owner: np.ndarray, target: np.ndarray, distance: np.ndarray,
                  via: np.ndarray, hashes: Hashes, *, split_of: Sequence[int] | None = None,
                  cross_only: bool = False) -> Candidates:
    """The candidates of the matches of :func:`searches` (query owner, target image,
    distance, via), in any order and with repeats: the pairs of two images, each kept once
    with its best match.

    The best match is the smallest distance, then the frame, the windows in order, the
    gradient hash, then the owner with the smaller frame hash, then the smaller owner: a
    total order, so the result does not depend on the order of the matches (a search split
    over cluster workers gives the candidates of one search).
    """
    a, t, d, v = (np.asarray(x, np.int64) for x in (owner, target, distance, via))
    k = hashes.queries.shape[1] if hashes.queries.size else 0
    keep = a != t
    if cross_only and split_of is not None:
        s = np.asarray(split_of)
        keep &= s[a] != s[t]
    a, t, d, v = a[keep], t[keep], d[keep], v[keep]
    lo, hi = np.minimum(a, t), np.maximum(a, t)
    rank = np.where(v == GRADIENT, k + 1, v)  # on a tie: the frame, then windows, then dHash
    # then the owner with the smaller frame hash: the choice follows the images, not their
    # order; last the smaller owner (two equal frame hashes tie only on the frame match)
    order = np.lexsort((a, hashes.frames[a], rank, d, hi, lo))
    lo, hi, d, v, a = lo[order], hi[order], d[order], v[order], a[order]
    first = np.ones(lo.size, bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return Candidates(lo[first], hi[first], d[first], v[first], a[first])
