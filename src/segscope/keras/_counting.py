"""Exact per-batch counting in ``keras.ops``: labels of scores, and integer histograms.

What a Keras metric's ``update_state`` spends its time on (see
``benchmarks/keras_metrics.py``): one pass that turns the channels-last scores into labels
and one histogram of flat cell indices. Each backend gets the formulation that was fastest
there when measured: on torch ``argmax`` and ``bincount`` (exact int64; Keras' torch
``segment_sum`` scatters in float32 and ``scatter`` loops in Python); under XLA (JAX,
TensorFlow) an unrolled compare-and-select over the channels (fused into one pass, about
twice as fast as ``argmax`` there) and ``segment_sum`` of int32 ones (traceable, unlike
``bincount`` on JAX).
"""

from __future__ import annotations

import keras
from keras import ops

from ..errors import ParameterError

__all__ = ["argmax_last", "histogram", "labels_and_nans", "nan_count"]

#: Up to this many channels the argmax is unrolled (JAX, TensorFlow).
_UNROLL = 16


def argmax_last(scores):
    """int32 index of the largest score on the last axis; the first one on ties (NumPy's rule).

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> ops.convert_to_numpy(argmax_last(np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]]))).tolist()
    [1, 0]
    """
    return labels_and_nans(scores, eager=True)[0]


def labels_and_nans(scores, *, eager: bool):
    """The argmax of :func:`argmax_last` and the number of NaN scores (int32).

    On torch with a contiguous channel axis (and past 16 channels) ``ops.argmax``; else the
    argmax is an unrolled compare-and-select whose NaN test rides in the same pass (under
    XLA one fused loop; on torch one contiguous plane per step).
    The NaN count: see :func:`nan_count`.
    """
    channels = scores.shape[-1]
    if channels > _UNROLL or (keras.backend.backend() == "torch" and _last_axis_dense(scores)):
        return ops.cast(ops.argmax(scores, axis=-1), "int32"), nan_count(scores, eager=eager)
    best = scores[..., 0]
    index = ops.zeros_like(best, dtype="int32")
    nan = ops.isnan(best)
    for k in range(1, channels):
        x = scores[..., k]
        larger = ops.greater(x, best)
        best = ops.where(larger, x, best)
        index = ops.where(larger, k, index)
        nan = ops.logical_or(nan, ops.isnan(x))
    if eager and not bool(ops.any(nan)):
        return index, 0
    return index, ops.sum(ops.cast(nan, "int32"))


def _last_axis_dense(scores) -> bool:
    """torch: whether the channel axis is contiguous in memory. A Keras torch model's output
    is often a channels-last view of channels-first memory (its convolutions run
    channels-first); ``argmax`` over such a strided axis was measured 7x slower than the
    unrolled compare-and-select, whose every step then reads one contiguous plane."""
    stride = getattr(scores, "stride", None)
    return stride is None or scores.ndim < 2 or stride(-1) == 1


def histogram(cell, length):
    """Exact int32 counts of the flat int32 ``cell`` values, all in ``[0, length)``.

    Examples
    --------
    >>> import numpy as np
    >>> from keras import ops
    >>> ops.convert_to_numpy(histogram(np.array([0, 2, 2, 3], dtype="int32"), 5)).tolist()
    [1, 0, 2, 1, 0]
    """
    if cell.shape[0] is not None and cell.shape[0] >= 2**31:
        raise ParameterError(f"one batch holds {cell.shape[0]} pixels; split it below 2**31")
    if keras.backend.backend() == "torch":
        return ops.cast(ops.bincount(cell, minlength=length), "int32")
    ones = ops.ones_like(cell, dtype="int32")
    return ops.segment_sum(ones, cell, num_segments=length)


def nan_count(scores, *, eager: bool):
    """The number of NaN entries of ``scores`` (int32; under a graph: 0 or more, a flag).

    Eagerly a sum of all scores screens first (one cheap reduction; NaN only if a score is
    NaN or infinite scores of both signs meet) and the NaN are counted only then. In a graph
    the count is one pass (fused with what reads the scores under XLA).
    """
    if eager and not bool(ops.isnan(ops.sum(scores))):
        return 0
    return ops.sum(ops.cast(ops.isnan(scores), "int32"))
