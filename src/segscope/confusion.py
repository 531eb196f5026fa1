"""Confusion counts: the sufficient statistics of every overlap metric.

Counts are computed in one pass over the pixels by a compiled loop, with no one-hot
encoding; memory beyond the inputs is bounded by a fixed chunk size (inputs that are
not contiguous are copied one chunk at a time). Counts are ``int64``. Small inputs are
counted with NumPy (``segscope._numpy_counts``, the same steps and the same integers)
until the compiled kernels are loaded, so a short job never waits for numba to load.

Layout follows scikit-learn: ``counts[i, j]`` is the number of pixels whose **target**
class is ``i`` and whose **predicted** class is ``j``.

Examples
--------
>>> import numpy as np
>>> target = np.array([[0, 0, 1], [2, 2, 1]])
>>> pred = np.array([[0, 1, 1], [2, 0, 1]])
>>> confusion_matrix(pred, target, num_classes=3)
array([[1, 1, 0],
       [0, 2, 0],
       [1, 0, 1]])

Tensors are counted on their own device (see ``docs/torch.md``); streaming counts over a
dataset: :class:`segscope.streaming.OverlapMetric`.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ._backend import any_tensor
from ._checks import (
    check_decision,
    check_ignore_index,
    check_label_array,
    check_num_classes,
    check_same_shape,
)
from .errors import LabelError, ParameterError, ShapeError
from .options import Decision

__all__ = ["confusion_matrix", "multilabel_confusion_matrix"]

#: Elements handed to the compiled loop at a time when an input must be copied.
CHUNK_ELEMENTS = 1 << 22


def _flat_chunks(pred: np.ndarray, target: np.ndarray):
    """Yield matching 1-D contiguous pieces of two same-shape arrays."""
    if pred.flags.c_contiguous and target.flags.c_contiguous:
        yield pred.reshape(-1), target.reshape(-1)
        return
    if pred.ndim == 0:
        yield pred.reshape(1), target.reshape(1)
        return
    rows = pred.shape[0]
    per_row = max(1, pred[0].size) if rows else 1
    step = max(1, CHUNK_ELEMENTS // per_row)
    for start in range(0, rows, step):
        p = np.ascontiguousarray(pred[start:start + step]).reshape(-1)
        t = np.ascontiguousarray(target[start:start + step]).reshape(-1)
        if p.size and (p.shape[0] > CHUNK_ELEMENTS) and pred.ndim > 1:
            # a single leading slice is itself huge: recurse one axis deeper
            for i in range(start, min(rows, start + step)):
                yield from _flat_chunks(pred[i], target[i])
            continue
        yield p, t


#: Largest dense (target, pred) histogram the fast path allocates, in cells.
DENSE_CELLS = 1 << 20
#: Arrays are split over threads only in pieces of at least this many pixels.
PARALLEL_MIN_ELEMENTS = 1 << 21
#: Per-image tables wider than the result (a label range beyond [0, C)) are made for
#: blocks of images of at most this many cells in all, so memory stays bounded.
BLOCK_CELLS = 1 << 22


def num_threads() -> int:
    """Threads used for counting large arrays: ``SEGSCOPE_NUM_THREADS`` or the CPU count.

    Examples
    --------
    >>> num_threads() >= 1
    True
    """
    value = os.environ.get("SEGSCOPE_NUM_THREADS")
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise ParameterError(
                f"SEGSCOPE_NUM_THREADS must be a positive integer; got {value!r}"
            ) from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


@functools.lru_cache(maxsize=1)
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=max(2, num_threads()),
                              thread_name_prefix="segscope-count")


if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads
    os.register_at_fork(after_in_child=_executor.cache_clear)


#: Inputs of at most this many pixels are counted with NumPy while the compiled kernels are
#: not loaded: loading numba and the cached kernels costs about a second, which a short job
#: (one ``segscope evaluate`` of a few images) would never repay.
NUMPY_MAX_ELEMENTS = 1 << 22
#: Once a process has counted this many pixels with NumPy (about 1000 images of 512×512:
#: NumPy's extra time is then about what loading the compiled kernels costs), the compiled
#: kernels are loaded, and a longer job repays them.
NUMPY_BUDGET = 1 << 28
#: Tests set this to "numpy" or "compiled" to make one set of kernels count everything.
_FORCE_KERNELS: str | None = None

_numpy_counted = 0
_budget_lock = threading.Lock()


def _counting_kernels(size: int):
    """The counting kernels for an input of ``size`` pixels: NumPy's or the compiled ones.

    Both modules have the same functions and give the same counts; NumPy's count small
    inputs until the compiled kernels are loaded (by a large input, another family, or a
    spent budget), after which they always count.
    """
    global _numpy_counted
    if _FORCE_KERNELS is None and "segscope._kernels" not in sys.modules:
        with _budget_lock:
            if size <= NUMPY_MAX_ELEMENTS and _numpy_counted + size <= NUMPY_BUDGET:
                _numpy_counted += size
                from . import _numpy_counts

                return _numpy_counts
    if _FORCE_KERNELS == "numpy":
        from . import _numpy_counts

        return _numpy_counts
    from . import _kernels as compiled

    return compiled


def _is_numpy(kernels) -> bool:
    return kernels.__name__ == "segscope._numpy_counts"


def _count_one(pred: np.ndarray, target: np.ndarray, num_classes: int,
               ignore_index: int | None, kernels=None) -> np.ndarray:
    """C×C counts of one pair of arrays (any rank)."""
    c = num_classes
    if pred.size == 0:
        return np.zeros((c, c), dtype=np.int64)
    kernels = kernels or _counting_kernels(pred.size)
    if c == 2 and ignore_index not in (0, 1):
        # Binary masks need no histogram: three sums give every count.
        acc = np.zeros(5, dtype=np.int64)
        for p, t in _flat_chunks(pred, target):
            kernels.count_binary(p, t, acc)
        if not acc[4] & ~1:
            sp, st, tp, n = (int(v) for v in acc[:4])
            return np.array([[n - sp - st + tp, sp - tp], [st - tp, tp]], dtype=np.int64)
    # two passes over the pixels (range, then counts); a non-contiguous input is copied
    # one chunk at a time in each pass, so memory stays bounded
    pmin, pmax, tmin, tmax = _value_bounds(pred, target, kernels)
    rows, width = tmax - tmin + 1, pmax - pmin + 1
    if rows * width > DENSE_CELLS:
        return _count_checked(pred, target, c, ignore_index, kernels)
    table = None
    for p, t in _flat_chunks(pred, target):
        part = _dense_counts(p, t, pmin, tmin, width, rows * width, kernels)
        table = part if table is None else table + part
    table = table.reshape(rows, width)
    return _table_to_counts(table, (pmin, pmax, tmin, tmax), c, ignore_index, pred, target)


def _count_images(pred: np.ndarray, target: np.ndarray, num_classes: int,
                  ignore_index: int | None, kernels=None) -> np.ndarray:
    """(N, C, C) counts of a batch whose leading axis indexes images.

    A contiguous multi-class batch is counted by one compiled loop over its images
    (split over threads when large) instead of one call per image.
    """
    c, n = num_classes, pred.shape[0]
    per_image = pred[0].size if n else 0
    kernels = kernels or _counting_kernels(pred.size)
    one_by_one = (
        per_image == 0 or per_image >= 2**32
        or not (pred.flags.c_contiguous and target.flags.c_contiguous)
        or (c == 2 and ignore_index not in (0, 1))
    )
    if not one_by_one:
        bounds = _value_bounds(pred, target, kernels)
        pmin, pmax, tmin, tmax = bounds
        rows, width = tmax - tmin + 1, pmax - pmin + 1
        one_by_one = rows * width > DENSE_CELLS
    if one_by_one:
        out = np.empty((n, c, c), dtype=np.int64)
        for i in range(n):
            out[i] = _count_one(pred[i], target[i], c, ignore_index, kernels)
        return out
    cells = rows * width
    p2, t2 = pred.reshape(n, -1), target.reshape(n, -1)
    if (tmin, tmax, pmin, pmax) == (0, c - 1, 0, c - 1):
        # the tables are the (N, C, C) result itself: count straight into it
        tables = np.zeros((n, cells), dtype=np.int64)
        _count_image_tables(p2, t2, pmin, tmin, width, tables, kernels)
        return _table_to_counts(tables.reshape(n, rows, width), bounds, c, ignore_index,
                                pred, target)
    # a wider value range (e.g. ignore_index=255): tables a block of images at a time
    out = np.empty((n, c, c), dtype=np.int64)
    block = max(1, BLOCK_CELLS // cells)
    for a in range(0, n, block):
        b = min(n, a + block)
        tables = np.zeros((b - a, cells), dtype=np.int64)
        _count_image_tables(p2[a:b], t2[a:b], pmin, tmin, width, tables, kernels)
        out[a:b] = _table_to_counts(tables.reshape(b - a, rows, width), bounds, c,
                                    ignore_index, pred[a:b], target[a:b])
    return out


def _count_image_tables(p2: np.ndarray, t2: np.ndarray, pmin: int, tmin: int, width: int,
                        tables: np.ndarray, kernels) -> None:
    """Fill ``tables`` (images, cells) from ``(images, pixels)`` maps, split over threads."""
    n, cells = tables.shape
    parts = min(num_threads(), n, max(1, p2.size // PARALLEL_MIN_ELEMENTS))
    step = -(-n // parts)
    _in_threads(_tables_of_images, [
        (p2[a:a + step], t2[a:a + step], pmin, tmin, width, cells, tables[a:a + step],
         kernels)
        for a in range(0, n, step)])


def _value_bounds(pred: np.ndarray, target: np.ndarray, kernels
                  ) -> tuple[int, int, int, int]:
    """(min pred, max pred, min target, max target) over every chunk."""
    bounds = [tuple(int(v) for v in kernels.value_range(p, t))
              for p, t in _flat_chunks(pred, target)]
    pmin, pmax, tmin, tmax = bounds[0]
    for b in bounds[1:]:
        pmin, pmax, tmin, tmax = min(pmin, b[0]), max(pmax, b[1]), min(tmin, b[2]), max(tmax, b[3])
    return pmin, pmax, tmin, tmax


def _table_to_counts(table: np.ndarray, bounds: tuple[int, int, int, int], c: int,
                     ignore_index: int | None, pred: np.ndarray, target: np.ndarray
                     ) -> np.ndarray:
    """C×C counts from dense tables ``(..., rows, width)`` over the value range.

    Drops the ``ignore_index`` row and raises if any count falls outside [0, C)².
    """
    pmin, pmax, tmin, tmax = bounds
    if ignore_index is not None and tmin <= ignore_index <= tmax:
        table[..., ignore_index - tmin, :] = 0
    if (tmin, tmax, pmin, pmax) == (0, c - 1, 0, c - 1):
        return table  # the common case: every class present
    t_lo, t_hi = max(tmin, 0), min(tmax, c - 1)
    p_lo, p_hi = max(pmin, 0), min(pmax, c - 1)
    inside = table[..., t_lo - tmin:t_hi - tmin + 1, p_lo - pmin:p_hi - pmin + 1]
    invalid = int(table.sum()) - (int(inside.sum()) if inside.size else 0)
    if invalid:
        _raise_out_of_range(pred, target, c, ignore_index, invalid)
    out = np.zeros((*table.shape[:-2], c, c), dtype=np.int64)
    if inside.size:
        out[..., t_lo:t_hi + 1, p_lo:p_hi + 1] = inside
    return out


#: Tables up to this many cells get eight lanes; larger ones four (cache footprint).
EIGHT_LANE_CELLS = 1 << 13
#: Largest scratch histogram (in counters) each thread keeps between calls.
SCRATCH_COUNTERS = 1 << 20

_scratch_store = threading.local()


def _scratch(counters: int) -> np.ndarray:
    """A zeroed uint32 histogram of this thread, reused between calls.

    Allocating a fresh table of a few hundred kB costs more than counting a small image
    (the pages are mapped anew each time); reused, it stays in cache.
    """
    if counters > SCRATCH_COUNTERS:
        return np.zeros(counters, dtype=np.uint32)
    buffer = getattr(_scratch_store, "buffer", None)
    if buffer is None or buffer.size < counters:
        buffer = _scratch_store.buffer = np.empty(SCRATCH_COUNTERS, dtype=np.uint32)
    hist = buffer[:counters]
    hist.fill(0)
    return hist


def _lanes(cells: int) -> np.ndarray:
    """This thread's zeroed counting lanes for a table of ``cells``: 8, or 4 if large."""
    return _scratch((8 if cells <= EIGHT_LANE_CELLS else 4) * cells)


