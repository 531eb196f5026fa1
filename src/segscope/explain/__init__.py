"""LIME explanations of image classifiers, built on superpixels.

:func:`explain` samples on/off masks over the superpixels, fills switched-off ones, scores
the perturbed images with the classifier, weights each by a kernel of its image-level
distance to the original and fits a weighted ridge surrogate. :func:`heatmap`
(the weight map as an array), :func:`heatmap_figure` (the same with a colour bar) and
:func:`top_k_overlay` draw the result.

Examples
--------
>>> import numpy as np
>>> from segscope.explain import explain
>>> img = np.zeros((8, 8), np.uint8); img[:4, :4] = 200
>>> seg = np.repeat(np.repeat(np.arange(4).reshape(2, 2), 4, 0), 4, 1)
>>> e = explain(img, lambda b: b[:, :4, :4].mean(axis=(1, 2)), segments=seg,
...             num_samples=64, fill=0)
>>> int(e.top(1)[0])
0
"""

from __future__ import annotations

from .distances import (
    DISTANCES,
    cosine_distance,
    exponential_kernel,
    l2_distance,
    ssim_distance,
)
from .lime import Explanation, explain
from .perturb import FILLS, fill_image, perturb_batch
from .render import heatmap, heatmap_figure, top_k_overlay
from .sampling import sample_masks
from .surrogate import SurrogateFit, fit_weighted_ridge, weighted_r2

__all__ = [
    "DISTANCES",
    "FILLS",
    "Explanation",
    "SurrogateFit",
    "cosine_distance",
    "explain",
    "exponential_kernel",
    "fill_image",
    "fit_weighted_ridge",
    "heatmap",
    "heatmap_figure",
    "l2_distance",
    "perturb_batch",
    "sample_masks",
    "ssim_distance",
    "top_k_overlay",
    "weighted_r2",
]
