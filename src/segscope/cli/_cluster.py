"""The options that run a command on a Dask cluster: ``--scheduler ADDRESS``, ``--workers N``.

Every command that scales out takes these two (``Scheduler``, ``Workers``) and turns them
into the keyword arguments of its :mod:`segscope.dask` function with :func:`cluster_kwargs`.
Inputs may then be fsspec URLs (:func:`source`). Nothing here imports dask: ``--help``
stays light.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["Scheduler", "Workers", "cluster_kwargs", "source"]

_HELP_TAIL = "Same results as on one machine; needs the dask extra (docs/dask.md)."

Scheduler = Annotated[str | None, typer.Option(
    "--scheduler", metavar="ADDRESS",
    help="Run on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); inputs "
    "may then be fsspec URLs (s3://..., file://...). " + _HELP_TAIL)]
Workers = Annotated[int | None, typer.Option(
    "--workers", metavar="N", min=1,
    help="Run on a local Dask cluster of N worker processes, started and stopped here. "
    + _HELP_TAIL)]

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]+://")


def source(text: str | Path) -> str | Path:
    """A command-line input: a URL stays a string, anything else is a path."""
    text = str(text)
    return text if _URL.match(text) else Path(text)


def cluster_kwargs(scheduler: str | None, workers: int | None,
                   *inputs: str | Path) -> dict[str, Any] | None:
    """``{"scheduler": ...}`` or ``{"workers": ...}``, or None to run here.

    Raises
    ------
    ParameterError
        Both options, or a URL input without either (URLs are read on a cluster).
    """
    from ..errors import ParameterError

    if scheduler is not None and workers is not None:
        raise ParameterError("--scheduler and --workers: give one (an existing cluster, or "
                             "a local one of N processes)")
    if scheduler is not None:
        return {"scheduler": scheduler}
    if workers is not None:
        return {"workers": workers}
    urls = [str(x) for x in inputs if isinstance(x, str) and _URL.match(x)]
    if urls:
        raise ParameterError(f"{urls[0]} is a URL; URLs are read on a Dask cluster: add "
                             "--workers N (a local cluster) or --scheduler ADDRESS")
    return None
