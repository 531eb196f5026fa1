"""SSIM loss: ``1 - SSIM`` (or ``1 - MS-SSIM``) of batches, differentiable."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .._checks import check_choice, resolve_data_range
from ..options import REDUCTIONS, Reduction
from ..similarity import ms_ssim_batch, ssim_batch
from ..similarity.presets import DEFAULT_PRESET, SSIMPreset, get_preset
from ._module import LossModule

__all__ = ["SSIMLoss", "ssim_loss"]


def ssim_loss(
    pred: torch.Tensor,
    target: torch.Tensor,
    /,
    *,
    data_range: float,
    channel_axis: int | None = None,
    multiscale: bool = False,
    reduction: Reduction = "mean",
    preset: str | SSIMPreset = DEFAULT_PRESET,
    win_size: int | None = None,
    weights: Sequence[float] | None = None,
) -> torch.Tensor:
    """``1 - SSIM(pred_k, target_k)`` per item of two batches, reduced over the batch.

    Parameters
    ----------
    pred, target : (N, C, H, W), (N, C, D, H, W), (N, H, W) or (N, D, H, W) Tensor
        Images (not logits), e.g. a reconstruction and its reference.
    data_range : float
        Intensity span of the inputs (1.0 for images in [0, 1]); required, as the
        inputs are floats.
    channel_axis : int, optional
        Axis of the batch holding channels: 1 for ``(N, C, H, W)``; ``None`` for grey
        batches without a channel axis (see :func:`segscope.similarity.ssim_batch`).
    multiscale : bool
        Use MS-SSIM (with ``weights``) instead of SSIM.
    reduction : {"mean", "sum", "none"}
        Mean over the items, their sum, or one loss per item.
    preset, win_size, weights
        SSIM convention, window override and MS-SSIM scale weights, as in
        :func:`segscope.similarity.ssim` and :func:`segscope.similarity.ms_ssim`.

    Returns
    -------
    Tensor
        0-d (``"mean"``/``"sum"``) or ``(N,)``; in ``[0, 2]``, 0 for identical images.

    Examples
    --------
    >>> x = torch.rand(2, 1, 16, 16, dtype=torch.float64)
    >>> float(ssim_loss(x, x, data_range=1.0, channel_axis=1))
    0.0
    """
    check_choice("reduction", reduction, REDUCTIONS)
    options = dict(data_range=resolve_data_range(data_range), channel_axis=channel_axis,
                   preset=preset, win_size=win_size, reduction="none")
    if multiscale:
        per_item = ms_ssim_batch(pred, target, weights=weights, **options)
    else:
        per_item = ssim_batch(pred, target, **options)
    losses = 1.0 - per_item
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


class SSIMLoss(LossModule):
    """Module form of :func:`ssim_loss`; options are keyword arguments.

    Examples
    --------
    >>> loss = SSIMLoss(data_range=1.0, channel_axis=1)
    >>> x = torch.rand(1, 1, 16, 16)
    >>> float(loss(x, x))
    0.0
    """

    function = staticmethod(ssim_loss)

    def __init__(self, *, data_range: float, channel_axis: int | None = None,
                 multiscale: bool = False, reduction: Reduction = "mean",
                 preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
                 weights: Sequence[float] | None = None) -> None:
        check_choice("reduction", reduction, REDUCTIONS)
        super().__init__(data_range=resolve_data_range(data_range),
                         channel_axis=channel_axis, multiscale=multiscale,
                         reduction=reduction, preset=get_preset(preset, win_size=win_size),
                         weights=weights)

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The loss of one batch (no class weights: SSIM has no classes)."""
        return self.function(pred, target, **self._options)
