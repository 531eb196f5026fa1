"""Compiled loops of the verification: window resampling and the best crop alignment.

Imported only when pairs are verified (numba compiles on first use, cached on disk).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["best_window", "sample_window"]


@njit(cache=True, nogil=True)
def _cell(position, n):  # pragma: no cover - compiled
    """The sample at ``position`` (clamped to the source) as a cell index and its fraction."""
    if position < 0.0:
        position = 0.0
    if position > n - 1.0:
        position = n - 1.0
    index = int(position)
    if index > n - 2:
        index = n - 2
    return index, position - index


@njit(cache=True, nogil=True)
def sample_window(src, y0, x0, h, w, out):  # pragma: no cover - compiled
    """Bilinear samples of the window ``[y0, y0+h) × [x0, x0+w)`` of ``src`` into ``out``."""
    n_out_y, n_out_x = out.shape
    n_y, n_x = src.shape
    for i in range(n_out_y):
        iy, fy = _cell(y0 + (i + 0.5) * h / n_out_y - 0.5, n_y)
        for j in range(n_out_x):
            ix, fx = _cell(x0 + (j + 0.5) * w / n_out_x - 0.5, n_x)
            top = src[iy, ix] * (1.0 - fx) + src[iy, ix + 1] * fx
            bottom = src[iy + 1, ix] * (1.0 - fx) + src[iy + 1, ix + 1] * fx
            out[i, j] = top * (1.0 - fy) + bottom * fy


@njit(cache=True, nogil=True)
def _ncc(a, b):  # pragma: no cover - compiled
    n = a.size
    sa = 0.0
    sb = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            sa += a[i, j]
            sb += b[i, j]
    ma = sa / n
    mb = sb / n
    saa = 0.0
    sbb = 0.0
    sab = 0.0
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            da = a[i, j] - ma
            db = b[i, j] - mb
            saa += da * da
            sbb += db * db
            sab += da * db
    if saa <= 0.0 or sbb <= 0.0:
        return 0.0
    return sab / np.sqrt(saa * sbb)


@njit(cache=True, nogil=True)
def best_window(container, content, sides_y, sides_x, step, y_lo, y_hi, x_lo,
                x_hi):  # pragma: no cover - compiled
    """The window of ``container`` whose resampling best correlates with ``content``.

    Every window side pair from ``sides_y`` × ``sides_x`` is tried at every offset from
    ``y_lo``/``x_lo`` up to ``y_hi``/``x_hi`` (by ``step`` pixels) that keeps it inside
    ``container``. Returns ``(ncc, y0, x0, h, w)``.
    """
    buf = np.empty(content.shape, np.float64)
    best = -2.0
    by = 0.0
    bx = 0.0
    bh = float(container.shape[0])
    bw = float(container.shape[1])
    for h in sides_y:
        for w in sides_x:
            top = min(y_hi, container.shape[0] - h)
            right = min(x_hi, container.shape[1] - w)
            y0 = max(y_lo, 0.0)
            while y0 <= top + 1e-9:
                x0 = max(x_lo, 0.0)
                while x0 <= right + 1e-9:
                    sample_window(container, y0, x0, h, w, buf)
                    c = _ncc(buf, content)
                    if c > best:
                        best = c
                        by = y0
                        bx = x0
                        bh = h
                        bw = w
                    x0 += step
                y0 += step
    return best, by, bx, bh, bw
