"""Check tensor inputs and turn scores into labels (``decision``), on their own device."""

from __future__ import annotations

import numpy as np
import torch

from .._checks import check_decision
from ..errors import DTypeError, LabelError, ParameterError

__all__ = ["to_labels"]


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


def _as_tensor(x: object, device: torch.device, name: str) -> torch.Tensor:
    """The NumPy side of a mixed pair as a tensor on the other side's device."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise DTypeError(f"{name} has dtype {arr.dtype}; expected an integer, boolean or "
                         "floating array")
    return torch.as_tensor(arr, device=device)


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

    One of ``pred`` and ``target`` may be a NumPy array: it is moved to the tensor's device.

    ``decision="labels"`` takes ``pred`` as a label map (a floating ``pred`` is refused:
    on a device, checking that scores are whole numbers would cost a synchronisation);
    ``"argmax"`` takes the class of the largest score over axis 1 of ``(N, C, ...)``
    scores; ``"threshold"`` marks ``pred > threshold`` (binary, or per channel with
    ``multilabel``). With ``keep_scores`` the checked ``argmax`` scores are returned as
    they are, for a caller that fuses the argmax with the counting.

    Examples
    --------
    >>> p, t, c = to_labels(torch.tensor([[[0.2], [0.8]]]), torch.tensor([[1]]),
    ...                     decision="argmax", threshold=0.5, num_classes=None,
    ...                     multilabel=False)
    >>> p.tolist(), c
    ([[1]], 2)
    """
    # a NumPy side of a mixed pair is read on the tensor side (as the boundary metrics do)
    device = pred.device if isinstance(pred, torch.Tensor) else target.device
    pred = pred if isinstance(pred, torch.Tensor) else _as_tensor(pred, device, "pred")
    target = target if isinstance(target, torch.Tensor) else _as_tensor(target, device, "target")
    if pred.device != target.device:
        raise ParameterError(
            f"pred is on {pred.device} and target on {target.device}; move both to one device"
        )
    pred, target = pred.detach(), target.detach()
    classes = check_decision(decision, pred, target, scores=pred.is_floating_point(),
                             num_classes=num_classes, multilabel=multilabel)
    if decision == "argmax":
        labels = pred if keep_scores else pred.argmax(dim=1)
        return labels, _target_labels(target), classes
    if decision == "threshold":
        return (pred > float(threshold)).to(torch.uint8), _target_labels(target), classes
    if not _is_label_dtype(pred):
        raise DTypeError(
            f"pred has dtype {pred.dtype}: scores, not labels. Pass decision='argmax' for "
            "class scores (N, C, ...) or decision='threshold' (with threshold=...) for "
            "probabilities or logits"
        )
    return pred, _target_labels(target), classes
