"""Panoptic input: a category map and an instance map per side, objects kept apart by class.

A *segment* is the set of pixels sharing a category and an instance id; a segment of a
*stuff* category ignores the instance id (one segment per category). Segments match only
within their category, and every score is computed per category, then averaged over the
categories that have any object (categories with no TP, FP or FN are 0/0: left out and
counted under ``empty="nan"``, as torchmetrics drops them). The defaults follow the COCO
panoptic rules: IoU > 0.5, and with a ``void`` category, void pixels are left out of
every union and segments lying mostly on the other side's void are neither false
positives nor false negatives.

Examples
--------
>>> import numpy as np
>>> cat = np.array([[1, 1, 2, 2]]); inst = np.array([[1, 1, 0, 0]])
>>> r = evaluate_panoptic((cat, inst), (cat, inst))
>>> r.classes, r.value("pq")
((1, 2), 1.0)
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .._checks import check_same_shape
from ..errors import LabelError, ParameterError, ShapeError
from ..options import Aggregate, Empty
from .counts import InstanceCounts, count_image
from .evaluate import _settings
from .labels import check_instance_map
from .matching import MatchMethod, Rule
from .overlaps import Overlaps, overlaps_of_maps
from .report import InstanceReport, score_counts

__all__ = ["evaluate_panoptic", "panoptic_overlaps"]


def _split(x: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(category map, instance map) from a pair, or from an array whose last axis is 2."""
    if isinstance(x, (tuple, list)) and len(x) == 2:
        cat, inst = x
    else:
        arr = np.asarray(x)
        if arr.ndim < 2 or arr.shape[-1] != 2:
            raise ShapeError(
                f"{name} must be a (categories, instances) pair of maps or an array whose last "
                f"axis holds (category, instance), as torchmetrics; got shape {arr.shape}"
            )
        cat, inst = arr[..., 0], arr[..., 1]
    cat = check_instance_map(cat, f"{name} categories")
    inst = check_instance_map(inst, f"{name} instances")
    check_same_shape(cat, inst, (f"{name} categories", f"{name} instances"))
    return cat, inst


def _segments(cat: np.ndarray, inst: np.ndarray, things: np.ndarray, stuffs: np.ndarray,
              void: int | None, background: int | None, width: int, name: str
              ) -> np.ndarray:
    """One int64 segment id per pixel: 0 background, 1 void, else 2 + class * width + id."""
    known = np.isin(cat, things) | np.isin(cat, stuffs)
    special = np.zeros(cat.shape, dtype=bool)
    for c in (void, background):
        if c is not None:
            special |= cat == c
    unknown = ~known & ~special
    if unknown.any():
        bad = np.unique(cat[unknown])[:10].tolist()
        raise LabelError(
            f"{name} has categories {bad} that are neither things, stuffs, void nor "
            "background; name them in things=/stuffs=, or pass void=/background="
        )
    ids = np.where(np.isin(cat, stuffs), 0, inst).astype(np.int64)
    seg = 2 + cat.astype(np.int64) * width + ids
    seg[special] = 0
    if void is not None:
        seg[cat == void] = 1
    return seg


