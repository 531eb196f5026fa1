"""All-pairs similarity of image collections: ``similarity_matrix`` and ``cross_matrix``.

Work per image is done once and reused by every pair:

* MSE, RMSE, Euclidean and PSNR come from one matrix product: ``‖a - b‖² = ‖a‖² + ‖b‖² -
  2 a·b`` (images centred on the collection's mean image first, in float64; pairs whose
  result is tiny compared with the norms are recomputed directly, so duplicates give 0).
* SSIM and MS-SSIM keep each image's local mean and variance maps; a pair then needs
  only the filtering of its cross product (a compiled, parallel kernel for 2-D images).
  ``dtype="float32"`` (default) stays within 1e-5 of float64.

A symmetric matrix computes each unordered pair once; pairs are processed in chunks, and
the images are converted to float64 a block at a time, so the memory beyond the images
and their compact (float32) statistics stays bounded.

The matrices run on the NumPy path only (the statistics reuse is a CPU kernel): torch
tensors are copied to the host first, which is said here and in ``docs/similarity.md``
rather than done silently; on a GPU, :func:`segscope.similarity.ssim_batch` of one row
against the others at a time keeps the work on the device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._checks import check_choice
from .._progress import progress_bar
from ..errors import DataRangeError, ParameterError, ShapeError
from ._collection import stack_images
from ._core import check_ms_size, check_weights, check_window_fits, combine_levels, ssim_terms
from ._numpy import box_downsample_symmetric, filter_valid, halve_zero_pad
from .pixel import psnr_from_mse
from .presets import DEFAULT_PRESET, SSIMPreset, get_preset, matlab_factor

__all__ = ["MATRIX_METRICS", "cross_matrix", "similarity_matrix"]

MATRIX_METRICS = ("ssim", "ms_ssim", "mse", "rmse", "euclidean", "psnr")
_PIXEL = ("mse", "rmse", "euclidean", "psnr")


# ---------------------------------------------------------------- pixel metrics (Gram)
def _sq_dist(flat_a: np.ndarray, flat_b: np.ndarray | None, chunk: int,
             advance: Callable[[int], None]) -> np.ndarray:
    """Squared Euclidean distances between the rows of ``flat_a`` and ``flat_b``.

    ``flat_b=None`` means ``flat_a`` against itself (symmetric: one ``syrk``). The
    float64 inputs are private copies and are centred in place (distances do not change
    when every image is shifted by the same mean image; the products lose less).
    """
    from scipy.linalg.blas import dsyrk

    symmetric = flat_b is None
    if symmetric:
        flat_a -= flat_a.mean(axis=0)
        ca = cb = flat_a
    else:
        centre = (flat_a.sum(axis=0) + flat_b.sum(axis=0)) / (len(flat_a) + len(flat_b))
        flat_a -= centre
        flat_b -= centre
        ca, cb = flat_a, flat_b
    na = np.einsum("ij,ij->i", ca, ca)
    nb = na if symmetric else np.einsum("ij,ij->i", cb, cb)
    if symmetric:
        gram = dsyrk(1.0, ca.T, trans=1)  # upper triangle of ca @ ca.T
        gram = np.triu(gram) + np.triu(gram, 1).T
        out = na[:, None] + nb[None, :] - 2.0 * gram
        advance(out.size)
    else:
        out = np.empty((ca.shape[0], cb.shape[0]))
        for start in range(0, ca.shape[0], chunk):
            stop = min(start + chunk, ca.shape[0])
            out[start:stop] = na[start:stop, None] + nb[None, :] - 2.0 * (ca[start:stop] @ cb.T)
            advance((stop - start) * cb.shape[0])
    # where cancellation could dominate (near-duplicates), recompute the pair directly
    suspect = out <= 1e-9 * (na[:, None] + nb[None, :])
    if symmetric:
        np.fill_diagonal(suspect, False)
    for i, j in zip(*np.nonzero(suspect), strict=True):
        d = ca[i] - cb[j]
        out[i, j] = float(d @ d)
    if symmetric:
        np.fill_diagonal(out, 0.0)
    return np.maximum(out, 0.0)


def _pixel_matrix(metric: str, flat_a: np.ndarray, flat_b: np.ndarray | None, span: float,
                  chunk: int, advance: Callable[[int], None]) -> np.ndarray:
    sq = _sq_dist(flat_a, flat_b, chunk, advance)
    if metric == "euclidean":
        return np.sqrt(sq)
    mse_values = sq / flat_a.shape[1]
    if metric == "mse":
        return mse_values
    if metric == "rmse":
        return np.sqrt(mse_values)
    return psnr_from_mse(mse_values, span)


# ---------------------------------------------------------------- SSIM statistics
class _PlaneStats:
    """Per-plane statistics of one scale: centred planes, local means and variances."""

    def __init__(self, count: int, shape: tuple[int, ...], preset: SSIMPreset,
                 dtype: np.dtype) -> None:
        ndim = len(shape)
        self.ndim = ndim
        self.w = preset.weights()
        self.norm = preset.cov_norm(ndim)
        valid = tuple(s - self.w.size + 1 for s in shape)
        self.centred = np.empty((count, *shape), dtype=dtype)
        self.mu = np.empty((count, *valid), dtype=dtype)
        self.mu_centred = np.empty((count, *valid), dtype=dtype)
        self.var = np.empty((count, *valid), dtype=dtype)
        self.c1 = preset.k1**2
        self.c2 = preset.k2**2

    def fill(self, start: int, planes: np.ndarray) -> None:
        """Compute the statistics of float64 ``planes`` and store them from ``start`` on."""
        stop = start + len(planes)
        axes = tuple(range(1, planes.ndim))
        means = planes.mean(axis=axes, keepdims=True)
        centred = planes - means
        mu_c = filter_valid(centred, self.w, self.ndim)
        var = self.norm * (filter_valid(centred * centred, self.w, self.ndim) - mu_c * mu_c)
        self.centred[start:stop] = centred
        self.mu[start:stop] = mu_c + means
        self.mu_centred[start:stop] = mu_c
        self.var[start:stop] = var

    def pairs(self, left: np.ndarray, right: np.ndarray, want_cs: bool = True
              ) -> tuple[np.ndarray, np.ndarray]:
        """Mean SSIM and mean cs of the plane pairs (cs only when ``want_cs``)."""
        if self.ndim == 2:
            from ._ssim_kernel import ssim_pairs_2d

            return ssim_pairs_2d(self.centred, self.mu, self.mu_centred, self.var, left, right,
                                 self.w, self.c1, self.c2, self.norm, want_cs)
        return self._pairs_numpy(left, right)

    def _pairs_numpy(self, left: np.ndarray, right: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
        out_s = np.empty(left.size)
        out_cs = np.empty(left.size)
        axes = tuple(range(self.ndim))
        for p, (i, j) in enumerate(zip(left, right, strict=True)):
            exy = filter_valid(self.centred[i].astype(np.float64) * self.centred[j], self.w,
                               self.ndim)
            cov = self.norm * (exy - self.mu_centred[i] * self.mu_centred[j].astype(np.float64))
            s, cs = ssim_terms(self.mu[i].astype(np.float64), self.mu[j].astype(np.float64),
                               self.var[i].astype(np.float64), self.var[j], cov,
                               self.c1, self.c2)
            out_s[p] = s.mean(axis=axes)
            out_cs[p] = cs.mean(axis=axes)
        return out_s, out_cs


def _plane_pairs(pairs: np.ndarray, channels: int) -> tuple[np.ndarray, np.ndarray]:
    c = np.arange(channels)
    left = (pairs[:, 0, None] * channels + c).ravel()
    right = (pairs[:, 1, None] * channels + c).ravel()
    return left, right


def _scale_statistics(planes: np.ndarray, span: float, preset: SSIMPreset, dtype: np.dtype,
                      levels: int, factor: int, block: int = 32) -> list[_PlaneStats]:
    """Statistics of every plane at every scale, converting ``block`` planes at a time.

    Only the compact per-scale statistics (in ``dtype``) are kept for the whole
    collection; float64 copies exist for one block of planes at a time.
    """
    ndim = planes.ndim - 1
    shape = tuple(-(-s // factor) for s in planes.shape[1:])
    if levels == 1:
        check_window_fits(shape, preset)
    else:
        check_ms_size(shape, preset, levels)
    scales = []
    for _ in range(levels):
        scales.append(_PlaneStats(len(planes), shape, preset, dtype))
        shape = tuple((s + 1) // 2 for s in shape)
    for start in range(0, len(planes), block):
        x = planes[start : start + block].astype(np.float64) / span
        x = box_downsample_symmetric(x, factor, ndim)
        for level, stats in enumerate(scales):
            stats.fill(start, x)
            if level < levels - 1:
                x = halve_zero_pad(x, ndim)
    return scales


def _ssim_values(stack: np.ndarray, span: float, pairs: np.ndarray, preset: SSIMPreset,
                 dtype: np.dtype, chunk: int, advance: Callable[[int], None],
                 weights: np.ndarray | None) -> np.ndarray:
    """SSIM (``weights is None``) or MS-SSIM of the image pairs ``pairs`` (Q, 2)."""
    n, channels = stack.shape[:2]
    planes = stack.reshape((n * channels, *stack.shape[2:]))
    levels = 1 if weights is None else weights.size
    factor = 1
    if weights is None and preset.matlab_downsample:
        factor = matlab_factor(planes.shape[1:])
    scales = _scale_statistics(planes, span, preset, dtype, levels, factor)
    out = np.empty(len(pairs))
    for start in range(0, len(pairs), chunk):
        part = pairs[start : start + chunk]
        left, right = _plane_pairs(part, channels)
        per_level = np.empty((levels, left.size))
        for level, stats in enumerate(scales):
            s, cs = stats.pairs(left, right, want_cs=level < levels - 1)
            per_level[level] = s if level == levels - 1 else cs
        if weights is None:
            per_plane = per_level[0]
        else:
            per_plane = combine_levels(per_level, weights)
        out[start : start + len(part)] = per_plane.reshape(len(part), channels).mean(axis=1)
        advance(len(part))
    return out


# ---------------------------------------------------------------- public API
def _options(metric: str, preset: str | SSIMPreset, win_size: int | None, dtype: Any,
             chunk_size: int) -> tuple[SSIMPreset, np.dtype]:
    check_choice("metric", metric, MATRIX_METRICS)
    chosen = get_preset(preset, win_size=win_size)
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ParameterError(f"dtype must be float32 or float64; got {dtype!r}")
    if not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ParameterError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    return chosen, dt


def _identity_value(metric: str) -> float:
    return {"ssim": 1.0, "ms_ssim": 1.0, "psnr": float("inf")}.get(metric, 0.0)


def similarity_matrix(images: Any, /, *, metric: str = "ssim", data_range: float | None = None,
                      channel_axis: int | None = None,
                      preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
                      weights: Sequence[float] | None = None,
                      size: Sequence[int] | None = None, dtype: Any = np.float32,
                      chunk_size: int = 512, progress: bool = False) -> np.ndarray:
    """Compare every image of a collection with every other: an ``(N, N)`` matrix.

    Parameters
    ----------
    images : sequence of arrays, or array with the images along axis 0
        N images of one shape (2-D or 3-D, optionally with a channel axis), or of any
        shapes when ``size`` is given.
    metric : {"ssim", "ms_ssim", "mse", "rmse", "euclidean", "psnr"}
        Entry ``[i, j]`` is ``metric(images[i], images[j])``, equal to the pairwise
        function's value. SSIM-type entries are similarities (1 on the diagonal), the
        others distances (0 on the diagonal; PSNR is ``inf`` there).
    data_range : float, optional
        Intensity span; required for float images with SSIM, MS-SSIM and PSNR.
    channel_axis : int, optional
        Channel axis of each image (not counting the collection axis).
    preset, win_size, weights
        SSIM convention, window override and MS-SSIM scale weights, as in :func:`ssim`
        and :func:`ms_ssim`.
    size : tuple of int, optional
        Resize every image to these spatial sides first (bilinear, anti-aliased).
    dtype : {float32, float64}
        Working precision of the SSIM statistics (float32 stays within 1e-5 of float64).
        Pixel metrics always use float64.
    chunk_size : int
        Pairs (SSIM) or rows (pixel metrics) processed per step.
    progress : bool
        Draw a progress bar on stderr.

    Returns
    -------
    numpy.ndarray
        Symmetric float64 ``(N, N)`` matrix.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> ims = rng.integers(0, 256, (3, 16, 16), dtype=np.uint8)
    >>> m = similarity_matrix(ims, metric="ssim")
    >>> m.shape, bool(np.allclose(m, m.T)), float(m[0, 0])
    ((3, 3), True, 1.0)
    """
    chosen, dt = _options(metric, preset, win_size, dtype, chunk_size)
    stack, span = stack_images(images, data_range=data_range, channel_axis=channel_axis,
                               size=size, need_range=metric in ("ssim", "ms_ssim", "psnr"),
                               as_float=metric in _PIXEL)
    n = stack.shape[0]
    if metric in _PIXEL:
        total = n * n
        with progress_bar(total=total, description=metric, enabled=progress) as advance:
            flat = stack.reshape(n, -1)
            out = _pixel_matrix(metric, flat, None, span, max(1, chunk_size // 8), advance)
        out = (out + out.T) / 2.0
    else:
        iu, ju = np.triu_indices(n, k=1)
        pairs = np.stack([iu, ju], axis=1)
        w = check_weights(weights) if metric == "ms_ssim" else None
        if metric == "ms_ssim":
            chosen = chosen.replace(matlab_downsample=False)
        out = np.zeros((n, n))
        with progress_bar(total=len(pairs), description=metric, enabled=progress) as advance:
            values = _ssim_values(stack, span, pairs, chosen, dt, chunk_size, advance, w)
        out[iu, ju] = values
        out[ju, iu] = values
    np.fill_diagonal(out, _identity_value(metric))
    return out


def cross_matrix(images_a: Any, images_b: Any, /, *, metric: str = "ssim",
                 data_range: float | None = None, channel_axis: int | None = None,
                 preset: str | SSIMPreset = DEFAULT_PRESET, win_size: int | None = None,
                 weights: Sequence[float] | None = None, size: Sequence[int] | None = None,
                 dtype: Any = np.float32, chunk_size: int = 512,
                 progress: bool = False) -> np.ndarray:
    """Compare every image of one set with every image of another: ``(Na, Nb)``.

    Entry ``[i, j]`` is ``metric(images_a[i], images_b[j])``. Options as in
    :func:`similarity_matrix`; both sets must share one shape (or use ``size``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> train = rng.integers(0, 256, (4, 16, 16), dtype=np.uint8)
    >>> val = np.concatenate([train[:1], rng.integers(0, 256, (2, 16, 16), dtype=np.uint8)])
    >>> leaked = cross_matrix(val, train, metric="mse") == 0
    >>> np.argwhere(leaked).tolist()  # validation image 0 is training image 0
    [[0, 0]]
    """
    chosen, dt = _options(metric, preset, win_size, dtype, chunk_size)
    need = metric in ("ssim", "ms_ssim", "psnr")
    as_float = metric in _PIXEL
    stack_a, span_a = stack_images(images_a, data_range=data_range, channel_axis=channel_axis,
                                   size=size, name="images_a", need_range=need,
                                   as_float=as_float)
    stack_b, span_b = stack_images(images_b, data_range=data_range, channel_axis=channel_axis,
                                   size=size, name="images_b", need_range=need,
                                   as_float=as_float)
    if stack_a.shape[1:] != stack_b.shape[1:]:
        raise ShapeError(
            f"images_a and images_b have different image shapes ({stack_a.shape[1:]} and "
            f"{stack_b.shape[1:]} as channels-first planes); pass size=(H, W) to resize both"
        )
    if need and span_a != span_b:
        raise DataRangeError(
            f"images_a and images_b imply different data ranges ({span_a} and {span_b}); "
            "pass data_range explicitly"
        )
    na, nb = stack_a.shape[0], stack_b.shape[0]
    if metric in _PIXEL:
        with progress_bar(total=na * nb, description=metric, enabled=progress) as advance:
            return _pixel_matrix(metric, stack_a.reshape(na, -1), stack_b.reshape(nb, -1),
                                 span_a, max(1, chunk_size // 8), advance)
    both = np.concatenate([stack_a, stack_b])
    ia, jb = np.meshgrid(np.arange(na), np.arange(nb) + na, indexing="ij")
    pairs = np.stack([ia.ravel(), jb.ravel()], axis=1)
    w = check_weights(weights) if metric == "ms_ssim" else None
    if metric == "ms_ssim":
        chosen = chosen.replace(matlab_downsample=False)
    with progress_bar(total=len(pairs), description=metric, enabled=progress) as advance:
        values = _ssim_values(both, span_a, pairs, chosen, dt, chunk_size, advance, w)
    return values.reshape(na, nb)
