"""Numba kernel: SSIM and contrast-structure means of many plane pairs at once.

Each plane's local mean and variance are computed once (see :mod:`.matrices`); a pair
then costs one separable filtering of its cross product ``x̃ᵢ · x̃ⱼ`` (planes centred on
their own mean, which keeps float32 accurate), fused with the SSIM formula and the mean,
so no pair allocates more than one row-filtered buffer. Pairs run in parallel. The
formula itself is :func:`._core.ssim_fractions`, compiled here (not rewritten).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._core import ssim_fractions

__all__ = ["ssim_pair_2d", "ssim_pairs_2d"]

# The one SSIM formula of :mod:`._core`, compiled for the loops below. Numba's on-disk cache
# of a kernel does not notice a change in a function it calls: after editing
# ``ssim_fractions``, delete this package's ``__pycache__/*.nbi``/``*.nbc`` files.
_fractions = njit(fastmath=True, cache=True)(ssim_fractions)


@njit(parallel=True, fastmath=True, cache=True)
def _ssim_pairs_2d(centred, mu, mu_centred, var, left, right, w, c1, c2, norm, want_cs,
                   out_ssim, out_cs):  # pragma: no cover - compiled
    n_pairs = left.size
    height = centred.shape[1]
    width = centred.shape[2]
    taps = w.size
    out_h = height - taps + 1
    out_w = width - taps + 1
    zero = centred.dtype.type(0.0)
    for p in prange(n_pairs):
        i = left[p]
        j = right[p]
        rows = np.empty((height, out_w), dtype=centred.dtype)
        prod = np.empty(width, dtype=centred.dtype)
        acc = np.empty(out_w, dtype=centred.dtype)
        for r in range(height):
            xi = centred[i, r]
            xj = centred[j, r]
            for c in range(width):
                prod[c] = xi[c] * xj[c]
            row = rows[r]
            for c in range(out_w):
                row[c] = zero
            for k in range(taps):
                wk = w[k]
                for c in range(out_w):
                    row[c] += wk * prod[c + k]
        ssim_sum = 0.0
        cs_sum = 0.0
        for r in range(out_h):
            for c in range(out_w):
                acc[c] = zero
            for k in range(taps):
                wk = w[k]
                src = rows[r + k]
                for c in range(out_w):
                    acc[c] += wk * src[c]
            mci = mu_centred[i, r]
            mcj = mu_centred[j, r]
            vi = var[i, r]
            vj = var[j, r]
            mi = mu[i, r]
            mj = mu[j, r]
            row_ssim = zero
            row_cs = zero
            if want_cs:
                for c in range(out_w):
                    cov = norm * (acc[c] - mci[c] * mcj[c])
                    l_num, l_den, cs_num, cs_den = _fractions(mi[c], mj[c], vi[c], vj[c], cov,
                                                              c1, c2)
                    cs = cs_num / cs_den
                    row_ssim += l_num / l_den * cs
                    row_cs += cs
            else:  # one division per pixel
                for c in range(out_w):
                    cov = norm * (acc[c] - mci[c] * mcj[c])
                    l_num, l_den, cs_num, cs_den = _fractions(mi[c], mj[c], vi[c], vj[c], cov,
                                                              c1, c2)
                    row_ssim += (l_num * cs_num) / (l_den * cs_den)
            ssim_sum += row_ssim
            cs_sum += row_cs
        count = out_h * out_w
        out_ssim[p] = ssim_sum / count
        out_cs[p] = cs_sum / count


def ssim_pairs_2d(centred: np.ndarray, mu: np.ndarray, mu_centred: np.ndarray,
                  var: np.ndarray, left: np.ndarray, right: np.ndarray, w: np.ndarray,
                  c1: float, c2: float, norm: float, want_cs: bool = True
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Mean SSIM and mean ``cs`` of the plane pairs ``(left[p], right[p])``.

    Parameters
    ----------
    centred : (P, H, W) array
        Planes minus their own mean (float32 or float64; every array shares this dtype).
    mu, mu_centred, var : (P, H', W') arrays
        Filtered local means of the planes, the same minus the plane mean, and local
        variances (already multiplied by the covariance normalisation).
    left, right : (Q,) int64 arrays
        Plane indices of each pair.
    w : (m,) array
        The normalised 1-D window.
    c1, c2, norm : float
        SSIM constants (for data scaled to [0, 1]) and the covariance normalisation.
    want_cs : bool
        Also average ``cs`` (MS-SSIM needs it); without it ``cs`` comes back as zeros and
        each pixel costs one division instead of two.

    Returns
    -------
    ssim, cs : (Q,) float64 arrays
    """
    dt = centred.dtype.type
    out_ssim = np.empty(left.size, dtype=np.float64)
    out_cs = np.empty(left.size, dtype=np.float64)
    _ssim_pairs_2d(centred, mu, mu_centred, var, left.astype(np.int64),
                   right.astype(np.int64), w.astype(centred.dtype), dt(c1), dt(c2), dt(norm),
                   bool(want_cs), out_ssim, out_cs)
    return out_ssim, out_cs


