"""The near-duplicate and leakage audit on a Dask cluster, with the one-machine result.

The audit of :mod:`segscope.audit` in three waves of tasks, each keyed by its shard:

1. **describing**: each task reads a shard of the files (thumbnails) and hashes them; only
   the hashes (19–26 codes of 8 bytes per image), the pixel counts and the skipped files
   come back. The thumbnails are not kept.
2. **searching**: the exact Hamming-radius search, split by substring value
   (:func:`segscope.audit.index.key_ranges`): a task holds, for one table and one part
   (the lowest ``levels`` bits of that table's substring), the queries of that part and
   the frame hashes near it, never all of them, and returns the matches it meets first
   in that table; the client merges them with
   :func:`segscope.audit.candidates.merge_matches` into the one-machine candidates.
3. **verifying**: each task gets a run of candidates (sorted by image), reads the
   thumbnails of their images again where it runs, and verifies them with
   :func:`segscope.audit.verdicts.verify_candidate`.

Groups, drops and the re-split are computed on the client from the verified pairs, by the
:class:`~segscope.audit.AuditResult` of a one-machine run. A file that cannot be read is
reported once, by the describing wave. A worker that dies has its tasks rerun elsewhere;
results are keyed by task, so nothing is counted twice. See ``docs/dask.md``.

Examples
--------
>>> import numpy as np
>>> from segscope.dask import find_duplicates
>>> rng = np.random.default_rng(0)
>>> a = rng.integers(0, 256, (80, 80), dtype=np.uint8)
>>> find_duplicates([a, a[2:, 3:], rng.integers(0, 256, (80, 80), dtype=np.uint8)],
...                 workers=2).groups  # doctest: +SKIP
(('0', '1'),)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from ..audit.api import DEFAULT_RADIUS, THUMBNAIL_SIDE
from ..audit.candidates import (
    Candidates,
    Hashes,
    Search,
    hash_all,
    merge_matches,
    searches,
)
from ..audit.describe import describe
from ..audit.descriptors import DEFAULT_WINDOW_SCALES
from ..audit.index import TABLES, HammingIndex, check_radius, key_ranges, near_ranges
from ..audit.result import AuditResult, DuplicatePair
from ..audit.sources import Item, collect, split_items
from ..audit.verdicts import settings_of, sort_pairs, verify_candidate
from ..audit.verify import Thresholds
from ..errors import FileFormatError
from ..io import DEFAULT_MAX_PIXELS
from ._cluster import connect, run_tasks, shards

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["find_duplicates", "find_leakage"]

#: Candidates verified by one task.
_PAIRS_PER_TASK = 256
#: Codes of search parts submitted at once (beyond it, the parts go a table at a time).
_SUBMIT_BYTES = 128 * 2**20


class _Shard(NamedTuple):
    """What a describing task sends back: small, no thumbnails."""

    kept: list[int]
    pixels: list[int]
    skipped: list[tuple[str, str]]
    hashes: Hashes


def _describe_shard(job: tuple[list[Item], int | None, bool, bool]) -> _Shard:
    items, max_pixels, flips, rotations = job
    found = describe(items, size=THUMBNAIL_SIDE, threads=1, max_pixels=max_pixels)
    where = {id(it): k for k, it in enumerate(items)}
    hashes = hash_all(found.thumbs, windows=DEFAULT_WINDOW_SCALES, flips=flips,
                      rotations=rotations)
    return _Shard([where[id(it)] for it in found.items], list(found.pixels),
                  list(found.skipped), hashes)


def _search_part(job: tuple) -> tuple[np.ndarray, ...]:
    """One part of the search: ``(owner, target, distance, via)`` met first in its table."""
    targets, target_ids, queries, owner, via, table, radius, split_t, split_q = job
    q, local, d = HammingIndex(targets).query(queries, radius=radius, table=table)
    a, t = owner[q].astype(np.int64), target_ids[local].astype(np.int64)
    keep = a != t
    if split_t is not None:
        keep &= split_q[q] != split_t[local]
    return a[keep], t[keep], d[keep], via[q][keep].astype(np.int64)


def _verify_run(job: tuple) -> list[DuplicatePair | None]:
    items, pairs, splits, thresholds, flips, rotations, max_pixels = job
    found = describe(items, size=THUMBNAIL_SIDE, threads=1, max_pixels=max_pixels)
    if found.skipped:
        name, why = found.skipped[0]
        raise FileFormatError(f"{name}: changed while it was audited ({why}); run the audit "
                              "again")
    thumbs = found.thumbs
    return [verify_candidate(thumbs[i], thumbs[j], items[i], items[j], distance=d, via=v,
                             owner_first=first, splits=splits, thresholds=thresholds,
                             flips=flips, rotations=rotations, side=THUMBNAIL_SIDE)
            for i, j, d, v, first in pairs]


def _levels(n: int) -> int:
    """Bits of a substring that pick its part: 4 × 2**levels parts per search.

    About 4,096 images per part, 1 to 256 parts per table (with 256 a part holds 37 / 256
    = 14 % of the frame hashes at the default radius). Small sets get few parts: each
    task costs the scheduler several milliseconds.
    """
    return int(np.clip(np.round(np.log2(max(n, 1) / 4096)), 0, 8))


def _parts(search: Search, table: int, split_of: np.ndarray | None, radius: int,
           levels: int) -> list[tuple]:
    """The parts of table ``table`` of one search: per part (the lowest ``levels`` bits of
    the substring), its queries and the frame hashes within ``radius // 4`` bits of it."""
    q_range = key_ranges(search.queries, table=table, levels=levels)
    row, near = near_ranges(key_ranges(search.targets, table=table, levels=levels),
                            levels=levels, radius=radius)
    bounds = np.arange((1 << levels) + 1)
    q_order = np.argsort(q_range, kind="stable")
    q_cut = np.searchsorted(q_range[q_order], bounds)
    t_order = np.argsort(near, kind="stable")
    t_cut = np.searchsorted(near[t_order], bounds)
    jobs = []
    for r in range(1 << levels):
        qs = q_order[q_cut[r]:q_cut[r + 1]]
        ts = row[t_order[t_cut[r]:t_cut[r + 1]]]
        if qs.size == 0 or ts.size == 0:
            continue
        owner = search.owner[qs].astype(np.int32)
        jobs.append((search.targets[ts], ts.astype(np.int32), search.queries[qs], owner,
                     search.via[qs].astype(np.int8), table, radius,
                     None if split_of is None else split_of[ts],
                     None if split_of is None else split_of[owner]))
    return jobs


