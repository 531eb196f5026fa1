"""Differentiable torch versions of the similarity metrics (any device).

Imported only when a function receives a ``torch.Tensor`` (or on explicit import), so
``import segscope`` never imports torch. Results match the NumPy path (same presets,
same valid-region mean) and gradients flow through them, so ``1 - ssim`` works as a loss.

Two layouts:

* the generic functions (:func:`segscope.similarity.ssim` and friends) take one image
  with an optional ``channel_axis``, as for NumPy;
* :func:`ssim_batch` / :func:`ms_ssim_batch` and :class:`SSIMLoss` take batches shaped
  ``(N, C, H, W)`` or ``(N, C, D, H, W)`` like pytorch-msssim.

Examples
--------
>>> import torch
>>> from segscope.similarity.torch_path import SSIMLoss
>>> x = torch.rand(2, 1, 32, 32, dtype=torch.float64, requires_grad=True)
>>> loss = SSIMLoss(data_range=1.0)(x, x.detach())
>>> float(loss.detach()) < 1e-12
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import DataRangeError, ShapeError
from ._inputs import resolve_data_range
from .ms_ssim import check_ms_size, check_weights
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset, matlab_factor
from .ssim import check_window_fits, ssim_from_moments

__all__ = ["SSIMLoss", "euclidean", "ms_ssim", "ms_ssim_batch", "mse", "psnr", "ssim",
           "ssim_batch", "ssim_map"]


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
            from ..errors import DTypeError

            raise DTypeError(f"{name} is a boolean tensor; convert it to float first")
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise DataRangeError(f"{name} contains NaN or infinite values")
    return a, b


def _float(a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    dtype = torch.promote_types(a.dtype, b.dtype)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    return a.to(dtype), b.to(dtype)


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
    return 10.0 * torch.log10(span**2 / mse(a, b))


# ------------------------------------------------------------------ filtering helpers
def _filter_valid(x: torch.Tensor, weights: torch.Tensor, ndim: int) -> torch.Tensor:
    """Separable valid correlation over the last ``ndim`` axes of ``(B, *spatial)``."""
    batch = x.shape[0]
    out = x.reshape(batch, 1, *x.shape[1:])
    conv = F.conv2d if ndim == 2 else F.conv3d
    m = weights.numel()
    for axis in range(ndim):
        shape = [1, 1] + [1] * ndim
        shape[2 + axis] = m
        out = conv(out, weights.reshape(shape))
    return out.reshape(batch, *out.shape[2:])


def _box_downsample_symmetric(x: torch.Tensor, factor: int, ndim: int) -> torch.Tensor:
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
    for axis in range(x.ndim - ndim, x.ndim):
        n = x.shape[axis]
        if n % 2:
            zeros = torch.zeros_like(x.narrow(axis, 0, 1))
            x = torch.cat([zeros, x], dim=axis)
            n += 1
        shape = list(x.shape)
        shape[axis : axis + 1] = [n // 2, 2]
        x = x.reshape(shape).mean(dim=axis + 1)
    return x


def _ssim_map(xs: torch.Tensor, ys: torch.Tensor, preset: SSIMPreset, ndim: int
              ) -> torch.Tensor:
    """SSIM map of ``(B, *spatial)`` planes, after the preset's MATLAB downsampling."""
    if preset.matlab_downsample:
        factor = matlab_factor(tuple(xs.shape[1:]))
        xs = _box_downsample_symmetric(xs, factor, ndim)
        ys = _box_downsample_symmetric(ys, factor, ndim)
    check_window_fits(tuple(xs.shape[1:]), preset)
    return _maps(xs, ys, preset, ndim)[0]


def _maps(x: torch.Tensor, y: torch.Tensor, preset: SSIMPreset, ndim: int
          ) -> tuple[torch.Tensor, torch.Tensor]:
    """SSIM and cs maps of ``(B, *spatial)`` planes scaled to [0, 1]."""
    w = torch.as_tensor(preset.weights(), dtype=x.dtype, device=x.device)
    batch = x.shape[0]
    stack = torch.cat([x, y, x * x, y * y, x * y], dim=0)
    filtered = _filter_valid(stack, w, ndim)
    return ssim_from_moments(*filtered.split(batch, dim=0), preset, ndim)


def _batch_planes(x: torch.Tensor, y: torch.Tensor, data_range: float | None, what: str
                  ) -> tuple[torch.Tensor, torch.Tensor, int]:
    x, y = _pair(x, y)
    if x.ndim not in (4, 5):
        raise ShapeError(f"{what} expects (N, C, H, W) or (N, C, D, H, W) tensors; got shape "
                         f"{tuple(x.shape)}")
    span = resolve_data_range(data_range, x, y)
    x, y = _float(x, y)
    return x / span, y / span, x.ndim - 2


def ssim_batch(x: torch.Tensor, y: torch.Tensor, *, data_range: float | None = None,
               preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
               reduction: str = "mean") -> torch.Tensor:
    """SSIM of batches ``(N, C, *spatial)``: per image (``reduction="none"``) or mean.

    Examples
    --------
    >>> x = torch.rand(3, 2, 24, 24, dtype=torch.float64)
    >>> ssim_batch(x, x, data_range=1.0, reduction="none").tolist()
    [1.0, 1.0, 1.0]
    """
    from .._checks import check_choice

    check_choice("reduction", reduction, ("mean", "none"))
    chosen = get_preset(preset, win_size=win_size)
    xs, ys, ndim = _batch_planes(x, y, data_range, "ssim_batch")
    n, c = xs.shape[:2]
    xs = xs.reshape(n * c, *xs.shape[2:])
    ys = ys.reshape(n * c, *ys.shape[2:])
    smap = _ssim_map(xs, ys, chosen, ndim)
    per_image = smap.reshape(n, -1).mean(dim=1)
    return per_image.mean() if reduction == "mean" else per_image


