"""Charts of a report as inline SVG (text, so names are escaped and printing stays sharp):
bars, histograms, colour bars, and heat maps with labelled rows and columns.

Examples
--------
>>> svg = bars(["cat", "<dog>"], [0.5, 0.25], title="IoU")
>>> svg.startswith("<svg"), "&lt;dog&gt;" in svg
(True, True)
>>> "<rect" in histogram([0.1, 0.2, 0.9], bins=4, value_range=(0, 1))
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._figures import viridis
from .markup import Markup, tag
from .page import format_number
from .pictures import image

__all__ = ["bars", "colour_bar", "heat_map", "histogram"]

_TEXT = 12  # font size of labels, px
_BAR = "#4a7fb0"
_WHISKER = "#1d1d1f"
_MUTED = "#5f6368"


def hex_colour(rgb: Sequence[int]) -> str:
    """``(r, g, b)`` as a CSS colour ``#rrggbb``.

    Examples
    --------
    >>> hex_colour((255, 0, 16))
    '#ff0010'
    """
    r, g, b = (int(v) for v in rgb[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _svg(width: float, height: float, *children: Any, label: str) -> Markup:
    return tag("svg", tag("title", label), *children, xmlns="http://www.w3.org/2000/svg",
               viewBox=f"0 0 {_n(width)} {_n(height)}", width=_n(width), height=_n(height),
               role="img", aria_label=label, font_size=_TEXT)


def _n(x: float) -> str:
    """A coordinate with at most two decimals (short, and the same text every time)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: Any, **attrs: Any) -> Markup:
    return tag("text", content, x=_n(x), y=_n(y), **attrs)


def bars(labels: Sequence[Any], values: Sequence[float], *, title: str,
         low: Sequence[float] | None = None, high: Sequence[float] | None = None,
         value_range: tuple[float, float] | None = None, width: int = 640) -> Markup:
    """Horizontal bars, one per label (NaN: no bar, ``n/a``), with optional interval
    whiskers ``low..high``. ``value_range`` defaults to ``(0, 1)`` for values in it."""
    vals = np.asarray(values, dtype=np.float64)
    finite = vals[np.isfinite(vals)]
    lo_v, hi_v = value_range or _range(finite, high)
    span = (hi_v - lo_v) or 1.0
    label_w = min(240, 12 + 7 * max((len(str(s)) for s in labels), default=4))
    plot_w = width - label_w - 70
    row = 18
    height = row * len(labels) + 30
    parts = []
    for i, (name, v) in enumerate(zip(labels, vals)):
        y = 6 + i * row
        parts.append(_text(label_w - 6, y + 12, name, text_anchor="end"))
        if math.isfinite(v):
            w = max(0.0, (min(max(v, lo_v), hi_v) - lo_v) / span * plot_w)
            parts.append(tag("rect", x=label_w, y=_n(y + 2), width=_n(w), height=row - 5,
                             fill=_BAR))
            if low is not None and high is not None and math.isfinite(low[i]) \
                    and math.isfinite(high[i]):
                x0 = label_w + (min(max(low[i], lo_v), hi_v) - lo_v) / span * plot_w
                x1 = label_w + (min(max(high[i], lo_v), hi_v) - lo_v) / span * plot_w
                parts.append(tag("line", x1=_n(x0), x2=_n(x1), y1=_n(y + 8), y2=_n(y + 8),
                                 stroke=_WHISKER, stroke_width=1.5))
        parts.append(_text(label_w + plot_w + 6, y + 12, format_number(v, 3)))
    axis_y = 6 + len(labels) * row + 14
    parts.append(_text(label_w, axis_y, format_number(lo_v, 2), fill=_MUTED))
    parts.append(_text(label_w + plot_w, axis_y, format_number(hi_v, 2), fill=_MUTED,
                       text_anchor="end"))
    return _svg(width, height, parts, label=title)


def _range(finite: np.ndarray, high: Sequence[float] | None) -> tuple[float, float]:
    top = float(finite.max()) if finite.size else 1.0
    if high is not None:
        h = np.asarray(high, dtype=np.float64)
        if np.isfinite(h).any():
            top = max(top, float(h[np.isfinite(h)].max()))
    bottom = float(finite.min()) if finite.size else 0.0
    if bottom >= 0 and top <= 1:
        return 0.0, 1.0
    return min(0.0, bottom), top


