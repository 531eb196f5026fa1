"""Generalized Dice loss (Sudre et al. 2017)."""

from __future__ import annotations

import torch

from .._checks import check_choice
from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._overlap import safe_ratio, soft_counts
from ._overlap_loss import check_smooth
from ._prepare import check_aggregate, class_weight_tensor, prepare

__all__ = ["GeneralizedDiceLoss", "generalized_dice_loss"]

WEIGHTINGS = ("square", "simple", "uniform")


def _class_weights(target_sum: torch.Tensor, weighting: str) -> torch.Tensor:
    """Sudre weights per row; absent classes take the row's largest finite weight."""
    if weighting == "uniform":
        return torch.ones_like(target_sum)
    power = 2.0 if weighting == "square" else 1.0
    present = target_sum > 0
    raw = torch.where(present, target_sum, torch.ones_like(target_sum)).pow(-power)
    raw = torch.where(present, raw, torch.zeros_like(raw))
    largest = raw.amax(dim=1, keepdim=True)
    largest = torch.where(largest > 0, largest, torch.ones_like(largest))
    weights = torch.where(present, raw, largest)
    return weights / weights.sum(dim=1, keepdim=True)


@fill
def generalized_dice_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    weighting: str = "square",
    aggregate: LossAggregate = "dataset",
    smooth: float = 1.0,
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Generalized Dice loss ``1 - (2 Σ_c w_c I_c + s) / (Σ_c w_c (P_c + T_c) + s)``.

    Sudre et al. 2017 weight each class by the inverse square of its target volume,
    ``w_c = 1 / T_c²``, so that small structures count as much as large ones. A class
    absent from the target (``T_c = 0``) takes the largest weight of the present
    classes (as MONAI does), so its false positives are penalised; when no class is
    present all weights are equal. The weights are normalised to sum to 1 in each row,
    which leaves the ratio unchanged without smoothing and keeps ``s`` on the same scale
    as in :func:`soft_dice_loss`. Weights carry no gradient.

    Parameters
    ----------
    {common}
    weighting : {"square", "simple", "uniform"}, default "square"
        ``1/T²`` (Sudre), ``1/T`` or ``1``.
    smooth : float, default 1.0
        ``s`` above. ``s = 0`` reproduces MONAI's ``GeneralizedDiceLoss`` with
        ``smooth_nr = smooth_dr = 0``.

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Examples
    --------
    >>> probs = torch.tensor([[[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0]]])  # (1, 2, 4)
    >>> target = torch.tensor([[0, 1, 1, 1]])
    >>> generalized_dice_loss(probs, target, task="multiclass", from_logits=False,
    ...                       smooth=0).item()
    0.0
    """
    check_aggregate(aggregate)
    check_choice("weighting", weighting, WEIGHTINGS)
    s = check_smooth(smooth)
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    extra = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    inter, pred_sum, target_sum = soft_counts(prep, aggregate)
    weights = _class_weights(target_sum.detach(), weighting)
    if extra is not None:
        weights = weights * extra
    num = 2 * (weights * inter).sum(1) + s
    den = (weights * (pred_sum + target_sum)).sum(1) + s
    return prep.finish((1.0 - safe_ratio(num, den)).mean())


class GeneralizedDiceLoss(LossModule):
    """Module form of :func:`generalized_dice_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = GeneralizedDiceLoss(task="multiclass", from_logits=True)
    >>> loss(torch.zeros(1, 3, 4, 4), torch.zeros(1, 4, 4, dtype=torch.long)).item() > 0
    True
    """

    function = staticmethod(generalized_dice_loss)

    def __init__(self, *, task: Task, from_logits: bool, weighting: str = "square",
                 aggregate: LossAggregate = "dataset", smooth: float = 1.0,
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, weighting=weighting,
                         aggregate=aggregate, smooth=smooth, ignore_index=ignore_index,
                         class_weights=class_weights, validate=validate)
