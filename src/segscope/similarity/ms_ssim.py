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

import numpy as np

from ..errors import ParameterError, ShapeError
from ._filters import halve_zero_pad
from ._inputs import check_pair, is_torch_tensor, resolve_data_range, to_planes
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset
from .ssim import ssim_cs_means

__all__ = ["MS_SSIM_WEIGHTS", "ms_ssim", "ms_ssim_levels"]

#: Scale weights from Wang, Simoncelli, Bovik (2003), Table 1 / the reference code.
MS_SSIM_WEIGHTS: tuple[float, ...] = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def check_weights(weights: Sequence[float] | None) -> np.ndarray:
    """Validated scale weights as a float64 array."""
    w = np.asarray(MS_SSIM_WEIGHTS if weights is None else weights, dtype=np.float64)
    if w.ndim != 1 or w.size < 1 or not np.isfinite(w).all() or (w < 0).any():
        raise ParameterError(
            f"weights must be a non-empty 1-D sequence of non-negative numbers; got {weights!r}"
        )
    return w


def check_ms_size(shape: tuple[int, ...], preset: SSIMPreset, levels: int) -> None:
    """Raise :class:`ShapeError` unless the smallest scale still holds the window."""
    side = min(shape)
    for _ in range(levels - 1):
        side = (side + 1) // 2
    if side < preset.win_size:
        need = (preset.win_size - 1) * 2 ** (levels - 1) + 1
        raise ShapeError(
            f"MS-SSIM with {levels} scales and a {preset.win_size}-pixel window needs spatial "
            f"sides of at least {need} pixels; got {tuple(shape)}. Pass fewer weights "
            "(scales), a smaller win_size, or use ssim"
        )


def ms_ssim_levels(x: np.ndarray, y: np.ndarray, preset: SSIMPreset, ndim: int,
                   levels: int) -> np.ndarray:
    """Per-channel mean ``cs`` of scales 1..M-1 and mean SSIM of scale M: ``(M, C)``."""
    out = np.empty((levels, x.shape[0]))
    for level in range(levels):
        s_mean, cs_mean = ssim_cs_means(x, y, preset, ndim)
        if level < levels - 1:
            out[level] = cs_mean
            x = halve_zero_pad(x, ndim)
            y = halve_zero_pad(y, ndim)
        else:
            out[level] = s_mean
    return out


def combine_levels(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``Π max(v_j, 0)^{w_j}`` over the first axis."""
    clipped = np.maximum(values, 0.0)
    return np.prod(clipped ** weights.reshape((-1,) + (1,) * (values.ndim - 1)), axis=0)


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
    if is_torch_tensor(image_a) or is_torch_tensor(image_b):
        from . import torch_path

        return torch_path.ms_ssim(image_a, image_b, data_range=data_range,
                                  channel_axis=channel_axis, preset=chosen, weights=w)
    a, b = check_pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    x = to_planes(a, channel_axis, "image_a").astype(np.float64) / span
    y = to_planes(b, channel_axis, "image_b").astype(np.float64) / span
    ndim = x.ndim - 1
    check_ms_size(x.shape[1:], chosen, w.size)
    per_channel = combine_levels(ms_ssim_levels(x, y, chosen, ndim, w.size), w)
    return float(per_channel.mean())
