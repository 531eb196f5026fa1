"""Folder and file-list evaluation on a Dask cluster, with the numbers of one machine.

The client pairs the inputs and checks the settings (:func:`segscope.files.plan_evaluation`),
cuts the pairs into contiguous shards and sends each shard, with the small scorer, to the
cluster. Each task reads and scores its pairs one at a time where it runs and returns
their per-image statistics; the client merges them **in pair order** (a fixed tree over
the shard index) and scores them once. Counts are integers and every float (a
distance, a mean) is computed on the client from the same per-image values in the same
order as a one-machine run, so the report is bit-identical whatever the number of
workers, the shard size or the order in which tasks finish.

Memory on a worker: one pair (both masks decoded, plus a URL's bytes) and the per-image
statistics of one shard per thread; on the client: the pairing and the per-image
statistics of every pair (a ``C × C`` count matrix per image when per-image values are
kept, one row of distances per image with boundary metrics).

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for side in ("pred", "target"):
...     (root / side).mkdir()
...     np.save(root / side / "a.npy", np.array([[0, 1], [1, 1]]))
>>> report = evaluate_paths(root / "pred", root / "target", num_classes=2,
...                         workers=2)  # doctest: +SKIP
>>> report["iou"].value  # doctest: +SKIP
1.0
"""

from __future__ import annotations

import math
import tempfile
import warnings
from typing import TYPE_CHECKING, Any

from ..errors import SegscopeError
from ..files import plan_evaluation, plan_instance_evaluation
from ..io import Pair, fetch_pair, is_url, pair_sources
from ._cluster import connect, run_tasks, shards, tree_reduce

if TYPE_CHECKING:
    from distributed import Client

    from ..instances import InstanceReport
    from ..io import Source
    from ..results import Report

__all__ = ["evaluate_instance_paths", "evaluate_paths"]

#: Upper bound of the default shard size (pairs per task).
MAX_SHARD = 64


def evaluate_paths(
    pred: Source,
    target: Source,
    /,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    shard_size: int | None = None,
    progress: bool = False,
    **settings: Any,
) -> Report:
    """:func:`segscope.files.evaluate_paths` on a Dask cluster: the same report.

    Parameters
    ----------
    pred, target : str, path-like, or sequence of them
        Two files or two folders, as local paths (that every worker can read at the same
        path) or fsspec URLs (``s3://bucket/preds``, ``file:///data/gt``); or two lists of
        files, paired by position.
    client, scheduler, workers
        Where to run (see :func:`segscope.dask._cluster.connect`): a
        ``distributed.Client``, the address of a running scheduler, or a number of local
        worker processes (started and closed here). None of them: the current client.
    shard_size : int, optional
        Pairs per task (default: enough tasks for 4 per worker thread, at most
        ``MAX_SHARD`` pairs each). It changes the speed, never the result.
    progress : bool
        Draw a progress bar on stderr (one step per pair, advanced as shards finish).
    **settings
        The keyword arguments of :func:`segscope.files.evaluate_paths` (``num_classes``,
        ``options``, ``boundary``, ``binarize_labels``, ``match``...).

    Returns
    -------
    Report
        Equal, bit for bit, to :func:`segscope.files.evaluate_paths`'s.

    Raises
    ------
    Exception
        What the one-machine run raises: the error of the first bad pair in pair order
        (raised once), pairing and setting errors before anything is sent.
    """
    pairing = pair_sources(pred, target, match=settings.get("match", "path"),
                           **_only(settings, "extensions"))
    if settings.get("num_classes") is None and not settings.get("binarize_labels"):
        # the error (it is one) reads the first pair to suggest a value: fetch it here
        with tempfile.TemporaryDirectory(prefix="segscope-") as folder:
            plan_evaluation(_label(pred), _label(target), **settings,
                            pairing=_first_pair_local(pairing, folder))
    plan = plan_evaluation(_label(pred), _label(target), pairing=pairing, **settings)
    stats = _run(plan, client, scheduler, workers, shard_size, progress, "evaluating")
    return plan.report(stats)


