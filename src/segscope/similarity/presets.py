"""SSIM conventions as named presets, and the 1-D windows they filter with.

Three conventions are in common use and give different numbers for the same pair:

==========  =====================================  ==========================================
preset      what it computes                       reproduces
==========  =====================================  ==========================================
``wang``    11-tap Gaussian (σ = 1.5), population  Wang et al. 2004; pytorch-msssim; piq with
(default)   statistics, K1 = 0.01, K2 = 0.03,      ``downsample=False``; kornia with valid
            mean over the valid region             padding; scikit-image with
                                                   ``gaussian_weights=True, sigma=1.5,
                                                   use_sample_covariance=False``
``skimage`` 7-tap uniform window, sample           ``skimage.metrics.structural_similarity``
            covariance (N − 1), K1 = 0.01,         with its defaults
            K2 = 0.03
``matlab``  ``wang`` after Wang's ``ssim.m``       Wang's MATLAB ``ssim.m`` (piq's default
            downsampling: f×f box filter with      agrees when f = 2 and the sides are even)
            symmetric borders, every f-th pixel,
            f = max(1, round(min(H, W) / 256))
==========  =====================================  ==========================================

Examples
--------
>>> get_preset("wang").win_size
11
>>> get_preset("skimage", win_size=3).win_size
3
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .._checks import check_choice
from ..errors import ParameterError

__all__ = ["DEFAULT_PRESET", "PRESETS", "SSIMPreset", "get_preset", "matlab_factor"]


@dataclass(frozen=True)
class SSIMPreset:
    """One SSIM convention: window, covariance normalisation, constants, downsampling.

    Parameters
    ----------
    name : str
        Short name used in messages and reports.
    window : {"gaussian", "uniform"}
        Shape of the separable sliding window.
    win_size : int
        Taps per axis (odd).
    sigma : float
        Standard deviation of the Gaussian window (ignored for ``"uniform"``).
    sample_covariance : bool
        Divide local (co)variances by ``n - 1`` instead of ``n`` (``n = win_size**ndim``).
    k1, k2 : float
        Stabilising constants; ``C1 = (k1 L)²``, ``C2 = (k2 L)²``.
    matlab_downsample : bool
        Downsample first as Wang's ``ssim.m`` does.
    reproduces : str
        Which library or paper the preset matches (documentation).

    Examples
    --------
    >>> p = SSIMPreset("tiny", "uniform", 3, 0.0, False, 0.01, 0.03, False, "")
    >>> p.weights().tolist()
    [0.3333333333333333, 0.3333333333333333, 0.3333333333333333]
    """

    name: str
    window: Literal["gaussian", "uniform"]
    win_size: int
    sigma: float
    sample_covariance: bool
    k1: float
    k2: float
    matlab_downsample: bool
    reproduces: str

    def __post_init__(self) -> None:
        check_choice("window", self.window, ("gaussian", "uniform"))
        if not isinstance(self.win_size, (int, np.integer)) or self.win_size < 1 or (
                self.win_size % 2 == 0):
            raise ParameterError(
                f"win_size must be a positive odd integer; got {self.win_size!r}"
            )
        if self.window == "gaussian" and not self.sigma > 0:
            raise ParameterError(f"sigma must be positive for a Gaussian window; got {self.sigma}")
        if self.sample_covariance and self.win_size == 1:
            raise ParameterError("sample covariance needs win_size > 1")
        if not (self.k1 >= 0 and self.k2 >= 0):
            raise ParameterError(f"k1 and k2 must be non-negative; got {self.k1}, {self.k2}")

    def weights(self) -> np.ndarray:
        """The normalised 1-D window (float64, sums to 1)."""
        if self.window == "uniform":
            return np.full(self.win_size, 1.0 / self.win_size)
        offsets = np.arange(self.win_size) - (self.win_size - 1) / 2
        g = np.exp(-(offsets**2) / (2.0 * self.sigma**2))
        return g / g.sum()

    def cov_norm(self, ndim: int) -> float:
        """Factor applied to population (co)variances: ``n / (n - 1)`` or 1."""
        if not self.sample_covariance:
            return 1.0
        n = self.win_size**ndim
        return n / (n - 1.0)

    def replace(self, **changes) -> SSIMPreset:
        """A copy with some fields changed, e.g. ``preset.replace(win_size=3)``."""
        return dataclasses.replace(self, **changes)


PRESETS: dict[str, SSIMPreset] = {
    "wang": SSIMPreset(
        "wang", "gaussian", 11, 1.5, False, 0.01, 0.03, False,
        "Wang et al. 2004; pytorch-msssim; piq (downsample=False); kornia (valid padding); "
        "scikit-image (gaussian_weights=True, sigma=1.5, use_sample_covariance=False)",
    ),
    "skimage": SSIMPreset(
        "skimage", "uniform", 7, 0.0, True, 0.01, 0.03, False,
        "scikit-image structural_similarity defaults",
    ),
    "matlab": SSIMPreset(
        "matlab", "gaussian", 11, 1.5, False, 0.01, 0.03, True,
        "Wang's MATLAB ssim.m (downsampling by round(min(H, W)/256))",
    ),
}

DEFAULT_PRESET = "wang"


def get_preset(preset: str | SSIMPreset = DEFAULT_PRESET, *,
               win_size: int | None = None) -> SSIMPreset:
    """Return the named preset (or a given one), optionally with another window size."""
    if isinstance(preset, SSIMPreset):
        chosen = preset
    else:
        chosen = PRESETS[check_choice("preset", preset, tuple(PRESETS))]
    if win_size is not None:
        chosen = chosen.replace(win_size=win_size)
    return chosen


def matlab_factor(spatial_shape: tuple[int, ...]) -> int:
    """Wang's ``ssim.m`` downsampling factor ``max(1, round(min(side) / 256))``.

    MATLAB rounds halves away from zero (``round(2.5) == 3``), unlike Python.

    Examples
    --------
    >>> matlab_factor((512, 512)), matlab_factor((640, 700)), matlab_factor((100, 100))
    (2, 3, 1)
    """
    return max(1, math.floor(min(spatial_shape) / 256.0 + 0.5))
