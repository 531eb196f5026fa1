"""Turn ``(pred, target)`` of any loss task into one internal layout.

Every loss in :mod:`segscope.losses` starts here, so that shapes, tasks, the
activation, ``ignore_index`` and value checks behave the same everywhere.

Internal layout (``L`` = number of pixels or voxels per image):

``probs``
    ``(N, C, L)`` probabilities (after the activation when ``from_logits=True``).
``index``
    ``(N, L)`` int64 class indices for hard multiclass targets, else ``None``.
``dense``
    ``(N, C, L)`` float targets in ``[0, 1]`` (binary, multilabel, soft multiclass),
    else ``None``.
``valid``
    float 0/1 mask of the pixels that count, broadcastable to ``(N, C, L)``:
    ``(N, 1, L)`` (binary, multiclass) or ``(N, C, L)`` (multilabel); ``None`` when
    every pixel counts.
"""

from __future__ import annotations

import torch

from .._checks import check_choice
from ..errors import DTypeError, LabelError, ParameterError, ShapeError
from ..options import LOSS_AGGREGATES, TASKS, Task

__all__ = ["LOSS_AGGREGATES", "TASKS", "Prepared", "check_aggregate", "class_weight_tensor",
           "prepare"]


class Prepared:
    """Inputs of a loss in the internal layout (see the module docstring).

    ``probs`` is computed on first use (cross-entropy and focal losses work from
    ``log_softmax``/``logsigmoid`` and never need it). Value checks are collected as
    device flags and read back once, together with the finiteness of the loss, in
    :meth:`finish`: one synchronisation per call.
    """

    def __init__(self, scores, task, from_logits, index, dense, valid, checks, messages):
        self.scores = scores
        self.task = task
        self.from_logits = from_logits
        self.index = index
        self.dense = dense
        self.valid = valid
        self.checks = checks
        self.messages = messages
        self._probs = None

    @property
    def logits(self) -> torch.Tensor | None:
        return self.scores if self.from_logits else None

    @property
    def probs(self) -> torch.Tensor:
        if self._probs is None:
            if not self.from_logits:
                self._probs = self.scores
            elif self.task == "multiclass":
                self._probs = torch.softmax(self.scores, dim=1)
            else:
                self._probs = torch.sigmoid(self.scores)
        return self._probs

    @property
    def num_classes(self) -> int:
        return self.scores.shape[1]

    def dense_target(self) -> torch.Tensor:
        """Targets as ``(N, C, L)`` floats (one-hot of ``index`` when needed)."""
        if self.dense is not None:
            return self.dense
        classes = torch.arange(self.num_classes, device=self.index.device).view(1, -1, 1)
        return (self.index.unsqueeze(1) == classes).to(self.scores.dtype)

    def finish(self, loss: torch.Tensor) -> torch.Tensor:
        """Raise on any failed check (or a non-finite loss), else return ``loss``."""
        if self.checks is None:
            return loss
        flags = torch.stack([*self.checks, ~torch.isfinite(loss.detach())]).tolist()
        messages = [*self.messages,
                    "the loss is not finite: pred contains NaN or infinite values (check the "
                    "network's outputs)"]
        for flag, message in zip(flags, messages, strict=True):
            if flag:
                raise (LabelError if "class indices" in message else ParameterError)(message)
        return loss


def _outside(x: torch.Tensor, low: float, high: float) -> torch.Tensor:
    """A device flag: any value of ``x`` outside ``[low, high]`` or NaN (one pass)."""
    if x.numel() == 0:
        return torch.zeros((), dtype=torch.bool, device=x.device)
    lo, hi = torch.aminmax(x)
    return ~((lo >= low) & (hi <= high))


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(
            f"{name} must be True or False; got {value!r}. Pass from_logits=True for raw "
            "network outputs or from_logits=False for probabilities"
        )
    return value


def _as_tensor(x: object, name: str) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise DTypeError(f"{name} must be a torch.Tensor; got {type(x).__name__}")
    return x


