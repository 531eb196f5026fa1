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

from ..errors import ShapeError
from ._filters import box_downsample_symmetric, filter_valid
from ._inputs import check_pair, is_torch_tensor, resolve_data_range, to_planes
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset, matlab_factor

__all__ = ["ssim", "ssim_map"]


def check_window_fits(shape: tuple[int, ...], preset: SSIMPreset, what: str = "image") -> None:
    """Raise :class:`ShapeError` when the window is larger than a spatial side."""
    if min(shape) < preset.win_size:
        hint = (" If the last axis holds colour channels, pass channel_axis=-1."
                if len(shape) == 3 and shape[-1] in (3, 4) else "")
        raise ShapeError(
            f"the {what} (spatial shape {tuple(shape)}) is smaller than the "
            f"{preset.win_size}-pixel SSIM window of preset {preset.name!r}; pass a smaller "
            f"odd win_size (e.g. win_size=3) or use larger images.{hint}"
        )


def prepare_planes(image_a: Any, image_b: Any, *, data_range: float | None,
                   channel_axis: int | None, preset: SSIMPreset
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated ``(C, *spatial)`` float64 planes scaled to ``[0, 1]`` by ``data_range``.

    Applies the preset's MATLAB downsampling. Returns ``(x, y, ndim)``.
    """
    a, b = check_pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    x = to_planes(a, channel_axis, "image_a").astype(np.float64) / span
    y = to_planes(b, channel_axis, "image_b").astype(np.float64) / span
    ndim = x.ndim - 1
    if preset.matlab_downsample:
        factor = matlab_factor(x.shape[1:])
        x = box_downsample_symmetric(x, factor, ndim)
        y = box_downsample_symmetric(y, factor, ndim)
    check_window_fits(x.shape[1:], preset)
    return x, y, ndim


def ssim_cs_maps(x: np.ndarray, y: np.ndarray, preset: SSIMPreset, ndim: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """SSIM and contrast-structure maps of planes already scaled to ``[0, 1]``."""
    w = preset.weights()
    stack = np.stack([x, y, x * x, y * y, x * y])
    return ssim_from_moments(*filter_valid(stack, w, ndim), preset, ndim)


def ssim_from_moments(mx, my, exx, eyy, exy, preset: SSIMPreset, ndim: int):
    """SSIM and cs maps from the local means of x, y, x², y², xy (Wang et al. 2004, eq. 13).

    Pure arithmetic, so NumPy arrays and torch tensors both work (and stay differentiable).
    """
    norm = preset.cov_norm(ndim)
    vx = norm * (exx - mx * mx)
    vy = norm * (eyy - my * my)
    vxy = norm * (exy - mx * my)
    c1 = preset.k1**2
    c2 = preset.k2**2
    cs = (2.0 * vxy + c2) / (vx + vy + c2)
    lum = (2.0 * mx * my + c1) / (mx * mx + my * my + c1)
    return lum * cs, cs


def ssim_cs_means(x: np.ndarray, y: np.ndarray, preset: SSIMPreset, ndim: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean SSIM and mean ``cs`` of ``(C, *spatial)`` planes in ``[0, 1]``.

    2-D planes go through a compiled single-pass kernel; 3-D ones through NumPy maps.
    """
    if ndim == 2:
        from ._ssim_kernel import ssim_pair_2d

        w = preset.weights()
        pairs = [ssim_pair_2d(x[c], y[c], w, preset.k1**2, preset.k2**2,
                              preset.cov_norm(ndim))[:2] for c in range(x.shape[0])]
        values = np.array(pairs, dtype=np.float64).reshape(-1, 2)
        return values[:, 0], values[:, 1]
    smap, cs = ssim_cs_maps(x, y, preset, ndim)
    axes = tuple(range(1, smap.ndim))
    return smap.mean(axis=axes), cs.mean(axis=axes)


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
    if is_torch_tensor(image_a) or is_torch_tensor(image_b):
        from . import torch_path

        return torch_path.ssim(image_a, image_b, data_range=data_range,
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
    if is_torch_tensor(image_a) or is_torch_tensor(image_b):
        from . import torch_path

        return torch_path.ssim_map(image_a, image_b, data_range=data_range,
                                   channel_axis=channel_axis, preset=chosen)
    x, y, ndim = prepare_planes(image_a, image_b, data_range=data_range,
                                channel_axis=channel_axis, preset=chosen)
    if ndim == 2:
        from ._ssim_kernel import ssim_pair_2d

        w = chosen.weights()
        smap = np.stack([ssim_pair_2d(x[c], y[c], w, chosen.k1**2, chosen.k2**2,
                                      chosen.cov_norm(ndim), want_map=True)[2]
                         for c in range(x.shape[0])])
    else:
        smap, _ = ssim_cs_maps(x, y, chosen, ndim)
    if channel_axis is None:
        return smap[0]
    return np.moveaxis(smap, 0, channel_axis % np.asarray(image_a).ndim)
