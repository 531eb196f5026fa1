"""Shared private drawing helpers for figures (floor 0): text, colour maps, colour bars.

Every static figure of segscope (the similarity heat map, the contact sheets, the LIME heat
map, the superpixel gallery) draws with these, so they look alike and stay deterministic:

* text uses Pillow's built-in font (:func:`PIL.ImageFont.load_default`, sized since
  Pillow 10.1): nothing is downloaded or looked up on the system, so the same inputs give
  the same bytes on every machine with the same Pillow. The font covers Latin script;
  other glyphs are drawn as boxes (the CSV and JSON outputs hold the exact names). Names
  from the user are data: they are drawn as text, never interpreted;
* colours come from :func:`viridis` (sequential) and :func:`diverging` (signed), and a
  colour bar is drawn from the same function that coloured the picture.

Examples
--------
>>> import numpy as np
>>> viridis(np.array([0.0, 1.0])).tolist()
[[68, 1, 84], [253, 231, 37]]
>>> bar = colour_bar(viridis, 0.0, 1.0, height=50, label="ssim")
>>> bar.height >= 50
True
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["FONT_SIZE", "LINE", "PALETTE", "colour_bar", "diverging", "draw_text",
           "fit", "font", "group_colour", "signed", "text_width", "ticks", "viridis"]

#: Default text size (pixels) and the height of one line of it.
FONT_SIZE = 11
LINE = 14

#: Group colours: the Okabe & Ito colour-blind-safe palette (Okabe and Ito 2008, "Color
#: Universal Design"), black left out.
PALETTE: tuple[tuple[int, int, int], ...] = (
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
    (213, 94, 0), (204, 121, 167),
)

# Anchor colours of the viridis colour map (van der Walt & Smith), interpolated linearly.
_VIRIDIS = np.array([
    (68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
    (31, 158, 137), (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37),
], dtype=np.float64)

_NAN_GREY = 128


def viridis(values: np.ndarray) -> np.ndarray:
    """Map values in [0, 1] to RGB ``uint8`` (viridis, dark to yellow); NaN becomes grey.

    Examples
    --------
    >>> viridis(np.array([np.nan])).tolist()
    [[128, 128, 128]]
    """
    values = np.asarray(values, dtype=np.float64)
    pos = np.clip(np.nan_to_num(values, nan=0.0), 0.0, 1.0) * (len(_VIRIDIS) - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, len(_VIRIDIS) - 1)
    frac = (pos - lo)[..., None]
    rgb = _VIRIDIS[lo] * (1 - frac) + _VIRIDIS[hi] * frac
    rgb[np.isnan(values)] = _NAN_GREY
    return np.round(rgb).astype(np.uint8)


def signed(values: np.ndarray) -> np.ndarray:
    """Map values in [-1, 1] to RGB ``uint8``: -1 blue, 0 white, 1 red (linear in between).

    Examples
    --------
    >>> signed(np.array([-1.0, 0.0, 0.5])).tolist()
    [[0, 0, 255], [255, 255, 255], [255, 128, 128]]
    """
    v = np.clip(np.asarray(values, dtype=np.float64), -1, 1)
    pos, neg = np.clip(v, 0, 1), np.clip(-v, 0, 1)
    rgb = np.stack([1 - neg, 1 - pos - neg, 1 - pos], axis=-1)
    return np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def diverging(values: np.ndarray) -> np.ndarray:
    """:func:`signed` on [0, 1] (0 blue, 0.5 white, 1 red): the form a colour bar takes.

    Examples
    --------
    >>> diverging(np.array([0.0, 0.5, 1.0])).tolist()
    [[0, 0, 255], [255, 255, 255], [255, 0, 0]]
    """
    return signed(np.asarray(values, dtype=np.float64) * 2 - 1)


def group_colour(k: int) -> tuple[int, int, int]:
    """The colour of group ``k`` (the palette repeats after seven groups).

    Examples
    --------
    >>> group_colour(0), group_colour(7)
    ((230, 159, 0), (230, 159, 0))
    """
    return PALETTE[k % len(PALETTE)]


@functools.lru_cache(maxsize=8)
def font(size: int = FONT_SIZE):
    """Pillow's built-in font at ``size`` pixels (its fixed bitmap font before Pillow 10.1)."""
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def text_width(text: str, size: int = FONT_SIZE) -> int:
    """Width in pixels of ``text`` drawn at ``size``.

    Examples
    --------
    >>> text_width("ab") < text_width("abcd")
    True
    """
    return math.ceil(font(size).getlength(str(text)))


