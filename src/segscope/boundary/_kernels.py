"""Numba kernels for boundary metrics: bounding boxes, boundary voxels, distance transform.

Every kernel works on 3-D arrays; 2-D inputs are viewed as ``(1, H, W)``, and the
flag ``use_axis0`` tells the kernels whether the first axis is a real one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "boundary_voxel_coords",
    "label_boxes",
    "neighbour_codes",
    "squared_edt",
]


@njit(cache=True, nogil=True)
def label_boxes(labels, num_labels, first_label):  # pragma: no cover - compiled
    """Bounding box of every label in ``[first_label, num_labels)`` in one pass.

    Returns ``(lo, hi, count, bad)``: ``lo``/``hi`` are ``(num_labels, 3)`` inclusive
    corners (``hi < lo`` for an absent label), ``count`` the voxels of each label and
    ``bad`` the number of values outside ``[0, num_labels)``.
    """
    n0, n1, n2 = labels.shape
    lo = np.empty((num_labels, 3), np.int64)
    hi = np.empty((num_labels, 3), np.int64)
    count = np.zeros(num_labels, np.int64)
    for c in range(num_labels):
        lo[c, 0] = n0
        lo[c, 1] = n1
        lo[c, 2] = n2
        hi[c, 0] = -1
        hi[c, 1] = -1
        hi[c, 2] = -1
    bad = 0
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                v = labels[i, j, k]
                if v < first_label:
                    if v < 0:
                        bad += 1
                    continue
                if v >= num_labels:
                    bad += 1
                    continue
                count[v] += 1
                if i < lo[v, 0]:
                    lo[v, 0] = i
                if i > hi[v, 0]:
                    hi[v, 0] = i
                if j < lo[v, 1]:
                    lo[v, 1] = j
                if j > hi[v, 1]:
                    hi[v, 1] = j
                if k < lo[v, 2]:
                    lo[v, 2] = k
                if k > hi[v, 2]:
                    hi[v, 2] = k
    return lo, hi, count, bad


@njit(cache=True, nogil=True)
def boundary_voxel_coords(mask, use_axis0):  # pragma: no cover - compiled
    """Coordinates ``(n, 3)`` of foreground voxels with a background face neighbour.

    ``mask`` must have a background margin of one voxel on every real axis (the
    image border then counts as background, as with ``binary_erosion``'s default).
    """
    n0, n1, n2 = mask.shape
    total = 0
    for i in range(n0):
        for j in range(1, n1 - 1):
            for k in range(1, n2 - 1):
                if mask[i, j, k]:
                    if not (mask[i, j, k - 1] and mask[i, j, k + 1] and mask[i, j - 1, k]
                            and mask[i, j + 1, k]):
                        total += 1
                    elif use_axis0 and not (mask[i - 1, j, k] and mask[i + 1, j, k]):
                        total += 1
    out = np.empty((total, 3), np.int64)
    m = 0
    for i in range(n0):
        for j in range(1, n1 - 1):
            for k in range(1, n2 - 1):
                if mask[i, j, k]:
                    edge = not (mask[i, j, k - 1] and mask[i, j, k + 1] and mask[i, j - 1, k]
                                and mask[i, j + 1, k])
                    if not edge and use_axis0:
                        edge = not (mask[i - 1, j, k] and mask[i + 1, j, k])
                    if edge:
                        out[m, 0] = i
                        out[m, 1] = j
                        out[m, 2] = k
                        m += 1
    return out


@njit(cache=True, nogil=True)
def neighbour_codes(mask, use_axis0):  # pragma: no cover - compiled
    """Codes of the 2×2(×2) neighbourhoods on the grid of voxel corners.

    Corner ``(i, j, k)`` sits between voxels ``i, i+1`` (and so on) of ``mask``. The
    voxel at the lowest offset carries the highest bit (128 in 3-D, 8 in 2-D), the
    order used by DeepMind's surface-distance. Returns ``(coords (n, 3), codes (n,))``
    of the corners whose neighbourhood is neither all background nor all foreground.
    """
    n0, n1, n2 = mask.shape
    m0 = n0 - 1 if use_axis0 else n0
    full = 255 if use_axis0 else 15
    total = 0
    for i in range(m0):
        for j in range(n1 - 1):
            for k in range(n2 - 1):
                c = 0
                if use_axis0:
                    c = (mask[i, j, k] * 128 + mask[i, j, k + 1] * 64 + mask[i, j + 1, k] * 32
                         + mask[i, j + 1, k + 1] * 16 + mask[i + 1, j, k] * 8
                         + mask[i + 1, j, k + 1] * 4 + mask[i + 1, j + 1, k] * 2
                         + mask[i + 1, j + 1, k + 1])
                else:
                    c = (mask[i, j, k] * 8 + mask[i, j, k + 1] * 4 + mask[i, j + 1, k] * 2
                         + mask[i, j + 1, k + 1])
                if c != 0 and c != full:
                    total += 1
    coords = np.empty((total, 3), np.int64)
    codes = np.empty(total, np.int64)
    m = 0
    for i in range(m0):
        for j in range(n1 - 1):
            for k in range(n2 - 1):
                c = 0
                if use_axis0:
                    c = (mask[i, j, k] * 128 + mask[i, j, k + 1] * 64 + mask[i, j + 1, k] * 32
                         + mask[i, j + 1, k + 1] * 16 + mask[i + 1, j, k] * 8
                         + mask[i + 1, j, k + 1] * 4 + mask[i + 1, j + 1, k] * 2
                         + mask[i + 1, j + 1, k + 1])
                else:
                    c = (mask[i, j, k] * 8 + mask[i, j, k + 1] * 4 + mask[i, j + 1, k] * 2
                         + mask[i, j + 1, k + 1])
                if c != 0 and c != full:
                    coords[m, 0] = i
                    coords[m, 1] = j
                    coords[m, 2] = k
                    codes[m] = c
                    m += 1
    return coords, codes


@njit(cache=True, nogil=True)
def _envelope(f, n, s2, v, z, out):  # pragma: no cover - compiled
    """1-D squared distance transform of sampled function ``f`` (Felzenszwalb–Huttenlocher).

    ``out[q] = min_p s2 * (q - p)**2 + f[p]``; entries of ``f`` that are ``inf`` are
    not features.
    """
    k = -1
    for q in range(n):
        fq = f[q]
        if fq == np.inf:
            continue
        if k < 0:
            k = 0
            v[0] = q
            z[0] = -np.inf
            z[1] = np.inf
            continue
        s = 0.0
        while True:
            p = v[k]
            s = ((fq + s2 * q * q) - (f[p] + s2 * p * p)) / (2.0 * s2 * (q - p))
            if s <= z[k]:
                k -= 1
            else:
                break
        k += 1
        v[k] = q
        z[k] = s
        z[k + 1] = np.inf
    if k < 0:
        for q in range(n):
            out[q] = np.inf
        return
    k = 0
    for q in range(n):
        while z[k + 1] < q:
            k += 1
        p = v[k]
        d = q - p
        out[q] = s2 * d * d + f[p]


@njit(cache=True, nogil=True)
def squared_edt(features, spacing):  # pragma: no cover - compiled
    """Squared Euclidean distance from every voxel to the nearest ``True`` of ``features``.

    ``spacing`` has three entries (physical size of a step along each axis). Exact:
    the result is a sum of squared multiples of the spacing, as with SciPy's
    ``distance_transform_edt(~features, sampling=spacing) ** 2``.
    """
    n0, n1, n2 = features.shape
    out = np.empty((n0, n1, n2), np.float64)
    s0 = spacing[0] * spacing[0]
    s1 = spacing[1] * spacing[1]
    s2 = spacing[2] * spacing[2]
    # axis 2: nearest feature along each line, by two sweeps
    for i in range(n0):
        for j in range(n1):
            last = -1
            for k in range(n2):
                if features[i, j, k]:
                    last = k
                    out[i, j, k] = 0.0
                elif last >= 0:
                    d = k - last
                    out[i, j, k] = s2 * d * d
                else:
                    out[i, j, k] = np.inf
            last = -1
            for k in range(n2 - 1, -1, -1):
                if features[i, j, k]:
                    last = k
                elif last >= 0:
                    d = last - k
                    e = s2 * d * d
                    if e < out[i, j, k]:
                        out[i, j, k] = e
    nmax = max(n0, n1, n2)
    f = np.empty(nmax, np.float64)
    g = np.empty(nmax, np.float64)
    v = np.empty(nmax, np.int64)
    z = np.empty(nmax + 1, np.float64)
    if n1 > 1:
        for i in range(n0):
            for k in range(n2):
                for j in range(n1):
                    f[j] = out[i, j, k]
                _envelope(f, n1, s1, v, z, g)
                for j in range(n1):
                    out[i, j, k] = g[j]
    if n0 > 1:
        for j in range(n1):
            for k in range(n2):
                for i in range(n0):
                    f[i] = out[i, j, k]
                _envelope(f, n0, s0, v, z, g)
                for i in range(n0):
                    out[i, j, k] = g[i]
    return out


@njit(cache=True, nogil=True)
def gather(values, coords):  # pragma: no cover - compiled
    """``values[coords[:, 0], coords[:, 1], coords[:, 2]]`` without temporaries."""
    n = coords.shape[0]
    out = np.empty(n, values.dtype)
    for m in range(n):
        out[m] = values[coords[m, 0], coords[m, 1], coords[m, 2]]
    return out