def histogram(values: Sequence[float], *, bins: int = 20,
              value_range: tuple[float, float] | None = None, title: str = "histogram",
              width: int = 360, height: int = 170) -> Markup:
    """Counts of ``values`` in ``bins`` equal bins (NaN and infinities left out and
    counted in the caption)."""
    vals = np.asarray(values, dtype=np.float64)
    finite = vals[np.isfinite(vals)]
    if value_range is None:
        value_range = ((float(finite.min()), float(finite.max())) if finite.size
                       else (0.0, 1.0))
    lo, hi = value_range
    if hi <= lo:
        hi = lo + 1.0
    counts, _ = np.histogram(finite, bins=bins, range=(lo, hi))
    top = int(counts.max()) if counts.size and counts.max() > 0 else 1
    left, bottom, plot_h = 34, 30, height - 44
    plot_w = width - left - 8
    bw = plot_w / bins
    parts = [tag("line", x1=left, x2=left + plot_w, y1=_n(height - bottom),
                 y2=_n(height - bottom), stroke=_MUTED)]
    for i, c in enumerate(counts.tolist()):
        h = c / top * plot_h
        parts.append(tag("rect", x=_n(left + i * bw + 0.5), y=_n(height - bottom - h),
                         width=_n(max(bw - 1, 0.5)), height=_n(h), fill=_BAR,
                         data_count=c))
    parts += [
        _text(left, height - bottom + 14, format_number(lo, 2), fill=_MUTED),
        _text(left + plot_w, height - bottom + 14, format_number(hi, 2), fill=_MUTED,
              text_anchor="end"),
        _text(left - 4, height - bottom - plot_h + 10, top, fill=_MUTED, text_anchor="end"),
        _text(left - 4, height - bottom, 0, fill=_MUTED, text_anchor="end"),
        _text(left + plot_w / 2, height - 4, title, text_anchor="middle"),
    ]
    left_out = int(vals.size - finite.size)
    label = f"{title}: {finite.size} values" + (f", {left_out} not finite" if left_out else "")
    return _svg(width, height, parts, label=label)


def colour_bar(low: float, high: float, *, label: str, width: int = 260) -> Markup:
    """A horizontal viridis colour bar from ``low`` to ``high`` with its label.

    Examples
    --------
    >>> colour_bar(0, 1, label="IoU").count("<rect")
    64
    """
    steps = 64  # drawn as strips (an SVG gradient would need a page-wide id)
    colours = viridis((np.arange(steps) + 0.5) / steps)
    strip = width / steps
    strips = [tag("rect", x=_n(i * strip), y=0, width=_n(strip + 0.5), height=14,
                  fill=hex_colour(c)) for i, c in enumerate(colours.tolist())]
    return _svg(width, 42, strips,
                _text(0, 28, format_number(low, 2)),
                _text(width, 28, format_number(high, 2), text_anchor="end"),
                _text(width / 2, 40, label, text_anchor="middle", fill=_MUTED),
                label=f"colour scale of {label}")


def heat_map(matrix: Any, row_labels: Sequence[Any], col_labels: Sequence[Any], *,
             title: str, low: float = 0.0, high: float = 1.0, digits: int = 2,
             max_table: int = 40, counts: Any = None, corner: str = "") -> Markup:
    """A matrix in viridis colours with its colour bar.

    Up to ``max_table`` rows and columns it is an HTML table: the names head the rows and
    columns, each cell shows its value (and ``counts``, when given, as a tooltip). A
    larger matrix is one inline PNG (a pixel per cell, enlarged without smoothing) whose
    rows and columns are in the order of the labels. ``corner`` is the text of the table's
    top-left cell (what the rows and the columns are).

    Examples
    --------
    >>> html = heat_map([[0.9, 0.1], [0.3, 0.7]], ["a", "b"], ["a", "b"], title="recall")
    >>> html.count("<td"), ">0.90<" in html
    (4, True)
    """
    m = np.asarray(matrix, dtype=np.float64)
    scaled = (m - low) / ((high - low) or 1.0)
    rgb = viridis(scaled)
    bar = colour_bar(low, high, label=title)
    if max(m.shape) > max_table:
        side = max(1, 600 // max(m.shape))
        big = rgb.repeat(side, axis=0).repeat(side, axis=1)
        return tag("figure", image(big, title, pixelated=True), bar,
                   tag("figcaption", f"{title}: {m.shape[0]} rows × {m.shape[1]} columns, "
                       "in class order (top to bottom, left to right)"))
    head = tag("thead", tag("tr", tag("th", corner, class_="corner"),
                            [tag("th", c, scope="col") for c in col_labels]))
    rows = []
    for i, name in enumerate(row_labels):
        cells = []
        for j in range(m.shape[1]):
            v = m[i, j]
            light = bool(np.isfinite(v)) and scaled[i, j] > 0.6
            tip = None if counts is None else f"{row_labels[i]} → {col_labels[j]}: " \
                f"{int(np.asarray(counts)[i, j])}"
            cells.append(tag("td", format_number(v, digits) if np.isfinite(v) else "",
                             style=f"background:{hex_colour(rgb[i, j])};"
                                   f"color:{'#000' if light else '#fff'}",
                             title=tip, data_value=None))
        rows.append(tag("tr", tag("th", name, scope="row"), cells))
    table = tag("div", tag("table", head, tag("tbody", rows), class_="heat",
                           aria_label=title), class_="scroll")
    return tag("figure", table, bar)
