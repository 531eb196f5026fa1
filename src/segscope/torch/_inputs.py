"""Check tensor inputs and turn scores into labels (``decision``), on their own device."""

from __future__ import annotations

import torch

from .._checks import check_choice, check_same_shape
from ..errors import DTypeError, LabelError, ParameterError, ShapeError

__all__ = ["DECISIONS", "to_labels"]

DECISIONS = ("labels", "argmax", "threshold")


def _is_label_dtype(x: torch.Tensor) -> bool:
    return x.dtype == torch.bool or not (x.is_floating_point() or x.is_complex())


def _target_labels(target: torch.Tensor) -> torch.Tensor:
    """Integer targets as they are; float targets only if every value is whole."""
    if _is_label_dtype(target):
        return target
    if target.is_complex():
        raise DTypeError(f"target has dtype {target.dtype}; expected integer labels")
    finite = bool(torch.isfinite(target).all())
    if not finite:
        raise LabelError("target contains NaN or infinite values; labels must be finite integers")
    if not bool((target == target.round()).all()):
        raise DTypeError(
            f"target has dtype {target.dtype} with fractional values; labels must be integers "
            "(pass integer tensors, e.g. target.long())"
        )
    return target.long()


def to_labels(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    decision: str,
    threshold: float,
    num_classes: int | None,
    multilabel: bool,
    keep_scores: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, int | None]:
    """Return ``(pred_labels, target_labels, num_classes)`` of the same shape.

    ``decision="labels"`` takes ``pred`` as a label map; ``"argmax"`` takes the class of
    the largest score over axis 1 of ``(N, C, ...)`` scores; ``"threshold"`` marks
    ``pred > threshold`` (binary, or per channel with ``multilabel``). With
    ``keep_scores`` the checked ``argmax`` scores are returned as they are, for a caller
    that fuses the argmax with the counting.

    Examples
    --------
    >>> p, t, c = to_labels(torch.tensor([[[0.2], [0.8]]]), torch.tensor([[1]]),
    ...                     decision="argmax", threshold=0.5, num_classes=None,
    ...                     multilabel=False)
    >>> p.tolist(), c
    ([[1]], 2)
    """
    check_choice("decision", decision, DECISIONS)
    for name, x in (("pred", pred), ("target", target)):
        if not isinstance(x, torch.Tensor):
            raise DTypeError(f"{name} must be a torch.Tensor; got {type(x).__name__}. "
                             "Use segscope.evaluate for NumPy arrays")
    if pred.device != target.device:
        raise ParameterError(
            f"pred is on {pred.device} and target on {target.device}; move both to one device"
        )
    pred, target = pred.detach(), target.detach()
    if decision == "argmax":
        if not pred.is_floating_point():
            raise DTypeError(f"decision='argmax' needs floating scores; got {pred.dtype}")
        if multilabel:
            raise ParameterError("decision='argmax' is for single-label scores; multi-label "
                                 "input needs decision='threshold'")
        if pred.ndim != target.ndim + 1 or pred.shape[:1] + pred.shape[2:] != target.shape:
            raise ShapeError(
                f"decision='argmax' expects scores (N, C, *spatial) and target (N, *spatial); "
                f"got pred {tuple(pred.shape)} and target {tuple(target.shape)}"
            )
        if num_classes is not None and pred.shape[1] != num_classes:
            raise ShapeError(
                f"num_classes={num_classes} but pred has {pred.shape[1]} score channels"
            )
        labels = pred if keep_scores else pred.argmax(dim=1)
        return labels, _target_labels(target), pred.shape[1]
    check_same_shape(pred, target)
    if decision == "threshold":
        if not pred.is_floating_point():
            raise DTypeError(f"decision='threshold' needs floating scores; got {pred.dtype}")
        if not multilabel and num_classes not in (None, 2):
            raise ParameterError(
                f"decision='threshold' gives binary labels, so num_classes must be 2; got "
                f"{num_classes}. Use decision='argmax' for multi-class scores"
            )
        labels = (pred > float(threshold)).to(torch.uint8)
        return labels, _target_labels(target), (None if multilabel else 2)
    if not _is_label_dtype(pred):
        raise DTypeError(
            f"pred has dtype {pred.dtype}: scores, not labels. Pass decision='argmax' for "
            "class scores (N, C, ...) or decision='threshold' (with threshold=...) for "
            "probabilities or logits"
        )
    return pred, _target_labels(target), num_classes
