"""Numba kernel: SSIM and contrast-structure means of many plane pairs at once.

Each plane's local mean and variance are computed once (see :mod:`.matrices`); a pair
then costs one separable filtering of its cross product ``x̃ᵢ · x̃ⱼ`` (planes centred on
their own mean, which keeps float32 accurate), fused with the SSIM formula and the mean,
so no pair allocates more than one row-filtered buffer. Pairs run in parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = ["ssim_pairs_2d"]


@njit(parallel=True, fastmath=True, cache=True)
def _ssim_pairs_2d(centred, mu, mu_centred, var, left, right, w, c1, c2, norm,
                   out_ssim, out_cs):  # pragma: no cover - compiled
    n_pairs = left.size
    height = centred.shape[1]
    width = centred.shape[2]
    taps = w.size
    out_h = height - taps + 1
    out_w = width - taps + 1
    zero = centred.dtype.type(0.0)
    two = centred.dtype.type(2.0)
    for p in prange(n_pairs):
        i = left[p]
        j = right[p]
        rows = np.empty((height, out_w), dtype=centred.dtype)
        prod = np.empty(width, dtype=centred.dtype)
        acc = np.empty(out_w, dtype=centred.dtype)
        for r in range(height):
            for c in range(width):
                prod[c] = centred[i, r, c] * centred[j, r, c]
            for c in range(out_w):
                acc[c] = zero
            for k in range(taps):
                wk = w[k]
                for c in range(out_w):
                    acc[c] += wk * prod[c + k]
            for c in range(out_w):
                rows[r, c] = acc[c]
        ssim_sum = 0.0
        cs_sum = 0.0
        for r in range(out_h):
            for c in range(out_w):
                acc[c] = zero
            for k in range(taps):
                wk = w[k]
                for c in range(out_w):
                    acc[c] += wk * rows[r + k, c]
            row_ssim = zero
            row_cs = zero
            for c in range(out_w):
                cov = norm * (acc[c] - mu_centred[i, r, c] * mu_centred[j, r, c])
                cs = (two * cov + c2) / (var[i, r, c] + var[j, r, c] + c2)
                mi = mu[i, r, c]
                mj = mu[j, r, c]
                lum = (two * mi * mj + c1) / (mi * mi + mj * mj + c1)
                row_ssim += lum * cs
                row_cs += cs
            ssim_sum += row_ssim
            cs_sum += row_cs
        count = out_h * out_w
        out_ssim[p] = ssim_sum / count
        out_cs[p] = cs_sum / count


def ssim_pairs_2d(centred: np.ndarray, mu: np.ndarray, mu_centred: np.ndarray,
                  var: np.ndarray, left: np.ndarray, right: np.ndarray, w: np.ndarray,
                  c1: float, c2: float, norm: float) -> tuple[np.ndarray, np.ndarray]:
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

    Returns
    -------
    ssim, cs : (Q,) float64 arrays
    """
    dt = centred.dtype.type
    out_ssim = np.empty(left.size, dtype=np.float64)
    out_cs = np.empty(left.size, dtype=np.float64)
    _ssim_pairs_2d(centred, mu, mu_centred, var, left.astype(np.int64),
                   right.astype(np.int64), w.astype(centred.dtype), dt(c1), dt(c2), dt(norm),
                   out_ssim, out_cs)
    return out_ssim, out_cs
