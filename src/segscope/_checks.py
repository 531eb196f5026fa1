"""Argument checks shared by every module: one place for each rule and its message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._memory import check_memory, format_bytes
from .errors import (
    DataRangeError,
    DTypeError,
    LabelError,
    ParameterError,
    ResourceError,
    ShapeError,
)
from .options import DECISIONS

__all__ = [
    "check_choice",
    "check_decision",
    "check_ignore_index",
    "check_label_array",
    "check_num_classes",
    "check_same_shape",
    "check_spacing",
    "resolve_data_range",
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


def _dtype_of(x: Any) -> np.dtype:
    """The NumPy dtype of an array, or of a torch tensor (read without importing torch)."""
    dtype = getattr(x, "dtype", None)
    if isinstance(dtype, np.dtype):
        return dtype
    if dtype is None:
        return np.asarray(x).dtype
    name = str(dtype).replace("torch.", "")
    if name == "bool":
        return np.dtype(bool)
    try:
        return np.dtype(name)
    except TypeError:
        return np.dtype(np.float32)  # bfloat16 and other float types NumPy lacks


def _dtype_span(dtype: np.dtype) -> float:
    if dtype.kind == "b":
        return 1.0
    info = np.iinfo(dtype)
    return float(info.max) - float(info.min)


def resolve_data_range(data_range: Any, *arrays: Any) -> float:
    """The intensity span ``L`` of images: the one given, or the span of their dtype.

    The one rule of segscope for ``data_range`` (similarity, superpixels, explain):

    * a given ``data_range`` must be a finite positive number;
    * without one, ``bool`` input spans 1, 8-bit integers 255 (``uint8`` 0..255, ``int8``
      -128..127) and 16-bit integers 65535; 16-bit images whose values use less than a
      quarter of that span (10-, 12- or 14-bit data) get a
      :class:`~segscope.errors.ValueRangeWarning` that names the fix;
    * float input never gets a guessed scale, and neither do 32/64-bit integers (NumPy's
      default for integer lists, which rarely fill their dtype): a missing ``data_range``
      is a :class:`~segscope.errors.DataRangeError` whose message names the fix.

    ``arrays`` may be NumPy arrays or torch tensors (their dtype is read without importing
    torch).

    Examples
    --------
    >>> resolve_data_range(None, np.zeros(2, np.uint8))
    255.0
    >>> resolve_data_range(None, np.zeros(2, bool))
    1.0
    >>> resolve_data_range(1.0, np.zeros(2))
    1.0
    >>> resolve_data_range(None, np.zeros(2))
    Traceback (most recent call last):
    ...
    segscope.errors.DataRangeError: data_range is required for float images (got dtype \
float64); segscope never guesses the scale. Pass data_range=1.0 for images scaled to [0, 1], \
data_range=255 for 0..255 values stored as floats, or data_range=image.max() - image.min() \
for unscaled data (e.g. CT)
    """
    if data_range is not None:
        if isinstance(data_range, (bool, np.bool_)):
            value = float("nan")
        else:
            try:
                value = float(data_range)
            except (TypeError, ValueError):
                raise DataRangeError(
                    f"data_range must be a finite positive number; got {data_range!r}"
                ) from None
        if not (np.isfinite(value) and value > 0):
            raise DataRangeError(
                f"data_range must be a finite positive number; got {data_range!r}"
            )
        return value
    if not arrays:
        raise DataRangeError(
            "data_range is required: pass the intensity span, e.g. data_range=1.0 for images "
            "scaled to [0, 1] or data_range=255 for 8-bit intensities"
        )
    dtypes = {_dtype_of(a) for a in arrays}
    floats = sorted(str(d) for d in dtypes if d.kind not in "biu")
    if floats:
        raise DataRangeError(
            f"data_range is required for float images (got dtype {', '.join(floats)}); "
            "segscope never guesses the scale. Pass data_range=1.0 for images scaled to "
            "[0, 1], data_range=255 for 0..255 values stored as floats, or "
            "data_range=image.max() - image.min() for unscaled data (e.g. CT)"
        )
    wide = sorted(str(d) for d in dtypes if d.kind in "iu" and d.itemsize > 2)
    if wide:
        raise DataRangeError(
            f"data_range is missing and the images have dtype {', '.join(wide)}; a 32/64-bit "
            "integer array (NumPy's default for integer lists) rarely spans its dtype, so "
            "segscope does not take the scale from it. Pass data_range explicitly, e.g. "
            "data_range=255 for 8-bit intensities or data_range=4095 for 12-bit data"
        )
    spans = {_dtype_span(d) for d in dtypes}
    if len(spans) > 1:
        raise DataRangeError(
            f"data_range is missing and the images have different integer dtypes "
            f"({', '.join(sorted(str(d) for d in dtypes))}); pass data_range explicitly, "
            "e.g. data_range=255 for 8-bit intensities"
        )
    span = spans.pop()
    if span > 255:
        _warn_if_underfilled(span, arrays)
    return span


def _warn_if_underfilled(span: float, arrays: tuple[Any, ...]) -> None:
    """Warn when 16-bit images use less than a quarter of the span taken from their dtype.

    16-bit containers often hold 10-, 12- or 14-bit data (microscopes, CT, cameras); the
    dtype's span then makes SSIM's constants and PSNR's peak far too large, and every pair
    looks alike. The values are read, not guessed from: the warning names what was found.
    """
    import warnings

    from .errors import ValueRangeWarning

    low, high = np.inf, -np.inf
    for a in arrays:
        if getattr(a, "size", 1) == 0 or (callable(getattr(a, "numel", None)) and a.numel() == 0):
            continue
        low, high = min(low, float(a.min())), max(high, float(a.max()))
    if high >= low and high - low < span / 4:
        warnings.warn(
            f"data_range is missing, so the span of the 16-bit dtype ({span:g}) is used, but "
            f"the values only span {low:g}..{high:g}; SSIM and PSNR then score almost any pair "
            f"as alike. Pass the real span, e.g. data_range=4095 for 12-bit data or "
            f"data_range={high - low:g} (max - min), or data_range={span:g} to keep the "
            "dtype's span and silence this warning",
            ValueRangeWarning,
            stacklevel=3,
        )


#: Most classes a confusion table may have: a 16384 × 16384 table of int64 counts is 2 GiB.
#: More is always a mistaken option (a pixel count, a label value) and would exhaust memory.
MAX_NUM_CLASSES = 2**14


def check_num_classes(num_classes: Any) -> int:
    """Return ``num_classes`` as an ``int`` >= 1, or raise :class:`ParameterError`.

    ``None`` is refused with the fix (label maps do not say how many classes exist). More
    than :data:`MAX_NUM_CLASSES`, or a table of counts larger than the available memory,
    is a :class:`~segscope.errors.ResourceError`, raised before anything is allocated.

    Examples
    --------
    >>> check_num_classes(np.int64(3))
    3
    """
    if num_classes is None:
        raise ParameterError(
            "num_classes is required for label maps: pass the number of classes including "
            "background, e.g. num_classes=2 for a binary mask (it is inferred only from "
            "class scores with decision='argmax')"
        )
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise ParameterError(
            f"num_classes must be a positive integer; got {num_classes!r}. "
            "Pass the number of classes including background, e.g. num_classes=2 for a "
            "binary mask"
        )
    if num_classes < 1:
        raise ParameterError(f"num_classes must be at least 1; got {num_classes}")
    c = int(num_classes)
    table = f"a {c:,} × {c:,} table of counts ({format_bytes(8.0 * c * c)})"
    if c > MAX_NUM_CLASSES:
        raise ResourceError(
            f"num_classes={c:,} would need {table}; segscope accepts at most "
            f"{MAX_NUM_CLASSES:,} classes (a 2 GiB table). num_classes counts the classes, "
            "background included (CLI: -c/--num-classes), not pixels or label values; for "
            "instance masks use binarize (CLI: --binarize)"
        )
    check_memory(16.0 * c * c, f"num_classes={c:,} ({table})",
                 fix="pass fewer classes (CLI: -c/--num-classes)")
    return c


def check_ignore_index(ignore_index: Any) -> int | None:
    """Return ``ignore_index`` as an ``int`` (or None), or raise :class:`ParameterError`.

    Examples
    --------
    >>> check_ignore_index(255), check_ignore_index(None)
    (255, None)
    """
    if ignore_index is None:
        return None
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise ParameterError(f"ignore_index must be an integer or None; got {ignore_index!r}")
    if not -(2**63) <= int(ignore_index) < 2**63:
        raise ParameterError(f"ignore_index must fit in 64-bit signed integers; got {ignore_index}")
    return int(ignore_index)


def check_decision(decision: str, pred: Any, target: Any, *, scores: bool,
                   num_classes: int | None, multilabel: bool) -> int | None:
    """Check that ``pred`` fits ``decision``; return the number of classes it implies.

    Backend-neutral (only shapes are read): ``scores`` says whether ``pred`` holds
    floating-point scores. ``"argmax"`` needs scores ``(N, C, *spatial)`` against a target
    ``(N, *spatial)`` and implies ``C`` classes; ``"threshold"`` needs scores of
    ``target``'s shape and implies 2 classes (single-label); ``"labels"`` needs ``pred``
    and ``target`` of the same shape and implies ``num_classes``.

    Examples
    --------
    >>> check_decision("argmax", np.zeros((2, 3, 4)), np.zeros((2, 4)), scores=True,
    ...                num_classes=None, multilabel=False)
    3
    """
    check_choice("decision", decision, DECISIONS)
    if decision == "labels":
        check_same_shape(pred, target)
        return num_classes
    if not scores:
        raise DTypeError(
            f"decision={decision!r} needs floating-point scores; got pred of dtype {pred.dtype}. "
            "Pass label maps with decision='labels' (the default)"
        )
    if decision == "argmax":
        if multilabel:
            raise ParameterError("decision='argmax' is for single-label scores; multi-label "
                                 "input needs decision='threshold'")
        p, t = tuple(pred.shape), tuple(target.shape)
        if len(p) != len(t) + 1 or p[:1] + p[2:] != t:
            raise ShapeError(
                f"decision='argmax' expects scores (N, C, *spatial) and target (N, *spatial); "
                f"got pred {p} and target {t}"
            )
        if num_classes is not None and p[1] != num_classes:
            raise ShapeError(f"num_classes={num_classes} but pred has {p[1]} score channels")
        return p[1]
    check_same_shape(pred, target)
    if multilabel:
        return None
    if num_classes not in (None, 2):
        raise ParameterError(
            f"decision='threshold' gives binary labels, so num_classes must be 2; got "
            f"{num_classes}. Use decision='argmax' for multi-class scores"
        )
    return 2
