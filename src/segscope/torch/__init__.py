"""Overlap metrics of PyTorch tensors, on any device, with streaming and DDP support.

Counts are computed where the tensors live; scores come from the same formulas as
the NumPy path (:func:`segscope.metrics.scores_from_confusion`), so the numbers are
identical. See ``docs/torch.md``.

Needs the ``torch`` extra: ``pip install 'segscope[torch]'``.

Examples
--------
>>> import torch
>>> from segscope.torch import MeanIoU, evaluate
>>> pred = torch.tensor([[0, 1], [1, 1]]); target = torch.tensor([[0, 1], [0, 1]])
>>> evaluate(pred, target, num_classes=2, metrics="iou")["iou"].value
0.5833333333333333
"""

from __future__ import annotations

from ..errors import require

require("torch", "torch", "segscope.torch")

from ..metrics import METRICS  # noqa: E402
from .confusion import confusion_matrix, multilabel_confusion_matrix  # noqa: E402
from .metrics import *  # noqa: E402, F403
from .metrics import evaluate  # noqa: E402
from .streaming import MeanIoU, OverlapMetric  # noqa: E402

__all__ = [
    "MeanIoU",
    "OverlapMetric",
    "confusion_matrix",
    "evaluate",
    "multilabel_confusion_matrix",
    *METRICS,
]