def prepare(
    pred: torch.Tensor,
    target: torch.Tensor,
    *,
    task: Task,
    from_logits: bool,
    ignore_index: int | None = None,
    validate: bool = True,
) -> Prepared:
    """Check ``pred``/``target`` for ``task`` and bring them to the internal layout.

    Parameters
    ----------
    pred : Tensor
        Floating scores: ``(N, C, *spatial)``; for ``task="binary"`` also
        ``(N, *spatial)``.
    target : Tensor
        ``task="multiclass"``: integer class indices ``(N, *spatial)`` or soft labels
        ``(N, C, *spatial)`` (floats in ``[0, 1]``); ``"binary"``/``"multilabel"``:
        values in ``[0, 1]`` with the shape of ``pred`` (binary also ``(N, *spatial)``).
    task : {"binary", "multiclass", "multilabel"}
    from_logits : bool
        Apply softmax (multiclass) or sigmoid (binary, multilabel) to ``pred`` first.
    ignore_index : int, optional
        Target value of pixels that do not count.
    validate : bool
        Check value ranges. The flags are read back with the loss in
        :meth:`Prepared.finish` (one device synchronisation per call). With
        ``validate=False`` out-of-range class indices are an indexing error.

    Examples
    --------
    >>> p = prepare(torch.zeros(2, 3, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long),
    ...             task="multiclass", from_logits=True)
    >>> tuple(p.probs.shape), tuple(p.index.shape)
    ((2, 3, 16), (2, 16))
    """
    check_choice("task", task, TASKS)
    _check_bool("from_logits", from_logits)
    pred = _as_tensor(pred, "pred")
    target = _as_tensor(target, "target")
    if not pred.is_floating_point():
        raise DTypeError(
            f"pred must be a floating tensor of scores (logits or probabilities); got "
            f"{pred.dtype}. Losses need the network's scores, not label maps"
        )
    if ignore_index is not None and not isinstance(ignore_index, int):
        raise ParameterError(f"ignore_index must be an int or None; got {ignore_index!r}")
    if pred.ndim < 2:
        raise ShapeError(
            f"pred must have a batch axis and at least one more; got {tuple(pred.shape)}"
        )
    if target.device != pred.device:
        raise ParameterError(
            f"pred is on {pred.device} and target on {target.device}; move both to one device"
        )

    if task == "binary":
        if pred.ndim == target.ndim + 1 and pred.shape[1] == 1:
            target = target.unsqueeze(1)
        elif pred.ndim == target.ndim and (pred.ndim == 2 or pred.shape[1] != 1):
            pred, target = pred.unsqueeze(1), target.unsqueeze(1)
        if pred.shape != target.shape or pred.shape[1] != 1:
            raise ShapeError(
                f"task='binary' expects pred and target of shape (N, *spatial) or "
                f"(N, 1, *spatial); got pred {tuple(pred.shape)} and target "
                f"{tuple(target.shape)}. For several channels use task='multilabel'"
            )
    elif task == "multilabel":
        if pred.shape != target.shape or pred.ndim < 3:
            raise ShapeError(
                f"task='multilabel' expects pred and target of the same shape (N, C, *spatial);"
                f" got pred {tuple(pred.shape)} and target {tuple(target.shape)}"
            )
    else:
        soft = target.shape == pred.shape and target.is_floating_point()
        if pred.ndim < 3 or not (soft or target.shape == pred.shape[:1] + pred.shape[2:]):
            raise ShapeError(
                f"task='multiclass' expects pred (N, C, *spatial) and target (N, *spatial) of "
                f"class indices, or soft labels of pred's shape; got pred {tuple(pred.shape)} "
                f"and target {tuple(target.shape)}"
            )
        if target.is_floating_point() and not soft:
            raise DTypeError(
                f"task='multiclass' target of shape {tuple(target.shape)} holds class indices "
                f"but has dtype {target.dtype}; pass target.long(), or soft labels of pred's "
                "shape"
            )

    n, c = pred.shape[0], pred.shape[1]
    scores = pred.reshape(n, c, -1)
    if scores.dtype in (torch.float16, torch.bfloat16):
        # mixed precision: sums over a batch overflow float16 (max 65504) and lose digits
        # in bfloat16, so the loss is computed in float32 (the gradient is cast back)
        scores = scores.float()
    checks: list[torch.Tensor] = []
    messages: list[str] = []
    valid = index = dense = None
    if task == "multiclass" and not target.is_floating_point():
        if target.dtype == torch.bool or target.is_complex():
            raise DTypeError(f"task='multiclass' expects integer class indices; got {target.dtype}")
        index = target.reshape(n, -1).long()
        if ignore_index is not None:
            keep = index != ignore_index
            valid = keep.unsqueeze(1).to(scores.dtype)
            index = torch.where(keep, index, torch.zeros_like(index))
        if validate:
            checks.append(_outside(index, 0, c - 1))
            messages.append(
                f"target holds class indices outside [0, {c}) (pred has {c} channels); "
                "fix the labels, or pass ignore_index for the void label"
            )
            # the check is read back at the end (one synchronisation); until then keep
            # indexing in bounds so that a bad label cannot crash a gather on the device
            index = index.clamp(0, c - 1)
    else:
        flat = target.reshape(n, c, -1)
        if ignore_index is not None:
            keep = flat != ignore_index
            flat = torch.where(keep, flat, torch.zeros_like(flat))
            # multiclass soft labels: a pixel is ignored when any channel holds ignore_index;
            # binary/multilabel: per channel
            valid = (keep.all(dim=1, keepdim=True) if task == "multiclass" else keep)
            valid = valid.to(scores.dtype)
        dense = flat.to(scores.dtype)
        if validate:
            checks.append(_outside(dense, 0.0, 1.0))
            messages.append("target values must lie in [0, 1] (hard 0/1 masks or soft labels)")
    if validate and not from_logits:
        checks.append(_outside(scores, 0.0, 1.0))
        messages.append(
            "pred holds values outside [0, 1] (or NaN) although from_logits=False; pass "
            "from_logits=True for raw network outputs"
        )
    return Prepared(scores, task, from_logits, index, dense, valid,
                    checks if validate else None, messages)


def class_weight_tensor(
    class_weights: object, num_classes: int, like: torch.Tensor
) -> torch.Tensor | None:
    """Class weights as a float tensor on ``like``'s device, or ``None``.

    Raises
    ------
    ParameterError
        If the length differs from ``num_classes`` or a weight is negative.
    """
    if class_weights is None:
        return None
    w = torch.as_tensor(class_weights, dtype=like.dtype, device=like.device).reshape(-1)
    if w.numel() != num_classes:
        raise ParameterError(
            f"class_weights must have one weight per class ({num_classes}); got {w.numel()}"
        )
    if bool((w < 0).any()) or not bool(torch.isfinite(w).all()):
        raise ParameterError("class_weights must be finite and non-negative")
    return w


def check_aggregate(aggregate: str) -> str:
    """Return ``aggregate`` if it is ``"dataset"`` (pool the batch) or ``"image"``."""
    return check_choice("aggregate", aggregate, LOSS_AGGREGATES)
