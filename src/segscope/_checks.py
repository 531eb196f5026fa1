"""Argument checks shared by every module: one place for each rule and its message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .errors import DTypeError, LabelError, ParameterError, ShapeError

__all__ = [
    "check_choice",
    "check_label_array",
    "check_same_shape",
    "check_spacing",
]


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise :class:`ParameterError`.

    Examples
    --------
    >>> check_choice("average", "macro", ("micro", "macro"))
    'macro'
    """
    if value not in choices:
        raise ParameterError(
            f"{name}={value!r} is not supported; choose one of {', '.join(map(repr, choices))}"
        )
    return value


def check_same_shape(a: Any, b: Any, names: tuple[str, str] = ("pred", "target")) -> None:
    """Raise :class:`ShapeError` unless ``a`` and ``b`` have the same shape."""
    if tuple(a.shape) != tuple(b.shape):
        raise ShapeError(
            f"{names[0]} and {names[1]} must have the same shape; got {tuple(a.shape)} and "
            f"{tuple(b.shape)}. Resize or crop one of them, or check that the files are paired "
            "correctly."
        )


def check_label_array(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as an integer NumPy array of labels, or raise a clear error.

    Booleans are accepted (as 0/1). Floats are accepted only when every value is a
    whole number (a float mask read from disk); NaN or fractional values raise
    :class:`DTypeError`, because a probability map is not a label map.

    Examples
    --------
    >>> check_label_array(np.array([[0.0, 1.0]]), "pred").dtype.kind
    'i'
    """
    arr = np.asarray(x)
    if arr.dtype == bool:
        return arr.view(np.uint8)
    if arr.dtype.kind in "iu":
        return arr
    if arr.dtype.kind == "f":
        if arr.size and not np.isfinite(arr).all():
            raise LabelError(
                f"{name} contains NaN or infinite values; labels must be finite integers"
            )
        if arr.size and not np.array_equal(arr, np.round(arr)):
            raise DTypeError(
                f"{name} has dtype {arr.dtype} with fractional values (e.g. probabilities); "
                "labels must be integers. Threshold or argmax the scores first, e.g. "
                "pred = probs.argmax(axis=1) or pred = probs > 0.5"
            )
        return arr.astype(np.int64)
    raise DTypeError(
        f"{name} has dtype {arr.dtype}; expected an integer or boolean label array"
    )


def check_spacing(spacing: Any, ndim: int, name: str = "spacing") -> np.ndarray:
    """Return ``spacing`` as a float array of length ``ndim`` (array axis order).

    ``None`` means unit spacing; a scalar applies to every axis.

    Examples
    --------
    >>> check_spacing((2, 1), 2).tolist()
    [2.0, 1.0]
    >>> check_spacing(None, 3).tolist()
    [1.0, 1.0, 1.0]
    """
    if spacing is None:
        return np.ones(ndim)
    sp = np.atleast_1d(np.asarray(spacing, dtype=float))
    if sp.ndim != 1:
        raise ShapeError(f"{name} must be a scalar or a 1-D sequence; got shape {sp.shape}")
    if sp.size == 1:
        sp = np.repeat(sp, ndim)
    if sp.size != ndim:
        raise ShapeError(
            f"{name} must have one value per spatial axis ({ndim}), in array axis order; "
            f"got {sp.size} values {sp.tolist()}"
        )
    if not (np.isfinite(sp).all() and (sp > 0).all()):
        raise ParameterError(f"{name} values must be finite and positive; got {sp.tolist()}")
    return sp
