"""Confusion counts of torch tensors, computed where the tensors live.

On the CPU the tensors are handed, without a copy, to the compiled counting loop of
:mod:`segscope.confusion` (one pass, no temporaries). On any other device (CUDA, MPS)
the counts are a histogram of ``target * C + pred`` built with ``index_add_`` on the
device itself: no copy to the host, no one-hot encoding, and no host synchronisation
(out-of-range labels land in a separate cell that is checked when the counts are read).

Examples
--------
>>> import torch
>>> target = torch.tensor([[0, 0, 1], [2, 2, 1]])
>>> pred = torch.tensor([[0, 1, 1], [2, 0, 1]])
>>> confusion_matrix(pred, target, num_classes=3).tolist()
[[1, 1, 0], [0, 2, 0], [1, 0, 1]]
"""

from __future__ import annotations

import numpy as np
import torch

from .. import confusion as _np_confusion
from .._checks import check_label_array
from ..confusion import _check_ignore_index, _check_num_classes
from ..errors import LabelError, ParameterError, ShapeError
from ._inputs import to_labels

__all__ = ["confusion_matrix", "count_on_device", "multilabel_confusion_matrix"]


def _on_cpu(x: object) -> bool:
    return isinstance(x, torch.Tensor) and x.device.type == "cpu"


def _numpy_view(x: torch.Tensor) -> np.ndarray:
    arr = x.numpy()
    return check_label_array(arr, "labels") if arr.dtype == np.bool_ else arr