@njit(fastmath=True, cache=True)
def _ssim_pair_2d(x, y, w, c1, c2, norm, out_map, write_map):  # pragma: no cover - compiled
    height, width = x.shape
    taps = w.size
    out_h = height - taps + 1
    out_w = width - taps + 1
    rows = np.zeros((5, height, out_w))
    for r in range(height):
        src = np.empty((5, width))
        for c in range(width):
            a = x[r, c]
            b = y[r, c]
            src[0, c] = a
            src[1, c] = b
            src[2, c] = a * a
            src[3, c] = b * b
            src[4, c] = a * b
        for q in range(5):
            for k in range(taps):
                wk = w[k]
                for c in range(out_w):
                    rows[q, r, c] += wk * src[q, c + k]
    ssim_sum = 0.0
    cs_sum = 0.0
    for r in range(out_h):
        acc = np.zeros((5, out_w))
        for k in range(taps):
            wk = w[k]
            for q in range(5):
                for c in range(out_w):
                    acc[q, c] += wk * rows[q, r + k, c]
        row_ssim = 0.0
        row_cs = 0.0
        for c in range(out_w):
            mx = acc[0, c]
            my = acc[1, c]
            vx = norm * (acc[2, c] - mx * mx)
            vy = norm * (acc[3, c] - my * my)
            vxy = norm * (acc[4, c] - mx * my)
            l_num, l_den, cs_num, cs_den = _fractions(mx, my, vx, vy, vxy, c1, c2)
            cs = cs_num / cs_den
            s = l_num / l_den * cs
            if write_map:
                out_map[r, c] = s
            row_ssim += s
            row_cs += cs
        ssim_sum += row_ssim
        cs_sum += row_cs
    count = out_h * out_w
    return ssim_sum / count, cs_sum / count


def ssim_pair_2d(x: np.ndarray, y: np.ndarray, w: np.ndarray, c1: float, c2: float,
                 norm: float, want_map: bool = False
                 ) -> tuple[float, float, np.ndarray | None]:
    """Mean SSIM, mean ``cs`` and (optionally) the SSIM map of two 2-D float64 planes.

    One fused pass: the five local moments are filtered along rows, then along columns,
    and combined into SSIM without intermediate full-size maps.
    """
    m = w.size
    shape = (x.shape[0] - m + 1, x.shape[1] - m + 1) if want_map else (1, 1)
    out_map = np.empty(shape)
    s, cs = _ssim_pair_2d(np.ascontiguousarray(x, dtype=np.float64),
                          np.ascontiguousarray(y, dtype=np.float64),
                          np.ascontiguousarray(w, dtype=np.float64), float(c1), float(c2),
                          float(norm), out_map, want_map)
    return float(s), float(cs), (out_map if want_map else None)
