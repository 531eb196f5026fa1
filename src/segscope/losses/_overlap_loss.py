"""The common path of the soft Dice, Jaccard and Tversky families."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..errors import ParameterError
from ..options import LossAggregate, Task
from ._overlap import reduce_losses, soft_counts
from ._prepare import check_aggregate, class_weight_tensor, prepare

__all__ = ["check_smooth", "overlap_loss"]

Score = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


def check_smooth(smooth: float) -> float:
    """Return ``smooth`` as a float, or raise if it is negative or not finite."""
    value = float(smooth)
    if not value >= 0 or value == float("inf"):
        raise ParameterError(f"smooth must be a finite number >= 0; got {smooth!r}")
    return value


def overlap_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    score: Score,
    *,
    task: Task,
    from_logits: bool,
    aggregate: LossAggregate,
    ignore_index: int | None,
    class_weights: object,
    validate: bool,
    transform: Callable[[torch.Tensor], torch.Tensor] | None = None,
) -> torch.Tensor:
    """``1 - score(I, P, T)`` per class, optionally transformed, then reduced."""
    check_aggregate(aggregate)
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    inter, pred_sum, target_sum = soft_counts(prep, aggregate)
    per_class = 1.0 - score(inter, pred_sum, target_sum)
    if transform is not None:
        per_class = transform(per_class)
    return prep.finish(reduce_losses(per_class, weights))
