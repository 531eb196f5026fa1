"""Shared private helpers for images (floor 0): the channel-axis rule, the [0, 1] float image.

One rule for every package that takes images (similarity, superpixels, explain):

* ``channel_axis=None`` means "no channel axis"; a 3-D array whose last axis has length
  3 or 4 is then ambiguous (an RGB(A) picture or a thin volume) and is refused with a
  :class:`~segscope.errors.ShapeError` that names ``channel_axis=-1``;
* intensities are scaled by ``data_range`` (:func:`segscope._checks.resolve_data_range`),
  never by a guess.

Examples
--------
>>> import numpy as np
>>> check_channel_axis(np.zeros((4, 5, 3)).shape, None)
Traceback (most recent call last):
...
segscope.errors.ShapeError: image has shape (4, 5, 3) and channel_axis=None: the last axis \
may hold colour channels (RGB or RGBA) but is read as a third spatial axis. Pass \
channel_axis=-1 for a colour image; for a volume with 3 slices on the last axis, add a \
channel axis of length 1 (image[..., None] with channel_axis=-1)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import resolve_data_range
from .errors import DataRangeError, DTypeError, ParameterError, ShapeError

__all__ = ["as_float_image", "check_channel_axis", "check_image_layout", "to_display_uint8"]


def check_channel_axis(shape: tuple[int, ...], channel_axis: int | None,
                       name: str = "image", *, volumes: bool = True) -> None:
    """Refuse ``channel_axis=None`` on a 3-D shape whose last axis (3 or 4) may be colour.

    ``volumes`` says whether the caller also accepts 3-D volumes (then the message tells
    how to pass a thin one).
    """
    shape = tuple(int(s) for s in shape)
    if channel_axis is None and len(shape) == 3 and shape[-1] in (3, 4):
        read_as = ("is read as a third spatial axis" if volumes else
                   "channel_axis=None means a grey 2-D image")
        fix = (f"; for a volume with {shape[-1]} slices on the last axis, add a channel axis "
               "of length 1 (image[..., None] with channel_axis=-1)" if volumes else "")
        raise ShapeError(
            f"{name} has shape {shape} and channel_axis=None: the last axis may hold colour "
            f"channels (RGB or RGBA) but {read_as}. Pass channel_axis=-1 for a colour "
            f"image{fix}"
        )


def check_image_layout(image: Any, channel_axis: int | None = None) -> np.ndarray:
    """Return a 2-D image as an array of shape ``(H, W)`` or ``(H, W, 3)`` (colour last).

    Parameters
    ----------
    image : (H, W) or (H, W, C) array_like
        Grey image, or colour image with its channels on ``channel_axis`` (1 or 3 of them).
    channel_axis : int or None
        Axis of the colour channels of a 3-D image; ``None`` (no channel axis) is only
        valid for 2-D input, which is grey whatever ``channel_axis`` says.

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
    if arr.ndim == 2:  # grey, whatever channel_axis says
        out = arr
    elif arr.ndim == 3:
        if channel_axis is None:
            check_channel_axis(arr.shape, None, volumes=False)
            raise ShapeError(
                f"image has 3 dimensions {arr.shape} but channel_axis=None; pass the axis of "
                "the colour channels (e.g. channel_axis=-1), or a 2-D grey image"
            )
        if not isinstance(channel_axis, (int, np.integer)) or isinstance(channel_axis, bool):
            raise ParameterError(f"channel_axis must be an integer or None; got {channel_axis!r}")
        try:
            out = np.moveaxis(arr, int(channel_axis), -1)
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


def as_float_image(image: Any, *, channel_axis: int | None = None,
                   data_range: float | None = None) -> np.ndarray:
    """A float64 copy of a 2-D image scaled to ``[0, 1]``: ``(H, W)`` or ``(H, W, 3)``.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array_like
        Grey or colour image (see :func:`check_image_layout`).
    channel_axis : int or None
        Axis of the colour channels; ``None`` for a grey image.
    data_range : float, optional
        Intensity span that maps to 1, by the one rule of
        :func:`segscope._checks.resolve_data_range`: required for float images; ``bool``
        spans 1, 8-bit integers 255, 16-bit integers 65535. Signed integer images are
        shifted by their dtype's minimum first (so ``int8`` -128..127 maps to 0..1).

    Raises
    ------
    DataRangeError
        If ``data_range`` is missing for float (or 32/64-bit integer) images, is not a
        finite positive number, or if the image holds NaN or infinite values.

    Examples
    --------
    >>> as_float_image(np.array([[0, 255]], dtype=np.uint8)).tolist()
    [[0.0, 1.0]]
    >>> as_float_image(np.array([[10.0, 30.0]]), data_range=40.0).tolist()
    [[0.25, 0.75]]
    """
    arr = check_image_layout(image, channel_axis)
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise DataRangeError("image contains NaN or infinite values; replace them first")
    span = resolve_data_range(data_range, arr)
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