def count_on_device(
    pred: torch.Tensor, target: torch.Tensor, num_classes: int, ignore_index: int | None,
    per_image: bool,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Counts ``(N, C, C)`` (or ``(C, C)``) and the number of out-of-range pixels.

    Works on any device without a host synchronisation; both results stay on the device
    of the inputs.
    """
    c = num_classes
    rows = pred.shape[0] if per_image else 1
    cells = c * c + 2  # c*c pairs, then an "ignored" cell and an "invalid" cell
    t = target.reshape(rows, -1).long()
    p = pred.reshape(rows, -1).long()
    bad = (t < 0) | (t >= c) | (p < 0) | (p >= c)
    index = torch.where(bad, c * c + 1, t * c + p)
    if ignore_index is not None:
        index = torch.where(t == ignore_index, c * c, index)
    if rows > 1:
        index = index + torch.arange(rows, device=t.device).unsqueeze(1) * cells
    flat = index.reshape(-1)
    ones = torch.ones(1, dtype=torch.int64, device=t.device).expand(flat.numel())
    hist = torch.zeros(rows * cells, dtype=torch.int64, device=t.device).index_add_(0, flat, ones)
    hist = hist.view(rows, cells)
    counts = hist[:, : c * c].reshape(rows, c, c)
    invalid = hist[:, c * c + 1].sum()
    return (counts if per_image else counts[0]), invalid


def argmax_counts_on_host(scores: torch.Tensor, target: torch.Tensor, num_classes: int,
                          ignore_index: int | None, per_image: bool) -> torch.Tensor:
    """Counts of ``argmax(scores, 1)`` against ``target`` for CPU tensors, in one pass.

    Raises :class:`LabelError` on targets outside ``[0, C)``.
    """
    from ._kernels import argmax_count

    n, c = scores.shape[:2]
    if scores.dtype not in (torch.float32, torch.float64):
        scores = scores.float()
    s = scores.reshape(n, c, -1).contiguous().numpy()
    t = target.reshape(n, -1).contiguous().numpy()
    if t.dtype == np.bool_:
        t = t.view(np.uint8)
    hist = np.zeros((n, c * c + 2), dtype=np.int64)
    use_ignore = ignore_index is not None
    argmax_count(s, t, c, ignore_index if use_ignore else 0, use_ignore, hist)
    bad = int(hist[:, c * c].sum())
    if bad:
        _raise_invalid(bad, num_classes, ignore_index)
    counts = torch.from_numpy(hist[:, : c * c].reshape(n, c, c).copy())
    return counts if per_image else counts.sum(0)


def _raise_invalid(count: int, num_classes: int, ignore_index: int | None) -> None:
    hint = f" (ignore_index={ignore_index} only removes target pixels)" if ignore_index else ""
    raise LabelError(
        f"{count} pixels have labels outside [0, {num_classes}){hint}; raise num_classes, "
        "or pass ignore_index=<value> if these pixels mark 'void' in the target"
    )


def _labels_for_counting(pred, target, num_classes, ignore_index, per_image, decision,
                         threshold):
    if per_image and pred.ndim < 1:
        raise ShapeError("per_image=True needs a leading image axis; got a 0-d tensor")
    p, t, inferred = to_labels(pred, target, decision=decision, threshold=threshold,
                               num_classes=num_classes, multilabel=False,
                               keep_scores=_on_cpu(pred))
    if inferred is None:
        raise ParameterError(
            "num_classes is required for label maps: pass the number of classes including "
            "background, e.g. num_classes=2 for a binary mask"
        )
    return p, t, _check_num_classes(inferred), _check_ignore_index(ignore_index)


def confusion_matrix(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    per_image: bool = False,
    decision: str = "labels",
    threshold: float = 0.5,
    validate: bool = True,
) -> torch.Tensor:
    """Confusion counts of tensors, on the tensors' device.

    Parameters
    ----------
    pred : Tensor
        Label map with ``target``'s shape (``decision="labels"``), class scores
        ``(N, C, *spatial)`` (``"argmax"``), or binary probabilities/logits with
        ``target``'s shape (``"threshold"``).
    target : Tensor
        Integer (or whole-valued float) label map.
    num_classes : int, optional
        Number of classes; inferred from the score channels with ``"argmax"`` and 2 with
        ``"threshold"``.
    ignore_index : int, optional
        Target pixels with this value are removed from both maps.
    per_image : bool
        Counts per image ``(N, C, C)`` for a leading image axis.
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels. Scores are never thresholded implicitly.
    threshold : float
        ``pred > threshold`` is foreground with ``decision="threshold"`` (0.5 for
        probabilities, 0.0 for logits).
    validate : bool
        Raise :class:`~segscope.errors.LabelError` on labels outside ``[0, C)``; on a
        non-CPU device this reads one number back (a synchronisation). With
        ``validate=False`` such pixels are silently left out of the counts.

    Returns
    -------
    Tensor of int64, shape (C, C) or (N, C, C), on ``pred``'s device
        Rows are target classes, columns predicted classes (scikit-learn's layout).

    Examples
    --------
    >>> scores = torch.tensor([[[0.9, 0.2], [0.1, 0.8]]])  # (N=1, C=2, 2 pixels)
    >>> confusion_matrix(scores, torch.tensor([[0, 0]]), decision="argmax").tolist()
    [[1, 1], [0, 0]]
    """
    p, t, c, ignore = _labels_for_counting(pred, target, num_classes, ignore_index,
                                           per_image, decision, threshold)
    if decision == "argmax" and p.device.type == "cpu":
        return argmax_counts_on_host(p, t, c, ignore, per_image)
    if p.device.type == "cpu":
        counts = _np_confusion.confusion_matrix(
            _numpy_view(p.contiguous()), _numpy_view(t.contiguous()), num_classes=c,
            ignore_index=ignore, per_image=per_image)
        return torch.from_numpy(counts)
    counts, invalid = count_on_device(p, t, c, ignore, per_image)
    if validate:
        bad = int(invalid)
        if bad:
            _raise_invalid(bad, c, ignore)
    return counts


def multilabel_counts_on_device(pred: torch.Tensor, target: torch.Tensor
                                ) -> tuple[torch.Tensor, torch.Tensor]:
    """``(N, C, 2, 2)`` counts of 0/1 channels and the number of non-0/1 values."""
    n, c = pred.shape[:2]
    p = pred.reshape(n, c, -1)
    t = target.reshape(n, c, -1)
    invalid = (((p != 0) & (p != 1)).sum() + ((t != 0) & (t != 1)).sum()).to(torch.int64)
    pb, tb = p != 0, t != 0
    sp = pb.sum(-1)
    st = tb.sum(-1)
    tp = (pb & tb).sum(-1)
    total = p.shape[-1]
    fp, fn = sp - tp, st - tp
    tn = total - sp - st + tp
    counts = torch.stack([torch.stack([tn, fp], -1), torch.stack([fn, tp], -1)], -2)
    return counts.to(torch.int64), invalid


def multilabel_confusion_matrix(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    per_image: bool = False,
    decision: str = "labels",
    threshold: float = 0.5,
    validate: bool = True,
) -> torch.Tensor:
    """Per-class ``[[tn, fp], [fn, tp]]`` of multi-label tensors ``(N, C, ...)``.

    Parameters
    ----------
    pred : Tensor
        0/1 (or boolean) channels, or scores with ``decision="threshold"``.
    target : Tensor
        0/1 (or boolean) channels of the same shape.
    per_image : bool
        Return ``(N, C, 2, 2)`` instead of the sum over images ``(C, 2, 2)``.
    decision : {"labels", "threshold"}
    threshold : float
    validate : bool
        Raise :class:`~segscope.errors.LabelError` on values other than 0/1.

    Returns
    -------
    Tensor of int64 on ``pred``'s device

    Examples
    --------
    >>> p = torch.tensor([[[1, 0], [1, 1]]], dtype=torch.bool)
    >>> t = torch.tensor([[[1, 1], [0, 1]]], dtype=torch.bool)
    >>> multilabel_confusion_matrix(p, t).tolist()
    [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
    """
    p, t, _ = to_labels(pred, target, decision=decision, threshold=threshold,
                        num_classes=None, multilabel=True)
    if p.ndim < 2:
        raise ShapeError(
            f"multi-label input must have shape (N, C, ...); got {tuple(p.shape)}. Add a "
            "batch axis with x[None] for a single image"
        )
    if p.device.type == "cpu":
        counts = torch.from_numpy(_np_confusion.multilabel_confusion_matrix(
            _numpy_view(p.contiguous()), _numpy_view(t.contiguous()), per_image=True))
    else:
        counts, invalid = multilabel_counts_on_device(p, t)
        if validate and int(invalid):
            raise LabelError(
                "multi-label input must be boolean or 0/1 per channel; found other values. "
                "Threshold scores first, e.g. decision='threshold'"
            )
    return counts if per_image else counts.sum(0)
