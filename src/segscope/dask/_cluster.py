"""The pieces every cluster job shares: a client, tasks run in order, a fixed-order reduction.

A job on a cluster is a list of tasks (one per shard of the input), each returning small
statistics. :func:`connect` gives the :class:`distributed.Client` to run them on,
:func:`run_tasks` submits them, draws the progress bar of a one-machine run and returns
the results **in task order**, whatever order they finish in, and :func:`tree_reduce`
combines them pairwise in that order. Results are keyed by task index, so a task that is
rerun (its worker died) replaces, never adds to, its result.

``distributed`` is imported inside the functions: importing this module is free.

Examples
--------
>>> shards(7, 3)
[range(0, 3), range(3, 6), range(6, 7)]
>>> tree_reduce([1, 2, 3, 4, 5], lambda a, b: a + b)
15
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from .._progress import progress_bar
from ..errors import ParameterError, require

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

__all__ = ["connect", "run_tasks", "shards", "tree_reduce"]

_PURPOSE = "Running on a Dask cluster"


def _distributed() -> Any:
    return require("distributed", "dask", _PURPOSE)


@contextmanager
def connect(client: Client | None = None, *, scheduler: str | None = None,
            workers: int | None = None) -> Iterator[Client]:
    """A :class:`distributed.Client` for one job; what this function opened it closes.

    Parameters
    ----------
    client : distributed.Client, optional
        Use this client (it stays open).
    scheduler : str, optional
        Address of a running scheduler (``"tcp://host:8786"``): connect, and disconnect
        afterwards (the cluster keeps running).
    workers : int, optional
        Start a local cluster of this many worker processes (one thread each), and close
        it afterwards.

    With none of the three, the client already current in this process
    (``distributed.get_client()``, e.g. one opened in a ``with Client(...)`` block).

    Raises
    ------
    ParameterError
        More than one of the three, ``workers`` below 1, or none and no current client.
    DependencyError
        ``distributed`` is not installed.

    Examples
    --------
    >>> with connect(workers=1) as client:  # doctest: +SKIP
    ...     client.submit(sum, [1, 2]).result()
    3
    """
    given = [name for name, value in (("client", client), ("scheduler", scheduler),
                                      ("workers", workers)) if value is not None]
    if len(given) > 1:
        raise ParameterError(
            f"pass one of client, scheduler or workers; got {' and '.join(given)}. "
            "Keep the one that says where to run")
    distributed = _distributed()
    if client is not None:
        yield client
        return
    if scheduler is not None:
        try:
            opened = distributed.Client(scheduler, set_as_default=False)
        except OSError as err:
            raise ParameterError(
                f"scheduler: cannot reach a Dask scheduler at {scheduler!r} ({err}); "
                "give the address it prints at start (tcp://HOST:8786), or use workers=N "
                "for a local cluster") from err
        try:
            yield opened
        finally:
            opened.close()
        return
    if workers is not None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ParameterError(f"workers must be an integer >= 1; got {workers!r}")
        cluster = _local_cluster(distributed, workers)
        try:
            with distributed.Client(cluster, set_as_default=False) as opened:
                yield opened
        finally:
            cluster.close()
        return
    try:
        current = distributed.get_client()
    except ValueError:
        raise ParameterError(
            "no Dask cluster given: pass client=, scheduler='tcp://HOST:8786' or workers=N "
            "(a local cluster of N processes)") from None
    yield current


def _local_cluster(distributed: Any, workers: int) -> Any:
    import logging

    import dask

    # The nanny's default MALLOC_TRIM_THRESHOLD_ (65536) turns off glibc's adaptive mmap
    # threshold: every decoded image is then a fresh mmap, which doubled the time to read
    # and count a PNG pair here (benchmarks/distributed.py). Workers started here keep
    # glibc's default; the other variables (OMP_NUM_THREADS=1, ...) stay.
    environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ",
                                                default={}).items()
               if k != "MALLOC_TRIM_THRESHOLD_"}
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
        # one thread per process: decoding and counting hold the GIL in places, and one
        # pair in memory per worker is the bound stated in docs/dask.md
        return distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                        processes=True, dashboard_address=":0",
                                        silence_logs=logging.CRITICAL)


def run_tasks(client: Client, func: Callable[..., T], items: Sequence[Any], *,
              sizes: Sequence[int] | None = None, description: str = "",
              progress: bool = False, name: str = "segscope") -> list[T]:
    """Run ``func(item)`` for each item on the cluster; the results in the items' order.

    Parameters
    ----------
    client : distributed.Client
    func : callable
        A module-level function (workers import it by name, so segscope must be
        installed on them).
    items : sequence
        One argument per task (a shard: paths, options...), sent to the workers.
    sizes : sequence of int, optional
        What each task counts for in the progress bar (its number of images); default 1.
    description : str
        Progress bar label, as on one machine.
    progress : bool
        Draw the progress bar on stderr.
    name : str
        Prefix of the task keys seen on the dashboard.

    Returns
    -------
    list
        ``func(items[i])`` at position ``i``.

    Raises
    ------
    Exception
        The error of the lowest-index task that failed, raised once, as a one-machine
        run that meets the shards in order would raise it; later tasks are cancelled.
        A worker that dies is not an error: the scheduler reruns its tasks elsewhere
        (``distributed.scheduler.allowed-failures`` times, then ``KilledWorker``).

    Examples
    --------
    >>> with connect(workers=2) as client:  # doctest: +SKIP
    ...     run_tasks(client, abs, [-3, 1, -2])
    [3, 1, 2]
    """
    distributed = _distributed()
    items = list(items)
    if not items:
        return []
    weights = [1] * len(items) if sizes is None else [int(s) for s in sizes]
    token = uuid.uuid4().hex[:10]
    keys = [f"{name}-{token}-{i}" for i in range(len(items))]
    # retries=0: an error raised by a task (an unreadable file) is a result, reported once;
    # a dead worker is handled by the scheduler, which reruns the task under the same key
    futures = client.map(func, items, key=keys, pure=False, retries=0)
    position = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(items)
    finished = [False] * len(items)
    failed: tuple[int, BaseException] | None = None
    try:
        with progress_bar(total=sum(weights), description=description,
                          enabled=progress and sum(weights) > 1) as advance:
            for future in distributed.as_completed(futures, loop=client.loop):
                i = position[future.key]
                if future.cancelled():  # cancelled below, after a failure
                    finished[i] = True
                    continue
                try:
                    # result() waits again if the result was lost with its worker since
                    # as_completed saw it finish (the scheduler recomputes it)
                    results[i] = future.result()
                except CancelledError:
                    pass
                except Exception as err:
                    if failed is None or i < failed[0]:
                        failed = (i, err)
                        client.cancel([f for f in futures[i + 1:] if not f.done()])
                else:
                    advance(weights[i])
                finished[i] = True
                future.release()  # frees the result on the cluster
                if failed is not None and all(finished[: failed[0]]):
                    break
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            client.cancel(pending)
    if failed is not None:
        raise failed[1]  # the task's error, with its traceback
    return results


def shards(n: int, size: int) -> list[range]:
    """Contiguous index ranges of at most ``size`` items covering ``range(n)``, in order.

    Examples
    --------
    >>> shards(4, 2)
    [range(0, 2), range(2, 4)]
    >>> shards(0, 5)
    []
    """
    if size < 1:
        raise ParameterError(f"shard size must be >= 1; got {size}")
    return [range(start, min(start + size, n)) for start in range(0, n, size)]


def tree_reduce(parts: Sequence[T], combine: Callable[[T, T], T]) -> T:
    """Combine ``parts`` pairwise, neighbours first, in their order: a fixed tree.

    The shape of the tree depends only on ``len(parts)``, so the result (floats
    included) is the same whatever order the parts were computed in.

    Examples
    --------
    >>> tree_reduce(["a", "b", "c"], lambda x, y: x + y)
    'abc'
    """
    level = list(parts)
    if not level:
        raise ParameterError("tree_reduce needs at least one part; got none")
    while len(level) > 1:
        paired = [combine(level[k], level[k + 1]) for k in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]
