"""Separable sliding-window filtering restricted to the valid region, and resampling."""

from __future__ import annotations

import numpy as np

__all__ = ["box_downsample_symmetric", "filter_valid", "halve_zero_pad"]


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
