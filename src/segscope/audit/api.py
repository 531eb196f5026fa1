"""``find_duplicates`` and ``find_leakage``: the audit from inputs to an :class:`AuditResult`.

thumbnails (streamed, cached in ``index``) → 64-bit hashes → candidate pairs (exact
Hamming-radius search, sub-quadratic) → verification on aligned thumbnails → groups.
Never an N×N array; no input file is written, moved or deleted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .._progress import progress_bar
from ..errors import ParameterError
from ..io import DEFAULT_MAX_PIXELS
from .candidates import Candidates, candidate_pairs
from .describe import Described, describe
from .descriptors import DEFAULT_WINDOW_SCALES
from .result import AuditResult, DuplicatePair
from .sources import Item, collect, split_items
from .store import ThumbnailStore
from .verdicts import settings_of, sort_pairs, verify_candidate
from .verify import Thresholds

__all__ = ["DEFAULT_RADIUS", "THUMBNAIL_SIDE", "find_duplicates", "find_leakage"]

#: Largest Hamming distance (of 64 bits) between the hashes of a candidate pair.
DEFAULT_RADIUS = 10
#: Side of the thumbnails that are hashed, aligned and compared.
THUMBNAIL_SIDE = 64


def _threads(threads: int | None) -> int:
    if threads is None:
        return max(1, min(8, os.cpu_count() or 1))
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ParameterError(f"threads must be a positive integer; got {threads!r}")
    return threads


def _verify_all(found: Described, cands: Candidates, thresholds: Thresholds,
                splits: Sequence[str], threads: int, progress: bool, flips: bool,
                rotations: bool) -> list[DuplicatePair]:
    items = found.items

    def one(k: int) -> DuplicatePair | None:
        i, j = int(cands.lo[k]), int(cands.hi[k])
        return verify_candidate(found.thumbs[i], found.thumbs[j], items[i], items[j],
                                distance=int(cands.distance[k]), via=int(cands.via[k]),
                                owner_first=int(cands.owner[k]) == i, splits=splits,
                                thresholds=thresholds, flips=flips, rotations=rotations,
                                side=THUMBNAIL_SIDE)

    out: list[DuplicatePair | None] = []
    n = len(cands.lo)
    with progress_bar(total=n, description="verifying", enabled=progress) as advance:
        block = 512
        pool = ThreadPoolExecutor(threads) if threads > 1 else None
        try:
            for start in range(0, n, block):
                ks = range(start, min(start + block, n))
                out += list(pool.map(one, ks)) if pool else [one(k) for k in ks]
                advance(len(ks))
        finally:
            if pool is not None:
                pool.shutdown()
    return sort_pairs(out, splits)


def _audit(items: list[Item], splits: Sequence[str], *, cross_only: bool, radius: int,
           thresholds: Thresholds | None, flips: bool, rotations: bool,
           index: str | os.PathLike | None, threads: int | None, max_pixels: int | None,
           progress: bool) -> AuditResult:
    rules = thresholds or Thresholds()
    n_threads = _threads(threads)
    store = None
    if index is not None:
        target = Path(index)
        # realpath, not Path.resolve: a symlink loop among the inputs must not raise here
        inputs = {os.path.realpath(it.path) for it in items if it.path is not None}
        if not inputs and items:
            raise ParameterError("index= keeps the thumbnails of files; the images given are "
                                 "arrays. Pass index=None")
        if target.exists() and os.path.realpath(target) in inputs:
            raise ParameterError(f"index={target} is one of the input images; pass another "
                                 "file for the index")
        store = ThumbnailStore(target, size=THUMBNAIL_SIDE)
    try:
        found = describe(items, size=THUMBNAIL_SIDE, threads=n_threads, max_pixels=max_pixels,
                         store=store, progress=progress)
    finally:
        if store is not None:
            store.close()
    split_of = [it.split for it in found.items]
    cands = candidate_pairs(found.thumbs, radius=radius, split_of=split_of,
                            cross_only=cross_only, windows=DEFAULT_WINDOW_SCALES, flips=flips,
                            rotations=rotations, threads=n_threads)
    pairs = _verify_all(found, cands, rules, splits, n_threads, progress, flips, rotations)
    settings = settings_of(radius=radius, flips=flips, rotations=rotations,
                           thumbnail=THUMBNAIL_SIDE, thresholds=rules)
    return AuditResult(names=tuple(it.name for it in found.items), split_of=tuple(split_of),
                       splits=tuple(splits), pixels=found.pixels, pairs=tuple(pairs),
                       skipped=found.skipped, candidates=int(cands.lo.size), settings=settings)


def find_duplicates(images: Any, *, radius: int = DEFAULT_RADIUS,
                    thresholds: Thresholds | None = None, flips: bool = False,
                    rotations: bool = False, index: str | os.PathLike | None = None,
                    threads: int | None = None,
                    max_pixels: int | None = DEFAULT_MAX_PIXELS,
                    progress: bool = False) -> AuditResult:
    """Near-duplicate pairs and groups within one collection of images.

    Parameters
    ----------
    images : folder, sequence of paths, sequence of arrays, or (N, H, W[, C]) ndarray
        A folder is searched recursively for PNG, JPEG, TIFF, GIF, BMP and WebP files.
        Colour arrays have their channels last (3 or 4 of them).
    radius : int
        Largest Hamming distance (of 64 bits) between the hashes of a candidate pair.
    thresholds : Thresholds, optional
        When a verified pair is a near-duplicate (see :class:`~segscope.audit.Thresholds`).
    flips, rotations : bool
        Also find mirrored and 90°-rotated copies.
    index : path, optional
        On-disk index (SQLite) of thumbnails: only new or changed files are read, and an
        interrupted run resumes. Only for file inputs.
    threads : int, optional
        Worker threads (default: the CPU count, at most 8); results do not depend on it.
    max_pixels : int or None
        Decompression-bomb guard: larger images are skipped and reported.
    progress : bool
        Progress bars on stderr.

    Returns
    -------
    AuditResult
        ``pairs``, ``groups``, ``skipped``, ``suggested_drops()``, ``to_frame()``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 256, (96, 96), dtype=np.uint8)
    >>> noisy = np.clip(a + rng.normal(0, 8, a.shape), 0, 255).astype(np.uint8)
    >>> result = find_duplicates([a, rng.integers(0, 256, (96, 96), dtype=np.uint8), noisy])
    >>> result.groups
    (('0', '2'),)
    """
    items = collect(images, split=0)
    return _audit(items, ("images",), cross_only=False, radius=radius, thresholds=thresholds,
                  flips=flips, rotations=rotations, index=index, threads=threads,
                  max_pixels=max_pixels, progress=progress)


def find_leakage(splits: Mapping[str, Any] | Sequence[Any], *, radius: int = DEFAULT_RADIUS,
                 thresholds: Thresholds | None = None, flips: bool = False,
                 rotations: bool = False, index: str | os.PathLike | None = None,
                 threads: int | None = None, max_pixels: int | None = DEFAULT_MAX_PIXELS,
                 progress: bool = False) -> AuditResult:
    """Near-duplicate pairs that cross splits (training / validation / test leakage).

    Parameters
    ----------
    splits : mapping of name -> images, or sequence of images
        Two or more splits, training first; each as :func:`find_duplicates` takes images.
        A sequence names its splits ``train``, ``val``, ``test``, then ``split3``, ...
    radius, thresholds, flips, rotations, index, threads, max_pixels, progress
        As for :func:`find_duplicates`.

    Returns
    -------
    AuditResult
        Only pairs across splits; names are ``split/name``; :meth:`~AuditResult.leaked`
        counts, per split pair, the later split's images with a twin in the earlier one.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> train = [rng.integers(0, 256, (64, 64), dtype=np.uint8) for _ in range(3)]
    >>> val = [train[1][2:, :], rng.integers(0, 256, (64, 64), dtype=np.uint8)]
    >>> result = find_leakage({"train": train, "val": val})
    >>> result.groups, result.summary()[0]
    ((('train/1', 'val/0'),), '1 of 2 val images have a near-twin in train (50.0 %)')
    """
    items, names = split_items(splits)
    return _audit(items, names, cross_only=True, radius=radius,
                  thresholds=thresholds, flips=flips, rotations=rotations, index=index,
                  threads=threads, max_pixels=max_pixels, progress=progress)