def ms_ssim_batch(x: torch.Tensor, y: torch.Tensor, *, data_range: float | None = None,
                  preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
                  weights: Sequence[float] | None = None,
                  reduction: str = "mean") -> torch.Tensor:
    """MS-SSIM of batches ``(N, C, *spatial)`` (mean over channels per image)."""
    from .._checks import check_choice

    check_choice("reduction", reduction, ("mean", "none"))
    chosen = get_preset(preset, win_size=win_size).replace(matlab_downsample=False)
    w = check_weights(weights)
    xs, ys, ndim = _batch_planes(x, y, data_range, "ms_ssim_batch")
    n, c = xs.shape[:2]
    xs = xs.reshape(n * c, *xs.shape[2:])
    ys = ys.reshape(n * c, *ys.shape[2:])
    check_ms_size(tuple(xs.shape[1:]), chosen, w.size)
    values = []
    for level in range(w.size):
        smap, cs = _maps(xs, ys, chosen, ndim)
        if level < w.size - 1:
            values.append(cs.reshape(n * c, -1).mean(dim=1))
            xs = _halve_zero_pad(xs, ndim)
            ys = _halve_zero_pad(ys, ndim)
        else:
            values.append(smap.reshape(n * c, -1).mean(dim=1))
    stacked = torch.relu(torch.stack(values))
    wt = torch.as_tensor(w, dtype=stacked.dtype, device=stacked.device).reshape(-1, 1)
    per_plane = torch.prod(stacked**wt, dim=0)
    per_image = per_plane.reshape(n, c).mean(dim=1)
    return per_image.mean() if reduction == "mean" else per_image


def _as_batch(image: torch.Tensor, channel_axis: int | None) -> torch.Tensor:
    if channel_axis is None:
        planes = image[None]
    else:
        if not -image.ndim <= channel_axis < image.ndim:
            raise ShapeError(f"channel_axis={channel_axis} is out of range for shape "
                             f"{tuple(image.shape)}")
        planes = torch.movedim(image, channel_axis, 0)
    if planes.ndim - 1 not in (2, 3):
        raise ShapeError(f"expected 2-D or 3-D images; got shape {tuple(image.shape)} with "
                         f"channel_axis={channel_axis}")
    return planes[None]


def ssim(image_a: Any, image_b: Any, *, data_range: float | None = None,
         channel_axis: int | None = None, preset: SSIMPreset | str = DEFAULT_PRESET
         ) -> torch.Tensor:
    """SSIM of one pair of tensors (see :func:`segscope.similarity.ssim`)."""
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    return ssim_batch(_as_batch(a, channel_axis), _as_batch(b, channel_axis),
                      data_range=span, preset=preset)


def ssim_map(image_a: Any, image_b: Any, *, data_range: float | None = None,
             channel_axis: int | None = None, preset: SSIMPreset | str = DEFAULT_PRESET
             ) -> torch.Tensor:
    """Local SSIM map of one pair of tensors (see :func:`segscope.similarity.ssim_map`)."""
    chosen = get_preset(preset)
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    a, b = _float(a, b)
    xs = _as_batch(a, channel_axis)[0] / span
    ys = _as_batch(b, channel_axis)[0] / span
    ndim = xs.ndim - 1
    smap = _ssim_map(xs, ys, chosen, ndim)
    if channel_axis is None:
        return smap[0]
    return torch.movedim(smap, 0, channel_axis % a.ndim)


def ms_ssim(image_a: Any, image_b: Any, *, data_range: float | None = None,
            channel_axis: int | None = None, preset: SSIMPreset | str = DEFAULT_PRESET,
            weights: Sequence[float] | np.ndarray | None = None) -> torch.Tensor:
    """MS-SSIM of one pair of tensors (see :func:`segscope.similarity.ms_ssim`)."""
    a, b = _pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    return ms_ssim_batch(_as_batch(a, channel_axis), _as_batch(b, channel_axis),
                         data_range=span, preset=preset,
                         weights=None if weights is None else list(np.asarray(weights)))


class SSIMLoss(torch.nn.Module):
    """``1 - SSIM`` (or ``1 - MS-SSIM``) of batches ``(N, C, *spatial)``, as a loss.

    Parameters
    ----------
    data_range : float
        Intensity span of the inputs (e.g. 1.0 for images in [0, 1]).
    preset : str or SSIMPreset
        SSIM convention (default ``"wang"``).
    multiscale : bool
        Use MS-SSIM instead of SSIM.

    Examples
    --------
    >>> loss = SSIMLoss(data_range=1.0)
    >>> x = torch.rand(1, 1, 16, 16)
    >>> float(loss(x, x))
    0.0
    """

    def __init__(self, *, data_range: float, preset: str | SSIMPreset = DEFAULT_PRESET,
                 multiscale: bool = False, win_size: int | None = None) -> None:
        super().__init__()
        self.data_range = resolve_data_range(data_range)
        self.preset = get_preset(preset, win_size=win_size)
        self.multiscale = multiscale

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Mean ``1 - SSIM`` over the batch."""
        fn = ms_ssim_batch if self.multiscale else ssim_batch
        return 1.0 - fn(pred, target, data_range=self.data_range, preset=self.preset)
