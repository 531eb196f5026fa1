"""Shared private helpers for images (floor 0): the channel-axis rule.

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

from .errors import ShapeError

__all__ = ["check_channel_axis"]


def check_channel_axis(shape: tuple[int, ...], channel_axis: int | None,
                       name: str = "image") -> None:
    """Refuse ``channel_axis=None`` on a 3-D shape whose last axis (3 or 4) may be colour."""
    shape = tuple(int(s) for s in shape)
    if channel_axis is None and len(shape) == 3 and shape[-1] in (3, 4):
        raise ShapeError(
            f"{name} has shape {shape} and channel_axis=None: the last axis may hold colour "
            "channels (RGB or RGBA) but is read as a third spatial axis. Pass "
            "channel_axis=-1 for a colour image; for a volume with "
            f"{shape[-1]} slices on the last axis, add a channel axis of length 1 "
            "(image[..., None] with channel_axis=-1)"
        )
