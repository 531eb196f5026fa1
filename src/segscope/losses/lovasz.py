"""Lovász-Softmax and Lovász hinge losses (Berman, Rannen Triki, Blaschko, CVPR 2018)."""

from __future__ import annotations

import torch

from .._checks import check_choice
from ..errors import ParameterError
from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._prepare import Prepared, check_aggregate, class_weight_tensor, prepare

__all__ = ["LovaszHingeLoss", "LovaszSoftmaxLoss", "lovasz_hinge_loss", "lovasz_softmax_loss"]

CLASS_SETS = ("all", "present")


def _rows(x: torch.Tensor, aggregate: str) -> torch.Tensor:
    """``(N, C, L)`` per image, or ``(1, C, N·L)`` for the whole batch."""
    if aggregate == "image":
        return x
    return x.transpose(0, 1).reshape(1, x.shape[1], -1)


def _hard_targets(prep: Prepared, validate: bool) -> torch.Tensor:
    """``(N, C, L)`` 0/1 targets; soft labels are refused (Lovász needs sets)."""
    target = prep.dense_target()
    if validate and prep.dense is not None and bool(((target != 0) & (target != 1)).any()):
        raise ParameterError(
            "the Lovász losses need hard 0/1 targets (the extension is defined on sets); "
            "got soft labels. Threshold them, or use a soft Dice/Jaccard loss"
        )
    return target


def _lovasz_per_row(errors: torch.Tensor, truth: torch.Tensor, valid: torch.Tensor | None,
                    floor: float) -> torch.Tensor:
    """Lovász extension of the Jaccard loss for each (row, class): ``(R, C)``.

    ``errors`` and ``truth`` are ``(R, C, L)``; invalid pixels sort last with zero weight.
    """
    if valid is not None:
        errors = torch.where(valid > 0, errors, torch.full_like(errors, floor))
        truth = truth * valid
    sorted_errors, order = torch.sort(errors, dim=-1, descending=True)
    truth_sorted = truth.gather(-1, order)
    total = truth_sorted.sum(-1, keepdim=True)
    inter = total - truth_sorted.cumsum(-1)
    union = total + (1.0 - truth_sorted).cumsum(-1)
    jaccard = 1.0 - inter / union
    increments = torch.cat([jaccard[..., :1], jaccard[..., 1:] - jaccard[..., :-1]], dim=-1)
    return (sorted_errors.clamp_min(0) * increments).sum(-1)


def _mean_over_classes(per_class: torch.Tensor, include: torch.Tensor,
                       weights: torch.Tensor | None) -> torch.Tensor:
    w = include.to(per_class.dtype)
    if weights is not None:
        w = w * weights
    den = w.sum(1)
    row = (per_class * w).sum(1) / torch.where(den > 0, den, torch.ones_like(den))
    return row.mean()


def _truth_rows(prep, aggregate: LossAggregate, validate: bool):
    """Hard targets and the valid-pixel mask (or None), as rows per class (and image)."""
    truth = _hard_targets(prep, validate)
    valid = prep.valid
    if valid is not None:
        valid = _rows(valid.expand_as(truth), aggregate)
    return _rows(truth, aggregate), valid


