"""segscope: trustworthy, fast segmentation metrics, image similarity and superpixels.

The top-level names are loaded on first use, so ``import segscope`` stays fast and
never imports torch, dask or nibabel. The functions take NumPy arrays or torch tensors
(a tensor is counted on its own device); the streaming metrics are in
:mod:`segscope.streaming`.

Examples
--------
>>> import numpy as np, segscope
>>> target = np.array([[0, 0, 1, 1]])
>>> pred = np.array([[0, 1, 1, 1]])
>>> segscope.confusion_matrix(pred, target, num_classes=2).tolist()
[[1, 1], [0, 2]]
>>> segscope.metrics.iou(pred, target, num_classes=2).per_class
(0.5, 0.6666666666666666)
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
    "evaluate": ".metrics",
    "scores_from_confusion": ".metrics",
    "METRICS": ".options",
    "DEFAULT_METRICS": ".options",
    "ScoreOptions": ".options",
    "ssim": ".similarity",
    "ms_ssim": ".similarity",
    "psnr": ".similarity",
    "similarity_matrix": ".similarity",
    "cross_matrix": ".similarity",
}
# subpackages and modules offered as attributes, imported on first use
_SUBMODULES = ("metrics", "options", "streaming")

__all__ = ["Report", "Score", "SegscopeError", "__version__", *_LAZY, *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module 'segscope' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))
