"""Soft Jaccard (IoU) loss."""

from __future__ import annotations

import torch

from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._overlap import safe_ratio
from ._overlap_loss import check_smooth, overlap_loss

__all__ = ["JaccardLoss", "soft_jaccard_loss"]


@fill
def soft_jaccard_loss(
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
    """Soft Jaccard (IoU) loss ``1 - (I + s) / (P + T - I + s)``, averaged over classes.

    With soft counts ``I = Σ p·t``, ``P = Σ p``, ``T = Σ t`` per class and smoothing
    ``s``; 0/0 counts as a perfect score (never NaN).

    Parameters
    ----------
    {common}
    smooth : float, default 1.0
        ``s`` above. With ``s > 0`` an empty target gives loss ``P / (P + s)``;
        ``s = 0`` gives exactly ``1 - IoU`` on hard inputs (segmentation_models_pytorch's
        ``smooth`` is the same ``s``).

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Examples
    --------
    >>> probs = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])   # (1, 1, 4)
    >>> target = torch.tensor([[[1.0, 0.0, 0.0, 0.0]]])
    >>> soft_jaccard_loss(probs, target, task="binary", from_logits=False, smooth=0).item()
    0.5
    """
    s = check_smooth(smooth)
    return overlap_loss(
        pred, target, lambda i, p, t: safe_ratio(i + s, p + t - i + s), task=task,
        from_logits=from_logits, aggregate=aggregate, ignore_index=ignore_index,
        class_weights=class_weights, validate=validate,
    )


class JaccardLoss(LossModule):
    """Module form of :func:`soft_jaccard_loss`; options are keyword arguments.

    Examples
    --------
    >>> JaccardLoss(task="multiclass", from_logits=True, smooth=0.0).extra_repr()[:40]
    "task='multiclass', from_logits=True, agg"
    """

    function = staticmethod(soft_jaccard_loss)

    def __init__(self, *, task: Task, from_logits: bool, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0, ignore_index: int | None = None,
                 class_weights: object = None, validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, aggregate=aggregate,
                         smooth=smooth, ignore_index=ignore_index,
                         class_weights=class_weights, validate=validate)
