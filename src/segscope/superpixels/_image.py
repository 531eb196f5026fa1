"""Turning a user's image into the float image every superpixel method receives.

One rule for every method: a 2-D array is grey; a 3-D array has a colour axis
(``channel_axis``, last by default) with 1 or 3 channels. Intensities are scaled to
``[0, 1]`` by ``data_range``, which is never guessed: ``uint8`` (and ``bool``) images use
their full range; every other dtype needs ``data_range`` (a number, or ``"image"`` to
stretch the image's own minimum and maximum to ``[0, 1]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataRangeError, DTypeError, ParameterError, ShapeError

__all__ = ["as_float_image", "check_image_layout", "to_display_uint8"]


def check_image_layout(image: Any, channel_axis: int | None = -1) -> np.ndarray:
    """Return ``image`` as an array of shape ``(H, W)`` or ``(H, W, 3)``.

    Parameters
    ----------
    image : array_like
        Grey ``(H, W)`` or colour image with a channel axis.
    channel_axis : int or None
        Axis of the colour channels of a 3-D image; ``None`` is only valid for 2-D input.

    Examples
    --------
    >>> check_image_layout(np.zeros((3, 4, 5)), channel_axis=0).shape
    (4, 5, 3)
    """
    arr = np.asarray(image)
    if arr.dtype.kind not in "biuf":
        raise DTypeError(
            f"image has dtype {arr.dtype}; expected a numeric (integer or float) image"
        )
    if arr.ndim == 2:
        out = arr
    elif arr.ndim == 3:
        if channel_axis is None:
            raise ShapeError(
                f"image has 3 dimensions {arr.shape} but channel_axis=None; pass the axis of "
                "the colour channels (e.g. channel_axis=-1), or a 2-D grey image"
            )
        try:
            out = np.moveaxis(arr, channel_axis, -1)
        except np.exceptions.AxisError:
            raise ParameterError(
                f"channel_axis={channel_axis} is not an axis of an image of shape {arr.shape}"
            ) from None
        if out.shape[-1] == 1:
            out = out[..., 0]
        elif out.shape[-1] == 4:
            raise ShapeError(
                f"image has 4 channels (shape {arr.shape}); superpixels need grey or RGB. "
                "Drop the alpha channel first, e.g. image[..., :3]"
            )
        elif out.shape[-1] != 3:
            raise ShapeError(
                f"image has {out.shape[-1]} channels on channel_axis={channel_axis} (shape "
                f"{arr.shape}); expected 1 (grey) or 3 (RGB). Check channel_axis"
            )
    else:
        raise ShapeError(
            f"image must be 2-D (H, W) or 3-D with a colour axis; got shape {arr.shape}"
        )
    if out.shape[0] < 1 or out.shape[1] < 1:
        raise ShapeError(f"image is empty (shape {arr.shape})")
    return out


def as_float_image(
    image: Any, *, channel_axis: int | None = -1, data_range: float | str | None = None
) -> np.ndarray:
    """Return a float64 copy of ``image`` scaled to ``[0, 1]``, shape ``(H, W)`` or ``(H, W, 3)``.

    Parameters
    ----------
    image : array_like
        Grey or colour image.
    channel_axis : int or None
        Axis of the colour channels (see :func:`check_image_layout`).
    data_range : float, ``"image"`` or None
        Intensity span that maps to 1. ``None`` is allowed only for ``uint8`` (255) and
        ``bool`` (1) images; ``"image"`` uses ``max - min`` of this image (and subtracts
        its minimum). Integer images are shifted by their dtype's minimum (0 for
        unsigned types).

    Raises
    ------
    DataRangeError
        If ``data_range`` is missing for a dtype whose scale is not self-evident, is not
        positive, or if the image holds NaN or infinite values.

    Examples
    --------
    >>> as_float_image(np.array([[0, 255]], dtype=np.uint8)).tolist()
    [[0.0, 1.0]]
    >>> as_float_image(np.array([[10.0, 30.0]]), data_range="image").tolist()
    [[0.0, 1.0]]
    """
    arr = check_image_layout(image, channel_axis)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise DataRangeError("image contains NaN or infinite values; replace them first")
    if arr.dtype == bool:
        return arr.astype(np.float64)
    if isinstance(data_range, str):
        if data_range != "image":
            raise ParameterError(
                f"data_range={data_range!r} is not supported; pass a positive number or 'image'"
            )
        x = arr.astype(np.float64)
        lo, hi = float(x.min()), float(x.max())
        return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)
    if data_range is None:
        if arr.dtype == np.uint8:
            return arr.astype(np.float64) / 255.0
        raise DataRangeError(
            f"image has dtype {arr.dtype} (values {arr.min()}..{arr.max()}), whose intensity "
            "scale cannot be assumed; pass data_range (e.g. data_range=1.0 for a [0, 1] float "
            "image, data_range=65535 for full-range uint16), or data_range='image' to stretch "
            "this image's minimum..maximum to [0, 1]"
        )
    try:
        span = float(data_range)
    except (TypeError, ValueError):
        raise ParameterError(
            f"data_range must be a positive number or 'image'; got {data_range!r}"
        ) from None
    if not (np.isfinite(span) and span > 0):
        raise DataRangeError(f"data_range must be a finite positive number; got {data_range!r}")
    x = arr.astype(np.float64)
    if arr.dtype.kind == "i":
        x -= float(np.iinfo(arr.dtype).min)
    return x / span


def to_display_uint8(image01: np.ndarray) -> np.ndarray:
    """An RGB ``uint8`` copy of a ``[0, 1]`` grey or colour image, for drawing on.

    Examples
    --------
    >>> to_display_uint8(np.array([[0.0, 1.0]])).shape
    (1, 2, 3)
    """
    x = np.clip(np.asarray(image01, dtype=np.float64), 0.0, 1.0)
    x = np.rint(x * 255.0).astype(np.uint8)
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=-1)
    return x
