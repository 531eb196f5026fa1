"""Confusion counts of torch tensors, computed where the tensors live.

On the CPU the tensors are handed, without a copy, to the compiled counting loop of the
NumPy path (passed in by the caller as ``count_on_host``, so that this backend never
imports the public module that dispatches to it). On any other device (CUDA, MPS) the
counts are a histogram of ``target * C + pred`` built with ``index_add_`` on the device
itself: no copy to the host, no one-hot encoding, and no host synchronisation
(out-of-range labels land in a separate cell that is checked when the counts are read).

Examples
--------
>>> import segscope, torch
>>> target = torch.tensor([[0, 0, 1], [2, 2, 1]])
>>> pred = torch.tensor([[0, 1, 1], [2, 0, 1]])
>>> segscope.confusion_matrix(pred, target, num_classes=3).tolist()
[[1, 1, 0], [0, 2, 0], [1, 0, 1]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._checks import check_ignore_index, check_label_array, check_num_classes
from ..errors import LabelError, ShapeError
from .inputs import to_labels

__all__ = [
    "argmax_counts_on_host",
    "confusion_matrix",
    "count_on_device",
    "multilabel_confusion_matrix",
    "multilabel_counts_on_device",
    "numpy_view",
    "on_cpu",
]

#: ``count_on_host(pred, target, num_classes, ignore_index, per_image)``: NumPy counts.
HostCounter = Callable[[np.ndarray, np.ndarray, int, "int | None", bool], np.ndarray]
#: ``count_on_host(pred, target)``: NumPy multi-label counts ``(N, C, 2, 2)``.
HostMultilabelCounter = Callable[[np.ndarray, np.ndarray], np.ndarray]


def on_cpu(x: object) -> bool:
    """Whether ``x`` is a tensor on the CPU."""
    return isinstance(x, torch.Tensor) and x.device.type == "cpu"


def numpy_view(x: torch.Tensor) -> np.ndarray:
    """A NumPy view of a CPU label tensor (booleans as ``uint8``), made contiguous."""
    arr = x.contiguous().numpy()
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
    from .kernels import argmax_count

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
        raise_invalid(bad, num_classes, ignore_index)
    counts = torch.from_numpy(hist[:, : c * c].reshape(n, c, c).copy())
    return counts if per_image else counts.sum(0)


def raise_invalid(count: int, num_classes: int | None, ignore_index: int | None) -> None:
    """Raise the :class:`LabelError` of ``count`` pixels outside ``[0, C)``."""
    hint = (f" (ignore_index={ignore_index} only removes target pixels)"
            if ignore_index is not None else "")
    raise LabelError(
        f"{count} pixels have labels outside [0, {num_classes}){hint}; raise num_classes, "
        "or pass ignore_index=<value> if these pixels mark 'void' in the target"
    )


def label_tensors(pred: torch.Tensor, target: torch.Tensor, *, num_classes: int | None,
                  ignore_index: int | None, per_image: bool, decision: str, threshold: float,
                  keep_scores: bool) -> tuple[torch.Tensor, torch.Tensor, int, int | None]:
    """Checked labels (or fused-argmax scores), the number of classes and ``ignore_index``."""
    if per_image and pred.ndim < 1:
        raise ShapeError("per_image=True needs a leading image axis; got a 0-d tensor")
    p, t, inferred = to_labels(pred, target, decision=decision, threshold=threshold,
                               num_classes=num_classes, multilabel=False,
                               keep_scores=keep_scores)
    return p, t, check_num_classes(inferred), check_ignore_index(ignore_index)


def _pairs(pred: Any, target: Any) -> list[tuple[torch.Tensor, torch.Tensor]]:
    if not (isinstance(pred, (list, tuple)) and isinstance(target, (list, tuple))):
        raise ShapeError(
            "pass both pred and target as lists of tensors (one per image), or both as "
            f"tensors; got {type(pred).__name__} and {type(target).__name__}"
        )
    if len(pred) != len(target):
        raise ShapeError(f"pred has {len(pred)} images but target has {len(target)}")
    return list(zip(pred, target))


def confusion_matrix(
    pred: Any,
    target: Any,
    *,
    num_classes: int | None,
    ignore_index: int | None,
    per_image: bool,
    decision: str,
    threshold: float,
    count_on_host: HostCounter,
) -> torch.Tensor:
    """Confusion counts of tensors (or of two lists of tensors), on the tensors' device.

    The arguments are those of :func:`segscope.confusion_matrix`; ``count_on_host`` counts
    NumPy views of CPU tensors. Labels outside ``[0, C)`` raise :class:`LabelError`; off
    the CPU this reads one number back (a synchronisation).
    """
    if isinstance(pred, (list, tuple)) or isinstance(target, (list, tuple)):
        counts = []
        for i, (p, t) in enumerate(_pairs(pred, target)):
            try:
                counts.append(confusion_matrix(
                    p[None], t[None], num_classes=num_classes, ignore_index=ignore_index,
                    per_image=False, decision=decision, threshold=threshold,
                    count_on_host=count_on_host))
            except ShapeError as err:
                raise ShapeError(f"image {i}: {err}") from None
        stacked = torch.stack(counts)
        return stacked if per_image else stacked.sum(0)
    fuse = decision == "argmax" and on_cpu(pred)
    p, t, c, ignore = label_tensors(pred, target, num_classes=num_classes,
                                    ignore_index=ignore_index, per_image=per_image,
                                    decision=decision, threshold=threshold, keep_scores=fuse)
    if fuse:
        return argmax_counts_on_host(p, t, c, ignore, per_image)
    if p.device.type == "cpu":
        return torch.from_numpy(count_on_host(numpy_view(p), numpy_view(t), c, ignore,
                                              per_image))
    counts, invalid = count_on_device(p, t, c, ignore, per_image)
    bad = int(invalid)
    if bad:
        raise_invalid(bad, c, ignore)
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


def multilabel_labels(pred: torch.Tensor, target: torch.Tensor, *, decision: str,
                      threshold: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Checked ``(N, C, ...)`` 0/1 channels of ``pred`` and ``target``."""
    p, t, _ = to_labels(pred, target, decision=decision, threshold=threshold,
                        num_classes=None, multilabel=True)
    if p.ndim < 2:
        raise ShapeError(
            f"multi-label input must have shape (N, C, ...); got {tuple(p.shape)}. Add a "
            "batch axis with x[None] for a single image"
        )
    return p, t


