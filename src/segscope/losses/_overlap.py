"""Soft overlap counts and the two reductions shared by the overlap losses.

For probabilities ``p`` and targets ``t`` (both in ``[0, 1]``) of one class, the soft
counts are ``I = Σ p·t`` (soft true positives), ``P = Σ p`` and ``T = Σ t``, so that
``FP = P - I`` and ``FN = T - I``. On hard 0/1 inputs these are exactly the confusion
counts, which is why every overlap loss equals ``1 - metric`` there.
"""

from __future__ import annotations

import torch

from ._prepare import Prepared

__all__ = ["reduce_losses", "safe_ratio", "soft_counts"]


def soft_counts(prep: Prepared, reduction: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Soft ``(I, P, T)`` per image and class ``(N, C)``, or summed over the batch ``(1, C)``.

    Hard multiclass targets are never one-hot encoded: ``I`` gathers the probability of
    each pixel's own class and scatters it into its class, ``T`` counts the labels.
    """
    probs, valid = prep.probs, prep.valid
    n, c, _ = probs.shape
    masked = probs if valid is None else probs * valid
    pred_sum = masked.sum(-1)
    if prep.index is not None:
        own = masked.gather(1, prep.index.unsqueeze(1)).squeeze(1)
        inter = probs.new_zeros(n, c).scatter_add(1, prep.index, own)
        weight = torch.ones_like(own) if valid is None else valid.squeeze(1)
        target_sum = probs.new_zeros(n, c).scatter_add_(1, prep.index, weight)
    else:
        dense = prep.dense if valid is None else prep.dense * valid
        inter = (masked * dense).sum(-1)
        target_sum = dense.sum(-1)
    if reduction == "batch":
        return inter.sum(0, keepdim=True), pred_sum.sum(0, keepdim=True), target_sum.sum(
            0, keepdim=True
        )
    return inter, pred_sum, target_sum


def safe_ratio(num: torch.Tensor, den: torch.Tensor) -> torch.Tensor:
    """``num / den`` with 0/0 read as 1 (nothing to find and nothing found is perfect).

    A zero denominator happens only without smoothing when a class is absent from
    both prediction and target. Gradients stay finite (the division never sees 0).
    """
    empty = den <= 0
    safe_den = torch.where(empty, torch.ones_like(den), den)
    return torch.where(empty, torch.ones_like(num), num / safe_den)


def reduce_losses(per_class: torch.Tensor, class_weights: torch.Tensor | None) -> torch.Tensor:
    """Weighted mean over classes, then mean over rows (images, or the one batch row)."""
    if class_weights is None:
        return per_class.mean(1).mean()
    return ((per_class * class_weights).sum(1) / class_weights.sum()).mean()
