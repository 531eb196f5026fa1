"""Pictures of a comparison: a matrix heatmap and a contact sheet (Pillow only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["contact_sheet", "heatmap", "to_uint8"]

# Anchor colours of the viridis colour map (van der Walt & Smith), interpolated linearly.
_VIRIDIS = np.array([
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
], dtype=np.float64)


def _colour(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB uint8 (viridis); NaN becomes grey."""
    pos = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0) * (len(_VIRIDIS) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(_VIRIDIS) - 1)
    frac = (pos - lo)[..., None]
    rgb = _VIRIDIS[lo] * (1 - frac) + _VIRIDIS[hi] * frac
    rgb[np.isnan(values)] = 128
    return np.round(rgb).astype(np.uint8)


def heatmap(matrix: Any, *, low: float | None = None, high: float | None = None,
            cell: int | None = None):
    """A ``PIL.Image`` of a matrix: one square of ``cell`` pixels per entry, viridis colours.

    Values are scaled from ``low`` (dark) to ``high`` (yellow), by default the finite
    minimum and maximum off the diagonal.

    Examples
    --------
    >>> heatmap(np.eye(3), cell=4).size
    (12, 12)
    """
    from PIL import Image

    m = np.asarray(matrix, dtype=np.float64)
    off = m[~np.eye(*m.shape, dtype=bool)] if m.shape[0] == m.shape[1] else m.ravel()
    finite = off[np.isfinite(off)]
    lo = low if low is not None else (float(finite.min()) if finite.size else 0.0)
    hi = high if high is not None else (float(finite.max()) if finite.size else 1.0)
    scaled = (np.clip(m, lo, hi) - lo) / ((hi - lo) or 1.0)  # +-inf clip to the ends
    if cell is None:
        cell = max(1, 600 // max(m.shape))
    rgb = _colour(scaled).repeat(cell, axis=0).repeat(cell, axis=1)
    return Image.fromarray(rgb, mode="RGB")


def to_uint8(image: np.ndarray, data_range: float | None = None) -> np.ndarray:
    """Scale an image to ``uint8`` for display: ``0 .. data_range`` becomes ``0 .. 255``.

    ``data_range`` follows segscope's one rule (:func:`segscope._checks.resolve_data_range`):
    integer and ``bool`` images use their dtype's span, float images need it.

    Examples
    --------
    >>> to_uint8(np.array([0, 32768, 65535], np.uint16)).tolist()
    [0, 128, 255]
    >>> to_uint8(np.array([0.0, 0.5]), data_range=1.0).tolist()
    [0, 128]
    """
    from .._checks import resolve_data_range

    arr = np.asarray(image)
    if arr.dtype == np.uint8 and data_range is None:
        return arr
    span = resolve_data_range(data_range, arr)
    low = float(np.iinfo(arr.dtype).min) if arr.dtype.kind == "i" else 0.0
    scaled = (arr.astype(np.float64) - low) / span * 255
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def contact_sheet(images: Sequence[np.ndarray], *, names: Sequence[str] | None = None,
                  thumb: int = 128, columns: int | None = None,
                  data_range: float | None = None):
    """Thumbnails in the given order on a grid (row by row), with their names.

    Examples
    --------
    >>> ims = [np.full((20, 30), v, np.uint8) for v in (0, 128, 255)]
    >>> contact_sheet(ims, thumb=16, columns=3).size
    (48, 16)
    """
    from PIL import Image, ImageDraw

    n = len(images)
    cols = columns or max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    label_h = 14 if names else 0
    sheet = Image.new("RGB", (cols * thumb, rows * (thumb + label_h)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for k, image in enumerate(images):
        tile = Image.fromarray(to_uint8(image, data_range)).convert("RGB")
        tile.thumbnail((thumb, thumb))
        x = (k % cols) * thumb + (thumb - tile.width) // 2
        y = (k // cols) * (thumb + label_h) + (thumb - tile.height) // 2
        sheet.paste(tile, (x, y))
        if names:
            text = f"{k + 1}. {names[k]}"
            draw.text(((k % cols) * thumb + 2, (k // cols) * (thumb + label_h) + thumb),
                      text[: max(4, thumb // 6)], fill=(0, 0, 0))
    return sheet
