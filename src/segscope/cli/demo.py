"""``segscope demo``: the bundled nuclei data, four predictors, one table."""

from __future__ import annotations

from ._app import app


@app.command()
def demo() -> None:
    """Segment the bundled nuclei image several ways and score each. [work in progress]"""
    raise NotImplementedError
