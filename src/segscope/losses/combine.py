"""Weighted sums of losses, e.g. cross-entropy + Dice."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..errors import ParameterError

__all__ = ["CombinedLoss", "combine"]

Loss = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


class CombinedLoss(nn.Module):
    """``Σ_k weight_k · loss_k(pred, target)`` over named terms.

    Parameters
    ----------
    **terms : (loss, weight)
        Each term is a callable ``loss(pred, target)`` (an ``nn.Module`` or a function)
        and its weight (a finite float).

    Attributes
    ----------
    last : dict of str to Tensor
        The detached value of every term from the latest call, for logging (no device
        synchronisation happens until you read them).

    Examples
    --------
    >>> from segscope.losses import CrossEntropyLoss, DiceLoss
    >>> loss = CombinedLoss(ce=(CrossEntropyLoss(task="multiclass", from_logits=True), 1.0),
    ...                     dice=(DiceLoss(task="multiclass", from_logits=True), 0.5))
    >>> value = loss(torch.zeros(1, 3, 4, 4), torch.zeros(1, 4, 4, dtype=torch.long))
    >>> sorted(loss.last)
    ['ce', 'dice']
    """

    def __init__(self, **terms: tuple[Loss, float]) -> None:
        super().__init__()
        if not terms:
            raise ParameterError(
                "CombinedLoss needs at least one term, e.g. dice=(DiceLoss(...), 1.0)"
            )
        self.weights: dict[str, float] = {}
        self.functions: dict[str, Loss] = {}
        modules = {}
        for name, term in terms.items():
            if not (isinstance(term, tuple) and len(term) == 2 and callable(term[0])):
                raise ParameterError(
                    f"term {name!r} must be a (loss, weight) pair; got {term!r}"
                )
            loss, weight = term
            weight = float(weight)
            if weight != weight or weight in (float("inf"), float("-inf")):
                raise ParameterError(f"the weight of term {name!r} must be finite; got {weight}")
            self.weights[name] = weight
            if isinstance(loss, nn.Module):
                modules[name] = loss
            else:
                self.functions[name] = loss
        self.terms = nn.ModuleDict(modules)
        self.last: dict[str, torch.Tensor] = {}

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        total = None
        last = {}
        for name, weight in self.weights.items():
            loss = self.terms[name] if name in self.terms else self.functions[name]
            value = loss(pred, target)
            last[name] = value.detach()
            total = weight * value if total is None else total + weight * value
        self.last = last
        return total

    def extra_repr(self) -> str:
        return ", ".join(f"{name}: weight {w}" for name, w in self.weights.items())


def combine(**terms: tuple[Loss, float]) -> CombinedLoss:
    """Shorthand for :class:`CombinedLoss`.

    Examples
    --------
    >>> from segscope.losses import cross_entropy_loss, soft_dice_loss
    >>> from functools import partial
    >>> loss = combine(
    ...     ce=(partial(cross_entropy_loss, task="binary", from_logits=True), 1.0),
    ...     dice=(partial(soft_dice_loss, task="binary", from_logits=True), 1.0))
    >>> loss(torch.zeros(2, 1, 4, 4), torch.zeros(2, 1, 4, 4)).item() > 0
    True
    """
    return CombinedLoss(**terms)