def _candidates(client: Client, hashes: Hashes, split_of: np.ndarray, *, radius: int,
                cross_only: bool, levels: int | None, progress: bool) -> Candidates:
    levels = _levels(hashes.frames.size) if levels is None else levels
    found: list[tuple[np.ndarray, ...]] = []
    pending: list[tuple] = []

    def submit() -> None:
        found.extend(run_tasks(client, _search_part, pending,
                               sizes=[len(j[2]) for j in pending], description="searching",
                               progress=progress, name="segscope-search"))
        pending.clear()

    for search in searches(hashes):
        for table in range(TABLES):
            pending += _parts(search, table, split_of if cross_only else None, radius, levels)
            if sum(j[0].nbytes + j[2].nbytes for j in pending) > _SUBMIT_BYTES:
                submit()  # the client holds at most about _SUBMIT_BYTES of hashes in parts
    if pending:
        submit()
    if found:
        a, t, d, v = (np.concatenate(x) for x in zip(*found, strict=True))
    else:
        a = t = d = v = np.empty(0, np.int64)
    return merge_matches(a, t, d, v, hashes, split_of=split_of, cross_only=cross_only)


def _audit(items: list[Item], splits: Sequence[str], *, cross_only: bool,
           client: Client | None, scheduler: str | None, workers: int | None, radius: int,
           thresholds: Thresholds | None, flips: bool, rotations: bool,
           max_pixels: int | None, shard_size: int | None, levels: int | None,
           progress: bool) -> AuditResult:
    radius = check_radius(radius)
    rules = thresholds or Thresholds()
    with connect(client, scheduler=scheduler, workers=workers) as c:
        n_workers = max(1, len(c.scheduler_info().get("workers", {})))
        size = shard_size or int(np.clip(-(-len(items) // (4 * n_workers)), 16, 1024))
        cuts = shards(len(items), size)
        done = run_tasks(c, _describe_shard,
                         [([items[i] for i in r], max_pixels, flips, rotations) for r in cuts],
                         sizes=[len(r) for r in cuts], description="describing",
                         progress=progress, name="segscope-describe")
        kept = [items[r[k]] for r, part in zip(cuts, done, strict=True) for k in part.kept]
        pixels = tuple(p for part in done for p in part.pixels)
        skipped = tuple(s for part in done for s in part.skipped)
        hashes = _joined([part.hashes for part in done])
        split_of = np.array([it.split for it in kept], np.int64)
        cands = _candidates(c, hashes, split_of, radius=radius, cross_only=cross_only,
                            levels=levels, progress=progress)
        runs = shards(cands.lo.size, _PAIRS_PER_TASK)
        jobs = [_verify_job(kept, cands, r, splits, rules, flips, rotations, max_pixels)
                for r in runs]
        verdicts = run_tasks(c, _verify_run, jobs, sizes=[len(r) for r in runs],
                             description="verifying", progress=progress,
                             name="segscope-verify")
    pairs = sort_pairs((p for run in verdicts for p in run), splits)
    settings = settings_of(radius=radius, flips=flips, rotations=rotations,
                           thumbnail=THUMBNAIL_SIDE, thresholds=rules)
    return AuditResult(names=tuple(it.name for it in kept),
                       split_of=tuple(int(s) for s in split_of), splits=tuple(splits),
                       pixels=pixels, pairs=tuple(pairs), skipped=skipped,
                       candidates=int(cands.lo.size), settings=settings)


def _joined(parts: list[Hashes]) -> Hashes:
    width = max((p.queries.shape[1] for p in parts if p.queries.size), default=0)
    queries = [p.queries.reshape(-1, width) if p.queries.size else
               np.zeros((p.frames.size, width), np.uint64) for p in parts]
    return Hashes(np.concatenate([p.frames for p in parts] or [np.zeros(0, np.uint64)]),
                  np.concatenate([p.gradients for p in parts] or [np.zeros(0, np.uint64)]),
                  np.concatenate(queries) if queries else np.zeros((0, 0), np.uint64))


def _verify_job(kept: list[Item], cands: Candidates, run: range, splits: Sequence[str],
                rules: Thresholds, flips: bool, rotations: bool,
                max_pixels: int | None) -> tuple:
    lo, hi = cands.lo[run.start:run.stop], cands.hi[run.start:run.stop]
    ids, local = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    i, j = local[:lo.size], local[lo.size:]
    pairs = [(int(a), int(b), int(d), int(v), int(o) == int(x))
             for a, b, d, v, o, x in zip(i, j, cands.distance[run.start:run.stop],
                                         cands.via[run.start:run.stop],
                                         cands.owner[run.start:run.stop], lo, strict=True)]
    return ([kept[k] for k in ids], pairs, tuple(splits), rules, flips, rotations,
            max_pixels)


def find_duplicates(images: Any, *, client: Client | None = None,
                    scheduler: str | None = None, workers: int | None = None,
                    radius: int = DEFAULT_RADIUS, thresholds: Thresholds | None = None,
                    flips: bool = False, rotations: bool = False,
                    max_pixels: int | None = DEFAULT_MAX_PIXELS,
                    shard_size: int | None = None, levels: int | None = None,
                    progress: bool = False) -> AuditResult:
    """:func:`segscope.audit.find_duplicates` on a Dask cluster: the same result.

    Parameters
    ----------
    images
        As for :func:`segscope.audit.find_duplicates` (paths must be readable where the
        workers run).
    client, scheduler, workers
        Where to run (one of them): a ``distributed.Client``, the address of a running
        scheduler (``"tcp://host:8786"``), or a number of local worker processes to start
        (and close afterwards). None of them: the current client.
    radius, thresholds, flips, rotations, max_pixels, progress
        As for :func:`segscope.audit.find_duplicates`.
    shard_size : int, optional
        Images per describing task (default: a quarter of an even share per worker,
        16 to 1024).
    levels : int, optional
        The search is split into ``4 × 2**levels`` parts per hash kind (default: about
        4,096 images per part, 2 to 10). Neither changes the result.

    Returns
    -------
    AuditResult
        Equal to the one-machine result (pairs, scores, groups, skipped files).

    Raises
    ------
    ParameterError
        Two places to run given, or none and no current client.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 256, (96, 96), dtype=np.uint8)
    >>> images = [a, rng.integers(0, 256, (96, 96), dtype=np.uint8), a[4:, 2:]]
    >>> find_duplicates(images, workers=2).groups  # doctest: +SKIP
    (('0', '2'),)
    """
    items = collect(images, split=0)
    return _audit(items, ("images",), cross_only=False, client=client, scheduler=scheduler,
                  workers=workers, radius=radius, thresholds=thresholds, flips=flips,
                  rotations=rotations, max_pixels=max_pixels, shard_size=shard_size,
                  levels=levels, progress=progress)


def find_leakage(splits: Mapping[str, Any] | Sequence[Any], *, client: Client | None = None,
                 scheduler: str | None = None, workers: int | None = None,
                 radius: int = DEFAULT_RADIUS, thresholds: Thresholds | None = None,
                 flips: bool = False, rotations: bool = False,
                 max_pixels: int | None = DEFAULT_MAX_PIXELS, shard_size: int | None = None,
                 levels: int | None = None, progress: bool = False) -> AuditResult:
    """:func:`segscope.audit.find_leakage` on a Dask cluster: the same result.

    Parameters
    ----------
    splits
        As for :func:`segscope.audit.find_leakage`.
    client, scheduler, workers, shard_size, levels
        As for :func:`find_duplicates`.
    radius, thresholds, flips, rotations, max_pixels, progress
        As for :func:`segscope.audit.find_leakage`.

    Returns
    -------
    AuditResult
        Equal to the one-machine result.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> train = [rng.integers(0, 256, (64, 64), dtype=np.uint8) for _ in range(3)]
    >>> val = [train[1][2:, :], rng.integers(0, 256, (64, 64), dtype=np.uint8)]
    >>> find_leakage({"train": train, "val": val}, workers=2).groups  # doctest: +SKIP
    (('train/1', 'val/0'),)
    """
    items, names = split_items(splits)
    return _audit(items, names, cross_only=True, client=client, scheduler=scheduler,
                  workers=workers, radius=radius, thresholds=thresholds, flips=flips,
                  rotations=rotations, max_pixels=max_pixels, shard_size=shard_size,
                  levels=levels, progress=progress)
