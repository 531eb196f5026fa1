"""SSIM and MS-SSIM of batches: one value per item, or their mean or sum.

A batch is one array or tensor ``(N, *image)``: item ``k`` of ``image_a`` is compared
with item ``k`` of ``image_b``. ``channel_axis`` is an axis **of the batch** (1 for
PyTorch's ``(N, C, H, W)``, -1 for ``(N, H, W, C)``); ``None`` means grey items
``(N, H, W)`` or grey volumes ``(N, D, H, W)``. Colour items are compared channel by
channel and the channel values averaged, as :func:`segscope.similarity.ssim` does.

NumPy input runs on the NumPy path (float64); torch tensors on the differentiable torch
backend, on their own device (``1 - ssim_batch`` is :func:`segscope.losses.ssim_loss`).
Each value equals :func:`~segscope.similarity.ssim` (or
:func:`~segscope.similarity.ms_ssim`) of that pair of items.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> x = rng.integers(0, 256, (3, 2, 24, 24), dtype=np.uint8)
>>> y = np.clip(x + rng.normal(0, 20, x.shape), 0, 255).astype(np.uint8)
>>> ssim_batch(x, y, channel_axis=1, reduction="none").round(2).tolist()
[0.97, 0.97, 0.97]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._backend import is_tensor
from .._checks import check_choice
from ..options import REDUCTIONS, Reduction
from ._core import check_ms_size, check_weights, combine_levels, reduce_items
from ._numpy import batch_planes, ms_ssim_levels, ssim_cs_means
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset

__all__ = ["ms_ssim_batch", "ssim_batch"]


def ssim_batch(image_a: Any, image_b: Any, /, *, data_range: float | None = None,
               channel_axis: int | None = None, reduction: Reduction = "mean",
               preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None) -> Any:
    """SSIM of each pair of items of two batches ``(N, *image)``.

    Parameters
    ----------
    image_a, image_b : (N, H, W), (N, D, H, W) or with a channel axis; array or tensor
        Two batches of the same shape.
    data_range : float, optional
        Intensity span; required for float input (8/16-bit integers use their dtype's).
    channel_axis : int, optional
        Axis of the batch holding channels (1 for ``(N, C, H, W)``); never 0.
    reduction : {"mean", "sum", "none"}
        Return the mean over items, their sum, or one value per item ``(N,)``.
    preset, win_size
        SSIM convention and window override, as in :func:`segscope.similarity.ssim`.

    Returns
    -------
    float or numpy.ndarray, or torch.Tensor
        A float (``"mean"``/``"sum"``) or an ``(N,)`` array for NumPy input; a 0-d or
        ``(N,)`` tensor (differentiable) for tensors.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((2, 16, 16), np.uint8); a[1, 4:12, 4:12] = 200
    >>> ssim_batch(a, a, reduction="none").round(12).tolist()
    [1.0, 1.0]
    >>> ssim_batch(a, a[::-1], reduction="none").round(3).tolist()  # blank vs square
    [0.0, 0.0]
    """
    check_choice("reduction", reduction, REDUCTIONS)
    chosen = get_preset(preset, win_size=win_size)
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.ssim_batch(image_a, image_b, data_range=data_range,
                                 channel_axis=channel_axis, preset=chosen, reduction=reduction)
    x, y, n, c = batch_planes(image_a, image_b, data_range=data_range,
                              channel_axis=channel_axis, preset=chosen)
    per_plane, _ = ssim_cs_means(x, y, chosen, x.ndim - 1)
    return reduce_items(per_plane.reshape(n, c).mean(axis=1), reduction)


def ms_ssim_batch(image_a: Any, image_b: Any, /, *, data_range: float | None = None,
                  channel_axis: int | None = None, reduction: Reduction = "mean",
                  preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
                  weights: Sequence[float] | None = None) -> Any:
    """MS-SSIM of each pair of items of two batches ``(N, *image)``.

    Options as in :func:`ssim_batch`; ``weights`` sets the scales as in
    :func:`segscope.similarity.ms_ssim` (the ``"matlab"`` preset's initial downsampling
    is not applied).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((2, 64, 64))
    >>> round(ms_ssim_batch(x, x, data_range=1.0, weights=[0.5, 0.5], reduction="sum"), 12)
    2.0
    """
    check_choice("reduction", reduction, REDUCTIONS)
    chosen = get_preset(preset, win_size=win_size).replace(matlab_downsample=False)
    w = check_weights(weights)
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.ms_ssim_batch(image_a, image_b, data_range=data_range,
                                    channel_axis=channel_axis, preset=chosen, weights=w,
                                    reduction=reduction)
    x, y, n, c = batch_planes(image_a, image_b, data_range=data_range,
                              channel_axis=channel_axis)
    ndim = x.ndim - 1
    check_ms_size(x.shape[1:], chosen, w.size)
    per_plane = combine_levels(ms_ssim_levels(x, y, chosen, ndim, w.size), w)
    return reduce_items(np.asarray(per_plane).reshape(n, c).mean(axis=1), reduction)
