"""Structural similarity (SSIM) of two images, NumPy path (float64).

``SSIM(x, y) = l · cs`` with ``l = (2 μx μy + C1) / (μx² + μy² + C1)`` and
``cs = (2 σxy + C2) / (σx² + σy² + C2)``, local statistics taken in a sliding window and
the map averaged over the valid region (where the window fits inside the image). Colour
images are compared channel by channel and the maps averaged. The window, covariance
normalisation and constants come from a named preset (:mod:`.presets`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backend import is_tensor
from ._numpy import prepare_planes, ssim_cs_means, ssim_map_planes
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset

__all__ = ["ssim", "ssim_map"]


def ssim(image_a: Any, image_b: Any, /, *, data_range: float | None = None,
         channel_axis: int | None = None, preset: str | SSIMPreset = DEFAULT_PRESET,
         win_size: int | None = None) -> Any:
    """Mean structural similarity of two images (1 for identical images).

    Parameters
    ----------
    image_a, image_b : array_like or torch.Tensor
        2-D or 3-D images of the same shape, optionally with a channel axis. Torch
        tensors take the differentiable torch path (any device).
    data_range : float, optional
        Intensity span ``L`` (``C1 = (K1 L)²``, ``C2 = (K2 L)²``). Required for float
        input; for integer input it defaults to the dtype's span (255 for ``uint8``).
    channel_axis : int, optional
        Axis holding colour channels; each channel is compared and the maps averaged.
    preset : {"wang", "skimage", "matlab"} or SSIMPreset
        The convention (window, covariance, downsampling); ``"wang"`` by default. See
        :mod:`segscope.similarity.presets` for which preset reproduces which library.
    win_size : int, optional
        Override the preset's window size (odd), e.g. for tiny images.

    Returns
    -------
    float
        Mean SSIM over the valid region (and channels); a 0-d tensor for torch input.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.integers(0, 256, (32, 32), dtype=np.uint8)
    >>> round(ssim(a, a), 12)
    1.0
    >>> round(ssim(a, 255 - a), 3) < 0
    True
    """
    chosen = get_preset(preset, win_size=win_size)
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.ssim(image_a, image_b, data_range=data_range,
                           channel_axis=channel_axis, preset=chosen)
    x, y, ndim = prepare_planes(image_a, image_b, data_range=data_range,
                                channel_axis=channel_axis, preset=chosen)
    per_channel, _ = ssim_cs_means(x, y, chosen, ndim)
    return float(per_channel.mean())


def ssim_map(image_a: Any, image_b: Any, /, *, data_range: float | None = None,
             channel_axis: int | None = None, preset: str | SSIMPreset = DEFAULT_PRESET,
             win_size: int | None = None) -> np.ndarray:
    """Local SSIM values over the valid region (the map :func:`ssim` averages).

    The map is smaller than the images by ``win_size - 1`` along each spatial axis (and
    downsampled first for the ``"matlab"`` preset); a channel axis stays where it was.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(144, dtype=np.uint8).reshape(12, 12)
    >>> ssim_map(a, a).shape
    (2, 2)
    >>> ssim_map(np.stack([a, a], -1), np.stack([a, a], -1), channel_axis=-1).shape
    (2, 2, 2)
    """
    chosen = get_preset(preset, win_size=win_size)
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.ssim_map(image_a, image_b, data_range=data_range,
                               channel_axis=channel_axis, preset=chosen)
    x, y, ndim = prepare_planes(image_a, image_b, data_range=data_range,
                                channel_axis=channel_axis, preset=chosen)
    smap = ssim_map_planes(x, y, chosen, ndim)
    if channel_axis is None:
        return smap[0]
    return np.moveaxis(smap, 0, channel_axis % np.asarray(image_a).ndim)
