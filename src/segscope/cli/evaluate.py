"""``segscope evaluate PRED TARGET``: overlap metrics of one pair of files or two folders."""

from __future__ import annotations

from ._app import app


@app.command()
def evaluate() -> None:
    """Score predictions against targets (files or folders). [work in progress]"""
    raise NotImplementedError
