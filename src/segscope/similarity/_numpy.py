"""The NumPy path of SSIM and MS-SSIM: planes, valid-region filtering, resampling, maps.

Images become ``(C, *spatial)`` float64 planes scaled to ``[0, 1]``; local statistics are
separable correlations restricted to the valid region (no padding); the formulas come
from :mod:`._core`. 2-D planes go through a compiled single-pass kernel
(:mod:`._ssim_kernel`), 3-D ones through NumPy maps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import resolve_data_range
from ._core import batch_layout, check_values_in_range, check_window_fits, ssim_from_moments
from ._inputs import check_pair, to_planes
from .presets import SSIMPreset, matlab_factor

__all__ = [
    "batch_planes",
    "box_downsample_symmetric",
    "filter_valid",
    "halve_zero_pad",
    "ms_ssim_levels",
    "prepare_planes",
    "ssim_cs_maps",
    "ssim_cs_means",
    "ssim_map_planes",
]


# ---------------------------------------------------------------- filtering
def filter_valid(x: np.ndarray, weights: np.ndarray, ndim: int) -> np.ndarray:
    """Correlate the last ``ndim`` axes of ``x`` with the 1-D ``weights``; keep the valid part.

    ``weights`` must have odd length (the presets guarantee it).

    Each output sample only sees input samples (no padding), so an axis of length ``n``
    becomes ``n - len(weights) + 1``. The result has ``x``'s float dtype.

    Examples
    --------
    >>> filter_valid(np.arange(5.0), np.array([0.25, 0.5, 0.25]), 1).tolist()
    [1.0, 2.0, 3.0]
    """
    from scipy.ndimage import correlate1d

    m = len(weights)
    lo = (m - 1) // 2
    out = x
    for axis in range(x.ndim - ndim, x.ndim):
        n = out.shape[axis]
        # correlate1d centres an odd window; the valid samples are lo .. n - m + lo
        full = correlate1d(out, weights, axis=axis, mode="constant", cval=0.0)
        index = [slice(None)] * out.ndim
        index[axis] = slice(lo, n - m + 1 + lo)
        out = full[tuple(index)]
    return out


def box_downsample_symmetric(x: np.ndarray, factor: int, ndim: int) -> np.ndarray:
    """Wang's ``ssim.m`` resampling: f-tap box filter, symmetric borders, every f-th sample.

    MATLAB's ``imfilter(img, ones(f)/f², 'symmetric', 'same')`` followed by
    ``img(1:f:end, 1:f:end)``; the box covers samples ``i - (f-1)//2 ... i + f//2``.

    Examples
    --------
    >>> box_downsample_symmetric(np.arange(6.0), 2, 1).tolist()
    [0.5, 2.5, 4.5]
    """
    if factor <= 1:
        return x
    before = (factor - 1) // 2
    after = factor - 1 - before
    out = x
    for axis in range(x.ndim - ndim, x.ndim):
        n = out.shape[axis]
        pad = [(0, 0)] * out.ndim
        pad[axis] = (before, after)
        padded = np.pad(out, pad, mode="symmetric")
        count = -(-n // factor)
        padded = np.take(padded, np.arange(count * factor), axis=axis)
        shape = list(padded.shape)
        shape[axis : axis + 1] = [count, factor]
        out = padded.reshape(shape).mean(axis=axis + 1)
    return out


def halve_zero_pad(x: np.ndarray, ndim: int) -> np.ndarray:
    """2-tap average and every second sample on the last ``ndim`` axes.

    An odd axis gets one zero in front, counted in the average (PyTorch's
    ``avg_pool(kernel_size=2, padding=1)``, as pytorch-msssim's MS-SSIM uses).

    Examples
    --------
    >>> halve_zero_pad(np.array([2.0, 4.0, 6.0]), 1).tolist()
    [1.0, 5.0]
    """
    out = x
    for axis in range(x.ndim - ndim, x.ndim):
        n = out.shape[axis]
        if n % 2:
            pad = [(0, 0)] * out.ndim
            pad[axis] = (1, 0)
            out = np.pad(out, pad)
            n += 1
        shape = list(out.shape)
        shape[axis : axis + 1] = [n // 2, 2]
        out = out.reshape(shape).mean(axis=axis + 1)
    return out


# ---------------------------------------------------------------- SSIM on planes
def _downsample_and_check(x: np.ndarray, y: np.ndarray, preset: SSIMPreset
                          ) -> tuple[np.ndarray, np.ndarray]:
    """The preset's MATLAB downsampling of ``(P, *spatial)`` planes, then the window check."""
    if preset.matlab_downsample:
        ndim = x.ndim - 1
        factor = matlab_factor(x.shape[1:])
        x = box_downsample_symmetric(x, factor, ndim)
        y = box_downsample_symmetric(y, factor, ndim)
    check_window_fits(x.shape[1:], preset)
    return x, y


def prepare_planes(image_a: Any, image_b: Any, *, data_range: float | None,
                   channel_axis: int | None, preset: SSIMPreset | None = None
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """Validated ``(C, *spatial)`` float64 planes scaled to ``[0, 1]`` by ``data_range``.

    With a ``preset``, applies its MATLAB downsampling and checks that the window fits.
    Returns ``(x, y, ndim)``.

    Examples
    --------
    >>> x, y, ndim = prepare_planes(np.zeros((8, 9), np.uint8), np.ones((8, 9), np.uint8),
    ...                             data_range=None, channel_axis=None)
    >>> x.shape, float(y.max()) == 1 / 255, ndim
    ((1, 8, 9), True, 2)
    """
    a, b = check_pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    check_values_in_range(data_range, a, b)
    x = to_planes(a, channel_axis, "image_a").astype(np.float64) / span
    y = to_planes(b, channel_axis, "image_b").astype(np.float64) / span
    ndim = x.ndim - 1
    if preset is not None:
        x, y = _downsample_and_check(x, y, preset)
    return x, y, ndim


def batch_planes(image_a: Any, image_b: Any, *, data_range: float | None,
                 channel_axis: int | None, preset: SSIMPreset | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(N·C, *spatial)`` float64 planes in ``[0, 1]`` of two batches, with ``N`` and ``C``.

    ``channel_axis`` is an axis of the batch (see :func:`._core.batch_layout`). With a
    ``preset``, applies its MATLAB downsampling and checks that the window fits.

    Examples
    --------
    >>> x, y, n, c = batch_planes(np.zeros((2, 3, 9, 9), np.uint8), np.zeros((2, 3, 9, 9),
    ...                           np.uint8), data_range=None, channel_axis=1)
    >>> x.shape, n, c
    ((6, 9, 9), 2, 3)
    """
    a, b = check_pair(image_a, image_b)
    axis = batch_layout(a.shape, channel_axis)
    span = resolve_data_range(data_range, a, b)
    check_values_in_range(data_range, a, b)
    if axis is None:
        a, b = a[:, None], b[:, None]
    else:
        a, b = np.moveaxis(a, axis, 1), np.moveaxis(b, axis, 1)
    n, c = a.shape[:2]
    planes = (n * c, *a.shape[2:])
    x = a.reshape(planes).astype(np.float64) / span
    y = b.reshape(planes).astype(np.float64) / span
    if preset is not None:
        x, y = _downsample_and_check(x, y, preset)
    return x, y, n, c


def ssim_cs_maps(x: np.ndarray, y: np.ndarray, preset: SSIMPreset, ndim: int
                 ) -> tuple[np.ndarray, np.ndarray]:
    """SSIM and contrast-structure maps of planes already scaled to ``[0, 1]``."""
    stack = np.stack([x, y, x * x, y * y, x * y])
    return ssim_from_moments(*filter_valid(stack, preset.weights(), ndim), preset, ndim)


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


def ssim_map_planes(x: np.ndarray, y: np.ndarray, preset: SSIMPreset, ndim: int
                    ) -> np.ndarray:
    """The SSIM map ``(C, *valid)`` of planes in ``[0, 1]``."""
    if ndim == 2:
        from ._ssim_kernel import ssim_pair_2d

        w = preset.weights()
        return np.stack([ssim_pair_2d(x[c], y[c], w, preset.k1**2, preset.k2**2,
                                      preset.cov_norm(ndim), want_map=True)[2]
                         for c in range(x.shape[0])])
    return ssim_cs_maps(x, y, preset, ndim)[0]


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
