"""Image-level distances between a perturbed image and the original, and the kernel.

Every distance lies in ``[0, 1]`` (0 = the original image), so one kernel width serves
them all:

``"cosine"``
    Cosine distance between the sample's on/off vector ``z`` and the all-on vector:
    ``1 − z·1 / (‖z‖ ‖1‖) = 1 − sqrt(k / K)`` for ``k`` of ``K`` superpixels kept (1 when
    none is kept). The ``sqrt(K)`` in ``‖1‖`` matters: leaving it out (as VisuaLIME's
    fallback does) makes every distance large and every kernel weight 0.
``"l2"``
    Root-mean-square pixel difference divided by ``data_range``.
``"ssim"``
    ``1 − SSIM`` from :func:`segscope.similarity.ssim` with the ``"wang"`` preset (Wang et
    al. 2004: 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03, population statistics,
    mean over the valid region; colour: mean over channels), clipped to ``[0, 1]``.

The kernel is LIME's exponential kernel ``w = sqrt(exp(−d² / width²))`` (Ribeiro et al.
2016; the ``lime`` package uses ``width = 0.25`` for images).
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["DISTANCES", "cosine_distance", "exponential_kernel", "l2_distance", "ssim_distance"]

DISTANCES = ("cosine", "l2", "ssim")


def cosine_distance(masks: np.ndarray) -> np.ndarray:
    """Cosine distance of each on/off row to the all-on row (``1 − sqrt(k/K)``).

    Examples
    --------
    >>> cosine_distance(np.array([[True, True, True, True], [True, False, False, False]]))
    array([0. , 0.5])
    """
    m = np.asarray(masks, dtype=bool)
    k = m.sum(axis=1).astype(np.float64)
    n = m.shape[1]
    d = 1.0 - np.sqrt(k / n)
    return np.clip(d, 0.0, 1.0)


def l2_distance(sq_error_per_segment: np.ndarray, masks: np.ndarray, num_values: int,
                data_range: float) -> np.ndarray:
    """RMS difference to the original, from each superpixel's squared error when filled.

    ``d = sqrt(Σ_{s off} SSE_s / num_values) / data_range``, where ``SSE_s`` is the sum of
    squared differences between original and fill over superpixel ``s`` (all channels)
    and ``num_values`` the number of pixel values (H·W·C). Exact, without building images.

    Examples
    --------
    >>> l2_distance(np.array([4.0, 0.0]), np.array([[False, True]]), 4, 1.0)
    array([1.])
    """
    off = ~np.asarray(masks, dtype=bool)
    sse = off.astype(np.float64) @ np.asarray(sq_error_per_segment, dtype=np.float64)
    return np.sqrt(np.maximum(sse, 0.0) / num_values) / float(data_range)


def ssim_distance(batch: np.ndarray, original: np.ndarray, data_range: float) -> np.ndarray:
    """``1 − SSIM`` of each image in ``batch`` against ``original``, clipped to ``[0, 1]``.

    ``batch`` is ``(B, H, W)`` or ``(B, H, W, C)``; colour SSIM is the mean over channels.

    Examples
    --------
    >>> img = np.random.default_rng(0).random((16, 16))
    >>> ssim_distance(img[None], img, 1.0).tolist()
    [0.0]
    """
    from ..similarity import ssim_batch

    batch = np.asarray(batch)
    s = ssim_batch(batch, np.broadcast_to(original, batch.shape), data_range=data_range,
                   channel_axis=-1 if original.ndim == 3 else None, preset="wang",
                   reduction="none")
    return np.clip(1.0 - s, 0.0, 1.0)


def exponential_kernel(distances: np.ndarray, width: float) -> np.ndarray:
    """LIME's kernel ``sqrt(exp(−d² / width²))``.

    Examples
    --------
    >>> exponential_kernel(np.array([0.0]), 0.25).tolist()
    [1.0]
    """
    if not (np.isfinite(width) and width > 0):
        raise ParameterError(f"kernel_width must be a positive number; got {width!r}")
    d = np.asarray(distances, dtype=np.float64)
    return np.sqrt(np.exp(-(d**2) / width**2))
