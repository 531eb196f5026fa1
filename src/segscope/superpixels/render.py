"""Pictures of superpixels: boundaries drawn on the image, and a titled gallery.

Drawing uses NumPy and Pillow only; files are written with :func:`segscope.io.write_image`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._figures import font as _font
from .._image import as_float_image, to_display_uint8
from ..errors import ParameterError, ShapeError
from .methods import Superpixels

__all__ = ["boundary_lines", "draw_boundaries", "gallery"]


def boundary_lines(labels: np.ndarray) -> np.ndarray:
    """Thin (one pixel) boundary lines: pixels whose right or lower neighbour differs.

    Examples
    --------
    >>> boundary_lines(np.array([[0, 0, 1]])).astype(int).tolist()
    [[0, 1, 0]]
    """
    lab = np.asarray(labels)
    out = np.zeros(lab.shape, dtype=bool)
    out[:, :-1] |= lab[:, 1:] != lab[:, :-1]
    out[:-1, :] |= lab[1:, :] != lab[:-1, :]
    return out


def _rgb(image: Any, channel_axis: int | None, data_range: float | None) -> np.ndarray:
    arr = np.asarray(image)
    if arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[-1] == 3 and channel_axis in (-1, 2):
        # already what we draw on
        return arr.copy()
    return to_display_uint8(as_float_image(arr, channel_axis=channel_axis,
                                           data_range=data_range))


def draw_boundaries(
    image: Any,
    labels: Any,
    *,
    color: tuple[int, int, int] = (255, 255, 0),
    channel_axis: int | None = None,
    data_range: float | None = None,
) -> np.ndarray:
    """An RGB ``uint8`` copy of ``image`` with superpixel boundaries drawn in ``color``.

    Parameters
    ----------
    image : array_like
        Grey or colour image (scaled with ``data_range`` as in :func:`segment`).
    labels : array_like or Superpixels
        Label map of the image's height and width.
    color : tuple of int
        RGB colour of the lines.
    channel_axis : int, optional
        Axis of the colour channels of a 3-D image; ``None`` for a grey image.
    data_range : float, optional
        Intensity span, as in :func:`segment`.

    Examples
    --------
    >>> img = np.zeros((2, 3), np.uint8)
    >>> draw_boundaries(img, np.array([[0, 0, 1], [0, 0, 1]]))[0, 1].tolist()
    [255, 255, 0]
    """
    lab = labels.labels if isinstance(labels, Superpixels) else np.asarray(labels)
    rgb = _rgb(image, channel_axis, data_range)
    if rgb.shape[:2] != lab.shape:
        raise ShapeError(f"labels shape {lab.shape} does not match the image's {rgb.shape[:2]}")
    rgb[boundary_lines(lab)] = np.asarray(color, dtype=np.uint8)
    return rgb


def gallery(
    panels: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    ncols: int | None = None,
    max_panel_size: int = 384,
    title_height: int = 22,
):
    """Tile RGB panels into one Pillow image, each with its title above it.

    Parameters
    ----------
    panels : sequence of ndarray
        RGB ``uint8`` images of the same shape.
    titles : sequence of str
        One title per panel (e.g. its parameters).
    ncols : int, optional
        Columns (default: ``ceil(sqrt(n))``).
    max_panel_size : int
        Panels larger than this (longest side) are scaled down.

    Returns
    -------
    PIL.Image.Image

    Examples
    --------
    >>> im = gallery([np.zeros((10, 10, 3), np.uint8)] * 3, ["a", "b", "c"])
    >>> im.size[0] >= 20
    True
    """
    from PIL import Image, ImageDraw

    if len(panels) == 0 or len(panels) != len(titles):
        raise ParameterError(
            f"gallery needs one title per panel and at least one panel; got {len(panels)} "
            f"panels and {len(titles)} titles"
        )
    n = len(panels)
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    h, w = panels[0].shape[:2]
    factor = min(1.0, max_panel_size / max(h, w))
    ph, pw = max(1, round(h * factor)), max(1, round(w * factor))
    pad = 4
    sheet = Image.new("RGB", (ncols * (pw + pad) + pad, nrows * (ph + title_height + pad) + pad),
                      (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for i, (panel, title) in enumerate(zip(panels, titles, strict=True)):
        r, c = divmod(i, ncols)
        x = pad + c * (pw + pad)
        y = pad + r * (ph + title_height + pad)
        tile = Image.fromarray(np.asarray(panel, dtype=np.uint8))
        if factor < 1.0:
            tile = tile.resize((pw, ph), Image.Resampling.LANCZOS)
        sheet.paste(tile, (x, y + title_height))
        text, size = str(title), max(10, title_height - 8)
        while size > 7 and draw.textlength(text, font=_font(size)) > pw - 4:
            size -= 1
        draw.text((x + 2, y + 3), text, fill=(0, 0, 0), font=_font(size))
    return sheet
