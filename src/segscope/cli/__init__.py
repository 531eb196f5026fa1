"""The ``segscope`` command line.

Each command lives in its own module and attaches itself to :data:`app`; heavy
imports (NumPy kernels, torch, scikit-image) happen inside the commands, so that
``segscope --help`` answers quickly.
"""

from __future__ import annotations

# each module registers its commands on import
from . import dedup, demo, evaluate, explain, leakage, similarity, superpixels  # noqa: F401
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``segscope`` console script."""
    app()
