"""The HTML pages of superpixels (``segscope superpixels segment/sweep --html``).

:func:`sweep_page`: the quality table of a parameter sweep (sortable, one row per setting)
and the boundary overlay of every setting, titled with it. :func:`segment_page`: the
measures of one segmentation and its overlay. Built from the shared pieces of
:mod:`segscope.report`.

Examples
--------
>>> import numpy as np
>>> from segscope.superpixels import sweep
>>> img = np.tile(np.linspace(0, 1, 32), (32, 1))
>>> result = sweep(img, method="slic", grid={"n_segments": [4, 9]}, data_range=1.0)
>>> html = sweep_page(result, img, data_range=1.0).render()
>>> "n_segments=4" in html and "<table" in html
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..superpixels.methods import Superpixels
from ..superpixels.render import draw_boundaries
from ..superpixels.tune import SweepResult
from .markup import Markup
from .page import Page, key_values, note, table
from .pictures import gallery, image, shrink
from .runs import run_items

__all__ = ["segment_page", "sweep_page"]

_PANEL = 320
_MAX_PANELS = 200


def _tidy(value: Any) -> Any:
    """A whole float (a pixel count, K) shown as an integer; anything else as it is."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _overlay(picture: Any, sp: Superpixels | np.ndarray, size: int, *,
             channel_axis: int | None, data_range: float | None) -> np.ndarray:
    """The boundaries drawn at the shown size: the image area-averaged, the labels
    nearest-sampled, so lines stay one pixel wide and sharp."""
    labels = sp.labels if isinstance(sp, Superpixels) else np.asarray(sp)
    base = draw_boundaries(picture, np.zeros(labels.shape, np.int32),
                           channel_axis=channel_axis, data_range=data_range)
    small = shrink(base, size)
    if small is base:
        return draw_boundaries(base, labels, channel_axis=-1)
    return draw_boundaries(small, shrink(labels, size, labels=True), channel_axis=-1)


def sweep_page(result: SweepResult, picture: Any, *, channel_axis: int | None = None,
               data_range: float | None = None, title: str | None = None,
               subtitle: str = "", size: int = _PANEL,
               provenance: Mapping[str, Any] | None = None) -> Page:
    """The report :class:`~segscope.report.Page` of a sweep.

    Parameters
    ----------
    result : SweepResult
        The rows and segmentations of :func:`~segscope.superpixels.sweep`.
    picture : array_like
        The image that was segmented (read as ``channel_axis``, ``data_range`` say).
    size : int
        Longer side of each overlay, pixels.
    provenance : mapping, optional
        ``segscope_version``, ``command`` and ``created`` of the run (the last section).
    """
    page = Page(title or f"Superpixel sweep: {result.method}",
                subtitle=subtitle or f"{len(result.rows)} settings")
    page.add("Quality", table(result.columns, [[_tidy(row.get(c)) for c in result.columns]
                                               for row in result.rows], id="quality"),
             note("One row per setting; click a heading to sort. num_segments is K; "
                  "boundary recall, undersegmentation error and achievable segmentation "
                  "accuracy need a ground truth (Stutz, Hermans and Leibe 2018)."))
    shown = list(zip(result.titles(), result.superpixels, strict=True))[:_MAX_PANELS]
    tiles = [(t, _overlay(picture, sp, size, channel_axis=channel_axis, data_range=data_range))
             for t, sp in shown]
    blocks: list[Markup] = [gallery([("", tiles)], size=size)]
    if len(result.superpixels) > _MAX_PANELS:
        blocks.append(note(f"The first {_MAX_PANELS} of {len(result.superpixels)} settings "
                           "are drawn; the table lists them all."))
    page.add("Overlays", *blocks)
    page.add("Provenance", key_values([("method", result.method), *run_items(provenance)]))
    return page


def segment_page(sp: Superpixels, measures: Mapping[str, Any], picture: Any, *,
                 channel_axis: int | None = None, data_range: float | None = None,
                 title: str | None = None, subtitle: str = "", message: str | None = None,
                 size: int = 640, provenance: Mapping[str, Any] | None = None) -> Page:
    """The report :class:`~segscope.report.Page` of one segmentation: its measures (a
    mapping such as :meth:`segscope.results.Report.summary`), its overlay, its settings
    and the run's ``provenance`` (as :func:`sweep_page`)."""
    page = Page(title or f"Superpixels: {sp.describe()}",
                subtitle=subtitle or f"{sp.num_segments} superpixels")
    page.add("Measures", table(["measure", "value"], [[k, _tidy(v)] for k, v in measures.items()],
                               id="measures"),
             *([note(message)] if message else []))
    overlay = _overlay(picture, sp, size, channel_axis=channel_axis, data_range=data_range)
    page.add("Overlay", image(overlay, f"superpixel boundaries: {sp.describe()}"))
    page.add("Settings", key_values([("method", sp.method),
                                     *((str(k), str(v)) for k, v in sp.params.items())]))
    page.add("Provenance", key_values(run_items(provenance)))
    return page