def multilabel_confusion_matrix(
    pred: Any,
    target: Any,
    *,
    per_image: bool,
    decision: str,
    threshold: float,
    count_on_host: HostMultilabelCounter,
) -> torch.Tensor:
    """Per-class ``[[tn, fp], [fn, tp]]`` of multi-label tensors ``(N, C, ...)``.

    The arguments are those of :func:`segscope.multilabel_confusion_matrix`;
    ``count_on_host`` counts NumPy views of CPU tensors.
    """
    if isinstance(pred, (list, tuple)) or isinstance(target, (list, tuple)):
        pairs = _pairs(pred, target)
        channels = {p.shape[0] if p.ndim else None for p, _ in pairs}
        if len(channels) != 1 or None in channels:
            raise ShapeError(
                "every multi-label image must have the same number of channels on its first "
                f"axis, (C, ...); got {sorted(map(str, channels))}"
            )
        counts = torch.cat([multilabel_confusion_matrix(
            p[None], t[None], per_image=True, decision=decision, threshold=threshold,
            count_on_host=count_on_host) for p, t in pairs])
        return counts if per_image else counts.sum(0)
    p, t = multilabel_labels(pred, target, decision=decision, threshold=threshold)
    if p.device.type == "cpu":
        counts = torch.from_numpy(count_on_host(numpy_view(p), numpy_view(t)))
    else:
        counts, invalid = multilabel_counts_on_device(p, t)
        if int(invalid):
            raise LabelError(
                "multi-label input must be boolean or 0/1 per channel; found other values. "
                "Threshold scores first, e.g. decision='threshold'"
            )
    return counts if per_image else counts.sum(0)
