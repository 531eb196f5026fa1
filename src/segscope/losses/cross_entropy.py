"""Cross-entropy in the same tasks and options as the other losses."""

from __future__ import annotations

import torch

from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._prepare import check_aggregate, class_weight_tensor, prepare
from .focal import pixel_losses

__all__ = ["CrossEntropyLoss", "cross_entropy_loss"]


@fill
def cross_entropy_loss(
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
    """Cross-entropy (softmax for multiclass, binary cross-entropy per channel otherwise).

    The focal loss with ``gamma = 0``: per pixel ``-Σ_c w_c t_c log p_c`` (multiclass)
    or ``-w_c [t log p + (1 - t) log(1 - p)]`` (binary, multilabel), averaged over the
    valid pixels. Soft targets are accepted. Without class weights, ``aggregate="dataset"``
    equals ``torch.nn.functional.cross_entropy`` / ``binary_cross_entropy_with_logits``
    with their default ``reduction="mean"``.

    Parameters
    ----------
    {common}

    Returns
    -------
    Tensor
        Scalar loss (>= 0).

    Examples
    --------
    >>> logits = torch.zeros(1, 4, 3, 3)
    >>> target = torch.zeros(1, 3, 3, dtype=torch.long)
    >>> round(cross_entropy_loss(logits, target, task="multiclass", from_logits=True).item(), 4)
    1.3863
    """
    check_aggregate(aggregate)
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    return prep.finish(pixel_losses(prep, 0.0, None, weights, aggregate))


class CrossEntropyLoss(LossModule):
    """Module form of :func:`cross_entropy_loss`; options are keyword arguments.

    Examples
    --------
    >>> CrossEntropyLoss(task="binary", from_logits=True)(torch.zeros(1, 1, 2),
    ...                                                   torch.ones(1, 1, 2)).item() > 0
    True
    """

    function = staticmethod(cross_entropy_loss)

    def __init__(self, *, task: Task, from_logits: bool, aggregate: LossAggregate = "dataset",
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, aggregate=aggregate,
                         ignore_index=ignore_index, class_weights=class_weights,
                         validate=validate)
