"""Cross-entropy + soft Dice in one pass (the most common segmentation loss)."""

from __future__ import annotations

import torch

from ..errors import ParameterError
from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._overlap import (
    reduce_losses,
    safe_ratio,
    soft_counts,
    softmax_counts_and_nll,
    target_counts,
)
from ._overlap_loss import check_smooth
from ._pixelwise import mean_over_pixels
from ._prepare import check_aggregate, class_weight_tensor, prepare
from .focal import pixel_losses

__all__ = ["DiceCELoss", "dice_ce_loss"]


@fill
def dice_ce_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    ce_weight: float = 1.0,
    dice_weight: float = 1.0,
    aggregate: LossAggregate = "dataset",
    smooth: float = 1.0,
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """``ce_weight · cross_entropy + dice_weight · soft_dice``, sharing one softmax.

    The value equals ``ce_weight * cross_entropy_loss(...) + dice_weight *
    soft_dice_loss(...)`` with the same options (see those functions for the formulas);
    for multiclass logits with index targets both terms come from a single fused pass
    (one softmax, one backward kernel), which is what makes it faster than adding the
    two losses. ``class_weights`` weigh both terms.

    Parameters
    ----------
    {common}
    ce_weight, dice_weight : float, default 1.0
        Weights of the two terms.
    smooth : float, default 1.0
        Smoothing of the Dice term.

    Returns
    -------
    Tensor
        Scalar loss.

    Examples
    --------
    >>> logits = torch.zeros(1, 2, 2, 2)
    >>> target = torch.tensor([[[0, 1], [1, 1]]])
    >>> round(dice_ce_loss(logits, target, task="multiclass", from_logits=True).item(), 4)
    1.1098
    """
    check_aggregate(aggregate)
    s = check_smooth(smooth)
    a, b = float(ce_weight), float(dice_weight)
    if not (a >= 0 and b >= 0):
        raise ParameterError(f"ce_weight and dice_weight must be >= 0; got {a}, {b}")
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    if prep.task == "multiclass" and prep.from_logits and prep.index is not None:
        inter, pred_sum, nll = softmax_counts_and_nll(prep.scores, prep.index, prep.valid)
        per_pixel = nll.unsqueeze(1)
        if weights is not None:
            per_pixel = per_pixel * weights[prep.index.unsqueeze(1)]
        ce = mean_over_pixels(per_pixel, prep.valid, aggregate)
        target_sum = target_counts(prep, pred_sum)
        if aggregate == "dataset":
            inter, pred_sum, target_sum = (x.sum(0, keepdim=True)
                                           for x in (inter, pred_sum, target_sum))
    else:
        ce = pixel_losses(prep, 0.0, None, weights, aggregate)
        inter, pred_sum, target_sum = soft_counts(prep, aggregate)
    dice = reduce_losses(1.0 - safe_ratio(2 * inter + s, pred_sum + target_sum + s), weights)
    return prep.finish(a * ce + b * dice)


class DiceCELoss(LossModule):
    """Module form of :func:`dice_ce_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = DiceCELoss(task="multiclass", from_logits=True, dice_weight=0.5)
    >>> loss(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long)).item() > 0
    True
    """

    function = staticmethod(dice_ce_loss)

    def __init__(self, *, task: Task, from_logits: bool, ce_weight: float = 1.0,
                 dice_weight: float = 1.0, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0,
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, ce_weight=ce_weight,
                         dice_weight=dice_weight, aggregate=aggregate, smooth=smooth,
                         ignore_index=ignore_index, class_weights=class_weights,
                         validate=validate)
