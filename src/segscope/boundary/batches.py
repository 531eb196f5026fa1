"""Batches of NumPy label maps or scores for the boundary metrics: one rule for both backends.

A batch has a leading image axis: labels ``(N, H, W)`` / ``(N, D, H, W)``, class scores
``(N, C, ...)`` with ``decision="argmax"``, probabilities ``(N, ...)`` with
``decision="threshold"``. A singleton channel axis, ``(N, 1, H, W)`` or ``(N, 1, D, H, W)``,
is dropped: such a batch holds 2-D images (3-D volumes), not volumes one slice deep (where
every object voxel would be surface). The torch counterpart is
:func:`segscope._torch.boundary.batch_labels`; the rules and messages are the same.

Examples
--------
>>> import numpy as np
>>> scores = np.zeros((1, 3, 2, 2)); scores[0, 2] = 1.0
>>> p, t, c = batch_labels(scores, np.full((1, 2, 2), 2), decision="argmax",
...                        threshold=0.5, num_classes=None)
>>> p.tolist(), c
([[[2, 2], [2, 2]]], 3)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import check_choice, check_same_shape
from ..errors import DTypeError, ParameterError, ShapeError
from ..options import DECISIONS

__all__ = ["batch_labels", "drop_singleton_channel", "per_image_spacing", "split_batch"]


def batch_labels(pred: Any, target: Any, *, decision: str, threshold: float,
                 num_classes: int | None) -> tuple[np.ndarray, np.ndarray, int | None]:
    """``(pred_labels, target_labels, num_classes)`` of a NumPy batch."""
    check_choice("decision", decision, DECISIONS)
    pred, target = np.asarray(pred), np.asarray(target)
    if decision == "argmax":
        if pred.dtype.kind != "f":
            raise DTypeError(f"decision='argmax' needs floating scores; got {pred.dtype}")
        if pred.ndim != target.ndim + 1 or pred.shape[:1] + pred.shape[2:] != target.shape:
            raise ShapeError(
                f"decision='argmax' expects scores (N, C, *spatial) and target (N, *spatial); "
                f"got pred {pred.shape} and target {target.shape}"
            )
        if num_classes is not None and pred.shape[1] != num_classes:
            raise ShapeError(
                f"num_classes={num_classes} but pred has {pred.shape[1]} score channels"
            )
        return pred.argmax(axis=1), target, pred.shape[1]
    check_same_shape(pred, target)
    if decision == "threshold":
        if pred.dtype.kind != "f":
            raise DTypeError(f"decision='threshold' needs floating scores; got {pred.dtype}")
        if num_classes not in (None, 2):
            raise ParameterError(
                f"decision='threshold' gives binary labels, so num_classes must be 2; got "
                f"{num_classes}. Use decision='argmax' for multi-class scores"
            )
        return (pred > float(threshold)).astype(np.uint8), target, 2
    if pred.dtype.kind in "fc":
        raise DTypeError(
            f"pred has dtype {pred.dtype}: scores, not labels. Pass decision='argmax' for "
            "class scores (N, C, ...) or decision='threshold' (with threshold=...) for "
            "probabilities or logits"
        )
    return pred, target, num_classes


def drop_singleton_channel(pred: Any, target: Any, decision: str) -> tuple[Any, Any]:
    """Drop a ``(N, 1, ...)`` channel axis of ``pred`` facing an ``(N, ...)`` target."""
    if (decision != "argmax" and pred.ndim == target.ndim + 1
            and pred.ndim >= 4 and pred.shape[1] == 1):
        pred = pred[:, 0]
    return pred, target


def split_batch(p: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Check a batch of labels ``(N, H, W)`` / ``(N, D, H, W)`` (a singleton channel dropped)."""
    if p.ndim in (4, 5) and p.shape[1] == 1:
        p, t = p[:, 0], t[:, 0]
    if p.ndim not in (3, 4):
        raise ShapeError(
            "update expects a batch of 2-D images (N, H, W) or 3-D volumes (N, D, H, W) of "
            f"labels; got labels of shape {tuple(p.shape)}. For one image, pass pred[None] "
            "and target[None]"
        )
    return p, t


def per_image_spacing(spacing: Any, n: int) -> list[Any]:
    """One spacing per image: the same for all, or the ``n`` given (a nested sequence).

    Examples
    --------
    >>> per_image_spacing((1.0, 2.0), 2)
    [(1.0, 2.0), (1.0, 2.0)]
    >>> per_image_spacing([(1, 1), (2, 2)], 2)
    [(1, 1), (2, 2)]
    """
    if hasattr(spacing, "tolist"):  # a NumPy array or a tensor
        spacing = spacing.tolist()
    nested = (isinstance(spacing, (list, tuple)) and len(spacing) > 0
              and all(isinstance(s, (list, tuple)) for s in spacing))
    if not nested:
        return [spacing] * n
    if len(spacing) != n:
        raise ShapeError(f"spacing gives {len(spacing)} per-image voxel sizes for a batch of "
                         f"{n} images")
    return list(spacing)
