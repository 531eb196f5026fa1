"""The torch backend of the similarity functions: differentiable, on the tensors' device.

Imported only when a public function of :mod:`segscope.similarity` receives a
``torch.Tensor``, so ``import segscope`` never imports torch. It uses the formulas and
checks of :mod:`._core` (the same as the NumPy path), so values match the NumPy path
and gradients flow through them.

The separable window is a pair (2-D) or triple (3-D) of 1-D convolutions applied to
every plane at once (planes stacked along the batch axis, one input channel).

Examples
--------
>>> import torch
>>> from segscope.similarity import ssim_batch
>>> x = torch.rand(2, 1, 32, 32, dtype=torch.float64)
>>> ssim_batch(x, x, data_range=1.0, channel_axis=1, reduction="none").tolist()
[1.0, 1.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .._checks import resolve_data_range
from .._image import check_channel_axis
from ..errors import DataRangeError, DTypeError, ShapeError
from ._core import (
    batch_layout,
    check_ms_size,
    check_values_in_range,
    check_window_fits,
    combine_levels,
    reduce_items,
    ssim_from_moments,
)
from .presets import SSIMPreset, matlab_factor

__all__ = ["euclidean", "ms_ssim", "ms_ssim_batch", "mse", "psnr", "ssim", "ssim_batch",
           "ssim_map"]


# ---------------------------------------------------------------- tensor checks
def _pair(image_a: Any, image_b: Any) -> tuple[torch.Tensor, torch.Tensor]:
    ref = image_a if isinstance(image_a, torch.Tensor) else image_b
    a = torch.as_tensor(image_a, device=ref.device)
    b = torch.as_tensor(image_b, device=ref.device)
    if a.shape != b.shape:
        raise ShapeError(f"image_a and image_b must have the same shape; got {tuple(a.shape)} "
                         f"and {tuple(b.shape)}")
    if a.numel() == 0:
        raise ShapeError("the images are empty")
    for name, t in (("image_a", a), ("image_b", b)):
        if t.dtype == torch.bool:
            raise DTypeError(f"{name} is a boolean tensor; similarity needs intensities. "
                             f"Convert it first, e.g. {name}.float() with data_range=1")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise DataRangeError(f"{name} contains NaN or infinite values; replace them "
                                 "first, e.g. torch.nan_to_num(image)")
    return a, b


def _float(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    dtype = torch.promote_types(a.dtype, b.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    return a.to(dtype), b.to(dtype)


# ---------------------------------------------------------------- pixel distances
def mse(image_a: Any, image_b: Any) -> torch.Tensor:
    """Mean squared error of two tensors (0-d tensor, differentiable)."""
    a, b = _float(*_pair(image_a, image_b))
    return ((a - b) ** 2).mean()


def euclidean(image_a: Any, image_b: Any) -> torch.Tensor:
    """Euclidean distance of two tensors seen as vectors."""
    a, b = _float(*_pair(image_a, image_b))
    return ((a - b) ** 2).sum().sqrt()


def psnr(image_a: Any, image_b: Any, *, data_range: float | None = None) -> torch.Tensor:
    """PSNR in dB of two tensors; ``inf`` for identical ones."""
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    check_values_in_range(data_range, a, b)
    return 10.0 * torch.log10(span**2 / mse(a, b))


# ---------------------------------------------------------------- filtering
def _filter_valid(x: torch.Tensor, weights: torch.Tensor, ndim: int) -> torch.Tensor:
    """Separable valid correlation over the last ``ndim`` axes of ``(P, *spatial)`` planes."""
    planes = x.shape[0]
    out = x.reshape(planes, 1, *x.shape[1:])
    conv = F.conv2d if ndim == 2 else F.conv3d
    for axis in range(ndim):
        shape = [1, 1] + [1] * ndim
        shape[2 + axis] = weights.numel()
        out = conv(out, weights.reshape(shape))
    return out.reshape(planes, *out.shape[2:])


def _box_downsample_symmetric(x: torch.Tensor, factor: int, ndim: int) -> torch.Tensor:
    """Wang's ``ssim.m`` resampling (see :func:`._numpy.box_downsample_symmetric`)."""
    if factor <= 1:
        return x
    before = (factor - 1) // 2
    after = factor - 1 - before
    for axis in range(x.ndim - ndim, x.ndim):
        n = x.shape[axis]
        parts = [x.narrow(axis, 0, before).flip(axis), x,
                 x.narrow(axis, n - after, after).flip(axis)]
        padded = torch.cat(parts, dim=axis)
        count = -(-n // factor)
        padded = padded.narrow(axis, 0, count * factor)
        shape = list(padded.shape)
        shape[axis : axis + 1] = [count, factor]
        x = padded.reshape(shape).mean(dim=axis + 1)
    return x


def _halve_zero_pad(x: torch.Tensor, ndim: int) -> torch.Tensor:
    """2-tap average, every second sample (see :func:`._numpy.halve_zero_pad`)."""
    for axis in range(x.ndim - ndim, x.ndim):
        n = x.shape[axis]
        if n % 2:
            x = torch.cat([torch.zeros_like(x.narrow(axis, 0, 1)), x], dim=axis)
            n += 1
        shape = list(x.shape)
        shape[axis : axis + 1] = [n // 2, 2]
        x = x.reshape(shape).mean(dim=axis + 1)
    return x


# ---------------------------------------------------------------- SSIM on planes
def _maps(x: torch.Tensor, y: torch.Tensor, preset: SSIMPreset, ndim: int
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """SSIM and cs maps of ``(P, *spatial)`` planes scaled to [0, 1]."""
    w = torch.as_tensor(preset.weights(), dtype=x.dtype, device=x.device)
    planes = x.shape[0]
    stack = torch.cat([x, y, x * x, y * y, x * y], dim=0)
    moments = _filter_valid(stack, w, ndim).split(planes, dim=0)
    return ssim_from_moments(*moments, preset, ndim)


def _ssim_map(x: torch.Tensor, y: torch.Tensor, preset: SSIMPreset, ndim: int
              ) -> torch.Tensor:
    """SSIM map of ``(P, *spatial)`` planes, after the preset's MATLAB downsampling."""
    if preset.matlab_downsample:
        factor = matlab_factor(tuple(x.shape[1:]))
        x = _box_downsample_symmetric(x, factor, ndim)
        y = _box_downsample_symmetric(y, factor, ndim)
    check_window_fits(tuple(x.shape[1:]), preset)
    return _maps(x, y, preset, ndim)[0]


def _ms_ssim_planes(x: torch.Tensor, y: torch.Tensor, preset: SSIMPreset, ndim: int,
                    weights: np.ndarray) -> torch.Tensor:
    """MS-SSIM of each ``(P, *spatial)`` plane pair: ``(P,)``."""
    check_ms_size(tuple(x.shape[1:]), preset, weights.size)
    values = []
    for level in range(weights.size):
        smap, cs = _maps(x, y, preset, ndim)
        if level < weights.size - 1:
            values.append(cs.reshape(x.shape[0], -1).mean(dim=1))
            x = _halve_zero_pad(x, ndim)
            y = _halve_zero_pad(y, ndim)
        else:
            values.append(smap.reshape(x.shape[0], -1).mean(dim=1))
    return combine_levels(torch.stack(values), weights)


def _batch_planes(image_a: Any, image_b: Any, data_range: float | None,
                  channel_axis: int | None) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """``(N·C, *spatial)`` planes in [0, 1] of two batches, with ``N`` and ``C``."""
    a, b = _pair(image_a, image_b)
    axis = batch_layout(tuple(a.shape), channel_axis)
    span = resolve_data_range(data_range, a, b)
    check_values_in_range(data_range, a, b)
    a, b = _float(a, b)
    if axis is None:
        a, b = a[:, None], b[:, None]
    else:
        a, b = torch.movedim(a, axis, 1), torch.movedim(b, axis, 1)
    n, c = a.shape[:2]
    planes = (n * c, *a.shape[2:])
    return a.reshape(planes) / span, b.reshape(planes) / span, n, c


# ---------------------------------------------------------------- batches
def ssim_batch(image_a: Any, image_b: Any, *, data_range: float | None,
               channel_axis: int | None, preset: SSIMPreset, reduction: str
               ) -> torch.Tensor:
    """SSIM of each item of two batches (see :func:`segscope.similarity.ssim_batch`)."""
    x, y, n, _ = _batch_planes(image_a, image_b, data_range, channel_axis)
    smap = _ssim_map(x, y, preset, x.ndim - 1)
    return reduce_items(smap.reshape(n, -1).mean(dim=1), reduction)


def ms_ssim_batch(image_a: Any, image_b: Any, *, data_range: float | None,
                  channel_axis: int | None, preset: SSIMPreset, weights: np.ndarray,
                  reduction: str) -> torch.Tensor:
    """MS-SSIM of each item (see :func:`segscope.similarity.ms_ssim_batch`)."""
    x, y, n, c = _batch_planes(image_a, image_b, data_range, channel_axis)
    per_plane = _ms_ssim_planes(x, y, preset, x.ndim - 1, weights)
    return reduce_items(per_plane.reshape(n, c).mean(dim=1), reduction)


# ---------------------------------------------------------------- one pair
def _as_item(image: torch.Tensor, channel_axis: int | None) -> torch.Tensor:
    """One image as a batch of one, with the channel axis moved to 1 (or added)."""
    if channel_axis is None:
        check_channel_axis(tuple(image.shape), None)
        planes = image[None]
    else:
        if not -image.ndim <= channel_axis < image.ndim:
            raise ShapeError(f"channel_axis={channel_axis} is out of range for shape "
                             f"{tuple(image.shape)}; use an axis index such as -1 or 0")
        planes = torch.movedim(image, channel_axis, 0)
    if planes.ndim - 1 not in (2, 3):
        raise ShapeError(f"expected 2-D or 3-D images; got shape {tuple(image.shape)} with "
                         f"channel_axis={channel_axis}")
    return planes[None]


def ssim(image_a: Any, image_b: Any, *, data_range: float | None,
         channel_axis: int | None, preset: SSIMPreset) -> torch.Tensor:
    """SSIM of one pair of tensors (see :func:`segscope.similarity.ssim`)."""
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    return ssim_batch(_as_item(a, channel_axis), _as_item(b, channel_axis), data_range=span,
                      channel_axis=1, preset=preset, reduction="mean")


def ssim_map(image_a: Any, image_b: Any, *, data_range: float | None,
             channel_axis: int | None, preset: SSIMPreset) -> torch.Tensor:
    """Local SSIM map of one pair of tensors (see :func:`segscope.similarity.ssim_map`)."""
    a, b = _pair(image_a, image_b)
    x, y, _, _ = _batch_planes(_as_item(a, channel_axis), _as_item(b, channel_axis),
                               data_range, 1)
    smap = _ssim_map(x, y, preset, x.ndim - 1)
    if channel_axis is None:
        return smap[0]
    return torch.movedim(smap, 0, channel_axis % a.ndim)


def ms_ssim(image_a: Any, image_b: Any, *, data_range: float | None,
            channel_axis: int | None, preset: SSIMPreset, weights: np.ndarray
            ) -> torch.Tensor:
    """MS-SSIM of one pair of tensors (see :func:`segscope.similarity.ms_ssim`)."""
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    return ms_ssim_batch(_as_item(a, channel_axis), _as_item(b, channel_axis),
                         data_range=span, channel_axis=1, preset=preset, weights=weights,
                         reduction="mean")
