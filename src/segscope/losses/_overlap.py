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


class _SoftmaxCounts(torch.autograd.Function):
    """Softmax of logits and its soft counts ``I``, ``P`` with index targets, fused.

    Forward: ``p = softmax(x)``, ``P_c = Σ v p_c``, ``I_c = Σ_{t = c} v p_c``. Backward
    writes the gradient with respect to the logits directly,
    ``∂/∂x_c = v p_c (gP_c + gI_c [t = c] - s)`` with ``s = Σ_k p_k (gP_k + gI_k [t = k])``,
    instead of chaining the gradients of the gather, the sums and the softmax (about
    half the memory traffic). No one-hot tensor is built.
    """

    @staticmethod
    def forward(ctx, logits, index, valid):
        probs = torch.softmax(logits, dim=1)
        masked = probs if valid is None else probs * valid
        pred_sum = masked.sum(-1)
        own = masked.gather(1, index.unsqueeze(1)).squeeze(1)
        inter = probs.new_zeros(pred_sum.shape).scatter_add_(1, index, own)
        ctx.save_for_backward(probs, index, valid)
        return inter, pred_sum

    @staticmethod
    def backward(ctx, grad_inter, grad_pred_sum):
        probs, index, valid = ctx.saved_tensors
        g_own = grad_inter.gather(1, index)                        # gI_t, (N, L)
        p_own = probs.gather(1, index.unsqueeze(1)).squeeze(1)     # p_t, (N, L)
        # s = Σ_k p_k gP_k + p_t gI_t, the first term as a batched matrix product
        s = torch.bmm(grad_pred_sum.unsqueeze(1), probs).squeeze(1) + p_own * g_own
        grad = (grad_pred_sum.unsqueeze(-1) - s.unsqueeze(1)).mul_(probs)
        grad.scatter_add_(1, index.unsqueeze(1), (p_own * g_own).unsqueeze(1))
        if valid is not None:
            grad.mul_(valid)
        return grad, None, None


def soft_counts(prep: Prepared, reduction: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Soft ``(I, P, T)`` per image and class ``(N, C)``, or summed over the batch ``(1, C)``.

    Hard multiclass targets are never one-hot encoded: ``I`` gathers the probability of
    each pixel's own class and scatters it into its class, ``T`` counts the labels.
    """
    valid = prep.valid
    n, c, _ = prep.scores.shape
    if prep.index is not None:
        if prep.from_logits and prep.mode == "multiclass":
            inter, pred_sum = _SoftmaxCounts.apply(prep.scores, prep.index, valid)
        else:
            masked = prep.probs if valid is None else prep.probs * valid
            pred_sum = masked.sum(-1)
            own = masked.gather(1, prep.index.unsqueeze(1)).squeeze(1)
            inter = masked.new_zeros(n, c).scatter_add(1, prep.index, own)
        weight = (torch.ones(1, dtype=pred_sum.dtype, device=pred_sum.device).expand(
            prep.index.shape) if valid is None else valid.squeeze(1))
        target_sum = pred_sum.new_zeros(n, c).scatter_add_(1, prep.index, weight)
    else:
        probs = prep.probs
        masked = probs if valid is None else probs * valid
        pred_sum = masked.sum(-1)
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
