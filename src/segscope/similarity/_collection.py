"""Turning a collection of images into one ``(N, C, *spatial)`` float64 stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .._backend import is_tensor
from .._checks import resolve_data_range
from ..errors import ParameterError, ResourceError, ShapeError
from ._core import check_values_in_range
from ._inputs import as_image, to_planes

__all__ = ["stack_images"]


def _as_list(images: Any, name: str) -> list[np.ndarray]:
    if is_tensor(images):
        images = images.detach().cpu().numpy()
    if isinstance(images, np.ndarray):
        items = list(images)
    elif isinstance(images, Sequence):
        items = [np.asarray(im.detach().cpu().numpy()) if is_tensor(im) else im
                 for im in images]
    else:
        raise ParameterError(
            f"{name} must be a sequence of images or an array with the images along axis 0; "
            f"got {type(images).__name__}"
        )
    if not items:
        raise ShapeError(f"{name} is empty; expected at least one image")
    return [as_image(im, f"{name}[{k}]") for k, im in enumerate(items)]


def _check_size(size: Any) -> tuple[int, ...]:
    try:
        out = tuple(int(s) for s in size)
    except TypeError:
        raise ParameterError(f"size must be a tuple of spatial sides, e.g. (256, 256); got "
                             f"{size!r}") from None
    if not out or min(out) < 1:
        raise ParameterError(f"size must hold positive sides; got {size!r}")
    return out


def _check_resize_memory(size: tuple[int, ...], count: int, channel_axis: int | None) -> None:
    """Refuse a resize target larger than the pixel limit or than memory, before resizing."""
    import math

    from .._memory import check_memory
    from ..io import DEFAULT_MAX_PIXELS

    pixels = math.prod(size)
    shown = "x".join(str(s) for s in size)
    if pixels > DEFAULT_MAX_PIXELS:
        raise ResourceError(
            f"size={shown} gives {pixels:,} pixels per image, more than the limit of "
            f"{DEFAULT_MAX_PIXELS:,} pixels (segscope.io.DEFAULT_MAX_PIXELS, the limit for files "
            "too); ask for a smaller size (CLI: --size HxW)"
        )
    channels = 1 if channel_axis is None else 3
    check_memory(16.0 * pixels * channels * count, f"size={shown} for {count} image(s)",
                 fix="ask for a smaller size (CLI: --size HxW)")


def _resize(image: np.ndarray, size: tuple[int, ...], channel_axis: int | None) -> np.ndarray:
    from skimage.transform import resize

    planes = to_planes(image, channel_axis, "image")
    if len(size) != planes.ndim - 1:
        raise ShapeError(
            f"size={size} has {len(size)} sides but the images have {planes.ndim - 1} "
            "spatial axes"
        )
    if tuple(planes.shape[1:]) == size:
        return planes.astype(np.float64)
    moved = np.moveaxis(planes.astype(np.float64), 0, -1)
    out = resize(moved, (*size, moved.shape[-1]), order=1, mode="reflect",
                 anti_aliasing=True, preserve_range=True)
    return np.moveaxis(out, -1, 0)


def stack_images(images: Any, *, data_range: float | None, channel_axis: int | None,
                 size: Sequence[int] | None, name: str = "images", need_range: bool = True,
                 as_float: bool = True) -> tuple[np.ndarray, float]:
    """Return ``(stack, L)``: images as ``(N, C, *spatial)`` planes and their span.

    The planes are float64 when ``as_float`` or when resized, else in the images'
    common dtype (a compact copy; callers convert block by block).

    Equal shapes are required unless ``size`` is given, in which case every image is
    resized (bilinear, anti-aliased) to ``size``. ``L`` is ``nan`` when not needed and
    not resolvable.
    """
    items = _as_list(images, name)
    if need_range:
        span = resolve_data_range(data_range, *items)
        check_values_in_range(data_range, *items)
    else:
        span = float(data_range) if data_range is not None else float("nan")
    if size is not None:
        target = _check_size(size)
        _check_resize_memory(target, len(items), channel_axis)
        planes = [_resize(im, target, channel_axis) for im in items]
    else:
        shapes = {im.shape for im in items}
        if len(shapes) > 1:
            listed = ", ".join(str(s) for s in sorted(shapes)[:4])
            raise ShapeError(
                f"the images in {name} have different shapes ({listed}, ...); pass "
                "size=(H, W) to resize them all, or crop them to one shape first"
            )
        planes = [to_planes(im, channel_axis, f"{name}[{k}]", allowed_ndim=(1, 2, 3))
                  for k, im in enumerate(items)]
        stack = np.stack(planes)  # compact copy in the images' dtype, then one conversion
        return (stack.astype(np.float64) if as_float else stack), span
    return np.stack(planes), span
