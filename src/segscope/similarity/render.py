"""Pictures of a comparison: a labelled matrix heat map and a contact sheet (Pillow only)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._figures import LINE, colour_bar, draw_text, fit, group_colour, text_width, viridis
from ..errors import ParameterError, ShapeError

__all__ = ["axis_labels", "contact_sheet", "heatmap", "legend_rows", "to_uint8"]

#: Longest name (pixels) written on an axis; longer names switch the axes to indices.
_MAX_NAME = 200
#: Most names listed in a heat map's legend (more would not be readable).
_LEGEND_LIMIT = 100
_LEGEND_NAME = 220


def _scale(m: np.ndarray, low: float | None, high: float | None) -> tuple[float, float]:
    off = m[~np.eye(*m.shape, dtype=bool)] if m.shape[0] == m.shape[1] else m.ravel()
    finite = off[np.isfinite(off)]
    lo = low if low is not None else (float(finite.min()) if finite.size else 0.0)
    hi = high if high is not None else (float(finite.max()) if finite.size else 1.0)
    return float(lo), float(hi)


def _tick_step(cell: int) -> int:
    """Label every ``step``-th index so that labels (one line each) do not overlap."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if step * cell >= LINE:
            return step
    return 10_000


def axis_labels(names: Sequence[str] | None, n: int, cell: int) -> tuple[list[str], int, bool]:
    """What a heat map writes along its axes: ``(labels, step, uses_names)``.

    Names are written when every one fits (at most 200 pixels) and a cell is one text line
    high; otherwise the axes carry indices ``0 .. n-1`` (the position in ``names``), every
    ``step``-th one labelled.

    Examples
    --------
    >>> axis_labels(["a.png", "b.png"], 2, 20)
    (['a.png', 'b.png'], 1, True)
    >>> labels, step, named = axis_labels(["a.png"] * 50, 50, 4)
    >>> labels[:3], step, named
    (['0', '1', '2'], 5, False)
    """
    if names is not None and cell >= LINE and \
            all(text_width(name) <= _MAX_NAME for name in names):
        return [str(name) for name in names], 1, True
    return [str(k) for k in range(n)], _tick_step(cell), False


