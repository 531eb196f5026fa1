"""Fixtures shared by the test files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_data_root() -> Path:
    """The real-data folder: ``$SEGSCOPE_SHARED_DATA``, else ``../shared/data`` by the checkout."""
    env = os.environ.get("SEGSCOPE_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Callable[..., Path]:
    """``shared_data("einstein", "einstein.gif")``: the path of a shared data file or folder.

    The test is skipped (not failed) when it is absent, as a fresh clone without the shared
    data folder must still pass.
    """

    def lookup(*parts: str) -> Path:
        path = shared_data_root().joinpath(*parts)
        if not path.exists():
            pytest.skip(f"shared data not available: {path} (set SEGSCOPE_SHARED_DATA)")
        return path

    return lookup


@pytest.fixture(scope="module")
def dask_client():
    """A client of a ``distributed.LocalCluster`` of 2 worker processes (one thread each),
    one per test module (starting one takes about a second); skipped without distributed."""
    pytest.importorskip("distributed")
    from segscope.dask._cluster import connect

    with connect(workers=2) as client:
        client.wait_for_workers(2)
        yield client
