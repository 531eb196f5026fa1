"""Self-contained HTML reports: one file, no network request, the same bytes every time.

The pieces every command's ``--html`` is built from:

- :mod:`~segscope.report.markup`: :func:`tag`, the one place where text is escaped;
- :mod:`~segscope.report.page`: a :class:`Page` of sections, tables (sortable by a click),
  key/value lists; inline CSS for screen and print and a small inline script;
- :mod:`~segscope.report.charts`: SVG bars, histograms, colour bars and heat maps;
- :mod:`~segscope.report.pictures`: arrays as inline PNGs, label colours, error overlays,
  thumbnails and galleries.

They take arrays and result objects, never command-line options. A page is written like
any other output, whole or not at all (:func:`segscope.io.write_bytes` or an
:class:`segscope.io.Outputs` transaction).

Examples
--------
>>> import numpy as np
>>> from segscope.report import Page, bars, table, image
>>> page = Page("Example")
>>> page.add("Per class", table(["class", "IoU"], [["road", 0.91], ["<b>sky</b>", 0.8]]),
...          bars(["road", "<b>sky</b>"], [0.91, 0.8], title="IoU"))
>>> page.add("A picture", image(np.zeros((8, 8), np.uint8), "black square"))
>>> html = page.render()
>>> "&lt;b&gt;sky&lt;/b&gt;" in html, "<b>sky" in html, page.render() == html
(True, False, True)
"""

from __future__ import annotations

from .charts import bars, colour_bar, heat_map, histogram
from .markup import Markup, escape, join, tag
from .page import Column, Page, format_number, key_values, note, table
from .pictures import error_overlay, gallery, image, label_colours, png_uri, shrink, to_rgb

__all__ = [
    "Column",
    "Markup",
    "Page",
    "bars",
    "colour_bar",
    "error_overlay",
    "escape",
    "format_number",
    "gallery",
    "heat_map",
    "histogram",
    "image",
    "join",
    "key_values",
    "label_colours",
    "note",
    "png_uri",
    "shrink",
    "table",
    "tag",
    "to_rgb",
]
