"""Generated datasets: blobs on a textured background, with a chosen foreground fraction.

Each mask is a smooth random field thresholded at its ``1 - foreground`` quantile, so the
foreground covers that share of every image exactly (up to ties): a few round blobs at 1 %,
many merged ones at 20 %. The image is the mask made brighter by ``contrast`` and blurred by
one pixel, plus a smooth texture of the same scale as the blobs (bright patches that are not
objects) and Gaussian noise; a network has to learn shapes and context, not a threshold.

The trimap variant (``kind="trimap"``) labels each blob like the Oxford-IIIT Pets trimaps:
background 0, object 1, and a band of ``border`` pixels on each side of the object's edge 2.

Examples
--------
>>> data = generate(kind="binary", foreground=0.05, size=32, n_train=4, n_test=2)
>>> data.train_images.shape, data.class_names
((4, 1, 32, 32), ('background', 'object'))
>>> round(data.class_fractions()[1], 2)
0.05
>>> generate(kind="trimap", size=32, n_train=2, n_test=1).class_names
('background', 'object', 'border')
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ..errors import ParameterError
from .data import Dataset

__all__ = ["KINDS", "Kind", "generate"]

#: The generated datasets: two classes, or three like a trimap.
Kind = Literal["binary", "trimap"]
KINDS: tuple[str, ...] = ("binary", "trimap")


def generate(*, kind: Kind = "binary", foreground: float = 0.05, size: int = 64,
             n_train: int = 48, n_test: int = 24, contrast: float = 0.3, noise: float = 0.2,
             texture: float = 0.3, border: int = 1, seed: int = 0) -> Dataset:
    """Generate an imbalanced segmentation dataset (see the module notes).

    Parameters
    ----------
    kind : {"binary", "trimap"}
        Two classes (background, object) or three (background, object, border).
    foreground : float
        The share of each image covered by objects (their border band included), in
        ``(0, 0.5]``.
    size : int
        Side of the square images.
    n_train, n_test : int
        Number of training and test images.
    contrast, noise, texture : float
        Object brightness, noise standard deviation and texture amplitude (intensities in
        ``[0, 1]``).
    border : int
        Trimap only: the width in pixels of the border band on each side of the edge.
    seed : int
        Seed of the data (independent of the training seeds): the same seed gives the same
        images.
    """
    from scipy import ndimage

    if kind not in KINDS:
        raise ParameterError(f"kind={kind!r} is not supported; choose one of "
                             f"{', '.join(map(repr, KINDS))}")
    if not 0 < foreground <= 0.5:
        raise ParameterError(f"foreground must lie in (0, 0.5] (a share of the pixels, e.g. "
                             f"0.05 for 5 %); got {foreground!r}")
    if isinstance(size, bool) or int(size) != size or size < 8:
        raise ParameterError(f"size must be a whole number >= 8; got {size!r}")
    for label, value in (("n_train", n_train), ("n_test", n_test), ("border", border)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ParameterError(f"{label} must be a whole number >= 1; got {value!r}")
    rng = np.random.default_rng([int(seed), 20121])
    n = int(n_train) + int(n_test)
    scale = max(1.0, size / 16)
    images = np.empty((n, 1, size, size), np.float32)
    masks = np.empty((n, size, size), np.int64)
    for i in range(n):
        field = ndimage.gaussian_filter(rng.standard_normal((size, size)), scale, mode="wrap")
        obj = field > np.quantile(field, 1.0 - foreground)
        tex = ndimage.gaussian_filter(rng.standard_normal((size, size)), scale, mode="wrap")
        tex = tex / (np.abs(tex).max() + 1e-12)
        soft = ndimage.gaussian_filter(obj.astype(np.float64), 1.0)
        pixels = 0.4 + contrast * soft + texture * tex + noise * rng.standard_normal((size, size))
        images[i, 0] = np.clip(pixels, 0.0, 1.0)
        if kind == "binary":
            masks[i] = obj
        else:
            grown = ndimage.binary_dilation(obj, iterations=int(border))
            shrunk = ndimage.binary_erosion(obj, iterations=int(border), border_value=1)
            label = np.zeros((size, size), np.int64)
            label[obj] = 1
            label[grown & ~shrunk] = 2
            masks[i] = label
    names = (("background", "object") if kind == "binary"
             else ("background", "object", "border"))
    return Dataset.from_arrays(
        images, masks, n_train=int(n_train), n_test=int(n_test), split="tail",
        class_names=names, name="generated" if kind == "binary" else "generated-trimap",
        source={"generator": kind, "foreground": foreground, "size": size,
                "contrast": contrast, "noise": noise, "texture": texture,
                "border": border if kind == "trimap" else None, "data_seed": seed})