def _table_of_piece(p: np.ndarray, t: np.ndarray, pmin: int, tmin: int, width: int,
                    cells: int, kernels) -> np.ndarray:
    """Dense int64 table of one flat piece, counted in this thread's scratch lanes."""
    if _is_numpy(kernels):  # one bincount, no lanes
        return kernels.dense_table(p, t, pmin, tmin, width, cells)
    hist = _lanes(cells)
    kernels.count_offset(p, t, pmin, tmin, width, hist, cells)
    return kernels.fold_lanes(hist, cells)


def _tables_of_images(p2: np.ndarray, t2: np.ndarray, pmin: int, tmin: int, width: int,
                      cells: int, out: np.ndarray, kernels) -> None:
    """Per-image tables of ``(images, pixels)`` pieces into ``out`` (in this thread)."""
    lanes = None if _is_numpy(kernels) else _lanes(cells)
    kernels.count_images(p2, t2, pmin, tmin, width, lanes, cells, out)


def _dense_counts(p: np.ndarray, t: np.ndarray, pmin: int, tmin: int, width: int,
                  cells: int, kernels) -> np.ndarray:
    """Dense (target, pred) table (int64, ``cells`` long) of two flat arrays.

    Large arrays are split over threads (the kernel releases the GIL).
    """
    parts = min(num_threads(), max(1, p.size // PARALLEL_MIN_ELEMENTS))
    # uint32 counters: pieces stay below 2**31 pixels
    parts = max(parts, -(-p.size // 2**31))
    step = -(-p.size // parts)
    tables = _in_threads(_table_of_piece, [
        (p[a:a + step], t[a:a + step], pmin, tmin, width, cells, kernels)
        for a in range(0, p.size, step)])
    return functools.reduce(np.add, tables)


def _in_threads(function, calls: list[tuple]) -> list[Any]:
    """``function(*args)`` for each ``args``: the calling thread runs the first call while
    the pool runs the others (the kernels release the GIL). Results in order."""
    futures = [_executor().submit(function, *args) for args in calls[1:]]
    first = function(*calls[0])
    return [first, *(future.result() for future in futures)]


def _count_checked(pred: np.ndarray, target: np.ndarray, num_classes: int,
                   ignore_index: int | None, kernels) -> np.ndarray:
    """Counts with a range check per pixel (for label ranges too wide for a dense table)."""
    c = num_classes
    hist = np.zeros((4, c * c + 2), dtype=np.int64)
    use_ignore = ignore_index is not None
    ignore = ignore_index if use_ignore else 0
    for p, t in _flat_chunks(pred, target):
        kernels.count_pairs(p, t, c, ignore, use_ignore, hist)
    total = hist.sum(axis=0)
    if total[c * c]:
        _raise_out_of_range(pred, target, c, ignore_index, int(total[c * c]))
    return total[: c * c].reshape(c, c)


def _raise_out_of_range(pred: np.ndarray, target: np.ndarray, num_classes: int,
                        ignore_index: int | None, count: int) -> None:
    """Name the offending values (slow path, only on error)."""
    valid = np.ones(target.shape, dtype=bool) if ignore_index is None else target != ignore_index
    parts = []
    for name, arr in (("target", target), ("pred", pred)):
        bad = valid & ((arr < 0) | (arr >= num_classes))
        if bad.any():
            values = np.unique(arr[bad])
            shown = ", ".join(str(v) for v in values[:10]) + (" ..." if values.size > 10 else "")
            parts.append(f"{name} has {int(bad.sum())} pixels with labels {{{shown}}}")
    hint = (
        f"labels must lie in [0, {num_classes}). Raise num_classes, or pass "
        "ignore_index=<value> if these pixels mark 'void' in the target"
    )
    if ignore_index is not None:
        hint += f" (ignore_index={ignore_index} only removes target pixels)"
    raise LabelError(
        f"{'; '.join(parts) or f'{count} pixels have out-of-range labels'}; {hint}"
    )


def _prepare(pred: Any, target: Any, *, decision: Decision = "labels", threshold: float = 0.5,
             num_classes: int | None = None, multilabel: bool = False
             ) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Checked label arrays of ``pred`` (after ``decision``) and ``target``, and the number
    of classes they imply (``num_classes``, or the score channels with ``"argmax"``)."""
    if decision == "labels":
        p = check_label_array(pred, "pred")
        t = check_label_array(target, "target")
        check_same_shape(p, t)
        return p, t, num_classes
    scores = np.asarray(pred)
    t = check_label_array(target, "target")
    classes = check_decision(decision, scores, t, scores=scores.dtype.kind == "f",
                             num_classes=num_classes, multilabel=multilabel)
    if decision == "argmax":
        return scores.argmax(axis=1), t, classes
    return (scores > float(threshold)).view(np.uint8), t, classes


def is_image_list(x: Any) -> bool:
    """Whether ``x`` is a list or tuple of arrays: one image each, shapes free to differ.

    Nested lists of numbers are not: they are one array.

    Examples
    --------
    >>> is_image_list([np.zeros((2, 3)), np.zeros((4, 4))]), is_image_list([[0, 1], [1, 0]])
    (True, False)
    """
    return (isinstance(x, (list, tuple)) and len(x) > 0
            and all(hasattr(e, "shape") and hasattr(e, "dtype") for e in x))


def image_pairs(pred: Any, target: Any, *, decision: Decision = "labels",
                threshold: float = 0.5, num_classes: int | None = None,
                multilabel: bool = False) -> list[tuple[np.ndarray, np.ndarray, int | None]]:
    """Checked ``(pred, target, classes)`` of two image lists of the same length.

    With a ``decision`` other than ``"labels"``, each image's scores lack the batch axis:
    ``(C, *spatial)`` against ``(*spatial)`` for ``"argmax"``.
    """
    if not (is_image_list(pred) and is_image_list(target)):
        raise ShapeError(
            "pass both pred and target as lists of arrays (one per image), or both as "
            f"arrays; got {type(pred).__name__} and {type(target).__name__}"
        )
    if len(pred) != len(target):
        raise ShapeError(f"pred has {len(pred)} images but target has {len(target)}")
    pairs = []
    for i, (p, t) in enumerate(zip(pred, target)):
        try:
            if decision == "labels":
                pairs.append(_prepare(p, t, num_classes=num_classes))
            else:  # the decision of a batch of one image
                a, b, c = _prepare(np.asarray(p)[None], np.asarray(t)[None], decision=decision,
                                   threshold=threshold, num_classes=num_classes,
                                   multilabel=multilabel)
                pairs.append((a[0], b[0], c))
        except ShapeError as err:
            raise ShapeError(f"image {i}: {err}") from None
    return pairs


def _host_counts(pred: np.ndarray, target: np.ndarray, num_classes: int,
                 ignore_index: int | None, per_image: bool) -> np.ndarray:
    """Counts of checked label arrays: ``(C, C)``, or ``(N, C, C)`` with ``per_image``."""
    if not per_image:
        return _count_one(pred, target, num_classes, ignore_index)
    if pred.ndim < 1:
        raise ShapeError("per_image=True needs a leading image axis; got a 0-d array")
    return _count_images(pred, target, num_classes, ignore_index)


def confusion_matrix(
    pred: Any,
    target: Any,
    /,
    *,
    num_classes: int | None = None,
    ignore_index: int | None = None,
    per_image: bool = False,
    decision: Decision = "labels",
    threshold: float = 0.5,
) -> Any:
    """Count (target class, predicted class) pairs over every pixel.

    NumPy arrays are counted by a compiled loop; torch tensors are counted on their own
    device and give a tensor (see ``docs/torch.md``). The counts are the same integers.

    Parameters
    ----------
    pred, target : array_like or Tensor of int or bool, or lists of them
        Label maps of the same shape: an image ``(H, W)``, a volume ``(D, H, W)``, or a
        batch with a leading image axis; or two lists of arrays, one per image, whose
        shapes may differ from image to image. Float NumPy labels are accepted only if
        every value is a whole number. With ``decision="argmax"``, ``pred`` holds class
        scores ``(N, C, *spatial)``; with ``"threshold"``, binary scores of ``target``'s
        shape.
    num_classes : int
        Number of classes ``C``; labels must lie in ``[0, C)``. Required for label maps;
        implied by the score channels with ``"argmax"`` and 2 with ``"threshold"``.
    ignore_index : int, optional
        Target pixels with this value are removed from both maps.
    per_image : bool
        If true, the leading axis indexes images and the result is ``(N, C, C)``.
    decision : {"labels", "argmax", "threshold"}
        How ``pred`` becomes labels: as given, the class of the largest score over axis 1,
        or ``pred > threshold``. Scores are never thresholded implicitly.
    threshold : float
        Used with ``decision="threshold"`` (0.5 for probabilities, 0.0 for logits).

    Returns
    -------
    ndarray (or Tensor on the input's device) of int64, shape (C, C) or (N, C, C)
        ``counts[..., i, j]``: pixels of target class ``i`` predicted as ``j``.

    Raises
    ------
    LabelError
        If a label outside ``[0, C)`` (other than ``ignore_index``) occurs; the message
        names the values.
    ShapeError
        If the shapes differ, or ``per_image`` is set on a 0-d input.

    Examples
    --------
    >>> confusion_matrix([1, 1, 0], [1, 0, 0], num_classes=2).tolist()
    [[1, 1], [0, 1]]
    >>> confusion_matrix([[1, 1], [0, 0]], [[1, 0], [0, 0]], num_classes=2,
    ...                  per_image=True).tolist()
    [[[0, 1], [0, 1]], [[2, 0], [0, 0]]]
    >>> images = [np.array([1, 0]), np.array([[1, 1], [0, 1]])]   # sizes differ
    >>> confusion_matrix(images, images, num_classes=2).tolist()
    [[2, 0], [0, 4]]
    >>> scores = np.array([[[0.9, 0.2], [0.1, 0.8]]])   # (N=1, C=2, 2 pixels)
    >>> confusion_matrix(scores, [[0, 0]], decision="argmax").tolist()
    [[1, 1], [0, 0]]
    """
    if any_tensor(pred, target):
        from ._torch.confusion import confusion_matrix as tensor_confusion_matrix

        return tensor_confusion_matrix(
            pred, target, num_classes=num_classes, ignore_index=ignore_index,
            per_image=per_image, decision=decision, threshold=threshold,
            count_on_host=_host_counts)
    ignore = check_ignore_index(ignore_index)
    if is_image_list(pred) or is_image_list(target):
        pairs = image_pairs(pred, target, decision=decision, threshold=threshold,
                            num_classes=num_classes)
        counts = np.stack([_count_one(p, t, check_num_classes(c), ignore) for p, t, c in pairs])
        return counts if per_image else counts.sum(axis=0)
    p, t, c = _prepare(pred, target, decision=decision, threshold=threshold,
                       num_classes=num_classes)
    return _host_counts(p, t, check_num_classes(c), ignore, per_image)


def _binary_counts(pred: np.ndarray, target: np.ndarray, kernels) -> np.ndarray:
    """[[tn, fp], [fn, tp]] of one pair of 0/1 arrays."""
    acc = np.zeros(5, dtype=np.int64)
    for p, t in _flat_chunks(pred, target):
        kernels.count_binary(p, t, acc)
    if acc[4] & ~1:
        raise LabelError(
            "multi-label input must be boolean or 0/1 per channel; found other values "
            f"(pred values {np.unique(pred)[:10].tolist()}, target values "
            f"{np.unique(target)[:10].tolist()}). Threshold scores first, e.g. probs > 0.5 "
            "or decision='threshold'"
        )
    sp, st, tp, n = (int(v) for v in acc[:4])
    fp, fn = sp - tp, st - tp
    return np.array([[n - tp - fp - fn, fp], [fn, tp]], dtype=np.int64)


def multilabel_confusion_matrix(pred: Any, target: Any, /, *, per_image: bool = False,
                                decision: Decision = "labels", threshold: float = 0.5) -> Any:
    """Per-class 2×2 counts of multi-label masks (one boolean channel per class).

    NumPy arrays give an ndarray; torch tensors are counted on their own device and give
    a tensor.

    Parameters
    ----------
    pred, target : array_like or Tensor of bool or 0/1 integers, shape (N, C, ...), or lists
        A batch of ``N`` images with ``C`` channels; a pixel may belong to several
        classes (or none). Or two lists of ``(C, ...)`` arrays, one per image, whose
        sizes may differ.
    per_image : bool
        Return counts per image, ``(N, C, 2, 2)``, instead of summed over images.
    decision : {"labels", "threshold"}
        ``"threshold"`` reads ``pred`` as scores and marks ``pred > threshold``.
    threshold : float
        Used with ``decision="threshold"``.

    Returns
    -------
    ndarray (or Tensor) of int64, shape (C, 2, 2) or (N, C, 2, 2)
        ``[[tn, fp], [fn, tp]]`` per class (scikit-learn's layout).

    Examples
    --------
    >>> p = np.array([[[1, 0], [1, 1]]], dtype=bool)   # N=1, C=2, 2 pixels
    >>> t = np.array([[[1, 1], [0, 1]]], dtype=bool)
    >>> multilabel_confusion_matrix(p, t).tolist()
    [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
    >>> multilabel_confusion_matrix(p * 0.9, t, decision="threshold").tolist()
    [[[0, 0], [1, 1]], [[0, 1], [0, 1]]]
    """
    if any_tensor(pred, target):
        from ._torch.confusion import multilabel_confusion_matrix as tensor_counts

        return tensor_counts(pred, target, per_image=per_image, decision=decision,
                             threshold=threshold, count_on_host=_multilabel_counts)
    if is_image_list(pred) or is_image_list(target):
        pairs = image_pairs(pred, target, decision=decision, threshold=threshold,
                            multilabel=True)  # one (C, ...) image each
        channels = {p.shape[0] if p.ndim else None for p, _, _ in pairs}
        if len(channels) != 1 or None in channels:
            raise ShapeError(
                "every multi-label image must have the same number of channels on its first "
                f"axis, (C, ...); got {sorted(map(str, channels))}"
            )
        p = [pair[0][None] for pair in pairs]
        t = [pair[1][None] for pair in pairs]
    else:
        a, b, _ = _prepare(pred, target, decision=decision, threshold=threshold,
                           multilabel=True)
        if a.ndim < 2:
            raise ShapeError(
                f"multi-label input must have shape (N, C, ...); got {a.shape}. Add a batch "
                "axis with x[None] for a single image"
            )
        p, t = [a], [b]
    out = np.concatenate([_multilabel_counts(a, b) for a, b in zip(p, t)])
    return out if per_image else out.sum(axis=0)


def _multilabel_counts(p: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(N, C, 2, 2) counts of an (N, C, ...) batch of checked 0/1 arrays."""
    n, c = p.shape[:2]
    out = np.empty((n, c, 2, 2), dtype=np.int64)
    kernels = _counting_kernels(p.size)
    for i in range(n):
        for k in range(c):
            out[i, k] = _binary_counts(p[i, k], t[i, k], kernels)
    return out
