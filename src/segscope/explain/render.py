"""Pictures of a LIME explanation: a weight heat map (with its colour bar in
:func:`heatmap_figure`) and the top-k positive superpixels."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._figures import LINE, colour_bar, diverging, draw_text, signed, text_width
from .._image import as_float_image, to_display_uint8
from ..superpixels.render import boundary_lines
from .lime import Explanation

__all__ = ["heatmap", "heatmap_figure", "top_k_overlay"]


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
    out = signed(w / peak if peak > 0 else np.zeros_like(w))
    if image is None:
        return out
    base = _display(image, data_range, channel_axis).astype(np.float64)
    blend = (1 - opacity) * base + opacity * out.astype(np.float64)
    return np.rint(blend).astype(np.uint8)


def heatmap_figure(explanation: Explanation, image: Any = None, *, opacity: float = 0.6,
                   data_range: float | None = None, channel_axis: int | None = None,
                   label: str = "weight"):
    """The :func:`heatmap` with a title and a colour bar of the weights (``-peak .. +peak``).

    The bar is drawn from the same colour map as the picture (blue negative, white 0, red
    positive; over an image the picture is blended with it at ``opacity``), its ends are
    ``∓ max |weight|`` and its ticks are in the units of the model's score.

    Returns
    -------
    PIL.Image.Image
        RGB: a title line, the heat map and the colour bar to its right.

    Examples
    --------
    >>> e = Explanation(np.array([1.0, -1.0]), 0.0, 1.0, None, 1.0, np.array([[0, 1]] * 40),
    ...                 np.ones((1, 2), bool), np.ones(1), np.zeros(1), np.ones(1))
    >>> fig = heatmap_figure(e)
    >>> fig.width > 2 and fig.height > 40
    True
    """
    from PIL import Image, ImageDraw

    picture = Image.fromarray(heatmap(explanation, image, opacity=opacity,
                                      data_range=data_range, channel_axis=channel_axis))
    peak = float(np.abs(explanation.weight_map()).max())  # the scale heatmap() uses
    bar = colour_bar(diverging, -peak, peak, height=picture.height, label=label)
    title = (f"LIME: target {explanation.target}, score {explanation.score:.4g}, "
             f"surrogate R^2 {explanation.r2:.3f}")  # the built-in font has no ²
    top = 2 * LINE  # a title line, then the bar's label over the picture's top edge
    fig = Image.new("RGB", (max(picture.width + 10 + bar.width, text_width(title) + 4),
                            max(top + picture.height, LINE + bar.height) + 2),
                    (255, 255, 255))
    fig.paste(picture, (0, top))
    fig.paste(bar, (picture.width + 10, top - LINE))
    draw_text(ImageDraw.Draw(fig), (2, 0), title)
    return fig


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
