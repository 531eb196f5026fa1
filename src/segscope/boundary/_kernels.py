"""Numba kernels for boundary metrics: boxes, surfaces, nearest points, distance transform.

Every kernel works on 3-D arrays; 2-D inputs are viewed as ``(1, H, W)``, and the
flag ``use_axis0`` tells the kernels whether the first axis is a real one.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = [
    "boundary_voxel_coords",
    "label_boxes",
    "nearest_squared_in_cells",
    "neighbour_codes",
    "squared_edt",
    "squared_edt_full",
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
            if first_label > 0:
                any_set = labels[i, j, 0] != 0
                for k in range(n2):  # an OR-reduction the compiler vectorises
                    any_set |= labels[i, j, k] != 0
                if not any_set:
                    continue
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
def _envelope(f, n, s2, v, fv, gv, z, out):  # pragma: no cover - compiled
    """1-D squared distance transform of sampled function ``f`` (Felzenszwalb–Huttenlocher).

    ``out[q] = min_p s2 * (q - p)**2 + f[p]``; entries of ``f`` that are ``inf`` are
    not features. ``v, fv, gv, z`` are work buffers (``z`` one longer than ``n``).
    The intersection test is done without a division.
    """
    k = -1
    for q in range(n):
        fq = f[q]
        if fq == np.inf:
            continue
        gq = fq + s2 * q * q
        if k < 0:
            k = 0
            v[0] = q
            fv[0] = fq
            gv[0] = gq
            z[0] = -np.inf
            continue
        num = 0.0
        den = 1.0
        while True:
            num = gq - gv[k]
            den = 2.0 * s2 * (q - v[k])
            if num <= z[k] * den:
                k -= 1
            else:
                break
        k += 1
        v[k] = q
        fv[k] = fq
        gv[k] = gq
        z[k] = num / den
    if k < 0:
        for q in range(n):
            out[q] = np.inf
        return
    last = k
    k = 0
    for q in range(n):
        while k < last and z[k + 1] < q:
            k += 1
        d = q - v[k]
        out[q] = s2 * d * d + fv[k]


@njit(cache=True, nogil=True)
def _first_axis_pass(features, s2, out):  # pragma: no cover - compiled
    """Squared distance to the nearest feature along the last axis (two sweeps)."""
    n0, n1, n2 = features.shape
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


@njit(cache=True, nogil=True)
def squared_edt(features, spacing, queries):  # pragma: no cover - compiled
    """Squared Euclidean distance to the nearest ``True`` of ``features``, at ``queries``.

    ``features`` is 3-D (a 2-D grid as ``(1, H, W)``), ``spacing`` has three entries
    and ``queries`` is ``(m, 3)`` int. The transform is separable and exact: the
    result is a sum of squared multiples of the spacing, as with SciPy's
    ``distance_transform_edt(~features, sampling=spacing) ** 2``. The last pass only
    visits the lines that hold a query; :func:`squared_edt_full` gives the whole grid.
    """
    full = squared_edt_full_impl(features, spacing, queries, False)
    m = queries.shape[0]
    res = np.empty(m, np.float64)
    for t in range(m):
        res[t] = full[queries[t, 0], queries[t, 1], queries[t, 2]]
    return res


@njit(cache=True, nogil=True)
def squared_edt_full(features, spacing):  # pragma: no cover - compiled
    """Squared Euclidean distance transform of the whole grid (see :func:`squared_edt`)."""
    return squared_edt_full_impl(features, spacing, np.zeros((0, 3), np.int64), True)


@njit(cache=True, nogil=True)
def squared_edt_full_impl(features, spacing, queries, everywhere):  # pragma: no cover
    """The separable transform; the last pass runs on every line (``everywhere``) or
    only on the lines that hold one of ``queries``."""
    n0, n1, n2 = features.shape
    out = np.empty((n0, n1, n2), np.float64)
    s0 = spacing[0] * spacing[0]
    s1 = spacing[1] * spacing[1]
    s2 = spacing[2] * spacing[2]
    _first_axis_pass(features, s2, out)
    nmax = max(n0, n1, n2)
    f = np.empty(nmax, np.float64)
    g = np.empty(nmax, np.float64)
    v = np.empty(nmax, np.int64)
    fv = np.empty(nmax, np.float64)
    gv = np.empty(nmax, np.float64)
    z = np.empty(nmax + 1, np.float64)
    if n0 > 1:
        if n1 > 1:
            for i in range(n0):
                for k in range(n2):
                    for j in range(n1):
                        f[j] = out[i, j, k]
                    _envelope(f, n1, s1, v, fv, gv, z, g)
                    for j in range(n1):
                        out[i, j, k] = g[j]
        need = np.zeros((n1, n2), np.bool_)
        if everywhere:
            need[:, :] = True
        for t in range(queries.shape[0]):
            need[queries[t, 1], queries[t, 2]] = True
        for j in range(n1):
            for k in range(n2):
                if not need[j, k]:
                    continue
                for i in range(n0):
                    f[i] = out[i, j, k]
                _envelope(f, n0, s0, v, fv, gv, z, g)
                for i in range(n0):
                    out[i, j, k] = g[i]
    elif n1 > 1:
        need1 = np.zeros(n2, np.bool_)
        if everywhere:
            need1[:] = True
        for t in range(queries.shape[0]):
            need1[queries[t, 2]] = True
        for k in range(n2):
            if not need1[k]:
                continue
            for j in range(n1):
                f[j] = out[0, j, k]
            _envelope(f, n1, s1, v, fv, gv, z, g)
            for j in range(n1):
                out[0, j, k] = g[j]
    return out


@njit(cache=True, nogil=True)
def nearest_squared_in_cells(points, queries, spacing, cell, max_ring):  # pragma: no cover
    """Squared distance from each query to the nearest of ``points``, by a bucket grid.

    ``points`` and ``queries`` are ``(n, 3)`` non-negative int coordinates, ``spacing``
    three physical step sizes and ``cell`` the physical edge of a bucket. Buckets
    are searched in growing cubic rings around the query's bucket; the search stops
    as soon as no farther ring can hold a closer point (so the result is exact), or
    after ``max_ring`` rings. Returns ``(squared distances, resolved)``; unresolved
    queries (the nearest point is far away) are left for another method.
    """
    n_p = points.shape[0]
    n_q = queries.shape[0]
    size = np.zeros(3, np.int64)
    for a in range(3):
        m = 0
        for i in range(n_p):
            m = max(m, points[i, a])
        for i in range(n_q):
            m = max(m, queries[i, a])
        size[a] = m + 1
    edge = np.empty(3, np.int64)
    reach = np.inf  # physical length of the shortest bucket edge
    for a in range(3):
        edge[a] = max(1, int(round(cell / spacing[a])))  # noqa: RUF046 (numba)
        reach = min(reach, edge[a] * spacing[a])
    g0 = size[0] // edge[0] + 1
    g1 = size[1] // edge[1] + 1
    g2 = size[2] // edge[2] + 1
    start = np.zeros(g0 * g1 * g2 + 1, np.int64)
    owner = np.empty(n_p, np.int64)
    for i in range(n_p):
        c = ((points[i, 0] // edge[0]) * g1 + points[i, 1] // edge[1]) * g2 \
            + points[i, 2] // edge[2]
        owner[i] = c
        start[c + 1] += 1
    for c in range(g0 * g1 * g2):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    px = np.empty(n_p, np.float64)
    py = np.empty(n_p, np.float64)
    pz = np.empty(n_p, np.float64)
    for i in range(n_p):
        j = fill[owner[i]]
        fill[owner[i]] += 1
        px[j] = points[i, 0] * spacing[0]
        py[j] = points[i, 1] * spacing[1]
        pz[j] = points[i, 2] * spacing[2]
    out = np.empty(n_q, np.float64)
    resolved = np.zeros(n_q, np.bool_)
    for t in range(n_q):
        qx = queries[t, 0] * spacing[0]
        qy = queries[t, 1] * spacing[1]
        qz = queries[t, 2] * spacing[2]
        c0 = queries[t, 0] // edge[0]
        c1 = queries[t, 1] // edge[1]
        c2 = queries[t, 2] // edge[2]
        best = np.inf
        # beyond this ring there are no buckets
        last_ring = max(max(c0, g0 - 1 - c0), max(max(c1, g1 - 1 - c1), max(c2, g2 - 1 - c2)))
        for r in range(max_ring + 1):
            for d0 in range(-r, r + 1):
                i0 = c0 + d0
                if i0 < 0 or i0 >= g0:
                    continue
                for d1 in range(-r, r + 1):
                    i1 = c1 + d1
                    if i1 < 0 or i1 >= g1:
                        continue
                    # on the ring's surface every d2 counts; inside it only d2 = -r, r
                    step = 1 if max(abs(d0), abs(d1)) == r else max(1, 2 * r)
                    for d2 in range(-r, r + 1, step):
                        i2 = c2 + d2
                        if i2 < 0 or i2 >= g2:
                            continue
                        c = (i0 * g1 + i1) * g2 + i2
                        for j in range(start[c], start[c + 1]):
                            dx = px[j] - qx
                            dy = py[j] - qy
                            dz = pz[j] - qz
                            e = dx * dx + dy * dy + dz * dz
                            if e < best:
                                best = e
            # every point in ring r + 1 or beyond is at least r bucket edges away
            bound = r * reach
            if best <= bound * bound or r >= last_ring:
                resolved[t] = True
                break
        out[t] = best
    return out, resolved
