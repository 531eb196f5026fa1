"""The ``segscope`` command line.

Each command lives in its own module and attaches itself to :data:`app`; heavy
imports (NumPy kernels, torch, scikit-image) happen inside the commands, so that
``segscope --help`` answers quickly.
"""

from __future__ import annotations

# each module registers its commands on import
from . import (  # noqa: F401
    dedup,
    demo,
    evaluate,
    experiment,
    explain,
    leakage,
    report,
    similarity,
    superpixels,
)
from ._app import app

__all__ = ["app", "main"]


def main() -> None:
    """Entry point of the ``segscope`` console script."""
    app()
