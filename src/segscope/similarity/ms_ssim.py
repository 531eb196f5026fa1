"""Multi-scale SSIM (Wang, Simoncelli, Bovik 2003), NumPy path.

At each of the first ``M - 1`` scales the mean contrast-structure term ``cs`` is kept;
the images are then averaged 2×2 and subsampled. At the last scale the full SSIM is
used: ``MS-SSIM = Π cs_j^{w_j} · ssim_M^{w_M}``, with negative terms clipped to 0 (as
pytorch-msssim does). Odd sides get one zero in front before halving, as pytorch-msssim
(PyTorch ``avg_pool(padding=1)``) does. Colour: MS-SSIM per channel, then the mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._backend import is_tensor
from ._core import MS_SSIM_WEIGHTS, check_ms_size, check_weights, combine_levels
from ._numpy import ms_ssim_levels, prepare_planes
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset

__all__ = ["MS_SSIM_WEIGHTS", "ms_ssim"]


def ms_ssim(image_a: Any, image_b: Any, /, *, data_range: float | None = None,
            channel_axis: int | None = None, preset: str | SSIMPreset = DEFAULT_PRESET,
            win_size: int | None = None, weights: Sequence[float] | None = None) -> Any:
    """Multi-scale structural similarity of two images (1 for identical images).

    Parameters
    ----------
    image_a, image_b : array_like or torch.Tensor
        2-D or 3-D images of the same shape, optionally with a channel axis.
    data_range : float, optional
        Intensity span; required for float input.
    channel_axis : int, optional
        Axis holding colour channels.
    preset : {"wang", "skimage", "matlab"} or SSIMPreset
        Window, covariance and constants per scale. The ``"matlab"`` preset's initial
        downsampling is not applied (MS-SSIM does its own).
    win_size : int, optional
        Override the window size.
    weights : sequence of float, optional
        Weights of the scales; their number sets the number of scales (default: the five
        weights of Wang et al. 2003).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> a = rng.random((64, 64))
    >>> round(ms_ssim(a, a, data_range=1.0, weights=[0.5, 0.5]), 12)
    1.0
    """
    chosen = get_preset(preset, win_size=win_size).replace(matlab_downsample=False)
    w = check_weights(weights)
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.ms_ssim(image_a, image_b, data_range=data_range,
                              channel_axis=channel_axis, preset=chosen, weights=w)
    x, y, ndim = prepare_planes(image_a, image_b, data_range=data_range,
                                channel_axis=channel_axis)
    check_ms_size(x.shape[1:], chosen, w.size)
    per_channel = combine_levels(ms_ssim_levels(x, y, chosen, ndim, w.size), w)
    return float(per_channel.mean())
