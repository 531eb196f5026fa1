"""Pictures of a LIME explanation: a weight heat map and the top-k positive superpixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._image import as_float_image, to_display_uint8
from ..superpixels.render import boundary_lines
from .lime import Explanation

__all__ = ["heatmap", "top_k_overlay"]


def _display(image: Any, data_range: float | None, channel_axis: int | None) -> np.ndarray:
    from .lime import _channels_last

    arr, _ = _channels_last(np.asarray(image), channel_axis)
    if arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[-1] == 3:
        return arr.copy()
    if arr.ndim == 3 and arr.shape[-1] not in (1, 3):
        arr = arr.mean(axis=-1)  # many channels: show their mean
    return to_display_uint8(as_float_image(arr, channel_axis=-1 if arr.ndim == 3 else None,
                                           data_range=data_range))


def heatmap(explanation: Explanation, image: Any = None, *, opacity: float = 0.6,
            data_range: float | None = None, channel_axis: int | None = None) -> np.ndarray:
    """RGB ``uint8`` map of the weights: red positive, blue negative, white 0.

    Colours scale with ``|weight| / max |weight|``. With ``image``, the map is blended over
    it with ``opacity``; ``data_range`` and ``channel_axis`` read the image as
    :func:`~segscope.explain.explain` does.

    Examples
    --------
    >>> e = Explanation(np.array([1.0, -1.0]), 0.0, 1.0, None, 1.0, np.array([[0, 1]]),
    ...                 np.ones((1, 2), bool), np.ones(1), np.zeros(1), np.ones(1))
    >>> heatmap(e)[0].tolist()
    [[255, 0, 0], [0, 0, 255]]
    """
    w = explanation.weight_map()
    peak = float(np.abs(w).max())
    v = w / peak if peak > 0 else np.zeros_like(w)
    pos = np.clip(v, 0, 1)
    neg = np.clip(-v, 0, 1)
    rgb = np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)
    out = np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    if image is None:
        return out
    base = _display(image, data_range, channel_axis).astype(np.float64)
    blend = (1 - opacity) * base + opacity * out.astype(np.float64)
    return np.rint(blend).astype(np.uint8)


def top_k_overlay(explanation: Explanation, image: Any, k: int = 5, *,
                  color: tuple[int, int, int] = (0, 255, 0), dim: float = 0.35,
                  data_range: float | None = None, channel_axis: int | None = None
                  ) -> np.ndarray:
    """The image with its ``k`` highest positive-weight superpixels shown and outlined.

    Other superpixels are darkened to ``dim`` of their brightness.

    Examples
    --------
    >>> e = Explanation(np.array([1.0, -1.0]), 0.0, 1.0, None, 1.0, np.array([[0, 1]]),
    ...                 np.ones((1, 2), bool), np.ones(1), np.zeros(1), np.ones(1))
    >>> top_k_overlay(e, np.full((1, 2, 3), 200, np.uint8), 1, channel_axis=-1)[0, 1].tolist()
    [70, 70, 70]
    """
    base = _display(image, data_range, channel_axis).astype(np.float64)
    chosen = np.isin(explanation.segments, explanation.top(k))
    out = np.where(chosen[..., None], base, base * dim)
    sel = np.where(chosen, explanation.segments, -1)
    edges = boundary_lines(sel)  # non-chosen pixels all hold -1: only chosen edges differ
    out = np.rint(out).astype(np.uint8)
    out[edges] = np.asarray(color, dtype=np.uint8)
    return out