def panoptic_overlaps(pred: Any, target: Any, *, things: Collection[int] | None = None,
                      stuffs: Collection[int] = (), void: int | None = None,
                      background: int | None = None) -> Overlaps:
    """The overlap table of two panoptic maps, each segment carrying its category.

    Parameters
    ----------
    pred, target : pair of (M, N[, P]) int arrays, or (M, N[, P], 2) array
        Category and instance maps (torchmetrics' layout: the last axis holds
        (category, instance)).
    things : collection of int, optional
        Categories whose instances are objects (default: every category present that is
        not a stuff, void or background).
    stuffs : collection of int
        Categories scored as one segment each (instance ids ignored).
    void : int, optional
        The category of pixels not to score.
    background : int, optional
        A category that holds no object (as MONAI's class 0): scored, never matched.

    Returns
    -------
    Overlaps
        With ``pred_classes`` and ``target_classes`` set.
    """
    pc, pi = _split(pred, "pred")
    tc, ti = _split(target, "target")
    check_same_shape(pc, tc)
    stuffs_a = np.asarray(sorted(int(s) for s in stuffs), dtype=np.int64)
    if things is None:
        present = np.union1d(np.unique(pc), np.unique(tc))
        skip = [c for c in (void, background) if c is not None]
        things_a = np.setdiff1d(present, np.union1d(stuffs_a, skip)).astype(np.int64)
    else:
        things_a = np.asarray(sorted(int(t) for t in things), dtype=np.int64)
    if np.intersect1d(things_a, stuffs_a).size:
        raise ParameterError("a category cannot be both a thing and a stuff: "
                             f"{np.intersect1d(things_a, stuffs_a).tolist()}")
    width = int(max(pi.max(initial=0), ti.max(initial=0))) + 1
    top = int(max(pc.max(initial=0), tc.max(initial=0)))
    if (top + 1) * width + 2 >= 2**62:
        raise LabelError("category × instance ids are too large to combine in 64 bits; "
                         "renumber the instance ids (e.g. skimage.segmentation.relabel_sequential)")
    ps = _segments(pc, pi, things_a, stuffs_a, void, background, width, "pred")
    ts = _segments(tc, ti, things_a, stuffs_a, void, background, width, "target")
    vid = 1 if void is not None else None
    ov = overlaps_of_maps(ps, ts, pred_void_id=vid, target_void_id=vid, check_semantic=False)
    return replace(ov, pred_classes=(ov.pred_ids.astype(np.int64) - 2) // width,
                   target_classes=(ov.target_ids.astype(np.int64) - 2) // width)


def evaluate_panoptic(pred: Any, target: Any, *, things: Collection[int] | None = None,
                      stuffs: Collection[int] = (), void: int | None = None,
                      background: int | None = None,
                      thresholds: float | Sequence[float] | None = 0.5,
                      method: MatchMethod = "optimal", rule: Rule = ">",
                      metrics: str | Sequence[str] | None = None,
                      aggregate: Aggregate = "dataset", empty: Empty = "nan",
                      image_names: Sequence[str] | None = None) -> InstanceReport:
    """Panoptic quality (and every instance score) per category, of one image or a list.

    Parameters
    ----------
    pred, target
        One panoptic image (a tuple ``(categories, instances)`` or an array whose last
        axis holds both, see :func:`panoptic_overlaps`), or a list of them.
    things, stuffs, void, background
        See :func:`panoptic_overlaps`.
    thresholds, method, rule, metrics, aggregate, empty, image_names
        As :func:`~segscope.instances.evaluate_instances`; the defaults here are the
        panoptic ones (one threshold 0.5 with ``rule=">"``).

    Returns
    -------
    InstanceReport
        ``classes`` are the categories; :meth:`InstanceReport.class_rows` has one row each.
    """
    _settings(method, rule, aggregate, None)
    items_p = pred if _is_list(pred) else [pred]
    items_t = target if _is_list(target) else [target]
    if len(items_p) != len(items_t):
        raise ShapeError(f"pred has {len(items_p)} images and target {len(items_t)}")
    parts = []
    for p, t in zip(items_p, items_t):
        ov = panoptic_overlaps(p, t, things=things, stuffs=stuffs, void=void,
                               background=background)
        parts.append(count_image(ov, thresholds, method=method, rule=rule))
    counts = InstanceCounts.concatenate(parts)
    names = tuple(image_names) if image_names is not None else ()
    meta = {"void": void, "background": background, "stuffs": sorted(int(s) for s in stuffs)}
    return score_counts(counts, metrics=metrics, aggregate=aggregate, empty=empty,
                        image_names=names, meta=meta)


def _is_list(x: Any) -> bool:
    """A list is a dataset; a tuple (categories, instances) or one array is one image."""
    return isinstance(x, list)
