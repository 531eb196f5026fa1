"""The shared pieces of the cluster jobs: results in task order, one error, fixed reductions."""

from __future__ import annotations

import os

import pytest

from segscope.dask._cluster import connect, run_tasks, shards, tree_reduce
from segscope.errors import ParameterError

pytest.importorskip("distributed")


def _slow_square(x: int) -> int:
    import time

    time.sleep(0.02 * (x % 3))  # finish out of order
    return x * x


def _fails_from(x: int) -> int:
    if x >= 5:
        raise ParameterError(f"item {x} is bad")
    return x


def _kill_once(args: tuple[int, str]) -> tuple[int, int]:
    """Kill this worker process the first time item 3 runs (a marker file says it did)."""
    x, marker = args
    if x == 3 and not os.path.exists(marker):
        with open(marker, "w"):
            pass
        os._exit(1)
    return x, os.getpid()


def test_results_come_back_in_task_order(dask_client):
    assert run_tasks(dask_client, _slow_square, list(range(9))) == [x * x for x in range(9)]
    assert run_tasks(dask_client, _slow_square, []) == []


def test_the_lowest_failing_task_is_reported_once(dask_client):
    with pytest.raises(ParameterError, match="item 5 is bad") as info:
        run_tasks(dask_client, _fails_from, list(range(12)))
    assert "item 6" not in str(info.value)
    # the cluster is usable afterwards
    assert run_tasks(dask_client, _fails_from, [1, 2]) == [1, 2]


def test_a_worker_that_dies_is_rerun_without_double_counting(dask_client, tmp_path):
    marker = str(tmp_path / "killed")
    out = run_tasks(dask_client, _kill_once, [(x, marker) for x in range(6)])
    assert os.path.exists(marker)
    assert [x for x, _ in out] == list(range(6))
    dask_client.wait_for_workers(2)  # the nanny restarts the worker for the next test


def test_connect_rejects_two_places_and_bad_workers(dask_client):
    with pytest.raises(ParameterError, match="client and workers"):
        with connect(dask_client, workers=2):
            pass
    with pytest.raises(ParameterError, match="workers must be an integer"):
        with connect(workers=0):
            pass
    with connect(dask_client) as same:
        assert same is dask_client
    with connect(scheduler=dask_client.scheduler.address) as other:
        assert other.submit(sum, [1, 2]).result() == 3
    assert dask_client.submit(sum, [2, 2]).result() == 4  # still open


def test_no_cluster_is_an_error_naming_the_options():
    with pytest.raises(ParameterError, match="workers=N"):
        with connect():
            pass


def test_shards_and_tree_reduce_are_fixed():
    assert [list(r) for r in shards(5, 2)] == [[0, 1], [2, 3], [4]]
    assert tree_reduce(list("abcde"), lambda a, b: f"({a}{b})") == "(((ab)(cd))e)"
    with pytest.raises(ParameterError):
        tree_reduce([], lambda a, b: a)
    with pytest.raises(ParameterError):
        shards(3, 0)


def test_an_unreachable_scheduler_is_an_error_naming_the_address():
    import socket

    import dask

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(ParameterError, match=f"tcp://127.0.0.1:{port}"):
            with connect(scheduler=f"tcp://127.0.0.1:{port}"):
                pass
