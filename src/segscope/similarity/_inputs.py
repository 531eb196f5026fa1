"""Input checks shared by every similarity function: arrays, shapes, scale, channels."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DataRangeError, DTypeError, ShapeError

__all__ = [
    "as_image",
    "check_pair",
    "is_torch_tensor",
    "resolve_data_range",
    "to_planes",
]


def is_torch_tensor(x: Any) -> bool:
    """True when ``x`` is a ``torch.Tensor``, decided without importing torch."""
    return type(x).__module__.split(".")[0] == "torch"


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


def _dtype_span(dtype: np.dtype) -> float:
    info = np.iinfo(dtype)
    return float(info.max) - float(min(info.min, 0))


def resolve_data_range(data_range: float | None, *arrays: Any) -> float:
    """Return the intensity span ``L``: the given one, or the integer dtype's span.

    The span is taken from 8- and 16-bit integer dtypes only (255 for ``uint8``, 65535
    for ``uint16``, 255 for ``int8``); 32/64-bit integers and floats never get a guessed
    scale: a missing ``data_range`` with float input is a
    :class:`~segscope.errors.DataRangeError` whose message says how to fix it.

    Examples
    --------
    >>> resolve_data_range(None, np.zeros(2, np.uint8))
    255.0
    >>> resolve_data_range(1.0, np.zeros(2))
    1.0
    """
    if data_range is not None:
        try:
            value = float(data_range)
        except (TypeError, ValueError):
            raise DataRangeError(
                f"data_range must be a positive number; got {data_range!r}"
            ) from None
        if not (np.isfinite(value) and value > 0):
            raise DataRangeError(f"data_range must be finite and positive; got {data_range!r}")
        return value
    if not arrays:
        raise DataRangeError(
            "data_range is required: pass the intensity span, e.g. data_range=1.0 for images "
            "scaled to [0, 1] or data_range=255 for 8-bit intensities"
        )
    dtypes = {np.dtype(a.dtype) if not is_torch_tensor(a) else _torch_numpy_dtype(a)
              for a in arrays}
    wide = sorted(str(dt) for dt in dtypes if dt.kind in "iu" and dt.itemsize > 2)
    if wide:
        raise DataRangeError(
            f"data_range is missing and the images have dtype {', '.join(wide)}; a 32/64-bit "
            "integer array (NumPy's default for integer lists) rarely spans its dtype, so "
            "segscope does not take the scale from it. Pass data_range explicitly, e.g. "
            "data_range=255 for 8-bit intensities or data_range=4095 for 12-bit data"
        )
    if all(dt.kind in "iu" for dt in dtypes):
        spans = {_dtype_span(dt) for dt in dtypes}
        if len(spans) == 1:
            return spans.pop()
        raise DataRangeError(
            f"data_range is missing and the images have different integer dtypes "
            f"({', '.join(sorted(str(d) for d in dtypes))}); pass data_range explicitly, "
            "e.g. data_range=255 for 8-bit intensities"
        )
    kinds = ", ".join(sorted(str(d) for d in dtypes))
    raise DataRangeError(
        f"data_range is required for float images (got dtype {kinds}); segscope never guesses "
        "the scale. Pass data_range=1.0 for images scaled to [0, 1], data_range=255 for "
        "0..255 values stored as floats, or data_range=image.max() - image.min() for "
        "unscaled data (e.g. CT)"
    )


def _torch_numpy_dtype(t: Any) -> np.dtype:
    name = str(t.dtype).replace("torch.", "")
    if name == "bool":
        return np.dtype(bool)
    try:
        return np.dtype(name)
    except TypeError:
        return np.dtype("float32")  # bfloat16 and friends: a float dtype


def to_planes(x: np.ndarray, channel_axis: int | None, name: str = "image_a",
              *, allowed_ndim: tuple[int, ...] = (2, 3)) -> np.ndarray:
    """Move the channel axis first: ``(C, *spatial)``; a grey image gets ``C = 1``.

    Examples
    --------
    >>> to_planes(np.zeros((4, 5, 3)), -1).shape
    (3, 4, 5)
    >>> to_planes(np.zeros((4, 5)), None).shape
    (1, 4, 5)
    """
    if channel_axis is None:
        planes = x[None]
    else:
        if not isinstance(channel_axis, (int, np.integer)) or not (
                -x.ndim <= channel_axis < x.ndim):
            raise ShapeError(
                f"channel_axis={channel_axis!r} is out of range for {name} with shape "
                f"{x.shape}; use an axis index such as -1 (channels last) or 0"
            )
        axis = int(channel_axis) % x.ndim
        planes = np.moveaxis(x, axis, 0)
    spatial = planes.ndim - 1
    if spatial not in allowed_ndim:
        hint = (" If the last axis holds colour channels, pass channel_axis=-1."
                if channel_axis is None and x.ndim == 3 and x.shape[-1] in (3, 4) else "")
        raise ShapeError(
            f"{name} has {spatial} spatial axes (shape {x.shape}, channel_axis="
            f"{channel_axis}); expected {' or '.join(map(str, allowed_ndim))}-D images.{hint}"
        )
    return planes
