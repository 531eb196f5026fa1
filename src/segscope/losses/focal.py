"""Focal loss (Lin et al. 2017)."""

from __future__ import annotations

import torch
from torch.autograd.function import once_differentiable

from ..errors import ParameterError
from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._pixelwise import TINY, log_probs, mean_over_pixels
from ._prepare import check_aggregate, class_weight_tensor, prepare

__all__ = ["FocalLoss", "focal_loss"]


@fill
def focal_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    gamma: float = 2.0,
    alpha: float | None = None,
    aggregate: LossAggregate = "dataset",
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Focal loss, the cross-entropy with easy pixels down-weighted by ``(1 - p)^γ``.

    Per pixel, with ``p`` the probability and ``t`` the (possibly soft) target:

    - ``"multiclass"``: ``-Σ_c w_c t_c (1 - p_c)^γ log p_c`` (softmax); with index
      targets this is ``-w_y (1 - p_y)^γ log p_y``.
    - ``"binary"``/``"multilabel"``, each channel:
      ``-w_c [α t (1 - p)^γ log p + (1 - α)(1 - t) p^γ log(1 - p)]`` (sigmoid); without
      ``alpha`` both terms have weight 1. Soft targets mix the two terms linearly.

    ``γ = 0`` gives the (weighted) cross-entropy. The losses are averaged over the
    valid pixels (and channels): over the whole batch for ``aggregate="dataset"``,
    per image then over images for ``"image"``; the normaliser is the number of valid
    entries (not the sum of the weights, unlike ``torch.nn.functional.cross_entropy``).
    Logits go through ``log_softmax``/``logsigmoid``, so large logits stay finite.

    Parameters
    ----------
    {common}
    gamma : float, default 2.0
        Focusing exponent (>= 0).
    alpha : float, optional
        Weight of the positive term in binary/multilabel task, in ``[0, 1]`` (Lin et al.
        use 0.25). In multiclass task use ``class_weights``.

    Returns
    -------
    Tensor
        Scalar loss (>= 0).

    Examples
    --------
    >>> logits = torch.tensor([[[0.0, 0.0]]])  # p = 0.5 everywhere
    >>> target = torch.tensor([[[1.0, 0.0]]])
    >>> round(focal_loss(logits, target, task="binary", from_logits=True, gamma=0).item(), 4)
    0.6931
    """
    check_aggregate(aggregate)
    if not float(gamma) >= 0:
        raise ParameterError(f"gamma must be >= 0; got {gamma!r}")
    if alpha is not None and (task == "multiclass" or not 0 <= float(alpha) <= 1):
        raise ParameterError(
            f"alpha must be in [0, 1] and is for binary/multilabel task; got alpha={alpha!r} "
            f"with task={task!r}. In multiclass task use class_weights"
        )
    prep = prepare(pred, target, task=task, from_logits=from_logits, ignore_index=ignore_index,
                   validate=validate)
    weights = class_weight_tensor(class_weights, prep.num_classes, prep.scores)
    return prep.finish(pixel_losses(prep, float(gamma), alpha, weights, aggregate))


class _BinaryFocal(torch.autograd.Function):
    """Sigmoid focal loss of every element, with the gradient written out.

    ``f = -[a t q^γ log p + b (1 - t) p^γ log q]`` with ``p = σ(x)``, ``q = 1 - p``;
    ``∂f/∂x = -a t q^γ (q - γ p log p) - b (1 - t) p^γ (γ q log q - p)``. The derivative
    is computed in the forward pass from the same intermediates and saved, so the
    backward pass is one multiplication (instead of autograd's graph of a dozen
    operations). Arithmetic is in place: on the CPU every fresh tensor costs page faults.
    The targets may be soft.
    """

    @staticmethod
    def forward(ctx, logits, target, gamma, a, b):
        log_p = torch.nn.functional.logsigmoid(logits)
        log_q = log_p - logits
        p = log_p.exp()
        q = 1.0 - p
        positive = _power(q, gamma).mul_(target)                     # t q^γ
        negative = _power(p, gamma)
        negative.addcmul_(negative, target, value=-1.0)               # (1 - t) p^γ
        loss = (positive * log_p).mul_(-a).addcmul_(negative, log_q, value=-b)
        if ctx.needs_input_grad[0]:
            slope_pos = log_p.mul_(p).mul_(-gamma).add_(q).mul_(positive)
            slope_neg = log_q.mul_(q).mul_(gamma).sub_(p).mul_(negative)
            ctx.save_for_backward(slope_pos.mul_(-a).sub_(slope_neg, alpha=b))
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx, grad):
        (slope,) = ctx.saved_tensors
        return grad * slope, None, None, None, None


def _power(base: torch.Tensor, gamma: float) -> torch.Tensor:
    """A fresh tensor ``base ** gamma``."""
    if gamma == 0:
        return torch.ones_like(base)
    if gamma == 1:
        return base.clone()
    if gamma == 2:
        return base * base
    return base.pow(gamma)


def pixel_losses(prep, gamma: float, alpha: float | None, weights: torch.Tensor | None,
                 aggregate: str) -> torch.Tensor:
    """The focal loss of prepared inputs (``gamma = 0``: cross-entropy), reduced."""
    if prep.task == "multiclass":
        if prep.index is not None:
            index = prep.index.unsqueeze(1)
            if prep.from_logits:
                # fused log-softmax + gather: -log p_t of every pixel
                nll = torch.nn.functional.cross_entropy(prep.scores, prep.index,
                                                        reduction="none").unsqueeze(1)
            else:
                nll = -prep.scores.gather(1, index).clamp_min(TINY).log()
            loss = nll if gamma == 0 else (1.0 - torch.exp(-nll)).pow(gamma) * nll
            if weights is not None:
                loss = loss * weights[index]
        else:
            log_p, _ = log_probs(prep, sigmoid=False)
            terms = -prep.dense * log_p
            if gamma != 0:
                terms = terms * (1.0 - log_p.exp()).pow(gamma)
            if weights is not None:
                terms = terms * weights.view(1, -1, 1)
            loss = terms.sum(1, keepdim=True)
        return mean_over_pixels(loss, prep.valid, aggregate)
    t = prep.dense
    a = 1.0 if alpha is None else float(alpha)
    b = 1.0 if alpha is None else 1.0 - float(alpha)
    if gamma == 0 and alpha is None and prep.from_logits:
        loss = torch.nn.functional.binary_cross_entropy_with_logits(prep.scores, t,
                                                                    reduction="none")
    elif prep.from_logits:
        loss = _BinaryFocal.apply(prep.scores, t, gamma, a, b)
    else:
        log_p, log_q = log_probs(prep, sigmoid=True)
        positive = t * log_p
        negative = (1.0 - t) * log_q
        if gamma != 0:
            positive = positive * (gamma * log_q).exp()   # (1 - p)^γ
            negative = negative * (gamma * log_p).exp()   # p^γ
        loss = -(a * positive + b * negative)
    if weights is not None:
        loss = loss * weights.view(1, -1, 1)
    return mean_over_pixels(loss, prep.valid, aggregate)


class FocalLoss(LossModule):
    """Module form of :func:`focal_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = FocalLoss(task="multiclass", from_logits=True, gamma=2.0)
    >>> loss(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2, dtype=torch.long)).item() > 0
    True
    """

    function = staticmethod(focal_loss)

    def __init__(self, *, task: Task, from_logits: bool, gamma: float = 2.0,
                 alpha: float | None = None, aggregate: LossAggregate = "dataset",
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, gamma=gamma, alpha=alpha,
                         aggregate=aggregate, ignore_index=ignore_index,
                         class_weights=class_weights, validate=validate)
