"""Soft Dice loss."""

from __future__ import annotations

import torch

from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._overlap import safe_ratio
from ._overlap_loss import check_smooth, overlap_loss

__all__ = ["DiceLoss", "soft_dice_loss"]


@fill
def soft_dice_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    aggregate: LossAggregate = "dataset",
    smooth: float = 1.0,
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Soft Dice loss ``1 - (2 I + s) / (P + T + s)``, averaged over classes.

    With soft counts ``I = Σ p·t``, ``P = Σ p``, ``T = Σ t`` per class (over the batch
    or per image, see ``aggregate``) and smoothing ``s``. A 0/0 ratio (``s = 0``, class
    absent from prediction and target) counts as a perfect score, so the loss is never
    NaN.

    Parameters
    ----------
    {common}
    smooth : float, default 1.0
        ``s`` above, added to numerator and denominator. With ``s > 0`` an empty target
        gives loss ``P / (P + s)``: 0 for an empty prediction, growing with every false
        positive, with a useful gradient. ``s = 0`` gives exactly ``1 - Dice`` on hard
        inputs. (segmentation_models_pytorch's ``smooth=a`` equals ``s = 2a`` here.)

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Examples
    --------
    >>> logits = torch.tensor([[[[4.0, -4.0]], [[-4.0, 4.0]]]])  # (1, 2, 1, 2)
    >>> target = torch.tensor([[[0, 1]]])
    >>> round(soft_dice_loss(logits, target, task="multiclass", from_logits=True).item(), 4)
    0.0002
    """
    s = check_smooth(smooth)
    return overlap_loss(
        pred, target, lambda i, p, t: safe_ratio(2 * i + s, p + t + s), task=task,
        from_logits=from_logits, aggregate=aggregate, ignore_index=ignore_index,
        class_weights=class_weights, validate=validate,
    )


class DiceLoss(LossModule):
    """Module form of :func:`soft_dice_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = DiceLoss(task="binary", from_logits=True)
    >>> loss(torch.zeros(2, 1, 4, 4), torch.ones(2, 1, 4, 4)).shape
    torch.Size([])
    """

    function = staticmethod(soft_dice_loss)

    def __init__(self, *, task: Task, from_logits: bool, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0, ignore_index: int | None = None,
                 class_weights: object = None, validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, aggregate=aggregate,
                         smooth=smooth, ignore_index=ignore_index,
                         class_weights=class_weights, validate=validate)
