"""Tensor inputs of the boundary metrics: labels decided on their own device, then the host.

Distance transforms run on the CPU (as in MONAI and MedPy). A batch of tensors is turned
into labels where it lives (``decision``: labels, argmax over the channel axis, or a
threshold), then copied to the host once; the NumPy code scores it, so the numbers are
those of NumPy input.

Examples
--------
>>> import torch
>>> p, t, c = batch_labels(torch.tensor([[[0.2, 0.9]]]), torch.tensor([[[0, 1]]]),
...                        decision="threshold", threshold=0.5, num_classes=None)
>>> p.tolist(), t.tolist(), c
([[[0, 1]]], [[[0, 1]]], 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .distributed import gather_objects, is_distributed
from .inputs import to_labels

__all__ = ["batch_labels", "gather_objects", "is_distributed", "to_host"]


def to_host(x: Any, name: str) -> np.ndarray:
    """A NumPy copy of a tensor on any device (detached); other input as an array."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def batch_labels(pred: Any, target: Any, *, decision: str, threshold: float,
                 num_classes: int | None) -> tuple[np.ndarray, np.ndarray, int | None]:
    """``(pred_labels, target_labels, num_classes)`` of a batch, as host arrays.

    A NumPy side of a mixed pair is moved to the other side's device first.
    """
    device = pred.device if isinstance(pred, torch.Tensor) else target.device
    pred = pred if isinstance(pred, torch.Tensor) else torch.as_tensor(pred, device=device)
    target = target if isinstance(target, torch.Tensor) \
        else torch.as_tensor(target, device=device)
    p, t, classes = to_labels(pred, target, decision=decision, threshold=threshold,
                              num_classes=num_classes, multilabel=False)
    return p.cpu().numpy(), t.cpu().numpy(), classes
