"""Shared test images for the superpixel and LIME tests (small crops keep tests fast)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

import segscope


@lru_cache(maxsize=1)
def astronaut_crop() -> np.ndarray:
    from skimage.data import astronaut

    return astronaut()[:256, 128:384].copy()


@lru_cache(maxsize=1)
def nuclei_crop() -> np.ndarray:
    import tifffile

    path = Path(segscope.__file__).parent / "data" / "image2d.tif"
    return tifffile.imread(path)[128:384, 128:384].copy()