def evaluate_instance_paths(
    pred: Source,
    target: Source,
    /,
    *,
    client: Client | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    shard_size: int | None = None,
    progress: bool = False,
    **settings: Any,
) -> InstanceReport:
    """:func:`segscope.files.evaluate_instance_paths` on a Dask cluster: the same report.

    The inputs and the cluster arguments are those of :func:`evaluate_paths`;
    ``**settings`` are the keyword arguments of
    :func:`segscope.files.evaluate_instance_paths` (``thresholds``, ``method``,
    ``objects``...). The object rows (``objects=True``) come back in pair order.
    """
    pairing = pair_sources(pred, target, match=settings.get("match", "path"),
                           **_only(settings, "extensions"))
    plan = plan_instance_evaluation(_label(pred), _label(target), pairing=pairing, **settings)
    stats = _run(plan, client, scheduler, workers, shard_size, progress, "matching objects")
    return plan.report(stats)


def _only(settings: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: settings[k] for k in names if k in settings}


def _label(source: Any) -> Any:
    """How an input is named in the report's ``meta``."""
    if isinstance(source, (list, tuple)):
        return f"{len(source)} files"
    return source


def _first_pair_local(pairing: Any, folder: str) -> Any:
    from dataclasses import replace

    if not pairing.pairs or not any(is_url(x) for x in (pairing.pairs[0].pred,
                                                        pairing.pairs[0].target)):
        return pairing
    first = fetch_pair(pairing.pairs[0], folder)
    return replace(pairing, pairs=(first, *pairing.pairs[1:]))


def _run(plan: Any, client: Client | None, scheduler: str | None, workers: int | None,
         shard_size: int | None, progress: bool, description: str) -> Any:
    pairs = plan.pairs
    with connect(client, scheduler=scheduler, workers=workers) as c:
        threads = sum(c.nthreads().values()) or 1
        size = shard_size or max(1, min(MAX_SHARD, math.ceil(len(pairs) / (4 * threads))))
        ranges = shards(len(pairs), size)
        tasks = [(plan.scorer, pairs[r.start:r.stop]) for r in ranges]
        results = run_tasks(c, score_shard, tasks, sizes=[len(r) for r in ranges],
                            description=description, progress=progress,
                            name=f"segscope-{description.replace(' ', '-')}")
    for _, caught in results:  # the warnings of the workers, once each, in pair order
        for category, message in caught:
            warnings.warn(message, category, stacklevel=3)
    return tree_reduce([stats for stats, _ in results], lambda a, b: a.merge(b))


def score_shard(task: tuple[Any, tuple[Pair, ...]]) -> tuple[Any, list[tuple[type, str]]]:
    """One task: score a shard of pairs where it runs; its statistics and its warnings.

    ``task`` is ``(scorer, pairs)``: a :class:`segscope.files.PairScorer` or
    :class:`~segscope.files.InstanceScorer` and the pairs of the shard. Pairs named by
    URL are fetched one at a time into a temporary folder (removed afterwards); errors
    and warnings name the URLs.
    """
    scorer, pairs = task
    if any(is_url(x) for p in pairs for x in (p.pred, p.target)):
        return _score_fetched(scorer, pairs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = scorer.score(pairs)
    return stats, [(w.category, str(w.message)) for w in caught]


def _score_fetched(scorer: Any, pairs: tuple[Pair, ...]
                   ) -> tuple[Any, list[tuple[type, str]]]:
    stats = None
    messages: list[tuple[type, str]] = []
    with tempfile.TemporaryDirectory(prefix="segscope-") as folder:
        for pair in pairs:
            local = fetch_pair(pair, folder)
            renames = {str(local.pred): str(pair.pred), str(local.target): str(pair.target)}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    part = scorer.score((local,))
                except SegscopeError as err:
                    raise type(err)(_renamed(str(err), renames)) from err
            messages.extend((w.category, _renamed(str(w.message), renames)) for w in caught)
            stats = part if stats is None else stats.merge(part)
    return stats, messages


def _renamed(text: str, renames: dict[str, str]) -> str:
    for local, url in renames.items():
        text = text.replace(local, url)
    return text
