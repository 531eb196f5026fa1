"""Soft overlap counts and the two reductions shared by the overlap losses.

For probabilities ``p`` and targets ``t`` (both in ``[0, 1]``) of one class, the soft
counts are ``I = Σ p·t`` (soft true positives), ``P = Σ p`` and ``T = Σ t``, so that
``FP = P - I`` and ``FN = T - I``. On hard 0/1 inputs these are exactly the confusion
counts, which is why every overlap loss equals ``1 - metric`` there.
"""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from ._prepare import Prepared

__all__ = ["reduce_losses", "safe_ratio", "soft_counts", "softmax_counts_and_nll",
           "target_counts"]


class _SoftmaxCounts(torch.autograd.Function):
    """Softmax of logits and its soft counts ``I``, ``P`` with index targets, fused.

    Forward: ``p = softmax(x)``, ``P_c = Σ v p_c``, ``I_c = Σ_{t = c} v p_c`` and, when
    asked, the cross-entropy ``-log p_t`` of every pixel. Backward writes the gradient
    with respect to the logits directly,
    ``∂/∂x_c = v p_c (gP_c + gI_c [t = c] - s) + g_ce (p_c - [t = c])`` with
    ``s = Σ_k p_k (gP_k + gI_k [t = k])``, instead of chaining the gradients of the
    gather, the sums and the softmax (about half the memory traffic). No one-hot tensor
    is built.
    """

    @staticmethod
    def forward(ctx, logits, index, valid, with_nll):
        column = index.unsqueeze(1)
        if with_nll:
            log_probs = torch.log_softmax(logits, dim=1)
            log_own = log_probs.gather(1, column).squeeze(1)
            nll = -log_own
            probs = log_probs.exp_()
            own = log_own.exp()
        else:
            probs = torch.softmax(logits, dim=1)
            own = probs.gather(1, column).squeeze(1)
            nll = probs.new_zeros(())
        masked = probs if valid is None else probs * valid
        pred_sum = masked.sum(-1)
        own_valid = own if valid is None else own * valid.squeeze(1)
        inter = probs.new_zeros(pred_sum.shape).scatter_add_(1, index, own_valid)
        ctx.save_for_backward(probs, own, index, valid)
        ctx.with_nll = with_nll
        return inter, pred_sum, nll

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_inter, grad_pred_sum, grad_nll):
        probs, p_own, index, valid = ctx.saved_tensors
        g_own = grad_inter.gather(1, index)                        # gI_t, (N, L)
        # s = Σ_k p_k gP_k + p_t gI_t, the first term as a batched matrix product
        at_target = p_own * g_own
        s = torch.bmm(grad_pred_sum.unsqueeze(1), probs).squeeze(1) + at_target
        grad = grad_pred_sum.unsqueeze(-1) - s.unsqueeze(1)
        if valid is not None:
            grad.mul_(valid)
            at_target = at_target * valid.squeeze(1)
        if ctx.with_nll:
            grad.add_(grad_nll.unsqueeze(1))
            at_target = at_target - grad_nll
        grad.mul_(probs)
        grad.scatter_add_(1, index.unsqueeze(1), at_target.unsqueeze(1))
        return grad, None, None, None


def softmax_counts_and_nll(logits, index, valid):
    """``(I, P, -log p_t)`` of multiclass logits with index targets, in one fused pass."""
    return _SoftmaxCounts.apply(logits, index, valid, True)


def soft_counts(prep: Prepared, aggregate: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Soft ``(I, P, T)`` per image and class ``(N, C)``, or summed over the batch ``(1, C)``.

    Hard multiclass targets are never one-hot encoded: ``I`` gathers the probability of
    each pixel's own class and scatters it into its class, ``T`` counts the labels.
    """
    valid = prep.valid
    n, c, _ = prep.scores.shape
    if prep.index is not None:
        if prep.from_logits and prep.task == "multiclass":
            inter, pred_sum, _ = _SoftmaxCounts.apply(prep.scores, prep.index, valid, False)
        else:
            masked = prep.probs if valid is None else prep.probs * valid
            pred_sum = masked.sum(-1)
            own = masked.gather(1, prep.index.unsqueeze(1)).squeeze(1)
            inter = masked.new_zeros(n, c).scatter_add(1, prep.index, own)
        target_sum = target_counts(prep, pred_sum)
    else:
        probs = prep.probs
        masked = probs if valid is None else probs * valid
        pred_sum = masked.sum(-1)
        dense = prep.dense if valid is None else prep.dense * valid
        inter = (masked * dense).sum(-1)
        target_sum = dense.sum(-1)
    if aggregate == "dataset":
        return inter.sum(0, keepdim=True), pred_sum.sum(0, keepdim=True), target_sum.sum(
            0, keepdim=True
        )
    return inter, pred_sum, target_sum


def target_counts(prep: Prepared, like: torch.Tensor) -> torch.Tensor:
    """``T`` per image and class ``(N, C)`` of index targets (a histogram, no one-hot)."""
    valid = prep.valid
    weight = (torch.ones(1, dtype=like.dtype, device=like.device).expand(prep.index.shape)
              if valid is None else valid.squeeze(1))
    return like.new_zeros(like.shape).scatter_add_(1, prep.index, weight)


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
