"""Image similarity: pixel distances, SSIM and MS-SSIM, all-pairs matrices, ordering.

Every function dispatches on the input's type: NumPy input runs on the NumPy path
(float64 for single pairs and batches); torch tensors run on a differentiable torch
backend on their own device (imported only then). Pairs of images go to :func:`ssim`,
:func:`ms_ssim`, :func:`psnr`, ...; batches ``(N, *image)`` to :func:`ssim_batch` and
:func:`ms_ssim_batch`; collections to :func:`similarity_matrix`. See
``docs/similarity.md``.

Examples
--------
>>> import numpy as np
>>> from segscope.similarity import euclidean, ssim
>>> a = np.full((3, 3, 3), 100, np.uint8)
>>> round(euclidean(a, a + 25), 1)
129.9
"""

from __future__ import annotations

from .batch import ms_ssim_batch, ssim_batch
from .matrices import MATRIX_METRICS, cross_matrix, similarity_matrix
from .ms_ssim import MS_SSIM_WEIGHTS, ms_ssim
from .ordering import chain_length, cluster, order_images, similarity_chain, to_distance, two_opt
from .pixel import euclidean, mse, psnr, rmse
from .presets import DEFAULT_PRESET, PRESETS, SSIMPreset, get_preset
from .ssim import ssim, ssim_map

__all__ = [
    "DEFAULT_PRESET",
    "MATRIX_METRICS",
    "MS_SSIM_WEIGHTS",
    "PRESETS",
    "SSIMPreset",
    "chain_length",
    "cluster",
    "cross_matrix",
    "euclidean",
    "get_preset",
    "ms_ssim",
    "ms_ssim_batch",
    "mse",
    "order_images",
    "psnr",
    "rmse",
    "similarity_chain",
    "similarity_matrix",
    "ssim",
    "ssim_batch",
    "ssim_map",
    "to_distance",
    "two_opt",
]
