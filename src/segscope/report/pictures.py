"""Pictures inside a report: arrays as inline PNGs, label colours, error overlays, thumbnails.

Everything is drawn with NumPy and encoded by Pillow's PNG writer, which stores no time
stamp: the same array gives the same bytes.

Examples
--------
>>> import numpy as np
>>> png_uri(np.zeros((2, 2), np.uint8))[:22]
'data:image/png;base64,'
>>> error_overlay(np.array([[1, 0]]), np.array([[0, 1]]))[0].tolist()
[[224, 69, 123], [31, 158, 209]]
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..io import encode_image
from .markup import Markup, tag

__all__ = ["FN_COLOUR", "FP_COLOUR", "error_overlay", "gallery", "image", "label_colours",
           "png_uri", "shrink", "to_rgb"]

#: False positives (predicted, not true) and false negatives (true, missed): magenta, cyan.
FP_COLOUR = (224, 69, 123)
FN_COLOUR = (31, 158, 209)
_TRUE_COLOUR = (236, 236, 236)
_IGNORED_COLOUR = (120, 120, 120)


def png_uri(array: Any) -> str:
    """A ``data:image/png;base64,...`` URI of a ``uint8`` grey or RGB array."""
    data = encode_image(np.ascontiguousarray(array), ".png")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def image(array: Any, alt: str, *, width: int | None = None, pixelated: bool = False,
          title: str | None = None) -> Markup:
    """An ``<img>`` of an array, inline (``width``: shown width in CSS pixels).

    Examples
    --------
    >>> image(np.zeros((2, 4), np.uint8), "black").startswith('<img src="data:image/png')
    True
    """
    arr = np.asarray(array)
    return tag("img", src=png_uri(arr), alt=alt, title=title,
               width=width or arr.shape[1],
               height=round((width or arr.shape[1]) * arr.shape[0] / max(arr.shape[1], 1)),
               class_="pixelated" if pixelated else None)


def label_colours(num_classes: int) -> np.ndarray:
    """``(num_classes, 3)`` distinct ``uint8`` colours; class 0 (background) is black.

    The hues step by the golden angle, so neighbouring labels differ.

    Examples
    --------
    >>> label_colours(3)[0].tolist()
    [0, 0, 0]
    """
    k = np.arange(num_classes, dtype=np.float64)
    hue = (k * 0.61803398875) % 1.0
    light = 0.55 + 0.15 * ((k // 7) % 2)
    sat = 0.65 + 0.2 * ((k // 3) % 2)
    rgb = _hsl_to_rgb(hue, sat, light)
    out = np.round(rgb * 255).astype(np.uint8)
    if num_classes:
        out[0] = 0
    return out


def _hsl_to_rgb(h: np.ndarray, s: np.ndarray, lum: np.ndarray) -> np.ndarray:
    c = (1 - np.abs(2 * lum - 1)) * s
    hp = h * 6
    x = c * (1 - np.abs(hp % 2 - 1))
    zeros = np.zeros_like(h)
    sector = np.floor(hp).astype(int) % 6
    table = [(c, x, zeros), (x, c, zeros), (zeros, c, x), (zeros, x, c), (x, zeros, c),
             (c, zeros, x)]
    rgb = np.zeros((*h.shape, 3))
    for i, (r, g, b) in enumerate(table):
        pick = sector == i
        rgb[pick] = np.stack([r, g, b], axis=-1)[pick]
    return rgb + (lum - c / 2)[..., None]


def to_rgb(labels: np.ndarray, num_classes: int, ignore_index: int | None = None
           ) -> np.ndarray:
    """A label map coloured by :func:`label_colours` (ignored and unknown labels grey).

    Examples
    --------
    >>> to_rgb(np.array([[0, 1, 255]]), 2, ignore_index=255)[0, ::2].tolist()
    [[0, 0, 0], [120, 120, 120]]
    """
    labels = np.asarray(labels)
    colours = label_colours(num_classes)
    known = (labels >= 0) & (labels < num_classes)
    out = np.empty((*labels.shape, 3), np.uint8)
    out[...] = _IGNORED_COLOUR
    out[known] = colours[labels[known].astype(np.int64)]
    if ignore_index is not None:
        out[labels == ignore_index] = _IGNORED_COLOUR
    return out


def error_overlay(pred: np.ndarray, target: np.ndarray, ignore_index: int | None = None,
                  base: np.ndarray | None = None) -> np.ndarray:
    """Where a prediction is wrong: false positives in :data:`FP_COLOUR`, false negatives
    in :data:`FN_COLOUR`, correct pixels light (or ``base``, an RGB image, dimmed).

    For several classes a wrong pixel is both a false positive (of the predicted class)
    and a false negative (of the true class); it is drawn as a false positive when the
    target is background (0) and as a false negative otherwise, so that "predicted
    something where nothing is" and "missed or mislabelled an object" differ.
    """
    pred = np.asarray(pred)
    target = np.asarray(target)
    if base is None:
        out = np.empty((*target.shape, 3), np.uint8)
        out[...] = _TRUE_COLOUR
    else:
        out = (np.asarray(base, np.float64) * 0.45 + 140).astype(np.uint8)
    wrong = pred != target
    if ignore_index is not None:
        ignored = target == ignore_index
        wrong &= ~ignored
        out[ignored] = _IGNORED_COLOUR
    fp = wrong & (target == 0)
    out[fp] = FP_COLOUR
    out[wrong & ~fp] = FN_COLOUR
    return out


def shrink(array: np.ndarray, size: int, *, labels: bool = False) -> np.ndarray:
    """A copy whose longer side is at most ``size`` (nearest pixel for label maps and
    overlays, area average for images); smaller arrays are returned as they are.

    Examples
    --------
    >>> shrink(np.arange(16).reshape(4, 4), 2, labels=True).tolist()
    [[0, 2], [8, 10]]
    """
    from PIL import Image

    arr = np.asarray(array)
    h, w = arr.shape[:2]
    scale = size / max(h, w)
    if scale >= 1:
        return arr
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    if labels:
        rows = (np.arange(new[1]) * h // new[1])
        cols = (np.arange(new[0]) * w // new[0])
        return arr[rows][:, cols]
    return np.asarray(Image.fromarray(arr).resize(new, Image.Resampling.BOX))


def gallery(rows: Sequence[tuple[Any, Sequence[tuple[str, Any]]]], *, size: int = 160
            ) -> Markup:
    """Rows of thumbnails: each row a caption (text or Markup) and ``(label, array)``
    tiles, every array shrunk to ``size`` pixels on its longer side.

    Each picture is shown ``size`` pixels wide (or high), a small one enlarged without
    smoothing. Arrays are stored as given: shrink them first with :func:`shrink` (nearest pixel for
    label maps and overlays, area average for images), so the file holds thumbnails only.

    Examples
    --------
    >>> html = gallery([("a.png · IoU 0.5", [("target", np.zeros((8, 8, 3), np.uint8))])])
    >>> html.count("<img"), "a.png · IoU 0.5" in html
    (1, True)

    """
    out = []
    for caption, tiles in rows:
        figures = [tag("figure", _tile_image(np.asarray(arr), label, size),
                       tag("figcaption", label), class_="tile") for label, arr in tiles]
        out.append(tag("div", tag("div", caption, class_="caption"),
                       tag("div", figures, class_="tiles"), class_="gallery-row"))
    return tag("div", out, class_="gallery")


def _tile_image(arr: np.ndarray, label: str, size: int) -> Markup:
    h, w = arr.shape[:2]
    scale = size / max(h, w, 1)
    return tag("img", src=png_uri(arr), alt=label, width=max(1, round(w * scale)),
               height=max(1, round(h * scale)), class_="pixelated" if scale > 1 else None)
