"""Pixel-wise distances: MSE, RMSE, Euclidean distance and PSNR.

All of them compare values one position at a time, so they cannot tell a uniform
brightness change from a localised defect of the same energy; see SSIM for that.
Integer input is converted to float64 first, so ``uint8`` differences never wrap around.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backend import is_tensor
from .._checks import resolve_data_range
from ._core import check_values_in_range
from ._inputs import check_pair

__all__ = ["euclidean", "mse", "psnr", "psnr_from_mse", "rmse"]


def _sum_sq_diff(image_a: Any, image_b: Any) -> tuple[float, int]:
    a, b = check_pair(image_a, image_b)
    diff = a.astype(np.float64) - b.astype(np.float64)
    return float(np.vdot(diff.ravel(), diff.ravel())), diff.size


def mse(image_a: Any, image_b: Any, /) -> Any:
    """Mean squared error, ``mean((a - b)²)``.

    Parameters
    ----------
    image_a, image_b : array_like or torch.Tensor
        Images of the same shape (any number of axes, channels included).

    Returns
    -------
    float
        A Python float (a 0-d tensor for torch input, differentiable).

    Examples
    --------
    >>> import numpy as np
    >>> mse(np.array([0, 0], np.uint8), np.array([3, 255], np.uint8))
    32517.0
    """
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.mse(image_a, image_b)
    total, count = _sum_sq_diff(image_a, image_b)
    return total / count


def rmse(image_a: Any, image_b: Any, /) -> Any:
    """Root mean squared error, ``sqrt(mse)``, in the images' intensity unit.

    Examples
    --------
    >>> import numpy as np
    >>> rmse(np.zeros(4), np.full(4, 2.0))
    2.0
    """
    value = mse(image_a, image_b)
    if is_tensor(value):
        return value.sqrt()
    return float(np.sqrt(value))


def euclidean(image_a: Any, image_b: Any, /) -> Any:
    """Euclidean distance between the images seen as vectors, ``sqrt(sum((a - b)²))``.

    It grows with the number of pixels and says little about how alike two pictures
    look: one value changed by 129 and every value changed by 25 in a 3×3 RGB image give
    129.0 and 129.9.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((3, 3, 3), np.uint8)
    >>> b = a.copy(); b[1, 1, 0] = 129
    >>> euclidean(a, b), round(euclidean(a, a + 25), 1)
    (129.0, 129.9)
    """
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.euclidean(image_a, image_b)
    total, _ = _sum_sq_diff(image_a, image_b)
    return float(np.sqrt(total))


def psnr_from_mse(mse_value: Any, data_range: float) -> Any:
    """``10 log10(L² / mse)`` elementwise; ``inf`` where the MSE is zero.

    Examples
    --------
    >>> psnr_from_mse(np.array([1.0, 0.0]), 255.0).round(2).tolist()
    [48.13, inf]
    """
    values = np.asarray(mse_value, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = 10.0 * np.log10(data_range**2 / values)
    return out if out.ndim else float(out)


def psnr(image_a: Any, image_b: Any, /, *, data_range: float | None = None) -> Any:
    """Peak signal-to-noise ratio in dB, ``10 log10(L² / mse)``; ``inf`` for identical images.

    Parameters
    ----------
    image_a, image_b : array_like or torch.Tensor
        Images of the same shape.
    data_range : float, optional
        The intensity span ``L``. Required for float input; for integer input it
        defaults to the dtype's span (255 for ``uint8``).

    Examples
    --------
    >>> import numpy as np
    >>> round(psnr(np.zeros(4, np.uint8), np.full(4, 1, np.uint8)), 2)
    48.13
    >>> round(psnr(np.zeros(4), np.full(4, 0.1), data_range=1.0), 1)
    20.0
    """
    if is_tensor(image_a) or is_tensor(image_b):
        from . import _torch

        return _torch.psnr(image_a, image_b, data_range=data_range)
    a, b = check_pair(image_a, image_b)
    span = resolve_data_range(data_range, a, b)
    check_values_in_range(data_range, a, b)
    return psnr_from_mse(mse(a, b), span)
