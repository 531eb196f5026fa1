"""Tversky and focal Tversky losses."""

from __future__ import annotations

import torch

from ..errors import ParameterError
from ..options import LossAggregate, Task
from ._docs import fill
from ._module import LossModule
from ._overlap import safe_ratio
from ._overlap_loss import check_smooth, overlap_loss

__all__ = ["FocalTverskyLoss", "TverskyLoss", "focal_tversky_loss", "tversky_loss"]


def _check_weights(tversky_alpha: float, tversky_beta: float) -> tuple[float, float]:
    a, b = float(tversky_alpha), float(tversky_beta)
    if not (a >= 0 and b >= 0) or a + b == 0:
        raise ParameterError(
            f"tversky_alpha and tversky_beta must be >= 0 and not both 0; got "
            f"tversky_alpha={tversky_alpha!r}, tversky_beta={tversky_beta!r}"
        )
    return a, b


def _tversky_score(alpha: float, beta: float, smooth: float):
    def score(inter: torch.Tensor, pred_sum: torch.Tensor, target_sum: torch.Tensor):
        den = inter + alpha * (pred_sum - inter) + beta * (target_sum - inter) + smooth
        return safe_ratio(inter + smooth, den)

    return score


@fill
def tversky_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    tversky_alpha: float = 0.5,
    tversky_beta: float = 0.5,
    aggregate: LossAggregate = "dataset",
    smooth: float = 1.0,
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Tversky loss ``1 - (I + s) / (I + α·FP + β·FN + s)`` (Salehi et al. 2017).

    Soft counts per class: ``I = Σ p·t``, ``FP = Σ p·(1 - t)``, ``FN = Σ (1 - p)·t``.
    ``α = β = 0.5`` is the Dice loss with ``s`` doubled, ``α = β = 1`` the Jaccard
    loss; ``β > α`` (e.g. 0.3/0.7) favours recall. 0/0 counts as perfect (never NaN).

    Parameters
    ----------
    {common}
    tversky_alpha, tversky_beta : float, default 0.5
        Weights of false positives and false negatives (the order of
        segmentation_models_pytorch and MONAI).
    smooth : float, default 1.0
        ``s`` above (segmentation_models_pytorch's ``smooth`` is the same ``s``).

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Examples
    --------
    >>> probs = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    >>> target = torch.tensor([[[1.0, 0.0, 1.0, 0.0]]])  # I=1, FP=1, FN=1
    >>> tversky_loss(probs, target, task="binary", from_logits=False, tversky_alpha=0.3,
    ...              tversky_beta=0.7, smooth=0).item()
    0.5
    """
    a, b = _check_weights(tversky_alpha, tversky_beta)
    s = check_smooth(smooth)
    return overlap_loss(
        pred, target, _tversky_score(a, b, s), task=task, from_logits=from_logits,
        aggregate=aggregate, ignore_index=ignore_index, class_weights=class_weights,
        validate=validate,
    )


def _power(gamma: float):
    def transform(loss: torch.Tensor) -> torch.Tensor:
        positive = loss > 0
        base = torch.where(positive, loss, torch.ones_like(loss))
        return torch.where(positive, base.pow(gamma), torch.zeros_like(loss))

    return transform


@fill
def focal_tversky_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    task: Task,
    from_logits: bool,
    tversky_alpha: float = 0.3,
    tversky_beta: float = 0.7,
    gamma: float = 0.75,
    aggregate: LossAggregate = "dataset",
    smooth: float = 1.0,
    ignore_index: int | None = None,
    class_weights: object = None,
    validate: bool = True,
) -> torch.Tensor:
    """Focal Tversky loss ``(1 - TI)^γ`` per class, averaged (Abraham & Khan 2019).

    ``TI`` is the Tversky index of :func:`tversky_loss`. The paper writes the exponent
    as ``1/γ`` with ``γ = 4/3``; here ``gamma`` is the exponent itself, so the paper's
    setting is the default ``gamma = 0.75`` (segmentation_models_pytorch's
    ``TverskyLoss(gamma=...)`` uses the exponent the same way). ``γ < 1`` strengthens
    the gradient of classes that are already well segmented less than that of hard ones.

    Parameters
    ----------
    {common}
    tversky_alpha, tversky_beta : float, default 0.3, 0.7
        Weights of false positives and false negatives (the paper's setting).
    gamma : float, default 0.75
        Exponent (> 0). At a perfect score the gradient is taken as 0.
    smooth : float, default 1.0
        ``s`` in the Tversky index.

    Returns
    -------
    Tensor
        Scalar loss in ``[0, 1]``.

    Examples
    --------
    >>> probs = torch.tensor([[[1.0, 1.0, 0.0, 0.0]]])
    >>> target = torch.tensor([[[1.0, 0.0, 1.0, 0.0]]])
    >>> focal_tversky_loss(probs, target, task="binary", from_logits=False, gamma=2.0,
    ...                    smooth=0).item()
    0.25
    """
    a, b = _check_weights(tversky_alpha, tversky_beta)
    s = check_smooth(smooth)
    if not float(gamma) > 0:
        raise ParameterError(f"gamma must be > 0; got {gamma!r}")
    return overlap_loss(
        pred, target, _tversky_score(a, b, s), task=task, from_logits=from_logits,
        aggregate=aggregate, ignore_index=ignore_index, class_weights=class_weights,
        validate=validate, transform=_power(float(gamma)),
    )


class TverskyLoss(LossModule):
    """Module form of :func:`tversky_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = TverskyLoss(task="binary", from_logits=True, tversky_alpha=0.3, tversky_beta=0.7)
    >>> float(loss(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 2))) > 0
    True
    """

    function = staticmethod(tversky_loss)

    def __init__(self, *, task: Task, from_logits: bool, tversky_alpha: float = 0.5,
                 tversky_beta: float = 0.5, aggregate: LossAggregate = "dataset",
                 smooth: float = 1.0, ignore_index: int | None = None,
                 class_weights: object = None, validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, tversky_alpha=tversky_alpha,
                         tversky_beta=tversky_beta, aggregate=aggregate, smooth=smooth,
                         ignore_index=ignore_index, class_weights=class_weights,
                         validate=validate)


class FocalTverskyLoss(LossModule):
    """Module form of :func:`focal_tversky_loss`; options are keyword arguments.

    Examples
    --------
    >>> FocalTverskyLoss(task="multilabel", from_logits=True).function is focal_tversky_loss
    True
    """

    function = staticmethod(focal_tversky_loss)

    def __init__(self, *, task: Task, from_logits: bool, tversky_alpha: float = 0.3,
                 tversky_beta: float = 0.7, gamma: float = 0.75,
                 aggregate: LossAggregate = "dataset", smooth: float = 1.0,
                 ignore_index: int | None = None, class_weights: object = None,
                 validate: bool = True) -> None:
        super().__init__(task=task, from_logits=from_logits, tversky_alpha=tversky_alpha,
                         tversky_beta=tversky_beta, gamma=gamma, aggregate=aggregate, smooth=smooth,
                         ignore_index=ignore_index, class_weights=class_weights,
                         validate=validate)