@fill
def lovasz_softmax_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    classes: str = "all",
    aggregate: LossAggregate = "dataset",
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Lovász-Softmax loss: the convex Lovász extension of ``1 - IoU`` per class.

    For each class, the pixel errors ``e = |t - p|`` are sorted in decreasing order and
    weighted by the increments of the Jaccard loss of the growing set of mispredicted
    pixels (Berman et al. 2018, Algorithm 1). On hard 0/1 predictions it equals
    ``1 - IoU`` of the class. ``"binary"``/``"multilabel"`` use sigmoid probabilities
    of each channel.

    Parameters
    ----------
    {common}
    classes : {"all", "present"}, default "all"
        Average over all classes, or only those present in the target of the row
        (Berman's and segmentation_models_pytorch's default). With ``"all"``, a class
        absent from the target contributes its largest predicted probability, so false
        positives on empty targets are penalised; with ``"present"`` an image without
        any target class contributes 0.

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Notes
    -----
    Soft targets are refused: the Lovász extension is defined on sets. Berman's code
    uses ``aggregate="dataset"`` (``per_image=False``) for this loss.

    Examples
    --------
    >>> probs = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    >>> target = torch.tensor([[[1.0, 0.0, 0.0, 0.0]]])
    >>> lovasz_softmax_loss(probs, target, task="binary", from_logits=False).item()
    0.5
    """
    check_aggregate(aggregate)
    check_choice("classes", classes, CLASS_SETS)
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    truth, valid = _truth_rows(prep, aggregate, validate)
    errors = (truth - _rows(prep.probs, aggregate)).abs()
    per_class = _lovasz_per_row(errors, truth, valid, floor=-1.0)
    present = truth.sum(-1) > 0
    include = present if classes == "present" else torch.ones_like(present)
    return prep.finish(_mean_over_classes(per_class, include, weights))


@fill
def lovasz_hinge_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    aggregate: LossAggregate = "dataset",
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Lovász hinge loss for binary and multilabel segmentation (Berman et al. 2018).

    With logits ``x`` and signs ``σ = 2t - 1``, the hinge errors ``max(0, 1 - σ·x)`` of
    each channel are sorted decreasingly and weighted by the increments of the Jaccard
    loss (the Lovász extension); channels are then averaged. An empty target gives
    ``max(0, 1 + max x)``, so false positives are penalised.

    Parameters
    ----------
    {common}

    Returns
    -------
    Tensor
        Scalar loss (>= 0).

    Notes
    -----
    The hinge needs real-valued margins: ``from_logits`` must be ``True``; there is no
    multiclass task (use :func:`lovasz_softmax_loss`). Berman's code uses
    ``aggregate="image"`` (``per_image=True``) for this loss; soft targets are refused.

    Examples
    --------
    >>> logits = torch.tensor([[[2.0, -2.0]]])
    >>> target = torch.tensor([[[1.0, 0.0]]])
    >>> lovasz_hinge_loss(logits, target, task="binary", from_logits=True).item()
    0.0
    """
    check_aggregate(aggregate)
    check_choice("task", task, ("binary", "multilabel"))
    if from_logits is not True:
        raise ParameterError(
            "lovasz_hinge_loss works on logits (margins): pass from_logits=True and the raw "
            "network outputs, or use lovasz_softmax_loss for probabilities"
        )
    prep = prepare(pred, target, task=task, from_logits=True, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    truth, valid = _truth_rows(prep, aggregate, validate)
    logits = _rows(prep.logits, aggregate)
    errors = 1.0 - logits * (2.0 * truth - 1.0)
    per_class = _lovasz_per_row(errors, truth, valid, floor=torch.finfo(errors.dtype).min)
    everything = torch.ones_like(per_class, dtype=torch.bool)
    return prep.finish(_mean_over_classes(per_class, everything, weights))


class LovaszSoftmaxLoss(LossModule):
    """Module form of :func:`lovasz_softmax_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = LovaszSoftmaxLoss(task="multiclass", from_logits=True)
    >>> loss(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long)).item() > 0
    True
    """

    function = staticmethod(lovasz_softmax_loss)

    def __init__(self, *, task: Task, from_logits: bool, classes: str = "all",
                 aggregate: LossAggregate = "dataset", ignore_index: int | None = None,
                 class_weights: object = None, validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, classes=classes,
                         aggregate=aggregate, ignore_index=ignore_index,
                         class_weights=class_weights, validate=validate)


class LovaszHingeLoss(LossModule):
    """Module form of :func:`lovasz_hinge_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = LovaszHingeLoss(task="binary", from_logits=True)
    >>> loss(torch.zeros(1, 1, 2, 2), torch.ones(1, 1, 2, 2)).item()
    1.0
    """

    function = staticmethod(lovasz_hinge_loss)

    def __init__(self, *, task: Task, from_logits: bool, aggregate: LossAggregate = "dataset",
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, aggregate=aggregate,
                         ignore_index=ignore_index, class_weights=class_weights,
                         validate=validate)
