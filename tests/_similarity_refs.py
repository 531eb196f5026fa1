"""Test-only helpers for the similarity tests: data location and reference implementations."""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import types

import numpy as np


def load_piq_ssim():
    """piq's ssim module without piq/__init__ (which needs torchvision); None if absent."""
    spec = importlib.util.find_spec("piq")
    if spec is None or spec.submodule_search_locations is None:
        return None
    if "piq" not in sys.modules or not hasattr(sys.modules["piq"], "__path__"):
        pkg = types.ModuleType("piq")
        pkg.__path__ = list(spec.submodule_search_locations)
        sys.modules["piq"] = pkg
    return importlib.import_module("piq.ssim")


def matlab_ssim_reference(img1: np.ndarray, img2: np.ndarray, L: float = 255.0) -> float:
    """Independent re-statement of Wang's published ``ssim.m`` algorithm (test oracle).

    Written from the algorithm's description with SciPy primitives: f×f averaging with
    symmetric borders ('same' size, MATLAB's centre rule), subsampling every f-th pixel,
    then an 11×11 Gaussian (σ = 1.5) 2-D window applied with ``filter2(..., 'valid')``.
    """
    from scipy.signal import correlate2d

    img1 = img1.astype(np.float64)
    img2 = img2.astype(np.float64)
    f = max(1, math.floor(min(img1.shape) / 256 + 0.5))
    if f > 1:
        lpf = np.ones((f, f)) / (f * f)
        c = (f + 1) // 2 - 1  # MATLAB centre floor((f+1)/2), 0-based
        pad = ((c, f - 1 - c), (c, f - 1 - c))
        img1 = correlate2d(np.pad(img1, pad, mode="symmetric"), lpf, mode="valid")[::f, ::f]
        img2 = correlate2d(np.pad(img2, pad, mode="symmetric"), lpf, mode="valid")[::f, ::f]
    ax = np.arange(11) - 5.0
    g = np.exp(-(ax[:, None] ** 2 + ax[None, :] ** 2) / (2 * 1.5**2))
    window = g / g.sum()
    c1 = (0.01 * L) ** 2
    c2 = (0.03 * L) ** 2
    mu1 = correlate2d(img1, window, mode="valid")
    mu2 = correlate2d(img2, window, mode="valid")
    s11 = correlate2d(img1 * img1, window, mode="valid") - mu1 * mu1
    s22 = correlate2d(img2 * img2, window, mode="valid") - mu2 * mu2
    s12 = correlate2d(img1 * img2, window, mode="valid") - mu1 * mu2
    smap = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1**2 + mu2**2 + c1) * (s11 + s22 + c2))
    return float(smap.mean())
