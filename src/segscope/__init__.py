"""segscope: trustworthy, fast segmentation metrics, image similarity and superpixels.

The top-level names are loaded on first use, so ``import segscope`` stays fast and
never imports torch, dask or nibabel.

Examples
--------
>>> import numpy as np, segscope
>>> target = np.array([[0, 0, 1, 1]])
>>> pred = np.array([[0, 1, 1, 1]])
>>> segscope.confusion_matrix(pred, target, num_classes=2).tolist()
[[1, 1], [0, 2]]
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import SegscopeError
from .results import Report, Score

__version__ = "0.1.0"

# name -> module that defines it (relative to the package)
_LAZY = {
    "confusion_matrix": ".confusion",
    "multilabel_confusion_matrix": ".confusion",
    "ConfusionAccumulator": ".confusion",
    "evaluate": ".metrics",
    "scores_from_confusion": ".metrics",
    "METRICS": ".metrics",
    "metrics": ".metrics",
}

__all__ = ["Report", "Score", "SegscopeError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'segscope' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
