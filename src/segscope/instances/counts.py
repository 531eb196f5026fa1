"""Per-image object counts: what every instance score is computed from.

:func:`count_image` turns one image's :class:`~segscope.instances.Overlaps` table into
counts at each IoU threshold: matched pairs (TP), unmatched predictions (FP), unmatched
true objects (FN), the sum of the matched pairs' IoU, the two sums of the aggregated
Jaccard index and, when predictions carry confidence scores, the detections that mask
AP ranks. :class:`InstanceCounts` holds these rows for any number of images; two of them
add up (``a + b``) like confusion counts, so a dataset is counted image by image, in any
order, on any number of workers, and scored once.

Examples
--------
>>> import numpy as np
>>> from segscope.instances import instance_overlaps
>>> t = np.array([[1, 1, 0, 2, 2]]); p = np.array([[4, 4, 0, 0, 0]])
>>> c = count_image(instance_overlaps(p, t), thresholds=(0.5,))
>>> c.tp.tolist(), c.fp.tolist(), c.fn.tolist()
([[[1]]], [[[0]]], [[[1]]])
>>> (c + c).num_images
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError, ShapeError
from .matching import Matching, check_thresholds, match_objects
from .overlaps import Overlaps

__all__ = ["Detections", "InstanceCounts", "count_image"]


@dataclass(frozen=True, eq=False)
class Detections:
    """The scored predictions of one image, as mask AP ranks them.

    Attributes
    ----------
    scores : ndarray of float64, shape (D,)
        Confidence of each kept prediction, in decreasing order (ties in id order).
    matched : ndarray of bool, shape (thresholds, D)
        Whether each prediction matched a true object (greedily by score).
    ignored : ndarray of bool, shape (thresholds, D)
        Unmatched predictions lying mostly on void: neither true nor false positives.
    classes : ndarray of int64, shape (D,)
        Class id of each prediction (0 without classes).
    """

    scores: np.ndarray
    matched: np.ndarray
    ignored: np.ndarray
    classes: np.ndarray


@dataclass(frozen=True, eq=False)
class InstanceCounts:
    """Object counts of one or more images, per class and IoU threshold.

    Attributes
    ----------
    thresholds : tuple of float
    classes : tuple of int
        The classes counted apart (``(0,)`` when objects have no class).
    tp, fp, fn : ndarray of int64, shape (images, classes, thresholds)
        Matched pairs, unmatched predictions, unmatched true objects.
    iou_sum : ndarray of float64, shape (images, classes, thresholds)
        Sum of the IoU of the matched pairs.
    num_pred, num_target : ndarray of int64, shape (images, classes)
        Objects on each side.
    aji_intersection, aji_union : ndarray of int64, shape (images,)
        The two sums of the aggregated Jaccard index (Kumar et al. 2017).
    detections : tuple of Detections or None
        One per image when predictions carried scores.
    method, rule : str
        The matching that produced the counts.
    """

    thresholds: tuple[float, ...]
    classes: tuple[int, ...]
    tp: np.ndarray
    fp: np.ndarray
    fn: np.ndarray
    iou_sum: np.ndarray
    num_pred: np.ndarray
    num_target: np.ndarray
    aji_intersection: np.ndarray
    aji_union: np.ndarray
    detections: tuple[Detections, ...] | None = None
    method: str = "optimal"
    rule: str = ">="

    @property
    def num_images(self) -> int:
        """Number of images counted."""
        return int(self.tp.shape[0])

    def __add__(self, other: InstanceCounts) -> InstanceCounts:
        if not isinstance(other, InstanceCounts):
            return NotImplemented
        if (other.thresholds, other.method, other.rule) != (self.thresholds, self.method,
                                                            self.rule):
            raise ParameterError(
                "counts made with different thresholds or matching cannot be added; got "
                f"{self.thresholds, self.method, self.rule} and "
                f"{other.thresholds, other.method, other.rule}"
            )
        a, b = _align(self, other)
        det = None
        if a.detections is not None and b.detections is not None:
            det = a.detections + b.detections
        elif a.detections is not None or b.detections is not None:
            raise ParameterError("counts with scores and counts without cannot be added")
        cat = np.concatenate
        return InstanceCounts(
            thresholds=a.thresholds, classes=a.classes,
            tp=cat([a.tp, b.tp]), fp=cat([a.fp, b.fp]), fn=cat([a.fn, b.fn]),
            iou_sum=cat([a.iou_sum, b.iou_sum]),
            num_pred=cat([a.num_pred, b.num_pred]), num_target=cat([a.num_target, b.num_target]),
            aji_intersection=cat([a.aji_intersection, b.aji_intersection]),
            aji_union=cat([a.aji_union, b.aji_union]),
            detections=det, method=a.method, rule=a.rule,
        )

    @classmethod
    def concatenate(cls, parts: Sequence[InstanceCounts]) -> InstanceCounts:
        """The counts of several image sets, in order (one sum for many parts)."""
        if not parts:
            raise ParameterError("no counts to concatenate: give at least one image")
        out = parts[0]
        if len(parts) == 1:
            return out
        classes = sorted(set().union(*(p.classes for p in parts)))
        parts = [_with_classes(p, tuple(classes)) for p in parts]
        first = parts[0]
        for p in parts[1:]:
            if (p.thresholds, p.method, p.rule) != (first.thresholds, first.method, first.rule):
                return _sum_pairwise(parts)
        dets = [p.detections for p in parts]
        if any(d is None for d in dets) and not all(d is None for d in dets):
            raise ParameterError("counts with scores and counts without cannot be added")
        cat = np.concatenate
        return InstanceCounts(
            thresholds=first.thresholds, classes=first.classes,
            tp=cat([p.tp for p in parts]), fp=cat([p.fp for p in parts]),
            fn=cat([p.fn for p in parts]), iou_sum=cat([p.iou_sum for p in parts]),
            num_pred=cat([p.num_pred for p in parts]),
            num_target=cat([p.num_target for p in parts]),
            aji_intersection=cat([p.aji_intersection for p in parts]),
            aji_union=cat([p.aji_union for p in parts]),
            detections=None if dets[0] is None else sum((tuple(d) for d in dets), ()),
            method=first.method, rule=first.rule,
        )


def _sum_pairwise(parts: Sequence[InstanceCounts]) -> InstanceCounts:
    out = parts[0]
    for p in parts[1:]:
        out = out + p  # raises the mismatch error
    return out


def _with_classes(c: InstanceCounts, classes: tuple[int, ...]) -> InstanceCounts:
    """``c`` with its class axis widened to ``classes`` (absent classes count zero)."""
    if c.classes == classes:
        return c
    pos = [classes.index(k) for k in c.classes]

    def widen(x: np.ndarray) -> np.ndarray:
        out = np.zeros((x.shape[0], len(classes), *x.shape[2:]), dtype=x.dtype)
        out[:, pos] = x
        return out

    return InstanceCounts(
        thresholds=c.thresholds, classes=classes, tp=widen(c.tp), fp=widen(c.fp),
        fn=widen(c.fn), iou_sum=widen(c.iou_sum), num_pred=widen(c.num_pred),
        num_target=widen(c.num_target), aji_intersection=c.aji_intersection,
        aji_union=c.aji_union, detections=c.detections, method=c.method, rule=c.rule,
    )


def _align(a: InstanceCounts, b: InstanceCounts) -> tuple[InstanceCounts, InstanceCounts]:
    classes = tuple(sorted(set(a.classes) | set(b.classes)))
    return _with_classes(a, classes), _with_classes(b, classes)


def count_image(overlaps: Overlaps, thresholds: float | Sequence[float] | None = None, *,
                method: str = "optimal", rule: str = ">=", scores: np.ndarray | None = None,
                max_detections: int | None = None) -> InstanceCounts:
    """Count the objects of one image at each threshold.

    Parameters
    ----------
    overlaps : Overlaps
        From :func:`~segscope.instances.instance_overlaps` (or the panoptic reader, whose
        objects carry classes).
    thresholds, method, rule
        As :func:`~segscope.instances.match_objects`.
    scores : ndarray of float, shape (num_pred,), optional
        Confidence of each predicted object (in ``overlaps.pred_ids`` order): adds the
        detections that mask AP ranks (matched greedily by score, as pycocotools).
    max_detections : int, optional
        Rank only the highest-scoring ``max_detections`` predictions of the image
        (pycocotools' ``maxDets``; default: all).

    Returns
    -------
    InstanceCounts
        One image.
    """
    ts = check_thresholds(thresholds)
    m = match_objects(overlaps, ts, method=method, rule=rule)  # type: ignore[arg-type]
    classes, p_cls, t_cls = _classes(overlaps)
    ncls, nt = len(classes), len(ts)
    p_ign, t_ign = _void_ignored(overlaps)
    tp = np.zeros((1, ncls, nt), dtype=np.int64)
    fp = np.zeros_like(tp)
    fn = np.zeros_like(tp)
    iou_sum = np.zeros((1, ncls, nt))
    num_pred = np.bincount(p_cls, minlength=ncls).astype(np.int64)[None]
    num_target = np.bincount(t_cls, minlength=ncls).astype(np.int64)[None]
    pair_cls = t_cls[overlaps.pair_target]
    for k in range(nt):
        sel = m.matched[k]
        tp[0, :, k] = np.bincount(pair_cls[sel], minlength=ncls)
        iou_sum[0, :, k] = np.bincount(pair_cls[sel], weights=m.iou[sel], minlength=ncls)
        p_partner, t_partner = m.partners(k)
        fp[0, :, k] = np.bincount(p_cls[(p_partner < 0) & ~p_ign], minlength=ncls)
        fn[0, :, k] = np.bincount(t_cls[(t_partner < 0) & ~t_ign], minlength=ncls)
    inter, union = _aji_sums(overlaps, m.iou)
    detections = None
    if scores is not None:
        detections = (_detections(overlaps, ts, rule, scores, max_detections, p_cls, p_ign,
                                  np.asarray(classes, dtype=np.int64)),)
    return InstanceCounts(
        thresholds=ts, classes=classes, tp=tp, fp=fp, fn=fn, iou_sum=iou_sum,
        num_pred=num_pred, num_target=num_target,
        aji_intersection=np.array([inter], dtype=np.int64),
        aji_union=np.array([union], dtype=np.int64),
        detections=detections, method=method, rule=rule,
    )


def _classes(ov: Overlaps) -> tuple[tuple[int, ...], np.ndarray, np.ndarray]:
    """The classes and each object's class position (one class 0 without classes)."""
    if ov.pred_classes is None or ov.target_classes is None:
        return (0,), np.zeros(ov.num_pred, np.int64), np.zeros(ov.num_target, np.int64)
    classes = np.union1d(ov.pred_classes, ov.target_classes)
    return (tuple(int(c) for c in classes), np.searchsorted(classes, ov.pred_classes),
            np.searchsorted(classes, ov.target_classes))


def _void_ignored(ov: Overlaps) -> tuple[np.ndarray, np.ndarray]:
    """Objects lying mostly (more than half) on the other side's void: never FP / FN."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = 2 * ov.pred_void > ov.pred_sizes
        t = 2 * ov.target_void > ov.target_sizes
    return p, t


def _aji_sums(ov: Overlaps, iou: np.ndarray) -> tuple[int, int]:
    """Aggregated Jaccard index sums (Kumar et al., IEEE TMI 36(7), 2017).

    Each true object is paired with the prediction of highest IoU (the first of equal
    ones; a prediction may serve several true objects); the index is the sum of the
    pairs' intersections over the sum of their unions plus the sizes of true objects
    with no overlapping prediction and of predictions paired with none.
    """
    sp = ov.pred_sizes - ov.pred_void
    st = ov.target_sizes - ov.target_void
    ok = ov.same_class()
    pp, pt, inter = ov.pair_pred[ok], ov.pair_target[ok], ov.pair_intersection[ok]
    union = ov.union()[ok]
    order = np.lexsort((pp, -iou[ok], pt))
    first = np.ones(order.size, dtype=bool)
    first[1:] = pt[order][1:] != pt[order][:-1]
    best = order[first]
    paired_t = np.zeros(ov.num_target, dtype=bool)
    paired_t[pt[best]] = True
    used_p = np.zeros(ov.num_pred, dtype=bool)
    used_p[pp[best]] = True
    c = int(inter[best].sum())
    u = int(union[best].sum()) + int(st[~paired_t].sum()) + int(sp[~used_p].sum())
    return c, u


def _detections(ov: Overlaps, ts: tuple[float, ...], rule: str, scores: np.ndarray,
                max_detections: int | None, p_cls: np.ndarray, p_ign: np.ndarray,
                class_ids: np.ndarray) -> Detections:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (ov.num_pred,):
        raise ShapeError(
            f"scores must have one value per predicted object ({ov.num_pred}); "
            f"got shape {scores.shape}"
        )
    if not np.isfinite(scores).all():
        raise ParameterError("scores must be finite numbers")
    order = np.argsort(-scores, kind="stable")
    if max_detections is not None:
        if isinstance(max_detections, bool) or int(max_detections) < 1:
            raise ParameterError(
                f"max_detections must be a positive integer; got {max_detections!r}")
        order = _top_per_class(order, p_cls, int(max_detections))
    kept = np.zeros(ov.num_pred, dtype=bool)
    kept[order] = True
    sub = _keep_preds(ov, kept)
    m: Matching = match_objects(sub, ts, method="greedy_score", rule=rule,  # type: ignore[arg-type]
                                scores=scores[kept])
    # positions of the kept predictions in the sub table, in rank order
    rank_in_sub = np.cumsum(kept)[order] - 1
    matched = np.zeros((len(ts), order.size), dtype=bool)
    for k in range(len(ts)):
        p_partner, _ = m.partners(k)
        matched[k] = p_partner[rank_in_sub] >= 0
    ignored = ~matched & p_ign[order][None, :]
    return Detections(scores=scores[order], matched=matched, ignored=ignored,
                      classes=class_ids[p_cls[order]])


def _top_per_class(order: np.ndarray, p_cls: np.ndarray, k: int) -> np.ndarray:
    """The first ``k`` of ``order`` within each class, kept in rank order."""
    cls = p_cls[order]
    rank = np.zeros(order.size, dtype=np.int64)
    for c in np.unique(cls):
        sel = cls == c
        rank[sel] = np.arange(int(sel.sum()))
    return order[rank < k]


def _keep_preds(ov: Overlaps, kept: np.ndarray) -> Overlaps:
    """The table restricted to the predictions where ``kept`` is True."""
    new = np.cumsum(kept) - 1
    on = kept[ov.pair_pred]
    return Overlaps(
        pred_ids=ov.pred_ids[kept], target_ids=ov.target_ids,
        pred_sizes=ov.pred_sizes[kept], target_sizes=ov.target_sizes,
        pred_void=ov.pred_void[kept], target_void=ov.target_void,
        pair_pred=new[ov.pair_pred[on]], pair_target=ov.pair_target[on],
        pair_intersection=ov.pair_intersection[on], shape=ov.shape,
        pred_classes=None if ov.pred_classes is None else ov.pred_classes[kept],
        target_classes=ov.target_classes,
    )
