"""Shared input handling of the Keras metrics and losses: layout, ignored labels, eagerness.

Keras passes ``(y_true, y_pred)`` channels-last: ``y_pred`` is ``(N, *spatial, C)`` and
``y_true`` is sparse (``(N, *spatial)`` or ``(N, *spatial, 1)`` of class indices) or dense
(one-hot, soft labels or 0/1 channels, of ``y_pred``'s shape). Everything here is
``keras.ops`` on static shapes, so it traces under jit.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral

import keras
from keras import ops

from ..errors import ParameterError, ShapeError

__all__ = ["check_layout", "ignore_values", "is_concrete", "is_sparse", "not_ignored",
           "wide_float"]


def ignore_values(ignore_index: int | Sequence[int] | None) -> tuple[int, ...]:
    """``ignore_index`` as a tuple of ints (``None``: nothing ignored).

    Examples
    --------
    >>> ignore_values(255), ignore_values([0, 255]), ignore_values(None)
    ((255,), (0, 255), ())
    """
    if ignore_index is None:
        return ()
    values = [ignore_index] if isinstance(ignore_index, Integral) else list(ignore_index)
    if not all(isinstance(v, Integral) and not isinstance(v, bool) for v in values):
        raise ParameterError(
            f"ignore_index must be an int, a sequence of ints or None; got {ignore_index!r}"
        )
    return tuple(int(v) for v in values)


def not_ignored(labels, ignored: tuple[int, ...]):
    """A boolean tensor: True where ``labels`` holds none of the ``ignored`` values."""
    keep = ops.ones_like(labels, dtype="bool")
    for value in ignored:
        keep = ops.logical_and(keep, ops.not_equal(labels, value))
    return keep


def check_layout(y_true, y_pred, num_classes: int | None, who: str) -> int:
    """Check ranks and the channels-last layout; return the number of channels of ``y_pred``.

    Raises :class:`~segscope.errors.ShapeError` naming the fix (channels-first input,
    a missing channel axis, a batch of another size).
    """
    shape, tshape = tuple(y_pred.shape), tuple(y_true.shape)
    if len(shape) < 3:
        raise ShapeError(
            f"{who}: y_pred must be channels-last (N, *spatial, C) with at least one spatial "
            f"axis; got shape {shape}. Keras passes (y_true, y_pred) in that order"
        )
    channels = shape[-1]
    if num_classes is not None and channels != num_classes:
        hint = ""
        if shape[1] == num_classes:
            hint = (" It looks channels-first (N, C, *spatial): Keras metrics and losses "
                    "take channels-last; move the axis with keras.ops.moveaxis(y_pred, 1, -1)"
                    " or build the model with data_format='channels_last'.")
        raise ShapeError(
            f"{who}: y_pred has {channels} channels on its last axis but "
            f"num_classes={num_classes}; got shape {shape}.{hint}"
        )
    if not (tshape == shape or tshape == shape[:-1] or tshape == (*shape[:-1], 1)):
        raise ShapeError(
            f"{who}: y_true must be sparse labels {shape[:-1]} (or with a trailing 1) or "
            f"dense channels of y_pred's shape {shape}; got {tshape}"
        )
    return channels


def is_sparse(y_true, y_pred) -> bool:
    """Whether ``y_true`` holds class indices (not channels), decided from static shapes."""
    channels = y_pred.shape[-1]
    if len(y_true.shape) == len(y_pred.shape) - 1:
        return True
    return channels != 1 and y_true.shape[-1] == 1


def wide_float() -> str:
    """The widest float of this backend: float64, except on JAX without x64."""
    if keras.backend.backend() == "jax":
        import jax

        return "float64" if jax.config.jax_enable_x64 else "float32"
    return "float64"


def is_concrete(x) -> bool:
    """Whether ``x`` holds values now (eager), so that a check may read it and raise."""
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        return not isinstance(x, jax.core.Tracer)
    if backend == "torch":
        import torch

        return not torch.compiler.is_compiling()
    if backend == "tensorflow":
        import tensorflow as tf

        return bool(tf.executing_eagerly())
    return False
