"""The HTML page of a LIME explanation (``segscope explain --html``).

The heat map of the weights with its colour bar (the static figure of
:func:`segscope.explain.heatmap_figure`), the top-k overlay, the weights in a sortable
table and the settings. Built from the shared pieces of :mod:`segscope.report`.

Examples
--------
>>> import numpy as np
>>> from segscope.explain import Explanation
>>> e = Explanation(np.array([1.0, -1.0]), 0.0, 1.0, None, 1.0, np.array([[0, 1]] * 8),
...                 np.ones((1, 2), bool), np.ones(1), np.zeros(1), np.ones(1))
>>> html = explanation_page(e, np.full((8, 2), 100, np.uint8), top_k=1).render()
>>> "Heat map" in html and "<table" in html
True
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..explain.lime import Explanation
from ..explain.render import heatmap_figure, top_k_overlay
from .page import Column, Page, key_values, note, table
from .pictures import image
from .runs import run_items

__all__ = ["explanation_page"]


def explanation_page(explanation: Explanation, picture: Any, *, top_k: int = 5,
                     data_range: float | None = None, channel_axis: int | None = None,
                     title: str | None = None, subtitle: str = "",
                     provenance: Mapping[str, Any] | None = None) -> Page:
    """The report :class:`~segscope.report.Page` of an explanation of ``picture``
    (``provenance``: ``segscope_version``, ``command``, ``created`` of the run)."""
    e = explanation
    page = Page(title or "LIME explanation", subtitle=subtitle or
                f"target {e.target}, score {e.score:.4g}, surrogate R² {e.r2:.3f}")
    page.add("Summary", key_values([
        ("target", e.target), ("score of the image", f"{e.score:.6g}"),
        ("surrogate R²", f"{e.r2:.4f}"), ("intercept", f"{e.intercept:.6g}"),
        ("superpixels", e.num_segments), ("samples", len(e.scores))]))
    figure = np.asarray(heatmap_figure(e, picture, data_range=data_range,
                                       channel_axis=channel_axis))
    page.add("Heat map",
             image(figure, "LIME weights over the image, with a colour bar of the weights"),
             note("Red: keeping the superpixel raises the score; blue: lowers it; white: no "
                  "effect. The colour bar runs from minus to plus the largest |weight|."))
    overlay = top_k_overlay(e, picture, top_k, data_range=data_range,
                            channel_axis=channel_axis)
    page.add(f"Top {top_k} superpixels",
             image(overlay, f"the {top_k} superpixels with the largest positive weights"),
             note("Shown and outlined; the other superpixels are darkened."))
    sizes = np.bincount(e.segments.ravel(), minlength=e.num_segments)
    peak = float(np.abs(e.weights).max()) if e.weights.size else 0.0
    digits = 3 if peak == 0 or peak >= 1 else min(12, 3 - math.floor(math.log10(peak)))
    order = np.argsort(-e.weights, kind="stable")
    rows = [[rank, int(s), float(e.weights[s]), int(sizes[s])]
            for rank, s in enumerate(order, start=1)]
    page.add("Weights", table([Column("rank", numeric=True, digits=0),
                               Column("superpixel", numeric=True, digits=0),
                               Column("weight", numeric=True, digits=digits),
                               Column("pixels", numeric=True, digits=0)], rows,
                              id="weights", tall=True))
    page.add("Settings", key_values([(str(k), str(v)) for k, v in e.settings.items()]))
    page.add("Provenance", key_values(run_items(provenance)))
    return page
