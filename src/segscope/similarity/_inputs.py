"""Input checks of the NumPy similarity path: arrays, shapes, channels."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._image import check_channel_axis
from ..errors import DataRangeError, DTypeError, ShapeError

__all__ = [
    "as_image",
    "check_pair",
    "to_planes",
]


def as_image(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a numeric NumPy array, rejecting NaN, infinities and odd dtypes.

    Examples
    --------
    >>> as_image([[1, 2], [3, 4]], "image_a").shape
    (2, 2)
    """
    arr = np.asarray(x)
    if arr.dtype == bool:
        raise DTypeError(
            f"{name} is a boolean array; similarity needs intensities. Convert it, e.g. "
            f"{name}.astype(np.uint8), or pass data_range=1 with a float copy"
        )
    if arr.dtype.kind not in "iuf":
        raise DTypeError(f"{name} has dtype {arr.dtype}; expected an integer or float image")
    if arr.size == 0:
        raise ShapeError(f"{name} is empty (shape {arr.shape}); expected an image")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise DataRangeError(
            f"{name} contains NaN or infinite values; similarity is undefined there. "
            "Replace them first, e.g. np.nan_to_num(image)"
        )
    return arr


def check_pair(image_a: Any, image_b: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate two images and return them as arrays of the same shape."""
    a = as_image(image_a, "image_a")
    b = as_image(image_b, "image_b")
    if a.shape != b.shape:
        raise ShapeError(
            f"image_a and image_b must have the same shape; got {a.shape} and {b.shape}. "
            "Resize one of them first (e.g. skimage.transform.resize), or use "
            "similarity_matrix(..., size=(H, W)) for collections"
        )
    return a, b


def to_planes(x: np.ndarray, channel_axis: int | None, name: str = "image_a",
              *, allowed_ndim: tuple[int, ...] = (2, 3)) -> np.ndarray:
    """Move the channel axis first: ``(C, *spatial)``; a grey image gets ``C = 1``.

    ``channel_axis=None`` on a 3-D array whose last axis has length 3 or 4 is refused
    (:func:`segscope._image.check_channel_axis`).

    Examples
    --------
    >>> to_planes(np.zeros((4, 5, 3)), -1).shape
    (3, 4, 5)
    >>> to_planes(np.zeros((4, 5)), None).shape
    (1, 4, 5)
    """
    if channel_axis is None:
        check_channel_axis(x.shape, None, name)
        planes = x[None]
    else:
        if (not isinstance(channel_axis, (int, np.integer)) or isinstance(channel_axis, bool)
                or not -x.ndim <= channel_axis < x.ndim):
            raise ShapeError(
                f"channel_axis={channel_axis!r} is out of range for {name} with shape "
                f"{x.shape}; use an axis index such as -1 (channels last) or 0"
            )
        axis = int(channel_axis) % x.ndim
        planes = np.moveaxis(x, axis, 0)
    spatial = planes.ndim - 1
    if spatial not in allowed_ndim:
        raise ShapeError(
            f"{name} has {spatial} spatial axes (shape {x.shape}, channel_axis="
            f"{channel_axis}); expected {' or '.join(map(str, allowed_ndim))}-D images"
        )
    return planes