def heatmap(matrix: Any, *, names: Sequence[str] | None = None, low: float | None = None,
            high: float | None = None, cell: int | None = None, label: str = "value",
            title: str | None = None, labels: bool = True):
    """A ``PIL.Image`` of a matrix with its axes, a colour bar and (when needed) a legend.

    Each entry is a square of ``cell`` pixels in viridis colours, scaled from ``low``
    (dark) to ``high`` (yellow), by default the finite minimum and maximum off the
    diagonal; values beyond them take the end colours and NaN is grey.

    Parameters
    ----------
    matrix : (N, M) array_like
        The values (an N×N similarity matrix, rows and columns in the order of ``names``).
    names : sequence of str, optional
        One name per row (square matrices). They label the axes when they fit; otherwise
        the axes carry indices (``k`` is ``names[k]``) and a legend lists
        ``index  name`` beside the colour bar for up to 100 names. Names are drawn as
        plain text, never interpreted.
    low, high : float, optional
        Ends of the colour scale.
    cell : int, optional
        Pixels per entry (default ``600 // max(N, M)``, at least 1).
    label : str
        The quantity shown, written over the colour bar (e.g. ``"ssim"``).
    title : str, optional
        A line over the figure (default: ``"{label} of N images"``).
    labels : bool
        ``False`` gives the bare grid (``N * cell`` by ``M * cell`` pixels) and nothing else.

    Returns
    -------
    PIL.Image.Image
        RGB; the same inputs give the same pixels.

    Examples
    --------
    >>> heatmap(np.eye(3), cell=4, labels=False).size
    (12, 12)
    >>> fig = heatmap(np.eye(3), names=["a.png", "b.png", "c.png"], cell=20, label="ssim")
    >>> fig.width > 60 and fig.height > 60
    True
    """
    from PIL import Image, ImageDraw

    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.size == 0:
        raise ShapeError(f"heatmap needs a non-empty 2-D matrix; got shape {m.shape}")
    if names is not None and (m.shape[0] != m.shape[1] or len(names) != m.shape[0]):
        raise ParameterError(f"names: expected one name per row of a square matrix "
                             f"({m.shape[0]}); got {len(names)} names for shape {m.shape}")
    lo, hi = _scale(m, low, high)
    scaled = (np.clip(m, lo, hi) - lo) / ((hi - lo) or 1.0)  # +-inf clip to the ends
    if cell is None:
        cell = max(1, 600 // max(m.shape))
    grid = Image.fromarray(viridis(scaled).repeat(cell, axis=0).repeat(cell, axis=1), "RGB")
    if not labels:
        return grid
    n_rows, n_cols = m.shape
    row_text, step, named = axis_labels(names, n_rows, cell)
    col_text = row_text if n_rows == n_cols else axis_labels(None, n_cols, cell)[0]
    shown_r = range(0, n_rows, step)
    shown_c = range(0, n_cols, step if n_rows == n_cols else _tick_step(cell))
    margin_l = max(text_width(row_text[k]) for k in shown_r) + 8
    margin_t = max(text_width(col_text[k]) for k in shown_c) + 8
    gx, gy = margin_l, LINE + margin_t
    bar = colour_bar(viridis, lo, hi, height=grid.height, label=label,
                     nan=bool(np.isnan(m).any()))
    legend = None
    if names is not None and not named:
        legend = _legend(names, grid.height)
    width = gx + grid.width + 12 + bar.width + (12 + legend.width if legend else 0) + 4
    height = max(gy + grid.height, gy - LINE + bar.height,
                 gy - LINE + (legend.height if legend else 0)) + 4
    fig = Image.new("RGB", (width, height), (255, 255, 255))
    fig.paste(grid, (gx, gy))
    draw = ImageDraw.Draw(fig)
    draw_text(draw, (2, 0), title if title is not None else
              f"{label} of {n_rows} images" if names is not None else
              f"{label}, {n_rows} x {n_cols}")
    draw.rectangle([gx - 1, gy - 1, gx + grid.width, gy + grid.height], outline=(0, 0, 0))
    for k in shown_r:
        y = gy + k * cell + cell // 2
        draw.line([(gx - 4, y), (gx - 2, y)], fill=(0, 0, 0))
        text = row_text[k]
        draw_text(draw, (gx - 6 - text_width(text), y - LINE // 2), text)
    strip = Image.new("RGB", (margin_t, grid.width), (255, 255, 255))
    sdraw = ImageDraw.Draw(strip)
    for k in shown_c:  # drawn as rows, then turned a quarter to read upwards
        x = k * cell + cell // 2
        sdraw.line([(0, x), (2, x)], fill=(0, 0, 0))
        draw_text(sdraw, (6, x - LINE // 2), col_text[k])
    fig.paste(strip.transpose(Image.Transpose.ROTATE_90), (gx, gy - margin_t - 1))
    x = gx + grid.width + 12
    fig.paste(bar, (x, gy - LINE))
    if legend is not None:
        fig.paste(legend, (x + bar.width + 12, gy - LINE))
    return fig


def _legend(names: Sequence[str], height: int):
    """``index  name`` lines in columns as tall as the grid (or a note when too many)."""
    from PIL import Image, ImageDraw

    if len(names) > _LEGEND_LIMIT:
        lines = [f"{len(names)} images: image k is", "the k-th name in the order",
                 "of the rows (too many to list)"]
    else:
        width = len(str(len(names) - 1))
        lines = [f"{k:>{width}}  {fit(name, _LEGEND_NAME)}" for k, name in enumerate(names)]
    per_col = max(10, height // LINE - 1)
    cols = [lines[i:i + per_col] for i in range(0, len(lines), per_col)]
    widths = [max(text_width(t) for t in col) + 12 for col in cols]
    img = Image.new("RGB", (sum(widths), LINE * (1 + max(len(c) for c in cols))),
                    (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw_text(draw, (0, 0), "legend")
    x = 0
    for col, w in zip(cols, widths, strict=True):
        for r, text in enumerate(col):
            draw_text(draw, (x, LINE * (r + 1)), text)
        x += w
    return img


def legend_rows(names: Sequence[str]) -> list[dict[str, Any]]:
    """The index → name table of a heat map's axes (``index`` is the row and column).

    Examples
    --------
    >>> legend_rows(["b.png", "a.png"])
    [{'index': 0, 'name': 'b.png'}, {'index': 1, 'name': 'a.png'}]
    """
    return [{"index": k, "name": str(name)} for k, name in enumerate(names)]


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
                  data_range: float | None = None, groups: Sequence[int] | None = None,
                  scores: Sequence[float | None] | None = None, label: str = "score"):
    """Thumbnails in the given order on a grid (row by row), with their names and marks.

    Parameters
    ----------
    images : sequence of ndarray
        The pictures, in the order to show.
    names : sequence of str, optional
        Written under each thumbnail as ``k. name`` (``k`` counts from 1; a name too long
        for the tile is shortened in the middle with ``…``).
    thumb : int
        Tile size in pixels.
    columns : int, optional
        Tiles per row (default: about the square root of the count).
    data_range : float, optional
        Intensity span (as :func:`to_uint8`).
    groups : sequence of int, optional
        A group number per image: each tile gets a frame in its group's colour
        (:data:`segscope._figures.PALETTE`, repeating after seven) and ``g{number}``.
    scores : sequence of float or None, optional
        A score per image (e.g. the similarity to the previous one), written as
        ``{label} {score}`` (the score alone when the tile is too narrow for both);
        ``None`` writes nothing.

    Examples
    --------
    >>> ims = [np.full((20, 30), v, np.uint8) for v in (0, 128, 255)]
    >>> contact_sheet(ims, thumb=16, columns=3).size
    (48, 16)
    >>> contact_sheet(ims, thumb=16, columns=3, groups=[0, 0, 1]).getpixel((0, 0))
    (230, 159, 0)
    """
    from PIL import Image, ImageDraw

    n = len(images)
    for what, values in (("names", names), ("groups", groups), ("scores", scores)):
        if values is not None and len(values) != n:
            raise ParameterError(f"{what}: expected one per image ({n}); got {len(values)}")
    cols = columns or max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    lines = (names is not None) + (scores is not None or groups is not None)
    label_h = LINE * lines
    sheet = Image.new("RGB", (cols * thumb, rows * (thumb + label_h)), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for k, image in enumerate(images):
        x0, y0 = (k % cols) * thumb, (k // cols) * (thumb + label_h)
        tile = Image.fromarray(to_uint8(image, data_range)).convert("RGB")
        tile.thumbnail((thumb - 6, thumb - 6) if groups is not None else (thumb, thumb))
        sheet.paste(tile, (x0 + (thumb - tile.width) // 2, y0 + (thumb - tile.height) // 2))
        if groups is not None:
            draw.rectangle([x0, y0, x0 + thumb - 1, y0 + thumb - 1],
                           outline=group_colour(int(groups[k])), width=3)
        y = y0 + thumb
        if names is not None:
            draw_text(draw, (x0 + 2, y), fit(f"{k + 1}. {names[k]}", thumb - 4))
            y += LINE
        group = f"g{int(groups[k])}  " if groups is not None else ""
        score = (None if scores is None or scores[k] is None else f"{float(scores[k]):.3g}")
        choices = [f"{group}{label} {score}", f"{group}{score}"] if score else [group]
        text = next((t for t in choices if text_width(t) <= thumb - 4), choices[-1])
        if text.strip():
            draw_text(draw, (x0 + 2, y), fit(text.strip(), thumb - 4))
    return sheet
