"""The counting kernels of :mod:`segscope._kernels` written with NumPy alone.

Loading numba and the cached compiled kernels takes about a second, far more than
counting one 512×512 pair. :mod:`segscope.confusion` therefore counts small inputs with
these functions while the compiled kernels are not loaded (a short job, such as one
``segscope evaluate`` of a few images, never pays that second), and switches to the
compiled ones for large inputs or once a process has counted enough pixels to repay them.

Each function here has the name, arguments and results of its compiled counterpart, so
``confusion`` runs the same steps (range, then dense table or checked counts) whichever
set counts. Cell indices are ``(t - tmin) * width + (p - pmin)``, exact in signed 64-bit
arithmetic for every dtype but uint64, which is computed modulo 2**64 as the compiled
kernels do (uint64 labels above 2**63 included). ``tests/test_counting_paths.py`` checks
that both sets give the same counts and the same errors for every dtype, ignore value,
label range and image stack. NumPy needs about 0.5 ms for a 512×512 pair, the compiled
kernels about 0.1 ms, after a second to load them.

Examples
--------
>>> import numpy as np
>>> p, t = np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2])
>>> value_range(p, t)
(0, 2, 0, 2)
>>> dense_table(p, t, 0, 0, 3, 9).reshape(3, 3).tolist()   # rows: target, cols: pred
[[1, 0, 0], [0, 1, 0], [0, 1, 1]]
"""

from __future__ import annotations

import numpy as np

__all__ = ["count_binary", "count_images", "count_pairs", "dense_table", "value_range"]

_U64 = np.uint64


def value_range(pred: np.ndarray, target: np.ndarray) -> tuple[int, int, int, int]:
    """(min pred, max pred, min target, max target) of two non-empty arrays, exactly."""
    return int(pred.min()), int(pred.max()), int(target.min()), int(target.max())


def _cell_index(pred: np.ndarray, target: np.ndarray, pmin: int, tmin: int,
                width: int) -> np.ndarray:
    """``(t - tmin) * width + (p - pmin)`` of every pixel (values inside the range)."""
    p, t = pred.reshape(-1), target.reshape(-1)
    if np.uint64 in (p.dtype.type, t.dtype.type):  # values may exceed int64: wrap as uint64
        index = t.astype(_U64) * _U64(width)
        index += p.astype(_U64)
        index -= _U64((tmin * width + pmin) % 2**64)
        return index.astype(np.intp)
    index = t.astype(np.intp)  # every other dtype fits: exact in signed 64-bit
    index -= tmin
    index *= width
    index += p
    index -= pmin
    return index


def dense_table(pred: np.ndarray, target: np.ndarray, pmin: int, tmin: int, width: int,
                cells: int) -> np.ndarray:
    """Dense int64 table (``cells`` long) of two flat arrays whose values lie in the range.

    The compiled path gets the same table from ``count_offset`` and ``fold_lanes``.
    """
    return np.bincount(_cell_index(pred, target, pmin, tmin, width), minlength=cells)


def count_images(pred: np.ndarray, target: np.ndarray, pmin: int, tmin: int, width: int,
                 hist: np.ndarray | None, cells: int, out: np.ndarray) -> None:
    """Add the table of image ``k`` of ``(images, pixels)`` arrays to row ``k`` of ``out``.

    One ``bincount`` for the whole stack: image ``k`` owns cells ``[k*cells, (k+1)*cells)``.
    ``hist`` (the compiled kernel's scratch) is not needed.
    """
    n = pred.shape[0]
    if n == 0:
        return
    index = _cell_index(pred, target, pmin, tmin, width)
    index += np.repeat(np.arange(n, dtype=np.intp) * cells, pred.shape[1])
    out += np.bincount(index, minlength=n * cells).reshape(n, cells)


def count_pairs(pred: np.ndarray, target: np.ndarray, num_classes: int, ignore: int,
                use_ignore: bool, hist: np.ndarray) -> None:
    """Add (target, pred) pairs to ``hist[0]`` (``C*C`` cells, out-of-range, ignored).

    A pixel whose target is ``ignore`` (when ``use_ignore``) is counted as ignored whatever
    its labels; any other pixel with a label outside ``[0, C)`` as out of range.
    """
    c = num_classes
    t = target.reshape(-1)
    p = pred.reshape(-1)
    ignored = np.zeros(t.shape, dtype=bool)
    if use_ignore:
        ignored = t.astype(np.int64) == ignore
    tu, pu = t.astype(_U64), p.astype(_U64)
    ok = (tu < _U64(c)) & (pu < _U64(c)) & ~ignored
    index = (tu[ok] * _U64(c) + pu[ok]).astype(np.intp)
    hist[0, : c * c] += np.bincount(index, minlength=c * c)
    n_ignored = int(np.count_nonzero(ignored))
    hist[0, c * c] += t.size - int(np.count_nonzero(ok)) - n_ignored
    hist[0, c * c + 1] += n_ignored


def count_binary(pred: np.ndarray, target: np.ndarray, out: np.ndarray) -> None:
    """Add (sum pred, sum target, sum pred*target, n, bits) of two 0/1 arrays to ``out``.

    As in the compiled kernel, ``bits`` has a bit above the lowest one set when a value
    outside {0, 1} occurs; the sums are then meaningless and the caller does not use them.
    """
    p = pred.reshape(-1)
    t = target.reshape(-1)
    out[3] += p.size
    if p.size == 0:
        return
    if min(int(p.min()), int(t.min())) < 0 or max(int(p.max()), int(t.max())) > 1:
        out[4] |= 2
        return
    out[0] += np.count_nonzero(p)
    out[1] += np.count_nonzero(t)
    out[2] += np.count_nonzero(np.logical_and(p, t))