def printable(text: str) -> str:
    r"""``text`` with its control characters (escape sequences, line breaks, tabs: a file
    name may hold any of them) written as ``\xNN``, so that it stays on one line and can
    drive no terminal; everything else is kept.

    Examples
    --------
    >>> printable("two\nlines\x1b[31m.png")
    'two\\x0alines\\x1b[31m.png'
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def fit(text: str, width: int, size: int = FONT_SIZE) -> str:
    """``text`` shortened with ``…`` in the middle so that it is at most ``width`` pixels.

    The end of a name (its extension and number) is kept as much as its start; control
    characters are shown as :func:`printable` writes them.

    Examples
    --------
    >>> fit("short.png", 500)
    'short.png'
    >>> long = "a_very_long_file_name_from_a_camera_0001.png"
    >>> short = fit(long, 80)
    >>> "…" in short and short.endswith(".png") and text_width(short) <= 80
    True
    """
    text = printable(str(text))
    if text_width(text, size) <= width:
        return text
    keep = len(text)
    while keep > 1:
        keep -= 1
        head, tail = text[: (keep + 1) // 2], text[len(text) - keep // 2:] if keep // 2 else ""
        short = f"{head}…{tail}"
        if text_width(short, size) <= width:
            return short
    return "…"


def draw_text(draw: Any, xy: tuple[int, int], text: str, *, size: int = FONT_SIZE,
              fill: tuple[int, int, int] | int = (0, 0, 0)) -> None:
    """Draw ``text`` as plain text (no markup, no format codes) with the built-in font."""
    draw.text(xy, str(text), fill=fill, font=font(size))


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * power >= raw:
            return m * power
    return 10.0 * power


def ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Tick values of a scale: both ends and about ``count`` round values between them.

    Examples
    --------
    >>> ticks(0.0, 1.0)
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> ticks(0.13, 0.97)
    [0.13, 0.25, 0.5, 0.75, 0.97]
    >>> ticks(2.0, 2.0)
    [2.0]
    """
    low, high = float(low), float(high)
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if low == high or not math.isfinite(high) else [low, high]
    step = _nice_step(high - low, count)
    first = math.ceil(low / step - 1e-9)
    inner = [round(k * step, 12) for k in range(first, math.floor(high / step + 1e-9) + 1)]
    gap = 0.4 * step  # a round tick this close to an end would overprint its label
    inner = [v for v in inner if v - low > gap and high - v > gap]
    return [low, *inner, high]


def _label(value: float) -> str:
    return f"{value:.3g}"


def colour_bar(colours: Callable[[np.ndarray], np.ndarray], low: float, high: float, *,
               height: int, label: str = "", width: int = 14, nan: bool = False,
               size: int = FONT_SIZE):
    """A vertical colour bar: ``high`` at the top, ``low`` at the bottom, ticks labelled.

    Row ``r`` of the bar (``0`` at the top, ``height`` rows) has the colour
    ``colours(1 - r / (height - 1))``: the same function that coloured the picture, so the
    bar cannot disagree with it. ``label`` is written above the bar (the quantity and its
    unit); ``nan=True`` adds a grey swatch for missing values under it.

    Returns
    -------
    PIL.Image.Image
        RGB, white background; the bar starts ``LINE`` pixels from the top (under the
        label) and 1 pixel from the left.
    """
    from PIL import Image, ImageDraw

    height = max(int(height), 2 * LINE)
    labels = [(v, _label(v)) for v in ticks(low, high)]
    text_w = max([text_width(t, size) for _, t in labels] + [text_width("NaN", size)])
    total_w = max(width + 6 + text_w + 2, text_width(label, size) + 2)
    total_h = LINE + height + (LINE + 4 if nan else 0) + LINE // 2
    img = Image.new("RGB", (total_w, total_h), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    if label:
        draw_text(draw, (1, 0), label, size=size)
    top = LINE
    frac = 1.0 - np.arange(height, dtype=np.float64) / (height - 1)
    column = np.asarray(colours(frac), dtype=np.uint8).reshape(height, 1, 3)
    img.paste(Image.fromarray(np.ascontiguousarray(np.repeat(column, width, axis=1))),
              (1, top))
    span = (high - low) or 1.0
    for value, text in labels:
        y = top + round((high - value) / span * (height - 1)) if high != low else top
        draw.line([(1 + width, y), (1 + width + 3, y)], fill=(0, 0, 0))
        ty = min(max(y - size // 2 - 1, top - 2), top + height - size)
        draw_text(draw, (1 + width + 6, ty), text, size=size)
    if nan:
        y = top + height + 4
        draw.rectangle([1, y, width, y + LINE - 4], fill=(_NAN_GREY,) * 3)
        draw_text(draw, (1 + width + 6, y - 1), "NaN", size=size)
    return img
