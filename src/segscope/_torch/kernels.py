"""Compiled CPU loop: argmax over class scores fused with confusion counting.

``torch.argmax(dim=1)`` on the CPU walks the channel axis with a large stride and
writes an ``(N, *spatial)`` index tensor before anything is counted. This loop reads
the scores once, channel by channel over a block of pixels (contiguous reads), keeps
the running maximum of each pixel in a small block buffer, and adds the
``(target, argmax)`` pairs of the block to the histogram. Ties go to the lowest class
and NaN counts as the maximum, as in ``torch.argmax``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["argmax_count"]

BLOCK = 2048


@njit(cache=True, nogil=True, boundscheck=False)
def argmax_count(scores, target, num_classes, ignore, use_ignore, hist):  # pragma: no cover
    """Add the (target, argmax) pairs of ``scores`` (N, C, L) to ``hist`` (N, C*C+2).

    Cell ``C*C`` counts out-of-range targets, cell ``C*C+1`` ignored pixels.
    """
    n, c, size = scores.shape
    bad_cell = num_classes * num_classes
    ignore_cell = bad_cell + 1
    best = np.empty(BLOCK, dtype=scores.dtype)
    index = np.empty(BLOCK, dtype=np.int32)  # same width as float32 lanes: vectorises
    for i in range(n):
        for start in range(0, size, BLOCK):
            stop = min(size, start + BLOCK)
            width = stop - start
            for j in range(width):
                best[j] = scores[i, 0, start + j]
                index[j] = 0
            for k in range(1, c):
                row = scores[i, k, start:stop]
                label = np.int32(k)
                for j in range(width):
                    value = row[j]
                    current = best[j]
                    # branch-free select (vectorises): larger value, or a first NaN
                    take = (value > current) | ((value != value) & (current == current))
                    best[j] = value if take else current
                    index[j] = label if take else index[j]
            for j in range(width):
                t = np.int64(target[i, start + j])
                if use_ignore and t == ignore:
                    hist[i, ignore_cell] += 1
                elif t < 0 or t >= num_classes:
                    hist[i, bad_cell] += 1
                else:
                    hist[i, t * num_classes + index[j]] += 1
